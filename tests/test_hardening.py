"""Bad input never hangs rift, never writes outside its output folder, never ends in a raw error.

Each test is a reproduction from issue 11: the input, the exit code (2, with a message naming the
file and key or flag, and no traceback) and, where it matters, that nothing was written.
"""

from __future__ import annotations

import socket
import textwrap
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from rift.cli import main
from rift.errors import InputError
from rift.experiment import run_scenario
from rift.results import load, partial_path
from rift.scenario import load_scenario

from .conftest import SCENARIOS


def cli(*args: str) -> tuple[int, str, str]:
    """Run the command line in this process: exit code, stdout, stderr."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def bad(code_out_err, *fragments: str) -> str:
    code, _, err = code_out_err
    assert code == 2, err
    assert "Traceback" not in err
    for frag in fragments:
        assert frag in err, (frag, err)
    return err


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    f = tmp_path / name
    f.write_text(textwrap.dedent(text))
    return f


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


# --------------------------------------------------------------------------- resources
BOMB = """\
name: bomb
a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


@pytest.mark.parametrize("command", ["validate", "run"])
def test_an_alias_bomb_is_refused_at_once_with_bounded_memory(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = write(tmp_path, BOMB)
    tracemalloc.start()
    t0 = time.perf_counter()
    result = cli(command, str(f))
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    bad(result, str(f), "expands to more than")
    assert seconds < 1.0 and peak < 50e6
    assert not (tmp_path / "outputs").exists()


def test_a_recursive_alias_and_deep_nesting_are_refused(tmp_path):
    bad(cli("validate", str(write(tmp_path, "name: r\nx: &x [1, *x]\n"))), "alias")
    deep = "name: d\nx: " + "[" * 5000 + "]" * 5000 + "\n"
    bad(cli("validate", str(write(tmp_path, deep, "d.yaml"))), "nested more than")


def test_a_huge_file_is_refused_before_it_is_parsed(tmp_path):
    f = tmp_path / "big.yaml"
    f.write_text("name: big\ndescription: " + "x" * 2_000_000 + "\n")
    bad(cli("validate", str(f)), str(f), "larger than")


@pytest.mark.parametrize(
    "args",
    [
        ("run", "{f}", "--runs", "1000000000000"),
        ("run", "{big}"),
        ("validate", "{big}"),
    ],
)
def test_absurd_run_counts_are_refused_before_anything_is_allocated(tmp_path, args, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = write(tmp_path, "name: x\nend: 2025-02\n")
    big = write(tmp_path, "name: x\nruns: 1000000000000\n", "big.yaml")
    argv = [a.format(f=f, big=big) for a in args]
    tracemalloc.start()
    result = cli(*argv)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    code, _, err = result
    assert code == 2 and "Traceback" not in err and "runs" in err
    assert peak < 50e6
    assert not (tmp_path / "outputs").exists()


# --------------------------------------------------------------------------- paths
@pytest.mark.parametrize(
    "source",
    [
        ("set", "name=../../evil"),
        ("file", "name: ../escaped\n"),
        ("file", "name: a/b\n"),
        ("file", f"name: {'n' * 300}\n"),
        ("file", "name: .hidden\n"),
    ],
)
def test_unsafe_names_are_refused_and_nothing_is_written(tmp_path, monkeypatch, source):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    how, text = source
    if how == "set":
        f = write(tmp_path, "name: ok\nend: 2025-02\n")
        err = bad(cli("run", str(f), "--set", text, "--quiet"), "--set name")
    else:
        f = write(tmp_path, text + "end: 2025-02\n")
        err = bad(cli("run", str(f), "--quiet"), str(f), "name")
    assert "letters, digits" in err
    assert files_under(tmp_path) == {"work", f.name}


def test_default_folders_stay_under_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = write(tmp_path, "name: safe.name-1_x\nend: 2025-02\nruns: 1\n")
    assert cli("run", str(f), "--quiet", "--no-report")[0] == 0
    made = files_under(tmp_path) - {f.name}
    assert made and all(p.startswith("outputs") for p in made)


# --------------------------------------------------------------------------- resume
SHORT = "name: short\nstart: 2025-01\nend: 2025-06\nruns: 12\nseed: 5\n"


def _interrupted(tmp_path: Path, runs_kept: int = 6) -> tuple[Path, Path]:
    """A batch stopped after ``runs_kept`` runs (its first parts), as after Ctrl-C."""
    from rift.results import ResultWriter
    from rift.runner import execute_batch, plan_batch

    f = write(tmp_path, SHORT, "short.yaml")
    s = load_scenario(f)
    whole = run_scenario(s, executor="serial", out=tmp_path / "whole").path
    out = tmp_path / "cut"
    from rift.experiment import _manifest, batch_lock, claim_output
    from rift.geography import load_geography

    final = claim_output(s, out)
    plan = plan_batch(s)
    months = range(s.start_month, s.end_month + 1)
    with batch_lock(partial_path(final)):
        writer = ResultWriter(
            final, _manifest(s, 12, "serial", 1, None), months, load_geography().n
        )
        for k in range(0, runs_kept, 2):  # two runs per part file
            outcome = execute_batch(plan, indices=[k, k + 1])
            for o in outcome.outputs.values():
                writer.add(o)
            writer.flush()
    return partial_path(out), whole


def _same(a, b):
    cols = [c for c in a.runs.columns if c != "seconds"]
    assert a.runs[cols].equals(b.runs[cols]) and a.series.equals(b.series)
    assert np.array_equal(a.territory["controller"], b.territory["controller"])


def test_resume_needs_nothing_but_the_folder(tmp_path):
    work, whole = _interrupted(tmp_path)
    assert cli("run", "--resume", str(work), "--quiet", "--no-report")[0] == 0
    _same(load(tmp_path / "cut"), load(whole))


def test_resume_with_another_scenario_names_the_keys_that_differ(tmp_path):
    work, _ = _interrupted(tmp_path)
    f = tmp_path / "short.yaml"
    before = files_under(work)
    err = bad(cli("run", str(f), "--runs", "30", "--resume", str(work)), "runs: 12 stored, 30")
    assert "seed" not in err
    bad(cli("run", "--resume", str(work), "--seed", "9"), "--resume", "cannot change")
    assert files_under(work) == before


@pytest.mark.parametrize("damage", ["garbled", "truncated", "empty"])
def test_a_damaged_part_is_named_set_aside_and_its_runs_run_again(tmp_path, damage):
    work, whole = _interrupted(tmp_path)
    part = sorted((work / "parts").glob("part-*.npz"))[1]
    data = part.read_bytes()
    if damage == "garbled":
        data = data[:100] + bytes(b ^ 0xFF for b in data[100:400]) + data[400:]
    elif damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data = b""
    part.write_bytes(data)
    with pytest.raises(InputError) as exc:
        load(work)
    assert part.name in str(exc.value)
    code, _, err = cli("run", "--resume", str(work), "--quiet", "--no-report")
    assert code == 0, err
    assert part.name in err and "set aside" in err
    _same(load(tmp_path / "cut"), load(whole))


def test_an_empty_partial_folder_is_not_a_batch(tmp_path):
    empty = tmp_path / "x.partial"
    empty.mkdir()
    bad(cli("run", "--resume", str(empty)), str(empty), "not an interrupted")
    with pytest.raises(InputError, match="no manifest"):
        load(empty)
    bad(cli("compare", str(empty), str(empty)), "no manifest")


def test_a_batch_that_is_being_written_cannot_be_resumed_twice(tmp_path):
    from rift.experiment import batch_lock

    work, _ = _interrupted(tmp_path)
    with batch_lock(work):
        bad(cli("run", "--resume", str(work), "--quiet"), "another rift process")


# --------------------------------------------------------------------------- output folders
def test_a_second_batch_on_the_same_out_is_refused_at_once(tmp_path):
    f = write(tmp_path, "name: x\nend: 2025-02\nruns: 1\n")
    out = tmp_path / "res"
    partial_path(out).mkdir()  # another batch is writing there
    t0 = time.perf_counter()
    bad(cli("run", str(f), "--out", str(out), "--quiet"), "--out", "already exists")
    assert time.perf_counter() - t0 < 5


def test_default_run_ids_never_collide(tmp_path, monkeypatch):
    import rift.experiment

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rift.experiment, "default_run_id", lambda h: "20260101-000000-abcdef")
    s = load_scenario(write(tmp_path, "name: twice\nend: 2025-02\nruns: 1\n"))
    a = run_scenario(s, executor="serial").path
    b = run_scenario(s, executor="serial").path
    assert a != b and a.parent == b.parent and b.name == "20260101-000000-abcdef-2"


# --------------------------------------------------------------------------- the list
CASES = [
    ("empty file", "", ["name", "missing"]),
    ("no name", "runs: 5\n", ["name", "missing"]),
    ("runs: true", "name: x\nruns: true\n", ["runs", "whole number"]),
    ("duplicate keys", "name: x\nruns: 5\nruns: 6\n", ["runs", "twice"]),
    ("parameters: 5", "name: x\nparameters: 5\n", ["parameters", "mapping"]),
    ("end: 2100-12", "name: x\nend: 2100-12\n", ["end", "2040-12"]),
    (
        "choice weights",
        "name: x\nuncertain:\n  rupture.months:\n"
        "    {dist: choice, values: [2, 3], weights: [0.2, 0.2]}\n",
        ["weights", "sum to 1"],
    ),
    (
        "election priors",
        "name: x\nelection: {priors: {left: 0.2, centre: 0.2, right: 0.2}}\n",
        ["election.priors", "sum to 1"],
    ),
    ("unknown outcome", "name: x\noutcomes: [coca]\n", ["outcomes[0]", "coca_ha", "control_any"]),
    ("not a mapping", "- a\n- b\n", ["mapping"]),
    ("key not text", "name: x\n1: 2\n", ["not text"]),
    ("binary", None, ["UTF-8"]),
]


@pytest.mark.parametrize("label,text,fragments", CASES, ids=[c[0] for c in CASES])
def test_each_bad_file_exits_2_naming_file_and_key(tmp_path, label, text, fragments):
    f = tmp_path / "s.yaml"
    if text is None:
        f.write_bytes(b"\xff\xfe\x00name")
    else:
        f.write_text(text)
    bad(cli("validate", str(f)), str(f), *fragments)


@pytest.mark.parametrize(
    "args,fragments",
    [
        (("run", "{f}", "--workers", "0"), ["--workers", "at least 1"]),
        (("run", "{f}", "--workers", "-2"), ["--workers", "at least 1"]),
        (("run", "{f}", "--address", "tcp://127.0.0.1:8786"), ["--address", "dask"]),
        (("run", "{f}", "--executor", "dask", "--address", "notaurl"), ["--address", "tcp://"]),
        (("run", "{f}", "--dask-timeout", "0"), ["--dask-timeout"]),
        (("validate-history", "--runs", "0"), ["--runs", "at least 1"]),
        (("calibrate", "--population", "0"), ["--population", "at least 1"]),
        (("run", "basline"), ["basline", "Did you mean 'baseline'"]),
        (("run", "{f}", "--set", "interventions=[]"), ["--set interventions", "cannot be set"]),
        (("run",), ["SCENARIO", "--resume"]),
    ],
)
def test_each_bad_flag_exits_2_naming_it(tmp_path, monkeypatch, args, fragments):
    monkeypatch.chdir(tmp_path)
    f = write(tmp_path, "name: x\nend: 2025-02\nruns: 2\n")
    err = bad(cli(*[a.format(f=f) for a in args]), *fragments)
    assert "rent_dispersion" not in err
    assert not (tmp_path / "outputs").exists()


def test_compare_refuses_a_batch_compared_with_itself(small_batches):
    path = str(small_batches["baseline"].path)
    bad(cli("compare", path, path), "twice")


def test_compare_of_different_horizons_uses_the_common_months(small_batches, tmp_path):
    short = load_scenario(SCENARIOS / "full_rupture.yaml", ["runs=24", "end=2026-09"])
    other = run_scenario(short, executor="serial", out=tmp_path / "short").path
    code, out, _ = cli(
        "compare",
        str(small_batches["baseline"].path),
        str(other),
        "--no-report",
        "--out",
        str(tmp_path / "cmp"),
    )
    assert code == 0
    first = out.splitlines()[0]
    assert "horizons differ" in first and "2025-01..2026-09" in first and "at 2026-09" in first
    assert "2026-12" not in out.split("Outcomes at")[1].split("\n")[0]


@pytest.mark.timeout(60)
def test_an_unreachable_dask_scheduler_is_reported_within_the_timeout(tmp_path):
    pytest.importorskip("distributed")
    f = write(tmp_path, "name: x\nend: 2025-02\nruns: 2\n")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    err = bad(
        cli(
            "run",
            str(f),
            "--executor",
            "dask",
            "--address",
            f"tcp://127.0.0.1:{port}",
            "--dask-timeout",
            "2",
            "--out",
            str(tmp_path / "r"),
            "--quiet",
        ),
        f"tcp://127.0.0.1:{port}",
        "2 s",
    )
    assert time.perf_counter() - t0 < 15, err
    assert not (tmp_path / "r").exists() and not partial_path(tmp_path / "r").exists()


def test_set_values_are_read_with_the_same_limits(tmp_path):
    f = write(tmp_path, "name: x\n")
    bomb = "[" * 100 + "]" * 100
    code, _, err = cli("validate", str(f))
    assert code == 0
    code, _, err = cli("run", str(f), "--set", f"us.aid_total_musd={bomb}", "--runs", "1")
    assert code == 2 and "--set us.aid_total_musd" in err and "Traceback" not in err
