"""A Monte Carlo batch: seeds and samples made in the parent, runs on an executor.

The batch asks the executor for the runs not yet done, in chunks, and hands each finished run
to a sink (the results store, or a list in memory). A run that raises is recorded with its
index, seed and error, and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from rift.errors import InputError
from rift.model.rules import kernels
from rift.record import RunOutput
from rift.runner.design import Design, policy_design
from rift.runner.executors import Executor, SerialExecutor
from rift.runner.inputs import inputs_for
from rift.runner.present import Particles, load_particles
from rift.runner.sampling import Sampler
from rift.runner.worker import RunSpec, RunTask
from rift.scenario import Scenario
from rift.seeds import run_label, run_seed


@dataclass
class BatchPlan:
    """Everything the parent decides before any run starts.

    Attributes:
        scenario: The scenario.
        runs: The number of runs.
        sampler: Each run's sampled values.
        spec: What every run shares.
        present: The particles of the scenario's ``from:`` folder, or None.
        design: The design points, or None (an ordinary batch). With a design, run ``k`` is
            replicate ``k % replicates`` of point ``k // replicates``, and the sampler,
            the seeds and the particles are the scenario's batch of ``replicates`` runs.
    """

    scenario: Scenario
    runs: int
    sampler: Sampler
    spec: RunSpec
    present: Particles | None = None
    design: Design | None = None

    def task(self, index: int) -> RunTask:
        """The task of run ``index``: its seed, its sampled values, its particle if any.

        From the present, the task carries its particle's state and parameter values. The
        particle's values replace the sampled values of the same names (they are the values
        its state was filtered with); the scenario's own fixed values stay on top of both,
        since they are what the scenario sets. The run draws its future from its own seed,
        so runs from copies of one particle differ.

        In a design, replicate ``r`` of a point is run ``r`` of the scenario's batch (its
        seed, its sampled values, its particle) with the point's values on top of all of
        them: what differs between two points' replicate ``r`` is the design's columns.
        """
        return self.tasks([index])[0]

    def tasks(self, indices: Sequence[int]) -> list[RunTask]:
        """The tasks of the given runs (see :meth:`task`), their samples computed together."""
        if not indices:
            return []
        owns, points = list(indices), [None] * len(indices)
        if self.design is not None:
            points, owns = zip(*(self.design.point_of(i) for i in indices), strict=True)
        distinct = sorted(set(owns))
        rows = dict(zip(distinct, self.sampler.rows(distinct), strict=True))
        return [
            self._task(i, own, point, rows[own])
            for i, own, point in zip(indices, owns, points, strict=True)
        ]

    def _task(self, index: int, own: int, point: int | None, sampled: dict) -> RunTask:
        seed = run_seed(self.scenario.seed, own)
        setting = {} if point is None else self.design.values(point)
        if self.present is None:
            return RunTask(index, seed, {**sampled, **setting})
        k = self.present.of_run(own)
        fixed = self.scenario.parameters
        mine = {n: v for n, v in self.present.parameters[k].items() if n not in fixed}
        return RunTask(
            index, seed, {**sampled, **mine, **setting}, self.present.states[k], reseed=True
        )

    def seed_label(self, index: int) -> str:
        """The seed label of run ``index`` (in a design, its replicate's)."""
        own = index if self.design is None else self.design.point_of(index)[1]
        return run_label(self.scenario.seed, own)

    @property
    def parameter_names(self) -> list[str]:
        """The names of every run's per-run values (sampled, and the particles')."""
        names = set(self.sampler.parameter_names)
        if self.present is not None:
            fixed = self.scenario.parameters
            names |= {n for p in self.present.parameters for n in p if n not in fixed}
        if self.design is not None:
            names |= set(self.design.columns)
        return sorted(names)


def plan_batch(
    scenario: Scenario, runs: int | None = None, design: Design | None = None
) -> BatchPlan:
    """Seeds, samples and shared model arguments of a batch (and its present's particles).

    Args:
        scenario: The scenario.
        runs: Runs in the batch (default: the scenario's).
        design: Design points: the batch runs each point ``design.replicates`` times, with
            the seeds and samples of the scenario's first ``design.replicates`` runs. A
            scenario with ``policies`` is its own design (a point per policy, ``runs``
            replicates: :func:`~rift.runner.design.policy_design`).

    Raises:
        InputError: (key ``from``) The scenario's present folder is missing or damaged;
            (key ``RIFT_KERNELS``) the rules asked for are unknown or not installed.
    """
    kernels()  # in the parent, before any run: a bad RIFT_KERNELS is one message, not N
    present = None if scenario.from_ is None else load_particles(scenario.from_, scenario.source)
    spec = RunSpec(inputs_for(scenario))
    if scenario.policies and design is None:
        design = policy_design(scenario, runs)
    elif scenario.policies and not design.labels:
        raise InputError(
            "the scenario has policies, which it runs as its design",
            file=scenario.source,
            key="policies",
            expected="either policies in the scenario or --design/--grid/samples=, not both",
        )
    if design is not None:
        sampler = Sampler(scenario, design.replicates)
        return BatchPlan(scenario, design.runs, sampler, spec, present, design)
    n = scenario.runs if runs is None else runs
    return BatchPlan(scenario, n, Sampler(scenario, n), spec, present)


def chunked(indices: Sequence[int], size: int) -> Iterator[list[int]]:
    """Split run indices into chunks of at most ``size``."""
    for i in range(0, len(indices), size):
        yield [int(k) for k in indices[i : i + size]]


def chunk_size_for(n_runs: int, workers: int) -> int:
    """Chunks big enough to amortise dispatch, small enough to balance load (4 per worker)."""
    return int(max(1, min(50, np.ceil(n_runs / (4 * max(1, workers))))))


def guided_chunks(indices: Sequence[int], workers: int) -> Iterator[list[int]]:
    """Chunks that shrink as the batch nears its end (guided self-scheduling).

    Each chunk is :func:`chunk_size_for` the runs still to hand out, so the first chunks are
    as large as fixed chunks would be and the last ones hold a run or two: no worker is left
    with a long chunk while the others have nothing to do.
    """
    i, n = 0, len(indices)
    while i < n:
        size = chunk_size_for(n - i, workers)
        yield [int(k) for k in indices[i : i + size]]
        i += size


@dataclass
class BatchOutcome:
    """What a batch produced: outputs by run index, failures, timing."""

    outputs: dict[int, RunOutput] = field(default_factory=dict)
    done: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def failures(self) -> list[RunOutput]:
        """Runs that raised, by index."""
        return [o for _, o in sorted(self.outputs.items()) if o.error is not None]


def execute_batch(
    plan: BatchPlan,
    executor: Executor | None = None,
    indices: Iterable[int] | None = None,
    on_output: Callable[[RunOutput], None] | None = None,
    chunk_size: int | None = None,
    keep: bool = True,
) -> BatchOutcome:
    """Run the given run indices (default: all) and collect their outputs.

    Args:
        plan: The batch plan.
        executor: Where to run (default: serial in this process).
        indices: Run indices to run (default: all of the plan).
        on_output: Called with each output as it arrives (to store and report progress).
        chunk_size: Tasks per chunk (default: chunks of at most 50 that shrink toward the end
            of the batch, see :func:`guided_chunks`).
        keep: Keep every output in the returned outcome. A sink that stores outputs (the
            results store) passes False so that memory stays flat however long the batch.

    Returns:
        The outputs; on KeyboardInterrupt, what finished so far with ``interrupted`` set.
    """
    executor = executor or SerialExecutor()
    # A range is not materialised: no memory in proportion to the batch before it starts.
    todo: Sequence[int] = range(plan.runs) if indices is None else sorted(indices)
    groups = chunked(todo, chunk_size) if chunk_size else guided_chunks(todo, executor.workers)
    chunks = (plan.tasks(idx) for idx in groups)
    outcome = BatchOutcome()
    t0 = time.perf_counter()
    try:
        for outputs in executor.run(plan.spec, chunks):
            for out in outputs:
                if keep:
                    outcome.outputs[out.index] = out
                outcome.done += 1
                if on_output is not None:
                    on_output(out)
    except KeyboardInterrupt:
        outcome.interrupted = True
    outcome.seconds = time.perf_counter() - t0
    return outcome
