"""The event model against US-Colombia: the calibration record and the 2025 check."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rift.parameters import registry
from rift.validation.calibration.alliance import OBSERVED, PRIORS, distance, packaged, simulator
from rift.validation.forecast.alliance import markdown, reproduction_table


def test_the_registry_states_the_packaged_calibration():
    record = packaged()
    reg = registry()
    assert set(record["quantiles"]) == {p.name for p in PRIORS}
    for name, (lo, mid, hi) in record["quantiles"].items():
        p = reg[name]
        assert p.default == pytest.approx(mid, rel=1e-2), name
        u = p.uncertainty
        assert u["dist"] == "triangular"
        assert (u["low"], u["mode"], u["high"]) == pytest.approx((lo, mid, hi), rel=1e-2)
        assert any("alliance_calibration" in s.text for s in p.sources)
    assert record["observed"] == OBSERVED.tolist()
    eps = record["posterior"]["epsilons"]
    assert all(a >= b for a, b in itertools.pairwise(eps))  # tolerances shrink


def test_the_simulator_gives_the_four_summaries():
    sim = simulator()
    theta = {p.name: (p.low + p.high) / 2 for p in PRIORS}
    s = sim(theta, np.random.SeedSequence(1))
    assert s.shape == (4,) and np.all(s >= 0) and s[2] in (0.0, 1.0)
    assert distance(OBSERVED, OBSERVED) == 0 and distance(s, OBSERVED) >= 0
    again = sim(theta, np.random.SeedSequence(1))
    assert np.array_equal(s, again)


def test_the_2025_reproduction_table(small_batches):
    table = reproduction_table(small_batches["baseline"])
    assert {"us.tariff_threat", "partner.deportation_refusal", "us.decertification"} <= set(
        table["measure"]
    )
    assert table["p"].between(0, 1).all()
    text = markdown(table)
    assert "first starts of 2025 inside the model's 90 % band" in text
