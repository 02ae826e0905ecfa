"""Fits of the election engine: poll error, six-month drift and runoff transfers.

All errors are measured on bloc shares of candidate votes in centred log-ratio (clr) space:
``clr(x) = log x - mean(log x)``. If each bloc's log-share carries an independent error of sd
``sigma`` (what the engine draws), the clr error of a K-bloc vote has ``K - 1`` degrees of
freedom and ``E|clr error|**2 = (K - 1) * sigma**2``; so ``sigma**2`` is estimated as the sum of
squared clr errors over the sum of ``K - 1``, with no bias term unless stated. With four
elections that leaves few degrees of freedom: every fitted sd comes with the 5-95 % interval
of its scaled-inverse-chi-square posterior (Jeffreys prior). The registry carries that interval
for the runoff sd; for the first-round coefficients it carries the jackknife over the
elections (:func:`fit_spreads`), which scores better on the held-out elections (the posterior
of an sd on 3 degrees of freedom reaches three times the fit).

* :func:`fit_poll_error`: final polls (the last poll of each pollster) against results,
  2010-2022, first round (3 blocs) or runoff (2 finalists).
* :func:`fit_horizon`: the drift from polls about six months before the first round to the
  final polls (2018, 2022) with one bias term, the centre's loss (``centre_bias``).
* :func:`fit_transfers`: the share of the eliminated bloc's voters that goes to the receiving
  finalist in the runoff, by eliminated bloc (least squares in logit space, bounded to [0, 1]),
  and the sd of the runoff residual.
* :func:`fit_spreads`: how far the first-round coefficients (``sd_final``, ``sd_horizon``,
  ``centre_bias``) move when one election is left out (the jackknife over every election the
  data has): the spread the registry carries for them.
* :func:`fit_lead_shares`: each bloc's leading candidate as a share of the bloc's first-round
  vote, 2010-2022 (an outright win needs the *candidate*, not the bloc, above half).

The leave-one-election-out back-test is in :mod:`rift.validation.elections`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from rift.model.election import TRANSFER_RECEIVER
from rift.model.election_data import BLOCS, poll_average, result_lead_shares, result_shares

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


#: Normal quantile of a 5-95 % interval.
_Z90 = float(stats.norm.ppf(0.95))


@dataclass(frozen=True)
class SpreadFit:
    """A coefficient fitted on all the elections and its leave-one-election-out spread.

    Attributes:
        value: The fit on all the years.
        low: ``value - 1.645 * se`` (floored at 0), ``se`` the jackknife standard error.
        high: ``value + 1.645 * se``.
        loo: The fit without each year, by left-out year (empty with fewer than two years).
    """

    value: float
    low: float
    high: float
    loo: Mapping[int, float]


def jackknife(fit: Callable[[list[int]], float], years: Iterable[int]) -> SpreadFit:
    """Fit on all ``years`` and on each leave-one-out subset; the jackknife 5-95 % interval.

    The jackknife standard error is ``sqrt((n - 1) / n * sum((loo - mean(loo))**2))``; with
    one year there is nothing to leave out and the interval is the point (no spread).

    Args:
        fit: A coefficient as a function of the years it is fitted on.
        years: The years available.
    """
    years = list(years)
    value = float(fit(years))
    if len(years) < 2:
        return SpreadFit(value, value, value, {})
    loo = {y: float(fit([x for x in years if x != y])) for y in years}
    v = np.array(list(loo.values()))
    se = float(np.sqrt((len(v) - 1) / len(v) * np.sum((v - v.mean()) ** 2)))
    return SpreadFit(value, max(0.0, value - _Z90 * se), value + _Z90 * se, loo)


def fit_spreads(
    years: Iterable[int] = YEARS, horizon_years: Iterable[int] = HORIZON_YEARS
) -> dict[str, SpreadFit]:
    """The jackknife spreads of the first-round coefficients, by registry name.

    ``sd_final`` is left out one first round at a time (2010-2022); ``sd_horizon`` and
    ``centre_bias`` one horizon election at a time (2018, 2022). The spread replaces the
    5-95 % posterior interval of a single fit (which, with 3 degrees of freedom, reached
    three times the fitted ``sd_horizon``) and the assumed ``[0, 2 x fit]`` of the centre bias.
    """
    years, horizon_years = list(years), list(horizon_years)
    return {
        "election.poll.sd_final": jackknife(lambda ys: fit_poll_error(ys, 1).sd, years),
        "election.poll.sd_horizon": jackknife(lambda ys: fit_horizon(ys).sd.sd, horizon_years),
        "election.poll.centre_bias": jackknife(
            lambda ys: fit_horizon(ys).centre_bias, horizon_years
        ),
    }


def fit_lead_shares(years: Iterable[int] = YEARS) -> dict[str, SpreadFit]:
    """Each bloc's leading first-round candidate as a share of the bloc's vote (``results.csv``).

    ``value`` is the mean over ``years`` and ``low``/``high`` the smallest and largest year
    (``loo`` holds the share by year, not leave-one-out fits). The left had one candidate in
    every first round 2010-2022 (1.0 each time).
    """
    by_year = {y: result_lead_shares(y) for y in years}
    out = {}
    for b in BLOCS:
        shares = {y: float(s[b]) for y, s in by_year.items() if b in s}
        v = np.array(list(shares.values()))
        out[b] = SpreadFit(float(v.mean()), float(v.min()), float(v.max()), shares)
    return out


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
    lead = fit_lead_shares()
    for b in ("centre", "right"):  # the left's lead share (one candidate since 2010) is 2026's
        out[f"election.concentration.{b}"] = lead[b].value
    return out
