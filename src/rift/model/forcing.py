"""What a scenario imposes on a run: forced instruments and shocks to the measures.

* An **intervention** forces one or more instruments (aid, intelligence sharing, the tariff
  rate, certification, posture, ...) from a month on, optionally until a month. Instruments
  fixed by parameters are forced for the whole run. Where two overlap, the later one wins.
* A **shock** starts or ends measures in a month (``us.security_aid_cut`` on in 2025-10);
  afterwards the measures follow their hazards, so what both governments do next is an outcome.
  With ``until``, the shocked measures are held in that state through ``until``.

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
from dataclasses import dataclass, field
from typing import Any

from rift.catalogue import INSTRUMENT_MEASURES
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
    """A dated action that forces instruments from ``at`` to ``until`` (inclusive)."""

    at: int
    values: Mapping[str, Any]
    until: int | None = None


@dataclass(frozen=True)
class Shock:
    """Measures started or ended in month ``at`` (held through ``until`` if given).

    Measures are named ``us.<measure>`` or ``col.<measure>``.
    """

    at: int
    start: tuple[str, ...] = ()
    end: tuple[str, ...] = ()
    until: int | None = None


def as_interventions(items: Sequence[Intervention | Mapping[str, Any]]) -> list[Intervention]:
    """Interventions from their scenario form (mappings with ``at``, ``set``, ``until``)."""
    out = []
    for item in items:
        if isinstance(item, Intervention):
            out.append(item)
        else:
            until = item.get("until")
            out.append(
                Intervention(
                    at=parse_month(item["at"]),
                    values=dict(item["set"]),
                    until=None if until is None else parse_month(until),
                )
            )
    return out


def as_shocks(items: Sequence[Shock | Mapping[str, Any]]) -> list[Shock]:
    """Shocks from their scenario form (mappings with ``at``, ``start``, ``end``, ``until``)."""
    out = []
    for item in items:
        if isinstance(item, Shock):
            out.append(item)
        else:
            until = item.get("until")
            out.append(
                Shock(
                    at=parse_month(item["at"]),
                    start=tuple(item.get("start") or ()),
                    end=tuple(item.get("end") or ()),
                    until=None if until is None else parse_month(until),
                )
            )
    return out


class Forcing:
    """Which instruments are forced, and which measures are shocked or held, in which month.

    Built once per run from fixed instrument overrides (forced for the whole run), the
    scenario's interventions and its shocks.
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
        base = {k: v for k, v in (fixed or {}).items() if v is not None}
        self._by_month: list[dict[str, Any]] = []
        self._measures: list[dict[str, dict[str, bool]]] = []
        for m in range(start, end + 1):
            forced = dict(base)
            for iv in interventions:
                if iv.at <= m and (iv.until is None or m <= iv.until):
                    forced.update(iv.values)
            self._by_month.append(forced)
            held: dict[str, dict[str, bool]] = {"us": {}, "col": {}}
            for sh in shocks:
                last = sh.at if sh.until is None else sh.until
                if sh.at <= m <= last:
                    for name, state in [
                        *((n, True) for n in sh.start),
                        *((n, False) for n in sh.end),
                    ]:
                        side, _, measure = name.partition(".")
                        held[side][measure] = state
            clash = instrument_conflict(forced, held["us"])
            if clash is not None:
                raise ValueError(
                    f"in {format_month(m)} {clash} is forced while a shock holds "
                    f"{INSTRUMENT_MEASURES[clash]}: the measure follows the instrument; "
                    "impose one of them"
                )
            self._measures.append(held)
        self._empty: dict[str, Any] = {}
        self._none: dict[str, bool] = {}

    def at(self, month: int) -> dict[str, Any]:
        """Forced instrument values in a month (empty when nothing is forced)."""
        i = month - self.start
        if 0 <= i < len(self._by_month):
            return self._by_month[i]
        return self._empty

    def measures(self, month: int, side: str) -> dict[str, bool]:
        """Measures of ``side`` set on (True) or off (False) by a shock in a month."""
        i = month - self.start
        if 0 <= i < len(self._measures):
            return self._measures[i][side]
        return self._none


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
    ivs, sks = as_interventions(interventions), as_shocks(shocks)
    try:
        key = (
            start,
            end,
            tuple(sorted(fixed.items())),
            tuple((iv.at, iv.until, tuple(sorted(iv.values.items()))) for iv in ivs),
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
