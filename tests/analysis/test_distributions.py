"""Quantile fans, exceedance, event curves and control probabilities on hand-made results."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rift.analysis.distributions import (
    control_probability,
    event_curve,
    exceedance,
    fan_quantiles,
    horizon_values,
)
from rift.results import Results

MONTHS = ["2025-01", "2025-02", "2025-03"]


def small_results() -> Results:
    """Four runs (the last failed), three months, four municipalities."""
    runs = pd.DataFrame(
        {
            "run": [0, 1, 2, 3],
            "control_any": [10.0, 30.0, 20.0, np.nan],
            "rupture_month": pd.array(["2025-02", None, "2025-03", None], "string"),
            "recertification_month": pd.array([None, None, None, "2025-01"], "string"),
            "error": pd.array([None, None, None, "boom"], "string"),
        }
    )
    values = np.array([[1.0, 2.0, 10.0], [3.0, 2.0, 30.0], [2.0, 2.0, 20.0]])
    series = pd.DataFrame(
        {
            "run": np.repeat([0, 1, 2], 3),
            "month": pd.array(MONTHS * 3, "string"),
            "control_any": values.ravel(),
        }
    )
    territory = {
        "control_counts": np.array([[3, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 0]], dtype=np.int32),
        "none_counts": np.array([0, 2, 0, 3], dtype=np.int32),
        "runs": np.array(3),
    }
    manifest = {
        "scenario": {"name": "small"},
        "months": MONTHS,
        "seed": 1,
        "group_names": ["egc", "eln", "dissidents"],
        "record": {
            "outcomes": ["control_any"],
            "events": ["rupture", "recertification"],
            "values": [],
        },
    }
    return Results(Path("small"), manifest, runs, series, territory)


def test_exceedance_by_hand():
    xs, p = exceedance([1, 2, 3], [2])
    assert p.tolist() == [pytest.approx(1 / 3)]
    xs, p = exceedance([3, 1, 2, 2, np.nan])
    assert xs.tolist() == [1, 2, 3]
    assert p == pytest.approx([3 / 4, 1 / 4, 0])
    _, p = exceedance([1, 2, 3], [0, 0.5, 3, 10])
    assert p == pytest.approx([1, 1, 0, 0])
    _, p = exceedance([], [1.0])
    assert np.isnan(p).all()


def test_fan_quantiles_are_numpy_quantiles_per_month():
    res = small_results()
    fq = fan_quantiles(res, "control_any")
    assert list(fq.index) == MONTHS and list(fq.columns) == [0.05, 0.25, 0.5, 0.75, 0.95]
    assert fq.loc["2025-01", 0.5] == 2.0 and fq.loc["2025-02", 0.05] == 2.0
    assert fq.loc["2025-03", 0.25] == pytest.approx(15.0)
    assert fq.loc["2025-01", 0.95] == pytest.approx(np.quantile([1, 3, 2], 0.95))
    custom = fan_quantiles(res, "control_any", q=(0.5,))
    assert list(custom.columns) == [0.5]


def test_event_curve_counts_successful_runs_only():
    res = small_results()
    rupture = event_curve(res, "rupture_month")
    assert list(rupture.index) == MONTHS
    assert rupture.to_numpy() == pytest.approx([0, 1 / 3, 2 / 3])
    # the failed run's re-certification does not count
    assert event_curve(res, "recertification_month").to_numpy() == pytest.approx([0, 0, 0])
    assert event_curve(res, "rupture_month", ["2024-12", "2030-01"]).tolist() == [0, 2 / 3]


def test_control_probability_any_and_by_group():
    res = small_results()
    assert control_probability(res) == pytest.approx([1, 1 / 3, 1, 0])
    assert control_probability(res, "eln") == pytest.approx([0, 1 / 3, 1 / 3, 0])
    assert control_probability(res, 0) == pytest.approx([1, 0, 1 / 3, 0])
    assert control_probability(res, by_group=True).shape == (3, 4)
    # any = sum of groups: a municipality is controlled by one group at most
    total = control_probability(res) + res.territory["none_counts"] / 3
    assert total == pytest.approx(np.ones(4))


def test_horizon_values_drop_failed_runs():
    assert horizon_values(small_results(), "control_any").tolist() == [10, 30, 20]
