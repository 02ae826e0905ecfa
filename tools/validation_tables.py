"""The hindcast table of the validation page, made by the commands it summarises.

Runs the 2019–2024 hindcast as ``rift validate-history --runs N`` runs it, with the
calibration fitted through 2021, through 2022, the packaged one (through 2024) and none
(``--prior``), scores each batch, and prints the Markdown table of ``docs/validation.md``
(one row per calibration and sample). The four batches take about a minute each per core at
400 runs, too long for every site build: ``--write`` stores the table with the command, the
date and the commit that made it in ``docs/generated/hindcast.md``, which the validation page
includes (the site's build reads that file; it never types the numbers)::

    python tools/validation_tables.py [--runs 400] [--executor serial|process] [--workers W]
        [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Where ``--write`` keeps the table for the validation page.
GENERATED = ROOT / "docs" / "generated" / "hindcast.md"
#: Where ``--rolling-origin N --write`` keeps the filter's rolling-origin table.
ROLLING = ROOT / "docs" / "generated" / "rolling_origin.md"

HEADER = (
    "| calibration | targets | inside 50 % band | inside 90 % band | CRPS / observed | trend "
    "| growth | skill vs trend | skill vs growth |\n"
    "|---|---|---|---|---|---|---|---|---|"
)
#: (label, ``--set`` overrides of the hindcast scenario, sample of the summary, out of sample)
ROWS: list[tuple[str, list[str], str, bool]] = [
    ("through 2021, scored 2022–2024 (out of sample)", ["sampling.calibrated_through=2021"],
     "out", True),
    ("through 2022, scored 2023–2024 (out of sample)", ["sampling.calibrated_through=2022"],
     "out", True),
    ("through 2021, 2020–2021 (in sample)", ["sampling.calibrated_through=2021"], "in", False),
    ("through 2022, 2020–2022 (in sample)", ["sampling.calibrated_through=2022"], "in", False),
    ("through 2024, the packaged one (all in sample)", [], "in", False),
    ("none (`--prior`: the registry's values and spreads)", ["sampling.calibrated=false"],
     "uncalibrated", False),
]  # fmt: skip


def table_row(label: str, s: dict[str, Any], out_of_sample: bool) -> str:
    """One row of the table from a summary of ``score_hindcast`` (bold where out of sample)."""

    def bold(text: str) -> str:
        return f"**{text}**" if out_of_sample else text

    return (
        f"| {bold(label)} | {s['n']} | {s['in50']:.0%} | {bold(format(s['in90'], '.0%'))} "
        f"| {s['crps_rel']:.3f} | {s['crps_naive_rel']:.3f} | {s['crps_growth_rel']:.3f} "
        f"| {bold(format(s['skill'], '+.2f'))} | {bold(format(s['skill_growth'], '+.2f'))} |"
    ).replace("%", " %")


def hindcast_table(runs: int = 400, executor: str = "serial", workers: int | None = None) -> str:
    """Run the four hindcast batches and return the table."""
    sys.path.insert(0, str(ROOT / "src"))
    from rift.experiment import run_scenario
    from rift.results import load
    from rift.scenario import load_scenario, shipped_scenarios
    from rift.validation.forecast.hindcast import score_hindcast

    summaries: dict[tuple[str, ...], dict[str, Any]] = {}
    lines = [HEADER]
    with tempfile.TemporaryDirectory() as tmp:
        for label, overrides, part, out in ROWS:
            key = tuple(overrides)
            if key not in summaries:
                scenario = load_scenario(
                    shipped_scenarios()["hindcast_2019"], [f"runs={runs}", *overrides]
                )
                folder = Path(tmp) / f"batch{len(summaries)}"
                stored = run_scenario(scenario, executor=executor, workers=workers, out=folder)
                summaries[key] = score_hindcast(load(stored.path))[1]
            lines.append(table_row(label, summaries[key][part], out))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python tools/validation_tables.py``: print the hindcast table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--executor", default="serial", choices=["serial", "process"])
    parser.add_argument("--workers", type=int)
    parser.add_argument("--write", action="store_true", help=f"store the table in {GENERATED}")
    parser.add_argument(
        "--rolling-origin",
        type=int,
        metavar="PARTICLES",
        help="instead: the present filter's rolling-origin test (a nowcast through 2025-06 "
        f"with this many particles forecasting the later figures), stored in {ROLLING}",
    )
    args = parser.parse_args(argv)
    if args.rolling_origin:
        return _rolling(args.rolling_origin, args.workers or 1, args.write)
    table = hindcast_table(args.runs, args.executor, args.workers)
    print(table)
    if args.write:
        sys.path.insert(0, str(ROOT / "src"))
        from rift.atomic import atomic_write_text

        made = _made_by(f"python tools/validation_tables.py --runs {args.runs} --write")
        GENERATED.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(GENERATED, f"{made}\n{table}\n")
        print(f"written: {GENERATED}")
    return 0


def _made_by(command: str) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return (
        f"<!-- made by: {command}; {dt.date.today().isoformat()}, commit {commit or 'unknown'} -->"
    )


def _rolling(particles: int, workers: int, write: bool) -> int:
    """Run the rolling-origin test and print (and with ``write`` store) its table."""
    sys.path.insert(0, str(ROOT / "src"))
    from rift.atomic import atomic_write_text
    from rift.validation.forecast.rolling import markdown, rolling_origin

    result = rolling_origin(particles=particles, origin="2025-06", workers=workers)
    s = result.summary()
    table = markdown(result)
    summary = (
        (
            f"Out of sample ({s['n']} figures): CRPS / observed {s['crps_rel']:.3f} against "
            f"persistence {s['persistence_rel']:.3f} and trend {s['trend_rel']:.3f} (skill "
            f"{s['skill_persistence']:+.2f} and {s['skill_trend']:+.2f}); {s['in50']:.0%} inside "
            f"the 50 % band, {s['in90']:.0%} inside the 90 % band. {particles} particles."
        )
        .replace("%", " %")
        .replace("  %", " %")
    )
    print(table)
    print(summary)
    if write:
        made = _made_by(f"python tools/validation_tables.py --rolling-origin {particles} --write")
        ROLLING.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(ROLLING, f"{made}\n{table}\n\n{summary}\n")
        print(f"written: {ROLLING}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
