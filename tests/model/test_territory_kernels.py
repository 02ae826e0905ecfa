"""The territory's hand-written array kernels against plain numpy and scipy (hypothesis).

``top_two`` replaces a sort of each column; ``neighbour_pairs`` (with ``np.bincount``)
replaces sparse products in the expansion. Both must give exactly what the plain version
gives, bit for bit.
"""

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rift.geography import load_geography
from rift.model import rules

# Members are non-negative; small integers make ties (the case the index rule is about) common.
_values = st.one_of(
    st.integers(0, 3).map(float),
    st.floats(0.0, 1e6, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda g: arrays(np.float64, st.tuples(st.just(g), st.integers(1, 40)), elements=_values)
    )
)
def test_top_two_matches_sort_and_argmax(s):
    first, second, arg = rules.top_two(s)
    ordered = np.sort(s, axis=0)
    assert np.array_equal(first, ordered[-1])
    expected_second = ordered[-2] if s.shape[0] > 1 else np.zeros(s.shape[1])
    assert np.array_equal(second, expected_second)
    assert arg.dtype == np.int8
    assert np.array_equal(arg, np.argmax(s, axis=0))  # the first group reaching the maximum


def test_top_two_returns_new_arrays():
    """The territory writes -1 into the index for municipalities nobody controls."""
    s = np.array([[1.0, 2.0], [3.0, 0.0], [0.5, 0.5]])
    kept = s.copy()
    first, _, arg = rules.top_two(s)
    arg[:] = -1
    first[:] = 0.0
    assert np.array_equal(s, kept)
    assert np.array_equal(rules.top_two(s)[2], [1, 0])


@st.composite
def _graphs(draw, max_nodes=25):
    """A symmetric 0/1 adjacency (CSR, sorted indices) with some isolated nodes."""
    n = draw(st.integers(2, max_nodes))
    dense = np.array(draw(arrays(np.int8, (n, n), elements=st.integers(0, 1))))
    dense = np.triu(dense, 1)
    return sp.csr_matrix((dense + dense.T).astype(np.float64))


@settings(max_examples=150, deadline=None)
@given(_graphs(), st.data())
def test_neighbour_pairs_list_each_nodes_neighbours_in_csr_order(A, data):
    n = A.shape[0]
    nodes = np.array(data.draw(st.lists(st.integers(0, n - 1), max_size=12)), dtype=np.intp)
    k, j = rules.neighbour_pairs(A, nodes)
    expected = [(a, int(b)) for a, node in enumerate(nodes) for b in np.sort(A[node].indices)]
    assert list(zip(k.tolist(), j.tolist(), strict=True)) == expected


@settings(max_examples=150, deadline=None)
@given(_graphs(), st.data())
def test_neighbour_sums_from_pairs_are_the_sparse_product_bit_for_bit(A, data):
    """Gathering over the pairs (the sources around a front) and scattering back (the ask)."""
    n = A.shape[0]
    G = data.draw(st.integers(1, 3))
    x = data.draw(arrays(np.float64, (G, n), elements=st.floats(0, 1e3)))
    cells = np.flatnonzero(data.draw(arrays(np.bool_, (G, n))))  # C order, as np.nonzero
    g, i = np.divmod(cells, n)
    k, j = rules.neighbour_pairs(A, i)
    product = (A @ x.T).T
    gathered = np.bincount(k, weights=x[g[k], j], minlength=len(i))
    assert np.array_equal(gathered, product[g, i])
    values = data.draw(arrays(np.float64, len(i), elements=st.floats(0, 1e3)))
    sparse_x = np.zeros((G, n))
    sparse_x[g, i] = values
    scattered = np.bincount(g[k] * n + j, weights=values[k], minlength=G * n).reshape(G, n)
    assert np.array_equal(scattered, (A @ sparse_x.T).T)


@settings(max_examples=100, deadline=None)
@given(_graphs(max_nodes=15), st.data())
def test_open_fronts_equals_the_dense_rule(A, data):
    """The fronts and their ask against the rule written with dense arrays and ``A @ x``."""
    n = A.shape[0]
    G = data.draw(st.integers(1, 3))
    D, half, dt = 2.0, 3.0, 1.0 / 12.0
    s = data.draw(arrays(np.float64, (G, n), elements=st.sampled_from([0.0, 1.0, 4.0, 9.0])))
    free = data.draw(arrays(np.float64, n, elements=st.floats(0, 20)))
    sigma = data.draw(arrays(np.float64, G, elements=st.floats(0, 40)))
    u = data.draw(arrays(np.float64, (G, n), elements=st.floats(0, 1, exclude_max=True)))
    source = s * (s >= 2 * D)
    fronts = rules.open_fronts(
        s < 1.0, free, source, A, sigma, u, detachment=D, half_capacity=half, dt=dt
    )

    nb_source = (A @ source.T).T
    hazard = sigma[:, None] * (dt * free / (free + half))
    opened = (s < 1.0) & (nb_source > 0) & (free > D) & (u < -np.expm1(-hazard))
    demand = np.divide(D, nb_source, out=np.zeros((G, n)), where=opened)
    g, i = np.nonzero(opened)
    assert np.array_equal(fronts.group, g) and np.array_equal(fronts.node, i)
    assert np.array_equal(fronts.ask, (A @ demand.T).T)


def test_the_node_adjacency_is_symmetric_with_sorted_indices():
    """The expansion reads a node's neighbours from its CSR row, both ways."""
    A = load_geography().node_adjacency
    assert A.has_sorted_indices
    assert (A != A.T).nnz == 0
    assert np.all(A.data == 1.0)
