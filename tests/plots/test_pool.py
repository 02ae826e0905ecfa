"""The report's figures drawn in worker processes are the serial drawing, byte for byte."""

from __future__ import annotations

import pytest

from rift.plots import figure_makers
from rift.plots.pool import SLOW_FIRST, FigurePool
from rift.report import write_report


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
