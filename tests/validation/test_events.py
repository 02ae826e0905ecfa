"""The event panel, the hazard fit and its leave-one-episode-out scores."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rift.validation.events import (
    MEASURES,
    EventRecord,
    Priors,
    base_rate,
    build_panel,
    fit_hazards,
    leave_one_episode_out,
    load_record,
    loeo_markdown,
    registry_entries,
)
from rift.validation.events import fit as event_fit
from rift.validation.events import panel as event_panel
from rift.validation.events import registry as event_registry
from rift.validation.events import tables as event_tables
from rift.validation.events.panel import COST_CAP, severity_of

MAP = load_record().measure_map
EP_COLUMNS = list(event_panel.EPISODE_COLUMNS)


def _episode(name, start, end, us="Old", partner="A", initial="", partner_name="Testland"):
    return dict(
        episode=name,
        id=name.lower(),
        partner=partner_name,
        window_start=start,
        window_end=end,
        us_administrations=us,
        partner_leaders=partner,
        initial_on=initial,
        source="test",
        notes="",
    )


def _row(ep, date, actor, code, direction, precision="day"):
    return dict(
        episode=ep,
        date=date,
        date_precision=precision,
        actor=actor,
        measure=code,
        direction=direction,
        description="test",
        source="test",
        quote="",
    )


def _record(episodes, rows, measure_map=MAP):
    events = pd.DataFrame(rows, columns=list(event_panel.RECORD_COLUMNS)).astype(str)
    return EventRecord(events, pd.DataFrame(episodes, columns=EP_COLUMNS), measure_map)


# ---------------------------------------------------------------------------------------------
# Panel: a hand-made record whose states and covariates are worked out by hand
# ---------------------------------------------------------------------------------------------

TOY_ROWS = [
    _row("Toy", "2020-01-10", "US", "tariff_threat", "escalation"),
    _row("Toy", "2020-01-20", "Testland", "public_denunciation", "escalation"),
    _row("Toy", "2020-02-05", "US", "tariffs_imposed", "escalation"),
    _row("Toy", "2020-03-01", "Testland", "leader_change_partner", "neutral"),
    _row("Toy", "2020-03-15", "both", "leader_deal", "de-escalation"),
    _row("Toy", "2020-04-02", "US", "tariffs_withdrawn", "de-escalation"),
    _row("Toy", "2020", "US", "visa_ban_officials", "escalation", precision="year"),
]
TOY = _record([_episode("Toy", "2020-01-01", "2020-06-30", partner="A; B 2020-03-01")], TOY_ROWS)


def _rows(panel, measure, transition):
    r = panel.risk
    sel = r[(r["measure"] == measure) & (r["transition"] == transition)]
    return sel.assign(month=sel["month"].map(event_panel.month_label)).set_index("month")


def test_toy_panel_states_and_transitions():
    p = build_panel(TOY)
    threat_start = _rows(p, "us.tariff_threat", "start")
    assert list(threat_start.index) == ["2020-01", "2020-03", "2020-04", "2020-05", "2020-06"]
    assert list(threat_start["y"]) == [1, 0, 0, 0, 0]
    threat_end = _rows(p, "us.tariff_threat", "end")  # at risk in the start month and in Feb
    assert list(threat_end.index) == ["2020-01", "2020-02"]
    assert list(threat_end["y"]) == [0, 1]  # the threat carried out ends it
    assert threat_end["logdur"].tolist() == pytest.approx([0.0, math.log(2)])
    tariff_start = _rows(p, "us.tariffs", "start")
    assert list(tariff_start.index) == ["2020-01", "2020-02", "2020-05", "2020-06"]
    assert list(tariff_start["y"]) == [0, 1, 0, 0]
    tariff_end = _rows(p, "us.tariffs", "end")
    assert list(tariff_end.index) == ["2020-02", "2020-03", "2020-04"]
    assert list(tariff_end["y"]) == [0, 0, 1]
    assert tariff_end["logdur"].tolist() == pytest.approx(np.log1p([0, 1, 2]))
    assert list(_rows(p, "partner.rhetoric", "event")["y"]) == [1, 0, 0, 0, 0, 0]
    assert list(_rows(p, "both.deal", "event")["y"]) == [0, 0, 1, 0, 0, 0]
    # the year-only visa row cannot be placed: the measure never starts
    assert _rows(p, "us.visa_officials", "start")["y"].sum() == 0


def test_toy_panel_covariates_by_hand():
    p = build_panel(TOY)
    us = _rows(p, "us.tariffs", "start").reindex(["2020-01", "2020-02", "2020-05", "2020-06"])
    # US view: R = partner escalations (Jan), O = own escalations (Jan, Feb),
    # D = partner de-escalation (the Mar deal), C = new partner leader in Mar.
    assert list(us["R"]) == [0, 1, 0, 0]
    assert list(us["O"]) == [0, 1, 1, 0]
    assert list(us["D"]) == [0, 0, 1, 0]
    assert list(us["C"]) == [0, 0, 1, 1]
    full = _rows(p, "us.rhetoric", "event")
    assert list(full["R"]) == [0, 1, 1, 1, 0, 0]
    assert list(full["O"]) == [0, 1, 2, 2, 1, 0]
    assert list(full["D"]) == [0, 0, 0, 1, 1, 0]
    assert list(full["C"]) == [0, 0, 0, 1, 1, 1]
    partner = _rows(p, "partner.rhetoric", "event")
    assert list(partner["R"]) == [0, 1, 2, 2, 1, 0]
    assert list(partner["O"]) == [0, 1, 1, 1, 0, 0]
    assert list(partner["D"]) == [0, 0, 0, 1, 1, 1]  # the deal (Mar) and the withdrawal (Apr)
    deal = _rows(p, "both.deal", "event")  # seen from the partner
    assert list(deal["R"]) == list(partner["R"]) and list(deal["D"]) == list(partner["D"])


def test_counts_are_capped_and_initial_spells_carry_their_duration():
    rows = [
        _row("Cap", f"2020-01-{d:02d}", "US", "public_criticism", "escalation") for d in range(1, 6)
    ]
    rows.append(_row("Cap", "2020-02-10", "Testland", "extradition_restored", "de-escalation"))
    rec = _record(
        [
            _episode(
                "Cap",
                "2020-01-01",
                "2020-03-31",
                initial="partner.extradition_suspension@2019-10-01",
            )
        ],
        rows,
    )
    p = build_panel(rec)
    assert list(_rows(p, "partner.rhetoric", "event")["R"]) == [0, 3, 3]  # 5 moves, capped
    end = _rows(p, "partner.extradition_suspension", "end")
    assert list(end.index) == ["2020-01", "2020-02"] and list(end["y"]) == [0, 1]
    assert end["logdur"].tolist() == pytest.approx(np.log1p([3, 4]))  # on since 2019-10
    assert list(_rows(p, "partner.concession", "event")["y"]) == [0, 1, 0]


def test_a_lapse_censors_the_spell_instead_of_ending_it():
    rows = [
        _row("Lapse", "2020-01-05", "US", "visa_president_revoked", "escalation"),
        _row("Lapse", "2020-03-07", "US", "president_measures_lapsed", "neutral"),
        _row("Lapse", "2020-03-07", "Testland", "leader_change_partner", "neutral"),
    ]
    rec = _record([_episode("Lapse", "2020-01-01", "2020-04-30", partner="A; B 2020-03-07")], rows)
    p = build_panel(rec)
    end = _rows(p, "us.president_measures", "end")
    assert list(end.index) == ["2020-01", "2020-02"] and end["y"].sum() == 0
    start = _rows(p, "us.president_measures", "start")  # at risk again after the lapse
    assert list(start.index) == ["2020-01", "2020-04"] and list(start["y"]) == [1, 0]
    # the lapse is context: no de-escalation move for the partner to react to
    assert _rows(p, "partner.rhetoric", "event")["D"].sum() == 0


def test_rows_outside_the_window_are_rejected():
    rec = _record(
        [_episode("Out", "2020-01-01", "2020-02-29")],
        [_row("Out", "2020-03-01", "US", "tariff_threat", "escalation")],
    )
    with pytest.raises(ValueError, match="outside the window"):
        build_panel(rec)


@given(st.integers(min_value=1900 * 12, max_value=2100 * 12))
def test_month_index_and_label_round_trip(i):
    assert event_panel.month_index(event_panel.month_label(i)) == i
    assert event_panel.month_index(event_panel.month_label(i) + "-28") == i


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Bush", "Lopez Obrador", "De la Rua"]),
            st.one_of(st.none(), st.dates().map(str)),
        ),
        max_size=4,
    )
)
def test_people_lists_parse_back(people):
    text = "; ".join(n if d is None else f"{n} {d}" for n, d in people)
    assert event_panel.parse_people(text) == people


@given(st.lists(st.integers(0, 5), min_size=1, max_size=30), st.integers(1, 6))
def test_window_sum_is_the_sum_over_the_previous_months(xs, w):
    x = np.array(xs, float)
    got = event_panel._window_sum(x, w)
    want = [x[max(0, i - w) : i].sum() for i in range(len(x))]
    assert got.tolist() == pytest.approx(want)


# ---------------------------------------------------------------------------------------------
# The cloglog likelihood and the fit
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60)
@given(st.floats(-12, 3), st.integers(0, 1))
def test_loglik_derivatives_match_finite_differences(eta, y):
    e = np.array([eta])
    yy = np.array([y])
    ll, g, h = event_fit._loglik(e, yy)
    # log P(y=1) = log(1 - exp(-e^eta)), log P(y=0) = -e^eta
    want = math.log(-math.expm1(-math.exp(eta))) if y else -math.exp(eta)
    assert ll == pytest.approx(want, rel=1e-9, abs=1e-12)
    eps = 1e-5
    lp = event_fit._loglik(e + eps, yy)[0]
    lm = event_fit._loglik(e - eps, yy)[0]
    assert g[0] == pytest.approx((lp - lm) / (2 * eps), rel=1e-4, abs=1e-8)
    gp = event_fit._loglik(e + eps, yy)[1][0]
    gm = event_fit._loglik(e - eps, yy)[1][0]
    assert h[0] == pytest.approx((gp - gm) / (2 * eps), rel=1e-3, abs=1e-8)
    assert h[0] < 0  # concave: Newton's method is safe


TRUE = {
    "start": {"R": 0.5, "O": 0.3, "C": 0.6, "D": -0.5},
    "end": {"R": -0.6, "O": 0.0, "C": 0.7, "D": 0.6, "logdur": -0.5},
    "deal": {"R": 0.5, "O": -0.4, "C": 0.4, "D": 0.5, "K": 0.25},
}
TRUE_FAMILY = {"us_coercive": -3.4, "partner_counter": -3.7, "deescalation": -3.0}
TRUE_END = -1.3


def _synthetic_map() -> pd.DataFrame:
    rows = []
    for name, spec in MEASURES.items():
        if spec.kind == "state":
            rows += [
                (f"{name}:on", spec.side, name, "start", ""),
                (f"{name}:off", spec.side, name, "end", ""),
            ]
        elif spec.kind == "event":
            rows.append((f"{name}:ev", spec.side, name, "event", ""))
    rows.append(("us_administration_change", "us", "", "context", ""))
    return pd.DataFrame(rows, columns=["code", "side", "model_measure", "kind", "reason"])


def _simulate(n_episodes: int, months: int, rng: np.random.Generator) -> EventRecord:
    """A record drawn from the hazard model, with the panel's covariate definitions."""
    names = [m for m, s in MEASURES.items() if s.kind != "annual"]
    offsets = dict(zip(names, np.linspace(-0.3, 0.3, len(names)), strict=True))
    actor = {"us": "US", "partner": "Testland", "both": "both"}
    hz = lambda eta: -np.expm1(-np.exp(eta))  # noqa: E731
    episodes, rows = [], []
    for e in range(n_episodes):
        name, year0 = f"Syn{e:03d}", 1900 + (e % 100)
        change = int(rng.integers(0, months)) if e % 2 else None
        when = None if change is None else f"{year0 + change // 12}-{change % 12 + 1:02d}-01"
        us = "Old" if when is None else f"Old; New {when}"
        episodes.append(
            _episode(name, f"{year0}-01-01", f"{year0 + (months - 1) // 12}-12-31", us=us)
        )
        total = ((months - 1) // 12 + 1) * 12
        esc = {s: np.zeros(total) for s in ("us", "partner")}
        dee = {s: np.zeros(total) for s in ("us", "partner")}
        on = {m: None for m in names if MEASURES[m].kind == "state"}
        weight = {m: 1.0 + severity_of(m) for m in on}
        for t in range(total):
            # the cost K: measures on at the start of the month or started in it (the
            # de-escalation events come last in the catalogue, after this month's starts)
            touched = {m for m, since in on.items() if since is not None}
            c = float(change is not None and 0 < t - change <= 12)
            x = {}
            for side, other in (("us", "partner"), ("partner", "us")):
                x[side] = {
                    "R": min(esc[other][max(0, t - 3) : t].sum(), 3),
                    "O": min(esc[side][max(0, t - 3) : t].sum(), 3),
                    "C": c,
                    "D": float(dee[other][max(0, t - 2) : t].sum() > 0),
                }
            x["both"] = x["partner"]
            date = f"{year0 + t // 12}-{t % 12 + 1:02d}"
            if change == t:
                rows.append(_row(name, date + "-01", "US", "us_administration_change", "neutral"))
            for m in names:
                spec = MEASURES[m]
                xs = x[spec.side]
                if spec.family == "deescalation":
                    eta = (
                        TRUE_FAMILY["deescalation"]
                        + offsets[m]
                        + sum(TRUE["deal"][k] * xs[k] for k in ("R", "O", "C", "D"))
                        + TRUE["deal"]["K"] * min(sum(weight[k] for k in touched), COST_CAP)
                    )
                    if rng.random() < hz(eta):
                        rows.append(
                            _row(name, date + "-10", actor[spec.side], f"{m}:ev", "de-escalation")
                        )
                        for s in ("us", "partner") if spec.side == "both" else (spec.side,):
                            dee[s][t] += 1
                    continue
                eta = (
                    TRUE_FAMILY[spec.family]
                    + offsets[m]
                    + sum(TRUE["start"][k] * xs[k] for k in TRUE["start"])
                )
                if spec.kind == "event":
                    if rng.random() < hz(eta):
                        rows.append(
                            _row(name, date + "-10", actor[spec.side], f"{m}:ev", "escalation")
                        )
                        esc[spec.side][t] += 1
                    continue
                if on[m] is None and rng.random() < hz(eta):
                    on[m] = t
                    touched.add(m)
                    rows.append(_row(name, date + "-05", actor[spec.side], f"{m}:on", "escalation"))
                    esc[spec.side][t] += 1
                if on[m] is not None:
                    eta = (
                        TRUE_END
                        + offsets[m]
                        + sum(TRUE["end"][k] * xs[k] for k in ("R", "O", "C", "D"))
                    )
                    eta += TRUE["end"]["logdur"] * math.log1p(t - on[m])
                    if rng.random() < hz(eta):
                        on[m] = None
                        rows.append(
                            _row(name, date + "-25", actor[spec.side], f"{m}:off", "de-escalation")
                        )
                        dee[spec.side][t] += 1
    return _record(episodes, rows, _synthetic_map())


@pytest.fixture(scope="module")
def synthetic_fit():
    rec = _simulate(120, 48, np.random.default_rng(20251215))
    return fit_hazards(rec, Priors(slope_sd=10.0, family_sd=10.0))


def test_fit_recovers_the_slopes_of_a_simulated_record(synthetic_fit):
    est = synthetic_fit.estimates()
    slopes = est[est["term"] == "slope"]
    z = []
    for r in slopes.itertuples(index=False):
        truth = TRUE[r.model][r.name]
        z.append((r.estimate - truth) / r.se)
        # each within four Laplace standard errors (13 slopes: a chance failure is ~0.1 %), and
        # the errors small enough to mean something
        assert abs(z[-1]) < 4, (r.model, r.name, r.estimate, truth, r.se)
        assert r.se < 0.3, (r.model, r.name, r.se)
    # the standard errors are honest: the z-scores have about unit spread (not 3 or 0.3)
    assert 0.4 < np.sqrt(np.mean(np.square(z))) < 1.6


def test_fit_recovers_the_intercepts_of_a_simulated_record(synthetic_fit):
    est = synthetic_fit.estimates()
    names = [m for m, s in MEASURES.items() if s.kind != "annual"]
    offsets = dict(zip(names, np.linspace(-0.3, 0.3, len(names)), strict=True))
    ints = est[est["term"] == "intercept"]
    for r in ints.itertuples(index=False):
        if r.model == "end":
            truth = TRUE_END + offsets[r.name]
        else:
            truth = TRUE_FAMILY[MEASURES[r.name].family] + offsets[r.name]
        assert abs(r.estimate - truth) < max(3 * r.se, 0.15), (r.name, r.model, r.estimate, truth)
    # the shrinkage pulls towards the family, so the spread of errors is centred near zero
    err = [
        r.estimate - (TRUE_FAMILY[MEASURES[r.name].family] + offsets[r.name])
        for r in ints.itertuples(index=False)
        if r.model == "start"
    ]
    assert abs(np.mean(err)) < 0.15


def test_penalty_shrinks_sparse_intercepts_toward_their_family():
    fit = fit_hazards(load_record())
    est = fit.estimates().set_index(["model", "term", "name"])["estimate"]
    fam = est[("start", "family", "us_coercive")]
    # one event in ~300 months: the raw cloglog intercept would be about log(1/300) = -5.7;
    # shrinkage keeps it between that and the family mean.
    single = est[("start", "intercept", "us.vessel_strikes")]
    assert math.log(1 / 315) < single < fam


# ---------------------------------------------------------------------------------------------
# Base rate and leave one episode out
# ---------------------------------------------------------------------------------------------


def _two_episodes():
    rows = [
        _row("A", "2020-02-05", "US", "tariffs_imposed", "escalation"),
        _row("A", "2020-04-05", "US", "tariffs_withdrawn", "de-escalation"),
        _row("B", "2021-03-05", "US", "tariffs_imposed", "escalation"),
    ]
    eps = [_episode("A", "2020-01-01", "2020-06-30"), _episode("B", "2021-01-01", "2021-04-30")]
    return _record(eps, rows)


def test_base_rate_on_a_toy_record():
    table = base_rate(_two_episodes()).set_index(["measure", "transition"])
    # tariff starts: A at risk Jan, Feb, May, Jun (1 start); B Jan-Mar (1 start): 2 in 7.
    assert table.loc[("us.tariffs", "start"), "events"] == 2
    assert table.loc[("us.tariffs", "start"), "exposure"] == 7
    assert table.loc[("us.tariffs", "start"), "rate"] == pytest.approx(2.5 / 8)
    # ends: A Feb, Mar, Apr (1 end); B Mar, Apr (0 ends): 1 in 5.
    assert table.loc[("us.tariffs", "end"), "rate"] == pytest.approx(1.5 / 6)
    # a measure that never happens gets half an event over its exposure
    assert table.loc[("us.vessel_strikes", "start"), "rate"] == pytest.approx(0.5 / 11)


def test_loeo_forecasts_a_held_out_episode_with_the_other_episodes_rates():
    from rift.validation.events.scores import loeo_predictions

    pred = loeo_predictions(_two_episodes())
    b = pred[(pred["episode"] == "B") & (pred["measure"] == "us.tariffs")]
    # trained on A alone: 1 start in 4 months at risk, 1 end in 3 months on
    assert b.loc[b["transition"] == "start", "p_base"].to_numpy() == pytest.approx(1.5 / 5)
    assert b.loc[b["transition"] == "end", "p_base"].to_numpy() == pytest.approx(1.5 / 4)
    assert pred[["p_model", "p_base", "p_pooled"]].gt(0).all().all()


@pytest.fixture(scope="module")
def loeo_table():
    return leave_one_episode_out(load_record())


def test_loeo_on_the_record_is_finite_and_beats_the_base_rate_overall(loeo_table):
    t = loeo_table.set_index(["measure", "transition"])
    num = t[["brier_model", "brier_base", "brier_pooled", "log_model", "log_base", "log_pooled"]]
    assert np.isfinite(num.to_numpy()).all()
    assert (num.to_numpy() >= 0).all()
    overall = t.loc[("all", "all")]
    assert overall["n_obs"] == len(build_panel(load_record()).risk)
    assert overall["brier_model"] < overall["brier_base"]  # the done-when criterion
    assert overall["log_model"] < overall["log_base"]
    md = loeo_markdown(loeo_table)
    assert md.count("\n") >= 5 and "| **all** | all |" in md


# ---------------------------------------------------------------------------------------------
# Registry block, tables, import discipline
# ---------------------------------------------------------------------------------------------


def test_parameters_yaml_ends_with_the_fitted_block_as_regenerated():
    text = event_registry.parameters_path().read_text(encoding="utf-8")
    head, block = event_registry.split_block(text)
    assert block, "the fitted block is missing; run rift refit events --write"
    stored = yaml.safe_load(block)
    fresh = registry_entries(fit_hazards(load_record()))
    in_head = [k for k in (yaml.safe_load(head) or {}) if k in fresh]
    assert in_head == []  # one contiguous block at the end
    assert list(stored) == list(fresh)
    for name, entry in fresh.items():
        got = stored[name]
        assert got["default"] == pytest.approx(entry["default"], abs=1e-3), name
        assert got["unit"] == entry["unit"] and got["description"] == entry["description"]
        assert got["sources"] == entry["sources"]
        if "uncertainty" in entry:
            for k in ("mean", "sd", "low", "high"):
                assert got["uncertainty"][k] == pytest.approx(entry["uncertainty"][k], abs=1e-3)


def test_registry_entries_are_valid_registry_parameters():
    from rift.parameters import registry

    reg = registry()
    entries = registry_entries(fit_hazards(load_record()))
    for name, entry in entries.items():
        p = reg[name]
        assert p.sources[0].kind == "assumption"
        assert p.low <= p.default <= p.high
        if "uncertainty" in entry:
            u = p.uncertainty
            assert u["low"] <= p.default <= u["high"] and u["sd"] > 0


def test_durations_use_censored_spells():
    assert event_tables.km_median(np.array([1, 2, 3]), np.array([1, 1, 1])) == 2
    # a censored long spell keeps the curve up: median only known to exceed follow-up
    assert event_tables.km_median(np.array([5, 100, 100]), np.array([1, 0, 0])) == math.inf
    dur = event_tables.durations(load_record()).set_index("measure")
    assert dur.loc["us.tariff_threat", "median_days"] < 31  # threats resolve within weeks
    assert (dur["ended"] <= dur["spells"]).all()


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=25))
def test_km_median_without_censoring_is_the_lower_median(days):
    d = np.array(days)
    want = np.sort(d)[math.ceil(len(d) / 2) - 1]
    assert event_tables.km_median(d, np.ones(len(d), bool)) == want


def test_colombia_2025_first_starts():
    first = event_tables.first_starts(load_record(), "US-Colombia 2025 (Trump-Petro)")
    first = first.set_index("measure")["first"]
    assert first["us.tariff_threat"] == "2025-01-26"
    assert first["us.visa_officials"] == "2025-01-26"  # the year-only row does not count
    assert first["us.vessel_strikes"] == "2025-09-02"
    assert first["us.soil_strikes"].startswith("none by")


def test_event_modules_do_not_import_the_model_or_mesa():
    code = (
        "import sys, rift.validation.events\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'mesa' or m.startswith(("
        "'rift.model', 'rift.runner', 'rift.cli', 'rift.experiment'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_record_can_be_subset_and_read_from_a_folder(tmp_path):
    rec = load_record()
    one = rec.subset(["US-Mexico 2019 migration tariff threat"])
    assert one.episode_names == ["US-Mexico 2019 migration tariff threat"]
    assert set(build_panel(one).risk["episode"]) == set(one.episode_names)
    one.events.to_csv(tmp_path / "alliance_events.csv", index=False)
    one.episodes.to_csv(tmp_path / "alliance_episodes.csv", index=False)
    one.measure_map.to_csv(tmp_path / "measure_map.csv", index=False)
    again = load_record(tmp_path)
    assert again.events.equals(one.events) and again.episodes.equals(one.episodes)
