"""The 2026 election engine: invariants, fixed inputs, common random numbers, driver effects."""

from __future__ import annotations

import ast
import csv
import dataclasses
import datetime as dt
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rift.election_inputs import check_runoff, check_shares, check_shift, shifted_prior
from rift.errors import InputError
from rift.model.congress import DRAWS_PER_CONGRESS, governability, simulate_congress
from rift.model.election import (
    DRAWS_PER_ELECTION,
    Drivers,
    ElectionParams,
    simulate_election,
    simulate_elections,
)
from rift.model.election_data import (
    BLOCS,
    DATA_HORIZON,
    NON_CANDIDATES,
    candidate_blocs,
    poll_average,
    poll_prior,
    read_table,
    result_shares,
    senate_2026_base,
)
from rift.parameters import defaults

from ..conftest import paired_interval

PARAMS = ElectionParams.from_mapping(defaults())
PRIOR = poll_prior()
FILES = ("results.csv", "polls.csv", "candidates.csv", "congress_2022.csv", "approval.csv")

unit = st.floats(-1.0, 1.0, allow_nan=False)
drivers_st = st.builds(
    Drivers,
    approval_change=unit,
    armed_control_change=unit,
    tariff_change=unit,
    us_coercion_change=unit,
    us_endorsement=unit,
)


# ----------------------------------------------------------------------------- data
def test_every_data_row_has_a_source_and_no_date_after_the_horizon():
    for name in FILES:
        rows = read_table(name)
        assert rows, name
        for row in rows:
            assert row["source"].strip(), (name, row)
            for key in ("date", "published", "field_start", "field_end"):
                text = (row.get(key) or "").strip()
                if not text:
                    continue
                if len(text) == 7:  # YYYY-MM
                    text += "-01"
                assert dt.date.fromisoformat(text) <= DATA_HORIZON, (name, key, row)


def test_the_data_readme_documents_the_columns_and_files_the_loader_uses():
    text = resources.files("rift.data").joinpath("elections", "README.md").read_text("utf-8")
    assert "2025-12-31" in text and "poll_set" in text and "candidates.csv" in text


def test_candidate_map_covers_every_candidate_with_a_valid_bloc_and_reason():
    blocs = candidate_blocs()
    assert set(blocs.values()) <= set(BLOCS)
    for row in read_table("candidates.csv"):
        assert row["reason"].strip() and row["source"].strip(), row
    for row in read_table("polls.csv"):
        if row["candidate"] not in NON_CANDIDATES:
            assert (int(row["election_year"]), row["candidate"]) in blocs, row
    for row in read_table("results.csv"):
        if row["bloc"] != "-":
            key = (int(row["year"]), row["candidate"])
            assert blocs[key] == row["bloc"], row  # the same label as the results file


def test_2026_candidates_in_the_named_blocs():
    blocs = candidate_blocs()
    assert blocs[(2026, "Iván Cepeda")] == "left"
    assert blocs[(2026, "Abelardo de la Espriella")] == "right"
    assert blocs[(2026, "Sergio Fajardo")] == "centre"


def test_poll_prior_uses_the_latest_comparable_polls_on_a_decided_basis():
    assert len(PRIOR.polls) == 2
    assert all(p.startswith(("Invamer", "Centro Nacional")) for p in PRIOR.polls)
    assert sum(PRIOR.shares.values()) == pytest.approx(1.0)
    # Invamer: 31.9 Cepeda of 82.5 named; CNC: 20.9 of 58.7 named.
    expected_left = (31.9 / 82.5 + 20.9 / 58.7) / 2
    assert PRIOR.shares["left"] == pytest.approx(expected_left, abs=1e-3)
    assert 150 < PRIOR.days_before < 200
    with pytest.raises(ValueError, match="horizon"):
        poll_prior("2026-01-15")
    assert poll_prior("2025-08-01").polls == ("Guarumo-EcoAnalítica (2025-07-07)",)


def test_results_by_bloc_match_the_published_shares():
    r = result_shares(2018, 1)
    total = 39.14 + 25.08 + 23.73 + 7.28 + 2.06 + 0.39 + 0.19
    assert r["left"] == pytest.approx(25.08 / total)
    assert set(result_shares(2022, 2)) == {"left", "right"}
    assert senate_2026_base()["left"] == pytest.approx(21 / 102)


def test_truncated_polls_are_left_out_of_the_average():
    # Cifras y Conceptos 2014 lists only Santos and Zuluaga: not comparable by bloc.
    assert not any(p.startswith("Cifras") for p in poll_average(2014, 1).polls)


# ----------------------------------------------------------------------------- invariants
@settings(max_examples=60, deadline=None)
@given(drivers=drivers_st, seed=st.integers(0, 2**32 - 1))
def test_shares_are_a_composition_and_the_winner_is_a_finalist(drivers, seed):
    out = simulate_election(PRIOR, drivers, PARAMS, np.random.default_rng(seed))
    s = out.first_round
    assert all(0.0 <= s[b] <= 1.0 for b in BLOCS)
    assert sum(s.values()) == pytest.approx(1.0)
    assert 0.0 <= out.margin <= 1.0
    if out.decided_in_first_round:
        assert out.runoff is None and out.runoff_pair is None
        lead = PARAMS.concentration[out.winner] * s[out.winner] * (1 - PARAMS.blank_share)
        assert lead > 0.5
    else:
        assert out.winner == out.runoff_pair[0] and set(out.runoff) == set(out.runoff_pair)
        assert sum(out.runoff.values()) == pytest.approx(1.0)
        assert out.runoff[out.winner] >= 0.5
    rec = out.record()
    assert rec["winner"] == out.winner and len(rec) == 3 + 3 + 3


@settings(max_examples=40, deadline=None)
@given(
    drivers=drivers_st,
    seed=st.integers(0, 2**32 - 1),
    fixed=st.sampled_from(["none", "first", "runoff", "both", "shift"]),
)
def test_every_branch_draws_the_same_number_of_normals(drivers, seed, fixed):
    kwargs = {
        "none": {},
        "first": {"first_round": {"left": 0.6, "centre": 0.1, "right": 0.3}},  # decided
        "runoff": {"runoff": {"centre": 0.55, "right": 0.45}},
        "both": {
            "first_round": {"left": 0.3, "centre": 0.3, "right": 0.4},
            "runoff": {"left": 0.49, "right": 0.51},
        },
        "shift": {"shift": {"centre": 5.0}},
    }[fixed]
    rng = np.random.default_rng(seed)
    simulate_election(PRIOR, drivers, PARAMS, rng, **kwargs)
    reference = np.random.default_rng(seed)
    reference.standard_normal(DRAWS_PER_ELECTION)
    assert rng.bit_generator.state == reference.bit_generator.state
    rng = np.random.default_rng(seed)
    simulate_congress(PRIOR, PARAMS, rng)
    reference = np.random.default_rng(seed)
    reference.standard_normal(DRAWS_PER_CONGRESS)
    assert rng.bit_generator.state == reference.bit_generator.state


def test_vectorised_core_matches_single_calls():
    rng = np.random.default_rng(7)
    many = simulate_elections(PRIOR, Drivers(), PARAMS, rng, 5)
    rng = np.random.default_rng(7)
    eps = rng.standard_normal((5, DRAWS_PER_ELECTION))
    rng = np.random.default_rng(7)
    singles = [simulate_election(PRIOR, Drivers(), PARAMS, rng) for _ in range(5)]
    assert eps.shape == (5, 4)
    for i, one in enumerate(singles):
        assert one.first_round["left"] == pytest.approx(many["first_round"][i, 0])
        assert one.winner == BLOCS[many["winner"][i]]


# ----------------------------------------------------------------------------- fixed inputs
def test_a_fixed_first_round_is_kept_and_decides_the_runoff():
    fixed = {"left": 0.40, "centre": 0.15, "right": 0.45}
    for seed in range(20):
        out = simulate_election(
            PRIOR, Drivers(), PARAMS, np.random.default_rng(seed), first_round=fixed
        )
        assert out.first_round == pytest.approx(fixed)
        assert set(out.runoff_pair) == {"left", "right"}
    out = simulate_election(
        PRIOR,
        Drivers(),
        PARAMS,
        np.random.default_rng(0),
        first_round={"left": 0.6, "centre": 0.1, "right": 0.3},
    )
    assert out.decided_in_first_round and out.winner == "left"
    lead = {b: PARAMS.concentration[b] * v for b, v in {"left": 0.6, "right": 0.3}.items()}
    assert out.margin == pytest.approx((lead["left"] - lead["right"]) * (1 - PARAMS.blank_share))


def test_a_fixed_runoff_sets_pair_winner_and_margin():
    out = simulate_election(
        PRIOR, Drivers(), PARAMS, np.random.default_rng(3), runoff={"left": 0.48, "right": 0.52}
    )
    assert out.runoff_pair == ("right", "left") and out.winner == "right"
    assert out.runoff == pytest.approx({"right": 0.52, "left": 0.48})
    assert out.margin == pytest.approx(0.04)
    assert not out.decided_in_first_round


def test_a_shift_moves_the_named_bloc_by_its_points_and_the_others_pro_rata():
    base = PRIOR.vector()
    moved = shifted_prior(base, {"left": 3.0})
    assert moved[0] - base[0] == pytest.approx(0.03)
    assert moved.sum() == pytest.approx(1.0)
    assert (moved[1] - base[1]) / (moved[2] - base[2]) == pytest.approx(base[1] / base[2])
    # A shift moves the simulated shares in the same direction, draw for draw.
    a = simulate_elections(PRIOR, Drivers(), PARAMS, np.random.default_rng(1), 500)
    b = simulate_elections(
        PRIOR, Drivers(), PARAMS, np.random.default_rng(1), 500, shift={"left": 3.0}
    )
    assert np.all(b["first_round"][:, 0] > a["first_round"][:, 0])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: check_shares({"left": 0.5, "centre": 0.2, "rigth": 0.3}, key="k"), "right"),
        (lambda: check_shares({"left": 1.5}, key="k", sum_to_one=False), r"\[0, 1\]"),
        (lambda: check_shares({"left": 0.5, "right": 0.4}, key="k"), "sum"),
        (lambda: check_shares([0.5, 0.5], key="k"), "mapping"),
        (lambda: check_runoff({"left": 1.0}), "two finalists"),
        (lambda: check_runoff({"left": 0.5, "right": 0.5}), "tie"),
        (lambda: check_shift({"left": 3, "centre": 1, "right": 1}), "summing to 0"),
        (lambda: check_shift({"left": "3"}), "points"),
        (lambda: shifted_prior(PRIOR.vector(), {"centre": -30.0}), "leaves"),
        (lambda: Drivers(approval_change=2.0), "approval_change"),
        (lambda: Drivers(tariff_change=True), "tariff_change"),
    ],
)
def test_bad_scenario_input_raises_input_error_naming_the_key(call, match):
    with pytest.raises(InputError, match=match):
        call()


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*BLOCS, "center", "Left"]),
        st.one_of(st.floats(allow_nan=True), st.integers(), st.text(max_size=3), st.none()),
        max_size=4,
    )
)
def test_check_shares_accepts_only_valid_compositions(value):
    valid = (
        bool(value)
        and all(k in BLOCS for k in value)
        and all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 1
            for v in value.values()
        )
        and abs(sum(value.values()) - 1) <= 0.005
    )
    if valid:
        assert check_shares(value, key="election.first_round") == pytest.approx(value)
    else:
        with pytest.raises(InputError):
            check_shares(value, key="election.first_round")


# ----------------------------------------------------------------------------- driver effects
N_PAIRED = 4000


def _paired(drivers: Drivers, bloc: str, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    a = simulate_elections(PRIOR, Drivers(), PARAMS, np.random.default_rng(seed), N_PAIRED)
    b = simulate_elections(PRIOR, drivers, PARAMS, np.random.default_rng(seed), N_PAIRED)
    i = BLOCS.index(bloc)
    return a["first_round"][:, i], b["first_round"][:, i]


def _expected_gain(base: np.ndarray, shift: float) -> float:
    """Mean gain in share from moving one bloc's log-share by ``shift`` (exact per draw)."""
    odds = base / (1 - base) * math.exp(shift)
    return float(np.mean(odds / (1 + odds) - base))


def test_the_rally_effect_raises_the_left_share_in_every_paired_draw():
    base, rally = _paired(Drivers(us_coercion_change=1.0), "left")
    diff = rally - base
    mean, lo, _hi = paired_interval(diff)
    assert np.all(diff > 0)
    assert lo > 0
    # 0.15 log-share at a left share near 0.44: about +3.6 points; tolerance 1.5 points.
    assert mean == pytest.approx(_expected_gain(base, PARAMS.effect_rally), abs=1e-9)
    assert 0.021 < mean < 0.051


def test_worse_security_raises_the_right_share_and_its_chance_of_winning():
    worse = Drivers(armed_control_change=0.1)
    base, right = _paired(worse, "right")
    diff = right - base
    mean, lo, _ = paired_interval(diff)
    assert np.all(diff > 0) and lo > 0
    # 1.0 x 0.1 log-share at a right share near 0.47: about +2.5 points; tolerance 1 point.
    assert 0.015 < mean < 0.035
    a = simulate_elections(PRIOR, Drivers(), PARAMS, np.random.default_rng(5), N_PAIRED)
    b = simulate_elections(PRIOR, worse, PARAMS, np.random.default_rng(5), N_PAIRED)
    won_a, won_b = a["winner"] == 2, b["winner"] == 2
    assert np.sum(won_b & ~won_a) > 0 and np.sum(won_a & ~won_b) == 0
    assert won_b.mean() - won_a.mean() > 0.01


@pytest.mark.parametrize(
    ("drivers", "bloc", "sign"),
    [
        (Drivers(approval_change=0.1), "left", +1),
        (Drivers(tariff_change=0.25), "left", -1),  # economic cost (default sign negative)
        (Drivers(us_endorsement=1.0), "right", +1),
        (Drivers(us_coercion_change=-1.0), "left", -1),
    ],
)
def test_other_drivers_move_their_bloc_in_the_documented_direction(drivers, bloc, sign):
    base, moved = _paired(drivers, bloc)
    assert np.all(sign * (moved - base) > 0)


def test_zero_drivers_reproduce_the_prior_centre_except_for_the_centre_squeeze():
    params = ElectionParams.from_mapping({**defaults(), "election.poll.centre_bias": 0.0})
    out = simulate_elections(PRIOR, Drivers(), params, np.random.default_rng(2), 20000)
    logs = np.log(out["first_round"])
    clr_mean = (logs - logs.mean(axis=1, keepdims=True)).mean(axis=0)
    prior_clr = np.log(PRIOR.vector()) - np.log(PRIOR.vector()).mean()
    assert clr_mean == pytest.approx(prior_clr, abs=0.015)


# ----------------------------------------------------------------------------- congress
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), president=st.sampled_from(BLOCS))
def test_senate_shares_are_a_composition_and_governability_a_probability(seed, president):
    seats = simulate_congress(PRIOR, PARAMS, np.random.default_rng(seed)).seats
    assert set(seats) == set(BLOCS) and sum(seats.values()) == pytest.approx(1.0)
    assert all(0 < v < 1 for v in seats.values())
    g = governability(seats, president, PARAMS)
    assert 0.0 <= g <= 1.0


def test_governability_rises_with_the_presidents_seats():
    low = governability({"left": 0.2, "centre": 0.3, "right": 0.5}, "left", PARAMS)
    high = governability({"left": 0.45, "centre": 0.3, "right": 0.25}, "left", PARAMS)
    majority = governability({"left": 0.6, "centre": 0.2, "right": 0.2}, "left", PARAMS)
    assert low < 0.5 < high < majority
    with pytest.raises(ValueError):
        governability({"left": 0.5, "centre": 0.2, "right": 0.3}, "green", PARAMS)


def test_a_stronger_left_poll_prior_gives_the_left_more_senate_seats():
    stronger = dataclasses.replace(PRIOR, shares={"left": 0.5, "centre": 0.15, "right": 0.35})
    a = simulate_congress(PRIOR, PARAMS, np.random.default_rng(4)).seats["left"]
    b = simulate_congress(stronger, PARAMS, np.random.default_rng(4)).seats["left"]
    assert b > a


def test_the_2022_senate_file_sums_to_its_totals():
    rows = list(
        csv.DictReader(
            resources.files("rift.data")
            .joinpath("elections", "congress_2022.csv")
            .read_text("utf-8")
            .splitlines()
        )
    )
    parties = [r for r in rows if not r["party"].startswith("TOTAL")]
    assert sum(int(r["seats"]) for r in parties) == 108


@pytest.mark.parametrize(
    "module",
    [
        "rift.model.election",
        "rift.model.election_data",
        "rift.election_inputs",
        "rift.record",
        "rift.model.congress",
        "rift.validation.elections.fits",
        "rift.validation.elections",
    ],
)
def test_the_engine_imports_no_mesa_model_runner_or_cli(module):
    import importlib

    source = importlib.import_module(module).__file__
    tree = ast.parse(Path(source).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    allowed_rift = {
        "rift.errors",
        "rift.months",
        "rift.parameters",
        "rift.model.election",
        "rift.model.election_data",
        "rift.election_inputs",
        "rift.catalogue",
        "rift.record",
        "rift.validation.elections.fits",
        "rift.validation.forecast.scoring",
    }
    for name in imported:
        if name.startswith("rift"):
            assert name in allowed_rift, (module, name)
        else:
            assert name.split(".")[0] in {
                "__future__",
                "collections",
                "csv",
                "dataclasses",
                "datetime",
                "functools",
                "importlib",
                "math",
                "typing",
                "numpy",
                "scipy",
                "pandas",
            }, (module, name)
