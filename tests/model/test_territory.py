"""The territory over whole runs: invariants every month, and its swappable rules."""

import numpy as np
import pytest

from rift.geography import load_geography
from rift.model import AllianceModel, rules
from rift.model.initial import build_initial_state
from rift.model.territory import Territory, TerritoryInputs
from rift.parameters import defaults

N = 1122


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_territory_invariants_hold_every_month(seed, monkeypatch):
    moved = []
    expansion = rules.expansion

    def checked(s, *args, **kwargs):
        new = expansion(s, *args, **kwargs)
        moved.append((s.sum(axis=1), new.sum(axis=1), np.abs(new - s).sum()))
        return new

    monkeypatch.setattr(rules, "expansion", checked)
    m = AllianceModel(rng=seed, collect=False)
    t = m.territory
    while m.running:
        coca_before = t.coca.sum()
        m.step()
        s, coca = t.s, t.coca
        assert np.all(s >= 0.0) and np.all(coca >= 0.0)
        assert np.all(np.isfinite(s)) and np.all(np.isfinite(coca))
        assert 0 <= t.present_count <= N and all(0 <= c <= N for c in t.presence_by_group)
        assert t.present_count == np.count_nonzero(t.presence.any(axis=0))
        assert t.presence_by_group == np.count_nonzero(t.presence, axis=1).tolist()
        assert np.all((t.zone >= 1) & (t.zone <= 5))
        assert np.array_equal(t.controller >= 0, t.zone >= 4)
        assert t.control_by_group == [int(np.sum(t.controller == g)) for g in range(3)]
        assert t.contested_count == np.count_nonzero(t.zone == 3)
        assert np.all((t.theta >= 0.0) & (t.theta <= 1.0))
        assert np.allclose(t.members_by_group, s.sum(axis=1), rtol=1e-15)
        assert t.coca_total == pytest.approx(coca.sum(), rel=1e-15)
        assert 0.0 <= t.eradicated <= coca_before
        assert t.new_displacement >= 0.0 and t.casualties >= 0.0
    assert len(moved) == 72
    assert sum(change > 0 for *_, change in moved) > 36  # fronts open in most months
    for before, after, _ in moved:  # what arrives is what left
        np.testing.assert_allclose(after, before, rtol=1e-12)


@pytest.fixture(scope="module")
def start():
    geo, p = load_geography(), defaults()
    return geo, p, build_initial_state(geo, p, np.random.default_rng(5))


def _inputs(geo, rng, **kw):
    base = {
        "e_level": 1.0,
        "attrition": 0.3,
        "capacity_multiplier": 1.0,
        "eradication_ha": 500.0,
        "sigma": np.full(3, 0.5),
        "uniforms": rng.random((3, geo.n_nodes)),
    }
    return TerritoryInputs(**{**base, **kw})


def test_the_coca_and_displacement_rules_are_the_ones_given(start):
    geo, p, init = start
    seen = []

    def frozen_coca(coca, theta, hectares, price, growth_factor):
        seen.append((theta.shape, hectares))
        return coca.copy(), 0.0

    t = Territory(
        geo, p, init, coca_rule=frozen_coca, displacement_rule=lambda v: 7.0 + v.contested
    )
    rng = np.random.default_rng(0)
    total = 0.0
    for _ in range(3):
        t.step(_inputs(geo, rng))
        assert t.new_displacement == 7.0 + t.contested_count
        total += t.new_displacement
    assert np.array_equal(t.coca, init.coca) and t.eradicated == 0.0
    assert seen == [((N,), 500.0)] * 3
    assert t.displacement_cum == total


def test_the_default_rules_are_the_documented_closures(start):
    geo, p, init = start
    assert p["variant.coca"] == "capacity" and p["variant.displacement"] == "casualties"
    a, b = Territory(geo, p, init), Territory(geo, p, init)
    b.coca_rule = lambda coca, theta, h, price, factor: rules.coca_logistic(
        coca,
        theta,
        h,
        growth_factor=factor,
        capacity=init.coca_capacity,
        growth=p["coca.growth_rate_per_yr"],
        abandon=p["coca.abandon_rate_per_yr"],
        replant=p["coca.replant_share"],
        dt=1.0 / 12.0,
    )
    b.displacement_rule = lambda v: rules.displacement_from_casualties(
        v,
        per_casualty=p["displacement.per_casualty"],
        per_contested=p["displacement.per_contested_month"],
        per_controlled=p["displacement.per_controlled_month"],
    )
    for k in range(3):
        a.step(_inputs(geo, np.random.default_rng(k)))
        b.step(_inputs(geo, np.random.default_rng(k)))
    assert np.array_equal(a.coca, b.coca) and np.array_equal(a.s, b.s)
    assert a.displacement_cum == b.displacement_cum > 0.0


def test_construction_does_not_modify_the_initial_state(start):
    geo, p, init = start
    kept = init.strength.copy(), init.coca.copy()
    t = Territory(geo, p, init)
    t.step(_inputs(geo, np.random.default_rng(1)))
    assert np.array_equal(init.strength, kept[0]) and np.array_equal(init.coca, kept[1])


def test_the_process_factors_scale_coca_growth_and_recruitment(start):
    """A factor above one grows coca and members faster, one below slower; one changes nothing."""
    geo, p, init = start
    out = {}
    for f in (0.5, 1.0, 2.0):
        t = Territory(geo, p, init)
        for k in range(6):
            t.step(
                _inputs(
                    geo, np.random.default_rng(k), eradication_ha=0.0,
                    coca_growth_factor=f, recruitment_factor=np.full((3, 1), f),
                )
            )  # fmt: skip
        out[f] = (t.coca_total, float(t.members_by_group.sum()))
    plain = Territory(geo, p, init)
    for k in range(6):
        plain.step(_inputs(geo, np.random.default_rng(k), eradication_ha=0.0))
    assert out[1.0] == (plain.coca_total, float(plain.members_by_group.sum()))
    assert out[0.5][0] < out[1.0][0] < out[2.0][0]
    assert out[0.5][1] < out[1.0][1] < out[2.0][1]


def test_process_shocks_are_drawn_each_january_with_mean_one():
    from rift.model import AllianceModel

    m = AllianceModel(rng=3, start="2025-01", end="2027-12", calibrated=False, collect=False)
    factors = []
    while m.running:
        m.step()
        factors.append(m._process.copy())
    f = np.array(factors)
    assert np.array_equal(f[0], f[11]) and not np.array_equal(f[11], f[12])
    assert np.array_equal(f[12], f[23]) and not np.array_equal(f[23], f[24])
    quiet = AllianceModel(
        rng=3, start="2025-01", end="2025-03", calibrated=False, collect=False,
        parameters={"process.coca_growth_sd": 0.0, "process.recruitment_sd": 0.0},
    )  # fmt: skip
    quiet.step()
    assert np.array_equal(quiet._process, np.ones(4))
    # mean one over many runs: the log factor is N(-sd^2 / 2, sd)
    logs = []
    for seed in range(300):
        r = AllianceModel(rng=seed, start="2025-01", end="2025-01", calibrated=False, collect=False)
        r.step()
        logs.append(np.log(r._process[0]))
    sd = r.p["process.coca_growth_sd"]
    assert np.mean(logs) == pytest.approx(-(sd**2) / 2, abs=3 * sd / np.sqrt(300))
    assert np.std(logs) == pytest.approx(sd, rel=0.15)
