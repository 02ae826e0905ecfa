"""The weights of a batch's runs, and weighted quantiles, means and shares.

A batch whose scenario has ``observations`` is conditioned on them: each successful run has
the likelihood weight :func:`rift.analysis.assimilation.assimilate` gives it. Every summary,
headline, figure and comparison of such a batch is weighted; ``Results.unweighted()`` (the
``--unweighted`` flag) gives the plain batch. A batch without observations has no weights
(``None``), and the functions here then reduce to the plain statistics exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from rift.results.reader import Results


def run_weights(results: Results) -> pd.Series | None:
    """The normalised weight of each successful run (index: run), or None when unweighted.

    A batch is weighted by its scenario's observations, and, when it started from a present
    whose particles are not equally weighted, by the weight of each run's particle (run k's
    is particle k mod N's, as the manifest records it): the product, normalised. None when
    neither applies or the batch was marked :meth:`~rift.results.Results.unweighted`. A
    present written by ``rift nowcast`` ends with a resample-move, so its particles are
    equally weighted and it weights nothing. Computed once per loaded batch.
    """
    observed = bool(results.manifest["scenario"].get("observations"))
    particles = (results.manifest.get("present") or {}).get("weights")
    if not results.weighting or not (observed or particles):
        return None
    cached = results.cache.get("weights")
    if cached is None:
        if observed:
            from rift.analysis.assimilation import assimilate

            fit = assimilate(results)
            runs, w = np.asarray(fit.runs), np.asarray(fit.weights, float)
        else:
            runs = np.sort(results.ok_runs["run"].to_numpy())
            w = np.ones(len(runs))
        if particles:
            w = w * np.asarray(particles, float)[runs % len(particles)]
            w = w / w.sum() if w.sum() > 0 else w
        cached = pd.Series(w, index=pd.Index(runs, name="run"), name="weight")
        results.cache["weights"] = cached
    return cached


def effective_sample_size(weights: pd.Series | np.ndarray | None, n: int) -> float:
    """Kish's effective sample size, ``1 / sum(w^2)`` of normalised weights (``n`` if None)."""
    if weights is None:
        return float(n)
    w = np.asarray(weights, dtype=float)
    total = w.sum()
    return float(total**2 / np.sum(w * w)) if total > 0 else 0.0


def weighting_note(results: Results) -> str | None:
    """One line for every page that shows a weighted batch (None for an unweighted one)."""
    w = run_weights(results)
    if w is None:
        if results.manifest["scenario"].get("observations"):
            return f"{results.name}: unweighted (the observations are ignored on request)"
        return None
    ess = effective_sample_size(w, len(w))
    by = "its observations" if results.manifest["scenario"].get("observations") else ""
    if (results.manifest.get("present") or {}).get("weights"):
        by = f"{by} and " * bool(by) + "its present's particle weights"
    return (
        f"{results.name}: weighted by {by}, effective sample size {ess:.0f} of "
        f"{len(w)} runs (--unweighted for the plain batch)"
    )


def weights_for(
    runs: Sequence[int] | np.ndarray, weights: pd.Series | None, *, uniform: bool = False
) -> np.ndarray | None:
    """The weights of the given runs in that order, normalised over them.

    None stays None, or becomes equal weights with ``uniform`` (for code that always weighs).
    """
    if weights is None:
        n = len(runs)
        return np.full(n, 1.0 / n) if uniform and n else None
    w = weights.reindex(np.asarray(runs)).fillna(0.0).to_numpy(dtype=float)
    total = w.sum()
    return w / total if total > 0 else np.full(len(w), 1.0 / max(len(w), 1))


def weighted_quantile(
    values: np.ndarray, q: Sequence[float] | float, weights: np.ndarray | None = None, axis: int = 0
) -> np.ndarray:
    """Quantiles of ``values`` along ``axis`` under ``weights`` (one per row along ``axis``).

    With ``weights=None`` this is :func:`numpy.quantile` (linear interpolation). With weights,
    the sorted values sit at the plotting positions ``(S_k - w_k) / (S_n - w_n)`` (``S`` the
    cumulative weights), which are numpy's ``(k - 1) / (n - 1)`` when the weights are equal,
    and the quantile is interpolated linearly between them.
    """
    qs = np.atleast_1d(np.asarray(q, dtype=float))
    v = np.moveaxis(np.asarray(values, dtype=float), axis, 0)
    if weights is None:
        out = np.quantile(v, qs, axis=0)
        return out if np.ndim(q) else out[0]
    w = np.asarray(weights, dtype=float)
    flat = v.reshape(v.shape[0], -1)
    out = np.full((len(qs), flat.shape[1]), np.nan)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        keep = np.isfinite(col) & (w > 0)
        if not keep.any():
            continue
        order = np.argsort(col[keep], kind="stable")
        x, wk = col[keep][order], w[keep][order]
        cum = np.cumsum(wk)
        span = cum[-1] - wk[-1]
        pos = (cum - wk) / span if span > 0 else np.zeros(len(x))
        out[:, j] = np.interp(qs, pos, x) if span > 0 else x[-1]
    out = out.reshape((len(qs), *v.shape[1:]))
    return out if np.ndim(q) else out[0]


def weighted_mean(
    values: np.ndarray, weights: np.ndarray | None = None, axis: int = 0
) -> np.ndarray:
    """The mean along ``axis`` (the plain mean when ``weights`` is None)."""
    v = np.asarray(values, dtype=float)
    if weights is None:
        return v.mean(axis=axis)
    w = np.asarray(weights, dtype=float)
    shape = [1] * v.ndim
    shape[axis] = len(w)
    return np.sum(v * w.reshape(shape), axis=axis) / w.sum()
