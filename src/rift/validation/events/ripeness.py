"""The record's decision layer: deals after a crisis's peak, and measures a new leader inherits.

Two reference classes the deal, concession and inauguration rules are checked against:

* :func:`peak_deals`: each episode's *peak* is the first month its cost ``K`` (the state measures
  in force on both sides, each weighted ``1 + severity``; :mod:`.panel`) reaches the episode's
  maximum; the record's outcome is whether a leader deal (or any de-escalation event: a deal or a
  partner concession) happens in that month or the two after it, and the event model's forecast
  is ``1 - prod(1 - p)`` over the same months, with ``p`` the held-out (leave-one-episode-out)
  hazards, with and without the cost covariate.
* :func:`inherited_measures`: every state measure of a side in force when that side's new
  leader takes office, and whether it ended (not lapsed) within three months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rift.validation.events.fit import PRIORS, Priors
from rift.validation.events.panel import (
    COST,
    EventRecord,
    build_panel,
    month_index,
    parse_people,
)
from rift.validation.events.scores import loeo_predictions

#: Months from the peak (the peak month and the two after it) a deal is looked for in.
PEAK_WINDOW = 3
DEESCALATION = ("both.deal", "partner.concession")


def _window_probability(p: pd.Series) -> float:
    return float(1.0 - np.prod(1.0 - p.to_numpy(float)))


def peak_deals(record: EventRecord, priors: Priors = PRIORS) -> pd.DataFrame:
    """Each episode with a measure in force: its peak, what followed and the model's forecast.

    Args:
        record: The dated record (:func:`~rift.validation.events.panel.load_record`).
        priors: The hazard model's priors (its ``cost`` flag is overridden: both variants are
            scored).

    Returns:
        One row per episode: ``peak`` (``YYYY-MM`` index), ``k_peak``, ``deal`` and
        ``deescalation`` (0/1: in the record within ``PEAK_WINDOW`` months), and the held-out
        forecasts ``p_deal``/``p_deesc`` (model with the cost ``K``), ``p_deal_nocost``/
        ``p_deesc_nocost`` (without it) and ``p_deal_pooled``/``p_deesc_pooled`` (the pooled
        event rate).
    """
    risk = build_panel(record).risk
    preds = {}
    for cost in (True, False):
        pred = loeo_predictions(
            record, Priors(priors.tau, priors.family_mean, priors.family_sd, priors.slope_sd, cost)
        )
        preds[cost] = pred[pred["measure"].isin(DEESCALATION)]
    events = risk[risk["measure"].isin(DEESCALATION)]
    rows = []
    for ep, g in events.groupby("episode", sort=False):
        k = g.groupby("month")[COST].max()
        if k.max() <= 0:
            continue
        peak = int(k[k == k.max()].index.min())
        months = range(peak, peak + PEAK_WINDOW)
        row: dict = dict(episode=ep, peak=peak, k_peak=float(k.max()))
        win = g[g["month"].isin(months)]
        row["deal"] = int(win.loc[win["measure"] == "both.deal", "y"].sum() > 0)
        row["deescalation"] = int(win["y"].sum() > 0)
        for cost, suffix in ((True, ""), (False, "_nocost")):
            p = preds[cost]
            w = p[(p["episode"] == ep) & p["month"].isin(months)]
            row[f"p_deal{suffix}"] = _window_probability(
                w.loc[w["measure"] == "both.deal", "p_model"]
            )
            row[f"p_deesc{suffix}"] = _window_probability(w["p_model"])
            if cost:
                row["p_deal_pooled"] = _window_probability(
                    w.loc[w["measure"] == "both.deal", "p_pooled"]
                )
                row["p_deesc_pooled"] = _window_probability(w["p_pooled"])
        rows.append(row)
    return pd.DataFrame(rows)


def inherited_measures(record: EventRecord, months: int = PEAK_WINDOW) -> pd.DataFrame:
    """State measures in force when their side's new leader takes office, and their fate.

    Args:
        record: The dated record.
        months: The window after the inauguration (the inauguration month included).

    Returns:
        One row per inherited spell: ``episode``, ``leader``, ``measure``, ``ended`` (0/1 within
        ``months``). A measure the new leader starts in the month of the oath is not inherited.
    """
    states = build_panel(record).states
    rows = []
    for e in record.episodes.itertuples(index=False):
        lo, hi = month_index(e.window_start), month_index(e.window_end)
        for side, people in (("us", e.us_administrations), ("partner", e.partner_leaders)):
            for leader, date in parse_people(people):
                m = None if not date else month_index(date)
                if m is None or not lo <= m <= hi:
                    continue
                s = states[
                    (states["episode"] == e.episode) & states["measure"].str.startswith(side)
                ]
                for name in s.loc[(s["month"] == m) & s["on"], "measure"]:
                    w = s[(s["measure"] == name) & s["month"].between(m, m + months - 1)]
                    rows.append(
                        dict(
                            episode=e.episode,
                            leader=leader,
                            measure=name,
                            ended=int(w["ended"].any()),
                        )
                    )
    return pd.DataFrame(rows, columns=["episode", "leader", "measure", "ended"])


def jeffreys_share(ended: pd.Series) -> float:
    """``(events + 1/2) / (n + 1)``: the share the inauguration rule's default is."""
    return (float(ended.sum()) + 0.5) / (len(ended) + 1.0)
