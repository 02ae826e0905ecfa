"""The compiled rules (numba) against the numpy reference: the same runs, the same outcomes.

Every run is made twice, once with each module of rules (``RIFT_KERNELS``), and the two
results must agree: integer outcomes (counts, levels, flags, categories), events and the
final control map exactly, every float within 1e-9 relative. Skipped when numba is not
installed (the ``fast`` extra).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rift.errors import InputError
from rift.model import rules
from rift.record import RECORD
from rift.runner import plan_batch
from rift.runner.inputs import build_model
from rift.scenario import load_scenario
from tests.conftest import ROOT, SCENARIOS

numba = pytest.importorskip("numba")

RTOL = 1e-9
FILES = sorted(SCENARIOS.glob("*.yaml")) + sorted(SCENARIOS.glob("from_2025/*.yaml"))
#: Columns whose values are whole numbers: equal exactly, not within a tolerance.
EXACT = {o.name for o in RECORD.outcomes if o.kind in ("count", "level", "flag", "category")}


def _run(plan, index: int, kernels: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("RIFT_KERNELS", kernels)
    task = plan.task(index)
    model = build_model(plan.spec.inputs.with_sampled(task.sampled), task.seed)
    assert model.territory.rules is rules.kernels(kernels)
    return model.run(), model.territory


def _assert_same(a, b, where: str) -> None:
    """Two results of the same run: integers, events and the map equal, floats within RTOL."""
    assert a.names == b.names
    assert np.array_equal(a.months, b.months)
    for k, name in enumerate(a.names):
        x, y = a.series[:, k], b.series[:, k]
        if name in EXACT:
            assert np.array_equal(x, y, equal_nan=True), f"{where}: {name} differs"
        else:
            assert np.allclose(x, y, rtol=RTOL, atol=0.0, equal_nan=True), f"{where}: {name}"
    assert a.events == b.events, where
    assert np.array_equal(a.controller, b.controller), where
    assert a.values.keys() == b.values.keys()
    for name, v in a.values.items():
        w = b.values[name]
        if isinstance(v, (float, np.floating)) and not isinstance(v, bool):
            assert np.isclose(v, w, rtol=RTOL, atol=0.0, equal_nan=True), f"{where}: {name}"
        else:
            assert v == w, f"{where}: {name}"


def _assert_same_territory(t, u, where: str) -> None:
    for name in ("s", "coca", "E", "K", "rent", "theta", "revenue"):
        x, y = getattr(t, name), getattr(u, name)
        assert np.allclose(x, y, rtol=RTOL, atol=1e-300, equal_nan=True), f"{where}: {name}"
    for name in ("zone", "presence", "controller"):
        assert np.array_equal(getattr(t, name), getattr(u, name)), f"{where}: {name}"


def _compare(plan, runs: range, monkeypatch: pytest.MonkeyPatch, label: str) -> None:
    for i in runs:
        a, ta = _run(plan, i, "numpy", monkeypatch)
        b, tb = _run(plan, i, "numba", monkeypatch)
        _assert_same(a, b, f"{label} run {i}")
        _assert_same_territory(ta, tb, f"{label} run {i}")


@pytest.mark.parametrize("name", ["baseline.yaml", "from_2025/full_rupture.yaml"])
def test_numba_equals_numpy_over_5_seeds(name, monkeypatch):
    plan = plan_batch(load_scenario(SCENARIOS / name), 5)
    _compare(plan, range(5), monkeypatch, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["baseline.yaml", "from_2025/full_rupture.yaml"])
def test_numba_equals_numpy_over_200_seeds(name, monkeypatch):
    plan = plan_batch(load_scenario(SCENARIOS / name), 200)
    _compare(plan, range(200), monkeypatch, name)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_numba_equals_numpy_on_every_shipped_scenario(path, monkeypatch):
    plan = plan_batch(load_scenario(path), 2)
    _compare(plan, range(2), monkeypatch, path.name)


def test_numba_equals_numpy_with_soil_strikes_removals_and_splits(monkeypatch):
    """The rules shipped scenarios rarely reach: strikes on Colombian soil held on, frequent
    removals of commanders that always split the group (strike losses, clash factors)."""
    from rift.model import AllianceModel

    shocks = [{"at": "2025-03", "start": ["us.soil_strikes"], "until": "2026-12"}]
    often = {"removals.rate_per_yr": 4.0, "removals.splinter_probability": 1.0}
    for seed in range(2):
        results = []
        for kernels in ("numpy", "numba"):
            monkeypatch.setenv("RIFT_KERNELS", kernels)
            m = AllianceModel(rng=seed, collect=False, end="2026-12", shocks=shocks,
                              parameters=often)  # fmt: skip
            assert m.territory.rules is rules.kernels(kernels)
            results.append((m.run(), m.territory))
        (a, ta), (b, tb) = results
        assert sum(a.values[f"removals_{g}"] for g in ("egc", "eln", "dissidents")) > 0
        _assert_same(a, b, f"strikes seed {seed}")
        _assert_same_territory(ta, tb, f"strikes seed {seed}")


def test_a_rule_alone_matches_the_reference_on_random_arrays():
    """Each compiled rule on arrays the model rarely makes (zeros, ties, empty capacity)."""
    rng = np.random.default_rng(7)
    G, M = 3, 40
    s = rng.choice([0.0, 1.0, 50.0, 300.0], size=(G, M)) * rng.random((G, M)).round(1)
    S, E = s.sum(axis=0), rng.random(M) * 10
    K = rng.choice([0.0, 5.0, 500.0], size=M)
    rate = rng.random((G, 1))
    c = rules.kernels("numba")
    for name, args in {
        "recruitment": (S, E, K, rate),
        "rival_combat": (s, S, 2.0),
        "euler_step": (s, rng.normal(size=(G, M)) * 20, 1 / 12),
        "armed_share": (S, E),
        "top_two": (s,),
        "revenue": (s, S, K, rng.random(M)),
        "withdrawal": (s, E, 0.3, 1.5),
        "presence_losses": (s, rng.random(G), 5.0, M - 2),
    }.items():
        got, want = getattr(c, name)(*args), getattr(rules, name)(*args)
        pairs = zip(got, want, strict=True) if isinstance(want, tuple) else [(got, want)]
        for x, y in pairs:
            assert x.dtype == y.dtype, name
            assert x.shape == y.shape, name
            assert np.allclose(x, y, rtol=RTOL, atol=0.0), name
    coca, theta = rng.random(M) * 100, rng.random(M)
    cap = rng.choice([0.0, 80.0], size=M)
    kw = {"growth": 0.4, "abandon": 0.2, "replant": 0.3, "dt": 1 / 12}
    for h in (0.0, 50.0, 1e6):
        x, ex = c.coca_logistic(coca, theta, h, 1.0, 1.1, capacity=cap, **kw)
        y, ey = rules.coca_logistic(coca, theta, h, 1.0, 1.1, capacity=cap, **kw)
        assert np.array_equal(x, y) and ex == ey


def test_the_kernels_switch_refuses_bad_names(monkeypatch):
    monkeypatch.setenv("RIFT_KERNELS", "cuda")
    with pytest.raises(InputError, match=r"RIFT_KERNELS.*unknown kernels 'cuda'.*numpy or numba"):
        rules.kernels()
    monkeypatch.delenv("RIFT_KERNELS")
    assert rules.kernels() is rules  # the default is the reference


@pytest.mark.slow  # a fresh cache: numba compiles the rules, about 5 s
def test_a_fresh_process_with_a_read_only_package_caches_elsewhere(tmp_path):
    """The package folder read-only, no NUMBA_CACHE_DIR: the cache goes to XDG_CACHE_HOME."""
    package = tmp_path / "site" / "rift"
    shutil.copytree(ROOT / "src" / "rift", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SCENARIOS, package / "scenarios")  # where an installed wheel has them
    for folder, _, files in os.walk(package):
        for f in files:
            os.chmod(os.path.join(folder, f), 0o444)
        os.chmod(folder, 0o555)
    cache = tmp_path / "xdg"
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "PYTHONPATH")}
    env.update(
        PYTHONPATH=str(package.parent),
        XDG_CACHE_HOME=str(cache),
        RIFT_KERNELS="numba",
        PYTHONDONTWRITEBYTECODE="1",
    )
    script = textwrap.dedent(
        f"""
        import rift, rift.model.rules.compiled as c
        assert c.__file__.startswith({str(package)!r}), c.__file__
        run = rift.simulate("baseline")
        print(c.cache_dir(), int(run.result.column("control_any")[-1]))
        """
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, out.stderr
        where, control = out.stdout.split()
        assert where == str(cache / "rift" / "numba")
        assert any(cache.rglob("*.nbi")), "no numba index in the cache"  # compiled and saved
        assert not any(package.rglob("*.nbi")) and not any(package.rglob("__pycache__"))
        assert 0 <= int(control) <= 1122
    finally:
        for folder, _, _ in os.walk(package):
            os.chmod(folder, 0o755)


def test_rift_run_kernels_numba_stores_the_numpy_outcomes(tmp_path, monkeypatch, capsys):
    """``rift run --kernels numba`` (serial) against the default: the same horizon outcomes."""
    from rift.cli import main
    from rift.results import load

    # Set (not deleted) so that the teardown undoes what ``--kernels`` writes into os.environ.
    monkeypatch.setenv("RIFT_KERNELS", "numpy")
    args = ["run", "baseline", "--runs", "2", "--executor", "serial", "--no-report", "--quiet"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--kernels", "numba", "--out", str(tmp_path / "b")]) == 0
    assert os.environ["RIFT_KERNELS"] == "numba"  # what the workers inherit
    a, b = load(tmp_path / "a").series, load(tmp_path / "b").series
    numeric = a.select_dtypes("number").columns
    assert len(a) == 2 * 54 and len(numeric) > 20  # two runs of 2026-07..2030-12
    assert np.allclose(a[numeric], b[numeric], rtol=RTOL, atol=0.0, equal_nan=True)


def test_a_bad_rift_kernels_is_one_message_and_exit_2(tmp_path, monkeypatch, capsys):
    from rift.cli import main

    monkeypatch.setenv("RIFT_KERNELS", "bogus")
    out = tmp_path / "x"
    assert main(["run", "baseline", "--runs", "1", "--no-report", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "RIFT_KERNELS" in err and "numpy or numba" in err and "Traceback" not in err
    assert not out.exists()


def test_numba_kernels_without_numba_are_one_message(monkeypatch):
    """As where numba is not installed: ``import numba`` fails."""
    monkeypatch.setitem(sys.modules, "numba", None)  # makes ``import numba`` raise ImportError
    monkeypatch.delitem(sys.modules, "rift.model.rules.compiled", raising=False)
    monkeypatch.delattr(rules, "compiled", raising=False)
    with pytest.raises(InputError, match=r"--kernels.*need numba.*rift\[fast\]"):
        rules.kernels("numba")
    assert rules.kernels("numpy") is rules


def test_a_model_on_the_numba_rules_pickles_mid_run_and_continues_identically(monkeypatch):
    import pickle

    from rift.model.model import AllianceModel

    monkeypatch.setenv("RIFT_KERNELS", "numba")
    m = AllianceModel(rng=11, collect=False)
    assert m.territory.rules is rules.kernels("numba")
    for _ in range(20):
        m.step()
    clone = pickle.loads(pickle.dumps(m))
    assert clone.territory.rules is m.territory.rules  # the module, restored by its name
    a, b = m.run(), clone.run()
    assert np.array_equal(a.series, b.series, equal_nan=True)
