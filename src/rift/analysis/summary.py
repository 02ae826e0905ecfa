"""Horizon summaries: the distribution of each outcome over the runs of a batch."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rift.outcomes import BY_NAME


def horizon_summary(runs: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Median, 5th and 95th percentiles and mean of each outcome at the horizon.

    Args:
        runs: The runs table (one row per run).
        outcomes: Outcome names to summarise.

    Returns:
        One row per outcome with ``label``, ``unit``, ``median``, ``p5``, ``p95``, ``mean``, ``n``.
    """
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    rows = []
    for name in outcomes:
        values = ok[name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        o = BY_NAME[name]
        if len(values) == 0:
            continue
        rows.append(
            {
                "outcome": name,
                "label": o.label,
                "unit": o.unit,
                "median": float(np.median(values)),
                "p5": float(np.percentile(values, 5)),
                "p95": float(np.percentile(values, 95)),
                "mean": float(values.mean()),
                "n": len(values),
            }
        )
    return pd.DataFrame(rows)


def event_probability(runs: pd.DataFrame, column: str, by: str | None = None) -> float:
    """Share of successful runs in which an event (a month column) happened, by a month."""
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    if len(ok) == 0:
        return float("nan")
    months = ok[column]
    happened = months.notna()
    if by is not None:
        happened &= months.fillna("9999-99") <= by
    return float(happened.mean())


def format_value(x: float) -> str:
    """A number formatted for a terminal table."""
    if not np.isfinite(x):
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def format_summary(table: pd.DataFrame, single: bool = False) -> str:
    """The summary table as aligned text (one value per outcome when there is one run)."""
    lines = []
    width = max((len(r) for r in table["label"]), default=10)
    if single:
        lines.append(f"{'outcome':<{width}}  {'value':>12}  unit")
        for _, r in table.iterrows():
            lines.append(f"{r['label']:<{width}}  {format_value(r['median']):>12}  {r['unit']}")
    else:
        lines.append(f"{'outcome':<{width}}  {'median':>12}  {'5%':>12}  {'95%':>12}  unit")
        for _, r in table.iterrows():
            lines.append(
                f"{r['label']:<{width}}  {format_value(r['median']):>12}  "
                f"{format_value(r['p5']):>12}  {format_value(r['p95']):>12}  {r['unit']}"
            )
    return "\n".join(lines)
