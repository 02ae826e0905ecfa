"""Shared fixtures and helpers for the rift tests."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SCENARIOS = ROOT / "scenarios"


def reference_rows() -> list[dict[str, str]]:
    """Rows of the packaged reference.csv."""
    from importlib import resources

    text = resources.files("rift.data").joinpath("reference.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def reference_value(key: str, date: str) -> float:
    """The value of a reference row by key and date."""
    for row in reference_rows():
        if row["key"] == key and row["date"] == date:
            return float(row["value"])
    raise KeyError((key, date))


def paired_interval(diff: np.ndarray, z: float = 1.96) -> tuple[float, float, float]:
    """Mean of paired differences and its normal 95 % interval."""
    d = np.asarray(diff, dtype=float)
    m = d.mean()
    se = d.std(ddof=1) / np.sqrt(len(d))
    return m, m - z * se, m + z * se


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def small_batches(tmp_path_factory) -> dict:
    """Small stored batches for analysis tests: baseline and full_rupture with the same root
    seed (paired), and baseline with another seed (unpaired). 2025-01..2026-12, 24 runs each.

    Under pytest-xdist the workers share one set, made by the first worker that needs it
    (the others wait on a lock and read it): the batches are inputs here, not what is tested.
    """
    import fcntl
    import os

    from rift.experiment import run_scenario
    from rift.results import load
    from rift.scenario import load_scenario

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the session's folder, common to its workers
    base = shared / "small_batches"
    base.mkdir(exist_ok=True)
    short = ["runs=24", "end=2026-12"]
    out = {}
    with (shared / "small_batches.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for key, name, extra in (
            ("baseline", "forecast_2025_12", []),  # the keys are older than the names
            ("full_rupture", "from_2025/full_rupture", []),
            ("baseline_other_seed", "forecast_2025_12", ["seed=7"]),
        ):
            if not (base / key / "manifest.json").is_file():
                scenario = load_scenario(SCENARIOS / f"{name}.yaml", short + extra)
                run_scenario(scenario, executor="serial", out=base / key, quiet=True)
            out[key] = load(base / key)
    return out


def ctrl_c_after(monkeypatch, runs: int) -> None:
    """Make a serial batch write a part per run and raise Ctrl-C once ``runs`` are stored.

    ``monkeypatch.undo()`` restores the writer (before the batch is resumed).
    """
    import rift.results.layout as layout
    import rift.results.writer as writer_module
    from rift.results.writer import ResultWriter

    monkeypatch.setattr(writer_module, "FLUSH_RUNS", 1)  # a part per run
    monkeypatch.setattr(layout, "FLUSH_RUNS", 1)
    original, seen = ResultWriter.add, []

    def add_then_ctrl_c(self, output):
        original(self, output)
        seen.append(output.index)
        if len(seen) == runs:
            raise KeyboardInterrupt

    monkeypatch.setattr(ResultWriter, "add", add_then_ctrl_c)
