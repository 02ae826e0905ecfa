"""The shipped scenarios start from the present: the packaged ensemble, paired across them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rift.cli import main
from rift.errors import InputError
from rift.months import format_month, parse_month
from rift.present import coded_record
from rift.runner.batch import execute_batch, plan_batch
from rift.scenario import load_scenario, shipped_scenarios
from rift.scenario.present import packaged_present, read_present_manifest

FROM_NOW = ("baseline", "new_rupture", "deepened_reset", "left_win_2030", "us_admin_2029",
            "china_tilt")  # fmt: skip


def test_the_packaged_present_is_the_record_through_its_last_month():
    m = read_present_manifest("present")
    raw = json.loads((packaged_present() / "manifest.json").read_text("utf-8"))
    assert format_month(m.through) == format_month(coded_record().last_month)
    assert m.particles >= 100 and raw["particles"] == m.particles
    steps = raw["diagnostics"]
    moved = [s for s in steps if "ess_after" in s]
    assert moved and all(s["ess_after"] >= 0.2 * m.particles for s in moved)


@pytest.mark.parametrize("name", FROM_NOW)
def test_the_scenarios_for_now_start_from_the_present(name):
    s = load_scenario(shipped_scenarios()[name])
    present = read_present_manifest("present")
    assert s.from_ == "present" and s.start_month == present.through + 1 and s.end == "2030-12"


def test_start_present_and_from_present_say_the_same(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("name: a\nstart: present\nruns: 2\n")
    b = tmp_path / "b.yaml"
    b.write_text("name: a\nfrom: present\nruns: 2\n")
    assert load_scenario(a).hash() == load_scenario(b).hash()
    assert load_scenario(shipped_scenarios()["forecast_2025_12"], ["start=present"]).from_ == (
        "present"
    )


def test_start_present_with_a_from_folder_is_refused(tmp_path, capsys):
    f = tmp_path / "c.yaml"
    f.write_text("name: c\nstart: present\nfrom: elsewhere\n")
    with pytest.raises(InputError, match="two presents"):
        load_scenario(f)
    assert main(["validate", str(f)]) == 2
    err = capsys.readouterr().err
    assert "start" in err and "Traceback" not in err


def test_a_start_after_2025_without_a_present_says_how_to_start_from_now(tmp_path, capsys):
    f = tmp_path / "late.yaml"
    f.write_text("name: late\nstart: 2026-12\n")
    assert main(["validate", str(f)]) == 2
    assert "'start: present'" in capsys.readouterr().err


def test_scenarios_from_the_present_are_paired_until_their_first_difference():
    """Run k of baseline and new_rupture: same particle and seed, identical before 2027-03."""
    runs = 4
    base = load_scenario(shipped_scenarios()["baseline"], [f"runs={runs}"])
    shock = load_scenario(shipped_scenarios()["new_rupture"], [f"runs={runs}"])
    pa, pb = plan_batch(base), plan_batch(shock)
    for k in range(runs):
        ta, tb = pa.task(k), pb.task(k)
        assert ta.state == tb.state and ta.sampled == tb.sampled
        assert (ta.seed.entropy, ta.seed.spawn_key) == (tb.seed.entropy, tb.seed.spawn_key)
    a = execute_batch(pa).outputs
    b = execute_batch(pb).outputs
    before = parse_month("2027-03") - base.start_month
    for k in range(runs):
        assert a[k].error is None and b[k].error is None
        ra, rb = a[k].result, b[k].result
        np.testing.assert_array_equal(ra.series[:before], rb.series[:before])
        col = list(rb.names).index("us_soil_strikes")
        assert rb.series[before, col] == 1  # the shock is on in its month
        # the runs part exactly where the shock changed something: unless the baseline run
        # started the strikes itself that month, they differ from it on
        same_start = ra.series[before, col] == 1
        assert same_start or not np.array_equal(ra.series[before:], rb.series[before:])
