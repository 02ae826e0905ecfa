"""The particles a batch from the present starts from (a scenario's ``from:`` folder).

Run k of such a batch starts from particle ``k mod N``: its saved state, continued with the
run's own seed, and its parameter values. The particle of a run depends only on k, so two
scenarios from the same present with the same seed give run k the same particle and seed:
their runs are paired, and a difference between them is the scenarios' own. The runner reads
the folder here, not through the nowcast that wrote it, which sits above the runner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rift.errors import InputError
from rift.months import format_month
from rift.scenario.present import EXPECTED, PresentManifest, read_present_manifest


@dataclass(frozen=True)
class Particles:
    """A present folder's particles, as a batch uses them.

    Attributes:
        manifest: The folder's manifest facts (month, hash).
        states: Each particle's saved state (the path of its ``.npz``; loaded by the worker,
            so that a task stays small to send).
        parameters: Each particle's parameter values.
        weights: Each particle's normalised weight.
    """

    manifest: PresentManifest
    states: tuple[str, ...]
    parameters: tuple[dict[str, Any], ...]
    weights: tuple[float, ...]

    def __len__(self) -> int:
        return len(self.states)

    def of_run(self, index: int) -> int:
        """The particle run ``index`` starts from."""
        return index % len(self)

    @property
    def equally_weighted(self) -> bool:
        """Whether every particle has the same weight (a resample-move leaves them so)."""
        return max(self.weights) - min(self.weights) <= 1e-12 * max(self.weights)

    def record(self) -> dict[str, Any]:
        """What a batch's manifest keeps of the present, to reproduce and resume it."""
        return {
            "folder": str(self.manifest.folder),
            "manifest_sha256": self.manifest.sha256,
            "through": format_month(self.manifest.through),
            "particles": len(self),
            "run_particle": "run k starts from particle k mod particles",
            "weights": None if self.equally_weighted else list(self.weights),
        }


def load_particles(folder: str | Path, file: str | None = None) -> Particles:
    """The particles of the present folder ``folder``.

    Raises:
        InputError: (key ``from``) The folder is missing, damaged or not a present folder.
    """
    manifest = read_present_manifest(folder, file)
    root = manifest.folder
    try:
        rows = json.loads((root / "particles.json").read_text(encoding="utf-8"))["particles"]
        states = tuple(str(root / r["state"]) for r in rows)
        parameters = tuple(dict(r["parameters"]) for r in rows)
        weights = tuple(float(r["weight"]) for r in rows)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"cannot read {root / 'particles.json'} ({type(exc).__name__})",
            file=file,
            key="from",
            expected=EXPECTED,
        ) from None
    missing = [s for s in states if not Path(s).is_file()]
    if len(rows) != manifest.particles or missing or sum(weights) <= 0:
        raise InputError(
            f"the folder is damaged ({len(rows)} particles of {manifest.particles}, "
            f"{len(missing)} state file(s) missing)",
            file=file,
            key="from",
            expected=EXPECTED,
        )
    total = sum(weights)
    return Particles(manifest, states, parameters, tuple(w / total for w in weights))
