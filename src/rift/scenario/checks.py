"""Checks of a scenario that need more than its schema: the registry, the calendar, outcomes.

Every problem is an :class:`~rift.errors.InputError` naming the file, the key path (with its
line, or the ``--set`` that gave it) and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from rift.calendar import (
    CANDIDATE_TYPES,
    EARLIEST_START,
    INITIAL_STATE_MONTH,
    LATEST_END,
    election_2026,
    election_2030,
)
from rift.catalogue import INSTRUMENT_MEASURES
from rift.distributions import (
    DISTRIBUTIONS,
    MODELS,
    WEIGHT_TOLERANCE,
    Choice,
    sampling_problem,
)
from rift.election_inputs import check_runoff, check_shares, check_shift
from rift.errors import InputError, did_you_mean
from rift.months import format_month, parse_month
from rift.parameters import registry
from rift.record import BLOCS, COL_MEASURES, RECORD, US_MEASURES
from rift.scenario.document import Document
from rift.scenario.levers import LEVER_FORM, Lever, lever
from rift.scenario.present import read_present_manifest
from rift.scenario.schema import (
    MAX_RUNS,
    NAME_RULE,
    SCENARIO_KEYS,
    ElectionSpec,
    InterventionSpec,
    ObservationSpec,
    PolicySpec,
    Scenario,
    ShockSpec,
)
from rift.scenario.when import (
    ConditionError,
    condition_names,
    format_condition,
    parse_condition,
)

#: Measures a shock may start or end.
MEASURES: tuple[str, ...] = (
    *(f"us.{m}" for m in US_MEASURES),
    *(f"col.{m}" for m in COL_MEASURES),
)

#: What each scenario key expects, for messages about a wrong type.
_EXPECTED: dict[str, str] = {
    "name": NAME_RULE,
    "description": "text",
    "start": "a month as YYYY-MM",
    "end": "a month as YYYY-MM",
    "runs": f"a whole number from 1 to {MAX_RUNS:,}",
    "seed": "a whole number from 0 to 2**63 - 1",
    "parameters": "a mapping of parameter names to values",
    "uncertain": "a mapping of parameter names to distributions, or 'calibrated'",
    "election": "a mapping with 'priors' or 'winner'",
    "interventions": "a list of {at, set, until, when, mode, label}",
    "shocks": "a list of {at, start, end, until, when, mode, label}",
    "outcomes": "a list of outcome names",
    "policies": "a list of {name, set, description}",
    "headline": "a headline event name, e.g. rupture",
}


def pydantic_error(exc: ValidationError, doc: Document) -> InputError:
    """The first problem pydantic found, as an :class:`InputError` with the key path."""
    # An unknown key explains more than the missing key it was probably meant to be.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    tags = [p for p in err["loc"] if isinstance(p, str) and p in DISTRIBUTIONS]
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p in DISTRIBUTIONS)]
    kind = err["type"]
    key = doc.key(loc)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        parent_model = MODELS[tags[-1]] if tags else _model_at(loc[:-1])
        fields = [
            f for f in parent_model.model_fields if f not in ("dist", "calibration", "source")
        ]
        if parent_model is Scenario:
            fields = list(SCENARIO_KEYS)
        hint = did_you_mean(name, fields) if fields else None
        return InputError(
            f"unknown key '{name}'",
            file=doc.file,
            key=key,
            expected=f"one of: {', '.join(fields)}" if fields else None,
            hint=hint,
        )
    if kind == "missing":
        what = loc[-1] if loc else "name"
        expected = NAME_RULE if what == "name" else f"a value for '{what}'"
        return InputError(
            f"the required key '{what}' is missing", file=doc.file, key=key, expected=expected
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        got = err.get("input")
        tag = got.get("dist") if isinstance(got, dict) else got
        return InputError(
            f"unknown distribution {tag!r}" if kind == "union_tag_invalid" else "no 'dist' given",
            file=doc.file,
            key=key,
            expected=f"dist: one of {', '.join(DISTRIBUTIONS)}",
            hint=did_you_mean(str(tag), DISTRIBUTIONS),
        )
    got = err.get("input")
    shown = repr(got)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    msg = err["msg"].removeprefix("Value error, ")
    expected = _EXPECTED.get(str(loc[0])) if len(loc) == 1 else None
    if kind == "string_pattern_mismatch" and loc and loc[-1] == "name":
        msg = "not a safe name"
    return InputError(f"{msg} (got {shown})", file=doc.file, key=key, expected=expected)


#: Largest whole number a scenario may hold anywhere (the largest seed; every other number
#: is far smaller), so that no value overflows a float or a 64-bit integer downstream.
MAX_WHOLE = 2**63 - 1


def check_values(data: Any, doc: Document) -> None:
    """Every text is printable UTF-8 and every whole number fits 64 bits, at any depth.

    Text the report cannot write (lone surrogates, e.g. from bytes on the command line that
    are not UTF-8; NUL and other control characters) and numbers of hundreds of digits are
    refused here, naming the key path, before any other check converts them.
    """
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str):
                    _check_text(k, doc, path)
                stack.append((v, (*path, k)))
        elif isinstance(value, list | tuple):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))
        elif isinstance(value, str):
            _check_text(value, doc, path)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WHOLE:
            raise InputError(
                f"got a whole number of about {int(value.bit_length() * 0.30103) + 1:,} digits",
                file=doc.file,
                key=doc.key(path),
                expected="a number of ordinary size (at most 2**63 - 1)",
            )


#: Control characters text may hold: tab, line feed, carriage return. The others (NUL, BEL,
#: ESC …) have no place in a scenario: the report's HTML and the terminal would carry them raw.
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _check_text(text: str, doc: Document, path: tuple) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"the text has a character that is not Unicode (position {exc.start})",
            file=doc.file,
            key=doc.key(path),
            expected="UTF-8 text",
        ) from None
    for i, ch in enumerate(text):
        if (ch < " " or "\x7f" <= ch <= "\x9f") and ch not in _ALLOWED_CONTROLS:
            raise InputError(
                f"the text has a control character {ch!r} (position {i})",
                file=doc.file,
                key=doc.key(path),
                expected="printable text (tabs and line breaks allowed)",
            )


def _model_at(loc: Sequence[Any]) -> type[BaseModel] | None:
    """The pydantic model that sits at a location of a Scenario document."""
    model: type[BaseModel] = Scenario
    for part in loc:
        if model is Scenario and part == "election":
            model = ElectionSpec
        elif model is Scenario and part == "interventions":
            model = InterventionSpec
        elif model is Scenario and part == "shocks":
            model = ShockSpec
        elif model is Scenario and part == "policies":
            model = PolicySpec
        elif isinstance(part, int):
            continue
        else:
            return None
    return model


def _month(value: str, doc: Document, path: Sequence[Any]) -> int:
    try:
        return parse_month(value)
    except ValueError as exc:
        raise InputError(
            str(exc), file=doc.file, key=doc.key(path), expected="a month as YYYY-MM"
        ) from None


def check_distribution(name: str, d: Any, doc: Document, path: Sequence[Any]) -> None:
    """A distribution's values must be valid values of its parameter (or instrument).

    An instrument sampled per run is forced for the whole run, as in ``parameters``.

    See :func:`~rift.distributions.sampling_problem` for what a numeric one must satisfy.
    """
    reg = registry()
    key = doc.key(path)
    param = reg.lookup(name, file=doc.file, key=key)
    if isinstance(d, Choice):
        for i, v in enumerate(d.values):
            param.validate(v, file=doc.file, key=doc.key((*path, "values", i)))
        return
    if param.kind not in ("float", "int"):
        raise InputError(
            f"'{name}' is a {param.kind} parameter",
            file=doc.file,
            key=key,
            expected="dist: choice with a list of values",
        )
    problem = sampling_problem(d, param.low, param.high)
    if problem is not None:
        raise InputError(
            problem,
            file=doc.file,
            key=key,
            expected=f"a distribution within {param.range_text()} ({param.unit})",
        )


def check_scenario(scenario: Scenario, doc: Document) -> Scenario:
    """Everything the schema cannot check alone (see the module doc), and the canonical form.

    Each month is parsed and each value validated once, here: what the checks make of them
    (months written ``YYYY-MM``, values coerced to their parameter's kind) is the scenario
    returned, so that its hash does not depend on how the file spells them.

    Returns:
        The scenario with its months and values in canonical form.
    """
    reg = registry()
    file = doc.file
    start = _month(scenario.start, doc, ("start",))
    end = _month(scenario.end, doc, ("end",))
    if start < EARLIEST_START:
        raise InputError(
            f"start {scenario.start} is too early",
            file=file,
            key=doc.key(("start",)),
            expected=f"{format_month(EARLIEST_START)} or later (the model knows presidents "
            "from Duque on)",
        )
    if scenario.from_ is not None:
        present = read_present_manifest(scenario.from_, file)
        if start != present.start:
            raise InputError(
                f"start {scenario.start} is not the month after the present's last month "
                f"({format_month(present.through)}, {scenario.from_})",
                file=file,
                key=doc.key(("start",)),
                expected=f"start: {format_month(present.start)} (or no start: it is the default "
                "with from:)",
            )
    elif start > INITIAL_STATE_MONTH:
        raise InputError(
            f"start {scenario.start} is after the month the initial state describes "
            f"({format_month(INITIAL_STATE_MONTH)}: its territory, members, coca, measures and "
            "tensions); rift does not re-initialise a later month from those figures",
            file=file,
            key=doc.key(("start",)),
            expected="'start: present' (the runs start from today's ensemble, shipped with "
            "rift), 'from: FOLDER' (a present written by rift nowcast --through), or "
            f"start: {format_month(INITIAL_STATE_MONTH)} or earlier, or in Python a run "
            "restarted from a saved state of that month (AllianceModel(state=...))",
        )
    if end > LATEST_END:
        raise InputError(
            f"end {scenario.end} is too late",
            file=file,
            key=doc.key(("end",)),
            expected=f"{format_month(LATEST_END)} or earlier (the latest end rift supports)",
        )
    if end < start:
        raise InputError(
            f"end {scenario.end} is before start {scenario.start}",
            file=file,
            key=doc.key(("end",)),
            expected=f"a month on or after {scenario.start}",
        )
    parameters = {}
    for name, value in scenario.parameters.items():
        param = reg.lookup(name, file=file, key=doc.key(("parameters", name)))
        parameters[name] = param.validate(value, file=file, key=doc.key(("parameters", name)))
    uncertain = dict(scenario.uncertain)
    for name, d in scenario.uncertain.items():
        if lever(name) is not None:
            uncertain[name] = _check_lever(name, d, scenario, doc, start, end)
            continue
        if name.startswith("interventions"):
            raise InputError(
                f"'{name}' is not a part of an intervention rift can sample",
                file=file,
                key=doc.key(("uncertain", name)),
                expected=LEVER_FORM,
            )
        check_distribution(name, d, doc, ("uncertain", name))
        if name in scenario.parameters:
            raise InputError(
                f"'{name}' is both fixed and uncertain",
                file=file,
                key=doc.key(("uncertain", name)),
                expected="one or the other",
            )
    if scenario.from_ is None:  # a present past the inauguration holds its winner
        _check_election(scenario, doc, start)
    interventions = _check_interventions(scenario, doc, start, end)
    shocks = _check_shocks(scenario, doc, start, end)
    sampled = {n: True for n in uncertain if lever(n) is None}  # sampled instruments: forced
    _check_instruments_and_measures(
        {**sampled, **parameters}, interventions, shocks, doc, start, end
    )
    observations = _check_observations(scenario, doc, start, end)
    policies = _check_policies(scenario, doc, start, end, interventions)
    for i, name in enumerate(scenario.outcomes):
        if name not in RECORD.outcome_names:
            raise InputError(
                f"unknown outcome '{name}'",
                file=file,
                key=doc.key(("outcomes", i)),
                expected=f"one of: {', '.join(RECORD.outcome_names)}",
                hint=did_you_mean(name, RECORD.outcome_names),
            )
    headlines = [e.name for e in RECORD.events if e.figure]
    if scenario.headline is not None and scenario.headline not in headlines:
        raise InputError(
            f"unknown headline event '{scenario.headline}'",
            file=file,
            key=doc.key(("headline",)),
            expected=f"one of the headline events: {', '.join(headlines)}",
            hint=did_you_mean(scenario.headline, headlines),
        )
    return scenario.model_copy(
        update={
            "start": format_month(start),
            "end": format_month(end),
            "parameters": parameters,
            "uncertain": uncertain,
            "interventions": interventions,
            "shocks": shocks,
            "observations": observations,
            "policies": policies,
        }
    )


def _check_election(scenario: Scenario, doc: Document, start: int) -> None:
    file = doc.file
    pri = scenario.election.priors
    if pri is not None:
        for t, w in pri.items():
            if t not in CANDIDATE_TYPES:
                raise InputError(
                    f"unknown candidate type '{t}'",
                    file=file,
                    key=doc.key(("election", "priors", t)),
                    expected=f"one of {', '.join(CANDIDATE_TYPES)}",
                    hint=did_you_mean(t, CANDIDATE_TYPES),
                )
            if not (math.isfinite(w) and w >= 0):
                raise InputError(
                    f"got {w!r}",
                    file=file,
                    key=doc.key(("election", "priors", t)),
                    expected="a probability between 0 and 1",
                )
        total = sum(pri.values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            raise InputError(
                f"the priors sum to {total:g}",
                file=file,
                key=doc.key(("election", "priors")),
                expected="probabilities that sum to 1",
            )
    _check_vote(scenario, doc)
    if start >= election_2026({}).inauguration and not scenario.election.winner:
        raise InputError(
            "the run starts after the 2026 inauguration",
            file=file,
            key=doc.key(("election",)),
            expected="election: {winner: left|centre|right}",
        )
    if start >= election_2030().inauguration and not scenario.election.winner_2030:
        raise InputError(
            "the run starts after the 2030 inauguration",
            file=file,
            key=doc.key(("election",)),
            expected="election: {winner_2030: left|centre|right}",
        )


def _check_interventions(
    scenario: Scenario, doc: Document, start: int, end: int
) -> list[InterventionSpec]:
    """The interventions, checked, with their months and values in canonical form."""
    reg = registry()
    file = doc.file
    instruments = set(reg.instruments())
    out = []
    for i, iv in enumerate(scenario.interventions):
        at, until, conditional = _check_window(iv, "interventions", i, scenario, doc, start, end)
        values = {}
        for name, value in iv.set.items():
            key = doc.key(("interventions", i, "set", name))
            param = reg.lookup(name, file=file, key=key)
            if name not in instruments:
                raise InputError(
                    f"'{name}' is a parameter, not an instrument",
                    file=file,
                    key=key,
                    expected=f"one of the instruments: {', '.join(sorted(instruments))}",
                    hint=did_you_mean(name, instruments),
                )
            values[name] = param.validate(value, file=file, key=key)
        update = {"at": format_month(at), "until": _canonical(until), "set": values}
        out.append(iv.model_copy(update={**update, **conditional}))
    return out


#: The month from which each election's result is known to a condition (after its runoff).
_KNOWN_FROM = {
    "winner_2026": election_2026({}).runoff + 1,
    "winner_2030": election_2030().runoff + 1,
}


def _check_window(
    item: InterventionSpec | ShockSpec,
    part: str,
    i: int,
    scenario: Scenario,
    doc: Document,
    start: int,
    end: int,
) -> tuple[int, int | None, dict[str, Any]]:
    """``at``, ``until`` and (if conditional) ``when`` and ``mode`` of an item, checked.

    Returns:
        ``at`` and ``until`` as month numbers, and the canonical ``when`` and ``mode`` of a
        conditional item (empty for a dated one).
    """
    file = doc.file
    if item.when is None and item.mode is not None:
        raise InputError(
            f"'mode: {item.mode}' without a condition",
            file=file,
            key=doc.key((part, i, "mode")),
            expected="'when: CONDITION' with it, or no 'mode' (a dated item)",
        )
    if item.at is None and item.when is None:
        raise InputError(
            "the required key 'at' is missing",
            file=file,
            key=doc.key((part, i)),
            expected="a month as YYYY-MM ('at' may be left out only with 'when')",
        )
    at = start if item.at is None else _month(item.at, doc, (part, i, "at"))
    if not start <= at <= end:
        raise InputError(
            f"{item.at} is outside the horizon {scenario.start}..{scenario.end}",
            file=file,
            key=doc.key((part, i, "at")),
            expected="a month within the horizon",
        )
    until = None if item.until is None else _month(item.until, doc, (part, i, "until"))
    if until is not None and until < at:
        raise InputError(
            f"until {item.until} is before at {format_month(at)}",
            file=file,
            key=doc.key((part, i, "until")),
            expected=f"a month on or after {format_month(at)}",
        )
    if item.when is None:
        return at, until, {}
    key = doc.key((part, i, "when"))
    try:
        tree = parse_condition(item.when)
    except ConditionError as exc:
        raise InputError(
            exc.problem, file=file, key=key, expected=exc.expected, hint=exc.hint
        ) from None
    last = end if until is None else min(until, end)
    for name in sorted(condition_names(tree) & set(_KNOWN_FROM)):
        if last < _KNOWN_FROM[name]:
            raise InputError(
                f"the condition reads {name}, which is known only from "
                f"{format_month(_KNOWN_FROM[name])} (the month after the runoff), after the "
                f"last month it may apply ({format_month(last)})",
                file=file,
                key=key,
                expected=f"an 'until' and 'end' of {format_month(_KNOWN_FROM[name])} or later",
            )
    return at, until, {"when": format_condition(tree), "mode": item.mode or "once"}


def _lever_target(
    name: str, scenario: Scenario, doc: Document, path: Sequence[Any]
) -> tuple[Lever, InterventionSpec]:
    """The lever ``name`` names and its intervention (which must exist and set its instrument)."""
    lv = lever(name)
    assert lv is not None
    file, key = doc.file, doc.key(path)
    ivs = scenario.interventions
    if lv.index >= len(ivs):
        raise InputError(
            f"the scenario has {len(ivs)} intervention(s): there is no interventions[{lv.index}]",
            file=file,
            key=key,
            expected=f"an index from 0 to {len(ivs) - 1}" if ivs else "an intervention to sample",
        )
    iv = ivs[lv.index]
    if lv.part == "set" and lv.instrument not in iv.set:
        raise InputError(
            f"interventions[{lv.index}] does not set '{lv.instrument}'",
            file=file,
            key=key,
            expected=f"one of the instruments it sets: {', '.join(iv.set)}",
            hint=did_you_mean(str(lv.instrument), list(iv.set)),
        )
    return lv, iv


def _check_policies(
    scenario: Scenario, doc: Document, start: int, end: int, interventions: list[InterventionSpec]
) -> list[PolicySpec]:
    """The policies, checked, with their values in canonical form."""
    reg = registry()
    file = doc.file
    out = []
    seen: set[str] = set()
    for i, pol in enumerate(scenario.policies):
        if pol.name in seen:
            raise InputError(
                f"two policies are called '{pol.name}'",
                file=file,
                key=doc.key(("policies", i, "name")),
                expected="a name of its own for each policy",
            )
        seen.add(pol.name)
        values: dict[str, Any] = {}
        for name, value in pol.set.items():
            path = ("policies", i, "set", name)
            key = doc.key(path)
            lv = lever(name)
            if lv is None:
                param = reg.lookup(name, file=file, key=key)
                values[name] = param.validate(value, file=file, key=key)
                continue
            lv, _ = _lever_target(name, scenario, doc, path)
            if lv.part == "set":
                param = reg.lookup(str(lv.instrument), file=file, key=key)
                values[name] = param.validate(value, file=file, key=key)
                continue
            month = _month(_month_text(value), doc, path)
            if not start <= month <= end:
                raise InputError(
                    f"{value} is outside the horizon {scenario.start}..{scenario.end}",
                    file=file,
                    key=key,
                    expected="a month within the horizon",
                )
            values[name] = format_month(month)
        for j, iv in enumerate(interventions):
            at = values.get(f"interventions[{j}].at", iv.at)
            until = values.get(f"interventions[{j}].until", iv.until)
            if at is not None and until is not None and parse_month(until) < parse_month(at):
                raise InputError(
                    f"interventions[{j}] would end ({until}) before it starts ({at})",
                    file=file,
                    key=doc.key(("policies", i, "set")),
                    expected="an 'until' on or after the 'at'",
                )
        out.append(pol.model_copy(update={"set": values}))
    return out


def _month_text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _check_lever(name: str, d: Any, scenario: Scenario, doc: Document, start: int, end: int) -> Any:
    """A sampled part of an intervention (:mod:`.levers`), with its months canonical."""
    file, key = doc.file, doc.key(("uncertain", name))
    lv, iv = _lever_target(name, scenario, doc, ("uncertain", name))
    if lv.part == "set":
        check_distribution(str(lv.instrument), d, doc, ("uncertain", name))
        return d
    if not isinstance(d, Choice):
        raise InputError(
            f"a month is drawn with 'choice', not '{d.dist}'",
            file=file,
            key=key,
            expected="dist: choice with a list of months (YYYY-MM)",
        )
    months = []
    for i, v in enumerate(d.values):
        path = ("uncertain", name, "values", i)
        m = _month(str(v), doc, path)
        if not start <= m <= end:
            raise InputError(
                f"{v} is outside the horizon {scenario.start}..{scenario.end}",
                file=file,
                key=doc.key(path),
                expected="a month within the horizon",
            )
        months.append(m)
    other = "until" if lv.part == "at" else "at"
    fixed = getattr(iv, other)
    sampled = scenario.uncertain.get(f"interventions[{lv.index}].{other}")
    bounds = (
        [parse_month(str(v)) for v in sampled.values]
        if isinstance(sampled, Choice)
        else ([] if fixed is None else [parse_month(fixed)])
    )
    if bounds and (
        (lv.part == "at" and max(months) > min(bounds))
        or (lv.part == "until" and min(months) < max(bounds))
    ):
        raise InputError(
            f"a sampled '{lv.part}' can fall {'after' if lv.part == 'at' else 'before'} the "
            f"intervention's '{other}'",
            file=file,
            key=key,
            expected=f"every 'at' on or before every 'until' of interventions[{lv.index}]",
        )
    return d.model_copy(update={"values": [format_month(m) for m in months]})


def _canonical(month: int | None) -> str | None:
    return None if month is None else format_month(month)


def _check_shocks(scenario: Scenario, doc: Document, start: int, end: int) -> list[ShockSpec]:
    """The shocks, checked, with their months in canonical form."""
    file = doc.file
    out = []
    for i, sh in enumerate(scenario.shocks):
        at, until, conditional = _check_window(sh, "shocks", i, scenario, doc, start, end)
        if not sh.start and not sh.end:
            raise InputError(
                "the shock starts and ends nothing",
                file=file,
                key=doc.key(("shocks", i)),
                expected="'start' or 'end' with measures such as us.security_aid_cut",
            )
        for part in ("start", "end"):
            for j, name in enumerate(getattr(sh, part)):
                if name not in MEASURES:
                    raise InputError(
                        f"unknown measure '{name}'",
                        file=file,
                        key=doc.key(("shocks", i, part, j)),
                        expected=f"one of: {', '.join(MEASURES)}",
                        hint=did_you_mean(name, MEASURES),
                    )
        both = set(sh.start) & set(sh.end)
        if both:
            raise InputError(
                f"{sorted(both)} both started and ended",
                file=file,
                key=doc.key(("shocks", i)),
                expected="each measure in 'start' or 'end', not both",
            )
        update = {"at": format_month(at), "until": _canonical(until), **conditional}
        out.append(sh.model_copy(update=update))
    return out


def _check_instruments_and_measures(
    parameters: dict[str, Any],
    interventions: Sequence[InterventionSpec],
    shocks: Sequence[ShockSpec],
    doc: Document,
    start: int,
    end: int,
) -> None:
    """Refuse a month in which a shock holds a measure whose instrument is forced too.

    A forced instrument holds its measure (:data:`rift.catalogue.INSTRUMENT_MEASURES`), so
    a shock on the same measure in the same month would contradict it or say it twice. A
    conditional item counts in every month it may be in force (its ``at`` to its ``until``
    or the end), and an instrument sampled in ``uncertain`` in every month.
    """
    forcings: list[tuple[str, int, int, tuple]] = [
        (name, start, end, ("parameters", name))
        for name in parameters
        if name in INSTRUMENT_MEASURES and parameters[name] is not None
    ]
    for i, iv in enumerate(interventions):
        at, until = parse_month(iv.at), end if iv.until is None else parse_month(iv.until)
        forcings += [
            (name, at, until, ("interventions", i, "set", name))
            for name in iv.set
            if name in INSTRUMENT_MEASURES
        ]
    for j, sh in enumerate(shocks):
        at = parse_month(sh.at)
        last = at if sh.until is None else parse_month(sh.until)
        if sh.when is not None and sh.until is None:
            last = end  # a conditional shock may apply in any month from its at
        for name, first, final, path in forcings:
            measure = INSTRUMENT_MEASURES[name]
            if measure in (*sh.start, *sh.end) and first <= last and at <= final:
                month = format_month(max(first, at))
                raise InputError(
                    f"'{name}' is forced in {month} while shocks[{j}] holds {measure}: a forced "
                    "instrument sets its measure (security aid above what the cut leaves ends "
                    "the cut, intelligence sharing above its floor ends the intelligence cut)",
                    file=doc.file,
                    key=doc.key(path),
                    expected=f"either the shock on {measure} or the forced '{name}' in a month, "
                    "not both",
                )


def _check_observations(
    scenario: Scenario, doc: Document, start: int, end: int
) -> list[ObservationSpec]:
    """The observations, checked, with their months in canonical form."""
    file = doc.file
    out = []
    numeric = [n for n in RECORD.outcome_names if RECORD.outcome(n).kind != "category"]
    for i, ob in enumerate(scenario.observations):
        if ob.outcome not in numeric:
            raise InputError(
                f"unknown or non-numeric outcome '{ob.outcome}'",
                file=file,
                key=doc.key(("observations", i, "outcome")),
                expected=f"one of: {', '.join(numeric)}",
                hint=did_you_mean(ob.outcome, numeric),
            )
        month = _month(ob.month, doc, ("observations", i, "month"))
        if not start <= month <= end:
            raise InputError(
                f"{ob.month} is outside the horizon {scenario.start}..{scenario.end}",
                file=file,
                key=doc.key(("observations", i, "month")),
                expected="a month within the horizon",
            )
        out.append(ob.model_copy(update={"month": format_month(month)}))
    return out


def _check_vote(scenario: Scenario, doc: Document) -> None:
    """``election.first_round``, ``runoff`` and ``shift`` (the engine's own checks)."""
    e = scenario.election
    checks = (
        ("first_round", e.first_round, lambda v, k: check_shares(v, key=k, blocs=BLOCS)),
        ("runoff", e.runoff, lambda v, k: check_runoff(v, key=k)),
        ("shift", e.shift, lambda v, k: check_shift(v, key=k)),
    )
    for name, value, check in checks:
        if value is None:
            continue
        try:
            check(value, f"election.{name}")
        except InputError as exc:
            path = tuple((exc.key or f"election.{name}").split("."))
            raise InputError(
                exc.problem, file=doc.file, key=doc.key(path), expected=exc.expected, hint=exc.hint
            ) from None
    replaced = e.winner is not None or e.priors is not None
    if replaced and any(v is not None for _, v, _ in checks):
        raise InputError(
            "the vote is both conditioned and replaced",
            file=doc.file,
            key=doc.key(("election",)),
            expected="first_round/runoff/shift, or winner/priors, not both",
        )
