"""Venezuela: US pressure on Caracas, Caracas's tolerance of the armed groups, migration.

**Pressure** (0-1) on Caracas follows the US administration: it grows logistically toward the
administration's level (``venezuela.pressure.<admin>``; in 2025: a USD 50 m reward, the Cartel
de los Soles designated, warships, boat strikes from 2025-09-02, a blockade of sanctioned
tankers on 2025-12-16) and relaxes toward a lower level under another administration.

**Sanctuary.** The ELN and FARC dissidents hold part of their members in Venezuela (InSight
Crime: the ELN acts there "more like a paramilitary arm of the government"). Caracas's tolerance
falls with the pressure (``venezuela.tolerance_slope``: in 2025-08 Caracas sent 15,000 troops
to the border under US pressure), which scales the capacity of the Venezuela node: groups
squeezed out move into the Colombian border municipalities.

**Migration** (an index, 1 = the 2024 outflow) rises with the pressure; Washington's grievance
reads it (seed 001: "drugs, migration, Venezuela, and Chinese influence"). Colombia's stance
toward Caracas is the president's (``president.<type>.caracas_accommodation``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rift.calendar import US_ADMINISTRATIONS
from rift.model.actors.base import Actor
from rift.model.actors.common import DT

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel


class Venezuela(Actor):
    """The Venezuelan state as the model sees it: pressure, tolerance, migration."""

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.pressure = p["init.venezuela_pressure"]
        self.pressure0 = self.pressure
        self.growth = p["venezuela.pressure.growth_per_yr"]
        self.levels = {a: p[f"venezuela.pressure.{a}"] for a in US_ADMINISTRATIONS}
        self.tolerance_slope = p["venezuela.tolerance_slope"]
        self.migration_base = p["venezuela.migration.base"]
        self.migration_slope = p["venezuela.migration.pressure_slope"]
        self.migration = self._migration()

    #: The attributes a month changes (the rest is read from the run's parameters).
    STATE = (
        "pressure",
        "pressure0",
        "migration",
    )

    def _migration(self) -> float:
        return self.migration_base + self.migration_slope * self.pressure

    def tolerance(self) -> float:
        """Caracas's tolerance of the groups, relative to the start of the run (1 = as then)."""
        return (1.0 - self.tolerance_slope * self.pressure) / (
            1.0 - self.tolerance_slope * self.pressure0
        )

    def outcomes(self) -> dict[str, float | str]:
        """US pressure on Caracas, Caracas's tolerance of the groups, migration."""
        return {
            "venezuela_pressure": self.pressure,
            "venezuela_tolerance": self.tolerance(),
            "migration_index": self.migration,
        }

    def step(self) -> None:
        """Pressure moves toward the administration's level; migration follows."""
        level = self.levels[self.model.us_administration]
        p = self.pressure
        if p < level:  # escalation: logistic growth toward the level
            p += DT * self.growth * p * (1.0 - p / level)
        else:  # de-escalation: relaxes toward the level
            p += DT * self.growth * (level - p)
        self.pressure = min(1.0, max(0.0, p))
        self.migration = self._migration()
