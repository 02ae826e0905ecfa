"""Small helpers the actors share."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from typing import Any

#: One month in years.
DT = 1.0 / 12.0


def relax(value: float, target: float, years: float) -> float:
    """Move ``value`` toward ``target`` by one month of exponential adjustment."""
    if years <= 0:
        return target
    return value + (target - value) * (1.0 - math.exp(-DT / years))


def clip01(x: float) -> float:
    """``x`` limited to [0, 1]."""
    return min(1.0, max(0.0, x))


def logistic(x: float) -> float:
    """The logistic function."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def pick(obj: object, names: Iterable[str]) -> dict[str, Any]:
    """Copies of the named attributes of ``obj`` (an actor's :meth:`get_state`)."""
    return {k: copy.deepcopy(getattr(obj, k)) for k in names}


def put(obj: object, names: Iterable[str], state: Mapping[str, Any]) -> None:
    """Set the named attributes of ``obj`` from copies of ``state`` (its ``set_state``).

    Raises:
        ValueError: ``state`` lacks one of the names.
    """
    names = tuple(names)
    missing = [k for k in names if k not in state]
    if missing:
        raise ValueError(f"{type(obj).__name__} state lacks {missing}")
    for k in names:
        setattr(obj, k, copy.deepcopy(state[k]))
