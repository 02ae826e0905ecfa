"""A tweak stays paired: fixing one sampled input leaves every other input of every run alone.

Every sampled input is keyed by its name (not by its place among the others), so a batch
run with ``--set`` on one sampled parameter shares every other input with the batch it was
tweaked from, run by run; ``rift compare`` checks that from the stored inputs and says
"paired" only then.
"""

import numpy as np
import pytest

from rift.analysis.compare import check_pairing, compare
from rift.experiment import run_scenario
from rift.parameters import registry
from rift.results import load
from rift.runner.sampling import sample_uncertain
from rift.scenario import load_scenario, scenario_from_dict

# The yield per hectare enters one outcome only (potential cocaine output, coca x yield): no
# rule reads it, so fixing it can move nothing else in any run.
TWEAK = "coca.yield_kg_per_ha"
MOVED = {"cocaine_t"}


@pytest.fixture(scope="module")
def tweaked(tmp_path_factory):
    base = tmp_path_factory.mktemp("pairing")
    common = ["runs=200", "end=2026-12"]
    a = run_scenario(
        load_scenario("from_2025/full_rupture", common),
        executor="process",
        workers=2,
        out=base / "a",
    )
    b = run_scenario(
        load_scenario("from_2025/full_rupture", [*common, f"{TWEAK}=9.0"]),
        executor="process",
        workers=2,
        out=base / "b",
    )
    return load(a.path), load(b.path)


@pytest.mark.slow
def test_a_tweak_leaves_every_other_input_identical_run_by_run(tweaked):
    a, b = tweaked
    ra, rb = a.runs.set_index("run"), b.runs.set_index("run")
    cols = [c for c in ra.columns if c.startswith("param.")]
    assert f"param.{TWEAK}" in cols and f"param.{TWEAK}" not in rb.columns
    others = [c for c in cols if c != f"param.{TWEAK}"]
    assert len(others) > 150 and any(c.startswith("param.variant.") for c in others)
    for c in others:
        assert ra[c].astype(str).equals(rb[c].astype(str)), c
    assert (rb["seed"] == ra["seed"]).all()


@pytest.mark.slow
def test_an_outcome_the_tweak_cannot_move_differs_by_exactly_zero(tweaked):
    a, b = tweaked
    comp = compare([a, b])
    assert comp.paired and comp.pairings[0].changed == (TWEAK,)
    assert "paired by run index" in comp.note and TWEAK in comp.note
    d = comp.differences.set_index("outcome")
    unmoved = [o for o in d.index if o not in MOVED]
    assert len(unmoved) > 40
    for o in unmoved:
        row = d.loc[o]
        assert row["difference"] == 0 and row["ci_low"] == 0 and row["ci_high"] == 0, o
    assert d.loc["cocaine_t", "ci_low"] != d.loc["cocaine_t", "ci_high"]
    events = comp.events.dropna(subset=["difference"])
    assert len(events) and (events["difference"] == 0).all()


def test_fixing_or_adding_an_input_keeps_every_other_sampled_value():
    base = load_scenario("from_2025/full_rupture", ["runs=60"])
    table = sample_uncertain(base)
    data = base.canonical()
    data.pop("calibration", None)
    data["uncertain"]["col.aid_dependence"] = {"dist": "uniform", "low": 0.1, "high": 0.2}
    variants = [
        (
            "variant.china",
            load_scenario("from_2025/full_rupture", ["runs=60", "variant.china=none"]),
        ),
        (TWEAK, load_scenario("from_2025/full_rupture", ["runs=60", f"{TWEAK}=9.0"])),
        ("col.aid_dependence", scenario_from_dict(data)),
    ]
    for key, scenario in variants:
        other = sample_uncertain(scenario)
        assert set(other) ^ set(table) <= {key}
        for name, values in table.items():
            if name == key:
                continue
            assert np.array_equal(values.astype(str), other[name].astype(str)), (key, name)


def test_every_sampled_name_has_its_own_key():
    from rift.runner.sampling import dimension_keys

    names = sorted(n for n, p in registry().items() if p.uncertainty)
    keys = dimension_keys(20251215, names)
    assert keys.shape[1] == len(names)
    assert len({tuple(col) for col in keys.T}) == len(names)


def test_batches_whose_shared_inputs_differ_are_compared_unpaired(small_batches, tmp_path):
    a = small_batches["baseline"]
    # the same scenario and seed with another run count: a different Latin hypercube
    other = run_scenario(
        load_scenario("forecast_2025_12", ["runs=25", "end=2026-12"]),
        executor="serial",
        out=tmp_path / "b",
    )
    b = load(other.path)
    pairing = check_pairing(a, b)
    assert not pairing.paired and pairing.broken
    assert "run counts differ (24, 25)" in pairing.reason
    comp = compare([a, b])
    assert not comp.paired and "unpaired" in comp.note
    assert set(comp.differences["test"]) == {"Mann-Whitney U"}
