"""Calibration of the assumed coefficients to the 2019–2024 record by ABC-SMC.

Simulator: one run of the hindcast scenario (``hindcast_2019``) with the candidate parameters.
Summary statistics: the model's value of every reference target (``targets.py``) at its month,
one number per observed figure (coca area by year, presence and members by group, control).
Distance: the root mean square of ``log((simulated + 1) / (observed + 1))`` over the targets,
a scale-free relative error, so that hectares, persons and municipalities weigh alike and a
factor of two counts the same in any unit. ABC-SMC (``abc.py``) shrinks the tolerance
generation by generation; the accepted particles and their weights are the posterior.

The result is stored in the package (``data/calibration.json``) with its version, the date of
the last data it saw, the priors, and the weighted sample. Scenarios use it with
``uncertain: calibrated``: each run draws one particle by weight, so correlations between the
parameters are kept.
"""

from __future__ import annotations

import datetime as _dt
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib import resources
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from rift.atomic import atomic_write_json
from rift.calibration import packaged_path
from rift.months import format_month
from rift.record import RECORD
from rift.validation.abc import Prior, abc_smc
from rift.validation.targets import Target, targets
from rift.version import __version__


def calibration_spec() -> dict[str, Any]:
    """The calibration spec: scenario, data cut-off, parameters and their priors."""
    text = resources.files("rift.data").joinpath("calibration_spec.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def priors(spec: dict[str, Any] | None = None) -> list[Prior]:
    """The priors of the calibrated parameters (uniform on the spec's ranges)."""
    spec = spec or calibration_spec()
    return [Prior(name, *map(float, p["prior"])) for name, p in spec["parameters"].items()]


def log_distance(simulated: np.ndarray, observed: np.ndarray) -> float:
    """Root mean square of ``log((s + 1) / (o + 1))``: a relative error that ignores units."""
    s, o = np.asarray(simulated, float), np.asarray(observed, float)
    return float(np.sqrt(np.mean(np.log((np.maximum(s, 0) + 1.0) / (o + 1.0)) ** 2)))


@dataclass
class HindcastSimulator:
    """``simulate(theta, seed)`` for ABC: one hindcast run, its values at the target months."""

    model_kwargs: dict[str, Any]
    months: list[int]
    columns: list[int]

    def __call__(self, theta: dict[str, float], seed: np.random.SeedSequence) -> np.ndarray:
        """Run the hindcast with ``theta`` over the scenario's parameters; summary statistics."""
        from rift.model import AllianceModel

        kwargs = dict(self.model_kwargs)
        params = {**dict(kwargs.pop("parameters", None) or {}), **theta}
        model = AllianceModel(
            rng=seed, collect=False, calibrated=False, parameters=params, **kwargs
        )
        result = model.run()
        rows = np.searchsorted(result.months, self.months)
        return result.series[rows, self.columns]


def hindcast_simulator(scenario_name: str | None = None) -> tuple[HindcastSimulator, list[Target]]:
    """The simulator and the targets of the calibration scenario."""
    from rift.scenario import load_scenario, shipped_scenarios

    spec = calibration_spec()
    scenario = load_scenario(shipped_scenarios()[scenario_name or spec["scenario"]])
    cut = min(scenario.end, spec["data_through"])
    tg = targets(scenario.start, cut)
    kwargs = scenario.model_kwargs()
    # The scenario's own uncertain parameters are fixed at their medians while calibrating.
    from rift.distributions import to_scipy

    fixed = {n: float(to_scipy(d).median()) for n, d in scenario.uncertain.items()}
    kwargs["parameters"] = {**fixed, **kwargs["parameters"]}
    sim = HindcastSimulator(
        kwargs, [t.month for t in tg], [RECORD.outcome_names.index(t.outcome) for t in tg]
    )
    return sim, tg


def calibrate(
    *,
    population: int = 200,
    generations: int = 4,
    workers: int = 1,
    seed: int = 20241231,
    max_simulations: int | None = None,
) -> dict[str, Any]:
    """Run ABC-SMC and return the calibration record (see the module doc).

    Args:
        population: Particles per generation.
        generations: SMC generations after the prior one.
        workers: Processes that run simulations (1: in this process).
        seed: Seed of the calibration's own random stream.
        max_simulations: Cap per generation (default 100 × population).
    """
    spec = calibration_spec()
    sim, tg = hindcast_simulator()
    observed = np.array([t.observed for t in tg])
    pri = priors(spec)
    rng = np.random.default_rng(seed)
    kwargs = dict(
        population=population,
        generations=generations,
        rng=rng,
        max_simulations=max_simulations,
    )
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:

            def pmap(fn, args):
                return pool.map(fn, list(args), chunksize=max(1, population // (4 * workers)))

            post = abc_smc(sim, pri, observed, log_distance, map_fn=pmap, **kwargs)
    else:
        post = abc_smc(sim, pri, observed, log_distance, **kwargs)
    return {
        "version": _dt.date.today().isoformat(),
        "rift": __version__,
        "scenario": spec["scenario"],
        "start": sim.model_kwargs["start"],
        "data_through": spec["data_through"],
        "targets": [
            {"key": t.key, "date": t.date, "month": format_month(t.month), "observed": t.observed}
            for t in tg
        ],
        "priors": {p.name: [p.low, p.high] for p in pri},
        "distance": "rms of log((simulated + 1) / (observed + 1))",
        "settings": {"population": population, "generations": generations, "seed": seed},
        "posterior": post.to_dict(),
    }


def save(record: dict[str, Any], path: str | Path | None = None) -> Path:
    """Write a calibration record atomically (default: into the package)."""
    target = Path(path) if path else packaged_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(target, record)
    return target
