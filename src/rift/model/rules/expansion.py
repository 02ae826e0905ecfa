"""The expansion rule: groups open fronts in neighbouring nodes and send detachments there.

A group ``g`` opens a front in node ``i`` when

* it is absent there (``s[g, i]`` below the presence floor),
* the node's free capacity ``f = max(K - E - S, 0)`` can sustain a detachment (``f > D``),
* a source of ``g`` neighbours it (a node where ``g`` holds ``s >= 2 D``), and
* its monthly draw ``u[g, i]`` falls below ``P = 1 - exp(-h)``, with the hazard
  ``h = sigma_g dt f / (f + h_half)`` rising with the free capacity (``front_hazard``).

Why: a group expands where the expected rent beats the expected cost, and the state's
presence and rivals both take rent. Each front then receives a detachment of ``D`` members
drawn from the sources around it in proportion to their strength (``move_detachments``).

Only a few cells (group, node) pass the draw in a month, out of thousands, so the sums
over neighbours are taken for those cells only, from the rows of the (symmetric) CSR
adjacency (``neighbour_pairs``), rather than as products over all nodes; they are the
same sums, added in the same order, as ``A @ x`` would give. Notation in
``rift.model.rules``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp


def neighbour_pairs(adjacency: sp.csr_matrix, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (k, j) with ``j`` a neighbour of ``nodes[k]``, in CSR order (k, then j).

    Returns:
        ``(k, j)``: positions in ``nodes`` and the neighbours, as two equal-length arrays.
    """
    start = adjacency.indptr[nodes]
    degree = adjacency.indptr[nodes + 1] - start
    k = np.repeat(np.arange(len(nodes)), degree)
    # The neighbours of nodes[k] sit at start[k], ..., start[k] + degree[k] - 1 of ``indices``.
    where = np.arange(len(k)) + (start - (np.cumsum(degree) - degree))[k]
    return k, adjacency.indices[where]


class Fronts(NamedTuple):
    """The fronts that open this month and what they ask of the sources around them.

    Attributes:
        group: Group of each front, in C order of the cells (group, then node).
        node: Node of each front.
        ask: Members each node is asked for per member it holds as a source,
            ``sum_{fronts i ~ j} D / nb_source_i``, shape (G, M).
    """

    group: np.ndarray
    node: np.ndarray
    ask: np.ndarray


def front_hazard(
    free: np.ndarray, sigma: np.ndarray, *, half_capacity: float, dt: float
) -> np.ndarray:
    """``h[g, i] = sigma_g dt f_i / (f_i + h_half)``: the hazard of a front this month, (G, M).

    Zero without free capacity, half the group's rate at ``f = h_half``, the whole rate
    ``sigma_g`` (per year) where rent is plentiful.
    """
    return sigma[:, None] * (dt * free / (free + half_capacity))


def open_fronts(
    absent: np.ndarray,
    free: np.ndarray,
    source: np.ndarray,
    adjacency: sp.csr_matrix,
    sigma: np.ndarray,
    uniforms: np.ndarray,
    *,
    detachment: float,
    half_capacity: float,
    dt: float,
) -> Fronts:
    """The fronts that open this month (the four conditions of the module docstring).

    Each front asks the sources around it for a detachment ``D`` in proportion to their
    strength: ``D / nb_source_i`` per member, with ``nb_source_i = sum_{j ~ i} source_j``.

    Args:
        absent: Group absent from the node (below the presence floor), shape (G, M).
        free: Free capacity ``max(K - E - S, 0)`` per node, shape (M,).
        source: Members in the nodes that can send a detachment, else 0, shape (G, M).
        adjacency: Symmetric neighbour matrix, CSR, shape (M, M).
        sigma: Expansion rate of each group per year, shape (G,).
        uniforms: One uniform draw per group and node, shape (G, M).
        detachment: Members of a detachment, ``D``.
        half_capacity: Free capacity at which the hazard is half the rate, ``h_half``.
        dt: Length of the step in years.
    """
    D = detachment
    hazard = front_hazard(free, sigma, half_capacity=half_capacity, dt=dt)
    drawn = absent & (free > D) & (uniforms < -np.expm1(-hazard))
    g, i = np.divmod(np.flatnonzero(drawn), drawn.shape[1])
    pair, j = neighbour_pairs(adjacency, i)  # j is a neighbour of cell (g[pair], i[pair])
    nb_source = np.bincount(pair, weights=source[g[pair], j], minlength=len(i))
    opens = nb_source > 0.0  # a source among the neighbours
    demand = np.divide(D, nb_source, out=np.zeros(len(i)), where=opens)
    flat = g[pair] * drawn.shape[1] + j  # the neighbours of each drawn cell, (g, j) flat
    ask = np.bincount(flat, weights=demand[pair], minlength=drawn.size).reshape(drawn.shape)
    return Fronts(g[opens], i[opens], ask)


def move_detachments(
    s: np.ndarray, source: np.ndarray, fronts: Fronts, *, detachment: float
) -> np.ndarray:
    """Send a detachment to each front, drawn from its neighbouring sources.

    Source ``j`` gives ``take_j = min(s_j ask_j, s_j - D)``: what the fronts around it asked
    for in proportion to its strength, never its last detachment. What arrives at the
    fronts of a group is what its sources gave, shared equally:
    ``arrive = D sum_j take_j / (D n_fronts)``. Members are conserved: what arrives is what
    left.

    Args:
        s: Members, shape (G, M).
        source: Members in the nodes that can send a detachment, else 0, shape (G, M).
        fronts: The fronts and their ask (``open_fronts``).
        detachment: Members of a detachment, ``D``.

    Returns:
        Members after the move, shape (G, M).
    """
    D = detachment
    g, i = fronts.group, fronts.node
    take = source * fronts.ask
    keep = s - D
    np.minimum(take, np.maximum(keep, 0.0, out=keep), out=take)
    given = take.sum(axis=1)
    sent = D * np.bincount(g, minlength=len(s))
    arrive = D * np.divide(given, sent, out=np.zeros(len(s)), where=sent > 0)
    new = s - take
    new[g, i] += arrive[g]  # the fronts are distinct cells
    return new


def expansion(
    s: np.ndarray,
    K: np.ndarray,
    E: np.ndarray,
    adjacency: sp.csr_matrix,
    sigma: np.ndarray,
    uniforms: np.ndarray,
    *,
    detachment: float,
    half_capacity: float,
    presence_floor: float,
    dt: float,
) -> np.ndarray:
    """Open this month's fronts (``open_fronts``) and move detachments there.

    Args:
        s: Members, shape (G, M).
        K: Carrying capacity, shape (M,).
        E: State presence, shape (M,).
        adjacency: Symmetric neighbour matrix, CSR, shape (M, M).
        sigma: Expansion rate of each group per year, shape (G,).
        uniforms: One uniform draw per group and node, shape (G, M).
        detachment: Members of a detachment, ``D``.
        half_capacity: Free capacity at which the hazard is half the rate.
        presence_floor: Members below which a group is absent from a node.
        dt: Length of the step in years.

    Returns:
        Members after the move, shape (G, M) (``s`` itself when no front opens).
    """
    D = detachment
    free = np.maximum(K - E - s.sum(axis=0), 0.0)
    source = s * (s >= 2.0 * D)  # members where the group can send a detachment, else 0
    fronts = open_fronts(
        s < presence_floor,
        free,
        source,
        adjacency,
        sigma,
        uniforms,
        detachment=D,
        half_capacity=half_capacity,
        dt=dt,
    )
    if len(fronts.group) == 0:
        return s
    return move_detachments(s, source, fronts, detachment=D)
