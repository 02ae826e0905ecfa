"""The ``rift`` command line: a thin shell over the Python API.

Exit codes: 0 success, 2 bad input (one paragraph, no traceback), 1 failure.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence

from rift import __version__
from rift.errors import InputError

DESCRIPTION = """\
rift simulates the US-Colombia alliance breakdown as a Monte Carlo batch of an agent-based
model (the US, Colombia, three armed groups and China over 1,122 municipalities).
Write a scenario in YAML, run it, compare the outcome distributions.
"""

EPILOG = """\
examples:
  rift run scenarios/baseline.yaml --runs 1
  rift run scenarios/full_rupture.yaml --runs 500 --set us.security_cut_residual=0
  rift params us.
  rift params --source init.control_share
"""


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
    run.add_argument("scenario", help="scenario YAML file (or the name of a shipped scenario)")
    run.add_argument("--runs", type=int, help="number of runs (overrides the file)")
    run.add_argument("--seed", type=int, help="root seed of the batch (overrides the file)")
    run.add_argument(
        "--executor",
        choices=["serial", "process", "dask"],
        default="process",
        help="where runs execute (default: process)",
    )
    run.add_argument("--workers", type=int, help="worker processes (default: all CPUs)")
    run.add_argument(
        "--address", help="Dask scheduler address (tcp://host:port) for --executor dask"
    )
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter or a scenario key (repeatable), e.g. "
        "us.intel_sharing=0.2 or runs=500",
    )
    run.add_argument("--out", help="result folder (default: outputs/<scenario>/<run-id>)")
    run.add_argument(
        "--resume",
        metavar="DIR",
        help="finish an interrupted batch stored in DIR (its .partial folder)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")

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

    sub.add_parser(
        "scenarios",
        help="list the shipped scenarios",
        description="List the scenarios shipped with rift.",
    )
    return parser


# ------------------------------------------------------------------------------ commands
def cmd_params(args: argparse.Namespace) -> int:
    """``rift params``: the parameter table, or one parameter's provenance."""
    from rift.parameters import registry

    reg = registry()
    if args.source:
        p = reg.lookup(args.source, key="--source")
        print(f"{p.name}: {p.description}")
        print(f"  value: {p.default} {p.unit}    valid range: {p.range_text()}")
        if p.uncertainty:
            print(f"  uncertainty: {p.uncertainty_text()}")
        if p.instrument:
            print("  instrument: scenarios may force it (null = endogenous)")
        for s in p.sources:
            if s.kind == "seed":
                print(f'  seed {s.text}:\n    "{s.quote}"')
            elif s.kind == "reference":
                print(f"  reference.csv key {s.text}" + (f" ({s.date})" if s.date else ""))
            else:
                print(f"  assumption: {s.text}")
        if p.note:
            print(textwrap.fill(f"  note: {p.note}", width=100, subsequent_indent="    "))
        return 0
    names = [n for n in reg if n.startswith(args.prefix)]
    if not names:
        raise InputError(
            f"no parameter starts with '{args.prefix}'",
            key="prefix",
            expected="a prefix such as us., col., init., territory.",
        )
    rows = []
    for n in names:
        p = reg[n]
        value = "endogenous" if p.instrument and p.default is None else str(p.default)
        source = ", ".join(dict.fromkeys(s.short() for s in p.sources))
        rows.append((n, value, p.unit, p.range_text(), p.uncertainty_text(), source))
    header = ("name", "value", "unit", "range", "uncertainty", "source")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(5)]
    widths = [min(w, 42) for w in widths]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    print(fmt.format(*header))
    for r in rows:
        print(fmt.format(*(c[:42] for c in r[:5]), r[5]))
    print(f"\n{len(rows)} parameters. `rift params --source NAME` shows a parameter's quote.")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """``rift validate``: load and check each file."""
    from rift.config import load_scenario

    for f in args.files:
        s = load_scenario(f)
        print(f"{f}: ok ({s.name}, {s.start}..{s.end}, {s.runs} runs, hash {s.hash()})")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``rift scenarios``: the shipped scenarios and their descriptions."""
    from rift.config import load_scenario, shipped_scenarios

    for name, path in shipped_scenarios().items():
        s = load_scenario(path)
        first = s.description.strip().split("\n\n")[0].replace("\n", " ")
        text = textwrap.fill(first, width=96, initial_indent="  ", subsequent_indent="  ")
        print(f"{name}\n{text}\n")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """``rift run``: run a batch into a result folder and print the horizon summary."""
    from rift.config import load_scenario
    from rift.experiment import resume_scenario, run_scenario
    from rift.results import load

    overrides = list(args.overrides)
    if args.runs is not None:
        overrides.append(f"runs={args.runs}")
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    scenario = load_scenario(args.scenario, overrides)
    executor = "serial" if scenario.runs == 1 and args.executor == "process" else args.executor
    common = dict(executor=executor, workers=args.workers, address=args.address, quiet=args.quiet)
    if args.resume:
        stored = resume_scenario(args.resume, scenario, **common)
    else:
        command = "rift " + " ".join(sys.argv[1:]) if sys.argv[1:] else None
        stored = run_scenario(scenario, out=args.out, command=command, **common)
    results = load(stored.path)
    print(_run_summary(results, stored))
    if not stored.complete:
        print(
            f"\nInterrupted: {stored.runs_done} of {results.manifest['runs']} runs kept in "
            f"{stored.path}. Finish with:\n  rift run {args.scenario} --resume {stored.path}",
            file=sys.stderr,
        )
        return 130
    if stored.failures:
        print(f"\n{len(stored.failures)} run(s) failed (listed in the manifest):", file=sys.stderr)
        for f in stored.failures[:10]:
            print(f"  run {f['run']} (seed {f['seed']}): {f['error']}", file=sys.stderr)
        return 1
    return 0


def _run_summary(results, stored) -> str:
    from rift.analysis.summary import event_probability, format_summary, horizon_summary

    m = results.manifest
    sc = m["scenario"]
    runs = results.runs
    table = horizon_summary(runs, m["outcomes"])
    lines = [
        f"{sc['name']}: {len(runs)} run(s), {sc['start']}..{sc['end']}, seed {m['seed']}, "
        f"{stored.seconds:.2f} s ({stored.executor})",
        f"results: {results.path}",
        "",
        f"Outcomes at {sc['end']}:",
        format_summary(table, single=len(runs) == 1),
        "",
        f"P(full rupture by {sc['end']}) = {event_probability(runs, 'rupture_month'):.2f}    "
        f"P(re-certification by {sc['end']}) = "
        f"{event_probability(runs, 'recertification_month'):.2f}",
    ]
    return "\n".join(lines)


COMMANDS = {
    "run": cmd_run,
    "params": cmd_params,
    "validate": cmd_validate,
    "scenarios": cmd_scenarios,
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
    except Exception as exc:
        if os.environ.get("RIFT_DEBUG"):
            raise
        print(
            f"rift: failed: {type(exc).__name__}: {exc} (set RIFT_DEBUG=1 for a traceback)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
