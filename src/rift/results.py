"""Results of a batch as tables: one row per run, and run x month series.

``runs`` has one row per run: index, seed, every sampled parameter, every horizon outcome, the
rupture and re-certification months (``YYYY-MM`` or empty) and the error of a failed run.
``series`` has one row per run and month with every outcome as a column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from rift.months import format_month
from rift.outcomes import OUTCOME_NAMES
from rift.runner.seeds import run_seed, seed_label
from rift.runner.worker import RunOutput


def runs_frame(
    outputs: Mapping[int, RunOutput], root_seed: int, samples: Mapping[str, np.ndarray]
) -> pd.DataFrame:
    """One row per run, sorted by run index."""
    rows: list[dict[str, Any]] = []
    for index in sorted(outputs):
        out = outputs[index]
        row: dict[str, Any] = {"run": index, "seed": seed_label(run_seed(root_seed, index))}
        for name, values in samples.items():
            v = values[index]
            row[f"param.{name}"] = v.item() if isinstance(v, np.generic) else v
        if out.result is not None:
            r = out.result
            row.update(r.horizon())
            row["rupture_month"] = (
                None if r.rupture_month is None else format_month(r.rupture_month)
            )
            row["recertification_month"] = (
                None if r.recertification_month is None else format_month(r.recertification_month)
            )
            row["president_final"] = r.president
        row["error"] = out.error
        row["seconds"] = out.seconds
        rows.append(row)
    frame = pd.DataFrame(rows)
    for col in ("rupture_month", "recertification_month", "president_final", "error"):
        if col in frame:
            frame[col] = frame[col].astype("string")
    return frame


def series_frame(outputs: Mapping[int, RunOutput]) -> pd.DataFrame:
    """One row per run and month (successful runs only), outcomes as columns."""
    blocks = []
    for index in sorted(outputs):
        r = outputs[index].result
        if r is None:
            continue
        block = pd.DataFrame(r.series, columns=list(OUTCOME_NAMES))
        block.insert(0, "month", [format_month(int(m)) for m in r.months])
        block.insert(0, "run", index)
        blocks.append(block)
    if not blocks:
        return pd.DataFrame(columns=["run", "month", *OUTCOME_NAMES])
    return pd.concat(blocks, ignore_index=True)
