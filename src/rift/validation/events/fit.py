"""Penalised-likelihood fit of the monthly measure hazards (see ``rift.validation.events``).

Each state measure has a discrete-time complementary log-log hazard of starting while off and
of ending while on, and each event (rhetoric, a partner concession, a leader deal) a monthly
probability of occurring::

    P(start in month | off) = 1 - exp(-exp(alpha_m + beta . x))
    P(end in month | on)    = 1 - exp(-exp(gamma_m + delta . x))

with ``x`` the covariates of ``rift.validation.events.panel`` (R, O, C, D, and for ends
``logdur``; for the de-escalation events also the cost ``K``, the ripeness term). Three
likelihoods are fitted separately, each with its own shared slopes: starts (with the rhetoric
events), ends, and the de-escalation events (concession, deal).

Priors (penalised likelihood, maximised by Newton's method; standard errors from the Laplace
approximation, the inverse Hessian of the log posterior at the mode):

* ``alpha_m ~ N(mu_f, TAU^2)``, ``TAU = 1``: a measure's log hazard is within a factor e of its
  family's (US coercive, partner counter-measure, de-escalation) at one sd. Most measures have one
  to eight events, so their intercepts lean on the family; TAU = 1 lets a measure with evidence
  move away from it.
* ``mu_f ~ N(-3, 2^2)``: about 5 % a month, with two sd spanning 0.1 % to 90 %; weakly
  informative, since each family has dozens of events between them.
* slopes ``~ N(0, 1)``: one move or one leader change multiplies a hazard by at most about
  e^2 = 7 at two sd; zero-centred so the data must show reciprocity or deal effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rift.validation.events.panel import (
    COST,
    COVARIATES,
    MEASURES,
    EventRecord,
    build_panel,
)

TRANSITIONS = ("start", "end", "deal")


@dataclass(frozen=True)
class Priors:
    """Prior scales of the hazard model (see the module docstring for why)."""

    tau: float = 1.0
    family_mean: float = -3.0
    family_sd: float = 2.0
    slope_sd: float = 1.0
    #: Whether the de-escalation likelihood has the cost covariate ``K`` (False: the R, O, C, D
    #: model before it, kept to score what the cost adds).
    cost: bool = True


PRIORS = Priors()


def _model_of(transition: str, family: str) -> str:
    """Which of the three likelihoods a risk row belongs to."""
    if transition == "end":
        return "end"
    return "deal" if family == "deescalation" else "start"


def model_rows(risk: pd.DataFrame) -> pd.Series:
    """The likelihood (``start``, ``end`` or ``deal``) of each row of a risk table."""
    return pd.Series(
        [_model_of(t, f) for t, f in zip(risk["transition"], risk["family"], strict=True)],
        index=risk.index,
    )


def _measures(model: str) -> list[str]:
    out = []
    for name, spec in MEASURES.items():
        if spec.kind == "annual":
            continue
        belongs = {
            "end": spec.kind == "state",
            "start": spec.family != "deescalation",
            "deal": spec.family == "deescalation",
        }[model]
        if belongs:
            out.append(name)
    return out


def _covariates(model: str, cost: bool = True) -> list[str]:
    if model == "end":
        return [*COVARIATES, "logdur"]
    if model == "deal" and cost:
        return [*COVARIATES, COST]
    return list(COVARIATES)


def _loglik(eta: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Log-likelihood of cloglog Bernoulli outcomes, and its first and second derivatives."""
    eta = np.clip(eta, -30.0, 6.0)
    lam = np.exp(eta)
    em1 = np.expm1(lam)
    ll = np.where(y == 1, np.log(-np.expm1(-lam)), -lam)
    g = np.where(y == 1, lam / em1, -lam)
    # d2/deta2 log(1 - exp(-lam)) = lam * ((1 - lam) / em1 - lam / em1^2), written with
    # r = 1 / em1 so nothing overflows; a series where em1 ~ lam would cancel.
    r = 1.0 / np.where(lam > 0, em1, 1.0)
    small = lam < 1e-4
    h1 = np.where(small, -lam / 2 - lam**2 / 3, lam * ((1 - lam) * r - lam * r * r))
    h = np.where(y == 1, h1, -lam)
    return float(ll.sum()), g, h


@dataclass(frozen=True)
class SubFit:
    """One likelihood's posterior mode and Laplace covariance."""

    model: str
    measures: tuple[str, ...]
    covariates: tuple[str, ...]
    families: tuple[str, ...]
    theta: np.ndarray  # [intercepts (measures), slopes (covariates), family means]
    cov: np.ndarray
    n_events: dict[str, int] = field(default_factory=dict)
    n_obs: dict[str, int] = field(default_factory=dict)

    def predict(self, risk: pd.DataFrame) -> np.ndarray:
        """Hazards for rows of a risk table that belong to this likelihood."""
        idx = {m: i for i, m in enumerate(self.measures)}
        a = self.theta[[idx[m] for m in risk["measure"]]]
        b = self.theta[len(self.measures) : len(self.measures) + len(self.covariates)]
        eta = a + risk[list(self.covariates)].to_numpy(float) @ b
        return -np.expm1(-np.exp(np.clip(eta, -30.0, 6.0)))


def _fit_one(risk: pd.DataFrame, model: str, priors: Priors) -> SubFit:
    measures, covs = _measures(model), _covariates(model, priors.cost)
    families = sorted({MEASURES[m].family for m in measures})
    nm, nk, nf = len(measures), len(covs), len(families)
    fam_of = np.array([families.index(MEASURES[m].family) for m in measures])
    mi = risk["measure"].map({m: i for i, m in enumerate(measures)}).to_numpy(int)
    x = risk[covs].to_numpy(float)
    y = risk["y"].to_numpy(int)
    p = nm + nk + nf
    # prior precision matrix Q and mean: -0.5 (theta - m)' Q (theta - m), with the
    # hierarchical term (alpha_m - mu_f)^2 / tau^2 written out in Q.
    q = np.zeros((p, p))
    t2 = 1.0 / priors.tau**2
    for i, f in enumerate(fam_of):
        j = nm + nk + f
        q[i, i] += t2
        q[j, j] += t2
        q[i, j] -= t2
        q[j, i] -= t2
    q[nm : nm + nk, nm : nm + nk] += np.eye(nk) / priors.slope_sd**2
    q[nm + nk :, nm + nk :] += np.eye(nf) / priors.family_sd**2
    # Prior mean mu0 for the intercepts and the family means alike: then the hierarchical term
    # sees (alpha - mu0) - (mu - mu0) = alpha - mu, and the linear term is mu0 / s^2 on mu only.
    prior_mean = np.zeros(p)
    prior_mean[:nm] = priors.family_mean
    prior_mean[nm + nk :] = priors.family_mean
    lin = q @ prior_mean

    def posterior(theta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        eta = theta[mi] + x @ theta[nm : nm + nk]
        ll, g, h = _loglik(eta, y)
        lp = ll - 0.5 * theta @ q @ theta + lin @ theta
        grad = np.zeros(p)
        np.add.at(grad, mi, g)
        grad[nm : nm + nk] += x.T @ g
        grad += lin - q @ theta
        hess = -q.copy()
        np.add.at(hess, (mi, mi), h)
        cross = np.zeros((nm, nk))
        np.add.at(cross, mi, x * h[:, None])
        hess[:nm, nm : nm + nk] += cross
        hess[nm : nm + nk, :nm] += cross.T
        hess[nm : nm + nk, nm : nm + nk] += (x * h[:, None]).T @ x
        return lp, grad, hess

    theta = prior_mean.copy()
    lp, grad, hess = posterior(theta)
    for _ in range(100):
        step = np.linalg.solve(hess, -grad)
        scale = 1.0
        while True:
            new = theta + scale * step
            lp_new, g_new, h_new = posterior(new)
            if lp_new >= lp - 1e-10 or scale < 1e-6:
                break
            scale /= 2
        converged = abs(lp_new - lp) < 1e-9 and np.max(np.abs(g_new)) < 1e-6
        theta, lp, grad, hess = new, lp_new, g_new, h_new
        if converged:
            break
    else:  # pragma: no cover - the log posterior is concave; Newton converges in a few steps
        raise RuntimeError(f"{model} hazard fit did not converge")
    counts = risk.groupby("measure")["y"].agg(["sum", "count"])
    return SubFit(
        model=model,
        measures=tuple(measures),
        covariates=tuple(covs),
        families=tuple(families),
        theta=theta,
        cov=np.linalg.inv(-hess),
        n_events={m: int(counts["sum"].get(m, 0)) for m in measures},
        n_obs={m: int(counts["count"].get(m, 0)) for m in measures},
    )


@dataclass(frozen=True)
class HazardFit:
    """The three fitted likelihoods (``start``, ``end``, ``deal``) and their priors."""

    parts: dict[str, SubFit]
    priors: Priors

    def predict(self, risk: pd.DataFrame) -> np.ndarray:
        """The hazard of every row of a risk table."""
        out = np.empty(len(risk))
        which = model_rows(risk).to_numpy()
        for model, part in self.parts.items():
            sel = which == model
            if sel.any():
                out[sel] = part.predict(risk[sel])
        return out

    def estimates(self) -> pd.DataFrame:
        """Every coefficient with its Laplace standard error and event count."""
        rows = []
        for model, part in self.parts.items():
            se = np.sqrt(np.diag(part.cov))
            kind = "event" if model == "deal" else model
            for i, m in enumerate(part.measures):
                k = "event" if MEASURES[m].kind == "event" else kind
                rows.append(
                    dict(
                        model=model,
                        term="intercept",
                        name=m,
                        transition=k,
                        estimate=part.theta[i],
                        se=se[i],
                        events=part.n_events[m],
                        exposure=part.n_obs[m],
                    )
                )
            nm, nk = len(part.measures), len(part.covariates)
            for j, c in enumerate(part.covariates):
                rows.append(
                    dict(
                        model=model,
                        term="slope",
                        name=c,
                        transition=model,
                        estimate=part.theta[nm + j],
                        se=se[nm + j],
                        events=np.nan,
                        exposure=np.nan,
                    )
                )
            for j, f in enumerate(part.families):
                rows.append(
                    dict(
                        model=model,
                        term="family",
                        name=f,
                        transition=model,
                        estimate=part.theta[nm + nk + j],
                        se=se[nm + nk + j],
                        events=np.nan,
                        exposure=np.nan,
                    )
                )
        return pd.DataFrame(rows)


def fit_risk(risk: pd.DataFrame, priors: Priors = PRIORS) -> HazardFit:
    """Fit the three likelihoods on a risk table (``build_panel(...).risk``)."""
    which = model_rows(risk)
    return HazardFit({m: _fit_one(risk[which == m], m, priors) for m in TRANSITIONS}, priors)


def fit_hazards(record: EventRecord, priors: Priors = PRIORS) -> HazardFit:
    """Fit the hazards on every episode of a record."""
    return fit_risk(build_panel(record).risk, priors)


def base_rate_table(risk: pd.DataFrame) -> pd.DataFrame:
    """Constant monthly rate per measure and transition: ``(events + 1/2) / (exposure + 1)``.

    The Jeffreys-prior posterior mean, so that a measure with no event in the training data gets
    a small positive rate instead of zero (which would make the log score infinite). Rows with
    ``measure == "*"`` hold each transition's rate pooled over all measures: the forecast for a
    measure never at risk in the training data.
    """
    g = risk.groupby(["measure", "transition"])["y"].agg(events="sum", exposure="count")
    pooled = risk.groupby("transition")["y"].agg(events="sum", exposure="count")
    pooled.index = pd.MultiIndex.from_product([["*"], pooled.index], names=g.index.names)
    g = pd.concat([g, pooled])
    g["rate"] = (g["events"] + 0.5) / (g["exposure"] + 1.0)
    return g.reset_index()


def base_rate(record: EventRecord) -> pd.DataFrame:
    """The base-rate forecast of every measure and transition, fitted on the whole record."""
    return base_rate_table(build_panel(record).risk)


def predict_base(table: pd.DataFrame, risk: pd.DataFrame) -> np.ndarray:
    """Base-rate forecasts for a risk table (the pooled rate for a measure unseen in training)."""
    rates = {(m, t): r for m, t, r in table[["measure", "transition", "rate"]].itertuples(False)}
    keys = zip(risk["measure"], risk["transition"], strict=True)
    return np.array([rates.get((m, t), rates.get(("*", t), 0.5)) for m, t in keys])
