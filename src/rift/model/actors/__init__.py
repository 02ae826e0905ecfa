"""The actors (mesa agents).

The United States, Colombia and its institutions, the armed groups, China and Venezuela, and
the diplomacy between the two presidents; the measure machinery they share is
:mod:`.measures`.
"""

from rift.model.actors.china import China
from rift.model.actors.colombia import Colombia
from rift.model.actors.diplomacy import Diplomacy
from rift.model.actors.groups import ArmedGroup
from rift.model.actors.institutions import INSTITUTIONS, Institutions
from rift.model.actors.measures import COL_MEASURES, US_MEASURES
from rift.model.actors.us import UnitedStates
from rift.model.actors.venezuela import Venezuela

__all__ = [
    "COL_MEASURES",
    "INSTITUTIONS",
    "US_MEASURES",
    "ArmedGroup",
    "China",
    "Colombia",
    "Diplomacy",
    "Institutions",
    "UnitedStates",
    "Venezuela",
]
