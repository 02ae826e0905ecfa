"""The coca rules: how coca hectares change each month, under two closures.

The territory calls its coca rule as ``rule(coca, theta, eradication_ha, price, factor) ->
(coca, eradicated)`` with the parameters bound (``rift.model.territory.coca_rule``). Two
closures of the same growth-abandonment-eradication balance (``variant.coca``):

* ``capacity``: logistic growth up to the land suited to coca (``coca.capacity_ha`` spread by
  department): a bare assumption that sets where coca stops;
* ``price``: no cap; growth scales with a farm-gate price index that falls with oversupply and
  rises when interdiction (seizures, which US intelligence drives) falls, so the alliance
  reaches coca through the drug trade (the model computes the index; ``coca_price_index``).

Notation in ``rift.model.rules``.
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


def _grow_and_eradicate(
    coca: np.ndarray,
    rate: np.ndarray,
    theta: np.ndarray,
    hectares: float,
    replant: float,
    dt: float,
) -> tuple[np.ndarray, float]:
    """The step both closures share: ``max(C (1 + dt rate) - (1 - rho) e, 0)`` and ``sum e``."""
    erased = eradication(coca, theta, hectares)
    new = coca * (1.0 + dt * rate) - (1.0 - replant) * erased
    return np.maximum(new, 0.0, out=new), float(erased.sum())


def coca_logistic(
    coca: np.ndarray,
    theta: np.ndarray,
    hectares: float,
    price: float = 1.0,
    growth_factor: float = 1.0,
    *,
    capacity: np.ndarray,
    growth: float,
    abandon: float,
    replant: float,
    dt: float,
) -> tuple[np.ndarray, float]:
    """Coca with a carrying-capacity closure: logistic growth under armed dominance.

    ``dC/dt = rate C`` with the per-hectare rate
    ``rate = g f theta (1 - C / Cmax) - a (1 - theta)`` (no growth where ``Cmax = 0``; ``f``
    this year's growth factor); then
    ``C(t + dt) = max(C (1 + dt rate) - (1 - rho) e, 0)`` with ``e`` the eradication
    (``eradication``), of which a share ``rho`` is replanted. Why: armed groups protect and
    finance coca where they dominate, up to the land suited to it (``Cmax``); farmers
    abandon it where the state dominates; eradicated fields are often replanted.

    Args:
        coca: Hectares per municipality, ``C``, shape (n,).
        theta: Armed share per municipality, shape (n,).
        hectares: Eradication this month before replanting, ``H``, hectares.
        price: The farm-gate price index (not used by this closure).
        growth_factor: This year's factor on the growth rate (process shocks; 1: none).
        capacity: Hectares suited to coca per municipality, ``Cmax``, shape (n,).
        growth: Growth rate ``g`` per year under full armed dominance.
        abandon: Abandonment rate ``a`` per year under full state dominance.
        replant: Share ``rho`` of the eradicated hectares replanted.
        dt: Length of the step in years.

    Returns:
        ``(coca after the month, hectares eradicated)``.
    """
    fill = np.divide(coca, capacity, out=np.ones(len(coca)), where=capacity > 0)
    rate = growth * growth_factor * theta * (1.0 - fill) - abandon * (1.0 - theta)
    return _grow_and_eradicate(coca, rate, theta, hectares, replant, dt)


def coca_priced(
    coca: np.ndarray,
    theta: np.ndarray,
    hectares: float,
    price: float = 1.0,
    growth_factor: float = 1.0,
    *,
    growth: float,
    abandon: float,
    replant: float,
    dt: float,
) -> tuple[np.ndarray, float]:
    """Coca with a price closure: growth under armed dominance scaled by the price index.

    ``rate = g f theta P - a (1 - theta)``; then as :func:`coca_logistic`. Why: farmers plant
    more where armed groups protect the crop and buyers pay more; the price index ``P`` (1 at
    the reference) carries the limit the capacity closure puts in land: oversupply lowers the
    price, and with it planting (Ibanez & Carlsson; Moreno-Sanchez et al.: cultivation answers
    prices, weakly).
    """
    rate = growth * growth_factor * theta * price - abandon * (1.0 - theta)
    return _grow_and_eradicate(coca, rate, theta, hectares, replant, dt)


def coca_price_index(
    coca_total: float,
    interdiction: float,
    *,
    supply_reference: float,
    supply_elasticity: float,
    seizure_reference: float,
    seizure_elasticity: float,
) -> float:
    """The farm-gate price index: ``P = (Q / Q_ref)^(-e_q) x ((1 - s) / (1 - s_ref))^(e_s)``.

    ``Q`` is the coca area, ``s = s_ref x interdiction`` the share of cocaine seized
    (``interdiction`` 1 as in 2023-2024, when Colombia seized about 0.28 of potential output;
    it falls with US intelligence sharing and the state's capability). Fewer seizures mean more
    of each hectare's cocaine reaches the market, so traffickers pay more for leaf and paste
    (``e_s > 0``; the sign is uncertain in the literature, and the prior includes negative
    values); oversupply lowers the price (the 2022-2023 collapse in Nariño and Cauca).
    """
    supply = (max(coca_total, 1.0) / supply_reference) ** (-supply_elasticity)
    margin = unseized_ratio(interdiction, seizure_reference) ** seizure_elasticity
    return float(supply * margin)


def unseized_ratio(interdiction: float, seizure_reference: float) -> float:
    """``(1 - s) / (1 - s_ref)`` with ``s = min(0.95, max(0, s_ref x interdiction))``.

    The share of potential cocaine that is not seized, relative to the reference (1 with full
    cooperation). Fewer seizures (``interdiction < 1``) mean a ratio above 1: more of each
    hectare's cocaine reaches the market, and more of its value reaches the groups that tax
    it (``territory.seizure_rent_elasticity``) and the farmers who sell leaf (the price
    closure).

    Args:
        interdiction: Interdiction relative to the reference (1 as in 2023-2024).
        seizure_reference: Share of potential cocaine seized at the reference, ``s_ref``.
    """
    seized = min(0.95, max(0.0, seizure_reference * interdiction))
    return (1.0 - seized) / (1.0 - seizure_reference)


def coca_market_factor(coca_total: float, *, onset: float, saturation: float) -> float:
    """``m = clip((Q_sat - Q) / (Q_sat - Q_on), 0, 1)``: how much of coca's growth is left.

    The national market saturates: above the onset area ``Q_on`` each further hectare lowers
    the price of leaf and paste and the growth of planting, which stops at ``Q_sat``
    (abandonment and eradication continue, so coca can fall). Why: coca grew +13 % in
    2021-2022, +10 % in 2022-2023 and +3.4 % in 2023-2024 as leaf prices collapsed
    (USD 20 to 7 an arroba in Nariño); growth that never slows would double coca by 2030.
    The territory multiplies this year's growth factor by ``m`` in both closures.

    Args:
        coca_total: Coca hectares in Colombia, ``Q``.
        onset: Area below which the market does not slow growth, ``Q_on``.
        saturation: Area at which planting stops, ``Q_sat`` (above ``Q_on``).
    """
    if saturation <= onset:
        return 1.0 if coca_total < onset else 0.0
    return float(min(1.0, max(0.0, (saturation - coca_total) / (saturation - onset))))
