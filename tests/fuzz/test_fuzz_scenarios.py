"""Fuzzing the scenario language: generated files, ``--set`` strings, mutated shipped files.

Every input either validates (exit 0) or is bad input (exit 2 with a message): never exit 1,
never a traceback, each within 2 CPU-seconds and 500 MB. ``RIFT_FUZZ_EXAMPLES`` sets the
examples per test (CI: 1,000).
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from rift.parameters import registry
from rift.scenario import shipped_scenarios

from .conftest import FUZZ, MEMORY, assert_handled, peak_rss, run_cli

KEYS = [
    "name", "description", "extends", "start", "end", "runs", "seed", "parameters",
    "uncertain", "election", "interventions", "outcomes", "calibration", "source", "nmae",
]  # fmt: skip
PARAMS = [*sorted(registry())[:40], "us.intel_sharing", "us.certification", "no.such.param"]

numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, -1, 0.5, 1e308, -1e308, 2**63, 2**31, 1e-320]),
)
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["2025-01", "2030-12", "2100-12", "1999-13", "2026-02-30", "calibrated",
                     "../x", "a/b", ".hidden", "é名前", "\x00", "baseline", "uniform"]),
)  # fmt: skip
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(texts, st.sampled_from(PARAMS)), inner, max_size=5),
    ),
    max_leaves=25,
)
distributions = st.fixed_dictionaries(
    {"dist": st.sampled_from(["uniform", "triangular", "normal", "truncnormal", "lognormal",
                              "beta", "choice", "gamma"])},
    optional={k: values for k in ("low", "high", "mode", "mean", "sd", "median", "sigma",
                                  "a", "b", "values", "weights", "extra")},
)  # fmt: skip
scenario_values = {
    "parameters": st.dictionaries(st.sampled_from(PARAMS), values, max_size=4),
    "uncertain": st.one_of(
        st.just("calibrated"),
        st.dictionaries(st.sampled_from(PARAMS), distributions, max_size=3),
    ),
    "election": st.one_of(
        values,
        st.fixed_dictionaries(
            {},
            optional={
                "priors": st.dictionaries(
                    st.sampled_from(["left", "centre", "right", "x"]), numbers, max_size=3
                ),
                "winner": texts,
            },
        ),
    ),
    "interventions": st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "at": texts,
                "until": texts,
                "label": values,
                "set": st.dictionaries(st.sampled_from(PARAMS), values, max_size=3),
            },
        ),
        max_size=3,
    ),
}
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=8).flatmap(
    lambda d: st.fixed_dictionaries({k: scenario_values.get(k, st.just(v)) for k, v in d.items()})
)


def _dump(data: object) -> str:
    try:
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except (yaml.YAMLError, ValueError, OverflowError):
        return repr(data)


@FUZZ
@given(doc=documents)
def test_generated_scenario_files(tmp_path_factory, doc):
    f = tmp_path_factory.mktemp("fz") / "s.yaml"
    f.write_text(_dump(doc), encoding="utf-8")
    base = peak_rss()
    code, err = run_cli("validate", str(f))
    assert_handled(code, err, doc)
    if code == 2:
        assert str(f) in err or "--" in err
    assert peak_rss() - base < MEMORY


@FUZZ
@given(key=st.one_of(st.sampled_from(["runs", "seed", "name", "end", "start", "election.winner",
                                      "election.priors.left", "interventions", "parameters",
                                      "outcomes", *PARAMS]), st.text(max_size=20)),
       value=st.one_of(texts, st.builds(str, numbers), st.builds(_dump, values)),
       sep=st.sampled_from(["=", "", "==", " = "]))  # fmt: skip
def test_generated_set_strings(key, value, sep):
    base = peak_rss()
    shipped = str(shipped_scenarios()["baseline"])
    code, err = run_cli("validate", shipped, "--set", f"{key}{sep}{value}")
    assert_handled(code, err, (key, sep, value))
    assert peak_rss() - base < MEMORY


def _mutations(data: dict) -> st.SearchStrategy:
    """One mutation of a shipped scenario's data: delete, swap a type, unicode, extremes, nest."""
    keys = list(data)

    def apply(op, key, value, depth):
        out = dict(data)
        if op == "delete":
            out.pop(key, None)
        elif op == "swap":
            out[key] = value
        elif op == "unicode":
            out[key] = f"{out.get(key)}\u202e\U0001f4a5\x7f"
        elif op == "extreme":
            out[key] = value if isinstance(value, int | float) else math.inf
        elif op == "nest":
            nested: object = out.get(key)
            for _ in range(depth):
                nested = {"x": nested}
            out[key] = nested
        elif op == "inner" and isinstance(out.get(key), dict) and out[key]:
            inner = dict(out[key])
            inner[next(iter(inner))] = value
            out[key] = inner
        return out

    return st.builds(
        apply,
        st.sampled_from(["delete", "swap", "unicode", "extreme", "nest", "inner"]),
        st.sampled_from(keys),
        st.one_of(values, numbers),
        st.integers(1, 60),
    )


SHIPPED = {n: yaml.safe_load(p.read_text("utf-8")) for n, p in shipped_scenarios().items()}


@FUZZ
@given(
    mutated=st.sampled_from(sorted(SHIPPED)).flatmap(lambda n: _mutations(SHIPPED[n])),
    text_edit=st.one_of(
        st.none(),
        st.tuples(
            st.integers(0, 3000), st.sampled_from(["\t", ":", "- ", "&a", "*a", "{", "\n  x"])
        ),
    ),
)  # fmt: skip
def test_mutated_shipped_scenarios(tmp_path_factory, mutated, text_edit):
    text = _dump(mutated)
    if text_edit is not None:
        pos, ins = text_edit
        pos = min(pos, len(text))
        text = text[:pos] + ins + text[pos:]
    folder = tmp_path_factory.mktemp("mut")
    f = Path(folder) / "m.yaml"
    f.write_text(text, encoding="utf-8")
    base = peak_rss()
    code, err = run_cli("validate", str(f))
    assert_handled(code, err, text[:300])
    assert peak_rss() - base < MEMORY
