"""Small helpers the actors share."""

from __future__ import annotations

import math

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
