"""The app's logic without a browser: controls from the registry, edits, runs, pin, save."""

from __future__ import annotations

import numpy as np
import pytest

from rift.app import session as S  # noqa: N812
from rift.cli import main
from rift.errors import InputError
from rift.parameters import registry
from rift.scenario import load_scenario

SHORT = {"runs": 4, "end": "2026-12"}  # from the present (2026-07): six months


def test_controls_carry_range_unit_and_source():
    reg = registry()
    for name in S.sampled_parameters(load_scenario("baseline")):
        p, c = reg[name], S.control(name)
        assert c.unit == p.unit and c.tooltip.count("source:") == 1
        if p.kind in ("float", "int"):
            assert c.low <= c.value <= c.high
            if p.low is not None:
                assert c.low == p.low
            if p.high is not None:
                assert c.high == p.high
            # at least 100 steps, and the start on the grid (a slider snaps to it)
            assert (c.high - c.low) / c.step >= 100 or p.kind == "int"
            k = (c.value - c.low) / c.step
            assert k == pytest.approx(round(k), abs=1e-6)
    c = S.control("us.security_cut_residual")
    assert c.step == 0.01
    assert "Rubio later hedged" in c.tooltip and "[0, 1]" in c.tooltip


def test_coerce_keeps_values_in_range_and_snapped_starts_unchanged():
    c = S.control("us.security_cut_residual")  # [0, 1], default 0.3
    assert c.coerce(1.7) == 1.0 and c.coerce(-3) == 0.0
    assert c.coerce(0.30000000000000004) == 0.3 and c.coerce(0.304) == 0.3
    assert c.coerce(0.4567) == 0.46
    whole = next(n for n, p in registry().items() if p.kind == "int")
    i = S.control(whole)
    assert i.coerce(i.high + 5.4) == int(i.high) and isinstance(i.coerce(i.low + 1.2), int)


def test_sampled_parameters_leave_out_fixed_and_instruments():
    sc = load_scenario("baseline")
    names = S.sampled_parameters(sc)
    assert len(names) == sum(1 for p in registry().values() if p.uncertainty and not p.instrument)
    fixed = S.apply_edits(sc, S.Edits(parameters={names[0]: S.control(names[0]).value}))
    assert names[0] not in S.sampled_parameters(fixed)
    assert not set(registry().instruments()) & set(names)
    assert list(S.parameter_groups(names)) == list(dict.fromkeys(n.split(".")[0] for n in names))


def test_edits_apply_like_a_file_and_are_checked():
    sc = load_scenario("new_rupture")
    e = S.Edits(
        parameters={"us.security_cut_residual": 0.9},
        interventions=[{"at": "2026-10", "set": {"us.intel_sharing": 0.2}, "until": "2027-03"}],
        election={"us_2028": "democrat"},
        runs=10,
        end="2028-12",
    )
    out = S.apply_edits(sc, e)
    assert out.name == "new_rupture_app" and out.runs == 10 and out.end == "2028-12"
    assert out.parameters["us.security_cut_residual"] == 0.9
    assert out.election.us_2028 == "democrat"
    assert [i.at for i in out.interventions] == ["2026-10"]
    assert out.shocks == sc.shocks and out.seed == sc.seed
    assert S.apply_edits(sc, S.Edits(runs=sc.runs)) == sc  # nothing changed: the same
    with pytest.raises(InputError, match="interventions"):
        S.apply_edits(
            sc, S.Edits(interventions=[{"at": "2031-05", "set": {"us.intel_sharing": 0.2}}])
        )


def test_saved_scenario_validates_and_is_the_scenario_run(tmp_path, capsys):
    sc = load_scenario("baseline")
    e = S.Edits(
        parameters={"territory.cost_per_member_usd": 50000.0},
        interventions=[{"at": "2026-09", "set": {"us.tariff_rate": 0.5}}],
        election={"midterms_2026": "divided"},
        runs=7,
        end="2027-12",
    )
    path = S.save_scenario(S.apply_edits(sc, e), tmp_path / "mine.yaml")
    assert main(["validate", str(path)]) == 0
    assert load_scenario(path).hash() == S.apply_edits(sc, e).hash()
    text = path.read_text()
    assert "calibration:" not in text and "source:" not in text and "null" not in text
    with pytest.raises(InputError, match="yaml"):
        S.save_scenario(sc, tmp_path / "mine.txt")


@pytest.mark.slow  # two batches and the page's figures: 4-7 s on two busy cores
def test_session_runs_pins_compares_and_figures(tmp_path):
    sess = S.Session(load_scenario("baseline"), tmp_path, executor="serial")
    with pytest.raises(InputError, match="Run first"):
        sess.pin()
    seen = []
    a = sess.run(S.Edits(**SHORT), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(k, 4) for k in range(1, 5)]
    assert sess.comparison() is None and sess.difference_tables() == {}
    figs = sess.figures()
    assert set(figs) == set(S.PAGE_FIGURES)
    assert all(png.startswith(b"\x89PNG") for png in figs.values())
    sess.pin()
    b = sess.run(S.Edits(parameters={"territory.cost_per_member_usd": 100000.0}, **SHORT))
    assert b.name == "baseline_app"
    comp = sess.comparison()
    assert comp.paired and comp.names == ["baseline", "baseline_app"]
    # the paired difference is the runs' own difference, and expensive members mean less control
    d = b.ok_runs["control_any"].to_numpy() - a.ok_runs["control_any"].to_numpy()
    row = comp.differences.set_index("outcome").loc["control_any"]
    assert row["difference"] == pytest.approx(d.mean())
    assert d.mean() < -10
    tables = sess.difference_tables()
    assert "Municipalities under armed control" in set(tables["outcomes"]["outcome"])
    after = sess.figures(["fan_control_any"])["fan_control_any"]
    assert after != figs["fan_control_any"]  # both batches drawn now
    sess.unpin()
    sess.pin_folder(a.path)
    assert [r.name for r in sess.batches()] == ["baseline", "baseline_app"]
    with pytest.raises(InputError):
        sess.pin_folder(tmp_path / "nothing")
    assert np.isfinite(sess.last_seconds)


def test_figure_html_names_the_figure_and_its_bytes():
    html = S.figure_html("fan_x", b"\x89PNGabc")
    assert 'data-figure="fan_x"' in html and "base64," in html
    assert S.figure_html("fan_x", b"\x89PNGabd") != html


def test_choose_scenario_errors_are_input_errors(tmp_path):
    assert S.choose_scenario(None).name == "baseline"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nruns: -1\n")
    with pytest.raises(InputError, match="runs"):
        S.choose_scenario(bad)
    assert "baseline" in S.shipped_names() and "new_rupture" in S.shipped_names()
    sess = S.Session(S.choose_scenario(None), tmp_path, executor="serial")
    with pytest.raises(InputError, match="no scenario given"):
        sess.choose("  ")
    with pytest.raises(InputError, match="runs"):
        sess.choose(str(bad))
    assert sess.base.name == "baseline"  # a bad choice keeps the scenario
    assert sess.choose("new_rupture").name == "new_rupture"


@pytest.mark.slow  # the report writes every figure of both batches (about 20 s)
def test_the_report_compares_the_pinned_and_the_current_batch(tmp_path):
    sess = S.Session(load_scenario("baseline"), tmp_path, executor="serial")
    with pytest.raises(InputError, match="Run first"):
        sess.report()
    sess.run(S.Edits(**SHORT))
    sess.pin()
    sess.run(S.Edits(parameters={"us.security_cut_residual": 0.9}, **SHORT))
    report = sess.report()
    text = report.read_text(encoding="utf-8")
    assert report.parent.parent == tmp_path / "reports"
    assert "baseline_app" in text and "baseline" in text and "us.security_cut_residual" in text


LEVERED = """\
name: levered
extends: baseline
runs: 4
end: 2027-06
interventions:
  - at: 2026-09
    until: 2027-03
    set: {col.posture: 1.0, us.certification: decertified}
    label: an offensive, and decertification
uncertain:
  interventions[0].at:
    dist: choice
    values: [2026-08, 2026-09]
policies:
  - name: late
    set:
      interventions[0].until: 2027-06
"""


def _levered(tmp_path):
    path = tmp_path / "levered.yaml"
    path.write_text(LEVERED)
    return load_scenario(path)


def test_levers_are_the_instruments_and_the_interventions_parts(tmp_path):
    reg = registry()
    base = load_scenario("baseline")
    assert S.lever_names(base) == list(reg.instruments())  # no interventions of its own
    assert not set(S.lever_names(base)) & set(S.sampled_parameters(base))
    for name in S.lever_names(base):
        p, c = reg[name], S.lever_control(base, name)
        assert c.unit == p.unit and c.tooltip.count("source:") == 1
        assert "whole run" in c.tooltip
        if p.kind == "choice":  # left alone, the actors choose it
            assert c.choices == (S.ENDOGENOUS, *p.choices) and c.value == S.ENDOGENOUS
        else:
            assert (c.low, c.high) == (p.low, p.high) and c.low <= c.value <= c.high
    sc = _levered(tmp_path)
    assert S.lever_groups(sc)["interventions[0]"] == [
        "interventions[0].at",
        "interventions[0].until",
        "interventions[0].set.col.posture",
        "interventions[0].set.us.certification",
    ]
    assert "interventions[0].at" not in S.sampled_parameters(sc)  # a lever, not a parameter
    at = S.lever_control(sc, "interventions[0].at")
    until = S.lever_control(sc, "interventions[0].until")
    assert at.value == "2026-09" and at.choices[0] == "2026-07" and at.choices[-1] == "2027-03"
    assert until.value == "2027-03" and until.choices == tuple(
        m for m in S.horizon_months(sc) if m >= "2026-09"
    )
    assert "sampled per run: dist choice" in at.tooltip and "levered.yaml" in at.tooltip
    aid = S.lever_control(sc, "interventions[0].set.col.posture")
    assert aid.value == 1.0 and (aid.low, aid.high) == (0.0, 1.0) and "source: seed" in aid.tooltip
    with pytest.raises(InputError, match="not a lever"):
        S.lever_control(sc, "interventions[1].at")


def test_lever_edits_are_checked_applied_like_a_file_and_saved(tmp_path):
    sc = _levered(tmp_path)
    values = {
        "interventions[0].at": "2026-11",
        "interventions[0].set.col.posture": 7.0,  # off the range: the control clamps it
        "interventions[0].set.us.certification": "decertified",  # its start: no change
        "us.intel_sharing": 0.25,
        "us.certification": S.ENDOGENOUS,  # left alone
    }
    levers = S.lever_edits_from(values, sc)
    # 7.0 is clamped to 1.0, the control's start: like the unmoved ones, no change
    assert levers == {"interventions[0].at": "2026-11", "us.intel_sharing": 0.25}
    levers["interventions[0].set.col.posture"] = 0.5
    out = S.apply_edits(sc, S.Edits(levers=levers, runs=4))
    assert out.name == "levered_app" and out.parameters == {"us.intel_sharing": 0.25}
    (iv,) = out.interventions
    assert iv.at == "2026-11" and iv.until == "2027-03"
    assert iv.set == {"col.posture": 0.5, "us.certification": "decertified"}
    assert "interventions[0].at" not in out.uncertain  # fixed, so no longer sampled
    assert [p.name for p in out.policies] == ["late"]
    path = S.save_scenario(out, tmp_path / "out" / "saved.yaml")
    assert main(["validate", str(path)]) == 0
    assert load_scenario(path).hash() == out.hash()
    # the same validation as a file: an end before the start, an unknown choice
    with pytest.raises(InputError, match="interventions"):
        S.apply_edits(sc, S.Edits(levers={"interventions[0].until": "2026-08"}, runs=4))
    with pytest.raises(InputError, match="not a choice"):
        S.lever_edits_from({"interventions[0].at": "2031-01"}, sc)
    with pytest.raises(InputError, match="not a lever"):
        S.lever_edits_from({"territory.cost_per_member_usd": 1.0}, sc)
    # an open intervention's end: "open" is its start, a month closes it
    tilt = load_scenario("china_tilt")
    assert S.lever_control(tilt, "interventions[0].until").value == S.OPEN
    closed = S.apply_edits(tilt, S.Edits(levers={"interventions[0].until": "2028-06"}))
    assert closed.interventions[0].until == "2028-06"


def test_a_lever_changes_the_batch_paired_with_the_pinned_one(tmp_path):
    sess = S.Session(load_scenario("baseline"), tmp_path, executor="serial")
    a = sess.run(S.Edits(**SHORT))
    sess.pin()
    drawn = sess.figures(["fan_control_any"])["fan_control_any"]
    # Colombia's posture forced to the offensive for the whole run: less armed control
    b = sess.run(S.Edits(levers={"col.posture": 1.0}, **SHORT))
    assert b.name == "baseline_app" and b.manifest["scenario"]["parameters"] == {"col.posture": 1.0}
    d = b.ok_runs["control_any"].to_numpy() - a.ok_runs["control_any"].to_numpy()
    assert (d < 0).all()  # in every one of the 4 paired runs, by 3 municipalities measured
    row = sess.comparison().differences.set_index("outcome").loc["control_any"]
    assert row["difference"] == pytest.approx(d.mean())
    # the figures are drawn once per pair of batches: asked again, nothing is drawn
    n = sess.draws
    after = sess.figures(["fan_control_any"])["fan_control_any"]
    assert after != drawn and sess.draws == n + 1
    assert sess.figures(["fan_control_any"])["fan_control_any"] == after and sess.draws == n + 1
