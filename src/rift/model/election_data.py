"""The Colombian election data: polls and results by bloc, and the 2026 poll prior.

The files live in ``rift/data/elections/`` (see the README there for sources, bases and
judgement calls): ``results.csv`` (2010-2022, both rounds), ``polls.csv`` (the last poll of
each pollster before each round, polls about six months before the 2018 and 2022 first rounds,
and the 2026-cycle polls published up to 2025-12-31), ``candidates.csv`` (every candidate's
bloc with a reason) and ``congress_2022.csv`` (Senate seats).

Every share here is a share of *candidate* votes (blank, null, undecided and "none" removed):
polls publish on different bases (all respondents, decided voters, likely voters; see the
README), and dropping the non-candidate answers is the one operation that puts them all on the
same footing. The blank vote is handled apart (``election.blank_share``) where it matters: the
first-round majority counts blank votes in the denominator.

This module reads files and aggregates; it draws nothing. Pure Python and numpy.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np

from rift.record import BLOCS  # the three blocs, in the order of every vector in the engine

#: Answers that are not candidates (dropped before normalising a poll).
NON_CANDIDATES = frozenset({"Blank", "None", "Don't know", "Don't know/No answer", "Neither"})

#: The 2026 calendar (seed-independent facts of the electoral calendar).
CONGRESS_2026 = dt.date(2026, 3, 8)
FIRST_ROUND_2026 = dt.date(2026, 5, 31)
RUNOFF_2026 = dt.date(2026, 6, 21)

#: The data horizon: nothing published after this date is used.
DATA_HORIZON = dt.date(2025, 12, 31)

#: Lead time assumed for a "final" poll whose publication date the source does not give: the
#: publication ban starts a week before election day, so final polls come out 8-10 days before.
UNDATED_FINAL_LEAD_DAYS = 10

#: Seats of the Comunes party guaranteed by the 2016 peace accord (Acto Legislativo 03 of 2017)
#: for two terms only (2018-2026); they do not carry over to the Senate elected in 2026.
COMUNES_GUARANTEED_SEATS = 5


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("rift.data").joinpath("elections", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@functools.cache
def read_table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of one packaged elections file (``results.csv``, ``polls.csv``, ...)."""
    return tuple(_read(name))


def _date(text: str) -> dt.date | None:
    text = (text or "").strip()
    return dt.date.fromisoformat(text) if text else None


@functools.lru_cache(maxsize=1)
def candidate_blocs() -> dict[tuple[int, str], str]:
    """The bloc of every candidate, by ``(election year, candidate name)``."""
    return {(int(r["year"]), r["candidate"]): r["bloc"] for r in read_table("candidates.csv")}


def bloc_of(year: int, candidate: str) -> str:
    """The bloc of one candidate in one election year.

    Raises:
        KeyError: If ``candidates.csv`` does not list the candidate for that year.
    """
    try:
        return candidate_blocs()[(year, candidate)]
    except KeyError:
        raise KeyError(f"candidates.csv has no bloc for {candidate!r} in {year}") from None


def election_date(year: int, round_: int) -> dt.date:
    """The date of a past round (from ``results.csv``) or of the 2026 rounds."""
    if year == 2026:
        return FIRST_ROUND_2026 if round_ == 1 else RUNOFF_2026
    for r in read_table("results.csv"):
        if int(r["year"]) == year and int(r["round"]) == round_:
            return dt.date.fromisoformat(r["date"])
    raise KeyError(f"no result for {year} round {round_}")


def _normalise(totals: Mapping[str, float]) -> dict[str, float]:
    total = sum(totals.values())
    if total <= 0:
        raise ValueError("no candidate shares to normalise")
    return {b: totals[b] / total for b in totals}


def result_shares(year: int, round_: int) -> dict[str, float]:
    """Bloc shares of the candidate votes in a past round (blank votes removed).

    For a first round the dict has the three blocs; for a runoff, the two finalists' blocs.
    """
    totals: dict[str, float] = defaultdict(float)
    for r in read_table("results.csv"):
        if int(r["year"]) != year or int(r["round"]) != round_ or r["bloc"] in ("-", ""):
            continue
        totals[r["bloc"]] += float(r["share_valid"])
    if not totals:
        raise KeyError(f"no result for {year} round {round_}")
    if round_ == 1:
        totals = {b: totals.get(b, 0.0) for b in BLOCS}
    return _normalise(totals)


def result_lead_shares(year: int) -> dict[str, float]:
    """Each bloc's leading first-round candidate as a share of the bloc's candidate votes."""
    best: dict[str, float] = defaultdict(float)
    totals: dict[str, float] = defaultdict(float)
    for r in read_table("results.csv"):
        if int(r["year"]) != year or int(r["round"]) != 1 or r["bloc"] in ("-", ""):
            continue
        share = float(r["share_valid"])
        totals[r["bloc"]] += share
        best[r["bloc"]] = max(best[r["bloc"]], share)
    return {b: best[b] / totals[b] for b in totals}


@dataclass(frozen=True)
class Poll:
    """One published poll, aggregated by bloc.

    Attributes:
        pollster: The pollster as in ``polls.csv``.
        date: Publication date (or end of fieldwork, or an assumed date for an undated final
            poll: see ``UNDATED_FINAL_LEAD_DAYS``).
        shares: Bloc shares of the candidate answers (sum to 1).
        named: Share of all answers that named a candidate (a low value flags a long tail of
            undecided or blank respondents, or a truncated list).
    """

    pollster: str
    date: dt.date
    shares: dict[str, float]
    named: float


def _polls(year: int, round_: str, poll_set: str) -> list[Poll]:
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for r in read_table("polls.csv"):
        if int(r["election_year"]) == year and r["round"] == round_ and r["poll_set"] == poll_set:
            groups[(r["pollster"], r["published"], r["field_end"])].append(r)
    polls = []
    for (pollster, _, _), rows in groups.items():
        head = rows[0]
        date = _date(head["published"]) or _date(head["field_end"]) or _date(head["field_start"])
        if date is None:
            election = election_date(year, int(round_[0]))
            date = election - dt.timedelta(days=UNDATED_FINAL_LEAD_DAYS)
        totals: dict[str, float] = defaultdict(float)
        answered = 0.0
        for r in rows:
            answered += float(r["share"])
            if r["candidate"] in NON_CANDIDATES:
                continue
            totals[bloc_of(year, r["candidate"])] += float(r["share"])
        named = sum(totals.values())
        if round_ == "1":
            if any(totals.get(b, 0.0) <= 0 for b in BLOCS):
                continue  # a truncated list (no candidate of some bloc) is not comparable
            totals = {b: totals[b] for b in BLOCS}
        polls.append(Poll(pollster, date, _normalise(totals), named / max(answered, named)))
    return sorted(polls, key=lambda p: (p.date, p.pollster))


@dataclass(frozen=True)
class PollPrior:
    """A poll average by bloc: the centre of a forecast before errors and drivers.

    Attributes:
        year: Election year.
        round: 1 (first round) or 2 (runoff).
        shares: Mean bloc shares of candidate votes (sum to 1; in ``BLOCS`` order for a first
            round, the two finalists for a runoff).
        days_before: Mean number of days between the polls' dates and election day (the
            horizon that sets how much the vote can still move).
        polls: The polls averaged, as ``"pollster (YYYY-MM-DD)"``.
        as_of: The last publication date allowed.
    """

    year: int
    round: int
    shares: dict[str, float]
    days_before: float
    polls: tuple[str, ...]
    as_of: dt.date

    def vector(self) -> np.ndarray:
        """First-round shares as an array in ``BLOCS`` order."""
        return np.array([self.shares[b] for b in BLOCS], dtype=float)


def _average(year: int, round_: int, polls: list[Poll], as_of: dt.date) -> PollPrior:
    if not polls:
        raise ValueError(f"no polls for {year} round {round_} up to {as_of}")
    keys = list(polls[0].shares)
    mean = {k: float(np.mean([p.shares[k] for p in polls])) for k in keys}
    election = election_date(year, round_)
    days = float(np.mean([(election - p.date).days for p in polls]))
    used = tuple(f"{p.pollster} ({p.date.isoformat()})" for p in polls)
    return PollPrior(year, round_, _normalise(mean), days, used, as_of)


def poll_average(year: int, round_: int, poll_set: str = "final") -> PollPrior:
    """The simple average by bloc of one set of past polls.

    Every pollster counts once (house effects, not sampling error, dominate the spread of
    Colombian polls, so weighting by sample size would only weight the house effects).

    Args:
        year: 2010, 2014, 2018 or 2022.
        round_: 1 or 2.
        poll_set: ``final`` (the last poll of each pollster) or ``six_months`` (about six
            months before the first round; 2018 and 2022 only).
    """
    polls = _polls(year, str(round_), poll_set)
    return _average(year, round_, polls, election_date(year, round_))


def poll_prior(as_of: str | dt.date = DATA_HORIZON, window_days: int = 60) -> PollPrior:
    """The 2026 first-round poll prior: the latest poll of each pollster, averaged by bloc.

    Only the main "if the election were next Sunday" question counts (``round == "1"``; the
    three-candidate and runoff scenarios are hypothetical ballots). Of the polls published up to
    ``as_of``, each pollster's latest counts if it was published within ``window_days`` of the
    most recent poll: older polls measured a different field of candidates (the July 2025
    Guarumo poll still lists Miguel Uribe Turbay, killed in August, and Gustavo Bolívar, who
    withdrew) and, after Ley 2494 of 2025's blackout, are not comparable. With the default
    arguments this is Invamer (published 2025-11-30) and CNC (2025-11-17).

    Args:
        as_of: Last publication date allowed (ISO date or ``datetime.date``); never later than
            2025-12-31, the data horizon.
        window_days: How far before the latest poll another pollster's latest still counts.

    Raises:
        ValueError: If ``as_of`` is after the data horizon or no poll qualifies.
    """
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    if as_of > DATA_HORIZON:
        raise ValueError(f"as_of {as_of} is after the data horizon {DATA_HORIZON}")
    polls = [p for p in _polls(2026, "1", "cycle") if p.date <= as_of]
    if not polls:
        raise ValueError(f"no 2026 poll published up to {as_of}")
    latest: dict[str, Poll] = {}
    for p in polls:
        if p.pollster not in latest or p.date > latest[p.pollster].date:
            latest[p.pollster] = p
    newest = max(p.date for p in latest.values())
    keep = [p for p in latest.values() if (newest - p.date).days <= window_days]
    return _average(2026, 1, sorted(keep, key=lambda p: p.date), as_of)


def senate_2022() -> dict[str, float]:
    """Senate seats by bloc after the 2022 election (the ``other`` seat dropped)."""
    seats = dict.fromkeys(BLOCS, 0.0)
    for r in read_table("congress_2022.csv"):
        if r["party"].startswith("TOTAL") or r["bloc"] not in seats:
            continue
        seats[r["bloc"]] += float(r["seats"])
    return seats


def senate_2026_base() -> dict[str, float]:
    """Senate seat shares carried into 2026 before any swing: 2022 minus Comunes' guaranteed seats.

    The five seats of the 2016 peace accord lapse in 2026 (see ``COMUNES_GUARANTEED_SEATS``); the
    indigenous seat labelled ``other`` is left out. Shares of the remaining seats, sum 1.
    """
    seats = senate_2022()
    seats["left"] -= COMUNES_GUARANTEED_SEATS
    return _normalise(seats)
