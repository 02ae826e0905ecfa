"""Tests of ABC-SMC and the regression adjustment on models with known posteriors."""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
from scipy import stats

from rift.validation.calibration.abc import Posterior, Prior, abc_smc, regression_adjust

N_DRAWS = 50
MU_TRUE, SIGMA_TRUE = 1.5, 2.0


def observe(mu: float, sigma: float, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).normal(mu, sigma, N_DRAWS)
    return np.array([x.mean(), x.std(ddof=1)])


def sim_mu(theta: dict[str, float], seed: np.random.SeedSequence) -> np.ndarray:
    """Mean and sd of 50 draws of N(mu, 1)."""
    x = np.random.default_rng(seed).normal(theta["mu"], 1.0, N_DRAWS)
    return np.array([x.mean(), x.std(ddof=1)])


def sim_mu_sigma(theta: dict[str, float], seed: np.random.SeedSequence) -> np.ndarray:
    """Mean and sd of 50 draws of N(mu, sigma)."""
    x = np.random.default_rng(seed).normal(theta["mu"], theta["sigma"], N_DRAWS)
    return np.array([x.mean(), x.std(ddof=1)])


PRIOR_MU = [Prior("mu", -10.0, 10.0)]
PRIOR_MU_SD = 20.0 / np.sqrt(12.0)


@pytest.fixture(scope="module")
def fit_mu() -> tuple[Posterior, np.ndarray]:
    obs = observe(MU_TRUE, 1.0, seed=1)
    post = abc_smc(
        sim_mu, PRIOR_MU, obs, population=200, generations=6, rng=np.random.default_rng(2)
    )
    return post, obs


def small_fit(map_fn=map, seed: int = 3, **kw) -> Posterior:
    obs = observe(MU_TRUE, SIGMA_TRUE, seed=4)
    priors = [Prior("mu", -10.0, 10.0), Prior("sigma", 0.1, 5.0)]
    kw = {"population": 40, "generations": 3, **kw}
    return abc_smc(sim_mu_sigma, priors, obs, rng=np.random.default_rng(seed), map_fn=map_fn, **kw)


def assert_same(a: Posterior, b: Posterior) -> None:
    assert np.array_equal(a.samples, b.samples)
    assert np.array_equal(a.weights, b.weights)
    assert np.array_equal(a.distances, b.distances)
    assert a.epsilons == b.epsilons and a.acceptance == b.acceptance
    assert a.simulations == b.simulations and a.scale == b.scale


# --- Recovery of known parameters ---------------------------------------------------------------


def test_recovers_mean_with_known_sigma(fit_mu):
    post, obs = fit_mu
    # The exact posterior (flat prior) is N(xbar, 1/50): sd 0.14. The default scale (prior
    # predictive MAD: ~4.8 for the mean, ~0.07 for the sd) gives the uninformative sd summary
    # most of the weight, which slows the shrinkage, markedly so when the observed sd is
    # unusual. The bounds hold for 40 of 40 data/rng seeds tried (sd ranged 0.3 to 3.0).
    assert abs(post.mean()["mu"] - obs[0]) < 0.3
    assert abs(post.mean()["mu"] - MU_TRUE) < 0.6
    assert post.sd()["mu"] < PRIOR_MU_SD / 1.5
    lo, hi = post.quantiles([0.01, 0.99])["mu"]
    assert lo < MU_TRUE < hi


def test_recovers_mean_sharply_with_a_sensible_scale():
    # Scale both summaries in their own unit (their sampling sds are similar, ~0.14 and ~0.1):
    # the posterior gets close to the exact N(xbar, 1/50) in ~4000 simulations.
    obs = observe(MU_TRUE, 1.0, seed=1)
    rng = np.random.default_rng(2)
    post = abc_smc(sim_mu, PRIOR_MU, obs, population=200, generations=6, rng=rng, scale=[1, 1])
    assert post.scale == [1.0, 1.0]
    assert abs(post.mean()["mu"] - obs[0]) < 0.05
    assert abs(post.mean()["mu"] - MU_TRUE) < 0.5
    assert 0.14 < post.sd()["mu"] < 0.3


def test_recovers_mean_and_sd():
    obs = observe(MU_TRUE, SIGMA_TRUE, seed=5)
    priors = [Prior("mu", -10.0, 10.0), Prior("sigma", 0.1, 5.0)]
    post = abc_smc(
        sim_mu_sigma, priors, obs, population=200, generations=7, rng=np.random.default_rng(6)
    )
    mean, sd = post.mean(), post.sd()
    # The data's own noise moves the exact posterior (mean ~ xbar, sd ~ 0.28 for mu and ~ 0.2
    # for sigma) away from the truth; ABC should centre near it and cover the truth.
    assert abs(mean["mu"] - obs[0]) < 0.2
    assert abs(mean["sigma"] - obs[1]) < 0.25
    assert abs(mean["mu"] - MU_TRUE) < 1.0 and abs(mean["sigma"] - SIGMA_TRUE) < 0.6
    assert sd["mu"] < 0.7 and sd["sigma"] < 0.4
    q = post.quantiles([0.01, 0.99])
    assert q["mu"][0] < MU_TRUE < q["mu"][1]
    assert q["sigma"][0] < SIGMA_TRUE < q["sigma"][1]


def test_non_uniform_prior_gives_the_conjugate_posterior():
    # mu ~ N(0, 1) (truncated to [-5, 5], negligible), summary xbar ~ N(mu, 1/10) observed 1.0:
    # posterior N(10/11, 1/11), i.e. mean 0.909, sd 0.302. Wrong weights (e.g. ignoring the
    # prior density) would centre it near 1.0 with sd 0.32.
    def sim(theta, seed):
        return np.array([np.random.default_rng(seed).normal(theta["mu"], np.sqrt(0.1))])

    prior = [Prior("mu", -5.0, 5.0, dist=stats.norm(0.0, 1.0))]
    fits = [
        abc_smc(sim, prior, [1.0], population=400, generations=6, rng=np.random.default_rng(s))
        for s in (8, 9, 10)
    ]
    # one fit of 400 weighted particles has a sd that varies by about 8 % between seeds
    assert np.mean([p.mean()["mu"] for p in fits]) == pytest.approx(10 / 11, abs=0.04)
    assert np.mean([p.sd()["mu"] for p in fits]) == pytest.approx(np.sqrt(1 / 11), rel=0.1)


# --- Invariants ---------------------------------------------------------------------------------


def test_population_invariants(fit_mu):
    post, _ = fit_mu
    assert post.samples.shape == (200, 1) and post.names == ["mu"]
    assert post.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(post.weights > 0)
    assert len(post.epsilons) == len(post.acceptance) == 6
    assert all(a >= b for a, b in zip(post.epsilons, post.epsilons[1:], strict=False))
    assert np.all(post.distances <= post.epsilons[-1])
    assert all(0 < a <= 1 for a in post.acceptance)
    assert post.simulations >= 200 * 7
    assert np.all((post.samples >= -10) & (post.samples <= 10))
    assert 1.0 <= post.ess() <= 200.0
    assert not post.truncated
    assert len(post.scale) == 2 and all(s > 0 for s in post.scale)


def test_samples_within_tight_bounds():
    post = small_fit(generations=4)
    assert np.all((post.samples[:, 0] >= -10) & (post.samples[:, 0] <= 10))
    assert np.all((post.samples[:, 1] >= 0.1) & (post.samples[:, 1] <= 5.0))
    assert post.weights.sum() == pytest.approx(1.0)


def test_zero_generations_is_the_prior_sample():
    post = small_fit(generations=0)
    assert post.epsilons == [] and post.acceptance == []
    assert post.simulations == 40
    assert np.allclose(post.weights, 1 / 40)


# --- Reproducibility ----------------------------------------------------------------------------


def test_same_seed_same_posterior():
    assert_same(small_fit(seed=3), small_fit(seed=3))
    assert not np.array_equal(small_fit(seed=3).samples, small_fit(seed=4).samples)


def reversed_map(fn, args):
    """Evaluates in reverse order, returns in argument order."""
    args = list(args)
    return [fn(a) for a in args[::-1]][::-1]


def test_map_order_and_threads_do_not_matter():
    serial = small_fit()
    assert_same(serial, small_fit(map_fn=reversed_map))
    with ThreadPoolExecutor(max_workers=4) as pool:
        assert_same(serial, small_fit(map_fn=pool.map))


def test_process_pool_gives_the_same_posterior():
    serial = small_fit(population=20, generations=1)
    # spawn: forking a process with threads (BLAS, earlier pools) is deprecated in 3.12.
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert_same(serial, small_fit(map_fn=pool.map, population=20, generations=1))


def test_to_dict_round_trip(fit_mu):
    post, _ = fit_mu
    back = Posterior.from_dict(json.loads(json.dumps(post.to_dict())))
    assert_same(post, back)
    assert back.names == post.names and back.truncated == post.truncated
    assert back.mean() == post.mean()


# --- Options and errors -------------------------------------------------------------------------


def test_custom_distance_and_fixed_scale():
    obs = observe(MU_TRUE, SIGMA_TRUE, seed=4)
    priors = [Prior("mu", -10.0, 10.0), Prior("sigma", 0.1, 5.0)]

    def only_mean(s, o):
        return abs(s[0] - o[0])

    rng = np.random.default_rng(0)
    post = abc_smc(sim_mu_sigma, priors, obs, only_mean, population=30, generations=2, rng=rng)
    assert post.scale is None
    assert np.all(np.abs(post.distances) <= post.epsilons[-1])
    post = small_fit(scale=[1.0, 0.1])
    assert post.scale == [1.0, 0.1]
    with pytest.raises(ValueError, match="scale"):
        abc_smc(sim_mu, PRIOR_MU, obs, only_mean, scale=[1.0, 1.0], rng=rng)


def test_non_finite_summaries_are_never_accepted():
    def sim(theta, seed):  # fails (NaN) for negative mu
        return sim_mu(theta, seed) if theta["mu"] >= 0 else np.array([np.nan, np.nan])

    obs = observe(0.5, 1.0, seed=9)
    post = abc_smc(sim, PRIOR_MU, obs, population=50, generations=2, rng=np.random.default_rng(1))
    assert np.all(post.samples >= 0) and np.all(np.isfinite(post.distances))
    assert post.simulations > 50 * 3


def test_max_simulations_stops_with_a_warning():
    obs = observe(MU_TRUE, 1.0, seed=1)
    kw = {
        "population": 30,
        "generations": 30,
        "max_simulations": 150,
        "rng": np.random.default_rng(0),
    }
    with pytest.warns(RuntimeWarning, match="tolerance"):
        post = abc_smc(sim_mu, PRIOR_MU, obs, **kw)
    assert post.truncated
    assert 0 < len(post.epsilons) < 30
    assert post.weights.sum() == pytest.approx(1.0)
    with pytest.raises(RuntimeError):
        abc_smc(
            lambda t, s: np.array([np.nan]),
            PRIOR_MU,
            [0.0],
            population=5,
            max_simulations=20,
            rng=np.random.default_rng(0),
        )


def test_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError):
        abc_smc(sim_mu, PRIOR_MU * 2, [0.0, 1.0], rng=rng)
    with pytest.raises(ValueError):
        abc_smc(sim_mu, PRIOR_MU, [0.0, 1.0], quantile=1.0, rng=rng)
    with pytest.raises(ValueError):
        Prior("x", 1.0, 1.0)
    with pytest.raises(ValueError):
        Prior("x", 0.0, np.inf)


# --- Priors and posterior methods ---------------------------------------------------------------


def test_prior_sampling_and_density():
    rng = np.random.default_rng(0)
    u = Prior("a", 2.0, 4.0)
    x = u.sample(rng, 1000)
    assert np.all((x >= 2) & (x <= 4))
    assert np.array_equal(u.pdf([1.0, 2.0, 3.0, 5.0]), [0.0, 0.5, 0.5, 0.0])
    t = Prior("b", 0.0, np.inf, dist=stats.lognorm(1.0))
    y = t.sample(rng, 1000)
    assert np.all(y >= 0)
    assert stats.kstest(y, stats.lognorm(1.0).cdf).pvalue > 0.01
    trunc = Prior("c", -1.0, 1.0, dist=stats.norm())
    assert np.all(np.abs(trunc.sample(rng, 1000)) <= 1.0)
    assert trunc.pdf(2.0) == 0.0 and trunc.pdf(0.0) == pytest.approx(stats.norm.pdf(0.0))


def test_weighted_summaries():
    samples = np.array([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0], [3.0, 40.0]])
    equal = Posterior(["a", "b"], samples, np.full(4, 0.25), np.zeros(4))
    assert equal.mean() == {"a": 1.5, "b": 25.0}
    assert equal.sd()["a"] == pytest.approx(np.std(samples[:, 0]))
    assert equal.ess() == pytest.approx(4.0)
    q = [0.1, 0.3, 0.5, 0.9]
    assert np.allclose(equal.quantiles(q)["b"], np.quantile(samples[:, 1], q, method="hazen"))
    skewed = Posterior(["a", "b"], samples, np.array([0.0, 0.0, 0.0, 1.0]), np.zeros(4))
    assert skewed.mean()["a"] == 3.0 and skewed.ess() == 1.0
    assert np.all(skewed.quantiles([0.01, 0.5, 0.99])["a"] == 3.0)
    w = np.array([0.1, 0.2, 0.3, 0.4])
    mid = Posterior(["a", "b"], samples, w, np.zeros(4)).quantiles(0.5)["a"]
    assert 1.0 < mid < 3.0 and mid == pytest.approx(
        np.interp(0.5, np.cumsum(w) - w / 2, [0, 1, 2, 3])
    )


# --- Regression adjustment ----------------------------------------------------------------------


def test_regression_adjust_exact_linear_relation():
    theta = np.linspace(0, 1, 30)
    summaries = np.column_stack([2 * theta + 1, np.sin(7 * theta)])  # second summary irrelevant
    adjusted, w = regression_adjust(theta, summaries, [2.0, 0.0])
    assert adjusted.shape == theta.shape
    assert np.allclose(adjusted[w > 0], 0.5)
    assert w.sum() == pytest.approx(1.0) and w.min() == 0.0


def test_regression_adjust_sharpens_rejection_abc():
    # Rejection ABC for the mean of N(mu, 1) with 50 draws, summary xbar (simulated directly):
    # keep the 10 % nearest. Adjusted samples approach the exact posterior N(xbar_obs, 1/50).
    rng = np.random.default_rng(12)
    xbar_obs = 1.3
    mu = rng.uniform(-5, 5, 20_000)
    xbar = rng.normal(mu, 1 / np.sqrt(N_DRAWS))
    keep = np.argsort(np.abs(xbar - xbar_obs))[:2000]
    adjusted, w = regression_adjust(mu[keep, None], xbar[keep], [xbar_obs])
    assert adjusted.shape == (2000, 1)
    mean = float(w @ adjusted[:, 0])
    sd = float(np.sqrt(w @ (adjusted[:, 0] - mean) ** 2))
    raw_sd = float(np.std(mu[keep]))
    exact_sd = 1 / np.sqrt(N_DRAWS)
    assert mean == pytest.approx(xbar_obs, abs=0.02)
    assert sd == pytest.approx(exact_sd, rel=0.1)
    assert raw_sd > 1.3 * sd


def test_weights_do_not_collapse_with_many_weakly_identified_parameters():
    """Twenty parameters, six identified: the importance weights keep a large effective sample
    (a kernel in a transformed space, where the prior's density varies, collapsed it to ~1)."""
    d = 20
    priors = [Prior(f"p{i}", 0.0, 1.0) for i in range(d)]
    truth = np.linspace(0.2, 0.8, 6)

    def sim(theta, seed):
        noise = np.random.default_rng(seed).normal(0, 0.1, 6)
        return 2 * np.array([theta[f"p{i}"] for i in range(6)]) + noise

    post = abc_smc(
        sim, priors, 2 * truth, population=200, generations=4, rng=np.random.default_rng(1)
    )
    ess = 1 / np.sum(post.weights**2)
    assert ess > 0.2 * 200, ess
    means = post.mean()
    assert all(abs(means[f"p{i}"] - t) < 0.1 for i, t in enumerate(truth)), means
    assert ((post.samples >= 0) & (post.samples <= 1)).all()


def test_the_truncated_kernel_proposes_inside_the_support_and_weighs_its_mass():
    from rift.validation.calibration.abc import _Kernel

    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 5.0], [0.999, 0.001], [0.5, 0.5], [0.6, 9.0]])
    low, high = np.array([0.0, 0.0]), np.array([1.0, 10.0])
    k = _Kernel(centres, np.full(4, 0.25), low, high, rng)
    x = k.propose(rng, 5000)
    assert ((x >= low) & (x <= high)).all()
    # a centre on a bound keeps about half of its kernel's mass in the first parameter
    mass = np.exp(k.log_mass)
    assert mass[0] < mass[2] and mass[1] < mass[2]
    # the estimate against the exact product of normal masses where the kernel is diagonal
    from scipy.stats import norm

    sd = np.sqrt(np.diag(k.chol @ k.chol.T))
    d = k.chol @ k.chol.T
    if abs(d[0, 1]) < 1e-12 * np.sqrt(d[0, 0] * d[1, 1]):
        exact = np.prod(norm.cdf((high - centres) / sd) - norm.cdf((low - centres) / sd), axis=1)
        assert mass == pytest.approx(exact, abs=0.03)


def test_a_population_smaller_than_the_parameters_still_moves():
    """Six particles, ten parameters: a singular covariance gets a ridge, not an error."""
    priors = [Prior(f"p{i}", 0.0, 1.0) for i in range(10)]

    def sim(theta, seed):
        return np.array([theta["p0"] + np.random.default_rng(seed).normal(0, 0.05)])

    post = abc_smc(sim, priors, [0.5], population=6, generations=2, rng=np.random.default_rng(0))
    assert post.samples.shape == (6, 10) and np.isfinite(post.weights).all()
