"""The lazy Latin hypercube: keyed permutations, run-by-run values, the calibrated draws."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rift.calibration import posterior
from rift.runner.permutation import ROUNDS, KeyedPermutation, keys_from, splitmix64
from rift.runner.sampling import Sampler, calibrated_names, sample_uncertain
from rift.scenario import scenario_from_dict


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 3000), d=st.integers(1, 4), seed=st.integers(0, 2**32))
def test_a_keyed_permutation_is_a_bijection_of_the_runs(n, d, seed):
    perm = KeyedPermutation(n, keys_from(np.random.SeedSequence(seed), d))
    image = perm(np.arange(n))
    assert image.shape == (n, d)
    for j in range(d):
        assert np.array_equal(np.sort(image[:, j]), np.arange(n))


def test_permutations_differ_by_key_and_repeat_for_the_same_key():
    a = KeyedPermutation(1000, keys_from(np.random.SeedSequence(1), 2))(np.arange(1000))
    b = KeyedPermutation(1000, keys_from(np.random.SeedSequence(1), 2))(np.arange(1000))
    c = KeyedPermutation(1000, keys_from(np.random.SeedSequence(2), 2))(np.arange(1000))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c) and not np.array_equal(a[:, 0], a[:, 1])
    # not close to the identity: a random permutation of 1000 has about one fixed point
    assert (a[:, 0] == np.arange(1000)).sum() < 10


def test_splitmix64_matches_its_reference_values():
    # The first outputs of SplitMix64 seeded with 0 (reference implementation by Vigna).
    # splitmix64(x) adds the golden gamma itself: state k is (k * gamma) mod 2**64.
    states = np.array([(k * 0x9E3779B97F4A7C15) % 2**64 for k in range(3)], dtype=np.uint64)
    outs = [int(v) for v in splitmix64(states)]
    assert outs[0] == 0xE220A8397B1DCDAF
    assert outs[1] == 0x6E789E6AA1B965F4
    assert outs[2] == 0x06C45D188009454F


def test_index_outside_the_domain_is_refused():
    perm = KeyedPermutation(10, np.zeros((ROUNDS, 1), dtype=np.uint64))
    with pytest.raises(IndexError):
        perm([10])


def _scenario(runs=200, **unc):
    return scenario_from_dict({"name": "s", "runs": runs, "seed": 11, "uncertain": unc})


@settings(max_examples=25, deadline=None)
@given(runs=st.integers(1, 500))
def test_each_dimension_has_one_run_in_each_stratum(runs):
    s = _scenario(
        runs,
        **{
            "col.aid_dependence": {"dist": "uniform", "low": 0.05, "high": 0.3},
            "us.hostility_noise": {"dist": "uniform", "low": 0.0, "high": 0.1},
        },
    )
    u = Sampler(s).uniforms(range(runs))
    assert u.min() >= 0 and u.max() < 1
    for j in range(u.shape[1]):
        assert np.array_equal(np.sort(np.floor(u[:, j] * runs).astype(int)), np.arange(runs))


def test_run_by_run_values_equal_the_whole_table():
    s = _scenario(
        300,
        **{
            "col.aid_dependence": {"dist": "beta", "a": 2, "b": 5, "low": 0.05, "high": 0.4},
            "rupture.months": {"dist": "choice", "values": [2, 3, 6], "weights": [0.25, 0.5, 0.25]},
        },
    )
    table = sample_uncertain(s)
    sampler = Sampler(s)
    for k in (0, 1, 150, 299):
        run = sampler.run(k)
        assert run["col.aid_dependence"] == table["col.aid_dependence"][k]
        assert run["rupture.months"] == table["rupture.months"][k]
    picks = table["rupture.months"].tolist()
    assert (picks.count(2), picks.count(3), picks.count(6)) == (75, 150, 75)  # stratified


@pytest.mark.parametrize("name", ["baseline", "from_2025/full_rupture", "conditional_restoration"])
def test_a_chunks_rows_are_each_runs_own_values_bit_for_bit(name):
    """A batch makes a chunk's tasks with one table (Sampler.rows): the same values, of the
    same Python types, as each run computed alone (what resume and the single-run API do)."""
    from rift.scenario import load_scenario

    sampler = Sampler(load_scenario(name), 64)
    picks = [0, 5, 6, 31, 63, 17]  # unsorted, as a chunk of a resumed batch may be
    rows = sampler.rows(picks)
    assert len(rows) == len(picks) and sampler.rows([]) == []
    for k, row in zip(picks, rows, strict=True):
        alone = sampler.run(k)
        assert row.keys() == alone.keys() and len(row) > 100
        for key, value in alone.items():
            assert type(row[key]) is type(value), key
            assert row[key] == value or (value != value and row[key] != row[key]), key


def test_calibrated_draws_follow_the_posterior_weights():
    post = posterior()
    s = scenario_from_dict({"name": "c", "runs": 2000, "seed": 3, "uncertain": "calibrated"})
    table = sample_uncertain(s)
    name = "coca.replant_share"
    assert name in table and len(table[name]) == 2000
    w = np.asarray(post.weights)
    j = post.names.index(name)
    mean = float(w @ post.samples[:, j])
    sd = float(np.sqrt(w @ (post.samples[:, j] - mean) ** 2))
    # systematic resampling: the sample mean is within a small fraction of the sd
    assert abs(table[name].mean() - mean) < 0.05 * sd
    # init.* particles belong to the calibration's first month only
    assert not any(k.startswith("init.") for k in calibrated_names(s))


def test_a_huge_batch_allocates_nothing_per_run_up_front():
    import tracemalloc

    def peak(runs: int) -> int:
        s = _scenario(runs, **{"col.aid_dependence": {"dist": "uniform", "low": 0.05, "high": 0.3}})
        Sampler(s).run(runs - 1)  # warm the caches (registry, posterior, scipy)
        tracemalloc.start()
        sampler = Sampler(s)
        sampler.run(runs - 1)
        used = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return used, len(sampler.parameter_names)

    small, d = peak(100)
    large, d_large = peak(100_000)
    assert d == d_large > 100  # every declared spread is a dimension
    # one float per run and dimension would be 100,000 x d x 8 bytes (over 80 MB)
    assert large - small < 200_000


@pytest.mark.parametrize(
    "spec",
    [
        {"dist": "uniform", "low": 0.2, "high": 3.5},
        {"dist": "triangular", "low": 0.0, "mode": 0.3, "high": 1.0},
        {"dist": "normal", "mean": 2.0, "sd": 0.7},
        {"dist": "truncnormal", "mean": 0.4, "sd": 0.3, "low": 0.0, "high": 1.0},
        {"dist": "truncnormal", "mean": -2.0, "sd": 0.5, "low": 0.1, "high": 0.9},
        {"dist": "lognormal", "median": 3.0, "sigma": 0.4},
        {"dist": "beta", "a": 2.0, "b": 5.0, "low": 1.0, "high": 4.0},
    ],
)
def test_quantiles_without_freezing_are_the_frozen_distributions_bits(spec):
    from rift.distributions import parse_distribution, quantile, to_scipy

    d = parse_distribution(spec)
    u = np.concatenate(([0.0, 1e-12], (np.arange(1000) + 0.5) / 1000, [1 - 1e-12, 1.0]))
    mine, frozen = quantile(d, u), to_scipy(d).ppf(u)
    assert mine.shape == u.shape
    np.testing.assert_array_equal(mine, frozen)  # bit for bit, NaN and infinities included
    assert np.isfinite(mine[1:-1]).all()


def test_the_tension_terms_are_whole_particles_of_their_posterior():
    """The alliance terms are drawn as rows of their ABC posterior (their correlations kept),
    by systematic resampling from a stream of their own: every other input is unchanged."""
    from rift.calibration import alliance_posterior
    from rift.runner.sampling import alliance_names

    post = alliance_posterior()
    s = scenario_from_dict({"name": "a", "runs": 1200, "seed": 5, "start": "2025-01"})
    assert alliance_names(s) == set(post.names)  # the 2025 hostilities too, from 2025-01
    table = sample_uncertain(s)
    drawn = np.column_stack([table[n].astype(float) for n in post.names])
    rows = {tuple(r) for r in post.samples}
    assert all(tuple(r) in rows for r in drawn)  # whole particles, never mixed
    j, k = (
        post.names.index("events.tension.reference"),
        post.names.index("events.tension.severity_step"),
    )
    w = post.weights / post.weights.sum()
    c = np.cov(post.samples[:, [j, k]].T, aweights=w)
    target = c[0, 1] / np.sqrt(c[0, 0] * c[1, 1])
    got = np.corrcoef(drawn[:, j], drawn[:, k])[0, 1]
    assert target < -0.3 and abs(got - target) < 0.08  # kept (independent marginals: ~0)
    # a later start keeps the 2025 hostilities on their registry spread
    later = scenario_from_dict({"name": "b", "runs": 50, "seed": 5, "start": "2019-01"})
    assert alliance_names(later) == {n for n in post.names if not n.startswith("init.")}
    # off with the calibrated draws, and nothing else moves when it is off
    off = scenario_from_dict(
        {
            "name": "c",
            "runs": 1200,
            "seed": 5,
            "start": "2025-01",
            "sampling": {"calibrated": False},
        }
    )
    assert alliance_names(off) == set()
    plain = sample_uncertain(off)
    same = [n for n in plain if n in table and n not in post.names and not n.startswith("coca")]
    assert len(same) > 100
    assert all(np.array_equal(plain[n], table[n]) for n in same if n not in posterior().names)
