"""The 2026 election of a batch: first-round shares by bloc, winners, outcomes by winner."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from rift.analysis.elections import has_vote, winner_shares
from rift.analysis.summary import ok_runs
from rift.plots.style import (
    PAIR,
    as_list,
    new_figure,
    scenario_colors,
    scenario_labels,
    style_axes,
)
from rift.record import BLOCS, RECORD
from rift.results import Results


def election_chart(results_or_list: Results | Sequence[Results]) -> Figure:
    """Three panels: first-round shares by bloc, P(winner) by bloc, an outcome by winner.

    Returns:
        The figure. Violins carry ids ``vote:<label>:<bloc>``, bars ``winner:<label>:<bloc>``,
        boxes ``control:<label>:<bloc>``.
    """
    items = as_list(results_or_list)
    labels = scenario_labels(items)
    colors = scenario_colors(labels)
    fig, axes = new_figure((PAIR[0] * 1.3, PAIR[1]), ncols=3)
    width = 0.8 / len(items)
    for k, (res, label) in enumerate(zip(items, labels, strict=True)):
        runs = ok_runs(res.runs)
        offset = (k - (len(items) - 1) / 2) * width
        if has_vote(res):
            for i, b in enumerate(BLOCS):
                x = runs[f"first_round_{b}"].dropna().to_numpy(float)
                if len(x) > 1 and np.ptp(x) > 0:
                    v = axes[0].violinplot([x], positions=[i + offset], widths=width * 0.9,
                                           showmedians=True)  # fmt: skip
                    for body in v["bodies"]:
                        body.set_facecolor(colors[label])
                        body.set_gid(f"vote:{label}:{b}")
        p = winner_shares(res)
        bars = axes[1].bar(np.arange(len(BLOCS)) + offset, p.to_numpy(), width=width,
                           color=colors[label], label=label)  # fmt: skip
        for bar, b in zip(bars, BLOCS, strict=True):
            bar.set_gid(f"winner:{label}:{b}")
        data = [
            runs.loc[runs["winner"].astype("string") == b, "control_any"].to_numpy(float)
            if "winner" in runs
            else np.array([])
            for b in BLOCS
        ]
        shown = [i for i, d in enumerate(data) if len(d)]
        if shown:
            box = axes[2].boxplot([data[i] for i in shown], positions=[i + offset for i in shown],
                                  widths=width * 0.8, patch_artist=True)  # fmt: skip
            for patch, i in zip(box["boxes"], shown, strict=True):
                patch.set_facecolor(colors[label])
                patch.set_gid(f"control:{label}:{BLOCS[i]}")
    for ax, title, ylabel in (
        (axes[0], "First round 2026: vote shares", "Share of candidate votes"),
        (axes[1], "Winner of 2026", "Share of runs"),
        (axes[2], "Armed control at the horizon, by winner",
         RECORD.outcome("control_any").unit),
    ):  # fmt: skip
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_xticks(range(len(BLOCS)), list(BLOCS))
        style_axes(ax)
    axes[0].set_ylim(0, 1)
    axes[1].set_ylim(0, 1)
    axes[1].legend(loc="upper left", fontsize="small", frameon=False)
    return fig
