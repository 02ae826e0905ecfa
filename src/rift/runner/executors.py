"""Executors: serial, a process pool, or a Dask cluster, behind one small interface.

Each executor takes chunks of tasks and yields each chunk's outputs as it completes. Workers
return small arrays, never model objects. ``import mesa`` switches multiprocessing to the spawn
start method; the process pool is given its own explicit spawn context so it never depends on
what the global default happens to be. A spawned worker imports the script that started it
again, so a script must start batches under ``if __name__ == "__main__":``; the process
executor checks that before it starts (:func:`main_guard_problem`) and says what to add.
"""

from __future__ import annotations

import atexit
import multiprocessing
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from rift.errors import InputError
from rift.processes import worker_init as _worker_init
from rift.record import RunOutput
from rift.runner.base import EXECUTORS, Executor, ExecutorLostError, default_workers
from rift.runner.worker import RunSpec, RunTask, run_chunk


class SerialExecutor(Executor):
    """Runs every chunk in this process, in order."""

    name = "serial"

    def __init__(self, workers: int | None = None) -> None:
        super().__init__(1)

    def run(self, spec: RunSpec, chunks: Iterable[Sequence[RunTask]]) -> Iterator[list[RunOutput]]:
        """Run chunks one after the other."""
        for chunk in chunks:
            yield run_chunk(spec, chunk)


class MainGuardError(RuntimeError):
    """A script started a process batch without ``if __name__ == "__main__":``."""


_GUARD_TEST = 'if __name__ == "__main__":'


def main_guard_problem() -> str | None:
    """Why starting worker processes now would fail, or None.

    A spawned worker imports the main script again (as ``__mp_main__``), so a batch started
    by the script's top-level code, outside ``if __name__ == "__main__":``, would start again
    in every worker: Python stops that with a RuntimeError in the worker and the pool breaks.
    This looks at the call stack for the main module's top level and checks, in the script's
    syntax tree, that the line being run lies inside such a guard.
    """
    import ast
    import inspect

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or not str(path).endswith(".py"):
        return None  # an interactive session, a notebook, `python -c`: nothing re-imported
    spec_name = getattr(getattr(main, "__spec__", None), "name", None) or ""
    if spec_name == "__main__" or spec_name.endswith(".__main__"):
        return None  # `python -m package`: spawn never re-runs a package's __main__.py
    frame = inspect.currentframe()
    line = None
    while frame is not None:
        if frame.f_code.co_name == "<module>" and frame.f_globals is vars(main):
            line = frame.f_lineno
            break
        frame = frame.f_back
    if line is None:
        return None  # called from a function the script called after it was loaded
    try:
        tree = ast.parse(open(path, encoding="utf-8").read())  # noqa: SIM115
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and "__name__" in ast.unparse(node.test)
            and "__main__" in ast.unparse(node.test)
            and node.lineno <= line <= (node.end_lineno or node.lineno)
        ):
            return None
    return (
        f"{path}, line {line} starts a batch on the process executor at the top level of the "
        "script. Worker processes import the script again, so put the code that runs "
        f"batches under `{_GUARD_TEST}` (or use executor='serial')"
    )


class ProcessExecutor(Executor):
    """A ``ProcessPoolExecutor`` with an explicit spawn context and bounded in-flight chunks.

    Args:
        workers: Worker processes (default: all CPUs).
        in_flight: Chunks in flight per worker.
        release_when_done: Shut the workers down as soon as a batch's last chunk is in (the
            command line: one batch per process). Otherwise the pool stays warm for the next
            batch until :meth:`close`.
    """

    name = "process"

    def __init__(
        self, workers: int | None = None, in_flight: int = 2, release_when_done: bool = False
    ) -> None:
        super().__init__(workers)
        self.release_when_done = release_when_done
        self._pool: ProcessPoolExecutor | None = self._new_pool()
        self.max_in_flight = in_flight * self.workers

    def _new_pool(self) -> ProcessPoolExecutor:
        problem = main_guard_problem()
        if problem is not None:
            raise MainGuardError(problem)
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
        )

    def run(self, spec: RunSpec, chunks: Iterable[Sequence[RunTask]]) -> Iterator[list[RunOutput]]:
        """Submit chunks, never more than ``in_flight`` per worker at a time.

        A worker that dies (killed, out of memory) breaks the pool: as Dask's nanny does, a
        new pool is started and the chunks that were lost are run again; their tasks carry
        their seeds and samples, so the results are the same bits. A chunk that loses its
        worker :data:`CHUNK_ATTEMPTS` times stops the batch (RuntimeError naming its runs).

        With ``release_when_done`` the workers are shut down as soon as the last chunk's
        outputs are in, before the caller consumes them (the results store then builds its
        tables without the workers' memory); a later batch starts a new pool.
        """
        if self._pool is None:
            self._pool = self._new_pool()
        pending: dict[Future, list[RunTask]] = {}
        attempts: dict[int, int] = {}
        retry: list[list[RunTask]] = []
        it = iter(chunks)
        exhausted = broken = False
        try:
            while True:
                while len(pending) < self.max_in_flight and (retry or not exhausted):
                    if retry:
                        chunk = retry.pop(0)
                    else:
                        try:
                            chunk = list(next(it))
                        except StopIteration:
                            exhausted = True
                            break
                    try:
                        pending[self._pool.submit(run_chunk, spec, chunk)] = chunk
                    except BrokenProcessPool:  # a worker died since the last submission
                        retry.insert(0, chunk)
                        broken = True
                        break
                if not pending:
                    if broken:
                        self._restart()
                        broken = False
                        continue
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                if broken or any(_broken(f) for f in done):  # every chunk in flight is lost or done
                    done, _ = wait(pending, return_when=ALL_COMPLETED)
                    broken = True
                results = []
                for fut in done:
                    chunk = pending.pop(fut)
                    if not _broken(fut):
                        results.append(fut.result())
                        continue
                    key = chunk[0].index if chunk else -1
                    attempts[key] = attempts.get(key, 0) + 1
                    broken = True
                    if attempts[key] >= CHUNK_ATTEMPTS:
                        runs = [t.index for t in chunk]
                        raise ExecutorLostError(
                            f"a worker process died {attempts[key]} times running runs "
                            f"{runs[0]}..{runs[-1]}"
                        )
                    retry.append(chunk)
                if broken:
                    self._restart()
                    broken = False
                if exhausted and not pending and not retry and self.release_when_done:
                    self._release()
                yield from results
        finally:
            for fut in pending:
                fut.cancel()

    def pids(self) -> list[int]:
        """The process ids of the pool's workers (empty before they start)."""
        procs = getattr(self._pool, "_processes", None) or {}
        return sorted(procs)

    def _restart(self) -> None:
        """Replace a broken pool by a new one."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._new_pool()

    def _release(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        """Shut the pool down, cancelling chunks not started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


#: Times a chunk may lose its worker before the batch stops.
CHUNK_ATTEMPTS = 3


def _broken(fut: Future) -> bool:
    """Whether a finished future lost its worker (the pool broke under it)."""
    return not fut.cancelled() and isinstance(fut.exception(), BrokenProcessPool)


def max_workers() -> int:
    """The most worker processes a batch may start: the CPUs this process may use (at least 2).

    Each worker holds a model and its imports (about 180 MB); more workers than CPUs only
    take memory (12 workers on 2 cores took 2.2 GB) without running faster.
    """
    return max(2, default_workers())


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
    if workers is not None and workers > max_workers() and name != "serial" and address is None:
        raise InputError(
            f"got {workers}, more than the {default_workers()} CPU(s) this process may use",
            key="--workers",
            expected=f"1 to {max_workers()} (more workers than CPUs only take memory)",
        )
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


class _Warm(Executor):
    """A shared warm process pool, lent to one batch at a time (closing it keeps it warm)."""

    name = "process"

    def __init__(self, pool: ProcessExecutor) -> None:
        self._shared = pool
        self.workers = pool.workers

    def run(self, spec: RunSpec, chunks: Iterable[Sequence[RunTask]]) -> Iterator[list[RunOutput]]:
        """Run on the shared pool."""
        return self._shared.run(spec, chunks)


_WARM: dict[int, ProcessExecutor] = {}


def warm_process_executor(workers: int | None = None) -> Executor:
    """A process executor whose workers stay up between batches of this Python process.

    The first batch pays for starting the workers (about a second each: spawn and imports);
    later batches with the same worker count reuse them. The pools close when Python exits.
    """
    key = ProcessExecutor.__new__(ProcessExecutor)
    Executor.__init__(key, workers)
    pool = _WARM.get(key.workers)
    if pool is None or pool._pool is None:
        pool = _WARM[key.workers] = ProcessExecutor(key.workers)
    return _Warm(pool)


@atexit.register
def _close_warm_pools() -> None:
    for pool in _WARM.values():
        pool.close()
    _WARM.clear()


def make_executor(
    name: str,
    workers: int | None = None,
    address: str | None = None,
    timeout: float = 10.0,
    *,
    warm: bool = False,
) -> Executor:
    """An executor by name: ``serial``, ``process`` or ``dask``.

    Args:
        name: The executor.
        workers: Worker processes (default: all CPUs; ignored by ``serial``).
        address: A Dask scheduler address (only with ``dask``).
        timeout: Seconds to wait for the Dask scheduler at ``address``.
        warm: For ``process``, lend a pool that stays warm across batches (the Python API);
            otherwise the workers go as soon as the batch's runs are in (the command line).

    Raises:
        InputError: An address without ``dask``, a malformed address, a worker count below 1.
    """
    check_executor_options(name, workers, address)
    if name == "serial":
        return SerialExecutor()
    if name == "process":
        if warm:
            return warm_process_executor(workers)
        # A command runs one batch: its workers go as soon as the runs are done, so that the
        # results store builds its tables without them in memory.
        return ProcessExecutor(workers, release_when_done=True)
    from rift.runner.dask_executor import DaskExecutor

    return DaskExecutor(workers, address, timeout=timeout)
