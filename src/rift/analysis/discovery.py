"""Scenario discovery on a stored batch: which inputs lead to an outcome (PRIM, extra trees).

The question is Bryant and Lempert's (2010): in which region of the inputs does a case of
interest (armed control above a threshold in 2030, a full rupture) concentrate? The inputs
(:func:`discovery_inputs`) are everything a run was given or drew itself: every sampled
parameter (``param.*``, the model variants among them) and the run's own categorical draws
(the election winners, the US midterms and 2028 result, the US endorsement, and the particle of
the present ensemble a run starts from).

:func:`prim` is the Patient Rule Induction Method of Friedman and Fisher (1999), as EMA
Workbench implements it for scenario discovery (Kwakkel 2017), so that the two give the
same boxes on the same data (a test checks it):

* **peeling**: from the box holding every run, each step removes the ``alpha`` share of the
  box's runs at the lower or the upper end of one real dimension (the limit becomes the
  sdtoolkit quantile), or one category of a categorical dimension, whichever most raises the
  share of cases of interest per run removed (EMA's "lenient 1" objective: the gain in the
  mean over the loss in runs; ties go to the box restricting fewer dimensions). Peeling stops
  when no step raises the mean or the next box would hold less than ``mass_min`` of the runs;
* **pasting** (optional, on by default as in EMA): the last box is then grown back, one
  restricted dimension at a time, while that raises the mean;
* every box of the trajectory has its **coverage** (the share of all cases of interest inside
  it), **density** (the share of the runs inside it that are of interest), **mass** (the share
  of all runs inside it), its **restricted dimensions**, and per restricted limit a
  **quasi-p-value**: the one-sided binomial test of the box's cases of interest against the
  density of the box with that limit removed (Bryant and Lempert 2010, as EMA computes it).

:func:`feature_scores` ranks the inputs by extra-trees impurity importance (scikit-learn,
``pip install 'rift[toolkit]'``), with EMA Workbench's default settings and a seeded
generator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from rift.errors import InputError, did_you_mean
from rift.months import parse_month
from rift.record import RECORD
from rift.results import Results, series_array

#: Spawn key of the extra trees' generator under the batch's root seed.
DISCOVERY_KEY: tuple[int, int] = (2**32 - 1, 31)
#: PRIM's defaults (Friedman and Fisher 1999; EMA Workbench's): share peeled, share pasted,
#: smallest box (share of the runs).
PEEL_ALPHA = 0.05
PASTE_ALPHA = 0.05
MASS_MIN = 0.05
#: Extra trees as EMA Workbench's ``get_ex_feature_scores`` sets them: trees, and the share
#: of the inputs tried at each split (EMA: a third).
TREES = 100
FEATURE_SHARE = 1 / 3
#: Kinds of run values that are a run's own draws, not quantities it produced.
DRAW_KINDS = ("category", "flag")


# --------------------------------------------------------------------------------------
# What is asked: the inputs and the cases of interest
# --------------------------------------------------------------------------------------


def discovery_inputs(results: Results, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """Every input of the batch's runs, one row per run that finished, as PRIM reads them.

    Sampled parameters (``param.*``, without the prefix) are real dimensions unless they are
    text (the model variants), and the run values that are draws (categories and flags:
    ``winner``, ``winner_2030``, ``us_midterms_2026``, ``us_party_2028``,
    ``us_endorsement``) are categorical dimensions, a missing value being its own category
    ``none``; so is, in a batch from the present, the particle of the present ensemble each
    run starts from (``present_particle``: run ``k`` starts from particle ``k`` mod the
    particles, as the manifest says; in a design, replicate ``k`` of every point does).
    Inputs with a single value in the batch cannot tell runs apart and are left out, as are
    real inputs with a missing value.

    Args:
        results: A stored batch.
        exclude: Columns to leave out (the outcome asked about, when it is a run value).

    Returns:
        A frame indexed by run: float columns and categorical columns.
    """
    ok = results.ok_runs
    columns: dict[str, pd.Series] = {}
    for col in ok.columns:
        if not col.startswith("param.") or col in exclude:
            continue
        s = ok[col]
        name = col.removeprefix("param.")
        if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
            columns[name] = s.astype(float)
        else:
            columns[name] = _categorical(s)
    names = results.manifest.get("record", {}).get("values", [])
    for name in names:
        if name in exclude or name not in ok or name in columns:
            continue
        kind = _kind(name, ok[name])
        if kind in DRAW_KINDS:
            columns[name] = _categorical(ok[name])
    particles = _particles(results.manifest)
    if particles and "present_particle" not in exclude:
        # in a design, replicate r of every point is run r of the scenario's batch
        run = ok["replicate" if "replicate" in ok else "run"].to_numpy()
        columns["present_particle"] = pd.Series(
            pd.Categorical([str(k) for k in run % particles]), index=ok.index
        )
    x = pd.DataFrame(columns)
    keep = [
        c
        for c in x.columns
        if x[c].nunique(dropna=False) > 1 and not (x[c].dtype == float and bool(x[c].isna().any()))
    ]
    x = x[keep]
    x.index = ok["run"].to_numpy()
    x.index.name = "run"
    return x


#: How a batch from the present says which particle each run starts from (its manifest).
RUN_PARTICLE = "run k starts from particle k mod particles"


def _particles(manifest: dict) -> int:
    """The particles a batch from the present starts from (0: not from the present)."""
    present = manifest.get("present")
    if isinstance(present, dict) and present.get("run_particle") == RUN_PARTICLE:
        return int(present.get("particles") or 0)
    return 0


def _kind(name: str, column: pd.Series) -> str:
    try:
        return RECORD.outcome(name).kind
    except KeyError:  # a value the record no longer declares: judge by its column
        return "category" if isinstance(column.dtype, pd.CategoricalDtype) else "amount"


def _categorical(s: pd.Series) -> pd.Series:
    """A column as a categorical of text labels (``none`` for missing; flags as ``0``/``1``)."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(s.dtype, pd.CategoricalDtype):
        text = s.map(
            lambda v: "none" if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v)
        )
    else:
        text = s.astype(object).map(lambda v: "none" if pd.isna(v) else str(v))
    return pd.Series(pd.Categorical(text.to_numpy(dtype=object)), index=s.index)


@dataclass(frozen=True)
class Target:
    """The cases of interest: one flag per run, and what they mean.

    Attributes:
        runs: Run indices (those with a known value).
        y: Whether each run is a case of interest.
        label: What a case of interest is, in words (``control_any > 500 in 2030-12``).
        dropped: Runs left out because the outcome is missing in them.
        exclude: Input columns that are the outcome itself (left out of the inputs).
    """

    runs: np.ndarray
    y: np.ndarray
    label: str
    dropped: int = 0
    exclude: tuple[str, ...] = ()


def _threshold(text: str | float, values: np.ndarray, key: str) -> tuple[float, str]:
    """A threshold given as a number or as ``pNN`` (the NN-th percentile of the runs)."""
    if isinstance(text, int | float):
        return float(text), f"{text:g}"
    raw = str(text).strip()
    if raw.lower().startswith("p"):
        try:
            q = float(raw[1:])
        except ValueError:
            q = float("nan")
        if not 0 < q < 100:
            raise InputError(
                f"got {raw!r}", key=key, expected="a number, or pNN with 0 < NN < 100 (p80)"
            )
        value = float(np.percentile(values, q))
        return value, f"{value:g} (its {q:g}th percentile)"
    try:
        value = float(raw)
    except ValueError:
        raise InputError(
            f"got {raw!r}", key=key, expected="a number, or pNN for a percentile (p80)"
        ) from None
    if not math.isfinite(value):
        raise InputError(f"got {raw!r}", key=key, expected="a finite number")
    return value, f"{value:g}"


def _month(results: Results, month: str | None) -> str:
    """The month asked for (``YYYY-MM``, one of the batch's), or the batch's last."""
    months = list(results.manifest["months"])
    if month is None:
        return months[-1]
    try:
        parse_month(month)
    except ValueError:
        raise InputError(f"got {month!r}", key="--month", expected="a month as YYYY-MM") from None
    if month not in months:
        raise InputError(
            f"{month} is not a month of the batch",
            file=str(results.path),
            key="--month",
            expected=f"a month from {months[0]} to {months[-1]}",
        )
    return month


def outcome_target(
    results: Results,
    outcome: str,
    *,
    above: str | float | None = None,
    below: str | float | None = None,
    month: str | None = None,
) -> Target:
    """Runs whose outcome is above (or below) a threshold, at the horizon or in a month.

    Args:
        results: A stored batch.
        outcome: A numeric monthly outcome, or a numeric per-run value (horizon only).
        above: The case of interest is a value strictly above this (a number or ``pNN``).
        below: The case of interest is a value strictly below this (a number or ``pNN``).
        month: ``YYYY-MM``, a month of the batch (default: its last).

    Raises:
        InputError: Unknown or non-numeric outcome, a month outside the batch, neither or
            both thresholds, or no run with a value.
    """
    if (above is None) == (below is None):
        raise InputError(
            "give exactly one of --above and --below",
            key="--above/--below",
            expected="--above X or --below X with --outcome (X a number or pNN)",
        )
    names = results.manifest["record"]
    monthly, values = list(names["outcomes"]), list(names["values"])
    if outcome not in monthly and outcome not in values:
        raise InputError(
            f"unknown outcome {outcome!r}",
            file=str(results.path),
            key="--outcome",
            expected="an outcome or per-run value the batch stores",
            hint=did_you_mean(outcome, monthly + values),
        )
    if _kind(outcome, results.runs[outcome]) == "category":
        raise InputError(
            f"{outcome!r} is a category, not a number",
            key="--outcome",
            expected="a numeric outcome (a category is an input of the discovery)",
        )
    when = _month(results, month)
    if month is not None and outcome not in monthly:
        raise InputError(
            f"{outcome!r} is a per-run value, not a monthly outcome",
            key="--month",
            expected="--month only with a monthly outcome",
        )
    if outcome in monthly and month is not None:
        arr, runs, labels = series_array(results, outcome)
        raw = arr[:, labels.index(month)]
    else:
        ok = results.ok_runs
        runs = ok["run"].to_numpy()
        raw = ok[outcome].to_numpy(dtype=float)
    known = np.isfinite(raw)
    if not known.any():
        raise InputError(
            f"{outcome!r} has no value in any run", key="--outcome", expected="a stored value"
        )
    key = "--above" if above is not None else "--below"
    value, shown = _threshold(above if above is not None else below, raw[known], key)
    y = raw[known] > value if above is not None else raw[known] < value
    sign = ">" if above is not None else "<"
    return Target(
        runs=np.asarray(runs)[known],
        y=y,
        label=f"{outcome} {sign} {shown} in {when}",
        dropped=int((~known).sum()),
        exclude=(outcome,) if outcome in values else (),
    )


def event_target(results: Results, event: str, month: str | None = None) -> Target:
    """Runs in which an event happened (by a month, default the horizon).

    Raises:
        InputError: An event the batch does not store, or a month outside it.
    """
    events = list(results.manifest["record"]["events"])
    name = event.removesuffix("_month")
    if name not in events:
        raise InputError(
            f"unknown event {event!r}",
            file=str(results.path),
            key="--event",
            expected="an event the batch stores (rupture, restoration, deal, ...)",
            hint=did_you_mean(name, events),
        )
    when = _month(results, month)
    ok = results.ok_runs
    column = ok[f"{name}_month"]
    y = (column.notna() & (column.fillna("9999-99") <= when)).to_numpy(dtype=bool)
    return Target(runs=ok["run"].to_numpy(), y=y, label=f"{name} by {when}")


# --------------------------------------------------------------------------------------
# PRIM
# --------------------------------------------------------------------------------------


def sdtoolkit_quantile(data: np.ndarray, q: float) -> float:
    """The quantile PRIM peels at (sdtoolkit's, as EMA Workbench computes it).

    The ``q`` quantile of the sorted data, moved past ties away from the middle and taken
    halfway between two different values, so that a peel at a tied value removes something.

    Args:
        data: Values (at least one).
        q: Strictly between 0 and 1.
    """
    if not 0 < q < 1:
        raise ValueError(f"quantile {q} not in (0, 1)")
    d = np.sort(np.asarray(data, dtype=float))
    i = (len(d) - 1) * q
    lo, hi = math.floor(i), math.ceil(i)
    if q > 0.5:
        while d[lo] == d[hi] and lo > 0:
            lo -= 1
    else:
        while d[lo] == d[hi] and hi < len(d) - 1:
            hi += 1
    return float((d[lo] + d[hi]) / 2)


@dataclass
class Box:
    """A box: limits on the real dimensions, the categories kept on the categorical ones.

    Attributes:
        lower: Lower limits, one per real dimension.
        upper: Upper limits, one per real dimension.
        cats: Per categorical dimension, the category codes kept.
    """

    lower: np.ndarray
    upper: np.ndarray
    cats: list[frozenset[int]]

    def copy(self) -> Box:
        """An independent copy."""
        return Box(self.lower.copy(), self.upper.copy(), list(self.cats))


@dataclass
class PrimResult:
    """PRIM's peeling (and pasting) trajectory over a batch's inputs.

    Attributes:
        real: Names of the real dimensions.
        categorical: Names of the categorical dimensions.
        categories: Per categorical dimension, its labels (codes index them).
        trajectory: One row per box: ``box``, ``stage`` (``start``, ``peel``, ``paste``),
            ``coverage``, ``density``, ``mass``, ``res_dim``, ``n`` (runs inside), ``k``
            (cases of interest inside).
        boxes: The boxes of the trajectory, in order.
        initial: The box holding every run.
        quasi_p: Per box, the quasi-p-value of each restricted limit: ``{name: (lower,
            upper)}`` (NaN where that side is not restricted; a categorical dimension has
            one value, given as its lower).
        base_rate: The share of runs that are cases of interest.
        n: Runs.
        label: What a case of interest is.
        alpha: The peeling share.
        paste_alpha: The pasting share (None: no pasting).
        mass_min: The smallest box.
        skip_small: Whether peels below ``mass_min`` were skipped (see :func:`prim`).
    """

    real: list[str]
    categorical: list[str]
    categories: list[list[str]]
    trajectory: pd.DataFrame
    boxes: list[Box]
    initial: Box
    quasi_p: list[dict[str, tuple[float, float]]]
    base_rate: float
    n: int
    label: str = ""
    alpha: float = PEEL_ALPHA
    paste_alpha: float | None = PASTE_ALPHA
    mass_min: float = MASS_MIN
    skip_small: bool = True

    def restricted(self, i: int) -> list[str]:
        """The dimensions box ``i`` restricts (real first, in column order)."""
        return _restricted(self.boxes[i], self.initial, self.real, self.categorical)

    def limits(self, i: int) -> pd.DataFrame:
        """Box ``i``'s restricted dimensions: limits, the data's range, quasi-p-values.

        Returns:
            One row per restricted dimension: ``dimension``, ``kind`` (``real`` or
            ``category``), ``lower``, ``upper`` (NaN for a category), ``minimum``,
            ``maximum`` (the range of the runs), ``kept`` (the categories kept, for a
            category), ``qp_lower``, ``qp_upper``.
        """
        box, rows = self.boxes[i], []
        for name in self.restricted(i):
            qp = self.quasi_p[i].get(name, (np.nan, np.nan))
            if name in self.real:
                j = self.real.index(name)
                rows.append(
                    {
                        "dimension": name,
                        "kind": "real",
                        "lower": float(box.lower[j]),
                        "upper": float(box.upper[j]),
                        "minimum": float(self.initial.lower[j]),
                        "maximum": float(self.initial.upper[j]),
                        "kept": "",
                        "qp_lower": qp[0],
                        "qp_upper": qp[1],
                    }
                )
            else:
                j = self.categorical.index(name)
                labels = self.categories[j]
                rows.append(
                    {
                        "dimension": name,
                        "kind": "category",
                        "lower": np.nan,
                        "upper": np.nan,
                        "minimum": np.nan,
                        "maximum": np.nan,
                        "kept": ", ".join(sorted(labels[c] for c in box.cats[j])),
                        "qp_lower": qp[0],
                        "qp_upper": np.nan,
                    }
                )
        return pd.DataFrame(
            rows,
            columns=["dimension", "kind", "lower", "upper", "minimum", "maximum", "kept",
                     "qp_lower", "qp_upper"],
        )  # fmt: skip

    def default_density(self) -> float:
        """The density the default choice asks for: halfway from the base rate to the densest."""
        return (self.base_rate + float(self.trajectory["density"].max())) / 2

    def choose(self, min_density: float | None = None) -> int:
        """The box of greatest coverage whose density is at least ``min_density``.

        Args:
            min_density: The density asked for (None: :meth:`default_density`). The densest
                box when none reaches it (ties: the earlier, larger box).
        """
        t = self.trajectory
        want = self.default_density() if min_density is None else min_density
        ok = t[t["density"] >= want - 1e-12]
        if len(ok):
            return int(ok.sort_values(["coverage", "box"], ascending=[False, True])["box"].iloc[0])
        return int(t.sort_values(["density", "box"], ascending=[False, True])["box"].iloc[0])


def _restricted(box: Box, init: Box, real: list[str], cat: list[str]) -> list[str]:
    out = [
        name
        for j, name in enumerate(real)
        if box.lower[j] != init.lower[j] or box.upper[j] != init.upper[j]
    ]
    out += [name for j, name in enumerate(cat) if box.cats[j] != init.cats[j]]
    return out


def _n_restricted(box: Box, init: Box) -> int:
    n = int(np.sum((box.lower != init.lower) | (box.upper != init.upper)))
    return n + sum(a != b for a, b in zip(box.cats, init.cats, strict=True))


def _inside(xr: np.ndarray, xc: np.ndarray, box: Box) -> np.ndarray:
    """Which rows lie in the box (limits inclusive)."""
    inside = np.all((xr >= box.lower) & (xr <= box.upper), axis=1)
    for j, kept in enumerate(box.cats):
        inside &= np.isin(xc[:, j], list(kept))
    return inside


def _lenient1(y_old: np.ndarray, y_new: np.ndarray) -> float:
    """EMA Workbench's default objective: the change in the mean per run removed or added."""
    mean_old = float(np.mean(y_old))
    mean_new = float(np.mean(y_new)) if len(y_new) else 0.0
    if mean_old == mean_new or len(y_old) == len(y_new):
        return 0.0
    return (mean_new - mean_old) / abs(len(y_old) - len(y_new))


def _best(candidates, y: np.ndarray, inside: np.ndarray, init: Box, n_dims: int):
    """The candidate with the best objective, then the fewest restricted dimensions.

    The first such candidate in the order they were made (EMA's stable sort).
    """
    best, best_key = None, None
    for rows, box in candidates:
        key = (_lenient1(y[inside], y[rows]), n_dims - _n_restricted(box, init))
        if best_key is None or key > best_key:
            best, best_key = (rows, box), key
    return best, (best_key[0] if best_key else 0.0)


def prim(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    alpha: float = PEEL_ALPHA,
    paste_alpha: float | None = PASTE_ALPHA,
    mass_min: float = MASS_MIN,
    skip_small: bool = True,
    label: str = "",
) -> PrimResult:
    """The PRIM peeling (and pasting) trajectory of one box (see the module doc).

    Args:
        x: Inputs, one row per run: float columns are real dimensions, any other column a
            categorical one.
        y: Whether each run is a case of interest (booleans or 0/1).
        alpha: Share of the box's runs removed by a peel (0 < alpha < 0.5).
        paste_alpha: Share added by a paste; None: no pasting.
        mass_min: Smallest box, as a share of the runs.
        skip_small: Leave out the peels that would make the box smaller than ``mass_min``
            before choosing the best one. EMA Workbench chooses among all peels and ends the
            peeling when the best one is too small (``skip_small=False`` does the same): a
            rare category whose few runs are mostly of interest then ends PRIM at the box
            holding every run (a rupture in 21 of 500 baseline runs, 2 of them among the 5
            runs of one coca variant, finds no box that way).
        label: What a case of interest is (carried into the result).

    Returns:
        The trajectory, its boxes and their statistics.

    Raises:
        InputError: A bad alpha or mass, mismatched lengths, no case of interest, or no run
            that is not one.
    """
    if not 0 < alpha < 0.5:
        raise InputError(f"got {alpha}", key="--alpha", expected="a share between 0 and 0.5")
    if paste_alpha is not None and not 0 < paste_alpha < 0.5:
        raise InputError(
            f"got {paste_alpha}", key="--paste-alpha", expected="a share between 0 and 0.5"
        )
    if not 0 < mass_min < 1:
        raise InputError(f"got {mass_min}", key="--mass-min", expected="a share between 0 and 1")
    y = np.asarray(y).astype(float)
    n = len(y)
    if len(x) != n:
        raise ValueError(f"{len(x)} rows of inputs but {n} outcomes")
    if not set(np.unique(y)) <= {0.0, 1.0}:
        raise ValueError("y must be 0/1")
    if y.sum() == 0 or y.sum() == n:
        what = "no run is" if y.sum() == 0 else "every run is"
        raise InputError(
            f"{what} a case of interest ({label or 'the condition'})",
            key="--above/--below/--event",
            expected="a condition that some runs meet and some do not",
        )
    real = [c for c in x.columns if x[c].dtype == float]
    cat = [c for c in x.columns if c not in real]
    if not real and not cat:
        raise InputError(
            "the batch has no input that varies between runs",
            expected="a batch that samples parameters or draws (runs > 1)",
        )
    xr = x[real].to_numpy(dtype=float) if real else np.zeros((n, 0))
    categories: list[list[str]] = []
    codes = []
    for c in cat:
        s = x[c].astype("category")
        categories.append([str(v) for v in s.cat.categories])
        codes.append(s.cat.codes.to_numpy(dtype=np.int64))
    xc = np.stack(codes, axis=1) if codes else np.zeros((n, 0), dtype=np.int64)
    n_dims = len(real) + len(cat)
    init = Box(
        xr.min(axis=0) if real else np.zeros(0),
        xr.max(axis=0) if real else np.zeros(0),
        [frozenset(int(v) for v in np.unique(xc[:, j])) for j in range(len(cat))],
    )
    t_coi = float(y.sum())
    boxes: list[Box] = []
    rows: list[dict] = []
    quasi: list[dict[str, tuple[float, float]]] = []

    def record(box: Box, inside: np.ndarray, stage: str) -> None:
        k, m = float(y[inside].sum()), int(inside.sum())
        boxes.append(box)
        rows.append(
            {
                "box": len(rows),
                "stage": stage,
                "coverage": k / t_coi,
                "density": k / m,
                "mass": m / n,
                "res_dim": _n_restricted(box, init),
                "n": m,
                "k": int(k),
            }
        )
        quasi.append(_quasi_p(box, init, xr, xc, y, real, cat, int(k), m))

    box = init.copy()
    inside = np.ones(n, dtype=bool)
    record(box, inside, "start")
    # Peeling.
    while True:
        idx = np.flatnonzero(inside)
        candidates = []
        for j in range(len(real)):
            xj = xr[idx, j]
            for side in ("upper", "lower"):
                new = box.copy()
                if side == "upper":
                    limit = sdtoolkit_quantile(xj, 1 - alpha)
                    new.upper[j] = limit
                    keep = xj <= limit
                else:
                    limit = sdtoolkit_quantile(xj, alpha)
                    new.lower[j] = limit
                    keep = xj >= limit
                rows_new = np.zeros(n, dtype=bool)
                rows_new[idx[keep]] = True
                candidates.append((rows_new, new))
        for j in range(len(cat)):
            if len(box.cats[j]) < 2:
                continue
            for code in sorted(box.cats[j]):
                new = box.copy()
                new.cats[j] = box.cats[j] - {code}
                rows_new = inside & (xc[:, j] != code)
                candidates.append((rows_new, new))
        if skip_small:
            candidates = [c for c in candidates if c[0].sum() / n >= mass_min]
        if not candidates:
            break
        (rows_new, new), obj = _best(candidates, y, inside, init, n_dims)
        mass_new, mass_old = rows_new.sum() / n, inside.sum() / n
        if mass_new >= mass_min and mass_new < mass_old and obj > 0:
            box, inside = new, rows_new
            record(box, inside, "peel")
        else:
            break
    # Pasting.
    while paste_alpha is not None:
        restricted = set(_restricted(box, init, real, cat))
        candidates = []
        for j, name in enumerate(real):
            if name not in restricted:
                continue
            for side in ("lower", "upper"):
                strip = box.copy()
                if side == "lower":
                    strip.lower[j], strip.upper[j] = init.lower[j], box.lower[j]
                else:
                    strip.lower[j], strip.upper[j] = box.upper[j], init.upper[j]
                data = xr[_inside(xr, xc, strip), j]
                new = box.copy()
                if side == "lower":
                    limit = (
                        sdtoolkit_quantile(data, 1 - paste_alpha) if data.size else init.lower[j]
                    )
                    new.lower[j] = limit
                else:
                    limit = sdtoolkit_quantile(data, paste_alpha) if data.size else init.upper[j]
                    new.upper[j] = limit
                candidates.append((_inside(xr, xc, new), new))
        for j, name in enumerate(cat):
            if name not in restricted:
                continue
            for code in sorted(init.cats[j] - box.cats[j]):
                new = box.copy()
                new.cats[j] = box.cats[j] | {code}
                candidates.append((_inside(xr, xc, new), new))
        if not candidates:
            break
        (rows_new, new), obj = _best(candidates, y, inside, init, n_dims)
        mass_new, mass_old = rows_new.sum() / n, inside.sum() / n
        if (
            mass_new >= mass_min
            and mass_new > mass_old
            and obj > 0
            and y[rows_new].mean() > y[inside].mean()
        ):
            box, inside = new, rows_new
            record(box, inside, "paste")
        else:
            break
    return PrimResult(
        real=real,
        categorical=cat,
        categories=categories,
        trajectory=pd.DataFrame(rows),
        boxes=boxes,
        initial=init,
        quasi_p=quasi,
        base_rate=t_coi / n,
        n=n,
        label=label,
        alpha=alpha,
        paste_alpha=paste_alpha,
        mass_min=mass_min,
        skip_small=skip_small,
    )


def _quasi_p(box, init, xr, xc, y, real, cat, k: int, m: int) -> dict[str, tuple[float, float]]:
    """Per restricted limit, the one-sided binomial test against the box without it."""

    def test(relaxed: Box) -> float:
        inside = _inside(xr, xc, relaxed)
        p = float(y[inside].sum()) / float(inside.sum())
        return float(stats.binomtest(k, m, p, alternative="greater").pvalue)

    out: dict[str, tuple[float, float]] = {}
    for j, name in enumerate(real):
        sides = []
        for lim, base, which in ((box.lower, init.lower, 0), (box.upper, init.upper, 1)):
            if lim[j] == base[j]:
                sides.append(float("nan"))
                continue
            relaxed = box.copy()
            (relaxed.lower if which == 0 else relaxed.upper)[j] = base[j]
            sides.append(test(relaxed))
        if not all(np.isnan(sides)):
            out[name] = (sides[0], sides[1])
    for j, name in enumerate(cat):
        if box.cats[j] != init.cats[j]:
            relaxed = box.copy()
            relaxed.cats[j] = init.cats[j]
            out[name] = (test(relaxed), float("nan"))
    return out


# --------------------------------------------------------------------------------------
# Feature scores
# --------------------------------------------------------------------------------------


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int) -> pd.Series:
    """Each input's extra-trees impurity importance for telling the cases of interest apart.

    EMA Workbench's settings (``get_ex_feature_scores``): 100 trees, a third of the inputs
    tried at each split, bootstrap samples, leaves of at least ``round(sqrt(n / 1000))``
    runs; categorical inputs enter as their codes.

    Args:
        x: Inputs (as :func:`discovery_inputs` gives them).
        y: Whether each run is a case of interest.
        seed: Root seed; the trees draw from ``SeedSequence(seed, spawn_key=DISCOVERY_KEY)``.

    Returns:
        Scores by input, summing to 1, highest first.

    Raises:
        InputError: scikit-learn is not installed.
    """
    try:
        from sklearn.ensemble import ExtraTreesClassifier
    except ImportError:
        raise InputError(
            "feature scoring needs scikit-learn",
            key="scikit-learn",
            expected="pip install 'rift[toolkit]' (or --no-scores)",
        ) from None
    data = np.column_stack(
        [
            x[c].to_numpy(dtype=float)
            if x[c].dtype == float
            else x[c].astype("category").cat.codes.to_numpy(dtype=float)
            for c in x.columns
        ]
    )
    state = np.random.SeedSequence(seed, spawn_key=DISCOVERY_KEY).generate_state(1)[0]
    trees = ExtraTreesClassifier(
        n_estimators=TREES,
        criterion="gini",
        max_features=max(1, round(len(x.columns) * FEATURE_SHARE)),
        min_samples_leaf=max(1, round(math.sqrt(len(x)) / math.sqrt(1000))),
        bootstrap=True,
        random_state=int(state),
    )
    trees.fit(data, np.asarray(y).astype(int))
    scores = pd.Series(trees.feature_importances_, index=list(x.columns), name="score")
    return scores.sort_values(ascending=False, kind="stable")


# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------


def format_trajectory(result: PrimResult, chosen: int, every: int = 0) -> str:
    """The peeling trajectory as text: every ``every``-th box (and the first, last, chosen)."""
    t = result.trajectory
    step = every or max(1, len(t) // 12)
    show = sorted({0, len(t) - 1, chosen, *range(0, len(t), step)})
    lines = [
        f"PRIM over {result.n} runs, {len(result.real) + len(result.categorical)} inputs "
        f"({len(result.categorical)} categorical); cases of interest: {result.label} "
        f"({int(t['k'].iloc[0])} runs, {result.base_rate:.1%})",
        f"peeling alpha {result.alpha:g}, "
        + (f"pasting alpha {result.paste_alpha:g}" if result.paste_alpha else "no pasting")
        + f", smallest box {result.mass_min:g}"
        + ("" if result.skip_small else " (EMA's stop rule)")
        + f": {len(t)} boxes",
        f"{'box':>4} {'stage':<6} {'coverage':>9} {'density':>8} {'mass':>6} {'runs':>5} "
        f"{'dims':>5}",
    ]
    for i in show:
        r = t.iloc[i]
        mark = "  <- chosen" if i == chosen else ""
        lines.append(
            f"{int(r['box']):>4} {r['stage']:<6} {r['coverage']:>9.3f} {r['density']:>8.3f} "
            f"{r['mass']:>6.3f} {int(r['n']):>5} {int(r['res_dim']):>5}{mark}"
        )
    return "\n".join(lines)


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return ""
    return f"{v:.3g}" if abs(v) < 1e4 else f"{v:,.0f}"


def format_box(result: PrimResult, i: int) -> str:
    """Box ``i``: its statistics and each restricted dimension with its quasi-p-values."""
    r = result.trajectory.iloc[i]
    lines = [
        f"box {i}: coverage {r['coverage']:.3f}, density {r['density']:.3f} "
        f"(base rate {result.base_rate:.3f}), mass {r['mass']:.3f} ({int(r['n'])} runs, "
        f"{int(r['k'])} of interest), {int(r['res_dim'])} restricted dimensions",
    ]
    table = result.limits(i)
    if not len(table):
        return "\n".join(lines)
    width = max(len(d) for d in table["dimension"])
    lines.append(f"  {'dimension':<{width}}  {'box':<28} {'runs range':<24} quasi-p")
    for _, d in table.iterrows():
        if d["kind"] == "real":
            lo = ">= " + _fmt(d["lower"]) if d["lower"] != d["minimum"] else ""
            hi = "<= " + _fmt(d["upper"]) if d["upper"] != d["maximum"] else ""
            limit = ", ".join(s for s in (lo, hi) if s)
            span = f"[{_fmt(d['minimum'])}, {_fmt(d['maximum'])}]"
            qp = ", ".join(f"{v:.2g}" for v in (d["qp_lower"], d["qp_upper"]) if np.isfinite(v))
        else:
            limit = f"in {{{d['kept']}}}"
            span = "categories"
            qp = f"{d['qp_lower']:.2g}"
        lines.append(f"  {d['dimension']:<{width}}  {limit:<28} {span:<24} {qp}")
    return "\n".join(lines)


def format_scores(scores: pd.Series, top: int = 10) -> str:
    """The ``top`` feature scores as text."""
    width = max((len(str(n)) for n in scores.index[:top]), default=8)
    lines = [f"feature scores (extra trees), top {min(top, len(scores))} of {len(scores)}:"]
    for name, value in scores.iloc[:top].items():
        lines.append(f"  {name:<{width}}  {value:.3f}")
    return "\n".join(lines)
