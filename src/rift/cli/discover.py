"""``rift discover``: scenario discovery on a stored batch (PRIM and extra-trees feature scores)."""

from __future__ import annotations

import argparse
import json

from rift.errors import InputError

DESCRIPTION = """\
Which inputs lead to an outcome? Over a stored batch (a result folder of `rift run`), mark the
runs of interest (--outcome NAME above or below a threshold, at the horizon or in --month; or
--event NAME happened), then run PRIM (Friedman and Fisher; as EMA Workbench implements it)
over every run input: the sampled parameters, the model variants and the run's own draws (the
election winners, the US midterms and 2028 result, the US endorsement). Prints the peeling
trajectory and the chosen box (coverage, density, mass, restricted dimensions with their
quasi-p-values), and the inputs' feature scores (extra trees; needs scikit-learn: pip install
'rift[toolkit]'). Writes trajectory.csv, box.csv, scores.csv, discovery.json and the
figures to --out (`rift report DIR --discovery OUT` puts them into the batch's report).
"""


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text}")
    return value


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``rift discover`` and its options."""
    from rift.cli import positive_int

    p = sub.add_parser(
        "discover",
        help="scenario discovery on a batch: which inputs lead to an outcome (PRIM)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("dir", metavar="DIR", help="a result folder of `rift run`")
    p.add_argument("--outcome", metavar="NAME", help="a numeric outcome (or per-run value)")
    p.add_argument(
        "--above",
        metavar="X",
        help="runs of interest: the outcome strictly above X (a number, or pNN: its NN-th "
        "percentile over the runs)",
    )
    p.add_argument("--below", metavar="X", help="runs of interest: the outcome strictly below X")
    p.add_argument(
        "--event", metavar="NAME", help="runs of interest: the event happened (rupture, ...)"
    )
    p.add_argument(
        "--month",
        metavar="YYYY-MM",
        help="the outcome in this month, or the event by this month (default: the horizon)",
    )
    p.add_argument(
        "--alpha", type=_share, default=0.05, help="share of a box peeled per step (0.05)"
    )
    p.add_argument(
        "--paste-alpha", type=_share, default=0.05, help="share of a box pasted per step (0.05)"
    )
    p.add_argument("--no-paste", action="store_true", help="peel only (no pasting)")
    p.add_argument(
        "--mass-min", type=_share, default=0.05, help="smallest box, share of the runs (0.05)"
    )
    p.add_argument(
        "--ema-stop",
        action="store_true",
        help="end the peeling when the best peel is below --mass-min, as EMA Workbench does "
        "(default: skip such peels and take the best of the others)",
    )
    p.add_argument(
        "--min-density",
        type=_share,
        help="choose the box of greatest coverage with at least this density (default: "
        "halfway from the base rate to the densest box of the trajectory)",
    )
    p.add_argument("--box", type=int, metavar="I", help="choose box I of the trajectory instead")
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="PREFIX",
        help="leave out the inputs whose name starts with PREFIX (repeatable), e.g. init.",
    )
    p.add_argument("--top", type=positive_int, default=10, help="feature scores printed (10)")
    p.add_argument("--no-scores", action="store_true", help="no feature scoring")
    p.add_argument("--out", help="output folder (new; default: outputs/discover/<time>-<name>)")
    p.add_argument("--svg", action="store_true", help="also save the figures as SVG")


def cmd_discover(args: argparse.Namespace) -> int:
    """Run PRIM (and the feature scores) on a stored batch, print and store them."""
    from rift.analysis.discovery import (
        discovery_inputs,
        event_target,
        feature_scores,
        format_box,
        format_scores,
        format_trajectory,
        outcome_target,
        prim,
    )
    from rift.atomic import atomic_write_text
    from rift.cli.analyse import _formats, _load_all, _out_folder
    from rift.plots.discovery import feature_scores_chart, trajectory_chart
    from rift.plots.style import save_figure

    if (args.outcome is None) == (args.event is None):
        raise InputError(
            "give exactly one of --outcome and --event",
            key="--outcome/--event",
            expected="--outcome NAME (--above X | --below X) [--month YYYY-MM], or --event NAME",
        )
    if args.event is not None and (args.above is not None or args.below is not None):
        raise InputError(
            "--above and --below go with --outcome, not --event",
            key="--above/--below",
            expected="--event NAME alone (an event happens or not)",
        )
    (results,) = _load_all([args.dir])
    if args.event is not None:
        target = event_target(results, args.event, args.month)
    else:
        target = outcome_target(
            results, args.outcome, above=args.above, below=args.below, month=args.month
        )
    x = discovery_inputs(results, target.exclude).loc[target.runs]
    for prefix in args.exclude:
        dropped = [c for c in x.columns if c.startswith(prefix)]
        if not dropped:
            raise InputError(
                f"no input starts with {prefix!r}",
                key="--exclude",
                expected="the start of an input's name (init., variant., winner_2030)",
            )
        x = x.drop(columns=dropped)
    result = prim(
        x,
        target.y,
        alpha=args.alpha,
        paste_alpha=None if args.no_paste else args.paste_alpha,
        mass_min=args.mass_min,
        skip_small=not args.ema_stop,
        label=target.label,
    )
    boxes = len(result.trajectory)
    if args.box is not None and not 0 <= args.box < boxes:
        raise InputError(
            f"got {args.box}", key="--box", expected=f"a box of the trajectory, 0 to {boxes - 1}"
        )
    chosen = args.box if args.box is not None else result.choose(args.min_density)
    want = result.default_density() if args.min_density is None else args.min_density
    draws = [c for c in result.categorical if not c.startswith("variant.")]
    print(
        f"{results.name} ({results.path}): {len(x)} runs, {len(x.columns)} inputs that vary"
        + (f", run draws {', '.join(draws)}" if draws else "")
        + (f"; {target.dropped} runs without a value left out" if target.dropped else "")
    )
    print(format_trajectory(result, chosen))
    reached = result.trajectory["density"].iloc[chosen] >= want - 1e-12
    how = (
        f"box {args.box} (--box)"
        if args.box is not None
        else f"the box of greatest coverage with density >= {want:.3g}"
        + (" (halfway from the base rate to the densest box)" if args.min_density is None else "")
        if reached
        else f"no box reaches density {want:.3g}: the densest"
    )
    print(f"\nchosen: {how}")
    print(format_box(result, chosen))
    scores = None
    if not args.no_scores:
        scores = feature_scores(x, target.y, int(results.manifest["seed"]))
        print("\n" + format_scores(scores, args.top))
    out = _out_folder(args.out, [results], "discover")
    files = []
    table = result.trajectory.assign(chosen=result.trajectory["box"] == chosen)
    atomic_write_text(out / "trajectory.csv", table.to_csv(index=False))
    atomic_write_text(out / "box.csv", result.limits(chosen).to_csv(index=False))
    row = result.trajectory.iloc[chosen]
    record = {  # what `rift report --discovery` shows of this search
        "batch": str(results.path),
        "scenario": results.name,
        "target": target.label,
        "cases": int(target.y.sum()),
        "runs": len(target.y),
        "box": int(chosen),
        "chosen": how,
        "coverage": float(row["coverage"]),
        "density": float(row["density"]),
        "mass": float(row["mass"]),
    }
    atomic_write_text(out / "discovery.json", json.dumps(record, indent=2) + "\n")
    files += [out / "trajectory.csv", out / "box.csv", out / "discovery.json"]
    files += save_figure(trajectory_chart(result, chosen), out / "trajectory", _formats(args))
    if scores is not None:
        atomic_write_text(out / "scores.csv", scores.rename_axis("input").to_csv())
        files.append(out / "scores.csv")
        chart = feature_scores_chart(scores, title=target.label)
        files += save_figure(chart, out / "feature_scores", _formats(args))
    print(f"\nwritten: {', '.join(str(f) for f in files)}")
    return 0
