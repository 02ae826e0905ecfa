"""Figures of stored results (matplotlib, object-oriented; nothing is shown on screen).

Every function takes one :class:`~rift.results.Results` or a sequence of them and returns a
:class:`matplotlib.figure.Figure`. The same scenario has the same colour in every figure
(:func:`scenario_colors`). :func:`figures_for` makes the standard set and
:func:`write_figures` saves it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

from rift.analysis.elections import has_vote
from rift.plots.election import election_chart
from rift.plots.horizon import exceedance_chart, horizon_distribution
from rift.plots.maps import control_map
from rift.plots.style import as_list, save_figure, scenario_colors
from rift.plots.timeseries import event_probability_chart, fan_chart, share_chart
from rift.plots.validation import reliability_chart
from rift.record import RECORD
from rift.results import Results

if TYPE_CHECKING:
    from rift.plots.pool import FigurePool

__all__ = [
    "FIGURE_SETS",
    "HORIZON_FIGURES",
    "KEY_OUTCOMES",
    "control_map",
    "draw_figure",
    "election_chart",
    "event_probability_chart",
    "exceedance_chart",
    "fan_chart",
    "figure_makers",
    "figures_for",
    "horizon_distribution",
    "is_key_figure",
    "reliability_chart",
    "reported_outcomes",
    "save_figure",
    "scenario_colors",
    "share_chart",
    "write_figures",
]

#: Outcomes with a horizon distribution and an exceedance chart, and their thresholds.
HORIZON_FIGURES: dict[str, float | None] = {"control_any": 400.0, "coca_ha": None}

#: Outcomes whose fan charts are key figures: what an analyst asks first.
KEY_OUTCOMES: tuple[str, ...] = (
    "control_any",
    "presence_any",
    "members_total",
    "coca_ha",
    "displacement_cum",
    "cooperation_index",
)
#: The figure sets: ``key`` (the fans of :data:`KEY_OUTCOMES`, the event curves, the election
#: and the map) or ``all`` (besides those, a fan or share chart of every reported outcome, and
#: the horizon distributions and exceedance curves).
FIGURE_SETS: tuple[str, ...] = ("key", "all")


def is_key_figure(stem: str) -> bool:
    """Whether a standard figure (by file stem) is one of the ``key`` set."""
    return stem in {"events", "election", "map_control"} or stem in {
        f"fan_{name}" for name in KEY_OUTCOMES
    }


def reported_outcomes(results_list: Sequence[Results]) -> list[str]:
    """Outcomes reported by any of the scenarios (all when a scenario names none), in order."""
    names: set[str] = set()
    for res in results_list:
        stored = set(res.manifest["record"]["outcomes"])
        scenario = res.manifest.get("scenario", {})
        chosen = scenario.get("outcomes") or res.manifest.get("outcomes") or stored
        names |= {n for n in chosen if n in stored}
    return [n for n in RECORD.outcome_names if n in names]


def figure_makers(
    results_list: Results | Sequence[Results],
    outcomes: Sequence[str] | None = None,
    which: str = "all",
) -> dict[str, Callable[[], Figure]]:
    """The standard figures as functions that draw them, keyed by file stem.

    Args:
        results_list: One stored batch or several.
        outcomes: Outcomes of the fan charts (default: the reported outcomes).
        which: ``all``, or ``key`` for only the key figures (:func:`is_key_figure`).

    Returns:
        ``fan_<outcome>`` for each numeric outcome, ``share_<outcome>`` for each flag and
        category, ``horizon_<outcome>`` and ``exceedance_<outcome>`` for
        :data:`HORIZON_FIGURES`, ``events``, ``election`` (when the vote was simulated) and
        ``map_control``.
    """
    items = as_list(results_list)
    chosen = reported_outcomes(items) if outcomes is None else list(outcomes)
    makers: dict[str, Callable[[], Figure]] = {}
    for name in chosen:
        if RECORD.outcome(name).numeric:
            makers[f"fan_{name}"] = lambda name=name: fan_chart(items, name)
        else:
            makers[f"share_{name}"] = lambda name=name: share_chart(items, name)
    for name, threshold in HORIZON_FIGURES.items():
        makers[f"horizon_{name}"] = lambda name=name: horizon_distribution(items, name)
        makers[f"exceedance_{name}"] = lambda name=name, t=threshold: exceedance_chart(
            items, name, threshold=t
        )
    makers["events"] = lambda: event_probability_chart(items)
    if any(has_vote(r) for r in items):
        makers["election"] = lambda: election_chart(items)
    makers["map_control"] = lambda: control_map(items)
    if which not in FIGURE_SETS:
        raise ValueError(f"figure set {which!r}: expected one of {', '.join(FIGURE_SETS)}")
    if which == "key":
        return {stem: make for stem, make in makers.items() if is_key_figure(stem)}
    return makers


def figures_for(
    results_list: Results | Sequence[Results], outcomes: Sequence[str] | None = None
) -> dict[str, Figure]:
    """The standard set of figures, keyed by file stem (see :func:`figure_makers`).

    Args:
        results_list: One stored batch or several.
        outcomes: Outcomes of the fan charts (default: the reported outcomes).

    Returns:
        The figures.
    """
    return {stem: make() for stem, make in figure_makers(results_list, outcomes).items()}


def draw_figure(make: Callable[[], Figure], path: Path, formats: Sequence[str]) -> list[Path]:
    """Draw one figure, save it in each format and release it (serial and pooled alike).

    Args:
        make: The function that draws it (one of :func:`figure_makers`).
        path: Target path without suffix (``figures/fan_control_any``).
        formats: File formats (``png``, ``svg``, ``pdf``).

    Returns:
        The files written, one per format.
    """
    import matplotlib.pyplot as plt  # only to release figures that pyplot may track

    fig = make()
    try:
        return save_figure(fig, path, formats)
    finally:
        plt.close(fig)


def write_figures(
    results_list: Results | Sequence[Results],
    folder: str | Path,
    formats: Sequence[str] = ("png",),
    outcomes: Sequence[str] | None = None,
    which: str = "all",
    pool: FigurePool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, list[Path]]:
    """Make, save and close the standard figures one at a time, or in a pool's workers.

    Args:
        results_list: One stored batch or several.
        folder: Where to write (created if missing).
        formats: File formats (``png``, ``svg``, ``pdf``).
        outcomes: Outcomes of the fan charts (default: the reported outcomes).
        which: The figure set (:data:`FIGURE_SETS`).
        pool: Worker processes to draw them in (:class:`~rift.plots.pool.FigurePool`): the
            same files, byte for byte.
        progress: Called as ``progress(done, total)`` after each figure.

    Returns:
        The files written, by file stem.
    """
    out = Path(folder)
    if pool is not None:
        return pool.write_figures(results_list, out, formats, outcomes, which, progress)
    makers = figure_makers(results_list, outcomes, which)
    written: dict[str, list[Path]] = {}
    for stem, make in makers.items():
        written[stem] = draw_figure(make, out / stem, formats)
        if progress is not None:
            progress(len(written), len(makers))
    return written
