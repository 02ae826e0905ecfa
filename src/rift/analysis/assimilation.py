"""Data assimilation: condition a stored batch on figures observed after its calibration.

A scenario's ``observations`` (outcome, month, value, sd, source) do not change what any run
does. After the batch, each run is weighted by the likelihood of all the observations,
``prod_i N(value_i | simulated_i, s_i)`` (independent Gaussian errors) with
``s_i = sqrt(sd_i**2 + (e * value_i)**2)``: the figure's own uncertainty and the model's
error ``e``, relative. A run never reproduces the world exactly even with the right
parameters; ``e`` is the error the calibration accepted (its final ABC tolerance, an RMS
relative error over the figures it fitted), so calibration and assimilation ask the same of a
run (0 for a batch that does not sample a calibration). The runs are
resampled in proportion to their weights (sequential importance resampling, one step;
systematic resampling, from a stream of the scenario's seed). The resampled ensemble is the
forecast conditioned on the observations: what the runs that reproduced them do afterwards.

The effective sample size ``ESS = 1 / sum(w**2)`` says how many runs the conditioned forecast
really rests on. When it collapses (below :data:`COLLAPSE_SHARE` of the runs or
:data:`COLLAPSE_MIN` runs) the observations lie far from most runs: the conditioned
forecast is then a few runs repeated, and the warning says so (more runs, or a larger ``sd``
if the figure is less certain than stated).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rift.results import Results, series_array

#: Spawn key of the resampling stream under the scenario's root seed.
ASSIMILATION_KEY: tuple[int, int] = (2**32 - 1, 4)
#: The ESS below this share of the runs counts as collapsed.
COLLAPSE_SHARE = 0.05
#: ... or below this many runs.
COLLAPSE_MIN = 20


@dataclass(frozen=True)
class Observation:
    """An observed figure: ``value`` of ``outcome`` in ``month``, one sd, and its source."""

    outcome: str
    month: str
    value: float
    sd: float
    source: str = ""

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Observation:
        """From a scenario's (or manifest's) observation mapping."""
        return cls(
            str(spec["outcome"]),
            str(spec["month"]),
            float(spec["value"]),
            float(spec["sd"]),
            str(spec.get("source", "")),
        )


@dataclass
class Assimilation:
    """The runs of a batch weighted by the observations, and their resampled ensemble.

    Attributes:
        runs: Run numbers of the successful runs, in the order of the weights.
        loglik: Log-likelihood of the observations under each run.
        weights: Normalised weights (sum to 1).
        indices: Positions (into ``runs``) of the resampled ensemble, as many as runs.
        observations: The observations assimilated.
        table: Each observation with the ensemble's median and 5-95 % before and after.
        model_error: The model's relative error added to each observation's sd.
    """

    runs: np.ndarray
    loglik: np.ndarray
    weights: np.ndarray
    indices: np.ndarray
    observations: list[Observation]
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    model_error: float = 0.0

    @property
    def ess(self) -> float:
        """Effective sample size ``1 / sum(w**2)``."""
        return float(1.0 / np.sum(self.weights**2)) if len(self.weights) else 0.0

    @property
    def collapsed(self) -> bool:
        """Whether the ESS is too small for the conditioned forecast to mean much."""
        n = len(self.weights)
        if not n:
            return True
        # a batch smaller than COLLAPSE_MIN is small, not collapsed: there the weights have
        # collapsed when they rest on fewer than half of its runs
        return self.ess < min(max(COLLAPSE_MIN, COLLAPSE_SHARE * n), 0.5 * n)

    def message(self) -> str:
        """One line for the terminal: how many observations, the ESS, and any warning."""
        n = len(self.weights)
        text = (
            f"assimilated {len(self.observations)} observation(s) (model error "
            f"{self.model_error:.0%} of each value added to its sd): effective sample size "
            f"{self.ess:.0f} of {n} runs ({self.ess / max(n, 1):.0%})"
        )
        if n < COLLAPSE_MIN and not self.collapsed:
            text += (
                f"\nnote: a batch of {n} runs is too small for the conditioned forecast to "
                f"mean much; use {COLLAPSE_MIN} runs or more."
            )
        if self.collapsed:
            text += (
                "\nwarning: the weights collapsed: the conditioned forecast rests on a few "
                "runs. Add runs, or check the observations and their sd."
            )
        return text

    def conditioned(self, values: np.ndarray) -> np.ndarray:
        """The resampled ensemble of per-run values (aligned with :attr:`runs`)."""
        return np.asarray(values)[self.indices]

    def copies(self) -> np.ndarray:
        """How many times each run appears in the resampled ensemble."""
        return np.bincount(self.indices, minlength=len(self.runs))


def log_likelihood(
    simulated: np.ndarray, observation: Observation, model_error: float = 0.0
) -> np.ndarray:
    """Gaussian log-density of the observation under each run's simulated value.

    The sd is the observation's, widened by the model's relative error:
    ``sqrt(sd**2 + (model_error * value)**2)``.
    """
    sd = float(np.hypot(observation.sd, model_error * observation.value))
    z = (np.asarray(simulated, float) - observation.value) / sd
    return -0.5 * z**2 - np.log(sd * np.sqrt(2.0 * np.pi))


def model_error_of(results: Results) -> float:
    """The relative model error of a batch: its calibration's final ABC tolerance, or 0.

    The calibration's distance is the RMS over the figures of ``log((sim + 1) / (obs + 1))``,
    and its last tolerance the largest it accepted: about the relative error of a run on one
    figure. A batch that samples no calibration has no such estimate (0).
    """
    sampling = results.manifest["scenario"].get("sampling") or {}
    if not sampling.get("calibrated", False):
        return 0.0
    from rift.calibration import calibration_error

    return calibration_error(sampling.get("calibrated_through"))


def systematic_resample(weights: np.ndarray, u: float) -> np.ndarray:
    """Indices of a systematic resample: ``n`` evenly spaced points ``(k + u) / n`` of the CDF.

    Each index ``j`` appears ``floor(n w_j)`` or ``ceil(n w_j)`` times: the least noise any
    unbiased resampling adds.
    """
    w = np.asarray(weights, float)
    n = len(w)
    cdf = np.cumsum(w / w.sum())
    points = (np.arange(n) + u) / n
    return np.minimum(np.searchsorted(cdf, points, side="right"), n - 1)


def observations_of(results: Results) -> list[Observation]:
    """The observations stored with a batch's scenario."""
    return [Observation.from_spec(o) for o in results.manifest["scenario"].get("observations", [])]


def assimilate(
    results: Results,
    observations: Sequence[Observation] | None = None,
    seed: int | None = None,
    model_error: float | None = None,
) -> Assimilation:
    """Weight and resample a batch's runs by the likelihood of observations.

    Args:
        results: A stored batch.
        observations: What to condition on (default: the scenario's ``observations``).
        seed: Root seed of the resampling stream (default: the scenario's seed).
        model_error: The model's relative error added to each observation's sd (default:
            :func:`model_error_of` the batch).

    Returns:
        The :class:`Assimilation`.

    Raises:
        ValueError: An observation's month is outside the batch or its outcome unknown.
    """
    obs = list(observations_of(results) if observations is None else observations)
    error = model_error_of(results) if model_error is None else float(model_error)
    months = results.manifest["months"]
    runs: np.ndarray | None = None
    loglik = None
    columns = []
    for ob in obs:
        if ob.month not in months:
            raise ValueError(f"observation of {ob.outcome} in {ob.month}: outside the batch")
        values, run_idx, _ = series_array(results, ob.outcome)
        sim = values[:, months.index(ob.month)]
        if runs is None:
            runs, loglik = run_idx, np.zeros(len(run_idx))
        loglik = loglik + log_likelihood(sim, ob, error)
        columns.append(sim)
    if runs is None:
        runs = np.sort(results.ok_runs["run"].to_numpy())
        loglik = np.zeros(len(runs))
    shifted = loglik - (np.max(loglik) if len(loglik) else 0.0)
    w = np.exp(shifted)
    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1.0 / max(len(w), 1))
    root = int(results.manifest["scenario"]["seed"]) if seed is None else int(seed)
    stream = np.random.default_rng(np.random.SeedSequence(root, spawn_key=ASSIMILATION_KEY))
    indices = systematic_resample(w, float(stream.uniform())) if len(w) else np.array([], int)
    rows = []
    for ob, sim in zip(obs, columns, strict=True):
        before = np.quantile(sim, [0.05, 0.5, 0.95])
        after = np.quantile(sim[indices], [0.05, 0.5, 0.95])
        rows.append(
            {
                "outcome": ob.outcome,
                "month": ob.month,
                "observed": ob.value,
                "sd": ob.sd,
                "median_before": before[1],
                "p5_before": before[0],
                "p95_before": before[2],
                "median_after": after[1],
                "p5_after": after[0],
                "p95_after": after[2],
                "source": ob.source,
            }
        )
    return Assimilation(runs, loglik, w, indices, obs, pd.DataFrame(rows), error)


def conditioned_series(
    results: Results, outcome: str, assimilation: Assimilation
) -> tuple[np.ndarray, list[str]]:
    """The resampled ensemble of an outcome's monthly series, shape (runs, months)."""
    values, run_idx, months = series_array(results, outcome)
    if not np.array_equal(run_idx, assimilation.runs):
        raise ValueError("the assimilation was made from another set of runs")
    return values[assimilation.indices], months


def horizon_comparison(
    results: Results, assimilation: Assimilation, outcomes: Sequence[str]
) -> pd.DataFrame:
    """Median and 5-95 % of outcomes at the horizon, before and after the observations."""
    rows = []
    last = results.manifest["months"][-1]
    for name in outcomes:
        values, months = conditioned_series(results, name, assimilation)
        raw, _, _ = series_array(results, name)
        col = months.index(last)
        b = np.quantile(raw[:, col], [0.05, 0.5, 0.95])
        a = np.quantile(values[:, col], [0.05, 0.5, 0.95])
        rows.append(
            {
                "outcome": name,
                "month": last,
                "median_before": b[1],
                "p5_before": b[0],
                "p95_before": b[2],
                "median_after": a[1],
                "p5_after": a[0],
                "p95_after": a[2],
            }
        )
    return pd.DataFrame(rows)


def assimilation_frame(assimilation: Assimilation) -> pd.DataFrame:
    """Per run: its log-likelihood, weight and copies in the resampled ensemble."""
    return pd.DataFrame(
        {
            "run": assimilation.runs.astype(np.int64),
            "loglik": assimilation.loglik,
            "weight": assimilation.weights,
            "copies": assimilation.copies(),
        }
    )


__all__ = [
    "Assimilation",
    "Observation",
    "assimilate",
    "assimilation_frame",
    "conditioned_series",
    "horizon_comparison",
    "log_likelihood",
    "observations_of",
    "systematic_resample",
]
