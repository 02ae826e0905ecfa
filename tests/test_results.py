"""The results store: complete, interrupted, killed and resumed batches."""

import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rift.cli import main
from rift.errors import InputError
from rift.experiment import resume_scenario, run_scenario
from rift.record import RECORD, storage_dtype
from rift.results import load, missing_runs, partial_path, series_array
from rift.scenario import load_scenario

SHORT = """\
name: short
start: 2025-01
end: 2025-12
runs: {runs}
seed: 11
uncertain:
  col.aid_dependence: {{dist: uniform, low: 0.05, high: 0.3}}
  init.us_certification: {{dist: choice, values: [certified, waiver]}}
"""


def scenario_file(tmp_path: Path, runs: int, end: str = "2025-12") -> Path:
    f = tmp_path / "short.yaml"
    f.write_text(SHORT.format(runs=runs).replace("end: 2025-12", f"end: {end}"))
    return f


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _same_tables(a, b) -> None:
    cols = [c for c in a.runs.columns if c != "seconds"]
    pd.testing.assert_frame_equal(a.runs[cols], b.runs[cols])
    pd.testing.assert_frame_equal(a.series, b.series)
    for k in ("control_counts", "none_counts", "controller", "run_index"):
        assert np.array_equal(a.territory[k], b.territory[k])


def test_a_complete_store_opens_in_pandas_and_checks(tmp_path):
    s = load_scenario(scenario_file(tmp_path, 8))
    stored = run_scenario(s, executor="serial", out=tmp_path / "res")
    assert stored.complete and stored.path == tmp_path / "res"
    assert {p.name for p in stored.path.iterdir()} == {
        "manifest.json",
        "runs.parquet",
        "series.parquet",
        "territory.npz",
    }
    assert not partial_path(stored.path).exists()
    runs = pd.read_parquet(stored.path / "runs.parquet")
    series = pd.read_parquet(stored.path / "series.parquet")
    assert list(runs["run"]) == list(range(8))
    assert {
        "seed",
        "param.col.aid_dependence",
        "param.init.us_certification",
        "control_any",
        "rupture_month",
        "recertification_month",
        "error",
    } <= set(runs.columns)
    assert runs["seed"][3] == "11/3"
    assert len(series) == 8 * 12 and list(series.columns[:2]) == ["run", "month"]
    assert series["month"].iloc[0] == "2025-01" and str(series["presence_any"].dtype) == "int16"
    manifest = json.loads((stored.path / "manifest.json").read_text())
    for key in (
        "scenario",
        "scenario_hash",
        "seed",
        "versions",
        "git_commit",
        "executor",
        "started",
        "finished",
        "runs",
        "runs_done",
        "failures",
        "complete",
    ):
        assert key in manifest, key
    assert manifest["complete"] and manifest["runs_done"] == 8 and manifest["failures"] == []
    assert manifest["versions"]["mesa"] and manifest["scenario_hash"] == s.hash()
    res = load(stored.path)
    assert res.complete and res.name == "short"
    values, _run_idx, months = series_array(res, "coca_ha")
    assert values.shape == (8, 12) and months[-1] == "2025-12"
    counts = res.territory["control_counts"]
    assert counts.shape == (3, 1122)
    assert (counts.sum(axis=0) + res.territory["none_counts"] == 8).all()
    assert (
        counts.sum(axis=1)
        == np.bincount(res.territory["controller"][res.territory["controller"] >= 0], minlength=3)
    ).all()


def test_store_matches_a_direct_run(tmp_path):
    from rift.model import AllianceModel
    from rift.seeds import run_seed

    s = load_scenario(scenario_file(tmp_path, 3))
    res = load(run_scenario(s, executor="serial", out=tmp_path / "r").path)
    params = {
        column.removeprefix("param."): res.runs[column][2]
        for column in res.runs.columns
        if column.startswith("param.")
    }
    assert {"col.aid_dependence", "init.us_certification", "coca.capacity_ha"} <= set(params)
    direct = AllianceModel(
        rng=run_seed(11, 2), end="2025-12", parameters=params, calibrated=False
    ).run()
    rows = res.series[res.series["run"] == 2]
    for k, name in enumerate(direct.names):
        if RECORD.outcome(name).kind == "category":  # stored with its labels
            codes = rows[name].cat.codes.to_numpy()
            assert list(rows[name].cat.categories) == list(RECORD.outcome(name).labels)
            assert np.array_equal(codes, direct.series[:, k])
        else:
            assert np.array_equal(rows[name].to_numpy(dtype=float), direct.series[:, k]), name
    assert res.runs["president"].iloc[2] == direct.horizon()["president"]


@pytest.mark.slow
def test_existing_results_are_never_overwritten(tmp_path, capsys):
    f = scenario_file(tmp_path, 2)
    out = tmp_path / "res"
    assert main(["run", str(f), "--out", str(out), "--quiet"]) == 0
    before = _digest(out)
    assert "report.html" in before and "figures/fan_control_any.png" in before
    assert main(["run", str(f), "--out", str(out), "--quiet"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert _digest(out) == before


def test_unwritable_out_is_bad_input(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["run", str(scenario_file(tmp_path, 1)), "--out", str(blocker / "sub" / "r")]) == 2
    err = capsys.readouterr().err
    # The parent is a file: named as such, not "cannot write" nor "another batch".
    assert "--out" in err and f"{blocker}," in err and "is a file, not a folder" in err
    assert "Traceback" not in err and "another batch" not in err


def test_load_rejects_a_folder_that_is_not_a_result(tmp_path):
    with pytest.raises(InputError, match="no manifest"):
        load(tmp_path)


def _default_sigint() -> None:
    """A shell that starts a job in the background (``cmd &``) ignores SIGINT in it, and a
    Python started with SIGINT ignored never raises KeyboardInterrupt: restore the default so
    that the batch sees Ctrl-C however the test suite itself was started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(tmp_path, f, out, extra=()):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rift.cli",
            "run",
            str(f),
            "--out",
            str(out),
            "--workers",
            "2",
            "--quiet",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_default_sigint,
    )


def _wait_for_parts(out: Path, timeout: float = 120) -> None:
    parts = partial_path(out) / "parts"
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if parts.is_dir() and len(list(parts.glob("part-*.npz"))) >= 2:
            return
        time.sleep(0.2)
    raise AssertionError("no parts written")


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("how", ["sigint", "sigkill"])
def test_interrupted_batch_keeps_runs_and_resumes_to_the_same_result(tmp_path, how):
    # The whole horizon, so that the signal lands while runs are still going.
    f = scenario_file(tmp_path, 300, end="2030-12")
    out = tmp_path / "cut"
    proc = _start(tmp_path, f, out)
    _wait_for_parts(out)
    proc.send_signal(signal.SIGINT if how == "sigint" else signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    work = partial_path(out)
    assert not out.exists() and work.is_dir(), (proc.returncode, err[-2000:])
    partial = load(work)  # a valid partial result, marked incomplete
    assert not partial.complete
    done = len(partial.runs)
    assert 0 < done < 300
    assert missing_runs(partial) and len(missing_runs(partial)) == 300 - done
    if how == "sigint":
        assert proc.returncode == 130 and "--resume" in err
        assert json.loads((work / "manifest.json").read_text())["status"] == "incomplete"
    # Resume with another scenario: refused, nothing damaged.
    other = tmp_path / "other.yaml"
    other.write_text(f.read_text().replace("seed: 11", "seed: 12"))
    before = _digest(work / "parts")
    assert main(["run", str(other), "--resume", str(work), "--quiet"]) == 2
    assert _digest(work / "parts") == before
    # Resume: only the missing runs, then the same result as an uninterrupted batch. After
    # Ctrl-C the printed hint is pasted as it is.
    if how == "sigint":
        hint = err.split("Finish with:")[1].strip().splitlines()[0]
        assert hint == f"rift run --resume {work}"
        assert main(shlex.split(hint)[1:]) == 0
    else:
        assert main(["run", "--resume", str(work), "--quiet", "--workers", "2", "--no-report"]) == 0
    assert out.is_dir() and not work.exists()
    resumed = load(out)
    assert resumed.complete and len(resumed.runs) == 300
    assert resumed.manifest["resumed"][0]["runs_already_done"] >= done
    whole = load(run_scenario(load_scenario(f), workers=2, out=tmp_path / "whole").path)
    _same_tables(resumed, whole)


def test_resume_of_a_complete_batch_is_refused(tmp_path, capsys):
    f = scenario_file(tmp_path, 2)
    stored = run_scenario(load_scenario(f), executor="serial", out=tmp_path / "done")
    with pytest.raises(InputError, match="already complete"):
        resume_scenario(stored.path)
    assert main(["run", str(f), "--resume", str(tmp_path / "nothing")]) == 2
    assert "interrupted" in capsys.readouterr().err


def test_failures_are_listed_and_exit_nonzero(tmp_path, capsys):
    f = tmp_path / "fail.yaml"
    f.write_text(
        textwrap.dedent("""\
        name: fail
        end: 2025-03
        runs: 4
        uncertain:
          zone.cut_4: {dist: choice, values: [0.6, 0.3]}
    """)
    )
    args = ["run", str(f), "--out", str(tmp_path / "r"), "--quiet", "--workers", "2", "--no-report"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "run(s) failed" in err and "zone cuts must increase" in err
    res = load(tmp_path / "r")
    failures = res.manifest["failures"]
    assert len(failures) == 2 and {"run", "seed", "error"} <= set(failures[0])
    assert res.runs["error"].notna().sum() == 2
    assert len(res.series) == 2 * 3  # only successful runs have series


def test_series_columns_are_stored_by_kind(tmp_path):
    res = load(
        run_scenario(
            load_scenario(scenario_file(tmp_path, 2)), executor="serial", out=tmp_path / "r"
        ).path
    )
    for o in RECORD.outcomes:
        dtype = res.series[o.name].dtype
        if o.kind == "category":
            assert isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == list(
                o.labels
            )
            assert res.runs[o.name].isin(o.labels).all()  # labels, never codes
        else:
            assert str(dtype) == storage_dtype(o), o.name


def test_a_failing_table_write_leaves_no_manifest_and_no_torn_file(tmp_path, monkeypatch):
    """The tables are written side by side; if one fails, nothing vouches for the others."""
    from rift.results import writer as store

    def broken(self, path, **kwargs):
        if "series" in str(path) or Path(path).name.startswith(".series"):
            raise OSError("disk full")
        return original(self, path, **kwargs)

    original = pd.DataFrame.to_parquet
    monkeypatch.setattr(pd.DataFrame, "to_parquet", broken)
    runs = pd.DataFrame({"run": [0, 1]})
    series = pd.DataFrame({"run": [0, 1], "month": ["2025-01", "2025-01"]})
    with pytest.raises(OSError, match="disk full"):
        store._write_tables(tmp_path, runs, series, {"a": np.arange(3)}, {"complete": True})
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "manifest.json" not in names
    assert "series.parquet" not in names
    assert not [n for n in names if n.startswith(".")], names  # no temporary file left
    assert pd.read_parquet(tmp_path / "runs.parquet")["run"].tolist() == [0, 1]
    assert np.array_equal(np.load(tmp_path / "territory.npz")["a"], np.arange(3))
