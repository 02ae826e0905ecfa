"""Designs as batches: a table of design points, each run with the same replicate seeds.

A design is a table with a column per parameter or instrument (a registry name such as
``col.aid_dependence``) and a row per design point. Each point is run ``replicates`` times,
and replicate ``r`` of every point is run ``r`` of the scenario's own batch: the same seed,
the same sampled values of every input the design does not set, the same particle when the
scenario starts from the present. Only the design's columns differ between two points, so
the difference between two points, replicate by replicate, is the effect of those columns
with the seed's noise paired away (common random numbers).

Run ``point * replicates + r`` of the batch is replicate ``r`` of design point ``point``:
the runs of a design are ordinary run indices, so the store, the executors and resume need
nothing new besides the design itself, which the manifest keeps (and checks on resume).
"""

from __future__ import annotations

import csv
import itertools
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rift.errors import InputError
from rift.months import format_month, parse_month
from rift.parameters import Parameter, registry
from rift.scenario import MAX_RUNS, Scenario
from rift.scenario.levers import lever, registry_name

#: Words a CSV cell may use for a boolean parameter (lower-cased).
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
#: Columns of the runs table that a design adds (and that no design column may be called).
DESIGN_COLUMNS = ("point", "replicate")


@dataclass(frozen=True)
class Design:
    """Design points (checked values by registry name) and replicates per point.

    Attributes:
        columns: The parameters and instruments the design sets, in table order.
        points: One tuple of values per design point, in ``columns`` order, each checked and
            coerced by the registry (as a scenario's ``parameters`` are).
        replicates: Runs per point; replicate ``r`` of every point shares run ``r``'s seed.
        source: Where the design came from (a file, ``--grid``, ``samples=``), for messages.
        labels: The points' names when they are a scenario's ``policies`` (empty otherwise).
            A policy's point may leave a column out (None): the run keeps the scenario's
            own value there.
    """

    columns: tuple[str, ...]
    points: tuple[tuple[Any, ...], ...]
    replicates: int = 1
    source: str = "<design>"
    labels: tuple[str, ...] = ()

    @property
    def runs(self) -> int:
        """The runs of the batch: points times replicates."""
        return len(self.points) * self.replicates

    def point_of(self, index: int) -> tuple[int, int]:
        """The design point and replicate of run ``index``."""
        return divmod(int(index), self.replicates)

    def values(self, point: int) -> dict[str, Any]:
        """The values design point ``point`` sets, by name (a policy's unset ones left out)."""
        return {
            c: v for c, v in zip(self.columns, self.points[point], strict=True) if v is not None
        }

    def record(self) -> dict[str, Any]:
        """What a batch's manifest keeps of the design (to read it back and to resume)."""
        record = {
            "columns": list(self.columns),
            "points": [list(p) for p in self.points],
            "replicates": self.replicates,
            "source": self.source,
        }
        if self.labels:
            record["labels"] = list(self.labels)
        return record

    @classmethod
    def from_record(cls, record: Any, file: str | None = None) -> Design:
        """The design a manifest keeps, checked again (a forged or edited one is refused).

        Raises:
            InputError: (key ``design``) The record is not a design rift wrote.
        """
        if not isinstance(record, Mapping) or not {"columns", "points", "replicates"} <= set(
            record
        ):
            raise InputError(
                "not a design record", file=file, key="design", expected="the design rift wrote"
            )
        columns, points = record["columns"], record["points"]
        if not isinstance(columns, list) or not isinstance(points, list):
            raise InputError(
                "columns and points are not lists",
                file=file,
                key="design",
                expected="the design rift wrote",
            )
        labels = record.get("labels") or []
        if not isinstance(labels, list) or (labels and len(labels) != len(points)):
            raise InputError(
                "the policies' names do not match the points",
                file=file,
                key="design.labels",
                expected="the design rift wrote",
            )
        return make_design(
            {
                str(c): [p[i] if isinstance(p, list) and i < len(p) else None for p in points]
                for i, c in enumerate(columns)
            },
            record["replicates"],
            source=str(record.get("source") or file or "<design>"),
            file=file,
            key_prefix="design.",
            labels=tuple(str(x) for x in labels),
        )


def _check_replicates(replicates: Any, key: str) -> int:
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
        raise InputError(
            f"got {replicates!r}", key=key, expected="a whole number of replicates, at least 1"
        )
    return int(replicates)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value the registry checks (``np.int64(2)`` → ``2``)."""
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        return item()
    return value


def _cell(text: str, param: Parameter, *, file: str | None, key: str) -> Any:
    """A CSV or ``--grid`` cell as a value of its parameter (not yet range-checked)."""
    raw = text.strip()
    if param.kind == "choice":
        return raw
    if param.kind == "bool":
        low = raw.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise InputError(f"got {text!r}", file=file, key=key, expected="true or false")
    try:
        value = float(raw)
    except ValueError:
        raise InputError(
            f"got {text!r}, not a number",
            file=file,
            key=key,
            expected=f"a number in {param.range_text()} ({param.unit})",
        ) from None
    if param.kind == "int" and math.isfinite(value) and value == int(value):
        return int(value)
    return value


def make_design(
    columns: Mapping[str, Sequence[Any]],
    replicates: int = 1,
    *,
    source: str = "<design>",
    file: str | None = None,
    key_prefix: str = "",
    text: bool = False,
    labels: Sequence[str] = (),
) -> Design:
    """A design from its columns, each value checked by the registry.

    Args:
        columns: Values by parameter name, one per design point (all of one length).
        replicates: Runs per point.
        source: Where the design came from (kept in the manifest).
        file: The file the values came from, for messages.
        key_prefix: Put before each column's name in messages (``--grid `` for instance).
        text: The values are text (a CSV, ``--grid``) to parse by each parameter's kind.
        labels: The points' policy names (a scenario's ``policies``): a column may then be
            an intervention's part (``interventions[0].at``) and a value may be missing.

    Raises:
        InputError: Naming the column (and row): an unknown name, a value that is not a
            number (or a choice, a boolean), a value outside the registry's range, no
            points, columns of different lengths, too many runs.
    """
    replicates = _check_replicates(replicates, "replicates")
    names = [str(c) for c in columns]
    if not names:
        raise InputError(
            "the design has no columns",
            file=file,
            key=key_prefix.rstrip(".") or None,
            expected="a column per parameter or instrument (`rift params` lists them)",
        )
    reg = registry()
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise InputError(
            f"the columns have different lengths ({sorted(lengths)})",
            file=file,
            expected="one value per design point in every column",
        )
    n = lengths.pop()
    if n == 0:
        raise InputError(
            "the design has no points", file=file, expected="at least one row (a design point)"
        )
    if n * replicates > MAX_RUNS:
        raise InputError(
            f"{n:,} points × {replicates} replicates = {n * replicates:,} runs",
            file=file,
            key="replicates",
            expected=f"at most {MAX_RUNS:,} runs in one batch",
        )
    checked: list[list[Any]] = []
    for name in names:
        if name in DESIGN_COLUMNS:
            raise InputError(
                f"'{name}' is a column rift adds to the runs table",
                file=file,
                key=f"{key_prefix}{name}",
                expected="a parameter or instrument name (`rift params` lists them)",
            )
        lv = lever(name) if labels else None
        month = lv is not None and lv.part != "set"
        param = (
            None if month else reg.lookup(registry_name(name), file=file, key=f"{key_prefix}{name}")
        )
        col = []
        for i, value in enumerate(columns[name]):
            key = f"{key_prefix}{name}" + (f", point {i}" if n > 1 else "")
            value = _plain(value)
            if value is None and labels:
                col.append(None)  # this policy keeps the scenario's own value
                continue
            if (
                value is None
                or (isinstance(value, float) and math.isnan(value))
                or (isinstance(value, str) and not value.strip())
            ):
                raise InputError(
                    "an empty value", file=file, key=key, expected="a value for every point"
                )
            if param is None:
                col.append(_month_value(value, file=file, key=key))
                continue
            if text or (isinstance(value, str) and param.kind in ("float", "int", "bool")):
                value = _cell(str(value), param, file=file, key=key)
            col.append(param.validate(value, file=file, key=key))
        checked.append(col)
    points = tuple(tuple(col[i] for col in checked) for i in range(n))
    if labels and len(labels) != n:
        raise InputError(
            f"{len(labels)} names for {n} points", file=file, expected="one name per policy"
        )
    return Design(tuple(names), points, replicates, source, tuple(labels))


def _month_value(value: Any, *, file: str | None, key: str) -> str:
    """A month an intervention's ``at`` or ``until`` takes, as ``YYYY-MM``."""
    try:
        return format_month(parse_month(str(value)))
    except ValueError:
        raise InputError(
            f"got {value!r}", file=file, key=key, expected="a month as YYYY-MM"
        ) from None


def _nominal(scenario: Scenario, name: str) -> Any:
    """What the runs of a policy that leaves ``name`` out have there, when the scenario says.

    An intervention's part: its written value (``until`` left out: the last month). Any other
    name: None, the run's own value (sampled, fixed or the default).
    """
    lv = lever(name)
    if lv is None:
        return None
    iv = scenario.interventions[lv.index]
    if lv.part == "set":
        return iv.set[str(lv.instrument)]
    value = getattr(iv, lv.part)
    return scenario.end if value is None else value


def policy_design(scenario: Scenario, runs: int | None = None) -> Design | None:
    """The design of a scenario's ``policies``: a point per policy, ``runs`` replicates each.

    Replicate ``r`` of every policy is run ``r`` of the scenario's batch, so the policies are
    paired run by run (common random numbers). A column a policy does not set keeps the
    scenario's own value in its runs (:func:`_nominal`). None when the scenario has no
    policies.
    """
    if not scenario.policies:
        return None
    names = list(dict.fromkeys(n for pol in scenario.policies for n in pol.set))
    nominal = {n: _nominal(scenario, n) for n in names}
    columns = {n: [pol.set.get(n, nominal[n]) for pol in scenario.policies] for n in names}
    return make_design(
        columns,
        scenario.runs if runs is None else runs,
        source="policies",
        key_prefix="policies.",
        labels=[pol.name for pol in scenario.policies],
    )


def design_from_frame(samples: Any, replicates: int = 1, source: str = "samples") -> Design:
    """A design from a ``pandas.DataFrame`` (a column per parameter, a row per point).

    Raises:
        InputError: As :func:`make_design`; ``samples`` not a DataFrame, repeated columns.
    """
    import pandas as pd

    if not isinstance(samples, pd.DataFrame):
        raise InputError(
            f"got {type(samples).__name__}",
            key="samples",
            expected="a pandas DataFrame with a column per parameter and a row per point",
        )
    cols = [str(c) for c in samples.columns]
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if dup:
        raise InputError(
            f"column {dup[0]!r} twice", key="samples", expected="one column per parameter"
        )
    data = {str(c): samples[c].tolist() for c in samples.columns}
    return make_design(data, replicates, source=source, key_prefix="samples.")


def read_design(path: str | Path, replicates: int = 1) -> Design:
    """A design from a CSV file: a header of parameter names, a row per design point.

    Raises:
        InputError: Naming the file (and column, row): missing or unreadable, no header, a
            row of another length, repeated columns, and what :func:`make_design` refuses.
    """
    file = os.fspath(path)
    p = Path(file)
    if not p.is_file():
        raise InputError(
            "no such file" if not p.exists() else "not a file",
            file=file,
            key="--design",
            expected="a CSV file with a column per parameter and a row per design point",
        )
    try:
        with open(p, encoding="utf-8-sig", newline="") as fh:
            rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            f"cannot read it ({type(exc).__name__}: {exc!s:.80})",
            file=file,
            key="--design",
            expected="a UTF-8 CSV file",
        ) from None
    if not rows:
        raise InputError(
            "the file is empty",
            file=file,
            expected="a header of parameter names and a row per design point",
        )
    header = [h.strip() for h in rows[0]]
    dup = sorted({h for h in header if header.count(h) > 1})
    if dup:
        raise InputError(f"column '{dup[0]}' twice", file=file, expected="one column per name")
    body = rows[1:]
    for i, row in enumerate(body):
        if len(row) != len(header):
            raise InputError(
                f"row {i + 2} has {len(row)} values, the header {len(header)}",
                file=file,
                expected="one value per column in every row",
            )
    data = {h: [row[j] for row in body] for j, h in enumerate(header)}
    return make_design(data, replicates, source=file, file=file, text=True)


def parse_grid(specs: Sequence[str], replicates: int = 1) -> Design:
    """The cartesian product of ``--grid KEY=V1,V2,…`` options, as a design.

    The first key varies slowest, as in :func:`itertools.product`.

    Raises:
        InputError: (key ``--grid``) No ``=``, an empty list, a key twice, and what
            :func:`make_design` refuses.
    """
    axes: dict[str, list[str]] = {}
    for spec in specs:
        name, eq, values = spec.partition("=")
        name = name.strip()
        if not eq or not name:
            raise InputError(
                f"got {spec!r}",
                key="--grid",
                expected="KEY=V1,V2,… (e.g. col.aid_dependence=0.2,0.5)",
            )
        if name in axes:
            raise InputError(
                f"'{name}' given twice", key=f"--grid {name}", expected="each key once"
            )
        cells = [v for v in values.split(",")]
        if not any(c.strip() for c in cells):
            raise InputError(
                "no values", key=f"--grid {name}", expected="KEY=V1,V2,… with at least one value"
            )
        axes[name] = cells
    product = list(itertools.product(*axes.values()))
    data = {name: [p[j] for p in product] for j, name in enumerate(axes)}
    return make_design(data, replicates, source="--grid", key_prefix="--grid ", text=True)
