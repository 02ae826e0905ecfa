"""Run a scenario into a result folder: plan, execute, store; resume an interrupted batch.

This is what ``rift run`` does: seeds and Latin-hypercube samples are made here in the parent,
runs execute on the chosen executor, each finished run is handed to the results store, a
progress bar shows runs done, rate and time left, and Ctrl-C or SIGTERM leaves a valid partial
result that ``--resume`` completes.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rift.calibration import calibration_id, load_calibration
from rift.errors import InputError
from rift.geography import load_geography
from rift.months import format_month
from rift.record import GROUPS, RunOutput
from rift.results import (
    LOCK_FILE,
    MANIFEST,
    SCHEMA,
    ResultWriter,
    default_run_id,
    final_path,
    git_commit,
    partial_path,
    read_manifest,
    record_names,
    set_aside,
    versions,
)
from rift.runner import execute_batch, make_executor, plan_batch
from rift.runner.executors import check_executor_options
from rift.runner.sampling import Sampler
from rift.scenario import Scenario
from rift.seeds import run_label


@dataclass
class Stored:
    """Where a batch was stored and how it ended."""

    path: Path
    complete: bool
    runs_done: int
    failures: list[dict[str, Any]]
    seconds: float
    executor: str
    notes: list[str] = field(default_factory=list)


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


#: Where default result folders go: ``outputs/<scenario>/<run-id>``.
OUTPUT_ROOT = Path("outputs")


def _unwritable(folder: Path, exc: OSError) -> InputError:
    return InputError(
        f"cannot write there ({exc.strerror or exc})",
        file=str(folder),
        key="--out",
        expected="a writable folder",
    )


def claim_output(scenario: Scenario, out: str | Path | None) -> Path:
    """Create a batch's working folder, exclusively, and return its result folder.

    The working folder (``<run-id>.partial``) is created with an exclusive ``mkdir``, so two
    batches can never write into one folder: with ``--out`` the second is refused at once;
    with default run ids (``YYYYmmdd-HHMMSS-<hash>``) the second takes the next free suffix
    (``-2``, ``-3``, ...). Default folders always lie under ``outputs/<scenario name>/``; the
    name is a safe slug (the schema checks it), so nothing is written elsewhere without
    ``--out``.
    """
    if out is not None:
        final = Path(out)
        for folder in (final, partial_path(final)):
            if folder.exists():
                raise InputError(
                    "the output folder already exists",
                    file=str(folder),
                    key="--out",
                    expected="a new folder (results are never overwritten)",
                )
        candidates = [final]
    else:
        stem = default_run_id(scenario.hash())
        base = OUTPUT_ROOT / scenario.name
        candidates = [base / (stem if k == 1 else f"{stem}-{k}") for k in range(1, 1000)]
    for final in candidates:
        if final.exists():
            continue
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            partial_path(final).mkdir()
        except FileExistsError:
            if out is not None:
                raise InputError(
                    "another batch is writing this folder",
                    file=str(partial_path(final)),
                    key="--out",
                    expected="a folder no other batch uses",
                ) from None
            continue
        except OSError as exc:
            raise _unwritable(final.parent, exc) from None
        return final
    raise InputError(  # pragma: no cover - 999 batches of one scenario in one second
        "no free run id", file=str(candidates[0].parent), expected="fewer batches a second"
    )


@contextmanager
def batch_lock(work: Path) -> Iterator[None]:
    """Hold an exclusive lock on a working folder while a batch writes into it.

    A second process that tries to run or resume the same batch is refused at once (exit 2)
    instead of interleaving its parts with the first one's.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: exclusive mkdir is the only guard
        yield
        return
    try:
        fh = open(work / LOCK_FILE, "a+b")  # noqa: SIM115 - held for the whole batch
    except OSError as exc:
        raise _unwritable(work, exc) from None
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                "another rift process is writing this batch",
                file=str(work),
                key="--resume",
                expected="one process per batch (wait for it to finish, or stop it)",
            ) from None
        yield
    finally:
        fh.close()


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
        "record": record_names(),
        "uncertain": sorted(scenario.uncertain),
        "sampled": Sampler(scenario).parameter_names,
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
    dask_timeout: float = 10.0,
    out: str | Path | None = None,
    quiet: bool = True,
    command: str | None = None,
    chunk_size: int | None = None,
    warm: bool = False,
) -> Stored:
    """Run a scenario as a batch and store it.

    Args:
        scenario: The validated scenario (its ``runs`` and ``seed`` define the batch).
        executor: ``serial``, ``process`` or ``dask``.
        workers: Worker processes (default: all CPUs).
        address: A Dask scheduler address (``--executor dask``; default: a local cluster).
        dask_timeout: Seconds to wait for the scheduler at ``address``.
        out: The result folder (default ``outputs/<scenario>/<run-id>``); must not exist.
        quiet: No progress bar.
        command: The command line, for the manifest.
        chunk_size: Runs per task sent to a worker.
        warm: Keep the process pool warm for the next batch of this Python process.

    Returns:
        Where the result is and whether it is complete.
    """
    check_executor_options(executor, workers, address)
    plan = plan_batch(scenario)
    months = range(scenario.start_month, scenario.end_month + 1)
    final = claim_output(scenario, out)
    work = partial_path(final)
    try:
        with (
            batch_lock(work),
            make_executor(executor, workers, address, dask_timeout, warm=warm) as ex,
        ):
            manifest = _manifest(scenario, plan.runs, ex.name, ex.workers, command)
            writer = ResultWriter(final, manifest, months, load_geography().n)
            return _execute(plan, ex, writer, set(), quiet, chunk_size)
    except BaseException:
        # Nothing ran yet (the executor could not start): leave no empty folder behind.
        if work.is_dir() and not (work / MANIFEST).exists():
            shutil.rmtree(work, ignore_errors=True)
        raise


def resume_scenario(
    folder: str | Path,
    scenario: Scenario | None = None,
    *,
    executor: str = "process",
    workers: int | None = None,
    address: str | None = None,
    dask_timeout: float = 10.0,
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
        dask_timeout: As for :func:`run_scenario`.
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
    manifest = read_manifest(work / MANIFEST)
    stored = load_scenario_from_manifest(manifest, work / MANIFEST)
    if scenario is not None:
        diffs = scenario_differences(stored, scenario)
        if diffs:
            raise InputError(
                f"the folder holds another batch: {'; '.join(diffs)}",
                file=str(given),
                key="--resume",
                expected="`rift run --resume DIR` alone (the stored scenario is resumed)",
            )
    _check_calibration(stored, work / MANIFEST)
    plan = plan_batch(stored)
    months = range(stored.start_month, stored.end_month + 1)
    with batch_lock(work), make_executor(executor, workers, address, dask_timeout) as ex:
        writer = ResultWriter(final, manifest, months, load_geography().n, resume=True)
        damaged: list[Path] = []
        done = writer.done_indices(damaged)
        notes = [
            f"damaged part {f.name} set aside in {f.parent}; its runs are run again"
            for f in set_aside(damaged)
        ]
        writer.manifest.setdefault("resumed", []).append(
            {
                "executor": ex.name,
                "workers": ex.workers,
                "runs_already_done": len(done),
                "damaged_parts": [f.name for f in damaged],
            }
        )
        stored_result = _execute(plan, ex, writer, done, quiet, chunk_size)
        stored_result.notes.extend(notes)
        return stored_result


def scenario_differences(stored: Scenario, given: Scenario) -> list[str]:
    """The keys in which two scenarios differ (not the description or source), as text."""
    a, b = stored.canonical(), given.canonical()
    out = []
    for key in sorted(set(a) | set(b)):
        if key == "description" or a.get(key) == b.get(key):
            continue
        va, vb = (_short(json.dumps(x.get(key), default=str)) for x in (a, b))
        out.append(f"{key}: {va} stored, {vb} given")
    return out


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _check_calibration(stored: Scenario, file: Path) -> None:
    """A resumed batch must draw from the calibration its first runs drew from."""
    if stored.calibration is None:
        return
    record = load_calibration(stored.sampling.calibrated_through)
    have = None if record is None else calibration_id(record)
    if have != stored.calibration:
        raise InputError(
            f"the batch sampled calibration {stored.calibration}; this installation has "
            f"{have or 'none'}",
            file=str(file),
            key="scenario.calibration",
            expected="the rift installation the batch was started with",
        )


def load_scenario_from_manifest(manifest: dict[str, Any], file: Path | None = None) -> Scenario:
    """The scenario stored in a manifest."""
    try:
        return Scenario.model_validate(manifest["scenario"])
    except (ValidationError, KeyError, TypeError) as exc:
        raise InputError(
            f"the stored scenario does not validate ({type(exc).__name__})",
            file=str(file) if file else None,
            key="scenario",
        ) from None


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
                    "seed": run_label(plan.scenario.seed, output.index),
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
