"""MkDocs hooks: the parts of the documentation that are generated from the code at build time.

A page asks for a generated part with a marker on a line of its own, ``<!-- generated: NAME -->``;
the hook replaces it with the output of ``GENERATORS[NAME]`` (an unknown name fails the build).
So the command-line reference is the real argparse help, and the validation tables that take
seconds to compute are computed, not copied. The figures under ``outputs/readme/`` (shown in the
README too) are added to the site as ``figures/``.

The functions are plain Python so that the tests can call them without MkDocs
(``tests/test_docs.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "outputs" / "readme"
MARKER = re.compile(r"^<!-- generated: ([a-z0-9-]+) -->$", re.M)
#: The width the help is formatted for (argparse reads it from COLUMNS).
HELP_COLUMNS = "100"


def _src_on_path() -> None:
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_reference() -> str:
    """``rift --help`` and ``rift COMMAND [TARGET] --help`` for every command, as Markdown."""
    _src_on_path()
    from rift.cli import _parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = HELP_COLUMNS
    try:
        parser = _parser()
        parts = ["### rift", "", "```text", parser.format_help().rstrip(), "```"]
        for name, sub in _subparsers(parser).items():
            parts += ["", f"### rift {name}", "", "```text", sub.format_help().rstrip(), "```"]
            for target, inner in _subparsers(sub).items():  # rift refit events, ...
                title = f"rift {name} {target}"
                parts += ["", f"### {title}", "", "```text", inner.format_help().rstrip(), "```"]
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return "\n".join(parts)


def event_scores() -> str:
    """The leave-one-episode-out scores of the measures' hazards, summed by transition.

    The "all" rows of the table ``rift refit events`` prints under "Leave one episode out".
    """
    _src_on_path()
    from rift.validation.events.panel import load_record
    from rift.validation.events.scores import loeo_predictions, score_predictions

    table = score_predictions(loeo_predictions(load_record()))
    table = table[table["measure"] == "all"].set_index("transition")
    labels = {
        "start": "starts",
        "end": "ends",
        "event": "events (rhetoric, concessions, deals)",
        "all": "all",
    }
    lines = [
        "| held-out months at risk | events | Brier model | Brier base rate | Brier pooled "
        "| log model | log base rate | log pooled |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for transition, label in labels.items():
        r = table.loc[transition]
        lines.append(
            f"| {label}, {int(r['n_obs']):,} | {int(r['n_events'])} | {r['brier_model']:.4f} "
            f"| {r['brier_base']:.4f} | {r['brier_pooled']:.4f} | {r['log_model']:.4f} "
            f"| {r['log_base']:.4f} | {r['log_pooled']:.4f} |"
        )
    return "\n".join(lines)


def election_backtest() -> str:
    """The leave-one-election-out back-test of the 2026 vote (``backtest_table(backtest())``)."""
    _src_on_path()
    from rift.validation.elections import backtest, backtest_table

    return backtest_table(backtest()).rstrip()


def election_outright() -> str:
    """P(a first-round win) against the record of runoffs (``outright_table(outright_check())``)."""
    _src_on_path()
    from rift.validation.elections import outright_check, outright_table

    return outright_table(outright_check()).rstrip()


def first_starts_2025() -> str:
    """The 2025 record against the baseline: each measure's first start (200 runs, serial)."""
    _src_on_path()
    import tempfile

    from rift.experiment import run_scenario
    from rift.results import load
    from rift.scenario import load_scenario
    from rift.validation.forecast.alliance import markdown, reproduction_table

    with tempfile.TemporaryDirectory() as tmp:
        stored = run_scenario(
            load_scenario("forecast_2025_12"),
            executor="serial",
            out=Path(tmp) / "forecast",
            quiet=True,
        )
        return markdown(reproduction_table(load(stored.path)))


def benchmark_results() -> str:
    """Every measure of the newest full benchmark run in ``benchmarks/results/``, as its table."""
    import json

    runs = sorted(p for p in (ROOT / "benchmarks" / "results").glob("*.json")
                  if not p.stem.endswith("-quick") and "-against" not in p.stem
                  and "-cold-start" not in p.stem)  # fmt: skip
    if not runs:
        raise FileNotFoundError("no full benchmark run in benchmarks/results/")
    bench = _benchmark_module()
    report = json.loads(runs[-1].read_text(encoding="utf-8"))
    m = report["machine"]
    head = (
        f"From `benchmarks/results/{runs[-1].name}` ({report['date']}; {m['cpu']}, "
        f"{m['nproc']} cores, Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}, "
        f"Mesa {m['mesa']}):"
    )
    return head + "\n\n" + bench.format_table(report["targets"])


def _benchmark_module():
    """``benchmarks/run.py`` as a module (its table formatters)."""
    import importlib.util

    _src_on_path()
    spec = importlib.util.spec_from_file_location("rift_benchmarks", ROOT / "benchmarks" / "run.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def benchmark_against() -> str:
    """The newest comparison with an earlier commit (``benchmarks/run.py --against``)."""
    import json

    runs = sorted((ROOT / "benchmarks" / "results").glob("*-against*.json"))
    if not runs:
        raise FileNotFoundError("no --against benchmark run in benchmarks/results/")
    report = json.loads(runs[-1].read_text(encoding="utf-8"))
    m = report["machine"]
    head = (
        f"From `benchmarks/results/{runs[-1].name}` ({report['date']}; {m['cpu']}, "
        f"{m['nproc']} cores, Python {m['python']}, numpy {m['numpy']}; load average "
        f"{m['loadavg_start'][0]:.1f} at the start, {m['loadavg_end'][0]:.1f} at the end):"
    )
    return head + "\n\n" + _benchmark_module().against_table(report["against"])


def architecture_layers() -> str:
    """The leaves and the allowed imports of each layer, read from tests/test_architecture.py."""
    import ast

    tree = ast.parse((ROOT / "tests" / "test_architecture.py").read_text(encoding="utf-8"))
    found: dict[str, object] = {}
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id in ("LEAVES", "ALLOWED"):
            found[target.id] = ast.literal_eval(node.value)
    leaves = sorted(found["LEAVES"])
    lines = [
        "- **Leaves** import only other leaves: "
        + ", ".join(f"`{m}`" for m in leaves)
        + " (and every module under `rift.data`).",
        "- Each other layer may import itself, the leaves and only these:",
        "",
        "| layer | may also import |",
        "|---|---|",
    ]
    for name, allowed in found["ALLOWED"].items():
        if name == "leaf":
            continue
        label = f"`{name}` (and the package `rift` itself)" if name == "api" else f"`{name}`"
        lines.append(f"| {label} | {', '.join(sorted(allowed)) or '–'} |")
    return "\n".join(lines)


def _stored(name: str) -> str:
    """A table a command stored in ``docs/generated/`` with the line saying what made it."""
    path = ROOT / "docs" / "generated" / name
    made, _, table = path.read_text(encoding="utf-8").partition("\n")
    command, _, when = made.removeprefix("<!-- made by: ").removesuffix(" -->").partition("; ")
    return f"{table.rstrip()}\n\n<small>Made by `{command}` ({when}).</small>"


def hindcast_table() -> str:
    """The hindcast table as ``python tools/validation_tables.py --write`` stored it."""
    return _stored("hindcast.md")


def rolling_origin_table() -> str:
    """The filter's rolling-origin table as ``tools/validation_tables.py`` stored it."""
    return _stored("rolling_origin.md")


GENERATORS: dict[str, Callable[[], str]] = {
    "hindcast-table": hindcast_table,
    "rolling-origin": rolling_origin_table,
    "cli-reference": cli_reference,
    "event-scores": event_scores,
    "election-backtest": election_backtest,
    "election-outright": election_outright,
    "first-starts-2025": first_starts_2025,
    "benchmark-results": benchmark_results,
    "benchmark-against": benchmark_against,
    "architecture-layers": architecture_layers,
}


def render(markdown: str) -> str:
    """The page with every ``<!-- generated: NAME -->`` marker replaced by its output."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in GENERATORS:
            raise KeyError(f"unknown generated part {name!r} (known: {sorted(GENERATORS)})")
        return GENERATORS[name]()

    return MARKER.sub(replace, markdown)


EXECUTE = "<!-- execute -->"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```\n", re.M | re.S)


def python_blocks(markdown: str) -> list[str]:
    """The code of every ``python`` block of a page, in order."""
    return PYTHON_BLOCK.findall(markdown)


def execute(markdown: str, workdir: Path) -> str:
    """Run a page's python blocks in order in one namespace, in ``workdir``, as a notebook.

    Each block is followed by what it printed, and by every PNG figure it wrote into
    ``workdir`` (embedded in the page). An exception fails the build.
    """
    import base64
    import contextlib
    import io

    _src_on_path()
    namespace: dict[str, object] = {"__name__": "__walkthrough__"}
    seen: set[Path] = set()
    old = Path.cwd()
    out: list[str] = []
    end = 0
    os.chdir(workdir)
    try:
        for match in PYTHON_BLOCK.finditer(markdown):
            out.append(markdown[end : match.end()])
            end = match.end()
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(match.group(1), "<walkthrough>", "exec"), namespace)
            if buffer.getvalue().strip():
                out.append("\n```text\n" + buffer.getvalue().rstrip() + "\n```\n")
            for png in sorted(set(workdir.glob("*.png")) - seen):
                seen.add(png)
                data = base64.b64encode(png.read_bytes()).decode("ascii")
                out.append(f"\n![{png.stem}](data:image/png;base64,{data})\n")
    finally:
        os.chdir(old)
    out.append(markdown[end:])
    note = "*The outputs on this page were computed when the site was built.*"
    return "".join(out).replace(EXECUTE, note, 1)


def on_page_markdown(markdown: str, page, config, files) -> str:
    """MkDocs hook: fill in the generated parts of a page, and run it if it says so."""
    markdown = render(markdown)
    if EXECUTE in markdown:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            markdown = execute(markdown, Path(tmp))
    return markdown


#: A Sphinx role left in a rendered docstring (``:class:`~rift.results.Results```).
SPHINX_ROLE = re.compile(r":(?:class|func|mod|meth|data|attr|exc|obj):<code>(~?)([\w.]+)</code>")


def plain_roles(html: str) -> str:
    """The docstrings' Sphinx roles as code (``~`` keeps the last name, as Sphinx shows it)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(2).rpartition(".")[2] if match.group(1) else match.group(2)
        return f"<code>{name}</code>"

    return SPHINX_ROLE.sub(replace, html)


def on_page_content(html: str, page, config, files) -> str:
    """MkDocs hook: the Sphinx roles of the docstrings (the API pages) shown as code."""
    return plain_roles(html)


def on_files(files, config):
    """MkDocs hook: add the figures of ``outputs/readme/`` to the site as ``figures/``."""
    from mkdocs.structure.files import File

    for png in sorted(FIGURES.glob("*.png")):
        files.append(File.generated(config, f"figures/{png.name}", abs_src_path=str(png)))
    return files
