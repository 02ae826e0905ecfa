"""The reliability of a hindcast: how its predictive bands fare against the record.

Input is the score table of :func:`rift.validation.forecast.hindcast.score_hindcast` (one row per
observed figure, with its PIT and whether the calibration saw it), so this module needs no
validation code: a plain DataFrame with columns ``pit`` and ``sample``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from rift.plots.style import PAIR, new_figure, style_axes

#: Colours of the in-sample and out-of-sample targets.
SAMPLE_COLORS = {"in": "#9aa5b1", "out": "#1f5f8b", "uncalibrated": "#b07a2a"}
SAMPLE_LABELS = {"in": "in sample (fitted)", "out": "out of sample", "uncalibrated": "uncalibrated"}


def central_coverage(pit: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Share of PIT values inside each central interval: ``|PIT - 0.5| <= level / 2``."""
    pit = np.asarray(pit, float)
    return np.array([np.mean(np.abs(pit - 0.5) <= lv / 2 + 1e-12) for lv in levels])


def reliability_chart(table: pd.DataFrame, bins: int = 10) -> Figure:
    """Two panels: the PIT histogram, and the coverage of central bands against nominal.

    A calibrated forecast has a flat PIT histogram and coverage on the diagonal; a U shape
    (or coverage below the diagonal) means the bands are too narrow, a hump that they are too
    wide, a slope that the forecasts are biased.

    Args:
        table: Score table with ``pit`` and ``sample`` (``in``/``out``) columns.
        bins: Bins of the PIT histogram.

    Returns:
        The figure. Bars carry ids ``pit:<sample>:<bin>``, coverage lines
        ``coverage:<sample>``.
    """
    fig, (hist, cover) = new_figure(PAIR, ncols=2)
    samples = [s for s in ("out", "in", "uncalibrated") if (table["sample"] == s).any()]
    edges = np.linspace(0.0, 1.0, bins + 1)
    width = 1.0 / bins
    bottom = np.zeros(bins)
    levels = np.linspace(0.1, 0.9, 9)
    for s in samples:
        pit = table.loc[table["sample"] == s, "pit"].to_numpy(float)
        counts, _ = np.histogram(pit, bins=edges)
        bars = hist.bar(edges[:-1], counts, width=width, align="edge", bottom=bottom,
                        color=SAMPLE_COLORS[s], edgecolor="white",
                        label=f"{SAMPLE_LABELS[s]} ({len(pit)})")  # fmt: skip
        for k, bar in enumerate(bars):
            bar.set_gid(f"pit:{s}:{k}")
        bottom = bottom + counts
        line = cover.plot(levels, central_coverage(pit, levels), marker="o",
                          color=SAMPLE_COLORS[s], label=SAMPLE_LABELS[s])[0]  # fmt: skip
        line.set_gid(f"coverage:{s}")
    n = int(bottom.sum())
    if n:
        hist.axhline(n / bins, color="black", lw=0.8, ls="--", label="flat (calibrated)")
    hist.set_xlim(0, 1)
    hist.yaxis.set_major_locator(MaxNLocator(integer=True))
    hist.set_xlabel("PIT of the observed figure")
    hist.set_ylabel("targets")
    hist.set_title("PIT histogram")
    cover.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--", label="nominal")
    cover.set_xlim(0, 1)
    cover.set_ylim(0, 1.02)
    cover.set_xlabel("central band (nominal share)")
    cover.set_ylabel("share of figures inside")
    cover.set_title("Coverage of the central bands")
    for ax in (hist, cover):
        style_axes(ax)
        ax.legend(frameon=False, fontsize="small")
    return fig
