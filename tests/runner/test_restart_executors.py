"""Runs restarted from states (in the task, or a path to a saved one) give the uninterrupted
runs' bits on every executor."""

from __future__ import annotations

import dataclasses

import pytest

from rift.runner import make_executor
from rift.runner.worker import RunTask, execute
from tests.model.restart_helpers import assert_same_result, scenario_model, scenario_plan

SCENARIO = "from_2025/full_rupture"
RUNS = 4
STOP = "2026-11"


def _tasks(tmp_path, *, saved: bool) -> list[RunTask]:
    """Tasks of the first runs, each carrying its run's state at 2026-11 (or its file)."""
    plan = scenario_plan(SCENARIO)
    tasks = []
    for k in range(RUNS):
        state = scenario_model(SCENARIO, k).run_until(STOP)
        if saved:
            state = state.save(tmp_path / f"run{k}.npz")
        tasks.append(dataclasses.replace(plan.task(k), state=state))
    return tasks


def _uninterrupted() -> dict:
    plan = scenario_plan(SCENARIO)
    return {k: execute(plan.spec, plan.task(k)).result for k in range(RUNS)}


def _run(executor, tasks):
    spec = scenario_plan(SCENARIO).spec
    chunks = [tasks[:2], tasks[2:]]
    with executor as ex:
        outputs = {o.index: o for chunk in ex.run(spec, chunks) for o in chunk}
    assert sorted(outputs) == list(range(RUNS))
    assert all(o.error is None for o in outputs.values()), [o.error for o in outputs.values()]
    return {k: o.result for k, o in outputs.items()}


def _check(results):
    full = _uninterrupted()
    for k in range(RUNS):
        assert_same_result(full[k], results[k])


def test_serial_restarts_equal_the_uninterrupted_runs(tmp_path):
    _check(_run(make_executor("serial"), _tasks(tmp_path, saved=False)))
    _check(_run(make_executor("serial"), _tasks(tmp_path, saved=True)))


def test_process_restarts_equal_the_uninterrupted_runs(tmp_path):
    _check(_run(make_executor("process", workers=2), _tasks(tmp_path, saved=False)))
    _check(_run(make_executor("process", workers=2), _tasks(tmp_path, saved=True)))


@pytest.mark.slow  # starts a cluster or kills workers: CI runs it, the everyday run not
@pytest.mark.timeout(180)
def test_dask_restarts_equal_the_uninterrupted_runs(tmp_path):
    pytest.importorskip("distributed")
    _check(_run(make_executor("dask", workers=2), _tasks(tmp_path, saved=True)))
    _check(_run(make_executor("dask", workers=2), _tasks(tmp_path, saved=False)))


def test_a_reseeded_task_keeps_the_past_and_draws_a_new_future(tmp_path):
    plan = scenario_plan(SCENARIO)
    state = scenario_model(SCENARIO, 0).run_until(STOP)
    restart = execute(plan.spec, dataclasses.replace(plan.task(0), state=state)).result
    other = dataclasses.replace(plan.task(0), seed=plan.task(1).seed, state=state, reseed=True)
    reseeded = execute(plan.spec, other).result
    rows = state.recorder["row"] + 1
    assert restart.series[:rows].tobytes() == reseeded.series[:rows].tobytes()
    assert restart.series[rows:].tobytes() != reseeded.series[rows:].tobytes()


def test_a_task_with_a_damaged_state_file_fails_with_the_file_named(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"damaged")
    plan = scenario_plan(SCENARIO)
    out = execute(plan.spec, dataclasses.replace(plan.task(0), state=bad))
    assert out.result is None
    assert "InputError" in out.error and str(bad) in out.error


def test_a_state_file_is_read_once_a_process_and_again_when_remade(tmp_path):
    """Workers keep the particles they read (a batch from the present reuses ~100 of them);
    a file written again (another nowcast) is read again, never served from the cache."""
    from rift.runner import worker

    plan = scenario_plan(SCENARIO)
    path = tmp_path / "s.npz"
    scenario_model(SCENARIO, 0).run_until(STOP).save(path)
    task = dataclasses.replace(plan.task(0), state=path)
    first = worker._task_state(task)
    assert worker._task_state(task) is first  # read once
    later = scenario_model(SCENARIO, 1).run_until(STOP)
    later.save(path)
    again = worker._task_state(task)
    assert again is not first
    assert str(again.streams) == str(later.streams) != str(first.streams)
