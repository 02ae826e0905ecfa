"""``rift run``: run a batch into a result folder, print its summary, write its report."""

from __future__ import annotations

import argparse
import contextlib
import sys


def cmd_run(args: argparse.Namespace) -> int:
    """``rift run``: run a batch into a result folder and print the horizon summary."""
    from rift.experiment import BatchStoppedError

    try:
        return _cmd_run(args)
    except BatchStoppedError as exc:
        print(
            f"rift: {exc.reason}. The runs that finished are kept in {exc.work}. "
            f"Finish with:\n  {resume_command(exc.work)}",
            file=sys.stderr,
        )
        return 130 if exc.interrupted else 1


def _ignore_file_size_signal() -> None:
    """A file-size limit (``ulimit -f``) is an error to report, not a kill (SIGXFSZ)."""
    import signal

    if hasattr(signal, "SIGXFSZ"):
        with contextlib.suppress(ValueError):  # not in the main thread
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _cmd_run(args: argparse.Namespace) -> int:
    from rift.errors import InputError
    from rift.experiment import resume_scenario, run_scenario
    from rift.results import load
    from rift.scenario import load_scenario

    _ignore_file_size_signal()

    overrides = list(args.overrides)
    if args.runs is not None:
        overrides.append(f"runs={args.runs}")
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    common = dict(
        workers=args.workers,
        address=args.address,
        dask_timeout=args.dask_timeout,
        quiet=args.quiet,
    )
    if args.resume is not None:
        if args.out is not None:
            raise InputError(
                "--out cannot move a resumed batch",
                key="--out",
                expected="rift run --resume DIR (the batch completes where it is)",
            )
        given = load_scenario(args.scenario, overrides) if args.scenario else None
        if given is None and overrides:
            raise InputError(
                "--runs, --seed and --set cannot change a resumed batch",
                key="--resume",
                expected="rift run --resume DIR alone",
            )
        stored = resume_scenario(args.resume, given, executor=args.executor, **common)
    else:
        if not args.scenario:
            raise InputError(
                "no scenario given",
                key="SCENARIO",
                expected="rift run SCENARIO.yaml (or a shipped name), or rift run --resume DIR",
            )
        scenario = load_scenario(args.scenario, overrides)
        executor = "serial" if scenario.runs == 1 and args.executor == "process" else args.executor
        if args.address is not None:
            executor = args.executor
        command = "rift " + " ".join(sys.argv[1:]) if sys.argv[1:] else None
        stored = run_scenario(scenario, executor=executor, out=args.out, command=command, **common)
    for note in stored.notes:
        print(f"rift: note: {note}", file=sys.stderr)
    if not stored.complete and stored.runs_done == 0:  # stopped before the first run finished
        print(
            f"\nInterrupted before any run finished: nothing kept yet in {stored.path}. "
            f"Finish with:\n  {resume_command(stored.path)}",
            file=sys.stderr,
        )
        return 130
    results = load(stored.path)
    if args.unweighted:
        results = results.unweighted()
    print(_run_summary(results, stored))
    if not stored.complete:
        print(
            f"\nInterrupted: {stored.runs_done} of {results.manifest['runs']} runs kept in "
            f"{stored.path}. Finish with:\n  {resume_command(stored.path)}",
            file=sys.stderr,
        )
        return 130
    if results.manifest["scenario"].get("observations"):
        print(_assimilation_summary(results))
    if not args.no_report:
        from rift.report import write_report

        report = write_report([results], results.path, None, ("png", "svg") if args.svg else ())
        print(f"report: {report}")
    if stored.failures:
        print(f"\n{len(stored.failures)} run(s) failed (listed in the manifest):", file=sys.stderr)
        for f in stored.failures[:10]:
            print(f"  run {f['run']} (seed {f['seed']}): {f['error']}", file=sys.stderr)
        return 1
    return 0


def resume_command(path) -> str:
    """The command that finishes an interrupted batch (printed after Ctrl-C)."""
    import shlex

    return f"rift run --resume {shlex.quote(str(path))}"


def _run_summary(results, stored) -> str:
    from rift.analysis.summary import (
        category_shares,
        format_categories,
        format_events,
        format_summary,
        horizon_summary,
    )
    from rift.analysis.weights import run_weights, weighting_note

    m = results.manifest
    sc = m["scenario"]
    runs = results.runs
    weights = run_weights(results)
    note = weighting_note(results)
    lines = [
        f"{sc['name']}: {len(runs)} run(s), {sc['start']}..{sc['end']}, seed {m['seed']}, "
        f"{stored.seconds:.2f} s ({stored.executor})",
        f"results: {results.path}",
        *([note] if note else []),
        "",
        f"Outcomes at {sc['end']}{' (weighted)' if weights is not None else ''}:",
        format_summary(horizon_summary(runs, m["outcomes"], weights), single=len(runs) == 1),
    ]
    categories = category_shares(runs, m["outcomes"], weights)
    if len(categories):
        lines += ["", format_categories(categories)]
    lines += ["", format_events(runs, sc["end"], weights)]
    return "\n".join(lines)


def _assimilation_summary(results) -> str:
    """Condition the batch on its scenario's observations; write the weights; say how it went."""
    from rift.analysis.assimilation import assimilate, assimilation_frame, horizon_comparison
    from rift.analysis.summary import format_value
    from rift.atomic import atomic_write_with
    from rift.record import RECORD

    fit = assimilate(results)
    path = results.path / "assimilation.parquet"
    frame = assimilation_frame(fit)
    atomic_write_with(path, lambda tmp: frame.to_parquet(tmp, index=False))
    observed = list(dict.fromkeys(o.outcome for o in fit.observations))
    numeric = [n for n in results.manifest["outcomes"] if RECORD.outcome(n).kind != "category"]
    shown = observed + [n for n in numeric if n not in observed][: max(0, 8 - len(observed))]
    table = horizon_comparison(results, fit, shown)
    lines = ["", fit.message(), f"weights per run: {path}", "", "Conditioned on them, at "
             f"{results.manifest['months'][-1]} (median [5 %, 95 %]):"]  # fmt: skip
    for _, r in table.iterrows():
        lines.append(
            f"  {r['outcome']:<24} before {format_value(r['median_before'])} "
            f"[{format_value(r['p5_before'])}, {format_value(r['p95_before'])}]  after "
            f"{format_value(r['median_after'])} "
            f"[{format_value(r['p5_after'])}, {format_value(r['p95_after'])}]"
        )
    return "\n".join(lines)
