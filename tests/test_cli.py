"""The command line: commands work, bad input exits 2 with a one-paragraph message."""

import re
import subprocess
import sys

import pytest

from rift.cli import main

from .conftest import ROOT, SCENARIOS

COMMANDS = {
    "run", "compare", "report", "validate-history", "calibrate", "refit", "params",
    "validate", "scenarios", "nowcast", "validate-forecast", "discover", "sensitivity",
    "app",
}  # fmt: skip


def test_help_reads_like_the_cli_page(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    listed = set(re.findall(r"^    ([a-z-]+)(?: {2,}|$)", out, re.M))
    assert listed == COMMANDS, listed  # every command listed, and no other
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    synopsis = page.split("## Synopsis", 1)[1].split("```")[1]
    assert set(re.findall(r"^rift ([a-z-]+)", synopsis, re.M)) == COMMANDS


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert f"usage: rift {command}" in capsys.readouterr().out


@pytest.mark.slow
def test_run_one_baseline_prints_the_horizon_summary(capsys, tmp_path):
    out_dir = tmp_path / "one"
    assert (
        main(["run", str(SCENARIOS / "baseline.yaml"), "--runs", "1", "--out", str(out_dir)]) == 0
    )
    out = capsys.readouterr().out
    assert f"report: {out_dir / 'report.html'}" in out
    assert (out_dir / "report.html").stat().st_size > 10_000
    assert (out_dir / "figures" / "map_control.png").is_file()
    assert "baseline: 1 run(s), 2026-07..2030-12" in out  # the README's first run, from now
    assert "Municipalities under armed control" in out
    assert "Coca cultivation" in out and "P(full rupture by 2030-12)" in out


def test_params_lists_every_parameter_and_shows_a_quote(capsys):
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    assert "us.aid_total_musd" in out and "USD million/yr" in out and "seed 000" in out
    assert main(["params", "--source", "us.aid_total_musd"]) == 0
    out = capsys.readouterr().out
    assert "nearly $590 million" in out and "over $400 million" in out


def test_params_prefix_filters(capsys):
    assert main(["params", "president.right."]) == 0
    out = capsys.readouterr().out
    assert "president.right.posture" in out and "us.aid" not in out


def _bad(tmp_path, text):
    f = tmp_path / "s.yaml"
    f.write_text(text)
    return f


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (None, ["file not found"]),
        ("name: x\nstart: [2025\n", ["YAML syntax error", "line"]),
        (
            "name: x\nparameters: {us.intel_shareing: 0.2}\n",
            ["unknown parameter 'us.intel_shareing'", "us.intel_sharing"],
        ),
        (
            "name: x\nparameters: {col.aid_dependence: 1.5}\n",
            ["parameters.col.aid_dependence", "outside the valid range", "[0, 1]"],
        ),
    ],
)
def test_bad_input_exits_2_with_file_and_key(tmp_path, capsys, text, fragments):
    f = tmp_path / "missing.yaml" if text is None else _bad(tmp_path, text)
    assert main(["run", str(f), "--runs", "1"]) == 2
    err = capsys.readouterr().err
    assert str(f) in err
    for frag in fragments:
        assert frag in err
    assert "Traceback" not in err
    assert err.count("\n") == 1  # one paragraph


def test_unknown_override_suggests(capsys):
    assert (
        main(["run", str(SCENARIOS / "forecast_2025_12.yaml"), "--set", "us.aid_totl_musd=1"]) == 2
    )
    err = capsys.readouterr().err
    assert "us.aid_total_musd" in err


def test_console_script_exit_codes(tmp_path):
    exe = [sys.executable, "-m", "rift.cli"]
    ok = subprocess.run([*exe, "params", "rupture."], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and "rupture.months" in ok.stdout
    bad = subprocess.run(
        [*exe, "run", str(tmp_path / "nope.yaml")], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_compare_prints_a_short_summary_by_default_and_everything_with_all(
    small_batches, tmp_path, capsys
):
    from rift.analysis.compare import compare
    from rift.analysis.summary import HEADLINE_OUTCOMES, headline_events
    from rift.analysis.tables import format_comparison
    from rift.record import RECORD

    batches = [small_batches[k] for k in ("baseline", "full_rupture")]
    a, b = (str(r.path) for r in batches)
    assert main(["compare", a, b, "--no-report", "--out", str(tmp_path / "c")]) == 0
    short = capsys.readouterr().out
    comp = compare(batches)  # what --all and --outcomes print, without a third batch load
    full = format_comparison(comp)
    some = format_comparison(comp, ["coca_ha"], headline_events())
    assert len(short.splitlines()) <= 70 < 150 < len(full.splitlines())
    for name in HEADLINE_OUTCOMES:
        assert RECORD.outcome(name).label in short
    assert "P(full rupture by 2026-12)" in short and "Colombian president" in short
    # Each measure's rows only with --all, except the measures the scenario's shocks impose.
    cut = RECORD.event("us_security_aid_cut_start").label  # full_rupture's shock starts it
    assert f"P({cut} by 2026-12)" in short
    other = RECORD.event("col_extradition_suspension_start").label
    assert f"P({other} by 2026-12)" not in short and f"P({other} by 2026-12)" in full
    assert "--all shows every one" in short and "--all shows every one" not in full
    assert short.startswith(format_comparison(comp, *_short_choice(comp, batches)))
    assert " petro " not in short  # a label no run reaches is left out
    # --outcomes: those outcomes, and the alliance's events.
    table = some[some.index("Outcomes at") : some.index("\nevent")]
    assert "Coca cultivation" in table and "Municipalities" not in table
    assert "(1 of " in some and "P(full rupture by 2026-12)" in some


def _short_choice(comp, batches):
    """The default choice of ``rift compare``, as the command makes it."""
    import argparse

    from rift.cli.run import summary_choice
    from rift.record import RECORD

    stored = [n for n in RECORD.outcome_names if n in set(comp.scenarios["outcome"])]
    stored += [n for n in dict.fromkeys(comp.categories["outcome"]) if n not in stored]
    args = argparse.Namespace(outcomes=None, everything=False)
    return summary_choice(args, stored, [r.manifest["scenario"] for r in batches])


def test_an_unknown_outcome_is_refused_before_any_run(tmp_path, capsys):
    out = tmp_path / "never"
    args = ["run", "forecast_2025_12", "--runs", "1", "--out", str(out)]
    assert main([*args, "--outcomes", "coca_ha,cocaha"]) == 2
    err = capsys.readouterr().err
    assert "'cocaha'" in err and "--outcomes" in err and "Traceback" not in err
    assert not out.exists()  # nothing ran
    with pytest.raises(SystemExit) as exit_:  # --outcomes and --all together
        main([*args, "--outcomes", "coca_ha", "--all"])
    assert exit_.value.code == 2
