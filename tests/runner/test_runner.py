"""Seeds, Latin-hypercube samples, executors and failures."""

import numpy as np
import pytest
from scipy import stats

from rift.record import RECORD
from rift.runner import execute_batch, make_executor, plan_batch
from rift.runner.batch import chunk_size_for, chunked
from rift.runner.sampling import sample_uncertain
from rift.scenario import scenario_from_dict
from rift.seeds import run_seed, sampling_seed


def test_run_seeds_are_made_from_the_root_and_the_index():
    a, b = run_seed(42, 3), run_seed(42, 3)
    assert a.entropy == 42 and a.spawn_key == (3,)
    assert np.array_equal(a.generate_state(4), b.generate_state(4))
    assert not np.array_equal(run_seed(42, 3).generate_state(4), run_seed(42, 4).generate_state(4))
    assert not np.array_equal(
        sampling_seed(42).generate_state(4), run_seed(42, 0).generate_state(4)
    )


def test_latin_hypercube_covers_each_stratum_once():
    s = scenario_from_dict(
        {
            "name": "lhs",
            "runs": 50,
            "uncertain": {
                "col.aid_dependence": {"dist": "uniform", "low": 0.05, "high": 0.3},
                "coca.yield_kg_per_ha": {
                    "dist": "truncnormal",
                    "mean": 9,
                    "sd": 1,
                    "low": 7.6,
                    "high": 10.5,
                },
                "init.us_certification": {"dist": "choice", "values": ["certified", "waiver"]},
            },
        }
    )
    samples = sample_uncertain(s)
    u = (samples["col.aid_dependence"] - 0.05) / 0.25
    assert sorted(np.floor(u * 50).astype(int)) == list(range(50))  # one per stratum
    y = samples["coca.yield_kg_per_ha"]
    assert y.min() >= 7.6 and y.max() <= 10.5
    assert stats.kstest(y, stats.truncnorm((7.6 - 9), (10.5 - 9), loc=9).cdf).pvalue > 0.01
    assert set(samples["init.us_certification"]) == {"certified", "waiver"}
    assert (samples["init.us_certification"] == "waiver").sum() == 25  # stratified choice
    again = sample_uncertain(s)
    assert all(np.array_equal(samples[k], again[k]) for k in samples)


def test_integer_parameters_are_rounded():
    s = scenario_from_dict(
        {
            "name": "i",
            "runs": 10,
            "uncertain": {"rupture.months": {"dist": "uniform", "low": 1, "high": 6}},
        }
    )
    v = sample_uncertain(s)["rupture.months"]
    assert v.dtype.kind == "i" and v.min() >= 1 and v.max() <= 6


def test_chunking():
    assert list(chunked(list(range(7)), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert (
        chunk_size_for(1000, 2) == 50 and chunk_size_for(10, 2) == 2 and chunk_size_for(1, 8) == 1
    )


SCEN = scenario_from_dict(
    {
        "name": "equiv",
        "runs": 6,
        "seed": 5,
        "end": "2026-06",
        "uncertain": {"col.aid_dependence": {"dist": "uniform", "low": 0.05, "high": 0.3}},
        "interventions": [{"at": "2025-10", "set": {"us.intel_sharing": 0.5}}],
    }
)


def _run(executor_name, **kw):
    plan = plan_batch(SCEN)
    with make_executor(executor_name, **kw) as ex:
        out = execute_batch(plan, ex, chunk_size=2)
    assert sorted(out.outputs) == list(range(6))
    return np.stack([out.outputs[k].result.series for k in range(6)])


def test_serial_and_process_give_identical_bits():
    serial = _run("serial")
    process = _run("process", workers=2)
    assert np.array_equal(serial, process)


@pytest.mark.slow  # starts a cluster or kills workers: CI runs it, the everyday run not
@pytest.mark.timeout(180)
def test_dask_gives_identical_bits():
    pytest.importorskip("distributed")
    serial = _run("serial")
    dask = _run("dask", workers=2)
    assert np.array_equal(serial, dask)


def test_a_failing_run_is_recorded_and_the_batch_goes_on():
    s = scenario_from_dict(
        {
            "name": "fails",
            "runs": 6,
            "end": "2025-06",
            # zone.cut_4 below cut_3 is inconsistent: the runs that draw it fail.
            "uncertain": {"zone.cut_4": {"dist": "choice", "values": [0.6, 0.3]}},
        }
    )
    plan = plan_batch(s)
    with make_executor("process", workers=2) as ex:
        out = execute_batch(plan, ex, chunk_size=2)
    assert len(out.outputs) == 6
    failed = {f.index for f in out.failures}
    assert failed == {k for k in range(6) if plan.task(k).sampled["zone.cut_4"] == 0.3}
    assert 0 < len(failed) < 6
    assert all("zone cuts must increase" in f.error for f in out.failures)
    assert all(out.outputs[k].result is not None for k in range(6) if k not in failed)


def test_outputs_are_small():
    plan = plan_batch(SCEN)
    out = execute_batch(plan)
    r = out.outputs[0].result
    assert r.series.nbytes < 20_000 and r.controller.nbytes == 1122
    assert r.series.shape == (SCEN.months, len(RECORD.outcome_names))
    assert r.series.dtype == np.float64 and np.isfinite(r.series).all()
    assert set(r.events) == {e.name for e in RECORD.events}
    assert r.controller.dtype == np.int8 and r.controller.min() >= -1


@pytest.mark.slow  # starts a cluster or kills workers: CI runs it, the everyday run not
@pytest.mark.timeout(300)
def test_a_killed_worker_is_replaced_and_its_chunk_run_again():
    """A pool worker killed mid-batch (SIGKILL): the pool is replaced, the lost chunks run again,
    and every run gives the same bits as a serial batch."""
    import os
    import signal

    plan = plan_batch(SCEN)
    serial = execute_batch(plan, chunk_size=1)
    killed: list[int] = []
    with make_executor("process", workers=2) as ex:

        def kill_one(out):
            if not killed:
                pid = ex.pids()[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        out = execute_batch(plan, ex, chunk_size=1, on_output=kill_one)
        assert killed and killed[0] not in ex.pids()  # a new pool took over
    assert not out.interrupted and sorted(out.outputs) == list(range(6))
    for k in range(6):
        a, b = serial.outputs[k].result, out.outputs[k].result
        assert np.array_equal(a.series, b.series, equal_nan=True)
        assert np.array_equal(a.controller, b.controller) and a.events == b.events


def test_a_chunk_that_keeps_killing_its_worker_stops_the_batch(monkeypatch):
    """A run that kills its worker every time is not retried for ever: after three attempts
    the batch stops with the runs named (the command line then prints the resume command)."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    from rift.runner import executors

    class Broken:
        def submit(self, fn, *args):
            fut = Future()
            fut.set_exception(BrokenProcessPool("a worker died"))
            return fut

        def shutdown(self, **kw):
            pass

    monkeypatch.setattr(executors.ProcessExecutor, "_new_pool", lambda self: Broken())
    ex = executors.ProcessExecutor(2)
    with pytest.raises(RuntimeError, match=r"died 3 times running runs \d+\.\.\d+"):
        execute_batch(plan_batch(SCEN), ex, chunk_size=2)
