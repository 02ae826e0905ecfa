"""The tension terms of the event model, calibrated on US-Colombia 2019-2025 by ABC-SMC.

The measures' intercepts and slopes are fitted on the reference class of crises
(``rift.validation.events``); the record has no tension, so the terms that say how tension moves
the hazards (``events.tension.start_slope``, ``end_slope`` and ``reference``) and the starting
tensions of 2025 are fitted here on what US-Colombia relations did:

* 2019-01 to 2024-12 (the hindcast scenario: Duque, then Petro under Biden): no measure of
  either side started (alliance_events.csv has only a 2019 public criticism, rhetoric);
* 2025 (the baseline scenario, nothing forced): the US started 7 of its measures (tariffs
  threatened, visa bans, the ambassador's recall, vessel strikes, measures on the president,
  the security aid cut, sanctions on officials; the civil aid cut is USAID's global dismantling,
  a calendar event in the model), Colombia 5 (deportation refusal, ambassador recall, extradition
  suspension, arms purchases, intelligence sharing), and the September 2025 determination did
  not certify Colombia.

Summary statistics of one simulation: those four numbers. Distance: Euclidean, each divided by
its scale (2 measures, 2 measures, 1, 1 measure). The 2025 check of the baseline
(``rift.validation.forecast.alliance``) is therefore **in-sample** for these terms.

Regenerate: ``rift refit alliance --write`` (about 10 minutes on two
cores); it rewrites ``rift/data/alliance_calibration.json``, whose posterior medians and 5-95 %
ranges the registry entries of these parameters state (a test checks they agree).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rift.atomic import atomic_write_json
from rift.months import parse_month
from rift.record import COL_MEASURES, US_MEASURES
from rift.validation.calibration.abc import Prior, abc_smc
from rift.validation.calibration.pool import simulation_map

if TYPE_CHECKING:  # pragma: no cover
    from rift.runner.inputs import RunInputs

FILE = "alliance_calibration.json"
#: What the record says (see the module doc), in the order of :func:`summaries`.
OBSERVED = np.array([7.0, 5.0, 1.0, 0.0])
SCALE = np.array([2.0, 2.0, 1.0, 1.0])
PRIORS = (
    Prior("events.tension.start_slope", 2.0, 14.0),
    Prior("events.tension.end_slope", 0.0, 6.0),
    Prior("events.tension.reference", 0.25, 0.65),
    Prior("events.tension.severity_step", 0.0, 0.2),
    Prior("init.us_hostility", 0.25, 0.6),
    Prior("init.col_hostility", 0.35, 0.65),
)
#: Parameters that describe 2025-01 only (not given to the 2019 hindcast).
START_2025 = ("init.us_hostility", "init.col_hostility")


def _starts(result: Any, side: str, names: tuple[str, ...], last: str) -> int:
    end = parse_month(last)
    return sum(
        1
        for m in names
        if (month := result.events.get(f"{side}_{m}_start")) is not None and month <= end
    )


@dataclass
class AllianceSimulator:
    """``simulate(theta, seed)``: a 2025 baseline run and a 2019-2024 hindcast run.

    Both runs draw the calibrated parameters ``theta`` leaves free from the packaged posterior
    (``calibrated=True``): the tension terms are fitted given what the hindcast calibration
    knows, one particle per run, not given the registry's defaults.
    """

    baseline: RunInputs
    hindcast: RunInputs

    def __call__(self, theta: dict[str, float], seed: np.random.SeedSequence) -> np.ndarray:
        """The four summary statistics of the module doc."""
        from rift.runner.inputs import build_model

        a, b = seed.spawn(2)
        r25 = build_model(self.baseline.with_sampled(theta), a).run()
        us = _starts(r25, "us", tuple(m for m in US_MEASURES if m != "civil_aid_cut"), "2025-12")
        col = _starts(r25, "col", COL_MEASURES, "2025-12")
        decert = float(r25.events["decertification"] is not None)
        shared = {k: v for k, v in theta.items() if k not in START_2025}
        r19 = build_model(self.hindcast.with_sampled(shared), b).run()
        quiet = _starts(r19, "us", US_MEASURES, "2024-12") + _starts(
            r19, "col", COL_MEASURES, "2024-12"
        )
        return np.array([us, col, decert, quiet], dtype=float)


def simulator() -> AllianceSimulator:
    """The simulator on the shipped baseline (2025 only) and hindcast scenarios."""
    from rift.runner.inputs import inputs_for
    from rift.scenario import load_scenario

    base = inputs_for(load_scenario("forecast_2025_12", ["end=2025-12"]))
    hind = inputs_for(load_scenario("hindcast_2019"))
    return AllianceSimulator(replace(base, calibrated=True), replace(hind, calibrated=True))


def distance(simulated: np.ndarray, observed: np.ndarray) -> float:
    """Euclidean distance of the summaries, each over its scale."""
    return float(np.sqrt(np.sum(((np.asarray(simulated) - observed) / SCALE) ** 2)))


def calibrate(
    population: int = 300, generations: int = 5, workers: int = 2, seed: int = 20251231
) -> dict[str, Any]:
    """Run ABC-SMC and return the record written to ``alliance_calibration.json``."""
    sim = simulator()
    rng = np.random.default_rng(seed)
    kwargs = dict(population=population, generations=generations, rng=rng)
    with simulation_map(workers, population) as map_fn:
        post = abc_smc(sim, PRIORS, OBSERVED, distance, map_fn=map_fn, **kwargs)
    q = post.quantiles([0.05, 0.5, 0.95])
    return {
        "version": _dt.date.today().isoformat(),
        "observed": OBSERVED.tolist(),
        "summaries": [
            "us_starts_2025",
            "col_starts_2025",
            "not_certified_2025",
            "starts_2019_2024",
        ],
        "priors": {p.name: [p.low, p.high] for p in PRIORS},
        "settings": {"population": population, "generations": generations, "seed": seed},
        "quantiles": {name: [float(v) for v in q[name]] for name in post.names},
        "posterior": post.to_dict(),
    }


def packaged() -> dict[str, Any]:
    """The packaged calibration record."""
    import json

    text = resources.files("rift.data").joinpath(FILE).read_text("utf-8")
    return json.loads(text)


def packaged_path() -> Path:
    """Where the packaged record lives (the source file in an editable install)."""
    return Path(str(resources.files("rift.data").joinpath(FILE)))


def save(record: dict[str, Any], path: Path | None = None) -> Path:
    """Write a calibration record atomically (default: over the packaged one) and say where.

    The registry entries of the calibrated parameters quote the packaged record's medians and
    ranges, so overwriting it is followed by editing those entries (a test checks they agree).
    """
    target = path or packaged_path()
    atomic_write_json(target, record)
    return target


def summary_lines(record: dict[str, Any]) -> list[str]:
    """The posterior median and 5-95 % range of each parameter, then the simulation count."""
    lines = [
        f"{name}: {mid:.3g} [{lo:.3g}, {hi:.3g}]"
        for name, (lo, mid, hi) in record["quantiles"].items()
    ]
    post = record["posterior"]
    lines.append(f"{post['simulations']} simulations; tolerances {post['epsilons']}")
    return lines
