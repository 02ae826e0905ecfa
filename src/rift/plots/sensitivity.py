"""The sensitivity indices of an outcome: a bar per input and index, with its interval.

Input is a :class:`~rift.analysis.sensitivity.Sensitivity` (``rift sensitivity`` makes it);
the title gives the seed's share of the variance, which no input's bar can show.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from rift.analysis.sensitivity import INDICES, Sensitivity
from rift.plots.style import new_figure, style_axes

#: Colours of the first and second index of a method (ST and S1 for Sobol').
INDEX_COLORS = ("#1f5f8b", "#b07a2a")


def sensitivity_chart(result: Sensitivity, limit: int = 20) -> Figure:
    """Horizontal bars of each input's indices, largest first, with 95 % intervals.

    Args:
        result: The analysis.
        limit: At most this many inputs (or groups), by the method's first index.

    Returns:
        The figure. Bars carry ids ``index:<index>:<factor>``; each index's error bars are
        labelled ``<index> interval``.
    """
    first, second = INDICES[result.method]
    table = result.indices
    wide = table.pivot(index="factor", columns="index", values="value")
    order = list(wide[first].fillna(-np.inf).sort_values(ascending=False).index[:limit])
    height = max(2.8, 0.8 + 0.32 * len(order))
    fig, ax = new_figure((8.0, height))
    y = np.arange(len(order))
    bar_height = 0.38
    for k, (index, color) in enumerate(zip((first, second), INDEX_COLORS, strict=True)):
        rows = table[table["index"] == index].set_index("factor").loc[order]
        values = rows["value"].to_numpy(float)
        low = np.clip(values - rows["ci_low"].to_numpy(float), 0, None)
        high = np.clip(rows["ci_high"].to_numpy(float) - values, 0, None)
        offset = (k - 0.5) * bar_height
        bars = ax.barh(y + offset, np.nan_to_num(values), height=bar_height, color=color,
                       label=index)  # fmt: skip
        for bar, factor in zip(bars, order, strict=True):
            bar.set_gid(f"index:{index}:{factor}")
        has_ci = np.isfinite(low) & np.isfinite(high)
        if has_ci.any():
            ax.errorbar(values[has_ci], (y + offset)[has_ci],
                        xerr=np.vstack([low[has_ci], high[has_ci]]), fmt="none",
                        ecolor="#333333", elinewidth=0.9, capsize=2.5,
                        label=f"{index} interval")  # fmt: skip
    if result.method != "morris":  # shares of a variance: intervals beyond [0, 1] are cut
        ax.set_xlim(-0.05, 1.05)
    ax.set_yticks(y, order)
    ax.invert_yaxis()
    ax.set_xlabel(f"{result.method} index of the seed-averaged outcome (95 % interval)")
    s = result.split
    share = "—" if not np.isfinite(s.seed_share) else f"{s.seed_share:.2f}"
    ax.set_title(
        f"{result.label}\nseed's share of the variance: {share} "
        f"({s.points} points × {s.replicates} replicates)",
        fontsize=10,
    )
    style_axes(ax)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    return fig
