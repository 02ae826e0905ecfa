"""``rift validate-history`` and ``rift calibrate``: the model against the 2019–2024 record."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_validate_history(args: argparse.Namespace) -> int:
    """Run the hindcast, score it against reference.csv, print the table, write the report."""
    from rift.atomic import atomic_write_text
    from rift.experiment import run_scenario
    from rift.months import format_month
    from rift.plots import fan_chart, reliability_chart
    from rift.report import write_report
    from rift.results import load
    from rift.scenario import load_scenario, shipped_scenarios
    from rift.validation.forecast.hindcast import format_scores, horizon_targets, score_hindcast

    if args.assimilate is not None and not 2020 <= args.assimilate <= 2023:
        from rift.errors import InputError

        raise InputError(
            f"got {_number(args.assimilate)}",
            key="--assimilate",
            expected="a year from 2020 to 2023 (its figures condition the forecast of the later "
            "ones, to 2024)",
        )
    overrides = [f"runs={args.runs}"] if args.runs else []
    if args.prior:
        overrides.append("sampling.calibrated=false")
    elif args.calibrated_through is not None:
        overrides.append(f"sampling.calibrated_through={args.calibrated_through}")
    scenario = load_scenario(shipped_scenarios()["hindcast_2019"], overrides)
    which = scenario.calibration or "registry spreads (no calibration)"
    print(
        f"hindcast {scenario.start}..{scenario.end}, {scenario.runs} runs, calibration: {which}",
        flush=True,
    )
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
    if args.assimilate is not None:
        from rift.validation.forecast.assimilation import format_assimilation, score_assimilation

        horizon = summary.get("horizon")
        if horizon is not None and args.assimilate <= int(format_month(horizon)[:4]):
            print(
                f"rift: note: the calibration already saw the {args.assimilate} figures; "
                "assimilating them counts them twice",
                file=sys.stderr,
            )
        later, later_summary, fit = score_assimilation(results, args.assimilate)
        print(format_assimilation(later, later_summary))
        if fit.collapsed:
            print("rift: " + fit.message().splitlines()[-1], file=sys.stderr)
        atomic_write_text(results.path / "assimilation_scores.csv", later.to_csv(index=False))
        print(f"\nassimilation scores: {results.path / 'assimilation_scores.csv'}")
    if not args.no_report:
        extra = {"reliability": reliability_chart(table)}
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


def cmd_validate_forecast(args: argparse.Namespace) -> int:
    """Run the archived forecast to its three horizons and score it against the 2026 record."""
    from rift.atomic import atomic_write_text
    from rift.errors import InputError, refuse_links
    from rift.experiment import run_scenario
    from rift.results import load
    from rift.scenario import load_scenario, shipped_scenarios
    from rift.validation.forecast.record_2026 import FORECAST, HORIZONS, markdown, score_forecast

    base = [f"runs={args.runs}"] if args.runs else []
    first = load_scenario(shipped_scenarios()[FORECAST], base)
    out = Path(args.out or Path("outputs") / FORECAST / f"score-{first.seed}")
    refuse_links([out], key="--out", expected="a folder that is not a symbolic link")
    if out.exists():
        raise InputError(
            f"{out} exists", key="--out", expected="a folder that does not exist yet (new)"
        )
    print(
        f"{FORECAST}: {first.runs} runs to each of {', '.join(HORIZONS)} (one seed, "
        f"{first.seed}); data through 2025-12 only, so every score is out of sample",
        flush=True,
    )
    batches = {}
    for horizon in HORIZONS:
        scenario = load_scenario(shipped_scenarios()[FORECAST], [*base, f"end={horizon}"])
        stored = run_scenario(
            scenario,
            executor=args.executor,
            workers=args.workers,
            out=out / horizon,
            quiet=args.quiet,
            command="rift " + " ".join(sys.argv[1:]),
        )
        batches[horizon] = load(stored.path)
    scored = score_forecast(batches)
    text = markdown(scored)
    print(text, end="")
    atomic_write_text(out / "scores.md", text)
    for name in ("events", "shares", "figures"):
        atomic_write_text(out / f"scores_{name}.csv", getattr(scored, name).to_csv(index=False))
    print(f"\nscores: {out / 'scores.md'}")
    return 0


#: Most ABC-SMC generations ``rift calibrate`` and ``rift refit alliance`` run (the shipped fits
#: use 4 and 5).
MAX_GENERATIONS = 100


def _number(value: int) -> str:
    """A number for a message: a huge one by its size only."""
    text = str(value)
    return text if len(text) <= 30 else f"a number of {len(text):,} digits"


def check_abc_options(args: argparse.Namespace) -> None:
    """The ABC-SMC options of ``rift calibrate`` and ``rift refit alliance``, before the fit.

    Raises:
        InputError: naming ``--seed``, ``--population`` or ``--generations``.
    """
    from rift.errors import InputError
    from rift.scenario.schema import MAX_RUNS, MAX_SEED

    if not 0 <= args.seed <= MAX_SEED:
        raise InputError(
            f"got {_number(args.seed)}", key="--seed", expected="a whole number from 0 to 2**63 - 1"
        )
    if not 2 <= args.population <= MAX_RUNS:
        raise InputError(
            f"got {_number(args.population)}",
            key="--population",
            expected=f"from 2 to {MAX_RUNS:,} particles",
        )
    if args.generations > MAX_GENERATIONS:
        raise InputError(
            f"got {_number(args.generations)}",
            key="--generations",
            expected=f"from 1 to {MAX_GENERATIONS} generations",
        )


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Fit the calibrated parameters by ABC-SMC and store the posterior."""
    from rift.errors import InputError
    from rift.validation.calibration.calibrate import calibrate, calibration_spec, output_path, save

    last = int(str(calibration_spec()["data_through"])[:4])
    if args.through is not None and not 2020 <= args.through <= last:
        raise InputError(
            f"got {_number(args.through)}",
            key="--through",
            expected=f"a year from 2020 to {last} (the data horizon)",
        )
    check_abc_options(args)
    output_path(args.out, args.through)  # refused now, not after the fit
    record = calibrate(
        population=args.population,
        generations=args.generations,
        workers=args.workers or 1,
        seed=args.seed,
        through=args.through,
    )
    path = save(record, Path(args.out) if args.out else None)
    post = record["posterior"]
    weights = [float(w) for w in post["weights"]]
    ess = sum(weights) ** 2 / sum(w * w for w in weights)
    print(
        f"calibration {record['version']} on data through {record['data_through']} "
        f"({len(record['targets'])} figures): {post['simulations']} simulations, tolerances "
        f"{', '.join(f'{e:.3f}' for e in post['epsilons'])}, effective sample size "
        f"{ess:.0f} of {len(weights)}; written to {path}"
    )
    if ess < 0.1 * len(weights):
        print(
            f"rift: warning: the posterior's weights are concentrated on few particles "
            f"(effective sample size {ess:.0f}); its ranges are not to be trusted: rerun with "
            "a larger --population",
            file=sys.stderr,
        )
    return 0
