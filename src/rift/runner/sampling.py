"""Per-run values of uncertain parameters: a Latin hypercube mapped through scipy.stats.

The sample is drawn once in the parent for the whole batch (``scipy.stats.qmc``), so run ``k``
gets the same values on every executor and on resume.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import qmc

from rift.distributions import Choice, to_scipy
from rift.parameters import registry
from rift.runner.seeds import CALIBRATION_KEY, sampling_seed
from rift.scenario import Scenario


def _lhs(d: int, n: int, seed: np.random.SeedSequence) -> np.ndarray:
    gen = np.random.default_rng(seed)
    try:
        engine = qmc.LatinHypercube(d=d, rng=gen)
    except TypeError:  # scipy < 1.15 takes `seed`
        engine = qmc.LatinHypercube(d=d, seed=gen)
    return engine.random(n)


def sample_uncertain(scenario: Scenario, runs: int | None = None) -> dict[str, np.ndarray]:
    """Values of every uncertain parameter for each run.

    Args:
        scenario: The scenario (its ``uncertain`` block and root ``seed``).
        runs: Number of runs (defaults to ``scenario.runs``).

    Returns:
        Arrays of length ``runs`` by parameter name (object arrays for choices).
    """
    n = scenario.runs if runs is None else runs
    out: dict[str, np.ndarray] = _calibrated(scenario, n)
    names = sorted(scenario.uncertain)
    if not names:
        return out
    u = _lhs(len(names), n, sampling_seed(scenario.seed))
    reg = registry()
    for j, name in enumerate(names):
        spec = scenario.uncertain[name]
        param = reg[name]
        col = u[:, j]
        if isinstance(spec, Choice):
            w = np.asarray(spec.weights if spec.weights else [1.0] * len(spec.values), float)
            cdf = np.cumsum(w / w.sum())
            idx = np.minimum(np.searchsorted(cdf, col, side="right"), len(spec.values) - 1)
            out[name] = np.array([spec.values[i] for i in idx], dtype=object)
            continue
        values = to_scipy(spec).ppf(col)
        lo = -np.inf if param.low is None else param.low
        hi = np.inf if param.high is None else param.high
        values = np.clip(values, lo, hi)
        if param.kind == "int":
            values = np.rint(values).astype(np.int64)
        out[name] = values
    return out


def _calibrated(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    """Joint draws from the packaged posterior (``uncertain: calibrated``), by run.

    Parameters the scenario fixes or gives its own distribution keep the scenario's value.
    Calibrated initial conditions (``init.*``) describe the calibration scenario's first
    month and are used only by scenarios that start in that month. The draws use their own
    stream (``CALIBRATION_KEY``), so adding ``calibrated`` does not change the Latin hypercube
    of the other uncertain parameters.
    """
    if not scenario.calibration:
        return {}
    from rift.calibration import calibration_start, draw

    rng = np.random.default_rng(np.random.SeedSequence(scenario.seed, spawn_key=CALIBRATION_KEY))
    mine = set(scenario.parameters) | set(scenario.uncertain)
    if scenario.start != calibration_start():
        mine |= {k for k in _posterior_names() if k.startswith("init.")}
    return {k: v for k, v in draw(n, rng).items() if k not in mine}


def _posterior_names() -> list[str]:
    from rift.calibration import posterior

    post = posterior()
    return [] if post is None else list(post.names)


def run_parameters(samples: dict[str, np.ndarray], index: int) -> dict[str, Any]:
    """The sampled values of run ``index`` as plain Python values."""
    out: dict[str, Any] = {}
    for name, values in samples.items():
        v = values[index]
        out[name] = v.item() if isinstance(v, np.generic) else v
    return out
