"""The documented Python API: simulate, run_batch, exports, and the API page's examples."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import rift
from rift.errors import InputError
from rift.experiment import run_scenario
from rift.record import RECORD
from rift.results import load
from rift.scenario import load_scenario

from .conftest import ROOT


def test_simulate_is_run_k_of_the_batch(tmp_path):
    s = load_scenario("from_2025/full_rupture", ["runs=4", "end=2026-09"])
    stored = load(run_scenario(s, executor="serial", out=tmp_path / "b").path)
    run = rift.simulate(s, run=2)
    rows = stored.series[stored.series["run"] == 2]
    assert np.array_equal(
        run.series["control_any"].to_numpy(), rows["control_any"].to_numpy(dtype=float)
    )
    assert run.seed == stored.runs["seed"].iloc[2]
    for name, value in run.parameters.items():
        assert stored.runs[f"param.{name}"].iloc[2] == value
    assert isinstance(run.series.index, pd.PeriodIndex)
    assert str(run.series.index[0]) == "2025-01" and str(run.series.index[-1]) == "2026-09"
    assert list(run.series["president"].cat.categories) == list(RECORD.outcome("president").labels)
    stored_rupture = stored.runs["rupture_month"].iloc[2]
    got = run.events["rupture"]
    assert (got is None and pd.isna(stored_rupture)) or str(got) == stored_rupture


def test_simulate_fixes_parameters_and_checks_them():
    a = rift.simulate("forecast_2025_12", seed=5, parameters={"coca.replant_share": 0.31})
    assert a.scenario.parameters["coca.replant_share"] == 0.31
    assert "coca.replant_share" not in a.parameters  # fixed, not sampled
    with pytest.raises(InputError, match="valid range"):
        rift.simulate("forecast_2025_12", parameters={"coca.replant_share": 7})
    with pytest.raises(InputError, match="run 9"):
        rift.simulate({"name": "x", "runs": 2, "end": "2025-03"}, run=9)


def test_the_model_with_no_arguments_uses_the_calibrated_parameters():
    from rift.calibration import posterior
    from rift.model import AllianceModel

    post = posterior()
    m = AllianceModel(rng=1)
    name = "coca.replant_share"
    assert m.p[name] in set(post.samples[:, post.names.index(name)].tolist())
    from rift.parameters import registry

    assert AllianceModel(rng=1, calibrated=False).p[name] == registry()[name].default
    draws = {AllianceModel(rng=k).p[name] for k in range(8)}
    assert len(draws) > 1  # one particle per seed, not one fixed point
    assert AllianceModel(rng=1, parameters={name: 0.5}).p[name] == 0.5  # given wins


def test_exports_to_xarray_and_ema(small_batches):
    res = small_batches["baseline"]
    ds = res.to_xarray()
    n = len(res.runs)
    assert ds.sizes == {"run": n, "month": 24}
    assert np.allclose(
        ds["control_any"].isel(month=-1).to_numpy(), res.runs["control_any"].to_numpy()
    )
    assert set(ds["president"].isel(month=-1).to_numpy()) <= set(RECORD.outcome("president").labels)
    assert "param.coca.replant_share" in ds and "rupture_month" in ds
    experiments, outcomes = res.to_ema()
    assert len(experiments) == n and {"scenario", "policy", "model"} <= set(experiments)
    assert "coca.replant_share" in experiments
    assert outcomes["coca_ha"].shape == (n, 24) and outcomes["TIME"].shape == (n, 24)
    assert np.allclose(outcomes["coca_ha"][:, -1], res.runs["coca_ha"].to_numpy())
    assert outcomes["rupture_month"].shape == (n,)


def _api_page_blocks() -> list[str]:
    text = (ROOT / "docs" / "guide" / "python-api.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.S)


@pytest.mark.timeout(600)
def test_the_api_page_examples_run(tmp_path):
    blocks = _api_page_blocks()
    assert blocks
    script = tmp_path / "example.py"
    script.write_text("\n".join(blocks))
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "outputs" / "api-demo" / "base" / "manifest.json").is_file()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_script_without_a_main_guard_is_told_what_to_add(tmp_path):
    script = tmp_path / "batch.py"
    script.write_text(
        textwrap.dedent(
            """\
            import rift

            rift.run_batch({"name": "g", "runs": 4, "end": "2025-02"}, executor="process",
                           workers=2, out="res")
            """
        )
    )
    out = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert out.returncode != 0
    assert 'if __name__ == "__main__":' in out.stderr and "batch.py, line 3" in out.stderr
    assert "BrokenProcessPool" not in out.stderr and "bootstrapping" not in out.stderr
    guarded = tmp_path / "guarded.py"
    body = script.read_text().replace("rift.run_batch(", "    rift.run_batch(")
    body = body.replace(
        "                           workers", "                               workers"
    )
    guarded.write_text(
        body.replace("import rift\n\n", 'import rift\n\nif __name__ == "__main__":\n')
    )
    out = subprocess.run(
        [sys.executable, str(guarded)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "res" / "manifest.json").is_file()


@pytest.mark.timeout(300)
def test_the_process_pool_stays_warm_across_batches(tmp_path):
    code = textwrap.dedent(
        f"""\
        import time
        import rift
        from rift.runner import executors

        if __name__ == "__main__":
            spec = {{"name": "w", "runs": 4, "end": "2025-02"}}
            rift.run_batch(spec, workers=2, out=r"{tmp_path / "a"}")
            pool = executors._WARM[2]._pool
            rift.run_batch(spec, workers=2, out=r"{tmp_path / "b"}")
            assert executors._WARM[2]._pool is pool and pool is not None
            print("warm")
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "warm" in out.stdout, out.stderr


def test_to_ema_at_a_month_gives_one_finite_value_per_run_that_ema_scores(small_batches):
    res = small_batches["full_rupture"]
    n = len(res.ok_runs)
    experiments, outcomes = res.to_ema(at="2026-06")
    _, monthly = res.to_ema()
    months = list(res.manifest["months"])
    k = months.index("2026-06")
    assert np.array_equal(outcomes["control_any"], monthly["control_any"][:, k])
    happened = res.ok_runs["concession_month"].fillna("9999-99") <= "2026-06"
    assert np.array_equal(outcomes["concession"], happened.to_numpy(dtype=float))
    assert set(np.unique(outcomes["concession"])) == {0.0, 1.0}
    assert all(v.shape == (n,) for v in outcomes.values())
    assert "TIME" not in outcomes and "concession_month" not in outcomes
    horizon = res.to_ema(at="horizon")[1]
    assert np.array_equal(horizon["control_any"], monthly["control_any"][:, -1])
    with pytest.raises(InputError, match="2040-01"):
        res.to_ema(at="2040-01")
    ema = pytest.importorskip("ema_workbench.analysis.feature_scoring")
    usable = {k: v for k, v in outcomes.items() if np.isfinite(v).all() and np.ptp(v) > 0}
    assert {"control_any", "concession"} <= set(usable)
    x = experiments.drop(columns=["scenario", "policy", "model", "run", "seed"])
    scores = ema.get_feature_scores_all(x, {k: usable[k] for k in ("control_any", "concession")})
    assert set(scores.columns) == {"control_any", "concession"}
    assert np.allclose(scores.sum(), 1.0)
