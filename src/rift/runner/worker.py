"""What a worker does: run the model for a chunk of tasks and return small arrays.

Everything here is picklable and importable at top level so that every executor (serial,
process pool, Dask) runs the same function on the same inputs: same seed, same bits.
"""

from __future__ import annotations

import functools
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from rift.model.state import ModelState
from rift.record import RECORD, RunOutput, RunResult
from rift.runner.inputs import RunInputs, build_model


@dataclass(frozen=True)
class RunSpec:
    """What all runs of a batch share: their inputs before each run's sampled values."""

    inputs: RunInputs


@dataclass(frozen=True)
class RunTask:
    """One run: its index in the batch, its seed and its sampled parameter values.

    Attributes:
        index: The run's index in the batch.
        seed: The run's seed sequence.
        sampled: Sampled parameter values by dotted name.
        state: A :class:`~rift.model.state.ModelState`, or the path of a saved one, to
            continue from (None: the run starts from its initial state).
        reseed: With a state: draw the run's future from ``seed`` (a new future from the
            same state) instead of continuing the state's random streams (a restart).
    """

    index: int
    seed: np.random.SeedSequence
    sampled: Mapping[str, Any] = field(default_factory=dict)
    state: ModelState | str | Path | None = None
    reseed: bool = False


def from_month(result: RunResult, first: int) -> RunResult:
    """``result`` with the months before ``first`` dropped.

    An event whose first month is before ``first`` happened in the state's history (the
    present), not in the batch's horizon: it is dropped too, as the store holds only the
    horizon's months (the present folder holds the history). The totals "since start"
    (:data:`SINCE_START`) count from ``first``, the batch's start: the state's history (from
    2019) is not the batch's.
    """
    months = np.asarray(result.months)
    keep = months >= first
    events = {e: (m if m is None or m >= first else None) for e, m in result.events.items()}
    series = result.series[keep]
    before = np.flatnonzero(months < first)
    if len(before):
        series = series.copy()
        for name in SINCE_START:
            j = result.names.index(name)
            series[:, j] -= result.series[before[-1], j]
    return replace(result, months=result.months[keep], series=series, events=events)


#: Outcomes that are totals since the run's start (a batch from the present counts from its own).
SINCE_START = tuple(o.name for o in RECORD.outcomes if o.name.endswith("_cum"))


def _task_state(task: RunTask) -> ModelState | None:
    if task.state is None or isinstance(task.state, ModelState):
        return task.state
    path = Path(task.state)
    try:
        stat = path.stat()
    except OSError:
        return ModelState.load(path)  # its message names the missing file
    return _loaded_state(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _loaded_state(path: str, mtime_ns: int, size: int) -> ModelState:
    """A state file read once per process (a batch from the present reuses ~100 particles).

    Keyed on the file's modification time and size too, so a remade file is read again. The
    model copies the state it starts from (:class:`rift.model.model.AllianceModel`), so the
    cached one is never changed by a run.
    """
    del mtime_ns, size  # part of the key only
    return ModelState.load(path)


def run_task(spec: RunSpec, task: RunTask) -> RunResult:
    """The result of one task (exceptions propagate: :func:`execute` catches them).

    The Python API's single run calls this too, so that a run from the present is set up
    there exactly as in a batch.
    """
    inputs = spec.inputs.with_sampled(task.sampled)
    first = None
    if task.state is not None:
        state = _task_state(task)
        inputs = inputs.with_state(state)
        if task.reseed and state is not None and inputs.start == state.month + 1:
            # a run from the present: the model continues the state's own horizon (its
            # history is the state's), and the batch keeps the months from its start
            first, inputs = inputs.start, replace(inputs, start=state.start)
    rng = task.seed if inputs.state is None or task.reseed else None
    model = build_model(inputs, rng)
    if first is not None:
        # "the first decertification", "the first start of a cut": in the batch's horizon, not
        # in the particle's history (where the September 2025 decertification already is)
        model.recorder.forget_events()
    result = model.run()
    return result if first is None else from_month(result, first)


def execute(spec: RunSpec, task: RunTask) -> RunOutput:
    """Run one task; an exception is caught and returned as text with the run's index."""
    t0 = time.perf_counter()
    try:  # a bad sampled value or state is this run's error, not the batch's
        result = run_task(spec, task)
        error = None
    except Exception as exc:
        result = None
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
        error = f"{type(exc).__name__}: {exc}{where}"
    return RunOutput(task.index, result, error, time.perf_counter() - t0, dict(task.sampled))


def run_chunk(spec: RunSpec, tasks: Sequence[RunTask]) -> list[RunOutput]:
    """Run a chunk of tasks in order."""
    return [execute(spec, t) for t in tasks]
