"""The actors: the United States, Colombia, the armed groups and China (mesa agents).

Each actor reads the world through the model and decides its instruments for the month.
The interaction is mechanistic (DESIGN §2): a Richardson-type hostility pair between the US
and Colombia; US aid feeds Colombian capability with a lag; capability and intelligence set
attrition and deterrence in the territory; rent drives armed-group expansion; a falling
cooperation index and a Beijing-leaning government raise Chinese engagement.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import mesa
import numpy as np

from rift.calendar import CERTIFICATION_MONTH
from rift.model.streams import poisson_from_uniform
from rift.months import calendar_month

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel

DT = 1.0 / 12.0

#: The US escalation ladder, lowest rung first (DESIGN §2).
LADDER: tuple[str, ...] = (
    "rhetoric",
    "sanctions",
    "decertify",
    "civil_cut",
    "tariffs",
    "security_cut",
    "intel_cut",
    "strikes",
)

#: Colombia's counter-measures, lowest first.
COL_MEASURES: tuple[str, ...] = (
    "arms_suspension",
    "ambassador_recall",
    "extradition_suspension",
    "intel_suspension",
)

_RUNG: dict[str, int] = {name: k for k, name in enumerate(LADDER)}
_DECERTIFY = _RUNG["decertify"]
_MEASURE: dict[str, int] = {name: k for k, name in enumerate(COL_MEASURES)}


def _relax(value: float, target: float, years: float) -> float:
    """Move ``value`` toward ``target`` by one month of exponential adjustment."""
    if years <= 0:
        return target
    return value + (target - value) * (1.0 - math.exp(-DT / years))


def _hysteresis(on: bool, level: float, threshold: float, band: float) -> bool:
    """Switch on at ``threshold``, off below ``threshold - band``."""
    if level >= threshold:
        return True
    if level < threshold - band:
        return False
    return on


class UnitedStates(mesa.Agent):
    """The US government: hostility, the escalation ladder and the aid instruments.

    Hostility follows a Richardson-type rule: it relaxes toward a grievance made of coca above
    an acceptable level (discounted by Colombia's counter-narcotics effort: "takes more
    aggressive action", seed 004), an extradition shortfall, Colombia's hostility (the reaction
    term), China's engagement with a Beijing-leaning government, and a soft security posture.
    Instruments switch on rung by rung as hostility crosses thresholds and switch off only
    below the threshold minus a band (hysteresis). Certification is decided each September.
    """

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.stream = model.streams["us"]
        self.hostility = p["init.us_hostility"]
        self.adjust_years = 1.0 / p["us.hostility_adjust_per_yr"]
        self.noise = p["us.hostility_noise"]
        self.thresholds = np.array([p[f"us.threshold.{r}"] for r in LADDER])
        self.band = p["us.hysteresis"]
        self.w = {
            k: p[f"us.grievance.{k}_weight"]
            for k in ("coca", "extradition", "hostility", "china", "posture")
        }
        self.coca_reference = p["us.grievance.coca_reference_ha"]
        self.extradition_reference = p["us.grievance.extradition_reference"]
        self.action_credit = p["us.grievance.action_credit"]
        self.admin_scale_table = {
            a: p[f"us.admin.{a}.grievance_scale"]
            for a in ("trump1", "biden", "trump2", "successor")
        }
        self.anticipation = p["us.anticipation"]
        self.base_security = p["us.aid_total_musd"] * p["us.aid_security_share"]
        self.base_civil = p["us.aid_total_musd"] * (1.0 - p["us.aid_security_share"])
        self.security_residual = p["us.security_cut_residual"]
        self.civil_residual = p["us.civil_cut_residual"]
        self.tariff_level = p["us.tariff_level"]
        self.civil_factor = 1.0
        self.rungs = [False] * len(LADDER)
        self.certification = p["init.us_certification"]
        self.recertified_month: int | None = None
        self.decertified_once = self.certification != "certified"
        self.administration = model.us_administration
        self.security_aid = self.base_security
        self.civil_aid = self.base_civil * self.civil_factor
        self.intel_sharing = 1.0
        self.tariff = 0.0
        self._set_rungs()
        self.apply_instruments({})

    # -- grievance and hostility --------------------------------------------------------
    def grievance(self) -> float:
        """The grievance the hostility relaxes toward (before the administration's scale)."""
        m = self.model
        col, china = m.colombia, m.china
        coca = m.territory.coca_total  # coca.sum() of the last update
        excess = max(0.0, coca / self.coca_reference - 1.0)
        g = self.w["coca"] * excess * (1.0 - self.action_credit * col.counternarcotics_effort())
        offered = col.extraditions_offered()
        g += self.w["extradition"] * max(0.0, 1.0 - offered / self.extradition_reference)
        g += self.w["hostility"] * col.hostility
        g += self.w["china"] * china.engagement * col.china_tilt
        g += self.w["posture"] * (1.0 - col.posture)
        return g

    def escalation(self) -> int:
        """Rungs of the ladder in force (0..8), counting decertification as its rung."""
        level = sum(self.rungs)
        level -= self.rungs[_DECERTIFY]
        return level + (self.certification != "certified")

    def _set_rungs(self) -> None:
        h, band, rungs = self.hostility, self.band, self.rungs
        for k, threshold in enumerate(self.thresholds.tolist()):
            if k == _DECERTIFY:
                continue
            # _hysteresis, inlined (eight rungs every month)
            if h >= threshold:
                rungs[k] = True
            elif h < threshold - band:
                rungs[k] = False
        rungs[_DECERTIFY] = self.certification != "certified"

    def on(self, rung: str) -> bool:
        """Whether a rung of the ladder is in force."""
        return self.rungs[_RUNG[rung]]

    def apply_instruments(self, forced: dict) -> None:
        """Set aid, intelligence sharing and tariffs from the measures in force (or forced)."""
        rungs = self.rungs
        intel_cut = rungs[_RUNG["intel_cut"]]
        security = self.base_security
        if rungs[_RUNG["security_cut"]] or self.certification == "decertified":
            security *= self.security_residual
        if intel_cut:
            security = 0.0
        civil = self.base_civil * self.civil_factor
        if rungs[_RUNG["civil_cut"]]:
            civil *= self.civil_residual
        if forced:
            self.security_aid = forced.get("us.security_aid_musd", security)
            self.civil_aid = forced.get("us.civil_aid_musd", civil)
            self.intel_sharing = forced.get("us.intel_sharing", 0.0 if intel_cut else 1.0)
            tariff = self.tariff_level if rungs[_RUNG["tariffs"]] else 0.0
            self.tariff = forced.get("us.tariff_rate", tariff)
        else:
            self.security_aid = security
            self.civil_aid = civil
            self.intel_sharing = 0.0 if intel_cut else 1.0
            self.tariff = self.tariff_level if rungs[_RUNG["tariffs"]] else 0.0
        self.strikes = rungs[_RUNG["strikes"]]

    def determine_certification(self, forced: dict) -> None:
        """The September determination: decertify, waive, or (re-)certify."""
        before = self.certification
        thr = self.thresholds[LADDER.index("decertify")]
        if "us.certification" in forced:
            status = forced["us.certification"]
        elif self.hostility >= thr:
            status = "decertified" if self.on("security_cut") else "waiver"
        elif self.hostility < thr - self.band:
            status = "certified"
        else:
            status = before
        self.certification = status
        if status != "certified":
            self.decertified_once = True
        elif before != "certified" and self.recertified_month is None:
            self.recertified_month = self.model.month
            self.model.recorder.event("recertification", self.model.month)

    def deportation_crisis(self) -> None:
        """The 2025-01-26 deportation crisis: hostility jumps by the crisis shock."""
        self.hostility = min(1.0, self.hostility + self.model.p["us.deportation_shock"])

    def dismantle_usaid(self) -> None:
        """USAID is dismantled (2025-02): civil aid falls by the programme's share."""
        self.civil_factor *= 1.0 - self.model.p["us.usaid_cut_share"]

    def on_runoff(self, elect: str) -> None:
        """Anticipate the president-elect: hostility moves toward the new government's stance."""
        m = self.model
        shift = m.p[f"president.{elect}.hostility_base"] - m.colombia.hostility
        self.hostility = float(
            np.clip(self.hostility + self.anticipation * self.w["hostility"] * shift, 0.0, 1.0)
        )

    def step(self) -> None:
        """Update hostility, the ladder, the certification (in September) and the instruments."""
        m = self.model
        forced = m.forced
        scale = self.admin_scale_table[m.us_administration]
        target = min(1.0, scale * self.grievance())
        shock = self.noise * self.stream.standard_normal()
        h = _relax(self.hostility, target, self.adjust_years) + shock
        self.hostility = float(min(1.0, max(0.0, h)))
        self._set_rungs()
        if calendar_month(m.month) == CERTIFICATION_MONTH or (
            forced and forced.get("us.certification", self.certification) != self.certification
        ):
            self.determine_certification(forced)
        self.rungs[_DECERTIFY] = self.certification != "certified"
        self.apply_instruments(forced)


class Colombia(mesa.Agent):
    """The Colombian government: president, posture, cooperation and security capability.

    Policy variables move toward the president's priors with a lag. Hostility toward the US
    relaxes toward the president's baseline plus a reaction to US coercion (the other half of
    the Richardson pair). Capability combines force size, leadership after the purge of
    generals, and US security aid with a lag; intelligence combines US sharing with own
    capacity, which the purge degraded too.
    """

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.stream = model.streams["colombia"]
        self._prior_cache: dict[str, dict[str, float]] = {}
        self._lead_targets: dict[str, float] = {}
        self._force_growth: dict[str, float] = {}
        self.president = model.president_at_start
        self.president_elect: str | None = None
        pres = self._priors(self.president)
        self.posture = pres["posture"]
        self.eradication_rate = pres["eradication_ha_per_yr"]
        self.extradition_rate = pres["extraditions_per_yr"]
        self.china_tilt = pres["china_tilt"]
        self.hostility = p["init.col_hostility"]
        self.approval = p["init.approval"]
        self.approval_base = p["col.approval_base"]
        self.force = p["init.security_forces"]
        self.force_reference = p["init.security_forces"]
        self.leadership = self._leadership_target(self.president)
        self.policy_years = p["col.policy_adjust_months"] / 12.0
        self.hostility_years = 1.0 / p["col.hostility_adjust_per_yr"]
        self.noise = p["col.hostility_noise"]
        self.strike_weight = p["col.hostility_strike_weight"]
        self.rally = p["col.approval_rally"]
        self.approval_years = 1.0 / p["col.approval_adjust_per_yr"]
        self.aid_lag_years = p["col.aid_lag_years"]
        self.aid_dependence = p["col.aid_dependence"]
        self.arms_effect = p["col.arms_suspension_effect"]
        self.intel_us_weight = p["col.intel_us_weight"]
        self.purge_years = p["col.purge_years"]
        self.recovery_years = p["col.leadership_recovery_years"]
        self.thresholds = [p[f"col.threshold.{k}"] for k in COL_MEASURES]
        self.band = p["col.hysteresis"]
        self.measures = [False] * len(COL_MEASURES)
        self.aid_reference = p["us.aid_total_musd"] * p["us.aid_security_share"]
        self.aid_lag = self.aid_reference
        self.extraditions_month = 0
        self.extraditions_12m = self.extradition_rate
        self._ext_window = deque([self.extradition_rate / 12.0] * 12, maxlen=12)
        self._coercion = 0.0
        self.eradicated_month = 0.0
        # Read every month: looked up once (the parameter set is frozen for the run).
        self._joint_share = p["index.joint_posture_share"]
        self._eradication_reference = p["index.eradication_reference_ha"]

    def _priors(self, president: str) -> dict[str, float]:
        priors = self._prior_cache.get(president)
        if priors is None:
            priors = self._prior_cache[president] = self.model.p.group(f"president.{president}")
        return priors

    def _leadership_target(self, president: str) -> float:
        target = self._lead_targets.get(president)
        if target is None:
            p = self.model.p
            purge = p["col.general_purge_share"] * p["col.leadership_loss_per_purge"]
            target = 1.0 - purge * p[f"president.{president}.keeps_purged_command"]
            self._lead_targets[president] = target
        return target

    def _monthly_force_growth(self, president: str) -> float:
        """``(1 + growth per year) ** (1/12)`` of a president's policy (same number each time)."""
        factor = self._force_growth.get(president)
        if factor is None:
            growth = self._priors(president)["force_growth_per_yr"]
            factor = self._force_growth[president] = (1.0 + growth) ** DT
        return factor

    def counternarcotics_effort(self) -> float:
        """Joint operations and eradication in [0, 1]: posture and eradication, weighted."""
        share = self._joint_share
        eradication = min(1.0, self.eradication_rate / self._eradication_reference)
        return share * self.posture + (1.0 - share) * eradication

    def extraditions_offered(self) -> float:
        """Extraditions a year Colombia is willing to carry out (0 while it suspends them).

        The US judges Colombia's willingness: a halt caused by the US cutting cooperation
        itself is not held against Colombia.
        """
        return 0.0 if self.measure("extradition_suspension") else self.extradition_rate

    def measure(self, name: str) -> bool:
        """Whether a Colombian counter-measure is in force."""
        return self.measures[_MEASURE[name]]

    @property
    def intel_cooperation(self) -> float:
        """Colombia's side of intelligence sharing (0 when suspended)."""
        return 0.0 if self.measure("intel_suspension") else 1.0

    def capability(self) -> float:
        """Security-force capability: force size x leadership x aid multiplier."""
        aid_multiplier = (
            1.0
            - self.aid_dependence
            + self.aid_dependence
            * (self.aid_lag / self.aid_reference if self.aid_reference > 0 else 0.0)
        )
        return (self.force / self.force_reference) * self.leadership * aid_multiplier

    def intelligence(self) -> float:
        """Intelligence quality in [0, 1]: US sharing and own capacity."""
        us = self.model.us
        shared = min(us.intel_sharing, self.intel_cooperation)
        return self.intel_us_weight * shared + (1.0 - self.intel_us_weight) * self.leadership

    def inaugurate(self, president: str) -> None:
        """A new president takes office; policy targets change from now on."""
        self.president = president
        self.president_elect = None

    def step(self) -> None:
        """Move policies toward the president's priors and update hostility and capability."""
        m = self.model
        forced = m.forced
        pres = self._priors(self.president)
        self.posture = forced.get(
            "col.posture", _relax(self.posture, pres["posture"], self.policy_years)
        )
        self.eradication_rate = forced.get(
            "col.eradication_ha_per_yr",
            _relax(self.eradication_rate, pres["eradication_ha_per_yr"], self.policy_years),
        )
        self.china_tilt = forced.get(
            "col.china_tilt", _relax(self.china_tilt, pres["china_tilt"], self.policy_years)
        )

        # Hostility (Richardson reaction to US coercion) and approval (rally effect).
        us = m.us
        coercion = us.escalation() / len(LADDER)
        target = pres["hostility_base"] + pres["coercion_reaction"] * coercion
        target += self.strike_weight * float(us.strikes)
        shock = self.noise * self.stream.standard_normal()
        h = _relax(self.hostility, min(1.0, target), self.hostility_years) + shock
        self.hostility = forced.get("col.hostility", float(min(1.0, max(0.0, h))))
        rally = self.rally * max(0.0, coercion - self._coercion)
        self._coercion = coercion
        a = _relax(self.approval, self.approval_base, self.approval_years) + rally
        self.approval = float(min(1.0, max(0.0, a)))
        h, band, measures = self.hostility, self.band, self.measures
        for k, thr in enumerate(self.thresholds):
            measures[k] = _hysteresis(measures[k], h, thr, band)

        # Extraditions end when either side suspends cooperation.
        rate = forced.get(
            "col.extraditions_per_yr",
            _relax(self.extradition_rate, pres["extraditions_per_yr"], self.policy_years),
        )
        self.extradition_rate = rate
        suspended = (
            self.measure("extradition_suspension") or us.on("intel_cut")
        ) and "col.extraditions_per_yr" not in forced
        u = self.stream.random()  # always drawn, to keep the stream aligned across scenarios
        self.extraditions_month = 0 if suspended else poisson_from_uniform(u, rate / 12.0)
        self._ext_window.append(self.extraditions_month)
        self.extraditions_12m = float(sum(self._ext_window))

        # Capability: force size, leadership, lagged US security aid.
        self.force *= self._monthly_force_growth(self.president)
        lead_target = self._leadership_target(self.president)
        years = self.purge_years if lead_target < self.leadership else self.recovery_years
        self.leadership = _relax(self.leadership, lead_target, years)
        received = us.security_aid * (1.0 - self.arms_effect * self.measure("arms_suspension"))
        self.aid_lag = _relax(self.aid_lag, received, self.aid_lag_years)


class ArmedGroup(mesa.Agent):
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


class China(mesa.Agent):
    """China's engagement with Colombia (trade, investment, visits), in [0, 1].

    Engagement rises as US-Colombian cooperation falls and with a government that leans
    toward Beijing, and decays only slowly once invested (seed 001: Beijing "has of late
    increased its engagement", "will seek to deepen its influence").
    """

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.engagement = p["init.china_engagement"]
        self.rise = p["china.rise_per_yr"]
        self.decay = p["china.decay_per_yr"]
        self.bri_jump = p["china.belt_and_road_jump"]

    def belt_and_road(self) -> None:
        """Colombia joins the Belt and Road Initiative (2025-05-14)."""
        self.engagement = min(1.0, self.engagement + self.bri_jump)

    def step(self) -> None:
        """Engagement grows with distance from Washington and a Beijing-leaning government."""
        m = self.model
        tilt = m.colombia.china_tilt
        gap = 1.0 - m.cooperation_index
        d = self.rise * tilt * gap * (1.0 - self.engagement)
        d -= self.decay * (1.0 - tilt) * self.engagement
        self.engagement = float(min(1.0, max(0.0, self.engagement + DT * d)))
