"""Every shipped scenario loads, runs a few seeded runs, and cites its seeds verbatim."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rift.record import RECORD
from rift.runner.batch import execute_batch, plan_batch
from rift.scenario import load_scenario, shipped_scenarios
from tests.conftest import SCENARIOS, SEEDS

FILES = sorted(SCENARIOS.glob("*.yaml")) + sorted(SCENARIOS.glob("from_2025/*.yaml"))
#: From the present (issue 20), the archived forecast, and the 2025 variants kept with it.
REQUIRED = {
    "baseline",
    "new_rupture",
    "deepened_reset",
    "conditional_restoration",
    "left_win_2030",
    "us_admin_2029",
    "china_tilt",
    "forecast_2025_12",
    "hindcast_2019",
    "from_2025/full_rupture",
    "from_2025/reset_2026",
    "from_2025/left_continuity",
    "from_2025/paz_total_continues",
    "from_2025/china_pivot",
}


def _name(path):
    return path.stem if path.parent == SCENARIOS else f"{path.parent.name}/{path.stem}"


def _seed_text(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return " ".join(path.read_text("utf-8").split())


def _quotes(description: str) -> list[tuple[str, str]]:
    """(seed number, quote) for every straight-quoted passage attributed to a seed.

    A quote belongs to the seed named right after it in parentheses ("..." (seed 000)), else
    to the last seed named before it ("Seed 001: ..."). The one quoted phrase that is a
    determination's name, not a citation, is skipped.
    """
    text = " ".join(description.split())
    out = []
    for m in re.finditer(r'"([^"]+)"', text):
        after = re.match(r" \([Ss]eed (\d{3})\)", text[m.end() :])
        before = re.findall(r"[Ss]eed (\d{3})", text[: m.start()])
        if m.group(1) == "decertified with waiver":
            continue
        if after or before:
            out.append((after.group(1) if after else before[-1], m.group(1)))
    return out


def test_the_required_scenarios_are_shipped():
    assert {_name(f) for f in FILES} >= REQUIRED
    assert set(shipped_scenarios()) == {_name(f) for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_description_quotes_its_seeds_verbatim(path):
    s = load_scenario(path)
    quotes = _quotes(s.description)
    assert quotes, f"{path.name}: the description cites no seed passage"
    for number, quote in quotes:
        assert quote in _seed_text(number), f"{path.name}: not in seed {number}: {quote!r}"


@pytest.mark.parametrize("path", FILES, ids=_name)
def test_every_shipped_scenario_runs(path):
    s = load_scenario(path, ["runs=3"])
    assert s.name == path.stem
    outputs = execute_batch(plan_batch(s)).outputs
    assert sorted(outputs) == [0, 1, 2]
    for out in outputs.values():
        assert out.error is None, out.error
        assert out.result.series.shape == (s.months, len(RECORD.outcome_names))
        assert np.isfinite(out.result.series).all()


def _results(path, runs):
    s = load_scenario(path, [f"runs={runs}"])
    return [o.result for o in execute_batch(plan_batch(s)).outputs.values()]


def test_full_rupture_follows_the_shock_only_where_the_cuts_last():
    """A rupture needs the October 2025 cuts to last (rupture.months); they may be undone first."""
    from rift.months import parse_month
    from rift.parameters import registry

    s = load_scenario(SCENARIOS / "from_2025" / "full_rupture.yaml", ["runs=30"])
    outputs = list(execute_batch(plan_batch(s)).outputs.values())
    results = [o.result for o in outputs]
    ruptures = [r.events["rupture"] for r in results]
    for out, month in zip(outputs, ruptures, strict=True):
        start = out.result.events["us_security_aid_cut_start"]
        assert start <= parse_month("2025-10")
        if month is not None:  # the run's rupture.months of cuts at least
            needed = out.sampled.get("rupture.months", registry()["rupture.months"].default)
            assert month >= start + needed - 1
    happened = sum(m is not None for m in ruptures)
    assert 0 < happened < len(results)
