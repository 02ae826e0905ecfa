"""Observed figures the model can be scored against, read from ``reference.csv``.

Every row of ``reference.csv`` whose key maps to a model outcome (``TARGET_OUTCOMES``) and whose
date falls inside a horizon is a target; add a row to the file and it becomes a target of the
hindcast and of the calibration, with no code change.

Dates: an annual figure (``2022``) is compared with the model's December of that year (UNODC
measures coca on 31 December; the Ombudsman's yearly counts describe the year's end); a
monthly figure (``2024-07``) with that month. A stock dated in January (``members_* 2025-01``)
describes the turn of the year, so it is compared with the December before it: it is data about
the end of 2024, and ``data_through`` counts it as such.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

from rift.months import format_month, parse_month

#: reference.csv key -> model outcome.
TARGET_OUTCOMES: dict[str, str] = {
    "coca_ha": "coca_ha",
    "cocaine_potential_t": "cocaine_t",
    "presence_municipalities_egc": "presence_egc",
    "presence_municipalities_eln": "presence_eln",
    "presence_municipalities_dissidents": "presence_dissidents",
    "presence_municipalities_any": "presence_any",
    "control_municipalities_any": "control_any",
    "members_egc": "members_egc",
    "members_eln": "members_eln",
    "members_dissidents": "members_dissidents",
    "members_total": "members_total",
}


@dataclass(frozen=True)
class Target:
    """One observed figure and the model month it is compared with.

    Attributes:
        key: The reference.csv key.
        date: The date as written in reference.csv.
        outcome: The model outcome.
        month: The model month compared (a month number).
        observed: The observed value.
        unit: Its unit.
    """

    key: str
    date: str
    outcome: str
    month: int
    observed: float
    unit: str

    @property
    def label(self) -> str:
        """``key date`` for tables."""
        return f"{self.key} {self.date}"


def reference_rows() -> list[dict[str, str]]:
    """The rows of the packaged reference.csv."""
    text = resources.files("rift.data").joinpath("reference.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def model_month(date: str) -> int:
    """The model month an observation dated ``date`` is compared with (see module doc)."""
    if len(date) == 4:
        return parse_month(f"{date}-12")
    month = parse_month(date[:7])
    if date[5:7] == "01":
        return month - 1
    return month


def targets(start: str, end: str, rows: list[dict[str, str]] | None = None) -> list[Target]:
    """Targets observed after ``start`` and no later than ``end`` (model months).

    Args:
        start: First month of the hindcast. Figures of that month or before, and annual figures
            of a hindcast starting in January of their year, are its initial state, not
            targets.
        end: Last month of the hindcast.
        rows: reference rows (default: the packaged reference.csv).
    """
    first, last = parse_month(start), parse_month(end)
    out = []
    for row in rows if rows is not None else reference_rows():
        outcome = TARGET_OUTCOMES.get(row["key"])
        if outcome is None:
            continue
        month = model_month(row["date"])
        initial = (
            len(row["date"]) == 4 and int(row["date"]) <= int(start[:4]) and start[5:7] == "01"
        )
        if first < month <= last and not initial:
            out.append(
                Target(row["key"], row["date"], outcome, month, float(row["value"]), row["unit"])
            )
    return sorted(out, key=lambda t: (list(TARGET_OUTCOMES).index(t.key), t.month))


def history(key: str, through_year: int, rows: list[dict[str, str]] | None = None):
    """Annual (year, value) observations of a key up to a year, for the naive forecast."""
    pts = [
        (int(r["date"][:4]), float(r["value"]))
        for r in (rows if rows is not None else reference_rows())
        if r["key"] == key and int(r["date"][:4]) <= through_year
    ]
    pts.sort()
    return np.array([p[0] for p in pts], dtype=float), np.array([p[1] for p in pts])


def describe(t: Target) -> str:
    """``coca_ha 2022 (model 2022-12)``."""
    return f"{t.label} (model {format_month(t.month)})"
