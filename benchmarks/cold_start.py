"""Cold start and the report's extra time, against a named commit, in one run.

Run from the project root::

    python benchmarks/cold_start.py                    # against main's tip before issue 23 item 4
    python benchmarks/cold_start.py --against 710f575 --rounds 7 --report-rounds 0

Each round starts, in turn, a fresh interpreter on the commit (a temporary git worktree) and
on this checkout, and measures ``import rift`` and the first ``rift.simulate()`` of the
baseline (wall and CPU time; ``benchmarks/run.py``'s probe). Then, ``--report-rounds`` times
alternating, ``rift run scenarios/baseline.yaml`` (200 runs) on both with its report, here
also with ``--report-workers 2`` and with ``--no-report``: the report's extra time is the time
after the batch (the whole command less the batch's own ``wall_seconds`` in the manifest) less
that of the run without a report.
It prints the medians and writes ``benchmarks/results/<date>-cold-start-py<X.Y>.json``. No
test asserts a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import RESULTS, ROOT, SCENARIO, _log, _probe, _tree_env, _Worktree

#: main before this work (issue 23 items 3 and 4).
AGAINST = "2965937"


def _rift_run(root: Path, report: bool, extra: tuple[str, ...] = ()) -> dict[str, float]:
    """``rift run`` of the baseline on ``root``: the whole command and its batch (s)."""
    tmp = Path(tempfile.mkdtemp(prefix="rift-cold-"))
    out = tmp / "result"
    cmd = [sys.executable, "-m", "rift.cli", "run", str(root / "scenarios" / "baseline.yaml")]
    cmd += ["--quiet", "--out", str(out), *extra] + ([] if report else ["--no-report"])
    try:
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=root, env=_tree_env(root), check=True, capture_output=True)
        total = time.perf_counter() - t0
        batch = json.loads((out / "manifest.json").read_text())["wall_seconds"]
        return {"total_s": total, "batch_s": batch, "after_batch_s": total - batch}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", default=AGAINST, metavar="COMMIT")
    ap.add_argument("--rounds", type=int, default=5, help="alternating cold-start rounds")
    ap.add_argument("--report-rounds", type=int, default=1, help="alternating rift run rounds")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    rec: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "against": args.against,
        "loadavg_start": list(os.getloadavg()),
    }
    with _Worktree(args.against) as tree:
        sides = {"against": tree, "here": ROOT}
        probes: dict[str, list[dict]] = {k: [] for k in sides}
        for r in range(args.rounds):
            for k, root in sides.items():
                probes[k].append(_probe(root, root / SCENARIO.relative_to(ROOT), 0))
            _log(f"cold start: round {r + 1}/{args.rounds}")
        runs: dict[str, list[dict]] = {
            "against": [], "here": [], "here_report_workers_2": [], "here_no_report": []
        }  # fmt: skip
        for r in range(args.report_rounds):
            runs["against"].append(_rift_run(tree, True))
            runs["here"].append(_rift_run(ROOT, True))
            runs["here_report_workers_2"].append(_rift_run(ROOT, True, ("--report-workers", "2")))
            runs["here_no_report"].append(_rift_run(ROOT, False))
            _log(f"rift run with and without the report: round {r + 1}/{args.report_rounds}")
    rec["loadavg_end"] = list(os.getloadavg())
    rec["probes"], rec["runs"] = probes, runs
    fields = ("import_s", "first_simulate_s", "first_simulate_cpu_s")
    med = {k: {f: statistics.median(p[f] for p in v) for f in fields} for k, v in probes.items()}
    rec["median"] = med
    print(f"\ncold start, {args.rounds} alternating rounds (median), load {rec['loadavg_end'][0]}")
    print(f"{'':34s}{args.against:>12s}{'here':>10s}{'ratio':>8s}")
    for f in fields:
        a, h = med["against"][f], med["here"][f]
        print(f"{f:34s}{a:12.3f}{h:10.3f}{h / a:8.2f}")
    if args.report_rounds:
        after = {k: statistics.median(p["after_batch_s"] for p in v) for k, v in runs.items()}
        rec["after_batch_median_s"] = after
        base = after["here_no_report"]
        print(f"\nrift run baseline (200 runs), {args.report_rounds} round(s), after the batch:")
        for k, v in after.items():
            extra = "" if k == "here_no_report" else f"  (report: +{v - base:.2f} s)"
            print(f"  {k:16s}{v:7.2f} s{extra}")
    from rift.atomic import atomic_write_json

    args.out.mkdir(parents=True, exist_ok=True)
    py = f"{sys.version_info[0]}.{sys.version_info[1]}"
    path = args.out / f"{dt.date.today().isoformat()}-cold-start-py{py}.json"
    atomic_write_json(path, rec)
    print(f"\nwritten: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
