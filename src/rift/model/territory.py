"""The territory: 1,122 municipalities and two sanctuaries as numpy arrays.

One Python object per municipality would be about 100 times slower for the same rules, so the
territory is a set of arrays updated in one vectorised step per month:

* ``s[g, i]``: members of armed group ``g`` in node ``i`` (municipalities, then the
  sanctuaries Venezuela and Ecuador, which have no Colombian state and a fixed capacity);
* ``coca[i]``: coca hectares in municipality ``i``;
* ``E[i] = e_scale * e_level * reach[i]``: the state's local presence in member-equivalents.

Each month applies the rules of ``rift.model.rules`` in this order (each function's docstring
gives its equation and its reason):

1. rent and carrying capacity ``K`` (``carrying_capacity``);
2. local dynamics of the members, one Euler step of
   ``ds/dt = r s (1 - (S + E) / K) - a q s - k_g s (S - s) / S - w s [s < v E] - b_g s [s >= f]``:
   logistic recruitment, attrition from state operations (Lanchester guerrilla form), rival
   combat (square law; ``k_g`` higher for a group split after a commander's removal),
   withdrawal where a group is weak against the state and losses to US strikes on Colombian
   soil where a group is present;
3. expansion: new fronts in neighbouring nodes, detachments drawn from the sources around them;
4. groups below the extinction floor are gone;
5. coca (``self.coca_rule``) on the armed share after the move, its growth slowed as the
   national market saturates (``coca_market_factor``);
6. Kalyvas zones, control and the rent the groups collect;
7. displacement (``self.displacement_rule``) from the month's violence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from rift.model import rules
from rift.parameters import ParameterSet
from rift.record import GROUPS

if TYPE_CHECKING:
    from rift.geography import Geography
    from rift.model.initial import InitialState


#: ``rule(coca, theta, eradication_ha, price, growth_factor) -> (coca, hectares eradicated)``
CocaRule = Callable[[np.ndarray, np.ndarray, float, float], tuple[np.ndarray, float]]
#: ``rule(violence) -> people displaced this month``
DisplacementRule = Callable[[rules.Violence], float]


@dataclass
class TerritoryInputs:
    """What the actors decide each month that the territory needs.

    Attributes:
        e_level: State presence relative to the start of the run (capability x effort).
        attrition: Attrition rate of armed members per year at reach 1.
        capacity_multiplier: Multiplier of rent capacity (civil aid cuts, tariffs).
        eradication_ha: Hectares eradicated this month (before replanting).
        sigma: Expansion hazard of each group per year, shape (G,).
        uniforms: Uniform draws for the expansion decisions, shape (G, N + S).
        sanctuary_multiplier: Capacity of each sanctuary node relative to the start (the
            host state's tolerance), shape (S,); None keeps it as at the start.
        coca_price: The farm-gate price index (read by the price closure of coca).
        coca_growth_factor: This year's factor on coca growth (process shocks; 1: none).
        recruitment_factor: This year's factor on each group's recruitment rate, shape
            (G, 1) (process shocks; None: none).
        coca_rent_factor: Factor on the groups' rent per coca hectare (the unseized share of
            cocaine relative to the reference, ``rules.unseized_ratio``, to the power
            ``territory.seizure_rent_elasticity``; 1: seizures as at the reference).
        strike_rate: Loss rate of each group per year to US strikes on Colombian soil where
            it is present, shape (G,) (``rules.presence_losses``; None: no strikes).
        clash_factor: Factor on each group's losses in clashes with rivals, shape (G,) (a
            group split after a commander's removal fights more; None: 1 for all).
    """

    e_level: float
    attrition: float
    capacity_multiplier: float
    eradication_ha: float
    sigma: np.ndarray
    uniforms: np.ndarray
    sanctuary_multiplier: np.ndarray | None = None
    coca_price: float = 1.0
    coca_growth_factor: float = 1.0
    recruitment_factor: np.ndarray | None = None
    coca_rent_factor: float = 1.0
    strike_rate: np.ndarray | None = None
    clash_factor: np.ndarray | None = None


def make_coca_rule(
    p: ParameterSet, coca_capacity: np.ndarray, dt: float, kernels: ModuleType = rules
) -> CocaRule:
    """The coca closure of ``variant.coca`` with its parameters bound.

    Args:
        p: The run's parameters.
        coca_capacity: Hectares suited to coca per municipality.
        dt: Length of a step in years.
        kernels: The module of the rules (:func:`rift.model.rules.kernels`).
    """
    common = {
        "growth": p["coca.growth_rate_per_yr"],
        "abandon": p["coca.abandon_rate_per_yr"],
        "replant": p["coca.replant_share"],
        "dt": dt,
    }
    if p["variant.coca"] == "price":
        return partial(kernels.coca_priced, **common)
    return partial(kernels.coca_logistic, capacity=coca_capacity, **common)


def make_displacement_rule(p: ParameterSet) -> DisplacementRule:
    """The displacement closure of ``variant.displacement`` with its parameters bound."""
    if p["variant.displacement"] == "civilians":
        return partial(
            rules.displacement_from_civilian_violence,
            per_contested=p["displacement.civilians.per_contested_month"],
            per_controlled=p["displacement.civilians.per_controlled_month"],
            per_clash_casualty=p["displacement.civilians.per_clash_casualty"],
            per_operation_casualty=p["displacement.civilians.per_operation_casualty"],
        )
    return partial(
        rules.displacement_from_casualties,
        per_casualty=p["displacement.per_casualty"],
        per_contested=p["displacement.per_contested_month"],
        per_controlled=p["displacement.per_controlled_month"],
    )


class Territory:
    """Numpy state of the municipalities and sanctuaries, with the monthly update.

    Attributes after each update (and right after construction): ``s``, ``coca``, ``E``,
    ``rent``, ``K``, ``theta`` (armed share where a group is present, else 0), ``zone``,
    ``presence``, ``controller`` (-1 where no group controls), ``revenue``, ``casualties``,
    ``eradicated``, ``new_displacement``, ``displacement_cum`` and the counts the outcomes
    read (``present_count``, ``presence_by_group``, ``control_by_group``, ``control_count``,
    ``contested_count``, ``members_by_group``, ``coca_total``).
    """

    def __init__(
        self,
        geo: Geography,
        params: ParameterSet,
        init: InitialState,
        *,
        coca_rule: CocaRule | None = None,
        displacement_rule: DisplacementRule | None = None,
        kernels: ModuleType | None = None,
    ) -> None:
        """Start from ``init`` (``rift.model.initial.build_initial_state``) on ``geo``.

        Args:
            geo: The geography: node adjacency, reach and the number of municipalities.
            params: The run's parameter set.
            init: The initial arrays (members, rent, coca, state scale, sanctuary capacity).
            coca_rule: How coca changes each month; the carrying-capacity closure if None.
            displacement_rule: Who is displaced each month; casualty-driven if None.
            kernels: The module of the rules, numpy's or numba's; None: as
                :func:`rift.model.rules.kernels` says (``RIFT_KERNELS``, default numpy).
        """
        self.rules = R = kernels if kernels is not None else rules.kernels()
        p = params
        self.dt = 1.0 / 12.0
        self.n = n = geo.n
        self.G, self.M = init.strength.shape
        self.adjacency = geo.node_adjacency.tocsr()  # symmetric: i ~ j iff j ~ i
        self.reach = np.zeros(self.M)
        self.reach[:n] = geo.reach
        self.extortion = np.zeros(self.M)
        self.extortion[:n] = init.extortion
        self.sanctuary_capacity = np.asarray(init.sanctuary_capacity, dtype=np.float64)
        self.e_scale = float(init.e_scale)
        self.s = init.strength.astype(np.float64, copy=True)
        self.coca = init.coca.astype(np.float64, copy=True)
        self.coca_capacity = np.asarray(init.coca_capacity, dtype=np.float64)

        self.growth_rate = np.array([p[f"groups.{g}.growth_rate_per_yr"] for g in GROUPS])[:, None]
        self.clash_rate = p["territory.clash_rate_per_yr"]
        self.rent_per_ha = p["territory.coca_rent_usd_per_ha"] / 1e6  # USD million/yr
        self.cost_per_member = p["territory.cost_per_member_usd"] / 1e6  # USD million/yr
        self._expansion = {
            "detachment": p["territory.detachment_members"],
            "half_capacity": p["territory.expansion_half_capacity"],
            "presence_floor": p["territory.presence_floor"],
            "dt": self.dt,
        }
        self.presence_floor = p["territory.presence_floor"]
        self.withdrawal_ratio = p["territory.withdrawal_ratio"]
        self.withdrawal_rate = p["territory.withdrawal_rate_per_yr"]
        self._market = {
            "onset": p["coca.market_onset_ha"],
            "saturation": p["coca.market_saturation_ha"],
        }
        self.extinction_floor = p["territory.extinction_floor"]
        self._zones = {
            "cuts": tuple(p[f"zone.cut_{k}"] for k in (2, 3, 4, 5)),
            "contest_ratio": p["zone.rival_contest_ratio"],
            "presence_floor": self.presence_floor,
        }
        self.coca_rule = coca_rule or make_coca_rule(p, init.coca_capacity, self.dt, R)
        self.displacement_rule = displacement_rule or make_displacement_rule(p)

        self.E = self.e_scale * self.reach
        self.rent, self.K = self._capacity(1.0)
        self.casualties = self.clash_casualties = self.operation_casualties = 0.0
        self.eradicated = 0.0
        self.new_displacement = self.displacement_cum = 0.0
        S = self.s[:, :n].sum(axis=0)
        self._observe(S, R.armed_share(S, self.E[:n]))

    def __getstate__(self) -> dict:
        """The state without the rules' module (a module does not pickle): its name instead."""
        state = self.__dict__.copy()
        state["rules"] = state["rules"].__name__
        return state

    def __setstate__(self, state: dict) -> None:
        """Restore the state and the rules' module by its name (numpy's or numba's)."""
        import importlib

        self.__dict__.update(state)
        self.rules = importlib.import_module(state["rules"])

    def _capacity(
        self, multiplier: float, sanctuary: np.ndarray | None = None, coca_rent: float = 1.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rent and carrying capacity of each node at this month's rent multipliers."""
        capacity = (
            self.sanctuary_capacity if sanctuary is None else self.sanctuary_capacity * sanctuary
        )
        return self.rules.carrying_capacity(
            self.extortion,
            self.coca,
            capacity,
            rent_per_ha=self.rent_per_ha * coca_rent,
            multiplier=multiplier,
            cost_per_member=self.cost_per_member,
        )

    def step(self, inp: TerritoryInputs) -> None:
        """Advance the territory by one month (the order of the module docstring)."""
        dt, n, s, R = self.dt, self.n, self.s, self.rules
        self.E = E = (self.e_scale * inp.e_level) * self.reach
        self.rent, self.K = self._capacity(
            inp.capacity_multiplier, inp.sanctuary_multiplier, inp.coca_rent_factor
        )
        K = self.K

        S = s.sum(axis=0)
        rate = self.growth_rate
        if inp.recruitment_factor is not None:
            rate = rate * inp.recruitment_factor
        recruit = R.recruitment(S, E, K, rate)
        attrition = R.attrition(self.reach, inp.attrition)
        combat = R.rival_combat(s, S, self.clash_rate)
        if inp.clash_factor is not None:
            combat *= inp.clash_factor[:, None]
        self.clash_casualties = dt * float((combat * s)[:, :n].sum())
        self.operation_casualties = dt * float((attrition * s)[:, :n].sum())
        leave = R.withdrawal(s, E, self.withdrawal_ratio, self.withdrawal_rate)
        net = recruit - attrition - combat - leave
        if inp.strike_rate is not None:  # US strikes: casualties of operations, not the state's
            strikes = R.presence_losses(s, inp.strike_rate, self.presence_floor, n)
            self.operation_casualties += dt * float((strikes * s)[:, :n].sum())
            net -= strikes
        self.casualties = self.clash_casualties + self.operation_casualties
        s = R.euler_step(s, net, dt)

        s = R.expansion(s, K, E, self.adjacency, inp.sigma, inp.uniforms, **self._expansion)
        self.s = s = s * (s >= self.extinction_floor)  # below the floor a group is gone

        S = s[:, :n].sum(axis=0)
        theta = R.armed_share(S, E[:n])
        market = rules.coca_market_factor(self.coca_total, **self._market)
        self.coca, self.eradicated = self.coca_rule(
            self.coca, theta, inp.eradication_ha, inp.coca_price, inp.coca_growth_factor * market
        )
        self._observe(S, theta)
        violence = rules.Violence(
            self.clash_casualties, self.operation_casualties, self.contested_count,
            self.control_count,
        )  # fmt: skip
        self.new_displacement = self.displacement_rule(violence)
        self.displacement_cum += self.new_displacement

    def _observe(self, S: np.ndarray, theta: np.ndarray) -> None:
        """Zones, presence, control, revenue and the counts the outcomes read.

        Args:
            S: Armed members in each municipality.
            theta: The armed share ``S / (S + E)`` of each municipality.
        """
        n, floor, R = self.n, self.presence_floor, self.rules
        s = self.s[:, :n]
        strongest, second, leader = R.top_two(s)
        present = strongest >= floor
        self.theta = theta * present  # no armed group present, no armed zone
        self.zone = zone = R.kalyvas_zones(self.theta, strongest, second, **self._zones)
        self.presence = s >= floor
        np.putmask(leader, zone < 4, -1)  # the strongest group controls zones 4 and 5 only
        self.controller = leader
        self.revenue = R.revenue(s, S, self.rent[:n], theta)

        self.present_count = int(np.count_nonzero(present))
        self.presence_by_group = [int(np.count_nonzero(p)) for p in self.presence]
        self.control_by_group = [int(np.count_nonzero(leader == g)) for g in range(self.G)]
        self.control_count = sum(self.control_by_group)
        self.contested_count = int(np.count_nonzero(zone == 3))
        self.members_by_group = self.s.sum(axis=1)
        self.coca_total = float(self.coca.sum())

    #: The arrays and numbers a month leaves behind that the next month reads (with the
    #: constants of the initial state); the rest (zones, presence, control, revenue and the
    #: counts) is recomputed from them by :meth:`_observe`, as after an update.
    STATE_ARRAYS = ("s", "coca", "E", "rent", "K")
    STATE_SCALARS = (
        "casualties",
        "clash_casualties",
        "operation_casualties",
        "eradicated",
        "new_displacement",
        "displacement_cum",
    )
    #: From the initial state (placement draws), constant over the run.
    INITIAL_ARRAYS = ("extortion", "coca_capacity", "sanctuary_capacity")

    def get_state(self) -> dict[str, Any]:
        """The territory's state: its arrays (copies), scalars and initial constants."""
        state: dict[str, Any] = {k: getattr(self, k).copy() for k in self.STATE_ARRAYS}
        state.update({k: getattr(self, k) for k in self.STATE_SCALARS})
        state.update({k: getattr(self, k).copy() for k in self.INITIAL_ARRAYS})
        state["e_scale"] = self.e_scale
        return state

    @staticmethod
    def initial_from_state(state: Mapping[str, Any], n: int) -> InitialState:
        """The :class:`InitialState` to build a territory that :meth:`set_state` continues.

        Args:
            state: A :meth:`get_state` mapping.
            n: The number of municipalities (the nodes before the sanctuaries).
        """
        from rift.model.initial import InitialState

        return InitialState(
            strength=np.array(state["s"], dtype=np.float64),
            extortion=np.array(state["extortion"], dtype=np.float64)[:n],
            coca=np.array(state["coca"], dtype=np.float64),
            coca_capacity=np.array(state["coca_capacity"], dtype=np.float64),
            e_scale=float(state["e_scale"]),
            sanctuary_capacity=np.array(state["sanctuary_capacity"], dtype=np.float64),
        )

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from :meth:`get_state`: the same arrays, then the derived counts.

        The territory must have been built from :meth:`initial_from_state` of the same state
        (its initial constants are bound into the coca rule); a mismatch raises ValueError.
        """
        for k in (*self.STATE_ARRAYS, *self.INITIAL_ARRAYS):
            value = np.array(state[k], dtype=np.float64)
            if value.shape != getattr(self, k).shape:
                raise ValueError(
                    f"territory array '{k}' has shape {value.shape}, expected "
                    f"{getattr(self, k).shape}"
                )
            if k in self.INITIAL_ARRAYS:
                if not np.array_equal(value, getattr(self, k), equal_nan=True):
                    raise ValueError(f"territory built from other initial arrays ('{k}')")
                continue
            setattr(self, k, value)
        if state["e_scale"] != self.e_scale:
            raise ValueError("territory built from another initial state ('e_scale')")
        for k in self.STATE_SCALARS:
            setattr(self, k, state[k])
        n = self.n
        S = self.s[:, :n].sum(axis=0)
        self._observe(S, self.rules.armed_share(S, self.E[:n]))

    def members(self) -> np.ndarray:
        """Members of each group, including sanctuaries, shape (G,)."""
        return self.s.sum(axis=1)
