"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def umask() -> int:
    """The process's file-creation mask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def publish(path: str | Path, directory: bool = False) -> None:
    """Give a temporary file or folder the permissions a normal one would have."""
    os.chmod(path, (0o777 if directory else 0o666) & ~umask())


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file under a temporary name in the same folder, then rename it into place."""
    atomic_write_with(path, lambda tmp: Path(tmp).write_bytes(data))


def atomic_write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON atomically (indented, UTF-8)."""
    text = json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_with(path: Path, writer: Callable[[str], Any]) -> None:
    """Call ``writer(tmp_path)`` then rename the temporary file into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        writer(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        publish(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))
