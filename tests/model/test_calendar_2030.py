"""The calendar to the horizon: the 2030 Colombian election, the US midterms and 2028, approval.

The engine parts are tested directly; the behaviour in runs over 200 runs of the shipped
baseline scenario (its seeds and sampled parameters, as the worker makes them), with explicit
tolerances: binomial ones (four standard errors) for the drawn US outcomes against the mean of
their registry priors, and floors for the spread of approval and of the 2030 winner.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from rift.calendar import election_2030, term_start_at
from rift.errors import InputError
from rift.model import AllianceModel
from rift.model.approval import ApprovalParams, approval_target
from rift.model.election import Drivers, ElectionParams, log_share_effects
from rift.model.election_2030 import draw_standing, senate_2030
from rift.months import parse_month
from rift.parameters import defaults, registry
from rift.record import BLOCS, RunResult
from rift.runner.inputs import model_arguments
from tests.model.restart_helpers import scenario_plan

RUNS = 200


def _mean_of_prior(name: str) -> float:
    u = dict(registry()[name].uncertainty)
    assert u["dist"] == "uniform"
    return 0.5 * (u["low"] + u["high"])


# --------------------------------------------------------------------------- engine parts
def test_the_2030_calendar_follows_the_pattern_of_2018_to_2026():
    e = election_2030()
    assert [e.congress, e.first_round, e.runoff, e.inauguration] == [
        parse_month(d) for d in ("2030-03", "2030-05", "2030-06", "2030-08")
    ]
    assert term_start_at(parse_month("2025-01")) == parse_month("2022-08")
    assert term_start_at(parse_month("2030-08")) == parse_month("2030-08")


def test_the_incumbent_effects_act_on_the_governing_bloc_and_left_is_the_2026_default():
    p = ElectionParams.from_mapping(defaults())
    d = Drivers(approval_change=0.1, armed_control_change=0.05)
    left = log_share_effects(d, p)
    assert np.array_equal(left, log_share_effects(d, p, "left"))
    centre = log_share_effects(d, p, "centre")
    assert centre[0] == 0.0 and centre[1] == pytest.approx(left[0]) and centre[2] == left[2]
    with pytest.raises(ValueError):
        log_share_effects(d, p, "petro")


def test_the_standing_is_the_prior_with_no_noise_and_no_persistence():
    mean = {"left": 0.2, "centre": 0.2, "right": 0.6}
    s = draw_standing(mean, {"left": 0.5, "centre": 0.1, "right": 0.4}, 0.0, 0.8, np.zeros(3))
    assert s == pytest.approx(mean)
    moved = draw_standing(mean, {"left": 0.5, "centre": 0.1, "right": 0.4}, 1.0, 0.0, np.zeros(3))
    assert moved == pytest.approx({"left": 0.5, "centre": 0.1, "right": 0.4})


def test_the_2030_senate_follows_the_standing():
    p = ElectionParams.from_mapping(defaults())
    seats = {"left": 0.3, "centre": 0.3, "right": 0.4}
    fr = {"left": 0.4, "centre": 0.2, "right": 0.4}
    same = senate_2030(seats, fr, fr, p, np.zeros(3))
    assert same == pytest.approx(seats)
    up = senate_2030(seats, fr, {"left": 0.6, "centre": 0.1, "right": 0.3}, p, np.zeros(3))
    assert up["left"] > seats["left"]


def test_approval_has_a_decaying_honeymoon_and_falls_with_armed_control_and_costs():
    a = ApprovalParams.from_mapping(defaults())
    t = [approval_target(a, base=0.35, months_in_office=k, control_gain=0, cost=0) for k in
         (0, 6, 24)]  # fmt: skip
    assert t[0] == pytest.approx(0.35 + a.honeymoon) and t[0] > t[1] > t[2] > 0.35
    assert t[2] - 0.35 < 0.01
    worse = approval_target(a, base=0.35, months_in_office=24, control_gain=0.05, cost=3.6)
    assert worse < t[2]


@pytest.mark.parametrize(
    ("key", "value"),
    [("winner_2030", "petro"), ("us_2028", "green"), ("midterms_2026", 1)],
)
def test_a_bad_fixed_outcome_names_its_key(key, value):
    with pytest.raises(InputError) as err:
        AllianceModel(rng=1, election={key: value}, collect=False, calibrated=False)
    assert err.value.key == f"election.{key}"


# --------------------------------------------------------------------------- in runs
def _run(k: int, **election) -> tuple[RunResult, AllianceModel]:
    kwargs = _kwargs_of(k)
    if election:
        kwargs["election"] = {**(kwargs.get("election") or {}), **election}
    model = AllianceModel(rng=scenario_plan("forecast_2025_12", RUNS).task(k).seed, **kwargs)
    return model.run(), model


def _kwargs_of(k: int) -> dict:
    """The model's arguments for run ``k`` as the worker makes them, without its seed."""
    plan = scenario_plan("forecast_2025_12", RUNS)
    kwargs = model_arguments(plan.spec.inputs.with_sampled(plan.task(k).sampled))
    del kwargs["rng"], kwargs["state"]
    if kwargs.get("election") is not None:
        kwargs["election"] = dict(kwargs["election"])
    return kwargs


@cache
def _batch() -> dict[str, np.ndarray]:
    """What the tests read of 200 baseline runs."""
    plan = scenario_plan("forecast_2025_12", RUNS)
    rows: dict[str, list] = {k: [] for k in ("approval", "winner_2030", "party", "midterms",
                                             "admin", "president", "drift")}  # fmt: skip
    for k in range(RUNS):
        model = AllianceModel(rng=plan.task(k).seed, **_kwargs_of(k))
        result = model.run()
        approval = result.series[:, result.names.index("approval")]
        rows["approval"].append(float(approval[-1]))
        rows["drift"].append(abs(float(approval[-1]) - float(model.p["col.approval_base"])))
        rows["winner_2030"].append(result.values.get("winner_2030"))
        rows["party"].append(result.values.get("us_party_2028"))
        rows["midterms"].append(result.values.get("us_midterms_2026"))
        rows["admin"].append(model.us_administration)
        rows["president"].append(model.colombia.president)
    return {k: np.array(v) for k, v in rows.items()}


@pytest.mark.slow  # 200 full runs
def test_approval_in_december_2030_has_a_spread_not_one_value():
    a = _batch()["approval"]
    assert np.isfinite(a).all()
    assert len(np.unique(a.round(3))) > RUNS // 2
    assert a.std() > 0.03
    q25, q75 = np.percentile(a, [25, 75])
    assert q75 - q25 > 0.03
    # Not converged to the base: most runs are more than a point away from it.
    assert (_batch()["drift"] > 0.01).mean() > 0.7


@pytest.mark.slow  # 200 full runs
def test_the_2030_winner_varies_and_takes_office():
    b = _batch()
    counts = {bloc: int((b["winner_2030"] == bloc).sum()) for bloc in BLOCS}
    assert sum(counts.values()) == RUNS
    assert sum(c >= 0.05 * RUNS for c in counts.values()) >= 2, counts
    assert np.array_equal(b["president"], b["winner_2030"])


@pytest.mark.slow  # 200 full runs
def test_the_us_outcomes_follow_their_priors():
    b = _batch()
    for values, hit, name in (
        (b["party"], "republican", "us.election_2028.republican_probability"),
        (b["midterms"], "divided", "us.midterms_2026.divided_probability"),
    ):
        p = _mean_of_prior(name)
        share = float((values == hit).mean())
        assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / RUNS), (name, share, p)
    admin = {"republican": "successor", "democrat": "successor_dem"}
    assert [admin[x] for x in b["party"]] == list(b["admin"])
    assert len(set(b["admin"])) == 2


@pytest.mark.parametrize("bloc", BLOCS)
def test_a_fixed_2030_winner_is_honoured_and_paired_until_the_runoff(bloc):
    runoff = election_2030().runoff
    for k in range(5):
        free, _ = _run(k)
        fixed, model = _run(k, winner_2030=bloc)
        assert fixed.values["winner_2030"] == bloc
        assert model.colombia.president == bloc
        rows = int(runoff - fixed.months[0])  # months before the 2030 runoff
        assert free.series[:rows].tobytes() == fixed.series[:rows].tobytes()


def test_fixed_us_outcomes_are_honoured():
    for k in range(3):
        result, model = _run(k, us_2028="democrat", midterms_2026="divided")
        assert result.values["us_party_2028"] == "democrat"
        assert result.values["us_midterms_2026"] == "divided"
        assert model.us_administration == "successor_dem"


def test_a_divided_congress_scales_us_grievances_only_while_it_sits():
    """The factor is 1 by default; set, it applies from 2027-01 to the 2029 inauguration."""
    model = AllianceModel(
        rng=2,
        collect=False,
        calibrated=False,
        parameters={"us.midterms_2026.divided_scale_factor": 0.8},
        election={"midterms_2026": "divided"},
    )
    factors = {}
    while model.running:
        month = model.month
        model.step()
        factors[month] = model.us_politics.congress_factor
    sits = range(parse_month("2027-01"), parse_month("2029-01"))
    assert all(f == (0.8 if m in sits else 1.0) for m, f in factors.items())
    default = AllianceModel(rng=2, collect=False, calibrated=False)
    assert default.p["us.midterms_2026.divided_scale_factor"] == 1.0
