"""The territory's hand-written array kernels against plain numpy references (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rift.model.territory import _top_two, csr_matvec

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
    first, second, arg = _top_two(s)
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
    first, _, arg = _top_two(s)
    arg[:] = -1
    first[:] = 0.0
    assert np.array_equal(s, kept)
    assert np.array_equal(_top_two(s)[2], [1, 0])


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 30), st.data())
def test_csr_matvec_is_the_sparse_product(n, data):
    import scipy.sparse as sp

    dense = np.array(data.draw(arrays(np.int8, (n, n), elements=st.integers(0, 1))))
    dense = np.triu(dense, 1)
    adjacency = sp.csr_matrix((dense + dense.T).astype(np.float64))
    x = data.draw(arrays(np.float64, n, elements=st.floats(0, 1e3)))
    assert np.array_equal(csr_matvec(adjacency, x), adjacency @ x)
