"""``rift refit events`` and ``rift refit alliance``: regenerate the event model's fitted data.

The event model's coefficients are package data fitted from package data: the hazards' block of
``parameters.yaml`` from the record of crises, ``alliance_calibration.json`` (the tension terms)
by ABC-SMC on US-Colombia 2019-2025. Without ``--write`` each command only prints what it would
store, so a change to the record can be inspected before it changes the model.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from rift.cli.history import check_abc_options


def cmd_refit(args: argparse.Namespace) -> int:
    """Dispatch ``rift refit TARGET`` to the target's command."""
    return {"events": cmd_refit_events, "alliance": cmd_refit_alliance}[args.target](args)


def cmd_refit_events(args: argparse.Namespace) -> int:
    """Print the hazards' fit and scores (Markdown), or rewrite the fitted block."""
    from rift.validation.events import report, write_fitted_block

    if args.write:
        path = write_fitted_block()
        print(f"wrote the fitted block to {path}")
        return 0
    sys.stdout.write(report())
    return 0


def cmd_refit_alliance(args: argparse.Namespace) -> int:
    """Calibrate the tension terms by ABC-SMC, print the posterior, optionally store it."""
    from rift.validation.calibration.alliance import calibrate, save, summary_lines

    check_abc_options(args)
    record = calibrate(args.population, args.generations, args.workers, seed=args.seed)
    print("\n".join(summary_lines(record)))
    if args.write:
        print(f"written to {save(record)}")
    return 0


def add_refit_parser(sub: argparse._SubParsersAction, positive_int: Callable[[str], int]) -> None:
    """``rift refit`` and its two targets, each with its own help and options.

    Args:
        sub: The ``rift`` parser's subcommands.
        positive_int: The argparse type of the other commands' counts, passed in so that this
            module need not import the package that imports it.
    """
    refit = sub.add_parser(
        "refit",
        help="refit the event model's coefficients from the record (events, alliance)",
        description=(
            "Refit the coefficients of the event model that are package data fitted from package "
            "data. Without --write only print the fit; with it, rewrite the package's file."
        ),
    )
    targets = refit.add_subparsers(dest="target", metavar="TARGET", required=True)
    events = targets.add_parser(
        "events",
        help="the measures' monthly hazards, fitted on the record of crises",
        description=(
            "Fit the measures' start and end hazards on alliance_events.csv (penalised "
            "likelihood, Laplace standard errors) and print the coefficients, the "
            "leave-one-episode-out scores, the durations, the 2025 first starts and the annual "
            "certification decisions (Markdown; seconds). --write rewrites the fitted block at "
            "the end of rift/data/parameters.yaml instead."
        ),
    )
    events.add_argument(
        "--write", action="store_true", help="rewrite the fitted block of parameters.yaml"
    )
    alliance = targets.add_parser(
        "alliance",
        help="the tension terms, calibrated on US-Colombia 2019-2025 by ABC-SMC",
        description=(
            "Calibrate the tension terms of the event model and the starting hostilities of "
            "2025 by ABC-SMC on what US-Colombia relations did in 2019-2025 (a 2025 baseline "
            "run and a 2019-2024 hindcast run per simulation; about 10 minutes on two cores "
            "with the defaults) and print each parameter's posterior median and 5-95 %% range. "
            "--write stores the record in rift/data/alliance_calibration.json; the registry "
            "entries of these parameters quote it and are edited to agree."
        ),
    )
    alliance.add_argument(
        "--write", action="store_true", help="write rift/data/alliance_calibration.json"
    )
    alliance.add_argument(
        "--population", type=positive_int, default=300, help="particles (default 300)"
    )
    alliance.add_argument(
        "--generations", type=positive_int, default=5, help="SMC generations (default 5)"
    )
    alliance.add_argument("--workers", type=positive_int, default=2, help="processes (default 2)")
    alliance.add_argument("--seed", type=int, default=20251231, help="seed of the calibration")
