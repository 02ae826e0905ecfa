"""The parameter registry: every coefficient of the model, declared once.

Each parameter in ``rift/data/parameters.yaml`` has a dotted name, a default, a unit, a valid
range (values outside it are rejected), an optional uncertainty distribution (the plausible
spread, used when a scenario asks for it and by sensitivity analysis), a description, and its
provenance: a seed document with a verbatim quote, a key of ``reference.csv``, or a stated
assumption with a one-line rationale.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import yaml

from rift.errors import InputError, did_you_mean

KINDS = ("float", "int", "choice", "bool")


@dataclass(frozen=True)
class Source:
    """Where a parameter value comes from.

    Attributes:
        kind: ``seed``, ``reference`` or ``assumption``.
        text: The seed file name, the reference key, or the assumption's rationale.
        quote: For a seed, a short verbatim quote found in that file.
        date: For a reference, the date of the row used (optional).
    """

    kind: str
    text: str
    quote: str | None = None
    date: str | None = None

    def short(self) -> str:
        """A compact label such as ``seed 001`` or ``ref coca_ha@2023``."""
        if self.kind == "seed":
            return f"seed {self.text[:3]}"
        if self.kind == "reference":
            return f"ref {self.text}" + (f"@{self.date}" if self.date else "")
        return "assumption"


@dataclass(frozen=True)
class Parameter:
    """One entry of the registry."""

    name: str
    default: Any
    unit: str
    kind: str
    description: str
    sources: tuple[Source, ...]
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    uncertainty: Mapping[str, Any] | None = None
    note: str = ""
    instrument: bool = False

    @property
    def provenance(self) -> str:
        """The kinds of sources, e.g. ``seed+reference``."""
        kinds = []
        for s in self.sources:
            if s.kind not in kinds:
                kinds.append(s.kind)
        return "+".join(kinds)

    def range_text(self) -> str:
        """The valid range as text."""
        if self.kind == "choice":
            return "{" + ", ".join(self.choices) + "}"
        if self.kind == "bool":
            return "{true, false}"
        return f"[{_fmt(self.low)}, {_fmt(self.high)}]"

    def uncertainty_text(self) -> str:
        """The uncertainty distribution as text, or an empty string."""
        if not self.uncertainty:
            return ""
        u = dict(self.uncertainty)
        dist = u.pop("dist")
        args = ", ".join(f"{k}={_fmt(v)}" for k, v in u.items())
        return f"{dist}({args})"

    def choice_from_unit(self, u: float) -> str:
        """The choice a uniform number ``u`` in [0, 1] stands for, by the declared weights.

        Calibration treats a choice as a continuous parameter ``u`` with a uniform prior; the
        choice is the first whose cumulative weight exceeds ``u`` (equal weights when the
        registry declares none), as the Latin hypercube maps its uniforms.
        """
        if self.kind != "choice":
            raise TypeError(f"{self.name} is not a choice")
        u_spec = self.uncertainty or {}
        values = list(u_spec.get("values") or self.choices)
        weights = list(u_spec.get("weights") or [1.0] * len(values))
        cdf = np.cumsum(np.asarray(weights, float) / float(sum(weights)))
        k = int(np.searchsorted(cdf, float(u), side="right"))
        return values[min(k, len(values) - 1)]

    def validate(self, value: Any, *, file: str | None = None, key: str | None = None) -> Any:
        """Check and coerce a value for this parameter.

        Args:
            value: The value to check.
            file: The file the value came from (for the error message).
            key: The key path of the value in that file (defaults to the parameter name).

        Returns:
            The value coerced to the parameter's kind. For an instrument, ``None`` means
            "endogenous" and is returned as is.

        Raises:
            InputError: If the value has the wrong type or is outside the valid range.
        """
        key = key or self.name
        if value is None and self.instrument:
            return None
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise InputError(f"got {value!r}", file=file, key=key, expected="true or false")
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return value
            hint = did_you_mean(str(value), self.choices)
            raise InputError(
                f"got {value!r}",
                file=file,
                key=key,
                expected=f"one of {self.range_text()}",
                hint=hint,
            )
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                f"got {value!r} ({type(value).__name__})",
                file=file,
                key=key,
                expected=f"a number in {self.range_text()} ({self.unit})",
            )
        try:
            finite = math.isfinite(float(value))
        except OverflowError:  # an integer beyond any float (a 400-digit number)
            raise InputError(
                f"got a whole number of {value.bit_length():,} bits",
                file=file,
                key=key,
                expected=f"a number in {self.range_text()} ({self.unit})",
            ) from None
        if not finite:
            raise InputError(f"got {value!r}", file=file, key=key, expected="a finite number")
        if self.kind == "int":
            if float(value) != int(value):
                raise InputError(f"got {value!r}", file=file, key=key, expected="a whole number")
            value = int(value)
        else:
            value = float(value)
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise InputError(
                f"value {value!r} is outside the valid range",
                file=file,
                key=key,
                expected=f"a value in {self.range_text()} ({self.unit})",
            )
        return value


def _fmt(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, float):
        if x == int(x) and abs(x) < 1e12:
            return str(int(x))
        return f"{x:g}"
    return str(x)


def _parse_source(name: str, raw: Mapping[str, Any]) -> Source:
    if "seed" in raw:
        if "quote" not in raw:
            raise ValueError(f"parameters.yaml: {name}: a seed source needs a quote")
        return Source("seed", str(raw["seed"]), quote=str(raw["quote"]))
    if "reference" in raw:
        date = raw.get("date")
        return Source("reference", str(raw["reference"]), date=None if date is None else str(date))
    if "assumption" in raw:
        return Source("assumption", str(raw["assumption"]))
    raise ValueError(f"parameters.yaml: {name}: unknown source {dict(raw)!r}")


def _parse_parameter(name: str, raw: Mapping[str, Any]) -> Parameter:
    allowed = {
        "default",
        "unit",
        "kind",
        "range",
        "choices",
        "uncertainty",
        "description",
        "sources",
        "note",
        "instrument",
    }
    extra = set(raw) - allowed
    if extra:
        raise ValueError(f"parameters.yaml: {name}: unknown fields {sorted(extra)}")
    kind = raw.get("kind", "float")
    if kind not in KINDS:
        raise ValueError(f"parameters.yaml: {name}: kind must be one of {KINDS}")
    low = high = None
    if "range" in raw:
        low, high = (None if v is None else float(v) for v in raw["range"])
    sources = tuple(_parse_source(name, s) for s in raw.get("sources", []))
    if not sources:
        raise ValueError(f"parameters.yaml: {name}: every parameter needs a source")
    param = Parameter(
        name=name,
        default=raw.get("default"),
        unit=str(raw.get("unit", "")),
        kind=kind,
        description=str(raw.get("description", "")).strip(),
        sources=sources,
        low=low,
        high=high,
        choices=tuple(raw.get("choices", ())),
        uncertainty=raw.get("uncertainty"),
        note=str(raw.get("note", "")).strip(),
        instrument=bool(raw.get("instrument", False)),
    )
    # The default itself must be valid.
    object.__setattr__(param, "default", param.validate(param.default, file="parameters.yaml"))
    return param


class Registry(Mapping[str, Parameter]):
    """All parameters of the model, by dotted name."""

    def __init__(self, params: Mapping[str, Parameter]) -> None:
        self._params = dict(params)

    def __getitem__(self, name: str) -> Parameter:
        return self._params[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def __len__(self) -> int:
        return len(self._params)

    def lookup(self, name: str, *, file: str | None = None, key: str | None = None) -> Parameter:
        """The parameter called ``name``, or an :class:`InputError` suggesting the closest."""
        try:
            return self._params[name]
        except KeyError:
            raise InputError(
                f"unknown parameter '{name}'",
                file=file,
                key=key or name,
                expected="a parameter name listed by `rift params`",
                hint=did_you_mean(name, self._params),
            ) from None

    def declare(self, name: str, entry: Mapping[str, Any]) -> Parameter:
        """Add a parameter from an entry written as in ``parameters.yaml``; the name must be new.

        Why: an extension (or a test) that adds a measure or an actor registers its
        coefficients, with unit, range and provenance, without editing the packaged file.
        """
        if name in self._params:
            raise ValueError(f"parameter '{name}' is already registered")
        param = _parse_parameter(name, entry)
        self._params[name] = param
        return param

    def remove(self, name: str) -> None:
        """Remove a parameter added with :meth:`declare` (for tests)."""
        self._params.pop(name, None)

    def defaults(self) -> dict[str, Any]:
        """Default value of every parameter."""
        return {name: p.default for name, p in self._params.items()}

    def instruments(self) -> list[str]:
        """Names of the instruments that scenarios may force."""
        return [name for name, p in self._params.items() if p.instrument]

    def resolve(
        self,
        overrides: Mapping[str, Any] | None = None,
        *,
        file: str | None = None,
        prefix: str = "parameters",
    ) -> ParameterSet:
        """Defaults overlaid with validated overrides.

        Args:
            overrides: Values by dotted parameter name.
            file: The file the overrides came from (for error messages).
            prefix: The key path under which the overrides sit in that file.

        Returns:
            A frozen :class:`ParameterSet`.
        """
        values = self.defaults()
        for name, value in (overrides or {}).items():
            key = f"{prefix}.{name}" if prefix else name
            param = self.lookup(name, file=file, key=key)
            values[name] = param.validate(value, file=file, key=key)
        return ParameterSet(values)


@dataclass(frozen=True)
class ParameterSet(Mapping[str, Any]):
    """A complete, validated set of parameter values (defaults plus overrides)."""

    values: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)

    def group(self, prefix: str) -> dict[str, Any]:
        """All values under ``prefix.`` with the prefix removed."""
        p = prefix + "."
        return {k[len(p) :]: v for k, v in self.values.items() if k.startswith(p)}

    def with_values(self, overrides: Mapping[str, Any]) -> ParameterSet:
        """A copy with some values replaced (validated by the registry)."""
        return registry().resolve({**self._non_defaults(), **overrides}, prefix="")

    def _non_defaults(self) -> dict[str, Any]:
        d = registry().defaults()
        return {k: v for k, v in self.values.items() if d.get(k) != v}


@functools.lru_cache(maxsize=1)
def registry() -> Registry:
    """The parameter registry, loaded once per process from the package data."""
    text = resources.files("rift.data").joinpath("parameters.yaml").read_text("utf-8")
    # libyaml's parser when PyYAML has it: the same safe constructors, 8 times faster on this
    # 150 kB file (0.65 s of the first simulate() otherwise).
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    params = {name: _parse_parameter(name, entry) for name, entry in raw.items()}
    return Registry(params)


def defaults() -> ParameterSet:
    """The default parameter set."""
    return registry().resolve()
