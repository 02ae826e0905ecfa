"""AllianceModel: the US-Colombia alliance, its armed groups, China and Venezuela, month by month.

Each month (``step``): the scenario's forcing and the calendar (inaugurations, the 2026
and 2030 elections, the US ones, dated one-off events) apply; then the actors decide in the
order of their declaration (:data:`rift.model.actors.ACTORS`: Venezuela, China, the United
States, Colombia, diplomacy, institutions, the armed groups) and the territory is updated with
what they decided; the cooperation index and full rupture are computed and the month is
recorded by name (:mod:`rift.record`): the territory's and the alliance's outcomes here, each
actor's from the actor itself.
"""

from __future__ import annotations

import copy
import functools
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import mesa
import numpy as np

from rift.calendar import (
    COLOMBIA_INAUGURATIONS,
    DEFAULT_END,
    DEFAULT_START,
    EARLIEST_START,
    US_INAUGURATIONS,
    election_2026,
    one_off_events,
    president_at,
    us_administration_at,
)
from rift.calibration import calibration_start, posterior
from rift.geography import load_geography
from rift.model import actors as cast
from rift.model import rules
from rift.model.actors import (
    Actor,
    ArmedGroup,
    China,
    Colombia,
    Diplomacy,
    Institutions,
    UnitedStates,
    Venezuela,
)
from rift.model.actors.measures import Ledger, Measures
from rift.model.campaign import POLL_MONTH, Campaign
from rift.model.conditions import Conditions
from rift.model.cooperation import Cooperation
from rift.model.election_2030 import Campaign2030
from rift.model.election_us import UsPolitics
from rift.model.forcing import Intervention, Shock, forcing_for
from rift.model.initial import build_initial_state
from rift.model.state import STATE_VERSION, ModelState
from rift.model.streams import Streams
from rift.model.territory import Territory, TerritoryInputs
from rift.months import calendar_month, format_month, parse_month
from rift.parameters import ParameterSet, registry
from rift.record import GROUPS, Recorder, RunResult

#: The month the cocaine yield per hectare (``coca.yield_kg_per_ha``) describes: UNODC's 2023
#: survey, compared with the model's December.
YIELD_REFERENCE_MONTH = parse_month("2023-12")


def _check_consistency(p: ParameterSet) -> None:
    """Relations between parameters that single-parameter ranges cannot express."""
    cuts = [p[f"zone.cut_{k}"] for k in (2, 3, 4, 5)]
    if not all(a < b for a, b in itertools.pairwise(cuts)):
        raise ValueError(f"zone cuts must increase: cut_2..cut_5 = {cuts}")


#: The US administration of a month number (the calendar parses dates; cached per process).
_us_administration_at = functools.lru_cache(maxsize=4096)(us_administration_at)


def _month_number(month: str | int) -> int:
    """A month given as ``YYYY-MM`` or as a month number."""
    return month if isinstance(month, int) else parse_month(month)


def _recorded(column: int, model: AllianceModel) -> float:
    """The latest recorded value of an outcome column (a picklable DataCollector reporter)."""
    return float(model.recorder.values[model.recorder.row, column])


def _forget_id_counter(model: mesa.Model) -> None:
    """Drop Mesa 3.3's class-level unique-id counter for this model once its agents exist.

    Mesa 3.3 keeps ``Agent._ids``, a dict keyed by model, that holds every model ever built
    alive (about 200 kB per run: a batch of 10,000 runs would keep 2 GB). All agents of this
    model are created in its constructor, so the counter is not needed afterwards. Mesa 3.5
    has no such dict.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


class AllianceModel(mesa.Model):
    """The alliance model: the actors over a numpy territory, stepped monthly.

    Args:
        rng: Seed for ``mesa.Model`` (an int, a ``numpy.random.SeedSequence`` or a
            Generator). Every random draw comes from named streams derived from it.
        start: First simulated month, ``YYYY-MM`` or a month number (not before 2018-08).
        end: Last simulated month, ``YYYY-MM`` or a month number.
        parameters: A :class:`ParameterSet`, or overrides by dotted name.
        interventions: Dated ``set`` actions forcing instruments (dicts with ``at``, ``set``,
            optional ``until``, or :class:`~rift.model.forcing.Intervention` objects); with
            ``when`` (a condition parsed by :func:`rift.scenario.when.parse_condition`)
            and ``mode`` (``once`` or ``while``), conditional (:mod:`rift.model.conditions`).
        shocks: Dated starts and ends of measures (dicts with ``at``, ``start``, ``end``,
            optional ``until``, or :class:`~rift.model.forcing.Shock` objects); conditional
            with ``when`` and ``mode``, as interventions.
        election: The 2026 election (:mod:`rift.model.campaign`): by default the vote is
            simulated from the polls; ``{"first_round": {...}}``, ``{"runoff": {...}}`` or
            ``{"shift": {...}}`` condition it; ``{"winner": "right"}`` or
            ``{"priors": {"left": p, "centre": p, "right": p}}`` replace it with a draw;
            ``winner_2030``, ``us_2028`` and ``midterms_2026`` fix the later elections
            (:mod:`rift.model.election_2030`, :mod:`rift.model.election_us`).
        collect: Whether to fill the mesa ``DataCollector`` each step (needed by
            ``mesa.batch_run``; the rift runner reads :meth:`result` instead).
        calibrated: Draw the calibrated parameters not given in ``parameters`` from the
            packaged posterior (one particle, stream ``calibration``), as the shipped
            scenarios do; the runner, which samples every run itself, passes False.
        state: A :class:`~rift.model.state.ModelState` to continue from (``state()`` of a
            run, or ``ModelState.load``): the initialisation is skipped and the run goes on at
            the month after the state's. Its parameters are used (``parameters`` and
            ``overrides``, if given, are set on top of them); ``start`` must be the state's
            (None takes it), ``end`` may be another month after the state's (None: the
            state's). With ``rng=None`` every random stream continues where the state left
            it (a restart, bit for bit); a seed draws the future from that seed instead. The
            scenario (``interventions``, ``shocks``, ``election``) is not part of the state
            and is given again.
        **overrides: Parameter overrides by dotted name (``**{"us.intel_sharing": 0.2}``),
            as ``mesa.batch_run`` passes swept parameters.
    """

    def __init__(
        self,
        rng: Any = None,
        *,
        start: str | int | None = None,
        end: str | int | None = None,
        parameters: ParameterSet | Mapping[str, Any] | None = None,
        interventions: Sequence[Intervention | Mapping[str, Any]] = (),
        shocks: Sequence[Shock | Mapping[str, Any]] = (),
        election: Mapping[str, Any] | None = None,
        collect: bool = True,
        calibrated: bool = True,
        state: ModelState | None = None,
        **overrides: Any,
    ) -> None:
        super().__init__(rng=rng)
        reg = registry()
        restart = state is not None and rng is None
        if state is not None:
            state = state.copy()  # one state may start many runs: never share its arrays
            self.start, self.end = self._restart_horizon(state, start, end)
        else:
            self.start = _month_number(DEFAULT_START if start is None else start)
            self.end = _month_number(DEFAULT_END if end is None else end)
        if restart:
            self.streams = Streams.from_state(state.streams["named"])
        else:
            self.streams = Streams(self.rng.bit_generator.seed_seq)
        if state is not None:
            p = self._state_parameters(state, parameters, overrides)
        elif isinstance(parameters, ParameterSet):
            p = parameters.with_values(overrides) if overrides else parameters
        else:
            given = {**(parameters or {}), **overrides}
            drawn = self._calibrated_draw(set(given)) if calibrated else {}
            p = reg.resolve({**drawn, **given}, prefix="")
        self.p = p
        if self.start < EARLIEST_START:
            raise ValueError(
                "start must be 2018-08 or later (the model knows presidents from Duque on)"
            )
        if self.end < self.start:
            raise ValueError("end must not be before start")
        _check_consistency(p)
        self.month = self.start
        self.geo = load_geography()

        # Instruments fixed by parameters are forced for the whole run.
        fixed = {name: p[name] for name in reg.instruments() if p[name] is not None}
        self.forcing = forcing_for(self.start, self.end, fixed, interventions, shocks)
        #: The conditional interventions and shocks, and which are in force this month.
        self.conditions = Conditions(self.forcing.conditional)
        self.forced: dict[str, Any] = self.forcing.at(self.start)

        spec = dict(election or {})
        self.election = election_2026(spec.get("priors") or {}, spec.get("winner"))
        self.president_at_start = self._president_at_start(spec)
        self.us_politics = UsPolitics(self, spec)  # the 2026 midterms and the 2028 election
        self.us_administration = self.us_politics.administration(self.start)
        self.events = one_off_events(self.start, self.end)
        self.inaugurations = {
            parse_month(d): who
            for d, who in COLOMBIA_INAUGURATIONS
            if self.start < parse_month(d) <= self.end
        }
        self.winner: str | None = None
        self.recorder = Recorder(self.end - self.start + 1)
        self.ledger = Ledger(p)
        for date, _ in (*COLOMBIA_INAUGURATIONS, *US_INAUGURATIONS):
            if parse_month(date) <= self.start:  # changes the covariate C can still see
                self.ledger.leader_change(parse_month(date))

        if state is not None:
            init = Territory.initial_from_state(state.territory, self.geo.n)
        else:
            init = build_initial_state(self.geo, p, self.streams["placement"])
        self.territory = Territory(self.geo, p, init)
        self.sigma = np.zeros(len(GROUPS))
        self.cooperation = Cooperation(p)
        self._build_actors()
        self.campaign = Campaign(self, spec)
        self.campaign_2030 = Campaign2030(self, spec)
        _forget_id_counter(self)
        if state is None and self.start > parse_month(
            "2025-02"
        ):  # USAID already dismantled before the start
            self.us.dismantle_usaid()
            self.us.apply_instruments(self.forced)

        self._presence_floor_effort = self._presence_effort(self.colombia.posture)
        self._capability_reference = self._reference_capability()
        self._yield_kg_per_ha = p["coca.yield_kg_per_ha"]
        self._yield_growth = p["coca.yield_growth_per_yr"]
        self._yield_max = p["coca.yield_max_kg_per_ha"]
        self._process_sd = np.array(
            [p["process.coca_growth_sd"]] + [p["process.recruitment_sd"]] * len(GROUPS)
        )
        self._process = np.ones(1 + len(GROUPS))  # this year's growth factors (see step)
        self._cache_territory_parameters(p)
        self.cooperation.compute(self)
        self.initial = self.outcomes()
        self.collect = collect
        self._datacollector: mesa.DataCollector | None = None
        if state is not None:
            self._set_state(state, restart)

    # The actors of the declaration, as attributes (set by the constructor, one per line of
    # ``ACTORS``; named here for readers and type checkers).
    venezuela: Venezuela
    china: China
    us: UnitedStates
    colombia: Colombia
    diplomacy: Diplomacy
    institutions: Institutions
    groups: list[ArmedGroup]

    @property
    def datacollector(self) -> mesa.DataCollector:
        """The mesa ``DataCollector`` of the outcomes, made on first use.

        ``mesa.batch_run`` reads it; the rift runner reads :meth:`result` and never needs it.
        """
        if self._datacollector is None:
            self._datacollector = mesa.DataCollector(
                model_reporters={
                    name: functools.partial(_recorded, k)
                    for k, name in enumerate(self.recorder.names)
                }
            )
        return self._datacollector

    @datacollector.setter
    def datacollector(self, value: mesa.DataCollector) -> None:
        self._datacollector = value

    # ------------------------------------------------------------------ set-up helpers
    def _build_actors(self) -> None:
        """Build the declared actors (:data:`rift.model.actors.ACTORS`), in order.

        Each line's actor (or list of actors) becomes the model attribute of its name; the
        flat list :attr:`actors` is the step order, :attr:`actor_parts` the saved-state keys.
        The calendar's one-off events go to the actors that handle them (``ON_CALENDAR``) and
        each sanctuary node to the actor whose border it lies on.
        """
        #: Every actor, in the order they step.
        self.actors: list[Actor] = []
        #: Every actor by its key in the saved state.
        self.actor_parts: dict[str, Actor] = {}
        #: What each dated one-off event of the calendar does, by its name.
        self.calendar_handlers: dict[str, Any] = {}
        #: Per actor governing a sanctuary: the 0/1 mask of its sanctuary nodes.
        self._sanctuaries: list[tuple[np.ndarray, Actor]] = []
        borders = np.array(self.geo.sanctuary_borders, dtype=object)
        for spec in cast.ACTORS:
            made = spec.make(self)
            setattr(self, spec.name, made if spec.part is not None else made[0])
            self.actors.extend(made)
            self.actor_parts.update(zip(spec.keys(made), made, strict=True))
            for actor in made:
                for event, method in actor.ON_CALENDAR.items():
                    if event in self.calendar_handlers:
                        raise ValueError(f"two actors handle the calendar event '{event}'")
                    self.calendar_handlers[event] = getattr(actor, method)
            if spec.sanctuary is not None:
                mask = (borders == spec.sanctuary).astype(np.float64)
                self._sanctuaries.extend((mask, actor) for actor in made)

    def _sanctuary_multiplier(self) -> np.ndarray:
        """Each sanctuary node's capacity relative to the start: its governing actor's tolerance.

        ``1 + mask (tolerance - 1)`` per governing actor (nodes no actor governs stay at 1).
        """
        multiplier = np.ones(len(self.geo.sanctuary_borders))
        for mask, actor in self._sanctuaries:
            multiplier = multiplier + mask * (actor.tolerance() - 1.0)
        return multiplier

    @property
    def capability_reference(self) -> float:
        """Colombia's capability at the start with reference aid: what ``capability`` divides by."""
        return self._capability_reference

    def _calibrated_draw(self, given: set[str]) -> dict[str, float]:
        """One particle of the packaged posterior (stream ``calibration``), as scenarios use.

        Parameters given explicitly keep their values; calibrated initial conditions
        (``init.*``) apply only to runs that start in the calibration's first month.
        """
        post = posterior()
        if post is None:
            return {}
        w = np.asarray(post.weights, float)
        k = int(self.streams["calibration"].choice(len(w), p=w / w.sum()))
        same_start = format_month(self.start) == calibration_start()
        reg = registry()
        return {
            name: (
                reg[name].choice_from_unit(post.samples[k, j])
                if reg[name].kind == "choice"
                else float(post.samples[k, j])
            )
            for j, name in enumerate(post.names)
            if name not in given and (same_start or not name.startswith("init."))
        }

    @staticmethod
    def _restart_horizon(state: ModelState, start: str | None, end: str | None) -> tuple[int, int]:
        """The horizon of a run continued from ``state`` (see ``state`` in the class doc)."""
        if state.version != STATE_VERSION:
            raise ValueError(f"a state of version {state.version}; this rift reads {STATE_VERSION}")
        if start is not None and _month_number(start) != state.start:
            raise ValueError(
                f"start {start} differs from the state's start {format_month(state.start)}"
            )
        last = state.end if end is None else _month_number(end)
        if last < state.month or (last == state.month and last != state.end):
            raise ValueError(
                f"end {format_month(last)} is not after the state's month "
                f"{format_month(state.month)}"
            )
        return state.start, last

    @staticmethod
    def _state_parameters(
        state: ModelState,
        parameters: ParameterSet | Mapping[str, Any] | None,
        overrides: Mapping[str, Any],
    ) -> ParameterSet:
        """The state's parameter set, with any given values on top.

        A state saved before a parameter was added to the registry (the shipped present, for
        ``col.extradition_suspension.withheld_share``) continues when the run gives that
        parameter's value (a batch gives its sampled values) or the parameter is fixed (no
        uncertainty: one value whatever the particle, e.g. ``events.covariate.cost_cap``);
        otherwise it is refused.
        """
        reg = registry()
        names = set(reg.defaults())
        saved = dict(state.parameters)
        given = {n: reg[n].default for n in names - set(saved) if not reg[n].uncertainty}
        given.update(parameters or {})
        given.update(overrides)
        missing = sorted(names - set(saved) - set(given))
        unknown = sorted(set(saved) - names)
        if missing or unknown:
            raise ValueError(
                f"the state's parameters do not match this rift's registry "
                f"(missing: {missing[:5]}, unknown: {unknown[:5]})"
            )
        if set(saved) != names:  # added since the state was saved: given above
            return reg.resolve({**saved, **given}, prefix="")
        base = ParameterSet(saved)
        return base.with_values(given) if given else base

    def _cache_territory_parameters(self, p: ParameterSet) -> None:
        """Parameters the territory's inputs read every month, looked up once."""
        self._ops_floor = p["state.ops_effort_floor"]
        self._attrition_rate = p["state.attrition_rate_per_yr"]
        self._civil_aid_effect = p["territory.civil_aid_effect"]
        self._tariff_effect = p["territory.tariff_effect"]
        self._price = {
            "supply_reference": p["coca.price.supply_reference_ha"],
            "supply_elasticity": p["coca.price.supply_elasticity"],
            "seizure_reference": p["coca.price.seizure_reference"],
            "seizure_elasticity": p["coca.price.seizure_elasticity"],
        }
        self._us_interdiction = p["coca.price.us_intel_share"]
        self._intel_presence = p["territory.intel_presence_weight"]
        self._seizure_rent = p["territory.seizure_rent_elasticity"]
        self._soil_strike_rate = p["strikes.soil.attrition_rate_per_yr"]
        self._soil_strike_recruitment = p["strikes.soil.recruitment_boost"]

    def _reference_capability(self) -> float:
        """Capability at the start with US security aid at its fixed pre-crisis reference.

        The territory's state presence is calibrated to the start; capability is measured
        against this reference, so a run that starts with less aid (the seeds disagree about
        2024 aid) starts with a weaker state.
        """
        col = self.colombia
        return col.leadership * (col.force / col.force_reference)

    def _president_at_start(self, spec: Mapping[str, Any]) -> str:
        if self.start >= parse_month("2030-08") and spec.get("winner_2030") is None:
            raise ValueError("a run starting after the 2030 inauguration needs a fixed 2030 winner")
        if self.start >= parse_month("2030-08"):
            return str(spec["winner_2030"])
        if self.start < self.election.inauguration:
            return president_at(self.start)
        if self.election.winner is None:
            raise ValueError(
                "a run starting after the 2026 inauguration needs a fixed election winner"
            )
        return self.election.winner

    def _presence_effort(self, posture: float) -> float:
        floor = self.p["state.presence_effort_floor"]
        return floor + (1.0 - floor) * posture

    def forced_measures(self, side: str) -> dict[str, bool]:
        """Measures of ``side`` a scenario's shock sets on or off this month."""
        return self.forcing.measures(self.month, side, self.conditions.shocks)

    # ------------------------------------------------------------------ the calendar
    def _calendar(self, month: int) -> None:
        for name in self.events.get(month, ()):
            self.calendar_handlers[name]()
        if month in self.inaugurations:
            self._inaugurate(self.inaugurations[month])
        e = self.election
        if month == POLL_MONTH + 1 or (month == self.start and month > POLL_MONTH):
            self.campaign.note_poll_month()  # the state at the end of November 2025
        if month == e.congress:
            self.campaign.congress()
        if month == e.first_round:
            self.winner = self.campaign.first_round()
        if month == e.runoff and self.winner is not None:
            self.colombia.president_elect = self.winner
            self.us.on_runoff(self.winner)
        if month == e.inauguration and self.winner is not None:
            self.colombia.governability = self.campaign.governability(self.winner)
            self._inaugurate(self.winner)
        self.campaign_2030.month(month)
        self.us_politics.month(month)
        administration = self.us_politics.administration(month)
        if administration != self.us_administration:
            self.ledger.leader_change(month)
        self.us_administration = administration

    def _inaugurate(self, president: str) -> None:
        self.colombia.inaugurate(president)
        self.us.president_changed(self.month)
        self.ledger.leader_change(self.month)

    # ------------------------------------------------------------------ stepping
    @property
    def cooperation_index(self) -> float:
        """The cooperation index of the current state (0-1)."""
        return self.cooperation.index

    @property
    def in_rupture(self) -> bool:
        """Whether the alliance is in full rupture."""
        return self.cooperation.in_rupture

    def territory_inputs(self) -> TerritoryInputs:
        """The actors' decisions the territory update needs this month."""
        col, us = self.colombia, self.us
        c_rel = col.capability() / self._capability_reference
        presence = self._presence_effort(col.posture) / self._presence_floor_effort
        ops = self._ops_floor + (1.0 - self._ops_floor) * col.posture
        attrition = self._attrition_rate * c_rel * ops * col.intelligence()
        civil_gap = 1.0 - (us.civil_aid / us.base_civil if us.base_civil > 0 else 0.0)
        capacity = (
            1.0 + self._civil_aid_effect * max(0.0, civil_gap) + self._tariff_effect * us.tariff
        )
        sanctuary = self._sanctuary_multiplier()
        # Interdiction (1 with full cooperation at the start): US intelligence that reaches
        # operations, and the state's capability, each for its share of the seizures.
        w = self._us_interdiction
        shared = self.intelligence_shared()
        interdiction = (w * shared + (1.0 - w)) * c_rel
        price = rules.coca_price_index(self.territory.coca_total, interdiction, **self._price)
        # The groups' rent per coca hectare follows what is not seized.
        unseized = rules.unseized_ratio(interdiction, self._price["seizure_reference"])
        # Intelligence reaches presence and control, not only attrition: a share of the
        # state's local presence rests on the intelligence that reaches operations.
        v = self._intel_presence
        informed = 1.0 - v + v * min(1.0, shared)
        # Removals of commanders (the groups' own state) and US strikes on Colombian soil.
        recruitment = self._process[1:].copy()
        strike_rate = None
        if us.on("soil_strikes"):
            strike_rate = np.full(len(GROUPS), self._soil_strike_rate)
            recruitment *= 1.0 + self._soil_strike_recruitment
        disrupted = [g.recruitment_factor() for g in self.groups]
        if any(f != 1.0 for f in disrupted):
            recruitment *= np.array(disrupted)
        clash = [g.clash_factor() for g in self.groups]
        return TerritoryInputs(
            e_level=c_rel * presence * informed,
            attrition=attrition,
            capacity_multiplier=capacity,
            eradication_ha=col.eradication_rate / 12.0,
            sigma=self.sigma.copy(),
            uniforms=self.streams["territory"].random((len(GROUPS), self.geo.n_nodes)),
            sanctuary_multiplier=sanctuary,
            coca_price=price,
            coca_growth_factor=float(self._process[0]),
            recruitment_factor=recruitment[:, None],
            coca_rent_factor=unseized**self._seizure_rent,
            strike_rate=strike_rate,
            clash_factor=np.array(clash) if any(f != 1.0 for f in clash) else None,
        )

    def intelligence_shared(self) -> float:
        """US intelligence that reaches operations (1 with full cooperation).

        ``min(US sharing, Colombia's cooperation) x`` the share police cooperation carries
        (:meth:`Institutions.intelligence_factor`): what interdiction, the state's presence,
        the removals of commanders and the intelligence quality of operations read.
        """
        us, col = self.us, self.colombia
        return (
            min(us.intel_sharing, col.intel_cooperation) * self.institutions.intelligence_factor()
        )

    def _draw_process_shocks(self) -> None:
        """This year's growth factors of coca and of each group's recruitment.

        Why: the record swings from year to year more than the rules explain (coca +42 % in
        2016, -9 % in 2019); the swings come from what the model has no rule for (prices,
        weather, leadership, splits). Each January (and in the first month) every run draws a
        mean-one lognormal factor ``exp(sd z - sd^2 / 2)`` for coca growth and for each group's
        recruitment (``process.*``), always the same number of draws from the ``process``
        stream, so the streams stay paired across scenarios.
        """
        z = self.streams["process"].standard_normal(len(self._process_sd))
        sd = self._process_sd
        self._process = np.exp(sd * z - 0.5 * sd**2)

    def cocaine_yield(self, month: int) -> float:
        """Potential cocaine per hectare in a month: the 2023 figure on its trend, capped.

        ``Y(t) = min(Y_2023 (1 + g)^((t - 2023-12) / 12), Y_max)``. Why: UNODC's yield per
        hectare rose from 5.9 kg (2016) to 7.4 (2019) and 10.5 (2023): more productive
        plants and techniques (reference cocaine_potential_t / coca_ha).
        """
        years = (month - YIELD_REFERENCE_MONTH) / 12.0
        return min(self._yield_kg_per_ha * (1.0 + self._yield_growth) ** years, self._yield_max)

    def step(self) -> None:
        """Simulate one month."""
        if not self.running:
            return
        month = self.month
        if month == self.start or calendar_month(month) == 1:
            self._draw_process_shocks()
        if self.conditions:
            self.conditions.update(self, month)
            c = self.conditions
            if c.interventions or c.shocks:
                self.forcing.check(month, c.interventions, c.shocks)
        self.forced = self.forcing.at(month, self.conditions.interventions)
        self.ledger.begin(month)
        self._calendar(month)
        # In the declared order. The groups' steps are independent of each other (each sets its
        # own expansion rate from last month's territory), so their order does not matter: a
        # plain loop does what ``shuffle_do`` would, without the shuffle.
        for actor in self.actors:
            actor.step()
        self.territory.step(self.territory_inputs())
        self.cooperation.update(self)
        self._record_measure_events()
        self.recorder.month(month - self.start, self.outcomes())
        if self.collect:
            self.datacollector.collect(self)
        self.month += 1
        if self.month > self.end:
            self.running = False
            self.recorder.value("rupture_months", self.cooperation.rupture_months)
            for actor in self.actors:
                for name, value in actor.values().items():
                    self.recorder.value(name, value)

    def _record_measure_events(self) -> None:
        """The starts and ends of every actor's measures this month (``<side>_<m>_start``)."""
        for actor in self.actors:
            ms = getattr(actor, "measures", None)
            if not isinstance(ms, Measures):
                continue
            for name in ms.started_now:
                self.recorder.event(f"{ms.side}_{name}_start", self.month)
            for name in ms.ended_now:
                self.recorder.event(f"{ms.side}_{name}_end", self.month)

    def run(self, until: str | int | None = None) -> RunResult:
        """Step to the end of the horizon, or through month ``until``, and return the result.

        Args:
            until: The last month to step (``YYYY-MM`` or a month number), within the horizon
                and not before the month stepped last; None: the horizon's end. Continue
                with :meth:`run` again, or from :meth:`state` in a new model.
        """
        last = self.end if until is None else _month_number(until)
        if not self.start <= last <= self.end or last < self.month - 1:
            raise ValueError(
                f"until={format_month(last)} must lie in {format_month(self.month - 1)}.."
                f"{format_month(self.end)}"
            )
        while self.running and self.month <= last:
            self.step()
        return self.result()

    def run_until(self, month: str | int) -> ModelState:
        """Step through ``month`` (``YYYY-MM``) and return the state there."""
        self.run(until=month)
        return self.state()

    # ------------------------------------------------------------------ state
    def state(self) -> ModelState:
        """The run's state after the last month stepped (:mod:`rift.model.state`).

        ``AllianceModel(state=model.state(), ...)`` continues the run, bit for bit.
        """
        rec = self.recorder
        model = {
            "month": self.month,
            "running": self.running,
            "steps": self.steps,
            "sigma": self.sigma.copy(),
            "process": self._process.copy(),
            "forced_month": self.month - 1,
            "conditions": self.conditions.get_state(),
            "winner": self.winner,
            "us_administration": self.us_administration,
            "campaign_2030": self.campaign_2030.get_state(),
            "us_politics": self.us_politics.get_state(),
            "presence_floor_effort": self._presence_floor_effort,
            "capability_reference": self._capability_reference,
            "initial": dict(self.initial),
        }
        streams = {
            "named": self.streams.get_state(),
            "mesa_rng": copy.deepcopy(self.rng.bit_generator.state),
            "mesa_random": self.random.getstate() if hasattr(self, "random") else None,
        }
        return ModelState(
            version=STATE_VERSION,
            start=self.start,
            end=self.end,
            month=self.month - 1,
            parameters=dict(self.p),
            model=model,
            territory=self.territory.get_state(),
            actors={name: actor.get_state() for name, actor in self.actor_parts.items()},
            ledger=self.ledger.get_state(),
            cooperation=self.cooperation.get_state(),
            campaign=self.campaign.get_state(),
            recorder={
                "names": list(rec.names),
                "values": rec.values[: rec.row + 1].copy(),
                "row": rec.row,
                "events": dict(rec.events),
                "run_values": copy.deepcopy(rec.run_values),
            },
            streams=streams,
        ).copy()

    def _set_state(self, state: ModelState, restart: bool) -> None:
        """Continue from ``state`` (a copy the model may own); called by the constructor."""
        m = state.model
        self.month = int(m["month"])
        self.running = self.month <= self.end
        self.steps = m["steps"]
        self.sigma = np.array(m["sigma"], dtype=np.float64)
        self._process = np.array(m["process"], dtype=np.float64)
        # a state saved before conditional interventions existed has fired none
        self.conditions.set_state(m.get("conditions"))
        self.forced = self.forcing.at(int(m["forced_month"]), self.conditions.interventions)
        self.winner = m["winner"]
        self.us_administration = m["us_administration"]
        self.campaign_2030.set_state(m["campaign_2030"])
        self.us_politics.set_state(m["us_politics"])
        self._presence_floor_effort = m["presence_floor_effort"]
        self._capability_reference = m["capability_reference"]
        self.initial = dict(m["initial"])
        self.territory.set_state(state.territory)
        actors = self.actor_parts
        if set(state.actors) != set(actors):
            raise ValueError(
                f"the state's actors {sorted(state.actors)}, expected {sorted(actors)}"
            )
        for name, actor in actors.items():
            actor.set_state(state.actors[name])
        self.ledger.set_state(state.ledger)
        self.cooperation.set_state(state.cooperation)
        self.campaign.set_state(state.campaign)
        r = state.recorder
        rec = self.recorder
        if tuple(r["names"]) != tuple(rec.names):
            raise ValueError("the state's record has other outcomes than this rift declares")
        if set(r["events"]) - set(rec.events):
            raise ValueError("the state's record has other events than this rift declares")
        rows = int(r["row"]) + 1
        rec.values[:rows] = np.asarray(r["values"], dtype=np.float64)[:rows]
        rec.row = int(r["row"])
        # An event declared after the state was saved (the removals of commanders) had not
        # happened in it: it stays None.
        rec.events = {**rec.events, **dict(r["events"])}
        rec.run_values = dict(r["run_values"])
        if restart:
            self.rng.bit_generator.state = state.streams["mesa_rng"]
            if state.streams["mesa_random"] is not None and hasattr(self, "random"):
                self.random.setstate(state.streams["mesa_random"])

    # ------------------------------------------------------------------ outputs
    def snapshot(self) -> dict[str, float | str]:
        """The outcomes of the current state, by name."""
        return self.outcomes()

    def outcomes(self) -> dict[str, float | str]:
        """The monthly outcomes of the current state, by the names of :mod:`rift.record`.

        The territory's and the alliance's are computed here; every actor gives its own
        (:meth:`~rift.model.actors.base.Actor.outcomes`), in the declared order.
        """
        t = self.territory
        coca = t.coca_total
        out: dict[str, float | str] = {
            "presence_any": t.present_count,
            "control_any": t.control_count,
            "contested": t.contested_count,
            "coca_ha": coca,
            "cocaine_t": coca * self.cocaine_yield(self.month) / 1000.0,
            "members_total": float(t.members_by_group.sum()),
            "armed_revenue_musd": float(t.revenue.sum()),
            "cooperation_index": self.cooperation.index,
            "eradication_ha": t.eradicated,
            "displacement_new": t.new_displacement,
            "displacement_cum": t.displacement_cum,
            "rupture": float(self.cooperation.in_rupture),
        }
        for actor in self.actors:
            out.update(actor.outcomes())
        return out

    def result(self) -> RunResult:
        """The run's record as small arrays."""
        return self.recorder.result(self.start, self.territory.controller)

    def __repr__(self) -> str:
        span = f"{format_month(self.start)}..{format_month(self.end)}"
        return f"AllianceModel({span}, month={format_month(self.month)})"
