"""The simulation: AllianceModel (mesa.Model), its actors, the territory and the election.

The package imports nothing at first: ``import rift.model.election`` (pure numpy) does not load
mesa. ``from rift.model import AllianceModel`` imports the model on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["AllianceModel", "ArmedGroup", "China", "Colombia", "UnitedStates"]


def __getattr__(name: str) -> Any:
    if name == "AllianceModel":
        from rift.model.model import AllianceModel

        return AllianceModel
    if name in ("ArmedGroup", "China", "Colombia", "UnitedStates"):
        from rift.model import actors

        return getattr(actors, name)
    raise AttributeError(f"module 'rift.model' has no attribute {name!r}")
