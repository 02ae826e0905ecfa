"""The figures draw what the analysis computes, in consistent colours, and save cleanly."""

import re

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from rift.analysis.distributions import control_probability, horizon_values
from rift.analysis.summary import format_value
from rift.experiment import run_scenario
from rift.geography import load_geography
from rift.plots import (
    KEY_OUTCOMES,
    control_map,
    election_chart,
    event_probability_chart,
    exceedance_chart,
    fan_chart,
    figure_makers,
    figures_for,
    horizon_distribution,
    is_key_figure,
    scenario_colors,
    write_figures,
)
from rift.plots.style import OTHER_COLORS, SCENARIO_COLORS, month_dates, save_figure
from rift.record import RECORD
from rift.results import load, series_array
from rift.scenario import load_scenario

from ..analysis.test_distributions import small_results

matplotlib.use("Agg")

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def pair(tmp_path_factory, root):
    """Baseline and full rupture, 12 runs to 2026-12, same root seed."""
    out = tmp_path_factory.mktemp("plots")
    results = []
    for name in ("forecast_2025_12", "from_2025/full_rupture"):
        scenario = load_scenario(root / "scenarios" / f"{name}.yaml", ["runs=12", "end=2026-12"])
        stored = run_scenario(scenario, executor="serial", out=out / name, quiet=True)
        results.append(load(stored.path))
    assert results[0].manifest["seed"] == results[1].manifest["seed"]
    return results


def by_gid(fig: Figure, gid: str):
    hits = [a for ax in fig.axes for a in ax.get_children() if a.get_gid() == gid]
    assert len(hits) == 1, (gid, len(hits))
    return hits[0]


def band_color(band) -> str:
    """The colour a band is drawn in: its fill, or its hatching when it is not filled."""
    face = band.get_facecolor()
    filled = len(face) and face[0][3] > 0
    return to_hex(face[0] if filled else band.get_edgecolor()[0])


def renamed(res, name: str):
    """The same batch under another scenario name (a third scenario without running one)."""
    manifest = {**res.manifest, "scenario": {**res.manifest["scenario"], "name": name}}
    return type(res)(res.path, manifest, res.runs, res.series, res.territory)


def legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]


# ------------------------------------------------------------------------------ colours
def test_colours_are_fixed_for_shipped_scenarios_and_independent_of_order():
    names = ["mine", "forecast_2025_12", "other", "full_rupture", "hindcast_2019"]
    forward, backward = scenario_colors(names), scenario_colors(names[::-1])
    assert forward == backward
    assert forward["forecast_2025_12"] == SCENARIO_COLORS["forecast_2025_12"]
    assert forward["mine"] in OTHER_COLORS and forward["mine"] != forward["other"]
    alone, together = scenario_colors(["mine"]), scenario_colors(["mine", "forecast_2025_12"])
    assert alone["mine"] == together["mine"]
    archived = ("full_rupture", "reset_2026", "left_continuity", "paz_total_continues",
                "china_pivot", "forecast_2025_12", "hindcast_2019")  # fmt: skip
    for group in ([n for n in SCENARIO_COLORS if n not in archived[:5]], archived):
        assert len({SCENARIO_COLORS[n] for n in group}) == len(group)  # distinct in a group
    many = [f"s{k}" for k in range(len(OTHER_COLORS))]
    assert len(set(scenario_colors(many).values())) == len(OTHER_COLORS)


@pytest.mark.parametrize("order", [(0, 1), (1, 0)])
def test_a_scenario_has_the_same_colour_in_every_figure(pair, order):
    items = [pair[k] for k in order]
    expected = {r.name: to_rgba(SCENARIO_COLORS[r.name]) for r in pair}
    fan = fan_chart(items, "control_any")
    events = event_probability_chart(items)
    exc = exceedance_chart(items, "control_any")
    violins = horizon_distribution(items, "control_any")
    for name, rgba in expected.items():
        assert to_rgba(by_gid(fan, f"median:{name}").get_color()) == rgba
        assert band_color(by_gid(fan, f"band50:{name}")) == to_hex(rgba)
        assert to_rgba(by_gid(events, f"rupture_month:{name}").get_color()) == rgba
        assert to_rgba(by_gid(exc, f"exceedance:{name}").get_color()) == rgba
        assert to_hex(by_gid(violins, f"violin:{name}").get_facecolor()[0]) == to_hex(rgba)


# ------------------------------------------------------------------------------ fan chart
def test_fan_chart_draws_the_quantiles_of_the_runs(pair):
    fig = fan_chart(pair, "control_any")
    (ax,) = fig.axes
    medians = [ln for ln in ax.get_lines() if str(ln.get_gid()).startswith("median:")]
    assert len(medians) == len(pair)
    for res in pair:
        values, _, months = series_array(res, "control_any")
        x = mdates.date2num(month_dates(months))
        line = by_gid(fig, f"median:{res.name}")
        assert np.allclose(mdates.date2num(line.get_xdata()), x)
        assert np.allclose(line.get_ydata(), np.quantile(values, 0.5, axis=0), rtol=1e-9)
        band = by_gid(fig, f"band50:{res.name}")
        assert isinstance(band, PolyCollection)
        vertices = np.concatenate([p.vertices for p in band.get_paths()])
        lo, hi = np.quantile(values, [0.25, 0.75], axis=0)
        for k, xk in enumerate(x):
            ys = vertices[np.isclose(vertices[:, 0], xk), 1]
            assert ys.min() == pytest.approx(lo[k], rel=1e-9)
            assert ys.max() == pytest.approx(hi[k], rel=1e-9)
        band90 = by_gid(fig, f"band90:{res.name}")
        if res is pair[0]:  # filled: the 90 % band lighter than the 50 %
            assert band90.get_alpha() < band.get_alpha()
        else:  # the second's 90 % band: its limits, the 5 % and 95 % quantiles
            low, high = band90.get_segments()
            assert np.allclose(low[:, 1], np.quantile(values, 0.05, axis=0), rtol=1e-9)
            assert np.allclose(high[:, 1], np.quantile(values, 0.95, axis=0), rtol=1e-9)
    assert isinstance(ax.xaxis.get_major_locator(), mdates.YearLocator)
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.DateFormatter)
    assert ax.get_ylabel() == "Municipalities under armed control (municipalities)"
    assert ax.get_title() == RECORD.outcome("control_any").label
    assert {"forecast_2025_12", "full_rupture"} <= set(legend_texts(fig))


def test_two_fans_share_a_panel_without_mixing_colours_and_the_legend_shows_the_bands(pair):
    fig = fan_chart(pair, "control_any")
    (ax,) = fig.axes
    first, second = (r.name for r in pair)
    filled = [c for c in ax.collections if len(c.get_facecolor()) and c.get_facecolor()[0][3]]
    assert {c.get_gid() for c in filled} == {f"band50:{first}", f"band90:{first}"}
    hatched = by_gid(fig, f"band50:{second}")
    assert hatched.get_hatch() and band_color(hatched) == to_hex(SCENARIO_COLORS[second])
    limits = by_gid(fig, f"band90:{second}")  # two dashed lines: the 5 % and 95 % quantiles
    assert len(limits.get_segments()) == 2
    # The band legend is in each scenario's colour, drawn as its bands are.
    handles = ax.get_legend().legend_handles
    bands = [h for h in handles if "of runs" in h.get_label()]
    assert len(bands) == 4
    colours = [to_hex(h.get_facecolor() if h.get_facecolor()[3] else h.get_edgecolor())
               if isinstance(h, Patch) else to_hex(h.get_color()) for h in bands]  # fmt: skip
    assert colours == [to_hex(SCENARIO_COLORS[n]) for n in (first, first, second, second)]
    assert bands[2].get_hatch() == hatched.get_hatch()


@pytest.mark.parametrize("n", [3, 4, 5])
def test_three_or_more_scenarios_are_small_multiples_one_band_per_panel(pair, n):
    items = [*pair, *(renamed(pair[0], f"variant_{k}") for k in range(n - 2))]
    fig = fan_chart(items, "control_any")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == n and fig.get_suptitle() == RECORD.outcome("control_any").label
    assert len(fig.axes) == (2 if n <= 4 else 3) * -(-n // (2 if n <= 4 else 3))
    colours = []
    ref = by_gid(fig, f"median:{items[0].name}")
    for ax, res in zip(panels, items, strict=True):
        bands = [c for c in ax.collections if str(c.get_gid()).startswith("band")]
        assert {c.get_gid() for c in bands} == {f"band50:{res.name}", f"band90:{res.name}"}
        colour = band_color(by_gid(fig, f"band50:{res.name}"))
        assert ax.get_title() == res.name and to_hex(ax.title.get_color()) == colour
        legend = {h.get_label(): h for h in ax.get_legend().legend_handles}
        assert to_hex(legend["50 % of runs"].get_facecolor()) == colour
        assert to_hex(legend[res.name].get_color()) == colour
        if res is not items[0]:  # the reference's median, grey and dashed, in every other panel
            line = by_gid(fig, f"reference:{res.name}")
            assert np.array_equal(line.get_ydata(), ref.get_ydata())
            assert line.get_linestyle() == "--" and f"{items[0].name} (median)" in legend
        colours.append(colour)
    assert len(set(colours)) == n  # distinct colours
    shown = [ax for ax in panels if any(t.get_text() for t in ax.get_xticklabels())]
    assert len(shown) == min(n, 2 if n <= 4 else 3)  # every column shows its years
    assert "armed control" in fig.get_supylabel()


def test_fan_chart_of_one_result_with_targets(pair):
    targets = [("2025-06", 420.0, "police"), ("2026-06", 440.0, "")]
    fig = fan_chart(pair[0], "control_any", targets=targets)
    points = by_gid(fig, "targets")
    assert np.allclose(points.get_ydata(), [420, 440])
    assert "observed" in legend_texts(fig)
    assert "police" in [t.get_text() for t in fig.axes[0].texts]
    assert fig.axes[0].get_ylabel().endswith("(municipalities)")


# ------------------------------------------------------------------------------ horizon
def test_exceedance_curve_is_the_empirical_share(pair):
    fig = exceedance_chart(pair, "control_any", threshold=450)
    texts = legend_texts(fig)
    for res in pair:
        values = horizon_values(res, "control_any")
        line = by_gid(fig, f"exceedance:{res.name}")
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
            assert y == pytest.approx(np.mean(values > x))
        share = (res.runs.loc[res.runs["error"].isna(), "control_any"] > 450).mean()
        (text,) = [t for t in texts if t.startswith(f"{res.name}:")]
        match = re.fullmatch(rf"{res.name}: P\(>450\) = ([0-9.]+)", text)
        assert match and float(match.group(1)) == pytest.approx(share, abs=0.005)
    assert by_gid(fig, "threshold").get_xdata()[0] == 450
    assert exceedance_chart(pair[0], "coca_ha").axes[0].get_legend() is not None


def test_horizon_distribution_one_and_several(pair):
    one = horizon_distribution(pair[0], "control_any")
    ax = one.axes[0]
    kde = by_gid(one, "kde")
    assert "(municipalities)" in ax.get_xlabel()
    heights = [p.get_height() for p in ax.patches]
    widths = {round(p.get_width(), 9) for p in ax.patches}
    assert sum(heights) == pytest.approx(1.0)  # each bar: its share of runs
    (width,) = widths
    assert ax.get_ylabel() == f"Share of runs per bin of {format_value(width)} municipalities"
    # The kernel density on the bars' scale: it integrates to one bin width's share.
    x, y = kde.get_xdata(), kde.get_ydata()
    area = float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2))  # the trapezoid rule
    assert area / width == pytest.approx(1.0, abs=0.02)
    assert x.min() >= 0  # reflected at 0: no density where no run can be
    values = horizon_values(pair[0], "control_any")
    assert f"{len(values)} runs" in ax.get_title()
    # Coca in hectares: the axis reads in shares of runs, not in units of 1e-6.
    coca = horizon_distribution(pair[0], "coca_ha").axes[0]
    assert 0.01 < coca.get_ylim()[1] <= 1.0 and "per bin of" in coca.get_ylabel()
    several = horizon_distribution(pair, "control_any")
    ax = several.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["forecast_2025_12", "full_rupture"]
    for k, res in enumerate(pair):
        median = by_gid(several, f"median:{res.name}")
        assert median.get_xdata()[0] == k
        assert median.get_ydata()[0] == np.median(horizon_values(res, "control_any"))


def test_horizon_distribution_without_spread_has_no_kde():
    res = small_results()
    res.runs["control_any"] = [5.0, 5.0, 5.0, np.nan]
    fig = horizon_distribution(res, "control_any")
    assert not [a for a in fig.axes[0].get_lines() if a.get_gid() == "kde"]
    assert fig.axes[0].get_title().endswith(", 3 runs")
    res.runs["control_any"] = [5.0, np.nan, np.nan, np.nan]
    title = horizon_distribution(res, "control_any").axes[0].get_title()
    assert title.endswith(", 1 run")  # not "1 runs"


# ------------------------------------------------------------------------------ events
def test_event_chart_ends_at_the_share_of_runs_with_the_event(pair):
    fig = event_probability_chart(pair)
    drawn = [e for e in RECORD.events if e.figure]
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [f"P({e.label} by month)" for e in drawn]
    for res in pair:
        for column in (e.column for e in drawn):
            line = by_gid(fig, f"{column}:{res.name}")
            share = res.runs.loc[res.runs["error"].isna(), column].notna().mean()
            assert line.get_ydata()[-1] == pytest.approx(share)
            assert np.all(np.diff(line.get_ydata()) >= 0)
    assert all(ax.get_ylim() == (0, 1) for ax in visible)
    assert {"forecast_2025_12", "full_rupture"} <= set(legend_texts(fig))


# ------------------------------------------------------------------------------ map
def test_control_map_panels_colours_and_difference(pair):
    geo = load_geography()
    fig = control_map(pair)
    a, b = (by_gid(fig, f"control:{r.name}") for r in pair)
    for points, res in ((a, pair[0]), (b, pair[1])):
        assert isinstance(points, PathCollection)
        assert len(points.get_offsets()) == 1122
        assert np.allclose(points.get_offsets(), np.column_stack([geo.lon, geo.lat]))
        assert np.allclose(points.get_array(), control_probability(res))
        assert (points.norm.vmin, points.norm.vmax) == (0, 1)
        assert points.axes.get_aspect() == 1.0
        assert points.axes.get_xlabel() == "Longitude (°)"
        assert points.axes.get_ylabel() == "Latitude (°)"
        assert res.name in points.axes.get_title() and "2026-12" in points.axes.get_title()
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert "P(armed control at 2026-12)" in labels
    assert "Difference in P(armed control)" in labels
    diff = by_gid(fig, "difference:full_rupture−forecast_2025_12")
    expected = control_probability(pair[1]) - control_probability(pair[0])
    assert np.allclose(diff.get_array(), expected)
    assert diff.get_cmap().name == "RdBu_r"
    assert diff.norm.vmin == -diff.norm.vmax and diff.norm.vmax >= np.abs(expected).max()
    assert "full_rupture − forecast_2025_12" in diff.axes.get_title()


def test_control_map_of_one_scenario_has_no_difference(pair):
    fig = control_map(pair[0])
    gids = [str(a.get_gid()) for ax in fig.axes for a in ax.collections]
    assert not [g for g in gids if g.startswith("difference")]
    assert len(fig.axes) == 2  # the map and its colour bar
    assert gids.count("country") == 1 and gids.count("departments") == 1


def test_the_outlines_are_built_from_the_municipalities():
    from collections import Counter

    from scipy.spatial import Delaunay

    from rift.plots.maps import outlines

    geo = load_geography()
    country, departments = outlines(geo)
    points = np.column_stack([geo.lon, geo.lat])
    key = lambda xy: tuple(np.round(xy, 9))  # noqa: E731
    # The country's outline runs through mainland centroids and closes: every vertex is the
    # end of an even number of its segments.
    mainland = {key(p) for p in points[geo.mainland]}
    ends = Counter(key(v) for seg in country for v in seg)
    assert len(country) > 40 and set(ends) <= mainland
    assert all(n % 2 == 0 for n in ends.values())
    # Each department border segment runs from a triangle's centroid to the midpoint of a side
    # whose two municipalities are in different departments, never the same one.
    land = np.flatnonzero(geo.mainland)
    tri = land[Delaunay(geo.xy_km[land]).simplices]
    across, within = set(), set()
    for a, b in ((0, 1), (1, 2), (2, 0)):
        for i, j in zip(tri[:, a], tri[:, b], strict=True):
            mid = key((points[i] + points[j]) / 2)
            (across if geo.department_code[i] != geo.department_code[j] else within).add(mid)
    middles = {key(seg[1]) for seg in departments}
    assert len(departments) > 500 and middles <= across and not middles & (within - across)
    # Every department of the mainland with more than one municipality has a border.
    touched = set()
    for i, j in ((i, j) for t in tri for i, j in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0]))):
        if key((points[i] + points[j]) / 2) in middles:
            touched |= {geo.department_code[i], geo.department_code[j]}
    assert touched == set(geo.department_code[geo.mainland])


def test_every_pair_of_scenarios_has_a_difference_map_on_one_scale(pair):
    items = [*pair, renamed(pair[0], "variant")]
    fig = control_map(items)
    probs = [control_probability(r) for r in items]
    names = [r.name for r in items]
    diffs = {}
    for i, j in ((0, 1), (0, 2), (1, 2)):
        d = by_gid(fig, f"difference:{names[j]}−{names[i]}")
        assert np.allclose(d.get_array(), probs[j] - probs[i], equal_nan=True)
        assert f"{names[j]} − {names[i]}" in d.axes.get_title()
        diffs[(i, j)] = d
    norms = {(d.norm.vmin, d.norm.vmax) for d in diffs.values()}
    assert len(norms) == 1  # one scale for every difference
    lim = max(np.nanmax(np.abs(d.get_array())) for d in diffs.values())
    assert norms.pop() == (-lim, lim)
    maps = [ax for ax in fig.axes if ax.get_visible() and ax.get_xlabel() == "Longitude (°)"]
    assert len(maps) == 6  # three scenarios, three pairs
    for ax in maps:
        assert {c.get_gid() for c in ax.collections} >= {"country", "departments"}


# ------------------------------------------------------------------------------ the set
#: The standard figures that are not fan charts (whatever outcomes are asked for).
NOT_FANS = {
    "horizon_control_any",
    "exceedance_control_any",
    "horizon_coca_ha",
    "exceedance_coca_ha",
    "events",
    "election",
    "map_control",
}


def test_standard_set_keys(pair):
    keys = set(figure_makers(pair))
    fans = {f"fan_{o.name}" for o in RECORD.outcomes if o.numeric}
    shares = {f"share_{o.name}" for o in RECORD.outcomes if not o.numeric}
    assert "fan_certification" not in keys and "fan_president" not in keys
    assert {"share_certification", "share_president", "share_rupture"} <= shares
    assert keys == fans | shares | NOT_FANS
    figs = figures_for(pair, outcomes=["control_any"])
    assert all(isinstance(f, Figure) for f in figs.values())
    assert "P(>400)" in " ".join(legend_texts(figs["exceedance_control_any"]))


def test_the_key_set_is_the_fans_an_analyst_asks_first_the_events_election_and_map(pair):
    key = figure_makers(pair, which="key")
    assert set(key) == {*(f"fan_{n}" for n in KEY_OUTCOMES), "events", "election", "map_control"}
    assert all(is_key_figure(stem) for stem in key)
    assert set(key) < set(figure_makers(pair)) and len(figure_makers(pair)) > 3 * len(key)
    with pytest.raises(ValueError, match="figure set 'most'"):
        figure_makers(pair, which="most")


@pytest.mark.slow
def test_write_figures_writes_png_and_svg(pair, tmp_path):
    written = write_figures(pair, tmp_path / "fig", formats=("png", "svg"), outcomes=["coca_ha"])
    assert set(written) == {"fan_coca_ha"} | NOT_FANS
    for stem, paths in written.items():
        assert [p.name for p in paths] == [f"{stem}.png", f"{stem}.svg"]
        png, svg = (p.read_bytes() for p in paths)
        assert png.startswith(PNG) and len(png) > 1024
        assert b"<svg" in svg[:1000] and len(svg) > 1024
    assert sorted(p.name for p in (tmp_path / "fig").iterdir()) == sorted(
        p.name for paths in written.values() for p in paths
    )  # no temporary files left behind


def test_save_figure_replaces_atomically(tmp_path):
    fig = Figure()
    fig.subplots().plot([0, 1], [0, 1])
    (first,) = save_figure(fig, tmp_path / "a" / "line")
    size = first.stat().st_size
    (again,) = save_figure(fig, tmp_path / "a" / "line")
    assert again == first and again.stat().st_size == size
    assert [p.name for p in (tmp_path / "a").iterdir()] == ["line.png"]


def test_election_chart_shows_the_vote_and_the_winners(pair):
    from rift.analysis.elections import split_by_winner, winner_shares

    fig = election_chart(pair)
    assert [ax.get_title() for ax in fig.axes] == [
        "First round 2026: vote shares",
        "Winner of 2026",
        "Municipalities under armed control at the horizon,\nby the winner of 2026",
    ]
    assert fig.axes[2].get_ylabel() == "Municipalities under armed control (municipalities)"
    for res in pair:
        p = winner_shares(res)
        assert p.sum() == pytest.approx(1.0)
        for bloc in ("left", "centre", "right"):
            bar = by_gid(fig, f"winner:{res.name}:{bloc}")
            assert bar.get_height() == pytest.approx(p[bloc])
        table = split_by_winner(res)
        assert table["runs"].sum() == res.runs["error"].isna().sum()


def test_election_groups_of_few_runs_are_points_with_their_count_and_medians_are_dark(pair):
    import pandas as pd
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch

    from rift.plots.election import INK, MIN_BOX_RUNS, ink_on

    a = pair[0]
    runs = a.runs[a.runs["error"].isna()]
    many = pd.concat([runs] * 3, ignore_index=True).assign(run=lambda t: range(len(t)))
    tripled = type(a)(a.path, a.manifest, many, a.series, a.territory)
    for res in (a, tripled):
        fig = election_chart(res)
        ok = res.runs[res.runs["error"].isna()]
        winners = ok["winner"].astype("string")
        kinds = set()
        for bloc in ("left", "centre", "right"):
            values = ok.loc[winners == bloc, "control_any"].to_numpy(float)
            if not len(values):
                assert not [x for ax in fig.axes for x in ax.get_children()
                            if x.get_gid() == f"control:{a.name}:{bloc}"]  # fmt: skip
                continue
            artist = by_gid(fig, f"control:{a.name}:{bloc}")
            count = by_gid(fig, f"n:{a.name}:{bloc}")
            assert count.get_text() == f"n={len(values)}"
            if len(values) < MIN_BOX_RUNS:
                assert isinstance(artist, Line2D) and artist.get_linestyle() == "None"
                assert sorted(artist.get_ydata()) == sorted(values)
                kinds.add("points")
            else:
                assert isinstance(artist, PathPatch)
                kinds.add("box")
        assert ("box" in kinds) == (res is tripled)  # 12 runs: no bloc has 10 winners
        ax_vote, _, ax_control = fig.axes
        medians = [c for c in ax_vote.collections if c.get_gid() is None]
        assert medians and all(to_hex(c.get_color()[0]) == INK for c in medians)
        lines = [ln for ln in ax_control.get_lines() if ln.get_gid() is None]
        drawn = [ln for ln in lines if ln.get_linestyle() != "None"]
        if res is tripled:  # whiskers and caps dark; the median stands out on the box
            boxes = [p for p in ax_control.patches if str(p.get_gid()).startswith("control:")]
            ink = ink_on(to_hex(boxes[0].get_facecolor()))
            assert ink == "#ffffff"  # forecast_2025_12 is black: a white median
            colours = [to_hex(ln.get_color()) for ln in drawn]
            assert colours.count(ink) == len(boxes) and set(colours) == {INK, ink}


def test_the_reliability_chart_shows_the_pit_and_the_coverage():
    import pandas as pd

    from rift.plots import reliability_chart
    from rift.plots.validation import central_coverage

    pit = np.array([0.05, 0.12, 0.18, 0.5, 0.55, 0.97, 0.99, 0.31])
    table = pd.DataFrame({"pit": pit, "sample": ["out"] * 5 + ["in"] * 3})
    fig = reliability_chart(table)
    hist, cover = fig.axes[:2]
    bars = {p.get_gid(): p for p in hist.patches if p.get_gid()}
    out_counts = np.histogram(pit[:5], bins=np.linspace(0, 1, 11))[0]
    in_counts = np.histogram(pit[5:], bins=np.linspace(0, 1, 11))[0]
    assert [bars[f"pit:out:{k}"].get_height() for k in range(10)] == list(out_counts)
    assert [bars[f"pit:in:{k}"].get_height() for k in range(10)] == list(in_counts)
    # the in-sample bars stack on the out-of-sample ones
    assert [bars[f"pit:in:{k}"].get_y() for k in range(10)] == list(out_counts)
    lines = {ln.get_gid(): ln for ln in cover.lines if ln.get_gid()}
    levels = np.linspace(0.1, 0.9, 9)
    assert np.allclose(lines["coverage:out"].get_ydata(), central_coverage(pit[:5], levels))
    # |PIT - 0.5| <= level / 2: 0.5 and 0.55 inside the central 10 %, nothing else
    assert central_coverage(np.array([0.5, 0.55, 0.9]), np.array([0.1]))[0] == pytest.approx(2 / 3)
    assert "PIT histogram" in hist.get_title() and "Coverage" in cover.get_title()


def test_pngs_are_saved_with_a_palette_a_third_of_the_size_and_the_same_picture(pair, tmp_path):
    from PIL import Image

    fig = fan_chart(pair, "control_any")
    (small,) = save_figure(fig, tmp_path / "palette" / "fan")
    (full,) = save_figure(fig, tmp_path / "rgba" / "fan", palette=False)
    with Image.open(small) as a, Image.open(full) as b:
        assert a.mode == "P" and b.mode == "RGBA" and a.size == b.size
        x = np.asarray(a.convert("RGB"), dtype=int)
        y = np.asarray(b.convert("RGB"), dtype=int)
    assert small.stat().st_size < 0.6 * full.stat().st_size
    assert np.abs(x - y).mean() < 1.0 and np.percentile(np.abs(x - y), 99) <= 12
    # The same figure drawn afresh gives the same bytes (matplotlib's first draw of a figure
    # can differ by a few pixels from its later ones, so each is a new figure saved once).
    (one,) = save_figure(fan_chart(pair, "control_any"), tmp_path / "one" / "fan")
    (two,) = save_figure(fan_chart(pair, "control_any"), tmp_path / "two" / "fan")
    assert one.read_bytes() == two.read_bytes()
