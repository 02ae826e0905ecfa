"""``rift compare`` and ``rift report``: tables, figures and the HTML report of stored batches."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rift.errors import InputError


def _load_all(dirs: list[str], unweighted: bool = False):
    from rift.results import load

    results = [load(d) for d in dirs]
    if unweighted:
        results = [r.unweighted() for r in results]
    seen: dict[Path, str] = {}
    for d, r in zip(dirs, results, strict=True):
        where = r.path.resolve()
        if where in seen:
            raise InputError(
                f"the same batch is given twice ({seen[where]} and {d})",
                file=d,
                key="DIR",
                expected="different result folders (a batch compared with itself shows nothing)",
            )
        seen[where] = d
    for r in results:
        if not r.complete:
            print(f"rift: note: {r.path} is an incomplete batch", file=sys.stderr)
    return results


def _out_folder(arg: str | None, results, kind: str) -> Path:
    """The output folder: ``--out`` (new or empty), or a new ``outputs/<kind>/<time>-<names>``."""
    if arg:
        out = Path(arg)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise InputError(
                "the output folder already exists and is not empty",
                file=str(out),
                key="--out",
                expected="a new folder (results are never overwritten)",
            )
        candidates = [out]
    else:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        names = "-vs-".join(dict.fromkeys(r.name for r in results))[:80]
        base = Path("outputs") / kind / f"{stamp}-{names}"
        candidates = [base, *(base.with_name(f"{base.name}-{k}") for k in range(2, 1000))]
    for out in candidates:
        try:
            out.mkdir(parents=True, exist_ok=bool(arg))
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(
                f"cannot write here ({exc.strerror})",
                file=str(out),
                key="--out",
                expected="a writable folder",
            ) from None
        return out
    raise InputError("no free output folder", file=str(candidates[0]))  # pragma: no cover


def _formats(args: argparse.Namespace) -> tuple[str, ...]:
    return ("png", "svg") if args.svg else ("png",)


def cmd_compare(args: argparse.Namespace) -> int:
    """``rift compare``: paired differences, the table, overlay figures and a report."""
    from rift.analysis.compare import compare
    from rift.analysis.tables import format_comparison, write_comparison
    from rift.atomic import atomic_write_text
    from rift.cli.run import summary_choice
    from rift.record import RECORD
    from rift.report import write_report

    if len(args.dirs) < 2:
        raise InputError(
            "compare needs at least two result folders",
            key="DIR",
            expected="rift compare outputs/baseline/<run-id> outputs/full_rupture/<run-id>",
        )
    results = _load_all(args.dirs, args.unweighted)
    comp = compare(results)
    stored = [n for n in RECORD.outcome_names if n in set(comp.scenarios["outcome"])]
    stored += [n for n in dict.fromkeys(comp.categories.get("outcome", [])) if n not in stored]
    outcomes, events = summary_choice(args, stored, [r.manifest["scenario"] for r in results])
    if args.everything:
        print(format_comparison(comp))
    else:
        print(format_comparison(comp, outcomes, events))
    split = []
    if args.by:
        from rift.analysis.compare import common_events, common_outcomes
        from rift.analysis.variants import format_split, split_effects

        outcomes = common_outcomes(results, ("count", "amount", "index", "share", "level"))
        headline = {e.name for e in RECORD.events if e.figure}
        events = [e for e in common_events(results) if e in headline]
        for other in results[1:]:
            table = split_effects(results[0], other, args.by, outcomes, events)
            print(f"\n{other.name} vs {results[0].name}: " + format_split(table, args.by))
            split.append((other.name, table))
    out = _out_folder(args.out, results, "compare")
    files = write_comparison(comp, out)
    for name, table in split:
        path = out / f"by_{args.by.removeprefix('param.')}_{name}.csv"
        atomic_write_text(path, table.to_csv(index=False))
        files.append(path)
    report = (
        None
        if args.no_report
        else write_report(
            results,
            out,
            comp,
            _formats(args),
            figures=args.figures,
            splits=args.split or (),
            discoveries=getattr(args, "discovery", None) or (),
        )
    )
    print(f"\ntables: {', '.join(str(f) for f in files)}")
    if report:
        print(f"report: {report}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``rift report``: the HTML report (and figures) of one batch, or of several compared."""
    from rift.analysis.compare import compare
    from rift.report import write_report

    results = _load_all(args.dirs, args.unweighted)
    if len(results) == 1 and not args.out:
        out = results[0].path
        if (out / "report.html").exists():
            print(f"rift: replacing {out / 'report.html'}", file=sys.stderr)
    else:
        out = _out_folder(args.out, results, "report")
    comp = compare(results) if len(results) > 1 else None
    path = write_report(
        results,
        out,
        comp,
        _formats(args),
        figures=args.figures,
        splits=args.split or (),
        discoveries=getattr(args, "discovery", None) or (),
    )
    print(f"report: {path}")
    return 0
