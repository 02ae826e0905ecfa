"""The actors (mesa agents) and their declaration.

The United States, Colombia and its institutions, the armed groups, China and Venezuela, and
the diplomacy between the two presidents; the measure machinery they share is
:mod:`.measures`, what every actor is to the model :mod:`.base`.

:data:`ACTORS` is the one place the model learns who acts: it builds the actors in this order,
steps them in this order every month (each reads what the ones before it decided this month),
saves their states under their names and collects their outcomes. A new actor is a new module
here and one line below (and its outcomes declared in :mod:`rift.record`).
"""

from rift.model.actors.base import Actor, ActorSpec
from rift.model.actors.china import China
from rift.model.actors.colombia import Colombia
from rift.model.actors.diplomacy import Diplomacy
from rift.model.actors.groups import ArmedGroup
from rift.model.actors.institutions import INSTITUTIONS, Institutions
from rift.model.actors.measures import COL_MEASURES, US_MEASURES
from rift.model.actors.us import UnitedStates
from rift.model.actors.venezuela import Venezuela

#: Who acts, in the order of construction and of each month's steps.
ACTORS: tuple[ActorSpec, ...] = (
    ActorSpec("venezuela", Venezuela, sanctuary="venezuela"),  # US pressure on Caracas
    ActorSpec("china", China),
    ActorSpec("us", UnitedStates),  # tension, measures, certification, aid
    ActorSpec("colombia", Colombia),  # policies, tension, counter-measures, concessions
    ActorSpec("diplomacy", Diplomacy),  # deals
    ActorSpec("institutions", Institutions),  # cooperation apart from leaders
    ActorSpec("groups", ArmedGroup.each, part="group_{name}"),  # how fast to expand
)

__all__ = [
    "ACTORS",
    "COL_MEASURES",
    "INSTITUTIONS",
    "US_MEASURES",
    "Actor",
    "ActorSpec",
    "ArmedGroup",
    "China",
    "Colombia",
    "Diplomacy",
    "Institutions",
    "UnitedStates",
    "Venezuela",
]
