"""Executors: serial, a process pool, or a Dask cluster, behind one small interface.

Each executor takes chunks of tasks and yields each chunk's outputs as it completes. Workers
return small arrays, never model objects. ``import mesa`` switches multiprocessing to the spawn
start method; the process pool is given its own explicit spawn context so it never depends on
what the global default happens to be.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from rift.errors import InputError
from rift.runner.worker import RunOutput, RunSpec, RunTask, run_chunk

EXECUTORS = ("serial", "process", "dask")


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


class SerialExecutor(Executor):
    """Runs every chunk in this process, in order."""

    name = "serial"

    def __init__(self, workers: int | None = None) -> None:
        super().__init__(1)

    def run(self, spec: RunSpec, chunks: Iterable[Sequence[RunTask]]) -> Iterator[list[RunOutput]]:
        """Run chunks one after the other."""
        for chunk in chunks:
            yield run_chunk(spec, chunk)


def _worker_init() -> None:
    """Set up a worker: ignore Ctrl-C and die with the parent.

    Ctrl-C goes to the whole process group; the parent decides, keeps what finished and
    stops the pool. If the parent is killed outright (SIGKILL, OOM killer) the workers
    would wait forever on their task queue, so a watcher thread exits when it goes.
    """
    import multiprocessing
    import os
    import signal
    import threading
    from multiprocessing.connection import wait

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def _watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=_watch, name="rift-parent-watch", daemon=True).start()


class ProcessExecutor(Executor):
    """A ``ProcessPoolExecutor`` with an explicit spawn context and bounded in-flight chunks."""

    name = "process"

    def __init__(
        self, workers: int | None = None, in_flight: int = 2, release_when_done: bool = False
    ) -> None:
        super().__init__(workers)
        self.release_when_done = release_when_done
        self._pool: ProcessPoolExecutor | None = self._new_pool()
        self.max_in_flight = in_flight * self.workers

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
        )

    def run(self, spec: RunSpec, chunks: Iterable[Sequence[RunTask]]) -> Iterator[list[RunOutput]]:
        """Submit chunks, never more than ``in_flight`` per worker at a time.

        With ``release_when_done`` the workers are shut down as soon as the last chunk's
        outputs are in, before the caller consumes them (the results store then builds its
        tables without the workers' memory); a later batch starts a new pool.
        """
        if self._pool is None:
            self._pool = self._new_pool()
        pool = self._pool
        pending: set[Future] = set()
        it = iter(chunks)
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < self.max_in_flight:
                    try:
                        chunk = next(it)
                    except StopIteration:
                        exhausted = True
                        break
                    pending.add(pool.submit(run_chunk, spec, list(chunk)))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                results = [fut.result() for fut in done]
                if exhausted and not pending and self.release_when_done:
                    self._release()
                yield from results
        finally:
            for fut in pending:
                fut.cancel()

    def _release(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        """Shut the pool down, cancelling chunks not started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


#: A Dask scheduler address: ``scheme://host:port``.
ADDRESS_PATTERN = re.compile(r"^(tcp|tls|ucx|ws|wss)://[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")


def check_executor_options(name: str, workers: int | None, address: str | None) -> None:
    """Refuse executor options that do not fit together (before anything is written)."""
    if name not in EXECUTORS:
        raise InputError(
            f"unknown executor {name!r}", key="--executor", expected=" | ".join(EXECUTORS)
        )
    if workers is not None and workers < 1:
        raise InputError(f"got {workers}", key="--workers", expected="a whole number of at least 1")
    if address is not None and name != "dask":
        raise InputError(
            f"--address is for the Dask executor, not '{name}'",
            key="--address",
            expected="--executor dask --address tcp://host:port (or no --address)",
        )
    if address is not None and not ADDRESS_PATTERN.match(address):
        raise InputError(
            f"got {address!r}",
            key="--address",
            expected="a scheduler address such as tcp://127.0.0.1:8786",
        )


def make_executor(
    name: str,
    workers: int | None = None,
    address: str | None = None,
    timeout: float = 10.0,
) -> Executor:
    """An executor by name: ``serial``, ``process`` or ``dask``.

    Args:
        name: The executor.
        workers: Worker processes (default: all CPUs; ignored by ``serial``).
        address: A Dask scheduler address (only with ``dask``).
        timeout: Seconds to wait for the Dask scheduler at ``address``.

    Raises:
        InputError: An address without ``dask``, a malformed address, a worker count below 1.
    """
    check_executor_options(name, workers, address)
    if name == "serial":
        return SerialExecutor()
    if name == "process":
        # A command runs one batch: its workers go as soon as the runs are done, so that the
        # results store builds its tables without them in memory.
        return ProcessExecutor(workers, release_when_done=True)
    from rift.runner.dask_executor import DaskExecutor

    return DaskExecutor(workers, address, timeout=timeout)
