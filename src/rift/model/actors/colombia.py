"""Colombia: the president's policies, tension, counter-measures, concessions, capability.

**Policies** (posture, eradication, extraditions, China tilt) move toward the president's
priors with a lag; a new president's priors are reached only as far as Congress lets them
(``governability``, 1 until the 2026 Congress is elected).

**Tension** (0-1) relaxes toward the president's baseline plus a reaction to the share of the US
repertoire in force and to US strikes (the sovereignty reaction: "Do not threaten our
sovereignty", seed 001) — the other half of the Richardson pair. **Approval** relaxes toward
a target that moves with the run (:func:`rift.model.approval.approval_target`: a honeymoon that
decays, armed control gained since the oath, the cost of US measures), wanders with monthly
shocks, and rallies when US coercion rises.

**Counter-measures** (refusing deportation flights, recalling the ambassador, suspending
extraditions, intelligence sharing and US arms purchases, ending military cooperation) start and
end with the hazards of :mod:`.measures`: a refusal of deportation flights needs US flights to
refuse (mass deportation by military aircraft is a second-Trump-administration policy), the
intelligence suspension rises while the US strikes boats (it was ordered "as long as the missile
attacks on boats continue", 2025-11-11), the extradition suspension with a Paz Total posture
(extradition "is suspended" for people "in advanced peace processes", 2025-09-17). The
suspension withholds a share of the extraditions (``col.extradition_suspension.withheld_share``:
3 of 403 withheld, 22 pending signature in December 2025), not all of them; a lapse of
law-enforcement cooperation (:mod:`.institutions`) stops them all.

**Concessions** (accepting deportation flights, an extradition surge, resuming eradication) are
events whose hazard rises with the cost of the US measures in force to Colombia (tariffs on the
29 % of exports that go to the US, aid lost), which China's trade and finance offset
(:mod:`.china`), and with the record's fitted cost slope on the crisis's measures in force
(``events.slope.cost.deal``, :func:`~rift.model.actors.measures.crisis_cost`); tension does
not lower it. A concession ends a refusal of deportation flights and relieves US tension.

**Capability** = force size x leadership (after the purge of generals) x an aid multiplier
relative to a fixed pre-crisis level of US security aid (so the level of aid matters) x military
cooperation. **Intelligence** combines US sharing (with police cooperation) and own capacity.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rift.calendar import term_start_at
from rift.catalogue import CATALOGUE
from rift.model.actors.base import Actor
from rift.model.actors.common import DT, clip01, pick, put, relax
from rift.model.actors.measures import Measures, Slopes, crisis_cost, event_happens
from rift.model.approval import ApprovalParams, approval_target
from rift.model.streams import poisson_from_uniform

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel


class Colombia(Actor):
    """The Colombian government: president, policies, tension, measures and capability."""

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.stream = model.streams["colombia"]
        self._prior_cache: dict[str, dict[str, float]] = {}
        self.president = model.president_at_start
        self.president_elect: str | None = None
        pres = self._priors(self.president)
        self.posture = pres["posture"]
        self.eradication_rate = pres["eradication_ha_per_yr"]
        self.extradition_rate = pres["extraditions_per_yr"]
        self.china_tilt = pres["china_tilt"]
        self.governability = 1.0
        self.tension = p["init.col_hostility"]
        self.approval = p["init.approval"]
        self.approval_base = p["col.approval_base"]
        self.force = p["init.security_forces"]
        self.force_reference = p["init.security_forces"]
        self.policy_years = p["col.policy_adjust_months"] / 12.0
        self.tension_years = 1.0 / p["col.hostility_adjust_per_yr"]
        self.noise = p["col.hostility_noise"]
        self.strike_weight = p["col.hostility_strike_weight"]
        self.rally = p["col.approval_rally"]
        self.approval_years = 1.0 / p["col.approval_adjust_per_yr"]
        self.approval_params = ApprovalParams.from_mapping(p)
        self.term_start = term_start_at(model.start)
        self.control_at_oath = model.territory.control_count / model.geo.n
        self.aid_lag_years = p["col.aid_lag_years"]
        self.aid_dependence = p["col.aid_dependence"]
        self.aid_reference = p["col.aid_reference_musd"]
        self.arms_effect = p["col.arms_suspension_effect"]
        self.intel_us_weight = p["col.intel_us_weight"]
        self.purge_years = p["col.purge_years"]
        self.recovery_years = p["col.leadership_recovery_years"]
        purge = p["col.general_purge_share"] * p["col.leadership_loss_per_purge"]
        self._purge_loss = purge
        self.leadership = self._leadership_target(self.president)
        self.measures = Measures.catalogued("col", p)
        self.extra = {
            "deportation_other_admin": p["col.measures.deportation_other_admin"],
            "strike_intel": p["col.measures.strike_intel_weight"],
            "paz_total_extradition": p["col.measures.paz_total_extradition_weight"],
        }
        self.rhetoric_intercept = p[CATALOGUE.get("col.rhetoric").intercept("event")]
        self.concession_intercept = p[CATALOGUE.get("col.concession").intercept("event")]
        self.cost_weight = p["col.concession.cost_weight"]
        self.cost_reference = p["col.concession.cost_reference_busd"]
        self.concession_relief = p["col.concession.us_relief"]
        self.surge_months = int(p["col.concession.extradition_surge_months"])
        self.surge_factor = p["col.concession.extradition_surge_factor"]
        self.withheld_share = p["col.extradition_suspension.withheld_share"]
        self.start_slopes = Slopes.from_registry(p, "start")
        self.deal_slopes = Slopes.from_registry(p, "deal")
        self.deal_cost_slope = p["events.slope.cost.deal"]
        self.inauguration_end_share = p["col.inauguration.end_share"]
        self.cost_cap = p["events.covariate.cost_cap"]
        self.k_start = p["events.tension.start_slope"]
        self.reference = p["events.tension.reference"]
        # Capability and intelligence start from the aid actually received (which the seeds'
        # disagreement about 2024 aid makes uncertain), relative to the fixed reference.
        self.aid_lag = p["us.aid_total_musd"] * p["us.aid_security_share"]
        self.extraditions_month = 0
        self.extraditions_12m = self.extradition_rate
        self._ext_window = deque([self.extradition_rate / 12.0] * 12, maxlen=12)
        self._coercion = 0.0
        self._surge_until = -1
        self.rhetoric_now = False
        self.concession_now = False
        # Read every month: looked up once (the parameter set is frozen for the run).
        self._joint_share = p["index.joint_posture_share"]
        self._eradication_reference = p["index.eradication_reference_ha"]

    #: The attributes a month changes (the rest is read from the run's parameters).
    STATE = (
        "president",
        "president_elect",
        "posture",
        "eradication_rate",
        "extradition_rate",
        "china_tilt",
        "governability",
        "tension",
        "approval",
        "term_start",
        "control_at_oath",
        "force",
        "leadership",
        "aid_lag",
        "extraditions_month",
        "extraditions_12m",
        "_coercion",
        "_surge_until",
        "rhetoric_now",
        "concession_now",
    )

    def get_state(self) -> dict[str, Any]:
        """This actor's state: copies of :attr:`STATE` and its measures."""
        state = pick(self, self.STATE)
        state["measures"] = self.measures.get_state()
        state["ext_window"] = list(self._ext_window)
        return state

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`."""
        put(self, self.STATE, state)
        self.measures.set_state(state["measures"])
        self._ext_window = deque(state["ext_window"], maxlen=self._ext_window.maxlen)

    # -- the president -----------------------------------------------------------------------
    def _priors(self, president: str) -> dict[str, float]:
        priors = self._prior_cache.get(president)
        if priors is None:
            priors = self._prior_cache[president] = self.model.p.group(f"president.{president}")
        return priors

    def _leadership_target(self, president: str) -> float:
        return 1.0 - self._purge_loss * self._priors(president)["keeps_purged_command"]

    def inaugurate(self, president: str) -> None:
        """A new president takes office; policy targets change from now on."""
        self.president = president
        self.president_elect = None
        m = self.model
        self.term_start = m.month
        self.control_at_oath = m.territory.control_count / m.geo.n
        self.approval = clip01(self.approval_base + self.approval_params.honeymoon)
        # The predecessor's counter-measures: each ends at the oath with the record's share
        # (one draw each whatever the state, so that paired runs stay paired).
        stream = m.streams["inauguration"]
        for name in self.measures.names:
            u = stream.random()
            if u < self.inauguration_end_share and self.measures.end(name, m.month):
                # recorded here: this month's measure step clears ``ended_now``
                m.recorder.event(f"col_{name}_end", m.month)
                m.ledger.deescalation("col")

    def caracas_accommodation(self) -> float:
        """How accommodating the government is toward Caracas (0 hostile - 1 aligned)."""
        return self._priors(self.president)["caracas_accommodation"]

    # -- what the US and the index read ---------------------------------------------------------
    def measure(self, name: str) -> bool:
        """Whether a Colombian counter-measure is in force."""
        return self.measures.is_on(name)

    def counternarcotics_effort(self) -> float:
        """Joint operations and eradication in [0, 1]: posture and eradication, weighted."""
        share = self._joint_share
        return share * self.posture + (1.0 - share) * self.eradication_share()

    def eradication_share(self) -> float:
        """Eradication against ``index.eradication_reference_ha``, capped at 1."""
        return min(1.0, self.eradication_rate / self._eradication_reference)

    def extraditions_offered(self) -> float:
        """Extraditions a year Colombia is willing to carry out (less the share it withholds)."""
        return self.extradition_rate * self._extradition_factor()

    def _extradition_factor(self) -> float:
        """The share of the extradition rate that goes ahead under the suspension (1 without)."""
        return 1.0 - self.withheld_share if self.measure("extradition_suspension") else 1.0

    @property
    def intel_cooperation(self) -> float:
        """Colombia's side of intelligence sharing (0 when suspended)."""
        return 0.0 if self.measure("intel_suspension") else 1.0

    def capability(self) -> float:
        """Force size x leadership x aid multiplier (against the reference) x military ties."""
        aid = self.aid_lag / self.aid_reference if self.aid_reference > 0 else 0.0
        multiplier = 1.0 - self.aid_dependence + self.aid_dependence * aid
        military = self.model.institutions.capability_factor()
        return (self.force / self.force_reference) * self.leadership * multiplier * military

    def intelligence(self) -> float:
        """Intelligence quality in [0, 1]: US sharing (with police cooperation), own capacity."""
        shared = self.model.intelligence_shared()
        return self.intel_us_weight * shared + (1.0 - self.intel_us_weight) * self.leadership

    def cost_of_us_measures(self) -> float:
        """What the US measures in force cost Colombia a year (USD bn), after China's offsets."""
        m = self.model
        return m.china.offset_cost(m.us.tariff, m.us.base_security + m.us.base_civil
                                   - m.us.security_aid - m.us.civil_aid)  # fmt: skip

    def outcomes(self) -> dict[str, float | str]:
        """Tension, the cost of US measures, extraditions, means, president, counter-measures."""
        return {
            "col_hostility": self.tension,
            "rupture_cost_busd": self.cost_of_us_measures(),
            "extraditions": self.extraditions_month,
            "posture": self.posture,
            "capability": self.capability() / self.model.capability_reference,
            "intel_quality": self.intelligence(),
            "approval": self.approval,
            "president": self.president,
            **self.measures.outcomes(),
        }

    # -- the month ---------------------------------------------------------------------------
    def _policies(self) -> None:
        forced = self.model.forced
        pres = self._priors(self.president)
        g = self.governability

        def toward(value: float, prior: float) -> float:
            return relax(value, value + g * (prior - value), self.policy_years)

        self.posture = forced.get("col.posture", toward(self.posture, pres["posture"]))
        self.eradication_rate = forced.get(
            "col.eradication_ha_per_yr",
            toward(self.eradication_rate, pres["eradication_ha_per_yr"]),
        )
        self.china_tilt = forced.get("col.china_tilt", toward(self.china_tilt, pres["china_tilt"]))
        self.extradition_rate = forced.get(
            "col.extraditions_per_yr",
            toward(self.extradition_rate, pres["extraditions_per_yr"]),
        )

    def _tension(self) -> float:
        """Tension and approval this month; returns the US coercion share."""
        m = self.model
        forced, us = m.forced, m.us
        pres = self._priors(self.president)
        coercion = us.coercion()
        strikes = us.on("vessel_strikes") or us.on("soil_strikes")
        target = pres["hostility_base"] + pres["coercion_reaction"] * coercion
        target += self.strike_weight * strikes
        shock = self.noise * self.stream.standard_normal()
        t = clip01(relax(self.tension, min(1.0, target), self.tension_years) + shock)
        self.tension = forced.get("col.hostility", t)
        rally = self.rally * max(0.0, coercion - self._coercion)
        self._coercion = coercion
        target = approval_target(
            self.approval_params,
            base=self.approval_base,
            months_in_office=m.month - self.term_start,
            control_gain=m.territory.control_count / m.geo.n - self.control_at_oath,
            cost=self.cost_of_us_measures(),
        )
        shock = self.approval_params.noise_sd * m.streams["approval"].standard_normal()
        self.approval = clip01(relax(self.approval, target, self.approval_years) + rally + shock)
        return coercion

    def _moves(self) -> None:
        """Counter-measures, rhetoric and concessions (their hazards; see the module doc)."""
        m = self.model
        us = m.us
        x = m.ledger.covariates("col")
        gap = self.tension - self.reference
        extra = {
            "deportation_refusal": 0.0
            if m.us_administration == "trump2"
            else self.extra["deportation_other_admin"],
            "intel_suspension": self.extra["strike_intel"] * us.on("vessel_strikes"),
            "extradition_suspension": self.extra["paz_total_extradition"] * (1.0 - self.posture),
        }
        self.measures.step(
            m.month, self.tension, x, self.stream.random, extra, {}, m.forced_measures("col")
        )
        u_rhetoric, u_concession = self.stream.random(), self.stream.random()
        self.rhetoric_now = event_happens(
            self.rhetoric_intercept, self.start_slopes, x, self.k_start * gap, u_rhetoric
        )
        cost = self.cost_weight * (self.cost_of_us_measures() / self.cost_reference)
        ripeness = self.deal_cost_slope * crisis_cost((us.measures, self.measures), self.cost_cap)
        self.concession_now = us.measures.count_on() > 0 and event_happens(
            self.concession_intercept, self.deal_slopes, x, cost + ripeness, u_concession
        )
        m.ledger.escalation("col", len(self.measures.started_now) + int(self.rhetoric_now))
        m.ledger.deescalation("col", len(self.measures.ended_now) + int(self.concession_now))
        if self.concession_now:
            m.recorder.event("concession", m.month)
            for name in CATALOGUE.ended_by_concession("col"):
                self.measures.end(name, m.month)
            us.relieve(self.concession_relief)
            self._surge_until = m.month + self.surge_months

    def step(self) -> None:
        """Policies, tension, moves, extraditions and capability for the month."""
        m = self.model
        us, forced = m.us, m.forced
        self._policies()
        self._tension()
        self._moves()

        rate = self.extradition_rate * (self.surge_factor if m.month <= self._surge_until else 1.0)
        if "col.extraditions_per_yr" not in forced:  # a forced rate is what is carried out
            rate *= self._extradition_factor()
            if not m.institutions.on("law_enforcement"):
                rate = 0.0
        u = self.stream.random()  # always drawn, to keep the stream aligned across scenarios
        self.extraditions_month = poisson_from_uniform(u, rate * DT)
        self._ext_window.append(self.extraditions_month)
        self.extraditions_12m = float(sum(self._ext_window))

        growth = self._priors(self.president)["force_growth_per_yr"]
        self.force *= (1.0 + growth) ** DT
        lead_target = self._leadership_target(self.president)
        years = self.purge_years if lead_target < self.leadership else self.recovery_years
        self.leadership = relax(self.leadership, lead_target, years)
        received = us.security_aid * (1.0 - self.arms_effect * self.measure("arms_suspension"))
        self.aid_lag = relax(self.aid_lag, received, self.aid_lag_years)
