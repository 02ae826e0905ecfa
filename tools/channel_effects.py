"""The paired effect of a permanent total rupture against an intact alliance (docs/model.md).

Runs the same seeds twice from 2025-01 to 2030-12 with the defaults and the calibrated draws:
*rupture*, the US security-aid, civil-aid and intelligence cuts and Colombia's suspension of
intelligence sharing and of military cooperation held on from 2025-10; *intact*, the same five
held off. Prints the mean paired difference and its standard error at 2030-12 for armed
control, members, coca and displacement (the table of the alliance's channels)::

    python tools/channel_effects.py [--seeds 200] [--set name=value ...] [--soil-strikes]

``--set`` fixes a parameter in both arms (a channel switched off: its coefficient at 0);
``--soil-strikes`` compares US strikes on Colombian soil held on from 2025-10 with held off
instead (both arms otherwise endogenous).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from rift.model import AllianceModel

RUPTURE = ["us.security_aid_cut", "us.civil_aid_cut", "us.intel_cut", "col.intel_suspension",
           "col.military_cooperation"]  # fmt: skip
OUTCOMES = ("control_any", "members_total", "coca_ha", "displacement_cum")
END = "2030-12"


def _shocks(measures: list[str], on: bool) -> list[dict]:
    return [{"at": "2025-10", ("start" if on else "end"): measures, "until": END}]


def paired(seeds: int, parameters: dict, measures: list[str]) -> dict[str, np.ndarray]:
    """Per seed, each outcome at the end with ``measures`` held on minus held off."""
    diffs: dict[str, list[float]] = {k: [] for k in OUTCOMES}
    levels: dict[str, list[float]] = {k: [] for k in OUTCOMES}
    for s in range(seeds):
        runs = [
            AllianceModel(rng=s, collect=False, end=END, parameters=parameters,
                          shocks=_shocks(measures, on)).run()
            for on in (False, True)
        ]  # fmt: skip
        for k in OUTCOMES:
            off, on = (float(r.column(k)[-1]) for r in runs)
            diffs[k].append(on - off)
            levels[k].append(off)
    return {k: np.array(v) for k, v in diffs.items()} | {
        f"{k}_intact": np.array(v) for k, v in levels.items()
    }


def _value(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def main(argv: list[str] | None = None) -> int:
    """Print the paired effects."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--soil-strikes", action="store_true")
    args = parser.parse_args(argv)
    parameters = {k: _value(v) for k, v in (item.split("=", 1) for item in args.set)}
    measures = ["us.soil_strikes"] if args.soil_strikes else RUPTURE
    t0 = time.perf_counter()
    d = paired(args.seeds, parameters, measures)
    print(f"{args.seeds} paired seeds, {' '.join(args.set) or 'defaults'}, "
          f"{'soil strikes' if args.soil_strikes else 'total rupture'} vs none, "
          f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
    for k in OUTCOMES:
        x, base = d[k], d[f"{k}_intact"]
        se = x.std(ddof=1) / np.sqrt(len(x))
        print(f"{k:18s} {x.mean():+14,.1f} ± {se:10,.1f}  ({x.mean() / base.mean():+.1%} of "
              f"{base.mean():,.0f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
