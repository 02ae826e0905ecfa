"""The dated record of US-partner crises and its episode x month x measure panel.

The record (``rift/data/alliance_events.csv``) lists dated moves of each government, each with
a public source; ``alliance_episodes.csv`` gives each episode's observation window, its leaders
and any measure already on when the window opens; ``measure_map.csv`` says what each record code
does to the model's measures (starts or ends a state, is an event, an annual decision, a move
without a state, or context). Nothing here imports the model: the panel is what the hazards of
``rift.validation.events`` are fitted and scored on.

Conventions (also in ``alliance_events.md``):

* Time is monthly. Rows dated to the year only cannot be placed and are left out of the panel.
* A state measure off at the start of a month is at risk of starting; one on at the start, or
  started during the month, is at risk of ending in it (so a crisis settled within days counts
  as a start and an end in the same month). Within a day, starts come before ends.
* A measure on a head of state *lapses* when the leader leaves office: the spell is censored
  (the model resets such measures mechanically), not counted as an end.
* Covariates are known at the start of the month: ``R`` escalation moves of the other side in the
  previous 3 months and ``O`` own escalation moves (both capped at 3), ``C`` a new US
  administration or partner leader in the previous 12 months, ``D`` a de-escalation move by the
  other side in the previous 2 months, and for ends ``logdur = log(1 + months on)``. A move is a
  row whose code is not context and whose direction is escalation or de-escalation; a ``both``
  row is a move of each side. Moves before the window are not in the record and count as none.
* Partner concessions and leader deals are seen from the partner's side (``R`` = US escalation),
  and have one more covariate, the cost ``K``: the state measures in force on both sides at the
  start of the month, each weighted ``1 + severity``, capped at ``COST_CAP``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np
import pandas as pd

from rift.catalogue import CATALOGUE, RECORD_SIDES, Measure

RECORD_COLUMNS = (
    "episode",
    "date",
    "date_precision",
    "actor",
    "measure",
    "direction",
    "description",
    "source",
    "quote",
)
EPISODE_COLUMNS = (
    "episode",
    "id",
    "partner",
    "window_start",
    "window_end",
    "us_administrations",
    "partner_leaders",
    "initial_on",
    "source",
    "notes",
)
PRECISIONS = ("day", "month", "approx", "year")
DIRECTIONS = ("escalation", "de-escalation", "neutral")
KINDS = ("start", "end", "event", "annual", "move", "context", "lapse")
HORIZON = "2025-12-31"

#: Covariate definitions the slopes are fitted with (months; counts capped at ``CAP``).
RECIPROCITY_WINDOW = 3
OWN_WINDOW = 3
CAP = 3
LEADER_WINDOW = 12
DEESCALATION_WINDOW = 2
COVARIATES = ("R", "O", "C", "D")
#: The cost covariate of the de-escalation likelihood (concessions, deals): the state measures
#: in force at the start of the month on both sides, each weighted ``1 + severity`` (the
#: catalogue's 0-4), capped at ``COST_CAP``: how much the crisis hurts (Zartman's ripeness).
COST = "K"
COST_CAP = 6


@dataclass(frozen=True)
class MeasureSpec:
    """A model measure: whose it is, what kind, and the family its intercept shrinks toward."""

    side: str  # "us", "partner" or "both"
    kind: str  # "state", "event" or "annual"
    family: str


class _Specs(Mapping[str, MeasureSpec]):
    """The catalogue's measures by record key (``partner.intel_suspension``), read live.

    Why live: a measure declared in the catalogue after import (an extension, a test) is in
    the panel too; the panel never keeps a list of its own.
    """

    def __init__(self) -> None:
        self._seen: tuple[Measure, ...] = ()
        self._cache: dict[str, MeasureSpec] = {}

    def _specs(self) -> dict[str, MeasureSpec]:
        now = tuple(CATALOGUE)
        if now != self._seen:
            self._cache = {
                m.record_key: MeasureSpec(RECORD_SIDES[m.side], m.kind, m.family) for m in now
            }
            self._seen = now
        return self._cache

    def __getitem__(self, key: str) -> MeasureSpec:
        return self._specs()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs())

    def __len__(self) -> int:
        return len(CATALOGUE)


#: The model's measures (states, events, the annual decision) by record key, from the catalogue.
MEASURES: Mapping[str, MeasureSpec] = _Specs()


def month_index(date: str) -> int | None:
    """Months since year 0 of a ``YYYY-MM[-DD]`` date; ``None`` for a bare year."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", str(date).strip())
    if m is None:
        raise ValueError(f"bad date {date!r}")
    if m.group(2) is None:
        return None
    return int(m.group(1)) * 12 + int(m.group(2)) - 1


def month_label(index: int) -> str:
    """``YYYY-MM`` of a month index."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def side_of(actor: str) -> str:
    """``us``, ``both`` or ``partner`` for a record's actor column."""
    return "us" if actor == "US" else "both" if actor == "both" else "partner"


def parse_people(text: str) -> list[tuple[str, str | None]]:
    """``"Bush; Obama 2009-01-20"`` -> ``[("Bush", None), ("Obama", "2009-01-20")]``."""
    out = []
    for item in (s.strip() for s in str(text or "").split(";")):
        if not item:
            continue
        m = re.fullmatch(r"(.*?)\s+(\d{4}-\d{2}-\d{2})", item)
        out.append((m.group(1), m.group(2)) if m else (item, None))
    return out


def parse_initial(text: str) -> list[tuple[str, str]]:
    """``"partner.x@1991-06-01; ..."`` -> ``[("partner.x", "1991-06-01"), ...]``."""
    out = []
    for item in (s.strip() for s in str(text or "").split(";")):
        if item:
            measure, date = item.split("@")
            out.append((measure.strip(), date.strip()))
    return out


@dataclass(frozen=True)
class EventRecord:
    """The record, its episodes and the code map, as DataFrames of strings."""

    events: pd.DataFrame
    episodes: pd.DataFrame
    measure_map: pd.DataFrame

    @property
    def episode_names(self) -> list[str]:
        """Episode names in the order of ``alliance_episodes.csv``."""
        return list(self.episodes["episode"])

    def subset(self, names: list[str]) -> EventRecord:
        """The record restricted to the named episodes."""
        keep = set(names)
        return EventRecord(
            self.events[self.events["episode"].isin(keep)].reset_index(drop=True),
            self.episodes[self.episodes["episode"].isin(keep)].reset_index(drop=True),
            self.measure_map,
        )


def _read(source: Path | Traversable, name: str) -> pd.DataFrame:
    with (source / name).open("r", encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str, keep_default_na=False)


def load_record(directory: str | Path | None = None) -> EventRecord:
    """The packaged record (or the three CSV files in ``directory``)."""
    src = Path(directory) if directory is not None else resources.files("rift.data")
    return EventRecord(
        _read(src, "alliance_events.csv"),
        _read(src, "alliance_episodes.csv"),
        _read(src, "measure_map.csv"),
    )


def mapped_events(record: EventRecord) -> pd.DataFrame:
    """One row per (record row, map entry): the record joined to its code's effects.

    Columns added: ``row`` (position in the record), ``side``, ``month`` (or NaN for a bare
    year), ``model_measure``, ``kind`` and ``is_move`` (whether the row counts in R, O or D).
    """
    ev = record.events.reset_index(drop=True).copy()
    ev["row"] = np.arange(len(ev))
    ev["side"] = ev["actor"].map(side_of)
    ev["month"] = ev["date"].map(month_index)
    mm = record.measure_map.rename(columns={"code": "measure"})
    joined = ev.merge(mm, on=["measure", "side"], how="left", validate="many_to_many")
    missing = joined[joined["kind"].isna()]
    if len(missing):
        bad = sorted(set(zip(missing["measure"], missing["side"], strict=True)))
        raise ValueError(f"record codes without a map entry: {bad}")
    movers = joined.groupby("row")["kind"].agg(lambda k: bool(set(k) - {"context", "lapse"}))
    joined["is_move"] = joined["row"].map(movers) & joined["direction"].isin(
        ["escalation", "de-escalation"]
    )
    return joined.sort_values(["episode", "date", "row"], kind="stable").reset_index(drop=True)


def severity_of(record_key: str) -> int:
    """The catalogue severity (0-4) of a measure named by its record key."""
    for m in CATALOGUE:
        if m.record_key == record_key:
            return m.severity
    raise KeyError(record_key)


def _window_sum(x: np.ndarray, window: int) -> np.ndarray:
    """For each month, the sum of ``x`` over the previous ``window`` months (not the current)."""
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(len(x))
    return c[i] - c[np.maximum(i - window, 0)]


@dataclass(frozen=True)
class Panel:
    """``risk``: one row per episode, month, measure and transition at risk; ``states``."""

    risk: pd.DataFrame
    states: pd.DataFrame


def _covariates(moves: list[tuple], changes: list[int], m0: int, n: int) -> dict[str, dict]:
    """R, O, C, D for each side's view over the ``n`` months from ``m0``.

    ``moves`` are ``(month, side, direction)`` of the episode's move rows (one per record row).
    """
    counts = {(s, d): np.zeros(n) for s in ("us", "partner") for d in DIRECTIONS[:2]}
    for month, side, direction in moves:
        for s in ("us", "partner") if side == "both" else (side,):
            counts[s, direction][month - m0] += 1.0
    months = np.arange(m0, m0 + n)
    c = np.zeros(n)
    for ch in changes:
        c[(months - ch > 0) & (months - ch <= LEADER_WINDOW)] = 1.0
    views = {}
    for side, other in (("us", "partner"), ("partner", "us")):
        views[side] = {
            "R": np.minimum(_window_sum(counts[other, "escalation"], RECIPROCITY_WINDOW), CAP),
            "O": np.minimum(_window_sum(counts[side, "escalation"], OWN_WINDOW), CAP),
            "C": c,
            "D": (_window_sum(counts[other, "de-escalation"], DEESCALATION_WINDOW) > 0) * 1.0,
        }
    views["both"] = views["partner"]
    return views


def sort_date(date: str) -> str:
    """A sortable ``YYYY-MM-DD`` for a record date; a month-only date sorts as mid-month."""
    d = str(date).strip()
    return d + "-15" if len(d) == 7 else d


def _state_rows(transitions: list[tuple], initial: str | None, m0: int, n: int) -> list[dict]:
    """The month-by-month path of one state measure in one episode.

    ``transitions`` are ``(month, kind)`` pairs already in processing order; ``initial`` is the
    start date of a spell already on when the window opens.
    """
    by_month: dict[int, list[str]] = {}
    for month, kind in transitions:
        by_month.setdefault(month, []).append(kind)
    on = initial is not None
    spell = month_index(initial) if on else None
    rows = []
    for m in range(m0, m0 + n):
        on0, started, ended, lapsed = on, 0, 0, False
        dur = m - spell if on0 else 0
        for kind in by_month.get(m, ()):
            if kind == "start" and not on:
                on, spell = True, m
                started = started or int(not on0)
            elif kind in ("end", "lapse") and on:
                on = False
                ended, lapsed = (1, False) if kind == "end" else (ended, True)
        rows.append(
            dict(month=m, on=on0, started=started, ended=ended, lapsed=lapsed, dur=dur, after=on)
        )
    return rows


def build_panel(record: EventRecord) -> Panel:
    """The episode x month x measure panel of states, transitions and covariates."""
    specs = dict(MEASURES)
    joined = mapped_events(record)
    joined = joined[joined["month"].notna()]
    joined = joined.assign(
        month=joined["month"].astype(int),
        d=joined["date"].map(sort_date),
        k=(joined["kind"] != "start").astype(int),
    ).sort_values(["episode", "d", "k", "row"], kind="stable")
    cols = ["episode", "row", "month", "side", "direction", "is_move", "kind", "model_measure"]
    by_episode: dict[str, list[tuple]] = {}
    for rec in joined[cols].itertuples(index=False, name=None):
        by_episode.setdefault(rec[0], []).append(rec)
    risk: dict[str, list] = {
        c: []
        for c in [
            "episode",
            "month",
            "measure",
            "family",
            "transition",
            "y",
            *COVARIATES,
            COST,
            "logdur",
        ]
    }
    states = []

    def emit(ep: str, m: int, name: str, transition: str, y: int, cov: dict, t: int, ld: float):
        for key, value in (
            ("episode", ep),
            ("month", m),
            ("measure", name),
            ("family", specs[name].family),
            ("transition", transition),
            ("y", y),
            ("logdur", ld),
        ):
            risk[key].append(value)
        for k in (*COVARIATES, COST):
            risk[k].append(cov[k][t])

    for ep in record.episodes.itertuples(index=False):
        m0, m1 = month_index(ep.window_start), month_index(ep.window_end)
        n = m1 - m0 + 1
        ev = by_episode.get(ep.episode, [])
        if any(not m0 <= r[2] <= m1 for r in ev):
            raise ValueError(f"{ep.episode}: a row lies outside the window")
        people = parse_people(ep.us_administrations) + parse_people(ep.partner_leaders)
        changes = [month_index(d) for _, d in people if d]
        moves = {r[1]: (r[2], r[3], r[4]) for r in ev if r[5]}
        views = _covariates(list(moves.values()), changes, m0, n)
        initial = dict(parse_initial(ep.initial_on))
        paths: dict[str, list] = {}
        hits: dict[str, set] = {}
        for r in ev:
            if r[6] in ("start", "end", "lapse"):
                paths.setdefault(r[7], []).append((r[2], r[6]))
            hits.setdefault(r[7], set()).add(r[2])
        state_paths = {
            name: _state_rows(paths.get(name, []), initial.get(name), m0, n)
            for name, spec in specs.items()
            if spec.kind == "state"
        }
        cost = np.zeros(n)
        for name, path in state_paths.items():
            weight = 1.0 + severity_of(name)
            cost += weight * np.array([float(s["on"] or s["started"]) for s in path])
        for view in views.values():
            view[COST] = np.minimum(cost, COST_CAP)
        for name, spec in specs.items():
            if spec.kind == "annual":
                continue
            cov = views[spec.side]
            if spec.kind == "event":
                hit = hits.get(name, set())
                for t in range(n):
                    emit(ep.episode, m0 + t, name, "event", int(m0 + t in hit), cov, t, 0.0)
                continue
            for t, s in enumerate(state_paths[name]):
                states.append(dict(episode=ep.episode, measure=name, **s))
                if not s["on"]:
                    emit(ep.episode, s["month"], name, "start", s["started"], cov, t, 0.0)
                if (s["on"] or s["started"]) and not s["lapsed"]:
                    ld = float(np.log1p(s["dur"]))
                    emit(ep.episode, s["month"], name, "end", s["ended"], cov, t, ld)
    return Panel(pd.DataFrame(risk), pd.DataFrame(states))
