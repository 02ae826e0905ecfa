"""The 2026 Colombian presidential election engine: first round and runoff by bloc.

Pure numpy; no mesa, no model. The model fills a :class:`Drivers` at the first round and calls
:func:`simulate_election` with its own generator. The data and the poll prior are in
:mod:`rift.model.election_data`, scenario inputs (a fixed result, a shifted prior) are checked
in :mod:`rift.election_inputs`, and the Senate and the new president's governability are
in :mod:`rift.model.congress`.

**First round.** Vote shares by bloc (``left``, ``centre``, ``right``: shares of candidate votes,
blank removed) are logistic-normal around the poll prior. In log-share space, per bloc::

    z = log(prior + shift) + effects(drivers) - centre_bias * h + sd(h) * eps,   eps ~ N(0, 1)
    shares = softmax(z),   sd(h)**2 = sd_final**2 + sd_horizon**2 * h

``h`` is the poll horizon in units of the fitted six-month horizon (0 for final polls, about
1.1 for the November 2025 polls). ``sd_final``, ``sd_horizon`` and ``centre_bias`` are fitted
on 2010-2022 (``rift.validation.elections``): final polls against results, and the drift from
polls six months out to the final polls, in which the centre lost ground in both 2018 and 2022.

**Drivers** act on the *changes* between the poll date and the first round, because the polls
already price in the world as it was when they were taken. Each is a shift of one bloc's
log-share (about ``s * (1 - s)`` times the shift in share, i.e. 0.24 x at 40 %):

* approval of the outgoing president up -> left (Petro's bloc) up (``effect.approval``);
* armed control spreading (worse security) -> right up (``effect.security``);
* economic cost of US measures (tariff rate x 28.9 % of exports going to the US) -> left
  down, voters punishing the incumbent's successor (``effect.econ_cost``; sign uncertain:
  voters may blame Washington instead). No measure of the catalogue cuts remittances (neither
  the record of crises nor the seeds have one), so remittances are not a driver;
* US coercion in force (0-1) -> left up: a rally against the pressure (``effect.rally``);
* US endorsement of or interference for the right (seed 003: Rubio "has consistently supported
  Petro's political opponents") -> right up (``effect.endorsement``; sign uncertain: overt
  foreign backing can backfire).

**Runoff.** A candidate wins in the first round with more than half of the valid votes (blank
votes count in the denominator): bloc ``b``'s leading candidate has ``concentration[b] *
share[b] * (1 - blank_share)`` (a bloc's vote is several candidates'; the lead shares are fitted
on the 2010-2022 results by ``rift.validation.elections.fit_lead_shares``). Otherwise the blocs
of the top two candidates meet. The
eliminated bloc's voters split between the finalists (``transfer``, fitted on the 2010-2022
runoffs); mobilisation, abstention and within-bloc defection add a logit-normal error
(``sd_transfer``)::

    p = share[receiver] + transfer * share[eliminated];   logit(v) = logit(p) + sd_transfer * eta

**Common random numbers.** Every call draws exactly ``DRAWS_PER_ELECTION`` standard normals per
simulated election (three for the first round, one for the runoff) whatever happens: a fixed
first round, a fixed runoff or a first-round winner use the same draws as a contested race, so
scenarios that differ only in drivers stay paired draw for draw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from rift.election_inputs import check_runoff, check_shares, check_shift, shifted_prior
from rift.errors import InputError
from rift.model.election_data import BLOCS, PollPrior

#: Standard normals drawn per simulated election (first round: 3, runoff: 1).
DRAWS_PER_ELECTION = 4

_INDEX = {b: i for i, b in enumerate(BLOCS)}
#: The bloc that receives ``transfer`` of the eliminated bloc's voters, by eliminated bloc.
TRANSFER_RECEIVER = {"centre": "left", "left": "centre", "right": "centre"}
_FLOOR = 1e-9


@dataclass(frozen=True)
class Drivers:
    """Changes in the world between the poll date (end of November 2025) and the first round.

    Every field is a change from the poll date, not a level: zero everywhere reproduces the
    poll prior. See the module docstring for the direction of each effect.

    Attributes:
        approval_change: Change in the outgoing president's approval (share, -1..1; +0.05 is
            five points more approval).
        armed_control_change: Change in the share of municipalities under armed-group control
            (-1..1; +0.05 is about 56 more of the 1,122 municipalities).
        tariff_change: Change in the US tariff rate on Colombian goods (-1..1; 0.25 for the
            January 2025 threat).
        us_coercion_change: Change in an index 0-1 of US measures in force against Colombia
            (aid cuts, decertification, sanctions, visa bans, strikes), -1..1.
        us_endorsement: Change in open US backing of the right's candidate or interference on
            its behalf (-1..1; 1 = an explicit presidential endorsement with threats or offers
            attached; negative = backing withdrawn).
    """

    approval_change: float = 0.0
    armed_control_change: float = 0.0
    tariff_change: float = 0.0
    us_coercion_change: float = 0.0
    us_endorsement: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not -1.0 <= float(value) <= 1.0:
                raise InputError(
                    f"got {value!r}", key=f"drivers.{f.name}", expected="a number in [-1, 1]"
                )


@dataclass(frozen=True)
class ElectionParams:
    """The engine's coefficients (registry names ``election.*``; see ``rift params election``).

    Log-share effects are per unit of the driver; ``sd_*`` are standard deviations of
    log-shares (first round) or of the runoff logit.
    """

    sd_final: float
    sd_horizon: float
    centre_bias: float
    final_lead_days: float
    horizon_ref_days: float
    blank_share: float
    concentration: Mapping[str, float]
    transfer: Mapping[str, float]
    sd_transfer: float
    effect_approval: float
    effect_security: float
    effect_econ_cost: float
    effect_rally: float
    effect_endorsement: float
    export_share_us: float
    congress_coupling: float
    sd_congress: float
    gov_midpoint: float
    gov_scale: float
    gov_ally_weight: float
    gov_cross_weight: float

    @classmethod
    def from_mapping(cls, p: Mapping[str, Any]) -> ElectionParams:
        """Read the ``election.*`` values from a parameter set (or any mapping by name)."""

        def g(name: str) -> float:
            return float(p[f"election.{name}"])

        return cls(
            sd_final=g("poll.sd_final"),
            sd_horizon=g("poll.sd_horizon"),
            centre_bias=g("poll.centre_bias"),
            final_lead_days=g("poll.final_lead_days"),
            horizon_ref_days=g("poll.horizon_ref_days"),
            blank_share=g("blank_share"),
            concentration={b: g(f"concentration.{b}") for b in BLOCS},
            transfer={e: g(f"transfer.{e}_to_{r}") for e, r in TRANSFER_RECEIVER.items()},
            sd_transfer=g("transfer.sd"),
            effect_approval=g("effect.approval"),
            effect_security=g("effect.security"),
            effect_econ_cost=g("effect.econ_cost"),
            effect_rally=g("effect.rally"),
            effect_endorsement=g("effect.endorsement"),
            export_share_us=g("econ.export_share_us"),
            congress_coupling=g("congress.coupling"),
            sd_congress=g("congress.sd"),
            gov_midpoint=g("governability.midpoint"),
            gov_scale=g("governability.scale"),
            gov_ally_weight=g("governability.ally_weight"),
            gov_cross_weight=g("governability.cross_weight"),
        )

    def horizon(self, days_before: float) -> float:
        """Poll horizon in units of the fitted six-month horizon (0 for final polls)."""
        span = self.horizon_ref_days - self.final_lead_days
        return max(0.0, (days_before - self.final_lead_days) / span)


@dataclass(frozen=True)
class ElectionOutcome:
    """One simulated 2026 presidential election.

    Attributes:
        first_round: Bloc shares of first-round candidate votes (sum to 1).
        decided_in_first_round: True if a candidate won more than half of the valid votes.
        runoff_pair: The two finalists' blocs (leader first), or None.
        runoff: The finalists' shares of runoff candidate votes (sum to 1), or None.
        winner: The winning bloc.
        margin: Winner's share minus runner-up's share in the deciding round (0..1; in the
            first round, of valid votes).
    """

    first_round: dict[str, float]
    decided_in_first_round: bool
    runoff_pair: tuple[str, str] | None
    runoff: dict[str, float] | None
    winner: str
    margin: float

    def record(self) -> dict[str, float | str | bool]:
        """A flat record for a results table (runoff shares are NaN for non-finalists)."""
        out: dict[str, float | str | bool] = {
            f"first_round_{b}": self.first_round[b] for b in BLOCS
        }
        for b in BLOCS:
            out[f"runoff_{b}"] = (self.runoff or {}).get(b, math.nan)
        out.update(
            winner=self.winner,
            margin=self.margin,
            decided_in_first_round=self.decided_in_first_round,
        )
        return out


def log_share_effects(
    drivers: Drivers, params: ElectionParams, incumbent: str = "left"
) -> np.ndarray:
    """The drivers' shifts of each bloc's log-share, in ``BLOCS`` order.

    The approval, economic-cost and rally effects act on the outgoing government's bloc
    (``incumbent``: the left, Petro's, in 2026; the 2026 winner's in 2030), because voters
    judge the government's record through its heir. Security and a US endorsement act on the
    right whoever governs: the right owns the security issue in Colombian campaigns (Uribe
    2002-2006, Duque 2018), and Washington's backing goes to it.
    """
    if incumbent not in _INDEX:
        raise ValueError(f"incumbent must be one of {BLOCS}, got {incumbent!r}")
    econ = drivers.tariff_change * params.export_share_us
    out = np.zeros(len(BLOCS))
    out[_INDEX[incumbent]] += (
        params.effect_approval * drivers.approval_change
        + params.effect_econ_cost * econ
        + params.effect_rally * drivers.us_coercion_change
    )
    out[_INDEX["right"]] += (
        params.effect_security * drivers.armed_control_change
        + params.effect_endorsement * drivers.us_endorsement
    )
    return out


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, _FLOOR, 1 - _FLOOR)
    return np.log(p) - np.log1p(-p)


def simulate_elections(
    prior: PollPrior,
    drivers: Drivers,
    params: ElectionParams,
    rng: np.random.Generator,
    n: int,
    *,
    first_round: Mapping[str, float] | None = None,
    runoff: Mapping[str, float] | None = None,
    shift: Mapping[str, float] | None = None,
) -> dict[str, np.ndarray]:
    """``n`` independent elections at once (the vectorised core of :func:`simulate_election`).

    Returns arrays: ``first_round`` (n, 3), ``runoff`` (n, 3; zero for non-finalists),
    ``winner`` (n; index into ``BLOCS``), ``margin`` (n), ``decided`` (n; bool), ``pair``
    (n, 2; bloc indices, -1 when decided in the first round).
    """
    eps = rng.standard_normal((n, DRAWS_PER_ELECTION))  # always the same number of draws
    if shift:
        check_shift(shift)  # bad input fails even when a fixed first round makes it moot
    if first_round is not None:
        fixed = check_shares(first_round, key="election.first_round", blocs=BLOCS)
        s = np.tile([fixed[b] / sum(fixed.values()) for b in BLOCS], (n, 1))
    else:
        base = shifted_prior(prior.vector(), shift)
        h = params.horizon(prior.days_before)
        z = np.log(base) + log_share_effects(drivers, params)
        z[_INDEX["centre"]] -= params.centre_bias * h
        sd = math.sqrt(params.sd_final**2 + params.sd_horizon**2 * h)
        s = _softmax(z + sd * eps[:, :3])
    conc = np.array([params.concentration[b] for b in BLOCS])
    lead = s * conc * (1.0 - params.blank_share)
    order = np.argsort(-lead, axis=1, kind="stable")
    rows = np.arange(n)
    decided = lead[rows, order[:, 0]] > 0.5
    vote = np.zeros((n, 3))
    pair = np.full((n, 2), -1)
    winner = order[:, 0].copy()
    margin = lead[rows, order[:, 0]] - lead[rows, order[:, 1]]
    if runoff is not None:
        fixed_r = check_runoff(runoff)
        (a, va), (b, vb) = sorted(fixed_r.items(), key=lambda kv: -kv[1])
        ia, ib = _INDEX[a], _INDEX[b]
        vote[:, ia], vote[:, ib] = va / (va + vb), vb / (va + vb)
        pair[:] = (ia, ib)
        winner[:] = ia
        margin[:] = (va - vb) / (va + vb)
        decided[:] = False
    else:
        idx = ~decided
        fa, fb, el = order[idx, 0], order[idx, 1], order[idx, 2]
        receiver = np.array([_INDEX[TRANSFER_RECEIVER[BLOCS[e]]] for e in el], dtype=int)
        tau = np.array([params.transfer[BLOCS[e]] for e in el])
        sub = s[idx]
        r = np.arange(sub.shape[0])
        p_recv = sub[r, receiver] + tau * sub[r, el]
        v_recv = 1.0 / (1.0 + np.exp(-(_logit(p_recv) + params.sd_transfer * eps[idx, 3])))
        other = np.where(receiver == fa, fb, fa)
        v = np.zeros((sub.shape[0], 3))
        v[r, receiver] = v_recv
        v[r, other] = 1.0 - v_recv
        vote[idx] = v
        first = np.where(v[r, fa] >= v[r, fb], fa, fb)
        second = np.where(first == fa, fb, fa)
        pair[idx, 0], pair[idx, 1] = first, second
        winner[idx] = first
        margin[idx] = v[r, first] - v[r, second]
    return {
        "first_round": s,
        "runoff": vote,
        "winner": winner,
        "margin": margin,
        "decided": decided,
        "pair": pair,
    }


def simulate_election(
    prior: PollPrior,
    drivers: Drivers,
    params: ElectionParams,
    rng: np.random.Generator,
    *,
    first_round: Mapping[str, float] | None = None,
    runoff: Mapping[str, float] | None = None,
    shift: Mapping[str, float] | None = None,
) -> ElectionOutcome:
    """Simulate the 2026 presidential election once.

    Args:
        prior: The poll prior (:func:`rift.model.election_data.poll_prior`).
        drivers: Changes since the poll date (see :class:`Drivers`).
        params: Coefficients (:meth:`ElectionParams.from_mapping`).
        rng: The generator; exactly ``DRAWS_PER_ELECTION`` normals are drawn, always.
        first_round: Fix the first-round bloc shares (all three blocs, summing to 1); the
            runoff then follows from them through the transfers.
        runoff: Fix the runoff (two blocs, shares summing to 1): its leader wins. The first
            round is still drawn (from ``first_round`` if given) and may not match the pair;
            fix both for a consistent story.
        shift: Move the poll prior by bloc, in percentage points (:func:`shifted_prior`);
            moot (but still checked) when ``first_round`` is fixed.

    Returns:
        The outcome: first-round shares, runoff pair and shares, winner and margin.
    """
    out = simulate_elections(
        prior, drivers, params, rng, 1, first_round=first_round, runoff=runoff, shift=shift
    )
    s = out["first_round"][0]
    decided = bool(out["decided"][0])
    pair = None
    votes = None
    if not decided:
        ia, ib = (int(i) for i in out["pair"][0])
        pair = (BLOCS[ia], BLOCS[ib])
        votes = {BLOCS[ia]: float(out["runoff"][0, ia]), BLOCS[ib]: float(out["runoff"][0, ib])}
    return ElectionOutcome(
        first_round={b: float(s[i]) for i, b in enumerate(BLOCS)},
        decided_in_first_round=decided,
        runoff_pair=pair,
        runoff=votes,
        winner=BLOCS[int(out["winner"][0])],
        margin=float(out["margin"][0]),
    )
