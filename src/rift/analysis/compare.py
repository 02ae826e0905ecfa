"""Scenario comparison: paired differences by run index, or unpaired tests when runs differ.

Run k of every batch with the same root seed uses the same seed (same placement, shocks and
election draw) and, since each sampled input is keyed by its name, the same value of every
input both scenarios sample alike; the difference between two scenarios is then best measured
run by run: the paired difference has far less Monte Carlo noise than the difference of two
independent samples. Pairing is checked from the stored inputs (:func:`check_pairing`), not
assumed: when the root seeds differ, or an input both scenarios declare alike differs run by
run (different run counts, or batches from another version of rift), the comparison falls
back to Mann–Whitney and Kolmogorov–Smirnov tests and says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from rift.analysis.summary import category_shares
from rift.analysis.weights import run_weights, weighted_mean, weighted_quantile, weights_for
from rift.errors import InputError
from rift.record import RECORD
from rift.results import Results

EVENT_DATES = ("2026-12", "2027-12", "2030-12")
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20251215  # fixed so that a comparison prints the same intervals every time
Z95 = 1.959963984540054


@dataclass
class Comparison:
    """The comparison of several stored batches against the first (the reference).

    Attributes:
        names: Display names of the scenarios, the reference first.
        paired: Whether runs were paired by index (same seed and same inputs run by run).
        note: How the comparison was made (and why unpaired, when it is).
        scenarios: Per scenario and outcome: median, p5, p95, mean, standard errors, n.
        differences: Per other scenario and outcome: the difference to the reference, its
            bootstrap 95 % interval, P(difference > 0), and tests when unpaired.
        events: Per scenario, event and date: probability and standard error (NaN for dates
            beyond the horizon), and the paired difference to the reference.
        warnings: Differences too small for the run count to resolve.
        at: The month the outcomes are read at (the last month all batches share).
        horizon_note: When the horizons differ, what was compared (shown first).
        categories: Per scenario, the share of runs in each label of each category outcome.
        pairings: Per other scenario, the pairing checked from the stored inputs.
    """

    names: list[str]
    paired: bool
    note: str
    scenarios: pd.DataFrame
    differences: pd.DataFrame
    events: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    at: str = ""
    horizon_note: str = ""
    categories: pd.DataFrame = field(default_factory=pd.DataFrame)
    pairings: list[Pairing] = field(default_factory=list)


@dataclass(frozen=True)
class Pairing:
    """Whether two batches can be compared run by run, and what differs between their inputs.

    Attributes:
        paired: Whether run ``k`` of both batches shares its seed and every input the two
            scenarios declare alike.
        changed: The inputs the scenarios declare differently (fixed in one, or sampled from
            different distributions): the tweak being measured.
        broken: Inputs declared alike whose values still differ run by run (why unpaired).
        reason: One sentence saying how the batches are compared and why.
    """

    paired: bool
    changed: tuple[str, ...]
    broken: tuple[str, ...]
    reason: str


def _declaration(scenario: dict, name: str) -> object:
    """How a scenario declares input ``name``: a fixed value, a distribution, or the default."""
    if name in (scenario.get("parameters") or {}):
        return ("fixed", scenario["parameters"][name])
    unc = scenario.get("uncertain")
    if isinstance(unc, dict) and name in unc:
        return ("uncertain", unc[name])
    return ("default", None)


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    numeric = pd.api.types.is_numeric_dtype
    if not (numeric(a.dtype) and numeric(b.dtype)):
        return bool((a.astype(str) == b.astype(str)).all())
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    return bool(np.array_equal(x, y, equal_nan=True))


def _names(items: Sequence[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def check_pairing(ref: Results, other: Results) -> Pairing:
    """Check from the stored inputs whether ``other`` is paired run by run with ``ref``.

    Runs are paired when both batches have the same root seed and, over the runs both hold,
    every sampled input (each ``param.`` column, the model variants included) is identical
    run by run except the inputs the two scenarios declare differently. Those are the change
    being measured and are named; any other input that differs breaks the pairing.
    """
    seed_a, seed_b = ref.manifest["seed"], other.manifest["seed"]
    if seed_a != seed_b:
        return Pairing(
            False,
            (),
            (),
            f"unpaired: the batches were run with different root seeds ({seed_a}, {seed_b}), "
            "so runs are independent; differences use Mann-Whitney U and Kolmogorov-Smirnov tests",
        )
    a = ref.runs.set_index("run")
    b = other.runs.set_index("run")
    common = a.index.intersection(b.index)
    cols_a = {c for c in a.columns if c.startswith("param.")}
    cols_b = {c for c in b.columns if c.startswith("param.")}
    sa, sb = ref.manifest["scenario"], other.manifest["scenario"]
    changed, broken = [], []
    for col in sorted(cols_a | cols_b):
        name = col.removeprefix("param.")
        declared_apart = _declaration(sa, name) != _declaration(sb, name)
        same = (
            col in cols_a and col in cols_b and _same_values(a.loc[common, col], b.loc[common, col])
        )
        if declared_apart:
            changed.append(name)
        elif not same:
            broken.append(name)
    for name in sorted(set(sa.get("parameters") or {}) | set(sb.get("parameters") or {})):
        if _declaration(sa, name) != _declaration(sb, name) and name not in changed:
            changed.append(name)
    changed.sort()
    if broken:
        why = (
            f"the run counts differ ({ref.manifest['runs']}, {other.manifest['runs']}), so the "
            "Latin hypercubes differ"
            if ref.manifest["runs"] != other.manifest["runs"]
            else "the sampling settings or rift's version differ"
        )
        return Pairing(
            False,
            tuple(changed),
            tuple(broken),
            f"unpaired: {len(broken)} input(s) that both scenarios declare alike differ run by "
            f"run ({_names(broken)}): {why}; runs are compared as independent samples "
            "(Mann-Whitney U and Kolmogorov-Smirnov tests)",
        )
    what = (
        f"every other input is identical run by run; the inputs set differently: {_names(changed)}"
        if changed
        else "every sampled input is identical run by run"
    )
    return Pairing(
        True,
        tuple(changed),
        (),
        f"paired by run index (root seed {seed_a}): run k of each scenario shares its seed and "
        f"{what}, so differences are taken run by run",
    )


def display_names(results: Sequence[Results]) -> list[str]:
    """Scenario names, made unique with the run folder name (then a number) when repeated."""
    names = [r.name for r in results]
    names = [
        f"{n} ({r.path.name})" if names.count(n) > 1 else n
        for n, r in zip(names, results, strict=True)
    ]
    return [f"{n} #{i + 1}" if names.count(n) > 1 else n for i, n in enumerate(names)]


def _ok(res: Results, at: str | None = None) -> pd.DataFrame:
    """Successful runs indexed by run, outcomes at the horizon or at the month ``at``."""
    ok = res.ok_runs.set_index("run")
    if at is None or at == res.manifest["months"][-1]:
        return ok
    s = res.series
    at_month = s[s["month"] == at].set_index("run")
    ok = ok.copy()
    for name in RECORD.outcome_names:
        if name in at_month:
            ok[name] = at_month[name].reindex(ok.index)
    return ok


def common_months(results: Sequence[Results]) -> list[str]:
    """The months every batch simulated, in order (empty when their horizons do not meet)."""
    common = set(results[0].manifest["months"])
    for r in results[1:]:
        common &= set(r.manifest["months"])
    return sorted(common)


def _reported(r: Results) -> set[str]:
    return set(r.manifest["scenario"].get("outcomes") or r.manifest["record"]["outcomes"])


def common_outcomes(results: Sequence[Results], kinds: Sequence[str] | None = None) -> list[str]:
    """Outcomes every batch reports (its scenario's ``outcomes``, all when empty), in order.

    Args:
        results: The batches.
        kinds: Only these kinds (default: the numeric kinds and flags, whose mean is a
            probability; categories are compared by their shares).
    """
    kinds = kinds or ("count", "amount", "index", "share", "level", "flag")
    keep = set(RECORD.outcome_names)
    for r in results:
        keep &= _reported(r)
    return [o.name for o in RECORD.outcomes if o.name in keep and o.kind in kinds]


def common_events(results: Sequence[Results]) -> list[str]:
    """Events every batch recorded, in declaration order."""
    keep = {e.name for e in RECORD.events}
    for r in results:
        keep &= set(r.manifest["record"]["events"])
    return [e.name for e in RECORD.events if e.name in keep]


def _bootstrap_means(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    idx = rng.integers(0, len(x), size=(BOOTSTRAP, len(x)))
    return x[idx].mean(axis=1)


def _weighted_boots(x: np.ndarray, w: np.ndarray, rng: np.random.Generator, stat=np.mean):
    """A statistic of the weighted distribution, over draws from it (n draws each)."""
    idx = rng.choice(len(x), size=(BOOTSTRAP // 4, len(x)), p=w)
    return stat(x[idx], axis=1)


def _paired_weighted_means(
    xa: np.ndarray, xb: np.ndarray, wa: np.ndarray, wb: np.ndarray, rng: np.random.Generator
) -> tuple[float, np.ndarray]:
    """Weighted mean of b minus weighted mean of a, and its paired bootstrap.

    The runs are resampled jointly (run k of both batches together, which keeps the pairing's
    correlation) and each batch's weights renormalised on the resample. With equal weights
    this is the plain paired bootstrap of the mean difference.
    """
    diff = float(np.sum(wb * xb) - np.sum(wa * xa))
    idx = rng.integers(0, len(xa), size=(BOOTSTRAP, len(xa)))
    ma = np.sum(wa[idx] * xa[idx], axis=1) / np.sum(wa[idx], axis=1)
    mb = np.sum(wb[idx] * xb[idx], axis=1) / np.sum(wb[idx], axis=1)
    return diff, mb - ma


def _median_se(x: np.ndarray, rng: np.random.Generator) -> float:
    if len(x) < 2:
        return float("nan")
    idx = rng.integers(0, len(x), size=(BOOTSTRAP, len(x)))
    return float(np.median(x[idx], axis=1).std(ddof=1))


def _scenario_rows(
    name: str, ok: pd.DataFrame, outcomes: list[str], weights: pd.Series | None = None
) -> list[dict]:
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    rows = []
    for o in outcomes:
        x = ok[o].to_numpy(dtype=float)
        n = len(x)
        w = weights_for(ok.index.to_numpy(), weights)
        if w is not None and n:
            p5, median, p95 = weighted_quantile(x, [0.05, 0.5, 0.95], w)
            mean = float(weighted_mean(x, w))
            rows.append(
                {
                    "scenario": name,
                    "outcome": o,
                    "median": float(median),
                    "p5": float(p5),
                    "p95": float(p95),
                    "mean": mean,
                    "se_mean": float(np.sqrt(np.sum(w * w * (x - mean) ** 2))),
                    "se_median": float(np.std(_weighted_boots(x, w, rng, np.median))),
                    "n": n,
                }
            )
            continue
        rows.append(
            {
                "scenario": name,
                "outcome": o,
                "median": float(np.median(x)) if n else np.nan,
                "p5": float(np.percentile(x, 5)) if n else np.nan,
                "p95": float(np.percentile(x, 95)) if n else np.nan,
                "mean": float(x.mean()) if n else np.nan,
                "se_mean": float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan,
                "se_median": _median_se(x, rng),
                "n": n,
            }
        )
    return rows


def runs_needed(d: np.ndarray) -> int:
    """Paired runs needed for a 95 % interval of the mean difference to exclude zero."""
    m, s = abs(float(np.mean(d))), float(np.std(d, ddof=1))
    if m == 0:
        return -1  # no difference to resolve
    return int(np.ceil((Z95 * s / m) ** 2)) + 1


def _paired_row(
    o: str,
    a: pd.Series,
    b: pd.Series,
    rng,
    wa: pd.Series | None = None,
    wb: pd.Series | None = None,
) -> tuple[dict, str | None]:
    common = a.index.intersection(b.index)
    if (wa is not None or wb is not None) and len(common):
        return _weighted_paired_row(o, a.loc[common], b.loc[common], rng, wa, wb)
    d = b.loc[common].to_numpy(dtype=float) - a.loc[common].to_numpy(dtype=float)
    n = len(d)
    boots = _bootstrap_means(d, rng) if n else np.array([np.nan])
    lo, hi = np.percentile(boots, [2.5, 97.5])
    row = {
        "outcome": o,
        "n": n,
        "difference": float(d.mean()) if n else np.nan,
        "median_difference": float(np.median(d)) if n else np.nan,
        "ci_low": float(lo),
        "ci_high": float(hi),
        "se": float(d.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan,
        "p_greater": float((d > 0).mean()) if n else np.nan,
        "p_less": float((d < 0).mean()) if n else np.nan,
        "test": "paired bootstrap",
        "p_value": np.nan,
    }
    warning = None
    if n > 1 and np.any(d != 0) and lo <= 0 <= hi:
        need = runs_needed(d)
        # Runs that differ in both directions by the same total have no mean difference to
        # resolve, however many runs are added.
        more = (
            f"about {need} runs would resolve a difference of this size"
            if need > 0
            else "the runs differ both ways with no net difference (more runs would not resolve it)"
        )
        warning = (
            f"{RECORD.outcome(o).label}: the mean difference {row['difference']:+.3g} is within "
            f"Monte Carlo error at {n} paired runs (95 % interval {lo:+.3g} to {hi:+.3g}); {more}"
        )
    return row, warning


def _weighted_paired_row(
    o: str, a: pd.Series, b: pd.Series, rng, wa: pd.Series | None, wb: pd.Series | None
) -> tuple[dict, str | None]:
    """A paired row for weighted batches: the difference of their weighted distributions."""
    runs = a.index.to_numpy()
    xa, xb = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    n = len(xa)
    va = weights_for(runs, wa, uniform=True)
    vb = weights_for(runs, wb, uniform=True)
    diff, boots = _paired_weighted_means(xa, xb, va, vb, rng)
    lo, hi = np.percentile(boots, [2.5, 97.5])
    mid = (va + vb) / 2  # the run-level difference's weight: both batches' weights alike
    d = xb - xa
    row = {
        "outcome": o,
        "n": n,
        "difference": diff,
        "median_difference": float(weighted_quantile(xb, 0.5, vb) - weighted_quantile(xa, 0.5, va)),
        "ci_low": float(lo),
        "ci_high": float(hi),
        "se": float(np.std(boots, ddof=1)),
        "p_greater": float(np.sum(mid * (d > 0))),
        "p_less": float(np.sum(mid * (d < 0))),
        "test": "weighted paired bootstrap",
        "p_value": np.nan,
    }
    warning = None
    if np.any(d != 0) and lo <= 0 <= hi:
        label = RECORD.outcome(o).label if o in RECORD.outcome_names else o
        warning = (
            f"{label}: the weighted difference {diff:+.3g} is within Monte "
            f"Carlo error at {n} paired runs (95 % interval {lo:+.3g} to {hi:+.3g})"
        )
    return row, warning


def _weighted_unpaired_row(
    o: str, a: np.ndarray, b: np.ndarray, rng, wa: np.ndarray, wb: np.ndarray
) -> tuple[dict, str | None]:
    """An unpaired row for weighted batches: bootstrap draws from each weighted distribution."""
    boots = _weighted_boots(b, wb, rng) - _weighted_boots(a, wa, rng)
    lo, hi = np.percentile(boots, [2.5, 97.5])
    diff = float(weighted_mean(b, wb) - weighted_mean(a, wa))
    outer = wb[:, None] * wa[None, :]
    row = {
        "outcome": o,
        "n": min(len(a), len(b)),
        "difference": diff,
        "median_difference": float(weighted_quantile(b, 0.5, wb) - weighted_quantile(a, 0.5, wa)),
        "ci_low": float(lo),
        "ci_high": float(hi),
        "se": float(np.std(boots, ddof=1)),
        "p_greater": float(np.sum(outer * (b[:, None] > a[None, :]))),
        "p_less": float(np.sum(outer * (b[:, None] < a[None, :]))),
        "test": "weighted bootstrap",
        "p_value": np.nan,
    }
    warning = None
    if lo <= 0 <= hi and np.ptp(np.concatenate([a, b])) > 0:
        warning = (
            f"{RECORD.outcome(o).label}: the weighted difference {diff:+.3g} is within Monte "
            f"Carlo error (95 % interval {lo:+.3g} to {hi:+.3g}, unpaired)"
        )
    return row, warning


def _unpaired_row(o: str, a: np.ndarray, b: np.ndarray, rng) -> tuple[dict, str | None]:
    na, nb = len(a), len(b)
    if na == 0 or nb == 0:
        return {"outcome": o, "n": min(na, nb), "test": "unpaired"}, None
    ia = rng.integers(0, na, size=(BOOTSTRAP, na))
    ib = rng.integers(0, nb, size=(BOOTSTRAP, nb))
    boots = b[ib].mean(axis=1) - a[ia].mean(axis=1)
    lo, hi = np.percentile(boots, [2.5, 97.5])
    same = np.all(a == a[0]) and np.all(b == a[0])
    u = stats.mannwhitneyu(b, a, alternative="two-sided") if not same else None
    ks = stats.ks_2samp(b, a) if not same else None
    greater = (b[:, None] > a[None, :]).mean()  # common-language effect size
    row = {
        "outcome": o,
        "n": min(na, nb),
        "difference": float(b.mean() - a.mean()),
        "median_difference": float(np.median(b) - np.median(a)),
        "ci_low": float(lo),
        "ci_high": float(hi),
        "se": float(np.sqrt(a.var(ddof=1) / na + b.var(ddof=1) / nb))
        if min(na, nb) > 1
        else np.nan,
        "p_greater": float(greater),
        "p_less": float((b[:, None] < a[None, :]).mean()),
        "test": "Mann-Whitney U",
        "p_value": float(u.pvalue) if u is not None else 1.0,
        "ks_statistic": float(ks.statistic) if ks is not None else 0.0,
        "ks_p_value": float(ks.pvalue) if ks is not None else 1.0,
    }
    warning = None
    if lo <= 0 <= hi and not same:
        warning = (
            f"{RECORD.outcome(o).label}: the difference of means {row['difference']:+.3g} is "
            f"within Monte Carlo error (95 % interval {lo:+.3g} to {hi:+.3g}, unpaired)"
        )
    return row, warning


def _event_flags(ok: pd.DataFrame, column: str, by: str) -> pd.Series:
    months = ok[column]
    return (months.notna() & (months.fillna("9999-99") <= by)).astype(float)


def _event_rows(names, oks, results, paired, rng, last: str, weights=None) -> list[dict]:
    rows = []
    ref = oks[0]
    weights = weights or [None] * len(results)
    events = [RECORD.event(e) for e in common_events(results)]
    for name, ok, _res, w in zip(names, oks, results, weights, strict=True):
        end = last
        wk = weights_for(ok.index.to_numpy(), w)
        for event, column in ((e.name, e.column) for e in events):
            for by in EVENT_DATES:
                beyond = by > end
                flags = _event_flags(ok, column, by)
                n = len(flags)
                p = np.nan if beyond or n == 0 else float(weighted_mean(flags.to_numpy(), wk))
                row = {
                    "scenario": name,
                    "event": event,
                    "by": by,
                    "probability": p,
                    "se": float(np.sqrt(p * (1 - p) / n)) if n and not beyond else np.nan,
                    "n": n,
                    "difference": np.nan,
                    "ci_low": np.nan,
                    "ci_high": np.nan,
                }
                if ok is not ref and not beyond and (w is not None or weights[0] is not None):
                    a = _event_flags(ref, column, by)
                    if paired:
                        common = a.index.intersection(flags.index)
                        row_w, _ = _weighted_paired_row(
                            event, a.loc[common], flags.loc[common], rng, weights[0], w
                        ) if len(common) else ({"difference": np.nan, "ci_low": np.nan,
                                                "ci_high": np.nan}, None)  # fmt: skip
                    else:
                        fa, fb = a.to_numpy(), flags.to_numpy()
                        va = weights_for(a.index.to_numpy(), weights[0], uniform=True)
                        vb = weights_for(flags.index.to_numpy(), w, uniform=True)
                        boots = _weighted_boots(fb, vb, rng) - _weighted_boots(fa, va, rng)
                        lo, hi = np.percentile(boots, [2.5, 97.5])
                        row_w = {
                            "difference": float(weighted_mean(fb, vb) - weighted_mean(fa, va)),
                            "ci_low": float(lo),
                            "ci_high": float(hi),
                        }
                    for k in ("difference", "ci_low", "ci_high"):
                        row[k] = row_w[k]
                elif ok is not ref and not beyond:
                    a = _event_flags(ref, column, by)
                    if paired:
                        common = a.index.intersection(flags.index)
                        d = flags.loc[common].to_numpy() - a.loc[common].to_numpy()
                        boots = _bootstrap_means(d, rng) if len(d) else np.array([np.nan])
                    else:
                        fa, fb = a.to_numpy(), flags.to_numpy()
                        ia = rng.integers(0, len(fa), size=(BOOTSTRAP, len(fa)))
                        ib = rng.integers(0, len(fb), size=(BOOTSTRAP, len(fb)))
                        d = np.array([fb.mean() - fa.mean()])
                        boots = fb[ib].mean(axis=1) - fa[ia].mean(axis=1)
                    row["difference"] = float(d.mean()) if len(d) else np.nan
                    row["ci_low"], row["ci_high"] = (
                        float(v) for v in np.percentile(boots, [2.5, 97.5])
                    )
                rows.append(row)
    return rows


def compare(results: Sequence[Results]) -> Comparison:
    """Compare stored batches with the first one.

    Args:
        results: Two or more stored batches; the first is the reference.

    Returns:
        The comparison tables and warnings.
    """
    if len(results) < 1:
        raise ValueError("nothing to compare")
    names = display_names(results)
    months = {tuple(r.manifest["months"]) for r in results}
    shared = common_months(results)
    spans = ", ".join(
        f"{n} {r.manifest['months'][0]}..{r.manifest['months'][-1]}"
        for n, r in zip(names, results, strict=True)
    )
    if not shared:
        raise InputError(
            f"the batches share no month ({spans})",
            key="DIR",
            expected="batches whose horizons overlap",
        )
    at = shared[-1]
    horizon_note = ""
    if len(months) > 1:
        horizon_note = (
            f"the horizons differ ({spans}): compared over their common months "
            f"{shared[0]}..{at}, outcomes at {at}"
        )
    pairings = [check_pairing(results[0], r) for r in results[1:]]
    paired = all(p.paired for p in pairings)
    if len(pairings) == 1:
        note = pairings[0].reason
    elif paired:
        note = (
            f"paired by run index (root seed {results[0].manifest['seed']} in every batch): "
            "run k of each scenario shares its seed and every input the scenarios declare "
            "alike, so differences are taken run by run"
        )
    else:
        note = "; ".join(
            f"{n} vs {names[0]}: {p.reason}"
            for n, p in zip(names[1:], pairings, strict=True)
            if not p.paired
        )
        note = "unpaired: " + note.replace(": unpaired: ", ": ")
    outcomes = common_outcomes(results)
    oks = [_ok(r, at) for r in results]
    weights = [run_weights(r) for r in results]
    weighted = [n for n, w in zip(names, weights, strict=True) if w is not None]
    if weighted:
        note += (
            f"; weighted by their observations: {', '.join(weighted)} (weighted means and "
            "quantiles; a weighted bootstrap for the intervals)"
        )
    scen_rows = [
        row
        for n, ok, w in zip(names, oks, weights, strict=True)
        for row in _scenario_rows(n, ok, outcomes, w)
    ]
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    diff_rows, warnings = [], []
    for name, ok, w in zip(names[1:], oks[1:], weights[1:], strict=True):
        for o in outcomes:
            if paired:
                row, warn = _paired_row(o, oks[0][o], ok[o], rng, weights[0], w)
            elif weights[0] is not None or w is not None:
                a, b = oks[0][o].to_numpy(dtype=float), ok[o].to_numpy(dtype=float)
                va = weights_for(oks[0].index.to_numpy(), weights[0], uniform=True)
                vb = weights_for(ok.index.to_numpy(), w, uniform=True)
                row, warn = _weighted_unpaired_row(o, a, b, rng, va, vb)
            else:
                a, b = oks[0][o].to_numpy(dtype=float), ok[o].to_numpy(dtype=float)
                row, warn = _unpaired_row(o, a, b, rng)
            diff_rows.append({"scenario": name, "reference": names[0], **row})
            if warn:
                warnings.append(f"{name} vs {names[0]}: {warn}")
    events = pd.DataFrame(_event_rows(names, oks, results, paired, rng, at, weights))
    cats = common_outcomes(results, ("category",))
    categories = pd.concat(
        [
            category_shares(ok.reset_index(), cats, w).assign(scenario=n)
            for n, ok, w in zip(names, oks, weights, strict=True)
        ],
        ignore_index=True,
    )
    return Comparison(
        names,
        paired,
        note,
        pd.DataFrame(scen_rows),
        pd.DataFrame(diff_rows),
        events,
        warnings,
        at=at,
        horizon_note=horizon_note,
        categories=categories,
        pairings=pairings,
    )
