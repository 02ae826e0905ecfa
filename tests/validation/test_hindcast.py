"""Hindcast targets, scoring against the record, calibration recovery and the CLI."""

from __future__ import annotations

import numpy as np
import pytest

from rift.calibration import load_calibration
from rift.cli import main
from rift.months import parse_month
from rift.reference import model_month, targets
from rift.runner.inputs import inputs_for
from rift.scenario import load_scenario, scenario_from_dict
from rift.validation.calibration.abc import Prior, abc_smc
from rift.validation.calibration.calibrate import (
    HindcastSimulator,
    calibration_spec,
    log_distance,
)
from rift.validation.forecast.scoring import naive_trend_forecast
from tests.conftest import SCENARIOS


def test_targets_of_the_2019_2024_hindcast():
    tg = {t.label for t in targets("2019-01", "2024-12")}
    assert {f"coca_ha {y}" for y in (2020, 2021, 2022, 2023)} <= tg
    assert {
        "presence_municipalities_egc 2022",
        "presence_municipalities_egc 2024",
        "presence_municipalities_dissidents 2023",
        "presence_municipalities_any 2022",
        "control_municipalities_any 2024-07",
        "members_egc 2023-12",
        "members_total 2025-01",
    } <= tg
    # 2019 figures are the initial state, and nothing after the turn of 2024/25 is a target.
    assert not any(label.endswith(" 2019") for label in tg)
    assert "alert_municipalities 2025-02" not in tg
    # UNODC's 2024 survey (published 2025-11) is a figure about 2024: inside the data horizon
    assert {"coca_ha 2024", "cocaine_potential_t 2024"} <= tg


def test_dates_map_to_model_months():
    assert model_month("2022") == parse_month("2022-12")
    assert model_month("2024-07") == parse_month("2024-07")
    assert model_month("2025-01") == parse_month("2024-12")  # a stock at the turn of the year


def test_a_new_reference_row_becomes_a_target():
    rows = [{"key": "coca_ha", "date": "2024", "value": "262000", "unit": "ha"}]
    (t,) = targets("2019-01", "2024-12", rows)
    assert t.outcome == "coca_ha" and t.observed == 262000 and t.month == parse_month("2024-12")


@pytest.fixture(scope="module")
def hindcast(tmp_path_factory):
    from rift.experiment import run_scenario
    from rift.results import load

    s = load_scenario(SCENARIOS / "hindcast_2019.yaml", ["runs=6"])
    out = tmp_path_factory.mktemp("hc") / "r"
    return load(run_scenario(s, executor="serial", out=out).path)


def test_hindcast_scores_every_target_against_the_naive_forecast(hindcast):
    from rift.validation.forecast.hindcast import score_hindcast

    table, summary = score_hindcast(hindcast)
    assert len(table) == len(targets("2019-01", "2024-12")) == summary["all"]["n"]
    assert table["n"].eq(6).all() and table["crps"].ge(0).all()
    coca22 = table.set_index("target").loc["coca_ha 2022"]
    # The naive forecast: 2015-2019 coca record carried forward along its trend to 2022.
    years = np.array([2015, 2016, 2017, 2018, 2019.0])
    values = np.array([96000, 146000, 171000, 169000, 154000.0])
    assert coca22["naive"] == pytest.approx(naive_trend_forecast(years, values, 2022.0))
    # Members have no record before 2020: the naive forecast is the 2019 initial state.
    from rift.results import series_array

    egc = table.set_index("target").loc["members_egc 2023-12"]
    first = np.median(series_array(hindcast, "members_egc")[0][:, 0])
    assert egc["naive"] == first and first == pytest.approx(2900, rel=0.05)
    assert 0.0 <= summary["all"]["in90"] <= 1.0
    # the main calibration saw every figure of the horizon: all in sample
    assert set(table["sample"]) == {"in"} and "out" not in summary
    growth = table.set_index("target").loc["coca_ha 2022", "growth"]
    assert growth == pytest.approx(154000 * (154000 / 169000) ** 3)  # 2018->2019 carried on


@pytest.mark.slow
def test_calibration_recovers_parameters_from_the_models_own_output():
    """Synthetic data from a known parameter: ABC-SMC finds it again.

    Coca growth and the replanted share trade off against each other on three yearly coca
    figures, so the test fixes the growth rate and recovers the replanted share.
    """
    from rift.record import RECORD

    fixed = {
        "init.coca_ha": 154000,
        "init.us_certification": "certified",
        "coca.growth_rate_per_yr": 0.5,
        # no unexplained year-to-year spread: the synthetic data then pin the share down
        "process.coca_growth_sd": 0.0,
        "process.recruitment_sd": 0.0,
    }
    s = scenario_from_dict(
        {"name": "synthetic", "start": "2019-01", "end": "2021-12", "parameters": fixed}
    )
    months = [parse_month(m) for m in ("2019-12", "2020-12", "2021-12")]
    sim = HindcastSimulator(inputs_for(s), months, [RECORD.outcome_names.index("coca_ha")] * 3)
    truth = {"coca.replant_share": 0.8}
    observed = np.mean([sim(truth, np.random.SeedSequence(k)) for k in range(4)], axis=0)
    prior = Prior("coca.replant_share", 0.3, 1.0)
    post = abc_smc(
        sim,
        [prior],
        observed,
        log_distance,
        population=40,
        generations=3,
        rng=np.random.default_rng(3),
    )
    width = prior.high - prior.low
    mean, sd = post.mean()[prior.name], post.sd()[prior.name]
    assert abs(mean - truth[prior.name]) < 0.05 * width, mean
    assert sd < 0.25 * width / np.sqrt(12), sd  # a quarter of the prior's sd


def test_the_calibration_spec_names_registry_parameters():
    from rift.parameters import registry

    spec = calibration_spec()
    reg = registry()
    for name, p in spec["parameters"].items():
        lo, hi = p["prior"]
        if reg[name].kind == "choice":  # calibrated as a uniform mapped by the weights
            assert (lo, hi) == (0.0, 1.0) and reg[name].uncertainty and p["why"]
            continue
        assert reg[name].low <= lo < hi <= reg[name].high and p["why"]
    assert spec["data_through"] <= "2024-12"
    assert 0 < spec["observation_sd_share"] < 1 and spec["observation_sd_why"]


def test_a_choice_is_calibrated_as_a_uniform_by_its_weights():
    from rift.parameters import registry

    china = registry()["variant.china"]  # none 0.25, moderate 0.5, strong 0.25
    picks = [china.choice_from_unit(u) for u in (0.0, 0.2499, 0.25, 0.7499, 0.75, 1.0)]
    assert picks == ["none", "none", "moderate", "moderate", "strong", "strong"]


def test_the_calibration_simulator_draws_the_nuisance_spreads_from_its_seed():
    from rift.validation.calibration.calibrate import hindcast_simulator

    sim, tg = hindcast_simulator(through=2022)
    assert all(t.month <= parse_month("2022-12") for t in tg)
    assert "variant.displacement" in sim.nuisance and "coca.growth_rate_per_yr" not in sim.nuisance
    a = sim.parameters({"variant.coca": 0.9}, np.random.SeedSequence(1))
    b = sim.parameters({"variant.coca": 0.9}, np.random.SeedSequence(1))
    c = sim.parameters({"variant.coca": 0.1}, np.random.SeedSequence(2))
    assert a == b and a != c
    assert a["variant.coca"] == "price" and c["variant.coca"] == "capacity"
    assert a["init.presence.egc"] == 213  # the scenario's fixed values stay


@pytest.mark.skipif(load_calibration() is None, reason="the package has no calibration")
def test_uncertain_calibrated_samples_the_posterior():
    from rift.calibration import posterior
    from rift.runner.sampling import sample_uncertain

    s = scenario_from_dict(
        {
            "name": "c",
            "runs": 50,
            "uncertain": "calibrated",
            "parameters": {"coca.replant_share": 0.5},
        }
    )
    cal = load_calibration()
    assert s.calibration == f"{cal['version']} (data through {cal['data_through']})"
    draws = sample_uncertain(s)
    post = posterior()
    assert "coca.replant_share" not in draws  # fixed by the scenario, not drawn
    name = next(n for n in post.names if n != "coca.replant_share")
    j = post.names.index(name)
    assert len(draws[name]) == 50 and set(draws[name]) <= set(post.samples[:, j])
    assert sample_uncertain(s)[name].tolist() == draws[name].tolist()  # reproducible


def test_uncertain_calibrated_false_is_bad_input(tmp_path, capsys):
    f = tmp_path / "x.yaml"
    f.write_text("name: x\nuncertain:\n  calibrated: maybe\n")
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert "uncertain.calibrated" in err and "Traceback" not in err


def test_validate_history_command(tmp_path, capsys):
    out = tmp_path / "hc"
    assert (
        main(
            [
                "validate-history",
                "--runs",
                "4",
                "--executor",
                "serial",
                "--out",
                str(out),
                "--quiet",
                "--no-report",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "coca_ha 2022" in text and "inside the 90 % band" in text
    assert "in-sample (the calibration saw these figures)" in text and "out-of-sample" not in text
    assert (out / "scores.csv").is_file()


def test_an_uncalibrated_hindcast_is_not_called_out_of_sample(tmp_path, capsys):
    """The registry's values were set partly from the same figures: --prior scores are
    labelled uncalibrated, neither in nor out of sample."""
    import pandas as pd

    args = ["validate-history", "--prior", "--runs", "3", "--executor", "serial", "--quiet"]
    assert main([*args, "--no-report", "--out", str(tmp_path / "p")]) == 0
    text = capsys.readouterr().out
    assert "uncalibrated (the registry's values" in text and "out-of-sample (after" not in text
    assert set(pd.read_csv(tmp_path / "p" / "scores.csv")["sample"]) == {"uncalibrated"}


@pytest.mark.skipif(load_calibration() is None, reason="the package has no calibration")
def test_calibrated_initial_conditions_apply_only_from_the_calibration_start():
    from rift.calibration import posterior
    from rift.parameters import registry
    from rift.runner.sampling import calibrated_names, sample_uncertain

    inits = [n for n in posterior().names if n.startswith("init.")]
    later_scenario = scenario_from_dict({"name": "a", "runs": 5, "uncertain": "calibrated"})
    later = sample_uncertain(later_scenario)
    # a later start draws no initial condition from the posterior: its own registry spread
    # (sampled independently of the particle) or its default apply instead
    assert not any(n.startswith("init.") for n in calibrated_names(later_scenario))
    assert {n for n in later if n.startswith("init.")} == {
        n for n in later if n.startswith("init.") and registry()[n].uncertainty
    }
    hind = sample_uncertain(
        scenario_from_dict(
            {
                "name": "h",
                "runs": 5,
                "start": "2019-01",
                "end": "2019-06",
                "uncertain": "calibrated",
            }
        )
    )
    assert set(inits) <= set(hind)


@pytest.mark.slow
def test_out_of_sample_validation_scores_the_years_after_the_calibration(tmp_path, capsys):
    """--calibrated-through 2021: the 2020-2021 figures are in sample, the later ones out, and
    the naive forecasts of the later ones know the record through 2021 only."""
    import pandas as pd

    assert load_calibration(2021)["data_through"] == "2021-12"
    out = tmp_path / "oos"
    args = ["validate-history", "--calibrated-through", "2021", "--runs", "6"]
    args += ["--executor", "serial", "--out", str(out), "--quiet"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "in-sample (the calibration saw these figures)" in text
    assert "out-of-sample (after the calibration's data, 2021-12)" in text
    assert "skill vs trend" in text and "vs growth" in text
    table = pd.read_csv(out / "scores.csv").set_index("target")
    assert table.loc["coca_ha 2021", "sample"] == "in"
    assert table.loc["coca_ha 2022", "sample"] == "out"
    assert table.loc["members_egc 2023-12", "sample"] == "out"
    # the 2022 naive forecasts carry the 2021 figure on: 204,000 grew 42.7 % from 143,000
    assert table.loc["coca_ha 2022", "growth"] == pytest.approx(204000 * 204000 / 143000)
    # members: only the 2021 figure is known by then, so both naive forecasts are persistence
    assert table.loc["members_egc 2023-12", "naive"] == pytest.approx(3256)
    assert table.loc["members_egc 2023-12", "growth"] == pytest.approx(3256)
    # the report has the reliability figure (PIT histogram, coverage)
    assert (out / "figures" / "reliability.png").is_file()
    assert "reliability" in (out / "report.html").read_text()


def test_validate_history_and_rift_run_sample_the_same_parameters(tmp_path):
    """One scenario, one set of sampled parameters, however it is run."""
    import pandas as pd

    from rift.results import load

    a, b = tmp_path / "a", tmp_path / "b"
    common = ["--executor", "serial", "--quiet", "--no-report"]
    assert main(["validate-history", "--runs", "5", "--out", str(a), *common]) == 0
    assert main(["run", "hindcast_2019", "--runs", "5", "--out", str(b), *common]) == 0
    ra, rb = load(a).runs, load(b).runs
    params = [c for c in ra.columns if c.startswith("param.")]
    assert params == [c for c in rb.columns if c.startswith("param.")]
    assert {"param.coca.growth_rate_per_yr", "param.variant.coca"} <= set(params)
    pd.testing.assert_frame_equal(ra[params], rb[params])
    pd.testing.assert_frame_equal(load(a).series, load(b).series)


@pytest.mark.parametrize("name", ["forecast_2025_12", "hindcast_2019", "from_2025/full_rupture"])
def test_every_declared_spread_is_a_param_column(tmp_path, name):
    """Each registry spread the scenario does not fix is sampled: a ``param.`` column."""
    from rift.experiment import run_scenario
    from rift.parameters import registry
    from rift.results import load

    s = load_scenario(name, ["runs=2"])
    res = load(run_scenario(s, executor="serial", out=tmp_path / "r", quiet=True).path)
    columns = {c.removeprefix("param.") for c in res.runs.columns if c.startswith("param.")}
    declared = {n for n, p in registry().items() if p.uncertainty and not p.instrument} - set(
        s.parameters
    )
    assert declared <= columns, sorted(declared - columns)
    assert set(s.uncertain) <= columns


def test_a_reported_figure_carries_its_measurement_error():
    from rift.validation.forecast.hindcast import reported

    x = np.full(20_000, 1000.0)
    assert np.array_equal(reported(x, 0.0, 1, 0), x)
    a, b = reported(x, 0.1, 1, 0), reported(x, 0.1, 1, 0)
    assert np.array_equal(a, b) and not np.array_equal(a, reported(x, 0.1, 1, 1))
    assert a.mean() == pytest.approx(1000, rel=0.005) and a.std() == pytest.approx(100, rel=0.03)
    assert (reported(np.full(1000, 1.0), 5.0, 2, 0) >= 0).all()  # a count is never negative


def test_rift_calibrate_writes_a_posterior_and_reports_its_effective_sample(tmp_path, capsys):
    import json

    out = tmp_path / "cal.json"
    args = ["calibrate", "--through", "2020", "--population", "6", "--generations", "1"]
    assert main([*args, "--workers", "1", "--seed", "5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    record = json.loads(out.read_text())
    assert record["data_through"] == "2020-12"
    assert all(t["month"] <= "2020-12" for t in record["targets"])
    post = record["posterior"]
    w = np.array(post["weights"])
    assert f"effective sample size {w.sum() ** 2 / np.sum(w**2):.0f} of 6" in printed
    assert post["names"] == list(record["priors"]) and len(post["samples"]) == 6
