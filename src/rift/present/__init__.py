"""The present: what happened from 2025-01 to the record's last month, as data for the nowcast.

rift's calibration and its archived forecast stop at 2025-12; the users live later. This package
reads the sourced record of 2025-2026 (:mod:`rift.present.record`): the measures each side started
and ended, the events, the September determination, the 2026 election's results and polls, and
the published figures mapped to the model's outcomes with an observation error. It imports only
the leaves (months, the run record's declarations, the calendar, errors).
"""

from __future__ import annotations

from rift.present.record import (
    CodedRecord,
    Determination,
    ElectionResult,
    Event,
    Figure,
    MeasureChange,
    MeasureState,
    Poll,
    RecordError,
    Source,
    Unused,
    coded_record,
    load_record,
    present_state,
    present_summary,
)

__all__ = [
    "CodedRecord",
    "Determination",
    "ElectionResult",
    "Event",
    "Figure",
    "MeasureChange",
    "MeasureState",
    "Poll",
    "RecordError",
    "Source",
    "Unused",
    "coded_record",
    "load_record",
    "present_state",
    "present_summary",
]
