"""Rules of control: the armed share, Kalyvas's zones, and the rent the groups collect.

Notation in ``rift.model.rules``.
"""

from __future__ import annotations

import numpy as np


def armed_share(S: np.ndarray, E: np.ndarray) -> np.ndarray:
    """``theta = S / (S + E)``, the armed share of the local forces (0 where both are 0)."""
    total = S + E
    return np.divide(S, total, out=np.zeros(len(S)), where=total > 0)


def top_two(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Strongest and second-strongest value along axis 0, and the index of the strongest.

    The same as ``np.sort(s, axis=0)[-1]``, ``[-2]`` (0 for one group) and
    ``np.argmax(s, axis=0)`` (the first group reaching the maximum), as new arrays; a loop
    over the few groups is several times faster than sorting 1,122 short columns.
    """
    if len(s) == 1:
        return s[0].copy(), np.zeros(s.shape[1]), np.zeros(s.shape[1], dtype=np.int8)
    first = np.maximum(s[0], s[1])
    second = np.minimum(s[0], s[1])
    arg = (s[1] > s[0]).astype(np.int8)
    for g in range(2, len(s)):
        x = s[g]
        np.putmask(arg, x > first, g)
        np.maximum(second, np.minimum(first, x), out=second)
        np.maximum(first, x, out=first)
    return first, second, arg


def kalyvas_zones(
    theta: np.ndarray,
    strongest: np.ndarray,
    second: np.ndarray,
    *,
    cuts: tuple[float, float, float, float],
    contest_ratio: float,
    presence_floor: float,
) -> np.ndarray:
    """Kalyvas's five zones of control on the armed share, with the contested rule.

    ``zone = 1 + #{k : theta >= cut_k}`` for the four cuts ``cut_2 < ... < cut_5``: 1 and 2
    state control and dominance, 3 contested, 4 and 5 armed dominance and control. A zone 4
    or 5 is contested (3) when the second group is present and holds at least ``ratio``
    times the strongest: ``second >= max(ratio strongest, floor)``. Why: control follows the
    balance of local forces (Kalyvas 2006), and a rival of comparable strength denies it.

    Returns:
        Zone 1..5 per municipality, int8.
    """
    zone = np.ones(len(theta), dtype=np.int8)
    for cut in cuts:
        zone += theta >= cut
    contested = (second >= contest_ratio * strongest) & (second >= presence_floor)
    np.putmask(zone, contested & (zone >= 4), 3)
    return zone


def revenue(s: np.ndarray, S: np.ndarray, rent: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Rent each group collects: ``sum_i s_gi theta_i rent_i / S_i``, shape (G,).

    The armed share ``theta`` of a municipality's rent goes to the armed groups, split in
    proportion to their members there (``S = s.sum(axis=0)``).
    """
    per_member = np.divide(rent * theta, S, out=np.zeros(len(S)), where=S > 0)
    return s @ per_member
