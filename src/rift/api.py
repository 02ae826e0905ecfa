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
from typing import Any

import numpy as np
import pandas as pd

from rift.errors import InputError
from rift.months import format_month
from rift.record import RECORD, RunResult
from rift.results import Results, load
from rift.scenario import Scenario, load_scenario, scenario_from_dict
from rift.scenario.loading import with_changes
from rift.seeds import run_label

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
