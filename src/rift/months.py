"""Calendar months as integers.

The model steps monthly. A month is stored as ``year * 12 + (month - 1)`` so that month
arithmetic is integer arithmetic and a horizon is a ``range``.
"""

from __future__ import annotations

import datetime as _dt
import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_month(value: object) -> int:
    """Parse ``YYYY-MM`` (or ``YYYY-MM-DD``, or a date) into a month number.

    Args:
        value: A string such as ``"2026-08"`` or ``"2026-08-07"``, or a ``datetime.date``.

    Returns:
        The month number ``year * 12 + month - 1``.

    Raises:
        ValueError: If the value is not a valid month.
    """
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.year * 12 + value.month - 1
    if not isinstance(value, str):
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
    match = _MONTH.match(value.strip())
    if not match:
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 01..12, got {value!r}")
    if match.group(3) is not None:
        _dt.date(year, month, int(match.group(3)))  # raises ValueError on a bad day
    return year * 12 + month - 1


def format_month(month: int) -> str:
    """Format a month number as ``YYYY-MM``."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_range(start: int, end: int) -> range:
    """All months from ``start`` to ``end`` inclusive."""
    return range(start, end + 1)


def calendar_month(month: int) -> int:
    """The calendar month 1..12 of a month number."""
    return month % 12 + 1


def year_of(month: int) -> int:
    """The calendar year of a month number."""
    return month // 12
