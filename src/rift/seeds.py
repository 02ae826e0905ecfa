"""Seeds for a batch: one root seed, one child seed sequence per run index (a leaf).

Run ``k`` of every scenario run with the same root seed gets ``SeedSequence(root,
spawn_key=(k,))``: common random numbers, so that differences between scenarios are paired
run by run. Seeds are made in the parent process and travel with each task.
"""

from __future__ import annotations

import zlib

import numpy as np

#: spawn key of the stream that draws the Latin hypercube (distinct from any run's key).
SAMPLING_KEY: tuple[int, int] = (2**32 - 1, 1)
#: Spawn key of the stream that draws from the calibrated posterior.
CALIBRATION_KEY: tuple[int, int] = (2**32 - 1, 2)
#: Spawn key of the stream that draws whole particles of the alliance (tension terms) posterior.
ALLIANCE_KEY: tuple[int, int] = (2**32 - 1, 3)
#: Spawn key of the nowcast's streams (forward steps, resampling, moves) under its seed.
NOWCAST_KEY: tuple[int, int] = (2**32 - 1, 7)
#: Spawn key of a sensitivity analysis's streams (SALib's design, the bootstraps) under its seed.
SENSITIVITY_KEY: tuple[int, int] = (2**32 - 1, 8)


def run_seed(root: int, index: int) -> np.random.SeedSequence:
    """The seed sequence of run ``index`` in a batch with root seed ``root``."""
    return np.random.SeedSequence(root, spawn_key=(index,))


def sampling_seed(root: int) -> np.random.SeedSequence:
    """The seed sequence of the batch's Latin-hypercube sample."""
    return np.random.SeedSequence(root, spawn_key=SAMPLING_KEY)


def dimension_seed(root: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of one sampled input's hypercube dimension, keyed by its name.

    The key is a stable hash of the name (CRC32, independent of ``PYTHONHASHSEED``), so a
    dimension's draws do not depend on which other inputs are sampled.
    """
    return np.random.SeedSequence(root, spawn_key=(*SAMPLING_KEY, zlib.crc32(name.encode("utf-8"))))


def sensitivity_seed(root: int, *keys: int) -> np.random.SeedSequence:
    """The seed sequence of a sensitivity analysis's draws (``keys`` name the use)."""
    return np.random.SeedSequence(root, spawn_key=(*SENSITIVITY_KEY, *keys))


def seed_label(seq: np.random.SeedSequence) -> str:
    """A compact, reproducible text form of a run's seed: ``root/k``."""
    keys = "/".join(str(k) for k in seq.spawn_key)
    return f"{seq.entropy}/{keys}"


def run_label(root: int, index: int) -> str:
    """The seed label of run ``index`` of a batch (what ``runs.parquet`` stores as ``seed``)."""
    return seed_label(run_seed(root, index))
