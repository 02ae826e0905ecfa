"""Reading a result folder back (complete, interrupted or killed) and checking it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rift.errors import InputError
from rift.months import parse_month
from rift.results.layout import MANIFEST, TABLES
from rift.results.manifest import file_digest, read_manifest
from rift.results.tables import (
    PartSpec,
    build_tables,
    design_labels,
    design_replicates,
    pack_runs,
    read_parts,
)
from rift.results.writer import partial_path


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The rows of a runs table whose run finished without an error.

    All of them when the table has no ``error`` column.
    """
    return runs[runs["error"].isna()] if "error" in runs else runs


@dataclass(repr=False)
class Results:
    """A stored batch: manifest, runs, series, territory, and where it lives."""

    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    series: pd.DataFrame
    territory: dict[str, np.ndarray]
    #: Whether a batch conditioned on observations is shown weighted (see ``unweighted``).
    weighting: bool = True
    #: Values computed once per loaded batch (the weights).
    cache: dict[str, Any] = field(default_factory=dict, compare=False)

    def unweighted(self) -> Results:
        """The same batch with its observations' weights ignored (the plain ensemble)."""
        return replace(self, weighting=False, cache={})

    @property
    def complete(self) -> bool:
        """Whether every planned run finished."""
        return bool(self.manifest.get("complete"))

    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.manifest["scenario"]["name"])

    @property
    def ok_runs(self) -> pd.DataFrame:
        """The runs table without the runs that failed (their ``error`` is set)."""
        return ok_runs(self.runs)

    def __repr__(self) -> str:
        months = self.manifest.get("months") or ["?"]
        state = "complete" if self.complete else "incomplete"
        return (
            f"<Results {self.name!r}: {len(self.runs)} runs ({len(self.ok_runs)} ok), "
            f"{months[0]}..{months[-1]}, {state}, {str(self.path)!r}>"
        )

    def to_xarray(self) -> Any:
        """The batch as an ``xarray.Dataset`` (see :mod:`rift.results.exports`)."""
        from rift.results.exports import to_xarray

        return to_xarray(self)

    def to_ema(self, at: str | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
        """The batch as EMA Workbench's ``(experiments, outcomes)`` (see ``exports``).

        Args:
            at: None: monthly arrays; a month or ``horizon``: one value per run and outcome,
                as EMA's feature scoring takes them.
        """
        from rift.results.exports import to_ema

        return to_ema(self, at)


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
    if manifest.get("complete") or manifest.get("status") == "complete":
        missing = [t for t in TABLES if not (folder / t).is_file()]
        if missing:  # a complete batch keeps no parts: its tables are all there is
            raise InputError(
                "missing from a complete batch" + (f" (and {missing[1:]})" if missing[1:] else ""),
                file=str(folder / missing[0]),
                expected="the table written with this manifest (the batch is damaged)",
            )
    if all((folder / t).is_file() for t in TABLES):
        runs, series, territory = _read_tables(folder, manifest)
    else:  # a killed batch: rebuild from the parts that were written
        months = [parse_month(m) for m in manifest["months"]]
        parts = read_parts(folder, PartSpec.from_manifest(manifest))
        if parts is None:
            parts = pack_runs([], manifest["record"], len(months), 0)
        runs, series, territory = build_tables(
            parts,
            manifest["seed"],
            months,
            int(manifest.get("groups", 3)),
            manifest["record"],
            design_replicates(manifest),
            design_labels(manifest),
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
