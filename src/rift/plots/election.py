"""The 2026 election of a batch: first-round shares by bloc, winners, outcomes by winner."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from rift.analysis.elections import has_vote, winner_shares
from rift.analysis.summary import ok_runs
from rift.plots.style import (
    PAIR,
    as_list,
    axis_label,
    new_figure,
    scenario_colors,
    scenario_labels,
    style_axes,
)
from rift.record import BLOCS, RECORD
from rift.results import Results

#: Fewer runs than this in a group: drawn as points with their count, not as a box.
MIN_BOX_RUNS = 10
#: The colour of medians, whiskers and counts (readable on any scenario colour).
INK = "#1b1b1b"


def ink_on(color: str) -> str:
    """Dark ink on a light colour, white on a dark one (a median drawn across a box)."""
    r, g, b = to_rgb(color)
    return INK if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.3 else "#ffffff"


def election_chart(results_or_list: Results | Sequence[Results]) -> Figure:
    """Three panels: first-round shares by bloc, P(winner) by bloc, armed control by winner.

    The violins and boxes are in the scenario's colour with dark whiskers and medians that
    stand out on the box (:func:`ink_on`); a
    winner's group of fewer than :data:`MIN_BOX_RUNS` runs is drawn as its points, and every
    group of the third panel is labelled with its number of runs (``n=``).

    Returns:
        The figure. Violins carry ids ``vote:<label>:<bloc>``, bars ``winner:<label>:<bloc>``,
        boxes (or the points of a small group) ``control:<label>:<bloc>``, the counts
        ``n:<label>:<bloc>``.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    colors = scenario_colors(labels)
    control = RECORD.outcome("control_any")
    fig, axes = new_figure((PAIR[0] * 1.3, PAIR[1]), ncols=3)
    width = 0.8 / len(items)
    for k, (res, label) in enumerate(zip(items, labels, strict=True)):
        runs = ok_runs(res.runs)
        offset = (k - (len(items) - 1) / 2) * width
        color = colors[label]
        if has_vote(res):
            for i, b in enumerate(BLOCS):
                x = runs[f"first_round_{b}"].dropna().to_numpy(float)
                if len(x) > 1 and np.ptp(x) > 0:
                    v = axes[0].violinplot([x], positions=[i + offset], widths=width * 0.9,
                                           showmedians=True, showextrema=False)  # fmt: skip
                    for body in v["bodies"]:
                        body.set(facecolor=color, edgecolor=color, alpha=0.6)
                        body.set_gid(f"vote:{label}:{b}")
                    v["cmedians"].set(color=INK, linewidth=2)
        p = winner_shares(res)
        bars = axes[1].bar(np.arange(len(BLOCS)) + offset, p.to_numpy(), width=width,
                           color=color, label=label)  # fmt: skip
        for bar, b in zip(bars, BLOCS, strict=True):
            bar.set_gid(f"winner:{label}:{b}")
        for i, b in enumerate(BLOCS):
            data = (
                runs.loc[runs["winner"].astype("string") == b, control.name].to_numpy(float)
                if "winner" in runs
                else np.array([])
            )
            data = data[np.isfinite(data)]
            if not len(data):
                continue
            x = i + offset
            if len(data) < MIN_BOX_RUNS:
                (points,) = axes[2].plot(np.full(len(data), x), data, ls="none", marker="o",
                                         ms=5, mfc=color, mec=INK, mew=0.6)  # fmt: skip
                points.set_gid(f"control:{label}:{b}")
            else:
                box = axes[2].boxplot(
                    [data], positions=[x], widths=width * 0.8, patch_artist=True,
                    medianprops={"color": ink_on(color), "linewidth": 2},
                    whiskerprops={"color": INK}, capprops={"color": INK},
                    boxprops={"edgecolor": INK}, flierprops={"marker": ".", "markeredgecolor": INK},
                )  # fmt: skip
                box["boxes"][0].set_facecolor(color)
                box["boxes"][0].set_gid(f"control:{label}:{b}")
            axes[2].annotate(f"n={len(data)}", (x, float(data.max())), xytext=(0, 4),
                             textcoords="offset points", ha="center", fontsize="x-small",
                             color=INK, gid=f"n:{label}:{b}")  # fmt: skip
    for ax, title, ylabel in (
        (axes[0], "First round 2026: vote shares", "Share of candidate votes"),
        (axes[1], "Winner of 2026", "Share of runs"),
        (axes[2], f"{control.label} at the horizon,\nby the winner of 2026",
         axis_label(control.label, control.unit)),
    ):  # fmt: skip
        ax.set_title(title, fontsize="medium")
        ax.set_ylabel(ylabel)
        ax.set_xticks(range(len(BLOCS)), [b.capitalize() for b in BLOCS])
        style_axes(ax)
        ax.set_xlim(-0.6, len(BLOCS) - 0.4)
    if not axes[0].collections:  # no run simulated the vote: the result was given
        axes[0].text(0.5, 0.5, "No simulated vote: the 2026 result\nis the record's or the "
                     "scenario's",
                     ha="center", va="center", transform=axes[0].transAxes, color=INK,
                     gid="no-vote")  # fmt: skip
    axes[0].set_ylim(0, 1)
    axes[1].set_ylim(0, 1)
    axes[1].legend(loc="upper left", fontsize="small", frameon=False)
    return fig
