"""Does a conclusion hold across the model's variants? Paired effects split by a sampled input.

Two batches run with the same root seed pair run ``k`` with run ``k``, and every sampled input
(``param.*``) of run ``k`` is the same in both when the scenarios sample the same parameters
(a scenario that ``extends`` another does). So the effect of a scenario on an outcome can be
split by the value of a sampled input, e.g. ``param.variant.coca``: if its sign is the same,
and clear, under every variant, the conclusion does not rest on the closure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from rift.analysis.compare import check_pairing
from rift.errors import InputError
from rift.results import Results

#: z of the normal 95 % interval of a paired mean difference.
Z95 = 1.96


def _ok(res: Results) -> pd.DataFrame:
    return res.ok_runs.set_index("run")


def split_effects(
    reference: Results,
    other: Results,
    by: str,
    outcomes: Sequence[str],
    events: Sequence[str] = (),
) -> pd.DataFrame:
    """The paired effect of ``other`` against ``reference``, overall and by the value of ``by``.

    Args:
        reference: The reference batch.
        other: The batch compared, run with the same root seed.
        by: A runs-table column both batches share, normally ``param.<name>``.
        outcomes: Horizon outcomes: the mean paired difference and its 95 % interval.
        events: Events (``<event>_month`` columns): the difference in the share of runs
            in which the event happened by the horizon.

    Returns:
        One row per (quantity, group) with ``quantity``, ``group`` (``all`` or the value),
        ``runs``, ``reference`` (mean or share), ``difference``, ``low``, ``high`` (95 %),
        ``p_positive`` (share of runs with a positive difference, outcomes only) and
        ``holds`` on the ``all`` rows: whether every group's interval excludes zero on the
        same side as the overall difference.

    Raises:
        InputError: The batches are not paired, or do not both have the column.
    """
    pairing = check_pairing(reference, other)
    if not pairing.paired:
        raise InputError(
            f"the batches are not paired run by run ({pairing.reason})",
            key="--by",
            expected="two batches run with the same seed (paired runs share their inputs)",
        )
    a, b = _ok(reference), _ok(other)
    if by not in a or by not in b:
        raise InputError(
            f"no column '{by}' in both batches",
            key="--by",
            expected="a sampled input both batches share, e.g. param.variant.coca ("
            + ", ".join(c for c in a.columns if c.startswith("param.variant"))
            + ")",
        )
    common = a.index.intersection(b.index)
    a, b = a.loc[common], b.loc[common]
    if not a[by].astype(str).equals(b[by].astype(str)):
        raise InputError(
            f"'{by}' differs between paired runs",
            key="--by",
            expected="batches whose scenarios sample the same parameters (one extends the other)",
        )
    groups = a[by].astype(str)
    rows: list[dict] = []

    def add(quantity: str, x: np.ndarray, d: np.ndarray, mask: np.ndarray, label: str, flag):
        n = int(mask.sum())
        if n == 0:
            return
        dm = d[mask]
        se = float(dm.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
        mean = float(dm.mean())
        rows.append(
            {
                "quantity": quantity,
                "group": label,
                "runs": n,
                "reference": float(x[mask].mean()),
                "difference": mean,
                "low": mean - Z95 * se,
                "high": mean + Z95 * se,
                "p_positive": float((dm > 0).mean()) if flag else float("nan"),
            }
        )

    values = sorted(groups.unique())
    series = [(o, a[o].to_numpy(float), b[o].to_numpy(float), True) for o in outcomes]
    for e in events:
        col = f"{e}_month"
        series.append((f"P({e})", a[col].notna().to_numpy(float), b[col].notna().to_numpy(float),
                       False))  # fmt: skip
    for quantity, x, y, flag in series:
        d = y - x
        add(quantity, x, d, np.ones(len(d), bool), "all", flag)
        for v in values:
            add(quantity, x, d, (groups == v).to_numpy(), v, flag)
    table = pd.DataFrame(rows)
    holds = []
    for _, r in table.iterrows():
        if r["group"] != "all":
            holds.append(None)
            continue
        sub = table[(table["quantity"] == r["quantity"]) & (table["group"] != "all")]
        sign = np.sign(r["difference"])
        same = (sub["low"] > 0).all() if sign > 0 else (sub["high"] < 0).all()
        holds.append(bool(same) and sign != 0)
    table["holds"] = holds
    return table


def format_split(table: pd.DataFrame, by: str) -> str:
    """The split table for the terminal."""
    from rift.analysis.summary import format_value

    lines = [
        f"paired effect by {by} (mean difference [95 %]; 'holds': the same clear sign in "
        "every group)",
        f"{'quantity':<32} {'group':<12} {'runs':>5} {'reference':>11} {'difference':>11} "
        f"{'95 % interval':>25} {'holds':>6}",
    ]
    for _, r in table.iterrows():
        holds = "" if r["holds"] is None or pd.isna(r["holds"]) else ("yes" if r["holds"] else "no")
        interval = f"[{format_value(r['low'])}, {format_value(r['high'])}]"
        lines.append(
            f"{r['quantity']:<32} {r['group']:<12} {r['runs']:>5} "
            f"{format_value(r['reference']):>11} {format_value(r['difference']):>11} "
            f"{interval:>25} {holds:>6}"
        )
    return "\n".join(lines)
