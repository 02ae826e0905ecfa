"""The September determination reads Colombia's record: alignment, extraditions, eradication.

The rule's unit behaviour runs every day; the paired effects (common random numbers, a 95 %
interval on the mean paired difference) are slow.
"""

from __future__ import annotations

import numpy as np
import pytest

from rift.model import AllianceModel
from rift.months import parse_month
from rift.record import PRESIDENT_ALIGNMENT

from ..conftest import paired_interval
from .helpers import BASELINE_IV, run


def test_the_record_term_is_the_registry_slopes_times_the_model_quantities():
    m = AllianceModel(rng=3, collect=False)
    us, col, p = m.us, m.colombia, m.p
    ext = max(0.0, 1.0 - col.extraditions_offered() / p["us.grievance.extradition_reference"])
    erad = 1.0 - min(1.0, col.eradication_rate / p["index.eradication_reference_ha"])
    expected = (
        p["us.certification.alignment_slope"] * PRESIDENT_ALIGNMENT[col.president]
        + p["us.certification.extradition_slope"] * ext
        + p["us.certification.eradication_slope"] * erad
    )
    assert us.colombian_record() == pytest.approx(expected)
    # A right-wing president, extraditions at the reference and full eradication: only the
    # alignment term is left, and it lowers the odds of not certifying.
    col.president, col.extradition_rate = "right", 400.0
    col.eradication_rate = 2 * p["index.eradication_reference_ha"]
    assert us.colombian_record() == pytest.approx(p["us.certification.alignment_slope"])
    assert us.colombian_record() < 0
    # Suspending extraditions raises the odds by the slope times the share withheld.
    before = us.colombian_record()
    col.measures.start("extradition_suspension", m.month)
    withheld = 400.0 * p["col.extradition_suspension.withheld_share"]
    shortfall = max(0.0, 1.0 - (400.0 - withheld) / p["us.grievance.extradition_reference"])
    assert us.colombian_record() - before == pytest.approx(
        p["us.certification.extradition_slope"] * shortfall
    )


def _decertified(result) -> float:
    return float(result.events["decertification"] is not None)


def _recertified_by(result, month: str = "2027-09") -> float:
    m = result.events["recertification"]
    return float(m is not None and m <= parse_month(month))


SUSPENDED = [{"at": "2025-01", "until": "2025-09", "start": ["col.extradition_suspension"]}]
NOT_SUSPENDED = [{"at": "2025-01", "until": "2025-09", "end": ["col.extradition_suspension"]}]


@pytest.mark.slow
def test_suspended_extraditions_are_decertified_more_often():
    """2025-09 with every extradition withheld from January vs none, 300 paired seeds.

    Measured (2026-12-04): decertified 0.99 vs 0.57, paired difference 0.42 [0.36, 0.48];
    with the record's extradition slope at 0 (only the grievance channel left) 0.15 [0.11,
    0.19]: the rule's own term carries most of it.
    """
    seeds = range(300)

    def share(params):
        params = {"col.extradition_suspension.withheld_share": 1.0, **params}
        a = np.array([_decertified(run(s, end="2025-09", shocks=SUSPENDED, parameters=params))
                      for s in seeds])  # fmt: skip
        b = np.array([_decertified(run(s, end="2025-09", shocks=NOT_SUSPENDED, parameters=params))
                      for s in seeds])  # fmt: skip
        return a, b

    a, b = share({})
    m, lo, hi = paired_interval(a - b)
    assert lo > 0.25, (
        f"P(decertified) {a.mean():.2f} vs {b.mean():.2f}: {m:.2f} [{lo:.2f}, {hi:.2f}]"
    )
    a0, b0 = share({"us.certification.extradition_slope": 0.0})
    m, lo, hi = paired_interval((a - b) - (a0 - b0))
    assert lo > 0.1, f"the rule's extradition term adds {m:.2f} [{lo:.2f}, {hi:.2f}]"


@pytest.mark.slow
def test_a_right_aligned_president_is_recertified_more_often_than_a_left_one():
    """Re-certification by 2027-09 after the 2025 waiver, right vs left winner, 200 paired seeds.

    Measured (2026-12-04): 1.00 vs 0.49, paired difference 0.52 [0.45, 0.58]; with the
    alignment slope at 0 (tension alone) 1.00 vs 0.82.
    """
    seeds = range(200)

    def gap(params):
        kw = {"interventions": BASELINE_IV, "end": "2027-09", "parameters": params}
        a = np.array([_recertified_by(run(s, election={"winner": "right"}, **kw)) for s in seeds])
        b = np.array([_recertified_by(run(s, election={"winner": "left"}, **kw)) for s in seeds])
        return a, b

    a, b = gap({})
    m, lo, hi = paired_interval(a - b)
    assert lo > 0.3, (
        f"P(recertified) right {a.mean():.2f} vs left {b.mean():.2f}: {m:.2f} [{lo:.2f}]"
    )
    a0, b0 = gap({"us.certification.alignment_slope": 0.0})
    m, lo, hi = paired_interval((a - b) - (a0 - b0))
    assert lo > 0.15, f"the alignment term adds {m:.2f} [{lo:.2f}, {hi:.2f}]"
