"""China: engagement with Colombia, and the trade and finance that change the cost of a rupture.

**Engagement** (0-1: trade, investment, visits) rises as US-Colombian cooperation falls under a
government that leans toward Beijing and decays only slowly once invested (seed 001: Beijing
"has of late increased its engagement"; Colombia joined the Belt and Road on 2025-05-14).

**Channels.** Engagement matters to Washington (a term of the US grievance) and to Bogotá: it
lowers what US measures cost Colombia, and so how much Colombia concedes. US tariffs hit the
exports that go to the US (28.9 % of exports in 2024, USD 14.3 bn; DANE); China can absorb a
share of the lost sales (``china.trade_diversion``, times engagement; exports to China are 4.8 %
of exports, 96 % mining and energy, so the share is small and uncertain). Lost US aid can be
partly replaced by Chinese finance (``china.finance_busd`` a year, times engagement; Chinese FDI
was USD 0.27 bn in 2022, the Bogotá metro a USD 4.5 bn contract). Both weights are wide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rift.model.actors.base import Actor
from rift.model.actors.common import DT

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel


#: How strongly each ``variant.china`` makes China's channels act (a multiplier of the weights).
CHANNEL_FACTOR: dict[str, float] = {"none": 0.0, "moderate": 1.0, "strong": 2.0}


class China(Actor):
    """China's engagement with Colombia, in [0, 1], and its offsets of US measures."""

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.engagement = p["init.china_engagement"]
        self.rise = p["china.rise_per_yr"]
        self.decay = p["china.decay_per_yr"]
        self.bri_jump = p["china.belt_and_road_jump"]
        #: The strength of China's channels (``variant.china``): none, moderate or strong.
        self.channel = CHANNEL_FACTOR[p["variant.china"]]
        self.diversion = min(1.0, p["china.trade_diversion"] * self.channel)
        self.finance = p["china.finance_busd"] * self.channel
        self.us_exports = p["col.exports_to_us_busd"]

    #: The attributes a month changes (the rest is read from the run's parameters).
    STATE = ("engagement",)
    ON_CALENDAR: ClassVar[Mapping[str, str]] = {"belt_and_road": "belt_and_road"}

    def belt_and_road(self) -> None:
        """Colombia joins the Belt and Road Initiative (2025-05-14)."""
        self.engagement = min(1.0, self.engagement + self.bri_jump)

    def offset_cost(self, tariff: float, aid_lost_musd: float) -> float:
        """The yearly cost (USD bn) to Colombia of a US tariff and of lost aid, after China.

        ``tariff x exports to the US x (1 - diversion x engagement)`` plus the aid lost that
        Chinese finance (``finance x engagement``) does not replace.
        """
        trade = tariff * self.us_exports * (1.0 - self.diversion * self.engagement)
        aid = max(0.0, aid_lost_musd) / 1000.0
        return trade + max(0.0, aid - self.finance * self.engagement)

    def outcomes(self) -> dict[str, float | str]:
        """China's engagement with Colombia."""
        return {"china_engagement": self.engagement}

    def step(self) -> None:
        """Engagement grows with distance from Washington and a Beijing-leaning government."""
        m = self.model
        tilt = m.colombia.china_tilt
        gap = 1.0 - m.cooperation_index
        d = self.rise * tilt * gap * (1.0 - self.engagement)
        d -= self.decay * (1.0 - tilt) * self.engagement
        self.engagement = float(min(1.0, max(0.0, self.engagement + DT * d)))
