"""What a scenario imposes on a run: forced instruments and shocks to the measures.

* An **intervention** forces one or more instruments (aid, intelligence sharing, the tariff
  rate, certification, posture, ...) from a month on, optionally until a month. Instruments
  fixed by parameters are forced for the whole run. Where two overlap, the later one wins.
* A **shock** starts or ends measures in a month (``us.security_aid_cut`` on in 2025-10);
  afterwards the measures follow their hazards, so what both governments do next is an outcome.
  With ``until``, the shocked measures are held in that state through ``until``.
* Either may be **conditional** (``when``, a parsed condition, with ``mode`` ``once`` or
  ``while``): then ``at`` is the first month its condition is evaluated and ``until`` the last
  month it may be in force; which are in force each month is decided inside the run
  (:mod:`rift.model.conditions`) and passed to :meth:`Forcing.at` and :meth:`Forcing.measures`.

**Forced instruments and measures agree.** Four US measures are carried by an instrument
(:data:`rift.catalogue.INSTRUMENT_MEASURES`): while a scenario forces the instrument, the
measure is held in the state the forced value implies (security aid at or under what the cut
leaves: the cut is in force; above it: not; intelligence sharing at or under the rupture's
floor: the intelligence cut is in force; a tariff rate above zero: tariffs are in force; see
:meth:`rift.model.actors.us.UnitedStates.measures_held_by_instruments`), so the measures the
run records, the hazards and the full-rupture rule read what is in force. A month in which a
shock holds such a measure and the scenario forces its instrument too is refused: the two
would say different things about one fact (issue 21).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rift.catalogue import INSTRUMENT_MEASURES
from rift.model.conditions import Item, frozen
from rift.months import format_month, parse_month


def instrument_conflict(forced: Mapping[str, Any], held_us: Mapping[str, bool]) -> str | None:
    """The first forced instrument whose measure a shock also holds (None if there is none).

    Args:
        forced: The instruments forced in a month.
        held_us: The US measures (names without ``us.``) a shock holds in that month.
    """
    for instrument, measure in INSTRUMENT_MEASURES.items():
        if instrument in forced and measure.partition(".")[2] in held_us:
            return instrument
    return None


@dataclass(frozen=True)
class Intervention:
    """A dated action that forces instruments from ``at`` to ``until`` (inclusive).

    With ``when`` (a parsed condition) it is conditional: in force as ``mode`` (``once`` or
    ``while``) says, within ``at..until``.
    """

    at: int
    values: Mapping[str, Any]
    until: int | None = None
    when: tuple | None = None
    mode: str = "once"


@dataclass(frozen=True)
class Shock:
    """Measures started or ended in month ``at`` (held through ``until`` if given).

    Measures are named ``us.<measure>`` or ``col.<measure>``. With ``when`` it is
    conditional, as an :class:`Intervention` is.
    """

    at: int
    start: tuple[str, ...] = ()
    end: tuple[str, ...] = ()
    until: int | None = None
    when: tuple | None = None
    mode: str = "once"


def _month_or_none(value: Any) -> int | None:
    return None if value is None else (value if isinstance(value, int) else parse_month(value))


def _when(item: Mapping[str, Any]) -> dict[str, Any]:
    """``when`` (already parsed: nested tuples or lists) and ``mode`` of a mapping."""
    when = item.get("when")
    return {"when": None if when is None else frozen(when), "mode": item.get("mode") or "once"}


def as_interventions(items: Sequence[Intervention | Mapping[str, Any]]) -> list[Intervention]:
    """Interventions from mappings with ``at``, ``set``, ``until`` (``when``, ``mode``)."""
    out = []
    for item in items:
        if isinstance(item, Intervention):
            out.append(item)
        else:
            out.append(
                Intervention(
                    at=_month_or_none(item.get("at")),  # type: ignore[arg-type]
                    values=dict(item["set"]),
                    until=_month_or_none(item.get("until")),
                    **_when(item),
                )
            )
    return out


def as_shocks(items: Sequence[Shock | Mapping[str, Any]]) -> list[Shock]:
    """Shocks from mappings with ``at``, ``start``, ``end``, ``until`` (``when``, ``mode``)."""
    out = []
    for item in items:
        if isinstance(item, Shock):
            out.append(item)
        else:
            out.append(
                Shock(
                    at=_month_or_none(item.get("at")),  # type: ignore[arg-type]
                    start=tuple(item.get("start") or ()),
                    end=tuple(item.get("end") or ()),
                    until=_month_or_none(item.get("until")),
                    **_when(item),
                )
            )
    return out


def _held(
    shocks: Sequence[Shock], month: int, active: frozenset[int]
) -> dict[str, dict[str, bool]]:
    """The measures held on or off in ``month`` by the dated shocks and the ``active`` ones."""
    held: dict[str, dict[str, bool]] = {"us": {}, "col": {}}
    for i, sh in enumerate(shocks):
        if sh.when is None:
            last = sh.at if sh.until is None else sh.until
            if not sh.at <= month <= last:
                continue
        elif i not in active:
            continue
        for name, state in [*((n, True) for n in sh.start), *((n, False) for n in sh.end)]:
            side, _, measure = name.partition(".")
            held[side][measure] = state
    return held


class Forcing:
    """Which instruments are forced, and which measures are shocked or held, in which month.

    Built once per run from fixed instrument overrides (forced for the whole run), the
    scenario's interventions and its shocks. The dated ones are laid out per month here; the
    conditional ones apply in the months the run says they are in force (``active``).
    """

    def __init__(
        self,
        start: int,
        end: int,
        fixed: Mapping[str, Any] | None = None,
        interventions: Sequence[Intervention] = (),
        shocks: Sequence[Shock] = (),
    ) -> None:
        self.start = start
        self.end = end
        self._base = {k: v for k, v in (fixed or {}).items() if v is not None}
        self._interventions = tuple(interventions)
        self._shocks = tuple(shocks)
        self._by_month = [self._forced(m, frozenset()) for m in range(start, end + 1)]
        self._measures = [_held(self._shocks, m, frozenset()) for m in range(start, end + 1)]
        for m in range(start, end + 1):
            self.check(m)
        self._empty: dict[str, Any] = {}
        self._none: dict[str, bool] = {}
        #: The conditional interventions and shocks (:mod:`rift.model.conditions`).
        self.conditional: tuple[Item, ...] = tuple(
            Item(kind, i, x.at, x.until, x.when, x.mode)
            for kind, xs in (("intervention", self._interventions), ("shock", self._shocks))
            for i, x in enumerate(xs)
            if x.when is not None
        )

    def _forced(self, month: int, active: frozenset[int]) -> dict[str, Any]:
        forced = dict(self._base)
        for i, iv in enumerate(self._interventions):
            if iv.when is None:
                if iv.at <= month and (iv.until is None or month <= iv.until):
                    forced.update(iv.values)
            elif i in active:
                forced.update(iv.values)
        return forced

    def check(
        self,
        month: int,
        interventions: frozenset[int] = frozenset(),
        shocks: frozenset[int] = frozenset(),
    ) -> None:
        """Refuse a month in which a forced instrument and a shock hold one measure.

        Args:
            month: The month.
            interventions: The conditional interventions in force (their indices).
            shocks: The conditional shocks in force (their indices).

        Raises:
            ValueError: The instrument and the measure it carries are both imposed.
        """
        forced = self._forced(month, interventions)
        clash = instrument_conflict(forced, _held(self._shocks, month, shocks)["us"])
        if clash is not None:
            raise ValueError(
                f"in {format_month(month)} {clash} is forced while a shock holds "
                f"{INSTRUMENT_MEASURES[clash]}: the measure follows the instrument; "
                "impose one of them"
            )

    def at(self, month: int, active: frozenset[int] = frozenset()) -> dict[str, Any]:
        """Forced instrument values in a month (empty when nothing is forced).

        Args:
            month: The month.
            active: The conditional interventions in force (their indices); where two
                overlap, the later in the scenario wins, conditional or not.
        """
        i = month - self.start
        if not 0 <= i < len(self._by_month):
            return self._empty
        return self._forced(month, active) if active else self._by_month[i]

    def measures(
        self, month: int, side: str, active: frozenset[int] = frozenset()
    ) -> dict[str, bool]:
        """Measures of ``side`` set on (True) or off (False) by a shock in a month.

        Args:
            month: The month.
            side: ``us`` or ``col``.
            active: The conditional shocks in force (their indices).
        """
        i = month - self.start
        if not 0 <= i < len(self._measures):
            return self._none
        return _held(self._shocks, month, active)[side] if active else self._measures[i][side]


@dataclass
class _Cache:
    forcings: dict[tuple, Forcing] = field(default_factory=dict)


_CACHE = _Cache()


def forcing_for(
    start: int,
    end: int,
    fixed: Mapping[str, Any],
    interventions: Sequence[Intervention | Mapping[str, Any]],
    shocks: Sequence[Shock | Mapping[str, Any]] = (),
) -> Forcing:
    """The run's :class:`Forcing`, shared by the runs of a batch (cached per process).

    A batch builds thousands of models with the same horizon, interventions and shocks; the
    forcing is read-only, so one object serves them all.
    """
    # a conditional item without ``at`` is evaluated from the first month
    ivs = [
        iv if iv.at is not None else replace(iv, at=start) for iv in as_interventions(interventions)
    ]
    sks = [sh if sh.at is not None else replace(sh, at=start) for sh in as_shocks(shocks)]
    try:
        key = (
            start,
            end,
            tuple(sorted(fixed.items())),
            tuple(
                (iv.at, iv.until, tuple(sorted(iv.values.items())), iv.when, iv.mode) for iv in ivs
            ),
            tuple(sks),
        )
        hash(key)
    except TypeError:  # unhashable values: a forcing of its own
        return Forcing(start, end, fixed, ivs, sks)
    cache = _CACHE.forcings
    if key not in cache:
        if len(cache) >= 64:
            cache.clear()
        cache[key] = Forcing(start, end, fixed, ivs, sks)
    return cache[key]
