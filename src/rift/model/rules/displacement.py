"""The displacement rule: people displaced each month (one closure; others may follow).

The territory calls its displacement rule as ``rule(casualties, contested) -> displaced``
with the parameters bound (see ``rift.model.territory.default_displacement_rule``).
"""

from __future__ import annotations


def displacement_from_casualties(
    casualties: float, contested: int, *, per_casualty: float, per_contested: float
) -> float:
    """People displaced this month: ``D = d_c casualties + d_z contested``.

    Why: displacement follows violence, the armed casualties of clashes and operations, and
    the municipalities where control is disputed (``contested``, zone 3), where civilians are
    caught between groups.
    """
    return per_casualty * casualties + per_contested * contested
