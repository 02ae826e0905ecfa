"""Write the README's forecast and comparison tables, and the comparing guide's, from batches.

Runs ``baseline`` and ``new_rupture`` from the packaged present (the same root seed, so paired;
the process executor, 2 workers), then replaces the README's text between
``<!-- forecast:begin -->`` and ``<!-- forecast:end -->`` (the baseline at its horizon: median
[5–95 %] of the headline outcomes, the 2030 winner's shares, the headline events) and between
``<!-- compare:begin -->`` and ``<!-- compare:end -->`` (the paired comparison's rows); then
runs the archived ``forecast_2025_12`` and ``from_2025/full_rupture`` and replaces the table
between the same ``compare`` markers of ``docs/guide/comparing.md``. Run it after a change of
the model's rules, and commit the README and the guide with the change:

    python tools/readme_forecast.py [--runs 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide" / "comparing.md"

#: The forecast table's outcomes (the headline's, and US security aid).
FORECAST = (
    "control_any",
    "presence_any",
    "members_total",
    "coca_ha",
    "displacement_cum",
    "cooperation_index",
    "us_security_aid_musd",
)
#: The comparison table's outcomes and events (new_rupture's own measure first).
COMPARE = ("control_any", "coca_ha", "members_total", "displacement_cum", "cooperation_index")
EVENTS = (
    ("us_soil_strikes_start", "2027-12"),
    ("us_soil_strikes_end", "2027-12"),
    ("rupture", None),
    ("recertification", None),
    ("decertification", None),
)
#: The comparing guide's rows: the archived aid cut of 2025-10 against the archived forecast.
GUIDE_COMPARE = (*COMPARE, "us_security_aid_cut")
GUIDE_EVENTS = (
    ("us_intel_cut_start", None),
    ("rupture", "2026-12"),
    ("rupture", None),
    ("restoration", None),
    ("recertification", None),
)


def _replace(text: str, marker: str, body: str, where: str = "README.md") -> str:
    pattern = re.compile(rf"(<!-- {marker}:begin -->\n).*?(<!-- {marker}:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{where} has no <!-- {marker}:begin --> ... end --> block")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def forecast_block(res, seconds: float) -> str:
    """The baseline's table at its horizon, with how it was made."""
    from rift.analysis.summary import event_probability, format_value, horizon_summary
    from rift.record import RECORD

    end = res.manifest["months"][-1]
    table = horizon_summary(res.runs, list(FORECAST)).set_index("outcome")
    rows = ["| outcome | " + end + " |", "|---|---|"]
    for name in FORECAST:
        r = table.loc[name]
        label = RECORD.outcome(name).label
        unit = RECORD.outcome(name).unit
        rows.append(
            f"| {label} ({unit}) | {format_value(r['median'])} "
            f"[{format_value(r['p5'])}–{format_value(r['p95'])}] |"
        )
    ok = res.ok_runs
    if "winner_2030" in ok:
        shares = ok["winner_2030"].astype(str).value_counts(normalize=True)
        text = ", ".join(f"{b} {shares.get(b, 0.0):.2f}" for b in ("right", "left", "centre"))
        rows.append(f"| {RECORD.outcome('winner_2030').label} (bloc) | {text} |")
    for event in ("rupture", "recertification", "decertification", "deal"):
        p = event_probability(ok, event)
        rows.append(f"| P({RECORD.event(event).label} by {end}) | {p:.2f} |")
    made = (
        f"`rift run scenarios/baseline.yaml` ({len(ok)} runs, each continuing one member of the "
        f"filtered present, everything after it endogenous; {seconds:.0f} s on two cores; "
        f"made by `python tools/readme_forecast.py` on {dt.date.today().isoformat()}). "
        f"At {end}, median [5–95 %]:\n\n"
    )
    return made + "\n".join(rows) + "\n"


def compare_block(base, other, outcomes=COMPARE, events=EVENTS) -> str:
    """The paired comparison's rows (the README's by default)."""
    from rift.analysis.compare import compare
    from rift.analysis.tables import event_table, outcome_table
    from rift.record import RECORD

    comp = compare([base, other])
    a, b = comp.names
    out = outcome_table(comp).set_index("outcome")
    ev = event_table(comp).set_index("event")
    end = base.manifest["months"][-1]
    rows = [f"| outcome | {a} | {b} | {b} − {a} |", "|---|---|---|---|"]
    for name in outcomes:
        r = out.loc[RECORD.outcome(name).label]
        rows.append(f"| {RECORD.outcome(name).label} | {r[a]} | {r[b]} | {r[f'{b} − {a}']} |")
    for event, by in events:
        key = f"P({RECORD.event(event).label} by {by or end})"
        if key in ev.index:
            r = ev.loc[key]
            rows.append(f"| {key} | {r[a]} | {r[b]} | {r.get(f'{b} − {a}', '-')} |")
    head = (
        f"From the {len(base.ok_runs)}-run batches (made by `python tools/readme_forecast.py` "
        f"on {dt.date.today().isoformat()}; {end}; median [5–95 %]; difference: mean [95 % "
        "interval]):\n\n"
    )
    return head + "\n".join(rows) + "\n"


def main() -> None:
    """Run the two batches and rewrite the README's blocks."""
    from rift.experiment import run_scenario
    from rift.results import load
    from rift.scenario import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", help="keep the batches in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        stored, seconds = {}, {}
        for name in ("baseline", "new_rupture", "forecast_2025_12", "from_2025/full_rupture"):
            sc = load_scenario(ROOT / "scenarios" / f"{name}.yaml", [f"runs={args.runs}"])
            t0 = time.perf_counter()
            out = folder / name.replace("/", "-")
            run = run_scenario(sc, executor="process", workers=2, out=out, quiet=True)
            seconds[name] = time.perf_counter() - t0
            stored[name] = load(run.path)
        text = README.read_text(encoding="utf-8")
        text = _replace(text, "forecast", forecast_block(stored["baseline"], seconds["baseline"]))
        text = _replace(text, "compare", compare_block(stored["baseline"], stored["new_rupture"]))
        README.write_text(text, encoding="utf-8")
        guide = GUIDE.read_text(encoding="utf-8")
        archived = (stored["forecast_2025_12"], stored["from_2025/full_rupture"])
        body = compare_block(*archived, GUIDE_COMPARE, GUIDE_EVENTS)
        GUIDE.write_text(_replace(guide, "compare", body, str(GUIDE)), encoding="utf-8")
    print("README.md: forecast and compare blocks rewritten; docs/guide/comparing.md: its table")


if __name__ == "__main__":
    main()
