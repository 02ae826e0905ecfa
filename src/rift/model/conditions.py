"""Conditional interventions and shocks: which are in force this month.

A scenario's intervention or shock with ``when:`` is in force only as its condition says
(:mod:`rift.scenario.when` parses the text into the plain tuples evaluated here, so the
model never imports the scenario package):

* ``once`` (the default): from the first month in ``at..until`` whose condition holds, the item
  is a dated one from that month: an intervention stays in force through ``until`` (or the
  end), a shock applies in that month (held through ``until`` if given);
* ``while``: in force in each month of ``at..until`` (or the end) whose condition holds.

The condition of month ``m`` is evaluated at the start of ``m`` on the state the run ended
month ``m - 1`` in: the outcomes recorded that month (for a run's first month, its initial
state), the events recorded so far, and the election results known by then (from the month
after the runoff). Evaluating draws no random number, so a run whose conditions never hold
is bit for bit the run without them.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rift.calendar import election_2030
from rift.record import RECORD

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel

#: The month of the 2030 runoff (its result is known from the month after).
RUNOFF_2030 = election_2030().runoff
#: The modes of a conditional item.
MODES = ("once", "while")

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class View:
    """What a condition reads of a model at the start of a month (see the module docstring)."""

    def __init__(self, model: AllianceModel, month: int) -> None:
        self.model = model
        self.month = month
        rec = model.recorder
        self._row = rec.values[rec.row] if rec.row >= 0 else None

    def value(self, name: str) -> float:
        """The stored number of an outcome last month (a category's code)."""
        if self._row is not None:
            return float(self._row[self.model.recorder.names.index(name)])
        return RECORD.outcome(name).code(self.model.initial[name])

    def label(self, name: str) -> str | None:
        """A category outcome's label last month, or an election's winner once it is known."""
        m = self.model
        if name == "winner_2026":
            known = self.month > m.election.runoff
            return (m.winner or m.election.winner) if known else None
        if name == "winner_2030":
            known = self.month > RUNOFF_2030
            return m.campaign_2030.winner if known else None
        code = self.value(name)
        return None if code != code else RECORD.outcome(name).labels[int(code)]

    def happened(self, event: str) -> bool:
        """Whether an event was recorded before this month."""
        first = self.model.recorder.events.get(event)
        return first is not None and first < self.month


def holds(tree: Sequence[Any], view: View) -> bool:
    """Whether a parsed condition holds (:func:`rift.scenario.when.parse_condition`)."""
    head = tree[0]
    if head == "and":
        return all(holds(t, view) for t in tree[1:])
    if head == "or":
        return any(holds(t, view) for t in tree[1:])
    if head == "not":
        return not holds(tree[1], view)
    if head == "cmp":
        return _OPS[tree[2]](view.value(tree[1]), float(tree[3]))
    if head == "in":
        return view.label(tree[1]) in tree[2]
    if head == "on":
        return view.value(tree[1]) == 1.0
    if head == "happened":
        return view.happened(tree[1])
    raise ValueError(f"not a parsed condition: {tree!r}")


def frozen(tree: Any) -> Any:
    """A parsed condition as nested tuples (hashable; lists from JSON become tuples)."""
    if isinstance(tree, list | tuple):
        return tuple(frozen(t) for t in tree)
    return tree


@dataclass(frozen=True)
class Item:
    """One conditional intervention or shock of a run.

    Attributes:
        kind: ``"intervention"`` or ``"shock"``.
        index: Its place among the run's interventions (or shocks).
        at: The first month its condition is evaluated.
        until: The last month it may be in force (None: the end of the run).
        when: The parsed condition.
        mode: ``once`` or ``while``.
    """

    kind: str
    index: int
    at: int
    until: int | None
    when: tuple
    mode: str

    @property
    def key(self) -> str:
        """Its name in a saved state (so a state continued under another scenario keeps none)."""
        return json.dumps([self.kind, self.index, self.when, self.mode], separators=(",", ":"))

    def window(self, month: int) -> bool:
        """Whether ``month`` is in ``at..until``."""
        return self.at <= month and (self.until is None or month <= self.until)


class Conditions:
    """The conditional items of a run, and which are in force this month.

    Args:
        items: The run's conditional interventions and shocks.
    """

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = tuple(items)
        #: The month each ``once`` item fired, by key.
        self.fired: dict[str, int] = {}
        #: The interventions and shocks in force this month (indices).
        self.interventions: frozenset[int] = frozenset()
        self.shocks: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.items)

    def update(self, model: AllianceModel, month: int) -> None:
        """Evaluate the conditions at the start of ``month`` and set what is in force."""
        view: View | None = None
        on: dict[str, set[int]] = {"intervention": set(), "shock": set()}
        for item in self.items:
            fired = self.fired.get(item.key)
            if item.mode == "once" and fired is not None:
                active = fired <= month and (
                    month <= item.until
                    if item.until is not None
                    else (item.kind == "intervention" or month == fired)
                )
            elif item.window(month):
                view = view or View(model, month)
                active = holds(item.when, view)
                if active and item.mode == "once":
                    self.fired[item.key] = month
            else:
                active = False
            if active:
                on[item.kind].add(item.index)
        self.interventions = frozenset(on["intervention"])
        self.shocks = frozenset(on["shock"])

    def get_state(self) -> dict[str, Any]:
        """What a saved state keeps: the months fired and what is in force."""
        return {
            "fired": dict(self.fired),
            "interventions": sorted(self.interventions),
            "shocks": sorted(self.shocks),
        }

    def set_state(self, state: Mapping[str, Any] | None) -> None:
        """Continue from :meth:`get_state` (None or another scenario's: nothing fired)."""
        keys = {item.key for item in self.items}
        state = state or {}
        self.fired = {k: int(v) for k, v in dict(state.get("fired") or {}).items() if k in keys}
        known_iv = {i.index for i in self.items if i.kind == "intervention"}
        known_sh = {i.index for i in self.items if i.kind == "shock"}
        self.interventions = frozenset(
            int(i) for i in state.get("interventions", ()) if i in known_iv
        )
        self.shocks = frozenset(int(i) for i in state.get("shocks", ()) if i in known_sh)
