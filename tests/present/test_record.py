"""The record of 2025-2026 and its coding: every row coded once, in the model's vocabulary."""

from __future__ import annotations

import csv
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rift.months import format_month, parse_month
from rift.present import RecordError, coded_record, load_record, present_state, present_summary
from rift.present.record import (
    CLASSES,
    CODING_FILE,
    ERRORS_FILE,
    EVENT_NAMES,
    IN_FORCE_AT_START,
    LAST_SOURCED,
    MEASURES,
    RECORD_FILE,
    RECORD_START,
    SUPPLEMENT_FILE,
)
from rift.record import COL_MEASURES, RECORD, US_MEASURES
from rift.scenario.schema import ObservationSpec

REC = load_record()


def test_the_packaged_record_is_read_once_and_equals_a_fresh_load():
    assert coded_record() is coded_record()
    assert coded_record() == REC


def _text(name: str) -> str:
    return resources.files("rift.data").joinpath(name).read_text("utf-8")


def _rows(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(_text(name).splitlines()))


RECORD_ROWS = _rows(RECORD_FILE)
SUPPLEMENT_ROWS = _rows(SUPPLEMENT_FILE)
CODING_ROWS = _rows(CODING_FILE)


def _items(rec):
    return [*rec.measures, *rec.events, *rec.determinations, *rec.results, *rec.polls,
            *rec.figures]  # fmt: skip


# ---------------------------------------------------------------- every row coded exactly once


def test_the_record_is_the_shared_file_of_147_rows_with_unique_date_and_key():
    assert len(RECORD_ROWS) == 147
    keys = [(r["date"], r["key"]) for r in RECORD_ROWS]
    assert len(set(keys)) == len(keys)


def test_the_supplement_holds_only_facts_the_record_lacks_each_with_its_source():
    assert len(SUPPLEMENT_ROWS) == 4
    record = {(r["date"], r["key"]) for r in RECORD_ROWS}
    for r in SUPPLEMENT_ROWS:
        assert (r["date"], r["key"]) not in record
        assert r["source_url"].startswith("http") and r["source_title"] and r["description"]
        assert r["confidence"] == "medium"  # one secondary source each


def test_every_row_of_the_record_is_coded_exactly_once():
    record = [(r["date"], r["key"]) for r in RECORD_ROWS + SUPPLEMENT_ROWS]
    coded = [(r["date"], r["key"]) for r in CODING_ROWS]
    assert len(coded) == len(set(coded)), "a row coded twice"
    assert set(coded) == set(record)
    assert {r["class"] for r in CODING_ROWS} <= set(CLASSES)


def test_the_loader_puts_each_row_in_one_class():
    assert REC.used_count + len(REC.unused) == len(RECORD_ROWS) + len(SUPPLEMENT_ROWS)
    unused = {(u.source.file, u.source.row) for u in REC.unused}
    used = {(x.source.file, x.source.row) for x in _items(REC)}
    assert not unused & used


def test_counts_per_class():
    counts: dict[str, int] = {}
    for r in CODING_ROWS:
        counts[r["class"]] = counts.get(r["class"], 0) + 1
    assert counts == {
        "measure_start": 16, "measure_end": 8, "determination": 1, "event": 11,
        "election_result": 5, "poll": 7, "figure": 9, "not_used": 94,
    }  # fmt: skip


def test_a_row_not_used_says_why_and_used_rows_point_at_their_record_row():
    assert all(len(u.reason) > 15 for u in REC.unused)
    by_line = {(RECORD_FILE, i + 2): r for i, r in enumerate(RECORD_ROWS)}
    by_line |= {(SUPPLEMENT_FILE, i + 2): r for i, r in enumerate(SUPPLEMENT_ROWS)}
    for x in (*_items(REC), *REC.unused):
        r = by_line[(x.source.file, x.source.row)]
        assert (r["date"], r["key"], r["source_url"]) == (x.source.date, x.source.key, x.source.url)


# ---------------------------------------------------------------- the model's vocabulary


def test_measure_names_are_the_models_measures():
    assert set(MEASURES) == {f"us.{m}" for m in US_MEASURES} | {f"col.{m}" for m in COL_MEASURES}
    for c in REC.measures:
        assert c.name in MEASURES
        assert c.measure in (US_MEASURES if c.side == "us" else COL_MEASURES)


def test_the_models_measure_catalogue_agrees():
    from rift.model.actors.measures import COL_MEASURES as MODEL_COL
    from rift.model.actors.measures import US_MEASURES as MODEL_US

    assert set(MEASURES) == {f"us.{m}" for m in MODEL_US} | {f"col.{m}" for m in MODEL_COL}


def test_figures_are_numeric_outcomes_usable_as_scenario_observations():
    assert REC.figures
    for f in REC.figures:
        assert f.observable in RECORD.outcome_names
        assert RECORD.outcome(f.observable).kind != "category"
        assert f.sd > 0
        ob = ObservationSpec(**f.as_observation())
        assert (ob.outcome, ob.month, ob.value) == (f.observable, format_month(f.month), f.value)
        assert f.source.url in ob.source


def test_figure_values_and_errors_come_from_the_record_and_the_error_table():
    values = {(r["date"], r["key"]): float(r["value"]) for r in RECORD_ROWS}
    errors = {r["error"]: r for r in _rows(ERRORS_FILE)}
    for f in REC.figures:
        assert f.value == values[(f.source.date, f.source.key)]
        e = errors[f.error]
        assert f.sd == max(float(e["sd_min"]), float(e["sd_share"]) * f.value)
        assert len(e["reason"]) > 50
    assert {f.error for f in REC.figures} == set(errors), "every error kind is used"


def test_events_determination_and_election_are_in_the_models_vocabulary():
    assert {e.name for e in REC.events} <= set(EVENT_NAMES)
    assert [(d.status, format_month(d.month)) for d in REC.determinations] == [
        ("waiver", "2025-09")
    ]
    blocs = {r["candidate"]: r["bloc"] for r in _rows("elections/candidates.csv")
             if r["year"] == "2026"}  # fmt: skip
    for r in (*REC.results, *REC.polls):
        assert blocs[r.candidate] == r.bloc
    for p in REC.polls:
        assert 0 < p.share < 1


def test_the_dated_events_the_nowcast_imposes():
    dated = {(format_month(e.month), e.name) for e in REC.events}
    assert {
        ("2026-01", "venezuela_operation"),
        ("2026-01", "leader_call"),
        ("2026-02", "leader_meeting"),
        ("2026-02", "joint_operation"),
        ("2025-05", "belt_and_road"),
    } <= dated


def test_the_election_results_and_the_winner():
    shares = {(r.round, r.candidate): r.value for r in REC.results if r.unit == "share"}
    assert shares == {
        ("first_round", "Iván Cepeda"): pytest.approx(0.409),
        ("first_round", "Abelardo de la Espriella"): pytest.approx(0.437),
        ("runoff", "Iván Cepeda"): pytest.approx(0.487),
        ("runoff", "Abelardo de la Espriella"): pytest.approx(0.4966),
    }
    w = REC.winner()
    assert (w.candidate, w.bloc, w.preliminary) == ("Abelardo de la Espriella", "right", True)
    assert REC.through("2026-05").winner() is None


# ---------------------------------------------------------------- dates, months, confidence


def test_dates_parse_and_confidences_are_high_or_medium():
    for r in RECORD_ROWS:
        parse_month(r["date"])
        assert r["confidence"] in ("high", "medium")
    for x in (*_items(REC), *REC.unused):
        assert x.source.confidence in ("high", "medium")


def test_the_last_month_is_the_last_sourced_and_nothing_later_is_known():
    assert format_month(REC.last_month) == LAST_SOURCED == "2026-06"
    assert max(parse_month(r["date"]) for r in RECORD_ROWS) == REC.last_month
    first = parse_month(RECORD_START)
    for x in _items(REC):
        assert first <= x.month <= REC.last_month
    later = REC.through("2026-12")
    assert later.last_month == REC.last_month
    assert len(_items(later)) == len(_items(REC))


# ---------------------------------------------------------------- the measure timeline


def test_no_measure_was_in_force_on_2024_12_31():
    assert IN_FORCE_AT_START == ()
    assert REC.in_force("2024-12") == {}


def test_every_end_follows_a_start_of_the_same_measure():
    on = set(IN_FORCE_AT_START)
    for c in REC.measures:
        if c.started:
            on.add(c.name)
        else:
            assert c.name in on, f"{c.name} ends at {c.source.label} without a start"
            on.discard(c.name)


def test_starts_of_a_measure_in_force_are_the_known_confirmations():
    on: set[str] = set()
    again = []
    for c in REC.measures:
        if c.started and c.name in on:
            again.append((format_month(c.month), c.name))
        (on.add if c.started else on.discard)(c.name)
    assert again == [
        ("2025-09", "col.extradition_suspension"),
        ("2025-10", "us.president_measures"),
        ("2026-01", "us.vessel_strikes"),
        ("2026-01", "us.president_measures"),
        ("2026-03", "us.vessel_strikes"),
    ]


def test_measures_in_force_at_the_records_last_month():
    assert list(REC.in_force()) == [
        "us.sanctions_officials", "us.president_measures", "us.security_aid_cut",
        "us.vessel_strikes", "col.extradition_suspension", "col.arms_suspension",
    ]  # fmt: skip
    ended = {c.name for c in REC.measures if not c.started}
    assert ended == {
        "us.tariff_threat", "col.deportation_refusal", "col.intel_suspension", "us.civil_aid_cut",
        "us.visa_officials", "us.ambassador_recall", "col.ambassador_recall",
    }  # fmt: skip


def test_the_supplements_ends_come_after_their_starts():
    assert "us.visa_officials" not in REC.in_force("2025-02")
    assert "us.ambassador_recall" not in REC.in_force("2025-07")  # recalled 07-03, back in July
    assert "col.ambassador_recall" not in REC.in_force("2025-07")
    assert "col.ambassador_recall" in REC.in_force("2025-11")  # the second recall, 2025-10-20
    assert "col.ambassador_recall" not in REC.in_force("2026-02")  # back by the meeting


def test_the_intelligence_suspension_and_its_walk_back_within_a_month():
    assert "col.intel_suspension" not in REC.in_force("2025-11")
    assert "col.intel_suspension" not in REC.in_force("2025-10")
    s = [c for c in REC.measures if c.name == "col.intel_suspension"]
    assert [(c.source.date, c.started) for c in s] == [("2025-11-11", True), ("2025-11-13", False)]


# ---------------------------------------------------------------- the month filter


MONTHS = st.integers(parse_month("2023-06"), parse_month("2027-06"))


@settings(max_examples=60, deadline=None)
@given(a=MONTHS, b=MONTHS)
def test_through_keeps_what_happened_by_the_month_and_nests(a, b):
    lo, hi = min(a, b), max(a, b)
    early, late = REC.through(lo), REC.through(hi)
    assert all(x.month <= lo for x in _items(early))
    assert set(_items(early)) <= set(_items(late))
    assert set(early.unused) <= set(late.unused)
    assert late.through(lo) == early
    assert early.last_month == min(lo, REC.last_month)
    assert REC.in_force(min(lo, REC.last_month)) == early.in_force()


@settings(max_examples=30, deadline=None)
@given(m=MONTHS)
def test_through_takes_a_month_number_or_text(m):
    assert REC.through(m) == REC.through(format_month(m))


# ---------------------------------------------------------------- bad data


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / Path(name).name
    p.write_text(text, encoding="utf-8")
    return p


def _edit_coding(tmp_path, key: str, column: str, value: str) -> tuple[Path, int]:
    """Change one cell of the coding (``key`` may be ``date key``; the last match counts)."""
    rows = list(csv.reader(_text(CODING_FILE).splitlines()))
    col = rows[0].index(column)
    line = max(i for i, r in enumerate(rows) if key in (r[1], f"{r[0]} {r[1]}")) + 1
    rows[line - 1][col] = value
    out = tmp_path / "coding.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return out, line


def test_an_unknown_measure_names_the_file_row_and_column(tmp_path):
    path, line = _edit_coding(tmp_path, "colombia_halts_us_arms_purchases", "target",
                              "col.arms_suspensoin")  # fmt: skip
    with pytest.raises(RecordError) as err:
        load_record(coding=path)
    msg = str(err.value)
    assert str(path) in msg and f"row {line}" in msg and "column 'target'" in msg
    assert "col.arms_suspensoin" in msg and "Did you mean 'col.arms_suspension'" in msg
    assert (err.value.row, err.value.column) == (line, "target")


def test_a_bad_date_in_the_record_names_the_file_row_and_column(tmp_path):
    lines = _text(RECORD_FILE).splitlines()
    k = next(i for i, x in enumerate(lines) if x.startswith("2025-01-17,"))
    lines[k] = lines[k].replace("2025-01-17", "2025-13-17", 1)
    path = _write(tmp_path, RECORD_FILE, "\n".join(lines) + "\n")
    with pytest.raises(RecordError) as err:
        load_record(record=path)
    msg = str(err.value)
    assert str(path) in msg and f"row {k + 1}" in msg and "column 'date'" in msg
    assert "2025-13-17" in msg


def test_an_unknown_observable_event_or_class_is_an_error(tmp_path):
    for key, column, value, expect in (
        ("2025-12 eln_members", "target", "members_elm", "Did you mean 'members_eln'"),
        ("trump_petro_phone_call", "target", "phone", "unknown event"),
        ("trump_petro_phone_call", "class", "happening", "unknown class"),
        ("poll_gad3_first_round_cepeda", "candidate", "Ivan Cepeda", "Did you mean 'Iván Cepeda'"),
        ("2025-12 eln_members", "error", "guess", "unknown error"),
    ):
        path, line = _edit_coding(tmp_path, key, column, value)
        with pytest.raises(RecordError, match=expect) as err:
            load_record(coding=path)
        assert (err.value.row, err.value.column) == (line, column), key


def test_a_row_not_coded_or_coded_twice_is_an_error(tmp_path):
    lines = _text(CODING_FILE).splitlines()
    missing = _write(tmp_path, "missing.csv", "\n".join(lines[:-1]) + "\n")
    with pytest.raises(
        RecordError, match="not coded, the first 2026-02-03 colombia_ambassador_at_white"
    ) as err:
        load_record(coding=missing)
    assert err.value.row == len(SUPPLEMENT_ROWS) + 1
    assert SUPPLEMENT_FILE in str(err.value)
    twice = _write(tmp_path, "twice.csv", "\n".join([*lines, lines[-1]]) + "\n")
    with pytest.raises(RecordError, match="coded twice"):
        load_record(coding=twice)


def test_an_end_without_a_start_is_an_error(tmp_path):
    path, line = _edit_coding(tmp_path, "petro_orders_intel_sharing_suspension", "class",
                              "not_used")  # fmt: skip
    with pytest.raises(RecordError, match=r"col\.intel_suspension ends in 2025-11") as err:
        load_record(coding=path)
    assert err.value.column == "target" and err.value.row == line + 2


def test_a_used_row_after_the_last_sourced_month_is_an_error():
    with pytest.raises(RecordError, match="outside the record's months") as err:
        load_record(last_sourced="2026-05")
    assert err.value.column == "date"


# ---------------------------------------------------------------- the summary


def test_the_summary_as_of_2026_06():
    s = present_state("2026-06")
    assert s.president == "petro"
    assert s.president_elect.candidate == "Abelardo de la Espriella"
    text = present_summary("2026-06")
    assert "The record as of 2026-06" in text
    assert "President of Colombia: Petro" in text
    assert "President-elect: Abelardo de la Espriella (right), 49.66% in the runoff" in text
    assert "preliminary count" in text
    assert "US certification (2025-09): waiver" in text
    for name in REC.in_force():
        assert f"`{name}`" in text
    for name in ("us.tariff_threat", "col.intel_suspension", "us.civil_aid_cut"):
        assert f"`{name}`" not in text
    assert "US strikes on trafficking vessels (`us.vessel_strikes`): since 2025-09, last row " \
           "2026-03" in text  # fmt: skip
    assert "`us.visa_officials`" not in text  # lifted on 2025-01-31 (the supplement)
    assert "Armed-group members (`members_total`): 27,121 persons in 2025-12" in text
    assert "https://" in text and "unknown, not quiet" not in text


def test_the_summary_beyond_the_record_says_it_is_unknown():
    text = present_summary("2026-12")
    assert "The record as of 2026-06" in text
    assert "2026-12 is unknown, not quiet" in text


def test_the_summary_early_in_2025():
    s = present_state("2025-01")
    assert list(s.measures) == []  # the threat, the refusal and the visa sanctions ended
    assert s.president_elect is None and s.determination is None and s.figures == {}
    text = present_summary("2025-01")
    assert "Latest figures:\n\n- none" in text


# ---------------------------------------------------------------- agreement with measure_map.csv


def test_the_measure_map_codes_the_notes_cite_map_to_the_coded_measures_and_events():
    """A note citing ``measure_map.csv: <code>`` agrees with the crisis record's vocabulary."""
    import re

    mapping: dict[str, set[tuple[str, str]]] = {}
    for r in _rows("measure_map.csv"):
        name = r["model_measure"].replace("partner.", "col.")
        mapping.setdefault(r["code"], set()).add((name, r["kind"]))
    cited = 0
    for r in CODING_ROWS:
        for code in re.findall(r"measure_map\.csv: ([a-z]+_[a-z_]+)", r["note"]):
            cited += 1
            assert code in mapping, code
            if r["class"] in ("measure_start", "measure_end"):
                kind = r["class"].removeprefix("measure_")
                coded = {(t, kind) for t in r["target"].split(";")}
            else:
                assert r["class"] == "event", r["key"]
                coded = {(r["target"], "event")}
            assert mapping[code] & coded, f"{r['key']}: {code} maps to {mapping[code]}"
    assert cited >= 15


def test_the_notes_file_gives_the_counts_per_class_and_the_measures_left_on():
    import re

    text = _text("record_2025_2026.md")
    table = dict(re.findall(r"^\| (\w+) \| (\d+) \|", text, flags=re.M))
    counts: dict[str, str] = {}
    for r in CODING_ROWS:
        counts[r["class"]] = str(int(counts.get(r["class"], "0")) + 1)
    assert table == counts
    left = text.split("## What the record lacks")[1]
    assert set(re.findall(r"`((?:us|col)\.\w+)`", left)) == set(REC.in_force())
