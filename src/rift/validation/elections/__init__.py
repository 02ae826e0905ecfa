"""Leave-one-election-out back-test of the election engine against a polls-only forecast.

:func:`backtest` refits the engine's poll error, horizon drift and transfers without the
held-out election (:mod:`rift.validation.elections.fits`, re-exported here), forecasts that
election's first round, runoff and winner from its own polls with drivers at zero change (no
covariates of the time), and scores the forecasts; :func:`backtest_table` summarises them in
Markdown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from rift.model.election import Drivers, ElectionParams, simulate_elections
from rift.model.election_data import BLOCS, PollPrior, poll_average, result_shares
from rift.parameters import defaults
from rift.validation.elections.fits import (
    HORIZON_YEARS,
    YEARS,
    HorizonFit,
    SdFit,
    SpreadFit,
    TransferFit,
    clr,
    fit_clr_sd,
    fit_horizon,
    fit_lead_shares,
    fit_poll_error,
    fit_spreads,
    fit_transfer_records,
    fit_transfers,
    fitted_parameters,
    jackknife,
    poll_errors,
)
from rift.validation.forecast.scoring import crps_ensemble

__all__ = [
    "HorizonFit",
    "SdFit",
    "SpreadFit",
    "TransferFit",
    "backtest",
    "backtest_table",
    "clr",
    "fit_clr_sd",
    "fit_horizon",
    "fit_lead_shares",
    "fit_poll_error",
    "fit_spreads",
    "fit_transfer_records",
    "fit_transfers",
    "fitted_parameters",
    "jackknife",
    "outright_check",
    "outright_table",
    "poll_errors",
]

_DENSITY_FLOOR = 1e-6


@dataclass(frozen=True)
class _Fits:
    first_round: SdFit
    runoff: SdFit
    horizon: HorizonFit
    transfers: TransferFit
    spreads: Mapping[str, SpreadFit]


def _fits(held_out: int) -> _Fits:
    others = [y for y in YEARS if y != held_out]
    horizon = [y for y in HORIZON_YEARS if y != held_out]
    return _Fits(
        fit_poll_error(others, 1),
        fit_poll_error(others, 2),
        fit_horizon(horizon),
        fit_transfers(others),
        fit_spreads(others, horizon),
    )


def _tri(rng: np.random.Generator, low: float, mode: float, high: float) -> float:
    """``triangular(low, mode, high)``; a point spread still uses its uniform (pairing)."""
    if high > low:
        return float(rng.triangular(low, mode, high))
    rng.random()  # Generator.triangular draws one double: keep the stream aligned
    return mode


def _draw_params(
    base: ElectionParams, fits: _Fits, rng: np.random.Generator, *, bias: bool
) -> ElectionParams:
    """One draw of the refitted coefficients, as the registry draws them.

    The first-round coefficients from ``triangular(low, fit, high)`` of their jackknife spread
    over the training elections (:func:`fit_spreads`; a point when one election is left to fit
    on), the runoff sd from ``triangular(5 %, fit, 95 %)`` of its posterior.
    """
    tr = fits.transfers
    sp = {k.rsplit(".", 1)[1]: v for k, v in fits.spreads.items()}

    def draw(name: str) -> float:
        f = sp[name]
        return _tri(rng, f.low, f.value, f.high)

    b = draw("centre_bias")  # drawn even if unused (pairing)
    return dataclasses.replace(
        base,
        sd_final=draw("sd_final"),
        sd_horizon=draw("sd_horizon"),
        centre_bias=b if bias else 0.0,
        horizon_ref_days=fits.horizon.ref_days,
        final_lead_days=fits.horizon.final_lead_days,
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
                "p_outright": float(samples["decided"].mean()) if "decided" in samples else np.nan,
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

    Every fitted coefficient is drawn ``n_params`` times, as the registry draws it: the
    first-round ones from the jackknife spread over the training elections
    (:func:`fit_spreads`; a point when one horizon election is left), the runoff sd from its
    ``triangular(5 %, fit, 95 %)`` posterior spread. The winner rows also give P(a first-round
    win), which the record never had (:func:`outright_check`).
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


def outright_check(*, seed: int = 20251231, n_params: int = 200) -> pd.DataFrame:
    """P(a first-round win) from each election's own polls, against the record (none since 2010).

    The held-out elections 2010-2022 from their final polls (and 2018 and 2022 from their
    six-month polls) with the coefficients refitted without them, as in :func:`backtest`, and
    2026 from the poll prior of 2025-11 with the coefficients fitted on 2010-2022. Every one of
    these elections went to a runoff (2026: De la Espriella 43.7 %, Cepeda 40.9 % of valid votes
    in the preliminary count), so the record's probability under the engine is the product of
    ``1 - p_outright``.

    Returns:
        One row per election and forecast: ``year``, ``forecast``, ``p_outright``.
    """
    from rift.model.election_data import poll_prior

    base = ElectionParams.from_mapping(defaults())
    rows = []
    for year in (*YEARS, 2026):
        fits = _fits(year)
        s = seed + year
        if year == 2026:
            sets = {"six-month polls": poll_prior()}
        else:
            sets = {"final polls": poll_average(year, 1, "final")}
            if year in HORIZON_YEARS:
                sets["six-month polls"] = poll_average(year, 1, "six_months")
        for k, (forecast, prior) in enumerate(sets.items()):
            engine = _engine(prior, base, fits, s + 2 * k, n_params=n_params)
            rows.append(
                {"year": year, "forecast": forecast, "p_outright": float(engine["decided"].mean())}
            )
    return pd.DataFrame(rows)


def outright_table(check: pd.DataFrame) -> str:
    """A Markdown table of :func:`outright_check`, with the record's probability under the engine.

    The last line is the product of ``1 - p_outright`` over the rows: the probability the engine
    gives to every one of these elections going to a runoff, as all did.
    """
    lines = [
        "| election | forecast from | P(first-round win) | record |",
        "|---|---|---|---|",
    ]
    for r in check.itertuples():
        lines.append(f"| {r.year} | {r.forecast} | {r.p_outright:.2f} | runoff |")
    p_all = float(np.prod(1.0 - check["p_outright"].to_numpy()))
    lines.append(
        f"| all {len(check)} forecasts | | P(every one a runoff) = {p_all:.2f} | runoffs |"
    )
    return "\n".join(lines) + "\n"


def backtest_table(table: pd.DataFrame) -> str:
    """A Markdown summary of :func:`backtest`: mean scores per year, forecast and method.

    CRPS in percentage points (lower is better), log score as the mean log density of the
    bloc shares (higher is better), Brier over the three blocs (lower is better).
    """
    header = (
        "| held out | forecast | method | first-round CRPS (pts) | first-round log score "
        "| runoff CRPS (pts) | runoff log score | winner Brier | P(actual winner) "
        "| P(first-round win) |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
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
            f"| {fmt(win['brier'], 1, 3)} | {fmt(win['mean'], 1, 2)} "
            f"| {fmt(win['p_outright'].dropna(), 1, 2)} |"
        )
    return header + "\n".join(lines) + "\n"
