"""The territory's rules compiled with numba: the same names and arguments as the reference.

The numpy functions of ``rift.model.rules`` are the reference; each rule here computes the
same equation (see the reference's docstring for the equation and its reason) in plain loops
compiled by numba (``@njit(cache=True)``), so that one call runs the whole rule without a
temporary array per operation. The territory takes its rules from one module or the other
(:func:`rift.model.rules.kernels`, ``RIFT_KERNELS=numpy|numba``).

Where a rule sums, the loop adds in the reference's order: sequentially where numpy does
(sums over the groups, ``np.bincount``) and pairwise where numpy sums a contiguous row
(:func:`_pairwise_sum`, numpy's blocking of eight, written as a loop: no recursion, which an
earlier port suspected of a segfault when loaded from the cache). The dot product of the
rent collected is a plain loop where numpy calls BLAS, so results agree within about 1e-15
relative, not bit for bit (``tests/model/test_compiled_kernels.py``: within 1e-9, counts
identical).

The compiled code is cached on disk in ``NUMBA_CACHE_DIR``; unless the user set it, it is
``$XDG_CACHE_HOME/rift/numba`` (``~/.cache/rift/numba``), set before numba is imported, so the
cache works when the installed package's folder is read-only. The scalar rules (displacement)
have nothing to compile and are the reference's.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import scipy.sparse as sp


def cache_dir() -> Path:
    """Where numba caches the compiled rules: ``NUMBA_CACHE_DIR``, else rift's user cache."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "rift" / "numba"


os.environ.setdefault("NUMBA_CACHE_DIR", str(cache_dir()))

from numba import njit  # noqa: E402  (after NUMBA_CACHE_DIR is set)

from rift.model.rules.displacement import (  # noqa: E402  (scalar rules: nothing to compile)
    Violence,
    displacement_from_casualties,
    displacement_from_civilian_violence,
)

__all__ = [
    "Violence",
    "armed_share",
    "attrition",
    "carrying_capacity",
    "coca_logistic",
    "coca_priced",
    "displacement_from_casualties",
    "displacement_from_civilian_violence",
    "eradication",
    "euler_step",
    "expansion",
    "kalyvas_zones",
    "presence_losses",
    "recruitment",
    "revenue",
    "rival_combat",
    "top_two",
    "withdrawal",
]

_BLOCK = 128  # numpy's PW_BLOCKSIZE: below it, eight running sums


@njit(cache=True)
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:
    """Numpy's sum of ``a[lo:lo + n]`` for ``n <= 128``: eight running sums, then the rest."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    m = n - n % 8
    for i in range(8, m, 8):
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(m, n):
        res += a[lo + i]
    return res


@njit(cache=True)
def _pairwise_sum(a: np.ndarray) -> float:
    """``a.sum()`` of a contiguous 1-D array as numpy adds it (pairwise), without recursion.

    numpy splits ``n > 128`` elements at ``n2 = n / 2 - (n / 2) % 8`` and adds the sums of the
    two halves; here the halves are kept on an explicit stack and their sums combined in the
    same order.
    """
    n = a.shape[0]
    if n <= _BLOCK:
        return _block_sum(a, 0, n)
    # A post-order walk of the split tree: (lo, n, state), state 0 new, 1 left done.
    lo_s = np.empty(64, dtype=np.int64)
    n_s = np.empty(64, dtype=np.int64)
    st = np.empty(64, dtype=np.int64)
    vals = np.empty(64, dtype=np.float64)
    top = 0
    lo_s[0], n_s[0], st[0] = 0, n, 0
    nv = 0
    while top >= 0:
        lo, m = lo_s[top], n_s[top]
        if m <= _BLOCK:
            vals[nv] = _block_sum(a, lo, m)
            nv += 1
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if st[top] == 0:  # push the left half
            st[top] = 1
            top += 1
            lo_s[top], n_s[top], st[top] = lo, half, 0
        elif st[top] == 1:  # left done: push the right half
            st[top] = 2
            top += 1
            lo_s[top], n_s[top], st[top] = lo + half, m - half, 0
        else:  # both halves done: their sum replaces them
            right = vals[nv - 1]
            left = vals[nv - 2]
            nv -= 2
            vals[nv] = left + right
            nv += 1
            top -= 1
    return vals[0]


# ------------------------------------------------------------------ armed
@njit(cache=True)
def _carrying_capacity(extortion, coca, sanctuary_capacity, rent_per_ha, multiplier, cost):
    M, n = extortion.shape[0], coca.shape[0]
    rent = np.empty(M)
    K = np.empty(M)
    for i in range(M):
        r = extortion[i]
        if i < n:
            r += coca[i] * rent_per_ha
        r *= multiplier
        rent[i] = r
        K[i] = r / cost if i < n else sanctuary_capacity[i - n]
    return rent, K


def carrying_capacity(
    extortion: np.ndarray,
    coca: np.ndarray,
    sanctuary_capacity: np.ndarray,
    *,
    rent_per_ha: float,
    multiplier: float,
    cost_per_member: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Rent of each node and the members it sustains (``rules.carrying_capacity``)."""
    return _carrying_capacity(
        extortion, coca, sanctuary_capacity, rent_per_ha, multiplier, cost_per_member
    )


@njit(cache=True)
def recruitment(S: np.ndarray, E: np.ndarray, K: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Per-member recruitment rate ``r (1 - min((S + E) / K, 2))`` (``rules.recruitment``)."""
    G, M = rate.shape[0], K.shape[0]
    out = np.empty((G, M))
    for i in range(M):
        crowding = (S[i] + E[i]) / K[i] if K[i] > 0 else 2.0
        if crowding > 2.0:
            crowding = 2.0
        for g in range(G):
            out[g, i] = rate[g, 0] * (1.0 - crowding)
    return out


@njit(cache=True)
def attrition(reach: np.ndarray, effort: float) -> np.ndarray:
    """Per-member attrition ``a q`` from state operations (``rules.attrition``)."""
    return reach * effort


@njit(cache=True)
def rival_combat(s: np.ndarray, S: np.ndarray, clash_rate: float) -> np.ndarray:
    """Per-member losses in rival clashes, ``k (S - s) / S`` (``rules.rival_combat``)."""
    G, M = s.shape
    out = np.empty((G, M))
    for i in range(M):
        d = S[i] if S[i] > 0 else 1.0
        for g in range(G):
            out[g, i] = (S[i] - s[g, i]) / d * clash_rate
    return out


@njit(cache=True)
def withdrawal(s: np.ndarray, E: np.ndarray, ratio: float, rate: float) -> np.ndarray:
    """Per-member withdrawal ``w [0 < s < v E]`` (``rules.withdrawal``)."""
    G, M = s.shape
    out = np.zeros((G, M))
    for i in range(M):
        limit = ratio * E[i]
        for g in range(G):
            if s[g, i] > 0.0 and s[g, i] < limit:
                out[g, i] = rate
    return out


@njit(cache=True)
def presence_losses(s: np.ndarray, rate: np.ndarray, floor: float, n: int) -> np.ndarray:
    """Per-member losses ``b_g [s >= f]`` in the municipalities (``rules.presence_losses``)."""
    G, M = s.shape
    out = np.zeros((G, M))
    for g in range(G):
        for i in range(n):
            if s[g, i] >= floor:
                out[g, i] = rate[g]
    return out


@njit(cache=True)
def euler_step(s: np.ndarray, rate: np.ndarray, dt: float) -> np.ndarray:
    """``max(s (1 + dt rate), 0)``: one explicit step (``rules.euler_step``)."""
    G, M = s.shape
    out = np.empty((G, M))
    for g in range(G):
        for i in range(M):
            v = (dt * rate[g, i] + 1.0) * s[g, i]
            out[g, i] = 0.0 if v < 0.0 else v
    return out


# ------------------------------------------------------------------ expansion
@njit(cache=True)
def _expansion(s, K, E, indptr, indices, sigma, uniforms, D, half_capacity, floor, dt):
    G, M = s.shape
    free = np.empty(M)
    for i in range(M):
        S = s[0, i]
        for g in range(1, G):
            S += s[g, i]
        f = K[i] - E[i] - S
        free[i] = f if f > 0.0 else 0.0
    # The drawn cells, in C order (group, then node), and the ask of their sources.
    ask = np.zeros((G, M))
    fronts_g = np.empty(G * M, dtype=np.int64)
    fronts_i = np.empty(G * M, dtype=np.int64)
    n_fronts = 0
    for g in range(G):
        for i in range(M):
            if not (s[g, i] < floor and free[i] > D):
                continue
            hazard = sigma[g] * (dt * free[i] / (free[i] + half_capacity))
            if not uniforms[g, i] < -np.expm1(-hazard):
                continue
            nb_source = 0.0
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                if s[g, j] >= 2.0 * D:
                    nb_source += s[g, j]
                else:
                    nb_source += 0.0
            demand = D / nb_source if nb_source > 0.0 else 0.0
            for p in range(indptr[i], indptr[i + 1]):
                ask[g, indices[p]] += demand
            if nb_source > 0.0:
                fronts_g[n_fronts] = g
                fronts_i[n_fronts] = i
                n_fronts += 1
    if n_fronts == 0:
        return s.copy()
    # Move the detachments: each source gives min(s ask, max(s - D, 0)).
    new = np.empty((G, M))
    take = np.empty(M)
    given = np.empty(G)
    for g in range(G):
        for j in range(M):
            x = s[g, j]
            src = x if x >= 2.0 * D else 0.0
            t = src * ask[g, j]
            keep = x - D
            if keep < 0.0:
                keep = 0.0
            if keep < t:
                t = keep
            take[j] = t
            new[g, j] = x - t
        given[g] = _pairwise_sum(take)
    sent = np.zeros(G)
    for f in range(n_fronts):
        sent[fronts_g[f]] += 1.0
    for f in range(n_fronts):
        g = fronts_g[f]
        new[g, fronts_i[f]] += D * (given[g] / (D * sent[g]))
    return new


def expansion(
    s: np.ndarray,
    K: np.ndarray,
    E: np.ndarray,
    adjacency: sp.csr_matrix,
    sigma: np.ndarray,
    uniforms: np.ndarray,
    *,
    detachment: float,
    half_capacity: float,
    presence_floor: float,
    dt: float,
) -> np.ndarray:
    """Open this month's fronts and move detachments there (``rules.expansion``).

    Returns:
        Members after the move, shape (G, M) (a copy of ``s`` when no front opens).
    """
    return _expansion(
        s,
        K,
        E,
        adjacency.indptr,
        adjacency.indices,
        np.asarray(sigma, dtype=np.float64),
        uniforms,
        float(detachment),
        float(half_capacity),
        float(presence_floor),
        float(dt),
    )


# ------------------------------------------------------------------ control
@njit(cache=True)
def armed_share(S: np.ndarray, E: np.ndarray) -> np.ndarray:
    """``theta = S / (S + E)``, 0 where both are 0 (``rules.armed_share``)."""
    n = S.shape[0]
    out = np.empty(n)
    for i in range(n):
        total = S[i] + E[i]
        out[i] = S[i] / total if total > 0 else 0.0
    return out


@njit(cache=True)
def top_two(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Strongest, second-strongest and the index of the strongest (``rules.top_two``)."""
    G, n = s.shape
    first = np.empty(n)
    second = np.zeros(n)
    arg = np.zeros(n, dtype=np.int8)
    for i in range(n):
        if G == 1:
            first[i] = s[0, i]
            continue
        a, b = s[0, i], s[1, i]
        f = max(a, b)
        sec = min(a, b)
        k = 1 if b > a else 0
        for g in range(2, G):
            x = s[g, i]
            if x > f:
                k = g
            sec = max(sec, min(f, x))
            f = max(f, x)
        first[i], second[i], arg[i] = f, sec, k
    return first, second, arg


@njit(cache=True)
def _kalyvas_zones(theta, strongest, second, cuts, contest_ratio, presence_floor):
    n = theta.shape[0]
    zone = np.empty(n, dtype=np.int8)
    for i in range(n):
        z = 1
        for c in cuts:
            if theta[i] >= c:
                z += 1
        if z >= 4 and second[i] >= contest_ratio * strongest[i] and second[i] >= presence_floor:
            z = 3
        zone[i] = z
    return zone


def kalyvas_zones(
    theta: np.ndarray,
    strongest: np.ndarray,
    second: np.ndarray,
    *,
    cuts: tuple[float, float, float, float],
    contest_ratio: float,
    presence_floor: float,
) -> np.ndarray:
    """Kalyvas's five zones with the contested rule (``rules.kalyvas_zones``), int8."""
    return _kalyvas_zones(
        theta,
        strongest,
        second,
        np.asarray(cuts, dtype=np.float64),
        float(contest_ratio),
        float(presence_floor),
    )


@njit(cache=True)
def revenue(s: np.ndarray, S: np.ndarray, rent: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Rent each group collects, ``sum_i s_gi theta_i rent_i / S_i`` (``rules.revenue``)."""
    G, n = s.shape
    out = np.zeros(G)
    for i in range(n):
        per_member = rent[i] * theta[i] / S[i] if S[i] > 0 else 0.0
        for g in range(G):
            out[g] += s[g, i] * per_member
    return out


# ------------------------------------------------------------------ coca
@njit(cache=True)
def _eradicated(coca, theta, hectares):
    n = coca.shape[0]
    reachable = np.empty(n)
    for i in range(n):
        reachable[i] = coca[i] * (1.0 - theta[i])
    total = _pairwise_sum(reachable)
    out = np.zeros(n)
    if hectares <= 0 or total <= 0:
        return out
    share = hectares / total
    for i in range(n):
        out[i] = min(reachable[i] * share, coca[i])
    return out


def eradication(coca: np.ndarray, theta: np.ndarray, hectares: float) -> np.ndarray:
    """Hectares eradicated in each municipality this month (``rules.eradication``)."""
    return _eradicated(coca, theta, float(hectares))


@njit(cache=True)
def _coca_step(coca, theta, hectares, capacity, factor, abandon, replant, dt):
    n = coca.shape[0]
    erased = _eradicated(coca, theta, hectares)
    new = np.empty(n)
    for i in range(n):
        fill = coca[i] / capacity[i] if capacity[i] > 0 else 1.0
        rate = factor * theta[i] * (1.0 - fill) - abandon * (1.0 - theta[i])
        v = coca[i] * (1.0 + dt * rate) - (1.0 - replant) * erased[i]
        new[i] = 0.0 if v < 0.0 else v
    return new, _pairwise_sum(erased)


def coca_logistic(
    coca: np.ndarray,
    theta: np.ndarray,
    hectares: float,
    price: float = 1.0,
    growth_factor: float = 1.0,
    *,
    capacity: np.ndarray,
    growth: float,
    abandon: float,
    replant: float,
    dt: float,
) -> tuple[np.ndarray, float]:
    """Coca with the carrying-capacity closure (``rules.coca_logistic``)."""
    new, erased = _coca_step(
        coca, theta, float(hectares), capacity, growth * growth_factor,
        float(abandon), float(replant), float(dt),
    )  # fmt: skip
    return new, float(erased)


def coca_priced(
    coca: np.ndarray,
    theta: np.ndarray,
    hectares: float,
    price: float = 1.0,
    growth_factor: float = 1.0,
    *,
    growth: float,
    abandon: float,
    replant: float,
    dt: float,
) -> tuple[np.ndarray, float]:
    """Coca with the price closure (``rules.coca_priced``)."""
    new, erased = _coca_price_step(
        coca, theta, float(hectares), growth * growth_factor, float(price),
        float(abandon), float(replant), float(dt),
    )  # fmt: skip
    return new, float(erased)


@njit(cache=True)
def _coca_price_step(coca, theta, hectares, factor, price, abandon, replant, dt):
    n = coca.shape[0]
    erased = _eradicated(coca, theta, hectares)
    new = np.empty(n)
    for i in range(n):
        rate = factor * theta[i] * price - abandon * (1.0 - theta[i])
        v = coca[i] * (1.0 + dt * rate) - (1.0 - replant) * erased[i]
        new[i] = 0.0 if v < 0.0 else v
    return new, _pairwise_sum(erased)
