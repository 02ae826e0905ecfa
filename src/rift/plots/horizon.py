"""Figures of an outcome at the horizon: its distribution over runs and exceedance curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy.stats import gaussian_kde

from rift.analysis.distributions import exceedance, horizon_month, horizon_values
from rift.analysis.summary import format_value
from rift.plots.style import (
    SQUARE,
    WIDE,
    as_list,
    axis_label,
    new_figure,
    scenario_colors,
    scenario_labels,
    style_axes,
    value_axis,
)
from rift.record import RECORD
from rift.results import Results

#: Kinds of outcome that are never negative: their kernel density is reflected at 0.
NONNEGATIVE = ("count", "amount", "index", "share", "level")


def _horizon_text(items: Sequence[Results]) -> str:
    months = {horizon_month(r) for r in items}
    return months.pop() if len(months) == 1 else "the horizon"


def _kde(values: np.ndarray, lower: float | None = None) -> tuple[np.ndarray, np.ndarray] | None:
    """A Gaussian KDE on a grid, or None when the values cannot carry one.

    With ``lower`` (a bound no value can cross, 0 for a count or an amount), the density is
    reflected at the bound and the grid starts there, so no mass is drawn where no run can be.
    """
    if len(values) < 3 or np.ptp(values) == 0:
        return None
    try:
        kde = gaussian_kde(values)
    except np.linalg.LinAlgError:  # pragma: no cover - degenerate despite a spread
        return None
    pad = 3.0 * float(np.sqrt(kde.covariance[0, 0]))  # three bandwidths: the tails fade out
    start = values.min() - pad
    if lower is not None and start < lower <= values.min():
        grid = np.linspace(lower, values.max() + pad, 256)
        return grid, kde(grid) + kde(2 * lower - grid)
    grid = np.linspace(start, values.max() + pad, 256)
    return grid, kde(grid)


def horizon_distribution(results_or_list: Results | Sequence[Results], outcome: str) -> Figure:
    """The distribution of an outcome at the horizon over the runs.

    One scenario: a histogram of the share of runs in each bin (gid ``histogram``), with a
    kernel density line on the same scale (the density times the bin width, gid ``kde``) when
    the values vary; the y axis is a share of runs, never a density in units of 1e-6.
    Several: one violin per scenario (gid ``violin:<label>``) with the median (white dot,
    gid ``median:<label>``), the 50 % (thick) and 90 % (thin) ranges of the runs.

    Args:
        results_or_list: One stored batch or several.
        outcome: An outcome name.

    Returns:
        The figure.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    colors = scenario_colors(labels)
    spec = RECORD.outcome(outcome)
    title = f"{spec.label} at {_horizon_text(items)}"
    quantity = axis_label(spec.label, spec.unit)
    if len(items) == 1:
        fig, ax = new_figure(SQUARE)
        values = horizon_values(items[0], outcome)
        color = colors[labels[0]]
        width = 0.0
        if len(values):
            edges = np.histogram_bin_edges(values, "auto" if np.ptp(values) > 0 else 1)
            width = float(edges[1] - edges[0])
            weights = np.full(len(values), 1.0 / len(values))  # each bar: its share of runs
            ax.hist(values, bins=edges, weights=weights, color=color, alpha=0.45,
                    edgecolor="white", gid="histogram")  # fmt: skip
            curve = _kde(values, lower=0.0 if spec.kind in NONNEGATIVE else None)
            if curve is not None:  # the density times the bin width: on the bars' scale
                ax.plot(curve[0], curve[1] * width, color=color, lw=2, gid="kde",
                        label="kernel density")  # fmt: skip
            median = float(np.median(values))
            ax.axvline(
                median, color="#333333", ls="--", lw=1.2, label=f"median = {format_value(median)}"
            )
            ax.legend(fontsize="small", frameon=False)
        runs = f"{len(values)} run" + ("" if len(values) == 1 else "s")
        ax.set_title(f"{title}\n{labels[0]}, {runs}", fontsize="medium")
        ax.set_xlabel(quantity)
        value_axis(ax.xaxis)
        per = f" of {format_value(width)} {spec.unit}".rstrip() if width > 0 else ""
        ax.set_ylabel(f"Share of runs per bin{per}")
        style_axes(ax)
        return fig
    width = max(SQUARE[0], 1.4 * len(items) + 2)
    fig, ax = new_figure((width, SQUARE[1]))
    for i, (res, label) in enumerate(zip(items, labels, strict=True)):
        values = horizon_values(res, outcome)
        color = colors[label]
        if len(values) == 0:
            ax.text(i, 0.5, "no runs", ha="center", transform=ax.get_xaxis_transform())
            continue
        if len(values) >= 3 and np.ptp(values) > 0:
            parts = ax.violinplot([values], positions=[i], widths=0.75, showextrema=False)
            for body in parts["bodies"]:
                body.set(facecolor=color, edgecolor=color, alpha=0.55, gid=f"violin:{label}")
        p5, p25, p50, p75, p95 = np.quantile(values, [0.05, 0.25, 0.5, 0.75, 0.95])
        ax.vlines(i, p5, p95, color="#333333", lw=1)
        ax.vlines(i, p25, p75, color="#333333", lw=4)
        ax.plot([i], [p50], "o", ms=6, mfc="white", mec="#333333", zorder=4, gid=f"median:{label}")
    ax.set_xticks(range(len(items)), labels, rotation=20 if len(items) > 3 else 0)
    ax.set_xlim(-0.6, len(items) - 0.4)
    ax.set_ylabel(quantity)
    value_axis(ax.yaxis)
    ax.set_title(title, fontsize="medium")
    keys = [
        Line2D([], [], ls="none", marker="o", mfc="white", mec="#333333", label="median"),
        Line2D([], [], color="#333333", lw=4, label="50 % of runs"),
        Line2D([], [], color="#333333", lw=1, label="90 % of runs"),
    ]
    ax.legend(handles=keys, fontsize="small", frameon=False, loc="best")
    style_axes(ax)
    ax.grid(False, axis="x")
    return fig


def exceedance_chart(
    results_or_list: Results | Sequence[Results], outcome: str, threshold: float | None = None
) -> Figure:
    """P(outcome > x) at the horizon: one step curve per scenario.

    Args:
        results_or_list: One stored batch or several.
        outcome: An outcome name.
        threshold: A value to mark; the legend then gives P(> threshold) for each scenario.

    Returns:
        The figure; each curve carries the id ``exceedance:<label>`` and its points satisfy
        ``y = share of runs with a value > x``.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    colors = scenario_colors(labels)
    spec = RECORD.outcome(outcome)
    fig, ax = new_figure(WIDE)
    samples = [horizon_values(r, outcome) for r in items]
    pooled = np.concatenate([*samples, [] if threshold is None else [threshold]])
    lo, hi = (pooled.min(), pooled.max()) if pooled.size else (0.0, 1.0)
    pad = 0.05 * (hi - lo) if hi > lo else max(1.0, 0.05 * abs(hi))
    for values, label in zip(samples, labels, strict=True):
        xs, p = exceedance(values)
        xs, p = np.r_[lo - pad, xs, hi + pad], np.r_[1.0, p, 0.0]
        text = label
        if threshold is not None:
            share = exceedance(values, [threshold])[1][0]
            text = f"{label}: P(>{threshold:g}) = {share:.2f}"
        if len(values) == 0:
            xs, p, text = [], [], f"{label} (no runs)"
        ax.step(
            xs, p, where="post", color=colors[label], lw=2, label=text, gid=f"exceedance:{label}"
        )
    if threshold is not None:
        ax.axvline(
            threshold, color="#333333", ls="--", lw=1.2, gid="threshold", label=f"x = {threshold:g}"
        )
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(axis_label(spec.label, spec.unit))
    value_axis(ax.xaxis)
    ax.set_ylabel("P(value > x), share of runs")
    ax.set_title(f"{spec.label}: exceedance at {_horizon_text(items)}", fontsize="medium")
    ax.legend(fontsize="small", frameon=False, loc="best")
    style_axes(ax)
    return fig
