"""Sensitivity indices of a design batch, with the seed's share of the variance apart.

A sensitivity batch runs each design point ``R`` times with the replicates' seeds
(:mod:`rift.runner.sensitivity`). Its outcome is a table ``y[point, replicate]``, and its
variance splits in two (one-way random effects):

* **within points** (the seed's part): the mean over points of the variance across a point's
  replicates; what the replicates carry besides the design's inputs is in it too (the seed,
  the particle of the present a replicate continues, the calibrated parameters drawn jointly);
* **between points** (the inputs' part): the variance of the point means less the seed's
  noise left in them. Replicate ``r`` of every point has the same seed, so the design is
  crossed (points × seeds): a seed's own effect is common to every point and cancels from the
  point means, and only the interaction of seed and inputs is left in them, ``1 / R`` of its
  mean square (:func:`variance_split`).

The indices (SALib's Sobol', Morris or delta, with SALib's bootstrap intervals) are computed on
the seed-averaged outcome, the mean over a point's replicates. An outcome is any run-level
value of the store: a monthly outcome at a month (the horizon by default), an event by a month
as 0/1, or a per-run value.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rift.errors import InputError, did_you_mean
from rift.record import RECORD
from rift.results import Results
from rift.seeds import sensitivity_seed

#: Keys of the analysis's streams (:func:`rift.seeds.sensitivity_seed`): SALib's bootstrap,
#: the bootstrap of the variance split.
INDEX_KEY, SPLIT_KEY = 2, 3
#: Bootstrap resamples and the intervals' level.
RESAMPLES, LEVEL = 100, 0.95
#: The indices of each method, in table order (the first is the one the figure sorts by).
INDICES = {"sobol": ("ST", "S1"), "morris": ("mu_star", "sigma"), "delta": ("delta", "S1")}
#: What the two parts of the variance are called in the tables.
SEED_PART, INPUT_PART = "seed (within points)", "inputs (between points)"


def outcome_values(
    results: Results, outcome: str, month: str | None = None
) -> tuple[pd.Series, str, str]:
    """A run-level outcome of every successful run, by run index.

    Args:
        results: A stored batch.
        outcome: A monthly outcome (numeric or 0/1), an event (1 if it happened by ``month``),
            or a per-run value.
        month: ``YYYY-MM``, a month of the batch (default: its horizon).

    Returns:
        The values (float, indexed by run), a label, and the month used.

    Raises:
        InputError: (key ``--outcome``) An unknown name or a category; (key ``--month``) a
            month outside the batch, or a month for a per-run value.
    """
    months = [str(m) for m in results.manifest["months"]]
    names = results.manifest["record"]
    at = check_outcome(outcome, month, names, months, str(results.path))
    ok = results.ok_runs.set_index("run")
    if outcome in names["events"]:
        column = ok[RECORD.event(outcome).column]
        happened = column.notna() & (column.fillna("9999-99") <= at)
        return happened.astype(float), f"{RECORD.event(outcome).label} by {at} (0/1)", at
    spec = RECORD.outcome(outcome)
    if outcome in names["values"]:
        return ok[outcome].astype(float), f"{spec.label} ({spec.unit})", at
    if at == months[-1]:
        values = ok[outcome].astype(float)
    else:
        s = results.series
        values = s[s["month"] == at].set_index("run")[outcome].astype(float).reindex(ok.index)
    return values, f"{spec.label} ({spec.unit}) in {at}", at


def check_outcome(
    outcome: str,
    month: str | None,
    names: Mapping[str, Sequence[str]],
    months: Sequence[str],
    file: str | None = None,
) -> str:
    """Check an outcome and a month a batch gives (before it runs, and when read back).

    Args:
        outcome: The name (:func:`outcome_values`).
        month: ``YYYY-MM`` or None (the horizon).
        names: The record's names: ``outcomes``, ``events``, ``values``.
        months: The batch's months.
        file: What to name in messages.

    Returns:
        The month the outcome is read at.

    Raises:
        InputError: (key ``--outcome``) An unknown name or a category; (key ``--month``) a
            month outside the batch, or a month for a per-run value.
    """
    if month is not None and month not in months:
        raise InputError(
            f"'{month}' is not a month of the batch",
            file=file,
            key="--month",
            expected=f"YYYY-MM from {months[0]} to {months[-1]}",
        )
    at = months[-1] if month is None else month
    if outcome in names["events"]:
        return at
    known = [*names["outcomes"], *names["values"]]
    if outcome not in known:
        raise InputError(
            f"'{outcome}' is not an outcome, event or value of the batch",
            file=file,
            key="--outcome",
            expected="a name of the record, e.g. control_any, rupture, coca_ha",
            hint=did_you_mean(outcome, [*known, *names["events"]]),
        )
    spec = RECORD.outcome(outcome)
    if spec.kind == "category":
        raise InputError(
            f"'{outcome}' is a category ({', '.join(spec.labels)})",
            file=file,
            key="--outcome",
            expected="a number or a 0/1 outcome, or an event",
        )
    if outcome in names["values"] and at != months[-1]:
        raise InputError(
            f"'{outcome}' is one value per run, not a monthly outcome",
            file=file,
            key="--month",
            expected="no --month for a per-run value",
        )
    return at


def point_matrix(results: Results, values: pd.Series) -> np.ndarray:
    """The outcome as ``(points, replicates)``; NaN where a run failed or is missing.

    Raises:
        InputError: (key ``design``) The batch is not a design.
    """
    design = results.manifest.get("design")
    if not isinstance(design, Mapping):
        raise InputError(
            "not a design batch", file=str(results.path), key="design",
            expected="a batch of `rift sensitivity` (or `rift run --design`)",
        )  # fmt: skip
    points, reps = len(design["points"]), int(design["replicates"])
    y = np.full(points * reps, np.nan)
    idx = values.index.to_numpy(dtype=np.int64)
    y[idx] = values.to_numpy(dtype=float)
    return y.reshape(points, reps)


@dataclass(frozen=True)
class VarianceSplit:
    """The outcome's variance split between the design's inputs and the replicates.

    Attributes:
        between: Variance of the seed-free point means (the inputs' part).
        within: Mean variance across a point's replicates (the seed's part).
        replicates: Replicates per point.
        points: Design points.
        share_low: Lower end of the seed share's bootstrap interval (points resampled).
        share_high: Upper end of that interval.
    """

    between: float
    within: float
    replicates: int
    points: int
    share_low: float = float("nan")
    share_high: float = float("nan")

    @property
    def total(self) -> float:
        """The outcome's variance: between plus within."""
        return self.between + self.within

    @property
    def seed_share(self) -> float:
        """The within-point (seed) share of the variance (NaN with one replicate)."""
        return self.within / self.total if self.total > 0 else float("nan")


def _split(y: np.ndarray) -> tuple[float, float]:
    """The inputs' and the seed's variance in a crossed design (every point, the same seeds).

    Two-way random effects without replication: ``y = mu + P_p + R_r + E_pr``. The seed's
    part of a run's variance is ``var R + var E``, estimated by the mean variance across a
    point's replicates; the point means share the replicates' effects (common random
    numbers), so their variance is ``var P + var E / R``, and the inputs' part is that less the
    interaction's mean square over ``R``. Only points whose every replicate finished count.
    """
    y = y[np.isfinite(y).all(axis=1)]
    points, reps = y.shape
    if reps < 2 or points < 2:
        return float("nan"), float("nan")
    means = y.mean(axis=1)
    resid = y - means[:, None] - y.mean(axis=0)[None, :] + y.mean()
    ms_interaction = float(np.sum(resid**2)) / ((points - 1) * (reps - 1))
    within = float(np.sum((y - means[:, None]) ** 2)) / (points * (reps - 1))
    between = float(np.var(means, ddof=1)) - ms_interaction / reps
    return max(between, 0.0), within


def variance_split(y: np.ndarray, seed: int, resamples: int = RESAMPLES) -> VarianceSplit:
    """Split the variance of ``y[point, replicate]`` into the inputs' and the seed's parts.

    The interval of the seed's share resamples the points with replacement and the replicates
    too, keeping the distinct replicates of each draw (a subsample of the seeds: the seed's
    part rests on ``R`` seeds, and with few replicates the interval says so; it is
    conservative, since a subsample has fewer seeds than the batch).

    Args:
        y: The outcome, one row per design point, one column per replicate (NaN: failed).
        seed: Root seed of the bootstrap.
        resamples: Bootstrap resamples of the seed share's interval.
    """
    y = np.asarray(y, float)
    between, within = _split(y)
    split = VarianceSplit(between, within, y.shape[1], y.shape[0])
    if not np.isfinite(split.seed_share):
        return split
    rng = np.random.default_rng(sensitivity_seed(seed, SPLIT_KEY))
    shares = []
    for _ in range(resamples):
        rows = rng.integers(0, y.shape[0], y.shape[0])
        # the distinct replicates of a draw with replacement: a duplicated seed would shrink
        # the seed's part (a subsample of the seeds is unbiased, and wider for having fewer)
        cols = np.unique(rng.integers(0, y.shape[1], y.shape[1]))
        if len(cols) < 2:
            continue
        b, w = _split(y[np.ix_(rows, cols)])
        shares.append(w / (b + w) if b + w > 0 else np.nan)
    if not shares or np.all(np.isnan(shares)):
        return split
    lo, hi = np.nanquantile(shares, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return VarianceSplit(between, within, y.shape[1], y.shape[0], float(lo), float(hi))


def _int_seed(seed: int, key: int) -> int:
    return int(sensitivity_seed(seed, key).generate_state(1)[0]) or 1


def salib_indices(
    method: str,
    problem: Mapping[str, Any],
    unit: np.ndarray,
    y: np.ndarray,
    *,
    seed: int,
    levels: int = 4,
    resamples: int = RESAMPLES,
) -> pd.DataFrame:
    """SALib's indices of ``y`` (one value per row of the unit sample) with their intervals.

    Args:
        method: ``sobol`` (``y`` in the order of SALib's Saltelli sample), ``morris`` or
            ``delta``.
        problem: SALib's problem (names, bounds, groups).
        unit: SALib's sample the outcome was computed at.
        y: One outcome per row of ``unit`` (finite).
        seed: Root seed of SALib's bootstrap.
        levels: The Morris grid's levels.
        resamples: Bootstrap resamples.

    Returns:
        One row per factor (input or group) and index: ``factor``, ``index``, ``value``,
        ``ci_low``, ``ci_high`` (the 95 % bootstrap interval; NaN where SALib gives none).
    """
    from SALib.analyze import morris, sobol

    y = np.asarray(y, float)
    groups = problem.get("groups")
    factors = list(dict.fromkeys(groups)) if groups else list(problem["names"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a constant outcome: NaN indices
        warnings.simplefilter("ignore", UserWarning)
        if method == "sobol":
            s = sobol.analyze(
                dict(problem), y, calc_second_order=False, num_resamples=resamples,
                conf_level=LEVEL, seed=_int_seed(seed, INDEX_KEY),
            )  # fmt: skip
            found = {"ST": (s["ST"], s["ST_conf"]), "S1": (s["S1"], s["S1_conf"])}
        elif method == "morris":
            s = morris.analyze(
                dict(problem), np.asarray(unit, float), y, num_resamples=resamples,
                conf_level=LEVEL, num_levels=levels,
                seed=np.random.default_rng(sensitivity_seed(seed, INDEX_KEY)),
            )  # fmt: skip
            nan = np.full(len(factors), np.nan)
            found = {"mu_star": (s["mu_star"], s["mu_star_conf"]), "sigma": (s["sigma"], nan)}
        else:
            s = _delta(problem, unit, y, seed, resamples)
            found = {"delta": (s["delta_raw"], s["delta_raw_conf"]), "S1": (s["S1"], s["S1_conf"])}
    rows = []
    for index in INDICES[method]:
        values, conf = (np.asarray(a, float) for a in found[index])
        for j, factor in enumerate(factors):
            v, c = float(values[j]), float(conf[j])
            rows.append(
                {"factor": factor, "index": index, "value": v, "ci_low": v - c, "ci_high": v + c}
            )
    return pd.DataFrame(rows)


def _delta(problem: Mapping[str, Any], unit: np.ndarray, y: np.ndarray, seed: int, n: int):
    """SALib's delta, whose bootstrap draws from numpy's global generator.

    SALib seeds numpy's legacy global generator; rift seeds it from the batch's stream and puts
    the caller's state back afterwards, so the result is reproducible and no state leaks (nor
    SALib's replacement of :func:`warnings.formatwarning`, nor its warning filters).
    """
    from SALib.analyze import delta

    state = np.random.get_state()  # noqa: NPY002 (SALib's delta seeds the global generator)
    formatter = warnings.formatwarning  # which SALib's delta replaces for good
    try:
        with warnings.catch_warnings(record=True):  # its notes on bins and bias, not shown
            return delta.analyze(
                dict(problem), np.asarray(unit, float), y, num_resamples=n, conf_level=LEVEL,
                seed=_int_seed(seed, INDEX_KEY), method="all",
            )  # fmt: skip
    finally:
        np.random.set_state(state)  # noqa: NPY002 (the caller's state, put back)
        warnings.formatwarning = formatter


@dataclass(frozen=True)
class Sensitivity:
    """A sensitivity analysis of one outcome of a design batch.

    Attributes:
        outcome: The outcome's name.
        label: What it is (with its unit and month).
        month: The month it is read at.
        method: ``sobol``, ``morris`` or ``delta``.
        indices: :func:`salib_indices` of the seed-averaged outcome.
        split: The variance split between the inputs and the seed.
        mean: The outcome's mean over every run.
    """

    outcome: str
    label: str
    month: str
    method: str
    indices: pd.DataFrame
    split: VarianceSplit
    mean: float

    def table(self) -> pd.DataFrame:
        """The indices and the variance shares as one long table (what is written)."""
        s = self.split
        share = s.seed_share
        parts = pd.DataFrame(
            [
                {"factor": SEED_PART, "index": "variance share", "value": share,
                 "ci_low": s.share_low, "ci_high": s.share_high},
                {"factor": INPUT_PART, "index": "variance share", "value": 1 - share,
                 "ci_low": 1 - s.share_high, "ci_high": 1 - s.share_low},
            ]
        )  # fmt: skip
        out = pd.concat([parts, self.indices], ignore_index=True)
        out.insert(0, "method", self.method)
        out.insert(0, "month", self.month)
        out.insert(0, "outcome", self.outcome)
        return out


def analyse(
    results: Results,
    unit: np.ndarray,
    problem: Mapping[str, Any],
    method: str,
    outcome: str,
    month: str | None = None,
    *,
    levels: int = 4,
    resamples: int = RESAMPLES,
) -> Sensitivity:
    """The sensitivity of a batch's outcome to its design's inputs, and the seed's share.

    Args:
        results: The stored design batch (point ``p`` is row ``p`` of ``unit``).
        unit: SALib's unit sample of the design.
        problem: SALib's problem.
        method: ``sobol``, ``morris`` or ``delta``.
        outcome: See :func:`outcome_values`.
        month: See :func:`outcome_values`.
        levels: The Morris grid's levels.
        resamples: Bootstrap resamples of the intervals (SALib's, and the seed share's).

    Raises:
        InputError: As :func:`outcome_values`; a design of another size than the sample.
        ValueError: Every replicate of a design point failed (the indices need every point).
    """
    values, label, at = outcome_values(results, outcome, month)
    y = point_matrix(results, values)
    if y.shape[0] != len(unit):
        raise InputError(
            f"{y.shape[0]} design points but {len(unit)} rows in the sensitivity sample",
            file=str(results.path),
            key="design",
            expected="the batch `rift sensitivity` wrote",
        )
    seed = int(results.manifest["seed"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(y, axis=1)
    lost = np.flatnonzero(~np.isfinite(means))
    if len(lost):
        raise ValueError(
            f"no finished run of design point(s) {_points(lost)}: the indices need every point"
        )
    indices = salib_indices(
        method, problem, unit, means, seed=seed, levels=levels, resamples=resamples
    )
    split = variance_split(y, seed, resamples)
    return Sensitivity(outcome, label, at, method, indices, split, float(np.nanmean(y)))


def _points(lost: Sequence[int]) -> str:
    shown = ", ".join(str(int(p)) for p in lost[:5])
    return shown + (f", … ({len(lost)} in all)" if len(lost) > 5 else "")


def _number(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{x:.3f}"


def format_sensitivity(result: Sensitivity, limit: int = 20) -> str:
    """The seed's share and the indices as a terminal table (the largest ``limit`` factors)."""
    s = result.split
    first, second = INDICES[result.method]
    wide = result.indices.pivot(index="factor", columns="index", values="value")
    low = result.indices.pivot(index="factor", columns="index", values="ci_low")
    high = result.indices.pivot(index="factor", columns="index", values="ci_high")
    order = wide[first].fillna(-np.inf).sort_values(ascending=False).index
    lines = [
        f"{result.label}: mean {result.mean:,.4g} over {s.points * s.replicates} runs "
        f"({s.points} points × {s.replicates} replicates)",
        f"variance: {_number(s.total)} = inputs {_number(s.between)} + seed {_number(s.within)}; "
        f"seed share {_number(s.seed_share)} [{_number(s.share_low)}, {_number(s.share_high)}]",
        f"{result.method} indices of the seed-averaged outcome (95 % bootstrap intervals):",
    ]
    width = max([len("parameter"), *(len(str(f)) for f in order[:limit])])
    lines.append(f"{'parameter'.ljust(width)}  {first:>24}  {second:>24}")
    for f in order[:limit]:
        cells = [
            f"{_number(wide.at[f, i])} [{_number(low.at[f, i])}, {_number(high.at[f, i])}]"
            for i in (first, second)
        ]
        lines.append(f"{str(f).ljust(width)}  {cells[0]:>24}  {cells[1]:>24}")
    if len(order) > limit:
        lines.append(f"... ({len(order)} in all, by {first}; the table file has every one)")
    return "\n".join(lines)
