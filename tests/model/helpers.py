"""Helpers for model tests: run scenarios over many seeds, paired."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rift.model import AllianceModel
from rift.months import parse_month
from rift.record import RunResult

BASELINE_IV = [{"at": "2025-09", "until": "2026-08", "set": {"us.certification": "waiver"}}]


def run(seed: int, **kwargs: Any) -> RunResult:
    """One run with ``collect=False``."""
    return AllianceModel(rng=seed, collect=False, **kwargs).run()


def value(result: RunResult, outcome: str, month: str | None = None) -> float:
    """An outcome of a run at a month (default: the horizon)."""
    row = -1 if month is None else parse_month(month) - int(result.months[0])
    return float(result.column(outcome)[row])


def paired(seeds: Sequence[int], a: dict, b: dict, fn) -> tuple[np.ndarray, np.ndarray]:
    """``fn(result)`` for scenario ``a`` and ``b`` run with the same seeds."""
    xa = np.array([fn(run(s, **a)) for s in seeds], dtype=float)
    xb = np.array([fn(run(s, **b)) for s in seeds], dtype=float)
    return xa, xb
