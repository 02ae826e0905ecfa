"""Measures that start and end: each government's moves as states with monthly hazards.

A *measure* is something a government does to the other and can undo: tariffs, a visa ban, an
aid cut, an extradition suspension. Each is off or on. Every month a measure that is off starts
with probability ``1 - exp(-exp(eta_start))`` and one that is on (including one started this
month, so a crisis settled within days counts) ends with probability ``1 - exp(-exp(eta_end))``
(a discrete-time complementary log-log hazard), where::

    eta_start = a_m + b . x + k_start * (T - T_ref - s_m * step) + extra_m
    eta_end   = c_m + d . x + d_dur * log(1 + months on) - k_end * (T - T_ref) + extra_end_m

* ``a_m``, ``c_m`` (per measure) and the slopes ``b``, ``d``, ``d_dur`` are fitted on the dated
  record of US-partner crises (``rift/data/alliance_events.csv``; ``rift.validation.events``),
  with ``x = (R, O, C, D)`` as defined there and computed here from the run's own history:
  ``R`` the other side's escalation moves in the last 3 months, ``O`` one's own (both capped at
  3), ``C`` a new US administration or Colombian president in the last 12 months, ``D`` a
  de-escalation move by the other side in the last 2 months;
* the record's rates are rates *within* crises. ``T`` is the side's tension (0-1, the
  Richardson-type hostility each actor keeps) and ``T_ref`` the tension of a crisis: below it
  measures start more rarely and end sooner. ``k_start``, ``k_end`` and ``T_ref`` are not in
  the record (the record has no tension); they are calibrated on US-Colombia 2019-2025 (quiet
  under Duque and Biden, a crisis in 2025) and sampled over their uncertainty;
* ``s_m`` is the measure's severity (0 words and visas ... 4 force; in its entry of the
  catalogue, :mod:`rift.catalogue`):
  a severe measure needs ``s_m * step`` more tension to start as often as a mild one;
* ``extra_m`` carries what the record does not: e.g. the strikes on trafficking vessels rise
  with US pressure on Caracas, a refusal of deportation flights needs flights to refuse.

Events (rhetoric, a partner's concession, a leader-to-leader deal) are moves without a state:
they happen in a month with the same kind of hazard. The de-escalation events (concession,
deal) have one more fitted covariate, the crisis's cost ``K`` (:func:`crisis_cost`: the state
measures in force on both sides, each weighted ``1 + severity``, capped at
``events.covariate.cost_cap``), with the slope ``events.slope.cost.deal`` and no tension term:
the record's deals and concessions come at any cost of the crisis, peaks included. Every
decision draws its uniform number every month whatever the state, so that two scenarios run
with the same seed stay paired.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rift.catalogue import CATALOGUE, COL_MEASURES, US_MEASURES

__all__ = [
    "COL_MEASURES",
    "US_MEASURES",
    "Ledger",
    "Measures",
    "Slopes",
    "cloglog",
    "crisis_cost",
]


def cloglog(eta: float) -> float:
    """The probability of at least one event in a month at log-hazard ``eta``."""
    if eta > 5.0:
        return 1.0
    return -math.expm1(-math.exp(eta))


@dataclass(frozen=True)
class Slopes:
    """Slopes of one likelihood (start, end or deal) on the covariates R, O, C, D."""

    reciprocity: float
    own: float
    leader_change: float
    deescalation: float
    duration: float = 0.0

    def dot(self, x: tuple[int, int, int, int]) -> float:
        """``b . x`` for ``x = (R, O, C, D)``."""
        return (
            self.reciprocity * x[0]
            + self.own * x[1]
            + self.leader_change * x[2]
            + self.deescalation * x[3]
        )

    @classmethod
    def from_registry(cls, p: Mapping, which: str) -> Slopes:
        """The fitted slopes of ``which`` (``start``, ``end`` or ``deal``)."""
        dur = p["events.slope.duration.end"] if which == "end" else 0.0
        return cls(
            p[f"events.slope.reciprocity.{which}"],
            p[f"events.slope.own.{which}"],
            p[f"events.slope.leader_change.{which}"],
            p[f"events.slope.deescalation.{which}"],
            dur,
        )


class Ledger:
    """The moves of both sides, month by month: what the covariates are computed from.

    A move is a measure starting (an escalation) or ending (a de-escalation), or an event
    (rhetoric is an escalation; a concession or a deal a de-escalation).
    """

    def __init__(self, p: Mapping) -> None:
        self.windows = {
            "R": int(p["events.covariate.reciprocity_months"]),
            "O": int(p["events.covariate.own_months"]),
            "C": int(p["events.covariate.leader_change_months"]),
            "D": int(p["events.covariate.deescalation_months"]),
        }
        self.cap = int(p["events.covariate.cap"])
        keep = max(self.windows.values()) + 1
        self._moves: dict[str, deque[tuple[int, int, int]]] = {
            "us": deque(maxlen=keep),
            "col": deque(maxlen=keep),
        }
        self._current: dict[str, list[int]] = {"us": [0, 0], "col": [0, 0]}
        self.month: int | None = None
        self.leader_changes: list[int] = []

    def begin(self, month: int) -> None:
        """Close the previous month's counts and start a new month."""
        if self.month is not None:
            for side, (esc, de) in self._current.items():
                self._moves[side].append((self.month, esc, de))
        self._current = {"us": [0, 0], "col": [0, 0]}
        self.month = month

    def escalation(self, side: str, n: int = 1) -> None:
        """Record escalation moves of ``side`` this month."""
        self._current[side][0] += n

    def deescalation(self, side: str, n: int = 1) -> None:
        """Record de-escalation moves of ``side`` this month."""
        self._current[side][1] += n

    def leader_change(self, month: int) -> None:
        """A new US administration or Colombian president takes office."""
        self.leader_changes.append(month)

    def _count(self, side: str, col: int, months: int) -> int:
        now = self.month
        return sum(m[col] for m in self._moves[side] if now - months <= m[0] < now)

    def covariates(self, side: str) -> tuple[int, int, int, int]:
        """``(R, O, C, D)`` of ``side`` at the start of this month."""
        other = "col" if side == "us" else "us"
        w = self.windows
        r = min(self.cap, self._count(other, 1, w["R"]))
        o = min(self.cap, self._count(side, 1, w["O"]))
        c = int(any(self.month - w["C"] <= m < self.month for m in self.leader_changes))
        d = int(self._count(other, 2, w["D"]) > 0)
        return r, o, c, d

    def recent(self, side: str, months: int) -> tuple[int, int]:
        """Escalation and de-escalation moves of ``side`` in the last ``months`` months."""
        return self._count(side, 1, months), self._count(side, 2, months)

    def get_state(self) -> dict[str, Any]:
        """The moves kept (month, escalations, de-escalations), this month's and leader changes."""
        return {
            "moves": {side: [list(m) for m in moves] for side, moves in self._moves.items()},
            "current": {side: list(c) for side, c in self._current.items()},
            "month": self.month,
            "leader_changes": list(self.leader_changes),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`."""
        for side, moves in self._moves.items():
            moves.clear()
            moves.extend(tuple(int(v) for v in m) for m in state["moves"][side])
        self._current = {side: [int(v) for v in state["current"][side]] for side in self._current}
        self.month = None if state["month"] is None else int(state["month"])
        self.leader_changes = [int(m) for m in state["leader_changes"]]


class Measures:
    """One side's measures: which are on, since when, and each one's first start and end.

    Args:
        side: ``us`` or ``col``.
        names: The measures, in the order their decisions are drawn; each must be in the
            catalogue (:mod:`rift.catalogue`), which gives its severity and the registry names
            of its fitted intercepts. :meth:`catalogued` takes all of the side's.
        p: The run's parameters (the fitted intercepts, slopes, tension terms).
    """

    def __init__(self, side: str, names: Iterable[str], p: Mapping) -> None:
        self.side = side
        self.names = tuple(names)
        entries = {m: CATALOGUE.get(f"{side}.{m}") for m in self.names}
        self.start_intercept = {m: p[e.intercept("start")] for m, e in entries.items()}
        self.end_intercept = {m: p[e.intercept("end")] for m, e in entries.items()}
        self.start_slopes = Slopes.from_registry(p, "start")
        self.end_slopes = Slopes.from_registry(p, "end")
        self.k_start = p["events.tension.start_slope"]
        self.k_end = p["events.tension.end_slope"]
        self.reference = p["events.tension.reference"]
        step = p["events.tension.severity_step"]
        #: Log-hazard penalty of each measure's severity: k_start x severity x step.
        self.severity = {m: self.k_start * step * e.severity for m, e in entries.items()}
        #: Each measure's weight in the crisis's cost (:func:`crisis_cost`): 1 + severity.
        self.cost_weight = {m: 1.0 + e.severity for m, e in entries.items()}
        self.on = dict.fromkeys(self.names, False)
        self.since: dict[str, int | None] = dict.fromkeys(self.names)
        self.first_start: dict[str, int | None] = dict.fromkeys(self.names)
        self.first_end: dict[str, int | None] = dict.fromkeys(self.names)
        self.started_now: list[str] = []
        self.ended_now: list[str] = []

    @classmethod
    def catalogued(cls, side: str, p: Mapping) -> Measures:
        """All the state measures the catalogue has for ``side``, in its order."""
        return cls(side, CATALOGUE.names(side), p)

    def is_on(self, name: str) -> bool:
        """Whether a measure is in force."""
        return self.on[name]

    def get_state(self) -> dict[str, Any]:
        """Which measures are on and since when, their first starts and ends, this month's."""
        return {
            "on": dict(self.on),
            "since": dict(self.since),
            "first_start": dict(self.first_start),
            "first_end": dict(self.first_end),
            "started_now": list(self.started_now),
            "ended_now": list(self.ended_now),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state` (every measure of the side must be given)."""
        for key in ("on", "since", "first_start", "first_end"):
            given = state[key]
            if set(given) != set(self.names):
                raise ValueError(
                    f"{self.side} measures in '{key}': {sorted(given)}, expected "
                    f"{sorted(self.names)}"
                )
        self.on = {m: bool(state["on"][m]) for m in self.names}
        self.since = {m: _month_or_none(state["since"][m]) for m in self.names}
        self.first_start = {m: _month_or_none(state["first_start"][m]) for m in self.names}
        self.first_end = {m: _month_or_none(state["first_end"][m]) for m in self.names}
        self.started_now = [str(m) for m in state["started_now"]]
        self.ended_now = [str(m) for m in state["ended_now"]]

    def in_force(self) -> dict[str, int | None]:
        """The measures in force with their start months."""
        return {m: self.since[m] for m in self.names if self.on[m]}

    def count_on(self) -> int:
        """How many of the side's measures are in force."""
        return sum(self.on.values())

    def weighted_on(self) -> float:
        """The measures in force, each weighted ``1 + severity`` (the side's part of ``K``)."""
        return sum(self.cost_weight[m] for m in self.names if self.on[m])

    def outcomes(self) -> dict[str, float]:
        """The record's outcomes of these measures: ``<side>_<m>`` (0/1), ``<side>_measures_on``.

        Why here: every actor with measures records them the same way, named as the record
        declares them from the catalogue.
        """
        out: dict[str, float] = {f"{self.side}_{m}": float(self.on[m]) for m in self.names}
        out[f"{self.side}_measures_on"] = self.count_on()
        return out

    def start(self, name: str, month: int) -> bool:
        """Switch a measure on (True if it was off)."""
        if self.on[name]:
            return False
        self.on[name] = True
        self.since[name] = month
        if self.first_start[name] is None:
            self.first_start[name] = month
        self.started_now.append(name)
        return True

    def end(self, name: str, month: int) -> bool:
        """Switch a measure off (True if it was on)."""
        if not self.on[name]:
            return False
        self.on[name] = False
        self.since[name] = None
        if self.first_end[name] is None:
            self.first_end[name] = month
        self.ended_now.append(name)
        return True

    def step(
        self,
        month: int,
        tension: float,
        x: tuple[int, int, int, int],
        uniforms: Callable[[], float],
        extra_start: Mapping[str, float],
        extra_end: Mapping[str, float],
        forced: Mapping[str, bool],
    ) -> None:
        """One month of decisions: starts first, then ends (two uniform numbers a measure).

        Args:
            month: This month.
            tension: The side's tension (0-1).
            x: The covariates ``(R, O, C, D)``.
            uniforms: Draws a uniform number (the side's stream).
            extra_start: Extra log-hazard of starting, by measure (-inf: cannot start).
            extra_end: Extra log-hazard of ending, by measure.
            forced: Measures a scenario holds on (True) or off (False) this month.
        """
        self.started_now, self.ended_now = [], []
        gap = tension - self.reference
        base_start = self.start_slopes.dot(x) + self.k_start * gap
        base_end = self.end_slopes.dot(x) - self.k_end * gap
        draws = [uniforms() for _ in range(2 * len(self.names))]
        for k, m in enumerate(self.names):
            if m in forced:
                if forced[m]:
                    self.start(m, month)
                continue
            if not self.on[m]:
                eta = (
                    self.start_intercept[m]
                    + base_start
                    - self.severity[m]
                    + extra_start.get(m, 0.0)
                )
                if draws[k] < cloglog(eta):
                    self.start(m, month)
        for k, m in enumerate(self.names):
            if m in forced:
                if not forced[m]:
                    self.end(m, month)
                continue
            if self.on[m]:
                months_on = month - (self.since[m] or month)
                eta = (
                    self.end_intercept[m]
                    + base_end
                    + self.end_slopes.duration * math.log1p(months_on)
                    + extra_end.get(m, 0.0)
                )
                if draws[len(self.names) + k] < cloglog(eta):
                    self.end(m, month)


def crisis_cost(sides: Iterable[Measures], cap: float) -> float:
    """The cost covariate ``K`` of the de-escalation hazards (the record's definition).

    Args:
        sides: Both sides' measures.
        cap: ``events.covariate.cost_cap``.

    Returns:
        The measures in force on all ``sides``, each weighted ``1 + severity``, capped at ``cap``
        (``rift.validation.events.panel``: the same covariate the slope was fitted on).
    """
    return min(float(cap), sum(s.weighted_on() for s in sides))


def _month_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def event_happens(
    intercept: float,
    slopes: Slopes,
    x: tuple[int, int, int, int],
    shift: float,
    u: float,
) -> bool:
    """Whether an event (a move without a state) happens this month."""
    return u < cloglog(intercept + slopes.dot(x) + shift)
