"""Scenario interventions: dated ``set`` actions that force instruments.

An intervention forces one or more instruments from a month on (optionally until a month).
Instruments fixed by parameters are forced for the whole run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Intervention:
    """A dated action that forces instruments from ``at`` to ``until`` (inclusive)."""

    at: int
    values: Mapping[str, Any]
    until: int | None = None


class Forcing:
    """Which instruments are forced in which month.

    Built once per run from fixed instrument overrides (forced for the whole run) and the
    scenario's interventions (later ones override earlier ones where they overlap).
    """

    def __init__(
        self,
        start: int,
        end: int,
        fixed: Mapping[str, Any] | None = None,
        interventions: Sequence[Intervention] = (),
    ) -> None:
        self.start = start
        self.end = end
        base = {k: v for k, v in (fixed or {}).items() if v is not None}
        self._by_month: list[dict[str, Any]] = []
        for m in range(start, end + 1):
            forced = dict(base)
            for iv in interventions:
                if iv.at <= m and (iv.until is None or m <= iv.until):
                    forced.update(iv.values)
            self._by_month.append(forced)
        self._empty: dict[str, Any] = {}

    def at(self, month: int) -> dict[str, Any]:
        """Forced instrument values in a month (empty when nothing is forced)."""
        i = month - self.start
        if 0 <= i < len(self._by_month):
            return self._by_month[i]
        return self._empty
