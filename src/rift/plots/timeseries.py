"""Figures over time.

Quantile fans of numbers, probabilities of flags, shares of categories, and cumulative event
probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rift.analysis.distributions import (
    category_shares_by_month,
    event_curve,
    fan_quantiles,
    flag_probability,
)
from rift.plots.style import (
    PAIR,
    TARGET_COLOR,
    WIDE,
    as_list,
    axis_label,
    date_axis,
    month_dates,
    new_figure,
    scenario_colors,
    scenario_labels,
    style_axes,
    value_axis,
)
from rift.record import RECORD
from rift.results import Results

#: Opacity of the 50 % and 90 % bands of a fan chart.
BAND50_ALPHA = 0.3
BAND90_ALPHA = 0.12
#: The hatching of the second scenario's 50 % band when two fans share a panel (its 90 % band is
#: a dashed outline): drawn over the first's filled bands, it mixes no colours.
BAND_HATCH = "////"
#: Scenarios from which a fan chart is drawn as small multiples, one scenario per panel.
SMALL_MULTIPLES = 3
#: The colour of the reference scenario's median drawn in the other panels of small multiples.
REFERENCE_COLOR = "#555555"


def _fan(ax, res: Results, outcome: str, label: str, color: str, hatched: bool = False):
    """One scenario's fan on ``ax``: filled bands, or a hatched 50 % band and an outlined 90 %.

    Returns:
        The legend handles (the median, the 50 % and the 90 % band, coloured as drawn) and the
        dates of the months.
    """
    fq = fan_quantiles(res, outcome)
    dates = month_dates(fq.index)
    q = fq.to_numpy()
    n = len(res.series["run"].unique())
    if hatched:
        x = mdates.date2num(dates)
        band90 = LineCollection(
            [np.column_stack([x, q[:, 0]]), np.column_stack([x, q[:, 4]])],
            colors=color, linewidths=1.0, linestyles="--",
        )  # fmt: skip
        ax.add_collection(band90)
        band50 = ax.fill_between(dates, q[:, 1], q[:, 3], facecolor="none", edgecolor=color,
                                 hatch=BAND_HATCH, lw=0.8)  # fmt: skip
        keys = [
            Patch(facecolor="none", edgecolor=color, hatch=BAND_HATCH, label="50 % of runs"),
            Line2D([], [], color=color, lw=1.0, ls="--", label="90 % of runs (limits)"),
        ]
    else:
        band90 = ax.fill_between(dates, q[:, 0], q[:, 4], color=color, alpha=BAND90_ALPHA, lw=0)
        band50 = ax.fill_between(dates, q[:, 1], q[:, 3], color=color, alpha=BAND50_ALPHA, lw=0)
        keys = [
            Patch(color=color, alpha=BAND50_ALPHA + BAND90_ALPHA, label="50 % of runs"),
            Patch(color=color, alpha=BAND90_ALPHA, label="90 % of runs"),
        ]
    band90.set_gid(f"band90:{label}")
    band50.set_gid(f"band50:{label}")
    text = label if n else f"{label} (no runs)"
    (line,) = ax.plot(dates, q[:, 2], color=color, lw=2, label=text, gid=f"median:{label}")
    return [line, *keys], dates


def _targets(ax, targets: Sequence[tuple[str, float, str]]) -> Line2D:
    """Observed points over a fan, with their texts; returns the legend handle."""
    dates = month_dates(m for m, _, _ in targets)
    values = [float(v) for _, v, _ in targets]
    ax.plot(dates, values, ls="none", marker="D", ms=6, color=TARGET_COLOR, gid="targets", zorder=5)
    for d, v, (_, _, text) in zip(dates, values, targets, strict=True):
        if text:
            ax.annotate(text, (d, v), xytext=(4, 4), textcoords="offset points", fontsize="small")
    return Line2D([], [], ls="none", marker="D", ms=6, color=TARGET_COLOR, label="observed")


def fan_chart(
    results_or_list: Results | Sequence[Results],
    outcome: str,
    targets: Sequence[tuple[str, float, str]] | None = None,
) -> Figure:
    """Median and 50 % / 90 % bands of an outcome over the runs, month by month.

    One or two scenarios share a panel: the first's bands filled, the second's 50 % band
    hatched and its 90 % band outlined, so that no two colours mix. From
    :data:`SMALL_MULTIPLES` scenarios on, one panel per scenario (shared axes), each with the
    reference's (the first scenario's) median as a grey dashed line. Each legend shows the
    bands as they are drawn, in the scenario's colour.

    Args:
        results_or_list: One stored batch or several (one fan per scenario).
        outcome: An outcome name.
        targets: Observed points to draw over the fans, as ``(month, value, text)``.

    Returns:
        The figure. Artists carry ids (``gid``): ``median:<label>``, ``band50:<label>`` and
        ``band90:<label>`` for each scenario, ``reference:<label>`` for the reference's median
        in another scenario's panel, ``targets`` for the observed points.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    colors = scenario_colors(labels)
    spec = RECORD.outcome(outcome)
    if not spec.numeric:
        raise ValueError(f"{outcome} is a {spec.kind}: draw it with share_chart")
    quantity = axis_label(spec.label, spec.unit)
    if len(items) >= SMALL_MULTIPLES:
        return _small_multiples(items, outcome, labels, colors, targets)
    fig, ax = new_figure(WIDE)
    handles = []
    all_dates = []
    for k, (res, label) in enumerate(zip(items, labels, strict=True)):
        keys, dates = _fan(ax, res, outcome, label, colors[label], hatched=k == 1)
        handles += keys
        all_dates += dates
    if targets:
        handles.append(_targets(ax, targets))
    ax.set_title(spec.label)
    ax.set_ylabel(quantity)
    value_axis(ax.yaxis)
    date_axis(ax, sorted(all_dates))
    style_axes(ax)
    ax.legend(handles=handles, loc="best", fontsize="small", frameon=False, ncols=len(items))
    return fig


def _small_multiples(
    items: Sequence[Results],
    outcome: str,
    labels: Sequence[str],
    colors: dict[str, str],
    targets: Sequence[tuple[str, float, str]] | None,
) -> Figure:
    """The fan chart of three or more scenarios: one panel each (see :func:`fan_chart`)."""
    spec = RECORD.outcome(outcome)
    ncols = 2 if len(items) <= 4 else 3
    nrows = -(-len(items) // ncols)
    fig, axes = new_figure(
        (PAIR[0], 2.9 * nrows + 0.5), nrows=nrows, ncols=ncols, sharex=True, sharey=True,
        squeeze=False,
    )  # fmt: skip
    flat = list(axes.ravel())
    reference = fan_quantiles(items[0], outcome)
    ref_dates = month_dates(reference.index)
    all_dates: list = []
    for k, (ax, res, label) in enumerate(zip(flat, items, labels, strict=False)):
        handles, dates = _fan(ax, res, outcome, label, colors[label])
        all_dates += dates
        if k > 0:
            (ref,) = ax.plot(ref_dates, reference.to_numpy()[:, 2], color=REFERENCE_COLOR,
                             lw=1.2, ls="--", gid=f"reference:{label}",
                             label=f"{labels[0]} (median)")  # fmt: skip
            handles.append(ref)
        if targets:
            handles.append(_targets(ax, targets))
        ax.set_title(label, fontsize="medium", color=colors[label])
        style_axes(ax)
        ax.legend(handles=handles, loc="best", fontsize="x-small", frameon=False)
    for k, ax in enumerate(flat[len(items) :], start=len(items)):
        ax.set_visible(False)
        flat[k - ncols].xaxis.set_tick_params(labelbottom=True)  # the panel above shows years
    for row in axes:
        value_axis(row[0].yaxis)
    fig.supylabel(axis_label(spec.label, spec.unit), fontsize="medium")
    date_axis(flat[0], sorted(all_dates))
    fig.suptitle(spec.label)
    return fig


def share_chart(results_or_list: Results | Sequence[Results], outcome: str) -> Figure:
    """A flag's probability by month, or a category's shares by month.

    A flag (a state in force) is one line per scenario: the share of runs in which it is on. A
    category is one panel per scenario with the share of runs in each label, stacked.

    Returns:
        The figure; lines carry ids ``p:<label>``, stacked areas ``share:<label>:<value>``.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    spec = RECORD.outcome(outcome)
    if spec.kind == "flag":
        colors = scenario_colors(labels)
        fig, ax = new_figure(WIDE)
        all_dates = []
        for res, label in zip(items, labels, strict=True):
            p = flag_probability(res, outcome)
            dates = month_dates(p.index)
            all_dates += dates
            ax.plot(dates, p.to_numpy(), color=colors[label], lw=2, label=label, gid=f"p:{label}")
        ax.set_title(f"P({spec.label.lower()}) by month")
        ax.set_ylabel("Probability (share of runs)")
        ax.set_ylim(0, 1)
        ax.legend(loc="best", fontsize="small", frameon=False)
        date_axis(ax, sorted(all_dates))
        style_axes(ax)
        return fig
    if spec.kind != "category":
        raise ValueError(f"{outcome} is a {spec.kind}: draw it with fan_chart")
    fig, axes = new_figure(
        (WIDE[0], 2.2 + 1.8 * len(items)), nrows=len(items), sharex=True, squeeze=False
    )
    palette = [f"C{k}" for k in range(len(spec.labels))]
    for ax, res, label in zip(axes[:, 0], items, labels, strict=True):
        shares = category_shares_by_month(res, outcome)
        dates = month_dates(shares.index)
        stacks = ax.stackplot(
            dates, shares.to_numpy().T, labels=list(spec.labels), colors=palette, alpha=0.85
        )
        for poly, value in zip(stacks, spec.labels, strict=True):
            poly.set_gid(f"share:{label}:{value}")
        ax.set_title(f"{spec.label}: {label}")
        ax.set_ylabel("Share of runs")
        ax.set_ylim(0, 1)
        date_axis(ax, dates)
        style_axes(ax)
    axes[0, 0].legend(loc="upper left", fontsize="small", frameon=False, ncols=len(spec.labels))
    return fig


def event_probability_chart(
    results_or_list: Results | Sequence[Results], events: Sequence[str] | None = None
) -> Figure:
    """Cumulative probability of each event by month, one panel per event.

    Args:
        results_or_list: One stored batch or several (one line per scenario).
        events: Event names (default: every declared event all batches recorded).

    Returns:
        A figure with one panel per event; each line carries the id ``<column>:<label>``.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    colors = scenario_colors(labels)
    if events is None:
        recorded = set.intersection(*(set(r.manifest["record"]["events"]) for r in items))
        events = [e.name for e in RECORD.events if e.name in recorded and e.figure]
    ncols = 2 if len(events) > 1 else 1
    nrows = -(-len(events) // ncols)
    fig, axes = new_figure(
        (PAIR[0], PAIR[1] * max(1, nrows) * 0.9 + 0.4),
        nrows=max(1, nrows),
        ncols=ncols,
        sharey=True,
        squeeze=False,
    )
    flat = list(axes.ravel())
    for ax, name in zip(flat, events, strict=False):
        event = RECORD.event(name)
        all_dates = []
        for res, label in zip(items, labels, strict=True):
            curve = event_curve(res, name)
            dates = month_dates(curve.index)
            all_dates += dates
            ax.step(
                dates,
                curve.to_numpy(),
                where="post",
                color=colors[label],
                lw=2,
                label=label,
                gid=f"{event.column}:{label}",
                clip_on=False,
            )
        ax.set_title(f"P({event.label} by month)")
        ax.set_ylim(0, 1)
        date_axis(ax, sorted(all_dates))
        style_axes(ax)
    for ax in flat[len(events) :]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("Cumulative probability")
    flat[0].legend(loc="upper left", fontsize="small", frameon=False)
    return fig
