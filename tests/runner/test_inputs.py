"""RunInputs, the one hand-off into the model, and build_model, the one place a model is built."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import numpy as np
import pytest

from rift.errors import InputError
from rift.model.forcing import Intervention, Shock
from rift.months import parse_month
from rift.parameters import registry
from rift.runner.batch import plan_batch
from rift.runner.inputs import RunInputs, build_model, inputs_for
from rift.scenario import scenario_from_dict

SRC = Path(__file__).resolve().parents[2] / "src" / "rift"


def _constructions(path: Path) -> list[tuple[str, int]]:
    """``(enclosing function, line)`` of every call of ``AllianceModel(...)`` in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = (
                child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else where
            )
            if isinstance(child, ast.Call):
                f = child.func
                name = (
                    f.id
                    if isinstance(f, ast.Name)
                    else f.attr
                    if isinstance(f, ast.Attribute)
                    else ""
                )
                if name == "AllianceModel":
                    found.append((where, child.lineno))
            visit(child, inner)

    visit(tree, "<module>")
    return found


def test_the_model_is_built_in_build_model_alone():
    calls = {
        f"{p.relative_to(SRC)}:{line} in {where}"
        for p in sorted(SRC.rglob("*.py"))
        for where, line in _constructions(p)
    }
    assert len(calls) == 1, calls
    (only,) = calls
    assert only.startswith("runner/inputs.py:") and only.endswith(" in build_model"), only


SCENARIO = {
    "name": "inputs",
    "start": "2025-01-15",
    "end": "2026-12",
    "runs": 4,
    "parameters": {"init.control_share": 0.2},
    "interventions": [{"at": "2025-03", "until": "2025-09", "set": {"col.posture": 0.5}}],
    "shocks": [{"at": "2025-05", "start": ["us.security_aid_cut"]}],
    "election": {"winner": "right"},
}


def test_inputs_for_a_scenario_are_typed_once():
    inputs = inputs_for(scenario_from_dict(SCENARIO))
    assert (inputs.start, inputs.end) == (parse_month("2025-01"), parse_month("2026-12"))
    assert inputs.parameters["init.control_share"] == 0.2
    assert set(inputs.parameters) == set(registry())
    assert inputs.given == {"init.control_share"}
    assert inputs.interventions == (
        Intervention(parse_month("2025-03"), {"col.posture": 0.5}, parse_month("2025-09")),
    )
    assert inputs.shocks == (Shock(parse_month("2025-05"), ("us.security_aid_cut",)),)
    assert inputs.election == {"winner": "right"}
    assert not inputs.calibrated and inputs.state is None
    assert pickle.loads(pickle.dumps(inputs)) == inputs  # it travels to worker processes


def test_with_sampled_checks_and_coerces_only_the_sampled_values():
    inputs = inputs_for(scenario_from_dict(SCENARIO))
    name = next(n for n, p in registry().items() if p.kind == "int" and not p.instrument)
    run = inputs.with_sampled({name: 3.0})
    assert run.parameters[name] == 3 and isinstance(run.parameters[name], int)
    assert run.given == {"init.control_share", name}
    assert inputs.with_sampled({}) is inputs
    with pytest.raises(InputError, match="unknown parameter"):
        inputs.with_sampled({"no.such": 1.0})
    with pytest.raises(InputError, match="outside the valid range"):
        inputs.with_sampled({"init.control_share": 7.0})


def test_a_batch_run_is_its_inputs_built_with_its_seed():
    plan = plan_batch(scenario_from_dict({**SCENARIO, "end": "2025-06"}))
    task = plan.task(1)
    a = build_model(plan.spec.inputs.with_sampled(task.sampled), task.seed).run()
    b = build_model(plan.spec.inputs.with_sampled(task.sampled), task.seed).run()
    assert a.series.tobytes() == b.series.tobytes()
    assert np.array_equal(a.months, np.arange(parse_month("2025-01"), parse_month("2025-06") + 1))


def test_the_model_with_no_arguments_still_works():
    from rift.model import AllianceModel

    m = AllianceModel()
    assert m.start <= m.end


def test_run_inputs_are_frozen():
    inputs = RunInputs(start=1, end=2, parameters=registry().resolve())
    with pytest.raises(AttributeError):
        inputs.start = 3  # type: ignore[misc]
