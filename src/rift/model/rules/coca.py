"""The coca rule: how coca hectares change each month (one closure; others may follow).

The territory calls its coca rule as ``rule(coca, theta, eradication_ha) -> (coca, eradicated)``
with the parameters bound (see ``rift.model.territory.default_coca_rule``). Notation in
``rift.model.rules``.
"""

from __future__ import annotations

import numpy as np


def eradication(coca: np.ndarray, theta: np.ndarray, hectares: float) -> np.ndarray:
    """Hectares eradicated in each municipality this month.

    ``e_i = min(H R_i / sum_j R_j, C_i)`` with ``R = (1 - theta) C`` the coca the state can
    reach. Why: manual eradication teams go where the state is present, so a national target
    ``H`` is spread in proportion to reachable coca; no municipality loses more than it has.
    """
    reachable = coca * (1.0 - theta)
    total = reachable.sum()
    if hectares <= 0 or total <= 0:
        return np.zeros(len(coca))
    return np.minimum(reachable * (hectares / total), coca)


def coca_logistic(
    coca: np.ndarray,
    theta: np.ndarray,
    hectares: float,
    *,
    capacity: np.ndarray,
    growth: float,
    abandon: float,
    replant: float,
    dt: float,
) -> tuple[np.ndarray, float]:
    """Coca with a carrying-capacity closure: logistic growth under armed dominance.

    ``dC/dt = rate C`` with the per-hectare rate
    ``rate = g theta (1 - C / Cmax) - a (1 - theta)`` (no growth where ``Cmax = 0``); then
    ``C(t + dt) = max(C (1 + dt rate) - (1 - rho) e, 0)`` with ``e`` the eradication
    (``eradication``), of which a share ``rho`` is replanted. Why: armed groups protect and
    finance coca where they dominate, up to the land suited to it (``Cmax``); farmers
    abandon it where the state dominates; eradicated fields are often replanted.

    Args:
        coca: Hectares per municipality, ``C``, shape (n,).
        theta: Armed share per municipality, shape (n,).
        hectares: Eradication this month before replanting, ``H``, hectares.
        capacity: Hectares suited to coca per municipality, ``Cmax``, shape (n,).
        growth: Growth rate ``g`` per year under full armed dominance.
        abandon: Abandonment rate ``a`` per year under full state dominance.
        replant: Share ``rho`` of the eradicated hectares replanted.
        dt: Length of the step in years.

    Returns:
        ``(coca after the month, hectares eradicated)``.
    """
    fill = np.divide(coca, capacity, out=np.ones(len(coca)), where=capacity > 0)
    rate = growth * theta * (1.0 - fill) - abandon * (1.0 - theta)
    erased = eradication(coca, theta, hectares)
    new = coca * (1.0 + dt * rate) - (1.0 - replant) * erased
    return np.maximum(new, 0.0, out=new), float(erased.sum())
