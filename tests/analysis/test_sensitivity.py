"""The analysis layer of ``rift sensitivity`` on functions whose answer is known: the Ishigami
function's Sobol' indices, a ranking by Morris and delta, and the variance split between the
inputs and the seed (0 when the outcome ignores the seed, 1 when it is nothing else)."""

from __future__ import annotations

import numpy as np
import pytest

from rift.analysis.sensitivity import salib_indices, variance_split

PROBLEM = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}
#: The Ishigami function's indices (a = 7, b = 0.1; Saltelli et al. 2008, Table 4.2).
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(unit: np.ndarray) -> np.ndarray:
    x = np.pi * (2 * np.asarray(unit) - 1)
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def _sample(method: str, n: int, seed: int = 3) -> np.ndarray:
    from SALib.sample import latin, morris, sobol

    rng = np.random.default_rng(seed)
    if method == "sobol":
        return sobol.sample(PROBLEM, n, calc_second_order=False, seed=rng)
    if method == "morris":
        return morris.sample(PROBLEM, n, num_levels=4, seed=rng)
    return latin.sample(PROBLEM, n, seed=rng)


def _by(table, index):
    return table[table["index"] == index].set_index("factor")


def test_sobol_indices_of_the_ishigami_function_are_its_known_values():
    unit = _sample("sobol", 2048)
    table = salib_indices("sobol", PROBLEM, unit, ishigami(unit), seed=1)
    st, s1 = _by(table, "ST"), _by(table, "S1")
    for name in PROBLEM["names"]:
        assert st.at[name, "value"] == pytest.approx(ISHIGAMI_ST[name], abs=0.04)
        assert s1.at[name, "value"] == pytest.approx(ISHIGAMI_S1[name], abs=0.04)
        # the 95 % bootstrap interval holds the known value (within 0.02) and is not degenerate
        assert st.at[name, "ci_low"] - 0.02 < ISHIGAMI_ST[name] < st.at[name, "ci_high"] + 0.02
        assert st.at[name, "ci_high"] - st.at[name, "ci_low"] > 0


def test_same_seed_same_indices_and_no_global_random_state_is_used():
    unit = _sample("sobol", 256)
    y = ishigami(unit)
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is untouched)
    a = salib_indices("sobol", PROBLEM, unit, y, seed=7)
    b = salib_indices("sobol", PROBLEM, unit, y, seed=7)
    c = salib_indices("sobol", PROBLEM, unit, y, seed=8)
    assert a.equals(b)
    assert not a["ci_low"].equals(c["ci_low"])  # the seed drives the bootstrap
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_morris_ranks_the_ishigami_inputs_and_flags_the_interacting_one():
    unit = _sample("morris", 60)
    table = salib_indices("morris", PROBLEM, unit, ishigami(unit), seed=1)
    mu = _by(table, "mu_star")["value"]
    sigma = _by(table, "sigma")["value"]
    assert mu["x1"] > mu["x3"] and mu["x2"] > mu["x3"]
    # x3 acts only through its interaction with x1: its spread is as large as its mean effect
    assert sigma["x3"] > 0.8 * mu["x3"]
    assert np.isnan(_by(table, "sigma")["ci_low"]).all()  # SALib gives sigma no interval


@pytest.mark.slow
def test_delta_leaves_numpys_global_generator_and_the_warnings_as_it_found_them():
    unit = _sample("delta", 300)
    y = unit[:, 0] * 10 + 0.01 * unit[:, 2]  # x1 drives it, x2 not at all
    import warnings

    before = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is put back)
    formatter, filters = warnings.formatwarning, list(warnings.filters)
    table = salib_indices("delta", PROBLEM, unit, y, seed=1, resamples=5)
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    assert warnings.formatwarning is formatter and warnings.filters == filters
    delta = _by(table, "delta")["value"]
    assert delta["x1"] > 0.5 > 0.15 > delta["x2"]
    again = salib_indices("delta", PROBLEM, unit, y, seed=1, resamples=5)
    assert table.equals(again)


def test_the_seed_share_is_zero_when_the_outcome_ignores_the_seed():
    rng = np.random.default_rng(0)
    y = np.repeat(rng.normal(10, 2, size=(80, 1)), 3, axis=1)  # each point's replicates equal
    split = variance_split(y, seed=1)
    assert split.within == pytest.approx(0, abs=1e-12)
    assert split.seed_share == pytest.approx(0, abs=1e-12)
    assert split.between == pytest.approx(np.var(y[:, 0], ddof=1), rel=1e-9)
    assert split.share_high == pytest.approx(0, abs=1e-12)


def test_the_seed_share_is_one_when_the_outcome_is_only_the_seed():
    rng = np.random.default_rng(0)
    y = np.tile(rng.normal(10, 2, size=(1, 4)), (60, 1))  # replicate r the same at every point
    split = variance_split(y, seed=1)
    assert split.between == 0
    assert split.seed_share == 1
    assert split.share_low == 1


def test_the_split_recovers_known_parts_and_one_replicate_has_no_seed_share():
    rng = np.random.default_rng(4)
    points, reps = 2000, 3
    y = rng.normal(0, 2.0, size=(points, 1)) + rng.normal(0, 1.0, size=(points, reps))
    split = variance_split(y, seed=2)
    assert split.between == pytest.approx(4.0, rel=0.08)
    assert split.within == pytest.approx(1.0, rel=0.05)
    assert split.seed_share == pytest.approx(0.2, abs=0.02)
    assert split.share_low < 0.2 < split.share_high < 0.3
    one = variance_split(y[:, :1], seed=2)
    assert np.isnan(one.seed_share) and one.replicates == 1


def test_a_seed_common_to_every_point_is_the_seeds_share_not_the_inputs():
    # common random numbers: replicate r's seed moves every point alike (a crossed design);
    # a split that took the point means' variance less within / R would call the inputs'
    # part nothing here
    rng = np.random.default_rng(5)
    points, reps = 400, 40
    inputs = rng.normal(0, 1.0, size=(points, 1))
    seeds = rng.normal(0, 3.0, size=(1, reps))
    y = inputs + seeds + rng.normal(0, 0.5, size=(points, reps))
    split = variance_split(y, seed=3, resamples=20)
    assert split.between == pytest.approx(np.var(inputs, ddof=1), rel=0.05)
    assert split.within == pytest.approx(np.var(seeds, ddof=1) + 0.25, rel=0.05)
    naive = np.var(y.mean(axis=1), ddof=1) - split.within / reps
    assert naive < 0.9 * split.between


def test_a_point_with_a_failed_run_is_left_out_of_the_split():
    y = np.array([[1.0, 3.0, np.nan], [5.0, 7.0, 6.0], [2.0, 2.0, 2.0], [4.0, 6.0, 5.0]])
    split = variance_split(y, seed=1, resamples=10)
    assert split.within == pytest.approx(np.mean([1.0, 0.0, 1.0]))
