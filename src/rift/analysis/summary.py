"""Horizon summaries of a batch.

Numbers by median and bands, flags and events as probabilities, categories as shares (never a
median of codes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from rift.analysis.weights import weighted_mean, weighted_quantile, weights_for
from rift.record import RECORD
from rift.results.reader import ok_runs

#: The outcomes an analyst asks first: the headline of the report and the short terminal
#: summary of ``rift run`` and ``rift compare``.
HEADLINE_OUTCOMES: tuple[str, ...] = (
    "control_any",
    "presence_any",
    "coca_ha",
    "members_total",
    "displacement_cum",
    "cooperation_index",
)
#: Categories of the short terminal summary (who governs Colombia at the horizon).
HEADLINE_CATEGORIES: tuple[str, ...] = ("president",)


def headline_events() -> list[str]:
    """The events of the headline (those drawn in the event figure, not each measure's)."""
    return [e.name for e in RECORD.events if e.figure]


def shocked_events(scenarios: Sequence[Mapping[str, Any]]) -> list[str]:
    """The start and end events of every measure the scenarios' shocks start or end.

    What a scenario imposes is what its reader asks about first (``new_rupture``'s strikes on
    Colombian soil: did they start, did they end).
    """
    from rift.catalogue import CATALOGUE

    known = {e.name for e in RECORD.events}
    out: list[str] = []
    for sc in scenarios:
        for shock in sc.get("shocks") or []:
            for key in [*(shock.get("start") or []), *(shock.get("end") or [])]:
                try:
                    column = CATALOGUE.get(key).column
                except KeyError:
                    continue
                out += [e for e in (f"{column}_start", f"{column}_end") if e in known]
    return list(dict.fromkeys(out))


def summary_selection(
    stored: Sequence[str],
    outcomes: Sequence[str] | None = None,
    everything: bool = False,
    events: Sequence[str] = (),
) -> tuple[list[str], list[str] | None]:
    """The outcomes and events a terminal summary shows.

    Args:
        stored: The outcomes the batch (or every compared batch) stored, in record order.
        outcomes: Outcomes asked for by name (``--outcomes``); None: the headline ones.
        everything: Every stored outcome and every event (``--all``).
        events: Events shown besides the headline ones (:func:`shocked_events`).

    Returns:
        The outcome names (in the order asked, or the record's) and the event names (None:
        every event).

    Raises:
        KeyError: An asked outcome the batch did not store (its name is the key).
    """
    if everything:
        return list(stored), None
    if outcomes is not None:
        missing = [n for n in outcomes if n not in stored]
        if missing:
            raise KeyError(missing[0])
        return list(dict.fromkeys(outcomes)), [*headline_events(), *events]
    short = (*HEADLINE_OUTCOMES, *HEADLINE_CATEGORIES)
    return [n for n in short if n in stored], [*headline_events(), *events]


def horizon_summary(
    runs: pd.DataFrame, outcomes: Sequence[str], weights: pd.Series | None = None
) -> pd.DataFrame:
    """Median, 5th and 95th percentiles and mean of each numeric outcome at the horizon.

    Flags are summarised as the share of runs in which they are on (``mean``; the median and
    percentiles of a 0/1 value say little); categories are left to :func:`category_shares`.

    Args:
        runs: The runs table (one row per run).
        outcomes: Outcome names to summarise.
        weights: Weights by run (:func:`~rift.analysis.weights.run_weights`); None: plain.

    Returns:
        One row per outcome with ``outcome``, ``label``, ``unit``, ``kind``, ``median``, ``p5``,
        ``p95``, ``mean``, ``n``.
    """
    ok = ok_runs(runs)
    rows = []
    for name in outcomes:
        o = RECORD.outcome(name)
        if o.kind == "category" or name not in ok:
            continue
        values = ok[name].to_numpy(dtype=float)
        finite = np.isfinite(values)
        w = weights_for(ok["run"].to_numpy()[finite], weights) if "run" in ok else None
        values = values[finite]
        if len(values) == 0:
            continue
        p5, median, p95 = weighted_quantile(values, [0.05, 0.5, 0.95], w)
        rows.append(
            {
                "outcome": name,
                "label": o.label if o.kind != "flag" else f"P({o.label.lower()})",
                "unit": o.unit if o.kind != "flag" else "share of runs",
                "kind": o.kind,
                "median": float(median),
                "p5": float(p5),
                "p95": float(p95),
                "mean": float(weighted_mean(values, w)),
                "n": len(values),
            }
        )
    return pd.DataFrame(rows)


def category_shares(
    runs: pd.DataFrame, outcomes: Sequence[str], weights: pd.Series | None = None
) -> pd.DataFrame:
    """The share of runs (weighted, with ``weights``) in each label of each category outcome.

    Returns:
        One row per outcome and label: ``outcome``, ``label``, ``value`` (the category's
        label), ``share``, ``n``.
    """
    ok = ok_runs(runs)
    rows = []
    for name in outcomes:
        o = RECORD.outcome(name)
        if o.kind != "category" or name not in ok:
            continue
        values = ok[name].astype("string")
        known = values.notna().to_numpy()
        n = int(known.sum())
        w = weights_for(ok["run"].to_numpy()[known], weights) if "run" in ok else None
        for label in o.labels:
            hit = (values[known] == label).to_numpy(dtype=float)
            share = float(weighted_mean(hit, w)) if n else float("nan")
            rows.append({"outcome": name, "label": o.label, "value": label, "share": share, "n": n})
    return pd.DataFrame(rows)


def event_probability(
    runs: pd.DataFrame, event: str, by: str | None = None, weights: pd.Series | None = None
) -> float:
    """Share of successful runs in which an event happened (by a month, ``YYYY-MM``).

    Args:
        runs: The runs table.
        event: An event name (``rupture``) or its column (``rupture_month``).
        by: Count only events in or before this month.
        weights: Weights by run; None: every run counts the same.
    """
    column = event if event.endswith("_month") else RECORD.event(event).column
    ok = ok_runs(runs)
    if len(ok) == 0 or column not in ok:
        return float("nan")
    months = ok[column]
    happened = months.notna()
    if by is not None:
        happened &= months.fillna("9999-99") <= by
    w = weights_for(ok["run"].to_numpy(), weights) if "run" in ok else None
    return float(weighted_mean(happened.to_numpy(dtype=float), w))


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
            if r["kind"] == "flag":
                lines.append(
                    f"{r['label']:<{width}}  {format_value(r['mean']):>12}  "
                    f"{'':>12}  {'':>12}  {r['unit']}"
                )
                continue
            lines.append(
                f"{r['label']:<{width}}  {format_value(r['median']):>12}  "
                f"{format_value(r['p5']):>12}  {format_value(r['p95']):>12}  {r['unit']}"
            )
    return "\n".join(lines)


def format_categories(table: pd.DataFrame) -> str:
    """Category shares as text: ``Colombian president: right 0.46, left 0.52, ...``."""
    lines = []
    for _, group in table.groupby("outcome", sort=False):
        parts = ", ".join(
            f"{r['value']} {r['share']:.2f}" for _, r in group.iterrows() if r["share"] > 0
        )
        lines.append(f"{group['label'].iloc[0]}: {parts}")
    return "\n".join(lines)


def format_events(
    runs: pd.DataFrame,
    end: str,
    weights: pd.Series | None = None,
    events: Sequence[str] | None = None,
) -> str:
    """``P(<event> by <end>) = p`` for every declared event the runs table holds.

    Args:
        runs: The runs table.
        end: The month the probabilities are read at.
        weights: Weights by run; None: every run counts the same.
        events: Only these events (None: every one).
    """
    items = [
        f"P({e.label} by {end}) = {event_probability(runs, e.name, weights=weights):.2f}"
        for e in RECORD.events
        if e.column in runs and (events is None or e.name in events)
    ]
    return "\n".join("    ".join(items[i : i + 2]) for i in range(0, len(items), 2))
