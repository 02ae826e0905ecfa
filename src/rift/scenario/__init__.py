"""The scenario language: schema, checks, loading (YAML, ``extends``) and ``--set`` overrides.

The pipeline is ``Document.read`` (bounded, safe YAML) → ``extends`` → ``--set`` → schema →
checks → normalised :class:`Scenario`; :func:`load_scenario` runs all of it.
"""

from rift.scenario.loading import (
    find_scenario,
    load_scenario,
    scenario_from_dict,
    shipped_dir,
    shipped_scenarios,
)
from rift.scenario.overrides import apply_overrides, parse_override
from rift.scenario.schema import (
    MAX_RUNS,
    ElectionSpec,
    InterventionSpec,
    SamplingSpec,
    Scenario,
)

__all__ = [
    "MAX_RUNS",
    "ElectionSpec",
    "InterventionSpec",
    "SamplingSpec",
    "Scenario",
    "apply_overrides",
    "find_scenario",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
    "shipped_dir",
    "shipped_scenarios",
]
