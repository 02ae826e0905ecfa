"""Forecast scores of an ensemble of simulated values against one observed value.

The ensemble is the set of Monte Carlo samples of one outcome (one target at one date); the
scores treat it as an empirical distribution with equal weight on every sample:

* ``crps_ensemble``: continuous ranked probability score (lower is better, in the target's unit);
* ``pit``: probability integral transform (uniform over many targets if calibrated);
* ``interval_hit``: whether the observation falls inside a central prediction interval.

``naive_trend_forecast`` gives the point forecast of a naive benchmark, and ``score_table`` /
``summarise_scores`` collect the scores of many targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

#: Quantiles reported by ``score_table`` (column name -> probability).
QUANTILES: dict[str, float] = {"p5": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95}


def _samples(samples: ArrayLike) -> np.ndarray:
    x = np.asarray(samples, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("at least one sample is needed")
    if not np.all(np.isfinite(x)):
        raise ValueError("samples must be finite")
    return x


def _observed(observed: float) -> float:
    y = float(observed)
    if not np.isfinite(y):
        raise ValueError(f"observed value must be finite, got {observed!r}")
    return y


def crps_ensemble(samples: ArrayLike, observed: float) -> float:
    """The CRPS of the empirical distribution of ``samples`` at ``observed``.

    Exact for the empirical distribution: ``E|X - y| - E|X - X'| / 2`` with ``X, X'`` independent
    draws from the samples (the "V-statistic" form, which counts the pairs ``i = j``). The second
    term is computed in O(n log n) from the sorted samples ``x_1 <= ... <= x_n`` as
    ``sum_i (2i - n - 1) x_i / n**2``. For a single sample the CRPS is the absolute error.

    Args:
        samples: The ensemble (any shape; flattened). Must be finite and non-empty.
        observed: The observed value.

    Returns:
        The score, in the unit of the samples (non-negative; 0 only for a perfect point forecast).

    Raises:
        ValueError: If there are no samples or a value is not finite.
    """
    x = np.sort(_samples(samples))
    y = _observed(observed)
    n = x.size
    abs_error = float(np.abs(x - y).mean())
    half_spread = float(np.dot(2.0 * np.arange(1, n + 1) - n - 1, x)) / n**2
    return max(abs_error - half_spread, 0.0)


def pit(samples: ArrayLike, observed: float, rng: np.random.Generator | None = None) -> float:
    """Probability integral transform of ``observed`` under the ensemble, randomised for ties.

    ``P(X < y) + U * P(X = y)`` with ``U`` uniform on [0, 1] drawn from ``rng``, or ``U = 0.5``
    (the deterministic mid-point) when ``rng`` is None. Randomisation keeps the PIT of a
    calibrated forecast of a discrete quantity (counts) uniform.

    Args:
        samples: The ensemble (flattened; finite, non-empty).
        observed: The observed value.
        rng: Generator for the tie-breaking uniform; None for the mid-point.

    Returns:
        A value in [0, 1].
    """
    x = _samples(samples)
    y = _observed(observed)
    below = np.count_nonzero(x < y) / x.size
    tied = np.count_nonzero(x == y) / x.size
    u = 0.5 if rng is None else float(rng.uniform())
    return float(min(max(below + u * tied, 0.0), 1.0))


def interval_hit(samples: ArrayLike, observed: float, level: float) -> bool:
    """Whether ``observed`` lies in the central ``level`` interval of the ensemble (inclusive).

    The interval runs from the ``(1 - level) / 2`` to the ``(1 + level) / 2`` quantile of the
    samples (``numpy.quantile`` default, linear interpolation).

    Args:
        samples: The ensemble (flattened; finite, non-empty).
        observed: The observed value.
        level: Coverage of the interval, in (0, 1), e.g. 0.9.

    Returns:
        True if ``low <= observed <= high``.
    """
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    low, high = np.quantile(_samples(samples), [(1.0 - level) / 2.0, (1.0 + level) / 2.0])
    return bool(low <= _observed(observed) <= high)


def naive_trend_forecast(
    years: ArrayLike,
    values: ArrayLike,
    target_year: float,
    n_years: int = 5,
    floor: float | None = 0.0,
) -> float:
    """A naive benchmark: the last value carried forward along its recent linear trend.

    The slope is the least-squares slope of ``values`` on ``years`` over the last ``n_years``
    observations (by year); the forecast is ``last_value + slope * (target_year - last_year)``,
    i.e. the line through the last observation, not the fitted line's value. With a single
    observation in the window (or all of them in the same year) it is persistence.

    Args:
        years: Years (or any time coordinate) of the observations; need not be sorted.
        values: Observed values, same length as ``years``.
        target_year: The time to forecast.
        n_years: How many of the latest observations fit the trend (>= 1).
        floor: Lower bound of the forecast (0 for non-negative quantities); None for no bound.

    Returns:
        The point forecast.
    """
    t = np.asarray(years, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if t.shape != v.shape or t.size == 0:
        raise ValueError("years and values must be non-empty and of the same length")
    if n_years < 1:
        raise ValueError(f"n_years must be >= 1, got {n_years}")
    order = np.argsort(t, kind="stable")
    t, v = t[order][-n_years:], v[order][-n_years:]
    slope = 0.0
    if np.ptp(t) > 0:
        dt = t - t.mean()
        slope = float(np.dot(dt, v - v.mean()) / np.dot(dt, dt))
    forecast = float(v[-1] + slope * (float(target_year) - t[-1]))
    return forecast if floor is None else max(forecast, float(floor))


def score_table(
    rows: Iterable[Mapping[str, Any]], rng: np.random.Generator | None = None
) -> pd.DataFrame:
    """Score many ensembles, one per (target, date).

    Args:
        rows: Dicts with keys ``target``, ``date``, ``observed``, ``samples`` (array) and
            optionally ``naive`` (a point forecast of a benchmark). Non-finite samples (failed
            runs) are dropped; ``n`` records how many remain.
        rng: Generator for the PIT tie-breaking (see ``pit``); None for the mid-point.

    Returns:
        One row per input row with ``target``, ``date``, ``n``, ``observed``, ``median``, ``p5``,
        ``p25``, ``p75``, ``p95``, ``pit``, ``in50``, ``in90``, ``crps``, ``naive`` and
        ``crps_naive`` (the absolute error of the point forecast, NaN without one).

    Raises:
        ValueError: If a row has no finite sample or a non-finite observation.
    """
    out = []
    for row in rows:
        x = np.asarray(row["samples"], dtype=float).ravel()
        x = x[np.isfinite(x)]
        y = _observed(row["observed"])
        naive = row.get("naive")
        naive = float("nan") if naive is None else float(naive)
        q = np.quantile(_samples(x), list(QUANTILES.values()))
        out.append(
            {
                "target": row["target"],
                "date": row["date"],
                "n": x.size,
                "observed": y,
                **{name: float(v) for name, v in zip(QUANTILES, q, strict=True)},
                "pit": pit(x, y, rng),
                "in50": interval_hit(x, y, 0.5),
                "in90": interval_hit(x, y, 0.9),
                "crps": crps_ensemble(x, y),
                "naive": naive,
                "crps_naive": abs(naive - y),
            }
        )
    columns = ["target", "date", "n", "observed", "median", "p5", "p25", "p75", "p95"]
    columns += ["pit", "in50", "in90", "crps", "naive", "crps_naive"]
    return pd.DataFrame(out, columns=columns)


def _mean(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.mean()) if len(values) else float("nan")


def summarise_scores(table: pd.DataFrame) -> dict[str, float]:
    """Summary of a ``score_table``.

    Targets have very different scales, so besides the plain means the summary has scale-free
    figures: the CRPS relative to the observed value and the skill against the naive forecast.

    Args:
        table: The output of ``score_table``.

    Returns:
        A dict with ``n`` (number of rows), ``in50`` and ``in90`` (share of observations inside
        the central 50 % and 90 % intervals; nominally 0.5 and 0.9), ``crps`` and ``crps_naive``
        (mean CRPS of the ensemble and of the naive forecast, over rows that have one),
        ``crps_rel`` and ``crps_naive_rel`` (mean of ``crps / |observed|`` over rows with a
        non-zero observation), ``skill`` (mean of ``1 - crps / crps_naive`` over rows where
        ``crps_naive`` is positive; > 0 means better than the naive forecast) and ``n_skill``
        (the number of those rows). Means over no rows are NaN.
    """
    obs = table["observed"].abs()
    nonzero = obs > 0
    has_naive = table["crps_naive"] > 0
    skill = 1.0 - table.loc[has_naive, "crps"] / table.loc[has_naive, "crps_naive"]
    return {
        "n": len(table),
        "in50": _mean(table["in50"].astype(float)),
        "in90": _mean(table["in90"].astype(float)),
        "crps": _mean(table["crps"]),
        "crps_naive": _mean(table["crps_naive"]),
        "crps_rel": _mean(table.loc[nonzero, "crps"] / obs[nonzero]),
        "crps_naive_rel": _mean(table.loc[nonzero, "crps_naive"] / obs[nonzero]),
        "skill": _mean(skill),
        "n_skill": int(has_naive.sum()),
    }
