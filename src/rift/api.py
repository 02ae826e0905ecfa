"""The documented Python entry points: :func:`simulate` one run, :func:`run_batch` a batch.

Both take a scenario as a shipped name (``"full_rupture"``), a path to a YAML file, a mapping
with the keys of a scenario file, or a loaded :class:`~rift.scenario.Scenario`; ``None`` is the
shipped ``baseline``. Run ``k`` of :func:`simulate` is run ``k`` of the batch ``rift run``
makes of the same scenario and seed: the same seed, the same sampled parameters, the same
bits.

>>> import rift
>>> run = rift.simulate("baseline", seed=1)
>>> run.series["control_any"].tail(1)  # doctest: +SKIP
>>> results = rift.run_batch("full_rupture", runs=50, executor="serial")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rift.errors import InputError
from rift.months import format_month
from rift.record import RECORD, RunResult
from rift.results import Results, load
from rift.scenario import Scenario, load_scenario, scenario_from_dict
from rift.scenario.loading import with_changes
from rift.seeds import run_label

if TYPE_CHECKING:
    from rift.analysis.sensitivity import Sensitivity
    from rift.experiment import Stored

ScenarioLike = Scenario | str | Path | Mapping[str, Any] | None


def as_scenario(
    scenario: ScenarioLike,
    *,
    runs: int | None = None,
    seed: int | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> Scenario:
    """A scenario from any of the forms the API takes, with a few keys changed.

    Args:
        scenario: A shipped name, a YAML path, a mapping, a Scenario, or None (``baseline``).
        runs: Replace the number of runs.
        seed: Replace the root seed.
        parameters: Fix parameters (a fixed value replaces an uncertain one, as ``--set``).

    Raises:
        InputError: The changed scenario does not validate.
    """
    if isinstance(scenario, Scenario):
        base = scenario
    elif scenario is None:
        base = load_scenario("baseline")
    elif isinstance(scenario, Mapping):
        base = scenario_from_dict(scenario)
    else:
        base = load_scenario(scenario)
    return with_changes(
        base, runs=runs, seed=seed, parameters=dict(parameters) if parameters else None
    )


def _periods(months: np.ndarray) -> pd.PeriodIndex:
    return pd.PeriodIndex([format_month(int(m)) for m in months], freq="M", name="month")


@dataclass(repr=False)
class Run:
    """One simulated run.

    Attributes:
        scenario: The scenario it belongs to.
        index: Its run index in the scenario's batch.
        seed: Its seed label (``root/k``).
        parameters: The values it sampled (fixed ones are in ``scenario.parameters``).
        result: The raw record (arrays).
    """

    scenario: Scenario
    index: int
    seed: str
    parameters: dict[str, Any]
    result: RunResult

    @property
    def series(self) -> pd.DataFrame:
        """Monthly outcomes, indexed by month (``pandas.Period``); categories as labels."""
        r = self.result
        frame = pd.DataFrame(r.series, columns=list(r.names), index=_periods(r.months))
        for name in r.names:
            o = RECORD.outcome(name)
            if o.kind == "category":
                codes = frame[name].to_numpy().astype(int)
                frame[name] = pd.Categorical.from_codes(codes, categories=list(o.labels))
        return frame

    @property
    def events(self) -> dict[str, pd.Period | None]:
        """The first month of each event (``pandas.Period``), or None."""
        return {
            k: None if m is None else pd.Period(format_month(m), freq="M")
            for k, m in self.result.events.items()
        }

    @property
    def values(self) -> dict[str, Any]:
        """Per-run values (vote shares, winner, ...)."""
        return dict(self.result.values)

    @property
    def controller(self) -> np.ndarray:
        """The group controlling each municipality at the horizon (-1: none)."""
        return self.result.controller

    def __repr__(self) -> str:
        months = self.result.months
        span = f"{format_month(int(months[0]))}..{format_month(int(months[-1]))}"
        return (
            f"<Run {self.index} of {self.scenario.name!r}: seed {self.seed}, {span}, "
            f"{len(self.result.names)} outcomes>"
        )


def simulate(
    scenario: ScenarioLike = None,
    *,
    seed: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    run: int = 0,
) -> Run:
    """Simulate one run of a scenario.

    Args:
        scenario: A shipped name, a YAML path, a mapping, a Scenario, or None (``baseline``).
        seed: The root seed (default: the scenario's).
        parameters: Parameter values to fix on top of the scenario's (by dotted name).
        run: Which run of the scenario's batch (its seed and sampled parameters).

    Returns:
        The run, with its monthly series as a DataFrame indexed by month.

    Raises:
        InputError: Bad scenario, parameters or run index.
    """
    from rift.runner.batch import plan_batch
    from rift.runner.inputs import build_model
    from rift.runner.worker import run_task

    sc = as_scenario(scenario, seed=seed, parameters=parameters)
    if not 0 <= run < sc.runs:
        raise InputError(
            f"run {run} is not in the batch", key="run", expected=f"0 to {sc.runs - 1}"
        )
    plan = plan_batch(sc)
    task = plan.task(run)
    if task.state is not None:  # from the present: as the batch's worker runs it
        result = run_task(plan.spec, task)
    else:
        result = build_model(plan.spec.inputs.with_sampled(task.sampled), task.seed).run()
    return Run(sc, run, run_label(sc.seed, run), dict(task.sampled), result)


def run_batch(
    scenario: ScenarioLike = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
    executor: str = "process",
    workers: int | None = None,
    out: str | Path | None = None,
    quiet: bool = True,
    samples: pd.DataFrame | None = None,
    replicates: int | None = None,
) -> Results:
    """Run a scenario as a Monte Carlo batch, store it, and read it back.

    With ``samples`` (a design: a column per parameter or instrument, a row per point), each
    point is run ``replicates`` times with common random numbers: replicate ``r`` of every
    point has run ``r``'s seed, sampled values and particle, so two points differ only in
    the design's columns and their difference is measured replicate by replicate. The runs
    table gets ``point`` and ``replicate`` columns and the design's values as ``param.*``.

    Args:
        scenario: A shipped name, a YAML path, a mapping, a Scenario, or None (``baseline``).
        runs: Runs in the batch (default: the scenario's; not with ``samples``).
        seed: The root seed (default: the scenario's).
        executor: ``process`` (a pool kept warm for the next batch of this Python process),
            ``serial`` or ``dask``.
        workers: Worker processes (default: all CPUs).
        out: The result folder (default ``outputs/<scenario>/<run-id>``).
        quiet: No progress bar.
        samples: Design points (see above); values are checked by the registry.
        replicates: Runs per design point (default 1; only with ``samples``).

    Returns:
        The stored results (see :class:`~rift.results.Results`).

    Raises:
        InputError: A design column the registry does not know, a value outside its range,
            ``runs`` with ``samples``, ``replicates`` without them.
    """
    from rift.experiment import run_scenario
    from rift.runner.design import design_from_frame

    design = None
    if samples is not None:
        if runs is not None:
            raise InputError(
                "runs= and samples= together",
                key="runs",
                expected="replicates=R with samples= (each point is run R times)",
            )
        design = design_from_frame(samples, 1 if replicates is None else replicates)
        runs = design.replicates
    elif replicates is not None:
        raise InputError(
            "replicates= without samples=",
            key="replicates",
            expected="samples=DataFrame (a design), or runs=N for an ordinary batch",
        )
    sc = as_scenario(scenario, runs=runs, seed=seed)
    stored = run_scenario(
        sc,
        executor=executor,
        workers=workers,
        out=out,
        quiet=quiet,
        warm=True,
        design=design,
    )
    return load(stored.path)


def sensitivity_batch(
    scenario: ScenarioLike = None,
    *,
    method: str = "sobol",
    samples: int = 64,
    replicates: int = 2,
    parameters: tuple[str, ...] | list[str] = (),
    groups: bool = False,
    seed: int | None = None,
    executor: str = "process",
    workers: int | None = None,
    address: str | None = None,
    dask_timeout: float = 10.0,
    out: str | Path | None = None,
    quiet: bool = True,
    command: str | None = None,
) -> Stored:
    """Run SALib's design over a scenario's sampled inputs as a stored, resumable batch.

    Each design point is run ``replicates`` times with the replicates' seeds (common random
    numbers, :mod:`rift.runner.design`); the manifest keeps the design and what SALib was asked
    (key ``sensitivity``), so :func:`analyse_sensitivity` reads any outcome of it afterwards and
    ``rift sensitivity --resume DIR`` finishes an interrupted one.

    Args:
        scenario: A shipped name, a YAML path, a mapping, a Scenario, or None (``baseline``).
        method: ``sobol`` (first-order and total indices), ``morris`` or ``delta``.
        samples: SALib's ``N``: Sobol' runs ``N (k + 2)`` points for ``k`` inputs (``N`` a
            power of 2), Morris ``N`` trajectories of ``k + 1`` points, delta ``N`` points.
        replicates: Runs per point (at least 2 to measure the seed's share).
        parameters: Only these inputs (names, or prefixes ending in ``.``); default: every
            input the scenario samples by a distribution of its own.
        groups: Move the inputs in groups, by the first part of their names (Sobol', Morris).
        seed: The root seed (default: the scenario's); it seeds SALib's sample too.
        executor: ``process``, ``serial`` or ``dask``.
        workers: Worker processes (default: all CPUs).
        address: A Dask scheduler address (``executor="dask"``).
        dask_timeout: Seconds to wait for the scheduler at ``address``.
        out: The result folder (default ``outputs/<scenario>/<run-id>``).
        quiet: No progress bar.
        command: The command line, for the manifest.

    Returns:
        Where the batch is stored and whether it is complete (:class:`rift.experiment.Stored`).

    Raises:
        InputError: A bad method, sample size, input name, or too many runs.
    """
    from rift.experiment import run_scenario
    from rift.runner.sensitivity import plan_sensitivity

    sc = as_scenario(scenario, seed=seed)
    plan = plan_sensitivity(sc, method, samples, parameters=tuple(parameters), groups=groups)
    design = plan.design(sc, replicates)
    _check_manifest_room(design, plan)
    return run_scenario(
        sc,
        executor=executor,
        workers=workers,
        address=address,
        dask_timeout=dask_timeout,
        out=out,
        quiet=quiet,
        command=command,
        design=design,
        extra={"sensitivity": plan.record()},
    )


def _check_manifest_room(design: Any, plan: Any) -> None:
    """Refuse a design whose points would not fit in a readable manifest (before it runs).

    Raises:
        InputError: (key ``--samples``) The design's record is more than half the limit.
    """
    import json

    from rift.results.layout import MANIFEST_LIMIT

    size = len(json.dumps({"design": design.record(), "sensitivity": plan.record()}))
    if size > MANIFEST_LIMIT // 2:
        raise InputError(
            f"{len(design.points):,} points of {len(design.columns)} inputs need "
            f"{size / 2**20:.0f} MB of manifest (a batch's manifest is read up to "
            f"{MANIFEST_LIMIT >> 20} MB)",
            key="--samples",
            expected="fewer samples, --groups, or --parameters for fewer inputs",
        )


def analyse_sensitivity(
    results: Results, outcome: str, month: str | None = None, resamples: int = 100
) -> Sensitivity:
    """The sensitivity indices of one outcome of a stored sensitivity batch.

    SALib's sample is drawn again from the manifest's record and checked against the stored
    design (a batch whose design it does not reproduce is refused).

    Args:
        results: A complete batch of :func:`sensitivity_batch` (``rift sensitivity``).
        outcome: A monthly outcome (at ``month``), an event (0/1 by ``month``) or a per-run
            value (:func:`rift.analysis.sensitivity.outcome_values`).
        month: ``YYYY-MM`` (default: the batch's horizon).
        resamples: Bootstrap resamples of the intervals.

    Returns:
        The indices, their intervals and the seed's share
        (:class:`rift.analysis.sensitivity.Sensitivity`).

    Raises:
        InputError: Not a sensitivity batch, a bad outcome or month, a design SALib's sample
            does not reproduce.
    """
    from rift.analysis.sensitivity import analyse
    from rift.experiment import load_scenario_from_manifest, stored_design
    from rift.runner.sensitivity import SensitivityDesign

    m = results.manifest
    where = str(results.path)
    if "sensitivity" not in m:
        raise InputError(
            "not a sensitivity batch",
            file=where,
            key="sensitivity",
            expected="a result folder `rift sensitivity` wrote",
        )
    plan = SensitivityDesign.from_record(m["sensitivity"], where)
    stored = stored_design(m)
    scenario = load_scenario_from_manifest(m)
    if stored is None or plan.design(scenario, stored.replicates).points != stored.points:
        raise InputError(
            "SALib's sample, drawn again, is not the stored design (another SALib version?)",
            file=where,
            key="design",
            expected="the design of the record, drawn with the SALib it was made with",
        )
    unit = plan.unit_sample()
    return analyse(
        results, unit, plan.problem(), plan.method, outcome, month,
        levels=plan.levels, resamples=resamples,
    )  # fmt: skip


def write_sensitivity(
    result: Sensitivity, folder: str | Path, formats: tuple[str, ...] = ("png",)
) -> list[Path]:
    """Write an analysis's table (Parquet and CSV) and figure into a batch's folder.

    Files: ``sensitivity_<outcome>_<month>.parquet`` and ``.csv``, and
    ``figures/sensitivity_<outcome>_<month>.<format>``; an earlier analysis of the same
    outcome and month is replaced.

    Args:
        result: The analysis (:func:`analyse_sensitivity`).
        folder: The batch's folder.
        formats: Figure formats (``png``, ``svg``).

    Returns:
        The files written: the Parquet table, the CSV table, the figures.
    """
    from rift.atomic import atomic_write_text, atomic_write_with
    from rift.plots.sensitivity import sensitivity_chart
    from rift.plots.style import save_figure

    base = Path(folder)
    stem = f"sensitivity_{result.outcome}_{result.month}"
    table = result.table()
    parquet, text = base / f"{stem}.parquet", base / f"{stem}.csv"
    atomic_write_with(parquet, lambda tmp: table.to_parquet(tmp, index=False))
    atomic_write_text(text, table.to_csv(index=False))
    figures = save_figure(sensitivity_chart(result), base / "figures" / stem, formats)
    return [parquet, text, *figures]
