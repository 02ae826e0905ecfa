"""Does assimilating a year's figures improve the forecast of the next? A test on the record.

The split: a hindcast sampled from the calibration fitted on the data through year ``Y - 1``
(``rift validate-history --calibrated-through Y-1``) is conditioned on the reference figures
of year ``Y`` (:mod:`rift.analysis.assimilation`), and both ensembles, with and without them,
are scored on the figures after ``Y``. Each figure's uncertainty is a stated share of its
value (``observation_sd_share`` in ``calibration_spec.yaml``); the likelihood adds the model's
error as that calibration accepted it (:func:`rift.analysis.assimilation.model_error_of`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from rift.analysis.assimilation import Assimilation, Observation, assimilate
from rift.calibration import measurement_sd_share
from rift.months import format_month, year_of
from rift.reference import Target
from rift.results import Results
from rift.validation.forecast.hindcast import (
    horizon_targets,
    reported,
    target_samples,
)
from rift.validation.forecast.scoring import score_table, summarise_scores


def reference_observations(
    results: Results, year: int, sd_share: float | None = None
) -> list[Observation]:
    """The batch's reference targets dated in ``year``, as observations."""
    share = measurement_sd_share() if sd_share is None else float(sd_share)
    out = []
    for t in horizon_targets(results):
        if year_of(t.month) == year:
            sd = share * abs(t.observed) or 1.0
            month = format_month(t.month)
            out.append(Observation(t.outcome, month, t.observed, sd, f"reference {t.label}"))
    return out


def later_targets(results: Results, year: int) -> list[Target]:
    """The batch's reference targets after ``year``."""
    return [t for t in horizon_targets(results) if year_of(t.month) > year]


def score_assimilation(
    results: Results, year: int, sd_share: float | None = None
) -> tuple[pd.DataFrame, dict[str, Any], Assimilation]:
    """Score the later targets with and without the figures of ``year``.

    Returns:
        A table per later target (observed, CRPS and 90 % band hit without and with the
        observations), a summary (mean relative CRPS of both, the skill of assimilating,
        ESS) and the :class:`Assimilation`.
    """
    obs = reference_observations(results, year, sd_share)
    if not obs:
        raise ValueError(f"no reference figure dated {year} inside the batch")
    fit = assimilate(results, obs)
    share = measurement_sd_share() if sd_share is None else float(sd_share)
    seed = int(results.manifest["scenario"]["seed"])
    rows_before, rows_after = [], []
    for k, t in enumerate(later_targets(results, year)):
        values = target_samples(results, t)
        base = {"target": t.label, "date": format_month(t.month), "observed": t.observed}
        # the figure's measurement error drawn afresh for the resampled runs (same stream)
        rows_before.append({**base, "samples": reported(values, share, seed, k)})
        rows_after.append({**base, "samples": reported(fit.conditioned(values), share, seed, k)})
    before, after = score_table(rows_before), score_table(rows_after)
    table = before[["target", "date", "observed"]].copy()
    for label, scored in (("before", before), ("after", after)):
        table[f"median_{label}"] = scored["median"]
        table[f"crps_{label}"] = scored["crps"]
        table[f"in90_{label}"] = scored["in90"]
    sb, sa = summarise_scores(before), summarise_scores(after)
    summary = {
        "year": year,
        "observations": len(obs),
        "targets": len(table),
        "ess": fit.ess,
        "runs": len(fit.weights),
        "model_error": fit.model_error,
        "crps_rel_before": sb["crps_rel"],
        "crps_rel_after": sa["crps_rel"],
        "in90_before": sb["in90"],
        "in90_after": sa["in90"],
        "skill": 1.0 - sa["crps_rel"] / sb["crps_rel"] if sb["crps_rel"] > 0 else np.nan,
    }
    return table, summary, fit


def format_assimilation(table: pd.DataFrame, summary: dict[str, Any]) -> str:
    """The with/without table for the terminal."""
    from rift.analysis.summary import format_value

    lines = [
        f"\nassimilating the {summary['observations']} figures of {summary['year']} (their "
        f"measurement error and a model error of {summary['model_error']:.0%} of each value; "
        f"effective sample size {summary['ess']:.0f} of {summary['runs']} runs); "
        "the later figures without and with them:",
        f"{'target':<40} {'observed':>9} {'median':>9} {'CRPS':>9} {'median':>9} {'CRPS':>9}",
    ]
    for _, r in table.iterrows():
        lines.append(
            f"{r['target']:<40} {format_value(r['observed']):>9} "
            f"{format_value(r['median_before']):>9} {format_value(r['crps_before']):>9} "
            f"{format_value(r['median_after']):>9} {format_value(r['crps_after']):>9}"
        )
    lines.append(
        f"mean CRPS / observed {summary['crps_rel_before']:.3f} without, "
        f"{summary['crps_rel_after']:.3f} with the {summary['year']} figures "
        f"(skill {summary['skill']:+.2f}); inside the 90 % band "
        f"{summary['in90_before']:.0%} / {summary['in90_after']:.0%}"
    )
    return "\n".join(lines)
