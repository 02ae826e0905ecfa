"""The calibrated posterior shipped with rift: load it, and draw whole particles from it.

``rift calibrate`` (:mod:`rift.validation.calibration.calibrate`) fits the assumed coefficients to
the record by ABC-SMC and writes ``rift/data/calibration.json``: its version, the scenario and
first month it was fitted on, the last data it saw, the priors, and the weighted particles. ``rift
calibrate --through YEAR`` writes an out-of-sample calibration fitted on the data through that year
only (``calibration_through_YEAR.json``), which ``rift validate-history --calibrated-through YEAR``
scores on the later years. This module only reads that file; it is a leaf, so the scenario language
and the runner can use the posterior without importing the validation code that made it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import ArrayLike

CALIBRATION_FILE = "calibration.json"


@dataclass
class Posterior:
    """A weighted sample of the ABC posterior.

    Attributes:
        names: Parameter names, in column order.
        samples: Particles, an (n, d) array.
        weights: Importance weights of the particles (sum to 1).
        distances: Distance of each particle's simulation to the observed summaries.
        epsilons: Tolerance of each SMC generation (non-increasing; excludes the prior one).
        simulations: Number of simulations run, all generations.
        acceptance: Share of the simulations of each SMC generation within its tolerance.
        scale: Per-summary scale of the default distance (None with a custom distance).
        truncated: True if a generation hit ``max_simulations`` and was discarded.
    """

    names: list[str]
    samples: np.ndarray
    weights: np.ndarray
    distances: np.ndarray
    epsilons: list[float] = field(default_factory=list)
    simulations: int = 0
    acceptance: list[float] = field(default_factory=list)
    scale: list[float] | None = None
    truncated: bool = False

    def mean(self) -> dict[str, float]:
        """Weighted posterior mean of each parameter."""
        return dict(zip(self.names, map(float, self.weights @ self.samples), strict=True))

    def sd(self) -> dict[str, float]:
        """Weighted posterior standard deviation of each parameter."""
        var = self.weights @ (self.samples - self.weights @ self.samples) ** 2
        return dict(zip(self.names, map(float, np.sqrt(var)), strict=True))

    def quantiles(self, q: ArrayLike) -> dict[str, np.ndarray]:
        """Weighted quantiles of each parameter.

        The weighted CDF is linear between the particles, which sit at the mid-points of their
        cumulative weight (with equal weights, numpy's ``"hazen"`` method); zero weights are
        ignored.
        """
        out = {}
        for j, name in enumerate(self.names):
            order = np.argsort(self.samples[:, j])
            order = order[self.weights[order] > 0]
            w = self.weights[order]
            out[name] = np.interp(q, np.cumsum(w) - w / 2, self.samples[order, j])
        return out

    def ess(self) -> float:
        """Effective sample size ``1 / sum(w**2)``."""
        return float(1.0 / np.sum(self.weights**2))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (floats round-trip exactly through ``json``)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in out.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Posterior:
        """Inverse of ``to_dict``."""
        d = len(data["names"])
        arrays = {k: np.asarray(data[k], dtype=float) for k in ("weights", "distances")}
        samples = np.asarray(data["samples"], dtype=float).reshape(-1, d)
        rest = {k: v for k, v in data.items() if k not in arrays and k != "samples"}
        return cls(samples=samples, **arrays, **rest)


def calibration_file(through: int | None = None) -> str:
    """The packaged file of a calibration: the main one, or one fitted on data through a year."""
    return CALIBRATION_FILE if through is None else f"calibration_through_{int(through)}.json"


def packaged_path(through: int | None = None) -> Path:
    """Where a packaged calibration lives (``rift/data/calibration*.json``)."""
    return Path(str(resources.files("rift.data").joinpath(calibration_file(through))))


@cache
def load_calibration(through: int | None = None) -> dict[str, Any] | None:
    """A packaged calibration record, or None when the package has none.

    Args:
        through: None for the main calibration (all the data, through 2024-12); a year for
            the out-of-sample calibration fitted on the data through December of that year.
            The main calibration answers for its own last year too.
    """
    path = packaged_path(through)
    if not path.is_file():
        main = load_calibration() if through is not None else None
        if main is not None and int(main["data_through"][:4]) == int(through):
            return main
        return None
    return json.loads(path.read_text(encoding="utf-8"))


#: The packaged posterior of the event model's tension terms (``rift refit alliance --write``).
ALLIANCE_FILE = "alliance_calibration.json"
#: The alliance terms that describe 2025-01 only (drawn jointly for scenarios that start then).
ALLIANCE_START = "2025-01"


@cache
def alliance_posterior() -> Posterior | None:
    """The packaged ABC posterior of the tension terms and the 2025 hostilities, or None."""
    path = Path(str(resources.files("rift.data").joinpath(ALLIANCE_FILE)))
    if not path.is_file():
        return None
    return Posterior.from_dict(json.loads(path.read_text(encoding="utf-8"))["posterior"])


def calibration_years() -> list[int]:
    """The years through which a packaged calibration was fitted (the main one included)."""
    folder = Path(str(resources.files("rift.data")))
    years = {int(p.stem.rsplit("_", 1)[1]) for p in folder.glob("calibration_through_*.json")}
    main = load_calibration()
    if main is not None:
        years.add(int(main["data_through"][:4]))
    return sorted(years)


def calibration_id(record: dict[str, Any]) -> str:
    """What a scenario stores of the calibration it samples: ``<version> (data through ...)``."""
    return f"{record['version']} (data through {record['data_through']})"


def calibration_start(through: int | None = None) -> str | None:
    """First month of a calibration's scenario (where its ``init.*`` draws apply)."""
    record = load_calibration(through)
    return None if record is None else str(record["start"])


@cache
def posterior(through: int | None = None) -> Posterior | None:
    """A packaged posterior sample (the main one by default), or None."""
    record = load_calibration(through)
    return None if record is None else Posterior.from_dict(record["posterior"])


def calibration_spec() -> dict[str, Any]:
    """The calibration spec: scenario, data cut-off, parameters and their priors."""
    text = resources.files("rift.data").joinpath("calibration_spec.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def measurement_sd_share() -> float:
    """The stated uncertainty of a reference figure, as a share of its value."""
    return float(calibration_spec()["observation_sd_share"])


def calibration_error(through: int | None = None) -> float:
    """The final ABC tolerance of a packaged calibration, or 0 without one.

    The calibration's distance is the RMS over the figures of ``log((sim + 1) / (obs + 1))``,
    and its last tolerance the largest it accepted: about the relative error of a run on one
    figure (the model's error as the calibration accepted it).

    Args:
        through: The calibration's last data year (default: the packaged main calibration).
    """
    record = load_calibration(through)
    if record is None or not record["posterior"].get("epsilons"):
        return 0.0
    return float(record["posterior"]["epsilons"][-1])
