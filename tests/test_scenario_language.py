"""The scenario language: what it accepts, and at least 20 kinds of bad input."""

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rift.cli import main
from rift.errors import InputError
from rift.scenario import load_scenario, parse_override, scenario_from_dict, shipped_scenarios

from .conftest import SCENARIOS


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    f = tmp_path / name
    f.write_text(textwrap.dedent(text))
    return f


def test_a_full_scenario_validates_into_a_frozen_object(tmp_path):
    f = write(
        tmp_path,
        """
        name: demo
        description: all keys
        start: 2025-01
        end: 2027-06
        runs: 12
        seed: 7
        parameters: {us.aid_total_musd: 450, rupture.months: 4}
        uncertain:
          col.aid_dependence: {dist: uniform, low: 0.05, high: 0.3}
          us.security_cut_residual: {dist: triangular, low: 0, mode: 0.2, high: 0.5}
          coca.yield_kg_per_ha: {dist: truncnormal, mean: 9, sd: 1, low: 7.6, high: 10.5}
          col.aid_lag_years: {dist: lognormal, median: 1, sigma: 0.3}
          col.intel_us_weight: {dist: beta, a: 2, b: 3}
          election.effect.rally: {dist: normal, mean: 0.15, sd: 0.05}
          init.us_certification: {dist: choice, values: [certified, waiver], weights: [0.75, 0.25]}
        election: {priors: {left: 0.5, centre: 0.2, right: 0.3}}
        interventions:
          - {at: 2025-10, set: {us.intel_sharing: 0.5}, until: 2026-12, label: partial}
          - {at: 2026-01-15, set: {col.posture: 1}}
        outcomes: [control_any, coca_ha]
    """,
    )
    s = load_scenario(f)
    assert s.name == "demo" and s.runs == 12 and s.months == 30
    assert s.parameters == {"us.aid_total_musd": 450.0, "rupture.months": 4}
    assert s.interventions[1].at == "2026-01"  # dates normalised to months
    assert set(s.uncertain) >= {"col.aid_dependence", "init.us_certification"}
    with pytest.raises(ValidationError):  # frozen
        s.runs = 3
    assert s.reported_outcomes() == ["control_any", "coca_ha"]


def test_hash_is_stable_and_ignores_description(tmp_path):
    a = load_scenario(write(tmp_path, "name: x\nruns: 5\ndescription: one\n", "a.yaml"))
    b = load_scenario(write(tmp_path, "name: x\nruns: 5\ndescription: two\n", "b.yaml"))
    c = load_scenario(write(tmp_path, "name: x\nruns: 6\n", "c.yaml"))
    assert a.hash() == b.hash() != c.hash()
    assert a.hash() == load_scenario(tmp_path / "a.yaml").hash()


def test_extends_overlays_key_by_key_and_accumulates_interventions(tmp_path):
    write(
        tmp_path,
        """
        name: parent
        runs: 10
        parameters: {us.aid_total_musd: 450, col.aid_dependence: 0.2}
        interventions: [{at: 2025-09, set: {us.certification: waiver}}]
    """,
        "parent.yaml",
    )
    child = load_scenario(
        write(
            tmp_path,
            """
        extends: parent.yaml
        name: child
        parameters: {col.aid_dependence: 0.1}
        interventions: [{at: 2026-01, set: {us.intel_sharing: 0}}]
    """,
            "child.yaml",
        )
    )
    assert child.runs == 10
    assert child.parameters == {"us.aid_total_musd": 450.0, "col.aid_dependence": 0.1}
    assert [iv.at for iv in child.interventions] == ["2025-09", "2026-01"]


def test_extends_a_shipped_scenario_by_name(tmp_path):
    s = load_scenario(write(tmp_path, "extends: forecast_2025_12\nname: mine\nruns: 3\n"))
    assert s.runs == 3 and s.uncertain and s.calibration
    r = load_scenario(
        write(tmp_path, "extends: from_2025/full_rupture\nname: mine\nruns: 3\n", "r.yaml")
    )
    assert r.shocks and r.shocks[0].start == ["us.security_aid_cut", "us.civil_aid_cut"]
    assert r.headline == "rupture"  # inherited with the rest


def test_set_overrides_parameters_and_scenario_keys():
    s = load_scenario(
        SCENARIOS / "forecast_2025_12.yaml", ["us.intel_sharing=0.2", "runs=500", "seed=3"]
    )
    assert s.parameters["us.intel_sharing"] == 0.2 and s.runs == 500 and s.seed == 3
    s = load_scenario(SCENARIOS / "forecast_2025_12.yaml", ["us.aid_total_musd=450"])
    assert "us.aid_total_musd" not in s.uncertain  # a fixed value wins over the distribution
    assert load_scenario("forecast_2025_12").name == "forecast_2025_12"  # a shipped name works
    assert load_scenario("from_2025/full_rupture").name == "full_rupture"


@given(st.from_regex(r"[a-z_.]{1,20}=[0-9.]{1,6}", fullmatch=True))
def test_parse_override_splits_key_and_value(text):
    key, _value = parse_override(text)
    assert key == text.split("=")[0].strip()


def test_every_shipped_scenario_validates():
    """Which scenarios must ship is tests/scenarios/test_shipped.py's REQUIRED (one list)."""
    from tests.scenarios.test_shipped import REQUIRED

    names = set(shipped_scenarios())
    assert names >= REQUIRED
    for path in shipped_scenarios().values():
        assert load_scenario(path).runs > 0


def test_safe_loader_only(tmp_path):
    f = write(tmp_path, "name: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(InputError, match="YAML"):
        load_scenario(f)


# --------------------------------------------------------------------------- bad input
BAD = [
    # (id, file text, fragments the message must contain)
    ("yaml-syntax", "name: x\nstart: [2025-01\n", ["YAML syntax error", "line 3"]),
    ("not-a-mapping", "- a\n- b\n", ["a mapping of scenario keys"]),
    ("unknown-key", "name: x\nrunz: 5\n", ["unknown key 'runz'", "Did you mean 'runs'"]),
    (
        "unknown-nested-key",
        "name: x\nelection: {winer: right}\n",
        ["election.winer", "Did you mean 'winner'"],
    ),
    (
        "unknown-parameter",
        "name: x\nparameters: {us.aid_totl_musd: 1}\n",
        ["unknown parameter 'us.aid_totl_musd'", "us.aid_total_musd", "line 2"],
    ),
    ("wrong-type-runs", "name: x\nruns: many\n", ["runs", "many"]),
    (
        "wrong-type-param",
        "name: x\nparameters: {col.aid_dependence: high}\n",
        ["parameters.col.aid_dependence", "a number"],
    ),
    (
        "out-of-range",
        "name: x\nparameters: {col.aid_dependence: 2}\n",
        ["parameters.col.aid_dependence", "outside the valid range"],
    ),
    (
        "end-before-start",
        "name: x\nstart: 2025-01\nend: 2024-06\n",
        ["end 2024-06 is before start"],
    ),
    ("bad-month", "name: x\nstart: 2025-13\n", ["start", "YYYY-MM"]),
    ("too-early", "name: x\nstart: 2015-01\n", ["start", "2018-08 or later"]),
    (
        "unknown-dist",
        "name: x\nuncertain: {col.aid_dependence: {dist: unifrom, low: 0, high: 1}}\n",
        ["unknown distribution 'unifrom'", "uniform"],
    ),
    (
        "dist-missing-arg",
        "name: x\nuncertain: {col.aid_dependence: {dist: uniform, low: 0}}\n",
        ["uncertain.col.aid_dependence.high", "missing"],
    ),
    (
        "dist-bad-arg",
        "name: x\nuncertain: {col.aid_dependence: {dist: uniform, low: 0, hi: 1}}\n",
        ["unknown key 'hi'", "Did you mean 'high'"],
    ),
    (
        "dist-low-above-high",
        "name: x\nuncertain: {col.aid_dependence: {dist: uniform, low: 0.5, high: 0.1}}\n",
        ["low (0.5) must be below high (0.1)"],
    ),
    (
        "dist-outside-range",
        "name: x\nuncertain: {col.aid_dependence: {dist: normal, mean: 0.5, sd: 1}}\n",
        ["outside the valid range", "[0, 1]"],
    ),
    (
        "dist-unknown-parameter",
        "name: x\nuncertain: {nope.x: {dist: uniform, low: 0, high: 1}}\n",
        ["unknown parameter 'nope.x'"],
    ),
    ("runs-zero", "name: x\nruns: 0\n", ["runs", "greater than or equal to 1"]),
    ("runs-negative", "name: x\nruns: -5\n", ["runs", "greater than or equal to 1"]),
    ("seed-negative", "name: x\nseed: -1\n", ["seed", "greater than or equal to 0"]),
    (
        "intervention-outside",
        "name: x\ninterventions: [{at: 2031-01, set: {col.posture: 1}}]\n",
        ["interventions[0].at", "outside the horizon"],
    ),
    (
        "intervention-until-before",
        "name: x\ninterventions: [{at: 2026-01, until: 2025-06, set: {col.posture: 1}}]\n",
        ["interventions[0].until", "before"],
    ),
    (
        "intervention-not-instrument",
        "name: x\ninterventions: [{at: 2026-01, set: {col.aid_dependence: 0}}]\n",
        ["is a parameter, not an instrument"],
    ),
    (
        "intervention-value",
        "name: x\ninterventions: [{at: 2026-01, set: {us.certification: maybe}}]\n",
        ["interventions[0].set.us.certification", "one of"],
    ),
    (
        "election-candidate",
        "name: x\nelection: {priors: {centre: 1, green: 1}}\n",
        ["unknown candidate type 'green'"],
    ),
    ("election-winner", "name: x\nelection: {winner: petro}\n", ["election.winner"]),
    (
        "unknown-outcome",
        "name: x\noutcomes: [control_all]\n",
        ["unknown outcome 'control_all'", "Did you mean 'control_"],
    ),
    (
        "uncertain-and-fixed",
        "name: x\nparameters: {col.aid_dependence: 0.1}\n"
        "uncertain: {col.aid_dependence: {dist: uniform, low: 0, high: 1}}\n",
        ["both fixed and uncertain"],
    ),
    ("extends-missing", "extends: nowhere\nname: x\n", ["cannot find the scenario 'nowhere'"]),
]


@pytest.mark.parametrize(("case", "text", "fragments"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_exits_2_with_file_key_and_expectation(
    tmp_path, capsys, case, text, fragments
):
    f = write(tmp_path, text)
    out = tmp_path / "out"
    assert main(["run", str(f), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rift: ") and str(f) in err, err
    for frag in fragments:
        assert frag in err, (case, err)
    assert "Traceback" not in err and err.count("\n") == 1
    assert not out.exists()  # nothing written
    assert main(["validate", str(f)]) == 2


def test_extends_cycle(tmp_path, capsys):
    write(tmp_path, "extends: b.yaml\nname: a\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\nname: b\n", "b.yaml")
    assert main(["validate", str(tmp_path / "a.yaml")]) == 2
    assert "cycle" in capsys.readouterr().err


def test_missing_file_and_folder(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "none.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main(["validate", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_bad_set_overrides(capsys):
    base = str(SCENARIOS / "forecast_2025_12.yaml")
    assert main(["run", base, "--set", "runs"]) == 2
    assert "key=value" in capsys.readouterr().err
    assert main(["run", base, "--set", "runs=0"]) == 2
    assert "runs" in capsys.readouterr().err
    assert main(["run", base, "--set", "col.aid_dependence=7"]) == 2
    assert "outside the valid range" in capsys.readouterr().err


def test_scenario_from_dict_for_the_python_api():
    s = scenario_from_dict({"name": "api", "runs": 2, "parameters": {"us.aid_total_musd": 420}})
    assert s.parameters["us.aid_total_musd"] == 420.0
    with pytest.raises(InputError, match="unknown key"):
        scenario_from_dict({"name": "api", "rnus": 2})
