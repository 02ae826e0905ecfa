"""The sensitivity figure: a bar per input and index, largest first, intervals as error bars,
the labels and the seed's share in the title."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection

from rift.analysis.sensitivity import Sensitivity, VarianceSplit
from rift.plots.sensitivity import sensitivity_chart


def _result(method: str = "sobol") -> Sensitivity:
    first, second = {"sobol": ("ST", "S1"), "morris": ("mu_star", "sigma")}[method]
    rows = []
    for factor, v in (("us", 0.2), ("events", 0.6), ("col", 0.1)):
        rows.append({"factor": factor, "index": first, "value": v, "ci_low": v - 0.05,
                     "ci_high": v + 0.05})  # fmt: skip
        w = v / 2
        ci = np.nan if method == "morris" else 0.02
        rows.append({"factor": factor, "index": second, "value": w, "ci_low": w - ci,
                     "ci_high": w + ci})  # fmt: skip
    split = VarianceSplit(between=3.0, within=1.0, replicates=4, points=68)
    return Sensitivity("control_any", "Municipalities under armed control in 2030-12", "2030-12",
                       method, pd.DataFrame(rows), split, 450.0)  # fmt: skip


def test_bars_per_input_and_index_largest_first_with_intervals_and_labels():
    fig = sensitivity_chart(_result())
    ax = fig.axes[0]
    bars = {p.get_gid(): p.get_width() for p in ax.patches if p.get_gid()}
    assert set(bars) == {f"index:{i}:{f}" for i in ("ST", "S1") for f in ("us", "events", "col")}
    assert bars["index:ST:events"] == 0.6 and bars["index:S1:us"] == 0.1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["events", "us", "col"]
    # one error bar per bar, spanning the interval
    segments = [c for c in ax.collections if isinstance(c, LineCollection)]
    spans = sorted(round(abs(s[1][0] - s[0][0]), 6) for c in segments for s in c.get_segments())
    assert spans == [0.04] * 3 + [0.1] * 3
    assert "seed's share of the variance: 0.25" in ax.get_title()
    assert "(68 points × 4 replicates)" in ax.get_title()
    assert "sobol index" in ax.get_xlabel()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["ST", "ST interval"] and "S1" in legend


def test_an_index_without_intervals_has_no_error_bars_and_the_limit_holds():
    fig = sensitivity_chart(_result("morris"), limit=2)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["events", "us"]
    segments = [s for c in ax.collections if isinstance(c, LineCollection)
                for s in c.get_segments()]  # fmt: skip
    assert len(segments) == 2  # mu_star's intervals only; sigma has none
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "sigma interval" not in legend
