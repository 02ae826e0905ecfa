"""Figures of scenario discovery: PRIM's peeling trajectory and the inputs' feature scores.

Inputs are what :mod:`rift.analysis.discovery` computes (a :class:`PrimResult`, a Series of
scores), so these figures compute nothing themselves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rift.analysis.discovery import PrimResult
from rift.plots.style import PAIR, SQUARE, new_figure, style_axes

#: Colour map of the number of restricted dimensions; the chosen box's colour.
DIMS_CMAP = "viridis"
CHOSEN_COLOR = "#c0392b"
SCORE_COLOR = "#1f5f8b"


def trajectory_chart(result: PrimResult, chosen: int | None = None) -> Figure:
    """The peeling trajectory: each box's coverage against its density.

    Boxes are coloured by their number of restricted dimensions; the chosen box is ringed
    and labelled; a dashed line marks the base rate (the density of the box holding every
    run).

    Args:
        result: A PRIM trajectory.
        chosen: The chosen box (None: none marked).

    Returns:
        The figure. The points carry the id ``trajectory`` (offsets: coverage, density, one
        per box, in order), the chosen box ``chosen:<i>``, the base-rate line ``base_rate``.
    """
    fig, ax = new_figure(SQUARE)
    t = result.trajectory
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap=DIMS_CMAP, s=28,
                        zorder=3)  # fmt: skip
    points.set_gid("trajectory")
    ax.plot(t["coverage"], t["density"], color="#999999", lw=0.8, zorder=2)
    bar = fig.colorbar(points, ax=ax)
    bar.set_label("restricted dimensions")
    base = ax.axhline(result.base_rate, color="black", lw=0.8, ls="--", label="base rate")
    base.set_gid("base_rate")
    if chosen is not None:
        r = t.iloc[chosen]
        ring = ax.scatter([r["coverage"]], [r["density"]], s=140, facecolors="none",
                          edgecolors=CHOSEN_COLOR, linewidths=1.6, zorder=4,
                          label=f"chosen box {chosen}")  # fmt: skip
        ring.set_gid(f"chosen:{chosen}")
        ax.annotate(
            f"box {chosen}: coverage {r['coverage']:.2f}, density {r['density']:.2f}",
            (r["coverage"], r["density"]),
            xytext=(8, -14),
            textcoords="offset points",
            fontsize="small",
            color=CHOSEN_COLOR,
        )
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of the cases of interest inside)")
    ax.set_ylabel("density (share of the box's runs of interest)")
    ax.set_title(f"PRIM peeling trajectory: {result.label}" if result.label else "PRIM")
    style_axes(ax)
    ax.legend(frameon=False, fontsize="small", loc="lower left")
    return fig


def feature_scores_chart(scores: pd.Series, top: int = 20, title: str = "") -> Figure:
    """The ``top`` inputs by feature score, as horizontal bars (highest at the top).

    Args:
        scores: Scores by input (:func:`rift.analysis.discovery.feature_scores`).
        top: How many inputs to show.
        title: What the scores tell apart (the cases of interest).

    Returns:
        The figure. Each bar carries the id ``score:<input>``; its width is the score.
    """
    shown = scores.sort_values(ascending=False, kind="stable").iloc[:top]
    fig, ax = new_figure((PAIR[0] * 0.8, 1.2 + 0.28 * len(shown)))
    y = np.arange(len(shown))[::-1]
    bars = ax.barh(y, shown.to_numpy(), color=SCORE_COLOR, height=0.7)
    for bar, name in zip(bars, shown.index, strict=True):
        bar.set_gid(f"score:{name}")
    ax.set_yticks(y, [str(n) for n in shown.index], fontsize="small")
    ax.set_xlabel("feature score (extra trees, impurity importance; all inputs sum to 1)")
    ax.set_title(f"Feature scores: {title}" if title else "Feature scores", fontsize="medium")
    style_axes(ax)
    return fig
