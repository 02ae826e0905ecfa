"""Scenario discovery: PRIM finds planted boxes, its trajectory keeps its invariants, it gives
EMA Workbench's boxes on the same data, and the inputs and targets come from the batch."""

from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rift.analysis.discovery import (
    PrimResult,
    discovery_inputs,
    event_target,
    feature_scores,
    format_box,
    format_trajectory,
    outcome_target,
    prim,
    sdtoolkit_quantile,
)
from rift.errors import InputError
from rift.results import series_array


def planted(n: int = 600, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Four real inputs and two categorical ones; of interest: a > 0.5, b < 0.6, kind == "k2"
    (10 % of the runs), with 2 % of the labels flipped."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "a": rng.uniform(0, 1, n),
            "b": rng.uniform(0, 2, n) / 2,
            "noise1": rng.normal(0, 1, n),
            "noise2": rng.uniform(-5, 5, n),
            "kind": pd.Categorical(rng.choice(["k1", "k2", "k3"], n)),
            "flag": pd.Categorical(rng.choice(["0", "1"], n)),
        }
    )
    y = (x["a"] > 0.5) & (x["b"] < 0.6) & (x["kind"] == "k2")
    flip = rng.uniform(size=n) < 0.02
    return x, (y.to_numpy() ^ flip)


def test_sdtoolkit_quantile_moves_past_ties_and_takes_the_midpoint():
    # at an exact index the value ties with itself: halfway to the next one outwards
    assert sdtoolkit_quantile(np.arange(21.0), 0.05) == 1.5
    assert sdtoolkit_quantile(np.arange(21.0), 0.95) == 18.5
    assert sdtoolkit_quantile(np.array([0, 1, 2, 3.0]), 0.5) == 1.5  # between indices 1 and 2
    tied = np.array([1.0, 1, 1, 1, 2, 3])
    low = sdtoolkit_quantile(tied, 0.05)  # index 0.25: ties at 1 -> halfway to the 2
    assert low == 1.5
    high = sdtoolkit_quantile(np.array([0.0, 1, 2, 2, 2, 2]), 0.95)
    assert high == 1.5  # halfway from the last different value below
    with pytest.raises(ValueError):
        sdtoolkit_quantile(tied, 0.0)


def test_prim_recovers_the_planted_box():
    x, y = planted()
    res = prim(x, y, label="planted")
    i = res.choose(0.8)
    limits = res.limits(i).set_index("dimension")
    assert {"a", "b", "kind"} <= set(limits.index)
    assert limits.loc["a", "lower"] == pytest.approx(0.5, abs=0.05)
    assert limits.loc["b", "upper"] == pytest.approx(0.6, abs=0.075)  # 5 % peels: coarse
    assert limits.loc["kind", "kept"] == "k2"
    t = res.trajectory.iloc[i]
    assert t["density"] >= 0.8 and t["coverage"] >= 0.7
    # the planted limits are significant, a noise restriction (if any) is not as strong
    assert limits.loc["a", "qp_lower"] < 1e-6 and limits.loc["kind", "qp_lower"] < 1e-6
    for noise in {"noise1", "noise2"} & set(limits.index):
        assert np.nanmin(limits.loc[noise, ["qp_lower", "qp_upper"]].astype(float)) > 1e-6
    text = format_box(res, i)
    assert "a" in text and "in {k2}" in text and f"box {i}:" in text
    assert "<- chosen" in format_trajectory(res, i)


def test_the_trajectory_keeps_its_invariants():
    x, y = planted(n=500, seed=11)
    res = prim(x, y)
    t = res.trajectory
    total = y.sum()
    assert t["stage"].iloc[0] == "start" and t["coverage"].iloc[0] == 1.0
    assert t["density"].iloc[0] == pytest.approx(y.mean()) == pytest.approx(res.base_rate)
    assert np.allclose(t["coverage"], t["k"] / total)
    assert np.allclose(t["density"], t["k"] / t["n"])
    assert np.allclose(t["mass"], t["n"] / len(y))
    assert (t["mass"] >= res.mass_min).all()
    peel = t[t["stage"] != "paste"]
    assert (np.diff(peel["n"]) < 0).all()  # every peel removes runs
    assert (np.diff(peel["density"]) > 0).all()  # and raises the density (lenient objective)
    paste = t[t["stage"] == "paste"]
    if len(paste):
        assert (np.diff(t["n"].iloc[len(peel) - 1 :]) > 0).all()
    # each box's statistics are those of the runs inside its limits
    for i in range(len(t)):
        box = res.boxes[i]
        inside = np.ones(len(y), bool)
        for j, name in enumerate(res.real):
            v = x[name].to_numpy()
            inside &= (v >= box.lower[j]) & (v <= box.upper[j])
        for j, name in enumerate(res.categorical):
            labels = {res.categories[j][c] for c in box.cats[j]}
            inside &= x[name].astype(str).isin(labels).to_numpy()
        assert inside.sum() == t["n"].iloc[i] and y[inside].sum() == t["k"].iloc[i]
        assert t["res_dim"].iloc[i] == len(res.restricted(i))


def test_quasi_p_is_the_binomial_test_against_the_box_without_the_limit():
    x, y = planted(n=400, seed=5)
    res = prim(x, y, paste_alpha=None)
    i = len(res.trajectory) - 1
    row = res.trajectory.iloc[i]
    limits = res.limits(i).set_index("dimension")
    name = next(d for d in limits.index if limits.loc[d, "kind"] == "real")
    j = res.real.index(name)
    box = res.boxes[i]
    inside = np.ones(len(y), bool)  # the box with this dimension's lower limit removed
    for k, other in enumerate(res.real):
        lo = res.initial.lower[k] if other == name else box.lower[k]
        v = x[other].to_numpy()
        inside &= (v >= lo) & (v <= box.upper[k])
    for k, other in enumerate(res.categorical):
        inside &= x[other].astype(str).isin({res.categories[k][c] for c in box.cats[k]}).to_numpy()
    p = y[inside].mean()
    want = stats.binomtest(int(row["k"]), int(row["n"]), p, alternative="greater").pvalue
    got = limits.loc[name, "qp_lower"]
    if box.lower[j] == res.initial.lower[j]:
        assert np.isnan(got)
    else:
        assert got == pytest.approx(want, rel=1e-12)


def test_without_pasting_the_trajectory_only_peels():
    x, y = planted(n=500, seed=11)
    peeled = prim(x, y, paste_alpha=None)
    assert set(peeled.trajectory["stage"]) <= {"start", "peel"}
    pasted = prim(x, y)
    n = len(peeled.trajectory)
    pd.testing.assert_frame_equal(pasted.trajectory.iloc[:n], peeled.trajectory)


def rare_category(n: int = 500, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """A rare category (1 % of the runs) holding a third of the few cases of interest, and a
    real input that makes the rest likelier."""
    rng = np.random.default_rng(seed)
    rare = rng.uniform(size=n) < 0.01
    a = rng.uniform(0, 1, n)
    y = np.where(rare, rng.uniform(size=n) < 0.5, rng.uniform(size=n) < 0.02 + 0.38 * (a > 0.8))
    x = pd.DataFrame({"a": a, "v": pd.Categorical(np.where(rare, "rare", "common"))})
    return x, y


def test_peels_below_the_smallest_box_are_skipped_unless_ema_stop_is_asked():
    x, y = rare_category()
    ema = prim(x, y, skip_small=False)
    assert len(ema.trajectory) == 1  # the best peel (drop "common") is too small: EMA stops
    skipped = prim(x, y)
    assert len(skipped.trajectory) > 1
    last = skipped.limits(len(skipped.trajectory) - 1).set_index("dimension")
    assert last.loc["a", "lower"] == pytest.approx(0.8, abs=0.05)  # the real effect, found
    assert skipped.trajectory["density"].max() > 3 * skipped.base_rate


def test_the_default_choice_is_halfway_from_the_base_rate_to_the_densest_box():
    x, y = planted()
    res = prim(x, y)
    t = res.trajectory
    want = (y.mean() + t["density"].max()) / 2
    assert res.default_density() == pytest.approx(want)
    i = res.choose()
    assert t["density"].iloc[i] >= want
    assert (t.loc[t["density"] >= want, "coverage"] <= t["coverage"].iloc[i]).all()
    assert res.choose(1.01) == int(t["density"].idxmax())  # none reaches it: the densest


@pytest.mark.parametrize("bad", [{"alpha": 0.6}, {"mass_min": 0.0}, {"paste_alpha": 0.0}])
def test_bad_settings_are_input_errors(bad):
    x, y = planted(n=100)
    with pytest.raises(InputError):
        prim(x, y, **bad)


def test_no_case_or_only_cases_of_interest_is_an_input_error():
    x, _ = planted(n=100)
    for flat in (np.zeros(100, bool), np.ones(100, bool)):
        with pytest.raises(InputError, match="case of interest"):
            prim(x, flat)


# --- against EMA Workbench ------------------------------------------------------------------

HAS_EMA = importlib.util.find_spec("ema_workbench") is not None


def ema_prim(x: pd.DataFrame, y: np.ndarray):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim as eprim

        try:  # EMA 2.x asks for a threshold on y (0/1 here: any value in (0, 1])
            p = eprim.Prim(x.reset_index(drop=True), y.astype(int), threshold=0.5)
        except TypeError:  # EMA 3.x: y is the 0/1 flag
            p = eprim.Prim(x.reset_index(drop=True), y.astype(int))
        return p.find_box()


def assert_same_as_ema(res: PrimResult, box) -> None:
    ours, theirs = res.trajectory, box.peeling_trajectory
    assert len(ours) == len(theirs)
    for col in ("coverage", "density", "mass", "n", "k", "res_dim"):
        np.testing.assert_allclose(ours[col].to_numpy(float), theirs[col].to_numpy(float),
                                   rtol=0, atol=1e-12, err_msg=col)  # fmt: skip
    quasi = getattr(box, "qp", None) or box.p_values  # EMA 2.x: qp; 3.x: p_values
    for i in range(len(ours)):
        lims, qp = box.box_lims[i], quasi[i]
        for j, name in enumerate(res.real):
            assert res.boxes[i].lower[j] == pytest.approx(lims.loc[0, name], abs=1e-12)
            assert res.boxes[i].upper[j] == pytest.approx(lims.loc[1, name], abs=1e-12)
        for j, name in enumerate(res.categorical):
            kept = {res.categories[j][c] for c in res.boxes[i].cats[j]}
            assert kept == set(lims.loc[0, name])
        assert set(qp) == set(res.quasi_p[i])
        for name, (lo, hi) in res.quasi_p[i].items():
            want = [np.nan if v == -1 else v for v in qp[name]]
            np.testing.assert_allclose([lo, hi], want, rtol=1e-9, equal_nan=True)


@pytest.mark.skipif(not HAS_EMA, reason="ema_workbench does not install on this Python")
@pytest.mark.parametrize("seed", [11, pytest.param(3, marks=pytest.mark.slow)])  # EMA: 5 s on 3
def test_prim_gives_ema_workbenchs_boxes_on_planted_data(seed):
    x, y = planted(n=500, seed=seed)
    res = prim(x, y, skip_small=False)
    assert_same_as_ema(res, ema_prim(x, y))
    assert len(res.trajectory) > 5


@pytest.mark.skipif(not HAS_EMA, reason="ema_workbench does not install on this Python")
def test_prim_gives_ema_workbenchs_boxes_on_a_rift_batch(small_batches):
    res = small_batches["full_rupture"]
    target = event_target(res, "concession", "2026-06")
    x = discovery_inputs(res, target.exclude).loc[target.runs]
    assert 0 < target.y.sum() < len(target.y)
    ours = prim(x, target.y, skip_small=False)
    assert_same_as_ema(ours, ema_prim(x, target.y))
    assert len(ours.trajectory) > 1


# --- inputs and targets from a batch ---------------------------------------------------------


def test_inputs_are_the_sampled_parameters_and_the_runs_draws(small_batches):
    res = small_batches["baseline"]
    x = discovery_inputs(res)
    ok = res.ok_runs
    assert list(x.index) == list(ok["run"])
    params = [c for c in ok.columns if c.startswith("param.") and ok[c].nunique() > 1]
    assert {p.removeprefix("param.") for p in params} <= set(x.columns)
    for name in ("winner", "us_midterms_2026", "us_party_2028"):
        if ok[name].nunique(dropna=False) > 1:
            assert isinstance(x[name].dtype, pd.CategoricalDtype)
    assert all(x[c].nunique(dropna=False) > 1 for c in x.columns)  # constants left out
    variants = [c for c in x.columns if c.startswith("variant.")]
    assert variants and all(isinstance(x[c].dtype, pd.CategoricalDtype) for c in variants)
    assert "control_any" not in x and "margin" not in x  # outcomes are not inputs
    assert "winner" not in discovery_inputs(res, exclude=("winner",))


def test_a_batch_from_the_present_has_the_particle_each_run_starts_from(small_batches):
    import dataclasses

    from rift.analysis.discovery import RUN_PARTICLE

    res = small_batches["baseline"]
    assert "present_particle" not in discovery_inputs(res)  # a batch from 2025-01
    present = {"particles": 5, "run_particle": RUN_PARTICLE}
    res = dataclasses.replace(res, manifest={**res.manifest, "present": present})
    x = discovery_inputs(res)
    assert isinstance(x["present_particle"].dtype, pd.CategoricalDtype)
    np.testing.assert_array_equal(x["present_particle"].astype(int), x.index.to_numpy() % 5)
    design = res.runs.assign(replicate=res.runs["run"] % 3)  # a design with 3 replicates
    x = discovery_inputs(dataclasses.replace(res, runs=design))
    np.testing.assert_array_equal(x["present_particle"].astype(int), (x.index % 3) % 5)
    other = {**present, "run_particle": "another rule"}
    res = dataclasses.replace(res, manifest={**res.manifest, "present": other})
    assert "present_particle" not in discovery_inputs(res)  # never guessed


def test_outcome_targets_take_the_threshold_month_and_percentile(small_batches):
    res = small_batches["baseline"]
    ok = res.ok_runs
    t = outcome_target(res, "control_any", above="p80")
    cut = np.percentile(ok["control_any"].to_numpy(float), 80)
    np.testing.assert_array_equal(t.y, ok["control_any"].to_numpy(float) > cut)
    assert "80th percentile" in t.label and res.manifest["months"][-1] in t.label
    t = outcome_target(res, "control_any", below=400, month="2025-12")
    arr, runs, months = series_array(res, "control_any")
    np.testing.assert_array_equal(t.y, arr[:, months.index("2025-12")] < 400)
    np.testing.assert_array_equal(t.runs, runs)


def test_event_targets_count_the_event_by_the_month(small_batches):
    res = small_batches["full_rupture"]
    ok = res.ok_runs
    by_end = event_target(res, "rupture")
    np.testing.assert_array_equal(by_end.y, ok["rupture_month"].notna().to_numpy())
    early = event_target(res, "rupture_month", "2025-12")
    months = ok["rupture_month"].fillna("9999-99")
    np.testing.assert_array_equal(early.y, (months <= "2025-12").to_numpy())
    assert early.y.sum() <= by_end.y.sum()


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda r: outcome_target(r, "control_anyy", above=1), "--outcome"),
        (lambda r: outcome_target(r, "certification", above=1), "--outcome"),
        (lambda r: outcome_target(r, "control_any"), "--above/--below"),
        (lambda r: outcome_target(r, "control_any", above=1, below=2), "--above/--below"),
        (lambda r: outcome_target(r, "control_any", above="p100"), "--above"),
        (lambda r: outcome_target(r, "control_any", below="lots"), "--below"),
        (lambda r: outcome_target(r, "control_any", above=1, month="2031-01"), "--month"),
        (lambda r: outcome_target(r, "control_any", above=1, month="2025-13"), "--month"),
        (lambda r: outcome_target(r, "rupture_months", above=1, month="2025-06"), "--month"),
        (lambda r: event_target(r, "ruptur"), "--event"),
    ],
)
def test_bad_targets_name_the_key(small_batches, call, key):
    with pytest.raises(InputError) as err:
        call(small_batches["baseline"])
    assert err.value.key == key


# --- feature scores --------------------------------------------------------------------------

HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None


@pytest.mark.skipif(not HAS_SKLEARN, reason="scikit-learn (rift[toolkit]) is not installed")
def test_feature_scores_rank_the_planted_inputs_first_and_repeat_with_the_seed():
    x, y = planted(n=400)
    scores = feature_scores(x, y, seed=5)
    assert scores.sum() == pytest.approx(1.0)
    assert set(scores.index[:3]) == {"a", "b", "kind"}
    assert (np.diff(scores.to_numpy()) <= 0).all()
    again = feature_scores(x, y, seed=5)
    pd.testing.assert_series_equal(scores, again)  # same seed, same bits
    other = feature_scores(x, y, seed=6)
    assert not np.array_equal(other.to_numpy(), scores.to_numpy())
