"""Named random streams derived from the model's seed.

Every random draw in the model comes from a named stream (Starsim-style). Each stream is an
independent generator spawned from the seed sequence behind ``mesa.Model.rng``, keyed by a
stable hash of its name, so that adding a draw to one stream never shifts another. This keeps
scenario comparisons paired: two scenarios run with the same seed see the same placement, the
same shocks and the same election draw, whatever their policies do.
"""

from __future__ import annotations

import copy
import math
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np


def stream_key(name: str) -> int:
    """A stable integer key for a stream name (CRC32; independent of PYTHONHASHSEED)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """A set of named generators derived from one seed sequence."""

    def __init__(self, seed_seq: np.random.SeedSequence) -> None:
        self._seed_seq = seed_seq
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            ss = np.random.SeedSequence(
                self._seed_seq.entropy,
                spawn_key=(*self._seed_seq.spawn_key, stream_key(name)),
                pool_size=self._seed_seq.pool_size,
            )
            gen = np.random.Generator(np.random.PCG64(ss))
            self._streams[name] = gen
        return gen

    @property
    def seed_seq(self) -> np.random.SeedSequence:
        """The seed sequence every stream is spawned from."""
        return self._seed_seq

    def get_state(self) -> dict[str, Any]:
        """The seed sequence and each stream's position, as plain data (for ``ModelState``).

        Streams not made yet are not listed: they are made from the seed sequence when first
        used, so a restarted run makes them at the same position as the uninterrupted one.
        """
        ss = self._seed_seq
        return {
            "seed": {
                "entropy": ss.entropy,
                "spawn_key": list(ss.spawn_key),
                "pool_size": ss.pool_size,
            },
            "positions": {
                name: copy.deepcopy(gen.bit_generator.state) for name, gen in self._streams.items()
            },
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Streams:
        """Streams at the positions of :meth:`get_state` (the same generators' states)."""
        seed = state["seed"]
        streams = cls(
            np.random.SeedSequence(
                seed["entropy"],
                spawn_key=tuple(int(k) for k in seed["spawn_key"]),
                pool_size=int(seed["pool_size"]),
            )
        )
        streams.set_positions(state["positions"])
        return streams

    def set_positions(self, positions: Mapping[str, Mapping[str, Any]]) -> None:
        """Move each named stream to a saved ``bit_generator.state`` (made if needed).

        The generator objects are kept (actors hold references to them); only their states
        change.
        """
        for name, position in positions.items():
            self[name].bit_generator.state = copy.deepcopy(dict(position))


def poisson_from_uniform(u: float, lam: float) -> int:
    """Inverse-CDF Poisson draw from one uniform number.

    A fixed one-uniform-per-draw rule keeps the stream aligned across scenarios (numpy's
    Poisson sampler consumes a variable number of uniforms depending on the rate).

    Args:
        u: A uniform number in [0, 1).
        lam: The Poisson rate (mean), non-negative.

    Returns:
        The smallest k with P(X <= k) > u.
    """
    if lam <= 0.0:
        return 0
    p = math.exp(-lam)
    if p == 0.0:  # large rate: normal approximation with continuity correction
        from statistics import NormalDist

        return max(0, math.floor(NormalDist(lam, math.sqrt(lam)).inv_cdf(u) + 0.5))
    cdf = p
    k = 0
    while u >= cdf and k < 10_000:
        k += 1
        p *= lam / k
        cdf += p
    return k
