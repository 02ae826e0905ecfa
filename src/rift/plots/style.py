"""Shared look of the figures: scenario colours, sizes, dated axes and atomic saving."""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from rift.results import Results

#: Resolution of saved raster figures (pixels per inch).
DPI = 120

#: Figure sizes in inches (at 120 dpi a 8 x 4.5 figure is 960 x 540 pixels).
WIDE = (8.0, 4.5)
PAIR = (11.0, 4.2)
SQUARE = (7.0, 4.8)

#: Fixed colours of the shipped scenarios (Okabe-Ito, colour-blind safe).
SCENARIO_COLORS: dict[str, str] = {
    "baseline": "#0072B2",
    "new_rupture": "#D55E00",
    "deepened_reset": "#009E73",
    "left_win_2030": "#CC79A7",
    "us_admin_2029": "#E69F00",
    "china_tilt": "#56B4E9",
    "forecast_2025_12": "#000000",
    "hindcast_2019": "#882255",
    # the 2025 variants (scenarios/from_2025), shown with the archived forecast
    "full_rupture": "#D55E00",
    "reset_2026": "#009E73",
    "left_continuity": "#CC79A7",
    "paz_total_continues": "#E69F00",
    "china_pivot": "#56B4E9",
}

#: Colours for other scenarios, picked by a hash of the name (Paul Tol's muted scheme).
OTHER_COLORS: tuple[str, ...] = (
    "#332288",
    "#117733",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#DDCC77",
    "#CC6677",
    "#661100",
    "#6699CC",
    "#888888",
)

#: Colour of observed targets drawn over the model.
TARGET_COLOR = "#000000"


def _hash_index(name: str) -> int:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % len(OTHER_COLORS)


def scenario_colors(names: Iterable[str]) -> dict[str, str]:
    """A colour per scenario name, the same in every figure.

    Shipped scenarios have fixed colours. Any other name gets a colour of a colour-blind-safe
    palette picked from a hash of the name; if two such names in the same set would share a
    colour, the one that sorts later takes the next free one (so the result never depends on
    the order of ``names``).

    Args:
        names: Scenario names (or legend labels).

    Returns:
        A hex colour for every name.
    """
    unique = sorted(set(names))
    out = {n: SCENARIO_COLORS[n] for n in unique if n in SCENARIO_COLORS}
    taken: set[str] = set()
    for name in (n for n in unique if n not in SCENARIO_COLORS):
        k = _hash_index(name)
        for step in range(len(OTHER_COLORS)):
            candidate = OTHER_COLORS[(k + step) % len(OTHER_COLORS)]
            if candidate not in taken:
                break
        else:  # more names than colours: reuse the hashed one
            candidate = OTHER_COLORS[k]
        taken.add(candidate)
        out[name] = candidate
    return out


def as_list(results_or_list: Results | Sequence[Results]) -> list[Results]:
    """One result or a sequence of results as a non-empty list."""
    items = [results_or_list] if isinstance(results_or_list, Results) else list(results_or_list)
    if not items:
        raise ValueError("no results to plot")
    return items


def scenario_labels(results: Sequence[Results]) -> list[str]:
    """Legend labels: scenario names, with the result folder when a name repeats."""
    names = [r.name for r in results]
    return [
        f"{n} [{r.path.name}]" if names.count(n) > 1 else n
        for n, r in zip(names, results, strict=True)
    ]


def new_figure(size: tuple[float, float] = WIDE, **subplots) -> tuple[Figure, object]:
    """A figure (not registered with pyplot) with constrained layout and its axes."""
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def style_axes(ax: Axes) -> None:
    """Light grid, no top and right spines."""
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)


def month_dates(labels: Iterable[str]) -> list[_dt.date]:
    """Month labels ``YYYY-MM`` as the first day of each month."""
    return [_dt.date(int(m[:4]), int(m[5:7]), 1) for m in labels]


def date_axis(ax: Axes, dates: Sequence[_dt.date] | None = None) -> None:
    """Year ticks on the x axis (every year, or every few years on long spans)."""
    years = 1
    if dates:
        span = dates[-1].year - dates[0].year + 1
        years = max(1, -(-span // 8))
    ax.xaxis.set_major_locator(mdates.YearLocator(years))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator((1, 4, 7, 10)))


def value_axis(axis: Axis) -> None:
    """Plain tick labels with thousands separators (``308,000`` rather than ``3.08e5``)."""
    axis.set_major_formatter(
        FuncFormatter(lambda x, _: f"{x:,.0f}" if abs(x) >= 10_000 else f"{x:g}")
    )


def axis_label(label: str, unit: str) -> str:
    """``Label (unit)``."""
    return f"{label} ({unit})" if unit else label


#: Colours of a saved PNG's palette: a figure has far fewer, and a palette PNG is about a
#: third of the size of a true-colour one (measured on the report's figures, 2026-12-04).
PNG_COLORS = 256


def _save_palette_png(fig: Figure, path: str, dpi: int) -> None:
    """Save a figure as a PNG with an adaptive palette of :data:`PNG_COLORS` colours."""
    import io

    from PIL import Image  # matplotlib's own dependency

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    buffer.seek(0)
    with Image.open(buffer) as image:
        rgb = image.convert("RGB")
    rgb.quantize(PNG_COLORS, method=Image.Quantize.MEDIANCUT).save(path, "PNG", optimize=True)


def save_figure(
    fig: Figure,
    path: str | Path,
    formats: Sequence[str] = ("png",),
    dpi: int = DPI,
    palette: bool = True,
) -> list[Path]:
    """Save a figure in one or more formats, each written atomically.

    Every file is written to a temporary name in the target folder and renamed into place, so
    a reader never sees a half-written image.

    Args:
        fig: The figure.
        path: Target path without suffix (``figures/fan_control_any``).
        formats: File formats such as ``png``, ``svg``, ``pdf``.
        dpi: Resolution of raster formats.
        palette: Save a PNG with an adaptive palette (:data:`PNG_COLORS` colours, opaque);
            false: true colour with transparency, as matplotlib writes it.

    Returns:
        The written files, one per format.
    """
    stem = Path(path)
    stem.parent.mkdir(parents=True, exist_ok=True)
    mask = os.umask(0)
    os.umask(mask)
    written = []
    for fmt in formats:
        target = stem.with_name(f"{stem.name}.{fmt}")
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=stem.parent)
        os.close(fd)
        try:
            metadata = {"Date": None} if fmt == "svg" else None
            metadata = {"CreationDate": None} if fmt == "pdf" else metadata
            with mpl.rc_context({"svg.hashsalt": "rift"}):
                if fmt == "png" and palette:
                    _save_palette_png(fig, tmp, dpi)
                else:
                    fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata, bbox_inches="tight")
            os.chmod(tmp, 0o666 & ~mask)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        written.append(target)
    return written
