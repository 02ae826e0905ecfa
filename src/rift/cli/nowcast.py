"""``rift nowcast``: the calibrated hindcast filtered through the record of 2025-2026."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rift.errors import InputError

DESCRIPTION = """\
Carry the calibrated hindcast (hindcast_2019, sampled as `rift validate-history` samples it)
to the present. First the 2019-2024 runs are conditioned on the figures of reference.csv (the
calibration's 28 targets), tempered from the calibration's posterior to its priors with
resample-move steps; then, from their 2024-12 states, month by month through the coded
record of 2025-2026: every model measure is held as the record has it, the September
determination and the 2026 winner are imposed, and at each month with figures the particles
are weighted by the figures' likelihood, resampled (systematic) and moved (Metropolis-Hastings
on the parameters, re-simulating from 2019). Prints the ESS before resampling and the
acceptance of each stage and month, and writes the present ensemble (states, parameters,
weights, diagnostics) to --out.
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``rift nowcast`` and its options."""
    from rift.cli import positive_int

    p = sub.add_parser(
        "nowcast",
        usage="rift nowcast [--through YYYY-MM] [--particles N] [--seed S] [--out DIR] "
        "[--workers W] [--max-moves M] [--no-history] [--quiet]",
        help="filter the calibrated ensemble through the 2025-2026 record (the present)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--through",
        metavar="YYYY-MM",
        help="the last month to filter, 2025-01 to the record's last month (default: the last)",
    )
    p.add_argument(
        "--particles", type=positive_int, default=100, metavar="N", help="particles (default: 100)"
    )
    p.add_argument("--seed", type=int, help="root seed (default: the hindcast scenario's)")
    p.add_argument("--out", help="folder to write (new; default: outputs/present/<through>-<seed>)")
    p.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="W",
        help="processes for the re-simulations (default 1)",
    )
    p.add_argument(
        "--max-moves",
        type=positive_int,
        default=12,
        metavar="M",
        help="most Metropolis-Hastings iterations of a move step, run while the moved "
        "ensemble's ESS is under half the particles (default 12)",
    )
    p.add_argument(
        "--no-history",
        action="store_true",
        help="skip the conditioning on the 2019-2024 figures (the hindcast's runs as they are)",
    )
    p.add_argument("--quiet", action="store_true", help="no per-month lines")


def cmd_nowcast(args: argparse.Namespace) -> int:
    """Run the nowcast, print its per-month diagnostics and store it."""
    from rift.months import format_month
    from rift.present.nowcast import check_through, nowcast, save_present
    from rift.present.record import coded_record

    rec = coded_record()
    through = check_through(args.through or format_month(rec.last_month), rec)
    if args.particles < 2:
        raise InputError(
            f"got {args.particles}", key="--particles", expected="a whole number of at least 2"
        )
    out = Path(args.out) if args.out else None
    if out is not None and (out.exists() or out.is_symlink()):
        raise InputError("exists already", file=str(out), key="--out", expected="a new folder")

    def show(entry: dict) -> None:
        if args.quiet:
            return
        acc = entry.get("acceptance")
        if entry.get("history"):
            print(
                f"history stage {entry['stage']}: temperature {entry['temperature']:.3f}  "
                f"ESS {entry['ess']:7.1f}  acceptance {acc:5.1%}  "
                f"ESS after {entry['ess_after']:6.1f}",
                flush=True,
            )
            return
        line = f"{entry['month']}  ESS {entry['ess']:7.1f}"
        if acc is not None:
            line += f"  acceptance {acc:5.1%}  ESS after {entry['ess_after']:6.1f}"
            if entry["contradicted"]:
                line += f"  ({entry['contradicted']} contradicted the record's measures)"
            line += "  " + ", ".join(entry["figures"])
        print(line, flush=True)

    present = nowcast(
        args.particles,
        through,
        args.seed,
        workers=args.workers,
        progress=show,
        max_moves=args.max_moves,
        history=not args.no_history,
    )
    if out is None:
        out = Path("outputs") / "present" / f"{present.through}-{present.manifest['seed']}"
        if out.exists():
            raise InputError("exists already", file=str(out), key="--out", expected="a new folder")
    save_present(present, out)
    left = len(present.manifest["not_imposed"])
    print(f"not imposed: {left} item(s) of the record (listed in manifest.json)")
    print(f"present: {out}", file=sys.stdout)
    return 0
