"""The results store: write a batch atomically, keep what finished, read it back and check it.

Modules: ``layout`` (names and limits), ``manifest``, ``tables`` (and part files), ``writer``,
``reader``, ``exports`` (xarray, EMA Workbench).

Layout of a result folder (``outputs/<scenario>/<run-id>/``)::

    manifest.json     the resolved scenario, its hash, root seed, versions, git commit,
                      executor, timings, run count, failures, status
    runs.parquet      one row per run: run, seed, sampled parameters, horizon outcomes,
                      rupture and re-certification months, error
    series.parquet    one row per run and month, outcomes as columns
    territory.npz     per municipality, how often each group controlled it at the horizon
                      (and the controller of every run)

While a batch runs it writes into ``<run-id>.partial/``: finished runs go to
``parts/part-*.npz`` (each written to a temporary name and renamed, so a kill never leaves a
torn file). When the batch completes, the tables are built in a temporary folder that is
renamed to ``<run-id>/``. When it is interrupted (Ctrl-C, SIGTERM), the tables of the runs that
finished are written into the ``.partial`` folder, whose manifest says ``complete: false``; a
killed batch leaves its parts, from which :func:`load` rebuilds the same tables. ``rift run
--resume DIR`` runs only the missing runs and completes the folder.
"""

from rift.results.layout import (
    FLUSH_RUNS,
    FLUSH_SECONDS,
    LOCK_FILE,
    MANIFEST,
    PARTIAL_SUFFIX,
    SCHEMA,
    TABLES,
)
from rift.results.manifest import file_digest, git_commit, read_manifest, versions, write_manifest
from rift.results.reader import Results, load, missing_runs, ok_runs, series_array
from rift.results.tables import PART_KEYS, part_files, record_names, set_aside
from rift.results.writer import ResultWriter, default_run_id, final_path, partial_path

__all__ = [
    "FLUSH_RUNS",
    "FLUSH_SECONDS",
    "LOCK_FILE",
    "MANIFEST",
    "PARTIAL_SUFFIX",
    "PART_KEYS",
    "SCHEMA",
    "TABLES",
    "ResultWriter",
    "Results",
    "default_run_id",
    "file_digest",
    "final_path",
    "git_commit",
    "load",
    "missing_runs",
    "ok_runs",
    "part_files",
    "partial_path",
    "read_manifest",
    "record_names",
    "series_array",
    "set_aside",
    "versions",
    "write_manifest",
]
