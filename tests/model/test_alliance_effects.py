"""Paired effects of the alliance's channels over many seeds.

Each test runs the same seeds twice with one channel changed and checks the direction of the
paired difference with a 95 % interval that excludes zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from rift.model import AllianceModel
from rift.months import parse_month

from ..conftest import paired_interval

SEEDS = range(60)
RUPTURE = [{"at": "2025-10", "start": ["us.security_aid_cut", "us.civil_aid_cut", "us.intel_cut"]}]


def _runs(seeds, end="2027-12", **kwargs):
    return [AllianceModel(rng=s, collect=False, end=end, **kwargs).run() for s in seeds]


def _at(result, name, month):
    return float(result.column(name)[parse_month(month) - int(result.months[0])])


@pytest.mark.slow
def test_more_us_aid_means_a_stronger_state_and_fewer_armed_municipalities():
    low = _runs(SEEDS, parameters={"us.aid_total_musd": 400.0})
    high = _runs(SEEDS, parameters={"us.aid_total_musd": 590.0})
    cap = np.array([_at(h, "capability", "2025-12") - _at(w, "capability", "2025-12")
                    for w, h in zip(low, high, strict=True)])  # fmt: skip
    m, lo, _ = paired_interval(cap)
    assert lo > 0, (m, lo)  # the level of aid is no longer cancelled out
    control = np.array([_at(h, "control_any", "2027-12") - _at(w, "control_any", "2027-12")
                        for w, h in zip(low, high, strict=True)])  # fmt: skip
    m, _, hi = paired_interval(control)
    assert hi < 0, (m, hi)


@pytest.mark.slow
def test_us_pressure_on_caracas_squeezes_the_venezuelan_sanctuary():
    base = {"venezuela.pressure.trump2": 1.0}
    kept, squeezed = [], []
    for s in SEEDS:
        runs = []
        for slope in (0.0, 0.6):
            m = AllianceModel(rng=s, collect=False, end="2026-12",
                              parameters={**base, "venezuela.tolerance_slope": slope})  # fmt: skip
            m.run()
            node = m.geo.n + list(m.geo.sanctuary_borders).index("venezuela")
            runs.append(m.territory.s[:, node].sum())
        kept.append(runs[0])
        squeezed.append(runs[1])
    m, _, hi = paired_interval(np.array(squeezed) - np.array(kept))
    assert hi < 0, (m, hi)  # fewer ELN and dissident members held in Venezuela


@pytest.mark.slow
def test_pressure_on_caracas_brings_the_vessel_strikes_sooner():
    def started(weight):
        rs = _runs(SEEDS, end="2026-06", parameters={"us.strikes.venezuela_weight": weight})
        return np.array([r.events["us_vessel_strikes_start"] is not None for r in rs], float)

    d = started(6.0) - started(0.0)
    m, lo, _ = paired_interval(d)
    assert lo > 0, (m, lo)


@pytest.mark.slow
def test_china_lowers_colombias_cost_of_a_rupture_and_its_concessions():
    strong = {"china.trade_diversion": 0.35, "china.finance_busd": 2.5,
              "init.china_engagement": 0.8}  # fmt: skip
    none = {"china.trade_diversion": 0.0, "china.finance_busd": 0.0}
    seeds = range(150)
    with_china = _runs(seeds, end="2027-06", shocks=RUPTURE, parameters=strong)
    without = _runs(seeds, end="2027-06", shocks=RUPTURE, parameters=none)
    cost = np.array([_at(a, "rupture_cost_busd", "2026-01") - _at(b, "rupture_cost_busd", "2026-01")
                     for a, b in zip(with_china, without, strict=True)])  # fmt: skip
    m, _, hi = paired_interval(cost)
    assert hi < 0, (m, hi)
    conceded = np.array(
        [(a.events["concession"] is not None) - (b.events["concession"] is not None)
         for a, b in zip(with_china, without, strict=True)], float)  # fmt: skip
    assert conceded.mean() < 0, conceded.mean()  # fewer runs with a concession
