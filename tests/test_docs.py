"""The documentation lives with the code: its examples run, the paths it names exist, every page
is in the site, and its generated parts are generated from the code."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import time

import pytest
import yaml

from .conftest import ROOT

DOCS = ROOT / "docs"
#: The pages of the site (``docs/generated/`` holds stored command output the pages include).
PAGES = sorted(p for p in DOCS.rglob("*.md") if "generated" not in p.relative_to(DOCS).parts)


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOOKS = _hooks()

#: Pages whose python blocks run here, as one script each, in a fresh folder.
RUN = ["README.md", "docs/guide/restarting.md", "docs/extending.md", "docs/guide/designs.md"]
#: Pages whose python blocks run elsewhere, or are illustrations that cannot run as they are.
NOT_RUN = {
    "docs/guide/python-api.md": "run by tests/test_api.py::test_the_api_page_examples_run",
    "docs/walkthrough.md": "run by test_the_walkthrough_runs_as_a_notebook below",
    "docs/guide/results.md": "reads a result folder by an example run id",
}


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_every_page_with_python_examples_is_run_or_says_why():
    with_code = {
        str(p.relative_to(ROOT)) for p in [ROOT / "README.md", *PAGES] if HOOKS.python_blocks(_text(
            str(p.relative_to(ROOT))))
    }  # fmt: skip
    assert with_code == set(RUN) | set(NOT_RUN), with_code ^ (set(RUN) | set(NOT_RUN))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("page", RUN)
def test_the_python_examples_of_a_page_run(page, tmp_path):
    script = tmp_path / "example.py"
    script.write_text("\n".join(HOOKS.python_blocks(_text(page))), encoding="utf-8")
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr


@pytest.mark.timeout(300)
def test_the_walkthrough_runs_as_a_notebook(tmp_path):
    """The walkthrough's blocks run in one session, as the site build runs them, in seconds."""
    hooks = str(ROOT / "tools" / "docs_hooks.py")
    code = (
        "import importlib.util, pathlib, sys\n"
        f"spec = importlib.util.spec_from_file_location('h', {hooks!r})\n"
        "h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)\n"
        f"page = pathlib.Path({str(DOCS / 'walkthrough.md')!r}).read_text(encoding='utf-8')\n"
        "sys.stdout.write(h.execute(page, pathlib.Path.cwd()))\n"
    )  # fmt: skip
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    seconds = time.perf_counter() - start
    assert out.returncode == 0, out.stderr
    page = out.stdout
    assert "```text\n" in page and "data:image/png;base64," in page
    assert "P(full rupture by 2027-12)" in page and "paired by run index" in page
    assert (tmp_path / "fan_cooperation_index.png").is_file()
    assert seconds < 120, f"the walkthrough took {seconds:.0f} s (it is meant to take seconds)"


#: Where a path the documentation names may be relative to (the repository, the package).
BASES = [ROOT, ROOT / "src" / "rift", ROOT / "src"]
TOP = ("src/", "tests/", "benchmarks/", "scenarios/", "seeds/", "docs/", "tools/", ".ci/",
       "outputs/readme/", "model/", "rift/", "data/")  # fmt: skip


def _named_paths(text: str) -> set[str]:
    """Paths in backticks or Markdown links that start with a folder of the repository."""
    names = set(re.findall(r"`([^`\s]+)`", text)) | set(re.findall(r"\]\(([^)\s#]+)", text))
    return {n for n in names if n.startswith(TOP) and "://" not in n}


def _exists(name: str, page) -> bool:
    if "<" in name or "*" in name:  # a template: its folder exists
        name = name[: min(i for i in (name.find("<"), name.find("*")) if i >= 0)]
        name = name.rpartition("/")[0] or "."
    bases = [*BASES, page.parent]
    return any((base / name).exists() for base in bases)


@pytest.mark.parametrize("page", [ROOT / "README.md", *PAGES], ids=lambda p: p.name)
def test_the_paths_the_documentation_names_exist(page):
    missing = [n for n in sorted(_named_paths(page.read_text(encoding="utf-8")))
               if not _exists(n, page)]  # fmt: skip
    assert not missing, f"{page.relative_to(ROOT)} names paths that do not exist: {missing}"


def test_the_old_extending_table_would_have_failed():
    assert not _exists("src/rift/model/actors.py", ROOT / "README.md")
    assert "src/rift/model/actors.py" in _named_paths("| `src/rift/model/actors.py` (…) |")


def _nav_pages(nav) -> list[str]:
    out = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        out += _nav_pages(value) if isinstance(value, list) else [value]
    return out


def test_every_page_is_in_the_navigation_and_every_entry_is_a_page():
    config = yaml.safe_load(_text("mkdocs.yml"))
    nav = set(_nav_pages(config["nav"]))
    pages = {str(p.relative_to(DOCS)) for p in PAGES}
    assert nav == pages, nav ^ pages


def test_the_docs_extra_and_ci_build_the_site_strictly():
    import tomllib

    extras = tomllib.loads(_text("pyproject.toml"))["project"]["optional-dependencies"]
    docs = " ".join(extras["docs"])
    assert "mkdocs" in docs and "mkdocs-material" in docs and "mkdocstrings[python]" in docs
    ci = _text(".ci/run")
    assert '.venv/bin/pip install -q -e ".[docs]" && .venv/bin/mkdocs build --strict' in ci
    assert "site/" in _text(".gitignore").splitlines()


def test_every_generated_part_a_page_asks_for_exists():
    asked = {m for p in PAGES for m in HOOKS.MARKER.findall(p.read_text(encoding="utf-8"))}
    assert asked and asked <= set(HOOKS.GENERATORS), asked - set(HOOKS.GENERATORS)
    assert "cli-reference" in asked


def test_the_generated_cli_reference_is_the_parser_help():
    from rift.cli import COMMANDS

    page = HOOKS.cli_reference()
    for command in COMMANDS:
        assert f"### rift {command}\n" in page and f"usage: rift {command}" in page
    assert "--resume DIR" in page and "--calibrated-through YEAR" in page


def test_the_generated_validation_tables_are_the_commands_tables():
    scores = HOOKS.event_scores()
    assert scores.count("\n| ") == 4 and "| all, " in scores
    backtest = HOOKS.election_backtest()
    assert backtest.startswith("| held out | forecast | method |") and "| 2022 |" in backtest
    outright = HOOKS.election_outright()
    assert outright.startswith("| election | forecast from | P(first-round win) |")
    assert "| 2026 | six-month polls |" in outright and "P(every one a runoff) = " in outright
    assert "<!-- generated: election-outright -->" in _text("docs/validation.md")


def test_the_hindcast_table_is_in_the_format_of_the_command_that_makes_it():
    """The page includes the table ``tools/validation_tables.py --write`` stored, with the
    command, date and commit that made it, and each row is what the command prints for its
    numbers (the command is too long for every build; see docs/validation.md)."""
    spec = importlib.util.spec_from_file_location(
        "validation_tables", ROOT / "tools" / "validation_tables.py"
    )
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    assert "<!-- generated: hindcast-table -->" in _text("docs/validation.md")
    stored = tables.GENERATED.read_text(encoding="utf-8")
    assert re.match(r"<!-- made by: python tools/validation_tables.py --runs \d+ --write; "
                    r"\d{4}-\d\d-\d\d, commit \w+ -->\n", stored)  # fmt: skip
    page = HOOKS.hindcast_table()
    assert tables.HEADER in page
    for label, _, _, out in tables.ROWS:
        line = next(x for x in page.splitlines() if x.startswith(f"| {label} |")
                    or x.startswith(f"| **{label}** |"))  # fmt: skip
        cells = [c.strip().strip("*").replace(" %", "") for c in line.strip("|").split("|")]
        n, in50, in90, crps, trend, growth, skill, skill_growth = cells[1:]
        summary = {
            "n": int(n), "in50": int(in50) / 100, "in90": int(in90) / 100,
            "crps_rel": float(crps), "crps_naive_rel": float(trend),
            "crps_growth_rel": float(growth), "skill": float(skill),
            "skill_growth": float(skill_growth),
        }  # fmt: skip
        assert tables.table_row(label, summary, out) == line


def test_sphinx_roles_of_the_docstrings_render_as_code():
    html = "see :class:<code>~rift.results.Results</code> and :func:<code>rift.load</code>"
    assert HOOKS.plain_roles(html) == "see <code>Results</code> and <code>rift.load</code>"


def test_the_scenario_guide_example_is_a_valid_scenario(tmp_path):
    from rift.scenario import load_scenario

    block = re.search(r"```yaml\n(.*?)```", _text("docs/guide/scenarios.md"), re.S).group(1)
    f = tmp_path / "left_win_2030.yaml"
    f.write_text(block, encoding="utf-8")
    s = load_scenario(f)
    assert s.name == "left_win_2030" and s.election.winner_2030 == "left"
    assert s.from_ == "present" and s.start == "2026-07"


def test_the_architecture_page_lists_every_layer_of_the_architecture_test():
    page = HOOKS.architecture_layers()
    for layer in ("scenario", "model", "runner", "results", "experiment", "analysis",
                  "validation", "plots", "report", "api", "cli"):  # fmt: skip
        assert f"| `{layer}`" in page, layer
    assert "`rift.record`" in page
