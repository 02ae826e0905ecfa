"""The executor interface every way of running a batch implements (serial, process, Dask)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

from rift.record import RunOutput
from rift.runner.worker import RunSpec, RunTask

EXECUTORS = ("serial", "process", "dask")


class ExecutorLostError(RuntimeError):
    """The executor itself failed (a lost scheduler, workers that keep dying), not a run.

    Its message is one line for the user; the batch stops and keeps what finished.
    """


class Executor:
    """Runs chunks of tasks; yields each chunk's outputs when it is done."""

    name = "base"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or default_workers())

    def run(self, spec: RunSpec, chunks: Iterable[Sequence[RunTask]]) -> Iterator[list[RunOutput]]:
        """Yield the outputs of each chunk as it completes (order may differ from input)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release workers."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_workers() -> int:
    """Number of CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
