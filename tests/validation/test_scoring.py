"""Tests of the ensemble forecast scores."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from rift.validation.forecast.scoring import (
    crps_ensemble,
    interval_hit,
    naive_trend_forecast,
    pit,
    score_table,
    summarise_scores,
)

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
ensembles = st.lists(finite, min_size=1, max_size=40)


def crps_brute(x, y) -> float:
    """E|X - y| - E|X - X'| / 2 by the O(n^2) double sum."""
    x = np.asarray(x, dtype=float)
    return float(np.abs(x - y).mean() - 0.5 * np.abs(x[:, None] - x[None, :]).mean())


def crps_normal(mu: float, sigma: float, y: float) -> float:
    z = (y - mu) / sigma
    return sigma * (
        z * (2 * stats.norm.cdf(z) - 1) + 2 * stats.norm.pdf(z) - 1 / math.sqrt(math.pi)
    )


# --- CRPS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("samples", "y", "expected"),
    [
        ([0.0, 1.0], 0.5, 0.25),  # E|X-y| = 0.5, E|X-X'|/2 = 0.25
        ([0.0, 1.0], 0.0, 0.25),  # E|X-y| = 0.5
        ([0.0, 1.0], 3.0, 2.25),  # E|X-y| = 2.5
        ([2.0], 5.0, 3.0),
        ([1.0, 2.0, 3.0], 2.0, 2 / 3 - 4 / 9),  # E|X-X'| = (2*(1+1+2))/9 = 8/9
        ([4.0, 4.0, 4.0], 4.0, 0.0),
    ],
)
def test_crps_hand_values(samples, y, expected):
    assert crps_ensemble(samples, y) == pytest.approx(expected, abs=1e-12)


def test_crps_order_and_shape_do_not_matter():
    x = np.array([[3.0, -1.0], [2.5, 7.0]])
    assert crps_ensemble(x, 1.0) == pytest.approx(crps_ensemble(np.sort(x.ravel()), 1.0))


@pytest.mark.parametrize(("mu", "sigma", "y"), [(0.0, 1.0, 0.0), (1.0, 2.0, 2.3), (5.0, 0.5, 3.0)])
def test_crps_matches_normal_closed_form(mu, sigma, y):
    # n = 200 000: the estimator's sd is about sigma * 0.6 / sqrt(n) ~ 0.0013 sigma; its bias
    # (the V-statistic's i = j pairs) is about sigma / (sqrt(pi) n).
    x = np.random.default_rng(20240601).normal(mu, sigma, 200_000)
    assert crps_ensemble(x, y) == pytest.approx(crps_normal(mu, sigma, y), abs=0.006 * sigma)


def test_crps_rejects_bad_input():
    with pytest.raises(ValueError):
        crps_ensemble([], 1.0)
    with pytest.raises(ValueError):
        crps_ensemble([1.0, np.nan], 1.0)
    with pytest.raises(ValueError):
        crps_ensemble([1.0], np.inf)


@given(ensembles, finite)
def test_crps_properties(x, y):
    tol = 1e-9 * (1.0 + max(abs(v) for v in x) + abs(y))
    crps = crps_ensemble(x, y)
    abs_error = float(np.mean(np.abs(np.asarray(x) - y)))
    assert crps >= 0.0
    assert crps <= abs_error + tol  # mean |x - y| minus a non-negative term
    assert crps == pytest.approx(crps_brute(x, y), abs=tol)


@given(ensembles, finite, finite)
def test_crps_translation_invariant(x, y, c):
    tol = 1e-9 * (1.0 + max(abs(v) for v in x) + abs(y) + abs(c))
    shifted = crps_ensemble(np.asarray(x) + c, y + c)
    assert shifted == pytest.approx(crps_ensemble(x, y), abs=tol)


@given(finite, finite)
def test_crps_single_point_is_absolute_error(x, y):
    assert crps_ensemble([x], y) == abs(x - y)


@given(ensembles, finite, st.floats(0.01, 100.0))
def test_crps_scales_with_the_data(x, y, k):
    tol = 1e-9 * k * (1.0 + max(abs(v) for v in x) + abs(y))
    assert crps_ensemble(np.asarray(x) * k, y * k) == pytest.approx(
        k * crps_ensemble(x, y), abs=tol
    )


# --- PIT and intervals --------------------------------------------------------------------------


def test_pit_values():
    x = [1.0, 2.0, 3.0, 4.0]
    assert pit(x, 0.0) == 0.0
    assert pit(x, 5.0) == 1.0
    assert pit(x, 2.5) == 0.5
    assert pit(x, 2.0) == 0.25 + 0.5 * 0.25  # mid-point of the tie without a generator
    assert pit([7.0, 7.0], 7.0) == 0.5


def test_pit_randomised_ties_reproducible_and_in_range():
    x = [1.0, 2.0, 2.0, 2.0, 3.0]
    values = [pit(x, 2.0, np.random.default_rng(s)) for s in range(50)]
    assert all(0.2 <= v <= 0.8 for v in values)
    assert len(set(values)) == 50
    assert pit(x, 2.0, np.random.default_rng(3)) == pit(x, 2.0, np.random.default_rng(3))
    assert pit(x, 2.5, np.random.default_rng(3)) == 0.8  # no tie: no randomness


@given(ensembles, finite)
def test_pit_in_unit_interval(x, y):
    assert 0.0 <= pit(x, y) <= 1.0
    assert 0.0 <= pit(x, y, np.random.default_rng(0)) <= 1.0


def test_randomised_pit_of_calibrated_counts_is_uniform():
    # Observation and ensemble from the same Poisson(1): many ties. The randomised PIT is
    # uniform; the mid-point PIT is not (its variance is 1/12 - sum p^3 / 12 ~ 1/12 - 0.009).
    rng = np.random.default_rng(7)
    rand, mid = [], []
    for _ in range(3000):
        x, y = rng.poisson(1.0, 400), rng.poisson(1.0)
        rand.append(pit(x, y, rng))
        mid.append(pit(x, y))
    assert stats.kstest(rand, "uniform").pvalue > 0.01
    assert np.mean(rand) == pytest.approx(0.5, abs=0.02)
    assert np.var(rand) == pytest.approx(1 / 12, abs=0.005)
    assert np.var(mid) < 1 / 12 - 0.005


def test_interval_hit_bounds_inclusive():
    x = np.arange(101.0)  # quantiles are exact: q-th quantile = 100 q
    assert interval_hit(x, 5.0, 0.9)
    assert interval_hit(x, 95.0, 0.9)
    assert not interval_hit(x, 4.99, 0.9)
    assert not interval_hit(x, 95.01, 0.9)
    assert interval_hit(x, 25.0, 0.5)
    assert not interval_hit(x, 24.9, 0.5)
    assert interval_hit([3.0], 3.0, 0.5)
    with pytest.raises(ValueError):
        interval_hit(x, 1.0, 1.0)


def test_interval_coverage_of_calibrated_forecasts():
    rng = np.random.default_rng(11)
    hits50 = [interval_hit(rng.normal(size=400), rng.normal(), 0.5) for _ in range(2000)]
    hits90 = [interval_hit(rng.normal(size=400), rng.normal(), 0.9) for _ in range(2000)]
    assert np.mean(hits50) == pytest.approx(0.5, abs=0.04)
    assert np.mean(hits90) == pytest.approx(0.9, abs=0.025)


# --- Naive forecast -----------------------------------------------------------------------------


def test_naive_trend_extends_a_line():
    years = np.arange(2015, 2021)
    assert naive_trend_forecast(years, 10 + 2 * (years - 2015), 2023) == pytest.approx(26.0)


def test_naive_trend_anchors_on_last_value_and_uses_last_n():
    # Fitted slope over 2018-2020 is 1, the last value is 7 (above the fitted line): 7 + 1 * 2.
    years, values = [2010, 2011, 2018, 2019, 2020], [100.0, 0.0, 5.0, 5.0, 7.0]
    assert naive_trend_forecast(years, values, 2022, n_years=3) == pytest.approx(9.0)
    # Unsorted input gives the same result.
    order = [3, 0, 4, 2, 1]
    shuffled = [years[i] for i in order], [values[i] for i in order]
    assert naive_trend_forecast(*shuffled, 2022, n_years=3) == pytest.approx(9.0)


def test_naive_trend_persistence_and_floor():
    assert naive_trend_forecast([2020], [4.0], 2025) == 4.0
    assert naive_trend_forecast([2019, 2020], [1.0, 4.0], 2025, n_years=1) == 4.0
    assert naive_trend_forecast([2020, 2020], [1.0, 4.0], 2025) == 4.0  # no time spread
    falling = [10.0, 8.0, 6.0]
    assert naive_trend_forecast([2018, 2019, 2020], falling, 2026) == 0.0
    assert naive_trend_forecast([2018, 2019, 2020], falling, 2026, floor=None) == -6.0
    assert naive_trend_forecast([2018, 2019, 2020], falling, 2026, floor=1.0) == 1.0
    with pytest.raises(ValueError):
        naive_trend_forecast([], [], 2020)
    with pytest.raises(ValueError):
        naive_trend_forecast([2020], [1.0], 2021, n_years=0)


# --- Tables -------------------------------------------------------------------------------------


def make_rows():
    rng = np.random.default_rng(5)
    return [
        {"target": "coca_ha", "date": "2023-12", "observed": 250_000.0,
         "samples": rng.normal(240_000, 20_000, 500), "naive": 230_000.0},
        {"target": "municipalities", "date": "2023-12", "observed": 12.0,
         "samples": rng.poisson(10, 500), "naive": 12.0},
        {"target": "no_naive", "date": "2024-06", "observed": 0.0,
         "samples": [np.nan, 1.0, 2.0, 3.0]},
    ]  # fmt: skip


def test_score_table_columns_and_values():
    rows = make_rows()
    table = score_table(rows)
    assert list(table.columns) == [
        "target", "date", "n", "observed", "median", "p5", "p25", "p75", "p95",
        "pit", "in50", "in90", "crps", "naive", "crps_naive",
    ]  # fmt: skip
    assert len(table) == 3
    first = table.iloc[0]
    x = rows[0]["samples"]
    assert first["median"] == pytest.approx(np.median(x))
    assert first["p5"] == pytest.approx(np.quantile(x, 0.05))
    assert first["p95"] == pytest.approx(np.quantile(x, 0.95))
    assert first["crps"] == pytest.approx(crps_ensemble(x, 250_000.0))
    assert first["crps_naive"] == 20_000.0
    assert first["pit"] == pit(x, 250_000.0)
    assert table.iloc[1]["crps_naive"] == 0.0
    last = table.iloc[2]
    assert last["n"] == 3  # the NaN sample is dropped
    assert np.isnan(last["naive"]) and np.isnan(last["crps_naive"])
    assert last["crps"] == pytest.approx(crps_ensemble([1.0, 2.0, 3.0], 0.0))
    assert table["in50"].dtype == bool and table["in90"].dtype == bool
    assert (table["p5"] <= table["p25"]).all() and (table["p75"] <= table["p95"]).all()


def test_score_table_empty():
    table = score_table([])
    assert len(table) == 0 and "crps" in table
    summary = summarise_scores(table)
    assert summary["n"] == 0 and np.isnan(summary["crps"]) and summary["n_skill"] == 0


def test_summarise_scores_by_hand():
    table = pd.DataFrame(
        {
            "observed": [100.0, 10.0, 0.0, -5.0],
            "in50": [True, False, False, True],
            "in90": [True, True, False, True],
            "crps": [20.0, 1.0, 2.0, 5.0],
            "crps_naive": [40.0, 0.0, 4.0, np.nan],
        }
    )
    s = summarise_scores(table)
    assert s["n"] == 4
    assert s["in50"] == 0.5 and s["in90"] == 0.75
    assert s["crps"] == pytest.approx(7.0)
    assert s["crps_naive"] == pytest.approx(44.0 / 3)
    # skill on relative errors over the rows with both (observed 0 and naive NaN skipped):
    # 1 - mean(20/100, 1/10) / mean(40/100, 0/10)
    assert s["skill"] == pytest.approx(1 - 0.15 / 0.2)
    assert s["n_skill"] == 2
    assert s["crps_rel"] == pytest.approx((0.2 + 0.1 + 1.0) / 3)  # observed 0 skipped
    assert s["crps_naive_rel"] == pytest.approx((0.4 + 0.0) / 2)


def test_score_table_summary_runs_end_to_end():
    s = summarise_scores(score_table(make_rows(), rng=np.random.default_rng(0)))
    assert s["n"] == 3 and s["n_skill"] == 2  # a perfect naive forecast counts too
    assert set(s) == {
        "n", "in50", "in90", "crps", "crps_naive", "crps_rel", "crps_naive_rel", "skill", "n_skill",
    }  # fmt: skip


def test_naive_growth_forecast_carries_the_last_growth_forward():
    from rift.validation.forecast.scoring import naive_growth_forecast

    years, values = [2020, 2021, 2022], [100.0, 150.0, 225.0]
    assert naive_growth_forecast(years, values, 2024) == pytest.approx(225 * 1.5**2)
    # unsorted input, and a gap of two years between the last two figures: growth per year
    assert naive_growth_forecast([2022, 2020], [200.0, 50.0], 2023) == pytest.approx(400.0)
    assert naive_growth_forecast([2019], [213.0], 2024) == 213.0  # one figure: persistence
    assert naive_growth_forecast([2020, 2021], [0.0, 5.0], 2023) == 5.0  # no growth from zero
    assert naive_growth_forecast([2020, 2021], [10.0, 5.0], 2030, floor=None) > 0


def test_summary_scores_both_naive_forecasts():
    rng = np.random.default_rng(1)
    rows = [
        {"target": "a", "date": "2023-12", "observed": 100.0, "samples": rng.normal(100, 5, 200),
         "naive": 80.0, "growth": 130.0, "sample": "out"},
        {"target": "b", "date": "2024-12", "observed": 50.0, "samples": rng.normal(55, 5, 200),
         "naive": 50.0, "growth": 40.0, "sample": "in"},
    ]  # fmt: skip
    table = score_table(rows)
    assert list(table["sample"]) == ["out", "in"] and "crps_growth" in table
    s = summarise_scores(table)
    expected = 1 - (table["crps"] / table["observed"]).mean() / np.mean([0.2, 0.0])
    assert s["skill"] == pytest.approx(expected)
    assert s["skill_growth"] == pytest.approx(
        1 - (table["crps"] / table["observed"]).mean() / np.mean([0.3, 0.2])
    )
