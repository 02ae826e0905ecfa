"""``rift discover``: PRIM and feature scores of a stored batch, printed and written; bad input
exits 2 naming what is wrong."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pandas as pd
import pytest

from rift.analysis.discovery import discovery_inputs, event_target, outcome_target, prim

from .cli_helpers import bad, cli

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None


def test_discover_an_outcome_prints_and_writes_the_trajectory_and_the_box(small_batches, tmp_path):
    res = small_batches["full_rupture"]
    out = tmp_path / "d"
    args = ["discover", str(res.path), "--outcome", "control_any", "--above", "p70"]
    code, text, err = cli(*args, "--out", str(out), "--no-scores")
    assert code == 0, err
    target = outcome_target(res, "control_any", above="p70")
    want = prim(discovery_inputs(res).loc[target.runs], target.y, label=target.label)
    chosen = want.choose()
    table = pd.read_csv(out / "trajectory.csv")
    np.testing.assert_allclose(table["coverage"], want.trajectory["coverage"], rtol=1e-12)
    np.testing.assert_allclose(table["density"], want.trajectory["density"], rtol=1e-12)
    assert table.loc[table["chosen"], "box"].tolist() == [chosen]
    box = pd.read_csv(out / "box.csv", keep_default_na=False)
    assert box["dimension"].tolist() == want.restricted(chosen)
    assert f"box {chosen}: coverage" in text and "<- chosen" in text
    assert "control_any > " in text and "70th percentile" in text
    assert (out / "trajectory.png").is_file() and not (out / "scores.csv").exists()


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn (rift[toolkit]) is not installed")
def test_discover_an_event_with_scores_and_a_chosen_box(small_batches, tmp_path):
    res = small_batches["full_rupture"]
    out = tmp_path / "e"
    code, text, err = cli("discover", str(res.path), "--event", "concession", "--month", "2026-06",
                          "--box", "1", "--no-paste", "--out", str(out))  # fmt: skip
    assert code == 0, err
    target = event_target(res, "concession", "2026-06")
    assert f"({int(target.y.sum())} runs" in text and "concession by 2026-06" in text
    assert "chosen: box 1 (--box)" in text and "no pasting" in text
    scores = pd.read_csv(out / "scores.csv")
    assert scores["score"].sum() == pytest.approx(1.0)
    assert set(scores["input"]) == set(discovery_inputs(res).columns)
    assert scores["input"].iloc[0] in text  # the top score is printed
    assert (out / "feature_scores.png").is_file()
    # the same seed gives the same scores
    again = tmp_path / "again"
    cli("discover", str(res.path), "--event", "concession", "--month", "2026-06",
        "--out", str(again))  # fmt: skip
    pd.testing.assert_frame_equal(pd.read_csv(again / "scores.csv"), scores)


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        ([], ["--outcome/--event"]),
        (["--outcome", "control_any", "--event", "concession"], ["--outcome/--event"]),
        (["--outcome", "control_any"], ["--above/--below", "exactly one"]),
        (["--outcome", "control_any", "--above", "1", "--below", "2"], ["--above/--below"]),
        (["--event", "concession", "--above", "1"], ["--above/--below"]),
        (["--outcome", "control_anyy", "--above", "1"], ["--outcome", "control_any'?"]),
        (["--event", "ruptur"], ["--event", "unknown event", "Did you mean 'rupture'"]),
        (["--event", "concession", "--month", "2040-01"], ["--month", "not a month of the batch"]),
        (["--event", "concession", "--month", "June"], ["--month", "YYYY-MM"]),
        (["--outcome", "control_any", "--above", "p0"], ["--above", "pNN"]),
        (["--event", "concession", "--box", "999"], ["--box", "a box of the trajectory"]),
        (["--event", "concession", "--alpha", "0.7"], ["--alpha"]),
        (["--event", "concession", "--min-density", "2"], ["--min-density"]),
        (["--event", "concession", "--exclude", "nothing."], ["--exclude", "no input starts"]),
    ],
)
def test_bad_input_exits_2_naming_it(small_batches, extra, fragments):
    bad(cli("discover", str(small_batches["baseline"].path), *extra), *fragments)


def test_excluded_inputs_are_left_out_of_the_box_and_the_scores(small_batches, tmp_path):
    res = small_batches["full_rupture"]
    code, _, err = cli("discover", str(res.path), "--event", "concession", "--exclude", "events.",
                       "--exclude", "variant.", "--out", str(tmp_path / "x"),
                       *([] if HAS_SKLEARN else ["--no-scores"]))  # fmt: skip
    assert code == 0, err
    box = pd.read_csv(tmp_path / "x" / "box.csv")
    assert not any(d.startswith(("events.", "variant.")) for d in box["dimension"])
    if HAS_SKLEARN:
        scores = pd.read_csv(tmp_path / "x" / "scores.csv")
        kept = [
            c for c in discovery_inputs(res).columns if not c.startswith(("events.", "variant."))
        ]
        assert sorted(scores["input"]) == sorted(kept)


def test_a_missing_or_foreign_folder_exits_2(tmp_path):
    bad(cli("discover", str(tmp_path / "none"), "--event", "concession"), "manifest.json")
    (tmp_path / "empty").mkdir()
    bad(cli("discover", str(tmp_path / "empty"), "--event", "concession"), "not a rift result")


def test_an_existing_output_folder_is_refused(small_batches, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    bad(cli("discover", str(small_batches["full_rupture"].path), "--event", "concession",
            "--no-scores", "--out", str(tmp_path / "full")), "--out")  # fmt: skip


def test_without_scikit_learn_the_scores_exit_2_naming_the_extra(small_batches, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.ensemble", None)  # import fails as if absent
    path = str(small_batches["full_rupture"].path)
    bad(
        cli("discover", path, "--event", "concession"),
        "scikit-learn",
        "rift[toolkit]",
        "--no-scores",
    )


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn (rift[toolkit]) is not installed")
def test_the_report_shows_a_stored_discovery_with_its_box(small_batches, tmp_path):
    res = small_batches["full_rupture"]
    found = tmp_path / "found"
    code, _, err = cli("discover", str(res.path), "--event", "concession", "--month", "2026-06",
                       "--out", str(found))  # fmt: skip
    assert code == 0, err
    record = json.loads((found / "discovery.json").read_text())
    box = pd.read_csv(found / "box.csv")
    code, _, err = cli("report", str(res.path), "--out", str(tmp_path / "r"),
                       "--discovery", str(found))  # fmt: skip
    assert code == 0, err
    html = (tmp_path / "r" / "report.html").read_text()
    section = html[html.index(">Scenario discovery</h2>") :]
    section = section[: section.index("<h2")] if "<h2" in section else section
    assert record["target"] in section and "concession by 2026-06" in section
    assert f"coverage {record['coverage']:.2f}, density {record['density']:.2f}" in section
    assert section.count("<tr><td>") == len(box)  # a row per restricted input
    assert section.count("data:image/png;base64,") == 2  # trajectory and feature scores


def test_a_report_asked_for_a_folder_that_is_no_discovery_exits_2(small_batches, tmp_path):
    out = tmp_path / "r"
    code, _, err = cli("report", str(small_batches["baseline"].path), "--out", str(out),
                       "--discovery", str(tmp_path))  # fmt: skip
    assert code == 2
    assert "--discovery" in err and "discovery.json" in err and "Traceback" not in err
    assert not (out / "report.html").exists()
