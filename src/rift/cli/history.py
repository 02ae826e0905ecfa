"""``rift validate-history`` and ``rift calibrate``: the model against the 2019–2024 record."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_validate_history(args: argparse.Namespace) -> int:
    """Run the hindcast, score it against reference.csv, print the table, write the report."""
    from rift.atomic import atomic_write_text
    from rift.calibration import load_calibration
    from rift.experiment import run_scenario
    from rift.months import format_month
    from rift.plots import fan_chart
    from rift.report import write_report
    from rift.results import load
    from rift.scenario import load_scenario, shipped_scenarios
    from rift.validation.hindcast import format_scores, horizon_targets, score_hindcast

    overrides = [f"runs={args.runs}"] if args.runs else []
    scenario = load_scenario(shipped_scenarios()["hindcast_2019"], overrides)
    record = None if args.prior else load_calibration()
    if record is not None:
        scenario = scenario.model_copy(update={"calibration": record["version"]})
    which = f"calibrated ({record['version']})" if record else "registry defaults (prior)"
    print(f"hindcast 2019-01..2024-12, {scenario.runs} runs, parameters: {which}", flush=True)
    stored = run_scenario(
        scenario,
        executor=args.executor,
        workers=args.workers,
        out=args.out,
        quiet=args.quiet,
        command="rift " + " ".join(sys.argv[1:]),
    )
    results = load(stored.path)
    table, summary = score_hindcast(results)
    print(format_scores(table, summary))
    atomic_write_text(results.path / "scores.csv", table.to_csv(index=False))
    print(f"\nscores: {results.path / 'scores.csv'}")
    if not args.no_report:
        extra = {}
        for outcome in dict.fromkeys(t.outcome for t in horizon_targets(results)):
            points = [
                (format_month(t.month), t.observed, t.label)
                for t in horizon_targets(results)
                if t.outcome == outcome
            ]
            extra[f"target_{outcome}"] = fan_chart(results, outcome, targets=points)
        report = write_report([results], results.path, extra=extra)
        print(f"report: {report}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the calibrated parameters by ABC-SMC and store the posterior."""
    from rift.validation.calibrate import calibrate, save

    record = calibrate(
        population=args.population,
        generations=args.generations,
        workers=args.workers or 1,
        seed=args.seed,
    )
    path = save(record, Path(args.out) if args.out else None)
    post = record["posterior"]
    print(
        f"calibration {record['version']}: {post['simulations']} simulations, tolerances "
        f"{', '.join(f'{e:.3f}' for e in post['epsilons'])}; written to {path}"
    )
    return 0
