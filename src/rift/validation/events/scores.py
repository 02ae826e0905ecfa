"""Leave-one-episode-out scores of the measure hazards against a base-rate forecast.

For each episode in turn, the hazard model and the base rate (a constant monthly rate per
measure and transition) are fitted on the other episodes and forecast every month of the held-out
episode at which a measure was at risk. The forecasts of all held-out months are then pooled and
scored per measure and transition, per transition, and overall:

* Brier score: mean ``(p - y)^2`` (lower is better);
* log score: mean ``-log p(y)``, in nats (lower is better);
* Brier skill: ``1 - Brier(model) / Brier(base)`` (positive when the model is better).

A second benchmark, the *pooled* rate (one constant rate per transition, start, end or event,
over all measures), shows how much of the model's advantage comes from pooling measures rather
than from the covariates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rift.validation.events.fit import PRIORS, Priors, base_rate_table, fit_risk, predict_base
from rift.validation.events.panel import EventRecord, build_panel

_EPS = 1e-12


def loeo_predictions(record: EventRecord, priors: Priors = PRIORS) -> pd.DataFrame:
    """Every risk row of every episode with its held-out model and base-rate forecasts."""
    risk = build_panel(record).risk
    parts = []
    for ep in record.episode_names:
        test = risk["episode"] == ep
        if not test.any():
            continue
        train = risk[~test]
        fit = fit_risk(train, priors)
        held = risk[test].copy()
        held["p_model"] = fit.predict(held)
        held["p_base"] = predict_base(base_rate_table(train), held)
        pooled = train.groupby("transition")["y"].agg(lambda y: (y.sum() + 0.5) / (len(y) + 1))
        held["p_pooled"] = held["transition"].map(pooled).fillna(0.5).to_numpy(float)
        parts.append(held)
    return pd.concat(parts, ignore_index=True)


def _scores(df: pd.DataFrame) -> dict[str, float]:
    y = df["y"].to_numpy(float)
    out = {"n_obs": len(df), "n_events": int(y.sum())}
    for who in ("model", "base", "pooled"):
        p = np.clip(df[f"p_{who}"].to_numpy(float), _EPS, 1 - _EPS)
        out[f"brier_{who}"] = float(np.mean((p - y) ** 2))
        out[f"log_{who}"] = float(np.mean(-(y * np.log(p) + (1 - y) * np.log1p(-p))))
    out["brier_skill"] = 1.0 - out["brier_model"] / out["brier_base"]
    return out


def score_predictions(pred: pd.DataFrame) -> pd.DataFrame:
    """Scores per measure and transition, then per transition and overall (rows ``all``)."""
    rows = []
    for (measure, transition), g in pred.groupby(["measure", "transition"], sort=True):
        rows.append(dict(measure=measure, transition=transition, **_scores(g)))
    for transition, g in pred.groupby("transition", sort=True):
        rows.append(dict(measure="all", transition=transition, **_scores(g)))
    rows.append(dict(measure="all", transition="all", **_scores(pred)))
    return pd.DataFrame(rows)


def leave_one_episode_out(record: EventRecord, priors: Priors = PRIORS) -> pd.DataFrame:
    """Held-out Brier and log scores of the model and of the base rate (see the module doc)."""
    return score_predictions(loeo_predictions(record, priors))


def scores_by_episode(pred: pd.DataFrame) -> pd.DataFrame:
    """Overall held-out scores of each episode (which episodes the model forecasts well)."""
    rows = [dict(episode=ep, **_scores(g)) for ep, g in pred.groupby("episode", sort=False)]
    return pd.DataFrame(rows)


def loeo_markdown(table: pd.DataFrame, *, min_events: int = 1) -> str:
    """The LOEO table as Markdown (measure rows with at least ``min_events`` events, then all)."""
    lines = [
        "| measure | transition | months at risk | events | Brier model | Brier base rate | "
        "Brier pooled | log model | log base rate | log pooled | Brier skill |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    keep = (table["measure"] == "all") | (table["n_events"] >= min_events)
    for r in table[keep].itertuples(index=False):
        name = f"**{r.measure}**" if r.measure == "all" else f"`{r.measure}`"
        lines.append(
            f"| {name} | {r.transition} | {r.n_obs} | {r.n_events} | {r.brier_model:.4f} | "
            f"{r.brier_base:.4f} | {r.brier_pooled:.4f} | {r.log_model:.4f} | {r.log_base:.4f} | "
            f"{r.log_pooled:.4f} | {r.brier_skill:+.3f} |"
        )
    return "\n".join(lines)
