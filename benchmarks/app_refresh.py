"""How long ``rift app`` takes to refresh after Run: 200 runs from the present, then figures.

Times what the page does on Run, in the app's own code path (:class:`rift.app.session.Session`
on a warm process pool): a first Run that starts the workers (warm-up), then ``--repeat``
Runs of the same 200-run batch, each split into the batch (runs, stored) and the page's
figures (and, once a batch is pinned, the paired comparison), timed twice: all eight figures,
and what the page draws after Run, the first tab's figures only (the others are drawn when
their tab is shown); then the CPU time the same batch and figures take in one process, which
other work on the machine does not inflate. The target of issue 24: 200 runs refresh within
5 s after warm-up. No test times it.

    python benchmarks/app_refresh.py [--runs 200] [--workers 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time

from rift.app.session import PAGE_TABS, Edits, Session, choose_scenario

#: The figures the page draws after Run: the first tab's.
FIRST_TAB = next(iter(PAGE_TABS.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", default="baseline")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sess = Session(choose_scenario(args.scenario), tmp, workers=args.workers)
        edits = Edits(runs=args.runs)
        t0 = time.perf_counter()
        sess.run(edits)
        warm = time.perf_counter() - t0
        sess.pin()
        batch, figures, first = [], [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            sess.run(edits)
            t1 = time.perf_counter()
            sess.figures(FIRST_TAB)
            sess.difference_tables()
            t2 = time.perf_counter()
            sess.figures()  # the other tabs' figures (the first tab's are cached)
            t3 = time.perf_counter()
            batch.append(t1 - t0)
            first.append(t2 - t1)
            figures.append(t3 - t1)
        # The CPU the same work needs (in this process: serial runs, then the figures), which
        # load from other work on the machine does not inflate: on idle cores the pool's
        # batch takes about its share of it.
        serial = Session(sess.base, tmp, executor="serial")
        serial.pinned = sess.pinned
        c0 = time.process_time()
        serial.run(edits)
        c1 = time.process_time()
        serial.figures(FIRST_TAB)
        serial.difference_tables()
        c_first = time.process_time()
        serial.figures()
        c2 = time.process_time()
    total = [b + f for b, f in zip(batch, figures, strict=True)]
    total_first = [b + f for b, f in zip(batch, first, strict=True)]
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {args.workers} workers")
    print(f"{args.scenario}, {args.runs} runs to {sess.base.end}")
    print(f"first Run (starts the pool): {warm:.1f} s")
    print(f"Run after warm-up, batch:     median {statistics.median(batch):.1f} s {batch}")
    print(f"figures and comparison:       median {statistics.median(figures):.1f} s")
    print(f"refresh (batch + page):       median {statistics.median(total):.1f} s (target 5 s)")
    print(f"first tab and comparison:     median {statistics.median(first):.1f} s")
    print(f"refresh, first tab only:      median {statistics.median(total_first):.1f} s")
    per_run = (c1 - c0) / args.runs * 1e3
    print(f"CPU of the batch, serial:     {c1 - c0:.1f} s ({per_run:.0f} ms a run)")
    print(f"CPU of figures and comparison: {c2 - c1:.1f} s")
    print(f"CPU of the first tab and comparison: {c_first - c1:.1f} s")
    idle = (c1 - c0) / args.workers + (c2 - c1)
    print(f"refresh on {args.workers} idle cores, from the CPU: about {idle:.1f} s")
    idle_first = (c1 - c0) / args.workers + (c_first - c1)
    print(f"refresh, first tab only, on {args.workers} idle cores: about {idle_first:.1f} s")


if __name__ == "__main__":
    main()
