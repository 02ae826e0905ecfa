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


def _choose_kernels(name: str) -> None:
    """Use the ``name`` rules in this process and the workers it starts (``RIFT_KERNELS``).

    Raises:
        InputError: numba asked for and not installed (before any run).
    """
    import os

    from rift.model.rules import KERNELS_VARIABLE, kernels

    kernels(name)  # refuses now, not in every worker
    os.environ[KERNELS_VARIABLE] = name  # spawned workers (process, local Dask) inherit it


def _figure_pool(args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """The workers of ``--report-workers``, started before the batch (or nothing).

    They import matplotlib while the batch runs and draw the report's figures once it is
    stored (:class:`rift.plots.pool.FigurePool`): the same files as drawn here.
    """
    if args.no_report or args.report_workers is None:
        return contextlib.nullcontext()
    from rift.plots.pool import FigurePool

    return FigurePool(args.report_workers)


def _cmd_run(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        return _cmd_run_in(args, stack)


def _cmd_run_in(args: argparse.Namespace, stack: contextlib.ExitStack) -> int:
    from rift.errors import InputError
    from rift.experiment import resume_scenario, run_scenario
    from rift.results import load
    from rift.scenario import load_scenario

    _ignore_file_size_signal()
    if args.kernels is not None:
        _choose_kernels(args.kernels)
    asked_outcomes(args)  # a misspelt outcome is refused before any run

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
    design = _design(args)
    if args.resume is not None:
        if design is not None:
            raise InputError(
                "--design and --grid cannot change a resumed batch",
                key="--resume",
                expected="rift run --resume DIR alone (the stored design is resumed)",
            )
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
        pool = stack.enter_context(_figure_pool(args))
        stored = resume_scenario(args.resume, given, executor=args.executor, **common)
    else:
        if not args.scenario:
            raise InputError(
                "no scenario given",
                key="SCENARIO",
                expected="rift run SCENARIO.yaml (or a shipped name), or rift run --resume DIR",
            )
        if design is not None:
            overrides.append(f"runs={design.replicates}")
        scenario = load_scenario(args.scenario, overrides)
        total = scenario.runs if design is None else design.runs
        executor = "serial" if total == 1 and args.executor == "process" else args.executor
        if args.address is not None:
            executor = args.executor
        command = "rift " + " ".join(sys.argv[1:]) if sys.argv[1:] else None
        pool = stack.enter_context(_figure_pool(args))
        stored = run_scenario(
            scenario, executor=executor, out=args.out, command=command, design=design, **common
        )
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
    print(_run_summary(results, stored, args))
    if "design" in results.manifest:
        print(_design_summary(results))
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
        from rift.experiment import Progress
        from rift.plots import figure_makers
        from rift.report import write_report

        formats = ("png", "svg") if args.svg else ()
        bar = Progress(
            len(figure_makers([results], None, args.figures)),
            0,
            args.quiet,
            "report figures",
            unit="figure",
        )
        try:
            report = write_report(
                [results],
                results.path,
                None,
                formats,
                figures=args.figures,
                pool=pool,
                progress=lambda done, total: bar.update(),
            )
        finally:
            bar.close()
        print(f"report: {report}")
    if stored.failures:
        print(f"\n{len(stored.failures)} run(s) failed (listed in the manifest):", file=sys.stderr)
        for f in stored.failures[:10]:
            print(f"  run {f['run']} (seed {f['seed']}): {f['error']}", file=sys.stderr)
        return 1
    return 0


def _design(args: argparse.Namespace):
    """The design ``--design`` or ``--grid`` give (None: an ordinary batch), checked.

    Raises:
        InputError: Both options, ``--replicates`` or ``--runs`` with the wrong one, and
            what :mod:`rift.runner.design` refuses in the file or the grid.
    """
    from rift.errors import InputError
    from rift.runner.design import parse_grid, read_design

    if args.design is not None and args.grid:
        raise InputError(
            "--design and --grid together",
            key="--grid",
            expected="one of them (put the grid's points in the design file)",
        )
    if args.design is None and not args.grid:
        if args.replicates is not None:
            raise InputError(
                "--replicates without a design",
                key="--replicates",
                expected="--design FILE.csv or --grid KEY=V1,V2,... (or --runs N)",
            )
        return None
    if args.runs is not None:
        raise InputError(
            "--runs with a design",
            key="--runs",
            expected="--replicates R (each design point is run R times)",
        )
    replicates = 1 if args.replicates is None else args.replicates
    if args.design is not None:
        return read_design(args.design, replicates)
    return parse_grid(args.grid, replicates)


def _design_summary(results) -> str:
    """The mean of the first reported outcomes at the horizon, design point by point."""
    from rift.analysis.summary import format_value
    from rift.record import RECORD

    m = results.manifest
    design = m["design"]
    columns = list(design["columns"])
    numeric = [n for n in m["outcomes"] if RECORD.outcome(n).kind != "category"][:3]
    runs = results.runs
    ok = runs[runs["error"].isna()]
    means = ok.groupby("point")[numeric].mean() if numeric else None
    count = ok.groupby("point").size()
    labels = design.get("labels") or []
    header = ["policy" if labels else "point", *columns, "runs", *(f"mean {n}" for n in numeric)]
    rows = []

    def cell(v: object) -> str:  # a policy's unset value is the run's own: "—"
        return "—" if v is None else (v if isinstance(v, str) else format_value(v))

    for p, values in enumerate(design["points"]):
        row = [labels[p] if labels else str(p), *(cell(v) for v in values)]
        row.append(str(int(count.get(p, 0))))
        for n in numeric:
            v = means[n].get(p) if means is not None and p in means.index else None
            row.append("—" if v is None else format_value(float(v)))
        rows.append(row)
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    lines = [
        "",
        f"Design ({design['source']}): {len(design['points'])} point(s) × "
        f"{design['replicates']} replicate(s), at {m['months'][-1]}:",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
    ]
    shown = rows if len(rows) <= 20 else rows[:20]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in shown]
    if len(rows) > 20:
        lines.append(f"... ({len(rows)} points in all; runs.parquet has point and replicate)")
    return "\n".join(lines)


def resume_command(path) -> str:
    """The command that finishes an interrupted batch (printed after Ctrl-C)."""
    import shlex

    return f"rift run --resume {shlex.quote(str(path))}"


def asked_outcomes(args: argparse.Namespace) -> list[str] | None:
    """The outcome names of ``--outcomes`` (None without it), each one the record declares.

    Checked before a batch runs, so that a typing error costs no run.

    Raises:
        InputError: An empty list, or a name the record does not declare.
    """
    from rift.errors import InputError
    from rift.record import RECORD

    if getattr(args, "outcomes", None) is None:
        return None
    asked = [n.strip() for n in args.outcomes.split(",") if n.strip()]
    known = {o.name for o in (*RECORD.outcomes, *RECORD.values)}
    unknown = [n for n in asked if n not in known]
    if unknown or not asked:
        raise InputError(
            f"no outcome named {unknown[0]!r}" if unknown else "no outcome named",
            key="--outcomes",
            expected="comma-separated outcome names, e.g. control_any,coca_ha,president "
            "(the columns of runs.parquet; the model page lists them under Outcomes)",
        )
    return asked


def summary_choice(
    args: argparse.Namespace, stored, scenarios=()
) -> tuple[list[str], list[str] | None]:
    """The outcomes and events to print: ``--outcomes``, ``--all`` or the headline ones.

    The events are the alliance's, and the starts and ends of the measures the scenarios'
    shocks impose.

    Args:
        args: The parsed options (``outcomes``, ``everything``).
        stored: The outcomes the batches stored.
        scenarios: The batches' scenarios (their manifests' ``scenario``).

    Raises:
        InputError: An outcome the batches did not store (or the record does not know).
    """
    from rift.analysis.summary import shocked_events, summary_selection
    from rift.errors import InputError

    asked = asked_outcomes(args)
    try:
        return summary_selection(
            stored, asked, getattr(args, "everything", False), shocked_events(scenarios)
        )
    except KeyError as exc:
        shown = ", ".join(stored[:8]) + (", ..." if len(stored) > 8 else "")
        raise InputError(
            f"no outcome {exc.args[0]!r} in the batch",
            key="--outcomes",
            expected=f"comma-separated outcome names the batch stored ({shown})",
        ) from None


def _run_summary(results, stored, args: argparse.Namespace | None = None) -> str:
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
    outcomes, events = (
        summary_choice(args, list(m["outcomes"]), [sc])
        if args is not None
        else (list(m["outcomes"]), None)
    )
    lines = [
        f"{sc['name']}: {len(runs)} run(s), {sc['start']}..{sc['end']}, seed {m['seed']}, "
        f"{stored.seconds:.2f} s ({stored.executor})",
        f"results: {results.path}",
        *([note] if note else []),
        "",
        f"Outcomes at {sc['end']}{' (weighted)' if weights is not None else ''}:",
        format_summary(horizon_summary(runs, outcomes, weights), single=len(runs) == 1),
    ]
    categories = category_shares(runs, outcomes, weights)
    if len(categories):
        lines += ["", format_categories(categories)]
    lines += ["", format_events(runs, sc["end"], weights, events)]
    if events is not None:
        lines += [
            "",
            f"({len(outcomes)} of {len(m['outcomes'])} outcomes and {len(events)} events shown: "
            "--all shows every one, --outcomes NAME,... chooses)",
        ]
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
