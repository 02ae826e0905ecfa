"""The 2030 Colombian election inside a run: Senate, first round, runoff, the new government.

The engine is the 2026 one (:mod:`rift.model.election`, :mod:`rift.model.congress`); what
differs is the prior. No 2030 candidates or polls exist, so the blocs' standing is drawn:

* **Standing** (drawn in March 2030, one normal per bloc): logistic-normal around the blocs'
  long-run first-round shares (``election.y2030.prior.*``, the geometric mean of 2010-2022 in
  ``rift/data/elections/results.csv``), pulled toward the 2026 first round by
  ``election.y2030.persistence`` (the simulated vote, or the 2026 poll prior when the vote was
  replaced by a fixed winner), with spread ``election.y2030.prior.sd`` (the 2010-2022 results'
  spread). The assumption: the blocs' candidates in 2030 are as unknown as the past
  elections' spread says, and the 2026 result carries over only as much as past results did.
* **Senate** (2030-03-10): the run's 2026 Senate (or the 2022 base when none was simulated),
  each bloc's log seat share moving by ``election.congress.coupling`` times the change in its
  log vote standing since the 2026 first round, plus ``election.congress.sd`` noise.
* **First round** (2030-05-26): the incumbent's record moves the standing as in 2026
  (:func:`rift.model.election.log_share_effects` with the governing bloc as incumbent):
  approval (relative to ``col.approval_base``, the approval of a president with a neutral
  record), armed control, the tariff and US coercion since the 2026 inauguration (or the
  run's start), and a US endorsement of the right (``election.us_endorsement_probability``,
  only under a Republican administration). Then the runoff (2030-06-16) through the 2026
  transfers.
* **Inauguration** (2030-08-07): the winner takes office with the 2030 Senate's governability.

``election.winner_2030`` fixes the winner; the same numbers are drawn whatever happens (three
normals for the standing, the Senate's three, one uniform, the engine's four), so scenarios stay
paired. Every draw is from the stream ``election_2030``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from rift.calendar import election_2026, election_2030
from rift.model.congress import DRAWS_PER_CONGRESS, governability
from rift.model.election import Drivers, ElectionParams, log_share_effects, simulate_election
from rift.model.election_data import BLOCS, senate_2026_base
from rift.model.election_us import check_choice

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel

#: The 2030 calendar (congress, first round, runoff, inauguration).
CALENDAR = election_2030()
#: The month the 2026 winner takes office: the start of the record the 2030 voters judge.
TERM_START = election_2026({}).inauguration
#: The bloc of the presidents before the modelled elections.
HISTORICAL_BLOC = {"petro": "left", "duque": "right"}
#: US administrations that back the right openly (Republican).
ENDORSING = frozenset({"trump2", "successor"})


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max())
    return e / e.sum()


def _clamp(x: float) -> float:
    return max(-1.0, min(1.0, x))


def draw_standing(
    mean: Mapping[str, float],
    previous: Mapping[str, float],
    persistence: float,
    sd: float,
    eps: np.ndarray,
) -> dict[str, float]:
    """The blocs' 2030 standing: shares around ``mean`` pulled toward ``previous``.

    In log-share space ``z = log(mean) + persistence * (clr(previous) - clr(mean)) + sd * eps``
    (``clr``: log-shares centred on their mean), then the softmax.
    """
    m = np.log([mean[b] for b in BLOCS])
    prev = np.log(np.clip([previous[b] for b in BLOCS], 1e-6, None))
    clr_m, clr_p = m - m.mean(), prev - prev.mean()
    s = _softmax(m + persistence * (clr_p - clr_m) + sd * np.asarray(eps, dtype=float))
    return {b: float(s[i]) for i, b in enumerate(BLOCS)}


def senate_2030(
    seats_2026: Mapping[str, float],
    first_round_2026: Mapping[str, float],
    standing: Mapping[str, float],
    params: ElectionParams,
    eps: np.ndarray,
) -> dict[str, float]:
    """The Senate elected in March 2030: the 2026 seats swung by the change in standing."""
    z = np.log(np.clip([seats_2026[b] for b in BLOCS], 1e-6, None))
    change = np.log([standing[b] for b in BLOCS]) - np.log(
        np.clip([first_round_2026[b] for b in BLOCS], 1e-6, None)
    )
    s = _softmax(z + params.congress_coupling * change + params.sd_congress * np.asarray(eps))
    return {b: float(s[i]) for i, b in enumerate(BLOCS)}


class Campaign2030:
    """Runs the 2030 election inside a model run (see the module docstring)."""

    def __init__(self, model: AllianceModel, spec: Mapping[str, Any] | None) -> None:
        p = model.p
        spec = dict(spec or {})
        self.model = model
        self.stream = model.streams["election_2030"]
        self.params = ElectionParams.from_mapping(p)
        raw = {b: float(p[f"election.y2030.prior.{b}"]) for b in BLOCS}
        self.prior_mean = {b: v / sum(raw.values()) for b, v in raw.items()}
        self.prior_sd = float(p["election.y2030.prior.sd"])
        self.persistence = float(p["election.y2030.persistence"])
        self.approval_neutral = float(p["col.approval_base"])
        self.endorsement_probability = float(p["election.us_endorsement_probability"])
        self.winner_fixed = check_choice(spec.get("winner_2030"), "election.winner_2030", BLOCS)
        self.reference: dict[str, float] | None = None
        self.standing: dict[str, float] | None = None
        self.seats: dict[str, float] | None = None
        self.winner: str | None = None
        if model.start > CALENDAR.first_round:
            self.winner = self.winner_fixed

    def get_state(self) -> dict[str, Any]:
        """What the 2030 campaign has seen and decided so far."""

        def copy(d: Mapping[str, float] | None) -> dict[str, float] | None:
            return None if d is None else dict(d)

        return {
            "reference": copy(self.reference),
            "standing": copy(self.standing),
            "seats": copy(self.seats),
            "winner": self.winner,
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`."""
        for key in ("reference", "standing", "seats"):
            value = state[key]
            setattr(self, key, None if value is None else dict(value))
        self.winner = state["winner"]

    # -- what the voters see --------------------------------------------------------------
    def _world(self) -> dict[str, float]:
        m = self.model
        return {
            "control": m.territory.control_count / m.geo.n,
            "tariff": m.us.tariff,
            "coercion": m.us.coercion(),
        }

    def _first_round_2026(self) -> dict[str, float]:
        """The 2026 first round as the run made it, or the poll prior if it was not voted."""
        values = self.model.recorder.run_values
        shares = {b: values.get(f"first_round_{b}") for b in BLOCS}
        if all(isinstance(v, float) and math.isfinite(v) for v in shares.values()):
            return {b: float(v) for b, v in shares.items()}  # type: ignore[arg-type]
        return dict(self.model.campaign.prior.shares)

    def _draw_standing(self) -> dict[str, float]:
        eps = self.stream.standard_normal(len(BLOCS))
        return draw_standing(
            self.prior_mean, self._first_round_2026(), self.persistence, self.prior_sd, eps
        )

    # -- the calendar ---------------------------------------------------------------------
    def month(self, month: int) -> None:
        """The 2030 election's steps in their months."""
        if self.reference is None and month >= TERM_START:
            self.reference = self._world()
        if month == CALENDAR.congress:
            self.congress()
        late_start = month == self.model.start and CALENDAR.first_round < month
        if month == CALENDAR.first_round or (late_start and self.winner is None):
            self.first_round()  # a run starting between the rounds and the oath votes at once
        m = self.model
        if month == CALENDAR.runoff and self.winner is not None:
            m.colombia.president_elect = self.winner
            m.us.on_runoff(self.winner)
        if month == CALENDAR.inauguration and self.winner is not None:
            g = 1.0 if self.seats is None else governability(self.seats, self.winner, self.params)
            m.recorder.value("governability_2030", g)
            m.colombia.governability = g
            m._inaugurate(self.winner)

    def congress(self) -> None:
        """The blocs' standing and the Senate elected in March 2030."""
        rec = self.model.recorder
        self.standing = self._draw_standing()
        eps = self.stream.standard_normal(DRAWS_PER_CONGRESS)
        campaign = self.model.campaign
        base = campaign.seats if campaign.seats is not None else senate_2026_base()
        self.seats = senate_2030(base, self._first_round_2026(), self.standing, self.params, eps)
        for b in BLOCS:
            rec.value(f"senate_2030_{b}", self.seats[b])

    def first_round(self) -> str:
        """The first round and runoff of 2030; returns the winner (and records the vote)."""
        m = self.model
        rec = m.recorder
        if self.standing is None:  # the run started after the Senate election
            self.standing = self._draw_standing()
        u_endorse = self.stream.random()
        endorsed = u_endorse < self.endorsement_probability and m.us_administration in ENDORSING
        now = self._world()
        ref = self.reference or now
        drivers = Drivers(
            approval_change=_clamp(m.colombia.approval - self.approval_neutral),
            armed_control_change=_clamp(now["control"] - ref["control"]),
            tariff_change=_clamp(now["tariff"] - ref["tariff"]),
            us_coercion_change=_clamp(now["coercion"] - ref["coercion"]),
            us_endorsement=1.0 if endorsed else 0.0,
        )
        president = m.colombia.president
        incumbent = HISTORICAL_BLOC.get(president, president)
        z = np.log([self.standing[b] for b in BLOCS])
        s = _softmax(z + log_share_effects(drivers, self.params, incumbent))
        outcome = simulate_election(
            m.campaign.prior,
            Drivers(),
            self.params,
            self.stream,
            first_round={b: float(s[i]) for i, b in enumerate(BLOCS)},
        )
        if self.winner_fixed is not None:
            self.winner = self.winner_fixed  # the vote's draws were made, its result unused
        else:
            self.winner = outcome.winner
            for b in BLOCS:
                rec.value(f"first_round_2030_{b}", outcome.first_round[b])
            rec.value("margin_2030", outcome.margin)
        rec.value("winner_2030", self.winner)
        return self.winner
