"""The rolling-origin test of the filter: a nowcast through 2025-06 forecasts the record's later
figures, scored against naive forecasts; the figures the filter saw are labelled as such."""

from __future__ import annotations

import numpy as np
import pytest

from rift.months import parse_month
from rift.present import coded_record
from rift.validation.forecast.rolling import markdown, rolling_origin

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result():
    return rolling_origin(particles=16, origin="2025-06", seed=20190101)


def test_every_figure_of_the_record_is_scored_once_and_labelled(result):
    record = coded_record()
    figures = {(f.observable, f.month) for f in record.figures}
    table = result.table
    assert len(table) == len(figures)
    assert {(r.observable, parse_month(r.month)) for r in table.itertuples()} == figures
    origin = parse_month("2025-06")
    assert (table["in_filter"] == table["month"].map(parse_month).le(origin)).all()
    assert table["in_filter"].any() and (~table["in_filter"]).any()


def test_out_of_sample_rows_have_naive_scores_and_in_sample_rows_not(result):
    t = result.table
    out, fit = t[~t["in_filter"]], t[t["in_filter"]]
    assert out["persistence_rel"].notna().all() and out["trend_rel"].notna().all()
    assert fit["persistence_rel"].isna().all()
    assert (t["crps_rel"] >= 0).all() and t["pit"].between(0, 1).all()
    assert (t["p5"] <= t["median"]).all() and (t["median"] <= t["p95"]).all()


def test_the_summary_scores_only_the_forecast(result):
    s = result.summary()
    out = result.table[~result.table["in_filter"]]
    assert s["n"] == len(out)
    assert s["crps_rel"] == pytest.approx(out["crps_rel"].mean())
    assert s["skill_persistence"] == pytest.approx(1 - s["crps_rel"] / s["persistence_rel"])
    assert 0 <= s["in90"] <= 1 and np.isfinite(s["skill_trend"])
    text = markdown(result)
    assert "**out (forecast)**" in text and "in (fit)" in text
