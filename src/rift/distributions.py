"""Probability distributions of uncertain parameters, declared once.

Scenario files (``uncertain:``) and the parameter registry (``uncertainty:``) write a
distribution the same way, ``{dist: NAME, ...arguments}``. The names and their arguments are
the pydantic models below; :data:`DISTRIBUTIONS` lists the names once for messages and docs,
and :func:`to_scipy` maps a numeric distribution to its frozen ``scipy.stats`` object.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

#: Weights of a choice (and election priors) must sum to 1 within this tolerance.
WEIGHT_TOLERANCE = 1e-6


class Strict(BaseModel):
    """A frozen pydantic model that rejects unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class _Bounded(Strict):
    """A distribution on [``low``, ``high``]: ``low`` must be below ``high``."""

    @model_validator(mode="after")
    def _ordered(self) -> _Bounded:
        low, high = self.low, self.high  # type: ignore[attr-defined]
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError("low and high must be finite numbers")
        if not low < high:
            raise ValueError(f"low ({low:g}) must be below high ({high:g})")
        return self


class Uniform(_Bounded):
    """Uniform between ``low`` and ``high``."""

    dist: Literal["uniform"]
    low: float
    high: float


class Triangular(_Bounded):
    """Triangular with ``low``, ``mode``, ``high``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _mode_inside(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode:g}) must lie in [low, high]")
        return self


class Normal(Strict):
    """Normal with ``mean`` and ``sd`` (tails beyond the valid range are clipped)."""

    dist: Literal["normal"]
    mean: float = Field(allow_inf_nan=False)
    sd: float = Field(gt=0, allow_inf_nan=False)


class TruncNormal(_Bounded):
    """Normal with ``mean`` and ``sd`` truncated to [``low``, ``high``]."""

    dist: Literal["truncnormal"]
    mean: float = Field(allow_inf_nan=False)
    sd: float = Field(gt=0, allow_inf_nan=False)
    low: float
    high: float


class LogNormal(Strict):
    """Lognormal with ``median`` and log-sd ``sigma``."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0, allow_inf_nan=False)
    sigma: float = Field(gt=0, allow_inf_nan=False)


class Beta(_Bounded):
    """Beta(``a``, ``b``) rescaled to [``low``, ``high``] (default [0, 1])."""

    dist: Literal["beta"]
    a: float = Field(gt=0, allow_inf_nan=False)
    b: float = Field(gt=0, allow_inf_nan=False)
    low: float = 0.0
    high: float = 1.0


class Choice(Strict):
    """One of ``values`` with optional ``weights`` (which must sum to 1)."""

    dist: Literal["choice"]
    values: list[Any] = Field(min_length=1, max_length=1000)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _weights(self) -> Choice:
        w = self.weights
        if w is None:
            return self
        if len(w) != len(self.values):
            raise ValueError(f"{len(w)} weights for {len(self.values)} values: give one each")
        if any(not math.isfinite(x) or x < 0 for x in w):
            raise ValueError("weights must be non-negative numbers")
        if abs(sum(w) - 1.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"weights sum to {sum(w):g}; they must sum to 1")
        return self


#: Every distribution model by its ``dist`` name (the one list of names).
MODELS: dict[str, type[Strict]] = {
    "uniform": Uniform,
    "triangular": Triangular,
    "normal": Normal,
    "truncnormal": TruncNormal,
    "lognormal": LogNormal,
    "beta": Beta,
    "choice": Choice,
}
DISTRIBUTIONS: tuple[str, ...] = tuple(MODELS)

Distribution = Annotated[
    Uniform | Triangular | Normal | TruncNormal | LogNormal | Beta | Choice,
    Field(discriminator="dist"),
]

_ADAPTER: TypeAdapter = TypeAdapter(Distribution)


def parse_distribution(spec: Any) -> Any:
    """A distribution model from its mapping (raises pydantic's ``ValidationError``)."""
    return _ADAPTER.validate_python(spec)


def bounds(d: Any, tail: float = 0.001) -> tuple[float, float]:
    """The support of a numeric distribution, or its central ``1 - tail`` for unbounded ones."""
    if isinstance(d, Uniform | Triangular | TruncNormal | Beta):
        return (d.low, d.high)
    dist = to_scipy(d)
    return (float(dist.ppf(tail / 2)), float(dist.ppf(1 - tail / 2)))


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
