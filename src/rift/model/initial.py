"""The initial state of the territory, built from the documents' figures.

The 2025-01 defaults come from the seeds and ``reference.csv``:

* coca (~253,000 ha) is split across departments by the ``init.coca_share.*`` parameters and,
  within a department, across municipalities by seeded lognormal weights;
* each group's presence set has exactly ``init.presence.<group>`` municipalities, and the union
  of the three has ``init.presence_any_share`` of all municipalities: the overlap between
  groups is what the two kinds of figure imply. Placement is seeded, weighted by known
  strongholds, coca and remoteness, and spatially clustered (a municipality is likelier to be
  chosen when its neighbours were);
* members (Jan 2025) are spread over each group's municipalities with lognormal weights, after
  keeping ``init.sanctuary_share.<group>`` in Venezuela and Ecuador;
* the state's local presence is not observed. Its scale is inverted so that the share of
  municipalities under armed control equals ``init.control_share`` (a third, seed 001); that
  scale then stays fixed and only changes with capability and effort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rift.geography import Geography
from rift.parameters import ParameterSet
from rift.record import GROUPS

#: Department codes by the short names used in ``init.coca_share.*`` parameters.
COCA_DEPARTMENTS: dict[str, str] = {
    "narino": "52",
    "norte_de_santander": "54",
    "putumayo": "86",
    "cauca": "19",
    "caqueta": "18",
    "antioquia": "05",
    "bolivar": "13",
    "guaviare": "95",
    "meta": "50",
    "choco": "27",
    "cordoba": "23",
    "valle": "76",
    "vichada": "99",
}

#: Strongholds of each group (from the seeds): department codes and named regions.
STRONGHOLDS: dict[str, dict[str, list[str]]] = {
    "egc": {"departments": ["23", "70", "13", "27"], "regions": ["uraba", "bajo_cauca"]},
    "eln": {"departments": ["81", "27", "19", "52"], "regions": ["catatumbo", "sur_de_bolivar"]},
    "dissidents": {
        "departments": ["19", "52", "86", "18", "95", "50"],
        "regions": ["catatumbo"],
    },
}


@dataclass
class InitialState:
    """Arrays the territory starts from, and the figures the tests compare with targets."""

    strength: np.ndarray  # (G, N + S)
    extortion: np.ndarray  # (N,) non-coca rent, USD million/yr
    coca: np.ndarray  # (N,)
    coca_capacity: np.ndarray  # (N,)
    e_scale: float
    sanctuary_capacity: np.ndarray  # (S,)


def place_coca(geo: Geography, p: ParameterSet, rng: np.random.Generator) -> np.ndarray:
    """Coca hectares per municipality from department shares and lognormal weights."""
    total = p["init.coca_ha"]
    sigma = p["init.coca_dispersion"]
    coca = np.zeros(geo.n)
    shares = {code: p[f"init.coca_share.{name}"] for name, code in COCA_DEPARTMENTS.items()}
    share_sum = sum(shares.values())
    weights = rng.lognormal(0.0, sigma, size=geo.n)  # one draw per municipality, always
    for code, share in shares.items():
        sel = (geo.department_code == code) & geo.mainland
        if share <= 0 or not sel.any():
            continue
        w = weights[sel]
        coca[sel] = total * (share / share_sum) * w / w.sum()
    return coca


def extortion_rent(geo: Geography, p: ParameterSet, rng: np.random.Generator) -> np.ndarray:
    """Non-coca rent of each municipality (extortion, mining, routes), USD million a year.

    A base that grows with the local economy (reach), times a seeded lognormal factor with mean
    one (local economies differ), times a strategic bonus in the known strongholds (routes to
    the coasts and borders, gold mining) where the groups fight for more than coca.
    """
    sigma = p["init.rent_dispersion"]
    latent = rng.lognormal(-0.5 * sigma**2, sigma, size=geo.n)
    strategic = np.zeros(geo.n, dtype=bool)
    for group in GROUPS:
        strategic |= stronghold_mask(geo, group)
    rent = p["territory.extortion_musd_per_municipality"] * (
        1.0 + p["territory.extortion_reach_elasticity"] * geo.reach
    )
    rent = rent * latent * (1.0 + p["territory.strategic_rent_bonus"] * strategic)
    return np.where(geo.mainland, rent, 0.0)


#: Stronghold masks by geography object (one geography per process in practice).
_STRONGHOLDS: dict[int, tuple[Geography, dict[str, np.ndarray]]] = {}


def stronghold_mask(geo: Geography, group: str) -> np.ndarray:
    """Municipalities in a group's known strongholds (cached per geography; do not modify)."""
    hit = _STRONGHOLDS.get(id(geo))
    if hit is None or hit[0] is not geo:
        if len(_STRONGHOLDS) > 8:
            _STRONGHOLDS.clear()
        hit = _STRONGHOLDS[id(geo)] = (geo, {})
    mask = hit[1].get(group)
    if mask is None:
        spec = STRONGHOLDS[group]
        mask = geo.in_departments(spec["departments"])
        for region in spec["regions"]:
            mask |= geo.regions[region]
        mask.flags.writeable = False
        hit[1][group] = mask
    return mask


def _clustered_pick(
    k: int,
    available: np.ndarray,
    chosen: np.ndarray,
    weights: np.ndarray,
    adjacency,
    degree: np.ndarray,
    clustering: float,
    gumbel: np.ndarray,
) -> np.ndarray:
    """Pick ``k`` available municipalities by Gumbel-top-k, favouring neighbours of ``chosen``.

    The weight of a candidate is multiplied by ``1 + clustering * f`` where ``f`` is the share of
    its neighbours already chosen by the same group (``degree`` is the neighbour count, at
    least 1). ``gumbel`` holds one Gumbel number per municipality, drawn by the caller
    whatever ``k`` is, so that the stream stays aligned.
    """
    pick = np.zeros(len(weights), dtype=bool)
    k = min(k, int(np.count_nonzero(available)))
    if k <= 0:
        return pick
    frac = (adjacency @ chosen.astype(np.float64)) / degree
    w = weights * (1.0 + clustering * frac)
    score = np.full(len(w), -np.inf)  # log(0) where the weight is 0 (never available)
    np.log(w, out=score, where=w > 0)
    score += gumbel
    score[~available] = -np.inf
    pick[np.argpartition(-score, k - 1)[:k]] = True
    return pick


def place_groups(
    geo: Geography,
    p: ParameterSet,
    coca: np.ndarray,
    extortion: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Presence sets of the groups, shape (G, N), with exact counts and union size.

    The groups place in interleaved rounds (rotating who goes first), so that no group gets
    only the leftovers of the others. In each round a group takes its share of municipalities,
    part of them among those other groups already hold (its share of the overlap the counts
    imply) and the rest among free ones, weighted by its prior and by clustering.
    """
    n = geo.n
    G = len(GROUPS)
    counts = np.array([int(p[f"init.presence.{g}"]) for g in GROUPS])
    union = round(p["init.presence_any_share"] * n)
    union = min(union, int(counts.sum()))  # the union cannot exceed the sum
    union = max(union, int(counts.max()))  # nor be smaller than the largest group
    overlap_total = int(counts.sum()) - union
    # Each group's share of the overlap, proportional to its size (largest remainder).
    raw = overlap_total * counts / counts.sum()
    overlap = np.floor(raw).astype(int)
    overlap[np.argsort(-(raw - overlap), kind="stable")[: overlap_total - overlap.sum()]] += 1

    coca_density = coca / coca[coca > 0].mean() if (coca > 0).any() else np.zeros(n)
    rent_density = extortion / extortion[extortion > 0].mean()
    remote = p["init.placement.remoteness_weight"] + (1.0 - geo.reach)
    adjacency = geo.adjacency
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).ravel(), 1.0)
    clustering = p["init.placement.clustering"]
    rounds = int(p["init.placement.rounds"])
    priors = [
        np.where(
            geo.mainland,
            (1.0 + p["init.placement.stronghold_weight"] * stronghold_mask(geo, name))
            * (1.0 + p["init.placement.coca_weight"] * coca_density)
            * rent_density
            * remote,
            0.0,
        )
        for name in GROUPS
    ]
    # Two picks per group and round, one Gumbel number per municipality each, drawn at once
    # (the same numbers, in the same order, as one draw per pick).
    gumbels = iter(rng.gumbel(size=(rounds * G * 2, n)))

    presence = np.zeros((G, n), dtype=bool)
    joined = np.zeros(G, dtype=int)  # municipalities each group joined where others were
    target_total = np.ceil(np.outer(np.arange(1, rounds + 1) / rounds, counts)).astype(int)
    target_overlap = np.ceil(np.outer(np.arange(1, rounds + 1) / rounds, overlap)).astype(int)
    for r in range(rounds):
        for step in range(G):
            g = (r + step) % G
            others = presence[np.arange(G) != g].any(axis=0)
            mine = presence[g]
            want_overlap = min(int(target_overlap[r, g]), int(overlap[g])) - int(joined[g])
            want_total = min(int(target_total[r, g]), int(counts[g])) - int(mine.sum())
            want_overlap = max(0, min(want_overlap, want_total))
            inside = _clustered_pick(
                want_overlap,
                others & ~mine & geo.mainland,
                mine,
                priors[g],
                adjacency,
                degree,
                clustering,
                next(gumbels),
            )
            joined[g] += int(inside.sum())
            mine = mine | inside
            outside = _clustered_pick(
                want_total - int(inside.sum()),
                ~others & ~mine & geo.mainland,
                mine,
                priors[g],
                adjacency,
                degree,
                clustering,
                next(gumbels),
            )
            presence[g] = mine | outside
    return presence


def build_initial_state(geo: Geography, p: ParameterSet, rng: np.random.Generator) -> InitialState:
    """The initial territory of a run (seeded by ``rng``; see the module docstring)."""
    n = geo.n
    n_sanct = len(geo.sanctuaries)
    coca = place_coca(geo, p, rng)
    coca_capacity = coca * (p["coca.capacity_ha"] / p["init.coca_ha"])
    extortion = extortion_rent(geo, p, rng)
    presence = place_groups(geo, p, coca, extortion, rng)
    # Members sit where the rent is: strength in proportion to the municipality's capacity.
    capacity = (extortion + coca * p["territory.coca_rent_usd_per_ha"] / 1e6) / (
        p["territory.cost_per_member_usd"] / 1e6
    )

    floor = p["territory.presence_floor"]
    sigma = p["init.strength_dispersion"]
    strength = np.zeros((len(GROUPS), n + n_sanct))
    border_of = geo.sanctuary_borders
    for g, name in enumerate(GROUPS):
        members = p[f"init.members.{name}"]
        sanct_share = p[f"init.sanctuary_share.{name}"]
        noise = rng.lognormal(0.0, sigma, size=n)  # one draw per municipality, always
        where = presence[g]
        k = int(where.sum())
        in_colombia = members * (1.0 - sanct_share)
        if k:
            spread = max(in_colombia - k * floor, 0.0)
            w = noise[where] * capacity[where]
            strength[g, :n][where] = floor + spread * w / w.sum()
        # Sanctuary strength split by the group's presence along each border.
        near = np.array([(where & geo.border[b]).sum() for b in border_of], dtype=float)
        split = near / near.sum() if near.sum() > 0 else np.full(n_sanct, 1.0 / n_sanct)
        strength[g, n:] = members * sanct_share * split

    e_scale = invert_state_scale(strength[:, :n], geo.reach, p)
    sanctuary_capacity = strength[:, n:].sum(axis=0) * (1.0 + p["territory.sanctuary_headroom"])
    return InitialState(strength, extortion, coca, coca_capacity, e_scale, sanctuary_capacity)


def invert_state_scale(strength: np.ndarray, reach: np.ndarray, p: ParameterSet) -> float:
    """The state-presence scale at which ``init.control_share`` of municipalities are controlled.

    A municipality is under armed control (zone 4 or 5) when the armed share
    ``S / (S + e * reach)`` reaches ``zone.cut_4`` and no rival contests it. Among the
    uncontested municipalities, rank ``S / reach``; the scale ``e`` puts the threshold between
    the target-th and the next value.
    """
    n = strength.shape[1]
    target = round(p["init.control_share"] * n)
    cut4 = p["zone.cut_4"]
    floor = p["territory.presence_floor"]
    S = strength.sum(axis=0)
    order = np.sort(strength, axis=0)
    contested = (order[-2] >= p["zone.rival_contest_ratio"] * order[-1]) & (order[-2] >= floor)
    eligible = (S > 0) & ~contested
    ratio = np.sort(S[eligible] / reach[eligible])[::-1]
    if target <= 0:
        threshold = ratio[0] * 1.01 if len(ratio) else 1.0
    elif target >= len(ratio):
        threshold = ratio[-1] * 0.99 if len(ratio) else 1.0
    else:
        threshold = 0.5 * (ratio[target - 1] + ratio[target])
    return float(threshold * (1.0 - cut4) / cut4)
