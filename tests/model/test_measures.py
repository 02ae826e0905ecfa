"""The measure machinery: hazards, covariates from the ledger, starts and ends, shocks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rift.model import AllianceModel
from rift.model.actors.measures import Ledger, Measures, Slopes, cloglog
from rift.parameters import defaults
from rift.record import US_MEASURES

P = defaults()


@given(st.floats(-30, 10))
def test_cloglog_is_a_monthly_probability(eta):
    p = cloglog(eta)
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(1 - math.exp(-math.exp(min(eta, 5.0))), abs=1e-6) or eta > 5


def test_the_ledger_counts_moves_in_the_fitted_windows():
    led = Ledger(P)
    for month in range(100, 106):
        led.begin(month)
        if month == 100:
            led.escalation("us", 2)
        if month == 102:
            led.escalation("col", 5)
            led.deescalation("us")
    led.begin(106)
    # Colombia's view at 106: US escalations in 103..105 none; its own 5 in 102 is outside 3.
    assert led.covariates("col") == (0, 0, 0, 0)
    led2 = Ledger(P)
    for month in range(100, 104):
        led2.begin(month)
        if month == 101:
            led2.escalation("us", 2)
        if month == 102:
            led2.escalation("col", 5)
            led2.deescalation("us")  # inside D's two-month window at 104
    led2.leader_change(95)
    led2.begin(104)
    r, o, c, d = led2.covariates("col")
    assert (r, o, c, d) == (2, 3, 1, 1)  # R=2 US moves, O capped at 3, C: a change 9 months ago
    assert led2.covariates("us") == (3, 2, 1, 0)


def test_hazards_follow_the_fitted_intercepts_and_tension():
    ms = Measures("us", US_MEASURES, P)
    slopes = Slopes.from_registry(P, "start")
    assert slopes.reciprocity == P["events.slope.reciprocity.start"]
    n = 20_000
    rng = np.random.default_rng(1)
    starts = {True: 0, False: 0}
    for high in (True, False):
        for _ in range(n // 10):
            ms.on = dict.fromkeys(ms.names, False)
            t = ms.reference + (0.2 if high else -0.2)
            ms.step(1, t, (0, 0, 0, 0), rng.random, {}, {}, {})
            starts[high] += len(ms.started_now)
    # 0.4 of tension apart: the start hazard ratio is about exp(0.4 * k_start)
    ratio = starts[True] / max(1, starts[False])
    assert ratio > math.exp(0.4 * P["events.tension.start_slope"]) * 0.6


def test_a_measure_started_this_month_can_end_in_it():
    ms = Measures("us", US_MEASURES, P)
    ms.end_intercept["tariff_threat"] = 50.0  # certain to end
    ms.step(7, 0.5, (0, 0, 0, 0), lambda: 0.0, {}, {}, {"tariff_threat": True})
    # forced on by a shock this month: held, so not at risk
    assert ms.on["tariff_threat"]
    ms.step(8, 0.5, (0, 0, 0, 0), lambda: 0.0, {}, {}, {})
    assert not ms.on["tariff_threat"] and ms.first_end["tariff_threat"] == 8


def test_every_decision_draws_its_numbers_whatever_the_state():
    counts = []
    for forced in ({}, {"tariffs": True, "intel_cut": False}):
        ms = Measures("us", US_MEASURES, P)
        n = [0]

        def u(n=n):
            n[0] += 1
            return 0.5

        ms.step(1, 0.9, (3, 3, 1, 1), u, {}, {}, forced)
        counts.append(n[0])
    assert counts == [2 * len(US_MEASURES)] * 2


def test_a_shock_starts_measures_and_leaves_them_to_their_hazards():
    shock = [{"at": "2025-10", "start": ["us.security_aid_cut", "us.intel_cut"]}]
    m = AllianceModel(rng=3, collect=False, end="2026-12", shocks=shock)
    r = m.run()
    start = r.events["us_security_aid_cut_start"]
    assert start is not None and start <= m.start + 9
    assert r.events["us_intel_cut_start"] is not None
    k = 9  # 2025-10
    assert r.column("us_security_aid_cut")[k] == 1 and r.column("intel_sharing")[k] == 0
    # a held shock keeps the measure on through `until`
    held = [{"at": "2025-10", "until": "2026-06", "start": ["us.security_aid_cut"]}]
    r2 = AllianceModel(rng=3, collect=False, end="2026-12", shocks=held).run()
    assert (r2.column("us_security_aid_cut")[9:18] == 1).all()
