"""The United States: tension toward Bogotá, its measures, the September certification, aid.

**Tension** (0-1) relaxes toward a target ``1 - exp(-s g)`` (a Richardson-type reaction that
saturates), with ``s`` the administration's scale and ``g`` the grievance: the structural
grievance (coca above an acceptable level discounted by Colombia's counter-narcotics effort, an
extradition shortfall, a soft posture, a Beijing-leaning government's ties with China, a
Caracas-accommodating government while Washington presses Caracas, migration), plus Colombia's
hostility and its recent escalation moves, minus its recent concessions. Seed 001 names the
interests: "drugs, migration, Venezuela, and Chinese influence".

**Measures** (tariffs threatened and imposed, visa bans and sanctions on officials, measures on
the president personally, civil aid, security aid and intelligence cuts, strikes on trafficking
vessels and on Colombian soil, the ambassador recalled) start and end with the hazards of
:mod:`.measures`; rhetoric is an event. Strikes on vessels rise with the pressure on Caracas
(the campaign began against Venezuelan boats); measures on the president rise with the feud
between the leaders and lapse when the president leaves office.

**Certification** is decided each September: not certified with probability
``logistic(a + b (T - T_ref) + c alignment + d extradition shortfall + e eradication
shortfall)`` (:meth:`UnitedStates.colombian_record`; ``a``, ``c``, ``d``, ``e`` fitted on the
record of determinations, :mod:`rift.validation.events.certification`); if not, without a
waiver with probability ``logistic(a_w + b_w (T - T_ref) + c_w [security aid cut])`` (a
waiver exists to keep aid flowing). Decertification without a waiver cuts aid by law.

**Instruments** follow: security aid (cut to a residual by the cut or by decertification
without waiver), civil aid (after USAID's dismantling), intelligence sharing, the tariff rate.
A scenario that forces an instrument holds its measure in the state the value implies
(:meth:`UnitedStates.measures_held_by_instruments`; :data:`rift.catalogue.INSTRUMENT_MEASURES`).

"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from rift.calendar import CERTIFICATION_MONTH, US_ADMINISTRATIONS
from rift.catalogue import CATALOGUE, INSTRUMENT_MEASURES
from rift.model.actors.base import Actor
from rift.model.actors.common import clip01, logistic, pick, put, relax
from rift.model.actors.measures import Measures, Slopes, event_happens
from rift.model.streams import poisson_from_uniform
from rift.months import calendar_month
from rift.record import PRESIDENT_ALIGNMENT

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel


class UnitedStates(Actor):
    """The US government: tension, measures, certification and the aid instruments."""

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        p = model.p
        self.stream = model.streams["us"]
        self.tension = p["init.us_hostility"]
        self.adjust_years = 1.0 / p["us.hostility_adjust_per_yr"]
        self.noise = p["us.hostility_noise"]
        self.w = {
            k: p[f"us.grievance.{k}_weight"]
            for k in ("coca", "extradition", "hostility", "china", "posture", "venezuela")
        }
        self.w_moves = p["us.grievance.moves_weight"]
        self.w_concessions = p["us.grievance.concession_weight"]
        self.w_migration = p["us.grievance.migration_weight"]
        self.coca_reference = p["us.grievance.coca_reference_ha"]
        self.extradition_reference = p["us.grievance.extradition_reference"]
        self.action_credit = p["us.grievance.action_credit"]
        self.admin_scale = {a: p[f"us.admin.{a}.grievance_scale"] for a in US_ADMINISTRATIONS}
        self.anticipation = p["us.anticipation"]
        self.base_security = p["us.aid_total_musd"] * p["us.aid_security_share"]
        self.base_civil = p["us.aid_total_musd"] * (1.0 - p["us.aid_security_share"])
        self.security_residual = p["us.security_cut_residual"]
        self.civil_residual = p["us.civil_cut_residual"]
        self.decert_residual = p["us.certification.decertified_aid_residual"]
        self.tariff_level = p["us.tariff_level"]
        self.aid_floor = p["rupture.aid_floor_musd"]
        self.intel_floor = p["rupture.intel_floor"]
        self.cert = {
            k: p[f"us.certification.{k}"]
            for k in ("not_intercept", "not_slope", "alignment_slope", "extradition_slope",
                      "eradication_slope", "no_waiver_intercept", "no_waiver_slope",
                      "no_waiver_aid_cut")
        }  # fmt: skip
        self.strike_venezuela = p["us.strikes.venezuela_weight"]
        self.strike_deaths_rate = p["us.strikes.deaths_per_month"]
        self.feud_weight = p["us.president_measures.feud_weight"]
        self.tariffs_without_threat = p["us.tariffs.without_threat"]
        self.rhetoric_intercept = p[CATALOGUE.get("us.rhetoric").intercept("event")]
        self.start_slopes = Slopes.from_registry(p, "start")
        self.k_start = p["events.tension.start_slope"]
        self.reference = p["events.tension.reference"]
        self.civil_factor = 1.0
        self.measures = Measures.catalogued("us", p)
        self.certification = p["init.us_certification"]
        self.recertified_month: int | None = None
        self.decertified_month: int | None = None
        self.security_aid = self.base_security
        self.civil_aid = self.base_civil
        self.intel_sharing = 1.0
        self.tariff = 0.0
        self.strike_deaths = 0
        self.strike_deaths_cum = 0
        self.rhetoric_now = False
        self.apply_instruments({})

    #: The attributes a month changes (the rest is read from the run's parameters).
    STATE = (
        "tension",
        "civil_factor",
        "certification",
        "recertified_month",
        "decertified_month",
        "security_aid",
        "civil_aid",
        "intel_sharing",
        "tariff",
        "strike_deaths",
        "strike_deaths_cum",
        "rhetoric_now",
    )
    ON_CALENDAR: ClassVar[Mapping[str, str]] = {"usaid_dismantled": "dismantle_usaid"}

    def get_state(self) -> dict[str, Any]:
        """This actor's state: copies of :attr:`STATE` and its measures."""
        state = pick(self, self.STATE)
        state["measures"] = self.measures.get_state()
        return state

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`."""
        put(self, self.STATE, state)
        self.measures.set_state(state["measures"])

    # -- tension ------------------------------------------------------------------------
    def grievance(self) -> float:
        """The structural grievance and the reaction to Colombia (before the admin's scale)."""
        m = self.model
        col, china, ven = m.colombia, m.china, m.venezuela
        excess = max(0.0, m.territory.coca_total / self.coca_reference - 1.0)
        excess /= 1.0 + excess  # saturating: the tenth 100,000 ha angers less than the first
        w = self.w
        g = w["coca"] * excess * (1.0 - self.action_credit * col.counternarcotics_effort())
        g += w["extradition"] * self.extradition_shortfall()
        g += w["hostility"] * col.tension
        g += w["china"] * china.channel * china.engagement * col.china_tilt
        g += w["posture"] * (1.0 - col.posture)
        g += w["venezuela"] * col.caracas_accommodation() * ven.pressure
        g += self.w_migration * ven.migration
        escalations, deescalations = m.ledger.recent("col", 3)
        g += self.w_moves * min(1.0, escalations / 3.0)
        g -= self.w_concessions * min(1.0, deescalations / 2.0)
        return g

    def extradition_shortfall(self) -> float:
        """How far Colombia's extraditions fall short of what Washington expects (0-1)."""
        offered = self.model.colombia.extraditions_offered()
        return max(0.0, 1.0 - offered / self.extradition_reference)

    def on(self, name: str) -> bool:
        """Whether a US measure is in force."""
        return self.measures.is_on(name)

    def measures_held_by_instruments(self, forced: Mapping[str, Any]) -> dict[str, bool]:
        """The US measures the forced instruments imply, for the month's decisions.

        Forcing an instrument states what is in force, so its measure is held accordingly
        (issue 21: forcing aid to $134 M otherwise left the cut "in force" in 42 % of runs, and
        forcing intelligence sharing to 0.2 blocked a rupture unseen):

        * security aid at or under what the cut leaves (``base x us.security_cut_residual``, or
          the rupture's aid floor if that is higher): the security-aid cut is in force; above
          it: ended (and not started while forced);
        * civil aid likewise with ``us.civil_cut_residual`` of today's civil aid;
        * intelligence sharing at or under ``rupture.intel_floor``: the intelligence cut;
        * a tariff rate above zero: tariffs.

        Args:
            forced: The instruments a scenario forces this month.

        Returns:
            Measure name (without ``us.``) to True (held on) or False (held off).
        """
        held: dict[str, bool] = {}
        for instrument, name in INSTRUMENT_MEASURES.items():
            if instrument not in forced:
                continue
            value = float(forced[instrument])
            measure = name.partition(".")[2]
            if measure == "security_aid_cut":
                cut_level = max(self.base_security * self.security_residual, self.aid_floor)
                held[measure] = value <= cut_level
            elif measure == "civil_aid_cut":
                held[measure] = value <= self.base_civil * self.civil_factor * self.civil_residual
            elif measure == "intel_cut":
                held[measure] = value <= self.intel_floor
            else:  # tariffs
                held[measure] = value > 0.0
        return held

    def coercion(self) -> float:
        """How much of the US's coercive repertoire is in force (0-1)."""
        return self.measures.count_on() / len(self.measures.names)

    # -- calendar and diplomacy ------------------------------------------------------------
    def dismantle_usaid(self) -> None:
        """USAID is dismantled (2025-02): civil aid falls by the programme's share."""
        self.civil_factor *= 1.0 - self.model.p["us.usaid_cut_share"]

    def on_runoff(self, elect: str) -> None:
        """Anticipate the president-elect: tension moves toward the new government's stance."""
        m = self.model
        shift = m.p[f"president.{elect}.hostility_base"] - m.colombia.tension
        self.tension = clip01(self.tension + self.anticipation * self.w["hostility"] * shift)

    def relieve(self, share: float) -> None:
        """A deal or a concession lowers tension by a share."""
        self.tension *= 1.0 - share

    def president_changed(self, month: int) -> None:
        """A new Colombian president: measures on the old one lapse (the catalogue says which)."""
        for name in CATALOGUE.lapsing_with_president("us"):
            self.measures.end(name, month)

    def outcomes(self) -> dict[str, float | str]:
        """Aid, intelligence sharing, certification, tension, strikes and the US measures."""
        return {
            "us_security_aid_musd": self.security_aid,
            "us_civil_aid_musd": self.civil_aid,
            "intel_sharing": self.intel_sharing,
            "certification": self.certification,
            "us_hostility": self.tension,
            "vessel_strike_deaths": self.strike_deaths,
            "vessel_strike_deaths_cum": self.strike_deaths_cum,
            **self.measures.outcomes(),
        }

    # -- the monthly decisions ---------------------------------------------------------------
    def _extra_start(self) -> dict[str, float]:
        m = self.model
        feud = self.feud_weight * m.diplomacy.feud()
        return {
            "vessel_strikes": self.strike_venezuela * (m.venezuela.pressure - 0.5),
            "president_measures": feud,
            "tariffs": 0.0 if self.measures.is_on("tariff_threat") else self.tariffs_without_threat,
        }

    def colombian_record(self) -> float:
        """The log odds of not certifying that Colombia's own record adds (issue 21).

        ``c alignment + d extradition shortfall + e eradication shortfall``: the president's
        alignment (:data:`rift.record.PRESIDENT_ALIGNMENT`), the extraditions offered against
        ``us.grievance.extradition_reference`` and one minus the eradication share of the
        counter-narcotics effort; the slopes are fitted on the record of determinations
        (:mod:`rift.validation.events.certification`).
        """
        col, c = self.model.colombia, self.cert
        return (
            c["alignment_slope"] * PRESIDENT_ALIGNMENT[col.president]
            + c["extradition_slope"] * self.extradition_shortfall()
            + c["eradication_slope"] * (1.0 - col.eradication_share())
        )

    def determine_certification(self, forced: dict, u_not: float, u_waiver: float) -> None:
        """The September determination: certify, decertify with a waiver, or without.

        Args:
            forced: Instruments a scenario forces this month.
            u_not: A uniform number for certifying or not.
            u_waiver: A uniform number for the waiver.
        """
        m = self.model
        before = self.certification
        if "us.certification" in forced:
            status = forced["us.certification"]
        else:
            gap = self.tension - self.reference
            c = self.cert
            p_not = logistic(c["not_intercept"] + c["not_slope"] * gap + self.colombian_record())
            p_no_waiver = logistic(
                c["no_waiver_intercept"]
                + c["no_waiver_slope"] * gap
                + c["no_waiver_aid_cut"] * self.measures.is_on("security_aid_cut")
            )
            if u_not >= p_not:
                status = "certified"
            else:
                status = "decertified" if u_waiver < p_no_waiver else "waiver"
        self.certification = status
        # the recorder keeps each event's first month (in a batch from the present, the first
        # in the batch's horizon); the actor keeps the first ever, as its state
        if status != "certified":
            if self.decertified_month is None:
                self.decertified_month = m.month
            m.recorder.event("decertification", m.month)
        if status == "certified" and before != "certified":
            if self.recertified_month is None:
                self.recertified_month = m.month
            m.recorder.event("recertification", m.month)
        if status != before:
            (m.ledger.escalation if status != "certified" else m.ledger.deescalation)("us")

    def step(self) -> None:
        """Tension, measures, rhetoric, the September certification, instruments, strikes."""
        m = self.model
        forced = m.forced
        scale = self.admin_scale[m.us_administration] * m.us_politics.congress_factor
        target = -math.expm1(-scale * max(0.0, self.grievance()))  # 1 - exp(-scale g), in [0, 1)
        shock = self.noise * self.stream.standard_normal()
        self.tension = clip01(relax(self.tension, target, self.adjust_years) + shock)

        x = m.ledger.covariates("us")
        self.measures.step(
            m.month,
            self.tension,
            x,
            self.stream.random,
            self._extra_start(),
            {},
            {**m.forced_measures("us"), **self.measures_held_by_instruments(forced)},
        )
        u = self.stream.random()
        self.rhetoric_now = event_happens(
            self.rhetoric_intercept,
            self.start_slopes,
            x,
            self.k_start * (self.tension - self.reference),
            u,
        )
        moves = len(self.measures.started_now) + int(self.rhetoric_now)
        m.ledger.escalation("us", moves)
        m.ledger.deescalation("us", len(self.measures.ended_now))

        u_not, u_waiver = self.stream.random(), self.stream.random()  # drawn every month
        certification_month = calendar_month(m.month) == CERTIFICATION_MONTH
        if certification_month or (
            forced and forced.get("us.certification", self.certification) != self.certification
        ):
            self.determine_certification(forced, u_not, u_waiver)
        self.apply_instruments(forced)
        u = self.stream.random()
        self.strike_deaths = (
            poisson_from_uniform(u, self.strike_deaths_rate) if self.on("vessel_strikes") else 0
        )
        self.strike_deaths_cum += self.strike_deaths

    def apply_instruments(self, forced: dict) -> None:
        """Aid, intelligence sharing and the tariff from the measures in force (or forced)."""
        on = self.measures.on
        security = self.base_security
        if on["security_aid_cut"]:
            security *= self.security_residual
        if self.certification == "decertified":
            security = min(security, self.base_security * self.decert_residual)
        civil = self.base_civil * self.civil_factor
        if on["civil_aid_cut"]:
            civil *= self.civil_residual
        if self.certification == "decertified":
            civil = min(civil, self.base_civil * self.civil_factor * self.decert_residual)
        intel = 0.0 if on["intel_cut"] else 1.0
        tariff = self.tariff_level if on["tariffs"] else 0.0
        self.security_aid = forced.get("us.security_aid_musd", security)
        self.civil_aid = forced.get("us.civil_aid_musd", civil)
        self.intel_sharing = forced.get("us.intel_sharing", intel)
        self.tariff = forced.get("us.tariff_rate", tariff)
