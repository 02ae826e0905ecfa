"""Descriptive tables of the crisis record: spell durations, first starts, annual decisions.

Durations are measured in days between the dated start and end rows (a month-only date counts as
the 15th), right-censored at the end of the episode's window when no end is recorded, or when a
measure on a head of state lapses because the leader left office. The median is the
Kaplan-Meier median, which uses the censored spells too; with few spells it is rough, and when
the survival curve never falls to one half the median is only known to exceed the longest
follow-up.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from rift.validation.events.panel import (
    MEASURES,
    EventRecord,
    mapped_events,
    parse_initial,
    sort_date,
)

DAYS_PER_MONTH = 365.25 / 12


def _day(d: str) -> date:
    return date.fromisoformat(sort_date(d))


def spells(record: EventRecord) -> pd.DataFrame:
    """Every spell of every state measure: start, end (or censoring) and length in days."""
    joined = mapped_events(record)
    joined = joined[joined["month"].notna() & joined["kind"].isin(["start", "end", "lapse"])]
    joined = joined.assign(d=joined["date"].map(sort_date), k=(joined["kind"] != "start") * 1)
    rows = []
    for ep in record.episodes.itertuples(index=False):
        ev = joined[joined["episode"] == ep.episode].sort_values(["d", "k", "row"], kind="stable")
        open_spells = dict(parse_initial(ep.initial_on))
        for r in ev.itertuples(index=False):
            name = r.model_measure
            if r.kind == "start" and name not in open_spells:
                open_spells[name] = r.date
            elif r.kind in ("end", "lapse") and name in open_spells:
                start = open_spells.pop(name)
                rows.append((ep.episode, name, start, r.date, r.kind == "end"))
        for name, start in open_spells.items():
            rows.append((ep.episode, name, start, ep.window_end, False))
    out = pd.DataFrame(rows, columns=["episode", "measure", "start", "stop", "ended"])
    out["days"] = [(_day(b) - _day(a)).days for a, b in zip(out["start"], out["stop"], strict=True)]
    return out


def km_median(days: np.ndarray, ended: np.ndarray) -> float:
    """Kaplan-Meier median of right-censored durations; ``inf`` if S(t) stays above 1/2."""
    days, ended = np.asarray(days, float), np.asarray(ended, bool)
    s = 1.0
    for t in np.unique(days[ended]):
        at_risk = np.sum(days >= t)
        s *= 1.0 - np.sum((days == t) & ended) / at_risk
        if s <= 0.5 + 1e-12:  # S(t) = 1/2 exactly, up to rounding, is the median
            return float(t)
    return float("inf")


def durations(record: EventRecord) -> pd.DataFrame:
    """Per state measure: spells, how many ended, the KM median and the longest follow-up."""
    sp = spells(record)
    rows = []
    for name, spec in MEASURES.items():
        if spec.kind != "state":
            continue
        g = sp[sp["measure"] == name]
        if g.empty:
            continue
        med = km_median(g["days"].to_numpy(), g["ended"].to_numpy())
        rows.append(
            dict(
                measure=name,
                spells=len(g),
                ended=int(g["ended"].sum()),
                median_days=med,
                median_months=med / DAYS_PER_MONTH,
                longest_days=int(g["days"].max()),
            )
        )
    return pd.DataFrame(rows)


def first_starts(record: EventRecord, episode: str) -> pd.DataFrame:
    """For one episode, each model measure's first start (or first occurrence) in the record."""
    joined = mapped_events(record)
    ev = joined[(joined["episode"] == episode) & joined["kind"].isin(["start", "event", "annual"])]
    ev = ev[ev["month"].notna()]  # rows dated to the year only cannot be placed
    ev = ev.assign(d=ev["date"].map(sort_date)).sort_values(["d", "row"], kind="stable")
    window_end = record.episodes.set_index("episode").loc[episode, "window_end"]
    rows = []
    for name, spec in MEASURES.items():
        g = ev[ev["model_measure"] == name]
        if g.empty:
            rows.append(
                dict(
                    measure=name,
                    kind=spec.kind,
                    first=f"none by {window_end}",
                    precision="",
                    code="",
                    description="",
                )
            )
        else:
            r = g.iloc[0]
            rows.append(
                dict(
                    measure=name,
                    kind=spec.kind,
                    first=r["date"],
                    precision=r["date_precision"],
                    code=r["measure"],
                    description=r["description"],
                )
            )
    return pd.DataFrame(rows)


def annual_decisions(record: EventRecord) -> pd.DataFrame:
    """The annual certification decisions in the record (not a monthly hazard)."""
    joined = mapped_events(record)
    ann = joined[joined["kind"] == "annual"]
    return ann[["episode", "date", "measure", "direction"]].rename(columns={"measure": "decision"})


def markdown(df: pd.DataFrame, floatfmt: str = "{:.1f}") -> str:
    """A plain Markdown table of a small DataFrame."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
