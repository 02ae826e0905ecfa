"""The armed groups (Clan del Golfo/EGC, ELN, FARC dissidents): members, revenue, expansion.

Local recruitment, attrition and clashes are applied to all groups at once by the vectorised
territory update; each group decides only how fast it expands, from its finances, and loses
commanders to high-value-target operations.

**Removals of commanders.** Each month a group loses a top commander (secretariat, central
command or its equivalent) with probability ``1 - exp(-h / 12)``, with the yearly hazard

    h = h_0 (w i + 1 - w) c (share of the group's members in Colombia)

``h_0`` the rate with full cooperation and the state's capability at the start, ``i`` the US
intelligence that reaches operations (:meth:`AllianceModel.intelligence_shared`), ``w`` the
share of such operations that rests on it, ``c`` the state's capability relative to the start.
Why: the removals of Raúl Reyes (2008), Mono Jojoy (2010) and Alfonso Cano (2011) rested on US
intelligence and guidance kits (Priest, Washington Post 2013: "at least two dozen rebel
leaders"), Otoniel's capture (2021) on US and British intelligence; a commander across the
border is out of Colombian reach (Reyes was the exception). A removal disrupts the group for
``D`` months: its recruitment and its expansion fall (Johnston 2012: conflict intensity falls
after successful removals), and with probability ``p`` it splinters: while disrupted its
losses in clashes rise (Calderón et al. 2015: +36.5 % drug-related violence in the six months
after a Mexican kingpin's removal; Phillips 2015); Jordan (2009) finds that large, old groups
survive decapitation, so the disruption passes. Every removal is recorded
(``removal_<group>``, the first month; ``removals_<group>``, the count).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rift.model.actors.base import Actor
from rift.model.actors.common import put
from rift.record import GROUPS

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel


class ArmedGroup(Actor):
    """An armed group: members, revenue, and how fast it expands.

    The group's finances set its expansion: when the rent of the territory it holds exceeds
    what its members cost, it pushes into neighbouring municipalities faster (up to a cap);
    when rent falls short it consolidates. Local recruitment, attrition and clashes are
    applied to all groups at once by the vectorised territory update.
    """

    def __init__(self, model: AllianceModel, index: int, name: str) -> None:
        super().__init__(model)
        p = model.p
        self.index = index
        self.name = name
        self.base_sigma = p[f"groups.{name}.expansion_rate_per_yr"]
        self.cost = p["territory.cost_per_member_usd"] / 1e6
        self.surplus_cap = p["groups.surplus_cap"]
        self.members = float(model.territory.members()[index])
        self.revenue = float(model.territory.revenue[index])
        self.sigma = self.base_sigma
        self.stream = model.streams["removals"]
        self.removal_rate = p["removals.rate_per_yr"]
        self.removal_intel_share = p["removals.us_intel_share"]
        self.disruption_months = max(1, round(p["removals.disruption_months"]))
        self.recruitment_loss = p["removals.recruitment_loss"]
        self.expansion_loss = p["removals.expansion_loss"]
        self.splinter_probability = p["removals.splinter_probability"]
        self.splinter_clash_increase = p["removals.splinter_clash_increase"]
        self.removals = 0
        self.disrupted = 0  # months of disruption left after a removal
        self.split = False  # whether the last removal split the group

    #: The attributes a month changes (the rest is read from the run's parameters).
    STATE = (
        "members",
        "revenue",
        "sigma",
        "removals",
        "disrupted",
        "split",
    )
    #: Added with the removals of commanders: a state saved before them has none under way.
    _REMOVAL_STATE: Mapping[str, Any] = {"removals": 0, "disrupted": 0, "split": False}

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state` (a state saved before removals: none under way)."""
        put(self, self.STATE, {**self._REMOVAL_STATE, **state})

    @classmethod
    def each(cls, model: AllianceModel) -> list[ArmedGroup]:
        """One actor per armed group of the record (:data:`rift.record.GROUPS`), in order."""
        return [cls(model, g, name) for g, name in enumerate(GROUPS)]

    def outcomes(self) -> dict[str, float | str]:
        """The group's presence, control and members in the territory as it stands."""
        t = self.model.territory
        g = self.index
        return {
            f"presence_{self.name}": t.presence_by_group[g],
            f"control_{self.name}": t.control_by_group[g],
            f"members_{self.name}": t.members_by_group[g],
        }

    def values(self) -> dict[str, Any]:
        """How many of the group's commanders were removed in the run (``removals_<group>``)."""
        return {f"removals_{self.name}": self.removals}

    def removal_hazard(self) -> float:
        """This month's probability of a removal of one of the group's commanders."""
        m, t = self.model, self.model.territory
        members = float(t.s[self.index].sum())
        if members <= 0.0:
            return 0.0
        in_colombia = float(t.s[self.index, : t.n].sum()) / members
        w = self.removal_intel_share
        capability = m.colombia.capability() / m.capability_reference
        targeting = (w * m.intelligence_shared() + 1.0 - w) * capability * in_colombia
        return 1.0 - math.exp(-self.removal_rate * targeting / 12.0)

    def recruitment_factor(self) -> float:
        """Factor on the group's recruitment this month (``1 - loss`` while disrupted)."""
        return 1.0 - self.recruitment_loss if self.disrupted > 0 else 1.0

    def clash_factor(self) -> float:
        """Factor on the group's losses in clashes (higher while a split group is disrupted)."""
        return 1.0 + self.splinter_clash_increase if self.disrupted > 0 and self.split else 1.0

    def _removal(self) -> None:
        """Whether a commander is removed this month (two draws a month, always)."""
        u_removal, u_split = self.stream.random(2)
        if self.disrupted > 0:
            self.disrupted -= 1
        if u_removal >= self.removal_hazard():
            return
        m = self.model
        self.removals += 1
        self.disrupted = self.disruption_months
        self.split = bool(u_split < self.splinter_probability)
        m.recorder.event(f"removal_{self.name}", m.month)

    def surplus(self) -> float:
        """Revenue over the cost of the group's members (1 = break-even)."""
        payroll = self.members * self.cost
        return self.revenue / payroll if payroll > 0 else 0.0

    def step(self) -> None:
        """A removal or not, then this month's expansion rate from last month's finances."""
        t = self.model.territory
        self.members = float(t.members_by_group[self.index])  # == t.s[index].sum()
        self.revenue = float(t.revenue[self.index])
        self._removal()
        self.sigma = self.base_sigma * min(self.surplus(), self.surplus_cap)
        if self.disrupted > 0:
            self.sigma *= 1.0 - self.expansion_loss
        self.model.sigma[self.index] = self.sigma
