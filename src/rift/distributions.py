"""Probability distributions of uncertain parameters, declared once.

Scenario files (``uncertain:``) and the parameter registry (``uncertainty:``) write a
distribution the same way, ``{dist: NAME, ...arguments}``. The names and their arguments are
the pydantic models below; :data:`DISTRIBUTIONS` lists the names once for messages and docs,
and :func:`to_scipy` maps a numeric distribution to its frozen ``scipy.stats`` object.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

if TYPE_CHECKING:
    import numpy as np

#: Weights of a choice (and election priors) must sum to 1 within this tolerance.
WEIGHT_TOLERANCE = 1e-6
#: A truncated normal must keep at least this share of its normal's mass in [low, high]:
#: with less, its quantiles pile up on one bound (a mean far outside with a tiny sd).
MIN_TRUNCATED_MASS = 1e-4
#: Share of an unbounded distribution allowed outside a parameter's range (clipped there).
TAIL_TOLERANCE = 0.001


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


def _scipy_form(d: Any) -> tuple[Any, tuple[float, ...], dict[str, float]]:
    """The ``scipy.stats`` distribution of a numeric spec, with its shape, loc and scale."""
    from scipy import stats

    if isinstance(d, Uniform):
        return stats.uniform, (), {"loc": d.low, "scale": d.high - d.low}
    if isinstance(d, Triangular):
        width = d.high - d.low
        return stats.triang, (), {"c": (d.mode - d.low) / width, "loc": d.low, "scale": width}
    if isinstance(d, Normal):
        return stats.norm, (), {"loc": d.mean, "scale": d.sd}
    if isinstance(d, TruncNormal):
        a, b = (d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd
        return stats.truncnorm, (a, b), {"loc": d.mean, "scale": d.sd}
    if isinstance(d, LogNormal):
        return stats.lognorm, (), {"s": d.sigma, "scale": d.median}
    if isinstance(d, Beta):
        return stats.beta, (d.a, d.b), {"loc": d.low, "scale": d.high - d.low}
    raise TypeError(f"no scipy distribution for {d!r}")


def to_scipy(d: Any):
    """The frozen scipy.stats distribution of a numeric distribution spec."""
    dist, args, kwds = _scipy_form(d)
    return dist(*args, **kwds)


def quantile(d: Any, q: Any) -> np.ndarray:
    """The quantile function of a numeric distribution spec at ``q``.

    The same call, hence the same bits, as ``to_scipy(d).ppf(q)`` without freezing the
    distribution: a frozen scipy distribution builds a new instance with its docstring
    (about 0.25 ms each; the baseline samples 166 distributions in every process).

    Args:
        d: A parsed numeric distribution (not a choice).
        q: Probabilities in [0, 1].

    Returns:
        The quantiles, shaped as ``q``.
    """
    dist, args, kwds = _scipy_form(d)
    return dist.ppf(q, *args, **kwds)


def _check_uniforms():
    """Where the quantile function is checked: both ends, their tails, and 1,000 midpoints."""
    import numpy as np

    ends = [0.0, 1e-15, 1e-12, 1e-9, 1e-6, 1e-3]
    top = [1.0 - u for u in reversed(ends[1:])] + [float(np.nextafter(1.0, 0.0))]
    return np.concatenate((ends, (np.arange(1000) + 0.5) / 1000, top))


def truncated_mass(d: TruncNormal) -> float:
    """The share of the untruncated normal's mass inside [``low``, ``high``]."""
    from scipy import stats

    a, b = (d.low - d.mean) / d.sd, (d.high - d.mean) / d.sd
    if a > 0:  # both bounds above the mean: the upper tail, computed without cancellation
        return float(stats.norm.sf(a) - stats.norm.sf(b))
    return float(stats.norm.cdf(b) - stats.norm.cdf(a))


def sampling_problem(d: Any, low: float | None, high: float | None) -> str | None:
    """Why a numeric distribution cannot give valid values in [``low``, ``high``], or None.

    A batch maps Latin-hypercube uniforms in [0, 1) through the quantile function and clips
    the values to the parameter's range. That is checked here at load time: the quantiles at
    a grid of uniforms (both ends included) must be numbers inside the distribution's own
    support, the distribution must lie in the range (unbounded ones up to
    :data:`TAIL_TOLERANCE` of their mass), and a truncated normal must keep at least
    :data:`MIN_TRUNCATED_MASS` of its mass inside its bounds.

    Args:
        d: A parsed numeric distribution (not a choice).
        low: The parameter's lowest valid value (None: unbounded).
        high: The parameter's highest valid value (None: unbounded).

    Returns:
        One short sentence, or None when every value it can give is valid.
    """
    import numpy as np

    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if isinstance(d, TruncNormal):
            mass = truncated_mass(d)
            if not mass >= MIN_TRUNCATED_MASS:
                return (
                    f"the truncation [{d.low:g}, {d.high:g}] keeps {mass:.2g} of the normal's "
                    f"mass (mean {d.mean:g}, sd {d.sd:g}): every value would sit on a bound"
                )
        try:
            values = np.asarray(to_scipy(d).ppf(_check_uniforms()), float)
            first, last = bounds(d, TAIL_TOLERANCE)
        except (ArithmeticError, ValueError) as exc:  # pragma: no cover - scipy's own refusal
            return f"it cannot be sampled ({exc})"
    if np.isnan(values).any() or not (math.isfinite(first) and math.isfinite(last)):
        return "it cannot be sampled: its quantiles are not numbers at these arguments"
    if isinstance(d, Uniform | Triangular | TruncNormal | Beta):
        slack = 1e-9 * (d.high - d.low)
        if values.min() < d.low - slack or values.max() > d.high + slack:
            return f"its samples fall outside its own support [{d.low:g}, {d.high:g}]"
    if first < lo or last > hi or np.isnan(np.clip(values, lo, hi)).any():
        return f"the distribution reaches [{first:g}, {last:g}], outside the valid range"
    return None
