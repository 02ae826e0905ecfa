"""A sensitivity analysis's design: SALib's sample over a scenario's sampled inputs, as a design.

The inputs are those a batch of the scenario samples by a distribution of their own: its
``uncertain`` block and the registry's declared spreads (:class:`~rift.runner.sampling.Sampler`;
the calibrated parameters are drawn jointly from a posterior and have no distribution of their
own, so they stay with each replicate). SALib samples the unit hypercube, one dimension per
input (Sobol': Saltelli's scheme on a scrambled Sobol' sequence, first-order and total indices;
Morris: trajectories on a grid of levels; delta: a Latin hypercube), and each column is mapped
through its input's distribution as the batch maps its own hypercube
(:meth:`~rift.runner.sampling.Sampler.values_at`). The result is a
:class:`~rift.runner.design.Design`: each point is run with the replicates' seeds (common random
numbers), stored, resumable, on every executor.

What a batch's manifest keeps (:meth:`SensitivityDesign.record`) is enough to draw the same
sample again, which the analysis needs (Morris and delta read the unit sample, Sobol' the order
of its rows); drawing it again is checked against the design the manifest stores.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rift.errors import InputError, did_you_mean
from rift.runner.design import Design, make_design
from rift.runner.sampling import Sampler
from rift.scenario import MAX_RUNS, Scenario
from rift.seeds import sensitivity_seed

#: The methods, as ``--method`` names them.
METHODS = ("sobol", "morris", "delta")
#: Levels of the Morris grid.
MORRIS_LEVELS = 4
#: Key of SALib's sample among the analysis's streams (:func:`rift.seeds.sensitivity_seed`).
SAMPLE_KEY = 1
#: Uniforms are kept this far inside (0, 1), where a distribution without bounds is finite.
_EDGE = 1e-9


def require_salib() -> None:
    """SALib is an optional extra (``pip install rift[toolkit]``).

    Raises:
        InputError: (key ``--method``) It is not installed.
    """
    try:
        import SALib  # noqa: F401
    except ImportError:
        raise InputError(
            "rift sensitivity needs SALib, an optional extra",
            key="--method",
            expected="`pip install rift[toolkit]` (SALib 1.5 or later)",
        ) from None


def _groups_in_order(groups: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(groups))


@dataclass(frozen=True)
class SensitivityDesign:
    """What SALib is asked to sample, and how its rows become design points.

    Attributes:
        method: One of :data:`METHODS`.
        samples: SALib's ``N`` (Sobol': base samples, a power of 2; Morris: trajectories;
            delta: points).
        seed: The root seed (the scenario's); SALib's generator is
            ``sensitivity_seed(seed, SAMPLE_KEY)``.
        names: The inputs, one dimension each.
        groups: Each input's group (Sobol' and Morris move a group's inputs together), or None.
        levels: The Morris grid's levels.
    """

    method: str
    samples: int
    seed: int
    names: tuple[str, ...]
    groups: tuple[str, ...] | None = None
    levels: int = MORRIS_LEVELS

    @property
    def factors(self) -> list[str]:
        """What the indices are of: the groups if any, else the inputs."""
        return _groups_in_order(self.groups) if self.groups else list(self.names)

    @property
    def points(self) -> int:
        """Rows of SALib's sample: design points."""
        k = len(self.factors)
        if self.method == "sobol":
            return self.samples * (k + 2)
        if self.method == "morris":
            return self.samples * (k + 1)
        return self.samples

    def problem(self) -> dict[str, Any]:
        """SALib's problem: the unit hypercube over :attr:`names` (and the groups)."""
        problem: dict[str, Any] = {
            "num_vars": len(self.names),
            "names": list(self.names),
            "bounds": [[0.0, 1.0]] * len(self.names),
        }
        if self.groups:
            problem["groups"] = list(self.groups)
        return problem

    def unit_sample(self) -> np.ndarray:
        """SALib's sample, shape ``(points, len(names))``, in [0, 1] (the same every time)."""
        require_salib()
        from SALib.sample import latin, morris, sobol

        rng = np.random.default_rng(sensitivity_seed(self.seed, SAMPLE_KEY))
        problem = self.problem()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # SALib's notes on N and groups
            if self.method == "sobol":
                return sobol.sample(problem, self.samples, calc_second_order=False, seed=rng)
            if self.method == "morris":
                return morris.sample(problem, self.samples, num_levels=self.levels, seed=rng)
            return latin.sample(problem, self.samples, seed=rng)

    def quantiles(self, unit: np.ndarray) -> np.ndarray:
        """Where each row of the unit sample falls in each input's distribution.

        Morris's grid levels 0, 1/3, 2/3, 1 stand for the centres of equal-probability bins
        (1/8, 3/8, 5/8, 7/8 with four levels), so that no level is a distribution's end; the
        other samples are used as they are, kept off 0 and 1 by 1e-9.
        """
        u = np.asarray(unit, float)
        if self.method == "morris":
            p = self.levels
            return (u * (p - 1) + 0.5) / p
        return np.clip(u, _EDGE, 1.0 - _EDGE)

    def design(self, scenario: Scenario, replicates: int) -> Design:
        """The design points of the sample, each to run ``replicates`` times.

        Raises:
            InputError: Too many runs (key ``--samples``), and what the registry refuses.
        """
        runs = self.points * replicates
        if runs > MAX_RUNS:
            raise InputError(
                f"{self.points:,} points × {replicates} replicates = {runs:,} runs",
                key="--samples",
                expected=f"at most {MAX_RUNS:,} runs in one batch (fewer samples, or --groups)",
            )
        values = Sampler(scenario, 1).values_at(self.names, self.quantiles(self.unit_sample()))
        return make_design(
            {n: values[n].tolist() for n in self.names},
            replicates,
            source=f"sensitivity {self.method} N={self.samples}",
        )

    def record(self) -> dict[str, Any]:
        """What a batch's manifest keeps (key ``sensitivity``)."""
        return {
            "method": self.method,
            "samples": self.samples,
            "seed": self.seed,
            "names": list(self.names),
            "groups": None if self.groups is None else list(self.groups),
            "levels": self.levels,
        }

    @classmethod
    def from_record(cls, record: Any, file: str | None = None) -> SensitivityDesign:
        """The design a manifest keeps.

        Raises:
            InputError: (key ``sensitivity``) Not a record rift wrote.
        """
        keys = {"method", "samples", "seed", "names", "groups", "levels"}
        ok = isinstance(record, Mapping) and keys <= set(record)
        if ok:
            names, groups = record["names"], record["groups"]
            ok = (
                record["method"] in METHODS
                and isinstance(names, list)
                and all(isinstance(n, str) for n in names)
                and (groups is None or (isinstance(groups, list) and len(groups) == len(names)))
                and all(
                    isinstance(record[k], int) and not isinstance(record[k], bool)
                    for k in ("samples", "seed", "levels")
                )
            )
        if not ok:
            raise InputError(
                "not a sensitivity record",
                file=file,
                key="sensitivity",
                expected="the record `rift sensitivity` wrote",
            )
        return cls(
            str(record["method"]),
            int(record["samples"]),
            int(record["seed"]),
            tuple(record["names"]),
            None if record["groups"] is None else tuple(str(g) for g in record["groups"]),
            int(record["levels"]),
        )


def sensitivity_inputs(scenario: Scenario, parameters: Sequence[str] = ()) -> list[str]:
    """The inputs a sensitivity analysis of ``scenario`` varies (all, or those named).

    Args:
        scenario: The scenario.
        parameters: Names or name prefixes ending in ``.`` (``us.``); empty: every input the
            scenario samples by a distribution of its own.

    Raises:
        InputError: (key ``--parameters``) A name or prefix that is none of them, or no inputs.
    """
    sampled = Sampler(scenario, 1).names
    if not parameters:
        chosen = list(sampled)
    else:
        chosen = []
        for given in parameters:
            hits = [
                n for n in sampled if n == given or (given.endswith(".") and n.startswith(given))
            ]
            if not hits:
                raise InputError(
                    f"'{given}' is not an input the scenario samples",
                    file=scenario.source,
                    key=f"--parameters {given}",
                    expected="a parameter with a spread (its `uncertain` block, the registry's "
                    "spreads; `rift params` shows them) or a prefix ending in '.'",
                    hint=did_you_mean(given, sampled),
                )
            chosen += [n for n in hits if n not in chosen]
    if not chosen:
        raise InputError(
            "the scenario samples no input by a distribution of its own",
            file=scenario.source,
            key="uncertain",
            expected="uncertain parameters, or the registry's spreads (sampling: {registry: true})",
        )
    return sorted(chosen)


def plan_sensitivity(
    scenario: Scenario,
    method: str,
    samples: int,
    *,
    parameters: Sequence[str] = (),
    groups: bool = False,
) -> SensitivityDesign:
    """The sensitivity design of ``scenario``, checked.

    Args:
        scenario: The scenario (its seed seeds SALib's sample).
        method: ``sobol``, ``morris`` or ``delta``.
        samples: SALib's ``N`` (a power of 2 for Sobol').
        parameters: Restrict the inputs (:func:`sensitivity_inputs`).
        groups: Group the inputs by the first part of their name (``us``, ``col``, ...).

    Raises:
        InputError: Naming ``--method``, ``--samples``, ``--groups`` or ``--parameters``.
    """
    require_salib()
    if method not in METHODS:
        raise InputError(
            f"'{method}' is not a method",
            key="--method",
            expected=", ".join(METHODS[:-1]) + " or " + METHODS[-1],
            hint=did_you_mean(method, METHODS),
        )
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise InputError(f"got {samples!r}", key="--samples", expected="a whole number, at least 2")
    if method == "sobol" and samples & (samples - 1):
        up = 2 ** math.ceil(math.log2(samples))
        raise InputError(
            f"got {samples}",
            key="--samples",
            expected=f"a power of 2 for Sobol' (its sequence is balanced only then), e.g. {up}",
        )
    if groups and method == "delta":
        raise InputError(
            "delta has no groups",
            key="--groups",
            expected="--method sobol or morris with --groups (delta scores each input)",
        )
    names = sensitivity_inputs(scenario, parameters)
    grouping = tuple(n.split(".", 1)[0] for n in names) if groups else None
    factors = len(set(grouping)) if grouping else len(names)
    if factors < 2 and method != "delta":
        raise InputError(
            f"only {factors} factor",
            key="--groups" if groups else "--parameters",
            expected="at least two inputs (or groups) to compare",
        )
    return SensitivityDesign(method, samples, scenario.seed, tuple(names), grouping)
