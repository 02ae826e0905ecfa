"""The packaged record of US-partner crises: schema, sources, dates, vocabulary, windows."""

from __future__ import annotations

import re
from datetime import date

import pytest

from rift.validation.events.panel import (
    DIRECTIONS,
    EPISODE_COLUMNS,
    HORIZON,
    KINDS,
    MEASURES,
    PRECISIONS,
    RECORD_COLUMNS,
    load_record,
    mapped_events,
    month_index,
    parse_initial,
    parse_people,
    side_of,
    sort_date,
)

from .conftest import SEEDS

REC = load_record()
ROWS = list(REC.events.itertuples(index=False))
EPISODES = REC.episodes.set_index("episode")
SEED_FILE = re.compile(r"seed (\d{3}_[0-9a-f]+\.txt)")
FORMATS = {
    "day": r"\d{4}-\d{2}-\d{2}",
    "month": r"\d{4}-\d{2}",
    "year": r"\d{4}",
    "approx": r"\d{4}(-\d{2}(-\d{2})?)?",
}


def _norm(text: str) -> str:
    """Whitespace and quote style normalised, as the README's seed-quote test does."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def _row_id(r) -> str:
    return f"{r.episode}|{r.date}|{r.measure}"


def test_schema_of_the_three_files():
    assert tuple(REC.events.columns) == RECORD_COLUMNS
    assert tuple(REC.episodes.columns) == EPISODE_COLUMNS
    assert list(REC.measure_map.columns) == ["code", "side", "model_measure", "kind", "reason"]
    assert len(REC.events) >= 140 and len(REC.episodes) >= 12
    assert REC.episodes["id"].is_unique and REC.episodes["episode"].is_unique


@pytest.mark.parametrize("r", ROWS, ids=_row_id)
def test_every_row_is_sourced_dated_and_in_the_vocabulary(r):
    assert len(r.description) > 10
    assert "http" in r.source or SEED_FILE.search(r.source), "a URL or a seed file"
    assert r.date_precision in PRECISIONS
    assert re.fullmatch(FORMATS[r.date_precision], r.date), r.date
    if len(r.date) == 10:
        date.fromisoformat(r.date)  # a real calendar day
    assert sort_date(r.date) <= HORIZON
    assert r.direction in DIRECTIONS
    assert r.episode in EPISODES.index
    side = side_of(r.actor)
    if side == "partner":
        assert r.actor == EPISODES.loc[r.episode, "partner"]
    codes = REC.measure_map[
        (REC.measure_map["code"] == r.measure) & (REC.measure_map["side"] == side)
    ]
    assert len(codes), f"{r.measure} ({side}) is not in measure_map.csv"


def test_seed_quotes_are_verbatim_in_the_first_named_seed():
    checked = 0
    for r in ROWS:
        files = SEED_FILE.findall(r.source)
        if not files or not r.quote:
            continue
        text = (SEEDS / files[0]).read_text(encoding="utf-8")
        assert _norm(r.quote) in _norm(text), f"{_row_id(r)}: quote not in {files[0]}"
        checked += 1
    assert checked >= 20  # the seeds' 2025 timeline is quoted


def test_measure_map_codes_point_at_model_measures_of_the_right_kind():
    want = {
        "start": "state",
        "end": "state",
        "lapse": "state",
        "event": "event",
        "annual": "annual",
    }
    for m in REC.measure_map.itertuples(index=False):
        assert m.kind in KINDS and m.side in ("us", "partner", "both") and m.reason
        if m.kind in want:
            assert MEASURES[m.model_measure].kind == want[m.kind], m
            spec_side = MEASURES[m.model_measure].side
            assert m.side in (spec_side, "both"), m
        else:
            assert m.model_measure == "", m
    keys = REC.measure_map[["code", "side", "model_measure", "kind"]]
    assert not keys.duplicated().any()


@pytest.mark.parametrize("ep", list(REC.episodes.itertuples(index=False)), ids=lambda e: e.id)
def test_each_window_contains_its_rows_and_is_sourced(ep):
    start, end = ep.window_start, ep.window_end
    date.fromisoformat(start) and date.fromisoformat(end)
    assert start < end <= HORIZON
    assert len(ep.source) > 20 and "end:" in ep.source and "start:" in ep.source
    rows = REC.events[REC.events["episode"] == ep.episode]
    assert len(rows) >= 3
    for d, p in zip(rows["date"], rows["date_precision"], strict=True):
        if p == "day":
            assert start <= d <= end, d
        elif p != "year":
            assert month_index(start) <= month_index(d) <= month_index(end), d
        else:
            assert start[:4] <= d <= end[:4], d
    for measure, since in parse_initial(ep.initial_on):
        assert MEASURES[measure].kind == "state" and since < start


def test_leader_changes_in_a_window_are_rows_of_the_record():
    changes = REC.events[
        REC.events["measure"].isin(["leader_change_partner", "us_administration_change"])
    ]
    for ep in REC.episodes.itertuples(index=False):
        listed = {
            d
            for _, d in parse_people(ep.us_administrations) + parse_people(ep.partner_leaders)
            if d and ep.window_start <= d <= ep.window_end
        }
        recorded = set(changes.loc[changes["episode"] == ep.episode, "date"])
        assert listed == recorded, ep.episode


def test_every_row_maps_and_the_2025_timeline_is_complete():
    joined = mapped_events(REC)
    col = joined[joined["episode"] == "US-Colombia 2025 (Trump-Petro)"]
    started = set(col.loc[col["kind"] == "start", "model_measure"])
    # the list: deportation crisis and tariffs, visas, sanctions, decertification with
    # waiver, the announced end of aid, vessel strikes
    assert {
        "partner.deportation_refusal",
        "us.tariff_threat",
        "us.visa_officials",
        "us.sanctions_officials",
        "us.president_measures",
        "us.civil_aid_cut",
        "us.security_aid_cut",
        "us.vessel_strikes",
    } <= started
    assert "decertification_waiver" in set(col["measure"])


def test_ends_are_recorded_as_well_as_starts():
    joined = mapped_events(REC)
    rows_with = joined.groupby("row")["kind"].agg(set)
    assert sum("end" in k for k in rows_with) >= 25
    assert sum("start" in k for k in rows_with) >= 50
