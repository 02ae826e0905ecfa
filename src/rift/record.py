"""The run record: every monthly outcome, every event and every per-run value, declared once.

A run of the model produces three things, all named here:

* **monthly outcomes** (:data:`OUTCOMES`): one value a month;
* **events** (:data:`EVENTS`): the first month something happened, or none;
* **run values** (:data:`VALUES`): one value per run that is not a month (a vote share).

Each has a name, a label, a unit and a kind that says how it is stored and shown:

=========== =================================== ==========================================
kind        what it is                          how rift shows it
=========== =================================== ==========================================
count       a count of municipalities           median and bands (fan charts)
amount      a non-negative quantity             median and bands
index       a number in [0, 1]                  median and bands
share       a share in [0, 1]                   median and bands
level       a small integer level               median and bands
flag        0 or 1 (a state in force)           the probability that it is on
category    one of ``labels``                   the share of runs in each label
=========== =================================== ==========================================

The model records by name; the results store, the analysis, the figures, the report and the
command line iterate over these declarations, so a new outcome or event is declared here and
recorded by the model, and nothing else changes. A measure's outcome and events follow from its
entry in the catalogue (:mod:`rift.catalogue`; :func:`declare_measure` adds one to both). This
module imports nothing from rift but the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rift.catalogue import CATALOGUE, SIDES, Measure
from rift.catalogue import COL_MEASURES as COL_MEASURES  # re-exported: the names by side
from rift.catalogue import US_MEASURES as US_MEASURES

#: The armed groups, in the order of the territory's arrays, with their labels.
GROUPS: tuple[str, ...] = ("egc", "eln", "dissidents")
GROUP_LABELS: dict[str, str] = {
    "egc": "Clan del Golfo (EGC)",
    "eln": "ELN",
    "dissidents": "FARC dissidents",
}

#: Colombian president types (history, then the 2026 winner's bloc).
PRESIDENT_TYPES: tuple[str, ...] = ("duque", "petro", "left", "centre", "right")
#: Each president type's alignment with Washington (the certification rule's covariate): its
#: bloc, right +1, centre 0, left -1 (Duque a right-wing president, Petro a left-wing one).
PRESIDENT_ALIGNMENT: dict[str, float] = {
    "duque": 1.0,
    "petro": -1.0,
    "left": -1.0,
    "centre": 0.0,
    "right": 1.0,
}
#: The US certification status, decided each September.
CERTIFICATION_STATUS: tuple[str, ...] = ("decertified", "waiver", "certified")

#: What each state measure is, by its outcome column ``<side>_<measure>`` (derived from the
#: catalogue, for readers that show the shipped measures).
MEASURE_LABELS: dict[str, str] = {
    m.column: m.label for side in SIDES for m in CATALOGUE.states(side)
}
#: Working ties between institutions, apart from leaders.
INSTITUTIONS: tuple[str, ...] = ("military", "police", "law_enforcement")

KINDS = ("count", "amount", "index", "share", "level", "flag", "category")
#: Kinds summarised by median and bands.
NUMERIC_KINDS = ("count", "amount", "index", "share", "level")


@dataclass(frozen=True)
class Outcome:
    """A monthly outcome (or, in :data:`VALUES`, a per-run value).

    Attributes:
        name: Column name in the tables.
        unit: Unit shown next to values.
        label: What it is, for tables and figures.
        kind: One of :data:`KINDS`.
        section: The report section it belongs to.
        labels: For a category, its labels in code order.
    """

    name: str
    unit: str
    label: str
    kind: str
    section: str = "other"
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind must be one of {KINDS}")
        if (self.kind == "category") != bool(self.labels):
            raise ValueError(f"{self.name}: a category needs labels, and only a category")

    @property
    def numeric(self) -> bool:
        """Summarised by median and bands."""
        return self.kind in NUMERIC_KINDS

    def code(self, value: Any) -> float:
        """The stored number of a value (a category's label → its code)."""
        if self.kind == "category":
            return float(self.labels.index(value)) if isinstance(value, str) else float(value)
        return float(value)

    def decode(self, value: float) -> Any:
        """The value shown for a stored number (a category's code → its label)."""
        if self.kind == "category":
            return None if not np.isfinite(value) else self.labels[int(value)]
        return value


@dataclass(frozen=True)
class Event:
    """Something that happens in a run: the first month it holds is recorded, or none.

    Attributes:
        name: Event name; the runs table has a column ``<name>_month`` (``YYYY-MM`` or empty).
        label: What it is, for tables and figures ("full rupture").
        description: When the model records it.
        section: The report section it belongs to.
        figure: Drawn in the standard event figure (per-measure starts and ends are tabulated,
            not drawn one panel each).
    """

    name: str
    label: str
    description: str
    section: str = "alliance"
    figure: bool = True

    @property
    def column(self) -> str:
        """Its column in the runs table."""
        return f"{self.name}_month"


def _groups(prefix: str, unit: str, label: str, kind: str, section: str) -> list[Outcome]:
    return [
        Outcome(f"{prefix}_{g}", unit, label.format(GROUP_LABELS[g]), kind, section) for g in GROUPS
    ]


def _flag(m: Measure) -> Outcome:
    """The 0/1 outcome of a state measure: whether it is in force."""
    return Outcome(m.column, "0/1", m.label, "flag", "measures")


def _transitions(m: Measure) -> tuple[Event, Event]:
    """The events of a state measure: the first month it starts and the first it ends."""
    k, v = m.column, m.label
    what = v[0].lower() + v[1:]
    return (
        Event(f"{k}_start", f"{v} (start)", f"the first month {what}", "measures",
              figure=False),
        Event(f"{k}_end", f"{v} (end)", f"the first month it ends: {what}", "measures",
              figure=False),
    )  # fmt: skip


#: The shipped state measures, both sides, in record order.
_STATES: tuple[Measure, ...] = tuple(m for side in SIDES for m in CATALOGUE.states(side))

OUTCOMES: tuple[Outcome, ...] = (
    Outcome("presence_any", "municipalities", "Municipalities with armed presence", "count",
            "territory"),
    *_groups("presence", "municipalities", "Municipalities with {} presence", "count",
             "territory"),
    Outcome("control_any", "municipalities", "Municipalities under armed control", "count",
            "territory"),
    *_groups("control", "municipalities", "Municipalities controlled by {}", "count",
             "territory"),
    Outcome("contested", "municipalities", "Contested municipalities", "count", "territory"),
    Outcome("coca_ha", "ha", "Coca cultivation", "amount", "drugs"),
    Outcome("cocaine_t", "t/yr", "Potential cocaine output", "amount", "drugs"),
    *_groups("members", "persons", "{} members", "amount", "armed groups"),
    Outcome("members_total", "persons", "Armed-group members", "amount", "armed groups"),
    Outcome("armed_revenue_musd", "USD million/yr", "Armed-group rent", "amount",
            "armed groups"),
    Outcome("cooperation_index", "index 0-1", "Cooperation index", "index", "alliance"),
    Outcome("us_security_aid_musd", "USD million/yr", "US security aid", "amount", "alliance"),
    Outcome("us_civil_aid_musd", "USD million/yr", "US civil aid", "amount", "alliance"),
    Outcome("intel_sharing", "share 0-1", "US intelligence sharing", "share", "alliance"),
    Outcome("certification", "status", "US certification", "category", "alliance",
            CERTIFICATION_STATUS),
    Outcome("us_measures_on", "measures", "US measures in force", "level", "alliance"),
    Outcome("col_measures_on", "measures", "Colombian counter-measures in force", "level",
            "alliance"),
    Outcome("us_hostility", "index 0-1", "US tension toward Bogotá", "index", "alliance"),
    Outcome("col_hostility", "index 0-1", "Colombian tension toward Washington", "index",
            "alliance"),
    *(_flag(m) for m in _STATES),
    *(Outcome(f"inst_{k}", "0/1", f"{k.replace('_', ' ').capitalize()} cooperation working",
              "flag", "institutions") for k in INSTITUTIONS),
    Outcome("vessel_strike_deaths", "persons/month", "Deaths in US strikes on vessels",
            "amount", "alliance"),
    Outcome("vessel_strike_deaths_cum", "persons", "Deaths in US strikes on vessels since start",
            "amount", "alliance"),
    Outcome("rupture_cost_busd", "USD bn/yr", "Cost of US measures to Colombia (after China)",
            "amount", "alliance"),
    Outcome("extraditions", "persons/month", "Extraditions", "amount", "alliance"),
    Outcome("eradication_ha", "ha/month", "Forced eradication", "amount", "drugs"),
    Outcome("posture", "0 Paz Total - 1 offensive", "Security posture", "index", "colombia"),
    Outcome("capability", "index, 1 = start", "Security-force capability", "amount",
            "colombia"),
    Outcome("intel_quality", "index 0-1", "Intelligence quality", "index", "colombia"),
    Outcome("displacement_new", "persons/month", "New displacement", "amount", "violence"),
    Outcome("displacement_cum", "persons", "Displacement since start", "amount", "violence"),
    Outcome("china_engagement", "index 0-1", "China engagement", "index", "china"),
    Outcome("venezuela_pressure", "index 0-1", "US pressure on Caracas", "index", "venezuela"),
    Outcome("venezuela_tolerance", "1 = start", "Caracas's tolerance of the armed groups",
            "amount", "venezuela"),
    Outcome("migration_index", "1 = 2024 outflow", "Venezuelan migration", "amount",
            "venezuela"),
    Outcome("approval", "share 0-1", "Presidential approval", "share", "colombia"),
    Outcome("president", "type", "Colombian president", "category", "colombia",
            PRESIDENT_TYPES),
    Outcome("rupture", "0/1", "Full rupture in force", "flag", "alliance"),
)  # fmt: skip

EVENTS: tuple[Event, ...] = (
    Event(
        "rupture",
        "full rupture",
        "the first month the cooperation index is below its threshold with US security aid "
        "and intelligence sharing at zero for the required consecutive months",
    ),
    Event(
        "recertification",
        "re-certification",
        "the first September determination that certifies Colombia after a decertification",
    ),
    Event(
        "restoration",
        "restoration after a rupture",
        "the first month after a full rupture in which cooperation is back for the required "
        "consecutive months",
    ),
    Event(
        "decertification",
        "decertification",
        "the first September determination that does not certify Colombia (with or without a "
        "waiver)",
    ),
    Event("deal", "a leader-to-leader deal", "the first deal that ends measures on both sides"),
    Event("concession", "a Colombian concession", "the first concession to a US demand"),
    *(_transitions(m)[0] for m in _STATES),
    *(_transitions(m)[1] for m in _STATES),
    *(
        Event(f"{k}_cooperation_lapse", f"{k.replace('_', ' ')} cooperation lapses",
              "the first month the working ties lapse", "institutions", figure=False)
        for k in INSTITUTIONS
    ),
    *(
        Event(f"removal_{g}", f"removal of a {GROUP_LABELS[g]} commander",
              "the first month a top commander of the group is killed or captured",
              "armed groups", figure=False)
        for g in GROUPS
    ),
)  # fmt: skip

#: The blocs of the 2026 election.
BLOCS: tuple[str, ...] = ("left", "centre", "right")

VALUES: tuple[Outcome, ...] = (
    Outcome("rupture_months", "months", "Months in full rupture", "amount", "alliance"),
    Outcome("deals", "deals", "Leader-to-leader deals", "amount", "alliance"),
    *(Outcome(f"removals_{g}", "commanders", f"Commanders of {GROUP_LABELS[g]} removed",
              "amount", "armed groups") for g in GROUPS),
    *(Outcome(f"senate_{b}", "share of seats", f"Senate seats, {b} (2026)", "share", "election")
      for b in BLOCS),
    *(Outcome(f"first_round_{b}", "share of votes", f"First round 2026, {b}", "share", "election")
      for b in BLOCS),
    *(Outcome(f"runoff_{b}", "share of votes", f"Runoff 2026, {b}", "share", "election")
      for b in BLOCS),
    Outcome("winner", "bloc", "Winner of the 2026 election", "category", "election", BLOCS),
    Outcome("margin", "share of votes", "Winning margin in the deciding round", "share",
            "election"),
    Outcome("decided_in_first_round", "0/1", "Decided in the first round", "flag", "election"),
    Outcome("us_endorsement", "0/1", "US endorsement of the right before the first round",
            "flag", "election"),
    Outcome("governability", "index 0-1", "The new president's governability", "index",
            "election"),
    *(Outcome(f"senate_2030_{b}", "share of seats", f"Senate seats, {b} (2030)", "share",
              "election") for b in BLOCS),
    *(Outcome(f"first_round_2030_{b}", "share of votes", f"First round 2030, {b}", "share",
              "election") for b in BLOCS),
    Outcome("winner_2030", "bloc", "Winner of the 2030 election", "category", "election", BLOCS),
    Outcome("margin_2030", "share of votes", "Winning margin in 2030", "share", "election"),
    Outcome("governability_2030", "index 0-1", "The 2030 president's governability", "index",
            "election"),
    Outcome("us_midterms_2026", "outcome", "US House after the 2026 midterms", "category",
            "election", ("divided", "unified")),
    Outcome("us_party_2028", "party", "Winner of the 2028 US presidential election",
            "category", "election", ("republican", "democrat")),
)  # fmt: skip


@dataclass
class Record:
    """The declarations, with lookups by name (the module keeps one: :data:`RECORD`).

    ``declare`` adds an outcome, event or run value: the way an extension (or a test) adds
    to the record without editing this file.
    """

    outcomes: list[Outcome] = field(default_factory=lambda: list(OUTCOMES))
    events: list[Event] = field(default_factory=lambda: list(EVENTS))
    values: list[Outcome] = field(default_factory=lambda: list(VALUES))

    def declare(self, item: Outcome | Event, *, per_run: bool = False) -> None:
        """Add an outcome (monthly, or ``per_run``) or an event; names must be new."""
        if item.name in self.names():
            raise ValueError(f"'{item.name}' is already declared")
        if isinstance(item, Event):
            self.events.append(item)
        elif per_run:
            self.values.append(item)
        else:
            self.outcomes.append(item)

    def remove(self, name: str) -> None:
        """Remove a declaration (for tests that declare one)."""
        self.outcomes = [o for o in self.outcomes if o.name != name]
        self.events = [e for e in self.events if e.name != name]
        self.values = [v for v in self.values if v.name != name]

    def names(self) -> set[str]:
        """Every declared name."""
        return {x.name for x in (*self.outcomes, *self.events, *self.values)}

    @property
    def outcome_names(self) -> tuple[str, ...]:
        """Monthly outcome names, in column order."""
        return tuple(o.name for o in self.outcomes)

    def outcome(self, name: str) -> Outcome:
        """A monthly outcome or a run value by name."""
        for o in (*self.outcomes, *self.values):
            if o.name == name:
                return o
        raise KeyError(name)

    def event(self, name: str) -> Event:
        """An event by name."""
        for e in self.events:
            if e.name == name:
                return e
        raise KeyError(name)

    def of_kind(self, *kinds: str) -> list[Outcome]:
        """The monthly outcomes of the given kinds, in column order."""
        return [o for o in self.outcomes if o.kind in kinds]


#: The record of this process.
RECORD = Record()


def _measure_record(measure: Measure) -> tuple[Outcome | Event, ...]:
    """What the record holds of a state measure: its 0/1 outcome, its start and end events."""
    return (_flag(measure), *_transitions(measure))


def declare_measure(measure: Measure) -> None:
    """Catalogue a new measure and declare its outcome and events (a state) in the record.

    Why: an extension (or a test) adds a measure in one call, and the catalogue and the record
    cannot disagree. Its fitted intercepts must be in the parameter registry before a model
    runs with it.
    """
    CATALOGUE.declare(measure)
    if measure.kind == "state":
        for item in _measure_record(measure):
            RECORD.declare(item)


def remove_measure(key: str) -> None:
    """Remove a measure declared with :func:`declare_measure` (for tests)."""
    measure = CATALOGUE.get(key)
    CATALOGUE.remove(key)
    for item in _measure_record(measure) if measure.kind == "state" else ():
        RECORD.remove(item.name)


def outcome_names() -> tuple[str, ...]:
    """The monthly outcome names in column order (as declared now)."""
    return RECORD.outcome_names


@dataclass
class RunResult:
    """What one run returns to the runner: small arrays, never model objects.

    Attributes:
        months: Month numbers of the rows of ``series``.
        series: Monthly outcomes, shape (months, outcomes), columns in declaration order;
            categories are stored as their codes, flags as 0/1.
        events: The first month of each event (month number), or None.
        values: Per-run values by name (categories as labels).
        controller: Group index controlling each municipality at the horizon (-1: none).
        names: The outcome names of the series' columns.
    """

    months: np.ndarray
    series: np.ndarray
    events: dict[str, int | None]
    values: dict[str, Any]
    controller: np.ndarray
    names: tuple[str, ...] = field(default_factory=outcome_names)

    def horizon(self) -> dict[str, Any]:
        """The outcomes of the last month, by name (categories as labels)."""
        return {
            name: RECORD.outcome(name).decode(v)
            for name, v in zip(self.names, self.series[-1].tolist(), strict=True)
        }

    def column(self, name: str) -> np.ndarray:
        """One outcome's monthly values (categories as codes)."""
        return self.series[:, self.names.index(name)]


@dataclass
class RunOutput:
    """The outcome of one run in a batch: a result, or the error it raised."""

    index: int
    result: RunResult | None
    error: str | None
    seconds: float
    sampled: Mapping[str, Any] = field(default_factory=dict)


class Recorder:
    """Collects a run's record month by month, by name, into a preallocated array."""

    def __init__(self, months: int) -> None:
        self.names = RECORD.outcome_names
        self._outcomes = [RECORD.outcome(n) for n in self.names]
        self.values = np.full((months, len(self.names)), np.nan)
        self.row = -1
        self.events: dict[str, int | None] = {e.name: None for e in RECORD.events}
        self.run_values: dict[str, Any] = {}

    def month(self, row: int, values: Mapping[str, Any]) -> None:
        """Record one month's outcomes; every declared outcome must be given."""
        missing = [n for n in self.names if n not in values]
        if missing:
            raise KeyError(f"outcomes not recorded this month: {missing}")
        self.values[row] = [o.code(values[o.name]) for o in self._outcomes]
        self.row = row

    def forget_events(self) -> None:
        """Forget the events recorded so far: each event's first month is recorded from here.

        A batch from the present counts its events in its own horizon, not in the particle's
        history.
        """
        self.events = dict.fromkeys(self.events)

    def event(self, name: str, month: int) -> None:
        """Record that an event happened in ``month`` (only its first month is kept)."""
        if name not in self.events:
            raise KeyError(f"undeclared event '{name}'")
        if self.events[name] is None:
            self.events[name] = month

    def value(self, name: str, value: Any) -> None:
        """Record a per-run value."""
        RECORD.outcome(name)  # must be declared
        self.run_values[name] = value

    def result(self, start: int, controller: np.ndarray) -> RunResult:
        """The run's result so far."""
        rows = self.row + 1
        return RunResult(
            months=np.arange(start, start + rows),
            series=self.values[:rows].copy(),
            events=dict(self.events),
            values=dict(self.run_values),
            controller=controller.copy(),
            names=self.names,
        )


def storage_dtype(o: Outcome) -> str:
    """How an outcome's column is stored in the series table."""
    if o.kind in ("count", "level"):
        return "int16"
    if o.kind in ("flag", "category"):
        return "int8"
    return "float64"


def labelled(values: Iterable[float], o: Outcome) -> list[Any]:
    """Stored numbers as shown values (category labels; others unchanged)."""
    return [o.decode(v) for v in values]
