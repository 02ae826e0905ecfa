"""The results store: write a batch atomically, keep what finished, read it back and check it.

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

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rift import __version__
from rift.atomic import atomic_write_json, atomic_write_with, publish
from rift.errors import InputError
from rift.months import format_month, parse_month
from rift.record import RECORD, Outcome, RunOutput, storage_dtype
from rift.scenario.schema import NAME_PATTERN
from rift.seeds import run_label

SCHEMA = 2  # 2: the manifest holds a checksum of itself and of each table
MANIFEST = "manifest.json"
#: Lock file held by the process writing a working folder.
LOCK_FILE = "lock"
TABLES = ("runs.parquet", "series.parquet", "territory.npz")
PARTIAL_SUFFIX = ".partial"
FLUSH_SECONDS = 2.0
FLUSH_RUNS = 500


# ------------------------------------------------------------------------------ helpers
def git_commit() -> str | None:
    """The git commit of the rift source tree (with ``-dirty`` when modified), if any."""
    here = Path(__file__).resolve().parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{sha}-dirty" if dirty else sha


def versions() -> dict[str, str]:
    """Versions of Python, rift and the libraries that shape results."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "rift": __version__}
    for pkg in ("mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "missing"
    return out


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


# ------------------------------------------------------------------------------ tables
def _month_text(m: int) -> str | None:
    return None if m < 0 else format_month(int(m))


def record_names() -> dict[str, list[str]]:
    """The names of the run record now: what a new batch stores (kept in its manifest)."""
    return {
        "outcomes": list(RECORD.outcome_names),
        "events": [e.name for e in RECORD.events],
        "values": [v.name for v in RECORD.values],
    }


def _spec(name: str) -> Outcome:
    """The declaration of a stored column (an amount when the record no longer has it)."""
    try:
        return RECORD.outcome(name)
    except KeyError:
        return Outcome(name, "", name, "amount")


def _column(values: np.ndarray, o: Outcome) -> Any:
    """Stored numbers as a table column: categories as labels, counts and flags as integers."""
    if o.kind == "category":
        codes = np.where(np.isfinite(values), values, -1).astype(np.int64)
        return pd.Categorical.from_codes(codes, categories=list(o.labels))
    if storage_dtype(o) != "float64" and np.all(np.isfinite(values)):
        return values.astype(storage_dtype(o))
    return values.astype(np.float64)


def _tables(
    parts: Mapping[str, np.ndarray],
    root_seed: int,
    months: Sequence[int],
    n_groups: int,
    names: Mapping[str, Sequence[str]],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Build the three tables from the concatenated parts (sorted by run index).

    Args:
        parts: The stored runs (see :func:`_pack`).
        root_seed: The batch's root seed (for each run's seed label).
        months: The batch's months.
        n_groups: Number of armed groups (rows of the control counts).
        names: The record's names when the batch ran (``outcomes``, ``events``, ``values``).
    """
    index = parts["index"]
    order = np.argsort(index, kind="stable")
    index = index[order]
    ok = parts["ok"][order]
    series = parts["series"][order]
    outcome_names = list(names["outcomes"])

    runs = pd.DataFrame({"run": index.astype(np.int64)})
    runs["seed"] = [run_label(root_seed, int(k)) for k in index]
    for key in sorted(k for k in parts if k.startswith("param.")):
        values = parts[key][order]
        runs[key] = pd.array(values, "string") if values.dtype.kind == "U" else values
    horizon = np.where(ok[:, None], series[:, -1, :], np.nan) if len(months) else series[:, 0, :]
    for k, name in enumerate(outcome_names):
        runs[name] = _column(horizon[:, k], _spec(name))
    for name in names["events"]:
        runs[f"{name}_month"] = pd.array(
            [_month_text(m) for m in parts[f"event.{name}"][order]], "string"
        )
    for name in names["values"]:
        runs[name] = _column(parts[f"value.{name}"][order], _spec(name))
    runs["error"] = pd.array([e if e else None for e in parts["error"][order]], "string")
    runs["seconds"] = parts["seconds"][order].astype(float)

    good = np.flatnonzero(ok)
    n_months = len(months)
    flat = series[good].reshape(len(good) * n_months, len(outcome_names))
    series_df = pd.DataFrame(
        {
            "run": np.repeat(index[good], n_months).astype(np.int64),
            "month": pd.array(np.tile([format_month(m) for m in months], len(good)), "string"),
        }
    )
    for k, name in enumerate(outcome_names):
        series_df[name] = _column(flat[:, k], _spec(name))

    controller = parts["controller"][order]
    counts = np.stack([(controller[good] == g).sum(axis=0) for g in range(n_groups)])
    territory = {
        "control_counts": counts.astype(np.int32),
        "none_counts": (controller[good] < 0).sum(axis=0).astype(np.int32),
        "runs": np.array(len(good), dtype=np.int64),
        "run_index": index[good].astype(np.int64),
        "controller": controller[good].astype(np.int8),
    }
    return runs, series_df, territory


def _pack(
    outputs: Iterable[RunOutput],
    names: Mapping[str, Sequence[str]],
    n_months: int,
    n_mun: int,
) -> dict[str, np.ndarray]:
    """Outputs as arrays for a part file (events as month numbers, -1 for none)."""
    outs = list(outputs)
    k = len(outs)
    params = sorted({name for o in outs for name in o.sampled})
    outcome_names = list(names["outcomes"])
    series = np.full((k, n_months, len(outcome_names)), np.nan)
    controller = np.full((k, n_mun), -1, dtype=np.int8)
    events = {e: np.full(k, -1, dtype=np.int64) for e in names["events"]}
    values = {v: np.full(k, np.nan) for v in names["values"]}
    for i, out in enumerate(outs):
        r = out.result
        if r is None:
            continue
        if list(r.names) != outcome_names:
            raise ValueError("a run recorded other outcomes than its batch declares")
        series[i, : len(r.series)] = r.series
        controller[i] = r.controller
        for e, arr in events.items():
            month = r.events.get(e)
            arr[i] = -1 if month is None else month
        for v, arr in values.items():
            if v in r.values:
                arr[i] = _spec(v).code(r.values[v])
    return {
        "index": np.array([o.index for o in outs], dtype=np.int64),
        "ok": np.array([o.result is not None for o in outs], dtype=bool),
        "series": series,
        "controller": controller,
        "error": np.array([o.error or "" for o in outs], dtype=str),
        "seconds": np.array([o.seconds for o in outs], dtype=float),
        **{f"event.{e}": arr for e, arr in events.items()},
        **{f"value.{v}": arr for v, arr in values.items()},
        **{f"param.{n}": np.asarray([o.sampled.get(n) for o in outs]) for n in params},
    }


#: Arrays every part file holds (besides ``param.*`` columns).
PART_KEYS = ("index", "ok", "series", "controller", "error", "seconds")
#: What goes wrong when reading a damaged ``.npz`` or table file.
_READ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, RuntimeError)


def _read_part(path: Path, n_months: int | None) -> dict[str, np.ndarray]:
    """One part file, checked: every array present and of one length (InputError if not)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except _READ_ERRORS as exc:
        raise InputError(
            f"unreadable part file ({type(exc).__name__}: {exc})",
            file=str(path),
            expected="a part written by `rift run`",
        ) from None
    missing = [k for k in PART_KEYS if k not in arrays]
    n = len(arrays.get("index", ()))
    bad = [k for k, v in arrays.items() if v.ndim == 0 or len(v) != n]
    shape_ok = arrays.get("series", np.empty((0, 0, 0))).ndim == 3 and (
        n_months is None or arrays["series"].shape[1] == n_months
    )
    if missing or bad or not shape_ok:
        raise InputError(
            "damaged part file"
            + (f" (missing {missing})" if missing else "")
            + (f" (arrays of different lengths: {bad})" if bad else ""),
            file=str(path),
            expected="a part written by `rift run`",
        )
    return arrays


def _part_number(path: Path) -> int:
    digits = path.stem.rpartition("-")[2]
    return int(digits) if digits.isdigit() else 0


def part_files(folder: Path) -> list[Path]:
    """The part files of a working folder, in order."""
    return sorted((folder / "parts").glob("part-*.npz"))


def _read_parts(
    folder: Path, n_months: int | None = None, damaged: list[Path] | None = None
) -> dict[str, np.ndarray] | None:
    """The runs stored in a working folder's parts, concatenated.

    Args:
        folder: The ``.partial`` folder.
        n_months: Months per run (checked against each part).
        damaged: When given, damaged parts are listed here and skipped (resume moves them
            aside and runs their runs again); otherwise a damaged part raises InputError.
    """
    chunks = []
    for f in part_files(folder):
        try:
            chunks.append(_read_part(f, n_months))
        except InputError:
            if damaged is None:
                raise
            damaged.append(f)
    if not chunks:
        return None
    keys = set().union(*chunks)
    out = {k: np.concatenate([c[k] for c in chunks]) for k in keys if all(k in c for c in chunks)}
    _, first = np.unique(out["index"], return_index=True)  # a resumed run is kept once
    return {k: v[np.sort(first)] for k, v in out.items()}


def set_aside(damaged: Sequence[Path]) -> list[Path]:
    """Move damaged parts into ``parts/damaged/`` (kept for inspection, never read again)."""
    moved = []
    for f in damaged:
        target = f.parent / "damaged" / f.name
        target.parent.mkdir(exist_ok=True)
        os.replace(f, target)
        moved.append(target)
    return moved


# ------------------------------------------------------------------------------ writer
def default_run_id(scenario_hash: str) -> str:
    """A run id that sorts by time: ``YYYYmmdd-HHMMSS-<hash>`` (a suffix when taken)."""
    return time.strftime("%Y%m%d-%H%M%S") + f"-{scenario_hash[:6]}"


def partial_path(final: Path) -> Path:
    """The working folder of a result folder."""
    return final.with_name(final.name + PARTIAL_SUFFIX)


def final_path(folder: Path) -> Path:
    """The result folder of a working folder (or the folder itself)."""
    name = folder.name
    return (
        folder.with_name(name[: -len(PARTIAL_SUFFIX)]) if name.endswith(PARTIAL_SUFFIX) else folder
    )


class ResultWriter:
    """Writes a batch into its store as runs finish.

    Args:
        final: The result folder to produce (``outputs/<scenario>/<run-id>``).
        manifest: The manifest so far (scenario, seeds, plan, executor).
        months: Month numbers of the horizon.
        n_municipalities: Number of municipalities (for the controller arrays).
        resume: Continue an existing working folder instead of creating one.
    """

    def __init__(
        self,
        final: Path,
        manifest: dict[str, Any],
        months: Sequence[int],
        n_municipalities: int,
        resume: bool = False,
    ) -> None:
        self.final = final
        self.work = partial_path(final)
        self.months = list(months)
        self.n_mun = n_municipalities
        self.manifest = dict(manifest)
        self.manifest.setdefault("record", record_names())
        self.names: dict[str, list[str]] = self.manifest["record"]
        self._buffer: list[RunOutput] = []
        self._last_flush = time.monotonic()
        self._parts = 0
        if resume:  # new parts are numbered after every existing one, damaged ones included
            existing = [*part_files(self.work), *(self.work / "parts" / "damaged").glob("*.npz")]
            self._parts = max((_part_number(f) for f in existing), default=0)
        else:
            (self.work / "parts").mkdir(parents=True, exist_ok=False)  # claimed, still empty
            self.manifest.update(status="running", complete=False, started=_now())
            write_manifest(self.work / MANIFEST, self.manifest)

    def done_indices(self, damaged: list[Path] | None = None) -> set[int]:
        """Run indices already stored in readable parts (damaged parts listed in ``damaged``)."""
        parts = _read_parts(self.work, len(self.months), damaged)
        return set() if parts is None else {int(i) for i in parts["index"]}

    def add(self, output: RunOutput) -> None:
        """Buffer a finished run; flush to a part file every few seconds or runs."""
        self._buffer.append(output)
        now = time.monotonic()
        if len(self._buffer) >= FLUSH_RUNS or now - self._last_flush >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write buffered runs to a new part file (atomically)."""
        if not self._buffer:
            return
        arrays = _pack(self._buffer, self.names, len(self.months), self.n_mun)
        self._parts += 1
        path = self.work / "parts" / f"part-{self._parts:06d}.npz"
        atomic_write_with(path, lambda tmp: np.savez(open(tmp, "wb"), **arrays))  # noqa: SIM115
        self._buffer.clear()
        self._last_flush = time.monotonic()

    def finish(self, complete: bool, extra: Mapping[str, Any]) -> Path:
        """Write the tables and the manifest; rename into place when complete.

        Returns:
            The folder holding the result (final when complete, the working folder otherwise).
        """
        self.flush()
        parts = _read_parts(self.work, len(self.months))
        if parts is None:
            parts = _pack([], self.names, len(self.months), self.n_mun)
        self.manifest.update(extra)
        self.manifest["runs_done"] = int(parts["ok"].size)
        self.manifest["runs_failed"] = int((~parts["ok"]).sum())
        self.manifest["finished"] = _now()
        groups = int(self.manifest.get("groups", 3))
        runs, series, territory = _tables(
            parts, self.manifest["seed"], self.months, groups, self.names
        )
        if complete:
            self.manifest.update(status="complete", complete=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.", dir=self.final.parent))
            try:
                _write_tables(tmp, runs, series, territory, self.manifest)
                publish(tmp, directory=True)
                os.rename(tmp, self.final)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
            shutil.rmtree(self.work, ignore_errors=True)
            return self.final
        self.manifest.update(status="incomplete", complete=False)
        _write_tables(self.work, runs, series, territory, self.manifest)
        return self.work


def _save_npz(path: str, arrays: Mapping[str, np.ndarray]) -> None:
    """``np.savez_compressed`` to exactly ``path`` (given a name, numpy would add ``.npz``)."""
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def _write_tables(folder: Path, runs, series, territory, manifest) -> None:
    """Write the three tables side by side, then the manifest.

    Parquet and zlib compression release the GIL, so the three files are written in threads
    (for 10,000 runs, series.parquet takes about 0.6 s and territory.npz 1.0 s, one after the
    other); each is atomic on its own. The manifest is written only when all three are in
    place, so a failure leaves no manifest vouching for them.
    """
    writers = (
        (folder / "runs.parquet", lambda t: runs.to_parquet(t, index=False)),
        (
            folder / "series.parquet",
            lambda t: series.to_parquet(t, index=False, compression="zstd"),
        ),
        (folder / "territory.npz", lambda t: _save_npz(t, territory)),
    )
    with ThreadPoolExecutor(max_workers=len(writers)) as pool:
        futures = [pool.submit(atomic_write_with, path, write) for path, write in writers]
        for fut in futures:
            fut.result()  # re-raise the first failure
        digests = pool.map(file_digest, [path for path, _ in writers])
        manifest["files"] = dict(zip(TABLES, digests, strict=True))
    write_manifest(folder / MANIFEST, manifest)  # last: the manifest vouches for the rest


def file_digest(path: Path) -> str:
    """The SHA-256 of a file (hashlib releases the GIL on large reads)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest_digest(manifest: Mapping[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write a manifest atomically with a checksum of its own content."""
    manifest["checksum"] = _manifest_digest(manifest)
    atomic_write_json(path, manifest)


def read_manifest(path: Path) -> dict[str, Any]:
    """Read and check a manifest: JSON, schema, checksum, and the fields rift relies on.

    Raises:
        InputError: Naming the manifest file and what is wrong with it.
    """
    file = str(path)
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(
            f"unreadable manifest ({type(exc).__name__})",
            file=file,
            expected="JSON written by rift",
        ) from None
    if not isinstance(manifest, dict):
        raise InputError("the manifest is not a JSON object", file=file)
    if manifest.get("schema") != SCHEMA:
        raise InputError(
            f"schema {manifest.get('schema')!r}",
            file=file,
            key="schema",
            expected=f"schema {SCHEMA} (a batch written by this version of rift)",
        )
    if manifest.get("checksum") != _manifest_digest(manifest):
        raise InputError(
            "the manifest does not match its checksum (the file was changed or damaged)",
            file=file,
            key="checksum",
        )
    _check_manifest_fields(manifest, file)
    return manifest


def _check_manifest_fields(m: dict[str, Any], file: str) -> None:
    import re

    def bad(key: str, expected: str) -> InputError:
        return InputError(f"bad value {m.get(key)!r:.60}", file=file, key=key, expected=expected)

    for key, kind in (("seed", int), ("runs", int), ("groups", int)):
        if not isinstance(m.get(key, 3 if key == "groups" else None), kind) or isinstance(
            m.get(key), bool
        ):
            raise bad(key, "a whole number")
    if m["runs"] < 0 or m["seed"] < 0:
        raise bad("runs", "non-negative numbers")
    scenario = m.get("scenario")
    if not isinstance(scenario, dict) or not re.match(NAME_PATTERN, str(scenario.get("name"))):
        raise bad("scenario", "the resolved scenario with a safe name")
    months = m.get("months")
    try:
        numbers = [parse_month(x) for x in months]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise bad("months", "a list of YYYY-MM months") from None
    if not numbers or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise bad("months", "consecutive months")
    record = m.get("record")
    if not isinstance(record, dict) or any(
        not isinstance(record.get(k), list) or not all(isinstance(x, str) for x in record[k])
        for k in ("outcomes", "events", "values")
    ):
        raise bad("record", "the names of the run record (outcomes, events, values)")


# ------------------------------------------------------------------------------ reader
@dataclass
class Results:
    """A stored batch: manifest, runs, series, territory, and where it lives."""

    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    series: pd.DataFrame
    territory: dict[str, np.ndarray]

    @property
    def complete(self) -> bool:
        """Whether every planned run finished."""
        return bool(self.manifest.get("complete"))

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.manifest["scenario"]["name"])


def load(path: str | Path) -> Results:
    """Read a result folder (complete or partial) and check that it is consistent.

    Args:
        path: A result folder, or its ``.partial`` working folder.

    Returns:
        The stored results.

    Raises:
        InputError: If the folder is missing, not a result, or its files disagree.
    """
    folder = Path(path)
    if not folder.exists() and partial_path(folder).exists():
        folder = partial_path(folder)
    manifest_file = folder / MANIFEST
    if not manifest_file.is_file():
        raise InputError(
            "not a rift result folder (no manifest.json)",
            file=str(folder),
            expected="a folder written by `rift run`",
        )
    manifest = read_manifest(manifest_file)
    if all((folder / t).is_file() for t in TABLES):
        runs, series, territory = _read_tables(folder, manifest)
    else:  # a killed batch: rebuild from the parts that were written
        months = [parse_month(m) for m in manifest["months"]]
        parts = _read_parts(folder, len(months))
        if parts is None:
            parts = _pack([], manifest["record"], len(months), 0)
        runs, series, territory = _tables(
            parts, manifest["seed"], months, int(manifest.get("groups", 3)), manifest["record"]
        )
        manifest = {**manifest, "status": "incomplete", "complete": False}
    _check(folder, manifest, runs, series, territory)
    return Results(folder, manifest, runs, series, territory)


def _read_tables(folder: Path, manifest: Mapping[str, Any]):
    """The three tables, each checked against the manifest's checksum before it is read."""
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise InputError(
            "the manifest lists no table checksums", file=str(folder / MANIFEST), key="files"
        )
    for name in TABLES:
        path = folder / name
        try:
            digest = file_digest(path)
        except OSError as exc:
            raise InputError(f"unreadable ({exc.strerror or exc})", file=str(path)) from None
        if digest != files.get(name):
            raise InputError(
                "the file does not match the checksum in manifest.json (changed or damaged)",
                file=str(path),
                expected="the table written with this manifest",
            )
    out = []
    for name, read in (
        ("runs.parquet", pd.read_parquet),
        ("series.parquet", pd.read_parquet),
        ("territory.npz", _read_npz),
    ):
        try:
            out.append(read(folder / name))
        except Exception as exc:  # a damaged file can fail in any way inside the readers
            raise InputError(
                f"unreadable table ({type(exc).__name__})", file=str(folder / name)
            ) from None
    return tuple(out)


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _check(folder: Path, manifest, runs: pd.DataFrame, series: pd.DataFrame, territory) -> None:
    where = str(folder)
    planned = int(manifest["runs"])
    idx = runs["run"].to_numpy()
    if len(idx) and (np.any(np.diff(idx) <= 0) or idx.min() < 0 or idx.max() >= planned):
        raise InputError(
            "run indices are not unique, sorted and within the plan", file=where, key="runs.parquet"
        )
    if manifest.get("complete") and len(runs) != planned:
        raise InputError(
            f"{len(runs)} runs stored but {planned} planned",
            file=where,
            key="runs.parquet",
            expected="a complete batch",
        )
    names = manifest["record"]
    events = [f"{e}_month" for e in names["events"]]
    expected = ("run", "seed", *names["outcomes"], *events, *names["values"], "error")
    missing = [c for c in expected if c not in runs]
    if missing:
        raise InputError(f"missing columns {missing}", file=where, key="runs.parquet")
    ok = runs["error"].isna().to_numpy()
    n_months = len(manifest["months"])
    if len(series) != ok.sum() * n_months:
        raise InputError(
            f"{len(series)} series rows, expected {ok.sum() * n_months}",
            file=where,
            key="series.parquet",
        )
    if int(territory["runs"]) != ok.sum():
        raise InputError("territory counts disagree with the runs", file=where, key="territory.npz")


def missing_runs(results: Results) -> list[int]:
    """Planned run indices not yet stored."""
    done = set(results.runs["run"].tolist())
    return [k for k in range(int(results.manifest["runs"])) if k not in done]


def series_array(results: Results, outcome: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """One outcome as a (runs, months) array, with run indices and month labels."""
    s = results.series
    months = list(dict.fromkeys(s["month"].tolist()))
    runs = np.unique(s["run"].to_numpy())
    column = s[outcome]
    if isinstance(column.dtype, pd.CategoricalDtype):  # a category: its codes, NaN for none
        codes = column.cat.codes.to_numpy()
        flat = np.where(codes >= 0, codes, np.nan).astype(float)
    else:
        flat = column.to_numpy(dtype=float)
    return flat.reshape(len(runs), len(months)), runs, months
