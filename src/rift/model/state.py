"""A run's state at the end of a month: declared, versioned, restartable.

:class:`ModelState` holds everything the next month reads, so that a run stopped at a month
and restarted from its state gives, bit for bit, the uninterrupted run's whole output:

* ``parameters``: the run's resolved parameter values (the calibrated draw included);
* ``model``: the model's own numbers (the month, Mesa's step count, this year's process
  factors, the expansion hazards, the winner, the US administration, the 2030 campaign and
  the US elections (midterms, 2028) drawn so far, the references fixed
  at the start: the state's presence effort and capability, the initial outcomes; the months
  the scenario's conditional items fired, ``conditions``, which a state written before they
  existed lacks and is read as none fired);
* ``territory``: the municipality arrays (members, coca, state presence, rent, capacity) with
  the constants of the initial placement; zones, control and counts are recomputed from them;
* ``actors``: each actor's own state (``get_state()`` of every actor: tensions, policies,
  the president and term, governability, approval, Venezuela, China, the institutions, the
  groups, and each side's measures in force with their start months);
* ``ledger`` (the moves the covariates count), ``cooperation`` (the index, rupture and its
  streaks), ``campaign`` (the 2026 vote's reference, Senate seats, winner);
* ``recorder``: the record so far (every month's outcomes, events, per-run values), so the
  restarted run's result is the whole run's;
* ``streams``: the seed sequence and the position of every named random stream, and Mesa's
  own ``model.rng`` and ``model.random``.

The scenario (horizon, interventions, shocks, election conditioning) is not state: a restart
is given it again, so a nowcast may continue a state under another scenario. Why one typed
object: later items (a particle filter started from December 2026) need states that are
complete, written to disk and cheap to load. :meth:`ModelState.save` writes one ``.npz``: the
arrays, and the rest as JSON in one entry; nothing is pickled, and :meth:`ModelState.load`
names the file and what was expected when it is damaged or of another version.
"""

from __future__ import annotations

import copy
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from rift.atomic import atomic_write_with
from rift.errors import InputError
from rift.months import format_month

#: The layout's version: bumped whenever a part or a key of the state changes.
STATE_VERSION = 2

#: The npz entry that holds the JSON part.
_JSON_KEY = "state.json"
#: What the file says it is (checked on load).
_FORMAT = "rift.ModelState"


@dataclass(frozen=True)
class ModelState:
    """The state of one run after its month ``month`` (see the module docstring).

    Month numbers are those of :func:`rift.months.parse_month`; ``month`` is ``start - 1``
    for a model not stepped yet.
    """

    version: int
    start: int
    end: int
    month: int
    parameters: Mapping[str, Any]
    model: Mapping[str, Any]
    territory: Mapping[str, Any]
    actors: Mapping[str, Mapping[str, Any]]
    ledger: Mapping[str, Any]
    cooperation: Mapping[str, Any]
    campaign: Mapping[str, Any]
    recorder: Mapping[str, Any]
    streams: Mapping[str, Any]

    @property
    def measures(self) -> dict[str, dict[str, int]]:
        """The measures in force on each side (``us``, ``col``) with their start months."""
        out = {}
        for side, actor in (("us", "us"), ("col", "colombia")):
            m = self.actors[actor]["measures"]
            out[side] = {name: m["since"][name] for name, on in m["on"].items() if on}
        return out

    @property
    def next_month(self) -> str:
        """The month a run started from this state simulates first (``YYYY-MM``)."""
        return format_month(self.month + 1)

    def __repr__(self) -> str:
        return (
            f"ModelState(version={self.version}, {format_month(self.start)}.."
            f"{format_month(self.end)}, month={format_month(self.month)})"
        )

    def copy(self) -> ModelState:
        """A deep copy (a model restored from a state never shares its arrays)."""
        return copy.deepcopy(self)

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> Path:
        """Write the state to one ``.npz`` file (atomically; arrays plus a JSON entry).

        Args:
            path: The file to write (``.npz`` is the usual suffix; it is not added).

        Returns:
            The path written.
        """
        path = Path(path)
        arrays: dict[str, np.ndarray] = {}
        tree = {f.name: _encode(getattr(self, f.name), arrays) for f in fields(self)}
        doc = {"format": _FORMAT, "version": self.version, "state": tree}
        text = json.dumps(doc, allow_nan=True)
        entries = {_JSON_KEY: np.array(text), **arrays}

        def write(tmp: str) -> None:
            with open(tmp, "wb") as fh:
                np.savez_compressed(fh, **entries)

        atomic_write_with(path, write)
        return path

    @classmethod
    def load(cls, path: str | Path) -> ModelState:
        """Read a state written by :meth:`save`.

        Raises:
            InputError: The file is missing, damaged, not a state, or of another version.
        """
        path = Path(path)
        expected = f"a rift model state (.npz) of version {STATE_VERSION}"
        if not path.is_file():
            raise InputError("no such state file", file=str(path), expected=expected)
        try:
            with np.load(path, allow_pickle=False) as npz:
                entries = {k: npz[k] for k in npz.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
            raise InputError(
                f"cannot read the state file ({type(exc).__name__}: {exc})",
                file=str(path),
                expected=expected,
            ) from None
        text = entries.pop(_JSON_KEY, None)
        if text is None or text.shape != () or text.dtype.kind != "U":
            raise InputError(
                f"the file has no '{_JSON_KEY}' entry", file=str(path), expected=expected
            )
        try:
            doc = json.loads(str(text[()]))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"the state's JSON is damaged ({exc})", file=str(path), expected=expected
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
            raise InputError("the file is not a rift model state", file=str(path),
                             expected=expected)  # fmt: skip
        if doc.get("version") != STATE_VERSION:
            raise InputError(
                f"the state is of version {doc.get('version')!r}",
                file=str(path),
                key="version",
                expected=f"version {STATE_VERSION} (save the state again with this rift)",
            )
        tree = doc.get("state")
        names = [f.name for f in fields(cls)]
        if not isinstance(tree, dict) or sorted(tree) != sorted(names):
            found = sorted(tree) if isinstance(tree, dict) else type(tree).__name__
            raise InputError(
                f"the state's parts are {found}",
                file=str(path),
                key="state",
                expected=f"the parts {names}",
            )
        try:
            values = {k: _decode(tree[k], entries) for k in names}
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"the state refers to missing or bad data ({exc})",
                file=str(path),
                expected=expected,
            ) from None
        for k in ("version", "start", "end", "month"):
            if not isinstance(values[k], int) or isinstance(values[k], bool):
                raise InputError(
                    f"'{k}' is {values[k]!r}", file=str(path), key=k, expected="an integer"
                )
        return cls(**values)


# ---------------------------------------------------------------------- encoding
# JSON keeps dicts with string keys, lists, strings, bools, None, ints (any size) and floats
# (exactly: Python writes the shortest repr that reads back to the same double, and NaN).
# The rest is tagged: arrays and numpy scalars go to npz entries (same dtype, same bits),
# tuples are kept as tuples.


def _encode(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(value, np.ndarray | np.generic):
        key = f"a{len(arrays)}"
        arrays[key] = np.asarray(value)
        return {"__array__": key, "scalar": isinstance(value, np.generic)}
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"state keys must be strings, found {k!r}")
            out[k] = _encode(v, arrays)
        if "__array__" in out or "__tuple__" in out:
            raise TypeError("state keys '__array__' and '__tuple__' are reserved")
        return out
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in value]}
    if isinstance(value, list):
        return [_encode(v, arrays) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"a state cannot hold {type(value).__name__} ({value!r})")


def _decode(value: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    if isinstance(value, dict):
        if "__array__" in value:
            arr = arrays[value["__array__"]]
            if arr.dtype.kind == "O":
                raise ValueError("object arrays are not allowed")
            return arr[()] if value.get("scalar") else np.array(arr)
        if "__tuple__" in value:
            return tuple(_decode(v, arrays) for v in value["__tuple__"])
        return {k: _decode(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    return value
