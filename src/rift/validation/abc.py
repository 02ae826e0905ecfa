"""Approximate Bayesian computation for a stochastic simulator (numpy/scipy only).

``abc_smc`` is ABC population Monte Carlo (Beaumont et al. 2009; Toni et al. 2009): a population
of parameter particles is moved through generations of decreasing tolerance, each proposal a
weighted particle perturbed by a Gaussian kernel with twice the weighted covariance of the
previous population, in a space where each parameter's support is the whole real line (logit of
its prior range), so that no proposal falls outside the prior with many parameters.
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


class _Unbounded:
    """Each parameter mapped to the whole real line, where the kernel perturbs it.

    Bounded on both sides: ``z = logit((theta - low) / (high - low))``; on one side: the log of
    the distance to the bound; unbounded: ``z = theta``. A Gaussian kernel in ``z`` never
    proposes outside the prior's support, however many parameters there are (with a kernel
    in ``theta`` the share of proposals inside falls geometrically with the dimension), and
    the prior density in ``z`` is the prior's times the Jacobian ``|d theta / d z|``.
    """

    def __init__(self, priors: Sequence[Prior]) -> None:
        self.low = np.array([p.low for p in priors], float)
        self.high = np.array([p.high for p in priors], float)
        self.both = np.isfinite(self.low) & np.isfinite(self.high)
        self.lower = np.isfinite(self.low) & ~np.isfinite(self.high)
        self.upper = ~np.isfinite(self.low) & np.isfinite(self.high)
        self.width = np.where(self.both, self.high - self.low, 1.0)

    def to_z(self, theta: np.ndarray) -> np.ndarray:
        z = np.array(theta, dtype=float, copy=True)
        tiny = 1e-12
        u = np.clip((theta - np.where(self.both, self.low, 0.0)) / self.width, tiny, 1 - tiny)
        z = np.where(self.both, np.log(u) - np.log1p(-u), z)
        z = np.where(self.lower, np.log(np.maximum(theta - self.low, tiny)), z)
        z = np.where(self.upper, np.log(np.maximum(self.high - theta, tiny)), z)
        return z

    def from_z(self, z: np.ndarray) -> np.ndarray:
        theta = np.array(z, dtype=float, copy=True)
        with np.errstate(over="ignore"):
            sig = 1.0 / (1.0 + np.exp(-z))
            theta = np.where(self.both, self.low + self.width * sig, theta)
            theta = np.where(self.lower, self.low + np.exp(z), theta)
            theta = np.where(self.upper, self.high - np.exp(z), theta)
        # keep the support closed under rounding
        return np.clip(theta, self.low, self.high)

    def log_jacobian(self, z: np.ndarray) -> np.ndarray:
        """``sum_j log |d theta_j / d z_j|`` per row."""
        log_sig = -np.logaddexp(0.0, -z)
        log_1m = -np.logaddexp(0.0, z)
        per = np.where(self.both, np.log(self.width) + log_sig + log_1m, 0.0)
        per = np.where(self.lower | self.upper, z, per)
        return per.sum(axis=1)


def _perturb(
    rng: np.random.Generator, centres: np.ndarray, weights: np.ndarray, chol: np.ndarray, n: int
) -> np.ndarray:
    """``n`` proposals in ``z``: centres drawn by weight plus Gaussian kernel noise."""
    idx = rng.choice(len(weights), size=n, p=weights)
    return centres[idx] + rng.standard_normal((n, centres.shape[1])) @ chol.T


def _log_kernel(x: np.ndarray, centres: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """Log Gaussian kernel (without constant) of each row of x about each centre: (n, m)."""
    diff = (x[:, None, :] - centres[None, :, :]).reshape(-1, x.shape[1])
    z = solve_triangular(chol, diff.T, lower=True)
    return -0.5 * np.sum(z**2, axis=0).reshape(len(x), len(centres))


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
    a Gaussian kernel of covariance twice the weighted population covariance (Beaumont et al.
    2009), both taken in the unbounded space of :class:`_Unbounded` (so every proposal lies
    in the prior's support). Accepted particles get weights ``prior(z) / sum_j w_j K(z | z_j)``
    (the prior density in that space), normalised.

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
    space = _Unbounded(priors)
    for _ in range(generations):
        eps = float(np.quantile(post.distances, quantile))
        centres = space.to_z(post.samples)
        cov = 2.0 * np.atleast_2d(np.cov(centres.T, aweights=post.weights, ddof=0))
        chol = np.linalg.cholesky(cov + np.eye(len(names)) * 1e-12 * (np.trace(cov) or 1.0))

        def propose(n: int, centres=centres, weights=post.weights, chol=chol) -> np.ndarray:
            return space.from_z(_perturb(rng, centres, weights, chol, n))

        theta, sims, n, rate = run(propose, lambda s, eps=eps: distances(s) <= eps)
        n_sims += n
        if theta is None:
            msg = f"ABC-SMC stopped: tolerance {eps:.4g} not reached in {cap} simulations"
            warnings.warn(msg + "; returning the last complete population", RuntimeWarning, 2)
            post.truncated, post.simulations = True, n_sims
            return post
        z = space.to_z(theta)
        with np.errstate(divide="ignore"):  # a zero density (dist's support) gets weight 0
            log_prior = sum(np.log(p.pdf(theta[:, j])) for j, p in enumerate(priors))
        log_prior = log_prior + space.log_jacobian(z)
        log_q = logsumexp(_log_kernel(z, centres, chol), b=post.weights, axis=1)
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
