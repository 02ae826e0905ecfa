"""Forced instruments and measure states agree; the extradition suspension is partial (issue 21).

Item 3: a scenario that forces an instrument holds the measure it carries in the state the
value implies (aid above what the cut leaves ends the security-aid cut, sharing above the
rupture's floor ends the intelligence cut), so the recorded measures and the full-rupture rule
read what is in force; a shock on the same measure in the same month is refused. Item 7: the
2025 suspension withheld 3 of 403 extraditions, so a suspension withholds a share
(``col.extradition_suspension.withheld_share``), not all of them.
"""

from __future__ import annotations

import numpy as np
import pytest

from rift.errors import InputError
from rift.model import AllianceModel
from rift.months import parse_month
from rift.parameters import defaults
from rift.scenario.loading import scenario_from_dict

from ..conftest import paired_interval

SEEDS = range(12)
AID_CUT = {"at": "2025-10", "start": ["us.security_aid_cut", "us.civil_aid_cut"]}
P = defaults()
#: What the security-aid cut leaves at the registry's defaults (USD million/yr): 80.25.
CUT_LEVEL = P["us.aid_total_musd"] * P["us.aid_security_share"] * P["us.security_cut_residual"]


def _run(seed, end="2026-06", **kwargs):
    kwargs.setdefault("calibrated", False)
    return AllianceModel(rng=seed, collect=False, end=end, **kwargs).run()


def _months(result, first, last):
    m = result.months.astype(int)
    return (m >= parse_month(first)) & (m <= parse_month(last))


def test_aid_forced_above_the_cut_ends_the_cut_and_at_or_under_it_holds_it():
    for seed in SEEDS:
        above = _run(
            seed,
            shocks=[AID_CUT],
            interventions=[{"at": "2025-11", "set": {"us.security_aid_musd": 134.0}}],
        )
        forced = _months(above, "2025-11", "2026-06")
        assert np.all(above.column("us_security_aid_cut")[forced] == 0)  # was on in 42 %
        assert np.all(above.column("us_security_aid_musd")[forced] == 134.0)
        assert above.column("us_security_aid_cut")[_months(above, "2025-10", "2025-10")][0] == 1
        under = _run(
            seed,
            interventions=[{"at": "2025-11", "set": {"us.security_aid_musd": CUT_LEVEL - 1}}],
        )
        assert np.all(under.column("us_security_aid_cut")[_months(under, "2025-11", "2026-06")])


def test_forced_intelligence_sharing_holds_the_intelligence_cut_and_rupture_reads_it():
    # Paired runs of an aid cut with intelligence sharing forced off and forced at 0.2.
    end = "2027-12"
    off = [_run(s, end=end, shocks=[AID_CUT], parameters={"us.intel_sharing": 0.0}) for s in SEEDS]
    on = [_run(s, end=end, shocks=[AID_CUT], parameters={"us.intel_sharing": 0.2}) for s in SEEDS]
    for r in off:
        assert np.all(r.column("us_intel_cut") == 1)  # the cut is in force, and recorded
    for r in on:
        assert np.all(r.column("us_intel_cut") == 0)  # sharing at 0.2 is no cut, visibly
        assert r.events["rupture"] is None
    # With the cut in force the rupture's other conditions decide: it happens in some runs.
    assert sum(r.events["rupture"] is not None for r in off) >= 1


def test_a_shock_on_a_measure_whose_instrument_is_forced_the_same_month_is_refused():
    data = {
        "name": "clash",
        "start": "2025-01",
        "end": "2026-12",
        "shocks": [AID_CUT],
        "interventions": [{"at": "2025-06", "until": "2025-10",
                           "set": {"us.security_aid_musd": 134}}],
    }  # fmt: skip
    with pytest.raises(InputError) as err:
        scenario_from_dict(data, "clash.yaml")
    text = str(err.value)
    assert "clash.yaml" in text and "interventions[0].set.us.security_aid_musd" in text
    assert "us.security_aid_cut" in text and "2025-10" in text
    # A month apart, they are two facts in two months: accepted.
    data["interventions"][0]["until"] = "2025-09"
    assert scenario_from_dict(data, "clash.yaml").shocks
    # The model refuses it too (the Python API without a scenario file).
    with pytest.raises(ValueError, match=r"us\.security_aid_cut"):
        AllianceModel(
            rng=0,
            end="2025-12",
            calibrated=False,
            shocks=[AID_CUT],
            interventions=[{"at": "2025-10", "set": {"us.security_aid_musd": 134.0}}],
        )


def _extraditions(seed, share):
    r = _run(
        seed,
        end="2026-06",
        shocks=[{"at": "2025-01", "until": "2026-06", "start": ["col.extradition_suspension"]}],
        parameters={"col.extradition_suspension.withheld_share": share},
    )
    assert np.all(r.column("col_extradition_suspension") == 1)
    return float(np.sum(r.column("extraditions")))


def test_the_suspension_withholds_its_share_of_extraditions_not_all():
    share = P["col.extradition_suspension.withheld_share"]
    seeds = range(20)
    none = np.array([_extraditions(s, 0.0) for s in seeds])
    partial = np.array([_extraditions(s, share) for s in seeds])
    everything = np.array([_extraditions(s, 1.0) for s in seeds])
    assert np.all(everything == 0)  # the old rule is the share's upper limit
    assert none.sum() > 1000  # about 200 a year for 18 months, 20 runs
    # Paired (same uniforms): the suspension keeps 1 - share of the extraditions, within 3 pp.
    ratio = partial.sum() / none.sum()
    assert abs(ratio - (1.0 - share)) < 0.03, (ratio, share)
    m, lo, hi = paired_interval(partial - none)
    assert hi < 0, (m, lo, hi)  # fewer, but ...
    assert partial.mean() > 0.8 * none.mean()  # ... most still go ahead


def test_the_command_line_refuses_the_clash_and_an_unknown_headline(tmp_path):
    from tests.cli_helpers import bad, cli, write

    scenario = write(
        tmp_path,
        """
        name: clash
        start: 2025-01
        end: 2026-12
        shocks:
          - {at: 2025-10, start: [us.intel_cut]}
        """,
    )
    bad(
        cli("validate", str(scenario), "--set", "us.intel_sharing=0.2"),
        "us.intel_sharing",
        "us.intel_cut",
        "2025-10",
    )
    assert cli("validate", str(scenario))[0] == 0
    headline = write(tmp_path, "name: h\nheadline: ruptur\n", "h.yaml")
    bad(cli("validate", str(headline)), "h.yaml", "headline", "rupture")
