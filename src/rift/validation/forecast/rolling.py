"""The rolling-origin test of the present-state filter: does a nowcast forecast what came next?

A nowcast through an origin month (``rift nowcast --through 2025-06``) is carried forward,
free-running (nothing of the record after the origin is imposed), to the record's later
figures (members by group at the end of 2025, the vessel-strike toll), and each figure is
scored against the ensemble (CRPS, PIT, the 50 % and 90 % bands) and against two naive
forecasts made from what was known at the origin: **persistence** (the last figure carried
forward) and the **trend** (the last figures' linear trend, ``naive_trend_forecast``). The
figures the filter saw (dated up to the origin) are compared with the filtered paths as well,
and labelled *in the filter's data*: their scores say how well the filter fits, not how well
it forecasts.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from rift.months import format_month, parse_month
from rift.present import coded_record
from rift.present.nowcast import HINDCAST, Present, nowcast, systematic_resample
from rift.reference import TARGET_OUTCOMES, model_month, reference_rows
from rift.runner.inputs import build_model, inputs_for
from rift.validation.forecast.scoring import (
    crps_ensemble,
    interval_hit,
    naive_trend_forecast,
    pit,
)

#: The streams of the test, keyed by name under the nowcast's root seed: the free-running
#: forecasts' seeds (one per particle), the PIT's randomisation of ties, a weighted resample.
FORECAST_STREAM = "rolling_origin.forecast"
PIT_STREAM = "rolling_origin.pit"
RESAMPLE_STREAM = "rolling_origin.resample"


def _stream(root: int, name: str, *keys: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(root, spawn_key=(zlib.crc32(name.encode("utf-8")), *keys))


@dataclass
class RollingOrigin:
    """The scores of one rolling-origin test.

    Attributes:
        origin: The last month the filter saw (``YYYY-MM``).
        table: One row per figure: observable, month, observed, in the filter's data or not,
            the ensemble's median and 5-95 % band, CRPS/observed, PIT, inside the 50 % and
            90 % bands, and the naive forecasts' CRPS/observed (out-of-sample rows only).
        present: The filtered ensemble at the origin.
    """

    origin: str
    table: pd.DataFrame
    present: Present

    def summary(self) -> dict[str, Any]:
        """The out-of-sample scores in one dict.

        The figures, the mean CRPS/observed of the ensemble and of the naive forecasts, the
        skill against each (``1 - CRPS / naive CRPS``), and the band coverage.
        """
        out = self.table[~self.table["in_filter"]]
        if out.empty:
            return {"n": 0}
        crps = float(out["crps_rel"].mean())
        persistence = float(out["persistence_rel"].mean())
        trend = float(out["trend_rel"].mean())
        return {
            "n": len(out),
            "crps_rel": crps,
            "persistence_rel": persistence,
            "trend_rel": trend,
            "skill_persistence": 1 - crps / persistence if persistence > 0 else float("nan"),
            "skill_trend": 1 - crps / trend if trend > 0 else float("nan"),
            "in50": float(out["in50"].mean()),
            "in90": float(out["in90"].mean()),
        }


def known_figures(observable: str, origin: int) -> list[tuple[float, float]]:
    """(fractional year, value) of every figure of ``observable`` known at the origin."""
    points = []
    for f in coded_record().through(origin).figures:
        if f.observable == observable:
            points.append((f.month / 12.0, float(f.value)))
    for row in reference_rows():
        if TARGET_OUTCOMES.get(row["key"]) == observable:
            month = model_month(row["date"])
            if month <= origin:
                points.append((month / 12.0, float(row["value"])))
    return sorted(points)


def naive_relative_errors(
    observable: str, month: int, observed: float, origin: int
) -> tuple[float, float]:
    """|persistence - observed| and |trend - observed|, each over |observed|, at ``month``.

    The naive forecasts are made from the figures known at ``origin``
    (:func:`known_figures`); with none (a count that began later), both forecast zero.
    """
    scale = abs(observed) if observed else 1.0
    known = known_figures(observable, origin)
    if not known:
        return abs(observed) / scale, abs(observed) / scale
    t = np.array([p[0] for p in known])
    v = np.array([p[1] for p in known])
    trend = naive_trend_forecast(t, v, month / 12.0)
    return abs(float(v[-1]) - observed) / scale, abs(trend - observed) / scale


def _forecast_paths(present: Present, target: int, seed: int) -> tuple[list[str], int, np.ndarray]:
    """Each particle carried, free-running, from its filtered state to ``target``."""
    from rift.scenario import load_scenario, shipped_scenarios

    inputs = inputs_for(load_scenario(shipped_scenarios()[HINDCAST], [f"seed={seed}"]))
    paths, names, start = [], None, None
    for k, (state, params) in enumerate(zip(present.states, present.parameters, strict=True)):
        run = replace(inputs, end=target).with_sampled(params).with_state(state)
        model = build_model(run, _stream(seed, FORECAST_STREAM, k))
        model.run()
        end = model.state()  # built once: it copies every array of the run
        names, start = list(end.recorder["names"]), int(end.start)
        paths.append(np.asarray(end.recorder["values"], dtype=float))
    return names, start, np.stack(paths)


def rolling_origin(
    particles: int = 64,
    origin: str = "2025-06",
    seed: int | None = None,
    workers: int = 1,
) -> RollingOrigin:
    """Filter through ``origin``, forecast the record's later figures, and score both.

    Args:
        particles: Particles of the nowcast.
        origin: The last month the filter sees.
        seed: The nowcast's root seed (default: the hindcast scenario's).
        workers: Processes for the nowcast.
    """
    present = nowcast(particles, through=origin, seed=seed, workers=workers)
    root = int(present.manifest.get("seed", seed if seed is not None else 0))
    record = coded_record()
    first_origin = parse_month(origin)
    figures = list(record.through(record.last_month).figures)
    target = max(f.month for f in figures)
    names, start, paths = _forecast_paths(present, target, root)
    w = np.asarray(present.weights, dtype=float)
    # Equal after a resample-move; otherwise the ensemble is the particles resampled by weight.
    members = (
        np.arange(len(w))
        if np.allclose(w, w[0])
        else systematic_resample(w, np.random.default_rng(_stream(root, RESAMPLE_STREAM)))
    )
    pit_rng = np.random.default_rng(_stream(root, PIT_STREAM))
    rows = []
    for f in sorted(figures, key=lambda f: (f.month, f.observable)):
        samples = paths[members, f.month - start, names.index(f.observable)]
        obs = float(f.value)
        scale = abs(obs) if obs else 1.0
        in_filter = f.month <= first_origin
        row = {
            "observable": f.observable,
            "month": format_month(f.month),
            "observed": obs,
            "in_filter": in_filter,
            "median": float(np.median(samples)),
            "p5": float(np.percentile(samples, 5)),
            "p95": float(np.percentile(samples, 95)),
            "crps_rel": crps_ensemble(samples, obs) / scale,
            "pit": pit(samples, obs, pit_rng),
            "in50": interval_hit(samples, obs, 0.5),
            "in90": interval_hit(samples, obs, 0.9),
            "persistence_rel": float("nan"),
            "trend_rel": float("nan"),
            "source": f.source.title,
        }
        if not in_filter:
            row["persistence_rel"], row["trend_rel"] = naive_relative_errors(
                f.observable, f.month, obs, first_origin
            )
        rows.append(row)
    return RollingOrigin(origin, pd.DataFrame(rows), present)


def markdown(result: RollingOrigin) -> str:
    """The table of :func:`rolling_origin` in Markdown (out-of-sample rows first)."""
    t = result.table.sort_values(["in_filter", "month", "observable"])
    lines = [
        "| figure | month | observed | filter's data? | median [5–95 %] | CRPS / obs. | PIT "
        "| in 50 % | in 90 % | persistence | trend |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def num(x: float) -> str:
        return "–" if not np.isfinite(x) else f"{x:.3f}"

    for _, r in t.iterrows():
        lines.append(
            f"| `{r['observable']}` | {r['month']} | {r['observed']:,.0f} "
            f"| {'in (fit)' if r['in_filter'] else '**out (forecast)**'} "
            f"| {r['median']:,.0f} [{r['p5']:,.0f}–{r['p95']:,.0f}] | {num(r['crps_rel'])} "
            f"| {r['pit']:.2f} | {'yes' if r['in50'] else 'no'} | {'yes' if r['in90'] else 'no'} "
            f"| {num(r['persistence_rel'])} | {num(r['trend_rel'])} |"
        )
    return "\n".join(lines)
