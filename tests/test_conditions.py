"""The condition language of conditional interventions (``when:``) and its bad input."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rift.errors import InputError
from rift.record import BLOCS, CERTIFICATION_STATUS, RECORD
from rift.scenario import load_scenario
from rift.scenario.when import (
    ConditionError,
    condition_names,
    format_condition,
    parse_condition,
)
from tests.cli_helpers import cli

NUMERIC = [o.name for o in RECORD.outcomes if o.kind in ("count", "amount", "index", "share")]
FLAGS = [o.name for o in RECORD.outcomes if o.kind == "flag"]
CATEGORIES = {"certification": CERTIFICATION_STATUS, "winner_2026": BLOCS, "winner_2030": BLOCS}
EVENTS = [e.name for e in RECORD.events]


# ------------------------------------------------------------------------- the language
@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("winner_2030 in [centre, right]", ("in", "winner_2030", ("centre", "right"))),
        ("winner_2026 != left", ("in", "winner_2026", ("centre", "right"))),
        ("winner_2030 not in [left]", ("in", "winner_2030", ("centre", "right"))),
        ("control_any > 450", ("cmp", "control_any", ">", 450.0)),
        ("us.security_aid_cut", ("on", "us_security_aid_cut")),
        ("decertified", ("in", "certification", ("decertified", "waiver"))),
        ("happened(deal)", ("happened", "deal")),
        (
            "rupture or control_any >= 1e3 and not decertified",
            (
                "or",
                ("on", "rupture"),
                (
                    "and",
                    ("cmp", "control_any", ">=", 1000.0),
                    ("not", ("in", "certification", ("decertified", "waiver"))),
                ),
            ),
        ),
        (
            "(rupture or rupture) and president == petro",
            ("and", ("or", ("on", "rupture"), ("on", "rupture")), ("in", "president", ("petro",))),
        ),
    ],
)
def test_conditions_parse_to_plain_data_with_the_documented_precedence(text, tree):
    assert parse_condition(text) == tree
    assert parse_condition(format_condition(tree)) == tree


def test_the_names_a_condition_reads():
    tree = parse_condition("winner_2030 in [centre] and (control_any > 1 or happened(deal))")
    assert condition_names(tree) == {"winner_2030", "control_any", "deal"}


def _atoms() -> st.SearchStrategy[tuple]:
    numbers = st.one_of(
        st.integers(-(10**6), 10**6).map(float),
        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    )
    ops = st.sampled_from(["<", "<=", ">", ">=", "==", "!="])
    cmp = st.tuples(st.just("cmp"), st.sampled_from(NUMERIC), ops, numbers)
    member = st.sampled_from(sorted(CATEGORIES)).flatmap(
        lambda c: st.lists(st.sampled_from(CATEGORIES[c]), min_size=1, unique=True).map(
            lambda ls: ("in", c, tuple(x for x in CATEGORIES[c] if x in ls))
        )
    )
    on = st.tuples(st.just("on"), st.sampled_from(FLAGS))
    happened = st.tuples(st.just("happened"), st.sampled_from(EVENTS))
    return st.one_of(cmp, member, on, happened)


TREES = st.recursive(
    _atoms(),
    lambda kids: st.one_of(
        st.tuples(st.just("not"), kids),
        st.lists(kids, min_size=2, max_size=3).map(lambda ks: ("and", *ks)),
        st.lists(kids, min_size=2, max_size=3).map(lambda ks: ("or", *ks)),
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(TREES)
def test_the_canonical_text_parses_back_to_the_same_tree(tree):
    text = format_condition(tree)
    assert parse_condition(text) == tree
    assert format_condition(parse_condition(text)) == text


ALPHABET = "abcdefghijklmnoprstuvwxyz_.0123456789 <>=!()[],-"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_any_text_parses_or_fails_with_a_condition_error(text):
    try:
        tree = parse_condition(text)
    except ConditionError as exc:
        assert exc.problem and exc.expected
    else:
        assert parse_condition(format_condition(tree)) == tree


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("winner_2030 in [centr]", ["unknown bloc 'centr'", "Did you mean 'centre'"]),
        ("winner_2030 == maybe", ["unknown bloc 'maybe'", "left, centre, right"]),
        ("us.security_aid_cutt", ["unknown name 'us.security_aid_cutt'", "us.security_aid_cut"]),
        ("control_anyy > 4", ["unknown outcome 'control_anyy'", "Did you mean 'control_any'"]),
        ("certification > 1", ["is a category", "in [...]"]),
        ("us.intel_cut > 0", ["is a measure", "on or off"]),
        ("control_any", ["needs a comparison", "control_any > NUMBER"]),
        ("happened(rupturee)", ["unknown event 'rupturee'", "Did you mean 'rupture'"]),
        ("control_any > 4 and", ["ends too early"]),
        ("(rupture", ["expected ')'"]),
        ("rupture rupture", ["unexpected at position 9"]),
        ("control_any > 1e999", ["not a finite number"]),
        ("rupture @", ["unexpected character '@' at position 9"]),
        ("winner_2030 not in [left, centre, right]", ["excludes every bloc", "never holds"]),
        ("", ["empty"]),
        ("not " * 30 + "rupture", ["more than 20 levels"]),
    ],
)
def test_a_bad_condition_says_where_and_what_was_expected(text, fragments):
    with pytest.raises(ConditionError) as info:
        parse_condition(text)
    message = f"{info.value.problem} | {info.value.expected} | {info.value.hint}"
    for fragment in fragments:
        assert fragment in message


# ------------------------------------------------------------------------- in a scenario
def _write(tmp_path, body: str):
    f = tmp_path / "c.yaml"
    f.write_text(textwrap.dedent(body), encoding="utf-8")
    return f


def test_a_conditional_item_is_stored_in_canonical_form(tmp_path):
    f = _write(
        tmp_path,
        """\
        name: c
        start: present
        interventions:
          - when: "winner_2030   !=  left"
            set: {us.security_aid_musd: 300}
        shocks:
          - when: col.extradition_suspension
            mode: while
            at: 2027-01
            until: 2028-12
            end: [col.extradition_suspension]
        """,
    )
    s = load_scenario(f)
    (iv,), (sh,) = s.interventions, s.shocks
    assert (iv.when, iv.mode, iv.at, iv.until) == ("winner_2030 in [centre, right]", "once",
                                                   s.start, None)  # fmt: skip
    assert (sh.when, sh.mode, sh.at, sh.until) == ("col.extradition_suspension", "while",
                                                   "2027-01", "2028-12")  # fmt: skip
    dated = load_scenario(_write(tmp_path, "name: d\nstart: present\n"))
    assert "when" not in str(dated.canonical())  # dated scenarios keep their hashes


BAD = [
    (
        "unknown-bloc",
        "interventions:\n  - when: winner_2030 in [center]\n    set: {us.intel_sharing: 1}\n",
        ["interventions[0].when", "unknown bloc 'center'", "Did you mean 'centre'"],
    ),
    (
        "unknown-measure",
        "shocks:\n  - when: us.aid_cut\n    end: [us.security_aid_cut]\n",
        ["shocks[0].when", "unknown name 'us.aid_cut'"],
    ),
    (
        "unknown-outcome",
        "interventions:\n  - when: control > 450\n    set: {us.intel_sharing: 1}\n",
        ["interventions[0].when", "unknown outcome 'control'", "rift outcomes"],
    ),
    (
        "bad-mode",
        "interventions:\n  - when: rupture\n    mode: sometimes\n    set: {us.intel_sharing: 1}\n",
        ["interventions[0].mode", "once", "while"],
    ),
    (
        "mode-without-when",
        "interventions:\n  - at: 2027-01\n    mode: while\n    set: {us.intel_sharing: 1}\n",
        ["interventions[0].mode", "without a condition"],
    ),
    (
        "no-at-no-when",
        "interventions:\n  - set: {us.intel_sharing: 1}\n",
        ["interventions[0]", "'at' is missing", "only with 'when'"],
    ),
    (
        "result-never-known",
        "end: 2029-12\nshocks:\n  - when: winner_2030 == right\n    end: [us.intel_cut]\n",
        ["shocks[0].when", "known only from 2030-07", "2029-12"],
    ),
]


def test_a_conditional_shock_on_a_forced_instruments_measure_is_refused(tmp_path):
    f = _write(
        tmp_path,
        """\
        name: c
        start: present
        interventions:
          - at: 2029-01
            set: {us.security_aid_musd: 300}
        shocks:
          - when: rupture
            end: [us.security_aid_cut]
        """,
    )
    code, _, err = cli("validate", str(f))
    assert code == 2 and "while shocks[0] holds us.security_aid_cut" in err, err


@pytest.mark.parametrize(("body", "fragments"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_conditional_items_exit_2_naming_file_and_key(tmp_path, body, fragments):
    f = _write(tmp_path, "name: c\nstart: present\n" + body)
    with pytest.raises(InputError):
        load_scenario(f)
    code, out, err = cli("validate", str(f))
    assert code == 2, (out, err)
    assert str(f.name) in err and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err
