"""The record of 2025-2026 as data: what happened, coded for the model.

Three packaged files (``rift/data``):

* ``record_2025_2026.csv``: the sourced record (one fact a row: ``date, kind, key, value, unit,
  actor, description, source_title, source_url, quote, confidence``), copied unchanged from the
  project's shared data. Nothing from 2026-07 on could be sourced: later months are *unknown*,
  not quiet (:data:`LAST_SOURCED`).
* ``record_2025_2026_coding.csv``: the coding rules as data, one row for every row of the record
  (joined on ``date`` and ``key``), which assigns it to exactly one class of :data:`CLASSES`:

  ================= ==============================================================================
  class             target (and the other columns)
  ================= ==============================================================================
  measure_start     model measures started (``us.tariffs``; several separated by ``;``); a start
                    of a measure already in force confirms it and changes nothing, as in the model
  measure_end       model measures ended
  determination     the September certification status (``rift.record.CERTIFICATION_STATUS``)
  event             an event of :data:`EVENT_NAMES`
  election_result   ``round`` and ``candidate`` (bloc from ``elections/candidates.csv``);
                    ``qualifier`` ``preliminary`` for a preliminary count
  poll              ``round`` and ``candidate``; the pollster is the record's ``actor``
  figure            a numeric monthly outcome of :data:`rift.record.OUTCOMES`, with ``error``
  not_used          nothing; ``note`` says why (no model counterpart, already in the calibration's
                    data, ambiguous, superseded)
  ================= ==============================================================================

* ``record_2025_2026_errors.csv``: the observation error of each kind of figure, one standard
  deviation ``max(sd_min, sd_share * value)`` with its reason (sources that disagree).

Every coded value comes from the record's ``value`` column (a percentage becomes a share); the
coding only says what the row is to the model. :func:`load_record` checks both files and raises
:class:`RecordError` naming the file, the row and the column of anything wrong. A measure the
record starts and never ends is *on as far as the record says*: its end, if any, is unknown.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rift.calendar import election_2026, president_at
from rift.errors import InputError, did_you_mean
from rift.months import format_month, parse_month
from rift.record import (
    CERTIFICATION_STATUS,
    COL_MEASURES,
    MEASURE_LABELS,
    RECORD,
    US_MEASURES,
)

#: The packaged files (in ``rift.data``).
RECORD_FILE = "record_2025_2026.csv"
#: Facts of 2025-2026 the shared record lacks, taken with their sources from the project's
#: record of crises (``alliance_events.csv``) or from the record's own rows: the ends of the
#: visa sanctions and of the ambassadors' recalls. Same columns; the quote may be empty
#: (that file keeps none), the source and the line it comes from never are.
SUPPLEMENT_FILE = "record_2025_2026_supplement.csv"
CODING_FILE = "record_2025_2026_coding.csv"
ERRORS_FILE = "record_2025_2026_errors.csv"
CANDIDATES_FILE = "elections/candidates.csv"

RECORD_COLUMNS: tuple[str, ...] = (
    "date", "kind", "key", "value", "unit", "actor", "description", "source_title",
    "source_url", "quote", "confidence",
)  # fmt: skip
CODING_COLUMNS: tuple[str, ...] = (
    "date", "key", "class", "target", "round", "candidate", "qualifier", "error", "note",
)  # fmt: skip
ERROR_COLUMNS: tuple[str, ...] = ("error", "sd_share", "sd_min", "reason")

#: The record's kinds of row and confidences (high: primary or two agreeing sources; medium:
#: one reliable secondary).
KINDS: tuple[str, ...] = ("event", "figure", "poll", "result")
CONFIDENCES: tuple[str, ...] = ("high", "medium")
#: The classes a row of the record is coded to.
CLASSES: tuple[str, ...] = (
    "measure_start", "measure_end", "determination", "event", "election_result", "poll",
    "figure", "not_used",
)  # fmt: skip
#: Election rounds.
ROUNDS: tuple[str, ...] = ("first_round", "runoff")

#: The first month the record covers: earlier rows are the calibration's history.
RECORD_START = "2025-01"
#: The last month anything could be sourced (the shared data's README: nothing from 2026-07 on
#: could be sourced reliably; treat it as unknown, not as "nothing happened").
LAST_SOURCED = "2026-06"

#: The model's measures, ``<side>.<measure>`` (``rift.record``).
MEASURES: tuple[str, ...] = (
    *(f"us.{m}" for m in US_MEASURES),
    *(f"col.{m}" for m in COL_MEASURES),
)
#: Measures in force on 2024-12-31 according to the record: none. The record starts every
#: measure it ends (the first, the tariff threat of 2025-01-26, starts in it), and the model's
#: calibration has the Duque and Biden years quiet (no measure in force).
IN_FORCE_AT_START: tuple[str, ...] = ()

#: The events the coding may name, with their counterpart in the model.
EVENT_NAMES: dict[str, str] = {
    "us.rhetoric": "a hostile public statement by the US president or secretary (the model's US "
    "rhetoric event)",
    "col.rhetoric": "a hostile public statement by Colombia's president (the model's partner "
    "rhetoric event)",
    "col.concession": "Colombia accepts a US demand (the model's concession event)",
    "both.deal": "a leader-to-leader agreement (the model's deal event)",
    "leader_call": "a call between the presidents without a stated deal (no model event)",
    "leader_meeting": "a meeting of the presidents without a stated deal (no model event)",
    "joint_operation": "a joint US-Colombian operation (evidence that military cooperation works)",
    "venezuela_operation": "the US military operation in Venezuela (no model event: the model "
    "has pressure on Caracas)",
    "usaid_dismantled": "the model's calendar event (rift.calendar.ONE_OFF_EVENTS)",
    "belt_and_road": "the model's calendar event (rift.calendar.ONE_OFF_EVENTS)",
}


class RecordError(InputError):
    """Bad data in the record or its coding: the file, the row, the column and the problem.

    Attributes:
        row: The line number in the file (the header is line 1).
        column: The column.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.row = row
        self.column = column
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(problem, file=where, expected=expected, hint=hint)


@dataclass(frozen=True)
class Source:
    """The row of the record a coded item comes from.

    Attributes:
        row: Its line in ``record_2025_2026.csv`` (the header is line 1).
        date: The date as written (``YYYY-MM`` or ``YYYY-MM-DD``).
        key: The row's key.
        description: What the row says.
        title: The source's title.
        url: The source's address.
        quote: The passage quoted from it.
        confidence: ``high`` (primary or two agreeing sources) or ``medium``.
    """

    row: int
    date: str
    key: str
    description: str
    title: str
    url: str
    quote: str
    confidence: str
    #: The file the row is in (the record, or its supplement).
    file: str = RECORD_FILE

    @property
    def label(self) -> str:
        """``date key`` for tables."""
        return f"{self.date} {self.key}"


@dataclass(frozen=True)
class MeasureChange:
    """A model measure started (or confirmed in force) or ended.

    Attributes:
        month: The month number.
        side: ``us`` or ``col``.
        measure: The measure's name on its side (``tariffs``).
        started: True for a start, False for an end.
        source: The row of the record.
        note: Why the row is coded so.
    """

    month: int
    side: str
    measure: str
    started: bool
    source: Source
    note: str = ""

    @property
    def name(self) -> str:
        """``<side>.<measure>``, the name scenarios use."""
        return f"{self.side}.{self.measure}"

    @property
    def label(self) -> str:
        """What the measure is (``rift.record.MEASURE_LABELS``)."""
        return MEASURE_LABELS[f"{self.side}_{self.measure}"]


@dataclass(frozen=True)
class Event:
    """An event of :data:`EVENT_NAMES`.

    Attributes:
        month: The month number.
        name: The event's name.
        source: The row of the record.
        note: Why the row is coded so.
    """

    month: int
    name: str
    source: Source
    note: str = ""


@dataclass(frozen=True)
class Determination:
    """The September US certification determination.

    Attributes:
        month: The month number.
        status: One of ``rift.record.CERTIFICATION_STATUS``.
        source: The row of the record.
    """

    month: int
    status: str
    source: Source


@dataclass(frozen=True)
class ElectionResult:
    """A candidate's result in a round of the 2026 presidential election.

    Attributes:
        month: The month number of the round.
        round: ``first_round`` or ``runoff``.
        candidate: The candidate's name as in ``elections/candidates.csv``.
        bloc: The candidate's bloc (``left``, ``centre``, ``right``).
        value: A share of the valid votes (0-1) or a number of votes.
        unit: ``share`` or ``votes``.
        preliminary: From the preliminary count.
        source: The row of the record.
    """

    month: int
    round: str
    candidate: str
    bloc: str
    value: float
    unit: str
    preliminary: bool
    source: Source


@dataclass(frozen=True)
class Poll:
    """A published vote intention for a candidate (a share of respondents, as published).

    Attributes:
        month: The month number of the publication.
        pollster: The pollster (the record's actor).
        round: ``first_round`` or a hypothetical ``runoff``.
        candidate: The candidate's name as in ``elections/candidates.csv``.
        bloc: The candidate's bloc.
        share: The vote intention, 0-1.
        source: The row of the record.
    """

    month: int
    pollster: str
    round: str
    candidate: str
    bloc: str
    share: float
    source: Source


@dataclass(frozen=True)
class Figure:
    """A published figure of a model outcome, with its observation error.

    Attributes:
        month: The month it describes.
        observable: The model outcome (``rift.record.OUTCOMES``).
        value: The published value, in the outcome's unit.
        sd: One standard deviation of observation error, same unit.
        error: The kind of error (``record_2025_2026_errors.csv``).
        unit: The record's unit, as written.
        source: The row of the record.
        note: Why the row is coded so.
    """

    month: int
    observable: str
    value: float
    sd: float
    error: str
    unit: str
    source: Source
    note: str = ""

    @property
    def confidence(self) -> str:
        """The source's confidence."""
        return self.source.confidence

    def as_observation(self) -> dict[str, Any]:
        """The figure as a scenario observation (``rift.scenario.schema.ObservationSpec``)."""
        return {
            "outcome": self.observable,
            "month": format_month(self.month),
            "value": self.value,
            "sd": self.sd,
            "source": f"{self.source.title} ({self.source.url}); record {self.source.label}",
        }


@dataclass(frozen=True)
class Unused:
    """A row the model does not use, and why.

    Attributes:
        month: The month number of its date.
        reason: Why it is not used.
        source: The row of the record.
    """

    month: int
    reason: str
    source: Source


@dataclass(frozen=True)
class MeasureState:
    """A measure on as far as the record says (started, no end recorded).

    Attributes:
        name: ``<side>.<measure>``.
        label: What it is.
        since: The month it was switched on.
        since_source: The row that switched it on.
        confirmed: The last month a row started or confirmed it.
        confirmed_source: That row.
    """

    name: str
    label: str
    since: int
    since_source: Source
    confirmed: int
    confirmed_source: Source


@dataclass(frozen=True)
class CodedRecord:
    """The coded record, in date order within each class.

    Attributes:
        measures: Starts and ends of model measures.
        events: Events.
        determinations: Certification determinations.
        results: Election results.
        polls: Polls.
        figures: Figures of model outcomes.
        unused: Rows not used, with the reason.
        last_month: The last month the record covers (``LAST_SOURCED``, or the month given to
            :meth:`through`): later months are unknown.
    """

    measures: tuple[MeasureChange, ...]
    events: tuple[Event, ...]
    determinations: tuple[Determination, ...]
    results: tuple[ElectionResult, ...]
    polls: tuple[Poll, ...]
    figures: tuple[Figure, ...]
    unused: tuple[Unused, ...]
    last_month: int

    def through(self, month: int | str) -> CodedRecord:
        """The record as far as a month (inclusive): what a filter at that month may know.

        Args:
            month: A month number or ``YYYY-MM``. A month after the record's last month gives
                the whole record (later months are unknown, not empty).
        """
        m = parse_month(month) if isinstance(month, str) else int(month)
        last = min(m, self.last_month)

        def keep(items: Iterable) -> tuple:
            return tuple(x for x in items if x.month <= last)

        return replace(
            self,
            measures=keep(self.measures),
            events=keep(self.events),
            determinations=keep(self.determinations),
            results=keep(self.results),
            polls=keep(self.polls),
            figures=keep(self.figures),
            unused=keep(self.unused),
            last_month=last,
        )

    @property
    def used_count(self) -> int:
        """How many rows of the record are coded to a class other than ``not_used``."""
        rows = {c.source.row for c in self.measures}
        for items in (self.events, self.determinations, self.results, self.polls, self.figures):
            rows |= {x.source.row for x in items}
        return len(rows)

    def in_force(self, month: int | str | None = None) -> dict[str, MeasureState]:
        """The measures on at the end of a month as far as the record says.

        A measure started and not ended by a later row is on; its end, if it came, is not in
        the record (unknown, not absent). None was in force at the start
        (:data:`IN_FORCE_AT_START`).

        Args:
            month: A month number or ``YYYY-MM`` (default: the record's last month).
        """
        last = self.last_month if month is None else _month(month)
        state: dict[str, MeasureState] = {}
        for c in self.measures:
            if c.month > last:
                break
            if c.started:
                held = state.get(c.name)
                if held is None:
                    state[c.name] = MeasureState(
                        c.name, c.label, c.month, c.source, c.month, c.source
                    )
                else:
                    state[c.name] = replace(held, confirmed=c.month, confirmed_source=c.source)
            else:
                state.pop(c.name, None)
        return dict(sorted(state.items(), key=lambda kv: MEASURES.index(kv[0])))

    def latest_figures(self) -> dict[str, Figure]:
        """The latest figure of each observable (the last row of its latest month)."""
        out: dict[str, Figure] = {}
        for f in self.figures:
            out[f.observable] = f
        return out

    def winner(self) -> ElectionResult | None:
        """The runoff's leading candidate (share of the votes), or None before the runoff."""
        shares = [r for r in self.results if r.round == "runoff" and r.unit == "share"]
        return max(shares, key=lambda r: r.value) if shares else None


@cache
def coded_record() -> CodedRecord:
    """The packaged record, coded (read once per process)."""
    return load_record()


def _month(value: int | str) -> int:
    return parse_month(value) if isinstance(value, str) else int(value)


def _read(path: Path | None, name: str) -> tuple[str, list[tuple[int, dict[str, str]]], list]:
    """The file's label, its rows with their line numbers, and its header."""
    if path is None:
        label = f"rift/data/{name}"
        text = resources.files("rift.data").joinpath(name).read_text("utf-8")
    else:
        label = str(path)
        text = Path(path).read_text(encoding="utf-8")
    reader = csv.DictReader(text.splitlines())
    rows = [(reader.line_num, row) for row in reader]
    return label, rows, list(reader.fieldnames or [])


def _columns(label: str, header: list, expected: tuple[str, ...]) -> None:
    if tuple(header) != expected:
        raise RecordError(
            f"columns {header}", file=label, row=1, expected=f"the columns {list(expected)}"
        )


def _candidates(path: Path | None = None) -> dict[str, str]:
    """The 2026 candidates and their blocs (``elections/candidates.csv``)."""
    _, rows, _ = _read(path, CANDIDATES_FILE)
    return {r["candidate"]: r["bloc"] for _, r in rows if r["year"] == "2026"}


@dataclass(frozen=True)
class _Row:
    """A checked row of the record."""

    source: Source
    month: int
    value: float
    unit: str
    actor: str


def _read_record(
    path: Path | None, name: str = RECORD_FILE
) -> tuple[str, dict[tuple[str, str], _Row]]:
    label, rows, header = _read(path, name)
    _columns(label, header, RECORD_COLUMNS)
    out: dict[tuple[str, str], _Row] = {}
    for line, r in rows:
        try:
            month = parse_month(r["date"])
        except ValueError as exc:
            raise RecordError(
                f"bad date {r['date']!r} ({exc})",
                file=label,
                row=line,
                column="date",
                expected="YYYY-MM or YYYY-MM-DD",
            ) from None
        if r["kind"] not in KINDS:
            raise RecordError(
                f"unknown kind {r['kind']!r}", file=label, row=line, column="kind",
                expected=f"one of {', '.join(KINDS)}",
            )  # fmt: skip
        if r["confidence"] not in CONFIDENCES:
            raise RecordError(
                f"unknown confidence {r['confidence']!r}", file=label, row=line,
                column="confidence", expected=f"one of {', '.join(CONFIDENCES)}",
            )  # fmt: skip
        try:
            value = float(r["value"])
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise RecordError(
                f"value {r['value']!r} is not a number", file=label, row=line, column="value",
                expected="a finite number",
            )  # fmt: skip
        required = ("key", "source_title", "source_url", "quote")
        if name == SUPPLEMENT_FILE:  # the record of crises keeps no quotes: say where it is from
            required = ("key", "description", "source_title", "source_url")
        for col in required:
            if not r[col].strip():
                raise RecordError("empty", file=label, row=line, column=col)
        if (r["date"], r["key"]) in out:
            raise RecordError(
                f"date and key {r['date']} {r['key']} repeat row "
                f"{out[(r['date'], r['key'])].source.row}",
                file=label, row=line, column="key", expected="one row per date and key",
            )  # fmt: skip
        src = Source(
            line, r["date"], r["key"], r["description"], r["source_title"], r["source_url"],
            r["quote"], r["confidence"], name,
        )  # fmt: skip
        out[(r["date"], r["key"])] = _Row(src, month, value, r["unit"], r["actor"])
    return label, out


def _read_errors(path: Path | None) -> dict[str, tuple[float, float, str]]:
    label, rows, header = _read(path, ERRORS_FILE)
    _columns(label, header, ERROR_COLUMNS)
    out = {}
    for line, r in rows:
        try:
            share, low = float(r["sd_share"]), float(r["sd_min"])
        except ValueError:
            raise RecordError(
                "sd_share and sd_min must be numbers", file=label, row=line, column="sd_share"
            ) from None
        if not (share >= 0 and low >= 0 and share + low > 0):
            raise RecordError(
                "the error would be zero or negative", file=label, row=line, column="sd_share",
                expected="sd_share >= 0 and sd_min >= 0, not both zero",
            )  # fmt: skip
        if not r["reason"].strip():
            raise RecordError("empty", file=label, row=line, column="reason")
        out[r["error"]] = (share, low, r["reason"])
    return out


def error_classes() -> dict[str, tuple[float, float, str]]:
    """The packaged error table: class -> (sd share, sd floor, reason)."""
    return _read_errors(None)


def error_sd(error: tuple[float, float, str], value: float) -> float:
    """One sd of a figure's observation error in its class: ``max(sd_min, sd_share * |v|)``."""
    share, low, _ = error
    return max(low, share * abs(value))


def _numeric_outcomes() -> tuple[str, ...]:
    return tuple(n for n in RECORD.outcome_names if RECORD.outcome(n).kind != "category")


def load_record(
    record: Path | None = None,
    coding: Path | None = None,
    errors: Path | None = None,
    *,
    last_sourced: str = LAST_SOURCED,
) -> CodedRecord:
    """Read the record and its coding, check them and return the coded record.

    Args:
        record: The record file (default: the packaged ``record_2025_2026.csv``).
        coding: The coding file (default: the packaged ``record_2025_2026_coding.csv``).
        errors: The observation errors (default: the packaged ``record_2025_2026_errors.csv``).
        last_sourced: The last sourced month: a row coded to a class other than ``not_used``
            must be dated from :data:`RECORD_START` to it.

    Raises:
        RecordError: Naming the file, the row and the column of the first problem found.
    """
    rec_label, rows = _read_record(record)
    if record is None:  # the packaged record comes with its supplement
        sup_label, extra = _read_record(None, SUPPLEMENT_FILE)
        for ref, row in extra.items():
            if ref in rows:
                raise RecordError(
                    f"date and key {ref[0]} {ref[1]} are in the record already",
                    file=sup_label, row=row.source.row, column="key",
                    expected="facts the record lacks",
                )  # fmt: skip
        rows = {**rows, **extra}
    sds = _read_errors(errors)
    blocs = _candidates()
    label, coded, header = _read(coding, CODING_FILE)
    _columns(label, header, CODING_COLUMNS)
    first, last = parse_month(RECORD_START), parse_month(last_sourced)
    outcomes = _numeric_outcomes()
    seen: dict[tuple[str, str], int] = {}
    bins: dict[str, list] = {c: [] for c in CLASSES}
    for line, c in coded:
        ref = (c["date"], c["key"])
        if ref not in rows:
            raise RecordError(
                f"no row of {RECORD_FILE} has date {c['date']!r} and key {c['key']!r}",
                file=label, row=line, column="key",
                hint=did_you_mean(c["key"], [k for d, k in rows if d == c["date"]]),
            )  # fmt: skip
        if ref in seen:
            raise RecordError(
                f"{c['date']} {c['key']} is coded twice (also row {seen[ref]})",
                file=label, row=line, column="key", expected="each row of the record coded once",
            )  # fmt: skip
        seen[ref] = line
        row = rows[ref]
        src, month = row.source, row.month
        cls = c["class"]
        if cls not in CLASSES:
            raise RecordError(
                f"unknown class {cls!r}", file=label, row=line, column="class",
                expected=f"one of {', '.join(CLASSES)}", hint=did_you_mean(cls, CLASSES),
            )  # fmt: skip
        if cls == "not_used":
            if not c["note"].strip():
                raise RecordError(
                    "a row not used needs its reason", file=label, row=line, column="note"
                )
            bins[cls].append(Unused(month, c["note"], src))
            continue
        if not first <= month <= last:
            raise RecordError(
                f"{c['date']} is outside the record's months {RECORD_START}..{last_sourced}: "
                "only 'not_used' may code it",
                file=label, row=line, column="date",
            )  # fmt: skip
        bins[cls].extend(_code(cls, c, row, label, line, outcomes, sds, blocs))
    missing = [k for k in rows if k not in seen]
    if missing:
        src = rows[missing[0]].source
        raise RecordError(
            f"{len(missing)} row(s) of the record are not coded, the first {src.label}",
            file=rec_label if src.file == RECORD_FILE else f"rift/data/{src.file}",
            row=src.row, column="key",
            expected=f"every row coded once in {CODING_FILE}",
        )  # fmt: skip

    def day(date: str) -> int:
        # A row dated to the month only ("2025-07": "in July") comes after that month's dated
        # rows: "the chargé returned in July" follows "recalled on 2025-07-03".
        return int(date[8:10]) if len(date) >= 10 else 32

    def order(items: list) -> tuple:
        return tuple(
            sorted(
                items,
                key=lambda x: (
                    x.month,
                    day(x.source.date),
                    x.source.file != RECORD_FILE,
                    x.source.row,
                ),
            )
        )

    out = CodedRecord(
        measures=order(bins["measure_start"] + bins["measure_end"]),
        events=order(bins["event"]),
        determinations=order(bins["determination"]),
        results=order(bins["election_result"]),
        polls=order(bins["poll"]),
        figures=order(bins["figure"]),
        unused=order(bins["not_used"]),
        last_month=last,
    )
    _check_timeline(out, label, seen)
    return out


def _code(
    cls: str,
    c: Mapping[str, str],
    row: _Row,
    label: str,
    line: int,
    outcomes: tuple[str, ...],
    sds: Mapping[str, tuple[float, float, str]],
    blocs: Mapping[str, str],
) -> list:
    """The typed items of one coded row."""
    src, month, value = row.source, row.month, row.value
    target, note = c["target"].strip(), c["note"]
    if cls in ("measure_start", "measure_end"):
        names = [t.strip() for t in target.split(";") if t.strip()]
        if not names:
            raise RecordError(
                "no measure", file=label, row=line, column="target",
                expected="model measures such as us.tariffs, separated by ';'",
            )  # fmt: skip
        out = []
        for name in names:
            if name not in MEASURES:
                raise RecordError(
                    f"unknown measure {name!r}", file=label, row=line, column="target",
                    expected=f"one of {', '.join(MEASURES)}", hint=did_you_mean(name, MEASURES),
                )  # fmt: skip
            side, measure = name.split(".", 1)
            out.append(MeasureChange(month, side, measure, cls == "measure_start", src, note))
        return out
    if cls == "determination":
        if target not in CERTIFICATION_STATUS:
            raise RecordError(
                f"unknown status {target!r}", file=label, row=line, column="target",
                expected=f"one of {', '.join(CERTIFICATION_STATUS)}",
            )  # fmt: skip
        return [Determination(month, target, src)]
    if cls == "event":
        if target not in EVENT_NAMES:
            raise RecordError(
                f"unknown event {target!r}", file=label, row=line, column="target",
                expected=f"one of {', '.join(EVENT_NAMES)}",
                hint=did_you_mean(target, EVENT_NAMES),
            )  # fmt: skip
        return [Event(month, target, src, note)]
    if cls == "figure":
        if target not in outcomes:
            raise RecordError(
                f"unknown or non-numeric outcome {target!r}", file=label, row=line,
                column="target", expected="a numeric outcome of rift.record (rift outcomes)",
                hint=did_you_mean(target, outcomes),
            )  # fmt: skip
        if c["error"] not in sds:
            raise RecordError(
                f"unknown error {c['error']!r}", file=label, row=line, column="error",
                expected=f"one of {', '.join(sds)} ({ERRORS_FILE})",
            )  # fmt: skip
        sd = error_sd(sds[c["error"]], value)
        return [Figure(month, target, value, sd, c["error"], row.unit, src, note)]
    # election_result and poll
    if c["round"] not in ROUNDS:
        raise RecordError(
            f"unknown round {c['round']!r}", file=label, row=line, column="round",
            expected=f"one of {', '.join(ROUNDS)}",
        )  # fmt: skip
    if c["candidate"] not in blocs:
        raise RecordError(
            f"{c['candidate']!r} is not a 2026 candidate of {CANDIDATES_FILE}", file=label,
            row=line, column="candidate", hint=did_you_mean(c["candidate"], blocs),
        )  # fmt: skip
    bloc = blocs[c["candidate"]]
    raw_unit = row.unit
    if cls == "poll":
        if not raw_unit.startswith("percent"):
            raise RecordError(
                f"a poll in {raw_unit!r}", file=label, row=line, column="class",
                expected="a poll published in percent",
            )  # fmt: skip
        return [Poll(month, row.actor, c["round"], c["candidate"], bloc, value / 100, src)]
    if c["qualifier"] not in ("", "preliminary"):
        raise RecordError(
            f"unknown qualifier {c['qualifier']!r}", file=label, row=line, column="qualifier",
            expected="'preliminary' or empty",
        )  # fmt: skip
    if raw_unit.startswith("percent"):
        unit, v = "share", value / 100
    elif raw_unit.startswith("votes"):
        unit, v = "votes", value
    else:
        raise RecordError(
            f"a result in {raw_unit!r}", file=label, row=line, column="class",
            expected="a result in percent or votes",
        )  # fmt: skip
    prelim = c["qualifier"] == "preliminary"
    return [ElectionResult(month, c["round"], c["candidate"], bloc, v, unit, prelim, src)]


def _check_timeline(rec: CodedRecord, label: str, lines: Mapping[tuple[str, str], int]) -> None:
    """Every end finds its measure on (started earlier, or in force at the start)."""
    on = set(IN_FORCE_AT_START)
    for c in rec.measures:
        if c.started:
            on.add(c.name)
        elif c.name not in on:
            raise RecordError(
                f"{c.name} ends in {format_month(c.month)} but is not on (no earlier start, "
                "and not in force at the start)",
                file=label, row=lines[(c.source.date, c.source.key)], column="target",
                expected="an end after a start of the same measure",
            )  # fmt: skip
        else:
            on.discard(c.name)


@dataclass(frozen=True)
class PresentState:
    """What the record says about one month, for a first page.

    Attributes:
        month: The month described (at most the record's last month).
        asked: The month asked for (later than ``month`` when beyond the record).
        president: The Colombian president in office (``rift.calendar``'s type: ``petro``).
        president_elect: The runoff's leader if the runoff is in the record and the new
            president is not yet in office.
        measures: The measures on as far as the record says.
        determination: The last certification determination.
        figures: The latest figure of each observable.
        events: The events of the last three months.
    """

    month: int
    asked: int
    president: str
    president_elect: ElectionResult | None
    measures: dict[str, MeasureState]
    determination: Determination | None
    figures: dict[str, Figure]
    events: tuple[Event, ...]


def present_state(through: int | str, record: CodedRecord | None = None) -> PresentState:
    """What the record says was the case at the end of a month.

    Args:
        through: A month number or ``YYYY-MM``; a month after the record's last is described
            as of the last (later months are unknown).
        record: The coded record (default: the packaged one).
    """
    asked = _month(through)
    rec = (record or coded_record()).through(asked)
    month = rec.last_month
    inauguration = election_2026({}).inauguration
    winner = rec.winner()
    elect = winner if winner is not None and month < inauguration else None
    return PresentState(
        month=month,
        asked=asked,
        president=president_at(month) if month < inauguration else "unknown",
        president_elect=elect,
        measures=rec.in_force(),
        determination=rec.determinations[-1] if rec.determinations else None,
        figures=rec.latest_figures(),
        events=tuple(e for e in rec.events if e.month > month - 3),
    )


def _cite(src: Source) -> str:
    return f"[{src.title}]({src.url})"


def present_summary(through: int | str, record: CodedRecord | None = None) -> str:
    """A short Markdown summary of what the record says as of a month, with sources.

    Args:
        through: A month number or ``YYYY-MM``.
        record: The coded record (default: the packaged one).
    """
    s = present_state(through, record)
    when = format_month(s.month)
    lines = [f"## The record as of {when}", ""]
    if s.asked > s.month:
        lines += [
            f"The record ends in {when}: nothing after it could be sourced, so "
            f"{format_month(s.asked)} is unknown, not quiet.",
            "",
        ]
    lines.append(f"- President of Colombia: {s.president.capitalize()} (rift.calendar).")
    if s.president_elect is not None:
        w = s.president_elect
        count = "preliminary count" if w.preliminary else "count"
        lines.append(
            f"- President-elect: {w.candidate} ({w.bloc}), {w.value:.2%} in the runoff of "
            f"{w.source.date} ({count}; {_cite(w.source)})."
        )
    if s.determination is not None:
        d = s.determination
        lines.append(
            f"- US certification ({format_month(d.month)}): {d.status} ({_cite(d.source)})."
        )
    lines += ["", "Measures in force as far as the record says (an end it lacks is unknown):", ""]
    if not s.measures:
        lines.append("- none")
    for m in s.measures.values():
        lines.append(
            f"- {m.label} (`{m.name}`): since {format_month(m.since)}, last row "
            f"{format_month(m.confirmed)} ({_cite(m.confirmed_source)})."
        )
    lines += ["", "Latest figures:", ""]
    for f in s.figures.values():
        o = RECORD.outcome(f.observable)
        lines.append(
            f"- {o.label} (`{f.observable}`): {f.value:,.0f} {o.unit} in {format_month(f.month)}"
            f", ±{f.sd:,.0f} ({f.source.confidence}; {_cite(f.source)})."
        )
    if not s.figures:
        lines.append("- none")
    return "\n".join(lines) + "\n"
