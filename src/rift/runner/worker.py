"""What a worker does: run the model for a chunk of tasks and return small arrays.

Everything here is picklable and importable at top level so that every executor (serial,
process pool, Dask) runs the same function on the same inputs: same seed, same bits.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rift.model.model import AllianceModel
from rift.record import RunOutput


@dataclass(frozen=True)
class RunSpec:
    """What all runs of a batch share: the model's keyword arguments."""

    model_kwargs: Mapping[str, Any]


@dataclass(frozen=True)
class RunTask:
    """One run: its index in the batch, its seed and its sampled parameter values."""

    index: int
    seed: np.random.SeedSequence
    sampled: Mapping[str, Any] = field(default_factory=dict)


def execute(spec: RunSpec, task: RunTask) -> RunOutput:
    """Run one task; an exception is caught and returned as text with the run's index."""
    t0 = time.perf_counter()
    kwargs = dict(spec.model_kwargs)
    params = {**dict(kwargs.pop("parameters", None) or {}), **dict(task.sampled)}
    try:
        model = AllianceModel(
            rng=task.seed, collect=False, calibrated=False, parameters=params, **kwargs
        )
        result = model.run()
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
