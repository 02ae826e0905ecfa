"""The 2026 election in a batch: vote shares, winners, and outcomes split by winner."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rift.analysis.summary import event_probability, ok_runs
from rift.record import BLOCS
from rift.results import Results

#: Horizon outcomes shown split by the winner of 2026.
BY_WINNER = ("control_any", "coca_ha", "members_total", "cooperation_index")


def has_vote(results: Results) -> bool:
    """Whether the batch simulated the vote (not a fixed or drawn winner only)."""
    runs = ok_runs(results.runs)
    return "first_round_left" in runs and runs["first_round_left"].notna().any()


def winner_shares(results: Results) -> pd.Series:
    """The share of runs each bloc won (indexed by bloc)."""
    runs = ok_runs(results.runs)
    if "winner" not in runs:
        return pd.Series(np.nan, index=list(BLOCS))
    w = runs["winner"].astype("string")
    return pd.Series({b: float((w == b).mean()) for b in BLOCS}, name=results.name)


def split_by_winner(results: Results, outcomes: Sequence[str] = BY_WINNER) -> pd.DataFrame:
    """Median of horizon outcomes and P(full rupture) among the runs each bloc won."""
    runs = ok_runs(results.runs)
    rows = []
    for b in BLOCS:
        mine = runs[runs["winner"].astype("string") == b] if "winner" in runs else runs.iloc[:0]
        row: dict[str, float | str | int] = {"winner": b, "runs": len(mine)}
        for name in outcomes:
            row[name] = float(np.median(mine[name])) if len(mine) else np.nan
        row["p_rupture"] = event_probability(mine, "rupture") if len(mine) else np.nan
        row["p_recertification"] = (
            event_probability(mine, "recertification") if len(mine) else np.nan
        )
        rows.append(row)
    return pd.DataFrame(rows)
