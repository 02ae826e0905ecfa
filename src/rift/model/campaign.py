"""The 2026 election as the model runs it: Congress, first round, runoff, the new government.

The engine (:mod:`rift.model.election`, :mod:`rift.model.congress`) is pure; this module gives it
what the run has made of the world:

* the **poll prior** is the 2026 first-round polls published up to 2025-12 (November 2025);
* at the end of **November 2025** (the polls' date) the run notes the outgoing president's
  approval, the share of municipalities under armed control, the US tariff rate and US coercion;
* on **2026-03-08** the Senate is elected (seat shares by bloc);
* on **2026-05-31** the first round: the drivers are the changes since the polls (approval,
  armed control, tariff, US coercion — the rally) and a US endorsement of the right, which comes
  with probability ``election.us_endorsement_probability``; then the runoff (2026-06-21);
* on **2026-08-07** the winner takes office with the Senate's governability: the share of their
  agenda (posture, eradication, extradition targets) they can carry.

A scenario may fix the first round or the runoff, or shift the poll prior (``election.first_round``,
``election.runoff``, ``election.shift``). ``election.winner`` or ``election.priors`` (winner
probabilities by bloc) replace the vote with a draw of the winner: the vote shares are then not
simulated (NaN) and the margin is unknown.

Every election draws the same numbers whatever happens (one uniform for the endorsement, one for
the winner draw, the engine's four normals, the Senate's three), so scenarios stay paired.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from rift.model.congress import governability, simulate_congress
from rift.model.election import DRAWS_PER_ELECTION, Drivers, ElectionParams, simulate_election
from rift.model.election_data import BLOCS, PollPrior, poll_prior
from rift.months import parse_month

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel

#: The month the 2026 polls describe (the last published before the data horizon).
POLL_MONTH = parse_month("2025-11")


@cache
def _prior() -> PollPrior:
    return poll_prior()


class Campaign:
    """Runs the 2026 election inside a model run."""

    def __init__(self, model: AllianceModel, spec: Mapping[str, Any]) -> None:
        p = model.p
        self.model = model
        self.stream = model.streams["election"]
        self.params = ElectionParams.from_mapping(p)
        self.prior = _prior()
        self.endorsement_probability = p["election.us_endorsement_probability"]
        self.spec = dict(spec or {})
        self.winner_fixed: str | None = self.spec.get("winner")
        self.winner_priors: Mapping[str, float] | None = self.spec.get("priors")
        self.reference: dict[str, float] | None = None
        self.seats: dict[str, float] | None = None
        self.winner: str | None = None
        self.endorsed = False

    def get_state(self) -> dict[str, Any]:
        """What the campaign has seen and decided so far (poll-month world, seats, winner)."""
        return {
            "reference": None if self.reference is None else dict(self.reference),
            "seats": None if self.seats is None else dict(self.seats),
            "winner": self.winner,
            "endorsed": self.endorsed,
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`."""
        ref, seats = state["reference"], state["seats"]
        self.reference = None if ref is None else dict(ref)
        self.seats = None if seats is None else dict(seats)
        self.winner = state["winner"]
        self.endorsed = bool(state["endorsed"])

    def note_poll_month(self) -> None:
        """Remember the world the polls priced in (the end of November 2025)."""
        self.reference = self._state()

    def _state(self) -> dict[str, float]:
        m = self.model
        return {
            "approval": m.colombia.approval,
            "control": m.territory.control_count / m.geo.n,
            "tariff": m.us.tariff,
            "coercion": m.us.coercion(),
        }

    def congress(self) -> None:
        """The Senate elected on 2026-03-08 (three normals, always drawn)."""
        self.seats = simulate_congress(self.prior, self.params, self.stream).seats
        for b in BLOCS:
            self.model.recorder.value(f"senate_{b}", self.seats[b])

    def first_round(self) -> str:
        """The first round and the runoff; returns the winner (and records the vote)."""
        rec = self.model.recorder
        u_endorse, u_winner = self.stream.random(), self.stream.random()
        self.endorsed = u_endorse < self.endorsement_probability
        now = self._state()
        ref = self.reference or now
        drivers = Drivers(
            approval_change=_clamp(now["approval"] - ref["approval"]),
            armed_control_change=_clamp(now["control"] - ref["control"]),
            tariff_change=_clamp(now["tariff"] - ref["tariff"]),
            us_coercion_change=_clamp(now["coercion"] - ref["coercion"]),
            us_endorsement=1.0 if self.endorsed else 0.0,
        )
        rec.value("us_endorsement", float(self.endorsed))
        if self.winner_fixed or self.winner_priors:
            self.stream.standard_normal(DRAWS_PER_ELECTION)  # the vote's draws, unused
            self.winner = self.winner_fixed or self._draw(u_winner)
            rec.value("winner", self.winner)
            return self.winner
        outcome = simulate_election(
            self.prior,
            drivers,
            self.params,
            self.stream,
            first_round=self.spec.get("first_round"),
            runoff=self.spec.get("runoff"),
            shift=self.spec.get("shift"),
        )
        for key, value in outcome.record().items():
            if key != "winner":
                rec.value(key, float(value))
        self.winner = outcome.winner
        rec.value("winner", self.winner)
        return self.winner

    def _draw(self, u: float) -> str:
        names = list(self.winner_priors or {})
        weights = np.array([float(self.winner_priors[t]) for t in names])
        cdf = np.cumsum(weights / weights.sum())
        return names[int(np.searchsorted(cdf, u, side="right").clip(0, len(names) - 1))]

    def governability(self, bloc: str) -> float:
        """The new president's governability (1 without a simulated Senate)."""
        if self.seats is None:
            return 1.0
        g = governability(self.seats, bloc, self.params)
        self.model.recorder.value("governability", g)
        return g


def _clamp(x: float) -> float:
    return max(-1.0, min(1.0, x))
