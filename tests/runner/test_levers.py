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

SAMPLED = """\
    name: lev
    start: present
    end: 2028-12
    runs: 8
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
    assert ats == {"2027-01", "2028-01"}  # both months drawn in 8 runs (a Latin hypercube)


def test_sampled_levers_are_stored_as_inputs_and_reach_ema(tmp_path):
    f = _write(tmp_path, SAMPLED.replace("runs: 8", "runs: 3"))
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
