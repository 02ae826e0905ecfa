"""Institutions apart from leaders: military, police and law-enforcement cooperation.

Seed 003: Colombia's "military and security services ... generally remain cautious about Petro
and favor close cooperation with the United States"; seed 004: the waiver "allows continued
bilateral cooperation in areas such as the fight against drug trafficking". So the working ties
between the two countries' institutions are states of their own, on at the start, that persist
through a political split: each lapses with a small monthly hazard that rises with the number of
political measures in force on both sides (the split), and, once lapsed, is restored with a
hazard that falls with the split. Military cooperation carries part of the security forces'
capability (training, maintenance, joint planning; lost too while Colombia's measure ending
military cooperation is in force), police cooperation part of the
intelligence, and law-enforcement cooperation the extraditions (requests, DEA and marshals).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rift.model.actors.base import Actor
from rift.model.actors.measures import cloglog
from rift.record import INSTITUTIONS

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel


class Institutions(Actor):
    """Military, police and law-enforcement cooperation, each on or lapsed."""

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.stream = model.streams["institutions"]
        self.state = dict.fromkeys(INSTITUTIONS, True)
        self.lapse = {k: p[f"institutions.{k}.lapse_intercept"] for k in INSTITUTIONS}
        self.restore = {k: p[f"institutions.{k}.restore_intercept"] for k in INSTITUTIONS}
        self.split_slope = p["institutions.split_slope"]
        self.capability_loss = p["institutions.military.capability_loss"]
        self.intelligence_loss = p["institutions.police.intelligence_loss"]
        self.first_lapse: dict[str, int | None] = dict.fromkeys(INSTITUTIONS)

    #: The attributes a month changes (the rest is read from the run's parameters).
    STATE = (
        "state",
        "first_lapse",
    )

    def on(self, name: str) -> bool:
        """Whether an institution's cooperation is working."""
        return self.state[name]

    def military_cooperation(self) -> bool:
        """Whether military cooperation works: the ties hold and Colombia has not ended them.

        Colombia's measure ``col.military_cooperation`` (ending military cooperation) ends the
        same training, helicopter maintenance and joint planning that a lapse of the ties
        does, so both cost the same share of capability.
        """
        return self.state["military"] and not self.model.colombia.measure("military_cooperation")

    def capability_factor(self) -> float:
        """Share of capability kept (1 with military cooperation, :meth:`military_cooperation`)."""
        return 1.0 if self.military_cooperation() else 1.0 - self.capability_loss

    def intelligence_factor(self) -> float:
        """Share of US intelligence that still reaches operations (1 with police cooperation)."""
        return 1.0 if self.state["police"] else 1.0 - self.intelligence_loss

    def outcomes(self) -> dict[str, float | str]:
        """Whether each institution's cooperation is working (``inst_<name>``, 0/1)."""
        return {f"inst_{name}": float(self.state[name]) for name in INSTITUTIONS}

    def step(self) -> None:
        """Each institution lapses or is restored with its hazard (one draw each a month)."""
        m = self.model
        split = m.us.measures.count_on() + m.colombia.measures.count_on()
        for name in INSTITUTIONS:
            u = self.stream.random()
            if self.state[name]:
                if u < cloglog(self.lapse[name] + self.split_slope * split):
                    self.state[name] = False
                    if self.first_lapse[name] is None:
                        self.first_lapse[name] = m.month
                        m.recorder.event(f"{name}_cooperation_lapse", m.month)
            elif u < cloglog(self.restore[name] - self.split_slope * split):
                self.state[name] = True
