"""Data assimilation: likelihood weights, systematic resampling, the ESS and its warning, the
scenario's observations block, and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rift.analysis.assimilation import (
    Observation,
    assimilate,
    assimilation_frame,
    conditioned_series,
    log_likelihood,
    systematic_resample,
)
from rift.cli import main
from rift.results import series_array


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=1, max_size=60).filter(
        lambda w: sum(w) > 1e-6
    ),
    st.floats(0.0, 0.999999),
)
def test_systematic_resampling_keeps_each_run_in_proportion(weights, u):
    w = np.asarray(weights) / np.sum(weights)
    idx = systematic_resample(w, u)
    n = len(w)
    assert len(idx) == n and idx.min() >= 0 and idx.max() < n
    copies = np.bincount(idx, minlength=n)
    # floor(n w) or ceil(n w) copies (up to rounding of the cumulative sum)
    assert np.all(copies >= np.floor(n * w - 1e-9) - 1e-9)
    assert np.all(copies <= np.ceil(n * w + 1e-9) + 1e-9)
    assert np.all(copies[w == 0] == 0)


def test_log_likelihood_is_the_gaussian_density():
    ob = Observation("coca_ha", "2025-12", 250_000.0, 20_000.0, "test")
    x = np.array([200_000.0, 250_000.0, 310_000.0])
    assert np.allclose(log_likelihood(x, ob), stats.norm(250_000, 20_000).logpdf(x))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from rift.experiment import run_scenario
    from rift.results import load
    from rift.scenario import load_scenario

    s = load_scenario("forecast_2025_12", ["runs=40", "end=2026-12"])
    out = tmp_path_factory.mktemp("assim") / "b"
    return load(run_scenario(s, executor="serial", out=out, quiet=True).path)


def test_a_precise_observation_picks_the_runs_that_match_it(batch):
    values, runs, months = series_array(batch, "coca_ha")
    col = months.index("2025-12")
    target = float(values[7, col])
    obs = [Observation("coca_ha", "2025-12", target, 1.0, "test")]
    tight = assimilate(batch, obs, model_error=0.0)
    assert tight.ess == pytest.approx(1.0, abs=0.05) and tight.collapsed
    assert set(tight.conditioned(runs)) == {runs[7]}
    assert "collapsed" in tight.message()
    loose = assimilate(batch, [Observation("coca_ha", "2025-12", target, 1e9, "test")])
    assert loose.ess == pytest.approx(len(runs), rel=1e-3) and not loose.collapsed
    assert sorted(loose.conditioned(runs)) == sorted(runs)  # every run once


def test_the_calibrations_tolerance_is_the_model_error(batch):
    """A run is not asked to match a figure better than the calibration asked of it."""
    from rift.analysis.assimilation import model_error_of
    from rift.calibration import load_calibration

    sampling = batch.manifest["scenario"]["sampling"]
    record = load_calibration(sampling.get("calibrated_through"))
    assert sampling["calibrated"] and model_error_of(batch) == record["posterior"]["epsilons"][-1]
    values, _, months = series_array(batch, "coca_ha")
    target = float(np.median(values[:, months.index("2025-12")]))
    obs = [Observation("coca_ha", "2025-12", target, 0.01 * target, "test")]
    default, bare = assimilate(batch, obs), assimilate(batch, obs, model_error=0.0)
    assert default.model_error == model_error_of(batch) > 0
    assert default.ess > bare.ess
    assert f"model error {default.model_error:.0%}" in default.message()


def test_conditioning_moves_the_ensemble_toward_the_observation(batch):
    values, runs, months = series_array(batch, "coca_ha")
    col = months.index("2025-12")
    high = float(np.quantile(values[:, col], 0.9))
    sd = float(np.std(values[:, col])) / 2
    # without the calibration's model error (27 % of the value, which would make this
    # observation almost uninformative at 40 runs): the mechanics of conditioning alone
    ob = Observation("coca_ha", "2025-12", high, sd, "test")
    fit = assimilate(batch, [ob], model_error=0.0)
    series, _ = conditioned_series(batch, "coca_ha", fit)
    assert np.median(series[:, col]) > np.median(values[:, col])
    # later months follow the runs that matched (coca is persistent)
    last = months.index("2026-12")
    assert np.median(series[:, last]) > np.median(values[:, last])
    assert 1 < fit.ess < len(runs)
    frame = assimilation_frame(fit)
    assert frame["weight"].sum() == pytest.approx(1.0) and frame["copies"].sum() == len(runs)
    row = fit.table.iloc[0]
    assert row["median_after"] > row["median_before"]


def test_the_same_seed_resamples_the_same_runs(batch):
    ob = [Observation("presence_egc", "2026-06", 400.0, 30.0, "test")]
    a, b = assimilate(batch, ob), assimilate(batch, ob)
    assert np.array_equal(a.indices, b.indices)
    c = assimilate(batch, ob, seed=1)
    assert np.array_equal(a.weights, c.weights)


def test_an_observation_outside_the_batch_is_refused(batch):
    with pytest.raises(ValueError, match="outside the batch"):
        assimilate(batch, [Observation("coca_ha", "2031-01", 1.0, 1.0, "x")])


OBS = """name: obs
runs: 12
end: 2026-06
observations:
  - {outcome: coca_ha, month: 2025-12, value: 262000, sd: 26000, source: a test figure}
  - {outcome: presence_egc, month: 2026-03, value: 420, sd: 40, source: a test figure}
"""


@pytest.mark.slow
def test_rift_run_conditions_on_the_scenarios_observations(tmp_path, capsys):
    f = tmp_path / "obs.yaml"
    f.write_text(OBS)
    out = tmp_path / "r"
    assert main(["run", str(f), "--executor", "serial", "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "assimilated 2 observation(s) (model error" in text and "effective sample size" in text
    frame = pd.read_parquet(out / "assimilation.parquet")
    assert len(frame) == 12 and frame["copies"].sum() == 12
    assert frame["weight"].sum() == pytest.approx(1.0)
    html = (out / "report.html").read_text()
    assert "Observations assimilated" in html and "a test figure" in html


@pytest.mark.parametrize(
    ("entry", "key", "expected"),
    [
        ("{outcome: coca, month: 2025-12, value: 1, sd: 1, source: abc}", "outcome", "coca_ha"),
        ("{outcome: coca_ha, month: 2031-12, value: 1, sd: 1, source: abc}", "month", "horizon"),
        ("{outcome: coca_ha, month: 2025-12, value: 1, sd: 0, source: abc}", "sd", "greater"),
        ("{outcome: coca_ha, month: 2025-12, value: 1, sd: 1}", "source", "required"),
        ("{outcome: president, month: 2025-12, value: 1, sd: 1, source: abc}", "outcome", "one"),
    ],
)
def test_bad_observations_are_refused_with_the_key(tmp_path, capsys, entry, key, expected):
    f = tmp_path / "bad.yaml"
    f.write_text(f"name: bad\nobservations:\n  - {entry}\n")
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"observations[0].{key}" in err or f"observations.0.{key}" in err, err
    assert expected in err and "Traceback" not in err


def test_a_small_uniform_batch_is_not_called_collapsed():
    """ESS 100 % and "weights collapsed" never appear together."""
    from rift.analysis.assimilation import Assimilation

    fit = Assimilation.__new__(Assimilation)
    object.__setattr__(fit, "weights", np.full(8, 1 / 8))
    object.__setattr__(fit, "observations", [])
    object.__setattr__(fit, "model_error", 0.0)
    assert fit.ess == pytest.approx(8) and not fit.collapsed
    assert "collapsed" not in fit.message() and "too small" in fit.message()
    object.__setattr__(fit, "weights", np.array([0.9, *[0.1 / 7] * 7]))
    assert fit.collapsed and "collapsed" in fit.message()
