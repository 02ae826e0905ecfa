"""The standard figures drawn in worker processes, started before they are needed.

``rift run`` starts a :class:`FigurePool` when the batch starts: its workers import matplotlib
and the figures while the batch runs, and once the batch is stored each worker reads it back
from its folder (the store, not a pickled copy) and draws figures, the slowest first, while the
parent waits and shows the progress. The workers draw and save with the serial code
(:func:`rift.plots.draw_figure`), so the files are the same bytes as those of
:func:`rift.plots.write_figures` without a pool.

The pool has its own spawn context (``import mesa`` switches multiprocessing's default to
spawn; the pool never depends on what the default happens to be), so a script that uses it
must start it under ``if __name__ == "__main__":``, as for the process executor.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from rift.processes import worker_init
from rift.results import Results
from rift.results.layout import MANIFEST

#: Figures that take longest to draw (the event curves draw one panel per measure), submitted
#: first so that the workers finish together.
SLOW_FIRST: tuple[str, ...] = ("events", "map_control")

#: A batch as a worker finds it: its folder, whether it is shown weighted, and its manifest's
#: modification time (a batch written again in the same folder is read again).
BatchRef = tuple[str, bool, int]


def _warm() -> None:
    """A worker's set-up: as the batch's, then the imports drawing needs (during the batch).

    Ctrl-C is ignored and the worker goes with the parent (:func:`rift.processes.worker_init`).
    """
    worker_init()
    import matplotlib.pyplot  # noqa: F401

    import rift.plots  # noqa: F401


@functools.lru_cache(maxsize=1)
def _batches(refs: tuple[BatchRef, ...]) -> list[Results]:
    """The batches read back from their folders, once per worker and report."""
    from rift.results import load

    return [replace(load(path), weighting=weighting) for path, weighting, _ in refs]


def _draw(
    refs: tuple[BatchRef, ...],
    stem: str,
    folder: str,
    formats: tuple[str, ...],
    outcomes: tuple[str, ...] | None,
    which: str,
) -> list[str]:
    """In a worker: draw one standard figure of the batches and save it."""
    from rift.plots import draw_figure, figure_makers

    make = figure_makers(_batches(refs), outcomes, which)[stem]
    return [str(p) for p in draw_figure(make, Path(folder) / stem, formats)]


def _ready() -> int:
    return os.getpid()


class FigurePool:
    """Worker processes that draw the standard figures of stored batches.

    The workers are started (and import matplotlib) at once, so start the pool before the
    batch whose figures it will draw; :meth:`close` it (or use it as a context manager).

    Args:
        workers: Worker processes (default: two, or one on a single CPU).
    """

    def __init__(self, workers: int | None = None) -> None:
        n = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.workers = max(1, int(n))
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_warm,
        )
        # A spawn pool starts a worker per submission that finds none idle: start them all.
        self._started = [self._pool.submit(_ready) for _ in range(self.workers)]

    def write_figures(
        self,
        results_list: Results | Sequence[Results],
        folder: str | Path,
        formats: Sequence[str] = ("png",),
        outcomes: Sequence[str] | None = None,
        which: str = "all",
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, list[Path]]:
        """The standard figures drawn in the workers (see :func:`rift.plots.write_figures`).

        Args:
            results_list: Stored batches (each read back from its folder by the workers).
            folder: Where to write (created if missing).
            formats: File formats (``png``, ``svg``, ``pdf``).
            outcomes: Outcomes of the fan charts (default: the reported outcomes).
            which: The figure set (:data:`rift.plots.FIGURE_SETS`).
            progress: Called as ``progress(done, total)`` after each figure.

        Returns:
            The files written, by file stem, in the order of the serial drawing.
        """
        from rift.plots import figure_makers
        from rift.plots.style import as_list

        items = as_list(results_list)
        stems = list(figure_makers(items, outcomes, which))
        refs = tuple(
            (str(r.path), bool(r.weighting), (Path(r.path) / MANIFEST).stat().st_mtime_ns)
            for r in items
        )
        chosen = None if outcomes is None else tuple(outcomes)
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        order = sorted(stems, key=lambda s: SLOW_FIRST.index(s) if s in SLOW_FIRST else 99)
        futures: dict[Future, str] = {
            self._pool.submit(_draw, refs, stem, str(out), tuple(formats), chosen, which): stem
            for stem in order
        }
        written: dict[str, list[Path]] = {}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    written[futures[fut]] = [Path(p) for p in fut.result()]
                    if progress is not None:
                        progress(len(written), len(stems))
        finally:
            for fut in pending:
                fut.cancel()
        return {stem: written[stem] for stem in stems}

    def close(self) -> None:
        """Stop the workers (what is queued is dropped)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> FigurePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
