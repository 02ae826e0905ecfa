"""A scenario ``from:`` a present folder: run k starts from particle k mod N, paired."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import numpy as np
import pytest

from rift.analysis.weights import run_weights, weighting_note
from rift.cli import main
from rift.errors import InputError
from rift.experiment import run_scenario
from rift.model.state import ModelState
from rift.months import parse_month
from rift.present.nowcast import nowcast, save_present
from rift.results import load
from rift.runner.batch import plan_batch
from rift.runner.inputs import build_model
from rift.runner.worker import execute
from rift.scenario import load_scenario

PARTICLES = 8
THROUGH = "2025-03"  # one resample-move (the first figures are of 2025-03)
RUNS = 12  # more runs than particles: particles are reused, k mod N


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """One small nowcast, saved; the tests only read it."""
    out = tmp_path_factory.mktemp("present") / "now"
    return save_present(nowcast(PARTICLES, THROUGH, seed=7, history=False), out)


def _scenario(tmp_path, folder, name="from_now", extra=""):
    """A scenario file beside the present folder, naming it by a relative path."""
    here = tmp_path / "scenarios"
    here.mkdir(exist_ok=True)
    link = here / "now"
    if not link.exists():
        shutil.copytree(folder, link)
    path = here / f"{name}.yaml"
    path.write_text(f"name: {name}\nfrom: now\nend: 2025-06\nruns: {RUNS}\nseed: 11\n{extra}")
    return path


def test_start_defaults_to_the_month_after_through(tmp_path, folder):
    s = load_scenario(_scenario(tmp_path, folder))
    assert s.start == "2025-04" and s.from_ == str((tmp_path / "scenarios" / "now").resolve())
    plan = plan_batch(s)
    assert len(plan.present) == PARTICLES


def test_a_scenario_extending_one_from_the_initial_state_starts_from_the_present(tmp_path, folder):
    path = _scenario(tmp_path, folder, extra="extends: forecast_2025_12\n")
    s = load_scenario(path)
    assert s.start == "2025-04" and s.end == "2025-06"


def test_each_run_continues_its_particle(tmp_path, folder):
    s = load_scenario(_scenario(tmp_path, folder))
    plan = plan_batch(s)
    rows = json.loads((folder / "particles.json").read_text())["particles"]
    for k in range(RUNS):
        task = plan.task(k)
        row = rows[k % PARTICLES]
        assert task.state.endswith(row["state"]) and task.reseed
        for name, value in row["parameters"].items():  # the particle's values win
            assert task.sampled[name] == value
        state = ModelState.load(task.state)
        assert state.month == parse_month(THROUGH)
        # the model built as the worker builds it holds the particle's measures at the start
        inputs = plan.spec.inputs.with_sampled(task.sampled).with_state(state)
        model = build_model(replace(inputs, start=state.start), task.seed)
        on = {side: dict(m) for side, m in state.measures.items()}
        assert model.state().measures == on
        out = execute(plan.spec, task)
        assert out.error is None, out.error
        assert out.result.months[0] == parse_month("2025-04")
        assert len(out.result.months) == 3
        # members are continuous: the first month moves from the particle's last one
        names = list(state.recorder["names"])
        last = np.asarray(state.recorder["values"])[state.month - state.start]
        col = names.index("members_total")
        first = out.result.column("members_total")[0]
        assert abs(first - last[col]) <= 0.25 * last[col] + 50
        # totals "since start" count from the batch's start, not from the state's history
        new = out.result.column("displacement_new")
        total = out.result.column("displacement_cum")
        assert last[names.index("displacement_cum")] > 10 * new[0] > 0  # a long history
        np.testing.assert_allclose(total, np.cumsum(new), rtol=1e-9)
        deaths = out.result.column("vessel_strike_deaths_cum")
        np.testing.assert_allclose(
            deaths, np.cumsum(out.result.column("vessel_strike_deaths")), rtol=1e-9, atol=1e-9
        )
    # copies of one particle get different futures
    a, b = execute(plan.spec, plan.task(0)), execute(plan.spec, plan.task(PARTICLES))
    assert not np.array_equal(a.result.series, b.result.series)


def test_two_scenarios_from_one_present_are_paired(tmp_path, folder):
    base = plan_batch(load_scenario(_scenario(tmp_path, folder)))
    other = plan_batch(
        load_scenario(
            _scenario(
                tmp_path, folder, "other",
                "shocks:\n  - {at: 2025-05, start: [us.security_aid_cut]}\n",
            )
        )
    )  # fmt: skip
    for k in range(RUNS):
        a, b = base.task(k), other.task(k)
        assert a.seed.entropy == b.seed.entropy and a.seed.spawn_key == b.seed.spawn_key
        assert a.sampled == b.sampled and a.state == b.state and a.reseed == b.reseed
    ia, ib = base.spec.inputs, other.spec.inputs
    assert ia.shocks != ib.shocks
    assert replace(ia, shocks=()) == replace(ib, shocks=())


def test_a_batch_runs_and_records_its_present(tmp_path, folder):
    s = load_scenario(_scenario(tmp_path, folder))
    stored = run_scenario(s, executor="serial", out=tmp_path / "a")
    assert stored.complete and not stored.failures
    res = load(stored.path)
    rec = res.manifest["present"]
    assert rec["through"] == THROUGH and rec["particles"] == PARTICLES
    assert rec["weights"] is None  # a resample-move leaves the particles equally weighted
    assert res.manifest["months"] == ["2025-04", "2025-05", "2025-06"]
    again = run_scenario(s, executor="serial", out=tmp_path / "b")
    twice = load(again.path)
    assert res.series.equals(twice.series)  # same seed, same bits
    assert res.runs.drop(columns=["seconds"]).equals(twice.runs.drop(columns=["seconds"]))
    # unequal particle weights (none that rift nowcast writes) would weight the runs
    assert run_weights(res) is None
    twice.manifest["present"]["weights"] = [2.0] + [1.0] * (PARTICLES - 1)
    w = run_weights(twice)
    assert w is not None and abs(w.sum() - 1) < 1e-12
    assert w[0] == pytest.approx(2 * w[1]) and w[PARTICLES] == pytest.approx(w[0])
    assert "particle weights" in weighting_note(twice)


@pytest.mark.parametrize(
    ("extra", "key", "words"),
    [("start: 2025-02\n", "start", "2025-04"), ("start: 2025-06\n", "start", "2025-04")],
)
def test_a_start_other_than_through_plus_one_exits_2(tmp_path, folder, capsys, extra, key, words):
    path = _scenario(tmp_path, folder, extra=extra)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.key.startswith(key) and words in str(err.value)
    assert main(["run", str(path), "--out", str(tmp_path / "x")]) == 2
    assert key in capsys.readouterr().err


def test_a_missing_or_foreign_folder_exits_2(tmp_path, folder, capsys):
    path = _scenario(tmp_path, folder)
    path.write_text(path.read_text().replace("from: now", "from: nowhere"))
    assert main(["run", str(path), "--out", str(tmp_path / "x")]) == 2
    assert "from" in capsys.readouterr().err
    foreign = tmp_path / "scenarios" / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text('{"format": "rift.results", "version": 1}')
    path.write_text(path.read_text().replace("from: nowhere", "from: foreign"))
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.key == "from"
    damaged = tmp_path / "scenarios" / "damaged"
    shutil.copytree(folder, damaged)
    next((damaged / "states").iterdir()).unlink()
    path.write_text(path.read_text().replace("from: foreign", "from: damaged"))
    with pytest.raises(InputError) as err:
        plan_batch(load_scenario(path))
    assert err.value.key == "from"


def test_a_resume_checks_the_present(tmp_path, folder):
    """A batch resumed after its present folder changed is refused, naming ``from``."""
    from rift.experiment import _check_present

    s = load_scenario(_scenario(tmp_path, folder))
    plan = plan_batch(s)
    manifest = {"present": plan.present.record()}
    _check_present(manifest, plan, tmp_path / "manifest.json")
    manifest["present"]["manifest_sha256"] = "0" * 64
    with pytest.raises(InputError) as err:
        _check_present(manifest, plan, tmp_path / "manifest.json")
    assert err.value.key == "from"


def test_the_api_runs_one_run_from_the_present_as_the_batch_does(tmp_path, folder):
    from rift.api import simulate

    path = _scenario(tmp_path, folder)
    plan = plan_batch(load_scenario(path))
    run = simulate(path, run=9)
    mine = execute(plan.spec, plan.task(9)).result
    assert np.array_equal(run.result.series, mine.series)
    assert np.array_equal(run.result.months, mine.months)


def test_an_interrupted_batch_from_the_present_resumes_to_the_same_bits(tmp_path, folder):
    """Resumed, the batch equals the whole one; with its present changed, it is refused."""
    from rift.experiment import _manifest, batch_lock, claim_output, resume_scenario
    from rift.geography import load_geography
    from rift.results import ResultWriter, partial_path
    from rift.runner import execute_batch

    s = load_scenario(_scenario(tmp_path, folder))
    whole = load(run_scenario(s, executor="serial", out=tmp_path / "whole").path)
    final = claim_output(s, tmp_path / "cut")
    plan = plan_batch(s)
    months = range(s.start_month, s.end_month + 1)
    with batch_lock(partial_path(final)):
        writer = ResultWriter(final, _manifest(plan, "serial", 1, None), months, load_geography().n)
        for o in execute_batch(plan, indices=[0, 1, 2, 3]).outputs.values():
            writer.add(o)
        writer.flush()
    work = partial_path(final)
    # the present folder edited after the batch started: the resume names `from`
    manifest = tmp_path / "scenarios" / "now" / "manifest.json"
    original = manifest.read_text()
    manifest.write_text(original.replace('"particles"', '"particles" ', 1))
    with pytest.raises(InputError) as err:
        resume_scenario(work, executor="serial")
    assert err.value.key == "from"
    manifest.write_text(original)
    stored = resume_scenario(work, executor="serial")
    assert stored.complete
    cut = load(final)
    cols = [c for c in whole.runs.columns if c != "seconds"]
    assert cut.runs[cols].equals(whole.runs[cols]) and cut.series.equals(whole.series)


def test_an_event_counts_from_the_batchs_start_not_from_the_history(tmp_path):
    """The shipped present's history holds the September 2025 decertification; a batch from
    it reports its own first decertification (here forced in 2027-09, after a certification
    held from the start, so that no run decertifies on its own in 2026-09), not 'never'."""
    path = tmp_path / "decertified.yaml"
    path.write_text(
        "name: decertified\nextends: baseline\nruns: 3\nend: 2027-12\n"
        "interventions:\n"
        "  - {at: 2026-07, until: 2027-08, set: {us.certification: certified}}\n"
        "  - {at: 2027-09, until: 2027-09, set: {us.certification: decertified}}\n"
    )
    s = load_scenario(path)
    plan = plan_batch(s)
    for k in range(3):
        task = plan.task(k)
        history = ModelState.load(task.state).recorder["events"]
        assert history["decertification"] == parse_month("2025-09")  # the record's
        out = execute(plan.spec, task)
        assert out.error is None, out.error
        assert out.result.events["decertification"] == parse_month("2027-09")
        # what the history holds is not reported as the batch's own
        assert all(m is None or m >= parse_month(s.start) for m in out.result.events.values())
