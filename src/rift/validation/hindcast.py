"""The 2019–2024 hindcast: score a stored batch against the record, next to a naive forecast.

The naive forecast carries each figure's 2015–2019 record forward along its linear trend
(``naive_trend_forecast``); where the record has nothing before 2020 (members, control, the
union of presence) it carries the 2019 initial state forward unchanged (persistence). It is
the benchmark a model has to beat to be worth its complexity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rift.months import calendar_month, format_month, year_of
from rift.results import Results, series_array
from rift.validation.scoring import naive_trend_forecast, score_table, summarise_scores
from rift.validation.targets import Target, history, targets

NAIVE_FIRST_YEAR = 2015


def horizon_targets(results: Results) -> list[Target]:
    """The reference targets inside a stored batch's horizon."""
    months = results.manifest["months"]
    return targets(months[0], months[-1])


def target_samples(results: Results, target: Target) -> np.ndarray:
    """The model's values of a target's outcome in its month, one per successful run."""
    values, _, months = series_array(results, target.outcome)
    return values[:, months.index(format_month(target.month))]


def naive_forecast(results: Results, target: Target) -> float:
    """The naive point forecast of a target, from the record up to the hindcast's start."""
    start_year = int(results.manifest["months"][0][:4])
    years, values = history(target.key, start_year)
    keep = years >= NAIVE_FIRST_YEAR
    when = year_of(target.month) + (calendar_month(target.month) - 12) / 12.0
    if keep.any():
        return naive_trend_forecast(years[keep], values[keep], when, n_years=5)
    values0, _, _ = series_array(results, target.outcome)
    return float(np.median(values0[:, 0]))  # persistence of the initial state


def score_hindcast(results: Results) -> tuple[pd.DataFrame, dict[str, float]]:
    """Score a hindcast batch against every reference target in its horizon.

    Returns:
        The per-target table (observed, quantiles, PIT, in 50 %/90 %, CRPS, naive CRPS) and
        its summary (shares inside the bands, mean CRPS relative to the observed value for
        the model and the naive forecast, skill).
    """
    rows = []
    for t in horizon_targets(results):
        rows.append(
            {
                "target": t.label,
                "date": format_month(t.month),
                "observed": t.observed,
                "samples": target_samples(results, t),
                "naive": naive_forecast(results, t),
            }
        )
    table = score_table(rows)
    return table, summarise_scores(table)


def format_scores(table: pd.DataFrame, summary: dict[str, float]) -> str:
    """The score table for the terminal."""
    from rift.analysis.summary import format_value

    head = (
        f"{'target':<40} {'observed':>9} {'median':>9} {'5%':>9} {'95%':>9} {'PIT':>5} "
        f"{'in90':>5} {'CRPS':>9} {'naive':>9} {'CRPS naive':>10}"
    )
    lines = [head]
    for _, r in table.iterrows():
        lines.append(
            f"{r['target']:<40} {format_value(r['observed']):>9} {format_value(r['median']):>9} "
            f"{format_value(r['p5']):>9} {format_value(r['p95']):>9} {r['pit']:>5.2f} "
            f"{'yes' if r['in90'] else 'no':>5} {format_value(r['crps']):>9} "
            f"{format_value(r['naive']):>9} {format_value(r['crps_naive']):>10}"
        )
    s = summary
    lines += [
        "",
        f"{s['n']} targets: {s['in50']:.0%} inside the 50 % band, {s['in90']:.0%} inside the "
        f"90 % band; mean CRPS / observed {s['crps_rel']:.3f} (naive {s['crps_naive_rel']:.3f}); "
        f"skill vs naive {s['skill']:+.2f}",
    ]
    return "\n".join(lines)
