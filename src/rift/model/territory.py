"""The territory: 1,122 municipalities and two sanctuaries as numpy arrays.

One Python object per municipality would be about 100 times slower for the same rules, so the
territory is a set of arrays updated in one vectorised step per month (DESIGN §2):

* ``s[g, i]``: members of armed group ``g`` in node ``i`` (municipalities, then sanctuaries);
* ``coca[i]``: coca hectares in municipality ``i``;
* the state's local presence ``E[i] = e_scale * e_level * reach[i]`` in member-equivalents.

The rules, each with its reason:

* **Rent and capacity.** A municipality yields rent from coca (USD per hectare) and extortion
  (a base that grows with the local economy, proxied by reach). Divided by the yearly cost of a
  member it sustains ``K[i]`` members; the state's presence takes ``E[i]`` of that capacity.
* **Recruitment** is logistic: ``ds = r s (1 - (S + E) / K)``. A group grows where rent per
  member exceeds the cost of a member, and shrinks where the state and rivals crowd it out.
* **Attrition** from state operations is Lanchester's guerrilla (Deitchman) form: losses are
  proportional to the group's local strength times the state's operational effort, capability,
  intelligence quality and reach (operations must find their target).
* **Clashes** between rivals in the same municipality cost each side in proportion to its own
  strength times the rivals' share (Lanchester square law on the local balance).
* **Expansion**: a group opens a front in a neighbouring node by sending a detachment, with a
  monthly hazard that rises with the node's free capacity ``K - E - S`` (expected rent beats
  expected cost: the state's presence and rivals) and only where that capacity can sustain the
  detachment. Sanctuary nodes (Venezuela, Ecuador) have no Colombian state presence and a
  fixed capacity; groups move into and out of them the same way.
* **Coca** grows logistically where armed groups dominate (they protect and finance it), is
  abandoned where the state dominates, and is eradicated in proportion to the coca the state
  can reach; a share of the eradicated area is replanted.
* **Control zones** follow Kalyvas's five zones on the armed share ``S / (S + E)``; a zone of
  armed dominance or control is contested when a rival holds comparable strength.
* **Displacement** follows violence: casualties of clashes and operations, and contested
  municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from rift.parameters import ParameterSet

GROUPS: tuple[str, ...] = ("egc", "eln", "dissidents")
GROUP_LABELS: dict[str, str] = {
    "egc": "Clan del Golfo (EGC)",
    "eln": "ELN",
    "dissidents": "FARC dissidents",
}


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
    """

    e_level: float
    attrition: float
    capacity_multiplier: float
    eradication_ha: float
    sigma: np.ndarray
    uniforms: np.ndarray


def _top_two(s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Strongest and second-strongest value along axis 0, and the index of the strongest.

    A loop over the few groups is several times faster than sorting 1,124 short columns.
    """
    first = s[0].copy()
    second = np.zeros_like(first)
    arg = np.zeros(s.shape[1], dtype=np.int8)
    for g in range(1, s.shape[0]):
        x = s[g]
        arg[x > first] = g
        np.maximum(second, np.minimum(first, x), out=second)
        np.maximum(first, x, out=first)
    return first, second, arg


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den > 0``, else 0."""
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


class Territory:
    """Numpy state of the municipalities and sanctuaries, with the monthly update."""

    def __init__(
        self,
        params: ParameterSet,
        adjacency: sp.csr_matrix,
        reach: np.ndarray,
        n_municipalities: int,
        strength: np.ndarray,
        extortion: np.ndarray,
        coca: np.ndarray,
        coca_capacity: np.ndarray,
        e_scale: float,
        sanctuary_capacity: np.ndarray,
    ) -> None:
        p = params
        self.n = n_municipalities
        self.G, self.M = strength.shape
        self.A = adjacency.tocsr()
        self.s = strength.astype(np.float64, copy=True)
        self.coca = coca.astype(np.float64, copy=True)
        self.coca_capacity = coca_capacity
        self._coca_fill_ok = coca_capacity > 0
        self.reach = np.zeros(self.M)
        self.reach[: self.n] = reach
        self.e_scale = float(e_scale)
        self.dt = 1.0 / 12.0

        self.growth_rate = np.array([p[f"groups.{g}.growth_rate_per_yr"] for g in GROUPS])[:, None]
        self.clash_rate = p["territory.clash_rate_per_yr"]
        self.half_capacity = p["territory.expansion_half_capacity"]
        self.detachment = p["territory.detachment_members"]
        self.presence_floor = p["territory.presence_floor"]
        self.extinction_floor = p["territory.extinction_floor"]
        self.cost_per_member = p["territory.cost_per_member_usd"] / 1e6  # USD million
        self.rent_per_ha = p["territory.coca_rent_usd_per_ha"] / 1e6
        self.extortion = np.zeros(self.M)
        self.extortion[: self.n] = extortion
        self.sanctuary_capacity = np.asarray(sanctuary_capacity, dtype=np.float64)
        self.cuts = [p[f"zone.cut_{k}"] for k in (2, 3, 4, 5)]
        self.contest_ratio = p["zone.rival_contest_ratio"]
        self.coca_growth = p["coca.growth_rate_per_yr"]
        self.coca_abandon = p["coca.abandon_rate_per_yr"]
        self.replant = p["coca.replant_share"]
        self.disp_casualty = p["displacement.per_casualty"]
        self.disp_contested = p["displacement.per_contested_month"]

        # Outputs of the last update (also valid right after construction).
        self.E = self.e_scale * self.reach
        self.new_displacement = 0.0
        self.displacement_cum = 0.0
        self.eradicated = 0.0
        self.casualties = 0.0
        self.K = self._capacity(1.0)
        self._update_views()

    # ------------------------------------------------------------------ derived state
    def _neighbour_sum(self, x: np.ndarray) -> np.ndarray:
        """Sum over the neighbours of each node, for each row of ``x`` (G, M)."""
        return (self.A @ np.ascontiguousarray(x.T)).T

    def _capacity(self, multiplier: float) -> np.ndarray:
        """Members each node sustains: rent (USD million/yr) over the cost of a member."""
        rent = self.extortion.copy()
        rent[: self.n] += self.coca * self.rent_per_ha
        rent *= multiplier
        self.rent = rent
        K = rent / self.cost_per_member
        K[self.n :] = self.sanctuary_capacity
        return K

    def _update_views(self) -> None:
        """Recompute presence, zones, control and revenue from the current arrays."""
        n = self.n
        s = self.s[:, :n]
        strongest, second, arg = _top_two(s)
        present = strongest >= self.presence_floor
        # Armed share where some group is present; no presence is no armed zone.
        S = np.where(present, s.sum(axis=0), 0.0)
        theta = _safe_ratio(S, S + self.E[:n])
        self.theta = theta
        zone = np.ones(n, dtype=np.int8)
        for cut in self.cuts:
            zone += theta >= cut
        contested = (second >= self.contest_ratio * strongest) & (second >= self.presence_floor)
        zone[(zone >= 4) & contested] = 3
        self.zone = zone
        self.presence = s >= self.presence_floor
        control = zone >= 4
        self.controller = np.where(control, arg, -1).astype(np.int8)
        S_all = s.sum(axis=0)
        per_member = _safe_ratio(self.rent[:n] * _safe_ratio(S_all, S_all + self.E[:n]), S_all)
        self.revenue = s @ per_member

    # ------------------------------------------------------------------ monthly update
    def step(self, inp: TerritoryInputs) -> None:
        """Advance the territory by one month."""
        dt = self.dt
        s = self.s
        self.E = E = self.e_scale * inp.e_level * self.reach
        self.K = K = self._capacity(inp.capacity_multiplier)
        S = s.sum(axis=0)

        # Logistic recruitment with the state taking capacity; decline at most at rate r.
        crowd = np.divide(S + E, K, out=np.full(self.M, 2.0), where=K > 0)
        np.minimum(crowd, 2.0, out=crowd)
        change = self.growth_rate * (1.0 - crowd)
        # Attrition from operations (guerrilla form) and clashes with rivals.
        change -= inp.attrition * self.reach
        rival_share = _safe_ratio(S - s, S)
        change -= self.clash_rate * rival_share
        clash_loss = self.clash_rate * rival_share * s
        attrition_loss = inp.attrition * self.reach * s
        new = s * (1.0 + dt * change)
        np.maximum(new, 0.0, out=new)
        new = self._expand(new, K, E, inp.sigma, inp.uniforms)
        new[new < self.extinction_floor] = 0.0
        self.s = new

        # Coca.
        n = self.n
        coca = self.coca
        Sm = new[:, :n].sum(axis=0)
        theta = _safe_ratio(Sm, Sm + E[:n])
        fill = np.divide(coca, self.coca_capacity, out=np.ones(n), where=self._coca_fill_ok)
        grow = self.coca_growth * theta * (1.0 - fill)
        grow -= self.coca_abandon * (1.0 - theta)
        reachable = coca * (1.0 - theta)
        total = reachable.sum()
        if inp.eradication_ha > 0 and total > 0:
            erad = np.minimum(reachable * (inp.eradication_ha / total), coca)
            self.eradicated = float(erad.sum())
            net = coca * (1.0 + dt * grow) - erad * (1.0 - self.replant)
        else:
            self.eradicated = 0.0
            net = coca * (1.0 + dt * grow)
        self.coca = np.maximum(net, 0.0)

        # Violence and displacement.
        self.casualties = dt * float(clash_loss[:, :n].sum() + attrition_loss[:, :n].sum())
        self._update_views()
        contested = int(np.count_nonzero(self.zone == 3))
        self.new_displacement = (
            self.disp_casualty * self.casualties + self.disp_contested * contested
        )
        self.displacement_cum += self.new_displacement

    def _expand(
        self, s: np.ndarray, K: np.ndarray, E: np.ndarray, sigma: np.ndarray, u: np.ndarray
    ) -> np.ndarray:
        """Open new fronts: detachments move into neighbouring nodes with free capacity.

        A node is a frontier of group g when g is absent there and holds at least two
        detachments' worth of strength in a neighbouring node. The front opens with monthly
        probability ``1 - exp(-sigma_g * dt * f / (f + half))`` where ``f`` is the node's free
        capacity ``K - E - S`` (rent left after the state and rivals) and only if ``f`` can
        sustain a detachment. The detachment is drawn from the neighbouring sources in
        proportion to their strength.
        """
        D = self.detachment
        free = K - E - s.sum(axis=0)
        np.maximum(free, 0.0, out=free)
        source = np.where(s >= 2.0 * D, s, 0.0)  # (G, M)
        nb_source = self._neighbour_sum(source)  # strength of sources around each node
        hazard = (self.dt * free / (free + self.half_capacity))[None, :] * sigma[:, None]
        opened = u < -np.expm1(-hazard)
        opened &= s < self.presence_floor
        opened &= nb_source > 0
        opened &= (free > D)[None, :]
        if not opened.any():
            return s
        demand = _safe_ratio(opened * D, nb_source)  # per unit of neighbouring source
        take = source * self._neighbour_sum(demand)
        np.minimum(take, np.maximum(s - D, 0.0), out=take)  # a source keeps one detachment
        sent = opened.sum(axis=1) * D
        scale = _safe_ratio(take.sum(axis=1), sent)
        out = s - take
        out += opened * (D * scale)[:, None]  # what arrives is what the sources could give
        return out

    # ------------------------------------------------------------------ summaries
    def members(self) -> np.ndarray:
        """Members of each group, including sanctuaries, shape (G,)."""
        return self.s.sum(axis=1)

    def presence_counts(self) -> np.ndarray:
        """Municipalities where each group is present, shape (G,)."""
        return np.count_nonzero(self.presence, axis=1)

    def presence_any(self) -> int:
        """Municipalities with any armed presence."""
        return int(np.count_nonzero(self.presence.any(axis=0)))

    def control_counts(self) -> np.ndarray:
        """Municipalities under armed control by each group, shape (G,)."""
        return np.bincount(self.controller[self.controller >= 0], minlength=self.G)

    def zone_counts(self) -> np.ndarray:
        """Municipalities in each Kalyvas zone 1..5, shape (5,)."""
        return np.bincount(self.zone, minlength=6)[1:]
