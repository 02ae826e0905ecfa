"""Maps of the municipalities: the probability of armed control at the horizon."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator

from rift.analysis.distributions import control_probability, horizon_month
from rift.geography import Geography, load_geography
from rift.plots.style import DPI, as_list, scenario_labels
from rift.results import Results

#: Colour maps of the probability and of the difference between two scenarios.
PROBABILITY_CMAP = "YlOrRd"
DIFFERENCE_CMAP = "RdBu_r"

#: Size of one map panel in inches, and of the marker of a municipality (points squared).
PANEL = (3.3, 4.4)
MARKER = 9.0
BACKGROUND = "#e9eef2"


def _setup(ax, geo: Geography, title: str) -> None:
    ax.set_facecolor(BACKGROUND)
    ax.set_aspect("equal")
    pad = 0.4
    ax.set_xlim(geo.lon.min() - pad, geo.lon.max() + pad)
    ax.set_ylim(geo.lat.min() - pad, geo.lat.max() + pad)
    ax.set_xlabel("Longitude (°)")
    ax.set_ylabel("Latitude (°)")
    ax.set_title(title, fontsize="medium")
    ax.tick_params(labelsize="small")
    ax.xaxis.set_major_locator(MultipleLocator(4))
    ax.yaxis.set_major_locator(MultipleLocator(4))
    for spine in ax.spines.values():
        spine.set_color("#999999")


def _scatter(ax, geo: Geography, values: np.ndarray, cmap: str, norm: Normalize, gid: str):
    return ax.scatter(
        geo.lon, geo.lat, c=values, s=MARKER, cmap=cmap, norm=norm, linewidths=0, gid=gid
    )


def control_map(
    results_or_list: Results | Sequence[Results],
    geography: Geography | None = None,
    *,
    columns: int = 3,
) -> Figure:
    """Municipalities coloured by the probability of armed control at the horizon.

    One panel per scenario with a shared colour bar; with two or more scenarios, an extra panel
    shows the difference (second minus first) on a diverging scale with its own colour bar.

    Args:
        results_or_list: One stored batch or several (a ``Results`` or a sequence of them).
        geography: The municipalities (default: the packaged geography).
        columns: Panels per row.

    Returns:
        The figure. The scatters (one point per municipality, in the order of the geography)
        carry the ids ``control:<label>`` and ``difference``.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    geo = load_geography() if geography is None else geography
    probs = [control_probability(r) for r in items]
    if any(len(p) != len(geo.lon) for p in probs):
        raise ValueError("the results and the geography have different municipalities")
    with_difference = len(items) >= 2
    ncols = min(len(items), max(1, columns))
    nrows = math.ceil(len(items) / ncols)
    bar_width = 1.1
    width = (PANEL[0] * ncols + bar_width) + (PANEL[0] + bar_width) * with_difference
    fig = Figure(figsize=(width, PANEL[1] * nrows), dpi=DPI, layout="constrained")
    if with_difference:  # separate subfigures keep the two colour bars apart
        left_width = PANEL[0] * ncols + bar_width
        left, right = fig.subfigures(
            1, 2, width_ratios=[left_width, width - left_width], wspace=0.02
        )
    else:
        left, right = fig, None
    axes = list(left.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[len(items) :]:
        ax.set_visible(False)
    months = {horizon_month(r) for r in items}
    horizon = months.pop() if len(months) == 1 else "the horizon"
    norm = Normalize(0.0, 1.0)
    points = None
    for ax, res, label, p in zip(axes, items, labels, probs, strict=False):
        _setup(ax, geo, f"{label}, {horizon_month(res)}")
        points = _scatter(ax, geo, p, PROBABILITY_CMAP, norm, f"control:{label}")
    bar = left.colorbar(points, ax=axes[: len(items)], shrink=0.8 / nrows**0.5, aspect=30)
    bar.set_label(f"P(armed control at {horizon})")
    if right is not None:
        diff = probs[1] - probs[0]
        finite = np.abs(diff[np.isfinite(diff)])
        lim = float(finite.max()) if finite.size and finite.max() > 0 else 0.05
        ax = right.subplots()
        _setup(ax, geo, f"{labels[1]} − {labels[0]}, {horizon}")
        diff_points = _scatter(ax, geo, diff, DIFFERENCE_CMAP, Normalize(-lim, lim), "difference")
        diff_bar = right.colorbar(diff_points, ax=ax, shrink=0.8 / nrows**0.5, aspect=30)
        diff_bar.set_label("Difference in P(armed control)")
    return fig
