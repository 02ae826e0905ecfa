"""The 2026 election inside the model: the vote in every run, paired driver effects, scenario
keys and their bad input, governability."""

from __future__ import annotations

import numpy as np
import pytest

from rift.model import AllianceModel
from rift.record import BLOCS
from rift.runner.inputs import build_model, inputs_for

from ..cli_helpers import bad, cli, write
from ..conftest import paired_interval

SEEDS = range(120)


def _vote(seed, **kwargs):
    return AllianceModel(rng=seed, collect=False, end="2026-08", **kwargs).run().values


def test_every_run_records_the_vote_the_senate_and_the_winner():
    for seed in range(8):
        v = _vote(seed)
        first = np.array([v[f"first_round_{b}"] for b in BLOCS])
        assert first.min() >= 0 and first.sum() == pytest.approx(1.0)
        assert v["winner"] in BLOCS
        senate = np.array([v[f"senate_{b}"] for b in BLOCS])
        assert senate.sum() == pytest.approx(1.0)
        assert 0 <= v["governability"] <= 1 and 0 <= v["margin"] <= 1
        if not v["decided_in_first_round"]:
            finalists = [b for b in BLOCS if not np.isnan(v[f"runoff_{b}"])]
            assert len(finalists) == 2 and v["winner"] in finalists


def test_a_fixed_winner_replaces_the_vote_and_keeps_the_draws_aligned():
    a = AllianceModel(rng=4, collect=False, end="2026-08", election={"winner": "centre"})
    a.run()
    b = AllianceModel(rng=4, collect=False, end="2026-08")
    b.run()
    assert a.result().values["winner"] == "centre"
    assert np.isnan(a.result().values.get("first_round_left", np.nan))
    # the election stream is at the same place whichever way the vote went
    assert a.streams["election"].random() == b.streams["election"].random()


@pytest.mark.slow
def test_a_rally_against_us_coercion_raises_the_lefts_share():
    measures = ["us.tariffs", "us.visa_officials", "us.sanctions_officials", "us.security_aid_cut"]
    shock = [{"at": "2026-01", "start": measures}]
    d = np.array([_vote(s, shocks=shock)["first_round_left"] - _vote(s)["first_round_left"]
                  for s in SEEDS])  # fmt: skip
    m, lo, _ = paired_interval(d)
    assert lo > 0, (m, lo)


@pytest.mark.slow
def test_worse_security_raises_the_rights_share():
    # A stronger state from December 2025 (full posture, more attrition) against a weaker one.
    def run(posture, attrition):
        iv = [{"at": "2025-12", "set": {"col.posture": posture}}]
        return [_vote(s, interventions=iv, parameters={"state.attrition_rate_per_yr": attrition})
                for s in SEEDS]  # fmt: skip

    strong, weak = run(1.0, 0.8), run(0.0, 0.1)
    d = np.array([w["first_round_right"] - s["first_round_right"]
                  for w, s in zip(weak, strong, strict=True)])  # fmt: skip
    m, lo, _ = paired_interval(d)
    assert lo > 0, (m, lo)


def test_governability_limits_how_far_the_new_president_moves_policy():
    def posture(g):
        m = AllianceModel(rng=2, collect=False, end="2027-08", election={"winner": "right"})
        while m.running:
            m.step()
            if m.month - 1 == m.election.inauguration:
                m.colombia.governability = g
        return m.colombia.posture

    assert posture(1.0) > posture(0.2) > posture(0.0) - 1e-12


@pytest.mark.parametrize(
    "election,fragments",
    [
        ("{first_round: {left: 0.5, centre: 0.2, right: 0.2}}", ["first_round", "sum"]),
        ("{first_round: {left: 0.5, green: 0.5}}", ["first_round.green", "unknown bloc"]),
        ("{runoff: {left: 0.5, centre: 0.2, right: 0.3}}", ["runoff", "two finalists"]),
        ("{runoff: {left: 0.5, right: 0.5}}", ["runoff", "tie"]),
        ("{shift: {left: 80}}", ["shift.left", "[-50, 50]"]),
        ("{shift: {left: 5}, winner: right}", ["election", "not both"]),
        ("{first_round: 0.4}", ["election.first_round"]),
    ],
)
def test_bad_election_keys_exit_2_with_file_and_key(tmp_path, election, fragments):
    f = write(tmp_path, f"name: x\nelection: {election}\n")
    bad(cli("validate", str(f)), str(f), *fragments)


def test_good_election_keys_condition_the_vote(tmp_path):
    from rift.scenario import load_scenario

    f = write(
        tmp_path,
        "name: x\nend: 2026-08\nelection: {first_round: {left: 0.3, centre: 0.2, right: 0.5}}\n",
    )
    s = load_scenario(f)
    v = build_model(inputs_for(s), 1).run().values
    assert v["first_round_right"] == pytest.approx(0.5) and v[
        "first_round_centre"
    ] == pytest.approx(0.2)
    f = write(
        tmp_path,
        "name: y\nend: 2026-08\nelection: {runoff: {centre: 0.55, right: 0.45}}\n",
        "y.yaml",
    )
    v = build_model(inputs_for(load_scenario(f)), 1).run().values
    assert v["winner"] == "centre"


def test_runs_parquet_holds_the_vote_and_the_winner_of_every_run(small_batches):
    import pandas as pd

    res = small_batches["baseline"]  # 2025-01..2026-12: the election is inside
    runs = pd.read_parquet(res.path / "runs.parquet")
    assert runs["winner"].notna().all() and set(runs["winner"]) <= set(BLOCS)
    for b in BLOCS:
        assert runs[f"first_round_{b}"].notna().all() and runs[f"senate_{b}"].notna().all()
    total = runs[[f"first_round_{b}" for b in BLOCS]].sum(axis=1)
    assert np.allclose(total, 1.0)
    assert runs["governability"].between(0, 1).all()
