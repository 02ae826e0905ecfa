"""The displacement rules: people displaced each month, under two closures.

The territory calls its displacement rule as ``rule(violence) -> displaced`` with the
parameters bound (``rift.model.territory.displacement_rule``), where ``violence`` holds the
month's armed casualties of rival clashes and of state operations and the municipalities
contested and under armed control. Two closures (``variant.displacement``):

* ``casualties``: displacement follows the armed casualties, the contested municipalities and
  those under armed control (so a rupture that hands territory to the groups displaces
  people even as the state's operations, and their casualties, fall);
* ``civilians``: displacement follows violence against civilians where control is disputed
  (contested municipalities), armed rule (controlled municipalities, a lower rate: confinement
  more than flight), and clashes between groups more than state operations (mass
  displacements of 55,000 people in 154 events in 2023, Defensoría).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Violence:
    """The month's violence the displacement rules read."""

    clash_casualties: float
    operation_casualties: float
    contested: int
    controlled: int


def displacement_from_casualties(
    violence: Violence, *, per_casualty: float, per_contested: float, per_controlled: float
) -> float:
    """People displaced this month: ``D = d_c casualties + d_z contested + d_k controlled``.

    Why: displacement follows violence, the armed casualties of clashes and operations, the
    municipalities where control is disputed (``contested``, zone 3), where civilians are
    caught between groups, and those under armed control (zones 4-5), where the groups'
    rule expels those they suspect, recruits children and enforces its orders (Ibáñez &
    Vélez 2008; the Unidad para las Víctimas counts most of its yearly displaced in the
    municipalities the groups dispute or hold). Without the last term a rupture that hands
    territory to the groups would displace fewer people, because fewer operations mean
    fewer casualties.
    """
    casualties = violence.clash_casualties + violence.operation_casualties
    return (
        per_casualty * casualties
        + per_contested * violence.contested
        + per_controlled * violence.controlled
    )


def displacement_from_civilian_violence(
    violence: Violence,
    *,
    per_contested: float,
    per_controlled: float,
    per_clash_casualty: float,
    per_operation_casualty: float,
) -> float:
    """People displaced this month from violence against civilians.

    ``D = d_z contested + d_k controlled + d_x clash + d_o operations``, with ``d_x > d_o``:
    groups fighting each other target the civilians they suspect of helping the rival, while
    state operations displace fewer per armed casualty. Why: yearly displacement (about
    165,000 in 2023-2024) tracks disputed territory more than the tempo of operations.
    """
    return (
        per_contested * violence.contested
        + per_controlled * violence.controlled
        + per_clash_casualty * violence.clash_casualties
        + per_operation_casualty * violence.operation_casualties
    )
