"""Extending rift: a new event needs its declaration and the model code that records it.

The event is declared in the record (as ``src/rift/record.py`` would) and recorded by a model
that subclasses ``AllianceModel`` (as an actor's step would); the store, the comparison, the
figures and the report pick it up without a change.
"""

from __future__ import annotations

import pytest

from rift.analysis.compare import compare
from rift.analysis.tables import format_comparison
from rift.experiment import run_scenario
from rift.model.model import AllianceModel
from rift.months import calendar_month
from rift.plots import figure_makers
from rift.record import RECORD, Event, Outcome
from rift.report import build_report
from rift.results import load
from rift.scenario import load_scenario


class SeptemberModel(AllianceModel):
    """Records the first September in which US hostility is above one half."""

    def step(self) -> None:
        super().step()
        if calendar_month(self.month - 1) == 9 and self.us.hostility > 0.5:
            self.recorder.event("hostile_september", self.month - 1)

    def outcomes(self) -> dict:
        out = super().outcomes()
        out["hostility_above_half"] = float(self.us.hostility > 0.5)
        return out


@pytest.fixture
def extended(monkeypatch):
    RECORD.declare(
        Event("hostile_september", "a hostile September", "US hostility above 0.5 in September")
    )
    RECORD.declare(Outcome("hostility_above_half", "0/1", "US hostility above 0.5", "flag"))
    monkeypatch.setattr("rift.runner.inputs.AllianceModel", SeptemberModel)  # build_model's
    yield
    RECORD.remove("hostile_september")
    RECORD.remove("hostility_above_half")


def test_a_new_event_and_outcome_flow_through_store_comparison_figures_report(extended, tmp_path):
    results = []
    for name in ("baseline", "full_rupture"):
        s = load_scenario(name, ["runs=6", "end=2026-12"])
        results.append(load(run_scenario(s, executor="serial", out=tmp_path / name).path))
    base = results[0]
    assert "hostile_september_month" in base.runs and "hostility_above_half" in base.series
    assert base.manifest["record"]["events"][-1] == "hostile_september"
    happened = base.runs["hostile_september_month"].dropna()
    assert set(happened) <= {"2025-09", "2026-09"}
    comp = compare(results)
    assert "hostile_september" in set(comp.events["event"])
    assert "P(a hostile September by 2026-12)" in format_comparison(comp)
    assert "hostility_above_half" in set(comp.scenarios["outcome"])
    makers = figure_makers(results)
    assert "share_hostility_above_half" in makers
    fig = makers["events"]()
    assert any(ax.get_title() == "P(a hostile September by month)" for ax in fig.axes)
    html = build_report(results, {}, comp)
    assert "a hostile September" in html
