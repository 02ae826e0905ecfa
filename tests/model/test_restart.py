"""A run stopped at a month and restarted from its state equals the uninterrupted run, bit for bit.

``ModelState`` (``rift.model.state``), ``AllianceModel(state=...)``,
``run(until=...)``, ``ModelState.save`` / ``load``.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from rift.errors import InputError
from rift.model import AllianceModel
from rift.model.state import STATE_VERSION, ModelState
from rift.months import format_month, parse_month
from rift.record import GROUPS
from tests.model.restart_helpers import (
    assert_same_result,
    model_kwargs,
    scenario_model,
    scenario_plan,
)

SCENARIOS = ("forecast_2025_12", "from_2025/full_rupture")
STOP = "2026-11"


def _restarted(name: str, run: int, stop: str, state_path=None):
    """Run ``run`` of a scenario to ``stop``, then a new model from its state to the end."""
    state = scenario_model(name, run).run_until(stop)
    assert format_month(state.month) == stop
    if state_path is not None:
        state.save(state_path)
        state = ModelState.load(state_path)
    return AllianceModel(state=state, **model_kwargs(name, run)).run()


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("run", [0, 1, 2])
def test_a_restarted_run_equals_the_uninterrupted_run(name, run, tmp_path):
    full = scenario_model(name, run).run()
    assert format_month(int(full.months[0])) == "2025-01"
    assert format_month(int(full.months[-1])) == "2030-12"
    assert_same_result(full, _restarted(name, run, STOP))
    assert_same_result(full, _restarted(name, run, STOP, tmp_path / "state.npz"))


def _event_months(name: str, run: int) -> list[str]:
    """Months right after which to restart: election steps and a measure's first start."""
    full = scenario_model(name, run).run()
    measure_starts = sorted(
        m for e, m in full.events.items() if e.endswith("_start") and m is not None
    )
    months = ["2026-03", "2026-05", "2026-06", "2026-08"]  # Senate, first round, runoff, oath
    months += ["2026-11", "2028-11", "2029-01"]  # US midterms, US election, inauguration
    months += ["2030-03", "2030-05", "2030-06", "2030-08"]  # the 2030 election's steps
    if measure_starts:
        months.append(format_month(measure_starts[len(measure_starts) // 2]))
    return months


@pytest.mark.parametrize("name", SCENARIOS)
def test_restart_at_the_first_month_after_events_and_at_the_last_but_one(name, tmp_path):
    run = 3
    full = scenario_model(name, run).run()
    for stop in ["2025-01", *_event_months(name, run), "2030-11"]:
        assert_same_result(full, _restarted(name, run, stop))
    assert_same_result(full, _restarted(name, run, "2030-11", tmp_path / "late.npz"))


@pytest.mark.parametrize("election", [None, {"winner_2030": "centre", "us_2028": "democrat"}])
@pytest.mark.parametrize("run", [5, 6])
def test_restart_just_before_and_after_each_election_of_2026_to_2030(run, election, tmp_path):
    """Stops on both sides of every election month: its draws and results are in the state."""
    kwargs = model_kwargs("forecast_2025_12", run)
    if election is not None:
        kwargs["election"] = {**(kwargs.get("election") or {}), **election}
    seed = scenario_plan("forecast_2025_12").task(run).seed
    full = AllianceModel(rng=seed, **kwargs).run()
    stops = ["2026-10", "2026-11", "2028-10", "2028-11", "2028-12", "2029-01",
             "2030-02", "2030-03", "2030-04", "2030-05", "2030-07", "2030-08"]  # fmt: skip
    for stop in stops:
        state = AllianceModel(rng=seed, **kwargs).run_until(stop)
        state.save(tmp_path / "s.npz")
        state = ModelState.load(tmp_path / "s.npz")
        again = AllianceModel(state=state, **kwargs).run()
        assert_same_result(full, again)
    assert "winner_2030" in full.values and "us_party_2028" in full.values


def test_a_state_before_any_step_and_after_the_last_step():
    full = scenario_model("forecast_2025_12", 4).run()
    fresh = scenario_model("forecast_2025_12", 4).state()
    assert fresh.month == parse_month("2025-01") - 1 and fresh.next_month == "2025-01"
    assert_same_result(
        full, AllianceModel(state=fresh, **model_kwargs("forecast_2025_12", 4)).run()
    )
    done = scenario_model("forecast_2025_12", 4)
    done.run()
    finished = AllianceModel(state=done.state(), **model_kwargs("forecast_2025_12", 4))
    assert not finished.running
    assert_same_result(full, finished.run())


def test_stop_and_continue_in_the_same_model_and_in_chained_restarts():
    full = AllianceModel(rng=21, collect=False).run()  # calibrated draw: the default model
    m = AllianceModel(rng=21, collect=False)
    part = m.run(until="2025-06")
    assert len(part.months) == 6
    assert_same_result(full, m.run())
    state = AllianceModel(rng=21, collect=False).run_until("2025-09")
    for stop in ("2026-02", "2027-07", "2029-12"):
        state = AllianceModel(state=state, collect=False).run_until(stop)
    assert_same_result(full, AllianceModel(state=state, collect=False).run())


def test_one_state_starts_many_identical_runs_and_is_not_changed():
    state = AllianceModel(rng=8, collect=False).run_until(STOP)
    before = state.copy()
    a = AllianceModel(state=state, collect=False).run()
    b = AllianceModel(state=state, collect=False).run()
    assert_same_result(a, b)
    assert np.array_equal(state.territory["s"], before.territory["s"])
    assert state.recorder["row"] == before.recorder["row"]
    assert state.streams == before.streams


def test_a_new_seed_draws_a_new_future_from_the_same_past():
    state = AllianceModel(rng=8, collect=False).run_until(STOP)
    same = AllianceModel(state=state, collect=False).run()
    other = AllianceModel(rng=99, state=state, collect=False).run()
    rows = state.recorder["row"] + 1
    assert same.series[:rows].tobytes() == other.series[:rows].tobytes()
    assert not np.array_equal(same.series[rows:], other.series[rows:])


def test_the_state_holds_every_part_the_issue_names():
    m = AllianceModel(rng=2, collect=False)
    s = m.run_until(STOP)
    assert s.version == STATE_VERSION
    assert s.start == parse_month("2025-01") and s.end == parse_month("2030-12")
    assert {"s", "coca", "E", "rent", "K", "displacement_cum"} <= set(s.territory)
    assert set(s.actors) == {
        "venezuela", "china", "us", "colombia", "diplomacy", "institutions",
        *(f"group_{g}" for g in GROUPS),
    }  # fmt: skip
    col = s.actors["colombia"]
    assert {"president", "governability", "approval", "tension"} <= set(col)
    assert {"term_start", "control_at_oath"} <= set(col)
    assert {"campaign_2030", "us_politics"} <= set(s.model)
    assert {"certification", "tension"} <= set(s.actors["us"])
    assert s.measures == {
        "us": m.us.measures.in_force(),
        "col": m.colombia.measures.in_force(),
    }
    assert set(s.parameters) == set(m.p)
    named = s.streams["named"]["positions"]
    assert {"territory", "process", "us", "colombia", "diplomacy", "institutions",
            "election"} <= set(named)  # fmt: skip
    assert named["us"] == m.streams["us"].bit_generator.state
    assert s.streams["mesa_rng"] == m.rng.bit_generator.state
    assert s.recorder["values"].shape[0] == s.recorder["row"] + 1 == 23


def test_a_state_file_round_trips_every_part_exactly(tmp_path):
    s = AllianceModel(rng=6, collect=False).run_until("2027-02")
    path = s.save(tmp_path / "s.npz")
    loaded = ModelState.load(path)
    for part in ("version", "start", "end", "month", "actors", "ledger", "cooperation",
                 "campaign", "streams", "parameters"):  # fmt: skip
        assert getattr(loaded, part) == getattr(s, part), part
    for k, v in s.territory.items():
        assert np.asarray(loaded.territory[k]).tobytes() == np.asarray(v).tobytes(), k
    assert loaded.recorder["values"].tobytes() == s.recorder["values"].tobytes()
    with zipfile.ZipFile(path) as z:
        assert not any(n.endswith(".pkl") for n in z.namelist())


def test_a_longer_horizon_continues_from_a_state():
    """A state of a run to 2030-12 continued to 2031-06 equals a run to 2031-06 from the start."""
    longer = AllianceModel(rng=13, end="2031-06", collect=False).run()
    state = AllianceModel(rng=13, collect=False).run_until(STOP)
    assert_same_result(longer, AllianceModel(state=state, end="2031-06", collect=False).run())


def test_restart_arguments_that_contradict_the_state_are_refused():
    state = AllianceModel(rng=3, collect=False).run_until(STOP)
    with pytest.raises(ValueError, match="start"):
        AllianceModel(state=state, start="2025-02", collect=False)
    with pytest.raises(ValueError, match="end"):
        AllianceModel(state=state, end="2026-06", collect=False)
    m = AllianceModel(rng=3, collect=False)
    m.run(until="2026-01")
    with pytest.raises(ValueError, match="until"):
        m.run(until="2025-06")
    with pytest.raises(ValueError, match="until"):
        m.run(until="2031-01")


# ---------------------------------------------------------------------- bad files


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("state") / "good.npz"
    AllianceModel(rng=4, collect=False).run_until(STOP).save(path)
    return path


def _entries(path):
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _rewrite(path, out, change):
    entries = _entries(path)
    doc = json.loads(str(entries["state.json"][()]))
    change(doc, entries)
    entries["state.json"] = np.array(json.dumps(doc))
    with open(out, "wb") as fh:
        np.savez(fh, **entries)
    return out


def _check_bad(path, *words):
    with pytest.raises(InputError) as err:
        ModelState.load(path)
    text = err.value.message()
    assert str(path) in text
    for w in words:
        assert w in text, text
    return text


def test_a_wrong_version_is_named(saved, tmp_path):
    def bump(doc, _):
        doc["version"] = STATE_VERSION + 1

    bad = _rewrite(saved, tmp_path / "v.npz", bump)
    _check_bad(bad, f"version {STATE_VERSION + 1}", f"expected version {STATE_VERSION}")


def test_damaged_files_are_named(saved, tmp_path):
    data = saved.read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(data[: len(data) // 2])
    _check_bad(truncated, "cannot read", "rift model state")
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip file at all" * 10)
    _check_bad(garbage, "cannot read")
    _check_bad(tmp_path / "missing.npz", "no such state file")
    other = tmp_path / "other.npz"
    np.savez(other, x=np.arange(3))
    _check_bad(other, "state.json")


def test_damaged_contents_are_named(saved, tmp_path):
    def drop_part(doc, _):
        del doc["state"]["territory"]

    _check_bad(_rewrite(saved, tmp_path / "part.npz", drop_part), "parts", "territory")

    def drop_array(_, entries):
        del entries["a0"]

    _check_bad(_rewrite(saved, tmp_path / "array.npz", drop_array), "missing or bad data")

    def not_a_state(doc, _):
        doc["format"] = "something else"

    _check_bad(_rewrite(saved, tmp_path / "format.npz", not_a_state), "not a rift model state")

    entries = _entries(saved)
    entries["state.json"] = np.array('{"format": "rift.ModelState", "version": ')
    broken = tmp_path / "json.npz"
    with open(broken, "wb") as fh:
        np.savez(fh, **entries)
    _check_bad(broken, "JSON is damaged")


def test_a_state_file_with_objects_is_refused_without_unpickling(saved, tmp_path):
    entries = _entries(saved)
    entries["a0"] = np.array([{"evil": 1}], dtype=object)
    bad = tmp_path / "objects.npz"
    with open(bad, "wb") as fh:
        np.savez(fh, **entries)
    _check_bad(bad, "cannot read")


def test_saving_over_a_file_is_atomic_and_a_failed_save_leaves_it(saved, tmp_path):
    path = tmp_path / "keep.npz"
    path.write_bytes(saved.read_bytes())
    good = ModelState.load(path)
    broken = ModelState(**{**good.__dict__, "model": {**good.model, "bad": object()}})
    with pytest.raises(TypeError, match="cannot hold"):
        broken.save(path)
    assert ModelState.load(path).month == good.month
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.npz"]
