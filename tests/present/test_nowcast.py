"""The nowcast: the calibrated hindcast filtered through the coded record (small ensembles)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rift.cli import main
from rift.months import format_month, parse_month
from rift.present.nowcast import (
    PRESENT_FORMAT,
    imposed,
    load_present,
    nowcast,
    save_present,
    systematic_resample,
)
from rift.present.record import coded_record

PARTICLES = 16
THROUGH = "2025-10"


@pytest.fixture(scope="module")
def present():
    """One small nowcast, shared by the tests that only read it (the months' steps: without
    the history stage, which ``history`` below tests, to keep the everyday run short)."""
    return nowcast(PARTICLES, THROUGH, seed=7, history=False)


@pytest.fixture(scope="module")
def history():
    """A nowcast with the history stage (tempered on the 2019-2024 figures) and one without,
    the same seed."""
    kw = dict(seed=7, moves=2, max_moves=3)
    return nowcast(6, "2025-01", **kw), nowcast(6, "2025-01", history=False, **kw)


def test_measures_in_force_match_the_record_every_month(present):
    rec = coded_record()
    entries = {d["month"]: d for d in present.diagnostics}
    for m in range(parse_month("2025-01"), parse_month(THROUGH) + 1):
        expected = {n: PARTICLES for n in rec.in_force(m)}
        assert entries[format_month(m)]["measures"] == expected, format_month(m)
    # the final states (moved particles re-simulated from 2019) hold them, since the record's
    # start months
    final = rec.in_force(parse_month(THROUGH))
    for state in present.states:
        on = {
            f"{side}.{n}": since for side, ms in state.measures.items() for n, since in ms.items()
        }
        assert set(on) == set(final)
        assert all(on[n] == final[n].since for n in on)


def test_ess_after_every_resample_move_is_at_least_a_fifth(present):
    steps = [d for d in present.diagnostics if d["figures"]]
    assert [d["month"] for d in steps] == ["2025-03", "2025-06", "2025-10"]
    for d in steps:
        assert 0 < d["ess"] <= PARTICLES
        assert d["acceptance"] is not None and d["acceptance"] > 0
        assert d["ess_after"] >= 0.2 * PARTICLES, d
    assert len(present.diagnostics) == 10  # one entry a month, 2025-01..2025-10


def test_imposed_lists_what_is_not_imposed():
    rec = coded_record()
    imp = imposed(rec, rec.last_month)
    assert imp.election == {"winner": rec.winner().bloc}
    whats = {x["what"] for x in imp.not_imposed}
    assert "both.deal" in whats and "venezuela_operation" in whats
    assert any(n["how"] == "the model's own calendar" for n in imp.notes)
    assert any(iv.values == {"us.certification": "waiver"} for iv in imp.interventions)
    assert len(imp.shocks) == rec.last_month - parse_month("2025-01") + 1


def test_same_seed_same_bits(present):
    again = nowcast(8, "2025-03", seed=7, history=False)
    twice = nowcast(8, "2025-03", seed=7, history=False)
    assert again.diagnostics == twice.diagnostics
    assert again.parameters == twice.parameters
    for a, b in zip(again.states, twice.states, strict=True):
        assert np.array_equal(a.recorder["values"], b.recorder["values"])
        assert a.streams["named"] == b.streams["named"]
    other = nowcast(8, "2025-03", seed=8, history=False)
    assert other.parameters != again.parameters


def test_folder_round_trips(present, tmp_path):
    out = save_present(present, tmp_path / "present")
    back = load_present(out)
    assert back.manifest["format"] == PRESENT_FORMAT
    assert back.through == THROUGH and len(back) == PARTICLES
    assert back.diagnostics == present.diagnostics
    assert back.parameters == present.parameters
    np.testing.assert_array_equal(back.weights, present.weights)
    for a, b in zip(back.states, present.states, strict=True):
        assert np.array_equal(a.recorder["values"], b.recorder["values"])
        assert a.parameters == b.parameters
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_systematic_resample_keeps_the_weights():
    rng = np.random.default_rng(0)
    idx = systematic_resample(np.array([0.5, 0.25, 0.25, 0.0]), rng)
    assert sorted(idx.tolist()) == [0, 0, 1, 2]


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--through", "2026-07"], "--through"),
        (["--through", "2024-12"], "--through"),
        (["--through", "next"], "--through"),
        (["--particles", "0"], "--particles"),
        (["--particles", "many"], "--particles"),
        (["--workers", "-1"], "--workers"),
        (["--max-moves", "0"], "--max-moves"),
    ],
)
def test_bad_input_exits_2(argv, flag, capsys):
    with pytest.raises(SystemExit) if flag != "--through" else _Nothing():
        code = main(["nowcast", *argv])
        assert code == 2
    err = capsys.readouterr().err
    assert flag in err and err.strip().count("\n") <= 2


def test_existing_out_exits_2(tmp_path, capsys):
    assert main(["nowcast", "--out", str(tmp_path), "--particles", "2"]) == 2
    assert "--out" in capsys.readouterr().err


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_the_particles_start_from_the_hindcasts_own_end_states():
    """The record's shocks and the election spec change nothing before 2025: the 2024-12 state
    of a particle is that of the hindcast's run with the same index."""
    from dataclasses import replace

    from rift.present.nowcast import _hindcast_scenario, _Job, _simulate
    from rift.runner.batch import plan_batch
    from rift.runner.inputs import build_model

    rec = coded_record()
    scenario = _hindcast_scenario(7)
    plan = plan_batch(scenario, 3)
    imp = imposed(rec, rec.last_month)
    base = replace(
        plan.spec.inputs,
        shocks=plan.spec.inputs.shocks + imp.shocks,
        interventions=plan.spec.inputs.interventions + imp.interventions,
        election=imp.election,
    )
    for k in range(3):
        task = plan.task(k)
        mine, _ = _simulate(_Job(base, task.sampled, task.seed, None, parse_month("2024-12")))
        theirs = build_model(plan.spec.inputs.with_sampled(task.sampled), task.seed).run_until(
            "2024-12"
        )
        assert np.array_equal(mine.recorder["values"], theirs.recorder["values"])
        assert mine.measures == theirs.measures
        assert mine.streams["named"] == theirs.streams["named"]


def test_the_command_writes_a_loadable_folder(tmp_path, capsys):
    out = tmp_path / "now"
    argv = ["nowcast", "--through", "2025-01", "--particles", "4", "--max-moves", "2"]
    assert main([*argv, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "2025-01  ESS" in printed and f"present: {out}" in printed
    assert "history stage 0: temperature" in printed
    back = load_present(out)
    assert back.through == "2025-01" and len(back) == 4
    assert back.manifest["settings"]["max_moves"] == 2  # the option reaches the filter
    assert back.manifest["not_imposed"] == []  # nothing the model cannot impose by 2025-01


def test_the_history_stage_tempers_to_one_on_the_calibrations_figures(history):
    """The 2019-2024 reference figures (the calibration's 28 targets) condition the paths:
    the temperatures rise to 1, the particles' log-likelihood is that of those figures, and
    the ensemble fits them better than the unconditioned hindcast runs of the same seed."""
    from rift.present.nowcast import history_figures, loglik

    with_history, without = history
    hist = with_history.manifest["history"]
    figures = history_figures("2019-01", "2024-12")
    assert len(figures) == len(hist["figures"]) == 28
    temps = [s["temperature"] for s in hist["stages"]]
    assert temps[-1] == 1.0 and all(a < b for a, b in itertools.pairwise(temps))
    assert all(0 < s["ess"] <= 6 and s["acceptance"] is not None for s in hist["stages"])
    assert hist["prior_after"] == "calibration priors (uniform box)"
    mine = [loglik(s, figures) for s in with_history.states]
    np.testing.assert_allclose(with_history.loglik, mine)  # no figures in 2025-01
    theirs = [loglik(s, figures) for s in without.states]
    assert np.mean(mine) > np.mean(theirs)
    assert without.manifest["history"]["stages"] == []
    assert without.manifest["history"]["figures"] == []
    again = nowcast(6, "2025-01", seed=7, moves=2, max_moves=3)  # same seed, same bits
    assert again.parameters == with_history.parameters
    assert again.manifest["history"] == hist


def test_history_figures_take_the_records_error_classes():
    from rift.calibration import calibration_error
    from rift.present.nowcast import history_figures

    eps = calibration_error()
    assert 0.1 < eps < 1  # the calibration's final tolerance, a relative error
    by = {f.label: f for f in history_figures("2019-01", "2024-12")}
    # observation error (coca: observation_sd_share 0.1) and the model's error, in quadrature
    assert by["coca_ha 2024"].sd == pytest.approx(np.hypot(26_100, eps * 261_000))
    assert by["members_eln 2021"].sd == pytest.approx(np.hypot(500, eps * 2450))  # max(500, ..)
    egc = by["presence_municipalities_egc 2024"]
    assert egc.sd == pytest.approx(np.hypot(0.2 * 392, eps * 392))
    assert by["members_total 2025-01"].month == parse_month("2024-12")
    assert "coca_ha 2019" not in by  # the hindcast's initial state, not a target
