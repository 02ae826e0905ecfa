"""Validation of the model against observations, one subpackage per question.

* ``events``: do the measures' hazards fit the record of US-partner crises (and the fitted
  block of the parameter registry they yield);
* ``calibration``: which parameter values fit the record (ABC-SMC, the hindcast calibration, the
  alliance calibration);
* ``forecast``: does the model forecast the record (the hindcast, its scores, assimilation);
* ``elections``: do the election engine's fitted errors forecast held-out elections.

The names below are the model-free tools, importable from here as before the split.
"""

from rift.validation.calibration.abc import Posterior, Prior, abc_smc, regression_adjust
from rift.validation.forecast.scoring import (
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
