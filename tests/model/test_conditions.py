"""Conditional interventions and shocks inside a run: once, while, restarts, the present.

The condition used on a fresh run reads US security aid, which a dated intervention forces to
100 in 2025-03..2025-05: the condition ``us_security_aid_musd < 150`` holds on the state of
those months, so at the start of 2025-04, 2025-05 and 2025-06 (a condition reads the month
before). A conditional item must then be, bit for bit, the dated item of the months it is in
force.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rift.model import AllianceModel
from rift.months import format_month, parse_month
from rift.record import CERTIFICATION_STATUS, RunResult
from rift.runner import execute_batch, plan_batch
from rift.scenario import load_scenario, shipped_scenarios
from rift.scenario.when import parse_condition
from tests.model.restart_helpers import assert_same_result

AID = {"at": "2025-03", "until": "2025-05", "set": {"us.security_aid_musd": 100.0}}
LOW_AID = parse_condition("us_security_aid_musd < 150")
POSTURE = {"col.posture": 0.123}
RUN = {"rng": 5, "start": "2025-01", "end": "2025-09", "collect": False}


def _run(interventions=(), shocks=(), **kw) -> RunResult:
    return AllianceModel(**{**RUN, **kw}, interventions=[AID, *interventions], shocks=shocks).run()


def _months(result: RunResult, name: str, value: float) -> list[str]:
    col = result.column(name)
    return [format_month(int(m)) for m, v in zip(result.months, col, strict=True) if v == value]


def test_once_fires_in_the_first_month_the_condition_holds_then_stays_as_a_dated_one():
    once = _run([{"at": "2025-01", "when": LOW_AID, "mode": "once", "set": POSTURE}])
    dated = _run([{"at": "2025-04", "set": POSTURE}])
    assert _months(once, "posture", 0.123)[0] == "2025-04"
    assert_same_result(once, dated)  # in force to the end, as a dated intervention from 2025-04


def test_while_is_in_force_only_in_the_months_the_condition_holds():
    hold = _run([{"at": "2025-01", "when": LOW_AID, "mode": "while", "set": POSTURE}])
    dated = _run([{"at": "2025-04", "until": "2025-06", "set": POSTURE}])
    assert _months(hold, "posture", 0.123) == ["2025-04", "2025-05", "2025-06"]
    assert_same_result(hold, dated)


def test_at_and_until_bound_a_conditional_intervention():
    late = _run([{"at": "2025-05", "when": LOW_AID, "set": POSTURE}])
    assert _months(late, "posture", 0.123)[0] == "2025-05"  # not evaluated before at
    short = _run([{"at": "2025-01", "until": "2025-05", "when": LOW_AID, "set": POSTURE}])
    assert _months(short, "posture", 0.123) == ["2025-04", "2025-05"]
    never = _run([{"at": "2025-07", "until": "2025-08", "when": LOW_AID, "set": POSTURE}])
    assert_same_result(never, _run())  # never holds: the run without it, bit for bit


def test_the_later_item_wins_conditional_or_not():
    cond = {"at": "2025-01", "when": LOW_AID, "mode": "while", "set": POSTURE}
    dated = {"at": "2025-05", "until": "2025-05", "set": {"col.posture": 0.5}}
    first, second = _run([cond, dated]), _run([dated, cond])
    may = parse_month("2025-05") - parse_month("2025-01")
    assert first.column("posture")[may] == 0.5 and second.column("posture")[may] == 0.123


@pytest.mark.parametrize(
    ("mode", "dated"),
    [("once", {"at": "2025-04"}), ("while", {"at": "2025-04", "until": "2025-06"})],
)
def test_a_conditional_shock_is_the_dated_shock_of_its_months(mode, dated):
    measures = {"start": ["us.tariff_threat"]}
    cond = _run(shocks=[{"at": "2025-01", "when": LOW_AID, "mode": mode, **measures}])
    assert_same_result(cond, _run(shocks=[{**dated, **measures}]))
    assert "2025-04" in _months(cond, "us_tariff_threat", 1.0)


def test_a_restart_keeps_what_has_fired():
    ivs = [AID, {"at": "2025-01", "when": LOW_AID, "set": POSTURE}]
    whole = AllianceModel(**RUN, interventions=ivs).run()
    first = AllianceModel(**RUN, interventions=ivs)
    state = first.run_until("2025-06")
    assert first.conditions.fired  # fired in 2025-04
    rest = AllianceModel(rng=None, state=state, interventions=ivs, collect=False).run()
    assert_same_result(rest, whole)
    # a state saved before conditional items existed has fired none
    model = {k: v for k, v in state.model.items() if k != "conditions"}
    older = dataclasses.replace(state, model=model)
    again = AllianceModel(rng=None, state=older, interventions=ivs, collect=False)
    assert not again.conditions.fired


# ------------------------------------------------------------------------- from the present
RUNS = 12
KNOWN = "2030-07"  # the month after the 2030 runoff: the result is known


def _batch(name_or_path, *changes: str) -> dict[int, RunResult]:
    s = load_scenario(name_or_path, [f"runs={RUNS}", "end=2030-12", *changes])
    return {k: o.result for k, o in execute_batch(plan_batch(s)).outputs.items()}


@pytest.fixture(scope="module")
def baseline() -> dict[int, RunResult]:
    return _batch("baseline")


def _split(
    results: dict[int, RunResult], winners: tuple[str, ...] = ("centre", "right")
) -> tuple[set[int], set[int]]:
    won = {k for k, r in results.items() if r.values["winner_2030"] in winners}
    return won, set(results) - won


def test_an_election_condition_fires_exactly_in_the_runs_where_it_holds(baseline, tmp_path):
    f = tmp_path / "aid.yaml"
    f.write_text(
        "name: aid\nextends: baseline\ninterventions:\n"
        "  - when: winner_2030 in [right]\n    set: {us.security_aid_musd: 400}\n",
        encoding="utf-8",
    )
    # right against the rest: the present's 2030 is mostly centre or right (left won 0.21 of
    # 200 runs), so a centre-or-right split could give one kind of run only in 12
    cond = _batch(f)
    won, lost = _split(baseline, ("right",))
    assert won and lost, "the seeds give both kinds of run"
    assert _split(cond, ("right",)) == (won, lost)  # the same elections, run by run
    for k, r in cond.items():
        base, months = baseline[k], [int(m) for m in r.months]
        known = months.index(parse_month(KNOWN))
        np.testing.assert_array_equal(r.series[:known], base.series[:known])  # paired before
        aid = r.column("us_security_aid_musd")
        if k in won:
            assert (aid[known:] == 400.0).all()
        else:
            assert_same_result(r, base)  # the condition never held: the baseline run itself


def test_the_shipped_conditional_restoration_ends_the_cuts_only_after_a_centre_or_right_win():
    assert "conditional_restoration" in shipped_scenarios()
    # 40 runs: from the present most cuts have ended by 2030 (the first run of the baseline
    # with a centre or right win and the security-aid cut still in force in 2030-07 is run 18)
    baseline = _batch("baseline", "runs=40")
    cond = _batch("conditional_restoration", "runs=40")
    won, lost = _split(baseline)
    for k in lost:
        assert_same_result(cond[k], baseline[k])
    for k in won:
        r, base = cond[k], baseline[k]
        known = [int(m) for m in r.months].index(parse_month(KNOWN))
        np.testing.assert_array_equal(r.series[:known], base.series[:known])
        for cut in ("us_security_aid_cut", "us_civil_aid_cut"):
            assert r.column(cut)[known] == 0.0
    # where the baseline still has the cut in force in 2030-07, aid rises that month, unless
    # the US decertified Colombia (the determination caps aid whatever the measures); a run
    # whose baseline ends the cut on its own that month (a deal) is the same run either way
    decertified = CERTIFICATION_STATUS.index("decertified")
    cut = [k for k in won if baseline[k].column("us_security_aid_cut")[-6] == 1.0]
    capped = {k for k in cut if baseline[k].column("certification")[-6] == decertified}
    assert set(cut) - capped, "the seeds give runs with the cut in force"
    for k in cut:
        before, after = (r.column("us_security_aid_musd")[-6] for r in (baseline[k], cond[k]))
        assert after == before if k in capped else after > 2 * before
