"""Keyed pseudo-random permutations of ``range(n)`` computed one index at a time.

A Latin hypercube of ``n`` runs is, per dimension, a random permutation of the ``n`` strata.
Storing those permutations takes memory in proportion to the batch before any run starts;
instead each is a keyed bijection evaluated on demand: a four-round Feistel network on the
smallest even number of bits that holds ``n``, with cycle walking (re-encrypting a value until it
falls inside ``range(n)``, which keeps the map a bijection of ``range(n)``; fewer than four steps
on average since the Feistel domain is under ``4 n``). The round function is SplitMix64, a
64-bit mixing function. Everything is vectorised over numpy ``uint64`` arrays, whose
arithmetic wraps modulo 2**64 as the mixing function needs.
"""

from __future__ import annotations

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
ROUNDS = 4


def splitmix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function of each element (uint64 in, uint64 out)."""
    z = np.asarray(z, dtype=np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def unit_uniform(z: np.ndarray) -> np.ndarray:
    """A float in [0, 1) from each uint64 (its top 53 bits)."""
    return (splitmix64(z) >> np.uint64(11)).astype(np.float64) * 2.0**-53


class KeyedPermutation:
    """Bijections of ``range(n)``, one per key column, evaluated on demand.

    Args:
        n: Size of the domain (at least 1).
        keys: Round keys, shape ``(ROUNDS, d)``: one permutation per column.
    """

    def __init__(self, n: int, keys: np.ndarray) -> None:
        if n < 1:
            raise ValueError("n must be at least 1")
        keys = np.asarray(keys, dtype=np.uint64)
        if keys.ndim != 2 or keys.shape[0] != ROUNDS:
            raise ValueError(f"keys must have shape ({ROUNDS}, d)")
        self.n = int(n)
        bits = max(2, int(n - 1).bit_length())
        bits += bits % 2
        self.half = np.uint64(bits // 2)
        self.mask = np.uint64((1 << (bits // 2)) - 1)
        self.keys = keys

    @property
    def columns(self) -> int:
        """Number of permutations (key columns)."""
        return self.keys.shape[1]

    def _encrypt(self, x: np.ndarray, cols: np.ndarray) -> np.ndarray:
        left, right = x >> self.half, x & self.mask
        for r in range(ROUNDS):
            mixed = splitmix64(right ^ self.keys[r, cols]) & self.mask
            left, right = right, left ^ mixed
        return (left << self.half) | right

    def __call__(self, index: np.ndarray) -> np.ndarray:
        """The image of each index under every permutation, shape ``(len(index), d)``."""
        idx = np.asarray(index, dtype=np.int64).reshape(-1)
        if idx.size and (idx.min() < 0 or idx.max() >= self.n):
            raise IndexError(f"indices must lie in range({self.n})")
        d = self.columns
        y = np.repeat(idx.astype(np.uint64)[:, None], d, axis=1)
        cols = np.broadcast_to(np.arange(d), y.shape)
        todo = np.ones(y.shape, dtype=bool)
        limit = np.uint64(self.n)
        while True:
            y[todo] = self._encrypt(y[todo], cols[todo])
            todo = y >= limit
            if not todo.any():
                return y.astype(np.int64)


def keys_from(seed: np.random.SeedSequence, columns: int, extra: int = 0) -> np.ndarray:
    """``ROUNDS + extra`` rows of ``columns`` uint64 keys from a seed sequence."""
    state = seed.generate_state((ROUNDS + extra) * max(columns, 1), dtype=np.uint64)
    return state.reshape(ROUNDS + extra, max(columns, 1))[:, :columns]
