"""Run a scenario into a result folder: plan, execute, store; resume an interrupted batch.

This is what ``rift run`` does: seeds and Latin-hypercube samples are made here in the parent,
runs execute on the chosen executor, each finished run is handed to the results store, a
progress bar shows runs done, rate and time left, and Ctrl-C or SIGTERM leaves a valid partial
result that ``--resume`` completes.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rift.errors import InputError
from rift.geography import load_geography
from rift.model.territory import GROUPS
from rift.months import format_month
from rift.results import (
    MANIFEST,
    SCHEMA,
    ResultWriter,
    default_run_id,
    final_path,
    git_commit,
    partial_path,
    versions,
)
from rift.runner import execute_batch, make_executor, plan_batch
from rift.runner.seeds import run_seed, seed_label
from rift.runner.worker import RunOutput
from rift.scenario import Scenario


@dataclass
class Stored:
    """Where a batch was stored and how it ended."""

    path: Path
    complete: bool
    runs_done: int
    failures: list[dict[str, Any]]
    seconds: float
    executor: str


class _Progress:
    """A tqdm bar on stderr when it is a terminal; silent otherwise or when quiet."""

    def __init__(self, total: int, initial: int, quiet: bool, label: str) -> None:
        self.bar = None
        if not quiet and sys.stderr.isatty() and total > initial:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                initial=initial,
                desc=label,
                unit="run",
                dynamic_ncols=True,
                smoothing=0.1,
            )

    def update(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C so that a killed batch keeps what finished."""

    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not in the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _prepare_out(scenario: Scenario, out: str | Path | None) -> Path:
    if out is None:
        base = Path("outputs") / scenario.name
        final = base / default_run_id(scenario.hash())
    else:
        final = Path(out)
    for folder in (final, partial_path(final)):
        if folder.exists():
            raise InputError(
                "the output folder already exists",
                file=str(folder),
                key="--out",
                expected="a new folder (results are never overwritten)",
            )
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        probe = final.parent / f".rift-write-test-{time.monotonic_ns()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(
            f"cannot write there ({exc.strerror or exc})",
            file=str(final.parent),
            key="--out",
            expected="a writable folder",
        ) from None
    return final


def _manifest(
    scenario: Scenario, runs: int, executor: str, workers: int, command: str | None
) -> dict[str, Any]:
    start, end = scenario.start_month, scenario.end_month
    return {
        "schema": SCHEMA,
        "scenario": scenario.canonical(),
        "scenario_hash": scenario.hash(),
        "scenario_file": scenario.source,
        "seed": scenario.seed,
        "runs": runs,
        "months": [format_month(m) for m in range(start, end + 1)],
        "groups": len(GROUPS),
        "group_names": list(GROUPS),
        "uncertain": sorted(scenario.uncertain),
        "outcomes": scenario.reported_outcomes(),
        "versions": versions(),
        "git_commit": git_commit(),
        "executor": executor,
        "workers": workers,
        "command": command,
    }


def run_scenario(
    scenario: Scenario,
    *,
    executor: str = "process",
    workers: int | None = None,
    address: str | None = None,
    out: str | Path | None = None,
    quiet: bool = True,
    command: str | None = None,
    chunk_size: int | None = None,
) -> Stored:
    """Run a scenario as a batch and store it.

    Args:
        scenario: The validated scenario (its ``runs`` and ``seed`` define the batch).
        executor: ``serial``, ``process`` or ``dask``.
        workers: Worker processes (default: all CPUs).
        address: A Dask scheduler address (``--executor dask``; default: a local cluster).
        out: The result folder (default ``outputs/<scenario>/<run-id>``); must not exist.
        quiet: No progress bar.
        command: The command line, for the manifest.
        chunk_size: Runs per task sent to a worker.

    Returns:
        Where the result is and whether it is complete.
    """
    final = _prepare_out(scenario, out)
    plan = plan_batch(scenario)
    months = range(scenario.start_month, scenario.end_month + 1)
    with make_executor(executor, workers, address) as ex:
        manifest = _manifest(scenario, plan.runs, ex.name, ex.workers, command)
        writer = ResultWriter(final, manifest, months, load_geography().n)
        return _execute(plan, ex, writer, set(), quiet, chunk_size)


def resume_scenario(
    folder: str | Path,
    scenario: Scenario | None = None,
    *,
    executor: str = "process",
    workers: int | None = None,
    address: str | None = None,
    quiet: bool = True,
    chunk_size: int | None = None,
) -> Stored:
    """Finish an interrupted batch: run only the missing runs and complete the folder.

    Args:
        folder: The interrupted result (its ``.partial`` folder, or the name without it).
        scenario: The scenario given on the command line; it must be the one stored.
        executor: As for :func:`run_scenario`.
        workers: As for :func:`run_scenario`.
        address: As for :func:`run_scenario`.
        quiet: As for :func:`run_scenario`.
        chunk_size: As for :func:`run_scenario`.
    """
    given = Path(folder)
    final = final_path(given)
    work = partial_path(final)
    if (final / MANIFEST).is_file() and not work.exists():
        raise InputError(
            "this batch is already complete",
            file=str(final),
            key="--resume",
            expected="the folder of an interrupted batch (…/<run-id>.partial)",
        )
    if not (work / MANIFEST).is_file():
        raise InputError(
            "not an interrupted rift batch",
            file=str(given),
            key="--resume",
            expected="the folder of an interrupted batch (…/<run-id>.partial)",
        )
    manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    stored = load_scenario_from_manifest(manifest)
    if scenario is not None and scenario.hash() != stored.hash():
        raise InputError(
            f"the folder holds scenario '{stored.name}' (hash {stored.hash()}), not "
            f"'{scenario.name}' (hash {scenario.hash()})",
            file=str(given),
            key="--resume",
            expected="the same scenario, runs and seed as the interrupted batch",
        )
    plan = plan_batch(stored)
    months = range(stored.start_month, stored.end_month + 1)
    with make_executor(executor, workers, address) as ex:
        writer = ResultWriter(final, manifest, months, load_geography().n, resume=True)
        done = writer.done_indices()
        writer.manifest.setdefault("resumed", []).append(
            {"executor": ex.name, "workers": ex.workers, "runs_already_done": len(done)}
        )
        return _execute(plan, ex, writer, done, quiet, chunk_size)


def load_scenario_from_manifest(manifest: dict[str, Any]) -> Scenario:
    """The scenario stored in a manifest."""
    return Scenario.model_validate(manifest["scenario"])


def _execute(
    plan, ex, writer: ResultWriter, done: set[int], quiet: bool, chunk_size: int | None
) -> Stored:
    todo = None if not done else [k for k in range(plan.runs) if k not in done]
    progress = _Progress(plan.runs, len(done), quiet, plan.scenario.name)
    failures: list[dict[str, Any]] = []

    def sink(output: RunOutput) -> None:
        writer.add(output)
        if output.error is not None:
            failures.append(
                {
                    "run": output.index,
                    "seed": seed_label(run_seed(plan.scenario.seed, output.index)),
                    "error": output.error,
                }
            )
        progress.update()

    t0 = time.perf_counter()
    interrupted = False
    try:
        with _sigterm_as_interrupt():
            outcome = execute_batch(plan, ex, todo, sink, chunk_size, keep=False)
        interrupted = outcome.interrupted
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.close()
    seconds = time.perf_counter() - t0
    previous = writer.manifest.get("failures", [])
    all_failures = sorted(previous + failures, key=lambda f: f["run"])
    extra = {
        "failures": all_failures,
        "wall_seconds": round(seconds + writer.manifest.get("wall_seconds", 0.0), 3),
        "executor": ex.name,
        "workers": ex.workers,
    }
    path = writer.finish(complete=not interrupted, extra=extra)
    return Stored(
        path, not interrupted, writer.manifest["runs_done"], all_failures, seconds, ex.name
    )
