"""What every actor is to the model: a mesa agent that steps, keeps a state and reports outcomes.

The model knows its actors only through the declaration :data:`rift.model.actors.ACTORS`: it
builds them in that order, steps them in that order each month, saves and restores their
state under their names, and asks each for its outcomes. So an actor owns everything about
itself: what it decides (``step``), what it remembers (``STATE``) and what the run record
shows of it (``outcomes``, ``values``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import mesa

from rift.model.actors.common import pick, put

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel


class Actor(mesa.Agent):
    """An actor of the model (subclasses set ``STATE`` and override what they need).

    Attributes:
        STATE: The attributes a month changes; ``get_state`` copies them, ``set_state`` puts
            them back (the rest is read from the run's parameters).
        ON_CALENDAR: The dated one-off events of the calendar (:mod:`rift.calendar`) this actor
            handles, by event name, with the name of the method that handles it.
    """

    STATE: tuple[str, ...] = ()
    ON_CALENDAR: ClassVar[Mapping[str, str]] = {}

    def get_state(self) -> dict[str, Any]:
        """This actor's state: copies of :attr:`STATE`."""
        return pick(self, self.STATE)

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`."""
        put(self, self.STATE, state)

    def step(self) -> None:
        """This month's decisions (none by default)."""

    def outcomes(self) -> dict[str, float | str]:
        """This month's outcomes of the actor, by the names the record declares."""
        return {}

    def values(self) -> dict[str, Any]:
        """Per-run values of the actor, recorded once when the run ends."""
        return {}


@dataclass(frozen=True)
class ActorSpec:
    """One line of the actor declaration.

    Attributes:
        name: The model's attribute for the actor (``model.us``) and, for a single actor, its
            key in the saved state.
        build: Makes the actor from the model: a class taking the model, or a function that
            returns several actors (the armed groups).
        part: For several actors, their keys in the saved state, formatted with each actor's
            ``name`` (``"group_{name}"``).
        sanctuary: The border (a country key of the geography's sanctuaries) whose sanctuary
            node this actor governs: the node's capacity is scaled by the actor's
            ``tolerance()`` (1 = as at the start).
    """

    name: str
    build: Callable[[AllianceModel], Actor | Sequence[Actor]]
    part: str | None = None
    sanctuary: str | None = None

    def make(self, model: AllianceModel) -> list[Actor]:
        """The actors of this line, built for ``model``."""
        made = self.build(model)
        return list(made) if self.part is not None else [made]  # type: ignore[list-item]

    def keys(self, actors: Sequence[Actor]) -> list[str]:
        """The saved-state keys of this line's actors."""
        if self.part is None:
            return [self.name]
        return [self.part.format(name=a.name) for a in actors]
