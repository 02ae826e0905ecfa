"""A batch split by one of its runs' categorical inputs (the 2030 winner, a model variant).

An analyst asks "what happens if the right wins in 2030?" of a batch in which the winner is a
draw, not a setting: the runs each category holds are a conditional sample of the batch. The
categories are those :func:`rift.analysis.discovery.discovery_inputs` finds (the election
winners, the US elections, the model variants, the particle of the present), so that a split
and a PRIM box read the same inputs.

The split is descriptive: the runs of a category differ from the others in whatever led to it
(a right-wing winner follows a quieter alliance), so a difference between categories is not
the effect of the category. A paired effect needs a scenario that sets it (e.g.
``left_win_2030``) and ``rift compare``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rift.analysis.discovery import discovery_inputs
from rift.analysis.summary import event_probability
from rift.errors import InputError, did_you_mean
from rift.record import RECORD
from rift.results import Results

#: Horizon outcomes shown in a split, and the events whose probability it shows.
SPLIT_OUTCOMES = ("control_any", "presence_any", "members_total", "coca_ha", "cooperation_index")
SPLIT_EVENTS = ("rupture", "recertification", "deal")


def categorical_inputs(results: Results) -> list[str]:
    """The batch's categorical inputs that take more than one value (names to split by)."""
    x = discovery_inputs(results)
    return [c for c in x.columns if isinstance(x[c].dtype, pd.CategoricalDtype)]


def check_splits(batches: Sequence[Results], splits: Sequence[str]) -> None:
    """Refuse a split that is not a categorical input of every batch (before any work).

    Raises:
        InputError: Naming the batch, ``--split`` and the inputs it has.
    """
    for res in batches:
        names = categorical_inputs(res) if splits else []
        for by in splits:
            if by not in names:
                _refuse(res, by, names)


def _refuse(results: Results, by: str, cats: Sequence[str]) -> None:
    raise InputError(
        f"cannot split by {by!r}",
        file=str(results.path),
        key="--split",
        expected=(
            "a categorical input of the batch with more than one value: " + ", ".join(cats)
            if cats
            else "a categorical input with more than one value (this batch has none)"
        ),
        hint=did_you_mean(by, cats),
    )


def split_by(
    results: Results,
    by: str,
    outcomes: Sequence[str] = SPLIT_OUTCOMES,
    events: Sequence[str] = SPLIT_EVENTS,
) -> pd.DataFrame:
    """Runs, share, horizon medians and event probabilities per category of one input.

    Args:
        results: A stored batch.
        by: A categorical input (``winner_2030``, ``variant.china``, ...; see
            :func:`categorical_inputs`).
        outcomes: Horizon outcomes (their median among the category's runs).
        events: Events (the share of the category's runs in which each happened by the
            horizon).

    Returns:
        One row per category (most runs first): ``by``, ``runs``, ``share``, each outcome's
        median and ``p_<event>``. Outcomes or events the batch does not record are left out.

    Raises:
        InputError: ``by`` is not a categorical input of the batch.
    """
    x = discovery_inputs(results)
    cats = [c for c in x.columns if isinstance(x[c].dtype, pd.CategoricalDtype)]
    if by not in cats:
        _refuse(results, by, cats)
    ok = results.ok_runs.set_index("run", drop=False).loc[x.index]
    labels = x[by].astype(str).to_numpy()
    rows = []
    for value, n in pd.Series(labels).value_counts(sort=True).items():
        mine = ok[labels == value]
        row: dict[str, float | str | int] = {by: str(value), "runs": int(n)}
        row["share"] = n / len(ok)
        for name in outcomes:
            if name in mine:
                row[name] = float(np.median(mine[name].to_numpy(dtype=float)))
        for event in events:
            try:
                column = RECORD.event(event).column
            except KeyError:
                continue
            if column in mine:
                row[f"p_{event}"] = event_probability(mine, event)
        rows.append(row)
    return pd.DataFrame(rows)
