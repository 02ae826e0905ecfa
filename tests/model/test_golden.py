"""Golden guard: the model's outputs for fixed seeds equal a stored baseline.

Performance work on the model (territory, actors, runner) must not change the results for the
same seed: integers and flags exactly, floats to the last few units of precision (numpy's
kernels differ by that much between processors; see ``FLOAT_RTOL``). This test runs a small
fixed batch (baseline runs with different seeds and sampled parameter sets, a full-rupture
run and a short run with a fixed election winner) and compares every monthly series, the
final controller map and the final territory arrays against ``tests/model/golden/py311.npz``
(Python 3.11) or ``py312.npz`` (3.12 and later).

The cases are written out here rather than read from ``scenarios/`` so that editing a shipped
scenario never trips this guard; only a change of the model's behaviour does.

There is one baseline per summation rule of Python's built-in ``sum()``: Python 3.12 sums
floats with Neumaier compensation, 3.11 left to right, and the model uses ``sum()`` on a few
floats (coca department shares, the cooperation index). The two baselines differ by a few
units in the last place (``golden/py311.npz`` for Python 3.11, ``golden/py312.npz`` for 3.12
and later); a third test checks that they stay that close.

When a change of results is intended (a model change, not an optimisation), regenerate the
baseline of each Python version from the project root with either of::

    python -m tests.model.test_golden --update
    RIFT_UPDATE_GOLDEN=1 python -m pytest tests/model/test_golden.py

(once with Python 3.11 and once with 3.12 or later) and commit the new files with the change
that explains it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
#: Python >= 3.12 sums floats with compensation in ``sum()``; 3.11 does not.
GOLDEN = GOLDEN_DIR / ("py312.npz" if sys.version_info >= (3, 12) else "py311.npz")
ROOT_SEED = 20251215

_WAIVER = {"at": "2025-09", "until": "2026-08", "set": {"us.certification": "waiver"}}
_RUPTURE = [
    _WAIVER,
    {
        "at": "2025-10",
        "set": {
            "us.security_aid_musd": 0,
            "us.civil_aid_musd": 0,
            "us.intel_sharing": 0,
            "col.extraditions_per_yr": 0,
        },
    },
    {"at": "2026-09", "set": {"us.certification": "decertified"}},
]
_SAMPLED_A = {
    "us.aid_total_musd": 431.25,
    "us.aid_security_share": 0.47125,
    "init.control_share": 0.3401,
}
_SAMPLED_B = {
    "us.aid_total_musd": 575.5,
    "us.aid_security_share": 0.6175,
    "init.control_share": 0.3875,
}

#: name -> (run index of the seed, model keyword arguments)
CASES: dict[str, tuple[int, dict[str, Any]]] = {
    "baseline_0": (0, {"interventions": [_WAIVER]}),
    "baseline_1": (1, {"interventions": [_WAIVER]}),
    "baseline_2": (2, {"interventions": [_WAIVER]}),
    "baseline_3_sampled_a": (3, {"interventions": [_WAIVER], "parameters": _SAMPLED_A}),
    "baseline_4_sampled_b": (4, {"interventions": [_WAIVER], "parameters": _SAMPLED_B}),
    "baseline_5_sampled_a": (5, {"interventions": [_WAIVER], "parameters": _SAMPLED_A}),
    "full_rupture_0": (0, {"interventions": _RUPTURE}),
    "right_wins_6_short": (
        6,
        {"end": "2027-06", "interventions": [_WAIVER], "election": {"winner": "right"}},
    ),
}


def _run(index: int, kwargs: dict[str, Any]) -> dict[str, np.ndarray]:
    """Run one case and return every array the guard compares."""
    from rift.model import AllianceModel
    from rift.seeds import run_seed

    model = AllianceModel(
        rng=run_seed(ROOT_SEED, index),
        collect=False,
        calibrated=False,  # the mechanics for fixed inputs, not the calibration
        start="2025-01",
        end=kwargs.get("end", "2030-12"),
        parameters=kwargs.get("parameters"),
        interventions=kwargs.get("interventions", ()),
        election=kwargs.get("election"),
    )
    result = model.run()
    t = model.territory
    return {
        "series": result.series,
        "controller": result.controller,
        "strength": np.asarray(t.s),
        "coca": np.asarray(t.coca),
        "events": np.array([-1 if m is None else m for m in result.events.values()]),
    }


def compute() -> dict[str, np.ndarray]:
    """Every case's arrays, flattened to ``<case>/<array>`` keys."""
    out: dict[str, np.ndarray] = {}
    for name, (index, kwargs) in CASES.items():
        for key, arr in _run(index, kwargs).items():
            out[f"{name}/{key}"] = arr
    return out


def update() -> Path:
    """Recompute the golden baseline and write it (atomically)."""
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    tmp = GOLDEN.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **compute())
    os.replace(tmp, GOLDEN)
    return GOLDEN


def test_outputs_are_bit_identical_to_the_golden_baseline():
    if os.environ.get("RIFT_UPDATE_GOLDEN") == "1":
        update()
    assert GOLDEN.is_file(), "no golden baseline; run `python -m tests.model.test_golden --update`"
    with np.load(GOLDEN, allow_pickle=False) as f:
        expected = {k: f[k] for k in f.files}
    got = compute()
    assert sorted(got) == sorted(expected)
    different = [k for k in sorted(got) if not same_within_rounding(got[k], expected[k])]
    assert not different, f"outputs differ from the golden baseline {GOLDEN.name}: {different}"


#: Largest relative difference of a float accepted against the stored baseline. numpy picks
#: its exp/log/power kernels by the processor's SIMD extensions at run time (AVX2 or AVX-512),
#: and those differ in the last unit of precision: a baseline made on one processor differs
#: from a run on another by up to about 3e-15 (measured). Integers and flags must be equal;
#: within one machine, runs are bit-identical (tests/model/test_reproducibility.py).
FLOAT_RTOL = 1e-12


def same_within_rounding(got: np.ndarray, expected: np.ndarray) -> bool:
    """Equal dtypes and shapes; integers equal; floats equal to ``FLOAT_RTOL`` (NaN = NaN)."""
    if got.dtype != expected.dtype or got.shape != expected.shape:
        return False
    if got.dtype.kind != "f":
        return bool(np.array_equal(got, expected))
    return bool(np.allclose(got, expected, rtol=FLOAT_RTOL, atol=0.0, equal_nan=True))


def test_the_baselines_of_both_python_versions_agree_to_rounding():
    files = [GOLDEN_DIR / "py311.npz", GOLDEN_DIR / "py312.npz"]
    if not all(f.is_file() for f in files):
        pytest.skip("one of the per-version baselines is missing")
    with np.load(files[0]) as a, np.load(files[1]) as b:
        assert sorted(a.files) == sorted(b.files)
        for k in a.files:
            if a[k].dtype.kind == "f":
                assert np.allclose(a[k], b[k], rtol=1e-9, atol=0.0, equal_nan=True), k
            else:
                assert np.array_equal(a[k], b[k]), k


@pytest.mark.parametrize("case", ["baseline_0"])
def test_golden_cases_are_deterministic(case):
    index, kwargs = CASES[case]
    a, b = _run(index, kwargs), _run(index, kwargs)
    assert all(np.array_equal(a[k], b[k]) for k in a)


if __name__ == "__main__":  # pragma: no cover
    if "--update" in sys.argv[1:]:
        print(f"wrote {update()}")
    else:
        print(__doc__)
