"""Distributions over the runs of a batch: quantile fans, exceedance, event and control odds.

Pure numpy/pandas; the figures in :mod:`rift.plots` draw what these functions compute, so the
numbers in a figure can be checked (and tabulated) without matplotlib.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rift.analysis.weights import run_weights, weighted_mean, weighted_quantile, weights_for
from rift.months import parse_month
from rift.record import GROUPS, RECORD
from rift.results import Results, series_array

#: Quantiles of a fan chart: the 90 % band, the 50 % band and the median.
FAN_QUANTILES: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)


def successful_runs(results: Results) -> pd.DataFrame:
    """The rows of the runs table whose run finished without an error."""
    return results.ok_runs


def horizon_month(results: Results) -> str:
    """The last month of the batch (``YYYY-MM``)."""
    return str(results.manifest["months"][-1])


def horizon_values(results: Results, outcome: str) -> np.ndarray:
    """Finite values of an outcome at the horizon, one per successful run."""
    return horizon_values_and_weights(results, outcome)[0]


def horizon_values_and_weights(
    results: Results, outcome: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """Finite values of an outcome at the horizon and their runs' weights (None: unweighted)."""
    ok = successful_runs(results)
    values = ok[outcome].to_numpy(dtype=float)
    finite = np.isfinite(values)
    return values[finite], weights_for(ok["run"].to_numpy()[finite], run_weights(results))


def fan_quantiles(
    results: Results, outcome: str, q: Sequence[float] = FAN_QUANTILES
) -> pd.DataFrame:
    """Quantiles of an outcome over the runs, month by month.

    Args:
        results: A stored batch.
        outcome: An outcome name (a column of the series table).
        q: Quantiles in [0, 1].

    Returns:
        One row per month (index: month label ``YYYY-MM``) and one column per quantile,
        computed with :func:`numpy.quantile` (default method) over the successful runs. Empty
        when no run succeeded.
    """
    values, runs, months = series_array(results, outcome)
    qs = [float(x) for x in q]
    index = pd.Index(months, name="month")
    if values.shape[0] == 0:
        return pd.DataFrame(np.full((len(months), len(qs)), np.nan), index=index, columns=qs)
    table = weighted_quantile(values, qs, weights_for(runs, run_weights(results)), axis=0)
    return pd.DataFrame(np.asarray(table).T, index=index, columns=qs)


def exceedance(
    values: Sequence[float] | np.ndarray, xs: Sequence[float] | np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Empirical exceedance probability: the share of values strictly greater than x.

    Args:
        values: Samples (non-finite values are dropped).
        xs: Where to evaluate it (default: the distinct sample values, ascending).

    Returns:
        ``(xs, p)`` with ``p[i] = mean(values > xs[i])`` (NaN when there are no samples).
    """
    v = np.asarray(values, dtype=float).ravel()
    v = np.sort(v[np.isfinite(v)])
    x = np.unique(v) if xs is None else np.asarray(xs, dtype=float).ravel()
    if v.size == 0:
        return x, np.full(x.shape, np.nan)
    p = 1.0 - np.searchsorted(v, x, side="right") / v.size
    return x, p


def event_curve(results: Results, event: str, months: Sequence[str] | None = None) -> pd.Series:
    """Cumulative probability that an event happened on or before each month.

    Args:
        results: A stored batch.
        event: An event name (``rupture``) or its column of the runs table (``rupture_month``,
            ``YYYY-MM``, empty when the event did not happen).
        months: Month labels to evaluate (default: every month of the batch).

    Returns:
        The share of successful runs with the event by each month, indexed by month label
        (NaN when no run succeeded).
    """
    column = event if event.endswith("_month") else RECORD.event(event).column
    labels = [str(m) for m in (results.manifest["months"] if months is None else months)]
    runs = successful_runs(results)
    ok = runs[column]
    at = np.array([parse_month(m) for m in labels], dtype=np.int64)
    n = len(ok)
    w = weights_for(runs["run"].to_numpy(), run_weights(results))
    if w is None:
        happened = np.sort(
            np.array([parse_month(v) for v in ok if isinstance(v, str) and v], dtype=np.int64)
        )
        counts = np.searchsorted(happened, at, side="right")
        p = counts / n if n else np.full(len(labels), np.nan)
    else:  # the weight of the runs whose event came by each month
        month = np.array(
            [parse_month(v) if isinstance(v, str) and v else np.iinfo(np.int64).max for v in ok],
            dtype=np.int64,
        )
        p = np.array([w[month <= m].sum() for m in at]) if n else np.full(len(labels), np.nan)
    return pd.Series(p, index=pd.Index(labels, name="month"), name=column, dtype=float)


def group_names(results: Results) -> list[str]:
    """The armed groups of a batch, in the order of the territory arrays."""
    return list(results.manifest.get("group_names", GROUPS))


def flag_probability(results: Results, outcome: str) -> pd.Series:
    """The share of runs in which a flag is on, month by month (indexed by month label)."""
    values, runs, months = series_array(results, outcome)
    w = weights_for(runs, run_weights(results))
    p = weighted_mean(values, w, axis=0) if values.shape[0] else np.full(len(months), np.nan)
    return pd.Series(p, index=pd.Index(months, name="month"), name=outcome, dtype=float)


def category_shares_by_month(results: Results, outcome: str) -> pd.DataFrame:
    """The share of runs in each label of a category, month by month (rows: months)."""
    o = RECORD.outcome(outcome)
    s = results.series
    months = list(dict.fromkeys(s["month"].tolist()))
    weights = run_weights(results)
    if weights is None:
        table = pd.crosstab(s["month"].astype(str), s[outcome].astype(str), normalize="index")
    else:
        w = weights.reindex(s["run"].to_numpy()).fillna(0.0).to_numpy()
        table = pd.crosstab(
            s["month"].astype(str), s[outcome].astype(str), values=w, aggfunc="sum"
        ).fillna(0.0)
        table = table.div(table.sum(axis=1), axis=0)
    return table.reindex(index=months, columns=list(o.labels), fill_value=0.0)


def control_probability(
    results: Results, group: int | str | None = None, *, by_group: bool = False
) -> np.ndarray:
    """Probability, per municipality, that an armed group controls it at the horizon.

    Args:
        results: A stored batch.
        group: One group (index or name such as ``"eln"``); default any group.
        by_group: Return every group at once, shape (groups, municipalities).

    Returns:
        ``control_counts / runs`` for the group(s): shape (municipalities,), or
        (groups, municipalities) with ``by_group``. NaN when no run succeeded.
    """
    counts = np.asarray(results.territory["control_counts"], dtype=float)
    n = int(results.territory["runs"])
    weights = run_weights(results)
    if weights is not None and "controller" in results.territory:
        # The weighted share of runs in which each group controls each municipality.
        controller = np.asarray(results.territory["controller"])
        runs = np.asarray(results.territory["run_index"])
        w = weights_for(runs, weights)
        counts = np.stack(
            [(w[:, None] * (controller == g)).sum(axis=0) for g in range(len(counts))]
        )
        n = 1 if len(controller) else 0
    if by_group:
        selected = counts
    elif group is None:
        selected = counts.sum(axis=0)
    else:
        index = group_names(results).index(group) if isinstance(group, str) else int(group)
        selected = counts[index]
    if n == 0:
        return np.full(selected.shape, np.nan)
    return selected / n
