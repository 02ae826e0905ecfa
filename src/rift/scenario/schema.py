"""The scenario schema: what a scenario file may hold, as frozen pydantic models.

Structure and types live here (unknown keys are refused, numbers are checked for kind and
range); checks that need the parameter registry or the calendar are in :mod:`.checks`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from typing import Any, Literal

from pydantic import Field, StrictBool, StrictInt, field_validator

from rift.calendar import CANDIDATE_TYPES, DEFAULT_END, DEFAULT_START
from rift.distributions import Distribution, Strict
from rift.months import parse_month
from rift.record import RECORD

#: Most runs in one batch. The store builds its tables in memory at the end of a batch
#: (about 1 GB per 10,000 runs of 72 months), so larger studies are several batches.
MAX_RUNS = 100_000
#: Largest root seed (it is stored as a 64-bit integer).
MAX_SEED = 2**63 - 1
#: A scenario name is a folder name: letters, digits, ``_``, ``-`` and ``.``, not starting
#: with ``.``, at most 100 characters.
NAME_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$"
NAME_RULE = (
    "a name of letters, digits, '_', '-' and '.', not starting with '.', "
    "at most 100 characters (it names the output folder)"
)


def _month_text(v: Any) -> Any:
    if isinstance(v, _dt.datetime):
        v = v.date()
    if isinstance(v, _dt.date):
        return v.isoformat()
    return v


class ElectionSpec(Strict):
    """The 2026 election: simulated from the polls unless a key conditions or replaces it.

    Attributes:
        first_round: Fix the first-round shares (left, centre, right; summing to 1).
        runoff: Fix the runoff (two blocs, shares summing to 1; its leader wins).
        shift: Move the poll prior by bloc, in percentage points.
        winner: Replace the vote with a fixed winner.
        priors: Replace the vote with a draw of the winner (probabilities by bloc).
        winner_2030: Fix the winner of the 2030 election (its vote is then not recorded).
        us_2028: Fix the party that wins the 2028 US presidential election.
        midterms_2026: Fix the House after the 2026 US midterms (``divided``: the opposition
            wins it).
    """

    first_round: dict[str, Any] | None = None
    runoff: dict[str, Any] | None = None
    shift: dict[str, Any] | None = None
    priors: dict[str, float] | None = None
    winner: Literal["left", "centre", "right"] | None = None
    winner_2030: Literal["left", "centre", "right"] | None = None
    us_2028: Literal["republican", "democrat"] | None = None
    midterms_2026: Literal["divided", "unified"] | None = None


#: How a conditional intervention or shock is in force (:mod:`rift.model.conditions`).
Mode = Literal["once", "while"]


class InterventionSpec(Strict):
    """A dated action forcing instruments from ``at`` (through ``until``, inclusive).

    With ``when`` (a condition, :mod:`rift.scenario.when`) it is conditional: ``at``
    (default: the start) is the first month the condition is evaluated, ``until`` the last
    month it may be in force, and ``mode`` says how: ``once`` (the default; from the first
    month the condition holds) or ``while`` (in the months it holds).
    """

    at: str | None = None
    set: dict[str, Any] = Field(min_length=1)
    until: str | None = None
    when: str | None = None
    mode: Mode | None = None
    label: str | None = None

    _months = field_validator("at", "until", mode="before")(_month_text)


class PolicySpec(Strict):
    """A named variant of the scenario's levers, run against the same runs as the others.

    Attributes:
        name: The policy's name (the runs table's ``policy`` column).
        set: Values by parameter, instrument (forced for the whole run) or intervention part
            (``interventions[0].at``, :mod:`rift.scenario.levers`).
        description: What the policy represents.
    """

    name: str = Field(pattern=NAME_PATTERN)
    set: dict[str, Any] = Field(min_length=1, max_length=100)
    description: str = ""


class ObservationSpec(Strict):
    """An observed figure to condition the batch on (data assimilation, after the run).

    Runs are weighted by the likelihood of every observation, ``N(value | simulated, sd)``,
    and resampled; the observations never change what a run does.

    Attributes:
        outcome: The monthly outcome observed (``rift outcomes`` lists them).
        month: The month it describes, ``YYYY-MM``, within the horizon.
        value: The observed value, in the outcome's unit.
        sd: Its uncertainty (one standard deviation, same unit): measurement error and what
            the model cannot be expected to match.
        source: Where the figure comes from (required: every number traceable).
    """

    outcome: str
    month: str
    value: float
    sd: float = Field(gt=0)
    source: str = Field(min_length=3)

    _months = field_validator("month", mode="before")(_month_text)

    @field_validator("value", "sd")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v


class SamplingSpec(Strict):
    """What a batch samples besides the scenario's own ``uncertain`` block.

    Attributes:
        registry: Every parameter whose registry entry declares a spread is sampled from it
            (``rift params`` lists them), unless the scenario fixes it or gives its own
            distribution.
        calibrated: The calibrated parameters are drawn jointly from the packaged posterior
            (``rift calibrate``) instead of their registry spreads.
        calibrated_through: Draw from the out-of-sample calibration fitted on the data
            through December of this year (``rift calibrate --through YEAR``) instead of the
            main one; None for the main one.
    """

    registry: StrictBool = True
    calibrated: StrictBool = True
    calibrated_through: StrictInt | None = Field(default=None, ge=1990, le=2100)


class ShockSpec(Strict):
    """Measures started or ended in month ``at`` (held through ``until`` if given).

    Measures are ``us.<measure>`` or ``col.<measure>`` (``rift params`` lists them under
    ``events.us.`` and ``events.partner.``); afterwards they follow their hazards. With
    ``when`` it is conditional, as an intervention is: ``once``, the shock applies in the first
    month of ``at..until`` whose condition holds (held through ``until`` if given); ``while``,
    it holds its measures in each month of ``at..until`` whose condition holds.
    """

    at: str | None = None
    start: list[str] = Field(default_factory=list, max_length=50)
    end: list[str] = Field(default_factory=list, max_length=50)
    until: str | None = None
    when: str | None = None
    mode: Mode | None = None
    label: str | None = None

    _months = field_validator("at", "until", mode="before")(_month_text)


class Scenario(Strict):
    """A validated, frozen scenario.

    Attributes:
        name: Short name, used for the output folder (see :data:`NAME_PATTERN`).
        description: What the scenario represents and the seed passages it rests on.
        start: First month, ``YYYY-MM``.
        end: Last month, ``YYYY-MM``.
        runs: Monte Carlo runs in a batch (1 to :data:`MAX_RUNS`).
        seed: Root seed of the batch (run k uses ``SeedSequence(seed, spawn_key=(k,))``).
        parameters: Fixed overrides by dotted parameter name.
        uncertain: Distributions of uncertain parameters, sampled per run (Latin hypercube).
        sampling: Whether the registry's declared spreads and the calibrated posterior are
            sampled too (both by default).
        election: The 2026 election: priors or a fixed winner.
        interventions: Dated actions forcing instruments.
        shocks: Dated starts and ends of measures (then endogenous).
        outcomes: Outcomes to report (all when empty).
        headline: The event the scenario is about (one of the report's headline events:
            ``rupture``, ``recertification``, ``restoration``, ``decertification``, ``deal``,
            ``concession``), or None. The shipped scenarios declare one; the tests check that
            it stays uncertain and that the scenario imposes at most one of its conditions
            (:mod:`rift.scenario.conditions`).
        observations: Figures observed after the calibration's data, to condition the batch
            on (:mod:`rift.analysis.assimilation`).
        policies: Named variants of the levers; each is run against the same ``runs`` runs
            (paired), so the batch holds ``len(policies) * runs`` runs (empty: one variant).
        calibration: The packaged calibration whose posterior is sampled per run, as
            ``<version> (data through YYYY-MM)`` (set by rift when ``sampling.calibrated``
            holds and the package has one), or None.
        from_: The present folder (``from:`` in a file, written by ``rift nowcast``) whose
            particles the runs start from, run k from particle k mod N, as an absolute path;
            None: the runs start from the initial state of ``start``.
        source: The file the scenario was read from (not part of the hash).
    """

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    start: str = DEFAULT_START
    end: str = DEFAULT_END
    runs: StrictInt = Field(default=100, ge=1, le=MAX_RUNS)
    seed: StrictInt = Field(default=20251215, ge=0, le=MAX_SEED)
    parameters: dict[str, Any] = Field(default_factory=dict)
    uncertain: dict[str, Distribution] = Field(default_factory=dict)
    sampling: SamplingSpec = Field(default_factory=SamplingSpec)
    election: ElectionSpec = Field(default_factory=ElectionSpec)
    interventions: list[InterventionSpec] = Field(default_factory=list)
    shocks: list[ShockSpec] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=list)
    headline: str | None = None
    observations: list[ObservationSpec] = Field(default_factory=list)
    policies: list[PolicySpec] = Field(default_factory=list, max_length=1000)
    calibration: str | None = None
    from_: str | None = Field(default=None, alias="from")
    source: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month(cls, v: Any) -> Any:
        v = _month_text(v)
        return v[:7] if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v

    # -- derived -------------------------------------------------------------------------
    @property
    def start_month(self) -> int:
        """The first month as a month number."""
        return parse_month(self.start)

    @property
    def end_month(self) -> int:
        """The last month as a month number."""
        return parse_month(self.end)

    @property
    def months(self) -> int:
        """Number of simulated months."""
        return self.end_month - self.start_month + 1

    def reported_outcomes(self) -> list[str]:
        """The outcomes to report (all when none were named)."""
        return list(self.outcomes) if self.outcomes else list(RECORD.outcome_names)

    def canonical(self) -> dict[str, Any]:
        """The resolved scenario as plain data (what the manifest stores)."""
        return _without_no_present(self.model_dump(mode="json", by_alias=True, exclude={"source"}))

    def hash(self) -> str:
        """A stable hash of what changes results (not the description, headline or source)."""
        data = _without_no_present(
            self.model_dump(
                mode="json", by_alias=True, exclude={"source", "description", "headline"}
            )
        )
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _without_no_present(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without ``from`` when it is None, nor ``when`` and ``mode`` of a dated item.

    So a scenario's hash and stored form are those it had before scenarios could start from
    the present or hold conditional items (archived batches keep their hashes).
    """
    if data.get("from") is None:
        data.pop("from", None)
    if data.get("headline") is None:  # likewise for the headline (issue 21)
        data.pop("headline", None)
    if not data.get("policies"):
        data.pop("policies", None)
    for key in ("interventions", "shocks"):
        for item in data.get(key) or ():
            for optional in ("when", "mode"):
                if item.get(optional) is None:
                    item.pop(optional, None)
    return data


#: Top-level keys of a scenario file (``calibration`` and ``source`` are set by rift).
SCENARIO_KEYS: tuple[str, ...] = tuple(
    f.alias or k for k, f in Scenario.model_fields.items() if k not in ("calibration", "source")
)
__all__ = [
    "CANDIDATE_TYPES",
    "MAX_RUNS",
    "NAME_PATTERN",
    "SCENARIO_KEYS",
    "ElectionSpec",
    "InterventionSpec",
    "ObservationSpec",
    "PolicySpec",
    "SamplingSpec",
    "Scenario",
    "ShockSpec",
]
