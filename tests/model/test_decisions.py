"""The alliance's decision layer: deals that can come at a peak, inherited measures at the oath."""

from __future__ import annotations

import math

import pytest

from rift.catalogue import CATALOGUE
from rift.model import AllianceModel
from rift.model.actors.measures import crisis_cost
from rift.parameters import defaults
from rift.validation.events import load_record
from rift.validation.events.ripeness import (
    PEAK_WINDOW,
    inherited_measures,
    jeffreys_share,
    peak_deals,
)


def _model() -> AllianceModel:
    model = AllianceModel(rng=3, collect=False)
    model.ledger.begin(model.month)
    for side in (model.us.measures, model.colombia.measures):
        for name in side.names:
            side.end(name, model.month)
    return model


def test_the_crisis_cost_weights_each_measure_by_one_plus_severity_and_is_capped():
    model = _model()
    us, col = model.us.measures, model.colombia.measures
    cap = model.p["events.covariate.cost_cap"]
    assert crisis_cost((us, col), cap) == 0.0
    us.start("tariffs", model.month)  # severity 1
    col.start("deportation_refusal", model.month)  # severity 0
    assert crisis_cost((us, col), cap) == 2.0 + 1.0
    for name in us.names:
        us.start(name, model.month)
    total = sum(1 + CATALOGUE.get(f"us.{n}").severity for n in us.names) + 1
    assert total > cap
    assert crisis_cost((us, col), cap) == cap


def test_a_deal_is_as_likely_at_a_tension_peak_and_moves_with_the_cost_by_the_fitted_slope():
    model = _model()
    d, us, col = model.diplomacy, model.us, model.colombia
    us.measures.start("tariffs", model.month)
    us.tension = col.tension = 0.1
    calm = d.log_hazard()
    us.tension = col.tension = 0.95
    assert d.log_hazard() == calm  # no tension penalty: the record's deals come at peaks too
    us.measures.start("intel_cut", model.month)  # K from 2 to 6
    slope = model.p["events.slope.cost.deal"]
    assert d.log_hazard() - calm == pytest.approx(4.0 * slope, abs=1e-12)
    assert d.hazard() == pytest.approx(-math.expm1(-math.exp(d.log_hazard())), rel=1e-12)


def _inaugurate(share: float, on: bool) -> tuple[list[str], float]:
    model = _model()
    col = model.colombia
    col.inauguration_end_share = share
    if on:
        for name in col.measures.names:
            col.measures.start(name, model.month)
    col.inaugurate("right")
    return [n for n in col.measures.names if col.measures.is_on(n)], model.streams[
        "inauguration"
    ].random()


def test_a_new_president_ends_inherited_counter_measures_with_the_share_and_stays_paired():
    kept_all, next_all = _inaugurate(0.0, on=True)
    assert len(kept_all) == len(CATALOGUE.names("col"))
    kept_none, next_none = _inaugurate(1.0, on=True)
    assert kept_none == []
    # one draw per measure whatever the state: the stream is in the same place afterwards
    _, next_off = _inaugurate(1.0, on=False)
    assert next_all == next_none == next_off


def test_the_inauguration_share_is_the_records_jeffreys_estimate():
    inherited = inherited_measures(load_record())
    # the record's inherited spells (Samper 1994, Bush 1989, Obama 2009 twice): none ended
    assert len(inherited) == 9 and inherited["ended"].sum() == 0
    assert set(inherited["leader"]) == {"Samper", "Bush", "Obama"}
    assert defaults()["col.inauguration.end_share"] == pytest.approx(
        jeffreys_share(inherited["ended"]), abs=5e-3
    )


def test_deals_after_the_peak_of_a_crisis_are_rare_in_the_record_and_in_the_forecast():
    table = peak_deals(load_record())
    assert len(table) == 13  # every episode with a measure in force
    assert (table["k_peak"] > 0).all()
    # the record: only Mexico 2025 has a leader deal within 3 months of its peak
    assert table.loc[table["deal"] == 1, "episode"].tolist() == [
        "US-Mexico 2025 fentanyl/migration tariffs"
    ]
    for col in ("p_deal", "p_deal_nocost", "p_deal_pooled", "p_deesc"):
        assert table[col].between(0.0, 1.0).all()
    # any de-escalation is at least as likely as a deal alone, month by month
    assert (table["p_deesc"] >= table["p_deal"]).all()
    # the held-out forecast of the reference class is within 0.1 of the record's share
    assert abs(table["p_deal"].mean() - table["deal"].mean()) < 0.1
    assert PEAK_WINDOW == 3


def test_a_saved_state_continues_with_a_fixed_parameter_added_since_but_not_a_sampled_one():
    import dataclasses

    model = AllianceModel(rng=4, collect=False)
    model.run(until="2025-03")
    state = model.state()

    def without(name: str):
        params = {k: v for k, v in state.parameters.items() if k != name}
        return dataclasses.replace(state, parameters=params)

    # the cap is a covariate definition (no uncertainty): its one value fills in
    cont = AllianceModel(state=without("events.covariate.cost_cap"), collect=False)
    assert cont.p["events.covariate.cost_cap"] == defaults()["events.covariate.cost_cap"]
    # a sampled parameter carries the particle's information: still refused unless given
    with pytest.raises(ValueError, match=r"missing: \[.events\.slope\.cost\.deal.\]"):
        AllianceModel(state=without("events.slope.cost.deal"), collect=False)
