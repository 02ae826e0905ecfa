"""SALib's sample as a design: the inputs a scenario samples, each column mapped through its
distribution, the same sample for the same seed, groups, and the refusals of bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rift.errors import InputError
from rift.parameters import registry
from rift.runner.sampling import Sampler
from rift.runner.sensitivity import SensitivityDesign, plan_sensitivity, sensitivity_inputs
from rift.scenario import scenario_from_dict

SHORT = {"name": "sens_design", "runs": 2, "seed": 11, "start": "2025-01", "end": "2025-02"}


def _scenario(**changes):
    return scenario_from_dict({**SHORT, **changes})


def test_the_inputs_are_what_the_batch_samples_by_a_distribution_of_its_own():
    sc = _scenario(uncertain={"zone.cut_4": {"dist": "uniform", "low": 0.5, "high": 0.7}})
    names = sensitivity_inputs(sc)
    assert names == sorted(Sampler(sc, 1).names)
    assert "zone.cut_4" in names and "col.aid_dependence" in names
    assert "zone.cut_4" not in sensitivity_inputs(_scenario())  # calibrated: drawn jointly
    fixed = _scenario(parameters={"col.aid_dependence": 0.2})
    assert "col.aid_dependence" not in sensitivity_inputs(fixed)  # a fixed value is not varied
    assert sensitivity_inputs(sc, ["zone.cut_4", "col."]) == sorted(
        ["zone.cut_4", *(n for n in names if n.startswith("col."))]
    )


def test_each_column_is_its_inputs_quantile_and_the_same_seed_gives_the_same_design():
    sc = _scenario()
    plan = plan_sensitivity(sc, "sobol", 8, parameters=["col.aid_dependence", "variant.china"])
    assert plan.points == 8 * (2 + 2)
    design = plan.design(sc, replicates=2)
    assert design.runs == 64 and design.columns == ("col.aid_dependence", "variant.china")
    unit = plan.unit_sample()
    spec = registry()["col.aid_dependence"].uncertainty  # uniform(0.05, 0.3)
    aid = np.array([p[0] for p in design.points])
    expected = spec["low"] + unit[:, 0] * (spec["high"] - spec["low"])
    np.testing.assert_allclose(aid, expected, rtol=1e-9)
    assert {p[1] for p in design.points} == {"none", "moderate", "strong"}
    again = plan_sensitivity(sc, "sobol", 8, parameters=["col.aid_dependence", "variant.china"])
    assert again.design(sc, 2).points == design.points
    other = plan_sensitivity(
        _scenario(seed=12), "sobol", 8, parameters=["col.aid_dependence", "variant.china"]
    )
    assert not np.array_equal(other.unit_sample()[:, 0], unit[:, 0])


def test_morris_levels_stand_for_the_centres_of_equal_probability_bins():
    sc = _scenario()
    plan = plan_sensitivity(sc, "morris", 3, parameters=["col.aid_dependence", "us.aid_total_musd"])
    assert plan.points == 3 * 3
    q = plan.quantiles(plan.unit_sample())
    assert set(np.round(q.ravel(), 9)) <= {0.125, 0.375, 0.625, 0.875}


def test_groups_are_the_first_part_of_the_names_and_the_record_round_trips():
    sc = _scenario()
    plan = plan_sensitivity(sc, "sobol", 4, groups=True)
    assert plan.factors == list(dict.fromkeys(n.split(".")[0] for n in plan.names))
    assert {"us", "col", "events", "election"} <= set(plan.factors)
    assert plan.points == 4 * (len(plan.factors) + 2)
    assert SensitivityDesign.from_record(plan.record()) == plan
    with pytest.raises(InputError, match="not a sensitivity record"):
        SensitivityDesign.from_record({**plan.record(), "method": "fast"})


@pytest.mark.parametrize(
    ("kwargs", "key", "fragment"),
    [
        ({"method": "sobel", "samples": 8}, "--method", "Did you mean 'sobol'?"),
        ({"method": "sobol", "samples": 30}, "--samples", "a power of 2"),
        ({"method": "morris", "samples": 1}, "--samples", "at least 2"),
        ({"method": "delta", "samples": 8, "groups": True}, "--groups", "delta has no groups"),
        ({"method": "sobol", "samples": 8, "parameters": ["col.aid_dependance"]},
         "--parameters col.aid_dependance", "Did you mean 'col.aid_dependence'?"),
        ({"method": "sobol", "samples": 8, "parameters": ["us.intel_sharing"]},
         "--parameters us.intel_sharing", "not an input the scenario samples"),
        ({"method": "sobol", "samples": 8, "parameters": ["col.aid_dependence"]},
         "--parameters", "at least two inputs"),
    ],
)  # fmt: skip
def test_bad_designs_are_refused_naming_the_option(kwargs, key, fragment):
    kwargs = dict(kwargs)
    method, samples = kwargs.pop("method"), kwargs.pop("samples")
    with pytest.raises(InputError) as err:
        plan_sensitivity(_scenario(), method, samples, **kwargs)
    assert err.value.key == key and fragment in err.value.message()


def test_too_many_runs_are_refused_before_anything_runs():
    sc = _scenario()
    plan = plan_sensitivity(sc, "sobol", 2**14)
    with pytest.raises(InputError, match="runs in one batch"):
        plan.design(sc, replicates=4)
