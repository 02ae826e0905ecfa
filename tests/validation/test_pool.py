"""The process pool of the two ABC calibrations: one helper, spawned workers, same posterior."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from rift.validation.calibration import pool
from rift.validation.calibration.pool import chunksize, simulation_map
from tests.validation.test_abc import assert_same, small_fit

CALIBRATION = Path(pool.__file__).parent
USERS = ("calibrate.py", "alliance.py")


def _names(path: Path) -> set[str]:
    """Every name and attribute a module's code mentions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name)
    return names


@pytest.mark.parametrize("module", USERS)
def test_both_calibrations_use_the_one_pool_helper(module):
    names = _names(CALIBRATION / module)
    assert "simulation_map" in names
    assert not names & {"ProcessPoolExecutor", "get_context", "Pool"}, module


def test_the_helper_is_the_only_pool_in_validation():
    owners = [
        p.relative_to(CALIBRATION.parent).as_posix()
        for p in sorted(CALIBRATION.parent.rglob("*.py"))
        if "ProcessPoolExecutor" in _names(p)
    ]
    assert owners == ["calibration/pool.py"]


def test_the_pool_spawns_its_workers():
    tree = ast.parse((CALIBRATION / "pool.py").read_text(encoding="utf-8"))
    calls = [
        ast.unparse(n)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and "get_context" in ast.unparse(n.func)
    ]
    assert calls == ["get_context('spawn')"]


def test_one_worker_is_the_builtin_map():
    with simulation_map(1, 200) as map_fn:
        assert map_fn is map


def test_chunks_are_a_quarter_of_a_workers_share():
    assert chunksize(200, 2) == 25
    assert chunksize(300, 2) == 37
    assert chunksize(3, 2) == 1


def test_the_pool_gives_the_serial_posterior():
    serial = small_fit(population=20, generations=1)
    with simulation_map(2, 20) as map_fn:
        assert map_fn is not map
        pooled = small_fit(map_fn=map_fn, population=20, generations=1)
    assert_same(serial, pooled)
    assert np.isfinite(pooled.weights).all()
