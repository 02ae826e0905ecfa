"""Write the headline column of the shipped-scenario table in ``docs/scenarios.md``.

Runs every shipped scenario at 200 runs (its own seed, the process executor) and replaces the
table between ``<!-- headlines:begin -->`` and ``<!-- headlines:end -->``: each row keeps its
name and what it imposes, and gets its ``headline`` event's probability by the scenario's end.
The slow test ``tests/scenarios/test_endogenous.py`` checks the same probabilities are strictly
inside (0.02, 0.98). Run it after a change of the model's rules, and commit the page with it:

    python tools/scenario_headlines.py [--runs 200] [--workers 2]

About 2 minutes on two idle cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "scenarios.md"
BLOCK = re.compile(r"(<!-- headlines:begin -->\n)(.*?)(<!-- headlines:end -->)", re.S)


def headline_probability(name: str, runs: int, workers: int) -> tuple[str, float, str]:
    """The scenario's headline event's label, its probability by the end, and the end."""
    from rift.record import RECORD
    from rift.runner import execute_batch, make_executor, plan_batch
    from rift.scenario import load_scenario

    s = load_scenario(name, [f"runs={runs}"])
    executor = make_executor("process", workers=workers)
    try:
        outcome = execute_batch(plan_batch(s), executor)
    finally:
        getattr(executor, "close", lambda: None)()
    results = [o.result for o in outcome.outputs.values() if o.result is not None]
    happened = sum(r.events[s.headline] is not None for r in results)
    return RECORD.event(s.headline).label, happened / len(results), s.end


def table(rows: dict[str, str], runs: int, workers: int) -> str:
    """The table with fresh probabilities (rows: the imposed text of each name)."""
    lines = [f"| name | what it imposes | headline: P by the end, {runs} runs |", "|---|---|---|"]
    for name, imposed in rows.items():
        label, p, end = headline_probability(name, runs, workers)
        when = "" if end == "2030-12" else f" (by {end})"
        lines.append(f"| `{name}` | {imposed} | {label.lower()}: {p:.3g}{when} |")
        print(f"{name}: {label} {p:.3g}", flush=True)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Re-measure the column and rewrite the block (and its date)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    from rift.scenario import shipped_scenarios

    text = PAGE.read_text("utf-8")
    found = BLOCK.search(text)
    if found is None:
        raise SystemExit(f"{PAGE} has no <!-- headlines:begin --> ... end --> block")
    rows = {}
    for line in (x for x in found.group(2).splitlines() if x.startswith("| `")):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1]
    missing = sorted(set(shipped_scenarios()) - set(rows))
    if missing:
        raise SystemExit(f"{PAGE}: add a row (name, what it imposes) for {missing}")
    t0 = time.perf_counter()
    body = table(rows, args.runs, args.workers)
    stamp = f"<!-- measured {dt.date.today().isoformat()}, {time.perf_counter() - t0:.0f} s -->\n"
    text = BLOCK.sub(lambda m: m.group(1) + stamp + body + m.group(3), text)
    PAGE.write_text(text, "utf-8")
    print(f"rewrote {PAGE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
