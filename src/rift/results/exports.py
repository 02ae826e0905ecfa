"""A stored batch in the shapes other tools read: an xarray Dataset, EMA Workbench's pair.

:func:`to_xarray` gives one Dataset with dimensions ``run`` and ``month``: every monthly
outcome as a ``(run, month)`` variable (categories as their labels), and every sampled
parameter, event month and per-run value as a ``(run,)`` variable. ``xarray`` is an optional
dependency (``pip install rift[xarray]``).

:func:`to_ema` gives ``(experiments, outcomes)`` as EMA Workbench's ``perform_experiments``
returns them, so that its analysis functions (``prim.Prim``, ``feature_scoring``,
``dimensional_stacking``, the plotting functions) take a rift batch directly: ``experiments`` is
a DataFrame with one row per run and a column per sampled parameter (without the ``param.``
prefix) plus ``scenario``, ``policy`` (the run's policy, ``none`` in a batch without
``policies``), ``model``, and the run's index and seed (``run``, ``seed``: the same ``run`` in
two batches of one root seed is a paired run); ``outcomes`` maps each outcome name to a
``(runs, months)`` array, each per-run value and event to a ``(runs,)`` array (event months
as months since the start, NaN when it did not happen), and ``TIME`` to the months.

``to_ema(results, at="2030-12")`` (or ``at="horizon"``) gives outcomes that EMA's feature
scoring and PRIM take as they are, one finite number per run: each monthly outcome at that
month (categories as their codes), each event as 0/1 (happened by that month; the key is the
event's name), and each per-run value that is known in every run (one missing in some run, e.g.
the 2030 margin in a batch that ends before it, is left out: ``outcomes`` says which by its
keys). A run whose monthly outcome is missing at that month keeps NaN there (a failed run is
never in the pair).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from rift.months import parse_month

if TYPE_CHECKING:  # pragma: no cover
    from rift.results.reader import Results


def _ok(results: Results) -> pd.DataFrame:
    return results.ok_runs.reset_index(drop=True)


def _monthly(results: Results, name: str, runs: np.ndarray, months: list[str]) -> np.ndarray:
    s = results.series
    wide = s.pivot(index="run", columns="month", values=name)
    return wide.reindex(index=runs, columns=months).to_numpy()


def to_xarray(results: Results) -> Any:
    """The batch as an ``xarray.Dataset`` (dimensions ``run`` and ``month``)."""
    try:
        import xarray as xr
    except ImportError:
        raise ImportError("Results.to_xarray needs xarray: pip install 'rift[xarray]'") from None
    ok = _ok(results)
    runs = ok["run"].to_numpy()
    months = list(results.manifest["months"])
    names = results.manifest["record"]
    data: dict[str, Any] = {}
    for name in names["outcomes"]:
        values = _monthly(results, name, runs, months)
        if isinstance(results.series[name].dtype, pd.CategoricalDtype):
            values = values.astype(object)
        data[name] = (("run", "month"), values)
    for col in ok.columns:
        if col.startswith("param.") or col.endswith("_month") or col in names["values"]:
            values = ok[col].to_numpy()
            if values.dtype == object or str(ok[col].dtype) in ("string", "category"):
                values = ok[col].astype(object).where(ok[col].notna(), None).to_numpy()
            data[col] = (("run",), values)
    coords = {
        "run": runs,
        "month": pd.PeriodIndex(months, freq="M").to_timestamp(),
        "seed": ("run", ok["seed"].astype(str).to_numpy()),
    }
    attrs = {
        "scenario": results.name,
        "scenario_hash": results.manifest["scenario_hash"],
        "root_seed": results.manifest["seed"],
        "rift": results.manifest.get("versions", {}).get("rift", ""),
    }
    return xr.Dataset(data, coords=coords, attrs=attrs)


def to_ema(results: Results, at: str | None = None) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The batch as EMA Workbench's ``(experiments, outcomes)`` pair (see the module doc).

    Args:
        results: A stored batch.
        at: None: monthly outcomes as ``(runs, months)`` arrays and event months; a month
            (``YYYY-MM``, one of the batch's) or ``horizon``: one value per run and outcome,
            events as 0/1 by that month, as EMA's feature scoring takes them.

    Raises:
        InputError: ``at`` is not a month of the batch.
    """
    ok = _ok(results)
    runs = ok["run"].to_numpy()
    months = list(results.manifest["months"])
    names = results.manifest["record"]
    params = [c for c in ok.columns if c.startswith("param.")]
    experiments = ok[params].rename(columns=lambda c: c.removeprefix("param."))
    for col in experiments.columns:
        if str(experiments[col].dtype) == "string":
            experiments[col] = experiments[col].astype("category")
    experiments["scenario"] = pd.Categorical([results.name] * len(ok))
    experiments["policy"] = pd.Categorical(
        ok["policy"].astype(str) if "policy" in ok else ["none"] * len(ok)
    )
    experiments["model"] = pd.Categorical(["rift"] * len(ok))
    experiments["run"] = ok["run"].to_numpy()
    experiments["seed"] = ok["seed"].to_numpy()
    experiments.index = pd.RangeIndex(len(ok))
    if at is not None:
        return experiments, _scalar_outcomes(results, ok, names, _month_of(results, at))
    outcomes: dict[str, np.ndarray] = {}
    for name in names["outcomes"]:
        if isinstance(results.series[name].dtype, pd.CategoricalDtype):
            codes = results.series[name].cat.codes.astype(float).where(results.series[name].notna())
            s = results.series.assign(**{name: codes})
            wide = s.pivot(index="run", columns="month", values=name)
            outcomes[name] = wide.reindex(index=runs, columns=months).to_numpy(dtype=float)
        else:
            outcomes[name] = _monthly(results, name, runs, months).astype(float)
    start = parse_month(months[0])
    for event in names["events"]:
        col = ok[f"{event}_month"]
        outcomes[f"{event}_month"] = np.array(
            [np.nan if pd.isna(v) else parse_month(v) - start for v in col], dtype=float
        )
    for value in names["values"]:
        col = ok[value]
        outcomes[value] = (
            col.cat.codes.to_numpy(dtype=float)
            if isinstance(col.dtype, pd.CategoricalDtype)
            else col.to_numpy(dtype=float)
        )
    outcomes["TIME"] = np.tile(np.arange(len(months), dtype=float), (len(runs), 1))
    return experiments, outcomes


def _month_of(results: Results, at: str) -> str:
    from rift.errors import InputError

    months = list(results.manifest["months"])
    month = months[-1] if at == "horizon" else at
    if month not in months:
        raise InputError(
            f"{at!r} is not a month of the batch",
            file=str(results.path),
            key="at",
            expected=f"'horizon' or a month from {months[0]} to {months[-1]}",
        )
    return month


def _scalar_outcomes(
    results: Results, ok: pd.DataFrame, names: dict, month: str
) -> dict[str, np.ndarray]:
    """One finite value per run and outcome at ``month`` (see the module doc)."""
    runs = ok["run"].to_numpy()
    at = results.series[results.series["month"] == month].set_index("run").reindex(runs)
    outcomes: dict[str, np.ndarray] = {}
    for name in names["outcomes"]:
        col = at[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            outcomes[name] = col.cat.codes.astype(float).where(col.notna()).to_numpy(dtype=float)
        else:
            outcomes[name] = col.to_numpy(dtype=float)
    for event in names["events"]:
        happened = ok[f"{event}_month"]
        outcomes[event] = (happened.notna() & (happened.fillna("9999-99") <= month)).to_numpy(
            dtype=float
        )
    for value in names["values"]:
        col = ok[value]
        x = (
            col.cat.codes.astype(float).where(col.notna()).to_numpy(dtype=float)
            if isinstance(col.dtype, pd.CategoricalDtype)
            else col.to_numpy(dtype=float)
        )
        if np.isfinite(x).all():
            outcomes[value] = x
    return outcomes
