"""Calibration of the assumed coefficients to the 2019–2024 record by ABC-SMC.

Simulator: one run of the hindcast scenario (``hindcast_2019``) with the candidate parameters.
Summary statistics: the model's value of every reference target (``targets.py``) at its month,
one number per observed figure (coca area by year, presence and members by group, control).
Distance: the root mean square of ``log((simulated + 1) / (observed + 1))`` over the targets,
a scale-free relative error, so that hectares, persons and municipalities weigh alike and a
factor of two counts the same in any unit. ABC-SMC (``abc.py``) shrinks the tolerance
generation by generation; the accepted particles and their weights are the posterior.

The result is stored in the package (``data/calibration.json``) with its version, the date of
the last data it saw, the priors, and the weighted sample. ``through=YEAR`` fits on the targets
dated up to December of that year only and is stored apart
(``data/calibration_through_YEAR.json``): the out-of-sample calibrations that
``rift validate-history --calibrated-through YEAR`` scores on the later years.

Everything else the scenario samples (its ``uncertain`` block, the registry's declared spreads,
the model variants not calibrated) is drawn afresh in every simulation: the posterior is
marginal over them, as a batch of the scenario samples them. Scenarios use it with
``uncertain: calibrated``: each run draws one particle by weight, so correlations between the
parameters are kept.
"""

from __future__ import annotations

import datetime as _dt
import errno
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rift.atomic import atomic_write_json
from rift.calibration import calibration_spec, packaged_path
from rift.errors import InputError
from rift.months import format_month
from rift.record import RECORD
from rift.reference import Target, targets
from rift.validation.calibration.abc import Prior, abc_smc
from rift.validation.calibration.pool import simulation_map
from rift.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from rift.runner.inputs import RunInputs


def priors(spec: dict[str, Any] | None = None) -> list[Prior]:
    """The priors of the calibrated parameters (uniform on the spec's ranges)."""
    spec = spec or calibration_spec()
    return [Prior(name, *map(float, p["prior"])) for name, p in spec["parameters"].items()]


def log_distance(simulated: np.ndarray, observed: np.ndarray) -> float:
    """Root mean square of ``log((s + 1) / (o + 1))``: a relative error that ignores units."""
    s, o = np.asarray(simulated, float), np.asarray(observed, float)
    return float(np.sqrt(np.mean(np.log((np.maximum(s, 0) + 1.0) / (o + 1.0)) ** 2)))


#: Spawn key of the stream that draws a simulation's nuisance parameters from its seed.
NUISANCE_KEY = 2**32 - 3


@dataclass
class HindcastSimulator:
    """``simulate(theta, seed)`` for ABC: one hindcast run, its values at the target months.

    Every parameter the scenario samples besides the calibrated ones (its ``uncertain`` block
    and the registry's declared spreads) is drawn per simulation from its distribution, from
    a stream of the simulation's seed: the posterior integrates over them, as a batch of the
    scenario does, so the calibrated model and ``rift run`` sample the same parameters.
    Choices (the model variants) are calibrated as a uniform number mapped to the choice by
    the registry's weights (:meth:`rift.parameters.Parameter.choice_from_unit`).
    """

    inputs: RunInputs
    months: list[int]
    columns: list[int]
    nuisance: dict[str, Any] = field(default_factory=dict)
    _frozen: dict[str, Any] = field(default_factory=dict, repr=False)

    def parameters(self, theta: dict[str, float], seed: np.random.SeedSequence) -> dict:
        """The run's parameters: the scenario's, the nuisance draws and ``theta``."""
        return {**self.inputs.given_values(), **self._sampled(theta, seed)}

    def _sampled(self, theta: dict[str, float], seed: np.random.SeedSequence) -> dict:
        """The nuisance draws and ``theta`` (choices mapped from their uniforms)."""
        from rift.distributions import Choice, to_scipy
        from rift.parameters import registry
        from rift.runner.sampling import quantile_values

        reg = registry()
        names = sorted(self.nuisance)
        stream = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, NUISANCE_KEY))
        u = np.random.default_rng(stream).random(len(names))
        if not self._frozen:  # scipy's frozen distributions are slow to make: once
            for n, d in self.nuisance.items():
                self._frozen[n] = None if isinstance(d, Choice) else to_scipy(d)
        drawn = {}
        for name, uj in zip(names, u, strict=True):
            spec, dist = self.nuisance[name], self._frozen[name]
            value = quantile_values(name, spec, np.array([uj]), dist)[0]
            drawn[name] = value.item() if isinstance(value, np.generic) else value
        chosen = {
            n: reg[n].choice_from_unit(v) if reg[n].kind == "choice" else v
            for n, v in theta.items()
        }
        return {**drawn, **chosen}

    def __call__(self, theta: dict[str, float], seed: np.random.SeedSequence) -> np.ndarray:
        """Run the hindcast with ``theta`` over the scenario's parameters; summary statistics."""
        from rift.runner.inputs import build_model

        result = build_model(self.inputs.with_sampled(self._sampled(theta, seed)), seed).run()
        rows = np.searchsorted(result.months, self.months)
        return result.series[rows, self.columns]


def data_through(through: int | None = None, spec: dict[str, Any] | None = None) -> str:
    """The last month of data a calibration sees: December of ``through``, or the spec's."""
    spec = spec or calibration_spec()
    if through is None:
        return str(spec["data_through"])
    last = f"{int(through)}-12"
    if last > str(spec["data_through"]):
        raise ValueError(f"the data horizon is {spec['data_through']}; got --through {through}")
    return last


def hindcast_simulator(
    scenario_name: str | None = None, through: int | None = None
) -> tuple[HindcastSimulator, list[Target]]:
    """The simulator and the targets of the calibration scenario (data through ``through``)."""
    from rift.runner.inputs import inputs_for
    from rift.runner.sampling import declared_spreads
    from rift.scenario import SamplingSpec, load_scenario, shipped_scenarios

    spec = calibration_spec()
    scenario = load_scenario(shipped_scenarios()[scenario_name or spec["scenario"]])
    cut = min(scenario.end, data_through(through, spec))
    tg = targets(scenario.start, cut)
    prior_only = scenario.model_copy(
        update={"sampling": SamplingSpec(calibrated=False), "calibration": None}
    )
    nuisance = {**dict(scenario.uncertain), **declared_spreads(prior_only)}
    for name in spec["parameters"]:
        nuisance.pop(name, None)
    sim = HindcastSimulator(
        inputs_for(scenario),
        [t.month for t in tg],
        [RECORD.outcome_names.index(t.outcome) for t in tg],
        nuisance,
    )
    return sim, tg


def calibrate(
    *,
    population: int = 200,
    generations: int = 4,
    workers: int = 1,
    seed: int = 20241231,
    max_simulations: int | None = None,
    through: int | None = None,
) -> dict[str, Any]:
    """Run ABC-SMC and return the calibration record (see the module doc).

    Args:
        population: Particles per generation.
        generations: SMC generations after the prior one.
        workers: Processes that run simulations (1: in this process).
        seed: Seed of the calibration's own random stream.
        max_simulations: Cap per generation (default 100 × population).
        through: Fit on the data through December of this year only (an out-of-sample
            calibration); None for all the data (the spec's ``data_through``).
    """
    spec = calibration_spec()
    sim, tg = hindcast_simulator(through=through)
    if not tg:
        raise ValueError(f"no reference figure falls in the calibration window to {through}")
    observed = np.array([t.observed for t in tg])
    pri = priors(spec)
    rng = np.random.default_rng(seed)
    kwargs = dict(
        population=population,
        generations=generations,
        rng=rng,
        max_simulations=max_simulations,
    )
    with simulation_map(workers, population) as map_fn:
        post = abc_smc(sim, pri, observed, log_distance, map_fn=map_fn, **kwargs)
    return {
        "version": _dt.date.today().isoformat(),
        "rift": __version__,
        "scenario": spec["scenario"],
        "start": format_month(sim.inputs.start),
        "data_through": data_through(through, spec),
        "targets": [
            {"key": t.key, "date": t.date, "month": format_month(t.month), "observed": t.observed}
            for t in tg
        ],
        "priors": {p.name: [p.low, p.high] for p in pri},
        "nuisance": sorted(sim.nuisance),
        "distance": "rms of log((simulated + 1) / (observed + 1))",
        "settings": {"population": population, "generations": generations, "seed": seed},
        "posterior": post.to_dict(),
    }


def output_path(path: str | Path | None, through: int | None = None) -> Path:
    """Where :func:`save` will write, checked before any work (an :class:`InputError` if not).

    An explicit ``path`` (``rift calibrate --out``) must not exist yet (a calibration is
    never overwritten without a word) and its folder must be writable; the default, the
    package's calibration for ``through``, is replaced by design but must be writable too.
    Writability is probed with a temporary file in the nearest existing folder.
    """
    main = through is None or through == int(str(calibration_spec()["data_through"])[:4])
    target = Path(path) if path else packaged_path(None if main else through)
    flag = "--out" if path else None
    try:
        exists = os.path.lexists(target)
        if path and exists:
            kind = "folder" if target.is_dir() else "file"
            raise InputError(
                f"the {kind} already exists",
                file=str(target),
                key=flag,
                expected="a new file name (a calibration is never overwritten; remove it first)",
            )
        folder = target.parent
        while not folder.exists():
            folder = folder.parent
        if not folder.is_dir():
            raise InputError(
                f"{folder} is not a folder", file=str(target), key=flag, expected="a file path"
            )
        _check_name_lengths(target, folder)
        fd, probe = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)  # as save() will
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            f"cannot write here ({exc.strerror or exc})",
            file=str(target)[:200],
            key=flag,
            expected="a writable place for the calibration",
        ) from None
    return target


def _check_name_lengths(target: Path, folder: Path) -> None:
    """Every folder still to be made, and the file, within the system's name limits."""
    try:
        name_max = os.pathconf(folder, "PC_NAME_MAX")
        path_max = os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):  # pragma: no cover - a system without pathconf
        name_max, path_max = 255, 4096
    missing = target.relative_to(folder).parts if target.is_relative_to(folder) else ()
    # save() writes ".NAME.XXXXXXXX" next to the file first, then renames it
    too_long = [p for p in missing if len(os.fsencode(p)) + 10 > name_max]
    if too_long or len(os.fsencode(str(target.absolute()))) + 10 >= path_max:
        raise OSError(errno.ENAMETOOLONG, "the path is longer than the system allows")


def save(record: dict[str, Any], path: str | Path | None = None) -> Path:
    """Write a calibration record atomically (default: into the package, by its data horizon).

    A record fitted on all the data is the main calibration (``calibration.json``); one fitted
    on less is ``calibration_through_YEAR.json``. An explicit ``path`` that exists is refused
    (:func:`output_path`).
    """
    year = int(record["data_through"][:4])
    main = year == int(str(calibration_spec()["data_through"])[:4])
    target = Path(path) if path else packaged_path(None if main else year)
    if path:
        output_path(target, year)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_json(target, record)
    return target
