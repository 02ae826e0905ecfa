"""Comparison tables for the terminal, CSV and Markdown."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from rift.analysis.compare import Comparison
from rift.analysis.summary import format_value
from rift.record import RECORD


def _range(row: pd.Series, kind: str = "amount") -> str:
    if kind == "flag":  # a 0/1 state: the share of runs in which it is on
        return f"P {row['mean']:.2f}"
    return f"{format_value(row['median'])} [{format_value(row['p5'])}–{format_value(row['p95'])}]"


def signed(x: float) -> str:
    """A difference with its sign, formatted like the values it is the difference of."""
    if not math.isfinite(x):
        return "-"
    return ("+" if x >= 0 else "-") + format_value(abs(x))


def _diff(row: pd.Series) -> str:
    if not math.isfinite(row.get("difference", float("nan"))):
        return "-"
    return (
        f"{signed(row['difference'])} [{signed(row['ci_low'])}, {signed(row['ci_high'])}] "
        f"P>0 {row['p_greater']:.2f}"
    )


def outcome_table(comp: Comparison) -> pd.DataFrame:
    """One row per outcome: each scenario's median [5–95 %], each difference to the reference."""
    rows = []
    for outcome, group in comp.scenarios.groupby("outcome", sort=False):
        o = RECORD.outcome(outcome)
        row = {"outcome": o.label, "unit": o.unit if o.kind != "flag" else "share of runs"}
        for _, r in group.iterrows():
            row[r["scenario"]] = _range(r, o.kind)
        if len(comp.differences):
            diffs = comp.differences[comp.differences["outcome"] == outcome]
            for _, d in diffs.iterrows():
                row[f"{d['scenario']} − {d['reference']}"] = _diff(d)
        rows.append(row)
    return pd.DataFrame(rows)


def event_table(comp: Comparison) -> pd.DataFrame:
    """P(event by date) per scenario (± its standard error), and differences to the reference."""
    rows = []
    for (event, by), group in comp.events.groupby(["event", "by"], sort=False):
        row = {"event": f"P({RECORD.event(event).label} by {by})"}
        for _, r in group.iterrows():
            p = r["probability"]
            row[r["scenario"]] = "-" if not math.isfinite(p) else f"{p:.2f} ± {r['se']:.2f}"
            if r["scenario"] != comp.names[0] and math.isfinite(r["difference"]):
                row[f"{r['scenario']} − {comp.names[0]}"] = (
                    f"{r['difference']:+.2f} [{r['ci_low']:+.2f}, {r['ci_high']:+.2f}]"
                )
        rows.append(row)
    return pd.DataFrame(rows)


def category_table(comp: Comparison) -> pd.DataFrame:
    """One row per category outcome and label: the share of runs in it, per scenario."""
    if comp.categories.empty:
        return pd.DataFrame()
    table = comp.categories.pivot_table(
        index=["label", "value"], columns="scenario", values="share", sort=False
    )
    table = table.reindex(columns=comp.names).map(lambda p: f"{p:.2f}")
    return table.reset_index().rename(columns={"label": "outcome", "value": "is"})


def _text(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    widths = [max(len(str(c)), *(len(str(v)) for v in df[c])) for c in cols]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(cols, widths, strict=True))]
    for _, r in df.iterrows():
        lines.append("  ".join(str(r[c]).ljust(w) for c, w in zip(cols, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)


def _markdown(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        out.append("| " + " | ".join(str(r[c]).replace("|", "\\|") for c in cols) + " |")
    return "\n".join(out)


def select(
    comp: Comparison, outcomes: Sequence[str] | None = None, events: Sequence[str] | None = None
) -> Comparison:
    """The comparison restricted to some outcomes and events (None: all of them)."""

    def pick(table: pd.DataFrame, column: str, names: Sequence[str] | None) -> pd.DataFrame:
        if names is None or table.empty or column not in table:
            return table
        return table[table[column].isin(list(names))]

    warnings = comp.warnings
    if outcomes is not None:  # each warning starts with its outcome's label
        labels = tuple(f"{RECORD.outcome(n).label}:" for n in outcomes)
        warnings = [w for w in warnings if w.startswith(labels)]
    return dataclasses.replace(
        comp,
        warnings=warnings,
        scenarios=pick(comp.scenarios, "outcome", outcomes),
        differences=pick(comp.differences, "outcome", outcomes),
        events=pick(comp.events, "event", events),
        categories=pick(comp.categories, "outcome", outcomes),
    )


def format_comparison(
    comp: Comparison, outcomes: Sequence[str] | None = None, events: Sequence[str] | None = None
) -> str:
    """The comparison as text for the terminal.

    Args:
        comp: The comparison.
        outcomes: Only these outcomes (None: every one compared).
        events: Only these events (None: every one).
    """
    full = comp
    comp = select(comp, outcomes, events)
    parts = [f"Note: {comp.horizon_note}."] if comp.horizon_note else []
    parts += [
        f"Comparison of {', '.join(comp.names)} ({comp.note}).",
        "",
        f"Outcomes at {comp.at}: median [5–95 %]; differences: mean [95 % interval], "
        "P(difference > 0)",
        _text(outcome_table(comp)),
        "",
        _text(event_table(comp)),
    ]
    shown = comp.scenarios["outcome"].nunique() if not comp.scenarios.empty else 0
    total = full.scenarios["outcome"].nunique() if not full.scenarios.empty else 0
    footer = []
    if outcomes is not None or events is not None:
        n_events = full.events["event"].nunique() if not full.events.empty else 0
        footer = [
            "",
            f"({shown} of {total} outcomes and {comp.events['event'].nunique()} of {n_events} "
            "events shown: --all shows every one, --outcomes NAME,... chooses)",
        ]
    categories = category_table(comp)
    if len(categories):  # the labels some run reaches (no president who never appears)
        reached = categories[comp.names].map(float).gt(0).any(axis=1)
        parts += ["", f"Shares of runs at {comp.at}", _text(categories[reached])]
    if comp.warnings:
        parts += ["", "Monte Carlo warnings:", *(f"  - {w}" for w in comp.warnings)]
    parts += footer
    return "\n".join(parts)


def comparison_markdown(comp: Comparison) -> str:
    """The comparison as a Markdown document."""
    parts = [
        f"# Comparison: {', '.join(comp.names)}",
        "",
        *([f"**Note:** {comp.horizon_note}.", ""] if comp.horizon_note else []),
        f"{comp.note[0].upper()}{comp.note[1:]}.",
        "",
        "## Horizon outcomes",
        "",
        "Median [5–95 %] per scenario; differences to the reference: mean [bootstrap 95 % "
        "interval] and P(difference > 0).",
        "",
        _markdown(outcome_table(comp)),
        "",
        "## Events",
        "",
        _markdown(event_table(comp)),
    ]
    categories = category_table(comp)
    if len(categories):
        parts += ["", f"## Shares of runs at {comp.at}", "", _markdown(categories)]
    if comp.warnings:
        parts += ["", "## Monte Carlo warnings", "", *(f"- {w}" for w in comp.warnings)]
    return "\n".join(parts) + "\n"


def comparison_long(comp: Comparison) -> pd.DataFrame:
    """Every number of the comparison in one tidy table (for CSV)."""
    s = comp.scenarios.assign(table="scenario")
    d = comp.differences.assign(table="difference")
    e = comp.events.rename(columns={"probability": "value"}).assign(table="event")
    c = comp.categories.rename(columns={"value": "is", "share": "value"}).assign(table="share")
    return pd.concat([s, d, e, c], ignore_index=True, sort=False)


def write_comparison(comp: Comparison, folder: Path) -> list[Path]:
    """Write ``comparison.csv`` and ``comparison.md`` into a folder (atomically)."""
    from rift.atomic import atomic_write_text

    folder.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = folder / "comparison.csv", folder / "comparison.md"
    atomic_write_text(csv_path, comparison_long(comp).to_csv(index=False))
    atomic_write_text(md_path, comparison_markdown(comp))
    return [csv_path, md_path]
