"""The calendar: dated facts the model and the scenario language share.

DESIGN §2: the dismantling of USAID, Colombia joining the Belt and Road (the 2025-01-26
deportation crisis is not a calendar fact: the model's measures produce such crises), the annual
September certification, the 2026 Colombian election (congress, first round, runoff,
inauguration), the presidents of Colombia and the US administrations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rift.months import parse_month

#: Candidates' types in the 2026 election (DESIGN §2: winner drawn from the election priors).
CANDIDATE_TYPES: tuple[str, ...] = ("left", "centre", "right")

#: US administration types, in order of the outcome code.
US_ADMINISTRATIONS: tuple[str, ...] = ("trump1", "biden", "trump2", "successor")

#: Inaugurations of Colombian presidents before the modelled election (history).
COLOMBIA_INAUGURATIONS: tuple[tuple[str, str], ...] = (
    ("2018-08-07", "duque"),
    ("2022-08-07", "petro"),
)

#: Inaugurations of US presidents (history, then the successor elected in November 2028).
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
#: The earliest first month: the model knows Colombian presidents from Duque on.
EARLIEST_START = parse_month("2018-08")
#: The latest last month: US administrations are known to 2029-01 (then a successor), and the
#: armed groups' and coca's rules are not meant for longer horizons.
LATEST_END = parse_month("2040-12")


@dataclass(frozen=True)
class Election:
    """A Colombian presidential election.

    Attributes:
        congress: Month of the congressional election (no mechanics; a calendar marker).
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


def president_at(month: int) -> str:
    """The Colombian president in office at a month before the modelled election."""
    current = None
    for date, who in COLOMBIA_INAUGURATIONS:
        if parse_month(date) <= month:
            current = who
    if current is None:
        raise ValueError("the model starts no earlier than 2018-08 (Duque's inauguration)")
    return current


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
