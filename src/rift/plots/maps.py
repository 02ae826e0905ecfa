"""Maps of the municipalities: the probability of armed control at the horizon."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MultipleLocator
from scipy.spatial import Delaunay, cKDTree

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


#: The longest side (km) of a triangle of centroids that :func:`outlines` counts as land ...
OUTLINE_SIDE_KM = 450.0
#: ... and longer than this many times the local spacing of its ends (the mean distance to
#: the three nearest centroids): a long side is land among sparse municipalities only.
OUTLINE_LOCAL_RATIO = 3.0
#: Colours and widths of the outlines: the country and the departments.
COUNTRY_LINE = ("#333333", 0.9)
DEPARTMENT_LINE = ("#777777", 0.45)


def outlines(geo: Geography, max_side_km: float = OUTLINE_SIDE_KM) -> tuple[np.ndarray, np.ndarray]:
    """The country's and the departments' outlines, built from the municipalities alone.

    No boundary file is read or downloaded: the centroids of the mainland municipalities are
    triangulated (Delaunay, without the triangles with a side longer than ``max_side_km`` or
    than :data:`OUTLINE_LOCAL_RATIO` times the local spacing, which span a bay or the bend of
    the Venezuelan border, unless land encloses them), the country is the boundary of the
    triangles, and each municipality's cell is its part of the median dual (each triangle split
    at its centroid and its sides' midpoints). A department border is where two cells of
    different departments meet: in each triangle, the segment from its centroid to the
    midpoint of a side whose ends lie in different departments.

    Args:
        geo: The municipalities.
        max_side_km: The longest side of a triangle that is land.

    Returns:
        ``(country, departments)``: segments in (longitude, latitude), shapes (K, 2, 2).
    """
    points = np.column_stack([geo.lon, geo.lat])
    land = np.flatnonzero(geo.mainland)  # the islands are points of their own
    delaunay = Delaunay(geo.xy_km[land])
    simplices = land[delaunay.simplices]
    dist, _ = cKDTree(geo.xy_km[land]).query(geo.xy_km[land], k=4)
    spacing = np.zeros(geo.n)
    spacing[land] = dist[:, 1:].mean(axis=1)  # how far apart the municipalities are there
    kept = np.ones(len(simplices), dtype=bool)
    for a, b in ((0, 1), (1, 2), (2, 0)):
        i, j = simplices[:, a], simplices[:, b]
        side = np.hypot(*(geo.xy_km[i] - geo.xy_km[j]).T)
        local = np.maximum(spacing[i], spacing[j])
        kept &= (side <= OUTLINE_LOCAL_RATIO * local) & (side <= max_side_km)
    # A gap enclosed by land is land (a valley between dense patches), not the sea: only the
    # dropped triangles connected to the convex hull's edge stay out.
    outside = np.zeros(len(simplices), dtype=bool)
    stack = [t for t in np.flatnonzero(~kept) if (delaunay.neighbors[t] < 0).any()]
    outside[stack] = True
    while stack:
        for u in delaunay.neighbors[stack.pop()]:
            if u >= 0 and not kept[u] and not outside[u]:
                outside[u] = True
                stack.append(u)
    tri = simplices[~outside]
    centroid = points[tri].mean(axis=1)
    country: dict[tuple[int, int], int] = {}
    borders = []
    department = geo.department_code
    for a, b in ((0, 1), (1, 2), (2, 0)):
        i, j = tri[:, a], tri[:, b]
        for edge in zip(np.minimum(i, j), np.maximum(i, j), strict=True):
            key = (int(edge[0]), int(edge[1]))
            country[key] = country.get(key, 0) + 1
        cross = department[i] != department[j]
        middle = (points[i[cross]] + points[j[cross]]) / 2
        borders.append(np.stack([centroid[cross], middle], axis=1))
    edges = np.array([e for e, count in country.items() if count == 1], dtype=int)
    outline = points[edges] if len(edges) else np.empty((0, 2, 2))
    return outline, np.concatenate(borders) if borders else np.empty((0, 2, 2))


def _outlines(ax, geo: Geography, lines: tuple[np.ndarray, np.ndarray]) -> None:
    """Draw the outlines (gids ``country`` and ``departments``) over the points."""
    country, departments = lines
    for segments, (color, width), gid in (
        (departments, DEPARTMENT_LINE, "departments"),
        (country, COUNTRY_LINE, "country"),
    ):
        ax.add_collection(
            LineCollection(segments, colors=color, linewidths=width, gid=gid, zorder=3)
        )


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

    One panel per scenario with a shared colour bar; with two or more scenarios, one more
    panel per pair of scenarios shows their difference (the later minus the earlier) on a
    diverging scale shared by every difference, with its own colour bar. Every panel has the
    country's and the departments' outlines (:func:`outlines`).

    Args:
        results_or_list: One stored batch or several (a ``Results`` or a sequence of them).
        geography: The municipalities (default: the packaged geography).
        columns: Panels per row.

    Returns:
        The figure. The scatters (one point per municipality, in the order of the geography)
        carry the ids ``control:<label>`` and ``difference:<later>−<earlier>``; the outlines
        ``country`` and ``departments``.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    geo = load_geography() if geography is None else geography
    probs = [control_probability(r) for r in items]
    if any(len(p) != len(geo.lon) for p in probs):
        raise ValueError("the results and the geography have different municipalities")
    lines = outlines(geo)
    pairs = list(itertools.combinations(range(len(items)), 2))
    ncols = min(len(items), max(1, columns))
    nrows = math.ceil(len(items) / ncols)
    dcols = min(len(pairs), max(1, columns)) if pairs else 0
    drows = math.ceil(len(pairs) / dcols) if pairs else 0
    bar_width = 1.1
    left_width = PANEL[0] * ncols + bar_width
    right_width = (PANEL[0] * dcols + bar_width) if pairs else 0.0
    height = PANEL[1] * max(nrows, drows)
    fig = Figure(figsize=(left_width + right_width, height), dpi=DPI, layout="constrained")
    if pairs:  # separate subfigures keep the two colour bars apart
        left, right = fig.subfigures(1, 2, width_ratios=[left_width, right_width], wspace=0.02)
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
        _outlines(ax, geo, lines)
    bar = left.colorbar(points, ax=axes[: len(items)], shrink=0.8 / nrows**0.5, aspect=30)
    bar.set_label(f"P(armed control at {horizon})")
    if right is not None:
        diffs = [probs[j] - probs[i] for i, j in pairs]
        finite = np.abs(np.concatenate(diffs))
        finite = finite[np.isfinite(finite)]
        lim = float(finite.max()) if finite.size and finite.max() > 0 else 0.05
        dnorm = Normalize(-lim, lim)
        daxes = list(right.subplots(drows, dcols, squeeze=False).ravel())
        for ax in daxes[len(pairs) :]:
            ax.set_visible(False)
        diff_points = None
        for ax, (i, j), diff in zip(daxes, pairs, diffs, strict=False):
            _setup(ax, geo, f"{labels[j]} − {labels[i]}, {horizon}")
            gid = f"difference:{labels[j]}−{labels[i]}"
            diff_points = _scatter(ax, geo, diff, DIFFERENCE_CMAP, dnorm, gid)
            _outlines(ax, geo, lines)
        diff_bar = right.colorbar(
            diff_points, ax=daxes[: len(pairs)], shrink=0.8 / drows**0.5, aspect=30
        )
        diff_bar.set_label("Difference in P(armed control)")
    return fig
