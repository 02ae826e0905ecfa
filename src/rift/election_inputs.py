"""Scenario inputs of the election engine: fixed results and shifts of the poll prior, checked.

Each check raises :class:`rift.errors.InputError` naming the key path (the scenario loader adds
the file), so bad ``election.first_round``, ``election.runoff`` or ``election.shift`` input
exits with code 2 and one message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from rift.errors import InputError, did_you_mean
from rift.record import BLOCS


def check_shares(
    value: Any, *, key: str, blocs: tuple[str, ...] | None = None, sum_to_one: bool = True
) -> dict[str, float]:
    """Validate a mapping of bloc shares from scenario input (raises :class:`InputError`).

    Args:
        value: A mapping bloc -> share (0..1).
        key: The key path for the message, e.g. ``election.first_round``.
        blocs: The blocs required (default: any non-empty subset of ``BLOCS``).
        sum_to_one: Require the shares to sum to 1 (within 0.005).
    """
    if not isinstance(value, Mapping) or not value:
        raise InputError(f"got {value!r}", key=key, expected="a mapping of bloc to share")
    out: dict[str, float] = {}
    for b, v in value.items():
        if b not in BLOCS:
            raise InputError(
                f"unknown bloc {b!r}",
                key=f"{key}.{b}",
                expected=f"one of {', '.join(BLOCS)}",
                hint=did_you_mean(str(b), BLOCS),
            )
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= float(v) <= 1:
            raise InputError(f"got {v!r}", key=f"{key}.{b}", expected="a share in [0, 1]")
        out[b] = float(v)
    if blocs is not None and set(out) != set(blocs):
        raise InputError(
            f"got blocs {sorted(out)}", key=key, expected=f"exactly {', '.join(blocs)}"
        )
    if sum_to_one and abs(sum(out.values()) - 1.0) > 0.005:
        raise InputError(
            f"shares sum to {sum(out.values()):.3f}", key=key, expected="shares summing to 1"
        )
    return out


def check_runoff(value: Any, *, key: str = "election.runoff") -> dict[str, float]:
    """Validate a fixed runoff: exactly two blocs, shares summing to 1, no tie."""
    out = check_shares(value, key=key)
    if len(out) != 2:
        raise InputError(f"got {len(out)} blocs", key=key, expected="exactly two finalists")
    a, b = out.values()
    if a == b:
        raise InputError("a tie has no winner", key=key, expected="unequal shares")
    return out


def check_shift(value: Any, *, key: str = "election.shift") -> dict[str, float]:
    """Validate a shift of the poll prior in percentage points per bloc (-50..50 each)."""
    if not isinstance(value, Mapping) or not value:
        raise InputError(f"got {value!r}", key=key, expected="a mapping of bloc to points")
    out = {}
    for b, v in value.items():
        if b not in BLOCS:
            raise InputError(f"unknown bloc {b!r}", key=f"{key}.{b}", expected=", ".join(BLOCS))
        if isinstance(v, bool) or not isinstance(v, int | float) or not -50 <= float(v) <= 50:
            raise InputError(f"got {v!r}", key=f"{key}.{b}", expected="points in [-50, 50]")
        out[b] = float(v)
    if len(out) == len(BLOCS) and abs(sum(out.values())) > 0.05:
        raise InputError(
            f"shifts of all three blocs sum to {sum(out.values()):+.2f} points",
            key=key,
            expected="shifts summing to 0 when every bloc is named",
        )
    return out


def shifted_prior(shares: np.ndarray, shift: Mapping[str, float] | None) -> np.ndarray:
    """The prior shares moved by ``shift`` (points), the rest taken pro rata from the others.

    A named bloc moves by exactly its points; the blocs not named absorb the opposite of the
    total in proportion to their shares. Raises :class:`InputError` if a share leaves (0, 1).
    """
    s = np.asarray(shares, dtype=float).copy()
    if not shift:
        return s
    shift = check_shift(shift)
    named = np.array([b in shift for b in BLOCS])
    delta = np.array([shift.get(b, 0.0) for b in BLOCS]) / 100.0
    rest = s * ~named
    if rest.sum() > 0:
        delta = delta - delta.sum() * rest / rest.sum()
    out = s + delta
    if np.any(out <= 0.005) or np.any(out >= 0.995):
        raise InputError(
            f"the shifted prior {dict(zip(BLOCS, out.round(3), strict=True))} leaves (0, 1)",
            key="election.shift",
            expected="shifts that keep every bloc between 0.5 % and 99.5 %",
        )
    return out
