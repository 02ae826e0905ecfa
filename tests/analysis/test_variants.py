"""Effects split by a sampled input (``rift compare --by``): against a computation by hand."""

from __future__ import annotations

import numpy as np
import pytest

from rift.analysis.variants import split_effects
from rift.cli import main
from rift.errors import InputError


def test_the_split_effect_is_the_paired_mean_in_each_group(small_batches):
    a, b = small_batches["baseline"], small_batches["full_rupture"]
    by = "param.variant.coca"
    table = split_effects(a, b, by, ["coca_ha"], ["rupture"])
    ra = a.runs.set_index("run")
    rb = b.runs.set_index("run")
    assert (ra[by].astype(str) == rb[by].astype(str)).all()  # paired runs share the variant
    for group in ["all", *sorted(ra[by].astype(str).unique())]:
        mask = (
            np.ones(len(ra), bool) if group == "all" else (ra[by].astype(str) == group).to_numpy()
        )
        d = rb["coca_ha"].to_numpy(float)[mask] - ra["coca_ha"].to_numpy(float)[mask]
        row = table[(table["quantity"] == "coca_ha") & (table["group"] == group)].iloc[0]
        assert row["runs"] == mask.sum() and row["difference"] == pytest.approx(d.mean())
        half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
        assert row["high"] - row["difference"] == pytest.approx(half)
        ev = table[(table["quantity"] == "P(rupture)") & (table["group"] == group)].iloc[0]
        e = rb["rupture_month"].notna().to_numpy(float) - ra["rupture_month"].notna().to_numpy(
            float
        )
        assert ev["difference"] == pytest.approx(e[mask].mean())
    overall = table[(table["quantity"] == "P(rupture)") & (table["group"] == "all")].iloc[0]
    groups = table[(table["quantity"] == "P(rupture)") & (table["group"] != "all")]
    assert overall["holds"] == bool((groups["low"] > 0).all() and overall["difference"] > 0)


def test_unpaired_batches_or_unknown_columns_are_refused(small_batches):
    a, other = small_batches["baseline"], small_batches["baseline_other_seed"]
    with pytest.raises(InputError, match="different root seeds"):
        split_effects(a, other, "param.variant.coca", ["coca_ha"])
    with pytest.raises(InputError, match=r"param\.variant\.coca"):
        split_effects(a, small_batches["full_rupture"], "param.nothing", ["coca_ha"])


def test_compare_by_prints_and_writes_the_split(small_batches, tmp_path, capsys):
    a, b = small_batches["baseline"], small_batches["full_rupture"]
    out = tmp_path / "c"
    args = ["compare", str(a.path), str(b.path), "--by", "param.variant.china"]
    assert main([*args, "--no-report", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "paired effect by param.variant.china" in text and "P(rupture)" in text
    assert (out / "by_variant.china_full_rupture.csv").is_file()
