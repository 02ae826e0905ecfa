"""The layering of src/rift: imports point down, no cycles, and the store and the figures never
load mesa or the model.

The layers follow the data flow (docs/architecture.md): leaves ← scenario ← model ← runner ←
results ← experiment ← analysis/validation ← plots ← report ← api ← app ← cli. ``rift.present``
(the record of 2025-2026 as data) reads only the leaves, and the layers that will run the
nowcast read it.
Every import counts, including imports inside functions, so a cycle cannot hide behind a lazy
import.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "rift"

LEAVES = {
    "rift.version", "rift.errors", "rift.months", "rift.atomic", "rift.catalogue", "rift.record",
    "rift.seeds", "rift.distributions", "rift.parameters", "rift.calibration", "rift.geography",
    "rift.calendar", "rift.data", "rift.election_inputs", "rift.processes", "rift.reference",
}  # fmt: skip
#: What each layer may import besides itself and the leaves.
ALLOWED: dict[str, set[str]] = {
    "leaf": set(),
    "present": set(),
    # the nowcast runs the model through the record: it reads the runner, not the other way
    "nowcast": {"scenario", "model", "runner", "present"},
    "scenario": set(),
    "model": set(),
    "runner": {"scenario", "model"},
    "results": {"scenario"},
    "experiment": {"scenario", "runner", "results"},
    "analysis": {"scenario", "results"},
    "validation": {"scenario", "model", "runner", "results", "experiment", "analysis",
                   "present", "nowcast"},
    "plots": {"results", "analysis"},
    "report": {"results", "analysis", "plots"},
    "api": {"scenario", "model", "runner", "results", "experiment", "analysis", "validation",
            "plots", "report", "present", "nowcast"},
    # the browser app (rift app) sits on the API, under the command line
    "app": {"scenario", "model", "runner", "results", "experiment", "analysis", "validation",
            "plots", "report", "api", "present", "nowcast"},
    "cli": {"scenario", "model", "runner", "results", "experiment", "analysis", "validation",
            "plots", "report", "api", "present", "nowcast", "app"},
}  # fmt: skip


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    if module in LEAVES or module.startswith("rift.data"):
        return "leaf"
    if module.startswith("rift.present.nowcast"):  # the present filtered by the model
        return "nowcast"
    if module == "rift":  # the package's lazy accessors for the API
        return "api"
    if module == "rift.__main__":  # ``python -m rift`` is the command line
        return "cli"
    return module.split(".")[1]


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (type hints are not imports)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imports(path: Path) -> set[str]:
    """Every rift module a file imports at run time, anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    out = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("rift")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if base.startswith("rift"):
                for a in node.names:  # `from rift.model import territory` imports a module
                    sub = f"{base}.{a.name}"
                    out.add(sub if _exists(sub) else base)
    return out


def _exists(module: str) -> bool:
    rel = Path(*module.split("."))
    return (SRC / rel).with_suffix(".py").is_file() or (SRC / rel / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_every_import_points_down_the_layers():
    wrong = []
    for module, deps in graph().items():
        mine = layer(module)
        for dep in deps:
            theirs = layer(dep)
            if theirs not in ("leaf", mine) and theirs not in ALLOWED[mine]:
                wrong.append(f"{module} ({mine}) imports {dep} ({theirs})")
            if mine == "leaf" and theirs != "leaf":
                wrong.append(f"leaf {module} imports {dep}")
    assert not wrong, "\n".join(wrong)


def test_there_is_no_import_cycle():
    g = {m: {d for d in deps if d in graph_modules()} for m, deps in graph().items()}
    # A module imports its parent packages implicitly; those edges are not cycles of ours.
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(g.get(node, ())):
            if dep == node or node.startswith(dep + "."):
                continue
            if state.get(dep) == 1:
                cycles.append(" -> ".join([*stack[stack.index(dep) :], dep]))
            elif dep not in state:
                visit(dep, stack)
        stack.pop()
        state[node] = 2

    for m in sorted(g):
        if m not in state:
            visit(m, [])
    assert not cycles, "\n".join(cycles)


def graph_modules() -> set[str]:
    return {module_name(p) for p in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize(
    "modules", ["rift.results", "rift.analysis.compare rift.analysis.tables", "rift.plots",
                "rift.report", "rift.scenario", "rift.model.election rift.validation.elections"]
)  # fmt: skip
def test_the_store_analysis_figures_and_report_load_no_mesa(modules):
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules.split())
        + "bad = [m for m in sys.modules if m == 'mesa' or m.startswith('mesa.')"
        " or m in ('rift.model.model', 'rift.model.actors', 'rift.runner.worker')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert out == "", f"{modules} loaded {out}"
