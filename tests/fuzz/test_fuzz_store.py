"""Random byte corruption of every file of a stored batch: ``load`` names the damaged file.

A damaged file is either detected (``InputError`` naming it: the manifest and the tables carry
checksums, the parts their zip CRCs) or harmless (the batch reads back exactly as written, e.g.
a changed byte of JSON whitespace).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rift.errors import InputError
from rift.experiment import _manifest, batch_lock, claim_output, run_scenario
from rift.geography import load_geography
from rift.results import ResultWriter, load, partial_path
from rift.runner import execute_batch, plan_batch
from rift.scenario import scenario_from_dict

from .conftest import FUZZ, SECONDS

SCENARIO = {"name": "fz", "end": "2025-06", "runs": 6, "seed": 3}


@pytest.fixture(scope="module")
def stored(tmp_path_factory) -> dict[str, Path]:
    """A complete batch and a killed one (parts only, no tables)."""
    base = tmp_path_factory.mktemp("store")
    s = scenario_from_dict(SCENARIO)
    complete = run_scenario(s, executor="serial", out=base / "complete").path
    final = claim_output(s, base / "killed")
    months = range(s.start_month, s.end_month + 1)
    with batch_lock(partial_path(final)):
        plan = plan_batch(s)
        writer = ResultWriter(final, _manifest(plan, "serial", 1, None), months, load_geography().n)
        for k in (0, 2):
            for out in execute_batch(plan, indices=[k, k + 1]).outputs.values():
                writer.add(out)
            writer.flush()
    return {"complete": complete, "killed": partial_path(final)}


FILES = [
    ("complete", "manifest.json"),
    ("complete", "runs.parquet"),
    ("complete", "series.parquet"),
    ("complete", "territory.npz"),
    ("killed", "manifest.json"),
    ("killed", "parts/part-000001.npz"),
    ("killed", "parts/part-000002.npz"),
]


def _equal(a, b) -> bool:
    cols = [c for c in a.runs.columns if c != "seconds"]
    try:
        pd.testing.assert_frame_equal(a.runs[cols], b.runs[cols])
        pd.testing.assert_frame_equal(a.series, b.series)
    except AssertionError:
        return False
    return a.manifest == b.manifest


@FUZZ
@given(
    which=st.sampled_from(FILES),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    truncate=st.one_of(st.none(), st.floats(0, 1, exclude_max=True)),
)
def test_corrupt_store_files_are_named_or_harmless(
    stored, tmp_path_factory, which, edits, truncate
):
    kind, name = which
    folder = tmp_path_factory.mktemp("c") / kind
    shutil.copytree(stored[kind], folder)
    original = load(stored[kind])
    target = folder / name
    data = bytearray(target.read_bytes())
    for where, byte in edits:
        data[int(where * len(data))] = byte
    if truncate is not None:
        data = data[: int(truncate * len(data))]
    target.write_bytes(bytes(data))
    import time

    t0 = time.perf_counter()
    try:
        res = load(folder)
    except InputError as exc:
        assert Path(name).name in str(exc), str(exc)
    else:
        assert _equal(res, original), (which, edits, truncate)
    assert time.perf_counter() - t0 < SECONDS
