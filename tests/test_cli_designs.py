"""``rift run --design FILE.csv`` and ``--grid KEY=V1,V2,…``: a design batch from the command
line, and bad input that exits 2 naming the file, the column or the key, with nothing written."""

from __future__ import annotations

import pytest

from rift.results import load

from .cli_helpers import bad, cli, write

SHORT = """\
name: design_cli
start: 2025-01
end: 2025-03
runs: 2
seed: 4
"""


@pytest.fixture
def scenario(tmp_path):
    return write(tmp_path, SHORT)


def _design(tmp_path, text: str, name: str = "d.csv"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def test_a_grid_runs_every_point_with_the_same_replicate_seeds(tmp_path, scenario):
    out = tmp_path / "g"
    code, stdout, err = cli(
        "run", str(scenario), "--grid", "col.aid_dependence=0.05,0.3", "--grid",
        "us.intel_sharing=0,1", "--replicates", "2", "--out", str(out), "--executor",
        "serial", "--quiet", "--no-report",
    )  # fmt: skip
    assert code == 0, err
    assert "Design (--grid): 4 point(s) × 2 replicate(s), at 2025-03:" in stdout
    runs = load(out).runs
    assert len(runs) == 8 and runs["point"].tolist() == [0, 0, 1, 1, 2, 2, 3, 3]
    assert runs.groupby("replicate")["seed"].nunique().tolist() == [1, 1]  # shared per replicate
    assert runs["param.us.intel_sharing"].tolist() == [0.0, 0.0, 1.0, 1.0] * 2


def test_a_design_file_runs_its_rows(tmp_path, scenario):
    f = _design(tmp_path, "col.aid_dependence,us.intel_sharing\n0.05,0.2\n0.3,0.9\n")
    out = tmp_path / "d"
    code, _, err = cli(
        "run", str(scenario), "--design", str(f), "--out", str(out), "--executor", "serial",
        "--quiet", "--no-report",
    )  # fmt: skip
    assert code == 0, err
    res = load(out)
    assert res.runs["param.col.aid_dependence"].tolist() == [0.05, 0.3]
    assert res.manifest["design"]["source"] == str(f) and res.manifest["design"]["replicates"] == 1


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("col.aid_dependance\n0.2\n", ["key 'col.aid_dependance'", "unknown parameter",
                                       "Did you mean 'col.aid_dependence'?"]),
        ("col.aid_dependence\n0.2\nlots\n", ["key 'col.aid_dependence, point 1'",
                                             "'lots', not a number"]),
        ("col.aid_dependence\n0.2\n1.5\n", ["key 'col.aid_dependence, point 1'",
                                            "outside the valid range", "[0, 1]"]),
        ("col.aid_dependence\n\n", ["the design has no points"]),
        ("col.aid_dependence,us.intel_sharing\n0.2\n", ["row 2 has 1 values, the header 2"]),
        ("col.aid_dependence,col.aid_dependence\n0.2,0.3\n", ["column 'col.aid_dependence' twice"]),
        ("col.aid_dependence,us.intel_sharing\n0.2,\n", ["key 'us.intel_sharing'",
                                                        "an empty value"]),
        ("point\n1\n", ["key 'point'", "a column rift adds"]),
        ("", ["the file is empty"]),
    ],
)  # fmt: skip
def test_bad_design_files_exit_2_naming_the_file_and_column(tmp_path, scenario, text, fragments):
    f = _design(tmp_path, text)
    out = tmp_path / "never"
    err = bad(cli("run", str(scenario), "--design", str(f), "--out", str(out)), str(f), *fragments)
    assert err.count("\n") == 1  # one line
    assert not out.exists() and not (tmp_path / "never.partial").exists()


def test_a_missing_design_file_exits_2(tmp_path, scenario):
    missing = tmp_path / "nope.csv"
    bad(cli("run", str(scenario), "--design", str(missing)), str(missing), "no such file")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--grid", "col.aid_dependence"], ["key '--grid'", "KEY=V1,V2"]),
        (["--grid", "col.aid_dependence="], ["key '--grid col.aid_dependence'", "no values"]),
        (["--grid", "col.aid_dependence=0.1,x"], ["key '--grid col.aid_dependence, point 1'",
                                                  "not a number"]),
        (["--grid", "col.aid_dependence=0.1,-2"], ["outside the valid range"]),
        (["--grid", "nope.key=1,2"], ["key '--grid nope.key'", "unknown parameter"]),
        (["--grid", "col.aid_dependence=0.1", "--grid", "col.aid_dependence=0.2"],
         ["given twice"]),
        (["--design", "d.csv", "--grid", "col.aid_dependence=0.1"],
         ["--design and --grid together"]),
        (["--replicates", "3"], ["key '--replicates'", "without a design"]),
        (["--grid", "col.aid_dependence=0.1", "--runs", "3"], ["key '--runs'", "--replicates R"]),
        (["--grid", "col.aid_dependence=0.1", "--resume", "x.partial"],
         ["cannot change a resumed batch"]),
        (["--grid", "col.aid_dependence=0.1,0.2", "--replicates", "60000"], ["at most 100,000"]),
    ],
)  # fmt: skip
def test_bad_grid_options_exit_2_naming_the_key(tmp_path, scenario, args, fragments):
    out = tmp_path / "never"
    bad(cli("run", str(scenario), *args, "--out", str(out)), *fragments)
    assert not out.exists() and not (tmp_path / "never.partial").exists()


def test_replicates_must_be_a_positive_whole_number(scenario):
    code, _, err = cli(
        "run", str(scenario), "--grid", "col.aid_dependence=0.1", "--replicates", "0"
    )
    assert code == 2 and "--replicates" in err and "Traceback" not in err
