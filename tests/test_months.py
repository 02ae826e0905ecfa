import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rift.months import calendar_month, format_month, month_range, parse_month, year_of


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_parse_format_round_trip(year, month):
    text = f"{year:04d}-{month:02d}"
    m = parse_month(text)
    assert format_month(m) == text
    assert calendar_month(m) == month
    assert year_of(m) == year


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_dates_and_day_strings_map_to_their_month(d):
    assert parse_month(d) == parse_month(d.isoformat()) == parse_month(d.isoformat()[:7])


@given(st.text(max_size=12))
def test_garbage_is_rejected_or_valid(text):
    try:
        m = parse_month(text)
    except ValueError:
        return
    assert 1 <= calendar_month(m) <= 12


@pytest.mark.parametrize(
    "bad", ["2025-13", "2025-00", "25-01", "2025/01", "2025-02-30", 202501, None]
)
def test_bad_months(bad):
    with pytest.raises(ValueError):
        parse_month(bad)


def test_month_range_is_inclusive():
    r = month_range(parse_month("2025-01"), parse_month("2030-12"))
    assert len(r) == 72
