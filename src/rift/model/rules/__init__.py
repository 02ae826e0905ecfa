"""The territory's rules, one pure function each, with its equation and its reason.

Every rule works on numpy arrays and returns new arrays; none keeps state or draws random
numbers (the expansion decisions get their uniform draws as an argument). The territory
(``rift.model.territory``) calls them in order each month. Notation, with ``g`` an armed
group and ``i`` a node (the 1,122 municipalities, then the sanctuaries):

* ``s[g, i]`` members of group ``g`` in node ``i``, and ``S[i] = sum_g s[g, i]``;
* ``E[i]`` the state's local presence, in member-equivalents;
* ``K[i]`` the members the node's rent sustains (its carrying capacity);
* ``C[i]`` coca hectares in municipality ``i``;
* ``theta[i] = S / (S + E)`` the armed share of the local forces;
* rates are per year and a step is ``dt`` years (a month, ``dt = 1/12``), integrated by
  one explicit Euler step.

Modules: ``armed`` (rent and capacity, recruitment, attrition, rival combat), ``expansion``,
``coca``, ``control`` (armed share, Kalyvas zones, rent collected) and ``displacement``.
These numpy functions are the reference; ``compiled`` holds the same rules compiled with
numba (the optional ``fast`` extra), which the territory uses when :func:`kernels` says so.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

from rift.errors import InputError
from rift.model.rules.armed import (
    attrition,
    carrying_capacity,
    euler_step,
    presence_losses,
    recruitment,
    rival_combat,
    withdrawal,
)
from rift.model.rules.coca import (
    coca_logistic,
    coca_market_factor,
    coca_price_index,
    coca_priced,
    eradication,
    unseized_ratio,
)
from rift.model.rules.control import armed_share, kalyvas_zones, revenue, top_two
from rift.model.rules.displacement import (
    Violence,
    displacement_from_casualties,
    displacement_from_civilian_violence,
)
from rift.model.rules.expansion import (
    Fronts,
    expansion,
    front_hazard,
    move_detachments,
    neighbour_pairs,
    open_fronts,
)

#: The kernels the territory's rules can run on: the numpy reference, or compiled by numba.
KERNELS = ("numpy", "numba")
#: The environment variable that chooses them (``rift run --kernels`` sets it).
KERNELS_VARIABLE = "RIFT_KERNELS"


def kernels(name: str | None = None) -> ModuleType:
    """The module whose rules the territory calls: this one (numpy) or ``compiled`` (numba).

    Args:
        name: ``numpy`` or ``numba``; None reads ``RIFT_KERNELS`` (default ``numpy``).

    Returns:
        A module with the territory's rules under the reference's names.

    Raises:
        InputError: an unknown name, or ``numba`` without numba installed.
    """
    choice = name if name is not None else os.environ.get(KERNELS_VARIABLE, "") or "numpy"
    if choice not in KERNELS:
        raise InputError(
            f"unknown kernels {choice!r}",
            key=KERNELS_VARIABLE if name is None else "--kernels",
            expected="numpy or numba",
        )
    if choice == "numpy":
        return sys.modules[__name__]
    try:
        from rift.model.rules import compiled
    except ImportError as exc:
        raise InputError(
            f"the numba kernels need numba, which is not installed ({exc})",
            key=KERNELS_VARIABLE if name is None else "--kernels",
            expected="numpy, or numba installed",
            hint='Install it with: pip install "rift[fast]"',
        ) from None
    return compiled


__all__ = [
    "KERNELS",
    "KERNELS_VARIABLE",
    "Fronts",
    "Violence",
    "armed_share",
    "attrition",
    "carrying_capacity",
    "coca_logistic",
    "coca_market_factor",
    "coca_price_index",
    "coca_priced",
    "displacement_from_casualties",
    "displacement_from_civilian_violence",
    "eradication",
    "euler_step",
    "expansion",
    "front_hazard",
    "kalyvas_zones",
    "kernels",
    "move_detachments",
    "neighbour_pairs",
    "open_fronts",
    "presence_losses",
    "recruitment",
    "revenue",
    "rival_combat",
    "top_two",
    "unseized_ratio",
    "withdrawal",
]
