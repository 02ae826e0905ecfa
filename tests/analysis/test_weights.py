"""A batch conditioned on observations is weighted everywhere: the summary, the headline, the
figures' statistics and the comparison; ``unweighted()`` gives the plain batch back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rift.analysis.compare import compare
from rift.analysis.distributions import event_curve, fan_quantiles, flag_probability
from rift.analysis.summary import category_shares, event_probability, horizon_summary
from rift.analysis.weights import (
    effective_sample_size,
    run_weights,
    weighted_mean,
    weighted_quantile,
    weighting_note,
    weights_for,
)
from rift.report import headline_numbers

from ..cli_helpers import cli

OBS = """name: obs
runs: 24
end: 2026-06
observations:
  - {outcome: coca_ha, month: 2025-12, value: 262000, sd: 15000, source: a test figure}
  - {outcome: presence_egc, month: 2026-03, value: 420, sd: 30, source: a test figure}
"""


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """A conditioned batch, and the same scenario without observations (same seed: paired)."""
    import yaml

    from rift.experiment import run_scenario
    from rift.results import load
    from rift.scenario import scenario_from_dict

    base = tmp_path_factory.mktemp("weights")
    data = yaml.safe_load(OBS)
    plain = {k: v for k, v in data.items() if k != "observations"} | {"name": "plain"}
    out = {}
    for key, d in (("obs", data), ("plain", plain)):
        s = scenario_from_dict(d)
        out[key] = load(run_scenario(s, executor="serial", out=base / key, quiet=True).path)
    return out


# --------------------------------------------------------------------------- the statistics
def test_quantiles_without_weights_are_numpys():
    x = np.random.default_rng(1).normal(size=(50, 3))
    q = [0.05, 0.5, 0.95]
    assert np.array_equal(weighted_quantile(x, q), np.quantile(x, q, axis=0))
    equal = np.full(50, 1 / 50)
    assert np.allclose(weighted_quantile(x, q, equal), np.quantile(x, q, axis=0), rtol=1e-12)


def test_a_weight_on_one_run_is_that_run():
    x = np.arange(10.0)
    w = np.zeros(10)
    w[7] = 1.0
    assert weighted_quantile(x, [0.05, 0.5, 0.95], w).tolist() == [7.0, 7.0, 7.0]
    assert weighted_mean(x, w) == 7.0
    assert effective_sample_size(w, 10) == pytest.approx(1.0)
    assert effective_sample_size(None, 10) == 10


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40),
    st.lists(st.floats(0.0, 5.0, allow_nan=False), min_size=40, max_size=40),
)
def test_weighted_quantiles_are_monotone_and_inside_the_data(values, raw):
    x = np.asarray(values)
    w = np.asarray(raw[: len(x)])
    if w.sum() <= 0:
        w = np.ones(len(x))
    w = w / w.sum()
    qs = weighted_quantile(x, np.linspace(0, 1, 11), w)
    assert np.all(np.diff(qs) >= -1e-9 * max(1.0, np.abs(x).max()))
    kept = x[w > 0]
    assert qs.min() >= kept.min() - 1e-9 and qs.max() <= kept.max() + 1e-9


def test_weights_for_follows_the_run_order():
    import pandas as pd

    w = pd.Series([0.5, 0.3, 0.2], index=pd.Index([4, 1, 9], name="run"))
    assert weights_for([9, 4], w).tolist() == pytest.approx([0.2 / 0.7, 0.5 / 0.7])
    assert weights_for([9, 4], None) is None


# --------------------------------------------------------------------------- a conditioned batch
def test_a_conditioned_batch_has_weights_and_a_plain_one_not(batches):
    w = run_weights(batches["obs"])
    assert w is not None and w.sum() == pytest.approx(1.0) and len(w) == 24
    assert not np.allclose(w, 1 / 24)  # the observations discriminate between runs
    assert run_weights(batches["plain"]) is None
    assert run_weights(batches["obs"].unweighted()) is None
    note = weighting_note(batches["obs"])
    assert "effective sample size" in note and "of 24 runs" in note
    assert weighting_note(batches["plain"]) is None


def test_the_summary_is_weighted_and_unweighted_on_request(batches):
    res = batches["obs"]
    w = run_weights(res)
    runs = res.ok_runs
    weighted = horizon_summary(runs, ["coca_ha"], w).iloc[0]
    plain = horizon_summary(runs, ["coca_ha"]).iloc[0]
    x = runs["coca_ha"].to_numpy(float)
    wx = w.reindex(runs["run"]).to_numpy()
    assert weighted["mean"] == pytest.approx(np.sum(wx * x) / wx.sum())
    assert plain["mean"] == pytest.approx(x.mean())
    assert weighted["mean"] != pytest.approx(plain["mean"], rel=1e-9)
    flags = runs["rupture_month"].notna().to_numpy(float)
    assert event_probability(runs, "rupture", weights=w) == pytest.approx(np.sum(wx * flags))
    shares = category_shares(runs, ["president"], w)
    assert shares["share"].sum() == pytest.approx(1.0)


def test_figures_statistics_and_the_headline_are_weighted(batches):
    res = batches["obs"]
    fan_w = fan_quantiles(res, "coca_ha", [0.5])
    fan_p = fan_quantiles(res.unweighted(), "coca_ha", [0.5])
    assert not np.allclose(fan_w.to_numpy(), fan_p.to_numpy())
    assert fan_p.equals(fan_quantiles(batches["plain"], "coca_ha", [0.5]))  # paired runs
    curve = event_curve(res, "rupture")
    assert curve.is_monotonic_increasing and curve.iloc[-1] <= 1.0 + 1e-12
    assert flag_probability(res, "us_tariffs").between(0, 1).all()
    head_w, head_p = headline_numbers(res), headline_numbers(res.unweighted())
    assert head_p == headline_numbers(batches["plain"])
    assert head_w != head_p


def test_the_comparison_is_weighted_and_says_so(batches):
    comp = compare([batches["plain"], batches["obs"]])
    assert comp.paired and "weighted by their observations: obs" in comp.note
    diffs = comp.differences.set_index("outcome")
    assert diffs.loc["coca_ha", "test"] == "weighted paired bootstrap"
    # The same runs under two weightings: the difference is the change the weights make.
    res = batches["obs"]
    runs = res.ok_runs.set_index("run")
    w = run_weights(res).reindex(runs.index).to_numpy()
    x = runs["coca_ha"].to_numpy(float)
    assert diffs.loc["coca_ha", "difference"] == pytest.approx(np.sum(w * x) - x.mean())
    plain = compare([batches["plain"], batches["obs"].unweighted()])
    assert plain.differences.set_index("outcome").loc["coca_ha", "difference"] == 0.0


@pytest.mark.slow  # two comparisons and a report with every figure
def test_the_command_line_shows_the_weights(batches, tmp_path):
    code, out, err = cli("compare", str(batches["plain"].path), str(batches["obs"].path),
                         "--out", str(tmp_path / "c"), "--no-report")  # fmt: skip
    assert code == 0, err
    assert "weighted by their observations" in out
    code, out2, err = cli("compare", str(batches["plain"].path), str(batches["obs"].path),
                          "--out", str(tmp_path / "u"), "--no-report", "--unweighted")  # fmt: skip
    assert code == 0, err
    assert "weighted by their observations" not in out2
    code, _, err = cli("report", str(batches["obs"].path), "--out", str(tmp_path / "r"))
    assert code == 0, err
    html = (tmp_path / "r" / "report.html").read_text()
    assert "weighted by its observations, effective sample size" in html
