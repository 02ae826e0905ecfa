"""Each territory rule on tiny hand-made arrays gives the value of its equation by hand."""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rift.model import rules

DT = 1.0 / 12.0


def _path(n: int) -> sp.csr_matrix:
    """Adjacency of the path 0 - 1 - ... - (n - 1)."""
    edges = np.arange(n - 1)
    link = sp.coo_matrix((np.ones(n - 1), (edges, edges + 1)), shape=(n, n))
    return (link + link.T).tocsr()


# ------------------------------------------------------------------ rent and capacity
def test_carrying_capacity_is_rent_over_cost_and_fixed_in_sanctuaries():
    extortion = np.array([1.0, 2.0, 0.0])  # two municipalities, one sanctuary
    coca = np.array([100.0, 0.0])
    rent, capacity = rules.carrying_capacity(
        extortion,
        coca,
        np.array([50.0]),
        rent_per_ha=0.001,
        multiplier=2.0,
        cost_per_member=0.01,
    )
    assert rent == pytest.approx([2.0 * (1.0 + 0.1), 4.0, 0.0])
    assert capacity == pytest.approx([220.0, 400.0, 50.0])
    assert np.array_equal(extortion, [1.0, 2.0, 0.0])  # inputs untouched


# ------------------------------------------------------------------ local dynamics
def test_recruitment_is_logistic_and_zero_at_capacity():
    r = np.array([[0.6], [0.3]])
    S = np.array([30.0, 10.0, 0.0, 50.0, 5.0])
    E = np.array([70.0, 40.0, 0.0, 450.0, 0.0])
    K = np.array([100.0, 100.0, 100.0, 100.0, 0.0])
    rate = rules.recruitment(S, E, K, r)
    # S + E = K: zero; half of K: r / 2; empty: r; five times K and no capacity: -r (cap 2).
    assert rate[0] == pytest.approx([0.0, 0.3, 0.6, -0.6, -0.6])
    assert rate[1] == pytest.approx([0.0, 0.15, 0.3, -0.3, -0.3])


def test_attrition_losses_are_proportional_to_the_members():
    reach = np.array([0.0, 0.5, 1.0])
    a = rules.attrition(reach, 0.4)
    assert a == pytest.approx([0.0, 0.2, 0.4])
    s = np.array([[10.0, 10.0, 10.0], [20.0, 40.0, 80.0]])
    after = rules.euler_step(s, -np.broadcast_to(a, s.shape), DT)
    loss = s - after
    assert loss[1] == pytest.approx(2.0 * loss[0] * [1, 2, 4])  # loss = dt a q s
    assert loss[0] == pytest.approx(DT * a * 10.0)


def test_rival_combat_follows_the_local_balance():
    s = np.array([[10.0, 30.0, 0.0, 7.0], [10.0, 10.0, 0.0, 0.0]])
    k = 0.5
    rate = rules.rival_combat(s, s.sum(axis=0), k)
    # Even split: k / 2 each; 3:1: k / 4 for the stronger, 3 k / 4 for the weaker.
    assert rate[:, 0] == pytest.approx([0.25, 0.25])
    assert rate[:, 1] == pytest.approx([0.125, 0.375])
    loss = rate * s  # the square law: each side's loss is k s_a s_b / S, the same for both
    assert loss[0, 1] == pytest.approx(loss[1, 1])
    assert np.array_equal(loss[:, 2:], np.zeros((2, 2)))  # nobody there, or a group alone


def test_euler_step_never_goes_below_zero():
    s = np.array([[10.0, 10.0]])
    after = rules.euler_step(s, np.array([[1.2, -30.0]]), DT)
    np.testing.assert_allclose(after, [[11.0, 0.0]], rtol=1e-15)


# ------------------------------------------------------------------ expansion
def test_front_hazard_rises_with_free_capacity_and_saturates():
    free = np.array([0.0, 8.0, 1e12])
    h = rules.front_hazard(free, np.array([1.2, 0.0]), half_capacity=8.0, dt=DT)
    assert h[0] == pytest.approx([0.0, 0.05, 0.1])
    assert np.array_equal(h[1], np.zeros(3))


def _fronts_on_a_path(u: float, free_middle: float = 100.0):
    """One group, nodes 0 - 1 - 2 - 3: a source of 50 at node 0, nobody elsewhere."""
    s = np.array([[50.0, 0.0, 0.0, 0.0]])
    free = np.array([0.0, free_middle, 100.0, 100.0])
    source = s * (s >= 40.0)
    fronts = rules.open_fronts(
        s < 5.0,
        free,
        source,
        _path(4),
        np.array([1e6]),  # hazard so high that P = 1 wherever a front can open
        np.full((1, 4), u),
        detachment=20.0,
        half_capacity=8.0,
        dt=DT,
    )
    return s, source, fronts


def test_fronts_open_only_next_to_a_source_with_room_and_a_lucky_draw():
    _, _, fronts = _fronts_on_a_path(u=0.0)
    assert fronts.group.tolist() == [0] and fronts.node.tolist() == [1]  # not nodes 2 or 3
    # D / nb_source at the front's neighbours (only a source there gives anything)
    assert fronts.ask[0] == pytest.approx([20.0 / 50.0, 0.0, 20.0 / 50.0, 0.0])
    assert len(_fronts_on_a_path(u=1.0 - 1e-12)[2].group) == 1  # P = 1 - exp(-huge)
    assert len(_fronts_on_a_path(u=0.0, free_middle=20.0)[2].group) == 0  # f > D needed


def test_a_front_takes_a_detachment_from_its_sources_in_proportion_to_strength():
    # Sources of 40 and 60 on both sides of an empty node 1.
    s = np.array([[40.0, 0.0, 60.0]])
    source = s * (s >= 40.0)
    fronts = rules.open_fronts(
        s < 5.0,
        np.array([0.0, 100.0, 0.0]),
        source,
        _path(3),
        np.array([1e6]),
        np.zeros((1, 3)),
        detachment=20.0,
        half_capacity=8.0,
        dt=DT,
    )
    new = rules.move_detachments(s, source, fronts, detachment=20.0)
    assert new[0] == pytest.approx([40.0 - 8.0, 20.0, 60.0 - 12.0])


def test_a_source_keeps_its_last_detachment_and_arrivals_equal_departures():
    # A source of 45 between two fronts asks 20 + 20 of it; it can give only 45 - 20 = 25.
    s = np.array([[0.0, 45.0, 0.0]])
    source = s * (s >= 40.0)
    fronts = rules.open_fronts(
        s < 5.0,
        np.array([100.0, 0.0, 100.0]),
        source,
        _path(3),
        np.array([1e6]),
        np.zeros((1, 3)),
        detachment=20.0,
        half_capacity=8.0,
        dt=DT,
    )
    new = rules.move_detachments(s, source, fronts, detachment=20.0)
    assert new[0] == pytest.approx([12.5, 20.0, 12.5])
    assert new.sum() == pytest.approx(s.sum(), rel=1e-15)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_expansion_conserves_members(data):
    n, G = 12, 3
    s = data.draw(arrays(np.float64, (G, n), elements=st.sampled_from([0.0, 3.0, 41.0, 90.0])))
    K = data.draw(arrays(np.float64, n, elements=st.floats(0, 300)))
    E = data.draw(arrays(np.float64, n, elements=st.floats(0, 50)))
    u = data.draw(arrays(np.float64, (G, n), elements=st.floats(0, 1, exclude_max=True)))
    new = rules.expansion(
        s,
        K,
        E,
        _path(n),
        np.array([30.0, 60.0, 120.0]),
        u,
        detachment=20.0,
        half_capacity=8.0,
        presence_floor=5.0,
        dt=DT,
    )
    assert np.all(new >= 0.0)
    assert new.sum(axis=1) == pytest.approx(s.sum(axis=1), rel=1e-12, abs=1e-9)
    gained = new > s
    assert np.all(s[gained] < 5.0)  # detachments go only where the group was absent
    assert np.all(new[new < s] >= 20.0 - 1e-9)  # and every source keeps a detachment


# ------------------------------------------------------------------ coca
def test_eradication_is_spread_over_reachable_coca():
    coca = np.array([100.0, 100.0, 50.0, 0.0])
    theta = np.array([0.0, 0.5, 1.0, 0.0])  # reachable 100, 50, 0, 0
    assert rules.eradication(coca, theta, 30.0) == pytest.approx([20.0, 10.0, 0.0, 0.0])
    assert rules.eradication(coca, theta, 1e6) == pytest.approx([100.0, 100.0, 0.0, 0.0])
    assert np.array_equal(rules.eradication(coca, theta, 0.0), np.zeros(4))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_eradication_never_exceeds_coca_nor_the_target(data):
    n = data.draw(st.integers(1, 20))
    # Hectares of coca are 0 or at least a square centimetre (1e-8 ha): a total reachable
    # area near the smallest double would overflow ``H / total``, far outside the model.
    hectares_each = st.one_of(st.just(0.0), st.floats(1e-8, 1e5))
    coca = data.draw(arrays(np.float64, n, elements=hectares_each))
    theta = data.draw(arrays(np.float64, n, elements=st.floats(0, 1)))
    hectares = data.draw(st.floats(0, 1e6))
    e = rules.eradication(coca, theta, hectares)
    assert np.all(e >= 0.0) and np.all(e <= coca)
    assert e.sum() <= hectares * (1 + 1e-12) + 1e-9


def test_coca_grows_logistically_where_armed_groups_dominate():
    cap = np.array([200.0, 200.0, 200.0, 0.0])
    coca = np.array([100.0, 200.0, 100.0, 0.0])
    theta = np.array([1.0, 1.0, 0.0, 1.0])
    new, erased = rules.coca_logistic(
        coca, theta, 0.0, capacity=cap, growth=0.6, abandon=0.12, replant=0.5, dt=DT
    )
    # Half full, armed control: rate g / 2; full: 0; state control: -a; no suitable land: 0.
    assert new == pytest.approx([100.0 * (1 + DT * 0.3), 200.0, 100.0 * (1 - DT * 0.12), 0.0])
    assert erased == 0.0


def test_coca_loses_the_eradicated_hectares_not_replanted():
    coca, theta, cap = np.array([100.0]), np.array([0.0]), np.array([200.0])
    kw = {"capacity": cap, "growth": 0.6, "abandon": 0.0, "replant": 0.25, "dt": DT}
    new, erased = rules.coca_logistic(coca, theta, 40.0, **kw)
    assert erased == pytest.approx(40.0)
    assert new == pytest.approx([100.0 - 0.75 * 40.0])


# ------------------------------------------------------------------ control
def test_armed_share():
    theta = rules.armed_share(np.array([0.0, 30.0, 10.0]), np.array([0.0, 30.0, 0.0]))
    assert theta == pytest.approx([0.0, 0.5, 1.0])


_ZONES = {"cuts": (0.2, 0.4, 0.6, 0.8), "contest_ratio": 0.5, "presence_floor": 5.0}


def test_zones_at_the_cut_points():
    theta = np.array([0.0, 0.2 - 1e-12, 0.2, 0.4, 0.6, 0.8, 1.0])
    zero = np.zeros(len(theta))
    zone = rules.kalyvas_zones(theta, zero + 100.0, zero, **_ZONES)
    assert zone.dtype == np.int8
    assert zone.tolist() == [1, 1, 2, 3, 4, 5, 5]


def test_a_rival_of_comparable_strength_contests_armed_zones_only():
    theta = np.array([0.9, 0.9, 0.9, 0.7, 0.3, 0.9])
    strongest = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 8.0])
    second = np.array([50.0, 49.0, 0.0, 60.0, 60.0, 4.0])
    zone = rules.kalyvas_zones(theta, strongest, second, **_ZONES)
    # ratio reached: 3; just below: kept; in a state zone: kept; rival below the floor: kept.
    assert zone.tolist() == [3, 5, 5, 3, 2, 5]


def test_revenue_splits_the_armed_share_of_rent_by_members():
    s = np.array([[30.0, 0.0], [10.0, 0.0]])
    rev = rules.revenue(s, s.sum(axis=0), np.array([8.0, 5.0]), np.array([0.5, 0.0]))
    assert rev == pytest.approx([3.0, 1.0])


# ------------------------------------------------------------------ displacement
def test_displacement_from_casualties_contested_and_controlled_municipalities():
    v = rules.Violence(clash_casualties=5.0, operation_casualties=7.0, contested=3, controlled=9)
    d = rules.displacement_from_casualties(
        v, per_casualty=30.0, per_contested=25.0, per_controlled=4.0
    )
    assert d == pytest.approx(30.0 * 12.0 + 25.0 * 3 + 4.0 * 9)
    more = rules.Violence(clash_casualties=5.0, operation_casualties=7.0, contested=3,
                          controlled=19)  # fmt: skip
    d_more = rules.displacement_from_casualties(
        more, per_casualty=30.0, per_contested=25.0, per_controlled=4.0
    )
    assert d_more - d == pytest.approx(40.0)  # ten more controlled municipalities, 4 each


def test_displacement_from_violence_against_civilians():
    v = rules.Violence(clash_casualties=5.0, operation_casualties=7.0, contested=3, controlled=9)
    d = rules.displacement_from_civilian_violence(
        v, per_contested=37.0, per_controlled=8.6, per_clash_casualty=150.0,
        per_operation_casualty=75.0,
    )  # fmt: skip
    assert d == pytest.approx(37.0 * 3 + 8.6 * 9 + 150.0 * 5 + 75.0 * 7)
    calmer = rules.Violence(5.0, 7.0, 2, 9)
    assert rules.displacement_from_civilian_violence(
        calmer, per_contested=37.0, per_controlled=8.6, per_clash_casualty=150.0,
        per_operation_casualty=75.0,
    ) < d  # fmt: skip


def test_the_price_closure_grows_with_the_price_and_has_no_cap():
    coca = np.array([100.0, 1e6])
    theta = np.array([1.0, 1.0])
    kw = {"growth": 0.6, "abandon": 0.1, "replant": 0.5, "dt": 1.0 / 12.0}
    low, _ = rules.coca_priced(coca, theta, 0.0, 0.5, **kw)
    high, _ = rules.coca_priced(coca, theta, 0.0, 2.0, **kw)
    assert (high > low).all() and high[1] > coca[1]  # no carrying capacity
    assert high == pytest.approx(coca * (1 + 0.6 * 2.0 / 12))


def test_the_price_index_falls_with_oversupply_and_rises_with_fewer_seizures():
    kw = {"supply_reference": 253000.0, "supply_elasticity": 1.0, "seizure_reference": 0.28,
          "seizure_elasticity": 0.6}  # fmt: skip
    assert rules.coca_price_index(253000.0, 1.0, **kw) == pytest.approx(1.0)
    assert rules.coca_price_index(506000.0, 1.0, **kw) == pytest.approx(0.5)
    fewer_seizures = rules.coca_price_index(253000.0, 0.5, **kw)
    assert fewer_seizures == pytest.approx((0.86 / 0.72) ** 0.6)
