"""Validation of the model against observations: forecast scores and ABC calibration."""

from rift.validation.abc import Posterior, Prior, abc_smc, regression_adjust
from rift.validation.scoring import (
    crps_ensemble,
    interval_hit,
    naive_trend_forecast,
    pit,
    score_table,
    summarise_scores,
)

__all__ = [
    "Posterior",
    "Prior",
    "abc_smc",
    "crps_ensemble",
    "interval_hit",
    "naive_trend_forecast",
    "pit",
    "regression_adjust",
    "score_table",
    "summarise_scores",
]
