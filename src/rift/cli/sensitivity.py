"""``rift sensitivity``: SALib's design run as a stored batch, then the indices of an outcome."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

#: What ``--method`` accepts (checked with a message naming it, not by argparse).
METHOD_HELP = "sobol (first-order and total indices), morris or delta (default: sobol)"


def add_parser(sub: argparse._SubParsersAction, positive_int: Callable[[str], int]) -> None:
    """The ``sensitivity`` subcommand's options."""
    from rift.cli import _add_executor_options

    p = sub.add_parser(
        "sensitivity",
        help="global sensitivity of an outcome to the scenario's sampled inputs (SALib)",
        description=(
            "Sample the scenario's uncertain inputs (its uncertain block and the registry's "
            "spreads) with SALib, run the sample as a design batch (each point --replicates "
            "times with the same seeds, stored and resumable), and print the indices of the "
            "seed-averaged outcome with SALib's 95 %% bootstrap intervals, and the seed's share "
            "of the outcome's variance (within points) apart from the inputs' (between points). "
            "Writes sensitivity_<outcome>_<month>.parquet/.csv and a figure into the batch."
        ),
    )
    p.add_argument(
        "scenario", nargs="?", help="scenario YAML file or shipped name (not with --resume)"
    )
    p.add_argument("--method", help=METHOD_HELP)
    p.add_argument(
        "--outcome",
        required=True,
        help="a monthly outcome (control_any), an event as 0/1 by the month (rupture), or a "
        "per-run value",
    )
    p.add_argument("--month", metavar="YYYY-MM", help="the month (default: the horizon)")
    p.add_argument(
        "--samples",
        type=positive_int,
        help="SALib's N: Sobol' runs N (k + 2) points for k inputs (N a power of 2), Morris N "
        "trajectories of k + 1 points, delta N points (default: 64)",
    )
    p.add_argument("--replicates", type=positive_int, help="runs per design point (default: 2)")
    p.add_argument(
        "--parameters",
        action="append",
        default=[],
        metavar="NAME",
        help="only this input, or the inputs under a prefix ending in '.' (repeatable; "
        "default: every input the scenario samples)",
    )
    p.add_argument(
        "--groups",
        action="store_true",
        help="move the inputs in groups by the first part of their names (us, col, events, "
        "...): one index per group (Sobol', Morris)",
    )
    p.add_argument("--seed", type=int, help="root seed (overrides the file; seeds SALib too)")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter or a scenario key, as `rift run --set`",
    )
    p.add_argument(
        "--resamples",
        type=positive_int,
        default=100,
        help="bootstrap resamples of the intervals (default: 100; delta costs about 0.1 s "
        "per input and resample at 1,000 points)",
    )
    p.add_argument("--out", help="result folder (default: outputs/<scenario>/<run-id>)")
    p.add_argument(
        "--resume",
        metavar="DIR",
        help="finish an interrupted sensitivity batch in DIR, or analyse a complete one "
        "again (another --outcome or --month)",
    )
    _add_executor_options(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--svg", action="store_true", help="also save the figure as SVG")


def resume_command(path, args: argparse.Namespace) -> str:
    """The command that finishes an interrupted sensitivity batch."""
    month = f" --month {args.month}" if args.month else ""
    return (
        f"rift sensitivity --resume {shlex.quote(str(path))} "
        f"--outcome {shlex.quote(args.outcome)}{month}"
    )


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``rift sensitivity``: run (or resume) the design batch, then analyse an outcome."""
    from rift.experiment import BatchStoppedError

    try:
        return _cmd(args)
    except BatchStoppedError as exc:
        print(
            f"rift: {exc.reason}. The runs that finished are kept in {exc.work}. "
            f"Finish with:\n  {resume_command(exc.work, args)}",
            file=sys.stderr,
        )
        return 130 if exc.interrupted else 1


def _check_resume_alone(args: argparse.Namespace) -> None:
    from rift.errors import InputError

    given = [
        flag
        for flag, value in (
            ("SCENARIO", args.scenario),
            ("--method", args.method),
            ("--samples", args.samples),
            ("--replicates", args.replicates),
            ("--parameters", args.parameters),
            ("--groups", args.groups),
            ("--seed", args.seed),
            ("--set", args.overrides),
            ("--out", args.out),
        )
        if value
    ]
    if given:
        raise InputError(
            f"{', '.join(given)} cannot change a stored batch",
            key="--resume",
            expected="rift sensitivity --resume DIR --outcome NAME [--month YYYY-MM] "
            "(the stored design is resumed)",
        )


def _cmd(args: argparse.Namespace) -> int:
    from rift.analysis.sensitivity import check_outcome, format_sensitivity
    from rift.api import analyse_sensitivity, sensitivity_batch, write_sensitivity
    from rift.errors import InputError
    from rift.experiment import resume_scenario
    from rift.months import format_month
    from rift.results import final_path, load, partial_path
    from rift.results.tables import record_names
    from rift.scenario import load_scenario

    if args.resume is not None:
        _check_resume_alone(args)
        final = final_path(Path(args.resume))
        if (final / "manifest.json").is_file() and not partial_path(final).exists():
            path = final
        else:
            stored = resume_scenario(
                args.resume, executor=args.executor, workers=args.workers,
                address=args.address, dask_timeout=args.dask_timeout, quiet=args.quiet,
            )  # fmt: skip
            if not stored.complete:
                print(
                    f"\nInterrupted: {stored.runs_done} runs kept in {stored.path}. Finish "
                    f"with:\n  {resume_command(stored.path, args)}",
                    file=sys.stderr,
                )
                return 130
            path = stored.path
    else:
        if not args.scenario:
            raise InputError(
                "no scenario given",
                key="SCENARIO",
                expected="rift sensitivity SCENARIO.yaml --outcome NAME, or --resume DIR",
            )
        scenario = load_scenario(args.scenario, list(args.overrides))
        months = [format_month(m) for m in range(scenario.start_month, scenario.end_month + 1)]
        check_outcome(args.outcome, args.month, record_names(), months, scenario.source)
        replicates = 2 if args.replicates is None else args.replicates
        executor = args.executor
        command = "rift " + " ".join(sys.argv[1:]) if sys.argv[1:] else None
        stored = sensitivity_batch(
            scenario, method=args.method or "sobol",
            samples=64 if args.samples is None else args.samples, replicates=replicates,
            parameters=tuple(args.parameters), groups=args.groups, seed=args.seed,
            executor=executor, workers=args.workers, address=args.address,
            dask_timeout=args.dask_timeout, out=args.out, quiet=args.quiet, command=command,
        )  # fmt: skip
        for note in stored.notes:
            print(f"rift: note: {note}", file=sys.stderr)
        if not stored.complete:
            print(
                f"\nInterrupted: {stored.runs_done} runs kept in {stored.path}. Finish with:"
                f"\n  {resume_command(stored.path, args)}",
                file=sys.stderr,
            )
            return 130
        print(
            f"{scenario.name}: {stored.runs_done} runs in {stored.seconds:.1f} s "
            f"({stored.executor})"
        )
        path = stored.path
    results = load(path)
    m = results.manifest
    record = m.get("sensitivity") or {}
    print(f"results: {results.path}")
    if record:
        print(
            f"design: {record['method']}, N={record['samples']}, "
            f"{len(record['names'])} inputs"
            + (f" in {len(set(record['groups']))} groups" if record.get("groups") else "")
            + f", {len(m['design']['points'])} points × {m['design']['replicates']} replicates"
        )
    result = analyse_sensitivity(results, args.outcome, args.month, args.resamples)
    print()
    print(format_sensitivity(result))
    files = write_sensitivity(result, results.path, ("png", "svg") if args.svg else ("png",))
    print(f"\ntables: {files[0]}, {files[1]}")
    print(f"figure: {', '.join(str(f) for f in files[2:])}")
    failed = int(m.get("runs_failed") or 0)
    if failed:
        print(f"rift: {failed} run(s) failed (listed in the manifest)", file=sys.stderr)
        return 1
    return 0
