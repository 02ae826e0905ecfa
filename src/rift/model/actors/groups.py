"""The armed groups (Clan del Golfo/EGC, ELN, FARC dissidents): members, revenue, expansion.

Local recruitment, attrition and clashes are applied to all groups at once by the vectorised
territory update; each group decides only how fast it expands, from its finances.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rift.model.actors.base import Actor
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

    #: The attributes a month changes (the rest is read from the run's parameters).
    STATE = (
        "members",
        "revenue",
        "sigma",
    )

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

    def surplus(self) -> float:
        """Revenue over the cost of the group's members (1 = break-even)."""
        payroll = self.members * self.cost
        return self.revenue / payroll if payroll > 0 else 0.0

    def step(self) -> None:
        """Set this month's expansion rate from last month's finances."""
        t = self.model.territory
        self.members = float(t.members_by_group[self.index])  # == t.s[index].sum()
        self.revenue = float(t.revenue[self.index])
        self.sigma = self.base_sigma * min(self.surplus(), self.surplus_cap)
        self.model.sigma[self.index] = self.sigma
