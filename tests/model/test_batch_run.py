"""mesa.batch_run drives AllianceModel with seeded runs on Mesa 3.3 and 3.5."""

import inspect

import mesa
import numpy as np
import pandas as pd

from rift.model import AllianceModel
from rift.record import RECORD

SEEDS = [1, 2, 3]


def _batch(parameters, every_step=False):
    kwargs = dict(
        number_processes=1,
        data_collection_period=1 if every_step else -1,
        max_steps=100,
        display_progress=False,
    )
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.4: rng=[...]
        return mesa.batch_run(AllianceModel, parameters, rng=SEEDS, **kwargs)
    # Mesa 3.3 has no rng argument: seeds go in as a swept parameter.
    return mesa.batch_run(AllianceModel, {**parameters, "rng": SEEDS}, iterations=1, **kwargs)


def test_batch_run_gives_the_same_results_as_direct_runs():
    rows = pd.DataFrame(_batch({"end": "2025-12", "us.aid_total_musd": [450.0, 550.0]}))
    assert len(rows) == len(SEEDS) * 2
    assert set(RECORD.outcome_names) <= set(rows.columns)
    seed_col = "rng" if "rng" in rows else "seed"
    for _, row in rows.iterrows():
        direct = AllianceModel(
            rng=int(row[seed_col]), end="2025-12", **{"us.aid_total_musd": row["us.aid_total_musd"]}
        ).run()
        assert np.allclose(direct.series[-1], row[list(RECORD.outcome_names)].to_numpy(dtype=float))


def test_batch_run_collects_every_month():
    rows = pd.DataFrame(_batch({"end": "2025-06"}, every_step=True))
    per_run = rows.groupby("RunId").size()
    assert (per_run >= 6).all()
    run0 = rows[rows["RunId"] == rows["RunId"].min()].sort_values("Step")
    seed_col = "rng" if "rng" in rows else "seed"
    direct = AllianceModel(rng=int(run0[seed_col].iloc[0]), end="2025-06").run()
    collected = run0["coca_ha"].to_numpy()[-6:]  # one row per month, in step order
    assert np.array_equal(collected, direct.column("coca_ha"))
