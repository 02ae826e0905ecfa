"""The README's set-up commands are what CI runs; the scenario reference's example is valid."""

import re

from .conftest import ROOT


def _setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def _generic(command: str) -> str:
    """A README command with the suite's interpreter and venv folder substituted, as in CI."""
    command = command.replace("python3 -m venv .venv", '"$py" -m venv "$venv"')
    return re.sub(r"\.venv/bin/(\S+)", r'"$venv/bin/\1"', command)


def test_readme_has_exactly_two_setup_commands():
    commands = _setup_commands()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "rift run scenarios/baseline.yaml" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for command in _setup_commands():
        assert _generic(command) in ci, _generic(command)


def test_the_annotated_scenario_example_is_valid(tmp_path):
    """The scenario reference's annotated example loads, resolves its parent and cites its seed
    verbatim."""
    from rift.scenario import load_scenario

    text = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    section = text.split("## An annotated example", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    f = tmp_path / "example.yaml"
    f.write_text(block, encoding="utf-8")
    s = load_scenario(f)
    assert s.name == "rupture_with_reset" and s.runs == 500
    assert len(s.shocks) == 2 and len(s.interventions) == 1  # full_rupture's shock, its own
    assert set(s.uncertain) >= {"us.aid_total_musd", "col.aid_dependence", "rupture.months"}
    quote = re.search(r'"([^"]+)"', s.description).group(1)
    seed = next((ROOT / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")
    assert quote in " ".join(seed.split())


def test_the_readmes_present_is_the_records():
    """The "Where things stand" section is the coded record's summary at its last month
    (regenerate with ``python tools/readme_present.py``)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "readme_present", ROOT / "tools" / "readme_present.py"
    )
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert tool.render(readme) == readme, "run: python tools/readme_present.py"
    assert "### The record as of 2026-06" in readme and "unknown" in readme
