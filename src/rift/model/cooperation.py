"""The cooperation index and full rupture: what the alliance looks like from both capitals.

**Cooperation index** in [0, 1]: the weighted mean of intelligence sharing (the lesser of the
US side and Colombia's side), extraditions (the last 12 months against a reference), joint
operations and eradication, US security aid (against its pre-crisis level), diplomatic
representation (ambassadors in place, no measures on officials or the president) and
certification (1 certified, a value for a waiver, 0 decertified).

**Full rupture**: the index below a threshold with US security aid cut (the cut in force, or aid
at or under its floor: the residual a cut leaves is the exceptions Rubio "hedged" on, seed 001)
and intelligence sharing at or under its floor, for several consecutive months; the first month
it holds is the rupture. **Restoration**: after a rupture, the first month that both cuts have
been reversed for as many consecutive months (no security aid cut in force and aid above its
floor, intelligence sharing above its floor). A rupture is not over while either cut stands: the
index climbing back over its threshold (a waiver, extraditions resumed) with aid and intelligence
still cut is a rupture with better manners, not a restoration (issue 21: 79 of 80 restorations of
the earlier rule came with a US cut still in force). The months in rupture are counted.

Both conditions read what is in force: a scenario that forces security aid or intelligence
sharing holds the cut measures in the state the forced value implies
(:meth:`rift.model.actors.us.UnitedStates.measures_held_by_instruments`), so forcing sharing to
0.2 shows the intelligence cut off, and hence no rupture, in the run's own record (issue 21).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rift.parameters import ParameterSet

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel

INDEX_COMPONENTS = ("intel", "extraditions", "joint", "security_aid", "diplomacy", "certification")


class Cooperation:
    """Computes the index each month and tracks rupture and restoration."""

    def __init__(self, p: ParameterSet) -> None:
        self.weights = {k: p[f"index.weight.{k}"] for k in INDEX_COMPONENTS}
        self.total = sum(self.weights.values())
        if self.total <= 0:
            raise ValueError("the cooperation index weights are all zero")
        self.extradition_reference = p["us.grievance.extradition_reference"]
        self.certification_value = {
            "certified": 1.0,
            "waiver": p["index.waiver_value"],
            "decertified": 0.0,
        }
        self.ci_threshold = p["rupture.ci_threshold"]
        self.aid_floor = p["rupture.aid_floor_musd"]
        self.intel_floor = p["rupture.intel_floor"]
        self.months_needed = p["rupture.months"]
        self.index = 1.0
        self.in_rupture = False
        self.rupture_month: int | None = None
        self.restoration_month: int | None = None
        self.rupture_months = 0
        self._streak = 0
        self._recovery = 0

    #: What a month leaves behind (the rest is the run's parameters).
    STATE = (
        "index",
        "in_rupture",
        "rupture_month",
        "restoration_month",
        "rupture_months",
        "_streak",
        "_recovery",
    )

    def get_state(self) -> dict[str, Any]:
        """The index, rupture and restoration, the months in rupture and the streaks."""
        return {k: getattr(self, k) for k in self.STATE}

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`."""
        for k in self.STATE:
            setattr(self, k, state[k])

    def compute(self, model: AllianceModel) -> float:
        """The index of the current state."""
        us, col = model.us, model.colombia
        intel = min(us.intel_sharing, col.intel_cooperation)
        ext = min(1.0, col.extraditions_12m / self.extradition_reference)
        joint = col.counternarcotics_effort()
        aid = min(1.0, us.security_aid / us.base_security) if us.base_security > 0 else 0.0
        officials = us.on("visa_officials") or us.on("sanctions_officials")
        strained = (us.on("ambassador_recall"), col.measure("ambassador_recall"), officials)
        diplomacy = 1.0 - sum(strained) / 3.0
        cert = self.certification_value[us.certification]
        w = self.weights
        total = (
            w["intel"] * intel
            + w["extraditions"] * ext
            + w["joint"] * joint
            + w["security_aid"] * aid
            + w["diplomacy"] * diplomacy
            + w["certification"] * cert
        )
        self.index = total / self.total
        return self.index

    def update(self, model: AllianceModel) -> None:
        """Recompute the index; track rupture, restoration and the months in rupture."""
        self.compute(model)
        us = model.us
        aid_cut = us.on("security_aid_cut") or us.security_aid <= self.aid_floor
        intel_cut = us.intel_sharing <= self.intel_floor
        broken = self.index < self.ci_threshold and aid_cut and intel_cut
        if not self.in_rupture:
            self._streak = self._streak + 1 if broken else 0
            if self._streak >= self.months_needed:
                self.in_rupture = True
                self._recovery = 0
                if self.rupture_month is None:
                    self.rupture_month = model.month
                model.recorder.event("rupture", model.month)  # it keeps the first
        else:
            reversed_ = not aid_cut and not intel_cut
            self._recovery = self._recovery + 1 if reversed_ else 0
            if self._recovery >= self.months_needed:
                self.in_rupture = False
                self._streak = 0
                if self.restoration_month is None:
                    self.restoration_month = model.month
                model.recorder.event("restoration", model.month)  # it keeps the first
        self.rupture_months += self.in_rupture
