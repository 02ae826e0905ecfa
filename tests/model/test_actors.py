"""A contract every actor type must honour (Axelrod-style shared suite)."""

import pickle
from collections import deque

import mesa
import numpy as np
import pytest

from rift.model import AllianceModel
from rift.model.actors import (
    ArmedGroup,
    China,
    Colombia,
    Diplomacy,
    Institutions,
    UnitedStates,
    Venezuela,
)


def _actors(model):
    return {
        "UnitedStates": model.us,
        "Colombia": model.colombia,
        "China": model.china,
        "Venezuela": model.venezuela,
        "Diplomacy": model.diplomacy,
        "Institutions": model.institutions,
        "ArmedGroup": model.groups[0],
    }


def _state(agent):
    return {
        k: v
        for k, v in vars(agent).items()
        if isinstance(v, int | float | str | bool | list | tuple) and not k.startswith("_")
    }


#: Attributes that are the actor's links, not its state.
_LINKS = {"model", "unique_id", "stream", "_prior_cache", "pos"}


def _comparable(v):
    if isinstance(v, np.ndarray):
        return ("array", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, dict):
        return {k: _comparable(x) for k, x in v.items()}
    if isinstance(v, list | tuple | deque):
        return (type(v).__name__, [_comparable(x) for x in v])
    if hasattr(v, "__dict__") and not isinstance(v, type):
        return (type(v).__name__, _comparable(vars(v)))
    return (type(v).__name__, v)


def _attributes(agent):
    return {k: _comparable(v) for k, v in vars(agent).items() if k not in _LINKS}


def _check_plain(value, where="state"):
    """A state is plain data: scalars, strings, None, arrays, lists, tuples, str-keyed dicts."""
    if isinstance(value, dict):
        for k, v in value.items():
            assert isinstance(k, str), f"{where}: key {k!r}"
            _check_plain(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_plain(v, f"{where}[{i}]")
    else:
        assert value is None or isinstance(value, bool | int | float | str | np.ndarray
                                           | np.generic), f"{where}: {type(value)}"  # fmt: skip


def _mutate(value):
    if isinstance(value, dict):
        for k in list(value):
            if isinstance(value[k], dict | list | np.ndarray):
                _mutate(value[k])
            else:
                value[k] = "changed"
    elif isinstance(value, list):
        value.append("changed")
    elif isinstance(value, np.ndarray):
        value[...] = -1


class ActorContract:
    """Inherited by one test class per actor type."""

    kind: str
    cls: type

    def agent(self, model):
        return _actors(model)[self.kind]

    def test_is_a_mesa_agent_with_a_documented_step(self):
        model = AllianceModel(rng=1, collect=False)
        agent = self.agent(model)
        assert isinstance(agent, mesa.Agent) and isinstance(agent, self.cls)
        assert agent.model is model
        assert self.cls.step.__doc__ and self.cls.__doc__

    def test_same_seed_same_behaviour(self):
        a, b = AllianceModel(rng=4, collect=False), AllianceModel(rng=4, collect=False)
        for _ in range(15):
            a.step()
            b.step()
        assert _state(self.agent(a)) == _state(self.agent(b))

    def test_pickle_round_trip_keeps_state_and_behaviour(self):
        model = AllianceModel(rng=9, collect=False)
        for _ in range(10):
            model.step()
        clone = pickle.loads(pickle.dumps(model))
        assert _state(self.agent(clone)) == _state(self.agent(model))
        for _ in range(5):
            model.step()
            clone.step()
        assert _state(self.agent(clone)) == _state(self.agent(model))

    def test_state_round_trip_is_complete(self):
        """``set_state(get_state())`` makes another run's actor equal in every attribute.

        Two runs with the same parameters and different seeds, at different months: after the
        round trip, every attribute but the model, the id and the random stream is equal, so
        an attribute a month changes cannot be missing from ``get_state``.
        """
        a = AllianceModel(rng=1, calibrated=False, collect=False)  # seed 1: deals, lapses
        b = AllianceModel(rng=5, calibrated=False, collect=False)
        for _ in range(70):
            a.step()
        for _ in range(3):
            b.step()
        src, dst = self.agent(a), self.agent(b)
        # Each actor says what a month changes (the base class copies it in and out).
        assert "STATE" in vars(self.cls) and self.cls.STATE
        state = src.get_state()
        _check_plain(state)
        assert _attributes(dst) != _attributes(src)  # the test compares different states
        dst.set_state(state)
        assert _attributes(dst) == _attributes(src)
        _mutate(state)  # the state handed out is a copy: changing it changes neither actor
        assert _attributes(dst) == _attributes(src)
        assert _attributes(self.agent(a)) == _attributes(src)

    def test_agent_is_registered_with_the_model(self):
        model = AllianceModel(rng=2, collect=False)
        assert self.agent(model) in model.agents_by_type[self.cls]


class TestUnitedStates(ActorContract):
    kind, cls = "UnitedStates", UnitedStates


class TestColombia(ActorContract):
    kind, cls = "Colombia", Colombia


class TestChina(ActorContract):
    kind, cls = "China", China


class TestVenezuela(ActorContract):
    kind, cls = "Venezuela", Venezuela


class TestDiplomacy(ActorContract):
    kind, cls = "Diplomacy", Diplomacy


class TestInstitutions(ActorContract):
    kind, cls = "Institutions", Institutions


class TestArmedGroup(ActorContract):
    kind, cls = "ArmedGroup", ArmedGroup


def test_model_has_one_of_each_state_actor_and_three_groups():
    model = AllianceModel(rng=0, collect=False)
    for cls in (UnitedStates, Colombia, China, Venezuela, Diplomacy, Institutions):
        assert len(model.agents_by_type[cls]) == 1
    assert [g.name for g in model.groups] == ["egc", "eln", "dissidents"]


@pytest.mark.parametrize("measure", ["security_aid_cut", "intel_cut", "tariffs"])
def test_us_instruments_follow_the_measures_in_force(measure):
    model = AllianceModel(rng=0, collect=False)
    us = model.us
    us.apply_instruments({})
    assert us.security_aid == us.base_security and us.intel_sharing == 1 and us.tariff == 0
    us.measures.start(measure, model.month)
    us.apply_instruments({})
    if measure == "security_aid_cut":
        assert us.security_aid == pytest.approx(us.base_security * us.security_residual)
    elif measure == "intel_cut":
        assert us.intel_sharing == 0
    else:
        assert us.tariff == us.tariff_level
    us.measures.end(measure, model.month + 1)
    us.apply_instruments({})
    assert us.security_aid == us.base_security and us.intel_sharing == 1 and us.tariff == 0
    assert us.measures.first_start[measure] == model.month
    assert us.measures.first_end[measure] == model.month + 1


def test_decertification_without_waiver_cuts_aid_by_law():
    model = AllianceModel(rng=0, collect=False)
    us = model.us
    us.certification = "decertified"
    us.apply_instruments({})
    assert us.security_aid <= us.base_security * us.decert_residual + 1e-9
    us.certification = "waiver"
    us.apply_instruments({})
    assert us.security_aid == us.base_security


def test_a_deal_ends_the_transactional_measures_and_relieves_tension():
    from rift.catalogue import CATALOGUE

    model = AllianceModel(rng=0, collect=False)
    us, col = model.us, model.colombia
    for m in ("tariffs", "visa_officials", "security_aid_cut"):
        us.measures.start(m, model.month)
    col.measures.start("deportation_refusal", model.month)
    us.tension = col.tension = 0.8
    model.diplomacy.intercept = 50.0  # certain
    model.ledger.begin(model.month)
    model.diplomacy.step()
    assert model.diplomacy.deal_now
    assert not any(us.measures.on[m] for m in CATALOGUE.ended_by_deal("us"))
    assert us.measures.on["security_aid_cut"]  # not transactional: stays
    assert not col.measures.on["deportation_refusal"]
    assert us.tension < 0.8 and col.tension < 0.8
