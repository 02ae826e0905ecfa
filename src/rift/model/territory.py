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

    A loop over the few groups is several times faster than sorting 1,124 short columns. The
    index is the first group reaching the maximum, as ``np.argmax`` would give. The second
    value of one group alone is 0.
    """
    if s.shape[0] == 1:
        return s[0].copy(), np.zeros(s.shape[1]), np.zeros(s.shape[1], dtype=np.int8)
    x0, x1 = s[0], s[1]
    first = np.maximum(x0, x1)
    second = np.minimum(x0, x1)
    arg = np.greater(x1, x0).view(np.int8)  # 1 where the second group is strictly stronger
    if s.shape[0] > 2:
        low = np.empty(s.shape[1])
        above = np.empty(s.shape[1], dtype=bool)
        for g in range(2, s.shape[0]):
            x = s[g]
            np.putmask(arg, np.greater(x, first, out=above), g)
            np.maximum(second, np.minimum(first, x, out=low), out=second)
            np.maximum(first, x, out=first)
    return first, second, arg


def _safe_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` where ``den > 0``, else 0."""
    return np.divide(num, den, out=np.zeros(np.broadcast(num, den).shape), where=den > 0)


try:  # the kernel behind ``csr_matrix @ vector``, without scipy's dispatch around it
    from scipy.sparse._sparsetools import csr_matvec as _csr_matvec
except ImportError:  # pragma: no cover - a scipy without the private module
    _csr_matvec = None


def csr_matvec(A: sp.csr_matrix, x: np.ndarray) -> np.ndarray:
    """``A @ x`` for a CSR matrix and a float vector through scipy's own kernel.

    The same arithmetic as ``A @ x`` (each sum starts from zero and adds in CSR order) without
    scipy's dispatch around it, which costs more than the product on 1,122 municipalities.
    """
    if _csr_matvec is None:  # pragma: no cover
        return A @ x
    out = np.zeros(A.shape[0])
    indptr = A.indptr.astype(A.indices.dtype, copy=False)
    _csr_matvec(*A.shape, indptr, A.indices, A.data.astype(np.float64, copy=False), x, out)
    return out


def _few_neighbour_sums(
    neighbours: tuple[tuple[int, ...], ...], M: int, flat: list[int], values: list[float]
) -> dict[int, float]:
    """``A @ x`` for a few nonzero entries of ``x`` (0/1 symmetric ``A``), same rounding.

    ``x`` (G, M) is zero except at the flat positions ``flat`` (increasing) where it holds
    ``values``. Each node's sum receives its neighbours' values in increasing column order
    starting from zero, which is the order of a CSR product over sorted indices; adding the
    zeros in between changes nothing (``a + 0.0 == a`` for the non-negative sums here).

    Returns:
        The nonzero sums by flat position.
    """
    acc: dict[int, float] = {}
    get = acc.get
    for k, v in zip(flat, values, strict=True):
        g, j = divmod(k, M)
        base = g * M
        for i in neighbours[j]:
            t = base + i
            acc[t] = get(t, 0.0) + v
    return acc


#: Neighbour lists by adjacency object (one geography per process in practice).
_NEIGHBOURS: dict[int, tuple[sp.csr_matrix, tuple[tuple[int, ...], ...] | None]] = {}


def _neighbour_lists(A: sp.csr_matrix) -> tuple[tuple[int, ...], ...] | None:
    """Each node's neighbours in CSR order, cached per process (per adjacency object).

    None unless the adjacency is a symmetric 0/1 matrix with sorted CSR indices: the
    few-entries shortcut sends each value to the node's neighbours in increasing order, which
    is the order (and the arithmetic) of the CSR product only then.
    """
    hit = _NEIGHBOURS.get(id(A))
    if hit is not None and hit[0] is A:
        return hit[1]
    lists = None
    ones = A.data.size == 0 or bool(np.all(A.data == 1.0))
    if A.has_sorted_indices and ones and (A != A.T).nnz == 0:
        indptr, indices = A.indptr.tolist(), A.indices.tolist()
        lists = tuple(tuple(indices[indptr[i] : indptr[i + 1]]) for i in range(A.shape[0]))
    if len(_NEIGHBOURS) > 8:
        _NEIGHBOURS.clear()
    _NEIGHBOURS[id(A)] = (A, lists)
    return lists


class Territory:
    """Numpy state of the municipalities and sanctuaries, with the monthly update.

    The update is written for speed with unchanged results: every floating-point operation of
    the rules above is done once, in the same order and on arrays of the same layout (so the
    same rounding), into scratch buffers allocated once per territory. The arrays exposed as
    attributes (``s``, ``coca``, ``E``, ``K``, ``rent``, ``zone``, ``presence``, ``controller``,
    ``revenue``, ``theta``) are new arrays each month, never scratch space.
    """

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
        self._init_scratch()

        # Outputs of the last update (also valid right after construction).
        self.E = self.e_scale * self.reach
        self.new_displacement = 0.0
        self.displacement_cum = 0.0
        self.eradicated = 0.0
        self.casualties = 0.0
        self.K = self._capacity(1.0)
        S = self.s[:, : self.n].sum(axis=0)
        self._update_views(S, _safe_ratio(S, S + self.E[: self.n]))

    def _init_scratch(self) -> None:
        """Scratch buffers reused by every update, and the neighbour graph for the kernels."""
        G, M, n = self.G, self.M, self.n
        A = self.A
        self._nb_args = (
            M,
            M,
            A.indptr.astype(A.indices.dtype, copy=False),
            A.indices,
            A.data.astype(np.float64, copy=False),
        )
        self._neighbours = _neighbour_lists(A)

        def node() -> np.ndarray:
            return np.empty(M)

        def cell() -> np.ndarray:
            return np.empty((G, M))

        # Per node (M,): members, crowding, a temporary, attrition, free capacity, hazard.
        self._S, self._crowd, self._tmp, self._attrition, self._free, self._base = (
            node() for _ in range(6)
        )
        # Per group and node (G, M): change, rivals' share, clash rate, the two losses,
        # sources, neighbour sums, a temporary.
        (
            self._change,
            self._rivals,
            self._clash,
            self._clash_loss,
            self._attrition_loss,
            self._source,
            self._nb,
            self._cell_tmp,
        ) = (cell() for _ in range(8))
        self._node_mask = [np.empty(M, dtype=bool) for _ in range(2)]
        self._cell_mask = [np.empty((G, M), dtype=bool) for _ in range(2)]
        self._mun = [np.empty(n) for _ in range(5)]  # (n,) floats
        self._mun_mask = [np.empty(n, dtype=bool) for _ in range(3)]

    # ------------------------------------------------------------------ derived state
    def _neighbour_sum(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Sum over the neighbours of each node, for each row of ``x`` (G, M).

        ``A @ x`` row by row with scipy's own CSR kernel, called directly: each sum starts
        from zero and adds the neighbours in CSR order, the same arithmetic as before.
        """
        if _csr_matvec is None:  # pragma: no cover
            return (self.A @ np.ascontiguousarray(x.T)).T
        out = np.zeros(x.shape) if out is None else out
        out.fill(0.0)
        x = np.ascontiguousarray(x)
        for g in range(x.shape[0]):
            _csr_matvec(*self._nb_args, x[g], out[g])
        return out

    def _capacity(self, multiplier: float) -> np.ndarray:
        """Members each node sustains: rent (USD million/yr) over the cost of a member."""
        n = self.n
        rent = self.extortion.copy()
        rent[:n] += np.multiply(self.coca, self.rent_per_ha, out=self._mun[0])
        rent *= multiplier
        self.rent = rent
        K = rent / self.cost_per_member
        K[n:] = self.sanctuary_capacity
        return K

    def _update_views(self, S_all: np.ndarray, theta_all: np.ndarray) -> None:
        """Recompute presence, zones, control, revenue and the outcome counts.

        Args:
            S_all: Armed members in each municipality, ``s[:, :n].sum(axis=0)``.
            theta_all: The armed share ``S_all / (S_all + E)`` (0 where the denominator is
                not positive), as the coca update computed it.
        """
        n = self.n
        floor = self.presence_floor
        s = self.s[:, :n]
        b0, b1, b2 = self._mun_mask
        strongest, second, arg = _top_two(s)
        present = np.greater_equal(strongest, floor, out=b0)
        # Armed share where some group is present; no presence is no armed zone. (The share
        # of S' = where(present, S, 0) is theta_all where present and 0/E = 0 elsewhere.)
        theta = np.multiply(theta_all, present)  # theta_all >= +0.0, so 0.0 where absent
        self.theta = theta
        # zone = 1 + number of cuts at or below theta (four comparisons are cheaper than a
        # binary search of each municipality's share)
        zone = np.ones(n, dtype=np.int8)
        above = b2
        for cut in self.cuts:
            zone += np.greater_equal(theta, cut, out=above)
        contested = np.greater_equal(
            second, np.multiply(strongest, self.contest_ratio, out=self._mun[1]), out=b1
        )
        contested &= np.greater_equal(second, floor, out=b2)
        contested &= np.greater_equal(zone, 4, out=b2)
        np.putmask(zone, contested, 3)
        self.zone = zone
        self.presence = s >= floor
        np.putmask(arg, np.less(zone, 4, out=b1), -1)  # arg is a new array: no control, -1
        self.controller = arg
        # Rent per member S * theta * rent / S, 0 where S is 0 (the same inner share).
        per_member = np.zeros(n)
        np.divide(
            np.multiply(self.rent[:n], theta_all, out=self._mun[2]),
            S_all,
            out=per_member,
            where=np.greater(S_all, 0.0, out=b2),
        )
        self.revenue = s @ per_member

        # Summaries the outcomes need, once per update (counts are exact however counted).
        presence = self.presence
        self.present_count = int(np.count_nonzero(present))
        self.presence_by_group = [int(np.count_nonzero(presence[g])) for g in range(self.G)]
        self.control_by_group = [
            int(np.count_nonzero(np.equal(arg, g, out=b1))) for g in range(self.G)
        ]
        self.control_count = sum(self.control_by_group)
        self.contested_count = int(np.count_nonzero(np.equal(zone, 3, out=b2)))
        self.members_by_group = np.add.reduce(self.s, axis=1)  # the same sums as s.sum(axis=1)
        self.coca_total = float(np.add.reduce(self.coca))  # the same sum as coca.sum()

    # ------------------------------------------------------------------ monthly update
    def step(self, inp: TerritoryInputs) -> None:
        """Advance the territory by one month."""
        dt = self.dt
        s = self.s
        n = self.n
        self.E = E = (self.e_scale * inp.e_level) * self.reach
        self.K = K = self._capacity(inp.capacity_multiplier)
        S = np.add.reduce(s, axis=0, out=self._S)  # s.sum(axis=0)
        S_pos = np.greater(S, 0.0, out=self._node_mask[1])

        # Logistic recruitment with the state taking capacity; decline at most at rate r.
        crowd = self._crowd
        crowd.fill(2.0)
        K_pos = np.greater(K, 0.0, out=self._node_mask[0])
        np.divide(np.add(S, E, out=self._tmp), K, out=crowd, where=K_pos)
        np.minimum(crowd, 2.0, out=crowd)
        change = np.multiply(
            self.growth_rate, np.subtract(1.0, crowd, out=self._tmp), out=self._change
        )
        # Attrition from operations (guerrilla form) and clashes with rivals.
        attrition = np.multiply(self.reach, inp.attrition, out=self._attrition)
        change -= attrition
        # Rivals' share (S - s) / S where S > 0, else 0. Where S is 0 every s is 0 too, so
        # dividing by 1 there and adding +0.0 (which turns -0.0 into 0.0) gives the same.
        rival_share = np.divide(
            np.subtract(S, s, out=self._rivals), np.where(S_pos, S, 1.0), out=self._rivals
        )
        rival_share += 0.0
        clash = np.multiply(rival_share, self.clash_rate, out=self._clash)
        change -= clash
        clash_loss = np.multiply(clash, s, out=self._clash_loss)
        attrition_loss = np.multiply(attrition, s, out=self._attrition_loss)
        change *= dt
        change += 1.0
        new = s * change
        np.maximum(new, 0.0, out=new)
        new = self._expand(new, K, E, inp.sigma, inp.uniforms)
        np.putmask(new, np.less(new, self.extinction_floor, out=self._cell_mask[0]), 0.0)
        self.s = new

        # Coca.
        coca = self.coca
        t0, t1, t2, t3, t4 = self._mun
        Sm = np.add.reduce(new[:, :n], axis=0)  # new[:, :n].sum(axis=0)
        theta = np.zeros(n)
        np.divide(
            Sm,
            np.add(Sm, E[:n], out=t0),
            out=theta,
            where=np.greater(t0, 0.0, out=self._mun_mask[0]),
        )
        fill = t1
        fill.fill(1.0)
        np.divide(coca, self.coca_capacity, out=fill, where=self._coca_fill_ok)
        grow = np.multiply(theta, self.coca_growth, out=t2)
        grow *= np.subtract(1.0, fill, out=t1)
        open_share = np.subtract(1.0, theta, out=t3)
        grow -= np.multiply(open_share, self.coca_abandon, out=t4)
        reachable = np.multiply(coca, open_share, out=t3)
        total = np.add.reduce(reachable)
        grow *= dt
        grow += 1.0
        if inp.eradication_ha > 0 and total > 0:
            erad = np.minimum(np.multiply(reachable, inp.eradication_ha / total, out=t3), coca)
            self.eradicated = float(np.add.reduce(erad))
            net = coca * grow
            net -= np.multiply(erad, 1.0 - self.replant, out=t4)
        else:
            self.eradicated = 0.0
            net = coca * grow
        self.coca = np.maximum(net, 0.0, out=net)

        # Violence and displacement.
        self.casualties = dt * float(
            np.add.reduce(clash_loss[:, :n], axis=None)
            + np.add.reduce(attrition_loss[:, :n], axis=None)
        )
        self._update_views(Sm, theta)
        self.new_displacement = (
            self.disp_casualty * self.casualties + self.disp_contested * self.contested_count
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

        For speed the hazard is evaluated only at the frontier (absent, next to a source,
        room for a detachment), and the take only next to the fronts that open: the same
        numbers as over the whole arrays, where the other conditions discard them.
        """
        D = self.detachment
        M = self.M
        free = np.subtract(K, E, out=self._free)
        free -= np.add.reduce(s, axis=0, out=self._tmp)
        np.maximum(free, 0.0, out=free)
        is_source = np.greater_equal(s, 2.0 * D, out=self._cell_mask[1])
        # s where it is a source, else 0 (s * False is +0.0 for s >= 0; a -0.0 it might
        # leave only ever meets sums and the extinction step, which sets every zero to +0.0).
        source = np.multiply(s, is_source, out=self._source)
        nb_source = self._neighbour_sum(source, out=self._nb)  # sources around each node
        frontier = np.less(s, self.presence_floor, out=self._cell_mask[1])
        frontier &= np.greater(nb_source, 0.0, out=self._cell_mask[0])
        frontier &= np.greater(free, D, out=self._node_mask[0])
        flat = frontier.ravel().nonzero()[0]
        if len(flat) == 0:
            return s
        base = np.multiply(free, self.dt, out=self._base)
        base /= np.add(free, self.half_capacity, out=self._tmp)
        rows, cols = np.divmod(flat, M)
        hazard = base[cols] * sigma[rows]
        hit = u.ravel()[flat] < -np.expm1(-hazard)
        flat = flat[hit]
        if len(flat) == 0:
            return s
        rows = rows[hit]
        demand = D / nb_source.ravel()[flat]  # per unit of neighbouring source
        take = self._nb  # nb_source is not needed any more
        if self._neighbours is None:  # pragma: no cover - adjacency not 0/1, sorted, symmetric
            spread = np.zeros_like(take)
            spread.ravel()[flat] = demand
            np.multiply(source, self._neighbour_sum(spread), out=take)
            cap = np.subtract(s, D, out=self._cell_tmp)
            np.minimum(take, np.maximum(cap, 0.0, out=cap), out=take)
        else:
            # Only the neighbours of the opened fronts receive demand, so only there can a
            # source give anything: the take is computed at those cells, and is +0.0
            # elsewhere (as source * 0.0 and the minimum with a non-negative cap give).
            sums = _few_neighbour_sums(self._neighbours, M, flat.tolist(), demand.tolist())
            cells = np.fromiter(sums.keys(), np.intp, len(sums))
            given_there = source.ravel()[cells]
            given_there *= np.fromiter(sums.values(), np.float64, len(sums))
            cap = s.ravel()[cells]
            cap -= D
            np.minimum(given_there, np.maximum(cap, 0.0, out=cap), out=given_there)
            take.fill(0.0)
            take.ravel()[cells] = given_there
        # What arrives is what the sources could give: D * given / sent in each group.
        given = np.add.reduce(take, axis=1).tolist()  # take.sum(axis=1)
        sent = [float(c) * D for c in np.bincount(rows, minlength=self.G).tolist()]
        each = [D * (t / c if c > 0 else 0.0) for t, c in zip(given, sent, strict=True)]
        out = s - take
        out.ravel()[flat] += [each[g] for g in rows.tolist()]  # the fronts are distinct cells
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
