"""``rift sensitivity``: a small Sobol' design runs as a stored design batch and is analysed
(indices that are exactly zero for inputs an outcome ignores, the seed's share at 0 and 1 where
the model says so), the files it writes, resume after an interrupt, and bad input exiting 2."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rift.analysis.sensitivity import INPUT_PART, SEED_PART, outcome_values
from rift.analysis.summary import event_probability
from rift.record import RECORD
from rift.results import load, partial_path

from .cli_helpers import bad, cli, files_under, write
from .conftest import ctrl_c_after

SHORT = """\
name: sens_cli
start: 2025-01
end: 2025-02
runs: 2
seed: 5
"""
#: The inputs in groups (15 of them), Sobol' N = 2: 2 × (15 + 2) = 34 points, 2 replicates each.
ARGS = ("--groups", "--samples", "2", "--replicates", "2", "--executor", "serial", "--quiet")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One small sensitivity batch, analysed for US security aid in its first month."""
    tmp = tmp_path_factory.mktemp("sens")
    scenario = write(tmp, SHORT)
    out = tmp / "b"
    result = cli(
        "sensitivity", str(scenario), "--outcome", "us_security_aid_musd", "--month",
        "2025-01", *ARGS, "--out", str(out),
    )  # fmt: skip
    return scenario, out, result


def _table(out, stem):
    return pd.read_parquet(out / f"sensitivity_{stem}.parquet")


def test_a_small_design_runs_as_a_stored_batch_and_prints_the_table(batch):
    _, out, (code, stdout, err) = batch
    assert code == 0, err
    res = load(out)
    m = res.manifest
    assert m["sensitivity"]["method"] == "sobol" and m["sensitivity"]["samples"] == 2
    groups = len(set(m["sensitivity"]["groups"]))
    assert len(m["design"]["points"]) == 2 * (groups + 2) and m["design"]["replicates"] == 2
    assert len(res.runs) == 2 * 2 * (groups + 2)
    assert res.runs.groupby("replicate")["seed"].nunique().tolist() == [1, 1]  # common seeds
    assert "sobol indices of the seed-averaged outcome" in stdout
    assert "seed share 0.000" in stdout
    for name in ("parquet", "csv"):
        assert (out / f"sensitivity_us_security_aid_musd_2025-01.{name}").is_file()
    assert (out / "figures" / "sensitivity_us_security_aid_musd_2025-01.png").is_file()


def test_an_outcome_set_by_the_inputs_alone_has_no_seed_share_and_one_group_drives_it(batch):
    _, out, (code, _, err) = batch
    assert code == 0, err
    t = _table(out, "us_security_aid_musd_2025-01")
    parts = t[t["index"] == "variance share"].set_index("factor")["value"]
    assert parts[SEED_PART] == pytest.approx(0, abs=1e-12)
    assert parts[INPUT_PART] == pytest.approx(1, abs=1e-12)
    st = t[t["index"] == "ST"].set_index("factor")["value"]
    # the month's aid is the US's own parameters (us.aid_total_musd, us.aid_security_share):
    # every other group's total index is exactly 0, as Sobol' estimators give for an input
    # the function does not read
    assert st["us"] > 0.2
    assert (st.drop("us").abs() < 1e-12).all()


def test_an_outcome_mostly_of_the_seed_has_a_seed_share_near_one(batch):
    # Coca in the first month is the seed's placement of the groups and their coca, moved by
    # one month of growth: since the territory's channels (coca's saturating market, seizures
    # in the rent) that month's growth reads the coca and territory parameters a little, so
    # the share is near one, not one (tests/analysis/test_sensitivity.py checks exactly 0 and
    # 1 on functions built for it).
    _, out, _ = batch
    code, stdout, err = cli("sensitivity", "--resume", str(out), "--outcome", "coca_ha",
                            "--month", "2025-01", "--quiet")  # fmt: skip
    assert code == 0, err
    t = _table(out, "coca_ha_2025-01")
    parts = t[t["index"] == "variance share"].set_index("factor")["value"]
    assert parts[SEED_PART] > 0.9
    assert parts[SEED_PART] + parts[INPUT_PART] == pytest.approx(1, abs=1e-9)
    assert f"seed share {parts[SEED_PART]:.3f}" in stdout


def test_an_event_is_its_0_1_by_the_month_and_analysed_from_the_stored_batch(batch):
    _, out, _ = batch
    res = load(out)
    values, label, at = outcome_values(res, "us_tariff_threat_start")
    assert at == "2025-02" and "by 2025-02 (0/1)" in label
    assert set(np.unique(values)) <= {0.0, 1.0}
    assert values.mean() == pytest.approx(event_probability(res.runs, "us_tariff_threat_start"))
    early, _, _ = outcome_values(res, "us_tariff_threat_start", "2025-01")
    assert (early <= values).all()
    before = files_under(out)
    code, _stdout, err = cli("sensitivity", "--resume", str(out), "--outcome",
                            "us_tariff_threat_start", "--quiet")  # fmt: skip
    assert code == 0, err
    assert files_under(out) - before == {
        "sensitivity_us_tariff_threat_start_2025-02.parquet",
        "sensitivity_us_tariff_threat_start_2025-02.csv",
        "figures/sensitivity_us_tariff_threat_start_2025-02.png",
    }


@pytest.mark.slow
def test_an_interrupted_sensitivity_batch_resumes_to_the_same_bits(tmp_path, monkeypatch):
    scenario = write(tmp_path, SHORT)
    two = ("--parameters", "us.", "--parameters", "col.", *ARGS)  # 2 groups: 8 points × 2
    whole = tmp_path / "whole"
    code, _, err = cli("sensitivity", str(scenario), "--outcome", "us_security_aid_musd",
                       *two, "--out", str(whole))  # fmt: skip
    assert code == 0, err
    ctrl_c_after(monkeypatch, 5)
    cut = tmp_path / "cut"
    code, _, err = cli("sensitivity", str(scenario), "--outcome", "us_security_aid_musd",
                       *two, "--out", str(cut))  # fmt: skip
    monkeypatch.undo()
    assert code == 130
    assert f"rift sensitivity --resume {partial_path(cut)} --outcome us_security_aid_musd" in err
    code, _stdout, err = cli("sensitivity", "--resume", str(partial_path(cut)), "--outcome",
                            "us_security_aid_musd", "--quiet")  # fmt: skip
    assert code == 0, err
    a, b = load(cut), load(whole)
    assert len(a.runs) == 16 and a.manifest["resumed"][0]["runs_already_done"] == 5
    assert a.manifest["sensitivity"] == b.manifest["sensitivity"]
    drop = ["seconds"]
    pd.testing.assert_frame_equal(a.runs.drop(columns=drop), b.runs.drop(columns=drop))
    pd.testing.assert_frame_equal(a.series, b.series)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--outcome", "contro_any"], ["key '--outcome'", "'contro_any' is not an outcome",
                                       "Did you mean 'control_any'?"]),
        (["--outcome", "president"], ["key '--outcome'", "is a category"]),
        (["--outcome", "control_any", "--month", "2031-01"],
         ["key '--month'", "'2031-01' is not a month", "from 2025-01 to 2025-02"]),
        (["--outcome", "control_any", "--method", "sobel"],
         ["key '--method'", "Did you mean 'sobol'?"]),
        (["--outcome", "control_any", "--samples", "3"], ["key '--samples'", "a power of 2"]),
        (["--outcome", "control_any", "--method", "delta", "--groups"],
         ["key '--groups'", "delta has no groups"]),
        (["--outcome", "control_any", "--parameters", "us.nothing"],
         ["key '--parameters us.nothing'", "not an input the scenario samples"]),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_it_and_runs_nothing(tmp_path, args, fragments):
    scenario = write(tmp_path, SHORT)
    out = tmp_path / "never"
    bad(cli("sensitivity", str(scenario), *args, "--out", str(out), "--quiet"), *fragments)
    assert not out.exists() and not partial_path(out).exists()


def test_bad_resume_options_exit_2(tmp_path, batch):
    _, out, _ = batch
    bad(cli("sensitivity", "--resume", str(out), "--outcome", "control_any", "--samples", "8"),
        "key '--resume'", "--samples cannot change a stored batch")  # fmt: skip
    bad(cli("sensitivity", "--resume", str(out), "--outcome", "control_any", "--month", "2030-01"),
        "key '--month'", "'2030-01' is not a month of the batch")  # fmt: skip
    plain = tmp_path / "plain"
    assert cli("run", write(tmp_path, SHORT).as_posix(), "--runs", "1", "--out", str(plain),
               "--executor", "serial", "--quiet", "--no-report")[0] == 0  # fmt: skip
    bad(cli("sensitivity", "--resume", str(plain), "--outcome", "control_any"),
        "key 'sensitivity'", "not a sensitivity batch")  # fmt: skip


def test_the_report_has_a_sensitivity_section_with_the_stored_tables(batch):
    from rift.report import build_report

    _, out, _ = batch
    html = build_report([load(out)], {})
    assert ">Sensitivity</h2>" in html
    label = RECORD.outcome("us_security_aid_musd").label  # the outcome by its label
    assert f"{label} in 2025-01 (sobol)" in html
    assert SEED_PART in html and 'alt="sensitivity_us_security_aid_musd_2025-01"' in html


def test_a_batch_without_an_analysis_has_no_sensitivity_section(tmp_path):
    from rift.report import build_report

    plain = tmp_path / "plain"
    assert cli("run", str(write(tmp_path, SHORT)), "--runs", "1", "--out", str(plain),
               "--executor", "serial", "--quiet", "--no-report")[0] == 0  # fmt: skip
    assert ">Sensitivity</h2>" not in build_report([load(plain)], {})


@pytest.mark.parametrize(("method", "indices"), [("morris", {"mu_star", "sigma"}),
                                                 ("delta", {"delta", "S1"})])  # fmt: skip
def test_morris_and_delta_run_and_score_each_input(tmp_path, method, indices):
    scenario = write(tmp_path, SHORT)
    out = tmp_path / method
    inputs = ["us.aid_total_musd", "us.aid_security_share", "col.aid_dependence"]
    code, stdout, err = cli(
        "sensitivity", str(scenario), "--outcome", "us_security_aid_musd", "--month", "2025-01",
        "--method", method, "--samples", "4", "--replicates", "2", "--resamples", "5",
        *(a for name in inputs for a in ("--parameters", name)), "--executor", "serial",
        "--quiet", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert f"{method} indices of the seed-averaged outcome" in stdout
    points = {"morris": 4 * (3 + 1), "delta": 4}[method]
    assert len(load(out).runs) == 2 * points
    t = _table(out, "us_security_aid_musd_2025-01")
    scored = t[t["index"] != "variance share"]
    assert set(scored["index"]) == indices and set(scored["factor"]) == set(inputs)
    if method == "morris":  # col.aid_dependence does not enter the month's aid at all
        mu = scored[scored["index"] == "mu_star"].set_index("factor")["value"]
        assert mu["col.aid_dependence"] == 0 and mu["us.aid_total_musd"] > 0


def test_a_design_too_large_for_its_manifest_is_refused_before_it_runs(tmp_path, monkeypatch):
    import rift.results.layout as layout

    monkeypatch.setattr(layout, "MANIFEST_LIMIT", 20_000)  # 16 MB in rift: 10 kB of design
    scenario = write(tmp_path, SHORT)
    out = tmp_path / "never"
    bad(cli("sensitivity", str(scenario), "--outcome", "control_any", *ARGS, "--out", str(out)),
        "key '--samples'", "MB of manifest", "fewer samples, --groups")  # fmt: skip
    assert not out.exists() and not partial_path(out).exists()
