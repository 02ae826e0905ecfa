"""A contract every actor type must honour (Axelrod-style shared suite)."""

import pickle

import mesa
import pytest

from rift.model import AllianceModel, ArmedGroup, China, Colombia, UnitedStates


def _actors(model):
    return {
        "UnitedStates": model.us,
        "Colombia": model.colombia,
        "China": model.china,
        "ArmedGroup": model.groups[0],
    }


def _state(agent):
    return {
        k: v
        for k, v in vars(agent).items()
        if isinstance(v, int | float | str | bool | list | tuple) and not k.startswith("_")
    }


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

    def test_agent_is_registered_with_the_model(self):
        model = AllianceModel(rng=2, collect=False)
        assert self.agent(model) in model.agents_by_type[self.cls]


class TestUnitedStates(ActorContract):
    kind, cls = "UnitedStates", UnitedStates


class TestColombia(ActorContract):
    kind, cls = "Colombia", Colombia


class TestChina(ActorContract):
    kind, cls = "China", China


class TestArmedGroup(ActorContract):
    kind, cls = "ArmedGroup", ArmedGroup


def test_model_has_one_of_each_state_actor_and_three_groups():
    model = AllianceModel(rng=0, collect=False)
    assert len(model.agents_by_type[UnitedStates]) == 1
    assert len(model.agents_by_type[Colombia]) == 1
    assert len(model.agents_by_type[China]) == 1
    assert [g.name for g in model.groups] == ["egc", "eln", "dissidents"]


@pytest.mark.parametrize("rung", ["security_cut", "intel_cut"])
def test_us_instruments_follow_the_ladder(rung):
    model = AllianceModel(rng=0, collect=False)
    us = model.us
    us.hostility = 1.0
    us._set_rungs()
    us.apply_instruments({})
    assert us.on(rung)
    assert us.security_aid < us.base_security
    if rung == "intel_cut":
        assert us.intel_sharing == 0 and us.security_aid == 0
    us.hostility = us.thresholds[list(us.rungs).index(True)] - 1.0  # far below every rung
    us.hostility = 0.0
    us._set_rungs()
    us.apply_instruments({})
    assert not us.on(rung) and us.intel_sharing == 1


def test_hysteresis_keeps_a_rung_on_inside_the_band():
    model = AllianceModel(rng=0, collect=False)
    us = model.us
    k = 5  # security_cut
    thr = us.thresholds[k]
    us.hostility = thr + 0.01
    us._set_rungs()
    assert us.rungs[k]
    us.hostility = thr - us.band / 2  # inside the band: stays on
    us._set_rungs()
    assert us.rungs[k]
    us.hostility = thr - us.band - 0.01  # below the band: off
    us._set_rungs()
    assert not us.rungs[k]
