"""The catalogue of measures: every move either government can make, declared once.

A *measure* is a move of one side toward the other. Most are **states** that start and end
(tariffs, a visa ban, an extradition suspension: :mod:`rift.model.actors.measures` gives them
their monthly hazards); some are **events** without a state (rhetoric, a concession, a deal)
and one is an **annual** decision (the September certification). Everything that says what a
measure is lives in its entry here:

* its side and name, its label, and for a state its **severity** (0 words and visas ... 4
  force: a severe measure needs more tension to start);
* the **family** its fitted intercepts shrink toward in the hazard fit
  (:mod:`rift.validation.events.fit`), and so the names of those intercepts in the parameter
  registry (``events.<record side>.<name>.start_intercept`` ...);
* the rules that end it other than its own hazard: a leader-to-leader **deal**, a Colombian
  **concession**, or the Colombian **president** leaving office (a measure on the person).

The run record (:mod:`rift.record`: a 0/1 outcome ``<side>_<name>`` and the events
``<side>_<name>_start`` and ``_end`` of each state), the event panel the hazards are fitted on
(:mod:`rift.validation.events.panel`), the deal and concession rules and the actors read this
catalogue. A new measure is one :class:`Measure` here (or :meth:`Catalogue.declare` from an
extension) plus its fitted intercepts in ``parameters.yaml``. This module imports nothing from
rift.

The sides are ``us`` and ``col`` (Colombia) everywhere in the code; ``both`` is a move of the two
leaders together. The dated record of US-partner crises covers other partners too (Mexico,
Venezuela, Panama...), so its files and the registry's hazard names call Colombia's side
``partner`` (:data:`RECORD_SIDES`); that translation is made here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

#: The two governments, as the code names them.
SIDES: tuple[str, ...] = ("us", "col")
#: The name of each side in the dated record and in the registry's hazard names (stored files).
RECORD_SIDES: dict[str, str] = {"us": "us", "col": "partner", "both": "both"}
#: What a measure is: a state that starts and ends, an event, or an annual decision.
MEASURE_KINDS: tuple[str, ...] = ("state", "event", "annual")
#: The families the fitted intercepts shrink toward.
FAMILIES: tuple[str, ...] = ("us_coercive", "partner_counter", "deescalation")
#: Severity levels: 0 words and visas, 1 aid and tariffs, 2 security aid and boats, 3
#: intelligence, 4 force (the order of the escalation ladder the seeds describe).
SEVERITIES: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Measure:
    """One measure of the catalogue.

    Attributes:
        side: ``us``, ``col`` or ``both``.
        name: Its name within the side (``tariffs``).
        label: What it is, for tables and figures ("US tariffs in force").
        family: The family its fitted intercepts shrink toward (one of :data:`FAMILIES`).
        kind: One of :data:`MEASURE_KINDS`.
        severity: For a state, how much more tension it needs to start (0-4).
        ended_by_deal: A leader-to-leader deal ends it (the transactional measures).
        ended_by_concession: A Colombian concession to a US demand ends it.
        lapses_with_president: It targets Colombia's president and ends when they leave office.
    """

    side: str
    name: str
    label: str
    family: str
    kind: str = "state"
    severity: int = 0
    ended_by_deal: bool = False
    ended_by_concession: bool = False
    lapses_with_president: bool = False

    def __post_init__(self) -> None:
        if self.side not in RECORD_SIDES:
            raise ValueError(f"{self.name}: side must be one of {tuple(RECORD_SIDES)}")
        if self.kind not in MEASURE_KINDS:
            raise ValueError(f"{self.name}: kind must be one of {MEASURE_KINDS}")
        if self.family not in FAMILIES:
            raise ValueError(f"{self.name}: family must be one of {FAMILIES}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.name}: severity must be one of {SEVERITIES}")
        if self.kind == "state" and self.side == "both":
            raise ValueError(f"{self.name}: a state belongs to one side")

    @property
    def key(self) -> str:
        """``<side>.<name>``: how scenarios' shocks name it (``us.tariffs``)."""
        return f"{self.side}.{self.name}"

    @property
    def column(self) -> str:
        """``<side>_<name>``: its 0/1 outcome in the run record, and its events' prefix."""
        return f"{self.side}_{self.name}"

    @property
    def record_key(self) -> str:
        """Its name in the dated record and the event panel (``partner.intel_suspension``)."""
        return f"{RECORD_SIDES[self.side]}.{self.name}"

    def intercept(self, which: str) -> str:
        """The registry name of its fitted intercept for ``start``, ``end`` or ``event``.

        Raises:
            ValueError: ``which`` does not apply to the measure's kind (an event has only an
                ``event`` intercept, a state a ``start`` and an ``end`` one).
        """
        allowed = ("start", "end") if self.kind == "state" else ("event",)
        if which not in allowed:
            raise ValueError(f"{self.key} ({self.kind}) has no '{which}' intercept")
        return f"events.{self.record_key}.{which}_intercept"

    def intercepts(self) -> tuple[str, ...]:
        """The registry names of all its fitted intercepts (none for an annual decision)."""
        if self.kind == "annual":
            return ()
        return tuple(
            self.intercept(w) for w in (("start", "end") if self.kind == "state" else ("event",))
        )


@dataclass
class Catalogue:
    """The measures, in declaration order (the order each side's decisions are drawn in).

    ``declare`` adds a measure: the way an extension (or a test) adds one without editing this
    file. Keys (``<side>.<name>``) must be new.
    """

    measures: list[Measure] = field(default_factory=list)

    def __iter__(self) -> Iterator[Measure]:
        return iter(self.measures)

    def __len__(self) -> int:
        return len(self.measures)

    def declare(self, measure: Measure) -> None:
        """Add a measure; its key must be new."""
        if any(m.key == measure.key for m in self.measures):
            raise ValueError(f"'{measure.key}' is already catalogued")
        self.measures.append(measure)

    def remove(self, key: str) -> None:
        """Remove a measure by key (for tests that declare one)."""
        self.measures = [m for m in self.measures if m.key != key]

    def get(self, key: str) -> Measure:
        """A measure by ``<side>.<name>``."""
        for m in self.measures:
            if m.key == key:
                return m
        raise KeyError(key)

    def states(self, side: str) -> tuple[Measure, ...]:
        """The state measures of ``side``, in decision order."""
        return tuple(m for m in self.measures if m.side == side and m.kind == "state")

    def names(self, side: str) -> tuple[str, ...]:
        """The names of the state measures of ``side``, in decision order."""
        return tuple(m.name for m in self.states(side))

    def ended_by_deal(self, side: str) -> tuple[str, ...]:
        """The state measures of ``side`` a leader-to-leader deal ends."""
        return tuple(m.name for m in self.states(side) if m.ended_by_deal)

    def ended_by_concession(self, side: str) -> tuple[str, ...]:
        """The state measures of ``side`` a Colombian concession ends."""
        return tuple(m.name for m in self.states(side) if m.ended_by_concession)

    def lapsing_with_president(self, side: str) -> tuple[str, ...]:
        """The state measures of ``side`` that end when Colombia's president leaves office."""
        return tuple(m.name for m in self.states(side) if m.lapses_with_president)


def _us(name: str, label: str, severity: int, **rules: bool) -> Measure:
    return Measure("us", name, label, "us_coercive", severity=severity, **rules)


def _col(name: str, label: str, severity: int, **rules: bool) -> Measure:
    return Measure("col", name, label, "partner_counter", severity=severity, **rules)


#: The shipped catalogue. Within a side, states are in the order their decisions are drawn;
#: the order of the whole list is the order of the event panel's measures.
MEASURES: tuple[Measure, ...] = (
    _us("tariff_threat", "US tariffs threatened", 0, ended_by_deal=True),
    _us("tariffs", "US tariffs in force", 1, ended_by_deal=True),
    _us("visa_officials", "US visa bans on officials", 0, ended_by_deal=True),
    _us("sanctions_officials", "US sanctions on officials", 0),
    _us("president_measures", "US measures on the president", 0, lapses_with_president=True),
    _us("civil_aid_cut", "US civil aid cut", 1),
    _us("security_aid_cut", "US security aid cut", 2),
    _us("intel_cut", "US intelligence cut", 3),
    _us("vessel_strikes", "US strikes on trafficking vessels", 2),
    _us("soil_strikes", "US strikes on Colombian soil", 4),
    _us("ambassador_recall", "US ambassador recalled", 1, ended_by_deal=True),
    Measure("us", "rhetoric", "US hostile statements", "us_coercive", kind="event"),
    Measure("us", "decertification", "US decertification", "us_coercive", kind="annual"),
    _col("deportation_refusal", "Colombia refuses deportation flights", 0,
         ended_by_deal=True, ended_by_concession=True),
    _col("ambassador_recall", "Colombian ambassador recalled", 0, ended_by_deal=True),
    _col("extradition_suspension", "Colombia suspends extraditions", 2),
    _col("intel_suspension", "Colombia suspends intelligence sharing", 3),
    _col("arms_suspension", "Colombia suspends US arms purchases", 1),
    _col("military_cooperation", "Colombia ends military cooperation", 4),
    Measure("col", "rhetoric", "Colombian hostile statements", "partner_counter", kind="event"),
    Measure("col", "concession", "A Colombian concession", "deescalation", kind="event"),
    Measure("both", "deal", "A leader-to-leader deal", "deescalation", kind="event"),
)  # fmt: skip

#: The catalogue of this process.
CATALOGUE = Catalogue(list(MEASURES))

#: The shipped state measures of each side, in decision order (for code that needs a constant;
#: code that should see declared measures too asks :data:`CATALOGUE`).
US_MEASURES: tuple[str, ...] = CATALOGUE.names("us")
COL_MEASURES: tuple[str, ...] = CATALOGUE.names("col")

#: The US measures an instrument carries (instrument -> ``us.<measure>``): a scenario that
#: forces the instrument holds the measure in the state its value implies
#: (:meth:`rift.model.actors.us.UnitedStates.measures_held_by_instruments`), and may not shock
#: the same measure in the same month (:mod:`rift.scenario.checks`).
INSTRUMENT_MEASURES: dict[str, str] = {
    "us.security_aid_musd": "us.security_aid_cut",
    "us.civil_aid_musd": "us.civil_aid_cut",
    "us.intel_sharing": "us.intel_cut",
    "us.tariff_rate": "us.tariffs",
}
