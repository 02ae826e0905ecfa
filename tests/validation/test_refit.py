"""``rift refit events`` and ``rift refit alliance``: help, bad flags, a real fit of each.

The refits replaced two ``python -m`` entry points; the last test checks that every command the
documentation, the data files and the fitted block's header name is one the parser accepts.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil

import pytest

from rift.cli import _parser, main
from rift.validation.calibration import alliance
from rift.validation.events import registry, report
from tests.conftest import ROOT


@pytest.mark.parametrize(
    "argv", [["refit"], ["refit", "events"], ["refit", "alliance"]], ids=" ".join
)
def test_every_refit_has_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    assert f"usage: rift {' '.join(argv)}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["refit"],
        ["refit", "nothing"],
        ["refit", "events", "--bogus"],
        ["refit", "alliance", "--workers", "0"],
        ["refit", "alliance", "--population", "many"],
        ["refit", "alliance", "--generations", "-1"],
    ],
    ids=" ".join,
)
def test_bad_flags_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "usage: rift" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--population", "1"), ("--generations", "101"), ("--seed", "-1"), ("--seed", "9" * 40)],
)
def test_out_of_range_settings_are_bad_input(flag, value, capsys):
    assert main(["refit", "alliance", flag, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rift: ") and flag in err and "Traceback" not in err
    assert "9" * 40 not in err  # a huge number is named by its size


def test_refit_events_prints_the_report(capsys):
    assert main(["refit", "events"]) == 0
    out = capsys.readouterr().out
    assert out == report()
    assert "## Leave one episode out" in out and "## Annual certification decisions" in out


def test_refit_events_write_regenerates_the_packaged_block(tmp_path, monkeypatch, capsys):
    """Written into a copy: the packaged block is what the command writes, byte for byte."""
    copy = tmp_path / "parameters.yaml"
    shutil.copyfile(registry.parameters_path(), copy)
    monkeypatch.setattr(registry, "parameters_path", lambda: copy)
    assert main(["refit", "events", "--write"]) == 0
    assert capsys.readouterr().out == f"wrote the fitted block to {copy}\n"
    packaged = (ROOT / "src" / "rift" / "data" / "parameters.yaml").read_bytes()
    assert copy.read_bytes() == packaged


def test_refit_alliance_runs_a_small_calibration(tmp_path, monkeypatch, capsys):
    """Four particles, one generation, this process: a few seconds; --write into a copy."""
    target = tmp_path / "alliance_calibration.json"
    monkeypatch.setattr(alliance, "packaged_path", lambda: target)
    argv = ["refit", "alliance", "--population", "4", "--generations", "1", "--workers", "1"]
    assert main([*argv, "--write"]) == 0
    out = capsys.readouterr().out.splitlines()
    names = [p.name for p in alliance.PRIORS]
    assert [line.split(":")[0] for line in out[: len(names)]] == names
    assert re.fullmatch(r"\d+ simulations; tolerances \[.*\]", out[len(names)])
    assert out[-1] == f"written to {target}"
    record = json.loads(target.read_text(encoding="utf-8"))
    assert record["settings"] == {"population": 4, "generations": 1, "seed": 20251231}
    assert set(record["quantiles"]) == set(names)


#: Where the refits are documented.
DOCUMENTED = [
    "README.md",
    *(p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "docs").rglob("*.md"))),
    "src/rift/data/alliance_events.md",
    "src/rift/data/parameters.yaml",
    *(p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "src" / "rift").rglob("*.py"))),
]
COMMAND = re.compile(r"rift refit(?: [a-z]+)?(?: --[a-z-]+(?: [A-Z0-9]+)?)*")


def test_every_documented_refit_command_parses():
    parser = _parser()
    found = {}
    for name in DOCUMENTED:
        text = (ROOT / name).read_text(encoding="utf-8")
        assert "python -m rift.validation" not in text, name
        for command in COMMAND.findall(text):
            found.setdefault(command, set()).add(name)
    header = registry.registry_block({}).splitlines()[1]
    assert header == f"# Regenerate with: {registry.REGENERATE}"
    assert {"docs/validation.md", "src/rift/data/parameters.yaml"} <= found[registry.REGENERATE]
    assert "rift refit alliance --write" in found
    for command, names in found.items():
        argv = shlex.split(command)[1:]
        if argv == ["refit"]:
            continue  # the command named in prose
        args = parser.parse_args([a.replace("YEAR", "1") for a in argv])
        assert args.command == "refit" and args.target in ("events", "alliance"), (names, command)
