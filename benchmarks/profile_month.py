"""Where a month's time goes: timers around the phases of ``AllianceModel.step``.

Run from the project root::

    python benchmarks/profile_month.py                      # baseline and full rupture, 10 runs
    python benchmarks/profile_month.py --runs 20 --kernels numba
    python benchmarks/profile_month.py --cprofile 15        # also the top functions of cProfile

Each phase is timed by wrapping the method that does it on the built model (the territory's
rules are wrapped where the territory looks them up), so the figures include the timers'
own cost (about 0.2 us a call); the table gives each phase's time per month and its share of
the month. ``actors`` excludes the measures' hazards, which are their own row; ``territory``
excludes the rules, each its own row. No test times anything.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios/from_2025/full_rupture.yaml"]

#: (row of the table, how it is wrapped): phases of the month in step order.
PHASES = (
    "calendar and elections",
    "actors (without measures)",
    "measures (hazards)",
    "territory inputs",
    "territory (without rules)",
    "cooperation",
    "recorder and outcomes",
)


def _timed(fn: Callable, acc: dict[str, float], key: str) -> Callable:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            acc[key] += time.perf_counter() - t0

    return wrapper


def profile(scenario: Path, runs: int) -> tuple[dict[str, float], int, float]:
    """Seconds per phase summed over ``runs`` runs of ``scenario``, the months and construction."""
    from rift.model import rules
    from rift.model.actors.measures import Measures
    from rift.runner import plan_batch
    from rift.runner.inputs import build_model
    from rift.scenario import load_scenario

    plan = plan_batch(load_scenario(scenario), runs)
    acc: dict[str, float] = defaultdict(float)
    kernels = rules.kernels()  # the module the territory will call (RIFT_KERNELS)
    names = [
        n
        for n in rules.__all__
        if n[0].islower() and n != "coca_price_index" and callable(getattr(kernels, n, None))
    ]
    saved_rules = {n: getattr(kernels, n) for n in names}
    saved_measures = Measures.step
    Measures.step = _timed(saved_measures, acc, "measures (hazards)")
    for n in names:
        setattr(kernels, n, _timed(saved_rules[n], acc, f"rule {n}"))
    months, construction = 0, 0.0
    try:
        for index in range(runs):
            task = plan.task(index)
            before = dict(acc)
            t0 = time.perf_counter()
            m = build_model(plan.spec.inputs.with_sampled(task.sampled), task.seed)
            construction += time.perf_counter() - t0
            acc.clear()
            acc.update(before)  # the rules run once in construction: not a month's time
            m._calendar = _timed(m._calendar, acc, "calendar and elections")
            m._draw_process_shocks = _timed(m._draw_process_shocks, acc, "calendar and elections")
            m.territory_inputs = _timed(m.territory_inputs, acc, "territory inputs")
            m.territory.step = _timed(m.territory.step, acc, "territory")
            m.cooperation.update = _timed(m.cooperation.update, acc, "cooperation")
            m._record_measure_events = _timed(m._record_measure_events, acc, "recorder")
            m.outcomes = _timed(m.outcomes, acc, "recorder")
            m.recorder.month = _timed(m.recorder.month, acc, "recorder")
            for actor in m.actors:
                actor.step = _timed(actor.step, acc, "actors")
            t0 = time.perf_counter()
            while m.running:
                m.step()
                months += 1
            m.result()
            acc["month (whole step)"] += time.perf_counter() - t0
    finally:
        Measures.step = saved_measures
        for n in names:
            setattr(kernels, n, saved_rules[n])
    rule_total = sum(v for k, v in acc.items() if k.startswith("rule "))
    acc["territory (without rules)"] = acc.pop("territory", 0.0) - rule_total
    acc["actors (without measures)"] = acc.pop("actors", 0.0) - acc["measures (hazards)"]
    acc["recorder and outcomes"] = acc.pop("recorder", 0.0)
    return dict(acc), months, construction


def table(scenario: Path, runs: int) -> str:
    """The Markdown table of one scenario's profile."""
    acc, months, construction = profile(scenario, runs)
    whole = acc.pop("month (whole step)")
    rows = [(k, acc.get(k, 0.0)) for k in PHASES]
    rows += sorted(((k, v) for k, v in acc.items() if k.startswith("rule ")), key=lambda r: -r[1])
    rows.append(("other (step's own Python, timers)", whole - sum(v for _, v in rows)))
    out = [
        f"{scenario.relative_to(ROOT)}: {runs} runs, {months // runs} months each; a month "
        f"{1e3 * whole / months:.3f} ms, construction {1e3 * construction / runs:.2f} ms a run",
        "",
        "| phase | ms a month | share |",
        "|---|---|---|",
    ]
    out += [f"| {k} | {1e3 * v / months:.4f} | {100 * v / whole:.1f} % |" for k, v in rows]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Print the profile table of each scenario (and cProfile's top functions if asked)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--kernels", choices=("numpy", "numba"), default=None)
    ap.add_argument("--cprofile", type=int, default=0, metavar="N", help="top N functions")
    ap.add_argument("scenarios", nargs="*", type=Path, default=SCENARIOS)
    args = ap.parse_args(argv)
    if args.kernels:
        os.environ["RIFT_KERNELS"] = args.kernels
    for sc in args.scenarios:
        sc = sc.resolve()
        profile(sc, 2)  # warm: geography, registry, compiled kernels
        print(table(sc, args.runs), end="\n\n")
        if args.cprofile:
            pr = cProfile.Profile()
            pr.enable()
            profile(sc, args.runs)
            pr.disable()
            buf = io.StringIO()
            pstats.Stats(pr, stream=buf).sort_stats("tottime").print_stats(args.cprofile)
            print(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
