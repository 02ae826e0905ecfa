"""The 2025 US-Colombia record against the baseline: does the model reproduce what happened?

For each measure of the 2025 record (``alliance_events.csv``, episode "US-Colombia 2025"):
the month it first started (or "none by 2025-12-31"), and from a baseline batch (nothing forced
from 2025-01) the probability that the model started it by then, the median first-start month
and its 90 % band over the runs that started it by 2030, and whether the record's month falls in
that band. Measures that did not start in 2025 are checked the other way: the probability that
the model did not start them by 2025-12.

The intercepts and slopes of the hazards are fitted on 14 episodes, one of which is 2025, and
the tension terms on 2019-2025 (:mod:`rift.validation.calibration.alliance`): this check is
in-sample.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rift.months import format_month, parse_month
from rift.results import Results

EPISODE = "US-Colombia 2025 (Trump-Petro)"
LAST = "2025-12"


def _column(measure: str) -> str | None:
    """The runs-table column of a record measure (``us.tariffs`` → ``us_tariffs_start_month``)."""
    side, _, name = measure.partition(".")
    if side == "us" and name == "decertification":
        return "decertification_month"
    side = {"us": "us", "partner": "col"}.get(side)
    if side is None or name in ("rhetoric", "concession", "deal"):
        return {"concession": "concession_month", "deal": "deal_month"}.get(name)
    return f"{side}_{name}_start_month"


def reproduction_table(results: Results) -> pd.DataFrame:
    """One row per measure of the 2025 record: record month, model probability and band."""
    from rift.validation.events import first_starts, load_record

    record = first_starts(load_record(), EPISODE)
    runs = results.ok_runs
    rows = []
    for _, r in record.iterrows():
        column = _column(r["measure"])
        if column is None or column not in runs:
            continue
        months = runs[column].dropna().map(parse_month).to_numpy()
        n = len(runs)
        started = str(r["first"]).startswith("20")
        when = parse_month(str(r["first"])[:7]) if started else parse_month(LAST)
        p_by = float((months <= when).sum() / n) if n else float("nan")
        q = np.quantile(months, [0.05, 0.5, 0.95]) if len(months) else [np.nan] * 3
        band = (
            f"{format_month(int(q[1]))} [{format_month(int(q[0]))}–{format_month(int(q[2]))}]"
            if len(months)
            else "never"
        )
        inside = bool(len(months)) and started and q[0] <= when <= q[2]
        rows.append(
            {
                "measure": r["measure"],
                "record": str(r["first"])[:7] if started else None,
                # started: P(started by the record's month); not started: P(none by 2025-12)
                "p": p_by if started else 1.0 - p_by,
                "band": band,
                "in_band": inside if started else None,
            }
        )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame) -> str:
    """The table for the README."""
    lines = [
        "| measure | record: first start | model: P(by then), or P(none in 2025) | "
        "model: first start, median [5–95 %] | record in band |",
        "|---|---|---|---|---|",
    ]
    for _, r in table.iterrows():
        started = isinstance(r["record"], str)
        record = r["record"] if started else "none in 2025"
        p = f"{r['p']:.2f}" if started else f"{r['p']:.2f} (none)"
        inside = ("yes" if r["in_band"] else "no") if started else "-"
        lines.append(f"| `{r['measure']}` | {record} | {p} | {r['band']} | {inside} |")
    inside = [bool(x) for x, rec in zip(table["in_band"], table["record"], strict=True)
              if isinstance(rec, str)]  # fmt: skip
    lines.append("")
    lines.append(
        f"{sum(inside)} of {len(inside)} first starts of 2025 inside the model's 90 % band."
    )
    return "\n".join(lines)
