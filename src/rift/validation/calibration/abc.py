"""Approximate Bayesian computation for a stochastic simulator (numpy/scipy only).

``abc_smc`` is ABC population Monte Carlo (Beaumont et al. 2009; Toni et al. 2009): a population
of parameter particles is moved through generations of decreasing tolerance, each proposal a
weighted particle perturbed by a Gaussian kernel with twice the weighted covariance of the
previous population, truncated to the prior's support (proposals outside are redrawn before any
simulation, and each kernel's mass inside the support enters the weights).
``regression_adjust`` is the local-linear regression adjustment of Beaumont et al. (2002) for
the output of rejection ABC.

Reproducibility: every random number comes from the ``numpy.random.Generator`` passed in; it
draws the proposals and one integer per simulation that seeds a ``numpy.random.SeedSequence``.
Simulations run in batches through ``map_fn``, after the batch's proposals and seeds are drawn,
and their results are used in proposal order, so serial and parallel runs agree bit for bit.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.linalg import solve_triangular
from scipy.special import logsumexp

from rift.calibration import Posterior

Simulator = Callable[[dict[str, float], np.random.SeedSequence], ArrayLike]
Distance = Callable[[np.ndarray, np.ndarray], float]


@dataclass(frozen=True)
class Prior:
    """An independent prior of one parameter: uniform on [low, high], or ``dist`` truncated to it.

    Args:
        name: Parameter name (key of the ``theta`` dict passed to the simulator).
        low: Lower bound of the support.
        high: Upper bound of the support.
        dist: Optional frozen ``scipy.stats`` continuous distribution; the prior is then ``dist``
            truncated to [low, high] (sampled by inverse CDF). None for uniform.
    """

    name: str
    low: float
    high: float
    dist: Any = None

    def __post_init__(self) -> None:
        if not self.low < self.high or (self.dist is None and np.isinf(self.high - self.low)):
            raise ValueError(f"prior {self.name!r}: need low < high (finite if uniform)")

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws."""
        if self.dist is None:
            return rng.uniform(self.low, self.high, size)
        u = rng.uniform(self.dist.cdf(self.low), self.dist.cdf(self.high), size)
        return np.clip(self.dist.ppf(u), self.low, self.high)

    def pdf(self, x: ArrayLike) -> np.ndarray:
        """Density at ``x`` (up to the truncation constant, which cancels in ABC weights)."""
        x = np.asarray(x, dtype=float)
        inside = (x >= self.low) & (x <= self.high)
        dens = 1.0 / (self.high - self.low) if self.dist is None else self.dist.pdf(x)
        return np.where(inside, dens, 0.0)


def _call(simulate: Simulator, args: tuple[dict[str, float], np.random.SeedSequence]):
    """``map_fn`` passes one argument; partial(_call, simulate) pickles if simulate does."""
    return np.asarray(simulate(*args), dtype=float).ravel()


def _mad(x: np.ndarray) -> np.ndarray:
    mad = np.median(np.abs(x - np.median(x, axis=0)), axis=0)
    return np.where(mad > 0, mad, 1.0)


def _scaled_distance(s: np.ndarray, o: np.ndarray, scale: np.ndarray) -> float:
    return float(np.sqrt(np.sum(((s - o) / scale) ** 2)))


def _cholesky(cov: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Cholesky factor of ``cov``, with a growing ridge when it is singular.

    A population smaller than the number of parameters (or a parameter that collapsed) gives
    a singular covariance; a ridge of ``1e-10``, then 100 times more, of each variance (at
    least ``floor``) makes it positive definite while changing the kernel as little as can be.
    """
    ridge = np.maximum(np.diag(cov), floor)
    for scale in (0.0, *(10.0**k for k in range(-10, 1, 2))):
        try:
            return np.linalg.cholesky(cov + np.diag(scale * ridge + floor))
        except np.linalg.LinAlgError:
            continue
    return np.diag(np.sqrt(ridge))


MASS_DRAWS = 4096
"""Common kernel draws that estimate the share of each particle's kernel inside the support."""


class _Kernel:
    """The perturbation kernel: twice the weighted population covariance, truncated to the box.

    A Gaussian about each particle, truncated to the prior's support. Why this form: the full
    covariance follows the posterior's ridges (growth rates and replanting trade off on the
    coca record), so proposals are accepted more often than with a kernel per parameter (0.15
    against 0.11 in the fourth generation of the 2021 calibration); proposing in the
    parameters' own space keeps a flat prior flat, so the weights vary only through the kernel
    mixture (in a logit space the prior's density varies, and over twenty weakly identified
    parameters that collapsed the effective sample to about one). Proposals outside the
    support are redrawn (no simulation is spent on them), and each truncated kernel's mass
    inside the support enters the weights, estimated from ``MASS_DRAWS`` draws common to all
    particles, so particles near a bound are not over-weighted.
    """

    def __init__(
        self,
        centres: np.ndarray,
        weights: np.ndarray,
        low: np.ndarray,
        high: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        d = centres.shape[1]
        cov = 2.0 * np.atleast_2d(np.cov(centres.T, aweights=weights, ddof=0))
        span = np.where(np.isfinite(high - low), high - low, np.abs(centres).max(axis=0) + 1.0)
        self.chol = _cholesky(cov, (1e-9 * span) ** 2)
        self.centres, self.weights, self.low, self.high = centres, weights, low, high
        noise = rng.standard_normal((MASS_DRAWS, d)) @ self.chol.T
        inside = np.array([self._inside(c + noise).mean() for c in centres])
        self.log_mass = np.log(np.maximum(inside, 0.5 / MASS_DRAWS))

    def _inside(self, x: np.ndarray) -> np.ndarray:
        return np.all((x >= self.low) & (x <= self.high), axis=1)

    def propose(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` proposals: a centre drawn by weight plus kernel noise, redrawn outside."""
        out = [np.empty((0, self.centres.shape[1]))]
        have = 0
        for _ in range(100_000):
            idx = rng.choice(len(self.weights), size=n, p=self.weights)
            prop = self.centres[idx] + rng.standard_normal((n, self.centres.shape[1])) @ self.chol.T
            prop = prop[self._inside(prop)][: n - have]
            out.append(prop)
            have += len(prop)
            if have == n:
                return np.concatenate(out)
        raise RuntimeError("ABC-SMC: the kernel proposes almost nothing inside the prior")

    def log_density(self, x: np.ndarray) -> np.ndarray:
        """Log density (without the Gaussian constant) of the weighted mixture at each row."""
        diff = (x[:, None, :] - self.centres[None, :, :]).reshape(-1, x.shape[1])
        z = solve_triangular(self.chol, diff.T, lower=True)
        log_k = -0.5 * np.sum(z**2, axis=0).reshape(len(x), len(self.centres))
        return logsumexp(log_k - self.log_mass[None, :], b=self.weights, axis=1)


def abc_smc(
    simulate: Simulator,
    priors: Sequence[Prior],
    observed: ArrayLike,
    distance: Distance | None = None,
    *,
    population: int = 200,
    generations: int = 4,
    quantile: float = 0.5,
    rng: np.random.Generator,
    scale: ArrayLike | None = None,
    map_fn: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] = map,
    max_simulations: int | None = None,
    batch_size: int | None = None,
) -> Posterior:
    """ABC-SMC (population Monte Carlo) posterior of a stochastic simulator's parameters.

    Generation 0 simulates ``population`` draws from the prior (draws whose summaries are not
    all finite are replaced). Each of the ``generations`` SMC generations then sets its
    tolerance to the ``quantile`` of the previous population's distances and proposes particles
    until ``population`` simulations fall within it: a particle drawn by weight, perturbed with
    a Gaussian kernel with twice the weighted population covariance (Beaumont et al. 2009),
    truncated to the prior's support (:class:`_Kernel`). Accepted particles get weights
    ``prior(theta) / sum_j w_j K(theta | theta_j) / m_j``, normalised, with ``m_j`` the mass of
    particle j's kernel inside the support.

    Args:
        simulate: ``simulate(theta, seed) -> summaries`` with ``theta`` a dict of parameter
            values and ``seed`` a ``numpy.random.SeedSequence``; must be deterministic given
            both (and picklable if ``map_fn`` uses processes).
        priors: One independent prior per parameter.
        observed: The observed summary statistics (1-D).
        distance: ``distance(simulated, observed) -> float``. Default: the Euclidean distance
            of the summaries divided elementwise by ``scale``.
        population: Particles per generation.
        generations: Number of SMC generations after the prior one (0 returns the prior sample).
        quantile: Quantile of the previous distances that sets each tolerance, in (0, 1).
        rng: Source of all randomness.
        scale: Per-summary scale of the default distance. Default: the median absolute
            deviation of each summary over the generation-0 (prior predictive) simulations,
            computed once and fixed for all generations (1 where it is zero), so that the
            tolerances of successive generations are comparable. Not used with ``distance``.
        map_fn: ``map``-like ``map_fn(fn, list_of_args)`` returning results in argument order,
            e.g. ``concurrent.futures.Executor.map``.
        max_simulations: Cap on the simulations of one generation (default ``100 * population``);
            when reached, the generation is discarded with a warning and the last complete
            population is returned (``truncated=True``).
        batch_size: Simulations per ``map_fn`` call (default ``population``).

    Returns:
        The final population as a ``Posterior``.
    """
    names = [p.name for p in priors]
    obs = np.asarray(observed, dtype=float).ravel()
    if len(set(names)) != len(names) or not names:
        raise ValueError("priors need distinct names")
    if population < 2 or generations < 0 or not 0.0 < quantile < 1.0:
        raise ValueError("need population >= 2, generations >= 0 and 0 < quantile < 1")
    if distance is not None and scale is not None:
        raise ValueError("scale applies to the default distance only")
    cap, batch = max_simulations or 100 * population, batch_size or population
    call = partial(_call, simulate)

    def run(propose: Callable[[int], np.ndarray], accept: Callable[[np.ndarray], np.ndarray]):
        """Simulate batches until ``population`` are accepted (or the cap): theta, sims, n, rate."""
        thetas, summaries, done, hits = [], [], 0, 0
        while hits < population and done < cap:
            theta = propose(min(batch, cap - done))  # proposals and seeds before simulating
            seeds = rng.integers(0, 2**63, size=len(theta), dtype=np.uint64)
            args = [
                (dict(zip(names, map(float, t), strict=True)), np.random.SeedSequence(int(s)))
                for t, s in zip(theta, seeds, strict=True)
            ]
            sims = np.array(list(map_fn(call, args)), dtype=float).reshape(len(theta), -1)
            ok = accept(sims)
            thetas.append(theta[ok])
            summaries.append(sims[ok])
            done, hits = done + len(theta), hits + int(ok.sum())
        if hits < population:
            return None, None, done, hits / done
        keep = slice(0, population)  # the first accepted, in proposal order
        return np.concatenate(thetas)[keep], np.concatenate(summaries)[keep], done, hits / done

    def from_prior(n: int) -> np.ndarray:
        return np.column_stack([p.sample(rng, n) for p in priors])

    theta, sims, n_sims, _ = run(from_prior, lambda s: np.all(np.isfinite(s), axis=1))
    if theta is None:
        raise RuntimeError("max_simulations reached before a prior sample with finite summaries")
    if distance is None:
        fixed = _mad(sims) if scale is None else np.broadcast_to(scale, obs.shape).astype(float)
        scale, distance = [float(v) for v in fixed], partial(_scaled_distance, scale=fixed)

    def distances(s: np.ndarray) -> np.ndarray:
        return np.array([distance(row, obs) for row in s], dtype=float)

    uniform = np.full(population, 1.0 / population)
    post = Posterior(names, theta, uniform, distances(sims), simulations=n_sims, scale=scale)
    low = np.array([p.low for p in priors], dtype=float)
    high = np.array([p.high for p in priors], dtype=float)
    for _ in range(generations):
        eps = float(np.quantile(post.distances, quantile))
        kernel = _Kernel(post.samples, post.weights, low, high, rng)

        def propose(n: int, kernel=kernel) -> np.ndarray:
            return kernel.propose(rng, n)

        theta, sims, n, rate = run(propose, lambda s, eps=eps: distances(s) <= eps)
        n_sims += n
        if theta is None:
            msg = f"ABC-SMC stopped: tolerance {eps:.4g} not reached in {cap} simulations"
            warnings.warn(msg + "; returning the last complete population", RuntimeWarning, 2)
            post.truncated, post.simulations = True, n_sims
            return post
        with np.errstate(divide="ignore"):  # a zero density (dist's support) gets weight 0
            log_prior = sum(np.log(p.pdf(theta[:, j])) for j, p in enumerate(priors))
        log_q = kernel.log_density(theta)
        w = np.exp(log_prior - log_q - np.max(log_prior - log_q))
        epsilons, acceptance = [*post.epsilons, eps], [*post.acceptance, rate]
        post = Posterior(
            names, theta, w / w.sum(), distances(sims), epsilons, n_sims, acceptance, scale
        )
    return post


def regression_adjust(
    samples: ArrayLike,
    summaries: ArrayLike,
    observed: ArrayLike,
    bandwidth: float | None = None,
    scale: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Local-linear regression adjustment of rejection-ABC samples (Beaumont et al. 2002).

    Fits ``theta = a + (s - s_obs) b`` by least squares weighted with the Epanechnikov kernel
    ``1 - (d / bandwidth)**2`` of the scaled Euclidean distance ``d`` of each summary to the
    observed one, and returns ``theta - (s - s_obs) b``, the samples moved to ``s = s_obs``.

    Args:
        samples: Accepted parameters, (n, d) (or (n,) for one parameter).
        summaries: Their simulated summaries, (n, k) (or (n,)).
        observed: The observed summaries, (k,).
        bandwidth: Kernel bandwidth; default the largest distance (that sample gets weight 0).
        scale: Per-summary scale of the distance; default the summaries' MAD.

    Returns:
        ``(adjusted, weights)``: adjusted samples, same shape as ``samples``, and the kernel
        weights, normalised to sum to 1, with which to weight them.
    """
    theta = np.asarray(samples, dtype=float)
    x = np.asarray(summaries, dtype=float).reshape(len(theta), -1)
    dx = x - np.asarray(observed, dtype=float).ravel()
    dist = np.sqrt(np.sum((dx / (_mad(x) if scale is None else scale)) ** 2, axis=1))
    h = float(dist.max()) if bandwidth is None else float(bandwidth)
    w = np.clip(1.0 - (dist / h) ** 2, 0.0, None) if h > 0 else np.ones(len(dist))
    if w.sum() <= 0:
        raise ValueError("no sample within the bandwidth")
    design = np.column_stack([np.ones(len(dx)), dx]) * np.sqrt(w)[:, None]
    target = theta.reshape(len(theta), -1) * np.sqrt(w)[:, None]
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    adjusted = theta.reshape(len(theta), -1) - dx @ coef[1:]
    return adjusted.reshape(theta.shape), w / w.sum()
