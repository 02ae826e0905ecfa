"""The September determination fitted on the record of US determinations for Colombia.

The record (``rift/data/certification_record.csv``, sourced row by row in
``certification_record.md``) holds every US "majors list" determination for Colombia that could
be sourced (20 of 1995-2025), whether Colombia was certified, and the covariates the model
tracks, each for the calendar year before the determination:

* ``alignment``: the president's alignment with Washington by the model's president type
  (:data:`rift.record.PRESIDENT_ALIGNMENT`: right and Duque +1, centre 0, left and Petro -1);
* ``extradition_shortfall``: ``max(0, 1 - extraditions / us.grievance.extradition_reference)``,
  the quantity the US grievance already reads (:meth:`rift.model.actors.us.UnitedStates.grievance`);
* ``eradication_shortfall``: ``max(0, 1 - eradication / index.eradication_reference_ha)``, one
  minus the eradication share of Colombia's counter-narcotics effort;
* scored but not in the rule, ``coca_excess``: coca above ``us.grievance.coca_reference_ha`` as
  the US grievance reads it (the relative excess ``x``, saturating as ``x / (1 + x)``).

The rule fitted is ``P(not certified) = logistic(a + c alignment + d extradition shortfall + e
eradication shortfall)`` with a ridge (normal prior, standard deviation :data:`PRIOR_SD`) on the
slopes and none on the intercept. The record has no US tension, so the model's tension term
``b (T - T_ref)`` cannot be fitted here: the fitted intercept is the log odds at the reference
tension, and ``b`` stays what the registry says. A covariate the record lacks for a year is
filled with the mean of the years that have it (it then moves nothing but the intercept); the
data file keeps it missing.

:func:`loyo_table` scores each variant by leave-one-year-out log loss (each year predicted by
the fit on the others, the filling means recomputed without it too), with the constant rate and
the tension-only rule at the reference tension (log odds :data:`TENSION_ONLY_INTERCEPT`, the
registry's value before this fit) beside them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from rift.errors import InputError
from rift.parameters import defaults
from rift.record import PRESIDENT_ALIGNMENT

FILE = "certification_record.csv"
#: The record's columns, in order (a test checks the file against them).
COLUMNS = (
    "year",
    "date",
    "president",
    "president_type",
    "certified",
    "waiver",
    "covariate_year",
    "extraditions",
    "eradication_ha",
    "coca_ha",
    "determination_source",
    "covariate_note",
)
COVARIATES = ("alignment", "extradition_shortfall", "eradication_shortfall")
#: Scored, not in the rule: coca above ``us.grievance.coca_reference_ha``, saturating as the US
#: grievance reads it (``x / (1 + x)`` of the relative excess).
EXTRA_COVARIATES = ("coca_excess",)
#: The variants scored: name -> covariates (the intercept is always there).
VARIANTS: dict[str, tuple[str, ...]] = {
    "constant": (),
    "alignment": ("alignment",),
    "extradition": ("extradition_shortfall",),
    "eradication": ("eradication_shortfall",),
    "actions": ("extradition_shortfall", "eradication_shortfall"),
    "full": COVARIATES,
    "full + coca": (*COVARIATES, "coca_excess"),
}
#: The variant whose coefficients the registry carries (``us.certification.*``).
CHOSEN = "full"
#: Registry names of the chosen variant's coefficients.
REGISTRY_NAMES = {
    "intercept": "us.certification.not_intercept",
    "alignment": "us.certification.alignment_slope",
    "extradition_shortfall": "us.certification.extradition_slope",
    "eradication_shortfall": "us.certification.eradication_slope",
}
#: Prior standard deviation of each slope (log odds per unit of a covariate in [0, 1] or
#: [-1, 1]): weakly informative, so that 5 non-certifications in 20 years cannot run a slope
#: to infinity (the four Samper years are separated by the extradition ban).
PRIOR_SD = 2.5
#: ``us.certification.not_intercept`` before this fit (the tension-only rule): at the reference
#: tension it says log odds 0.9 every year.
TENSION_ONLY_INTERCEPT = 0.9
_EPS = 1e-12


def load_certification_record(path: str | Path | None = None) -> pd.DataFrame:
    """The record with the covariates of the module doc (NaN where the record lacks a value).

    Args:
        path: A CSV of the record's columns; the packaged file when None.

    Returns:
        One row per determination: the file's columns, ``not_certified`` and the covariates.

    Raises:
        InputError: A column is missing or a president type is not one of the model's.
    """
    src = Path(path) if path is not None else resources.files("rift.data").joinpath(FILE)
    with src.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{src}: missing column(s) {', '.join(missing)}; expected {COLUMNS}")
    bad = sorted(set(df["president_type"]) - set(PRESIDENT_ALIGNMENT))
    if bad:
        raise InputError(
            f"{src}: key 'president_type' has {', '.join(map(str, bad))}; expected one of "
            f"{', '.join(PRESIDENT_ALIGNMENT)}"
        )
    p = defaults()
    out = df.copy()
    out["not_certified"] = 1 - out["certified"].astype(int)
    out["alignment"] = out["president_type"].map(PRESIDENT_ALIGNMENT).astype(float)
    ext = out["extraditions"].astype(float) / p["us.grievance.extradition_reference"]
    out["extradition_shortfall"] = (1.0 - ext).clip(lower=0.0)
    erad = out["eradication_ha"].astype(float) / p["index.eradication_reference_ha"]
    out["eradication_shortfall"] = (1.0 - erad).clip(lower=0.0)
    excess = (out["coca_ha"].astype(float) / p["us.grievance.coca_reference_ha"] - 1.0).clip(0.0)
    out["coca_excess"] = excess / (1.0 + excess)
    return out


def _design(
    df: pd.DataFrame, names: Sequence[str], means: Mapping[str, float] | None = None
) -> tuple[np.ndarray, dict[str, float]]:
    """The design matrix (intercept first), missing values filled with the means given."""
    means = dict(means) if means is not None else {n: float(df[n].mean()) for n in names}
    cols = [np.ones(len(df))] + [df[n].fillna(means[n]).to_numpy(float) for n in names]
    return np.column_stack(cols), means


@dataclass(frozen=True)
class LogisticFit:
    """A penalised logistic fit: coefficients (intercept first), their Laplace SEs."""

    names: tuple[str, ...]
    coef: np.ndarray
    se: np.ndarray
    means: dict[str, float]

    def predict(self, df: pd.DataFrame) -> np.ndarray:
        """P(not certified) for rows of a record."""
        x, _ = _design(df, self.names[1:], self.means)
        return 1.0 / (1.0 + np.exp(-(x @ self.coef)))

    def as_dict(self) -> dict[str, tuple[float, float]]:
        """Name -> (estimate, standard error)."""
        return {
            n: (float(b), float(s)) for n, b, s in zip(self.names, self.coef, self.se, strict=True)
        }


def fit(df: pd.DataFrame, names: Sequence[str], prior_sd: float = PRIOR_SD) -> LogisticFit:
    """The posterior mode of the ridge logistic regression of ``not_certified`` on ``names``.

    Args:
        df: Rows of :func:`load_certification_record`.
        names: Covariates (columns of ``df``).
        prior_sd: The slopes' prior standard deviation (the intercept is flat).

    Returns:
        The fit (Newton-Raphson; the standard errors from the penalised Hessian).
    """
    x, means = _design(df, names)
    y = df["not_certified"].to_numpy(float)
    penalty = np.full(x.shape[1], 1.0 / prior_sd**2)
    penalty[0] = 0.0
    beta = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(x @ beta)))
        grad = x.T @ (y - p) - penalty * beta
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:  # pragma: no cover - the penalised log likelihood is strictly concave
        raise RuntimeError("certification fit did not converge")
    p = 1.0 / (1.0 + np.exp(-(x @ beta)))
    hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
    se = np.sqrt(np.diag(np.linalg.inv(hess)))
    return LogisticFit(("intercept", *names), beta, se, means)


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    """Mean negative log likelihood of Bernoulli outcomes (nats per determination)."""
    p = np.clip(np.asarray(p, float), _EPS, 1.0 - _EPS)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def loyo_predictions(df: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """Each year's P(not certified) from the fit on the other years."""
    out = np.empty(len(df))
    for i in range(len(df)):
        train = df.drop(index=df.index[i])
        out[i] = fit(train, names).predict(df.iloc[[i]])[0]
    return out


def loyo_table(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Leave-one-year-out and in-sample log loss of every variant and the tension-only rule."""
    df = load_certification_record() if df is None else df
    y = df["not_certified"].to_numpy(float)
    rows = []
    for name, names in VARIANTS.items():
        full = fit(df, names)
        rows.append(
            {
                "rule": name,
                "covariates": ", ".join(names) or "-",
                "loyo_log_loss": log_loss(y, loyo_predictions(df, names)),
                "in_sample_log_loss": log_loss(y, full.predict(df)),
            }
        )
    tension_only = np.full(len(df), 1.0 / (1.0 + np.exp(-TENSION_ONLY_INTERCEPT)))
    loss = log_loss(y, tension_only)
    rows.append(
        {
            "rule": "tension-only at T_ref",
            "covariates": "(tension not in the record)",
            "loyo_log_loss": loss,
            "in_sample_log_loss": loss,
        }
    )
    return pd.DataFrame(rows)


def fit_table(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """The chosen variant's coefficients, their SEs and the registry names that carry them."""
    df = load_certification_record() if df is None else df
    f = fit(df, VARIANTS[CHOSEN])
    return pd.DataFrame(
        [
            {"term": n, "parameter": REGISTRY_NAMES[n], "estimate": b, "se": s}
            for n, (b, s) in f.as_dict().items()
        ]
    )


def coverage(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many of the record's years have each covariate, and the non-certifications among them."""
    df = load_certification_record() if df is None else df
    return pd.DataFrame(
        [
            {
                "covariate": n,
                "years": int(df[n].notna().sum()),
                "not_certified": int(df.loc[df[n].notna(), "not_certified"].sum()),
            }
            for n in (*COVARIATES, *EXTRA_COVARIATES)
        ]
    )


#: The certification rule before this fit (tension only), as ``--set`` values.
TENSION_ONLY = {
    "us.certification.not_intercept": TENSION_ONLY_INTERCEPT,
    "us.certification.alignment_slope": 0.0,
    "us.certification.extradition_slope": 0.0,
    "us.certification.eradication_slope": 0.0,
}
#: The rules :func:`model_check` compares: name -> parameters fixed on top of the scenario.
MODEL_RULES: dict[str, dict[str, float]] = {
    "fitted": {},
    "tension-only": TENSION_ONLY,
    "fitted, b = 0": {"us.certification.not_slope": 0.0},
}


def model_check(runs: int = 200, seed: int = 20261204) -> pd.DataFrame:
    """Share of runs not certified: the hindcast 2019-2024 unforced, and 2025, by rule.

    The hindcast is ``hindcast_2019`` with its forced certification removed (the rest of its
    history kept); 2025 is ``forecast_2025_12`` run to 2025-12 with nothing forced. Run ``k``
    of every rule has the same seed (common random numbers). Serial: about 40 s for 200 runs.

    Args:
        runs: Runs per rule and scenario.
        seed: The root seed.

    Returns:
        One row per rule: ``hindcast_2019_2024`` and ``not_certified_2025`` (shares of runs
        with a decertification in the window).
    """
    from rift.runner.inputs import build_model, inputs_for
    from rift.scenario import load_scenario
    from rift.scenario.loading import with_changes

    hindcast = load_scenario("hindcast_2019")
    interventions = [
        dict(iv) for iv in hindcast.model_dump(mode="json", exclude_none=True)["interventions"]
    ]
    for iv in interventions:
        iv["set"] = {k: v for k, v in iv["set"].items() if k != "us.certification"}
    hindcast = with_changes(hindcast, keys={"interventions": interventions})
    year = load_scenario("forecast_2025_12", ["end=2025-12"])
    rows = []
    for name, fixed in MODEL_RULES.items():
        row: dict[str, object] = {"rule": name}
        for label, scenario in (("hindcast_2019_2024", hindcast), ("not_certified_2025", year)):
            inputs = inputs_for(with_changes(scenario, parameters=fixed or None))
            hits = [
                build_model(inputs, np.random.SeedSequence(seed, spawn_key=(k,)))
                .run()
                .events["decertification"]
                is not None
                for k in range(runs)
            ]
            row[label] = float(np.mean(hits))
        rows.append(row)
    return pd.DataFrame(rows)
