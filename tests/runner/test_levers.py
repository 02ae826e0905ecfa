"""Instruments and interventions' timing and values sampled per run (``uncertain``)."""

from __future__ import annotations

import textwrap

import pytest

from rift.errors import InputError
from rift.months import format_month, parse_month
from rift.runner import execute_batch, plan_batch
from rift.scenario import load_scenario
from rift.scenario.levers import Lever, lever, registry_name
from tests.cli_helpers import cli
from tests.conftest import ctrl_c_after

SAMPLED = """\
    name: lev
    start: present
    end: 2028-12
    runs: 4
    uncertain:
      us.intel_sharing: {dist: uniform, low: 0.3, high: 0.9}
      interventions[0].at: {dist: choice, values: [2027-01, 2028-01]}
      interventions[0].set.us.security_aid_musd: {dist: uniform, low: 150, high: 400}
    interventions:
      - at: 2027-06
        set: {us.security_aid_musd: 300}
    """


def _write(tmp_path, body: str, name: str = "lev.yaml"):
    f = tmp_path / name
    f.write_text(textwrap.dedent(body), encoding="utf-8")
    return f


def test_lever_names():
    assert lever("interventions[2].at") == Lever(2, "at")
    assert lever("interventions[0].until") == Lever(0, "until")
    assert lever("interventions[1].set.us.tariff_rate") == Lever(1, "set", "us.tariff_rate")
    assert lever("us.intel_sharing") is None and lever("interventions[0].label") is None
    assert registry_name("interventions[1].set.us.tariff_rate") == "us.tariff_rate"
    assert registry_name("col.aid_dependence") == "col.aid_dependence"


def test_each_run_forces_its_sampled_instrument_and_its_interventions_sampled_timing_and_value(
    tmp_path,
):
    s = load_scenario(_write(tmp_path, SAMPLED))
    plan = plan_batch(s)
    outputs = execute_batch(plan).outputs
    ats = set()
    for k, out in outputs.items():
        sampled = plan.task(k).sampled
        r = out.result
        at, value = (
            sampled["interventions[0].at"],
            sampled["interventions[0].set.us.security_aid_musd"],
        )
        assert 150 <= value <= 400 and at in ("2027-01", "2028-01")
        ats.add(at)
        months = [format_month(int(m)) for m in r.months]
        aid = r.column("us_security_aid_musd")
        forced = [m for m, a in zip(months, aid, strict=True) if a == value]
        assert forced == months[months.index(at) :]  # forced from the sampled month on
        assert (r.column("intel_sharing") == sampled["us.intel_sharing"]).all()  # whole run
    assert ats == {"2027-01", "2028-01"}  # both months drawn in 4 runs (a Latin hypercube)


def test_sampled_levers_are_stored_as_inputs_and_reach_ema(tmp_path):
    f = _write(tmp_path, SAMPLED.replace("runs: 4", "runs: 3"))
    code, _, err = cli("run", str(f), "--out", str(tmp_path / "out"), "--quiet",
                         "--executor", "serial", "--no-report")  # fmt: skip
    assert code == 0, err
    import rift

    res = rift.load(tmp_path / "out")
    experiments, _ = res.to_ema()
    assert {"interventions[0].at", "us.intel_sharing", "run", "seed"} <= set(experiments)
    assert list(experiments["run"]) == [0, 1, 2] and list(experiments["policy"]) == ["none"] * 3
    assert list(experiments["seed"]) == list(res.runs["seed"])


BAD = [
    ("no-such-intervention", "interventions[3].at", "{dist: choice, values: [2027-01]}",
     ["there is no interventions[3]"]),
    ("not-its-instrument", "interventions[0].set.us.tariff_rate", "{dist: beta, a: 2, b: 2}",
     ["does not set 'us.tariff_rate'", "us.security_aid_musd"]),
    ("month-not-choice", "interventions[0].at", "{dist: uniform, low: 1, high: 2}",
     ["drawn with 'choice'"]),
    ("month-outside", "interventions[0].at", "{dist: choice, values: [2031-01]}",
     ["outside the horizon"]),
    ("bad-month", "interventions[0].at", "{dist: choice, values: [soon]}", ["uncertain"]),
    ("at-after-until", "interventions[0].at", "{dist: choice, values: [2028-06]}",
     ["can fall after the intervention's 'until'"]),
    ("out-of-range", "interventions[0].set.us.security_aid_musd",
     "{dist: uniform, low: 0, high: 9e3}", ["us.security_aid_musd"]),
    ("unknown-part", "interventions[0].label", "{dist: choice, values: [a]}",
     ["not a part of an intervention", "interventions[i].at"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "dist", "fragments"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_levers_exit_2_naming_the_key(tmp_path, name, dist, fragments):
    body = textwrap.dedent(f"""\
        name: bad
        start: present
        end: 2030-12
        uncertain:
          {name}: {dist}
        interventions:
          - at: 2027-06
            until: 2028-01
            set: {{us.security_aid_musd: 300}}
        """)  # fmt: skip
    f = _write(tmp_path, body, "bad.yaml")
    with pytest.raises(InputError):
        load_scenario(f)
    code, _, err = cli("validate", str(f))
    assert code == 2 and "bad.yaml" in err and f"uncertain.{name}" in err, err
    for fragment in fragments:
        assert fragment in err, err


def test_a_sampled_month_is_stored_canonically(tmp_path):
    f = _write(tmp_path, SAMPLED.replace("[2027-01, 2028-01]", "[2027-01-15, 2028-01]"))
    d = load_scenario(f).uncertain["interventions[0].at"]
    assert d.values == ["2027-01", "2028-01"]
    assert parse_month(d.values[0]) == parse_month("2027-01")


# ------------------------------------------------------------------------------ policies
POLICIES = """\
    name: pol
    start: present
    end: 2028-12
    runs: 3
    interventions:
      - at: 2027-06
        set: {us.security_aid_musd: 300}
    policies:
      - name: as_written
        set:
          interventions[0].at: 2027-06
      - name: late_low
        set:
          interventions[0].at: 2028-01
          interventions[0].set.us.security_aid_musd: 150
      - name: intel_half
        set:
          us.intel_sharing: 0.5
    """


def test_policies_run_against_the_same_runs(tmp_path):
    from tests.model.restart_helpers import assert_same_result

    s = load_scenario(_write(tmp_path, POLICIES))
    plan = plan_batch(s)
    assert plan.runs == 9 and plan.design.labels == ("as_written", "late_low", "intel_half")
    outputs = execute_batch(plan).outputs
    plain = load_scenario(_write(tmp_path, POLICIES.split("    policies:")[0], "plain.yaml"))
    alone = execute_batch(plan_batch(plain)).outputs
    june = [int(m) for m in alone[0].result.months].index(parse_month("2027-06"))
    for r in range(3):
        assert plan.seed_label(r) == plan.seed_label(3 + r) == plan.seed_label(6 + r)
        assert_same_result(outputs[r].result, alone[r].result)  # the written values: the same run
        late, half = outputs[3 + r].result, outputs[6 + r].result
        aid = late.column("us_security_aid_musd")
        assert (aid[[int(m) for m in late.months].index(parse_month("2028-01")) :] == 150).all()
        assert (aid[june:-12] != 300).all()  # 2027-06..2027-12 not forced in late_low
        assert (half.column("intel_sharing") == 0.5).all()
        assert (half.column("us_security_aid_musd")[june:] == 300).all()  # keeps the scenario's


def test_the_runs_table_and_ema_name_each_runs_policy(tmp_path):
    import rift

    f = _write(tmp_path, POLICIES.replace("runs: 3", "runs: 2"))
    code, _, err = cli("run", str(f), "--out", str(tmp_path / "out"), "--quiet",
                       "--executor", "serial", "--no-report")  # fmt: skip
    assert code == 0, err
    res = rift.load(tmp_path / "out")
    runs = res.runs
    assert list(runs["policy"]) == ["as_written"] * 2 + ["late_low"] * 2 + ["intel_half"] * 2
    assert (
        list(runs["param.interventions[0].at"])
        == ["2027-06"] * 2 + ["2028-01"] * 2 + ["2027-06"] * 2
    )
    experiments, _ = res.to_ema()
    assert list(experiments["policy"]) == list(runs["policy"])
    assert list(experiments["seed"]) == ["20251215/0", "20251215/1"] * 3  # the default seed


BAD_POLICIES = [
    ("twice", "  - name: a\n    set: {us.intel_sharing: 0.5}\n" * 2, ["policies[1].name",
     "two policies are called 'a'"]),
    ("unknown", "  - name: a\n    set: {us.intel_sharin: 0.5}\n",
     ["policies[0].set.us.intel_sharin", "Did you mean 'us.intel_sharing'"]),
    ("range", "  - name: a\n    set: {us.intel_sharing: 5}\n",
     ["policies[0].set.us.intel_sharing"]),
    ("no-intervention", "  - name: a\n    set:\n      interventions[1].at: 2027-01\n",
     ["there is no interventions[1]"]),
    ("outside", "  - name: a\n    set:\n      interventions[0].at: 2035-01\n",
     ["outside the horizon"]),
    ("until-before-at", "  - name: a\n    set:\n      interventions[0].until: 2027-01\n",
     ["would end (2027-01) before it starts (2027-06)"]),
]  # fmt: skip


@pytest.mark.parametrize(("body", "fragments"), [b[1:] for b in BAD_POLICIES],
                         ids=[b[0] for b in BAD_POLICIES])  # fmt: skip
def test_bad_policies_exit_2_naming_the_key(tmp_path, body, fragments):
    head = POLICIES.split("    policies:")[0]
    f = _write(tmp_path, textwrap.dedent(head) + "policies:\n" + body, "bad.yaml")
    code, _, err = cli("validate", str(f))
    assert code == 2 and "bad.yaml" in err and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err


def test_policies_and_an_outside_design_are_refused_together(tmp_path):
    f = _write(tmp_path, POLICIES)
    code, _, err = cli("run", str(f), "--grid", "col.aid_dependence=0.1,0.2", "--out",
                       str(tmp_path / "o"), "--executor", "serial")  # fmt: skip
    assert code == 2 and "policies" in err and "not both" in err, err


def test_an_interrupted_batch_of_policies_resumes_to_the_same_runs(tmp_path, monkeypatch):
    import rift
    from rift.experiment import resume_scenario, run_scenario
    from rift.results.writer import partial_path

    s = load_scenario(_write(tmp_path, POLICIES.replace("runs: 3", "runs: 2")))
    whole = run_scenario(s, executor="serial", out=tmp_path / "whole")
    ctrl_c_after(monkeypatch, 3)
    cut = run_scenario(s, executor="serial", out=tmp_path / "cut")
    monkeypatch.undo()
    assert not cut.complete and cut.runs_done == 3
    done = resume_scenario(partial_path(tmp_path / "cut"), executor="serial")
    assert done.complete
    a, b = rift.load(whole.path).runs, rift.load(tmp_path / "cut").runs
    assert list(b["policy"]) == list(a["policy"]) and list(b["seed"]) == list(a["seed"])
    cols = ["control_any", "param.interventions[0].at", "us_security_aid_musd"]
    assert b[cols].equals(a[cols])
