"""Command-line overrides of a scenario: ``--set KEY=VALUE``.

``KEY`` is a scalar scenario key (name, description, start, end, runs, seed), an election key
(``election.winner``, ``election.priors.left``), or a parameter name; the value is read as YAML
(``--set runs=500``, ``--set us.intel_sharing=0.2``). A fixed parameter replaces an uncertain
one of the same name.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rift.errors import InputError, did_you_mean
from rift.parameters import registry
from rift.scenario.document import Document
from rift.scenario.schema import SCENARIO_KEYS, SamplingSpec

#: Scenario keys ``--set`` may replace.
SCALAR_KEYS: tuple[str, ...] = ("name", "description", "start", "end", "runs", "seed")
#: Longest ``--set`` text accepted.
MAX_OVERRIDE_CHARS = 10_000
#: Longest ``--set`` key (the longest parameter name is far shorter).
MAX_KEY_CHARS = 200


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key=value`` from the command line (the value is read as YAML)."""
    if len(text) > MAX_OVERRIDE_CHARS:
        raise InputError(
            f"'--set' text of {len(text):,} characters",
            key="--set",
            expected=f"key=value of at most {MAX_OVERRIDE_CHARS:,} characters",
        )
    if "=" not in text:
        raise InputError(
            f"'--set {text}' has no '='",
            key="--set",
            expected="key=value, e.g. us.intel_sharing=0.2",
        )
    key, _, raw = text.partition("=")
    key = key.strip()
    if not key:
        raise InputError(f"'--set {text}' has no key", key="--set", expected="key=value")
    if len(key) > MAX_KEY_CHARS:
        raise InputError(
            f"a key of {len(key):,} characters ('{key[:40]}...')",
            key="--set",
            expected=f"a parameter or scenario key (at most {MAX_KEY_CHARS} characters; "
            "`rift params` lists them)",
        )
    if not raw.strip():
        return key, None
    if "\n" in raw:
        return key, raw
    try:  # the value as YAML, with the same limits as a scenario file
        return key, Document.parse(f"v: {raw}", f"--set {key}").data.get("v")
    except InputError:
        return key, raw


def settable_keys() -> list[str]:
    """Every key ``--set`` accepts (for suggestions)."""
    sampling = [f"sampling.{k}" for k in SamplingSpec.model_fields]
    return [*SCALAR_KEYS, "election.winner", "election.priors.left", *sampling, *registry()]


def apply_overrides(
    data: dict[str, Any], overrides: Sequence[str], doc: Document | None = None
) -> dict[str, Any]:
    """Apply ``--set`` overrides to a scenario's raw data.

    Args:
        data: The scenario as parsed (after ``extends``).
        overrides: ``key=value`` strings.
        doc: The scenario's document; the key paths set here are recorded in its
            ``overridden`` map so that messages name the ``--set`` rather than a line.

    Returns:
        The data with the overrides applied.
    """
    out = dict(data)
    params = out.get("parameters")
    params = dict(params) if isinstance(params, dict) else params
    for text in overrides:
        key, value = parse_override(text)
        flag = f"--set {key}"
        if key in SCALAR_KEYS:
            out[key] = value
            path: tuple = (key,)
        elif key.startswith("election."):
            election = out.get("election")
            election = dict(election) if isinstance(election, dict) else {}
            parts = key.split(".")
            if len(parts) == 3 and parts[1] == "priors":
                priors = election.get("priors")
                priors = dict(priors) if isinstance(priors, dict) else {}
                priors[parts[2]] = value
                election["priors"] = priors
            elif len(parts) == 2 and parts[1] in ("winner", "priors"):
                election[parts[1]] = value
            else:
                raise InputError(
                    f"unknown election key '{key}'",
                    key=flag,
                    expected="election.winner or election.priors.left|centre|right",
                )
            out["election"] = election
            path = tuple(parts)
        elif key.startswith("sampling."):
            field = key.split(".", 1)[1]
            if field not in SamplingSpec.model_fields:
                raise InputError(
                    f"unknown sampling key '{key}'",
                    key=flag,
                    expected="one of "
                    + ", ".join(f"sampling.{k}" for k in SamplingSpec.model_fields),
                    hint=did_you_mean(key, [f"sampling.{k}" for k in SamplingSpec.model_fields]),
                )
            sampling = out.get("sampling")
            sampling = dict(sampling) if isinstance(sampling, dict) else {}
            sampling[field] = value
            out["sampling"] = sampling
            path = ("sampling", field)
        elif key in SCENARIO_KEYS or key in ("extends", "calibration"):
            raise InputError(
                f"'{key}' cannot be set from the command line",
                key=flag,
                expected=f"a parameter name or one of {', '.join(SCALAR_KEYS)}, "
                "election.winner, election.priors.<bloc> (edit the file for the rest)",
            )
        else:
            if key not in registry():
                raise InputError(
                    f"unknown parameter or scenario key '{key}'",
                    key=flag,
                    expected="a parameter listed by `rift params` or one of "
                    f"{', '.join(SCALAR_KEYS)}, election.winner",
                    hint=did_you_mean(key, settable_keys()),
                )
            if not isinstance(params, dict):
                params = {}
            params[key] = value
            unc = out.get("uncertain")
            if isinstance(unc, dict) and key in unc:  # a fixed value from the command line wins
                out["uncertain"] = {k: v for k, v in unc.items() if k != key}
            path = ("parameters", key)
        if doc is not None:
            doc.overridden[path] = flag
    if params is not None:
        out["parameters"] = params
    return out
