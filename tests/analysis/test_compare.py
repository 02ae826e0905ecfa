"""Scenario comparison: paired by run index, unpaired when seeds differ, Monte Carlo error."""

import numpy as np
import pytest
from scipy import stats

from rift.analysis.compare import EVENT_DATES, compare, runs_needed
from rift.analysis.tables import comparison_long, comparison_markdown, format_comparison
from rift.record import RECORD


def _ok(res):
    return res.runs[res.runs["error"].isna()].set_index("run")


def test_paired_differences_are_taken_run_by_run(small_batches):
    a, b = small_batches["baseline"], small_batches["full_rupture"]
    comp = compare([a, b])
    assert comp.paired and "paired by run index" in comp.note
    assert comp.names == ["forecast_2025_12", "full_rupture"]
    d_all = comp.differences.set_index("outcome")
    for outcome in ("control_any", "coca_ha", "cooperation_index", "members_total"):
        d = _ok(b)[outcome] - _ok(a)[outcome]
        row = d_all.loc[outcome]
        assert row["n"] == len(d) == 24
        assert row["difference"] == pytest.approx(d.mean())
        assert row["p_greater"] == pytest.approx((d > 0).mean())
        assert row["ci_low"] <= row["difference"] <= row["ci_high"]
        assert row["se"] == pytest.approx(d.std(ddof=1) / np.sqrt(len(d)))
    # Ending all aid and intelligence (a shock the governments may undo) lowers the
    # cooperation index: resolved at 24 paired runs, lower in more runs than higher.
    coop = d_all.loc["cooperation_index"]
    assert coop["ci_high"] < 0 and coop["p_less"] > coop["p_greater"]


def test_scenario_quantiles_match_the_runs(small_batches):
    a = small_batches["baseline"]
    comp = compare([a, small_batches["full_rupture"]])
    row = comp.scenarios.set_index(["scenario", "outcome"]).loc[("forecast_2025_12", "control_any")]
    x = _ok(a)["control_any"].to_numpy(float)
    assert row["median"] == np.median(x)
    assert row["p5"] == np.percentile(x, 5) and row["p95"] == np.percentile(x, 95)
    assert row["se_mean"] == pytest.approx(x.std(ddof=1) / np.sqrt(len(x)))
    assert row["se_median"] > 0


def test_the_same_batch_twice_differs_by_exactly_zero(small_batches):
    a = small_batches["baseline"]
    comp = compare([a, a])
    assert comp.names[0] != comp.names[1]  # disambiguated by folder
    assert (comp.differences["difference"] == 0).all()
    assert (comp.differences["ci_low"] == 0).all() and (comp.differences["ci_high"] == 0).all()
    assert comp.warnings == []


def test_different_seeds_fall_back_to_unpaired_tests(small_batches):
    a, c = small_batches["baseline"], small_batches["baseline_other_seed"]
    comp = compare([a, c])
    assert not comp.paired and "unpaired" in comp.note and "Mann-Whitney" in comp.note
    row = comp.differences.set_index("outcome").loc["control_any"]
    xa, xc = _ok(a)["control_any"].to_numpy(float), _ok(c)["control_any"].to_numpy(float)
    assert row["p_value"] == pytest.approx(stats.mannwhitneyu(xc, xa).pvalue)
    assert row["ks_statistic"] == pytest.approx(stats.ks_2samp(xc, xa).statistic)
    assert row["difference"] == pytest.approx(xc.mean() - xa.mean())
    # Two samples of the same scenario: the difference is noise, and the comparison says so.
    assert any("within Monte Carlo error" in w for w in comp.warnings)


def test_event_probabilities_by_date(small_batches):
    a, b = small_batches["baseline"], small_batches["full_rupture"]
    comp = compare([a, b])
    ev = comp.events.set_index(["scenario", "event", "by"])
    months = _ok(b)["rupture_month"]
    p = (months.notna() & (months.fillna("9999-99") <= "2026-12")).mean()
    assert ev.loc[("full_rupture", "rupture", "2026-12"), "probability"] == pytest.approx(p)
    # Beyond the horizon (2026-12) there is no estimate.
    assert np.isnan(ev.loc[("forecast_2025_12", "rupture", "2030-12"), "probability"])
    assert len(comp.events) == 2 * len(RECORD.events) * len(EVENT_DATES)
    diff = ev.loc[("full_rupture", "rupture", "2026-12")]
    pa = ev.loc[("forecast_2025_12", "rupture", "2026-12"), "probability"]
    assert diff["difference"] == pytest.approx(p - pa)
    # full_rupture's shock starts the civil-aid cut in 2025-10: by 2026-12 it started in every
    # run, more than in the baseline (a rupture is an outcome: 24 runs cannot order it).
    cut = ev.loc[("full_rupture", "us_civil_aid_cut_start", "2026-12"), "probability"]
    assert cut == 1.0
    assert cut > ev.loc[("forecast_2025_12", "us_civil_aid_cut_start", "2026-12"), "probability"]


def test_runs_needed_for_a_resolvable_difference():
    d = np.array([0.0, 2.0] * 50)  # mean 1, sd ~1.005
    n = runs_needed(d)
    assert n == int(np.ceil((1.959963984540054 * d.std(ddof=1)) ** 2)) + 1 == 5
    assert runs_needed(np.zeros(10)) == -1


def test_a_difference_that_cancels_out_never_asks_for_a_negative_number_of_runs():
    import pandas as pd

    from rift.analysis.compare import _paired_row

    a = pd.Series(np.zeros(40))
    b = pd.Series([1.0, -1.0] * 20)  # runs differ both ways, mean exactly 0
    row, warning = _paired_row("control_any", a, b, np.random.default_rng(1))
    assert row["difference"] == 0
    assert "no net difference" in warning and "-1 runs" not in warning


def test_small_batches_warn_about_monte_carlo_error(small_batches):
    a, b = small_batches["baseline"], small_batches["full_rupture"]
    comp = compare([a, b])
    for w in comp.warnings:
        assert "runs would resolve" in w or "no net difference" in w
        assert "full_rupture vs forecast_2025_12" in w
    # The cooperation index difference is resolved: no warning about it.
    assert not any(w.split(": ")[1].startswith("Cooperation index") for w in comp.warnings)


def test_tables_render_every_outcome_and_event(small_batches):
    comp = compare([small_batches["baseline"], small_batches["full_rupture"]])
    text = format_comparison(comp)
    assert "Municipalities under armed control" in text and "P(full rupture by 2026-12)" in text
    assert "full_rupture − forecast_2025_12" in text
    md = comparison_markdown(comp)
    assert md.startswith("# Comparison: forecast_2025_12, full_rupture") and "| outcome |" in md
    long = comparison_long(comp)
    assert set(long["table"]) == {"scenario", "difference", "event", "share"}
    assert "Shares of runs at" in text
    shares = text[text.index("Shares of runs at") :]
    cats = comp.categories
    reached = set(cats.loc[cats["share"] > 0, "value"])
    for value in set(cats["value"]):  # the labels some run reaches, and only those
        assert (f"  {value} " in shares) == (value in reached), value
