"""``rift validate-forecast``: the archived forecast scored against the record of 2026."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from rift.cli import main
from rift.experiment import run_scenario
from rift.present import coded_record
from rift.results import load
from rift.scenario import load_scenario, shipped_scenarios
from rift.validation.forecast.record_2026 import FORECAST, HORIZONS, _binary, score_forecast

RUNS = 6


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    out = tmp_path_factory.mktemp("forecast")
    got = {}
    for h in HORIZONS:
        s = load_scenario(shipped_scenarios()[FORECAST], [f"runs={RUNS}", f"end={h}"])
        got[h] = load(run_scenario(s, executor="serial", out=out / h, quiet=True).path)
    return got


def test_the_archived_forecast_starts_in_2025_and_sees_no_2026_data():
    s = load_scenario(shipped_scenarios()[FORECAST])
    assert s.start == "2025-01" and s.from_ is None and not s.observations
    assert s.calibration is not None and "2024-12" in s.calibration


@pytest.mark.slow  # three small batches of the forecast to 2026-12
def test_a_runs_path_does_not_depend_on_its_horizon(batches):
    """What makes the deal count in a window a difference of two horizons."""
    short, long = batches["2025-12"].series, batches["2026-12"].series
    cut = long[long["month"].astype(str).str[:7] <= "2025-12"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        short.reset_index(drop=True), cut, check_categorical=False, check_dtype=False
    )
    a = batches["2025-12"].runs.set_index("run")["deals"]
    b = batches["2026-02"].runs.set_index("run")["deals"]
    assert (b >= a).all()


@pytest.mark.slow  # three small batches of the forecast to 2026-12
def test_the_scores_use_what_the_record_says(batches):
    scored = score_forecast(batches)
    rec = coded_record()
    e = scored.events.set_index("what")
    assert e.loc["a leader-to-leader deal in 2026-01..2026-02", "observed"] == 1
    assert e.loc["US measures in force in 2026-03 below their late-2025 peak", "observed"] == 1
    assert e.loc["the first round decides the election (no runoff)", "observed"] == 0
    assert rec.winner().bloc == "right" and "the right wins (runoff of 2026-06)" in e.index
    for r in scored.events.itertuples():
        assert r.brier == pytest.approx((r.forecast - r.observed) ** 2)
        assert 0 <= r.forecast <= 1 and math.isfinite(r.log)
    shares = scored.shares.set_index("what")
    assert shares.loc["first round: the left's share", "observed"] == pytest.approx(0.409)
    assert shares.loc["first round: the right's share", "observed"] == pytest.approx(0.437)
    two = shares.loc["runoff: the right's share of the two candidates' votes", "observed"]
    assert two == pytest.approx(0.4966 / (0.4966 + 0.487))
    # every figure of the record in the horizon is scored, none twice
    wanted = {(f.observable, f.month) for f in rec.figures}
    assert len(scored.figures) == len(scored.figures.drop_duplicates(["observable", "month"]))
    assert len(scored.figures) >= 0.8 * len(wanted)
    assert scored.runs == RUNS


def test_binary_scores_penalise_confident_misses_more():
    sure_wrong = _binary("x", 0.0, 1, 200, "coin", 0.5, "")
    hedged = _binary("x", 0.4, 1, 200, "coin", 0.5, "")
    assert sure_wrong["brier"] == 1 and sure_wrong["log"] == pytest.approx(math.log(400))
    assert hedged["log"] < sure_wrong["log"] and hedged["brier"] < sure_wrong["brier"]


@pytest.mark.slow  # three small batches of the forecast to 2026-12
def test_batches_of_different_seeds_are_refused(batches):
    other = dict(batches)
    s = load_scenario(shipped_scenarios()[FORECAST], ["runs=2", "end=2025-12", "seed=3"])
    out = batches["2025-12"].path.parent / "seed3"
    other["2025-12"] = load(run_scenario(s, executor="serial", quiet=True, out=out).path)
    with pytest.raises(ValueError, match="different seeds"):
        score_forecast(other)


def test_the_command_refuses_an_existing_folder(tmp_path, capsys):
    assert main(["validate-forecast", "--out", str(tmp_path), "--runs", "2"]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "exists" in err and "Traceback" not in err
