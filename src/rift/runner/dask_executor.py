"""The Dask executor: a ``distributed`` scheduler at an address, or a loopback LocalCluster.

Dask is an optional extra (``pip install rift[dask]``); nothing else in rift imports it.
A local cluster binds its scheduler, workers and dashboard to 127.0.0.1 only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress

from rift.errors import InputError
from rift.record import RunOutput
from rift.runner.base import Executor, ExecutorLostError
from rift.runner.worker import RunSpec, RunTask, run_chunk


class DaskExecutor(Executor):
    """Runs chunks on a Dask cluster with a bounded number in flight."""

    name = "dask"

    def __init__(
        self,
        workers: int | None = None,
        address: str | None = None,
        in_flight: int = 2,
        timeout: float = 10.0,
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                "the Dask executor needs the dask extra",
                key="--executor",
                expected="`pip install rift[dask]`, or --executor process",
            ) from None
        super().__init__(workers)
        self.cluster = None
        # rift reports a lost scheduler itself, in one line with the way back; distributed's
        # own log records ("Failed to reconnect …") and tracebacks would bury that message.
        self._quiet = _QuietDistributed()
        self.address = address or "the local cluster"
        if address:
            try:
                self.client = Client(address, timeout=timeout)
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError(
                    f"cannot reach the Dask scheduler at {address} within {timeout:g} s "
                    f"({type(exc).__name__})",
                    key="--address",
                    expected="a running scheduler at that address (or --dask-timeout longer)",
                ) from None
            self.workers = max(1, sum(self.client.nthreads().values()))
        else:
            self.cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                scheduler_port=0,
                dashboard_address="127.0.0.1:0",
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster, timeout=timeout)
        self.max_in_flight = in_flight * self.workers

    def run(self, spec: RunSpec, chunks: Iterable[Sequence[RunTask]]) -> Iterator[list[RunOutput]]:
        """Submit chunks, at most ``in_flight`` per worker, and yield them as they finish.

        Runs record their own errors, so anything the client raises is the cluster's failure
        (most often a lost scheduler): it becomes one :class:`ExecutorLostError`.
        """
        from distributed import as_completed

        pending = as_completed()
        try:
            spec_future = self.client.scatter(spec, broadcast=True)
            it = iter(chunks)
            for count, chunk in enumerate(it, start=1):
                pending.add(self.client.submit(run_chunk, spec_future, list(chunk), pure=False))
                if count >= self.max_in_flight:
                    break
            for fut in pending:
                outputs = fut.result()
                yield outputs
                nxt = next(it, None)
                if nxt is not None:
                    pending.add(self.client.submit(run_chunk, spec_future, list(nxt), pure=False))
        except Exception as exc:
            raise ExecutorLostError(self._lost(exc)) from exc
        finally:
            for fut in list(pending.futures):
                with suppress(Exception):  # the scheduler may be gone
                    fut.cancel()

    def _lost(self, exc: BaseException) -> str:
        """One line saying what failed: the scheduler, or a chunk on the cluster."""
        if self.client.status != "running":
            return f"lost the Dask scheduler at {self.address}"
        text = str(exc).splitlines()[0] if str(exc) else ""
        return f"the Dask cluster at {self.address} failed a chunk ({type(exc).__name__}: {text})"[
            :300
        ]

    def close(self) -> None:
        """Close the client and, if this executor started it, the local cluster."""
        try:
            with suppress(Exception):  # closing after a lost scheduler must not raise
                self.client.close(timeout=5)
            if self.cluster is not None:
                with suppress(Exception):
                    self.cluster.close()
        finally:
            self._quiet.restore()


class _QuietDistributed:
    """Raise the level of ``distributed``'s loggers while an executor is open; restore it after."""

    NAMES = ("distributed", "distributed.client", "distributed.batched", "distributed.core")

    def __init__(self) -> None:
        self.levels = {name: logging.getLogger(name).level for name in self.NAMES}
        for name in self.NAMES:
            logging.getLogger(name).setLevel(logging.CRITICAL)

    def restore(self) -> None:
        for name, level in self.levels.items():
            logging.getLogger(name).setLevel(level)
