"""Helpers for the restart tests: shipped scenarios' runs, and bit-for-bit result equality."""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from rift.model import AllianceModel
from rift.record import RunResult
from rift.runner import plan_batch
from rift.runner.batch import BatchPlan
from rift.runner.inputs import model_arguments
from rift.scenario import load_scenario


@cache
def scenario_plan(name: str, runs: int = 8) -> BatchPlan:
    """The plan of a shipped scenario's batch (seeds and sampled values of each run)."""
    return plan_batch(load_scenario(name), runs=runs)


def model_kwargs(name: str, run: int) -> dict[str, Any]:
    """The model's arguments for run ``run`` of a shipped scenario, as the worker makes them.

    Without the seed and the state: the restart tests give those themselves.
    """
    plan = scenario_plan(name)
    inputs = plan.spec.inputs.with_sampled(plan.task(run).sampled)
    kwargs = model_arguments(inputs)
    del kwargs["rng"], kwargs["state"]
    kwargs["parameters"] = inputs.given_values()  # a state keeps its own values of the rest
    return kwargs


def scenario_model(name: str, run: int, **extra: Any) -> AllianceModel:
    """Run ``run`` of a shipped scenario as a fresh model (its seed and sampled parameters)."""
    return AllianceModel(rng=scenario_plan(name).task(run).seed, **model_kwargs(name, run), **extra)


def _same_value(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def assert_same_result(a: RunResult, b: RunResult) -> None:
    """Bit-for-bit equality of two runs' whole output: series, events, values, controller."""
    assert a.names == b.names
    assert a.months.tobytes() == b.months.tobytes()
    assert a.series.shape == b.series.shape
    assert a.series.tobytes() == b.series.tobytes(), "monthly outcomes differ"
    assert a.events == b.events
    assert sorted(a.values) == sorted(b.values)
    differ = {k: (a.values[k], b.values[k]) for k in a.values
              if not _same_value(a.values[k], b.values[k])}  # fmt: skip
    assert not differ, f"per-run values differ: {differ}"
    assert a.controller.dtype == b.controller.dtype
    assert a.controller.tobytes() == b.controller.tobytes()
