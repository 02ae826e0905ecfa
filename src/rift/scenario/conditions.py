"""Which conditions of a headline event a scenario imposes itself (issue 21, item 1).

A scenario that imposes the conditions of an event reports their persistence, not the event:
``full_rupture`` started two of the rupture's conditions and reported P(full rupture) 0.62,
most of it the survival of its own shock. The conditions are those of
:mod:`rift.model.cooperation` and of the September determination (:mod:`rift.model.actors.us`):

* **rupture**: the security-aid cut (the measure, aid forced at or under what the cut leaves,
  or a forced decertification, which cuts aid by law), the intelligence cut (the measure, or
  sharing forced at or under the rupture's floor), and the cooperation index under its
  threshold (no instrument sets the index; it is never imposed alone);
* **restoration**: the rupture's conditions, and each cut reversed (a shock ending it, or the
  instrument forced above the cut);
* **decertification**: a forced determination other than certified;
* **recertification**: a forced decertification, and a forced certification;
* **deal**, **concession**: nothing a scenario can set imposes them.

A condition counts once however many shocks or interventions impose it. The cut level is
read at the registry's defaults (a run's own level varies with its sampled aid; the model
holds the measure by the run's level, :mod:`rift.model.forcing`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rift.parameters import registry
from rift.scenario.schema import Scenario


def _forced(scenario: Scenario) -> Iterator[tuple[str, Any]]:
    """Every instrument value the scenario forces (fixed parameters and interventions)."""
    for name, value in scenario.parameters.items():
        if value is not None:
            yield name, value
    for iv in scenario.interventions:
        yield from iv.set.items()


def _levels() -> tuple[float, float]:
    """The security-aid cut level (USD million/yr) and the intelligence floor, at defaults."""
    reg = registry()
    d = {n: reg[n].default for n in ("us.aid_total_musd", "us.aid_security_share",
                                     "us.security_cut_residual", "rupture.aid_floor_musd",
                                     "rupture.intel_floor")}  # fmt: skip
    cut = d["us.aid_total_musd"] * d["us.aid_security_share"] * d["us.security_cut_residual"]
    return max(cut, d["rupture.aid_floor_musd"]), d["rupture.intel_floor"]


def imposed_conditions(scenario: Scenario) -> dict[str, set[str]]:
    """The conditions of each headline event the scenario's own settings impose.

    Args:
        scenario: A loaded scenario (its parents resolved).

    Returns:
        Event name to the set of its conditions imposed (``rupture``, ``restoration``,
        ``decertification``, ``recertification``, ``deal``, ``concession``).
    """
    aid_cut_level, intel_floor = _levels()
    started = {m for sh in scenario.shocks for m in sh.start}
    ended = {m for sh in scenario.shocks for m in sh.end}
    imposed: set[str] = set()
    if "us.security_aid_cut" in started:
        imposed.add("security aid cut")
    if "us.intel_cut" in started:
        imposed.add("intelligence cut")
    if "us.security_aid_cut" in ended:
        imposed.add("security aid cut reversed")
    if "us.intel_cut" in ended:
        imposed.add("intelligence cut reversed")
    for name, value in _forced(scenario):
        if name == "us.security_aid_musd":
            cut = float(value) <= aid_cut_level
            imposed.add("security aid cut" if cut else "security aid cut reversed")
        elif name == "us.intel_sharing":
            cut = float(value) <= intel_floor
            imposed.add("intelligence cut" if cut else "intelligence cut reversed")
        elif name == "us.certification":
            imposed.add("certified" if value == "certified" else "decertified")
            if value == "decertified":
                imposed.add("security aid cut")  # decertification without a waiver, by law
    rupture = imposed & {"security aid cut", "intelligence cut"}
    reversal = imposed & {"security aid cut reversed", "intelligence cut reversed"}
    return {
        "rupture": rupture,
        "restoration": rupture | reversal,
        "decertification": imposed & {"decertified"},
        "recertification": imposed & {"decertified", "certified"},
        "deal": set(),
        "concession": set(),
    }
