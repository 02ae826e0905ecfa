"""Designs as batches: common random numbers across points, paired effects, same bits on
every executor, resume after an interrupt, and the registry's refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import rift
from rift.errors import InputError
from rift.experiment import resume_scenario, run_scenario
from rift.results import load, partial_path
from rift.runner.batch import plan_batch
from rift.runner.design import make_design, parse_grid
from rift.scenario import scenario_from_dict
from rift.seeds import run_label
from tests.conftest import ctrl_c_after

#: A short scenario from the 2025 state: registry spreads sampled, one intervention.
SHORT = {
    "name": "design_test",
    "runs": 3,
    "seed": 11,
    "start": "2025-01",
    "end": "2025-04",
    "interventions": [{"at": "2025-02", "set": {"us.intel_sharing": 0.5}}],
}


def _scenario(**changes):
    return scenario_from_dict({**SHORT, **changes})


def test_replicate_r_of_every_point_has_run_r_seed_and_samples():
    sc = _scenario()
    design = make_design({"col.aid_dependence": [0.05, 0.3, 0.6]}, replicates=3)
    plan = plan_batch(sc, design=design)
    plain = plan_batch(sc)  # the scenario's own batch of 3 runs
    assert plan.runs == 9 and "col.aid_dependence" in plan.parameter_names
    for r in range(3):
        own = plain.task(r)
        tasks = [plan.task(p * 3 + r) for p in range(3)]
        for p, t in enumerate(tasks):
            assert t.index == p * 3 + r
            assert t.seed.entropy == own.seed.entropy and t.seed.spawn_key == own.seed.spawn_key
            assert plan.seed_label(t.index) == run_label(sc.seed, r)
            assert t.sampled["col.aid_dependence"] == design.points[p][0]
            others = {k: v for k, v in t.sampled.items() if k != "col.aid_dependence"}
            assert others == {k: v for k, v in own.sampled.items() if k != "col.aid_dependence"}
            assert others  # the registry's spreads are sampled: the pairing is not trivial
    # replicates differ from one another (they are different runs of the scenario)
    assert plan.task(0).sampled != plan.task(1).sampled


def test_from_the_present_replicate_r_of_every_point_continues_the_same_particle():
    sc = scenario_from_dict({"name": "p", "runs": 2, "seed": 3, "start": "present"})
    plan = plan_batch(sc, design=make_design({"us.intel_sharing": [0.0, 1.0]}, replicates=2))
    for r in range(2):
        a, b = plan.task(r), plan.task(2 + r)
        assert a.state is b.state and a.state is not None
        assert (a.sampled["us.intel_sharing"], b.sampled["us.intel_sharing"]) == (0.0, 1.0)
        assert {k: v for k, v in a.sampled.items() if k != "us.intel_sharing"} == {
            k: v for k, v in b.sampled.items() if k != "us.intel_sharing"
        }
    assert plan.task(0).state is not plan.task(1).state


def test_a_design_batch_stores_point_replicate_and_the_replicate_seed(tmp_path):
    samples = pd.DataFrame({"col.aid_dependence": [0.05, 0.3], "us.intel_sharing": [0.0, 1.0]})
    res = rift.run_batch(
        _scenario(), samples=samples, replicates=2, executor="serial", out=tmp_path / "d"
    )
    runs = res.runs
    assert res.complete and len(runs) == 4
    assert runs["point"].tolist() == [0, 0, 1, 1]
    assert runs["replicate"].tolist() == [0, 1, 0, 1]
    assert runs["seed"].tolist() == [run_label(11, r) for r in (0, 1, 0, 1)]
    assert runs["param.col.aid_dependence"].tolist() == [0.05, 0.05, 0.3, 0.3]
    assert runs["param.us.intel_sharing"].tolist() == [0.0, 0.0, 1.0, 1.0]
    m = res.manifest
    assert m["runs"] == 4 and m["scenario"]["runs"] == 2
    assert m["design"]["columns"] == ["col.aid_dependence", "us.intel_sharing"]
    assert m["design"]["replicates"] == 2
    # a sampled input the design does not set is the same in replicate r of both points
    design = {"param.col.aid_dependence", "param.us.intel_sharing"}
    sampled = [c for c in runs if c.startswith("param.") and c not in design]
    assert sampled
    for c in sampled:
        assert runs[c].iloc[0] == runs[c].iloc[2] and runs[c].iloc[1] == runs[c].iloc[3]


def test_common_random_numbers_pair_away_the_seed_noise(tmp_path):
    """The effect of the coca growth rate, from paired replicates (2025, 8 replicates).

    Replicate by replicate the difference between two points is the parameter's effect
    without the seed's noise. On coca itself the effect is large and its paired 95 %
    interval excludes zero; on armed-group members, which a year of faster coca growth
    moves only a little, the paired differences spread far less than unpaired ones (the
    second point's replicates shifted by one), which is what the common seeds are for.
    Measured: coca +38,200 ha (paired sd 14,700); members paired sd 186 against 10,479.
    """
    sc = _scenario(end="2025-12", runs=8)
    samples = pd.DataFrame({"coca.growth_rate_per_yr": [0.05, 0.25]})
    res = rift.run_batch(sc, samples=samples, replicates=8, executor="serial", out=tmp_path / "e")

    def paired_and_unpaired(outcome):
        wide = res.runs.pivot(index="replicate", columns="point", values=outcome)
        low, high = wide[0].to_numpy(float), wide[1].to_numpy(float)
        return high - low, np.roll(high, 1) - low

    coca, _ = paired_and_unpaired("coca_ha")
    se = coca.std(ddof=1) / np.sqrt(len(coca))
    assert coca.mean() - 1.96 * se > 0, coca  # faster growth, more coca
    members, unpaired = paired_and_unpaired("members_total")
    assert members.std(ddof=1) < 0.1 * unpaired.std(ddof=1), (members, unpaired)


@pytest.mark.slow  # starts a process pool (a few seconds): CI runs it, the everyday run not
@pytest.mark.timeout(300)
def test_a_design_gives_the_same_bits_on_serial_and_process(tmp_path):
    samples = pd.DataFrame({"col.aid_dependence": [0.05, 0.3, 0.6]})
    kw = dict(samples=samples, replicates=2)
    a = rift.run_batch(_scenario(), executor="serial", out=tmp_path / "s", **kw)
    b = rift.run_batch(_scenario(), executor="process", workers=2, out=tmp_path / "p", **kw)
    _same(a, b)


@pytest.mark.slow  # starts a Dask cluster
@pytest.mark.timeout(300)
def test_a_design_gives_the_same_bits_on_dask(tmp_path):
    pytest.importorskip("distributed")
    samples = pd.DataFrame({"col.aid_dependence": [0.05, 0.3]})
    kw = dict(samples=samples, replicates=2)
    a = rift.run_batch(_scenario(), executor="serial", out=tmp_path / "s", **kw)
    b = rift.run_batch(_scenario(), executor="dask", workers=2, out=tmp_path / "k", **kw)
    _same(a, b)


def _same(a, b) -> None:
    drop = ["seconds"]
    pd.testing.assert_frame_equal(a.runs.drop(columns=drop), b.runs.drop(columns=drop))
    pd.testing.assert_frame_equal(a.series, b.series)
    assert np.array_equal(a.territory["controller"], b.territory["controller"])


def test_an_interrupted_design_resumes_only_its_missing_runs(tmp_path, monkeypatch):
    design = parse_grid(["col.aid_dependence=0.05,0.3", "us.intel_sharing=0,1"], replicates=2)
    assert design.runs == 8
    sc = _scenario(runs=2, end="2025-02")
    whole = run_scenario(sc, executor="serial", out=tmp_path / "whole", design=design)

    ctrl_c_after(monkeypatch, 3)
    cut = run_scenario(sc, executor="serial", out=tmp_path / "cut", design=design)
    monkeypatch.undo()
    assert not cut.complete and cut.runs_done == 3
    partial = load(partial_path(tmp_path / "cut"))
    assert partial.runs["run"].tolist() == [0, 1, 2]
    assert partial.runs["point"].tolist() == [0, 0, 1]  # read back from the parts

    done = resume_scenario(partial_path(tmp_path / "cut"), executor="serial")
    assert done.complete
    resumed = load(tmp_path / "cut")
    assert resumed.manifest["resumed"][0]["runs_already_done"] == 3
    assert resumed.manifest["design"] == load(whole.path).manifest["design"]
    _same(resumed, load(whole.path))


def test_values_outside_the_registry_range_are_refused():
    with pytest.raises(InputError, match=r"col\.aid_dependence.*outside the valid range"):
        make_design({"col.aid_dependence": [0.2, 1.5]})
    with pytest.raises(InputError, match=r"unknown parameter 'col\.aid_dependance'"):
        make_design({"col.aid_dependance": [0.2]})
    with pytest.raises(InputError, match="not a number"):
        make_design({"col.aid_dependence": ["lots"]}, text=True)
    with pytest.raises(InputError, match="no points"):
        make_design({"col.aid_dependence": []})
    with pytest.raises(InputError, match="replicates"):
        make_design({"col.aid_dependence": [0.2]}, replicates=0)
    with pytest.raises(InputError, match="samples"):
        rift.run_batch(_scenario(), samples={"col.aid_dependence": [0.2]}, executor="serial")
    with pytest.raises(InputError, match="runs= and samples="):
        rift.run_batch(_scenario(), samples=pd.DataFrame({"col.aid_dependence": [0.2]}), runs=3)
    with pytest.raises(InputError, match="replicates= without samples="):
        rift.run_batch(_scenario(), replicates=3)


def test_a_grid_is_the_cartesian_product_with_the_first_key_slowest():
    d = parse_grid(["col.aid_dependence=0.1,0.2", "us.intel_sharing=0,0.5,1"], replicates=2)
    assert d.columns == ("col.aid_dependence", "us.intel_sharing")
    assert d.points == (
        (0.1, 0.0), (0.1, 0.5), (0.1, 1.0), (0.2, 0.0), (0.2, 0.5), (0.2, 1.0),
    )  # fmt: skip
    assert d.runs == 12 and d.point_of(7) == (3, 1)
