"""The parameter registry: provenance is checkable, ranges are enforced."""

import csv
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rift.errors import InputError
from rift.parameters import KINDS, registry

from .conftest import SEEDS, reference_rows

REG = registry()
PARAMS = list(REG.values())


def test_registry_is_large_and_sourced():
    assert len(REG) > 150
    for p in PARAMS:
        assert p.kind in KINDS
        assert p.sources, p.name
        assert p.description, p.name
        assert p.unit, p.name


@pytest.mark.parametrize("param", PARAMS, ids=lambda p: p.name)
def test_seed_quotes_are_verbatim_and_reference_keys_exist(param):
    keys = {r["key"] for r in reference_rows()}
    dates = {(r["key"], r["date"]) for r in reference_rows()}
    for s in param.sources:
        if s.kind == "seed":
            text = (SEEDS / s.text).read_text(encoding="utf-8")
            assert s.quote in text, f"{param.name}: quote not in {s.text}: {s.quote!r}"
        elif s.kind == "reference":
            assert s.text in keys, f"{param.name}: no reference key {s.text}"
            if s.date:
                assert (s.text, s.date) in dates, f"{param.name}: no row {s.text}@{s.date}"
        else:
            assert s.kind == "assumption" and len(s.text) > 10, param.name


@pytest.mark.parametrize("param", PARAMS, ids=lambda p: p.name)
def test_defaults_and_uncertainty_lie_in_the_valid_range(param):
    if param.instrument:
        assert param.default is None
        return
    assert param.validate(param.default) == param.default
    u = param.uncertainty
    if u and u["dist"] == "choice":
        assert all(param.validate(v) == v for v in u["values"])
        assert param.default in u["values"], "the default is one of the sampled choices"
        weights = u.get("weights") or [1.0] * len(u["values"])
        assert len(weights) == len(u["values"]) and abs(sum(weights) - 1.0) < 1e-9
        return
    if u:
        assert u["dist"] in ("uniform", "triangular", "truncnormal", "beta")
        assert param.low <= u["low"] < u["high"] <= param.high
        assert u["low"] <= param.default <= u["high"], "the default lies in its uncertainty range"


def test_seeds_that_disagree_become_uncertain_ranges_with_a_note():
    aid = REG["us.aid_total_musd"]
    assert aid.uncertainty == {"dist": "uniform", "low": 400, "high": 590}
    assert "disagree" in aid.note
    share = REG["us.aid_security_share"]
    assert share.uncertainty["low"] == pytest.approx(6 / 14, abs=0.01)
    assert share.uncertainty["high"] == pytest.approx(0.64)
    assert "disagree" in share.note
    assert {s.text for s in aid.sources if s.kind == "seed"} == {
        "000_c2c7534c765c63e3.txt",
        "001_42ba36088a13ee4f.txt",
    }


def test_every_seed_document_is_cited():
    cited = {s.text for p in PARAMS for s in p.sources if s.kind == "seed"}
    assert cited == {f.name for f in SEEDS.glob("*.txt")}


def test_lookup_suggests_the_closest_name():
    with pytest.raises(InputError) as err:
        REG.lookup("us.intel_shareing", file="x.yaml")
    msg = err.value.message()
    assert "x.yaml" in msg and "us.intel_shareing" in msg and "us.intel_sharing" in msg


@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_validate_accepts_exactly_the_range(x):
    p = REG["col.aid_dependence"]
    if p.low <= x <= p.high:
        assert p.validate(x) == x
    else:
        with pytest.raises(InputError, match="valid range"):
            p.validate(x)


@pytest.mark.parametrize("bad", ["0.5", True, None, [1], float("nan"), math.inf])
def test_validate_rejects_wrong_types(bad):
    with pytest.raises(InputError):
        REG["col.aid_dependence"].validate(bad)


def test_int_and_choice_parameters():
    assert REG["rupture.months"].validate(4.0) == 4
    with pytest.raises(InputError, match="whole number"):
        REG["rupture.months"].validate(2.5)
    with pytest.raises(InputError, match="waiver"):
        REG["us.certification"].validate("waivr")
    assert REG["us.certification"].validate(None) is None  # instrument: endogenous


def test_resolve_overrides_and_rejects_unknown_names():
    ps = REG.resolve({"us.aid_total_musd": 450})
    assert ps["us.aid_total_musd"] == 450.0
    assert ps["col.aid_dependence"] == REG["col.aid_dependence"].default
    with pytest.raises(InputError, match="unknown parameter"):
        REG.resolve({"nope.nothing": 1})


def test_reference_csv_is_well_formed():
    rows = reference_rows()
    assert {"key", "value", "unit", "date", "source", "note"} <= set(rows[0])
    for r in rows:
        float(r["value"])
    assert csv  # the module is used by the helper
