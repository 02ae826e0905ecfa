"""Leader-to-leader diplomacy: the deals that end measures on both sides.

A deal (the 2025-01-26 deportation crisis was settled within hours: Colombia accepted the
flights, the tariffs were "held in reserve"; Mexico 2019 and 2025 ended tariff threats with
deals) is an event with the record's fitted hazard (``events.both.deal.event_intercept`` and the
deal slopes, seen from Colombia: ``R`` counts US escalation, and the crisis's cost ``K``,
:func:`~rift.model.actors.measures.crisis_cost`, with its fitted slope
``events.slope.cost.deal``), shifted by the affinity between the two leaders
(``president.<type>.us_affinity``: the Petro-Trump feud lowers it, a right-wing president
raises it). Tension does not lower it: the record's deals come at crisis peaks too (Colombia
2025-01, Mexico 2019), and its cost slope, not an assumed tension penalty, says how the cost of
the crisis moves them. A deal ends the transactional measures (tariffs
threatened or imposed, visa bans on officials, refused deportation flights, recalled
ambassadors: the catalogue's ``ended_by_deal``, :mod:`rift.catalogue`) and relieves both sides'
tension by a share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rift.catalogue import CATALOGUE
from rift.model.actors.base import Actor
from rift.model.actors.measures import Slopes, cloglog, crisis_cost

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel


class Diplomacy(Actor):
    """Deals between the presidents."""

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.stream = model.streams["diplomacy"]
        self.intercept = p[CATALOGUE.get("both.deal").intercept("event")]
        self.slopes = Slopes.from_registry(p, "deal")
        self.cost_slope = p["events.slope.cost.deal"]
        self.cost_cap = p["events.covariate.cost_cap"]
        self.relief = p["diplomacy.deal_relief"]
        self.deal_now = False
        self.deals = 0

    #: The attributes a month changes (the rest is read from the run's parameters).
    STATE = (
        "deal_now",
        "deals",
    )

    def values(self) -> dict[str, Any]:
        """How many deals the run saw."""
        return {"deals": self.deals}

    def affinity(self) -> float:
        """Log-hazard shift of deals from the two leaders' relationship."""
        m = self.model
        if m.us_administration not in ("trump1", "trump2"):
            return 0.0
        return m.p[f"president.{m.colombia.president}.us_affinity"]

    def feud(self) -> float:
        """How personal the quarrel is (0 none): the negative part of the affinity."""
        return max(0.0, -self.affinity())

    def log_hazard(self) -> float:
        """This month's cloglog log hazard of a deal: fitted terms, the cost ``K``, affinity."""
        m = self.model
        x = m.ledger.covariates("col")
        cost = crisis_cost((m.us.measures, m.colombia.measures), self.cost_cap)
        return self.intercept + self.slopes.dot(x) + self.affinity() + self.cost_slope * cost

    def hazard(self) -> float:
        """This month's probability of a deal (while any measure is in force)."""
        return cloglog(self.log_hazard())

    def step(self) -> None:
        """A deal happens with its hazard (one draw a month) while any measure is in force."""
        m = self.model
        u = self.stream.random()
        us, col = m.us, m.colombia
        in_force = us.measures.count_on() + col.measures.count_on()
        self.deal_now = in_force > 0 and u < self.hazard()
        if not self.deal_now:
            return
        self.deals += 1
        m.recorder.event("deal", m.month)
        for side, actor in (("us", us), ("col", col)):
            ended = sum(actor.measures.end(n, m.month) for n in CATALOGUE.ended_by_deal(side))
            m.ledger.deescalation(side, 1 + ended)
            actor.tension *= 1.0 - self.relief
