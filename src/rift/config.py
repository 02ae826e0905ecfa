"""Scenario files: YAML → validated, frozen :class:`Scenario` (parse → overlay → validate).

A scenario names a horizon, a batch size and seed, fixed parameter overrides, uncertain
parameters with distributions, the 2026 election, dated interventions and the outcomes to
report. Every problem is reported as an :class:`~rift.errors.InputError` naming the file, the
key path (with its line in the file when known) and what was expected.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from rift.calendar import CANDIDATE_TYPES, EARLIEST_START, election_2026
from rift.errors import InputError, did_you_mean
from rift.months import format_month, parse_month
from rift.outcomes import OUTCOME_NAMES
from rift.parameters import registry

DISTRIBUTIONS = ("uniform", "triangular", "normal", "truncnormal", "lognormal", "beta", "choice")
TAIL_TOLERANCE = 0.001  # share of an unbounded distribution allowed outside a parameter's range


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Uniform(_Strict):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: float
    high: float


class Triangular(_Strict):
    """Triangular with ``low``, ``mode``, ``high``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float


class Normal(_Strict):
    """Normal with ``mean`` and ``sd`` (tails beyond the valid range are clipped)."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)


class TruncNormal(_Strict):
    """Normal with ``mean`` and ``sd`` truncated to [``low``, ``high``]."""

    dist: Literal["truncnormal"]
    mean: float
    sd: float = Field(gt=0)
    low: float
    high: float


class LogNormal(_Strict):
    """Lognormal with ``median`` and log-sd ``sigma``."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)


class Beta(_Strict):
    """Beta(``a``, ``b``) rescaled to [``low``, ``high``] (default [0, 1])."""

    dist: Literal["beta"]
    a: float = Field(gt=0)
    b: float = Field(gt=0)
    low: float = 0.0
    high: float = 1.0


class Choice(_Strict):
    """One of ``values`` with optional ``weights``."""

    dist: Literal["choice"]
    values: list[Any] = Field(min_length=1)
    weights: list[float] | None = None


Distribution = Annotated[
    Uniform | Triangular | Normal | TruncNormal | LogNormal | Beta | Choice,
    Field(discriminator="dist"),
]


class ElectionSpec(_Strict):
    """The 2026 election: priors over candidate types, or a fixed winner."""

    priors: dict[str, float] | None = None
    winner: Literal["left", "centre", "right"] | None = None


class InterventionSpec(_Strict):
    """A dated action forcing instruments from ``at`` (through ``until``, inclusive)."""

    at: str
    set: dict[str, Any] = Field(min_length=1)
    until: str | None = None
    label: str | None = None

    @field_validator("at", "until", mode="before")
    @classmethod
    def _month_text(cls, v: Any) -> Any:
        if isinstance(v, _dt.date):
            return v.isoformat()
        return v


class Scenario(_Strict):
    """A validated, frozen scenario.

    Attributes:
        name: Short name, used for the output folder.
        description: What the scenario represents and the seed passages it rests on.
        start: First month, ``YYYY-MM``.
        end: Last month, ``YYYY-MM``.
        runs: Monte Carlo runs in a batch.
        seed: Root seed of the batch (run k uses ``SeedSequence(seed, spawn_key=(k,))``).
        parameters: Fixed overrides by dotted parameter name.
        uncertain: Distributions of uncertain parameters, sampled per run (Latin hypercube).
        election: The 2026 election: priors or a fixed winner.
        interventions: Dated actions forcing instruments.
        outcomes: Outcomes to report (all when empty).
        calibration: Version of the packaged calibration whose posterior is sampled per run
            (set by ``uncertain: calibrated``), or None.
        source: The file the scenario was read from (not part of the hash).
    """

    name: str = Field(min_length=1)
    description: str = ""
    start: str = "2025-01"
    end: str = "2030-12"
    runs: int = Field(default=100, gt=0)
    seed: int = Field(default=20251215, ge=0)
    parameters: dict[str, Any] = Field(default_factory=dict)
    uncertain: dict[str, Distribution] = Field(default_factory=dict)
    election: ElectionSpec = Field(default_factory=ElectionSpec)
    interventions: list[InterventionSpec] = Field(default_factory=list)
    outcomes: list[str] = Field(default_factory=list)
    calibration: str | None = None
    source: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month_text(cls, v: Any) -> Any:
        if isinstance(v, _dt.date):
            return v.isoformat()[:7]
        return v

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
        return list(self.outcomes) if self.outcomes else list(OUTCOME_NAMES)

    def canonical(self) -> dict[str, Any]:
        """The resolved scenario as plain data (what the manifest stores)."""
        return self.model_dump(mode="json", exclude={"source"})

    def hash(self) -> str:
        """A stable hash of everything that changes results (not the description or source)."""
        data = self.model_dump(mode="json", exclude={"source", "description"})
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :class:`~rift.model.AllianceModel` (without sampled values)."""
        election: dict[str, Any] = {}
        if self.election.winner:
            election["winner"] = self.election.winner
        if self.election.priors:
            election["priors"] = dict(self.election.priors)
        return {
            "start": self.start,
            "end": self.end,
            "parameters": dict(self.parameters),
            "interventions": [
                {"at": iv.at, "set": dict(iv.set), "until": iv.until} for iv in self.interventions
            ],
            "election": election or None,
        }


# ------------------------------------------------------------------------------ loading
def shipped_dir() -> Path:
    """Folder of the scenarios shipped with the package (``scenarios/`` of the project)."""
    here = resources.files("rift").joinpath("scenarios")
    path = Path(str(here))
    if path.is_dir():
        return path
    return Path(__file__).resolve().parents[2] / "scenarios"


def shipped_scenarios() -> dict[str, Path]:
    """Shipped scenario files by name."""
    folder = shipped_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def _line_map(text: str) -> dict[tuple, int]:
    """Map key paths of a YAML document to their 1-based line numbers."""
    out: dict[tuple, int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out

    def walk(node: yaml.Node, path: tuple) -> None:
        out[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                k = key.value
                out[(*path, k)] = key.start_mark.line + 1
                walk(value, (*path, k))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return out


def _path_text(path: Sequence[Any]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


class _Doc:
    """A parsed YAML file with its text, for line numbers in messages."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = str(path)
        try:
            self.text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(
                "file not found", file=self.file, expected="a scenario YAML file"
            ) from None
        except IsADirectoryError:
            raise InputError(
                "is a folder", file=self.file, expected="a scenario YAML file"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the file ({exc})", file=self.file) from None
        try:
            data = yaml.safe_load(self.text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise InputError(
                f"YAML syntax error{where}: {problem}",
                file=self.file,
                expected="valid YAML (check indentation, colons and quotes)",
            ) from None
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InputError(
                f"the document is a {type(data).__name__}",
                file=self.file,
                expected="a mapping of scenario keys (name, start, end, ...)",
            )
        self.data: dict[str, Any] = data
        self.lines = _line_map(self.text)

    def key(self, path: Sequence[Any]) -> str:
        """The key path as text, with its line number when known."""
        text = _path_text(path)
        line = None
        p = tuple(path)
        while p and line is None:
            line = self.lines.get(p)
            p = p[:-1]
        return f"{text} (line {line})" if line else text


def _resolve_extends(ref: str, doc: _Doc) -> Path:
    candidate = (doc.path.parent / ref).expanduser()
    if not candidate.suffix:
        with_suffix = candidate.with_suffix(".yaml")
        if with_suffix.is_file():
            return with_suffix
    if candidate.is_file():
        return candidate
    shipped = shipped_scenarios()
    if ref in shipped:
        return shipped[ref]
    hint = did_you_mean(ref, shipped)
    raise InputError(
        f"cannot find the scenario '{ref}' to extend",
        file=doc.file,
        key=doc.key(("extends",)),
        expected="a shipped scenario name or a path relative to this file",
        hint=hint,
    )


def _overlay(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child keys over parent keys; mappings merge recursively; interventions accumulate."""
    out = dict(parent)
    for key, value in child.items():
        if key == "interventions" and isinstance(value, list):
            out[key] = list(parent.get(key) or []) + value
        elif isinstance(value, dict) and isinstance(parent.get(key), dict):
            out[key] = _overlay(parent[key], value)
        else:
            out[key] = value
    return out


def _take_calibrated(data: dict[str, Any], doc: _Doc) -> dict[str, Any]:
    """``uncertain: calibrated`` (or a ``calibrated: true`` entry) → the packaged posterior."""
    unc = data.get("uncertain")
    if isinstance(unc, str) and unc.strip() == "calibrated":
        data["uncertain"] = {}
    elif isinstance(unc, dict) and "calibrated" in unc:
        unc = dict(unc)
        if unc.pop("calibrated") is not True:
            raise InputError(
                "got a value other than true",
                file=doc.file,
                key=doc.key(("uncertain", "calibrated")),
                expected="'calibrated: true' to sample the calibrated parameters",
            )
        data["uncertain"] = unc
    elif isinstance(unc, str):
        raise InputError(
            f"got {unc!r}",
            file=doc.file,
            key=doc.key(("uncertain",)),
            expected="a mapping of parameter names to distributions, or 'calibrated'",
        )
    else:
        return data
    from rift.validation.calibrate import load_calibration

    record = load_calibration()
    if record is None:
        raise InputError(
            "this installation has no calibration",
            file=doc.file,
            key=doc.key(("uncertain",)),
            expected="distributions, or run `rift calibrate` first",
        )
    data["calibration"] = record["version"]
    return data


def _load_raw(path: Path, chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], _Doc]:
    doc = _Doc(path)
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(p.name for p in (*chain, resolved))
        raise InputError(
            f"'extends' forms a cycle ({cycle})",
            file=doc.file,
            key=doc.key(("extends",)),
            expected="a chain of scenarios without cycles",
        )
    data = _take_calibrated(dict(doc.data), doc)
    ref = data.pop("extends", None)
    if ref is None:
        data.setdefault("name", path.stem)
        return data, doc
    if not isinstance(ref, str):
        raise InputError(
            f"got {ref!r}",
            file=doc.file,
            key=doc.key(("extends",)),
            expected="a scenario name or path",
        )
    parent, _ = _load_raw(_resolve_extends(ref, doc), (*chain, resolved))
    data.setdefault("name", path.stem)
    return _overlay(parent, data), doc


_DIST_MODELS: dict[str, type[BaseModel]] = {
    "uniform": Uniform,
    "triangular": Triangular,
    "normal": Normal,
    "truncnormal": TruncNormal,
    "lognormal": LogNormal,
    "beta": Beta,
    "choice": Choice,
}


def _pydantic_error(exc: ValidationError, doc: _Doc) -> InputError:
    # An unknown key explains more than the missing key it was probably meant to be.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    tags = [p for p in err["loc"] if isinstance(p, str) and p in DISTRIBUTIONS]
    loc = [p for p in err["loc"] if not (isinstance(p, str) and p in DISTRIBUTIONS)]
    kind = err["type"]
    key = doc.key(loc)
    if kind == "extra_forbidden":
        name = str(loc[-1])
        parent_model = _DIST_MODELS[tags[-1]] if tags else _model_at(loc[:-1])
        fields = [f for f in parent_model.model_fields if f != "dist"] if parent_model else []
        hint = did_you_mean(name, fields) if fields else None
        allowed = ", ".join(fields)
        return InputError(
            f"unknown key '{name}'",
            file=doc.file,
            key=key,
            expected=f"one of: {allowed}" if allowed else None,
            hint=hint,
        )
    if kind == "missing":
        return InputError(
            "a required key is missing", file=doc.file, key=key, expected=f"a value for '{loc[-1]}'"
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
    return InputError(f"{err['msg']} (got {got!r})", file=doc.file, key=key)


def _model_at(loc: Sequence[Any]) -> type[BaseModel] | None:
    """The pydantic model that sits at a location of a Scenario document."""
    model: type[BaseModel] = Scenario
    for part in loc:
        if model is Scenario and part == "election":
            model = ElectionSpec
        elif model is Scenario and part == "interventions":
            model = InterventionSpec
        elif isinstance(part, int):
            continue
        elif model is Scenario and part == "uncertain":
            return None
        else:
            return None
    return model


def _check_month(value: str, doc: _Doc, path: Sequence[Any]) -> int:
    try:
        return parse_month(value)
    except ValueError as exc:
        raise InputError(
            str(exc), file=doc.file, key=doc.key(path), expected="a month as YYYY-MM"
        ) from None


def _check_distribution(name: str, d: Any, doc: _Doc, path: Sequence[Any]) -> None:
    """A distribution's parameters must make sense and its support fit the parameter's range."""
    reg = registry()
    param = reg.lookup(name, file=doc.file, key=doc.key(path))
    key = doc.key(path)
    if param.instrument:
        raise InputError(
            f"'{name}' is an instrument",
            file=doc.file,
            key=key,
            expected="an uncertain model parameter; force instruments with 'interventions'",
        )
    if isinstance(d, Choice):
        for i, v in enumerate(d.values):
            param.validate(v, file=doc.file, key=doc.key((*path, "values", i)))
        if d.weights is not None and (
            len(d.weights) != len(d.values) or any(w < 0 for w in d.weights) or sum(d.weights) <= 0
        ):
            raise InputError(
                "bad weights",
                file=doc.file,
                key=doc.key((*path, "weights")),
                expected="one non-negative weight per value, not all zero",
            )
        return
    if param.kind not in ("float", "int"):
        raise InputError(
            f"'{name}' is a {param.kind} parameter",
            file=doc.file,
            key=key,
            expected="dist: choice with a list of values",
        )
    lo, hi = param.low, param.high
    if isinstance(d, Uniform | Triangular | TruncNormal | Beta):
        if not d.low < d.high:
            raise InputError(f"low ({d.low}) must be below high ({d.high})", file=doc.file, key=key)
        if isinstance(d, Triangular) and not d.low <= d.mode <= d.high:
            raise InputError(f"mode ({d.mode}) must lie in [low, high]", file=doc.file, key=key)
        bounds = (d.low, d.high)
    else:
        dist = to_scipy(d)
        bounds = (float(dist.ppf(TAIL_TOLERANCE / 2)), float(dist.ppf(1 - TAIL_TOLERANCE / 2)))
    if (lo is not None and bounds[0] < lo) or (hi is not None and bounds[1] > hi):
        raise InputError(
            f"the distribution reaches [{bounds[0]:g}, {bounds[1]:g}], outside the valid range",
            file=doc.file,
            key=key,
            expected=f"a distribution within {param.range_text()} ({param.unit})",
        )


def to_scipy(d: Any):
    """The frozen scipy.stats distribution of a numeric distribution spec."""
    from scipy import stats

    if isinstance(d, Uniform):
        return stats.uniform(loc=d.low, scale=d.high - d.low)
    if isinstance(d, Triangular):
        width = d.high - d.low
        return stats.triang(c=(d.mode - d.low) / width, loc=d.low, scale=width)
    if isinstance(d, Normal):
        return stats.norm(loc=d.mean, scale=d.sd)
    if isinstance(d, TruncNormal):
        a, b = (d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd
        return stats.truncnorm(a, b, loc=d.mean, scale=d.sd)
    if isinstance(d, LogNormal):
        return stats.lognorm(s=d.sigma, scale=d.median)
    if isinstance(d, Beta):
        return stats.beta(d.a, d.b, loc=d.low, scale=d.high - d.low)
    raise TypeError(f"no scipy distribution for {d!r}")


def _validate(scenario: Scenario, doc: _Doc) -> None:
    reg = registry()
    file = doc.file
    start = _check_month(scenario.start, doc, ("start",))
    end = _check_month(scenario.end, doc, ("end",))
    if start < EARLIEST_START:
        raise InputError(
            f"start {scenario.start} is too early",
            file=file,
            key=doc.key(("start",)),
            expected="2018-08 or later (the model knows presidents from Duque on)",
        )
    if end < start:
        raise InputError(
            f"end {scenario.end} is before start {scenario.start}",
            file=file,
            key=doc.key(("end",)),
            expected=f"a month on or after {scenario.start}",
        )
    for name, value in scenario.parameters.items():
        param = reg.lookup(name, file=file, key=doc.key(("parameters", name)))
        param.validate(value, file=file, key=doc.key(("parameters", name)))
    for name, d in scenario.uncertain.items():
        _check_distribution(name, d, doc, ("uncertain", name))
        if name in scenario.parameters:
            raise InputError(
                f"'{name}' is both fixed and uncertain",
                file=file,
                key=doc.key(("uncertain", name)),
                expected="one or the other",
            )
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
            if not (isinstance(w, int | float) and math.isfinite(w) and w >= 0):
                raise InputError(
                    f"got {w!r}",
                    file=file,
                    key=doc.key(("election", "priors", t)),
                    expected="a non-negative weight",
                )
        if sum(pri.values()) <= 0:
            raise InputError(
                "all priors are zero",
                file=file,
                key=doc.key(("election", "priors")),
                expected="at least one positive weight",
            )
    if start >= election_2026({}).inauguration and not scenario.election.winner:
        raise InputError(
            "the run starts after the 2026 inauguration",
            file=file,
            key=doc.key(("election",)),
            expected="election: {winner: left|centre|right}",
        )
    instruments = set(reg.instruments())
    for i, iv in enumerate(scenario.interventions):
        at = _check_month(iv.at, doc, ("interventions", i, "at"))
        if not start <= at <= end:
            raise InputError(
                f"{iv.at} is outside the horizon {scenario.start}..{scenario.end}",
                file=file,
                key=doc.key(("interventions", i, "at")),
                expected="a month within the horizon",
            )
        if iv.until is not None:
            until = _check_month(iv.until, doc, ("interventions", i, "until"))
            if until < at:
                raise InputError(
                    f"until {iv.until} is before at {iv.at}",
                    file=file,
                    key=doc.key(("interventions", i, "until")),
                    expected=f"a month on or after {iv.at}",
                )
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
            param.validate(value, file=file, key=key)
    for i, name in enumerate(scenario.outcomes):
        if name not in OUTCOME_NAMES:
            raise InputError(
                f"unknown outcome '{name}'",
                file=file,
                key=doc.key(("outcomes", i)),
                expected="an outcome listed in the README",
                hint=did_you_mean(name, OUTCOME_NAMES),
            )


def _coerce(scenario: Scenario) -> Scenario:
    """Normalise months and coerce parameter values to their kinds."""
    reg = registry()
    params = {k: reg[k].validate(v) for k, v in scenario.parameters.items()}
    ivs = [
        iv.model_copy(
            update={
                "at": format_month(parse_month(iv.at)),
                "until": None if iv.until is None else format_month(parse_month(iv.until)),
                "set": {k: reg[k].validate(v) for k, v in iv.set.items()},
            }
        )
        for iv in scenario.interventions
    ]
    return scenario.model_copy(
        update={
            "start": format_month(parse_month(scenario.start)),
            "end": format_month(parse_month(scenario.end)),
            "parameters": params,
            "interventions": ivs,
        }
    )


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key=value`` from the command line (the value is read as YAML)."""
    if "=" not in text:
        raise InputError(
            f"'--set {text}' has no '='",
            key="--set",
            expected="key=value, e.g. us.intel_sharing=0.2",
        )
    key, _, raw = text.partition("=")
    key = key.strip()
    if not key:
        raise InputError(f"'--set {text}' has no key", key="--set", expected="key=value")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError:
        value = raw
    return key, value


SCALAR_KEYS = ("name", "description", "start", "end", "runs", "seed")


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """Apply ``--set`` overrides: scenario keys (runs, seed, ...) or parameter names."""
    out = dict(data)
    params = dict(out.get("parameters") or {})
    for text in overrides:
        key, value = parse_override(text)
        if key in SCALAR_KEYS:
            out[key] = value
        elif key.startswith("election."):
            election = dict(out.get("election") or {})
            election[key.split(".", 1)[1]] = value
            out["election"] = election
        else:
            registry().lookup(key, key=f"--set {key}")
            params[key] = value
            unc = dict(out.get("uncertain") or {})
            if unc.pop(key, None) is not None:  # a fixed value from the command line wins
                out["uncertain"] = unc
    out["parameters"] = params
    return out


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, overlay (``extends``), override (``--set``) and validate a scenario file.

    Args:
        path: The scenario YAML file, or the name of a shipped scenario.
        overrides: ``key=value`` strings from the command line.

    Returns:
        The validated, frozen scenario.

    Raises:
        InputError: With the file, key path and what was expected.
    """
    path = Path(path)
    if not path.exists() and path.suffix == "" and str(path) in shipped_scenarios():
        path = shipped_scenarios()[str(path)]
    data, doc = _load_raw(path)
    data = apply_overrides(data, overrides)
    data["source"] = str(path)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_error(exc, doc) from None
    _validate(scenario, doc)
    return _coerce(scenario)


def scenario_from_dict(data: Mapping[str, Any], file: str = "<scenario>") -> Scenario:
    """Validate a scenario given as a mapping (for the Python API and tests)."""
    doc = _Doc.__new__(_Doc)
    doc.path = Path(file)
    doc.file = file
    doc.text = ""
    doc.data = dict(data)
    doc.lines = {}
    raw = _take_calibrated(dict(data), doc)
    raw.setdefault("name", Path(file).stem or "scenario")
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(exc, doc) from None
    _validate(scenario, doc)
    return _coerce(scenario)
