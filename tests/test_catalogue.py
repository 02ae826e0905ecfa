"""The catalogue of measures is the one declaration the record, the panel, the fit and the model
share: every measure in it is fitted, recorded and simulated, and nothing else declares one."""

from __future__ import annotations

import re

import pytest

from rift.catalogue import CATALOGUE, MEASURES, RECORD_SIDES, SIDES, Measure
from rift.parameters import registry
from rift.record import RECORD
from rift.validation.events import panel as event_panel
from rift.validation.events.panel import load_record

FITTED = "fitted on alliance_events.csv by rift.validation.events.fit_hazards"
INTERCEPT = re.compile(r"events\.(us|partner|both)\.([a-z_]+)\.(start|end|event)_intercept")


@pytest.mark.parametrize("m", [m for m in MEASURES if m.kind != "annual"], ids=lambda m: m.key)
def test_every_catalogued_measure_has_its_fitted_intercepts(m: Measure):
    """Each intercept the model reads is in the registry, fitted on the record of crises."""
    reg = registry()
    assert m.intercepts(), m.key
    for name in m.intercepts():
        assert name in reg, f"{m.key}: no '{name}' in parameters.yaml"
        param = reg[name]
        assert param.unit and param.low is not None and param.high is not None
        assert any(FITTED in s.text for s in param.sources), name


def test_every_fitted_intercept_belongs_to_a_catalogued_measure():
    wanted = {name for m in CATALOGUE for name in m.intercepts()}
    assert {n for n in registry() if INTERCEPT.fullmatch(n)} == wanted


def test_the_event_panel_reads_the_catalogue():
    assert list(event_panel.MEASURES) == [m.record_key for m in CATALOGUE]
    for m in CATALOGUE:
        spec = event_panel.MEASURES[m.record_key]
        assert (spec.side, spec.kind, spec.family) == (RECORD_SIDES[m.side], m.kind, m.family)


def test_the_record_of_crises_codes_every_measure_and_only_catalogued_ones():
    """The measure map points only at catalogued measures, and each one has record codes."""
    mapped = set(load_record().measure_map["model_measure"]) - {""}  # "": context, moves
    assert mapped == {m.record_key for m in CATALOGUE}


def test_the_run_record_declares_each_state_measure():
    names = RECORD.names()
    for side in SIDES:
        for m in CATALOGUE.states(side):
            assert {m.column, f"{m.column}_start", f"{m.column}_end"} <= names
            assert RECORD.outcome(m.column).label == m.label
            assert RECORD.outcome(m.column).kind == "flag"


def test_entries_are_checked():
    with pytest.raises(ValueError, match="side"):
        Measure("mexico", "x", "X", "us_coercive")
    with pytest.raises(ValueError, match="family"):
        Measure("us", "x", "X", "coercive")
    with pytest.raises(ValueError, match="severity"):
        Measure("us", "x", "X", "us_coercive", severity=5)
    with pytest.raises(ValueError, match="one side"):
        Measure("both", "x", "X", "deescalation")
    with pytest.raises(ValueError, match="already"):
        CATALOGUE.declare(MEASURES[0])
    with pytest.raises(ValueError, match="intercept"):
        MEASURES[0].intercept("event")


def test_the_rules_that_end_measures_come_from_the_catalogue():
    assert CATALOGUE.ended_by_deal("us") == (
        "tariff_threat", "tariffs", "visa_officials", "ambassador_recall"
    )  # fmt: skip
    assert CATALOGUE.ended_by_deal("col") == ("deportation_refusal", "ambassador_recall")
    assert CATALOGUE.ended_by_concession("col") == ("deportation_refusal",)
    assert CATALOGUE.lapsing_with_president("us") == ("president_measures",)
