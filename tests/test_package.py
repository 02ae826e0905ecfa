"""The package as users meet it: what ``import rift`` lists, ``python -m rift``, the reprs,
and what the wheel holds."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

import rift
from rift.results import ok_runs

from .conftest import ROOT


def test_dir_lists_the_lazy_api():
    names = dir(rift)
    for name in ("simulate", "run_batch", "load", "Results", "Run", "__version__"):
        assert name in names
        assert getattr(rift, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        rift.nothing  # noqa: B018


def test_python_dash_m_rift_is_the_command():
    proc = subprocess.run(
        [sys.executable, "-m", "rift", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: rift")
    assert "rift run scenarios/baseline.yaml" in proc.stdout


def test_results_repr_is_one_short_line(small_batches):
    res = small_batches["baseline"]
    text = repr(res)
    assert "\n" not in text and len(text) < 300, text
    assert "'forecast_2025_12'" in text and "24 runs (24 ok)" in text and "2025-01..2026-12" in text


def test_ok_runs_leaves_out_the_failed_runs(small_batches):
    runs = small_batches["baseline"].runs.copy()
    runs.loc[runs.index[:3], "error"] = "ValueError: broken"
    kept = ok_runs(runs)
    assert len(kept) == len(runs) - 3 and kept["error"].isna().all()
    assert ok_runs(runs.drop(columns="error")).equals(runs.drop(columns="error"))
    assert small_batches["baseline"].ok_runs["error"].isna().all()


def test_run_repr_is_one_short_line():
    run = rift.simulate({"name": "short", "end": "2025-03", "runs": 4}, run=2)
    text = repr(run)
    assert "\n" not in text and len(text) < 200, text
    assert text.startswith("<Run 2 of 'short'") and "2025-01..2025-03" in text


def test_the_wheel_holds_the_license_the_type_marker_and_the_main(tmp_path):
    pytest.importorskip("hatchling")
    proc = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("rift-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rift/py.typed" in names and "rift/__main__.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "rift/data/record_2025_2026.csv" in names  # the data travels with the code
