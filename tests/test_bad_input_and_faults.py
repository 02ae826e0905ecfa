"""Bad input never hangs rift, never writes outside its output folder, never ends in a raw error.

Each test is a reproduction of a case a user met: the input, the exit code (2, with a message
naming the file and key or flag, and no traceback) and, where it matters, that nothing was
written; faults (a kill, a full disk, Ctrl-C) end with the command that resumes the batch.
"""

from __future__ import annotations

import socket
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from rift.errors import InputError
from rift.experiment import run_scenario
from rift.results import load, partial_path
from rift.scenario import load_scenario

from .cli_helpers import bad, cli, files_under, write
from .conftest import SCENARIOS

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
    t0 = time.thread_time()
    result = cli(command, str(f))
    seconds = time.thread_time() - t0
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


#: Interrupted batches made once per test module and copied into each test's folder.
_TEMPLATES: dict[int, Path] = {}


@pytest.fixture(autouse=True, scope="module")
def _template_root(tmp_path_factory):
    """Where the interrupted batches are made once; forgotten when the module ends."""
    _TEMPLATES.clear()
    _TEMPLATES[-1] = tmp_path_factory.mktemp("interrupted")
    yield
    _TEMPLATES.clear()


def _interrupted(tmp_path: Path, runs_kept: int = 6) -> tuple[Path, Path]:
    """A batch stopped after ``runs_kept`` runs (its first parts), as after Ctrl-C.

    Made once per module (the batch itself is not what these tests test) and copied: the
    copy is byte for byte what the interrupted batch left, and each test may damage its own.
    """
    import shutil

    if runs_kept not in _TEMPLATES:
        made = _TEMPLATES[-1] / f"kept{runs_kept}"
        made.mkdir()
        _make_interrupted(made, runs_kept)
        _TEMPLATES[runs_kept] = made
    template = _TEMPLATES[runs_kept]
    for name in ("short.yaml", "whole", "cut.partial"):
        src = template / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, symlinks=True)
        else:
            shutil.copy2(src, tmp_path / name)
    return partial_path(tmp_path / "cut"), tmp_path / "whole"


def _make_interrupted(tmp_path: Path, runs_kept: int) -> None:
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
        writer = ResultWriter(final, _manifest(plan, "serial", 1, None), months, load_geography().n)
        for k in range(0, runs_kept, 2):  # two runs per part file
            outcome = execute_batch(plan, indices=[k, k + 1])
            for o in outcome.outputs.values():
                writer.add(o)
            writer.flush()
    assert whole == tmp_path / "whole"


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
    code, _, err = _resume(work)
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
        (("run", "{f}", "--report-workers", "0"), ["--report-workers", "at least 1"]),
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
    short = load_scenario(SCENARIOS / "from_2025" / "full_rupture.yaml", ["runs=24", "end=2026-09"])
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


# --------------------------------------------------------------------------- the store
def _resume(work: Path, *extra: str) -> tuple[int, str, str]:
    # In this process: what these tests check is the store, not the pool (whose start-up, two
    # spawned interpreters, was most of each test's time); test_resume_needs_nothing_but_the_folder
    # resumes on the default process pool.
    return cli(
        "run", "--resume", str(work), "--quiet", "--no-report", "--executor", "serial", *extra
    )


@pytest.mark.parametrize("gone", ["runs.parquet", "series.parquet", "territory.npz", "all"])
def test_a_complete_batch_with_a_missing_table_is_an_error_naming_it(tmp_path, gone):
    f = write(tmp_path, SHORT.replace("runs: 12", "runs: 2"), "short.yaml")
    a = run_scenario(load_scenario(f), executor="serial", out=tmp_path / "a").path
    b = run_scenario(load_scenario(f, ["seed=6"]), executor="serial", out=tmp_path / "b").path
    names = ["runs.parquet", "series.parquet", "territory.npz"] if gone == "all" else [gone]
    for name in names:
        (b / name).unlink()
    with pytest.raises(InputError, match="missing from a complete batch") as exc:
        load(b)
    assert str(b / names[0]) in str(exc.value)
    bad(cli("compare", str(a), str(b), "--no-report", "--out", str(tmp_path / "c")), names[0])
    assert not (tmp_path / "c").exists()


def _forge(work: Path, **changes) -> None:
    """Edit a stored manifest and recompute its checksum, as a forger would."""
    import json

    from rift.results import write_manifest

    m = json.loads((work / "manifest.json").read_text())
    for key, value in changes.items():
        if key.startswith("scenario."):
            m["scenario"][key.removeprefix("scenario.")] = value
        else:
            m[key] = value
    write_manifest(work / "manifest.json", m)


def test_resume_rechecks_the_stored_scenario_against_its_hash(tmp_path):
    work, _ = _interrupted(tmp_path)
    before = files_under(work)
    original = (work / "manifest.json").read_bytes()
    _forge(work, **{"scenario.parameters": {"coca.replant_share": 0.4}})
    bad(_resume(work), str(work / "manifest.json"), "scenario_hash", "edited")
    (work / "manifest.json").write_bytes(original)
    _forge(work, runs=40)
    bad(_resume(work), "key 'runs'", "edited")
    assert files_under(work) == before


def test_resume_of_a_forged_scenario_and_hash_never_mixes_two_batches(tmp_path):
    """Scenario and hash forged together: the parts' sampled parameters are not the plan's, so
    they are set aside and every run is made again from the (forged) stored scenario."""
    work, _ = _interrupted(tmp_path)
    forged = load_scenario(write(tmp_path, SHORT.replace("seed: 5", "seed: 6"), "six.yaml"))
    _forge(work, scenario=forged.canonical(), scenario_hash=forged.hash(), seed=6)
    code, _, err = _resume(work)
    assert code == 0, err
    assert "set aside" in err and "part-000001.npz" in err
    fresh = run_scenario(forged, executor="serial", out=tmp_path / "fresh").path
    _same(load(tmp_path / "cut"), load(fresh))


def _npz_with_header(path: Path, arrays: dict, fake: dict) -> None:
    """An .npz whose members ``fake`` claim another shape than the data they hold."""
    import io
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for key, arr in arrays.items():
            buf = io.BytesIO()
            if key in fake:
                header = {"descr": arr.dtype.str, "fortran_order": False, "shape": fake[key]}
                np.lib.format.write_array_header_2_0(buf, header)
                buf.write(arr.tobytes()[:1000])
            else:
                np.lib.format.write_array(buf, arr, allow_pickle=False)
            z.writestr(key + ".npy", buf.getvalue())


def _damage_part(part: Path, how: str) -> None:
    with np.load(part) as z:
        arrays = {k: z[k] for k in z.files}
    if how == "index out of the plan":
        arrays["index"] = arrays["index"] + 1000
    elif how == "index twice":
        arrays["index"] = np.zeros_like(arrays["index"])
    elif how == "series shape":
        arrays["series"] = arrays["series"][:, :3]
    elif how == "controller dtype":
        arrays["controller"] = arrays["controller"].astype(float)
    elif how == "category code":
        arrays["value.winner"] = np.full(len(arrays["index"]), 99.0)
    elif how == "controller range":
        arrays["controller"] = np.full_like(arrays["controller"], 7)
    elif how == "unknown array":
        arrays["evil"] = np.arange(len(arrays["index"]))
    if how == "claims 8 GB":
        _npz_with_header(part, arrays, {"series": (2, 6, 10**8)})
    elif how == "claims a billion runs":
        _npz_with_header(part, arrays, {"index": (10**9,)})
    else:
        np.savez(part, **arrays)


DAMAGE = [
    "index out of the plan",
    "index twice",
    "series shape",
    "controller dtype",
    "category code",
    "controller range",
    "unknown array",
    "claims 8 GB",
    "claims a billion runs",
]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_part_that_does_not_fit_its_manifest_is_named_and_run_again(tmp_path, how):
    work, whole = _interrupted(tmp_path)
    part = sorted((work / "parts").glob("part-*.npz"))[1]
    _damage_part(part, how)
    tracemalloc.start()
    t0 = time.thread_time()
    with pytest.raises(InputError) as exc:
        load(work)
    seconds = time.thread_time() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert part.name in str(exc.value) and "damaged part" in str(exc.value)
    assert seconds < 2 and peak < 100e6, (seconds, peak)
    code, _, err = _resume(work)
    assert code == 0, err
    assert part.name in err and "set aside" in err and "Traceback" not in err
    _same(load(tmp_path / "cut"), load(whole))


def test_a_huge_manifest_is_refused_before_it_is_parsed(tmp_path):
    work, _ = _interrupted(tmp_path)
    (work / "manifest.json").write_text("[" * 10 + " " * (17 << 20) + "]" * 10)
    tracemalloc.start()
    err = bad(_resume(work), str(work / "manifest.json"), "larger than 16 MB")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 60e6 and "rift run --resume" not in err


def test_resume_removes_what_a_kill_left_while_the_tables_were_written(tmp_path):
    work, whole = _interrupted(tmp_path)
    debris = tmp_path / ".cut.k2j_x9q1"  # the temporary result folder of tempfile.mkdtemp
    debris.mkdir()
    (debris / ".runs.parquet.a1b2c3d4").write_bytes(b"half a table")
    torn = work / "parts" / ".part-000004.npz.zz9_8yx7"
    torn.write_bytes(b"half a part")
    other = tmp_path / ".another.k2j_x9q1"  # not this batch's: kept
    other.mkdir()
    code, _, err = _resume(work)
    assert code == 0, err
    assert not debris.exists() and other.exists()
    assert files_under(tmp_path / "cut") == {"manifest.json", *TABLE_NAMES}
    _same(load(tmp_path / "cut"), load(whole))


TABLE_NAMES = ("runs.parquet", "series.parquet", "territory.npz")


def test_a_kill_after_the_rename_leaves_a_result_that_resume_tidies(tmp_path):
    """Killed between the result's rename and the removal of its working folder."""
    import shutil

    work, whole = _interrupted(tmp_path)
    assert _resume(work)[0] == 0
    shutil.copytree(tmp_path / "cut", work)  # the working folder as it was a moment before
    code, _, err = _resume(work)
    assert code == 0, err
    assert "already completed" in err and not work.exists()
    _same(load(tmp_path / "cut"), load(whole))


def test_sigterm_while_the_final_tables_are_written_is_ctrl_c(tmp_path, monkeypatch):
    import os
    import signal

    from rift.results import writer as store

    original = store._write_tables

    def killed(folder, *args):
        if folder.name.startswith(".cut."):
            os.kill(os.getpid(), signal.SIGTERM)  # lands in the middle of the final write
        return original(folder, *args)

    work, whole = _interrupted(tmp_path)
    monkeypatch.setattr(store, "_write_tables", killed)
    code, _, err = _resume(work)
    assert code == 130 and "Traceback" not in err
    assert f"Finish with:\n  rift run --resume {work}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.partial", "short.yaml", "whole"]
    monkeypatch.setattr(store, "_write_tables", original)
    assert _resume(work)[0] == 0
    _same(load(tmp_path / "cut"), load(whole))


# ---------------------------------------------------------------------- faults: the way back
def _way_back(code_out_err, work: Path, code: int, *fragments: str) -> str:
    got, _, err = code_out_err
    assert got == code, err
    assert "Traceback" not in err and "KeyError" not in err
    assert f"{work}" in err and f"rift run --resume {work}" in err, err
    for frag in fragments:
        assert frag in err, (frag, err)
    return err


def test_ctrl_c_before_the_first_run_finished_gives_the_resume_command(tmp_path, monkeypatch):
    import rift.experiment

    def interrupted(*args, **kwargs):
        from rift.runner.batch import BatchOutcome

        return BatchOutcome(interrupted=True)

    monkeypatch.setattr(rift.experiment, "execute_batch", interrupted)
    f = write(tmp_path, SHORT, "short.yaml")
    out = tmp_path / "r"
    _way_back(cli("run", str(f), "--out", str(out), "--executor", "serial"), partial_path(out), 130)
    monkeypatch.undo()
    assert _resume(partial_path(out))[0] == 0 and load(out).complete


def test_a_second_ctrl_c_while_the_tables_are_written_gives_the_resume_command(
    tmp_path, monkeypatch
):
    from rift.results import writer as store

    def ctrl_c(*args):
        raise KeyboardInterrupt

    work, whole = _interrupted(tmp_path)
    monkeypatch.setattr(store, "_write_tables", ctrl_c)
    _way_back(_resume(work), work, 130, "interrupted")
    monkeypatch.undo()
    assert _resume(work)[0] == 0
    _same(load(tmp_path / "cut"), load(whole))


def test_a_full_disk_gives_the_resume_command(tmp_path, monkeypatch):
    import errno

    import rift.results.writer as store

    calls = []

    def full(path, writer):
        calls.append(path)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return original(path, writer)

    original = store.atomic_write_with
    monkeypatch.setattr(store, "atomic_write_with", full)
    f = write(tmp_path, SHORT, "short.yaml")
    out = tmp_path / "r"
    args = ("run", str(f), "--out", str(out), "--executor", "serial", "--quiet", "--no-report")
    monkeypatch.setattr("rift.results.writer.FLUSH_RUNS", 2)
    _way_back(cli(*args), partial_path(out), 1, "No space left on device")
    monkeypatch.undo()
    assert _resume(partial_path(out))[0] == 0 and len(load(out).runs) == 12


def test_a_file_size_limit_gives_the_resume_command(tmp_path):
    """``ulimit -f``: the tables do not fit; SIGXFSZ is not a kill, the message says what to do."""
    import os
    import resource
    import signal
    import subprocess
    import sys

    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # rift itself ignores it
        resource.setrlimit(resource.RLIMIT_FSIZE, (150_000, 150_000))

    f = write(tmp_path, SHORT.replace("runs: 12", "runs: 4"), "short.yaml")
    out = tmp_path / "r"
    argv = [sys.executable, "-m", "rift.cli", "run", str(f), "--out", str(out)]
    proc = subprocess.run(
        [*argv, "--executor", "serial", "--quiet", "--no-report"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limited,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    work = partial_path(out)
    _way_back((proc.returncode, proc.stdout, proc.stderr), work, 1, "File too large")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.partial", "short.yaml"]
    assert _resume(work)[0] == 0 and len(load(out).runs) == 4


# ---------------------------------------------------------------------- output folders, limits
@pytest.mark.parametrize(
    "out,fragments",
    [
        ("", ["--out", "empty"]),
        ("/", ["--out", "'/'"]),
        (".", ["--out", "'.'"]),
        ("{tmp}/x.partial", ["--out", ".partial"]),
        ("{tmp}/dangling", ["--out", "dangling", "symbolic link"]),
        ("{tmp}/afile/r", ["--out", "afile", "is a file"]),
    ],
)
def test_bad_out_is_refused_before_the_batch_runs(tmp_path, monkeypatch, out, fragments):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("x")
    f = write(tmp_path, SHORT, "short.yaml")
    before = files_under(tmp_path)
    t0 = time.thread_time()
    err = bad(cli("run", str(f), "--out", out.format(tmp=tmp_path), "--quiet"), *fragments)
    assert time.thread_time() - t0 < 2
    assert files_under(tmp_path) == before and "rift run --resume" not in err
    assert not (tmp_path / "nowhere").exists()


def test_resume_with_an_empty_out_is_refused(tmp_path):
    work, _ = _interrupted(tmp_path)
    bad(cli("run", "--resume", str(work), "--out", ""), "--out", "resumed")


def test_workers_are_bounded_by_the_cpus(tmp_path, monkeypatch):
    from rift.runner.executors import max_workers

    monkeypatch.chdir(tmp_path)
    f = write(tmp_path, SHORT, "short.yaml")
    n = max_workers() + 1
    bad(cli("run", str(f), "--workers", str(n), "--quiet"), "--workers", f"1 to {n - 1}")
    assert not (tmp_path / "outputs").exists()
    work, _ = _interrupted(tmp_path)
    bad(cli("run", "--resume", str(work), "--workers", str(n)), "--workers")


@pytest.mark.parametrize("link", ["outputs", "outputs/short"])
def test_a_symlinked_output_root_is_not_followed(tmp_path, monkeypatch, link):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    work = tmp_path / "work"
    (work / "outputs").mkdir(parents=True)
    monkeypatch.chdir(work)
    if link == "outputs":
        (work / "outputs").rmdir()
    (work / link).symlink_to(elsewhere)
    f = write(tmp_path, SHORT, "short.yaml")
    bad(cli("run", str(f), "--quiet"), link, "symbolic link")
    assert not list(elsewhere.iterdir())


@pytest.mark.parametrize("link", ["parts", "parts/damaged", "lock"])
def test_symlinks_planted_in_a_partial_folder_are_not_followed(tmp_path, link):
    import shutil

    work, _ = _interrupted(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = work / link
    if link == "parts":
        shutil.copytree(target, elsewhere / "parts")
        shutil.rmtree(target)
        target.symlink_to(elsewhere / "parts")
    else:
        target.unlink(missing_ok=True)
        target.symlink_to(elsewhere / "x")
    before = files_under(elsewhere)
    err = bad(_resume(work), "--resume")
    assert str(target) in err
    assert files_under(elsewhere) == before


@pytest.mark.parametrize("link", ["figures", "report.html"])
def test_links_planted_in_a_result_are_not_followed_by_the_report(tmp_path, small_batches, link):
    import shutil

    result = tmp_path / "result"
    shutil.copytree(small_batches["baseline"].path, result)
    shutil.rmtree(result / "figures", ignore_errors=True)
    (result / "report.html").unlink(missing_ok=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (result / link).symlink_to(elsewhere / link if link == "report.html" else elsewhere)
    before = files_under(result)
    err = bad(cli("report", str(result)), "symbolic link")
    assert str(result / link) in err
    assert not list(elsewhere.iterdir())
    assert files_under(result) == before


def test_messages_name_the_flag_that_was_given(tmp_path, monkeypatch):
    # No --out: a default folder that cannot be made is not blamed on --out.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "outputs").write_text("a file where the folder goes")
    f = write(tmp_path, SHORT, "short.yaml")
    err = bad(cli("run", str(f), "--quiet"), "outputs", "is a file")
    assert "--out" not in err.split(";")[0]
    # --resume: the lock that cannot be taken names --resume, never --out.
    work, _ = _interrupted(tmp_path)
    from rift.experiment import batch_lock

    with batch_lock(work):
        err = bad(_resume(work), "--resume", "another rift process")
    assert "--out" not in err
