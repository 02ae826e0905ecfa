"""What one run is given, in one typed form, and the one place a model is built from it.

A scenario is read, checked and written in canonical form once, when it is loaded
(:mod:`rift.scenario`). :func:`inputs_for` turns it into :class:`RunInputs` once per batch:
months as month numbers, the parameter set resolved over the registry's defaults, and the
interventions and shocks as the model's own dataclasses, so that no run of the batch parses a
month or validates a scenario's value again. Each run adds only what is its own — its sampled values
(:meth:`RunInputs.with_sampled`, the one check of values the loader never saw) and, to
continue a run, its state — and :func:`build_model` makes the
:class:`~rift.model.model.AllianceModel` of it. The runner's worker, the Python API, both
calibrations and the benchmarks all build their models there, so that they cannot drift apart
in how a run is set up (one forgetting that the runner samples the calibration itself, say).

This module sits in the runner layer because it is the lowest layer that sees both the
scenario (what a user wrote) and the model (what a run needs).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rift.errors import InputError
from rift.model.forcing import Intervention, Shock
from rift.model.model import AllianceModel
from rift.model.state import ModelState
from rift.months import parse_month
from rift.parameters import ParameterSet, registry
from rift.scenario import Scenario
from rift.scenario.levers import LEVER_FORM, lever
from rift.scenario.when import parse_condition

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


@dataclass(frozen=True)
class RunInputs:
    """Everything a model run is given besides its seed, typed and checked.

    Attributes:
        start: First simulated month (a month number, :func:`rift.months.parse_month`).
        end: Last simulated month (a month number).
        parameters: The resolved parameter set: the registry's defaults with every given
            value on top.
        given: The names whose values were given (by the scenario or sampled), as opposed
            to defaults: a run continued from a state keeps the state's value of every other
            parameter, and a calibrated draw leaves these alone.
        interventions: Dated actions forcing instruments, in scenario order.
        shocks: Dated starts and ends of measures, in scenario order.
        election: How the 2026 election is conditioned or replaced (the keys of
            :class:`~rift.scenario.ElectionSpec` that are set), or None to simulate it.
        calibrated: Whether the model draws the calibrated parameters not given from the
            packaged posterior itself. A batch samples the calibration run by run with the
            rest of its inputs, so inputs made from a scenario say False.
        state: A state to continue from (None: the run starts from its initial state).
    """

    start: int
    end: int
    parameters: ParameterSet
    given: frozenset[str] = frozenset()
    interventions: tuple[Intervention, ...] = ()
    shocks: tuple[Shock, ...] = ()
    election: Mapping[str, Any] | None = None
    calibrated: bool = False
    state: ModelState | None = None

    def with_sampled(self, values: Mapping[str, Any]) -> RunInputs:
        """These inputs with one run's sampled values on top, each checked by the registry.

        Sampled values are the only ones the scenario's loader has not checked (the Latin
        hypercube, the calibrated posterior, a calibration's candidate), so they are checked
        here, and coerced to their parameter's kind, as the registry checks any value. A
        sampled part of an intervention (``interventions[0].at``, :mod:`rift.scenario.levers`)
        replaces that part of the run's intervention.

        Raises:
            InputError: A name the registry does not know, or a value outside its range.
        """
        if not values:
            return self
        reg = registry()
        levers = {name: v for name, v in values.items() if lever(name) is not None}
        checked = {
            name: reg.lookup(name).validate(v) for name, v in values.items() if name not in levers
        }
        return replace(
            self,
            parameters=ParameterSet({**self.parameters.values, **checked}),
            given=self.given.union(checked),
            interventions=_with_levers(self.interventions, levers)
            if levers
            else self.interventions,
        )

    def with_state(self, state: ModelState | None) -> RunInputs:
        """These inputs continuing from ``state`` (None: from the initial state)."""
        return replace(self, state=state)

    def given_values(self) -> dict[str, Any]:
        """The given values by name (what a restart or a calibrated draw keeps)."""
        return {name: self.parameters[name] for name in sorted(self.given)}


def _with_levers(
    interventions: tuple[Intervention, ...], values: Mapping[str, Any]
) -> tuple[Intervention, ...]:
    """The interventions with one run's sampled levers (:mod:`rift.scenario.levers`) on top.

    Raises:
        InputError: A lever of no intervention, a month that does not parse, a value outside
            its instrument's range, or an ``at`` after the ``until``.
    """
    reg = registry()
    out = list(interventions)
    for name, value in sorted(values.items()):
        lv = lever(name)
        assert lv is not None
        if lv.index >= len(out):
            raise InputError(f"no intervention {lv.index}", key=name, expected=LEVER_FORM)
        iv = out[lv.index]
        if lv.part == "set":
            instrument = str(lv.instrument)
            checked = reg.lookup(instrument, key=name).validate(value, key=name)
            out[lv.index] = replace(iv, values={**iv.values, instrument: checked})
        else:
            try:
                month = parse_month(str(value))
            except ValueError as exc:
                raise InputError(str(exc), key=name, expected="a month as YYYY-MM") from None
            out[lv.index] = replace(iv, **{lv.part: month})
    for iv in out:
        if iv.until is not None and iv.until < iv.at:
            raise InputError(
                "a sampled 'until' falls before the 'at'",
                key=", ".join(sorted(values)),
                expected="every 'at' on or before every 'until'",
            )
    return tuple(out)


def inputs_for(scenario: Scenario) -> RunInputs:
    """The inputs every run of a scenario's batch shares (before its sampled values).

    The scenario is trusted to be checked and canonical, as :func:`rift.scenario.load_scenario`
    and :func:`rift.scenario.scenario_from_dict` return it: its values are not validated again.
    """
    values = registry().defaults()
    values.update(scenario.parameters)
    election = {k: v for k, v in scenario.election.model_dump().items() if v is not None}
    return RunInputs(
        start=parse_month(scenario.start),
        end=parse_month(scenario.end),
        parameters=ParameterSet(values),
        given=frozenset(scenario.parameters),
        interventions=tuple(
            Intervention(
                at=parse_month(iv.at or scenario.start),
                values=dict(iv.set),
                until=None if iv.until is None else parse_month(iv.until),
                **_condition(iv.when, iv.mode),
            )
            for iv in scenario.interventions
        ),
        shocks=tuple(
            Shock(
                at=parse_month(sh.at or scenario.start),
                start=tuple(sh.start),
                end=tuple(sh.end),
                until=None if sh.until is None else parse_month(sh.until),
                **_condition(sh.when, sh.mode),
            )
            for sh in scenario.shocks
        ),
        election=election or None,
    )


def _condition(when: str | None, mode: str | None) -> dict[str, Any]:
    """A conditional item's parsed condition and mode, as the model takes them."""
    if when is None:
        return {}
    return {"when": parse_condition(when), "mode": mode or "once"}


def model_arguments(
    inputs: RunInputs,
    rng: np.random.SeedSequence | int | None = None,
    *,
    collect: bool = False,
) -> dict[str, Any]:
    """The ``AllianceModel`` constructor's arguments for ``inputs`` (see :func:`build_model`).

    Apart from :func:`build_model`, only a subclass of the model needs them: an adapter that
    ``mesa.batch_run`` constructs, which passes them to ``super().__init__``.
    """
    parameters: ParameterSet | dict[str, Any] = inputs.parameters
    if inputs.state is not None or inputs.calibrated:
        # The model puts the given values on the state's parameters, or draws the rest from
        # the posterior: it needs to know which values were given, not the resolved set.
        parameters = inputs.given_values()
    return {
        "rng": rng,
        "start": inputs.start,
        "end": inputs.end,
        "parameters": parameters,
        "interventions": inputs.interventions,
        "shocks": inputs.shocks,
        "election": inputs.election,
        "collect": collect,
        "calibrated": inputs.calibrated,
        "state": inputs.state,
    }


def build_model(
    inputs: RunInputs,
    rng: np.random.SeedSequence | int | None = None,
    *,
    collect: bool = False,
) -> AllianceModel:
    """The model of one run: the only place in rift that constructs an ``AllianceModel``.

    Args:
        inputs: What the run is given.
        rng: The run's seed. With ``inputs.state`` and no seed, every random stream continues
            where the state left it (a restart, bit for bit); a seed draws a new future.
        collect: Fill mesa's ``DataCollector`` each step (only ``mesa.batch_run`` needs it).

    Returns:
        The model, ready to ``run()`` or ``step()``.
    """
    return AllianceModel(**model_arguments(inputs, rng, collect=collect))
