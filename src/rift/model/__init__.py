"""The simulation: AllianceModel (mesa.Model), its actors, territory, events and outcomes."""

from rift.model.actors import ArmedGroup, China, Colombia, UnitedStates
from rift.model.model import AllianceModel
from rift.model.outcomes import RunResult
from rift.model.territory import GROUPS
from rift.outcomes import OUTCOME_NAMES, OUTCOMES

__all__ = [
    "GROUPS",
    "OUTCOMES",
    "OUTCOME_NAMES",
    "AllianceModel",
    "ArmedGroup",
    "China",
    "Colombia",
    "RunResult",
    "UnitedStates",
]
