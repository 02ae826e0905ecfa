"""The report's figures drawn in worker processes are the serial drawing, byte for byte."""

from __future__ import annotations

import pytest

from rift.cli import main
from rift.plots import figure_makers
from rift.plots.pool import SLOW_FIRST, FigurePool
from rift.report import write_report

from ..conftest import SCENARIOS


def _files(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.slow
def test_a_pooled_report_is_the_serial_report_byte_for_byte(small_batches, tmp_path):
    res = small_batches["baseline"]
    seen: list[tuple[int, int]] = []
    with FigurePool(workers=2) as pool:
        pooled = write_report(
            [res], tmp_path / "pooled", pool=pool,
            progress=lambda done, total: seen.append((done, total)),
        )  # fmt: skip
    serial = write_report([res], tmp_path / "serial")

    stems = list(figure_makers([res], None, "key"))
    assert set(SLOW_FIRST) <= set(stems)
    assert seen == [(k, len(stems)) for k in range(1, len(stems) + 1)]
    made, expected = _files(pooled.parent), _files(serial.parent)
    assert set(made) == set(expected)
    assert {f"figures/{s}.png" for s in stems} | {"report.html"} <= set(made)
    different = [name for name in expected if made[name] != expected[name]]
    assert not different, different


@pytest.mark.slow
def test_rift_run_with_report_workers_draws_the_figures_it_draws_alone(tmp_path, capsys):
    base = [str(SCENARIOS / "baseline.yaml"), "--runs", "2", "--executor", "serial", "--quiet"]
    assert main(["run", *base, "--out", str(tmp_path / "alone")]) == 0
    assert main(["run", *base, "--report-workers", "1", "--out", str(tmp_path / "pooled")]) == 0
    assert "report: " in capsys.readouterr().out
    alone = _files(tmp_path / "alone" / "figures")
    pooled = _files(tmp_path / "pooled" / "figures")
    assert alone and pooled == alone
    assert (tmp_path / "pooled" / "report.html").stat().st_size > sum(map(len, pooled.values()))
