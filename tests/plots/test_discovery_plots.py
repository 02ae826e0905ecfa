"""The discovery figures draw the trajectory and the scores they are given."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from rift.analysis.discovery import prim
from rift.plots.discovery import (
    CHOSEN_COLOR,
    SCORE_COLOR,
    feature_scores_chart,
    trajectory_chart,
)

from ..analysis.test_discovery import planted
from .test_plots import by_gid, legend_texts

matplotlib.use("Agg")


def test_trajectory_chart_plots_each_box_coverage_against_density():
    x, y = planted(n=400)
    res = prim(x, y, label="planted box")
    chosen = res.choose()
    fig = trajectory_chart(res, chosen)
    t = res.trajectory
    points = by_gid(fig, "trajectory")
    np.testing.assert_allclose(points.get_offsets(), t[["coverage", "density"]].to_numpy())
    np.testing.assert_array_equal(points.get_array(), t["res_dim"].to_numpy())
    ring = by_gid(fig, f"chosen:{chosen}")
    np.testing.assert_allclose(ring.get_offsets()[0], t.loc[chosen, ["coverage", "density"]])
    assert to_hex(ring.get_edgecolor()[0]) == CHOSEN_COLOR
    base = by_gid(fig, "base_rate")
    assert base.get_ydata()[0] == res.base_rate
    ax = fig.axes[0]
    assert "planted box" in ax.get_title()
    assert f"chosen box {chosen}" in legend_texts(fig)
    assert any(f"box {chosen}: coverage" in t.get_text() for t in ax.texts)
    assert "restricted dimensions" in fig.axes[1].get_ylabel()  # the colour bar


def test_trajectory_chart_without_a_choice_marks_none():
    x, y = planted(n=300)
    fig = trajectory_chart(prim(x, y))
    gids = [str(a.get_gid()) for a in fig.axes[0].get_children()]
    assert not any(g.startswith("chosen:") for g in gids)


def test_feature_scores_chart_draws_the_top_scores_highest_first():
    scores = pd.Series({"a": 0.1, "b": 0.5, "c": 0.3, "d": 0.05, "e": 0.05})
    fig = feature_scores_chart(scores, top=3, title="rupture by 2030-12")
    ax = fig.axes[0]
    for name in ("b", "c", "a"):
        bar = by_gid(fig, f"score:{name}")
        assert bar.get_width() == scores[name]
        assert to_hex(bar.get_facecolor()) == SCORE_COLOR
    ys = {n: by_gid(fig, f"score:{n}").get_y() for n in ("b", "c", "a")}
    assert ys["b"] > ys["c"] > ys["a"]  # highest at the top
    ticks = dict(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()], strict=True))
    assert [ticks[k] for k in sorted(ticks)] == ["a", "c", "b"]  # bottom to top
    assert not [a for a in ax.get_children() if a.get_gid() in ("score:d", "score:e")]
    assert "rupture by 2030-12" in ax.get_title()
