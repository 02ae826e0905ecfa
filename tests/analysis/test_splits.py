"""A batch split by a categorical input: counts, medians and probabilities per category."""

from __future__ import annotations

import numpy as np
import pytest

from rift.analysis.elections import split_by_winner
from rift.analysis.splits import categorical_inputs, split_by
from rift.analysis.summary import event_probability
from rift.errors import InputError


def test_a_split_partitions_the_runs_and_its_medians_are_those_of_its_runs(small_batches):
    res = small_batches["baseline"]
    table = split_by(res, "winner")
    ok = res.ok_runs
    assert table["runs"].sum() == len(ok)
    assert table["share"].sum() == pytest.approx(1.0)
    assert list(table["runs"]) == sorted(table["runs"], reverse=True)
    for _, row in table.iterrows():
        mine = ok[ok["winner"].astype(str) == row["winner"]]
        assert row["runs"] == len(mine)
        assert row["control_any"] == float(np.median(mine["control_any"]))
        assert row["p_rupture"] == event_probability(mine, "rupture")


def test_the_split_by_winner_is_the_2026_election_table(small_batches):
    res = small_batches["full_rupture"]
    ours = split_by(res, "winner").set_index("winner")
    theirs = split_by_winner(res).set_index("winner")
    theirs = theirs[theirs["runs"] > 0]
    assert set(ours.index) == set(theirs.index)
    for bloc in ours.index:
        assert ours.loc[bloc, "runs"] == theirs.loc[bloc, "runs"]
        assert ours.loc[bloc, "control_any"] == theirs.loc[bloc, "control_any"]
        assert ours.loc[bloc, "p_rupture"] == theirs.loc[bloc, "p_rupture"]


def test_the_categorical_inputs_are_the_draws_and_the_variants(small_batches):
    names = categorical_inputs(small_batches["baseline"])
    assert "winner" in names
    assert any(n.startswith("variant.") for n in names)
    for name in names:  # each one splits the batch into at least two categories
        assert len(split_by(small_batches["baseline"], name)) >= 2


def test_an_unknown_input_names_the_key_and_the_closest_name(small_batches):
    with pytest.raises(InputError) as err:
        split_by(small_batches["baseline"], "winer")
    text = err.value.message()
    assert "--split" in text and "'winer'" in text and "winner" in text
