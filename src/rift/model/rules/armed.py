"""Rules of the armed groups' members: rent and capacity, and the local dynamics.

The local dynamics of the members of group ``g`` in node ``i`` are

    ds/dt = r s (1 - (S + E) / K) - a q s - k s (S - s) / S - w s [s < v E] - b_g s [s >= f]

(recruitment, attrition from state operations, rival combat, withdrawal where the group is
weak against the state, and losses to strikes where the group is present), one function per
term; the territory adds the per-member rates and takes one Euler step. Notation in
``rift.model.rules``.
"""

from __future__ import annotations

import numpy as np


# ------------------------------------------------------------------ rent and capacity
def carrying_capacity(
    extortion: np.ndarray,
    coca: np.ndarray,
    sanctuary_capacity: np.ndarray,
    *,
    rent_per_ha: float,
    multiplier: float,
    cost_per_member: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Rent of each node and the members it sustains.

    ``rent = m (X + p C)`` and ``K = rent / c`` in municipalities; ``K`` is fixed in the
    sanctuaries. ``X`` is the non-coca rent (extortion, mining, routes; zero in the
    sanctuaries), ``p`` the rent of a coca hectare, ``m`` a multiplier of the local economy
    (civil aid cuts, tariffs) and ``c`` the yearly cost of a member. Why: a group keeps the
    members its local income pays for; beyond that, members leave or go unpaid.

    Args:
        extortion: Non-coca rent per node, USD million/yr, shape (M,).
        coca: Coca hectares per municipality, shape (n,) with n <= M.
        sanctuary_capacity: Fixed capacity of the sanctuary nodes, shape (M - n,).
        rent_per_ha: Rent per coca hectare, USD million/yr.
        multiplier: Multiplier of all rent.
        cost_per_member: Cost of a member, USD million/yr.

    Returns:
        ``(rent, K)``, both shape (M,).
    """
    n = len(coca)
    rent = extortion.copy()
    rent[:n] += coca * rent_per_ha
    rent *= multiplier
    K = rent / cost_per_member
    K[n:] = sanctuary_capacity
    return rent, K


# ------------------------------------------------------------------ local dynamics
def recruitment(S: np.ndarray, E: np.ndarray, K: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Per-member recruitment rate: logistic, with the state taking part of the capacity.

    ``ds/dt = r s (1 - min((S + E) / K, 2))``, and ``-r s`` where ``K = 0``. Why: a group
    grows where rent per member exceeds the cost of a member and shrinks where the state
    (``E``) and rivals (``S - s``) crowd it out; the crowding is capped at 2 so that a
    collapse of rent makes members leave at most at the rate ``r`` they join.

    Args:
        S: Armed members per node, shape (M,).
        E: State presence per node, shape (M,).
        K: Carrying capacity per node, shape (M,).
        rate: Growth rate ``r`` of each group per year, shape (G, 1).

    Returns:
        ``r (1 - crowding)`` per year, shape (G, M).
    """
    crowding = np.divide(S + E, K, out=np.full(len(K), 2.0), where=K > 0)
    np.minimum(crowding, 2.0, out=crowding)
    return rate * (1.0 - crowding)


def attrition(reach: np.ndarray, effort: float) -> np.ndarray:
    """Per-member attrition from state operations: Lanchester's guerrilla (Deitchman) form.

    ``ds/dt = -a q s`` with ``a`` the state's effort (operations x capability x intelligence
    quality, per year at reach 1) and ``q`` the state's local reach. Why: irregular forces
    must be found before they can be fought (area fire), so the state's losses inflicted
    grow with the members there are to find, ``s``, times the effort it puts in and how well
    it reaches the place, not with the size of its own forces.

    Returns:
        ``a q`` per year, shape (M,).
    """
    return reach * effort


def rival_combat(s: np.ndarray, S: np.ndarray, clash_rate: float) -> np.ndarray:
    """Per-member losses in clashes between rivals: square law on the local balance.

    ``ds/dt = -k s (S - s) / S`` (0 where ``S = 0``). Why: rivals in the same municipality
    fight over its rent; each side loses in proportion to its own strength times the rivals'
    share of the armed forces there, so a group alone loses nothing and an even split costs
    most.

    Returns:
        ``k (S - s) / S`` per year, shape (G, M).
    """
    rate = S - s
    rate /= np.where(S > 0, S, 1.0)  # where S = 0 every s is 0 too: 0 / 1
    rate *= clash_rate
    return rate


def withdrawal(s: np.ndarray, E: np.ndarray, ratio: float, rate: float) -> np.ndarray:
    """Per-member withdrawal where a group is weak against the state: presence that contracts.

    ``ds/dt = -w s`` where ``0 < s < v E`` (``v`` the withdrawal ratio, ``E`` the state's local
    presence), else 0. Why: where the state dominates, a group cannot hold ground and its
    members leave (Kalyvas 2006; the fronts FARC gave up under Plan Colombia); once below the
    extinction floor the group is gone from the municipality, so presence contracts as the
    state grows, not only through attrition. The sanctuaries have ``E = 0``: no withdrawal.

    Args:
        s: Members, shape (G, M).
        E: State presence per node, shape (M,).
        ratio: Withdrawal ratio ``v``, members per member-equivalent of presence.
        rate: Withdrawal rate ``w`` per year.

    Returns:
        ``w [s < v E]`` per year, shape (G, M).
    """
    weak = (s > 0.0) & (s < ratio * E)
    return weak * rate


def presence_losses(s: np.ndarray, rate: np.ndarray, floor: float, n: int) -> np.ndarray:
    """Per-member losses of each group wherever it is present in a municipality: strikes.

    ``ds/dt = -b_g s`` where ``s >= f`` (``f`` the presence floor) in the ``n``
    municipalities, 0 in the sanctuaries. Why: strikes on Colombian soil (``us.soil_strikes``)
    hit the camps and laboratories of the groups they target where those groups are, without
    the state's reach (they need neither Colombian troops nor roads), and never inside
    Venezuela or Ecuador.

    Args:
        s: Members, shape (G, M).
        rate: Loss rate ``b_g`` of each group per year, shape (G,).
        floor: The presence floor ``f`` (members).
        n: The number of municipalities (the nodes before the sanctuaries).

    Returns:
        ``b_g [s >= f]`` per year, shape (G, M) (0 from node ``n`` on).
    """
    out = np.zeros_like(s)
    out[:, :n] = (s[:, :n] >= floor) * rate[:, None]
    return out


def euler_step(s: np.ndarray, rate: np.ndarray, dt: float) -> np.ndarray:
    """``s(t + dt) = max(s (1 + dt rate), 0)``: one explicit step of the local dynamics.

    ``rate`` is the net per-member rate per year, the same shape as ``s`` (G, M).
    """
    new = dt * rate
    new += 1.0
    new *= s
    return np.maximum(new, 0.0, out=new)
