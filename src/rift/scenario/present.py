"""What a scenario's ``from:`` names: a present folder written by ``rift nowcast``.

A scenario that starts from the present needs to know, when it is loaded, which month the
present describes (its ``start`` is the month after) and that the folder is one: the loader
reads the folder's ``manifest.json`` here, as plain JSON, because the scenario layer may not
import the nowcast that writes it. The particles themselves are read by the runner
(:mod:`rift.runner.present`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from rift.errors import InputError
from rift.months import format_month, parse_month

#: The folder's format and version (``manifest.json``), as ``rift nowcast`` writes them.
PRESENT_FORMAT = "rift.present"
PRESENT_VERSION = 1
#: The name of the present ensemble shipped with rift (``start: present`` or ``from: present``).
PACKAGED = "present"
#: What ``from:`` must name.
EXPECTED = (
    f"'{PACKAGED}' (the ensemble shipped with rift) or a folder written by rift nowcast "
    f"(format {PRESENT_FORMAT} {PRESENT_VERSION})"
)


def packaged_present() -> Path:
    """The folder of the present ensemble shipped with rift (``src/rift/data/present``).

    It is the nowcast through the record's last month (``rift nowcast``; how it was made is in
    its ``manifest.json``); ``python tools/package_present.py`` remakes it.
    """
    return Path(__file__).resolve().parent.parent / "data" / "present"


def present_folder(ref: str | Path) -> Path:
    """The folder a ``from:`` value names: :data:`PACKAGED` is the shipped ensemble."""
    return packaged_present() if str(ref) == PACKAGED else Path(ref)


@dataclass(frozen=True)
class PresentManifest:
    """The few facts of a present folder a scenario and a batch need.

    Attributes:
        folder: The folder (absolute).
        through: The last month the present describes (a month number).
        particles: How many particles it holds.
        sha256: The hash of its ``manifest.json`` (what a batch records, and a resume checks).
    """

    folder: Path
    through: int
    particles: int
    sha256: str

    @property
    def start(self) -> int:
        """The first month a run from the present simulates: the month after ``through``."""
        return self.through + 1


def read_present_manifest(folder: str | Path, file: str | None = None) -> PresentManifest:
    """The manifest of the present folder ``folder``.

    Raises:
        InputError: (key ``from``) The folder is missing, damaged or not a present folder.
    """
    folder = present_folder(folder)
    path = folder / "manifest.json"
    try:
        raw = path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
        through = parse_month(manifest["through"])
        particles = int(manifest["particles"])
        fmt = (manifest.get("format"), manifest.get("version"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        problem = (
            f"no present folder at {folder}"
            if isinstance(exc, FileNotFoundError | NotADirectoryError)
            else f"cannot read {path} ({type(exc).__name__})"
        )
        raise InputError(problem, file=file, key="from", expected=EXPECTED) from None
    if fmt != (PRESENT_FORMAT, PRESENT_VERSION):
        raise InputError(
            f"{folder} is not a present folder of this version (format {fmt[0]!r})",
            file=file,
            key="from",
            expected=EXPECTED,
        )
    if particles < 1 or not (folder / "particles.json").is_file():
        raise InputError(f"{folder} holds no particles", file=file, key="from",
                         expected=EXPECTED)  # fmt: skip
    return PresentManifest(folder.resolve(), through, particles, hashlib.sha256(raw).hexdigest())


def expected_start(present: PresentManifest) -> str:
    """The ``start`` a scenario from ``present`` must have, as ``YYYY-MM``."""
    return format_month(present.start)
