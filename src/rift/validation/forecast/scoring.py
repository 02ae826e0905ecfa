"""Forecast scores of an ensemble of simulated values against one observed value.

The ensemble is the set of Monte Carlo samples of one outcome (one target at one date); the
scores treat it as an empirical distribution with equal weight on every sample:

* ``crps_ensemble``: continuous ranked probability score (lower is better, in the target's unit);
* ``pit``: probability integral transform (uniform over many targets if calibrated);
* ``interval_hit``: whether the observation falls inside a central prediction interval.

``naive_trend_forecast`` and ``naive_growth_forecast`` give the point forecasts of two naive
benchmarks (the recent linear trend; the last year-on-year growth), and ``score_table`` /
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


def _sorted_record(years: ArrayLike, values: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """A record's times and values as float arrays in time order (stable), checked."""
    t = np.asarray(years, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if t.shape != v.shape or t.size == 0:
        raise ValueError("years and values must be non-empty and of the same length")
    order = np.argsort(t, kind="stable")
    return t[order], v[order]


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
    t, v = _sorted_record(years, values)
    if n_years < 1:
        raise ValueError(f"n_years must be >= 1, got {n_years}")
    t, v = t[-n_years:], v[-n_years:]
    slope = 0.0
    if np.ptp(t) > 0:
        dt = t - t.mean()
        slope = float(np.dot(dt, v - v.mean()) / np.dot(dt, dt))
    forecast = float(v[-1] + slope * (float(target_year) - t[-1]))
    return forecast if floor is None else max(forecast, float(floor))


def naive_growth_forecast(
    years: ArrayLike, values: ArrayLike, target_year: float, floor: float | None = 0.0
) -> float:
    """A second naive benchmark: the last year-on-year growth carried forward (trend persistence).

    The growth per year between the last two observations, ``(v_n / v_{n-1}) ** (1 / (t_n -
    t_{n-1}))``, compounds from the last observation: ``v_n * growth ** (target_year - t_n)``.
    With one observation, or a last-but-one value of zero or less, it is persistence. Strong
    where a series grows steadily (coca 2021-2023), weak at turning points.

    Args:
        years: Years of the observations; need not be sorted.
        values: Observed values, same length as ``years``.
        target_year: The time to forecast.
        floor: Lower bound of the forecast; None for no bound.

    Returns:
        The point forecast.
    """
    t, v = _sorted_record(years, values)
    forecast = float(v[-1])
    if t.size >= 2 and v[-2] > 0 and v[-1] > 0 and t[-1] > t[-2]:
        growth = (v[-1] / v[-2]) ** (1.0 / (t[-1] - t[-2]))
        forecast = float(v[-1] * growth ** (float(target_year) - t[-1]))
    return forecast if floor is None else max(forecast, float(floor))


def score_table(
    rows: Iterable[Mapping[str, Any]], rng: np.random.Generator | None = None
) -> pd.DataFrame:
    """Score many ensembles, one per (target, date).

    Args:
        rows: Dicts with keys ``target``, ``date``, ``observed``, ``samples`` (array) and
            optionally ``naive`` and ``growth`` (point forecasts of the two naive benchmarks,
            the trend and the last growth carried forward) and ``sample`` (``"in"`` when the
            calibration saw the figure, ``"out"`` otherwise). Non-finite samples (failed runs)
            are dropped; ``n`` records how many remain.
        rng: Generator for the PIT tie-breaking (see ``pit``); None for the mid-point.

    Returns:
        One row per input row with ``target``, ``date``, ``n``, ``observed``, ``median``, ``p5``,
        ``p25``, ``p75``, ``p95``, ``pit``, ``in50``, ``in90``, ``crps``, ``naive`` and
        ``crps_naive`` (the absolute error of the point forecast, NaN without one), and
        ``growth``, ``crps_growth`` and ``sample`` when the rows have them.

    Raises:
        ValueError: If a row has no finite sample or a non-finite observation.
    """
    out = []
    extra: list[str] = []
    for row in rows:
        x = np.asarray(row["samples"], dtype=float).ravel()
        x = x[np.isfinite(x)]
        y = _observed(row["observed"])
        naive = row.get("naive")
        naive = float("nan") if naive is None else float(naive)
        q = np.quantile(_samples(x), list(QUANTILES.values()))
        scored = {
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
        if "growth" in row:
            growth = float("nan") if row["growth"] is None else float(row["growth"])
            scored.update(growth=growth, crps_growth=abs(growth - y))
        if "sample" in row:
            scored["sample"] = str(row["sample"])
        extra += [k for k in ("growth", "crps_growth", "sample") if k in scored and k not in extra]
        out.append(scored)
    columns = ["target", "date", "n", "observed", "median", "p5", "p25", "p75", "p95"]
    columns += ["pit", "in50", "in90", "crps", "naive", "crps_naive", *extra]
    return pd.DataFrame(out, columns=columns)


def _mean(values: pd.Series) -> float:
    values = values.dropna()
    return float(values.mean()) if len(values) else float("nan")


def summarise_scores(table: pd.DataFrame) -> dict[str, float]:
    """Summary of a ``score_table``.

    Targets have very different scales, so besides the plain means the summary has scale-free
    figures: the CRPS relative to the observed value, and the skill against each naive
    forecast, ``1 - mean(CRPS / |observed|) / mean(|naive - observed| / |observed|)`` over the
    targets that have both (a CRPS skill score on relative errors: > 0 is better than the
    naive forecast, 1 is perfect). The point forecast's CRPS is its absolute error.

    Args:
        table: The output of ``score_table``.

    Returns:
        A dict with ``n`` (number of rows), ``in50`` and ``in90`` (share of observations inside
        the central 50 % and 90 % intervals; nominally 0.5 and 0.9), ``crps`` and ``crps_naive``
        (mean CRPS of the ensemble and of the naive trend forecast, over rows that have one),
        ``crps_rel`` and ``crps_naive_rel`` (mean of ``crps / |observed|`` over rows with a
        non-zero observation), ``skill`` (against the naive trend) and ``n_skill`` (the rows
        it is computed on); with a ``growth`` column also ``crps_growth_rel`` and
        ``skill_growth`` (against the last growth carried forward). Means over no rows are NaN.
    """
    obs = table["observed"].abs()
    nonzero = obs > 0
    rel = table["crps"] / obs.where(nonzero)

    def skill(column: str) -> tuple[float, int]:
        naive_rel = table[column] / obs.where(nonzero)
        both = rel.notna() & naive_rel.notna()
        if not both.any() or naive_rel[both].mean() <= 0:
            return float("nan"), int(both.sum())
        return float(1.0 - rel[both].mean() / naive_rel[both].mean()), int(both.sum())

    out = {
        "n": len(table),
        "in50": _mean(table["in50"].astype(float)),
        "in90": _mean(table["in90"].astype(float)),
        "crps": _mean(table["crps"]),
        "crps_naive": _mean(table["crps_naive"]),
        "crps_rel": _mean(table.loc[nonzero, "crps"] / obs[nonzero]),
        "crps_naive_rel": _mean(table.loc[nonzero, "crps_naive"] / obs[nonzero]),
    }
    out["skill"], out["n_skill"] = skill("crps_naive")
    if "crps_growth" in table:
        out["crps_growth_rel"] = _mean(table.loc[nonzero, "crps_growth"] / obs[nonzero])
        out["skill_growth"], _ = skill("crps_growth")
    return out
