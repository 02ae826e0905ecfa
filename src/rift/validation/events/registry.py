"""The fitted hazards as parameter-registry entries, and the block of ``parameters.yaml``.

Every coefficient becomes one entry: the default is the posterior mode, the uncertainty a normal
with the Laplace standard error truncated to three standard errors and to the valid range. The
covariate definitions the slopes were fitted with are registered too (as fixed integers), since a
slope means nothing under another definition. Correlations between coefficients are not carried
by the registry's independent spreads; ``HazardFit.parts[...].cov`` has them.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from rift.validation.events import panel as ep
from rift.validation.events.fit import HazardFit

HEADER = "# Alliance event hazards, fitted"
FIT_DATE = "2026-12-04"
#: The command that regenerates the block, named in its second line.
REGENERATE = "rift refit events --write"
INTERCEPT_RANGE = (-12.0, 4.0)
SLOPE_RANGE = (-5.0, 5.0)
SLOPE_NAMES = {
    "R": "reciprocity",
    "O": "own",
    "C": "leader_change",
    "D": "deescalation",
    "logdur": "duration",
    "K": "cost",
}
SLOPE_UNITS = {
    "R": "log hazard per move of the other side (3 months, capped at 3)",
    "O": "log hazard per own move (3 months, capped at 3)",
    "C": "log hazard (indicator of a new leader on either side in 12 months)",
    "D": "log hazard (indicator of a de-escalation by the other side in 2 months)",
    "logdur": "log hazard per unit of log(1 + months on)",
    "K": "log hazard per severity-weighted measure in force (1 + severity each, capped at 6)",
}
SLOPE_TEXT = {
    "R": "escalation moves of the other side in the previous 3 months (capped at 3)",
    "O": "the side's own escalation moves in the previous 3 months (capped at 3)",
    "C": "a new US administration or partner leader in the previous 12 months",
    "D": "a de-escalation move by the other side in the previous 2 months",
    "logdur": "log(1 + months the measure has been on)",
    "K": "the cost of the crisis: the state measures in force on both sides, each weighted "
    "1 + severity (0-4), capped at 6 (the ripeness of a mutually hurting stalemate, Zartman "
    "2000)",
}
MODEL_TEXT = {
    "start": "a measure starting (and of the rhetoric events)",
    "end": "a measure ending",
    "deal": "a partner concession or a leader deal",
}
COVARIATE_DEFINITIONS = {
    "events.covariate.reciprocity_months": (
        ep.RECIPROCITY_WINDOW,
        "R counts the other side's escalation moves in this many previous months.",
    ),
    "events.covariate.own_months": (
        ep.OWN_WINDOW,
        "O counts the side's own escalation moves in this many previous months.",
    ),
    "events.covariate.cap": (ep.CAP, "R and O are capped at this count."),
    "events.covariate.leader_change_months": (
        ep.LEADER_WINDOW,
        "C is 1 if a new US "
        "administration or partner leader took office in "
        "this many previous months.",
    ),
    "events.covariate.deescalation_months": (
        ep.DEESCALATION_WINDOW,
        "D is 1 if the other side made a de-escalation move in this many previous months.",
    ),
    "events.covariate.cost_cap": (
        ep.COST_CAP,
        "K (the severity-weighted measures in force, 1 + severity each) is capped at this.",
    ),
}


def _source(date: str) -> list[dict[str, str]]:
    return [
        {
            "assumption": "fitted on alliance_events.csv by rift.validation.events.fit_hazards "
            f"(penalised likelihood, Laplace SE), {date}"
        }
    ]


def _entry(
    est: float, se: float, bounds: tuple[float, float], unit: str, text: str, date: str
) -> dict[str, Any]:
    est = round(float(est), 4)
    se = round(float(se), 4)
    lo = round(max(bounds[0], est - 3 * se), 4)
    hi = round(min(bounds[1], est + 3 * se), 4)
    return {
        "default": est,
        "unit": unit,
        "range": [bounds[0], bounds[1]],
        "uncertainty": {"dist": "truncnormal", "mean": est, "sd": se, "low": lo, "high": hi},
        "description": text,
        "sources": _source(date),
    }


def intercept_name(measure: str, model: str) -> str:
    """Registry name of a measure's intercept in one likelihood."""
    if model == "end":
        return f"events.{measure}.end_intercept"
    if ep.MEASURES[measure].kind == "event":
        return f"events.{measure}.event_intercept"
    return f"events.{measure}.start_intercept"


def registry_entries(fit: HazardFit, date: str = FIT_DATE) -> dict[str, dict[str, Any]]:
    """Registry entries (name -> fields) for every fitted coefficient and covariate definition."""
    out: dict[str, dict[str, Any]] = {}
    for model, part in fit.parts.items():
        se = part.cov.diagonal() ** 0.5
        for i, m in enumerate(part.measures):
            what = {"start": "starting while off", "end": "ending while on"}.get(model, "")
            if ep.MEASURES[m].kind == "event":
                what = "occurring"
            text = (
                f"Monthly cloglog intercept of {m} {what} (hazard 1 - exp(-exp(intercept + "
                f"slopes . x))); {part.n_events[m]} events in {part.n_obs[m]} months at risk."
            )
            out[intercept_name(m, model)] = _entry(
                part.theta[i], se[i], INTERCEPT_RANGE, "log hazard (cloglog, per month)", text, date
            )
        nm = len(part.measures)
        for j, c in enumerate(part.covariates):
            text = f"Effect on the hazard of {MODEL_TEXT[model]} of {SLOPE_TEXT[c]}."
            if model == "deal":
                text += " Seen from the partner: the other side is the US."
            out[f"events.slope.{SLOPE_NAMES[c]}.{model}"] = _entry(
                part.theta[nm + j], se[nm + j], SLOPE_RANGE, SLOPE_UNITS[c], text, date
            )
    for name, (value, text) in COVARIATE_DEFINITIONS.items():
        out[name] = {
            "default": int(value),
            "unit": "months"
            if name.endswith("months")
            else "weighted measures"
            if name.endswith("cost_cap")
            else "moves",
            "kind": "int",
            "range": [1, 24],
            "description": text + " The fitted slopes hold only for this definition.",
            "sources": [
                {
                    "assumption": "definition of the covariate the event hazards were "
                    "fitted with (rift.validation.events.panel)"
                }
            ],
        }
    return out


def _num(x: float) -> str:
    return str(int(x)) if float(x) == int(x) else repr(float(x))


def _entry_yaml(name: str, e: dict[str, Any]) -> list[str]:
    """One entry in the style of the rest of ``parameters.yaml``."""
    unit = e["unit"]
    if any(c in unit for c in ":#[]{},&*!|>'\"%@`"):
        unit = json.dumps(unit)
    lines = [f"{name}:", f"  default: {_num(e['default'])}", f"  unit: {unit}"]
    if "kind" in e:
        lines.append(f"  kind: {e['kind']}")
    lines.append(f"  range: [{_num(e['range'][0])}, {_num(e['range'][1])}]")
    if "uncertainty" in e:
        u = e["uncertainty"]
        args = ", ".join(f"{k}: {v if k == 'dist' else _num(v)}" for k, v in u.items())
        lines.append(f"  uncertainty: {{{args}}}")
    lines.append(f"  description: {json.dumps(e['description'])}")
    lines.append("  sources:")
    lines += [f"    - assumption: {json.dumps(s['assumption'])}" for s in e["sources"]]
    return lines


def registry_block(entries: dict[str, dict[str, Any]]) -> str:
    """The YAML text of the block (header comment, then one mapping per entry)."""
    lines = [HEADER, f"# Regenerate with: {REGENERATE}"]
    for name, e in entries.items():
        lines += _entry_yaml(name, e)
    return "\n".join(lines) + "\n"


def parameters_path() -> Path:
    """The packaged ``parameters.yaml`` (the source file in an editable install)."""
    return Path(str(resources.files("rift.data").joinpath("parameters.yaml")))


def split_block(text: str) -> tuple[str, str]:
    """``parameters.yaml`` text split into what precedes the fitted block and the block."""
    i = text.find(HEADER)
    return (text, "") if i < 0 else (text[:i], text[i:])


def write_block(entries: dict[str, dict[str, Any]], path: Path | None = None) -> Path:
    """Replace (or append) the fitted block at the end of ``parameters.yaml``."""
    path = path or parameters_path()
    head, _ = split_block(path.read_text(encoding="utf-8"))
    path.write_text(head.rstrip("\n") + "\n\n" + registry_block(entries), encoding="utf-8")
    return path
