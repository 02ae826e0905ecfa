"""Statistical behaviour over paired seeds (common random numbers), with explicit tolerances.

Each test runs two variants of a scenario with the same seeds, so that the difference is paired
run by run, and asserts on the 95 % interval of the mean difference (normal approximation,
which the sample sizes here justify).
"""

import numpy as np
import pytest

from ..conftest import paired_interval, reference_value
from .helpers import BASELINE_IV, paired, run, value

pytestmark = pytest.mark.slow


def test_cutting_us_aid_and_intelligence_raises_armed_control():
    seeds = range(200)
    cut = {
        "interventions": [
            {"at": "2025-10", "set": {"us.security_aid_musd": 0.0, "us.intel_sharing": 0.0}}
        ]
    }
    keep = {
        "interventions": [
            {"at": "2025-10", "set": {"us.security_aid_musd": 267.5, "us.intel_sharing": 1.0}}
        ]
    }
    a, b = paired(seeds, cut, keep, lambda r: value(r, "control_any", "2030-12"))
    mean, lo, hi = paired_interval(a - b)
    assert lo > 0, f"mean difference {mean:.1f} [{lo:.1f}, {hi:.1f}]"


def _recertified_by(result, month="2027-09"):
    from rift.months import parse_month

    m = result.events["recertification"]
    return float(m is not None and m <= parse_month(month))


@pytest.mark.parametrize("winner", ["right", "centre"])
def test_a_centre_or_right_winner_makes_recertification_likelier(winner):
    seeds = range(200)
    a, b = paired(
        seeds,
        # Run to the month the test reads (a run's path does not depend on its horizon).
        {"interventions": BASELINE_IV, "election": {"winner": winner}, "end": "2027-09"},
        {"interventions": BASELINE_IV, "election": {"winner": "left"}, "end": "2027-09"},
        _recertified_by,
    )
    _, lo, _ = paired_interval(a - b)
    assert a.mean() > b.mean()
    assert lo > 0, f"P(recert by 2027-09): {winner} {a.mean():.2f} vs left {b.mean():.2f}"


def _annual_growth(key, start, end):
    from rift.months import parse_month

    years = (parse_month(end) - parse_month(start)) / 12
    return (reference_value(key, end) / reference_value(key, start)) ** (1 / years) - 1


def _members_total(date):
    return sum(reference_value(f"members_{g}", date) for g in ("egc", "eln", "dissidents"))


def test_paz_total_growth_in_2025_matches_2022_2024_rates():
    # Reference (docs/model.md: "Paz Total growth"): coca grew 12.7 % (2021-22), 10.0 %
    # (2022-23) and 3.4 % (2023-24) as the market saturated: the 2025 growth must be within
    # 2 points of the last year's; members grew 19.4 %/yr (mid-2021 to Dec 2023) and
    # 28.3 %/yr (Dec 2023 to Jan 2025), and the 2025 growth must lie in that range (means
    # over 100 seeds; the seed-to-seed spread is reported, not tested).
    last = reference_value("coca_ha", "2024") / reference_value("coca_ha", "2023") - 1
    coca = [last - 0.02, last + 0.02]
    m21, m23, m25 = _members_total("2021"), _members_total("2023-12"), _members_total("2025-01")
    members = [(m23 / m21) ** (12 / 29) - 1, (m25 / m23) ** (12 / 13) - 1]
    paz = {
        "end": "2025-12",
        "interventions": [
            {"at": "2025-01", "set": {"col.posture": 0.0, "col.eradication_ha_per_yr": 0.0}}
        ],
    }
    coca_growth, member_growth = [], []
    from rift.model import AllianceModel

    for seed in range(100):
        # The registry defaults (what the README's "Paz Total growth" table reports); the
        # calibrated posterior grows coca faster in 2025 (about 20 %), see the README.
        m = AllianceModel(rng=seed, collect=False, calibrated=False, **paz)
        c0, n0 = m.initial["coca_ha"], m.initial["members_total"]
        r = m.run()
        coca_growth.append(value(r, "coca_ha") / c0 - 1)
        member_growth.append(value(r, "members_total") / n0 - 1)
    assert min(coca) <= np.mean(coca_growth) <= max(coca), (np.mean(coca_growth), coca)
    assert min(members) <= np.mean(member_growth) <= max(members), (np.mean(member_growth), members)


def test_paz_total_grows_faster_than_an_offensive_posture():
    seeds = range(60)
    short = {"end": "2026-12"}
    a, b = paired(
        seeds,
        {**short, "interventions": [{"at": "2025-01", "set": {"col.posture": 0.0}}]},
        {**short, "interventions": [{"at": "2025-01", "set": {"col.posture": 1.0}}]},
        lambda r: value(r, "members_total"),
    )
    _, lo, _ = paired_interval(a - b)
    assert lo > 0


def test_full_break_ends_extraditions():
    r = run(3, interventions=[{"at": "2025-03", "set": {"col.extraditions_per_yr": 0.0}}])
    from rift.months import parse_month

    k = parse_month("2025-03") - parse_month("2025-01")
    assert (r.column("extraditions")[k:] == 0).all()
