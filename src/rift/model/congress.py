"""The Senate elected on 2026-03-08 and the new president's governability.

Pure numpy; every draw from the generator passed in (``DRAWS_PER_CONGRESS`` normals per call).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rift.model.election import ElectionParams
from rift.model.election_data import BLOCS, PollPrior, result_shares, senate_2026_base

#: Standard normals drawn per Senate simulation.
DRAWS_PER_CONGRESS = 3
_INDEX = {b: i for i, b in enumerate(BLOCS)}


def _logodds(p: float) -> float:
    return math.log(p) - math.log1p(-p)


@dataclass(frozen=True)
class CongressOutcome:
    """The Senate elected on 2026-03-08, by bloc.

    Attributes:
        seats: Bloc shares of the Senate's party seats (sum to 1).
    """

    seats: dict[str, float]


def simulate_congress(
    prior: PollPrior, params: ElectionParams, rng: np.random.Generator
) -> CongressOutcome:
    """Draw the 2026 Senate's seat shares by bloc.

    The 2022 seats (minus Comunes' five guaranteed seats, which lapse in 2026) swing with the
    left's standing: the left's seat log-odds move by ``congress_coupling`` times the change in
    its log-odds from the 2022 first round (41 %) to the poll prior; the centre and right keep
    their 2022 ratio. Then every bloc's log-share gets noise ``sd_congress``. Only the left is
    coupled because the government-versus-opposition axis is what the presidential polls
    measure; the centre's presidential vote is candidate-driven (Fajardo won 4 % in 2022 while
    the centre parties held 27 Senate seats). Draws exactly ``DRAWS_PER_CONGRESS`` normals.
    """
    eps = rng.standard_normal(DRAWS_PER_CONGRESS)
    base = senate_2026_base()
    z = np.log([base[b] for b in BLOCS])
    left_2022 = result_shares(2022, 1)["left"]
    swing = _logodds(prior.shares["left"]) - _logodds(left_2022)
    # Moving the left's log-share by x moves its log-odds by x (the others renormalise).
    z[_INDEX["left"]] += params.congress_coupling * swing
    z = z + params.sd_congress * eps
    s = np.exp(z - z.max())
    s /= s.sum()
    return CongressOutcome({b: float(s[i]) for i, b in enumerate(BLOCS)})


def governability(seats: Mapping[str, float], president_bloc: str, params: ElectionParams) -> float:
    """The share of the new president's agenda they can carry through Congress (0..1).

    Support = the president's bloc's seats + ``gov_ally_weight`` x the seats of adjacent blocs
    (the centre for a left or right president; both poles for a centre president) +
    ``gov_cross_weight`` x the opposite pole (clientelist parties join most governments, as
    the Conservatives and La U joined Petro's first cabinet in 2022). Governability is a
    logistic in support around a majority: ``1 / (1 + exp(-(support - midpoint) / scale))``.
    1 means the whole agenda passes (posture, eradication and extradition targets are reached
    as planned), 0 that Congress blocks it.
    """
    if president_bloc not in BLOCS:
        raise ValueError(f"president_bloc must be one of {BLOCS}, got {president_bloc!r}")
    total = sum(seats[b] for b in BLOCS)
    support = 0.0
    for b in BLOCS:
        share = seats[b] / total
        if b == president_bloc:
            support += share
        elif "centre" in (b, president_bloc):
            support += params.gov_ally_weight * share
        else:
            support += params.gov_cross_weight * share
    x = (support - params.gov_midpoint) / params.gov_scale
    return float(1.0 / (1.0 + math.exp(-x)))
