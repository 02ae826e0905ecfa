"""US elections inside a run: the midterms of November 2026 and the presidency in November 2028.

Neither outcome is known to the model (the coded record of 2025-2026 ends in 2026-06), so both
are drawn, one uniform each from the stream ``us_elections`` whatever happens (scenarios stay
paired), from base rates in the registry:

* **Midterms (2026-11-03).** The House is won by the opposition with probability
  ``us.midterms_2026.divided_probability``. A divided Congress sits from 2027-01 to the 2029
  inauguration and scales the administration's reaction to grievances by
  ``us.midterms_2026.divided_scale_factor`` (1, no effect, by default: the model's measures are
  executive acts). The Congress elected with the 2028 president is not modelled: from 2029
  the factor is 1.
* **Presidency (2028-11-07).** The Republicans keep the White House with probability
  ``us.election_2028.republican_probability``; the winner's administration (``successor`` or
  ``successor_dem``, each with its own grievance scale and pressure on Caracas) takes office on
  2029-01-20, in the calendar's place of the "successor".

A scenario may fix either outcome (``election.us_2028``: ``republican`` or ``democrat``;
``election.midterms_2026``: ``divided`` or ``unified``); the draw is still made.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rift.calendar import (
    US_CONGRESS_2027,
    US_ELECTION_2028,
    US_INAUGURATIONS,
    US_MIDTERM_OUTCOMES,
    US_MIDTERMS_2026,
    US_PARTIES_2028,
    us_administration_at,
)
from rift.errors import InputError, did_you_mean
from rift.months import parse_month

if TYPE_CHECKING:  # pragma: no cover
    from rift.model.model import AllianceModel

#: The calendar's US administration of a month number (it parses dates; cached per process).
_administration_at = functools.lru_cache(maxsize=4096)(us_administration_at)
MIDTERMS = parse_month(US_MIDTERMS_2026)
CONGRESS_SEATED = parse_month(US_CONGRESS_2027)
ELECTION_2028 = parse_month(US_ELECTION_2028)
#: The month the calendar's placeholder ``successor`` takes office (2029-01).
INAUGURATION_2029 = next(parse_month(d) for d, who in US_INAUGURATIONS if who == "successor")


def check_choice(value: Any, key: str, choices: tuple[str, ...]) -> str | None:
    """A scenario's fixed outcome: None, or one of ``choices`` (else :class:`InputError`)."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        raise InputError(
            f"got {value!r}",
            key=key,
            expected=f"one of {', '.join(choices)}",
            hint=did_you_mean(str(value), choices),
        )
    return value


class UsPolitics:
    """The 2026 midterms and the 2028 presidential election of one run."""

    def __init__(self, model: AllianceModel, spec: Mapping[str, Any] | None) -> None:
        p = model.p
        spec = dict(spec or {})
        self.model = model
        self.stream = model.streams["us_elections"]
        self.divided_probability = float(p["us.midterms_2026.divided_probability"])
        self.divided_factor = float(p["us.midterms_2026.divided_scale_factor"])
        self.republican_probability = float(p["us.election_2028.republican_probability"])
        self.fixed_party = check_choice(
            spec.get("us_2028"), "election.us_2028", tuple(US_PARTIES_2028)
        )
        self.fixed_midterms = check_choice(
            spec.get("midterms_2026"), "election.midterms_2026", US_MIDTERM_OUTCOMES
        )
        #: The midterms' outcome (None before 2026-11) and the 2028 winner's party.
        self.midterms: str | None = None
        self.party: str | None = None
        # A run that starts after an election draws its outcome at once (the same draw).
        if model.start > MIDTERMS:
            self._midterms()
        if model.start > ELECTION_2028:
            self._presidency()
        self.congress_factor = self._factor(model.start)

    def get_state(self) -> dict[str, Any]:
        """The outcomes drawn so far and this month's factor."""
        return {
            "midterms": self.midterms,
            "party": self.party,
            "congress_factor": self.congress_factor,
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`."""
        self.midterms = state["midterms"]
        self.party = state["party"]
        self.congress_factor = float(state["congress_factor"])

    def _factor(self, month: int) -> float:
        divided = self.midterms == "divided" and CONGRESS_SEATED <= month < INAUGURATION_2029
        return self.divided_factor if divided else 1.0

    def month(self, month: int) -> None:
        """Hold the elections in their months and set this month's Congress factor."""
        rec = self.model.recorder
        if month == MIDTERMS:
            self._midterms()
            rec.value("us_midterms_2026", self.midterms)
        if month == ELECTION_2028:
            self._presidency()
            rec.value("us_party_2028", self.party)
        self.congress_factor = self._factor(month)

    def _midterms(self) -> None:
        u = self.stream.random()
        drawn = "divided" if u < self.divided_probability else "unified"
        self.midterms = self.fixed_midterms or drawn

    def _presidency(self) -> None:
        u = self.stream.random()
        drawn = "republican" if u < self.republican_probability else "democrat"
        self.party = self.fixed_party or drawn

    def administration(self, month: int) -> str:
        """The US administration in office at ``month`` (the calendar's, with the 2028 winner)."""
        name = _administration_at(month)
        if name == "successor":
            return US_PARTIES_2028[self.party or "republican"]
        return name
