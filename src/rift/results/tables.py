"""The three tables of a batch, built from the runs' arrays, and the part files they come from.

A part file (``parts/part-NNNNNN.npz``) holds a few finished runs as arrays; the tables are
built from all parts at the end of a batch (or when a killed batch is read back).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rift.errors import InputError
from rift.months import format_month
from rift.record import RECORD, Outcome, RunOutput, storage_dtype
from rift.seeds import run_label


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


def design_labels(manifest: Mapping[str, Any]) -> tuple[str, ...]:
    """The policies' names of a batch of a scenario's ``policies`` (empty otherwise)."""
    design = manifest.get("design")
    labels = design.get("labels") if isinstance(design, Mapping) else None
    return tuple(str(x) for x in labels) if isinstance(labels, list) else ()


def design_replicates(manifest: Mapping[str, Any]) -> int | None:
    """The replicates per point of a design batch's manifest (None: not a design)."""
    design = manifest.get("design")
    if isinstance(design, Mapping) and isinstance(design.get("replicates"), int):
        return int(design["replicates"])
    return None


def build_tables(
    parts: Mapping[str, np.ndarray],
    root_seed: int,
    months: Sequence[int],
    n_groups: int,
    names: Mapping[str, Sequence[str]],
    replicates: int | None = None,
    labels: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Build the three tables from the concatenated parts (sorted by run index).

    Args:
        parts: The stored runs (see :func:`pack_runs`).
        root_seed: The batch's root seed (for each run's seed label).
        months: The batch's months.
        n_groups: Number of armed groups (rows of the control counts).
        names: The record's names when the batch ran (``outcomes``, ``events``, ``values``).
        replicates: In a design batch, the replicates per point: the runs table gets the
            ``point`` and ``replicate`` of each run, and its seed is its replicate's.
        labels: In a batch of a scenario's ``policies``, the policy of each point: the runs
            table gets each run's ``policy``.
    """
    index = parts["index"]
    order = np.argsort(index, kind="stable")
    index = index[order]
    ok = parts["ok"][order]
    series = parts["series"][order]
    outcome_names = list(names["outcomes"])

    columns: dict[str, object] = {"run": index.astype(np.int64)}
    if replicates:
        point, replicate = np.divmod(index.astype(np.int64), int(replicates))
        columns["point"] = point
        columns["replicate"] = replicate
        if labels:
            columns["policy"] = pd.Categorical(
                [labels[int(k)] for k in point], categories=list(dict.fromkeys(labels))
            )
        columns["seed"] = [run_label(root_seed, int(r)) for r in replicate]
    else:
        columns["seed"] = [run_label(root_seed, int(k)) for k in index]
    for key in sorted(k for k in parts if k.startswith("param.")):
        values = parts[key][order]
        columns[key] = pd.array(values, "string") if values.dtype.kind == "U" else values
    horizon = np.where(ok[:, None], series[:, -1, :], np.nan) if len(months) else series[:, 0, :]
    for k, name in enumerate(outcome_names):
        columns[name] = _column(horizon[:, k], _spec(name))
    for name in names["events"]:
        columns[f"{name}_month"] = pd.array(
            [_month_text(m) for m in parts[f"event.{name}"][order]], "string"
        )
    for name in names["values"]:
        columns[name] = _column(parts[f"value.{name}"][order], _spec(name))
    columns["error"] = pd.array([e if e else None for e in parts["error"][order]], "string")
    columns["seconds"] = parts["seconds"][order].astype(float)
    runs = pd.DataFrame(columns)

    good = np.flatnonzero(ok)
    n_months = len(months)
    flat = series[good].reshape(len(good) * n_months, len(outcome_names))
    series_columns: dict[str, object] = {
        "run": np.repeat(index[good], n_months).astype(np.int64),
        "month": pd.array(np.tile([format_month(m) for m in months], len(good)), "string"),
    }
    for k, name in enumerate(outcome_names):
        series_columns[name] = _column(flat[:, k], _spec(name))
    series_df = pd.DataFrame(series_columns)

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


def pack_runs(
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
        **{f"param.{n}": _param_array([o.sampled.get(n) for o in outs]) for n in params},
    }


def _param_array(values: list[Any]) -> np.ndarray:
    """One input's values over runs (NaN, or empty text, in a run that does not have it).

    A policy that leaves a parameter to the run's own value has none of it.
    """
    if all(v is not None for v in values):
        return np.asarray(values)
    given = [v for v in values if v is not None]
    if any(isinstance(v, str) for v in given):
        return np.asarray(["" if v is None else v for v in values])
    return np.asarray([np.nan if v is None else v for v in values], dtype=float)


#: Arrays every part file holds (besides ``param.*`` columns).
PART_KEYS = ("index", "ok", "series", "controller", "error", "seconds")
#: What goes wrong when reading a damaged ``.npz`` or table file.
_READ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, RuntimeError)
#: Bytes of error text one part may hold (its arrays are checked before they are read).
_ERROR_BYTES = 16 << 20


@dataclass(frozen=True)
class PartSpec:
    """What every part of a batch must hold, from its manifest.

    Args:
        runs: Runs planned (indices lie in ``0..runs-1``).
        months: Months per run.
        names: The record's names (``outcomes``, ``events``, ``values``).
        groups: Armed groups (a controller is ``-1`` or a group number).
        first_month: The first month's number (event months lie in the horizon).
        sampled: The sampled parameters (``param.*`` arrays), when known.
        n_mun: Municipalities per run, when known.
    """

    runs: int
    months: int
    names: Mapping[str, Sequence[str]]
    groups: int = 3
    first_month: int | None = None
    sampled: Sequence[str] | None = None
    n_mun: int | None = None

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any], n_mun: int | None = None) -> PartSpec:
        """The part spec of a checked manifest (see :func:`read_manifest`)."""
        from rift.months import parse_month

        months = list(manifest["months"])
        sampled = manifest.get("sampled")
        return cls(
            runs=int(manifest["runs"]),
            months=len(months),
            names=manifest["record"],
            groups=int(manifest.get("groups", 3)),
            first_month=parse_month(months[0]) if months else None,
            sampled=list(sampled) if isinstance(sampled, list) else None,
            n_mun=n_mun,
        )

    def max_runs(self) -> int:
        """The most runs one part can hold (the writer flushes every ``FLUSH_RUNS``)."""
        from rift.results.layout import FLUSH_RUNS

        return max(1, min(self.runs, FLUSH_RUNS))


def _headers(z: zipfile.ZipFile, path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """The shape and dtype of every array of an ``.npz``, read from its headers only."""
    out = {}
    for info in z.infolist():
        if not info.filename.endswith(".npy"):
            raise ValueError(f"unexpected member {info.filename!r:.60}")
        with z.open(info) as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
        out[info.filename[: -len(".npy")]] = (tuple(shape), dtype)
    return out


def _check_headers(
    headers: Mapping[str, tuple[tuple[int, ...], np.dtype]], spec: PartSpec
) -> str | None:
    """Why a part's arrays cannot be this batch's (shapes, dtypes, names), or None."""
    names = spec.names
    expected = {
        *PART_KEYS,
        *(f"event.{e}" for e in names["events"]),
        *(f"value.{v}" for v in names["values"]),
    }
    missing = sorted(expected - set(headers))
    if missing:
        return f"missing {missing[:5]}"
    params = {k for k in headers if k.startswith("param.")}
    unknown = sorted(set(headers) - expected - params)
    if unknown:
        return f"unknown arrays {unknown[:5]}"
    if spec.sampled is not None and params - {f"param.{n}" for n in spec.sampled}:
        return f"parameters the batch does not sample {sorted(params)[:5]}"
    index_shape = headers["index"][0]
    if len(index_shape) != 1:
        return "index is not a list of runs"
    n = index_shape[0]
    if not 0 < n <= spec.max_runs():
        return f"{n} runs in one part (at most {spec.max_runs()})"
    shapes = {
        "series": (n, spec.months, len(names["outcomes"])),
        "controller": (n, spec.n_mun) if spec.n_mun is not None else None,
    }
    for key, (shape, dtype) in headers.items():
        want = shapes.get(key)
        if key == "controller" and want is None:
            if len(shape) != 2 or shape[0] != n or shape[1] > 100_000:
                return f"controller of shape {shape}"
        elif want is not None and shape != want:
            return f"{key} of shape {shape}, expected {want}"
        elif key not in shapes and shape != (n,):
            return f"{key} of shape {shape}, expected ({n},)"
        kind = dtype.kind
        if key in ("index", "controller") or key.startswith("event."):
            ok = kind in "iu"
        elif key == "ok":
            ok = kind == "b"
        elif key == "error":
            ok = kind == "U" and dtype.itemsize * n <= _ERROR_BYTES
        elif key.startswith("param."):
            ok = kind in "fiubU" and dtype.itemsize <= 4096
        else:
            ok = kind == "f"
        if not ok or dtype.hasobject:
            return f"{key} of dtype {dtype}"
    return None


def _check_values(arrays: Mapping[str, np.ndarray], spec: PartSpec) -> str | None:
    """Why a part's values cannot be this batch's (indices, categories, months), or None."""
    index = arrays["index"]
    if index.min() < 0 or index.max() >= spec.runs:
        return f"run indices outside 0..{spec.runs - 1}"
    if len(np.unique(index)) != len(index):
        return "a run index twice"
    ctl = arrays["controller"]
    if ctl.size and (ctl.min() < -1 or ctl.max() >= spec.groups):
        return f"controllers outside -1..{spec.groups - 1}"
    for key in (k for k in arrays if k.startswith("event.")):
        m = arrays[key]
        inside = m == -1
        if spec.first_month is not None:
            inside |= (m >= spec.first_month) & (m < spec.first_month + spec.months)
        if not inside.all():
            return f"{key} months outside the horizon"
    columns = [("value." + v, arrays["value." + v]) for v in spec.names["values"]]
    series = arrays["series"]
    columns += [(o, series[:, :, k]) for k, o in enumerate(spec.names["outcomes"])]
    for key, values in columns:
        o = _spec(key.removeprefix("value."))
        if o.kind == "category":
            codes = values[np.isfinite(values)]
            if np.isinf(values).any() or (
                codes.size
                and (
                    (codes != np.round(codes)).any()
                    or codes.min() < 0
                    or codes.max() >= len(o.labels)
                )
            ):
                return f"{key}: category codes outside 0..{len(o.labels) - 1}"
    if (~arrays["ok"] & (arrays["error"] == "")).any():
        return "a failed run without its error"
    return None


def _read_part(path: Path, spec: PartSpec) -> dict[str, np.ndarray]:
    """One part file, checked against its batch before and after its arrays are read.

    The shapes and dtypes are read from the ``.npy`` headers first, so a small part that
    claims huge arrays is refused before anything is allocated; then the values (indices
    within the plan and unique, categories, controllers, event months) are checked.

    Raises:
        InputError: Naming the part and what is wrong with it.
    """

    def damaged(why: str) -> InputError:
        return InputError(
            f"damaged part file ({why})", file=str(path), expected="a part written by `rift run`"
        )

    if path.is_symlink() or not path.is_file():
        raise damaged("not a regular file")
    try:
        with zipfile.ZipFile(path) as z:
            why = _check_headers(_headers(z, path), spec)
        if why is not None:
            raise damaged(why)
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except InputError:
        raise
    except (*_READ_ERRORS, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise InputError(
            f"unreadable part file ({type(exc).__name__}: {exc!s:.100})",
            file=str(path),
            expected="a part written by `rift run`",
        ) from None
    why = _check_values(arrays, spec)
    if why is not None:
        raise damaged(why)
    return arrays


def part_number(path: Path) -> int:
    """The number of a part file (``part-000012.npz`` → 12; 0 when it has none)."""
    digits = path.stem.rpartition("-")[2]
    return int(digits) if digits.isdigit() else 0


def part_files(folder: Path) -> list[Path]:
    """The part files of a working folder, in order."""
    return sorted((folder / "parts").glob("part-*.npz"))


def read_parts(
    folder: Path, spec: PartSpec, damaged: list[Path] | None = None
) -> dict[str, np.ndarray] | None:
    """The runs stored in a working folder's parts, concatenated.

    Args:
        folder: The ``.partial`` folder.
        spec: What each part must hold (see :class:`PartSpec`).
        damaged: When given, damaged parts are listed here and skipped (resume moves them
            aside and runs their runs again); otherwise a damaged part raises InputError.
    """
    chunks = []
    for f in part_files(folder):
        try:
            chunks.append(_read_part(f, spec))
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
