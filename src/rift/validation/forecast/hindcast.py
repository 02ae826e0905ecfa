"""The 2019–2024 hindcast: score a stored batch against the record, next to naive forecasts.

Two naive forecasts are the benchmarks a model has to beat to be worth its complexity: the
record's recent linear trend carried forward (``naive_trend_forecast``) and its last
year-on-year growth carried forward (``naive_growth_forecast``), both from the figures the
model could know: up to the hindcast's start for a target the calibration saw (in sample), up
to the calibration's last year for a later one (out of sample). Where the record has nothing
by then (members, control, the union of presence) both carry the 2019 initial state forward.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rift.calibration import load_calibration, measurement_sd_share
from rift.months import calendar_month, format_month, parse_month, year_of
from rift.reference import Target, history, targets
from rift.results import Results, series_array
from rift.validation.forecast.scoring import (
    naive_growth_forecast,
    naive_trend_forecast,
    score_table,
    summarise_scores,
)

NAIVE_FIRST_YEAR = 2015


def horizon_targets(results: Results) -> list[Target]:
    """The reference targets inside a stored batch's horizon."""
    months = results.manifest["months"]
    return targets(months[0], months[-1])


def target_samples(results: Results, target: Target) -> np.ndarray:
    """The model's values of a target's outcome in its month, one per successful run."""
    values, _, months = series_array(results, target.outcome)
    return values[:, months.index(format_month(target.month))]


#: Spawn key of the measurement-error stream under the batch's root seed.
MEASUREMENT_KEY = 2**32 - 5


def reported(samples: np.ndarray, share: float, seed: int, index: int) -> np.ndarray:
    """The ensemble of a *reported* figure: each run's value with the figure's error added.

    A survey or an intelligence count is the true value plus an error (``share`` of it, one
    sd); the forecast of the figure is the model's ensemble with that error, drawn from a
    stream of the batch's seed and the target's position (the same for every scoring).
    """
    x = np.asarray(samples, float)
    if share <= 0:
        return x
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(MEASUREMENT_KEY, index)))
    return np.maximum(x * (1.0 + share * rng.standard_normal(len(x))), 0.0)


def calibration_horizon(results: Results) -> int | None:
    """The last month of data the batch's calibration saw (a month number), or None.

    None when the batch sampled no calibration: then nothing it is scored on was fitted.
    """
    scenario = results.manifest["scenario"]
    if not scenario.get("calibration"):
        return None
    through = (scenario.get("sampling") or {}).get("calibrated_through")
    record = load_calibration(through)
    return None if record is None else parse_month(record["data_through"])


def naive_forecasts(results: Results, target: Target, info_year: int) -> dict[str, float]:
    """The two naive point forecasts of a target from the record through ``info_year``.

    ``naive``: the linear trend of the record since 2015 (at most five figures); ``growth``:
    the last year-on-year growth carried forward. Where the record has nothing by then
    (members, control), both carry the hindcast's initial state forward (persistence).
    """
    years, values = history(target.key, info_year)
    keep = years >= NAIVE_FIRST_YEAR
    when = year_of(target.month) + (calendar_month(target.month) - 12) / 12.0
    if keep.any():
        return {
            "naive": naive_trend_forecast(years[keep], values[keep], when, n_years=5),
            "growth": naive_growth_forecast(years[keep], values[keep], when),
        }
    values0, _, _ = series_array(results, target.outcome)
    first = float(np.median(values0[:, 0]))  # persistence of the initial state
    return {"naive": first, "growth": first}


def naive_forecast(results: Results, target: Target) -> float:
    """The naive trend forecast of a target from the record up to the hindcast's start."""
    start_year = int(results.manifest["months"][0][:4])
    return naive_forecasts(results, target, start_year)["naive"]


def score_hindcast(
    results: Results, measurement: float | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score a hindcast batch against every reference target in its horizon.

    The forecast of each figure is the model's ensemble with the figure's measurement error
    (``measurement``, a share of the value; default ``observation_sd_share`` of the
    calibration spec; 0 scores the model's values as they are).

    A target the batch's calibration was fitted on is ``in`` sample; a later one is ``out``
    of sample; with no calibration every target is ``uncalibrated`` (not out of sample:
    some registry values were set from the same reference figures). The naive forecasts of
    an out-of-sample target use the record through the calibration's last year, as the model
    did; those of an in-sample target the record up to the hindcast's start.

    Returns:
        The per-target table (observed, quantiles, PIT, in 50 %/90 %, CRPS, both naive
        forecasts and their errors, ``sample``) and its summaries: ``all`` targets, and
        ``in`` and ``out`` of sample where there are any (shares inside the bands, CRPS
        relative to the observed value, skill against both naive forecasts).
    """
    horizon = calibration_horizon(results)
    start_year = int(results.manifest["months"][0][:4])
    share = measurement_sd_share() if measurement is None else float(measurement)
    seed = int(results.manifest["scenario"]["seed"])
    rows = []
    for k, t in enumerate(horizon_targets(results)):
        out = horizon is not None and t.month > horizon
        info_year = year_of(horizon) if out else start_year
        rows.append(
            {
                "target": t.label,
                "date": format_month(t.month),
                "observed": t.observed,
                "samples": reported(target_samples(results, t), share, seed, k),
                **naive_forecasts(results, t, info_year),
                "sample": "uncalibrated" if horizon is None else ("out" if out else "in"),
            }
        )
    table = score_table(rows)
    summary: dict[str, Any] = {
        "all": summarise_scores(table),
        "horizon": horizon,
        "measurement": share,
    }
    for part in ("in", "out", "uncalibrated"):
        chosen = table[table["sample"] == part] if len(table) else table
        if len(chosen):
            summary[part] = summarise_scores(chosen)
    return table, summary


def format_scores(table: pd.DataFrame, summary: dict[str, Any]) -> str:
    """The score table for the terminal, with a summary line for each sample."""
    from rift.analysis.summary import format_value

    head = (
        f"{'target':<40} {'sample':>6} {'observed':>9} {'median':>9} {'5%':>9} {'95%':>9} "
        f"{'PIT':>5} {'in90':>5} {'CRPS':>9} {'trend':>9} {'growth':>9}"
    )
    lines = [head]
    for _, r in table.iterrows():
        lines.append(
            f"{r['target']:<40} {r['sample']:>6} {format_value(r['observed']):>9} "
            f"{format_value(r['median']):>9} {format_value(r['p5']):>9} "
            f"{format_value(r['p95']):>9} {r['pit']:>5.2f} {'yes' if r['in90'] else 'no':>5} "
            f"{format_value(r['crps']):>9} {format_value(r['naive']):>9} "
            f"{format_value(r['growth']):>9}"
        )
    horizon = summary.get("horizon")
    labels = {
        "in": "in-sample (the calibration saw these figures)",
        "out": "out-of-sample (after the calibration's data, "
        f"{format_month(horizon) if horizon is not None else 'none'})",
        "uncalibrated": "uncalibrated (the registry's values and spreads; some were set from "
        "these same figures, so this is not an out-of-sample score)",
    }
    lines.append("")
    if summary.get("measurement"):
        lines.append(
            f"the bands include each figure's measurement error ({summary['measurement']:.0%} "
            "of its value, one sd)"
        )
    for part in ("in", "out", "uncalibrated"):
        if part in summary:
            lines.append(f"{labels[part]}: " + _summary_line(summary[part]))
    return "\n".join(lines)


def _summary_line(s: dict[str, Any]) -> str:
    return (
        f"{s['n']} targets, {s['in50']:.0%} inside the 50 % band, {s['in90']:.0%} inside the "
        f"90 % band; mean CRPS / observed {s['crps_rel']:.3f} (trend {s['crps_naive_rel']:.3f}, "
        f"growth {s['crps_growth_rel']:.3f}); skill vs trend {s['skill']:+.2f}, "
        f"vs growth {s['skill_growth']:+.2f}"
    )
