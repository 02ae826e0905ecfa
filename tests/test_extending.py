"""Extending rift: a new event, a new measure and a new actor, each in a few files.

* An event is declared in the record (as ``src/rift/record.py`` would) and recorded by a model
  that subclasses ``AllianceModel`` (as an actor's step would); the store, the comparison, the
  figures and the report pick it up without a change.
* A measure is one entry of the catalogue (``src/rift/catalogue.py``) and its intercepts in the
  registry (``parameters.yaml``): the actor of its side draws it, the record and the store show
  it, the event panel lists it, and the deal rules apply to it.
* An actor is its own module and one line of ``rift.model.actors.ACTORS`` (and its outcomes in
  the record): the model builds, steps, saves, restores and records it.
"""

from __future__ import annotations

import pytest

from rift.analysis.compare import compare
from rift.analysis.tables import format_comparison
from rift.catalogue import Measure
from rift.experiment import run_scenario
from rift.model.actors import ACTORS, Actor, ActorSpec
from rift.model.model import AllianceModel
from rift.months import calendar_month
from rift.parameters import registry
from rift.plots import figure_makers
from rift.record import RECORD, Event, Outcome, declare_measure, remove_measure
from rift.report import build_report
from rift.results import load
from rift.scenario import load_scenario
from rift.validation.events import panel as event_panel


class SeptemberModel(AllianceModel):
    """Records the first September in which US tension is above one half."""

    def step(self) -> None:
        super().step()
        if calendar_month(self.month - 1) == 9 and self.us.tension > 0.5:
            self.recorder.event("hostile_september", self.month - 1)

    def outcomes(self) -> dict:
        out = super().outcomes()
        out["hostility_above_half"] = float(self.us.tension > 0.5)
        return out


@pytest.fixture
def extended(monkeypatch):
    RECORD.declare(
        Event("hostile_september", "a hostile September", "US tension above 0.5 in September")
    )
    RECORD.declare(Outcome("hostility_above_half", "0/1", "US tension above 0.5", "flag"))
    monkeypatch.setattr("rift.runner.inputs.AllianceModel", SeptemberModel)  # build_model's
    yield
    RECORD.remove("hostile_september")
    RECORD.remove("hostility_above_half")


def test_a_new_event_and_outcome_flow_through_store_comparison_figures_report(extended, tmp_path):
    results = []
    for name in ("forecast_2025_12", "from_2025/full_rupture"):
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


# -- a new measure: one catalogue entry and its intercepts in the registry -------------------------

#: The measure as it would be written in ``src/rift/catalogue.py``.
PORT_BAN = Measure(
    "us", "port_ban", "US ban on Colombian ships in US ports", "us_coercive", severity=1,
    ended_by_deal=True,
)  # fmt: skip
_HAZARD = {"unit": "log hazard (cloglog, per month)", "range": [-12, 4]}
#: Its intercepts as they would be written in ``parameters.yaml`` (by the hazard fit, once the
#: record of crises has codes for it; here set so that it starts at once and never ends alone).
PORT_BAN_PARAMETERS = {
    "events.us.port_ban.start_intercept": {
        **_HAZARD, "default": 4.0, "description": "Starts at once (a test measure).",
        "sources": [{"assumption": "a measure declared by tests/test_extending.py"}],
    },
    "events.us.port_ban.end_intercept": {
        **_HAZARD, "default": -12.0, "description": "Never ends of itself (a test measure).",
        "sources": [{"assumption": "a measure declared by tests/test_extending.py"}],
    },
}  # fmt: skip


@pytest.fixture
def port_ban():
    reg = registry()
    for name, entry in PORT_BAN_PARAMETERS.items():
        reg.declare(name, entry)
    declare_measure(PORT_BAN)
    yield PORT_BAN
    remove_measure(PORT_BAN.key)
    for name in PORT_BAN_PARAMETERS:
        reg.remove(name)


def test_a_new_measure_is_simulated_recorded_and_in_the_panel(port_ban, tmp_path):
    """Declared once, the measure is drawn by the US, recorded, stored, and ended by deals."""
    s = load_scenario("forecast_2025_12", ["runs=4", "end=2026-06"])
    res = load(run_scenario(s, executor="serial", out=tmp_path / "b").path)
    assert "us_port_ban" in res.series and "us_port_ban_start_month" in res.runs
    assert res.runs["us_port_ban_start_month"].notna().all()  # starts at once, in every run
    assert res.series["us_measures_on"].max() >= 1
    assert "us.port_ban" in event_panel.MEASURES  # the panel would fit it with the record
    model = AllianceModel(rng=3, end="2025-10", collect=False)
    model.run()
    assert "port_ban" in model.us.measures.names and model.us.measures.on["port_ban"]
    model.diplomacy.intercept = 50.0  # a certain deal ends it, as the catalogue says
    model.ledger.begin(model.month)
    model.diplomacy.step()
    assert not model.us.measures.on["port_ban"]


# -- a new actor: one actor module and one line in the ACTORS declaration --------------------------


class Ecuador(Actor):
    """Quito: its tolerance of the armed groups in the Ecuador sanctuary (a test actor).

    Why a test: an actor needs only its own module (this class), one line in
    ``rift.model.actors.ACTORS`` and its outcomes declared in the record; the model builds,
    steps, saves and records it, and gives it the sanctuary its line names.
    """

    STATE = ("level",)

    def __init__(self, model: AllianceModel) -> None:
        super().__init__(model)
        self.slope = model.p["ecuador.tolerance_slope"]
        self.level = 1.0

    def tolerance(self) -> float:
        """Tolerance of the groups in the sanctuary, relative to the start."""
        return self.level

    def step(self) -> None:
        """Tolerance falls with US pressure on Caracas (a stand-in rule)."""
        self.level = max(0.0, 1.0 - self.slope * self.model.venezuela.pressure)

    def outcomes(self) -> dict[str, float | str]:
        """Quito's tolerance."""
        return {"ecuador_tolerance": self.level}


@pytest.fixture
def ecuador(monkeypatch):
    reg = registry()
    reg.declare(
        "ecuador.tolerance_slope",
        {"default": 0.9, "unit": "per unit of pressure", "range": [0, 1],
         "sources": [{"assumption": "an actor declared by tests/test_extending.py"}]},
    )  # fmt: skip
    RECORD.declare(Outcome("ecuador_tolerance", "1 = start", "Quito's tolerance", "amount"))
    line = ActorSpec("ecuador", Ecuador, sanctuary="ecuador")
    monkeypatch.setattr("rift.model.actors.ACTORS", (*ACTORS, line))
    yield
    RECORD.remove("ecuador_tolerance")
    reg.remove("ecuador.tolerance_slope")


def test_a_new_actor_is_built_stepped_saved_recorded_and_governs_its_sanctuary(ecuador, tmp_path):
    s = load_scenario("forecast_2025_12", ["runs=3", "end=2026-06"])
    res = load(run_scenario(s, executor="serial", out=tmp_path / "b").path)
    assert "ecuador_tolerance" in res.series
    assert res.series["ecuador_tolerance"].min() < 1.0  # it stepped
    model = AllianceModel(rng=2, end="2026-06", collect=False)
    assert model.actors[-1] is model.ecuador
    model.run(until="2025-12")
    node = model.geo.sanctuary_borders.index("ecuador")
    assert model._sanctuary_multiplier()[node] == pytest.approx(model.ecuador.tolerance())
    state = model.state()
    assert state.actors["ecuador"] == {"level": model.ecuador.level}
    again = AllianceModel(state=state).run()
    assert again.column("ecuador_tolerance")[-1] == pytest.approx(model.run().horizon()[
        "ecuador_tolerance"])  # fmt: skip
