"""Figures over time: quantile fans of an outcome and cumulative event probabilities."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from rift.analysis.distributions import EVENTS, event_curve, fan_quantiles
from rift.outcomes import BY_NAME
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
from rift.results import Results

#: Opacity of the 50 % and 90 % bands of a fan chart.
BAND50_ALPHA = 0.3
BAND90_ALPHA = 0.12


def fan_chart(
    results_or_list: Results | Sequence[Results],
    outcome: str,
    targets: Sequence[tuple[str, float, str]] | None = None,
) -> Figure:
    """Median and 50 % / 90 % bands of an outcome over the runs, month by month.

    Args:
        results_or_list: One stored batch or several (one fan per scenario).
        outcome: An outcome name.
        targets: Observed points to draw over the fans, as ``(month, value, text)``.

    Returns:
        The figure. Artists carry ids (``gid``): ``median:<label>``, ``band50:<label>`` and
        ``band90:<label>`` for each scenario, ``targets`` for the observed points.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    colors = scenario_colors(labels)
    spec = BY_NAME[outcome]
    fig, ax = new_figure(WIDE)
    handles = []
    all_dates = []
    fade = 1.0 if len(items) <= 2 else 0.6  # many overlapping fans: lighter bands
    alpha50, alpha90 = BAND50_ALPHA * fade, BAND90_ALPHA * fade
    for res, label in zip(items, labels, strict=True):
        fq = fan_quantiles(res, outcome)
        dates = month_dates(fq.index)
        all_dates += dates
        color = colors[label]
        q = fq.to_numpy()
        n = len(res.series["run"].unique())
        band90 = ax.fill_between(dates, q[:, 0], q[:, 4], color=color, alpha=alpha90, lw=0)
        band90.set_gid(f"band90:{label}")
        band50 = ax.fill_between(dates, q[:, 1], q[:, 3], color=color, alpha=alpha50, lw=0)
        band50.set_gid(f"band50:{label}")
        text = label if n else f"{label} (no runs)"
        (line,) = ax.plot(dates, q[:, 2], color=color, lw=2, label=text, gid=f"median:{label}")
        handles.append(line)
    handles += [
        Patch(color="#666666", alpha=alpha50 + alpha90, label="50 % of runs"),
        Patch(color="#666666", alpha=alpha90, label="90 % of runs"),
    ]
    if targets:
        dates = month_dates(m for m, _, _ in targets)
        values = [float(v) for _, v, _ in targets]
        ax.plot(
            dates, values, ls="none", marker="D", ms=6, color=TARGET_COLOR, gid="targets", zorder=5
        )
        for d, v, (_, _, text) in zip(dates, values, targets, strict=True):
            if text:
                ax.annotate(
                    text, (d, v), xytext=(4, 4), textcoords="offset points", fontsize="small"
                )
        handles.append(
            Line2D([], [], ls="none", marker="D", ms=6, color=TARGET_COLOR, label="observed")
        )
    ax.set_title(spec.label)
    ax.set_ylabel(axis_label(spec.label, spec.unit))
    value_axis(ax.yaxis)
    date_axis(ax, sorted(all_dates))
    style_axes(ax)
    ax.legend(handles=handles, loc="best", fontsize="small", frameon=False)
    return fig


def event_probability_chart(results_or_list: Results | Sequence[Results]) -> Figure:
    """Cumulative probability of full rupture and of re-certification by month.

    Args:
        results_or_list: One stored batch or several (one line per scenario).

    Returns:
        A figure with two panels; each line carries the id ``<column>:<label>``.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    colors = scenario_colors(labels)
    fig, axes = new_figure(PAIR, ncols=2, sharey=True)
    for ax, (column, event) in zip(axes, EVENTS.items(), strict=True):
        all_dates = []
        for res, label in zip(items, labels, strict=True):
            curve = event_curve(res, column)
            dates = month_dates(curve.index)
            all_dates += dates
            ax.step(
                dates,
                curve.to_numpy(),
                where="post",
                color=colors[label],
                lw=2,
                label=label,
                gid=f"{column}:{label}",
                clip_on=False,
            )
        ax.set_title(f"P({event} by month)")
        ax.set_ylim(0, 1)
        date_axis(ax, sorted(all_dates))
        style_axes(ax)
    axes[0].set_ylabel("Cumulative probability (share of runs)")
    axes[0].legend(loc="upper left", fontsize="small", frameon=False)
    return fig
