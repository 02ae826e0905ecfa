"""The calendar: dated facts the model and the scenario language share.

The dismantling of USAID, Colombia joining the Belt and Road (the 2025-01-26
deportation crisis is not a calendar fact: the model's measures produce such crises), the annual
September certification, the 2026 and 2030 Colombian elections (congress, first round,
runoff, inauguration), the US midterms of November 2026 and the presidential election of
November 2028, the presidents of Colombia and the US administrations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rift.months import parse_month

#: Candidates' types in the 2026 election (the winner is drawn from the election priors).
CANDIDATE_TYPES: tuple[str, ...] = ("left", "centre", "right")

#: US administration types, in order of the outcome code. ``successor`` is a Republican
#: administration inaugurated in January 2029 (the party holds the White House), and
#: ``successor_dem`` a Democratic one; which of the two takes office is drawn in November 2028.
US_ADMINISTRATIONS: tuple[str, ...] = ("trump1", "biden", "trump2", "successor", "successor_dem")

#: The parties of the 2028 US election, with the administration each inaugurates in 2029.
US_PARTIES_2028: dict[str, str] = {"republican": "successor", "democrat": "successor_dem"}

#: Outcomes of the 2026 US midterms for the House: ``divided`` (the opposition wins it) or
#: ``unified`` (the president's party keeps it).
US_MIDTERM_OUTCOMES: tuple[str, ...] = ("divided", "unified")

#: The US midterm election (3 November 2026); the new Congress sits from 3 January 2027.
US_MIDTERMS_2026 = "2026-11-03"
US_CONGRESS_2027 = "2027-01-03"
#: The US presidential election (7 November 2028); the winner takes office on 2029-01-20.
US_ELECTION_2028 = "2028-11-07"

#: Inaugurations of Colombian presidents before the modelled election (history).
COLOMBIA_INAUGURATIONS: tuple[tuple[str, str], ...] = (
    ("2018-08-07", "duque"),
    ("2022-08-07", "petro"),
)

#: Inaugurations of US presidents (history, then the successor elected in November 2028, whose
#: party the run draws: :data:`US_PARTIES_2028`; ``successor`` here is the calendar's
#: placeholder for either).
US_INAUGURATIONS: tuple[tuple[str, str], ...] = (
    ("2017-01-20", "trump1"),
    ("2021-01-20", "biden"),
    ("2025-01-20", "trump2"),
    ("2029-01-20", "successor"),
)

#: Dated one-off events (month, name). Their effects are parameters in the registry.
ONE_OFF_EVENTS: tuple[tuple[str, str], ...] = (
    ("2025-02-01", "usaid_dismantled"),
    ("2025-05-14", "belt_and_road"),
)

#: Month of the annual US drug-certification determination (September).
CERTIFICATION_MONTH = 9

#: The default horizon of a run (the model's calendar knows 2018-08 to 2040-12).
DEFAULT_START = "2025-01"
DEFAULT_END = "2030-12"
#: The month the packaged initial state describes (the territory, members, coca, measures and
#: tensions of January 2025, from the seeds and reference.csv). A scenario that starts later
#: would silently begin from January 2025's figures: it is refused instead.
INITIAL_STATE_MONTH = parse_month(DEFAULT_START)
#: The earliest first month: the model knows Colombian presidents from Duque on.
EARLIEST_START = parse_month("2018-08")
#: The latest last month: the armed groups' and coca's rules are not meant for longer horizons.
#: The calendar's last elections are Colombia's of 2030 and the US one of 2028: a run past
#: 2032-11 (US) or 2034-05 (Colombia) keeps the presidents elected then.
LATEST_END = parse_month("2040-12")


@dataclass(frozen=True)
class Election:
    """A Colombian presidential election.

    Attributes:
        congress: Month of the congressional election (the Senate's seats are drawn then).
        first_round: Month of the first round; the winner is drawn then.
        runoff: Month of the runoff; the president-elect becomes known to the US.
        inauguration: Month the new president takes office.
        priors: Probability of each candidate type winning (before the approval shift).
        winner: A fixed winner that overrides the priors.
    """

    congress: int
    first_round: int
    runoff: int
    inauguration: int
    priors: Mapping[str, float] = field(default_factory=dict)
    winner: str | None = None


def election_2026(priors: Mapping[str, float], winner: str | None = None) -> Election:
    """The 2026 election on its calendar (reference rows election_* and inauguration)."""
    return Election(
        congress=parse_month("2026-03-08"),
        first_round=parse_month("2026-05-31"),
        runoff=parse_month("2026-06-21"),
        inauguration=parse_month("2026-08-07"),
        priors=dict(priors),
        winner=winner,
    )


def election_2030(priors: Mapping[str, float] | None = None, winner: str | None = None) -> Election:
    """The 2030 election on its calendar.

    The dates follow the pattern of the 2018, 2022 and 2026 calendars (Congress on the second
    Sunday of March, the first round on the last Sunday of May, the runoff three weeks later,
    the inauguration on 7 August): 2030-03-10, 2030-05-26, 2030-06-16, 2030-08-07. They are
    not yet set by the Registraduría, which is why they are derived rather than quoted.
    """
    return Election(
        congress=parse_month("2030-03-10"),
        first_round=parse_month("2030-05-26"),
        runoff=parse_month("2030-06-16"),
        inauguration=parse_month("2030-08-07"),
        priors=dict(priors or {}),
        winner=winner,
    )


def president_at(month: int) -> str:
    """The Colombian president in office at a month before the modelled election."""
    current = None
    for date, who in COLOMBIA_INAUGURATIONS:
        if parse_month(date) <= month:
            current = who
    if current is None:
        raise ValueError("the model starts no earlier than 2018-08 (Duque's inauguration)")
    return current


def term_start_at(month: int) -> int:
    """The month the Colombian president in office at ``month`` took office.

    The inaugurations of 2018 and 2022, then the modelled ones of 2026 and 2030 (7 August):
    the approval's honeymoon counts from it.
    """
    dates = [parse_month(d) for d, _ in COLOMBIA_INAUGURATIONS]
    dates += [parse_month("2026-08-07"), parse_month("2030-08-07")]
    started = [d for d in dates if d <= month]
    return max(started) if started else dates[0]


def us_administration_at(month: int) -> str:
    """The US administration in office at a month."""
    current = US_INAUGURATIONS[0][1]
    for date, who in US_INAUGURATIONS:
        if parse_month(date) <= month:
            current = who
    return current


def one_off_events(start: int, end: int) -> dict[int, list[str]]:
    """The one-off events inside the horizon, by month."""
    out: dict[int, list[str]] = {}
    for date, name in ONE_OFF_EVENTS:
        m = parse_month(date)
        if start <= m <= end:
            out.setdefault(m, []).append(name)
    return out
