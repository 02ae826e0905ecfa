"""Levers: an intervention's timing and values, sampled per run in ``uncertain``.

Besides parameters and instruments (forced for the whole run), ``uncertain`` may name a part
of one of the scenario's interventions, by its place in the list (after ``extends``)::

    uncertain:
      interventions[0].at: {dist: choice, values: [2027-01, 2027-07, 2028-01]}
      interventions[0].until: {dist: choice, values: [2028-12, 2030-12]}
      interventions[0].set.us.security_aid_musd: {dist: uniform, low: 150, high: 400}

The intervention keeps its written values as the nominal ones; each run replaces them with its
sampled values (a month for ``at`` and ``until``, drawn with ``choice``; any distribution within
the instrument's range for a ``set`` value, which the intervention must name).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A lever's name: ``interventions[i].at``, ``interventions[i].until`` or
#: ``interventions[i].set.<instrument>``.
LEVER_PATTERN = re.compile(r"^interventions\[(\d{1,4})\]\.(at|until|set\.(.+))$")
#: What a lever's name looks like, for messages.
LEVER_FORM = "interventions[i].at, interventions[i].until or interventions[i].set.<instrument>"


@dataclass(frozen=True)
class Lever:
    """A sampled part of an intervention.

    Attributes:
        index: The intervention's place in the scenario's list.
        part: ``at``, ``until`` or ``set``.
        instrument: The instrument of a ``set`` lever (None for ``at`` and ``until``).
    """

    index: int
    part: str
    instrument: str | None = None


def lever(name: str) -> Lever | None:
    """The lever ``name`` names, or None when it is not one (a parameter's name)."""
    m = LEVER_PATTERN.match(name)
    if m is None:
        return None
    if m.group(3) is not None:
        return Lever(int(m.group(1)), "set", m.group(3))
    return Lever(int(m.group(1)), m.group(2))


def registry_name(name: str) -> str:
    """The registry entry whose range and kind a sampled name has (its instrument for a lever)."""
    lv = lever(name)
    return lv.instrument if lv is not None and lv.instrument is not None else name


__all__ = ["LEVER_FORM", "LEVER_PATTERN", "Lever", "lever", "registry_name"]
