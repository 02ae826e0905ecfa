"""Measures that start and end: monthly hazards fitted and scored on a record of crises.

Each government's measures are on/off states with a monthly hazard of starting and of
ending, fitted on a dated record of US-partner crises.

The record, its episodes and the map from record codes to the model's measures are package data
(``rift/data/alliance_events.csv``, ``alliance_episodes.csv``, ``measure_map.csv``, described in
``alliance_events.md``). This module is the public entry point; the work is done in

* ``panel``: loading the record and building the episode x month x measure panel;
* ``fit``: the cloglog hazards, their priors, the penalised-likelihood fit and the Laplace
  standard errors, and the base-rate forecast;
* ``scores``: leave-one-episode-out Brier and log scores against the base rate;
* ``tables``: spell durations, first starts and the annual certification decisions;
* ``registry``: the fitted coefficients as parameter-registry entries.

Nothing here imports mesa, the model, the runner or the CLI. After any change to the record,
regenerate the fitted block at the end of ``rift/data/parameters.yaml`` with::

    rift refit events --write

and print the scores and tables (Markdown) with ``rift refit events``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rift.validation.events.fit import (
    PRIORS,
    HazardFit,
    Priors,
    SubFit,
    base_rate,
    base_rate_table,
    fit_hazards,
    fit_risk,
)
from rift.validation.events.panel import (
    MEASURES,
    EventRecord,
    MeasureSpec,
    Panel,
    build_panel,
    load_record,
)
from rift.validation.events.registry import FIT_DATE, registry_block, registry_entries, write_block
from rift.validation.events.scores import (
    leave_one_episode_out,
    loeo_markdown,
    loeo_predictions,
    score_predictions,
    scores_by_episode,
)
from rift.validation.events.tables import annual_decisions, durations, first_starts, markdown

__all__ = [
    "FIT_DATE",
    "MEASURES",
    "PRIORS",
    "EventRecord",
    "HazardFit",
    "MeasureSpec",
    "Panel",
    "Priors",
    "SubFit",
    "annual_decisions",
    "base_rate",
    "base_rate_table",
    "build_panel",
    "durations",
    "first_starts",
    "fit_hazards",
    "fit_risk",
    "leave_one_episode_out",
    "load_record",
    "loeo_markdown",
    "loeo_predictions",
    "registry_block",
    "registry_entries",
    "report",
    "score_predictions",
    "scores_by_episode",
    "write_fitted_block",
]

COLOMBIA_2025 = "US-Colombia 2025 (Trump-Petro)"


def report(record: EventRecord | None = None) -> str:
    """Markdown: coefficients, LOEO scores, durations, first starts in 2025, annual decisions."""
    record = record or load_record()
    fit = fit_hazards(record)
    est = fit.estimates()
    est = est[est["term"] != "family"][["model", "name", "estimate", "se", "events", "exposure"]]
    est = est.astype({"events": "Int64", "exposure": "Int64"})
    pred = loeo_predictions(record)
    dur = durations(record)
    dur["median"] = [
        f"{d:.0f} days ({m:.1f} months)" if np.isfinite(d) else f"> {n} days (not reached)"
        for d, m, n in zip(
            dur["median_days"], dur["median_months"], dur["longest_days"], strict=True
        )
    ]
    dur = dur[["measure", "spells", "ended", "median", "longest_days"]]
    first = first_starts(record, COLOMBIA_2025)[["measure", "kind", "first", "precision", "code"]]
    parts = [
        "## Fitted coefficients (posterior mode, Laplace SE)",
        markdown(est, "{:.3f}"),
        "## Leave one episode out",
        loeo_markdown(score_predictions(pred)),
        "## By held-out episode",
        markdown(scores_by_episode(pred), "{:.4f}"),
        "## Durations (Kaplan-Meier median)",
        markdown(dur, "{:.1f}"),
        f"## First starts, {COLOMBIA_2025}",
        markdown(first),
        "## Annual certification decisions",
        markdown(annual_decisions(record)),
    ]
    return "\n\n".join(parts) + "\n"


def write_fitted_block(path: Path | None = None) -> Path:
    """Refit the hazards on the packaged record and rewrite the fitted block of ``parameters.yaml``.

    The block is generated, never edited by hand, so that the registry's defaults and spreads
    are always the fit of the record as it stands.

    Args:
        path: The ``parameters.yaml`` to rewrite (default: the package's).

    Returns:
        The file written.
    """
    return write_block(registry_entries(fit_hazards(load_record())), path)
