"""The manifest of a result folder: what the batch was, its checksums, read back and checked."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rift.atomic import atomic_write_json
from rift.errors import InputError
from rift.months import parse_month
from rift.results.layout import MANIFEST_LIMIT, SCHEMA
from rift.scenario.schema import NAME_PATTERN
from rift.version import __version__


def git_commit() -> str | None:
    """The git commit of the rift source tree (with ``-dirty`` when modified), if any."""
    here = Path(__file__).resolve().parent
    try:
        sha = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{sha}-dirty" if dirty else sha


def versions() -> dict[str, str]:
    """Versions of Python, rift and the libraries that shape results."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version(), "rift": __version__}
    for pkg in ("mesa", "numpy", "scipy", "pandas", "pyarrow", "pydantic"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover
            out[pkg] = "missing"
    return out


def utc_now() -> str:
    """The time now, UTC, to the second (ISO 8601)."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def file_digest(path: Path) -> str:
    """The SHA-256 of a file (hashlib releases the GIL on large reads)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _manifest_digest(manifest: Mapping[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write a manifest atomically with a checksum of its own content."""
    manifest["checksum"] = _manifest_digest(manifest)
    atomic_write_json(path, manifest)


def read_manifest(path: Path) -> dict[str, Any]:
    """Read and check a manifest: JSON, schema, checksum, and the fields rift relies on.

    Raises:
        InputError: Naming the manifest file and what is wrong with it.
    """
    file = str(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MANIFEST_LIMIT + 1)
        if len(data) > MANIFEST_LIMIT:
            raise InputError(
                f"larger than {MANIFEST_LIMIT >> 20} MB",
                file=file,
                expected="a manifest written by rift (a few kB)",
            )
        manifest = json.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(
            f"unreadable manifest ({type(exc).__name__})",
            file=file,
            expected="JSON written by rift",
        ) from None
    if not isinstance(manifest, dict):
        raise InputError("the manifest is not a JSON object", file=file)
    if manifest.get("schema") != SCHEMA:
        raise InputError(
            f"schema {manifest.get('schema')!r}",
            file=file,
            key="schema",
            expected=f"schema {SCHEMA} (a batch written by this version of rift)",
        )
    if manifest.get("checksum") != _manifest_digest(manifest):
        raise InputError(
            "the manifest does not match its checksum (the file was changed or damaged)",
            file=file,
            key="checksum",
        )
    _check_manifest_fields(manifest, file)
    return manifest


def _check_manifest_fields(m: dict[str, Any], file: str) -> None:

    def bad(key: str, expected: str) -> InputError:
        return InputError(f"bad value {m.get(key)!r:.60}", file=file, key=key, expected=expected)

    for key, kind in (("seed", int), ("runs", int), ("groups", int)):
        if not isinstance(m.get(key, 3 if key == "groups" else None), kind) or isinstance(
            m.get(key), bool
        ):
            raise bad(key, "a whole number")
    if m["runs"] < 0 or m["seed"] < 0:
        raise bad("runs", "non-negative numbers")
    scenario = m.get("scenario")
    if not isinstance(scenario, dict) or not re.match(NAME_PATTERN, str(scenario.get("name"))):
        raise bad("scenario", "the resolved scenario with a safe name")
    months = m.get("months")
    try:
        numbers = [parse_month(x) for x in months]  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise bad("months", "a list of YYYY-MM months") from None
    if not numbers or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise bad("months", "consecutive months")
    record = m.get("record")
    if not isinstance(record, dict) or any(
        not isinstance(record.get(k), list) or not all(isinstance(x, str) for x in record[k])
        for k in ("outcomes", "events", "values")
    ):
        raise bad("record", "the names of the run record (outcomes, events, values)")
