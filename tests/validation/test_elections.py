"""Fits of the election engine and its leave-one-election-out back-test."""

from __future__ import annotations

import numpy as np
import pytest

from rift.model.election import TRANSFER_RECEIVER
from rift.model.election_data import BLOCS
from rift.parameters import registry
from rift.validation.elections import (
    backtest,
    backtest_table,
    clr,
    fit_clr_sd,
    fit_horizon,
    fit_lead_shares,
    fit_poll_error,
    fit_spreads,
    fit_transfer_records,
    fit_transfers,
    fitted_parameters,
    jackknife,
    outright_check,
)


def test_the_sd_fit_recovers_a_known_sd_from_synthetic_polls():
    rng = np.random.default_rng(0)
    sigma = 0.3
    errors = {}
    for k in range(3000):
        truth = rng.dirichlet([4, 2, 4])
        poll = np.exp(np.log(truth) + sigma * rng.standard_normal(3))
        errors[k] = clr(poll) - clr(truth)
    fit = fit_clr_sd(errors)
    assert fit.df == 6000
    assert fit.sd == pytest.approx(sigma, rel=0.03)
    assert fit.low < sigma < fit.high


def test_the_sd_interval_covers_the_truth_about_nine_times_in_ten():
    rng = np.random.default_rng(1)
    sigma, hits, trials = 0.4, 0, 400
    for _ in range(trials):
        errors = {k: clr(np.exp(sigma * rng.standard_normal(3))) for k in range(4)}
        fit = fit_clr_sd(errors)
        hits += fit.low <= sigma <= fit.high
    assert 0.84 < hits / trials < 0.96  # nominal 0.90 (5-95 %)


def test_the_transfer_fit_recovers_known_transfers():
    rng = np.random.default_rng(2)
    records = {}
    for k in range(400):
        eliminated = ["centre", "left"][k % 2]
        tau = {"centre": 0.6, "left": 0.3}[eliminated]
        s = rng.dirichlet([3, 2, 3])
        r, e = BLOCS.index(TRANSFER_RECEIVER[eliminated]), BLOCS.index(eliminated)
        p = s[r] + tau * s[e]
        v = 1 / (1 + np.exp(-(np.log(p / (1 - p)) + 0.05 * rng.standard_normal())))
        records[k] = (s, r, e, v)
    fit = fit_transfer_records(records)
    assert fit.transfer["centre"] == pytest.approx(0.6, abs=0.03)
    assert fit.transfer["left"] == pytest.approx(0.3, abs=0.03)
    assert fit.sd.sd == pytest.approx(0.05, rel=0.15)


def test_fits_on_the_data_give_the_registry_values():
    reg = registry()
    for name, value in fitted_parameters().items():
        p = reg[name]
        assert p.default == pytest.approx(value, abs=1.5e-3), name
        if p.uncertainty and name.endswith(("sd_final", "sd_horizon", "transfer.sd")):
            assert p.uncertainty["low"] < value < p.uncertainty["high"], name


def test_fitted_interval_bounds_are_the_registry_spreads():
    reg = registry()
    pairs = [(name, fit.low, fit.high) for name, fit in fit_spreads().items()]
    tr = fit_transfers().sd
    pairs.append(("election.transfer.sd", tr.low, tr.high))
    for b, fit in fit_lead_shares().items():
        if b != "left":
            pairs.append((f"election.concentration.{b}", fit.low, fit.high))
    for name, low, high in pairs:
        u = reg[name].uncertainty
        assert u["low"] == pytest.approx(low, abs=1.5e-3), name
        assert u["high"] == pytest.approx(high, abs=1.5e-3), name


def test_the_jackknife_se_of_a_mean_is_the_standard_error_of_the_mean():
    x = {2000 + i: v for i, v in enumerate([0.3, 0.9, 0.1, 0.5, 0.7])}
    fit = jackknife(lambda ys: float(np.mean([x[y] for y in ys])), x)
    se = np.std(list(x.values()), ddof=1) / np.sqrt(len(x))
    assert fit.value == pytest.approx(0.5)
    assert fit.high - fit.value == pytest.approx(1.6449 * se, rel=1e-4)
    assert fit.low == pytest.approx(max(0.0, 0.5 - 1.6449 * se), rel=1e-4)
    assert set(fit.loo) == set(x)
    one = jackknife(lambda ys: 0.4, [2018])  # nothing to leave out: a point
    assert one.low == one.value == one.high == 0.4


def test_the_spreads_leave_one_election_out_of_all_the_elections():
    spreads = fit_spreads()
    assert set(spreads["election.poll.sd_final"].loo) == {2010, 2014, 2018, 2022}
    assert set(spreads["election.poll.centre_bias"].loo) == {2018, 2022}
    # each horizon election alone still shows a squeeze of the centre
    assert min(spreads["election.poll.centre_bias"].loo.values()) > 0.5
    for fit in spreads.values():
        assert 0 <= fit.low < fit.value < fit.high
    # the jackknife spread of sd_horizon is narrower than the 3-df posterior's 5-95 % interval
    post = fit_horizon().sd
    assert spreads["election.poll.sd_horizon"].high < post.high


def test_lead_shares_are_each_blocs_leading_candidate_in_the_results():
    lead = fit_lead_shares()
    assert lead["left"].value == 1.0  # one left candidate in every first round 2010-2022
    assert lead["right"].loo[2022] == pytest.approx(28.17 / (28.17 + 23.94 + 1.28 + 0.23))
    assert lead["right"].loo[2010] == pytest.approx(46.67 / (46.67 + 10.11 + 6.13))
    for fit in lead.values():
        assert 0.5 < fit.low <= fit.value <= fit.high <= 1.0


def test_the_record_of_runoffs_is_not_improbable_under_the_refitted_engine():
    check = outright_check(n_params=40)
    assert set(check["year"]) == {2010, 2014, 2018, 2022, 2026}
    assert ((check["p_outright"] >= 0) & (check["p_outright"] <= 1)).all()
    # every election went to a runoff: 0.11 under the old spreads, 0.31 at n_params=200 now
    assert np.prod(1 - check["p_outright"]) > 0.2
    # a first-round win is rarer from the final polls than from six months out
    for year in (2018, 2022):
        rows = check[check["year"] == year].set_index("forecast")["p_outright"]
        assert rows["final polls"] < rows["six-month polls"]


def test_runoff_polls_are_more_accurate_than_first_round_polls():
    assert fit_poll_error(round_=2).sd < fit_poll_error(round_=1).sd


def test_the_centre_lost_ground_from_six_months_out_in_both_horizon_elections():
    for year in (2018, 2022):
        assert fit_horizon([year]).centre_bias > 0.5
    assert fit_horizon(bias=False).sd.sd > fit_horizon().sd.sd


@pytest.fixture(scope="module")
def table():
    return backtest(n_params=20)


def test_the_backtest_runs_and_returns_finite_scores(table):
    assert set(table["year"]) == {2018, 2022}
    assert {"final polls", "six-month polls", "given first round"} <= set(table["forecast"])
    assert {"engine", "polls-only"} == set(table["method"])
    shares = table[table["round"] != "winner"]
    assert np.isfinite(shares["crps"]).all() and (shares["crps"] >= 0).all()
    assert np.isfinite(table["log_score"]).all()
    winners = table[table["round"] == "winner"]
    assert ((winners["brier"] >= 0) & (winners["brier"] <= 2)).all()
    assert set(winners["target"]) == {"right", "left"}  # Duque 2018, Petro 2022


def test_with_drivers_at_zero_the_engine_is_the_polls_only_first_round(table):
    fr = table[(table["forecast"] == "final polls") & (table["round"] == "first round")]
    engine = fr[fr["method"] == "engine"].set_index(["year", "target"])["crps"]
    polls = fr[fr["method"] == "polls-only"].set_index(["year", "target"])["crps"]
    assert engine.to_numpy() == pytest.approx(polls.to_numpy())


def test_the_backtest_table_has_one_line_per_year_forecast_and_method(table):
    text = backtest_table(table)
    lines = [line for line in text.splitlines() if line.startswith("| 20")]
    assert len(lines) == 10
    assert "| 2022 | six-month polls | engine |" in text
    assert "P(first-round win)" in text.splitlines()[0]
    winners = table[(table["round"] == "winner") & (table["method"] == "engine")]
    assert winners["p_outright"].between(0, 1).all()
