"""The ``rift`` command line: a thin shell over the Python API.

Exit codes: 0 success, 2 bad input (one paragraph, no traceback), 1 failure.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from collections.abc import Sequence

from rift.cli.analyse import cmd_compare, cmd_report
from rift.cli.app import add_parser as add_app_parser
from rift.cli.app import cmd_app
from rift.cli.discover import add_parser as add_discover_parser
from rift.cli.discover import cmd_discover
from rift.cli.history import cmd_calibrate, cmd_validate_forecast, cmd_validate_history
from rift.cli.info import cmd_params, cmd_scenarios, cmd_validate
from rift.cli.nowcast import add_parser as add_nowcast_parser
from rift.cli.nowcast import cmd_nowcast
from rift.cli.refit import add_refit_parser, cmd_refit
from rift.cli.run import cmd_run
from rift.cli.sensitivity import add_parser as add_sensitivity_parser
from rift.cli.sensitivity import cmd_sensitivity
from rift.errors import InputError
from rift.runner.base import EXECUTORS
from rift.version import __version__

DESCRIPTION = """\
rift simulates the US-Colombia alliance breakdown as a Monte Carlo batch of an agent-based
model (the US, Colombia, three armed groups and China over 1,122 municipalities).
Write a scenario in YAML, run it, compare the outcome distributions.
"""

EPILOG = """\
examples:
  rift run scenarios/baseline.yaml --runs 1
  rift run scenarios/baseline.yaml --out outputs/baseline/demo
  rift run scenarios/new_rupture.yaml --out outputs/new_rupture/demo
  rift compare outputs/baseline/demo outputs/new_rupture/demo
  rift discover outputs/baseline/demo --outcome control_any --above p80
  rift run scenarios/new_rupture.yaml --runs 500 --set us.security_cut_residual=0
  rift validate-forecast --runs 200
  rift params us.
  rift params --source init.control_share
  rift sensitivity scenarios/baseline.yaml --outcome control_any --groups --samples 32
  rift app new_rupture --port 8765
"""


#: Help of ``--unweighted`` (run, compare, report).
_UNWEIGHTED = "ignore the weights of batches conditioned on observations (the plain ensemble)"


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


def _add_executor_options(parser: argparse.ArgumentParser, dask_address: bool = True) -> None:
    """``--executor`` and ``--workers`` (and the Dask options), the same for every batch."""
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="process",
        help="where runs execute (default: process)",
    )
    parser.add_argument("--workers", type=positive_int, help="worker processes (default: all CPUs)")
    if dask_address:
        parser.add_argument(
            "--address",
            help="Dask scheduler address (tcp://host:port) for --executor dask "
            "(default: a local cluster on 127.0.0.1)",
        )
        parser.add_argument(
            "--dask-timeout",
            type=positive_float,
            default=10.0,
            metavar="SECONDS",
            help="how long to wait for the Dask scheduler at --address (default: 10)",
        )


def _add_split_option(parser: argparse.ArgumentParser) -> None:
    """``--split NAME`` (repeatable): the report splits every batch's runs by an input."""
    parser.add_argument(
        "--split",
        action="append",
        metavar="NAME",
        help="in the report, split each batch's runs by a categorical input (repeatable): "
        "winner_2030, us_party_2028, variant.china, present_particle, ... (the election "
        "winners that vary are always split)",
    )


def _add_figures_option(parser: argparse.ArgumentParser) -> None:
    """``--figures key|all``: which figures the report draws (run, compare, report)."""
    parser.add_argument(
        "--figures",
        choices=("key", "all"),
        default="key",
        help="the report's figures: key (default: fan charts of armed control, presence, "
        "members, coca, displacement and cooperation, the event curves, the election, the map) "
        "or all (besides them, a figure of every reported outcome, in the appendix)",
    )


def _add_summary_options(parser: argparse.ArgumentParser) -> None:
    """``--outcomes`` and ``--all``: what the terminal summary shows (run, compare)."""
    which = parser.add_mutually_exclusive_group()
    which.add_argument(
        "--outcomes",
        metavar="NAME,...",
        help="the outcomes to print, by name (e.g. control_any,coca_ha; default: armed control, "
        "presence, coca, members, displacement, cooperation, the president, the alliance's "
        "events)",
    )
    which.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help="print every outcome and every event (each measure's starts and ends)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rift",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rift {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run a scenario as a Monte Carlo batch and print the horizon outcomes",
        description="Run a scenario as a Monte Carlo batch and print the horizon outcomes.",
    )
    run.add_argument(
        "scenario",
        nargs="?",
        help="scenario YAML file (or the name of a shipped scenario); not needed with --resume",
    )
    run.add_argument("--runs", type=positive_int, help="number of runs (overrides the file)")
    run.add_argument("--seed", type=int, help="root seed of the batch (overrides the file)")
    _add_executor_options(run)
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter or a scenario key (repeatable), e.g. "
        "us.intel_sharing=0.2 or runs=500",
    )
    run.add_argument(
        "--design",
        metavar="FILE.csv",
        help="run a design: a CSV with a column per parameter or instrument and a row per "
        "design point, each run --replicates times with the same seeds (common random numbers)",
    )
    run.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="run a grid of design points: the values of one parameter (repeatable; the "
        "cartesian product of all --grid options)",
    )
    run.add_argument(
        "--replicates",
        type=positive_int,
        help="runs per design point, with --design or --grid (default: 1)",
    )
    run.add_argument("--out", help="result folder (default: outputs/<scenario>/<run-id>)")
    run.add_argument(
        "--resume",
        metavar="DIR",
        help="finish the interrupted batch stored in DIR (its .partial folder); the stored "
        "scenario is resumed",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--kernels",
        choices=("numpy", "numba"),
        help="the territory's rules: numpy (the reference) or numba (compiled, the 'fast' "
        "extra; the same outcomes within 1e-9) (default: $RIFT_KERNELS, else numpy)",
    )
    run.add_argument(
        "--no-report", action="store_true", help="do not write figures and report.html"
    )
    run.add_argument("--svg", action="store_true", help="also save the figures as SVG")
    run.add_argument(
        "--report-workers",
        type=positive_int,
        metavar="N",
        help="draw the report's figures in N worker processes started with the batch (the "
        "same files; faster only where cores are idle) (default: drawn in this process)",
    )
    _add_figures_option(run)
    _add_summary_options(run)
    run.add_argument(
        "--unweighted",
        action="store_true",
        help=_UNWEIGHTED,
    )

    compare = sub.add_parser(
        "compare",
        help="compare stored batches: paired differences, table, figures, report",
        description=(
            "Compare stored batches with the first one. Runs are paired by index when the "
            "batches share their root seed and every input the scenarios declare alike is "
            "identical run by run (checked from the stored inputs; the inputs set differently "
            "are named); otherwise the comparison is unpaired (Mann-Whitney, "
            "Kolmogorov-Smirnov) and says why. Prints the table and writes comparison.csv, "
            "comparison.md, figures/ and report.html."
        ),
    )
    compare.add_argument(
        "dirs", nargs="+", metavar="DIR", help="result folders (first = reference)"
    )
    compare.add_argument("--out", help="output folder (default: outputs/compare/<time>-<names>)")
    compare.add_argument("--svg", action="store_true", help="also save the figures as SVG")
    _add_figures_option(compare)
    _add_split_option(compare)
    _add_summary_options(compare)
    compare.add_argument("--no-report", action="store_true", help="tables only")
    compare.add_argument(
        "--unweighted",
        action="store_true",
        help=_UNWEIGHTED,
    )
    compare.add_argument(
        "--by",
        metavar="COLUMN",
        help="also split each batch's paired effect by a sampled input, e.g. "
        "param.variant.coca: does the conclusion hold under every variant? (writes by_<name>.csv)",
    )

    report = sub.add_parser(
        "report",
        help="write the HTML report of one batch (or of several, compared)",
        description=(
            "Write figures/ and a self-contained report.html: into the result folder for one "
            "batch, into --out (default outputs/report/<time>-<names>) for several."
        ),
    )
    report.add_argument("dirs", nargs="+", metavar="DIR", help="result folders")
    report.add_argument("--out", help="output folder")
    report.add_argument("--svg", action="store_true", help="also save the figures as SVG")
    _add_figures_option(report)
    _add_split_option(report)
    report.add_argument(
        "--discovery",
        action="append",
        metavar="FOLDER",
        help="show a stored scenario discovery in the report (a `rift discover --out` "
        "folder; repeatable): the chosen box, its limits and quasi-p-values, the figures",
    )
    report.add_argument(
        "--unweighted",
        action="store_true",
        help=_UNWEIGHTED,
    )

    history = sub.add_parser(
        "validate-history",
        help="hindcast 2019-2024 and score it against the record (reference.csv)",
        description=(
            "Run the 2019-2024 hindcast (scenario hindcast_2019, sampled as `rift run` samples "
            "it) and score every reference figure in its horizon: PIT, 50 %% and 90 %% bands, "
            "CRPS, against two naive forecasts (the recent trend; the last growth carried "
            "forward). Figures the calibration was fitted on are labelled in-sample; "
            "--calibrated-through YEAR uses the calibration fitted on the data through YEAR "
            "only, so the later figures are out of sample."
        ),
    )
    history.add_argument("--runs", type=positive_int, help="runs (default: the scenario's 200)")
    which = history.add_mutually_exclusive_group()
    which.add_argument(
        "--prior", action="store_true", help="registry spreads instead of the calibration"
    )
    which.add_argument(
        "--calibrated-through",
        type=int,
        metavar="YEAR",
        help="the out-of-sample calibration fitted on data through YEAR (2021, 2022)",
    )
    history.add_argument(
        "--assimilate",
        type=int,
        metavar="YEAR",
        help="also condition the runs on the reference figures of YEAR and score the later "
        "figures with and without them (data assimilation)",
    )
    _add_executor_options(history, dask_address=False)
    history.add_argument("--out", help="result folder (default: outputs/hindcast_2019/<run-id>)")
    history.add_argument("--quiet", action="store_true", help="no progress bar")
    history.add_argument("--no-report", action="store_true", help="no figures and report")

    forecast = sub.add_parser(
        "validate-forecast",
        help="score the archived forecast (data through 2025-12) against the 2026 record",
        description=(
            "Run forecast_2025_12 (the baseline as it stood with data through 2025-12, from "
            "the January-2025 state) with one seed to 2025-12, 2026-02 and 2026-12, and score "
            "what it said against the coded record of 2025-2026: the détente (a deal in "
            "January-February 2026; US measures in 2026-03 below their late-2025 peak), the "
            "first round, the runoff, and the record's figures. The forecast never saw the "
            "2026 record: every score is out of sample. Binary outcomes by the Brier and log "
            "scores against a named reference; shares and figures by the CRPS against naive "
            "forecasts. Writes the batches and scores.md to --out."
        ),
    )
    forecast.add_argument("--runs", type=positive_int, help="runs (default: the scenario's 200)")
    _add_executor_options(forecast, dask_address=False)
    forecast.add_argument(
        "--out", help="folder to write (new; default: outputs/forecast_2025_12/score-<seed>)"
    )
    forecast.add_argument("--quiet", action="store_true", help="no progress bar")

    calib = sub.add_parser(
        "calibrate",
        help="fit the assumed coefficients to 2019-2024 by ABC-SMC",
        description=(
            "Calibrate the parameters listed in rift/data/calibration_spec.yaml to every "
            "reference.csv figure up to its data_through date (or December of --through), by "
            "ABC-SMC on the hindcast; writes the weighted posterior to "
            "rift/data/calibration.json (calibration_through_YEAR.json with --through, or --out)."
        ),
    )
    calib.add_argument(
        "--population", type=positive_int, default=200, help="particles (default 200)"
    )
    calib.add_argument(
        "--generations", type=positive_int, default=4, help="SMC generations (default 4)"
    )
    calib.add_argument("--workers", type=positive_int, default=2, help="processes (default 2)")
    calib.add_argument("--seed", type=int, default=20241231, help="seed of the calibration")
    calib.add_argument(
        "--through",
        type=int,
        metavar="YEAR",
        help="fit on the data through YEAR only (an out-of-sample calibration, written to "
        "calibration_through_YEAR.json)",
    )
    calib.add_argument("--out", help="where to write (default: the package's calibration.json)")

    add_refit_parser(sub, positive_int)

    params = sub.add_parser(
        "params",
        help="list the model parameters with units, ranges and sources",
        description="List the model parameters: value, unit, valid range, uncertainty, source.",
    )
    params.add_argument("prefix", nargs="?", default="", help="only names starting with this")
    params.add_argument("--source", metavar="NAME", help="show the full provenance of a parameter")

    validate = sub.add_parser(
        "validate",
        help="check scenario files without running them",
        description="Check scenario files without running them.",
    )
    validate.add_argument("files", nargs="+", help="scenario YAML files")
    validate.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="check with these overrides applied, as `rift run --set` would",
    )

    sub.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description="List the scenarios shipped with rift.",
    )
    add_nowcast_parser(sub)
    add_discover_parser(sub)
    add_sensitivity_parser(sub, positive_int)
    add_app_parser(sub, positive_int)
    return parser


COMMANDS = {
    "run": cmd_run,
    "compare": cmd_compare,
    "report": cmd_report,
    "validate-history": cmd_validate_history,
    "validate-forecast": cmd_validate_forecast,
    "calibrate": cmd_calibrate,
    "refit": cmd_refit,
    "params": cmd_params,
    "validate": cmd_validate,
    "scenarios": cmd_scenarios,
    "nowcast": cmd_nowcast,
    "discover": cmd_discover,
    "sensitivity": cmd_sensitivity,
    "app": cmd_app,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rift`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"rift: {exc.message()}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("rift: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        if exc.errno in _PATH_ERRORS and not os.environ.get("RIFT_DEBUG"):
            name = str(exc.filename or "a path")
            shown = name if len(name) <= 120 else f"{name[:60]}...{name[-40:]}"
            print(f"rift: {shown}: {_PATH_ERRORS[exc.errno]} (a path given)", file=sys.stderr)
            return 2
        return _failed(exc)
    except Exception as exc:
        return _failed(exc)


#: Errors of a path given on the command line that are bad input, not a failure of rift.
_PATH_ERRORS = {
    errno.ENAMETOOLONG: "the path is longer than the system allows",
    errno.ELOOP: "the path has too many symbolic links",
}


def _failed(exc: Exception) -> int:
    """A failure of rift itself: one line, exit 1 (the traceback with RIFT_DEBUG=1)."""
    if os.environ.get("RIFT_DEBUG"):
        raise exc
    print(
        f"rift: failed: {type(exc).__name__}: {exc} (set RIFT_DEBUG=1 for a traceback)",
        file=sys.stderr,
    )
    return 1
