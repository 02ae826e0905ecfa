"""The process pool both ABC calibrations run their simulations in.

A calibration runs thousands of independent model runs; ABC-SMC hands them out in batches
through a ``map``-like function (``abc_smc(map_fn=...)``). The pool uses the ``spawn`` start
method: a forked worker would inherit whatever state the parent holds (threads of numpy's BLAS,
open files), and spawn behaves the same on Linux and macOS. One helper keeps the two
calibrations' pools (chunk size, start method) alike, so a fix to one is a fix to both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any

#: ``map_fn(fn, args)``: results in argument order, as ``abc_smc`` expects.
MapFn = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]


def chunksize(population: int, workers: int) -> int:
    """Simulations sent to a worker at a time: about four chunks per worker and generation.

    Fewer, larger chunks cut the pickling overhead; four per worker still balances the load
    when some runs take longer than others.
    """
    return max(1, population // (4 * workers))


@contextmanager
def simulation_map(workers: int, population: int) -> Iterator[MapFn]:
    """A ``map`` for ``abc_smc`` that runs on ``workers`` spawned processes (builtin ``map`` for 1).

    The pool lives as long as the ``with`` block, so every generation reuses the same workers
    (each imports the model once). With one worker nothing is spawned and the simulations run
    in this process, in order, exactly as ``abc_smc``'s default does.

    Args:
        workers: Processes that run simulations (1 or fewer: this process).
        population: Particles per generation, which sets the chunk size.

    Yields:
        The ``map_fn`` to pass to ``abc_smc``.
    """
    if workers <= 1:
        yield map
        return
    size = chunksize(population, workers)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:

        def pmap(fn: Callable[[Any], Any], args: Iterable[Any]) -> Iterable[Any]:
            return pool.map(fn, list(args), chunksize=size)

        yield pmap
