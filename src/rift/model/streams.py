"""Named random streams derived from the model's seed.

Every random draw in the model comes from a named stream (Starsim-style). Each stream is an
independent generator spawned from the seed sequence behind ``mesa.Model.rng``, keyed by a
stable hash of its name, so that adding a draw to one stream never shifts another. This keeps
scenario comparisons paired: two scenarios run with the same seed see the same placement, the
same shocks and the same election draw, whatever their policies do.
"""

from __future__ import annotations

import math
import zlib

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
