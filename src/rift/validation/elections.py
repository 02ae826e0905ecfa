"""Fits of the election engine (poll error, horizon drift, runoff transfers) and its back-test.

All errors are measured on bloc shares of candidate votes in centred log-ratio (clr) space:
``clr(x) = log x - mean(log x)``. If each bloc's log-share carries an independent error of sd
``sigma`` (what the engine draws), the clr error of a K-bloc vote has ``K - 1`` degrees of
freedom and ``E|clr error|**2 = (K - 1) * sigma**2``; so ``sigma**2`` is estimated as the sum of
squared clr errors over the sum of ``K - 1``, with no bias term unless stated. With four
elections that leaves few degrees of freedom: every fitted sd comes with the 5-95 % interval
of its scaled-inverse-chi-square posterior (Jeffreys prior), which is the spread the registry
carries (``triangular(low, fit, high)``).

* :func:`fit_poll_error`: final polls (the last poll of each pollster) against results,
  2010-2022, first round (3 blocs) or runoff (2 finalists).
* :func:`fit_horizon`: the drift from polls about six months before the first round to the
  final polls (2018, 2022) with one bias term, the centre's loss (``centre_bias``).
* :func:`fit_transfers`: the share of the eliminated bloc's voters that goes to the receiving
  finalist in the runoff, by eliminated bloc (least squares in logit space, bounded to [0, 1]),
  and the sd of the runoff residual.
* :func:`backtest`: leave one election out (2018, 2022): refit on the others, forecast the
  held-out first round and runoff from its own polls, score against the result and against a
  polls-only forecast.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from rift.model.election import TRANSFER_RECEIVER, Drivers, ElectionParams, simulate_elections
from rift.model.election_data import BLOCS, PollPrior, poll_average, result_shares
from rift.parameters import defaults
from rift.validation.scoring import crps_ensemble

YEARS = (2010, 2014, 2018, 2022)
HORIZON_YEARS = (2018, 2022)
_U_CENTRE = np.array([-1.0, 2.0, -1.0]) / 3.0  # clr of a unit shift of the centre's log-share


def clr(x: Sequence[float] | np.ndarray) -> np.ndarray:
    """Centred log-ratio of a composition (any positive vector)."""
    lx = np.log(np.asarray(x, dtype=float))
    return lx - lx.mean()


@dataclass(frozen=True)
class SdFit:
    """A fitted standard deviation with its uncertainty.

    Attributes:
        sd: Point estimate, ``sqrt(sum of squares / df)``.
        df: Degrees of freedom.
        low: 5 % quantile of the scaled-inverse-chi-square posterior of the sd.
        high: 95 % quantile.
        residuals: The residuals by year (clr vectors or runoff logits).
    """

    sd: float
    df: int
    low: float
    high: float
    residuals: Mapping[int, np.ndarray]


def _sd_fit(ss: float, df: int, residuals: Mapping[int, np.ndarray]) -> SdFit:
    if df < 1:
        raise ValueError("no degrees of freedom left to fit an sd")
    sd = float(np.sqrt(ss / df))
    low = float(np.sqrt(ss / stats.chi2.ppf(0.95, df)))
    high = float(np.sqrt(ss / stats.chi2.ppf(0.05, df)))
    return SdFit(sd, df, low, high, dict(residuals))


def _vector(shares: Mapping[str, float], keys: Sequence[str]) -> np.ndarray:
    return np.array([shares[k] for k in keys], dtype=float)


def poll_errors(years: Iterable[int] = YEARS, round_: int = 1) -> dict[int, np.ndarray]:
    """Final-poll error (poll minus result) in clr space, by year."""
    out = {}
    for y in years:
        result = result_shares(y, round_)
        keys = list(result)
        poll = poll_average(y, round_).shares
        out[y] = clr(_vector(poll, keys)) - clr(_vector(result, keys))
    return out


def fit_clr_sd(errors: Mapping[int, np.ndarray]) -> SdFit:
    """The sd per log-share from clr errors (each of K components has K - 1 degrees of freedom)."""
    errors = {k: clr(np.exp(e)) for k, e in errors.items()}  # re-centre (a no-op on clr input)
    ss = float(sum(e @ e for e in errors.values()))
    df = sum(len(e) - 1 for e in errors.values())
    return _sd_fit(ss, df, errors)


def fit_poll_error(years: Iterable[int] = YEARS, round_: int = 1) -> SdFit:
    """The sd of the final-poll error per bloc log-share, first round or runoff (no bias)."""
    return fit_clr_sd(poll_errors(years, round_))


@dataclass(frozen=True)
class HorizonFit:
    """The drift from six-month polls to final polls.

    Attributes:
        centre_bias: Mean loss of the centre's log-share over the horizon (0 if not fitted).
        sd: The sd of the remaining drift per bloc log-share.
        ref_days: Mean days before the first round of the six-month polls.
        final_lead_days: Mean days before the first round of the final polls (2010-2022).
    """

    centre_bias: float
    sd: SdFit
    ref_days: float
    final_lead_days: float


def fit_horizon(years: Iterable[int] = HORIZON_YEARS, *, bias: bool = True) -> HorizonFit:
    """Fit the six-month drift: ``clr(six) - clr(final) = centre_bias * u + e``.

    ``u`` is the clr image of a unit drop in the centre's log-share; ``e`` has sd ``sd`` per
    bloc. One election leaves one degree of freedom with the bias, two without.
    """
    years = list(years)
    drift = {}
    days = []
    for y in years:
        six = poll_average(y, 1, "six_months")
        final = poll_average(y, 1, "final")
        drift[y] = clr(six.vector()) - clr(final.vector())
        days.append(six.days_before)
    b = float(np.mean([d @ _U_CENTRE for d in drift.values()]) / (_U_CENTRE @ _U_CENTRE))
    if not bias:
        b = 0.0
    resid = {y: d - b * _U_CENTRE for y, d in drift.items()}
    ss = float(sum(r @ r for r in resid.values()))
    df = 2 * len(years) - (1 if bias else 0)
    final_days = float(np.mean([poll_average(y, 1).days_before for y in YEARS]))
    return HorizonFit(b, _sd_fit(ss, df, resid), float(np.mean(days)), final_days)


@dataclass(frozen=True)
class TransferFit:
    """Runoff transfers by eliminated bloc and the sd of the runoff residual (logit).

    Attributes:
        transfer: Share of the eliminated bloc's voters going to ``TRANSFER_RECEIVER``, for the
            eliminated blocs seen in the data.
        sd: The residual sd in logit units of the receiver's runoff share.
        implied: The transfer each runoff alone would imply (may fall outside [0, 1]).
    """

    transfer: dict[str, float]
    sd: SdFit
    implied: dict[int, float]


def _runoff_record(year: int) -> tuple[np.ndarray, int, int, float]:
    first = _vector(result_shares(year, 1), BLOCS)
    run = result_shares(year, 2)
    eliminated = next(b for b in BLOCS if b not in run)
    receiver = TRANSFER_RECEIVER[eliminated]
    return first, BLOCS.index(receiver), BLOCS.index(eliminated), run[receiver]


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p) - np.log1p(-p)


def fit_transfers(years: Iterable[int] = YEARS) -> TransferFit:
    """Least-squares transfers in logit space, one per eliminated bloc, bounded to [0, 1]."""
    return fit_transfer_records({y: _runoff_record(y) for y in years})


def fit_transfer_records(
    records: Mapping[int, tuple[np.ndarray, int, int, float]],
) -> TransferFit:
    """:func:`fit_transfers` on given runoffs.

    Args:
        records: By key (a year), ``(first-round shares in BLOCS order, receiver index,
            eliminated index, receiver's runoff share)``.
    """
    groups: dict[str, list[int]] = {}
    for y, (_, _, e, _) in records.items():
        groups.setdefault(BLOCS[e], []).append(y)
    transfer: dict[str, float] = {}
    resid: dict[int, np.ndarray] = {}
    for elim, ys in groups.items():
        rows = [records[y] for y in ys]

        def loss(t: float, rows: list[tuple[np.ndarray, int, int, float]] = rows) -> float:
            return float(sum((_logit(v) - _logit(s[r] + t * s[e])) ** 2 for s, r, e, v in rows))

        t = float(optimize.minimize_scalar(loss, bounds=(0.0, 1.0), method="bounded").x)
        transfer[elim] = t
        for y in ys:
            s, r, e, v = records[y]
            resid[y] = np.atleast_1d(_logit(v) - _logit(s[r] + t * s[e]))
    implied = {y: float((v - s[r]) / s[e]) for y, (s, r, e, v) in records.items()}
    ss = float(sum(float(r @ r) for r in resid.values()))
    return TransferFit(transfer, _sd_fit(ss, len(records) - len(groups), resid), implied)


def fitted_parameters() -> dict[str, float]:
    """The registry values these fits produce on all the data (checked by the tests)."""
    fr = fit_poll_error(YEARS, 1)
    hz = fit_horizon()
    tr = fit_transfers()
    out = {
        "election.poll.sd_final": fr.sd,
        "election.poll.sd_horizon": hz.sd.sd,
        "election.poll.centre_bias": hz.centre_bias,
        "election.poll.horizon_ref_days": hz.ref_days,
        "election.poll.final_lead_days": hz.final_lead_days,
        "election.transfer.sd": tr.sd.sd,
    }
    for elim, t in tr.transfer.items():
        out[f"election.transfer.{elim}_to_{TRANSFER_RECEIVER[elim]}"] = t
    return out


# --------------------------------------------------------------------------- back-test
_DENSITY_FLOOR = 1e-6


@dataclass(frozen=True)
class _Fits:
    first_round: SdFit
    runoff: SdFit
    horizon: HorizonFit
    transfers: TransferFit


def _fits(held_out: int) -> _Fits:
    others = [y for y in YEARS if y != held_out]
    return _Fits(
        fit_poll_error(others, 1),
        fit_poll_error(others, 2),
        fit_horizon([y for y in HORIZON_YEARS if y != held_out]),
        fit_transfers(others),
    )


def _tri(rng: np.random.Generator, low: float, mode: float, high: float) -> float:
    return float(rng.triangular(low, mode, high)) if high > low else mode


def _draw_params(
    base: ElectionParams, fits: _Fits, rng: np.random.Generator, *, bias: bool
) -> ElectionParams:
    """One draw of the refitted coefficients, each sd from ``triangular(5 %, fit, 95 %)``."""
    fr, hz, tr = fits.first_round, fits.horizon, fits.transfers
    b = _tri(rng, 0.0, hz.centre_bias, 2.0 * hz.centre_bias)  # drawn even if unused (pairing)
    return dataclasses.replace(
        base,
        sd_final=_tri(rng, fr.low, fr.sd, fr.high),
        sd_horizon=_tri(rng, hz.sd.low, hz.sd.sd, hz.sd.high),
        centre_bias=b if bias else 0.0,
        horizon_ref_days=hz.ref_days,
        final_lead_days=hz.final_lead_days,
        transfer={**base.transfer, **tr.transfer},
        sd_transfer=_tri(rng, tr.sd.low, tr.sd.sd, tr.sd.high),
    )


def _engine(
    prior: PollPrior,
    base: ElectionParams,
    fits: _Fits,
    seed: int,
    *,
    bias: bool = True,
    first_round: Mapping[str, float] | None = None,
    n_params: int = 200,
    n_each: int = 25,
) -> dict[str, np.ndarray]:
    """Engine samples with the refitted coefficients drawn ``n_params`` times (drivers at 0)."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(n_params):
        params = _draw_params(base, fits, rng, bias=bias)
        parts.append(
            simulate_elections(prior, Drivers(), params, rng, n_each, first_round=first_round)
        )
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _polls_only_runoff(
    year: int, fits: _Fits, seed: int, n_params: int = 200, n_each: int = 25
) -> dict[str, np.ndarray]:
    """The final runoff polls with the refitted runoff poll error (log-ratio sd = sqrt(2) sd)."""
    rng = np.random.default_rng(seed)
    polls = poll_average(year, 2).shares
    a, b = list(polls)
    centre = np.log(polls[a] / polls[b])
    ro = fits.runoff
    sds = np.repeat([_tri(rng, ro.low, ro.sd, ro.high) for _ in range(n_params)], n_each)
    x = centre + np.sqrt(2.0) * sds * rng.standard_normal(sds.size)
    vote = np.zeros((sds.size, 3))
    vote[:, BLOCS.index(a)] = 1.0 / (1.0 + np.exp(-x))
    vote[:, BLOCS.index(b)] = 1.0 - vote[:, BLOCS.index(a)]
    return {"runoff": vote, "winner": np.argmax(vote, axis=1)}


def _log_density(samples: np.ndarray, observed: float, mass: float = 1.0) -> float:
    """Log predictive density (Gaussian KDE) at ``observed``, times ``mass``, floored."""
    if mass <= 0 or samples.size < 10 or np.ptp(samples) == 0:
        return float(np.log(_DENSITY_FLOOR))
    density = float(stats.gaussian_kde(samples)(observed)[0]) * mass
    return float(np.log(max(density, _DENSITY_FLOOR)))


def _rows(
    year: int, forecast: str, method: str, samples: Mapping[str, np.ndarray], rounds: set[str]
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    base = {"year": year, "forecast": forecast, "method": method}
    if "first round" in rounds:
        observed = result_shares(year, 1)
        for i, b in enumerate(BLOCS):
            x = samples["first_round"][:, i]
            rows.append(
                base
                | {
                    "round": "first round",
                    "target": b,
                    "observed": observed[b],
                    "mean": float(x.mean()),
                    "crps": crps_ensemble(x, observed[b]),
                    "log_score": _log_density(x, observed[b]),
                }
            )
    if "runoff" in rounds:
        observed = result_shares(year, 2)
        pair = [BLOCS.index(b) for b in observed]
        for b in observed:
            x = samples["runoff"][:, BLOCS.index(b)]
            in_pair = x > 0
            if "pair" in samples:
                got = np.sort(samples["pair"], axis=1)
                in_pair = np.all(got == np.sort(pair), axis=1)
            rows.append(
                base
                | {
                    "round": "runoff",
                    "target": b,
                    "observed": observed[b],
                    "mean": float(x.mean()),
                    "crps": crps_ensemble(x, observed[b]),
                    "log_score": _log_density(x[in_pair], observed[b], float(in_pair.mean())),
                }
            )
    if "winner" in rounds:
        winner = max(result_shares(year, 2).items(), key=lambda kv: kv[1])[0]
        p = np.bincount(samples["winner"], minlength=3) / samples["winner"].size
        outcome = np.array([b == winner for b in BLOCS], dtype=float)
        p_win = float(p[BLOCS.index(winner)])
        rows.append(
            base
            | {
                "round": "winner",
                "target": winner,
                "observed": 1.0,
                "mean": p_win,
                "brier": float(np.sum((p - outcome) ** 2)),
                "log_score": float(np.log(max(p_win, _DENSITY_FLOOR))),
            }
        )
    return rows


def backtest(
    years: Sequence[int] = HORIZON_YEARS, *, seed: int = 20251231, n_params: int = 200
) -> pd.DataFrame:
    """Leave-one-election-out back-test of the engine against a polls-only forecast.

    For each held-out year: refit the first-round and runoff poll errors and the transfers on
    the other three elections and the horizon drift on the other horizon year, then forecast
    the held-out election with drivers at zero change (no covariates of the time are used):

    * ``final polls``: the first round from the final polls, its runoff through the transfers,
      and the winner. The polls-only forecast is the same poll average with the same error for
      the first round (identical to the engine: with drivers at zero and no bias at this
      horizon they coincide) and the final runoff polls, with the refitted runoff poll error,
      for the runoff and the winner (it sees polls taken after the first round).
    * ``six-month polls``: the same from the polls of about six months before; polls-only has
      the same errors but no centre bias (first round only).
    * ``given first round``: the runoff and winner from the actual first-round result (the
      transfer model alone).

    Every fitted sd is drawn ``n_params`` times from its ``triangular(5 %, fit, 95 %)`` spread.
    Scores: CRPS (share units) and log score (log predictive density, Gaussian KDE; higher is
    better) of each bloc's share; for the winner, the Brier score over the three blocs and the
    log probability of the actual winner.

    Returns:
        One row per year, forecast, method, round and target.
    """
    base = ElectionParams.from_mapping(defaults())
    rows: list[dict[str, object]] = []
    for year in years:
        fits = _fits(year)
        s = seed + year
        final = poll_average(year, 1, "final")
        six = poll_average(year, 1, "six_months")
        everything = {"first round", "runoff", "winner"}
        engine = _engine(final, base, fits, s, n_params=n_params)
        rows += _rows(year, "final polls", "engine", engine, everything)
        polls = _engine(final, base, fits, s, bias=False, n_params=n_params)
        rows += _rows(year, "final polls", "polls-only", polls, {"first round"})
        runoff = _polls_only_runoff(year, fits, s + 1, n_params=n_params)
        rows += _rows(year, "final polls", "polls-only", runoff, {"runoff", "winner"})
        engine = _engine(six, base, fits, s + 2, n_params=n_params)
        rows += _rows(year, "six-month polls", "engine", engine, everything)
        polls = _engine(six, base, fits, s + 2, bias=False, n_params=n_params)
        rows += _rows(year, "six-month polls", "polls-only", polls, {"first round"})
        actual = result_shares(year, 1)
        given = _engine(final, base, fits, s + 3, first_round=actual, n_params=n_params)
        rows += _rows(year, "given first round", "engine", given, {"runoff", "winner"})
    return pd.DataFrame(rows)


def backtest_table(table: pd.DataFrame) -> str:
    """A Markdown summary of :func:`backtest`: mean scores per year, forecast and method.

    CRPS in percentage points (lower is better), log score as the mean log density of the
    bloc shares (higher is better), Brier over the three blocs (lower is better).
    """
    header = (
        "| held out | forecast | method | first-round CRPS (pts) | first-round log score "
        "| runoff CRPS (pts) | runoff log score | winner Brier | P(actual winner) |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    keys = ["year", "forecast", "method"]
    for (year, forecast, method), g in table.groupby(keys, sort=False):
        fr = g[g["round"] == "first round"]
        ro = g[g["round"] == "runoff"]
        win = g[g["round"] == "winner"]

        def fmt(x: pd.Series, scale: float = 1.0, digits: int = 2) -> str:
            return f"{x.mean() * scale:.{digits}f}" if len(x) else "–"

        lines.append(
            f"| {year} | {forecast} | {method} | {fmt(fr['crps'], 100, 1)} "
            f"| {fmt(fr['log_score'])} | {fmt(ro['crps'], 100, 1)} | {fmt(ro['log_score'])} "
            f"| {fmt(win['brier'], 1, 3)} | {fmt(win['mean'], 1, 2)} |"
        )
    return header + "\n".join(lines) + "\n"
