"""The archived forecast (``forecast_2025_12``) scored against what happened in 2026.

``forecast_2025_12`` is the baseline as it stood with data through 2025-12: the calibration
through 2024-12, the polls and the seeds' record of 2025, from the January-2025 state. It never
saw the record of 2026, so every score here is out of sample: rift's own track record.

What is scored, each against the coded record (:mod:`rift.present.record`) with its source:

- **The détente**: a leader-to-leader deal in January–February 2026 (the record: the call of
  2026-01-07 and its joint actions against the ELN), and US measures in force in 2026-03 below
  their late-2025 peak (the record: four measures on in 2026-03 against five in 2025-10..12, as
  far as it says: an end it lacks is unknown, so the observed count is an upper bound).
- **The first round** (2026-05-31): the left's and the right's shares, and whether a candidate
  won outright (no one did).
- **The runoff** (2026-06-21): the winner's bloc, a left–right runoff, and the right's share of
  the two candidates' votes.
- **The figures** of 2025–2026 (members by group, presence, vessel-strike deaths), by CRPS
  relative to the observed value, against persistence and the trend of the reference figures
  through 2024-12 (what the forecast knew).

Binary outcomes are scored by the Brier score and the log score (probabilities clipped to
``[1/(2n), 1 - 1/(2n)]`` for ``n`` runs, so a run count bounds the penalty of "never"), against a
reference forecast named in each row (the history's base rate, Laplace-smoothed, or a coin).

A deal in a window is not a per-run outcome (``deal_month`` is the first deal only), so the
forecast is run with one seed to each month of :data:`HORIZONS`: a run's path does not depend
on its horizon (a test checks it), so ``deals`` at 2026-02 minus ``deals`` at 2025-12 counts
the run's deals in the window. The model's vote shares are of the candidates' votes (blank
votes removed); the record's first-round shares include the blank vote (about 2 %), so the
model's are slightly higher for the same result; the runoff's are compared as shares of the two
candidates' votes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rift.analysis.summary import ok_runs
from rift.months import format_month, parse_month
from rift.present.record import CodedRecord, coded_record
from rift.results import Results
from rift.validation.forecast.scoring import crps_ensemble, interval_hit

#: The archived forecast's shipped scenario.
FORECAST = "forecast_2025_12"
#: The last month of data the archived forecast used.
DATA_THROUGH = "2025-12"
#: The window of the détente's first deal (the call of 2026-01-07 and the White House meeting
#: of 2026-02-03).
DEAL_WINDOW = ("2026-01", "2026-02")
#: The months of the late-2025 peak of US measures, and the month compared with it.
PEAK_MONTHS = ("2025-09", "2025-12")
AFTER_PEAK = "2026-03"
#: The horizons the forecast is run to (same seed): the count of deals at each bounds the window.
HORIZONS = ("2025-12", "2026-02", "2026-12")
#: Colombian presidential elections the record of results holds (results.csv), for the base
#: rates of the reference forecasts.
HISTORY_YEARS = (2010, 2014, 2018, 2022)


@dataclass(frozen=True)
class Scored:
    """The scores of the archived forecast.

    Attributes:
        events: One row per binary outcome: ``what``, ``forecast`` (P), ``observed`` (0/1),
            ``brier``, ``log``, ``reference`` (its name), ``p_reference``, ``brier_reference``,
            ``log_reference``, ``source``.
        shares: One row per vote share: ``what``, ``observed``, ``median``, ``p5``, ``p95``,
            ``in90``, ``crps``, ``naive`` (the 2022 result), ``crps_naive``, ``runs``, ``source``.
        figures: One row per figure of the record: ``observable``, ``month``, ``observed``,
            ``median``, ``p5``, ``p95``, ``in90``, ``crps_rel``, ``persistence_rel``,
            ``trend_rel``, ``source``.
        runs: Runs scored.
    """

    events: pd.DataFrame
    shares: pd.DataFrame
    figures: pd.DataFrame
    runs: int

    def summary(self) -> dict[str, float]:
        """Mean Brier and log score against the references, and the figures' relative CRPS."""
        e, f = self.events, self.figures
        return {
            "brier": float(e["brier"].mean()),
            "brier_reference": float(e["brier_reference"].mean()),
            "log": float(e["log"].mean()),
            "log_reference": float(e["log_reference"].mean()),
            "crps_rel": float(f["crps_rel"].mean()) if len(f) else math.nan,
            "persistence_rel": float(f["persistence_rel"].mean()) if len(f) else math.nan,
            "trend_rel": float(f["trend_rel"].mean()) if len(f) else math.nan,
        }


def _clip(p: float, n: int) -> float:
    eps = 1.0 / (2 * max(n, 1))
    return min(max(p, eps), 1 - eps)


def _binary(
    what: str, p: float, observed: int, n: int, reference: str, p_ref: float, source: str
) -> dict[str, object]:
    def log(q: float) -> float:
        return -math.log(q if observed else 1 - q)

    pc = _clip(p, n)
    return {
        "what": what,
        "forecast": p,
        "observed": observed,
        "brier": (p - observed) ** 2,
        "log": log(pc),
        "reference": reference,
        "p_reference": p_ref,
        "brier_reference": (p_ref - observed) ** 2,
        "log_reference": log(p_ref),
        "source": source,
    }


def _shares(year: int, round_: int) -> dict[str, float]:
    """A past round's bloc shares of the candidates' votes (``results.csv``)."""
    from rift.model.election_data import result_shares

    return result_shares(year, round_)


def _had_runoff(year: int) -> bool:
    try:
        _shares(year, 2)
    except KeyError:
        return False
    return True


def _past_winner(year: int) -> str:
    final = _shares(year, 2) if _had_runoff(year) else _shares(year, 1)
    return max(final, key=final.__getitem__)


def _runs_at(batches: Mapping[str, Results]) -> dict[str, pd.DataFrame]:
    """Each horizon's ok runs, indexed by run, restricted to the runs ok at every horizon."""
    runs = {h: ok_runs(r.runs).set_index("run") for h, r in batches.items()}
    common = sorted(set.intersection(*(set(r.index) for r in runs.values())))
    return {h: r.loc[common] for h, r in runs.items()}


def score_forecast(batches: Mapping[str, Results], record: CodedRecord | None = None) -> Scored:
    """Score the archived forecast's batches against the record of 2025–2026.

    Args:
        batches: The forecast run with one seed to each month of :data:`HORIZONS` (keys
            ``YYYY-MM``).
        record: The coded record (default: the shipped one).

    Raises:
        ValueError: A horizon is missing, or the batches are not of one seed.
    """
    rec = record or coded_record()
    missing = [h for h in HORIZONS if h not in batches]
    if missing:
        raise ValueError(f"no batch to {', '.join(missing)}")
    seeds = {int(r.manifest["scenario"]["seed"]) for r in batches.values()}
    if len(seeds) != 1:
        raise ValueError(f"the batches have different seeds ({sorted(seeds)})")
    runs = _runs_at({h: batches[h] for h in HORIZONS})
    last = batches[HORIZONS[-1]]
    final = runs[HORIZONS[-1]]
    n = len(final)
    events = []

    # the détente: a deal in 2026-01..02, and measures in 2026-03 below the late-2025 peak
    deal_rows = [e for e in rec.events if e.name == "both.deal"]
    lo, hi = (parse_month(m) for m in DEAL_WINDOW)
    in_window = [e for e in deal_rows if lo <= e.month <= hi]
    deals = (runs["2026-02"]["deals"] - runs["2025-12"]["deals"]).to_numpy(float)
    events.append(
        _binary(
            f"a leader-to-leader deal in {DEAL_WINDOW[0]}..{DEAL_WINDOW[1]}",
            float(np.mean(deals > 0)),
            int(bool(in_window)),
            n,
            "coin",
            0.5,
            in_window[0].source.title if in_window else "no deal row in the window",
        )
    )
    series = last.series
    series = series[series["run"].isin(final.index)]
    month = series["month"].astype(str).str[:7]
    peak_mask = (month >= PEAK_MONTHS[0]) & (month <= PEAK_MONTHS[1])
    peak = series[peak_mask].groupby("run")["us_measures_on"].max()
    after = series[month == AFTER_PEAK].set_index("run")["us_measures_on"]
    below = (after.reindex(peak.index) < peak).to_numpy()
    peak_months = range(parse_month(PEAK_MONTHS[0]), parse_month(PEAK_MONTHS[1]) + 1)
    rec_peak = max(len(_us(rec.in_force(m))) for m in peak_months)
    rec_after = len(_us(rec.in_force(AFTER_PEAK)))
    ended = [c for c in rec.measures if not c.started and c.name.startswith("us.")
             and parse_month(PEAK_MONTHS[1]) < c.month <= parse_month(AFTER_PEAK)]  # fmt: skip
    events.append(
        _binary(
            f"US measures in force in {AFTER_PEAK} below their late-2025 peak",
            float(np.mean(below)),
            int(rec_after < rec_peak),
            n,
            "coin",
            0.5,
            (ended[0].source.title if ended else "the record's measure rows")
            + f" ({rec_after} on in {AFTER_PEAK} against {rec_peak} at the peak)",
        )
    )

    # the first round and the runoff
    results = {(r.round, r.bloc): r for r in rec.results if r.unit == "share"}
    runoff_years = [y for y in HISTORY_YEARS if _had_runoff(y)]
    runoff_rate = (len(runoff_years) + 1) / (len(HISTORY_YEARS) + 2)
    runoff_held = ("runoff", "right") in results or ("runoff", "left") in results
    first = results.get(("first_round", "right")) or results.get(("first_round", "left"))
    events.append(
        _binary(
            "the first round decides the election (no runoff)",
            float(final["decided_in_first_round"].mean()),
            int(not runoff_held),
            n,
            f"runoffs since 2010 ({len(runoff_years)} of {len(HISTORY_YEARS)}, Laplace)",
            1 - runoff_rate,
            first.source.title if first else "",
        )
    )
    winner = rec.winner()
    past = [_past_winner(y) for y in HISTORY_YEARS]
    wins = {b: past.count(b) for b in ("left", "centre", "right")}
    if winner is not None:
        p_ref = (wins[winner.bloc] + 1) / (len(HISTORY_YEARS) + 3)
        events.append(
            _binary(
                f"the {winner.bloc} wins (runoff of {format_month(winner.month)})",
                float((final["winner"].astype("string") == winner.bloc).mean()),
                1,
                n,
                f"the {winner.bloc}'s wins since 2010 ({wins[winner.bloc]} of "
                f"{len(HISTORY_YEARS)}, Laplace over 3 blocs)",
                p_ref,
                winner.source.title,
            )
        )
    pair = {b for (rnd, b) in results if rnd == "runoff"}
    if pair == {"left", "right"}:
        lr = final["runoff_left"].notna() & final["runoff_right"].notna()
        events.append(
            _binary(
                "a runoff between the left and the right",
                float(lr.mean()),
                1,
                n,
                "coin",
                0.5,
                results[("runoff", "right")].source.title,
            )
        )
    shares = []
    last_first = _shares(HISTORY_YEARS[-1], 1)
    for bloc in ("left", "right"):
        r = results.get(("first_round", bloc))
        if r is None:
            continue
        shares.append(_share(f"first round: the {bloc}'s share", final[f"first_round_{bloc}"],
                             r.value, last_first[bloc], r.source.title))  # fmt: skip
    if pair == {"left", "right"}:
        right, left = results[("runoff", "right")].value, results[("runoff", "left")].value
        x = final.loc[lr, "runoff_right"]
        last_runoff = _shares(HISTORY_YEARS[-1], 2)
        shares.append(
            _share(
                "runoff: the right's share of the two candidates' votes",
                x,
                right / (right + left),
                last_runoff["right"] / (last_runoff["right"] + last_runoff["left"]),
                results[("runoff", "right")].source.title,
            )
        )
    figures = _figures(last, final.index, rec)
    return Scored(pd.DataFrame(events), pd.DataFrame(shares), figures, n)


def _us(state: Mapping[str, object]) -> list[str]:
    return [k for k in state if k.startswith("us.")]


def _share(what: str, samples: pd.Series, observed: float, naive: float, source: str) -> dict:
    x = samples.dropna().to_numpy(float)
    return {
        "what": what,
        "observed": observed,
        "runs": x.size,
        "median": float(np.median(x)) if x.size else math.nan,
        "p5": float(np.percentile(x, 5)) if x.size else math.nan,
        "p95": float(np.percentile(x, 95)) if x.size else math.nan,
        "in90": bool(interval_hit(x, observed, 0.9)) if x.size else False,
        "crps": crps_ensemble(x, observed) if x.size else math.nan,
        "naive": naive,
        "crps_naive": abs(naive - observed),
        "source": source,
    }


def _figures(results: Results, runs: pd.Index, rec: CodedRecord) -> pd.DataFrame:
    """Every figure of the record in the forecast's horizon, against the naive forecasts."""
    from rift.validation.forecast.rolling import naive_relative_errors

    series = results.series[results.series["run"].isin(runs)]
    month = series["month"].astype(str).str[:7]
    origin = parse_month("2024-12")  # what the forecast knew of the figures
    rows = []
    for f in sorted(rec.figures, key=lambda f: (f.month, f.observable)):
        if f.observable not in series.columns:
            continue
        x = series.loc[month == format_month(f.month), f.observable].to_numpy(float)
        x = x[np.isfinite(x)]
        if not x.size:
            continue
        obs = float(f.value)
        scale = abs(obs) if obs else 1.0
        persistence, trend = naive_relative_errors(f.observable, f.month, obs, origin)
        rows.append(
            {
                "observable": f.observable,
                "month": format_month(f.month),
                "observed": obs,
                "median": float(np.median(x)),
                "p5": float(np.percentile(x, 5)),
                "p95": float(np.percentile(x, 95)),
                "in90": bool(interval_hit(x, obs, 0.9)),
                "crps_rel": crps_ensemble(x, obs) / scale,
                "persistence_rel": persistence,
                "trend_rel": trend,
                "source": f.source.title,
            }
        )
    return pd.DataFrame(rows)


def markdown(scored: Scored) -> str:
    """The three tables and the summary, in Markdown."""
    s = scored.summary()
    lines = [
        f"Out of sample: the forecast saw data through {DATA_THROUGH} only ({scored.runs} runs).",
        "",
        "| outcome | forecast P | observed | Brier | reference | P ref | Brier ref |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for r in scored.events.itertuples():
        lines.append(
            f"| {r.what} | {r.forecast:.2f} | {'yes' if r.observed else 'no'} | {r.brier:.3f} "
            f"| {r.reference} | {r.p_reference:.2f} | {r.brier_reference:.3f} |"
        )
    lines += [
        "",
        f"Mean Brier {s['brier']:.3f} (references {s['brier_reference']:.3f}); mean log score "
        f"{s['log']:.2f} (references {s['log_reference']:.2f}); lower is better.",
        "",
        "| vote share | observed | median [5 %, 95 %] | in 90 % | CRPS | 2022 result | its error |",
        "|---|---:|---|:-:|---:|---:|---:|",
    ]
    for r in scored.shares.itertuples():
        lines.append(
            f"| {r.what} | {r.observed:.3f} | {r.median:.3f} [{r.p5:.3f}, {r.p95:.3f}] "
            f"| {'yes' if r.in90 else 'no'} | {r.crps:.3f} | {r.naive:.3f} | {r.crps_naive:.3f} |"
        )
    lines += [
        "",
        "| figure | month | observed | median [5 %, 95 %] | in 90 % | CRPS / obs "
        "| persistence | trend |",
        "|---|---|---:|---|:-:|---:|---:|---:|",
    ]
    for r in scored.figures.itertuples():
        lines.append(
            f"| {r.observable} | {r.month} | {r.observed:,.0f} | {r.median:,.0f} "
            f"[{r.p5:,.0f}, {r.p95:,.0f}] | {'yes' if r.in90 else 'no'} | {r.crps_rel:.3f} "
            f"| {r.persistence_rel:.3f} | {r.trend_rel:.3f} |"
        )
    if len(scored.figures):
        lines += [
            "",
            f"Figures: mean CRPS / observed {s['crps_rel']:.3f}, against "
            f"{s['persistence_rel']:.3f} for persistence and {s['trend_rel']:.3f} for the trend "
            "of the reference figures through 2024-12.",
        ]
    return "\n".join(lines) + "\n"
