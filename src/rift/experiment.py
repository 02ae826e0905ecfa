"""Run a scenario into a result folder: plan, execute, store; resume an interrupted batch.

This is what ``rift run`` does: seeds and Latin-hypercube samples are made here in the parent,
runs execute on the chosen executor, each finished run is handed to the results store, a
progress bar shows runs done, rate and time left, and Ctrl-C or SIGTERM leaves a valid partial
result that ``--resume`` completes.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rift.calibration import calibration_id, load_calibration
from rift.errors import InputError, refuse_links
from rift.geography import load_geography
from rift.months import format_month
from rift.record import GROUPS, RunOutput
from rift.results import (
    LOCK_FILE,
    MANIFEST,
    PARTIAL_SUFFIX,
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
from rift.runner import BatchPlan, execute_batch, make_executor, plan_batch
from rift.runner.base import ExecutorLostError
from rift.runner.design import Design
from rift.runner.executors import check_executor_options
from rift.scenario import Scenario
from rift.scenario.loading import with_changes


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


class Progress:
    """A tqdm bar on stderr when it is a terminal; silent otherwise or when quiet.

    Args:
        total: Items to do.
        initial: Items already done.
        quiet: No bar.
        label: The bar's label.
        report: Also called as ``report(done, total)`` after each item.
        unit: What an item is called (``run``, ``figure``).
    """

    def __init__(
        self,
        total: int,
        initial: int,
        quiet: bool,
        label: str,
        report: Callable[[int, int], None] | None = None,
        unit: str = "run",
    ) -> None:
        self.bar = None
        self.done, self.total, self.report = initial, total, report
        if not quiet and sys.stderr.isatty() and total > initial:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                initial=initial,
                desc=label,
                unit=unit,
                dynamic_ncols=True,
                smoothing=0.1,
            )

    def update(self) -> None:
        """One more item done."""
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        if self.report is not None:
            self.report(self.done, self.total)

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.close()


class BatchStoppedError(Exception):
    """A batch stopped before it completed; the runs that finished are kept in ``work``.

    Raised for whatever stops a batch once its working folder exists (a second Ctrl-C, a full
    disk, a file-size limit, a lost Dask scheduler, workers that keep dying): the command line
    prints :attr:`reason` with the folder and the command that resumes it.
    """

    def __init__(self, work: Path, reason: str, interrupted: bool = False) -> None:
        self.work = work
        self.reason = reason
        self.interrupted = interrupted
        super().__init__(f"{reason}; the runs that finished are kept in {work}")


def _reason(exc: BaseException) -> str:
    """What stopped a batch, in one line."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"cannot write the results: {exc.strerror}{where}"
    if isinstance(exc, ExecutorLostError):
        return str(exc)
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:300]


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


def _unwritable(folder: Path, exc: OSError, key: str | None) -> InputError:
    return InputError(
        f"cannot write there ({exc.strerror or exc})",
        file=str(folder),
        key=key,
        expected="a writable folder",
        hint=None if key else "Give --out DIR to write the result elsewhere",
    )


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


def _check_ancestors(final: Path, key: str | None) -> None:
    """The folders above a result folder: folders (not files, not symlinks out of the tree)."""
    parent = final.parent
    while not _lexists(parent) and parent != parent.parent:
        parent = parent.parent
    if _lexists(parent) and not parent.is_dir():
        raise InputError(
            "is a file, not a folder",
            file=str(parent),
            key=key,
            expected="a folder (or a path rift can create) to hold the result folder",
        )


def check_out(out: str | Path) -> Path:
    """The result folder ``--out`` names, refused unless rift can create it (before any run).

    Raises:
        InputError: Naming ``--out``: empty, ``/`` or ``.``, a name ending in ``.partial``,
            a path that exists (a symlink included, dangling or not), a parent that is a file.
    """
    text = os.fspath(out)
    if not text.strip():
        raise InputError(
            "an empty path", key="--out", expected="the path of a new folder for the result"
        )
    final = Path(text)
    if final.name in ("", ".", ".."):
        raise InputError(
            f"{text!r} is not a folder rift can create",
            key="--out",
            expected="the path of a new folder for the result, e.g. outputs/baseline/demo",
        )
    if final.name.endswith(PARTIAL_SUFFIX):
        raise InputError(
            f"{text!r} ends in {PARTIAL_SUFFIX}, the name of a batch's working folder",
            key="--out",
            expected=f"the result folder's name (rift adds {PARTIAL_SUFFIX} while it runs)",
        )
    refuse_links(
        (final, partial_path(final)),
        "--out",
        "a new folder (rift does not follow links out of a result)",
    )
    for folder in (final, partial_path(final)):
        if _lexists(folder):
            raise InputError(
                "the output folder already exists",
                file=str(folder),
                key="--out",
                expected="a new folder (results are never overwritten)",
            )
    _check_ancestors(final, "--out")
    return final


def _check_default_root(base: Path) -> None:
    """``outputs/`` and ``outputs/<scenario>/``: real folders, never links out of the tree."""
    for folder in (base.parent, base):
        if folder.is_symlink():
            raise InputError(
                "is a symbolic link: default result folders are never written through one",
                file=str(folder),
                expected="a folder (remove the link), or --out DIR",
            )
        if _lexists(folder) and not folder.is_dir():
            raise InputError(
                "is a file, not a folder",
                file=str(folder),
                expected="a folder for the default result folders, or --out DIR",
            )


def claim_output(scenario: Scenario, out: str | Path | None) -> Path:
    """Create a batch's working folder, exclusively, and return its result folder.

    The working folder (``<run-id>.partial``) is created with an exclusive ``mkdir``, so two
    batches can never write into one folder: with ``--out`` the second is refused at once;
    with default run ids (``YYYYmmdd-HHMMSS-<hash>``) the second takes the next free suffix
    (``-2``, ``-3``, ...). Default folders always lie under ``outputs/<scenario name>/``; the
    name is a safe slug (the schema checks it), and neither folder may be a symlink, so
    nothing is written elsewhere without ``--out``.
    """
    key = "--out" if out is not None else None
    if out is not None:
        candidates = [check_out(out)]
    else:
        stem = default_run_id(scenario.hash())
        base = OUTPUT_ROOT / scenario.name
        _check_default_root(base)
        candidates = [base / (stem if k == 1 else f"{stem}-{k}") for k in range(1, 1000)]
    for final in candidates:
        if _lexists(final) or _lexists(partial_path(final)):
            continue
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            partial_path(final).mkdir()
        except FileExistsError:
            if out is not None:
                raise InputError(
                    "another batch is writing this folder",
                    file=str(partial_path(final)),
                    key=key,
                    expected="a folder no other batch uses",
                ) from None
            continue
        except OSError as exc:
            _check_ancestors(final, key)
            raise _unwritable(final.parent, exc, key) from None
        return final
    raise InputError(  # pragma: no cover - 999 batches of one scenario in one second
        "no free run id", file=str(candidates[0].parent), expected="fewer batches a second"
    )


@contextmanager
def batch_lock(work: Path, key: str | None = "--resume") -> Iterator[None]:
    """Hold an exclusive lock on a working folder while a batch writes into it.

    A second process that tries to run or resume the same batch is refused at once (exit 2)
    instead of interleaving its parts with the first one's. The lock file is never opened
    through a symlink.

    Args:
        work: The working folder.
        key: The flag that named the folder, for messages (``--resume``, ``--out``, None).
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: exclusive mkdir is the only guard
        yield
        return
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fh = os.fdopen(os.open(work / LOCK_FILE, flags, 0o666), "a+b")
    except OSError as exc:
        raise _unwritable(work, exc, key) from None
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                "another rift process is writing this batch",
                file=str(work),
                key=key,
                expected="one process per batch (wait for it to finish, or stop it)",
            ) from None
        yield
    finally:
        fh.close()


def _manifest(
    plan: BatchPlan,
    executor: str,
    workers: int,
    command: str | None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    scenario, runs = plan.scenario, plan.runs
    start, end = scenario.start_month, scenario.end_month
    manifest = {
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
        "sampled": plan.parameter_names,
        "outcomes": scenario.reported_outcomes(),
        "versions": versions(),
        "git_commit": git_commit(),
        "executor": executor,
        "workers": workers,
        "command": command,
        **({} if plan.present is None else {"present": plan.present.record()}),
        **({} if plan.design is None else {"design": plan.design.record()}),
    }
    clash = sorted(set(extra or {}) & set(manifest))
    if clash:
        raise ValueError(f"extra manifest keys {clash} would replace rift's own")
    return {**manifest, **(extra or {})}


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
    design: Design | None = None,
    extra: Mapping[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
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
        design: Design points (:mod:`rift.runner.design`): each is run with the seeds and
            samples of the scenario's first ``design.replicates`` runs, and the stored
            scenario's ``runs`` is the replicates.
        extra: More keys for the manifest, kept on resume (a sensitivity analysis keeps its
            method there); none may be one of rift's own keys.
        progress: Called as ``progress(done, total)`` after each finished run (``rift app``'s
            progress bar), whether or not ``quiet``.

    Returns:
        Where the result is and whether it is complete.
    """
    check_executor_options(executor, workers, address)
    if design is not None and scenario.runs != design.replicates:
        scenario = with_changes(scenario, runs=design.replicates)
    plan = plan_batch(scenario, design=design)
    months = range(scenario.start_month, scenario.end_month + 1)
    final = claim_output(scenario, out)
    work = partial_path(final)
    key = "--out" if out is not None else None
    try:
        with batch_lock(work, key):
            try:
                with make_executor(executor, workers, address, dask_timeout, warm=warm) as ex:
                    manifest = _manifest(plan, ex.name, ex.workers, command, extra)
                    writer = ResultWriter(final, manifest, months, load_geography().n)
                    return _execute(plan, ex, writer, set(), quiet, chunk_size, progress)
            except (InputError, BatchStoppedError):
                raise
            except BaseException as exc:
                if (work / MANIFEST).is_file():  # runs may have finished: keep the folder
                    raise BatchStoppedError(
                        work, _reason(exc), isinstance(exc, KeyboardInterrupt)
                    ) from exc
                raise
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

    Everything is checked before any run starts: the manifest (its checksum, and the stored
    scenario against its hash), the folder (no symlinks out of it), and every part against
    the manifest (indices, shapes, dtypes, categories, ranges, the sampled parameters of each
    run); a damaged part is named, set aside in ``parts/damaged/`` and its runs run again.
    What a kill left behind (hidden temporary files and folders) is removed.

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
    check_executor_options(executor, workers, address)
    given = Path(folder)
    if not os.fspath(folder).strip() or given.name in ("", ".", ".."):
        raise InputError(
            f"{os.fspath(folder)!r} is not a batch folder",
            key="--resume",
            expected="the folder of an interrupted batch (…/<run-id>.partial)",
        )
    final = final_path(given)
    work = partial_path(final)
    links = (
        final,
        work,
        work / "parts",
        work / "parts" / "damaged",
        work / MANIFEST,
        work / LOCK_FILE,
    )
    refuse_links(
        links, "--resume", "the batch's own folders and files (rift does not follow links out)"
    )
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
    design = stored_design(manifest, work / MANIFEST)
    _check_stored_batch(manifest, stored, work / MANIFEST, design)
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
    plan = plan_batch(stored, design=design)
    _check_present(manifest, plan, work / MANIFEST)
    months = range(stored.start_month, stored.end_month + 1)
    with batch_lock(work, "--resume"):
        writer = ResultWriter(final, manifest, months, load_geography().n, resume=True)
        if (final / MANIFEST).is_file():
            return _finished_before(final, work, writer)
        debris = writer.clean_debris()
        damaged: list[Path] = []
        done = _stored_runs(writer, plan, damaged)
        notes = [
            f"damaged part {f.name} set aside in {f.parent}; its runs are run again"
            for f in set_aside(damaged)
        ]
        if debris:
            notes.append(f"removed {len(debris)} temporary file(s) an earlier kill left behind")
        try:
            with make_executor(executor, workers, address, dask_timeout) as ex:
                writer.manifest.setdefault("resumed", []).append(
                    {
                        "executor": ex.name,
                        "workers": ex.workers,
                        "runs_already_done": len(done),
                        "damaged_parts": [f.name for f in damaged],
                    }
                )
                stored_result = _execute(plan, ex, writer, done, quiet, chunk_size)
        except (InputError, BatchStoppedError):
            raise
        except BaseException as exc:
            raise BatchStoppedError(work, _reason(exc), isinstance(exc, KeyboardInterrupt)) from exc
        stored_result.notes.extend(notes)
        return stored_result


def stored_design(manifest: dict[str, Any], file: Path | None = None) -> Design | None:
    """The design a batch's manifest keeps (checked by the registry again), or None."""
    if "design" not in manifest:
        return None
    return Design.from_record(manifest["design"], None if file is None else str(file))


def _check_stored_batch(
    manifest: dict[str, Any], stored: Scenario, file: Path, design: Design | None = None
) -> None:
    """The manifest's own fields must agree with the scenario it stores (a forged one not).

    A design batch stores its replicates as the scenario's ``runs``, and holds a run for
    each replicate of each point.
    """
    planned = stored.runs if design is None else design.runs
    checks = (
        ("scenario_hash", manifest.get("scenario_hash"), stored.hash()),
        ("runs", manifest.get("runs"), planned),
        ("design.replicates", stored.runs if design is None else design.replicates, stored.runs),
        ("seed", manifest.get("seed"), stored.seed),
        (
            "months",
            manifest.get("months"),
            [format_month(m) for m in range(stored.start_month, stored.end_month + 1)],
        ),
        ("groups", manifest.get("groups", len(GROUPS)), len(GROUPS)),
        ("record", manifest.get("record"), record_names()),
    )
    for key, have, want in checks:
        if have != want:
            raise InputError(
                "does not match the scenario stored in the manifest (the file was edited)"
                if key != "record"
                else "the batch was written by another version of rift",
                file=str(file),
                key=key,
                expected="the manifest rift wrote for this batch",
            )


def _check_present(manifest: dict[str, Any], plan: BatchPlan, file: Path) -> None:
    """A resumed batch must start from the present its first runs started from, unchanged."""
    have = None if plan.present is None else plan.present.manifest.sha256
    want = (manifest.get("present") or {}).get("manifest_sha256")
    if have != want:
        raise InputError(
            "the present folder the batch started from has changed or is gone "
            f"(manifest sha256 {want or 'none'} stored, {have or 'none'} now)",
            file=str(file),
            key="from",
            expected="the present folder the batch was started with, unchanged",
        )


def _stored_runs(writer: ResultWriter, plan, damaged: list[Path]) -> set[int]:
    """Run indices already stored; parts that are damaged or not this batch's go in ``damaged``.

    Each part is checked against the manifest when read, and its runs' sampled parameters
    against the plan's: a part from another batch (or another scenario) is not used.
    """
    from rift.results.tables import _read_part, part_files

    spec = writer.part_spec()
    done: set[int] = set()
    for f in part_files(writer.work):
        try:
            arrays = _read_part(f, spec)
        except InputError:
            damaged.append(f)
            continue
        if not _params_match(arrays, plan):
            damaged.append(f)
            continue
        done.update(int(i) for i in arrays["index"])
    return done


def _params_match(arrays: dict[str, Any], plan) -> bool:
    """Whether a part's sampled parameters are the ones the plan gives its runs."""
    import numpy as np

    names = [k.removeprefix("param.") for k in arrays if k.startswith("param.")]
    for pos, index in enumerate(arrays["index"]):
        sampled = plan.task(int(index)).sampled
        if set(names) != set(sampled):
            return False
        for name in names:
            have, want = arrays[f"param.{name}"][pos], sampled[name]
            if isinstance(want, str) or isinstance(have, np.str_):
                if str(have) != str(want):
                    return False
            elif not np.array_equal(np.asarray(have, float), np.asarray(want, float)):
                return False
    return True


def _finished_before(final: Path, work: Path, writer: ResultWriter) -> Stored:
    """A result renamed into place whose working folder a kill left: check it, remove that.

    A batch killed between the rename of its result and the removal of its working folder
    leaves both; the result is complete, so the working folder goes.
    """
    from rift.results import load

    results = load(final)
    if not results.complete:
        raise InputError(
            "both the result folder and its working folder exist, and the result is incomplete",
            file=str(final),
            key="--resume",
            expected="one of them (move the other away)",
        )
    shutil.rmtree(work, ignore_errors=True)
    writer.clean_debris()
    m = results.manifest
    return Stored(
        final,
        True,
        int(m.get("runs_done", len(results.runs))),
        list(m.get("failures", [])),
        0.0,
        str(m.get("executor", "")),
        [f"the batch had already completed in {final}; its working folder was removed"],
    )


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
    plan,
    ex,
    writer: ResultWriter,
    done: set[int],
    quiet: bool,
    chunk_size: int | None,
    report: Callable[[int, int], None] | None = None,
) -> Stored:
    todo = None if not done else [k for k in range(plan.runs) if k not in done]
    progress = Progress(plan.runs, len(done), quiet, plan.scenario.name, report)
    failures: list[dict[str, Any]] = []

    def sink(output: RunOutput) -> None:
        writer.add(output)
        if output.error is not None:
            failures.append(
                {
                    "run": output.index,
                    "seed": plan.seed_label(output.index),
                    "error": output.error,
                }
            )
        progress.update()

    t0 = time.perf_counter()
    interrupted = False
    with _sigterm_as_interrupt():  # SIGTERM is Ctrl-C, also while the tables are written
        try:
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
