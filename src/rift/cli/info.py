"""``rift params``, ``rift validate`` and ``rift scenarios``: what the model and files hold."""

from __future__ import annotations

import argparse
import textwrap

from rift.errors import InputError


def cmd_params(args: argparse.Namespace) -> int:
    """``rift params``: the parameter table, or one parameter's provenance."""
    from rift.parameters import registry

    reg = registry()
    if args.source:
        p = reg.lookup(args.source, key="--source")
        print(f"{p.name}: {p.description}")
        print(f"  value: {p.default} {p.unit}    valid range: {p.range_text()}")
        if p.uncertainty:
            print(f"  uncertainty: {p.uncertainty_text()}")
        if p.instrument:
            print("  instrument: scenarios may force it (null = endogenous)")
        for s in p.sources:
            if s.kind == "seed":
                print(f'  seed {s.text}:\n    "{s.quote}"')
            elif s.kind == "reference":
                print(f"  reference.csv key {s.text}" + (f" ({s.date})" if s.date else ""))
            else:
                print(f"  assumption: {s.text}")
        if p.note:
            print(textwrap.fill(f"  note: {p.note}", width=100, subsequent_indent="    "))
        cal = _calibrated_ranges()
        if p.name in cal:
            print(f"  calibrated to 2019-2024 (`uncertain: calibrated`): {cal[p.name]}")
        return 0
    names = [n for n in reg if n.startswith(args.prefix)]
    if not names:
        raise InputError(
            f"no parameter starts with '{args.prefix}'",
            key="prefix",
            expected="a prefix such as us., col., init., territory.",
        )
    cal = _calibrated_ranges()
    rows = []
    for n in names:
        p = reg[n]
        value = "endogenous" if p.instrument and p.default is None else str(p.default)
        source = ", ".join(dict.fromkeys(s.short() for s in p.sources))
        uncertainty = p.uncertainty_text()
        sampled = "calibrated" if n in cal else ("spread" if p.uncertainty else "")
        rows.append(
            (n, value, p.unit, p.range_text(), uncertainty, cal.get(n, ""), sampled, source)
        )
    header = ("name", "value", "unit", "range", "uncertainty", "calibrated", "sampled", "source")
    widths = [max(len(r[i]) for r in [*rows, header]) for i in range(7)]
    widths = [min(w, 42) for w in widths]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths) + "  {}"
    print(fmt.format(*header))
    for r in rows:
        print(fmt.format(*(c[:42] for c in r[:7]), r[7]))
    n_spread = sum(r[6] == "spread" for r in rows)
    n_cal = sum(r[6] == "calibrated" for r in rows)
    print(
        f"\n{len(rows)} parameters; a batch samples {n_spread} from their declared spread and "
        f"{n_cal} jointly from the calibrated posterior (scenario key `sampling` opts out).\n"
        "`rift params --source NAME` shows a parameter's quote."
    )
    return 0


def _calibrated_ranges() -> dict[str, str]:
    """Posterior median and 5-95 % range of each calibrated parameter, with its prior."""
    from rift.calibration import load_calibration, posterior

    record = load_calibration()
    post = posterior()
    if record is None or post is None:
        return {}
    from rift.parameters import registry

    reg = registry()
    q = post.quantiles([0.05, 0.5, 0.95])
    out = {}
    for name in post.names:
        if reg[name].kind == "choice":  # calibrated as a uniform: the posterior share of each
            picks = [reg[name].choice_from_unit(v) for v in post.samples[:, post.names.index(name)]]
            shares = {
                c: float(post.weights[[p == c for p in picks]].sum()) for c in reg[name].choices
            }
            out[name] = ", ".join(f"{c} {w:.0%}" for c, w in shares.items()) + " (prior by weight)"
            continue
        lo, mid, hi = (float(v) for v in q[name])
        plo, phi = record["priors"][name]
        out[name] = f"{mid:.3g} [{lo:.3g}, {hi:.3g}] (prior [{plo:.3g}, {phi:.3g}])"
    return out


def cmd_validate(args: argparse.Namespace) -> int:
    """``rift validate``: load and check each file."""
    from rift.scenario import load_scenario

    for f in args.files:
        s = load_scenario(f, args.overrides)
        print(f"{f}: ok ({s.name}, {s.start}..{s.end}, {s.runs} runs, hash {s.hash()})")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``rift scenarios``: the shipped scenarios and their descriptions."""
    from rift.scenario import load_scenario, shipped_scenarios

    for name, path in shipped_scenarios().items():
        s = load_scenario(path)
        first = s.description.strip().split("\n\n")[0].replace("\n", " ")
        text = textwrap.fill(first, width=96, initial_indent="  ", subsequent_indent="  ")
        print(f"{name}\n{text}\n")
    return 0
