"""Monthly outcome recording of one run, and the small result a run returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rift.outcomes import OUTCOME_INDEX, OUTCOME_NAMES, OUTCOMES


class Recorder:
    """A preallocated array of monthly outcomes."""

    def __init__(self, months: int) -> None:
        self.values = np.full((months, len(OUTCOMES)), np.nan)
        self.row = -1

    def record(self, row: int, values: dict[str, float]) -> None:
        """Write one month's outcomes (every outcome must be given)."""
        out = self.values[row]
        for name, value in values.items():
            out[OUTCOME_INDEX[name]] = value
        self.row = row

    def record_values(self, row: int, values: list[float]) -> None:
        """Write one month's outcomes given in the order of ``OUTCOME_NAMES``."""
        if len(values) != len(OUTCOME_NAMES):
            raise ValueError(f"expected {len(OUTCOME_NAMES)} outcomes, got {len(values)}")
        self.values[row] = values
        self.row = row

    def current(self, name: str) -> float:
        """The most recent value of an outcome."""
        return float(self.values[self.row, OUTCOME_INDEX[name]])


@dataclass
class RunResult:
    """What one run returns to the runner: small arrays, never model objects.

    Attributes:
        months: Month numbers of the rows of ``series``.
        series: Monthly outcomes, shape (months, outcomes), columns in ``OUTCOME_NAMES``.
        controller: Group index controlling each municipality at the horizon (-1: none).
        rupture_month: Month full rupture first happened, or None.
        recertification_month: Month of re-certification after a decertification, or None.
        president: The president in office at the horizon.
    """

    months: np.ndarray
    series: np.ndarray
    controller: np.ndarray
    rupture_month: int | None
    recertification_month: int | None
    president: str

    def horizon(self) -> dict[str, float]:
        """The outcomes of the last month, by name."""
        return dict(zip(OUTCOME_NAMES, self.series[-1].tolist(), strict=True))
