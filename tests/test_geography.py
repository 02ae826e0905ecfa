"""The neighbour graph of the 1,122 municipalities."""

import numpy as np
import pytest
from scipy.sparse import csgraph

from rift.geography import load_geography

GEO = load_geography()


def test_size_and_table():
    assert GEO.n == 1122
    assert len(np.unique(GEO.code)) == 1122
    assert GEO.n_nodes == 1124
    assert GEO.sanctuaries == ("Venezuela", "Ecuador")
    assert np.all((GEO.lat > -5) & (GEO.lat < 14) & (GEO.lon > -82) & (GEO.lon < -66))


def test_adjacency_is_symmetric_binary_without_self_loops():
    A = GEO.adjacency
    assert A.shape == (1122, 1122)
    assert (A != A.T).nnz == 0
    assert set(np.unique(A.data)) == {1.0}
    assert A.diagonal().sum() == 0
    degree = np.asarray(A.sum(axis=1)).ravel()
    assert degree.min() >= 1
    assert 4.5 < degree.mean() < 7  # a planar-like graph of areal units


def test_mainland_is_connected_and_the_archipelago_is_an_island():
    _, labels = csgraph.connected_components(GEO.adjacency, directed=False)
    sizes = np.bincount(labels)
    assert sizes.max() == 1120
    assert GEO.mainland.sum() == 1120
    islands = set(GEO.name[~GEO.mainland])
    assert islands == {"San Andrés", "Providencia"}
    assert set(GEO.department_code[~GEO.mainland]) == {"88"}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Medellín", "Bello"),
        ("San José de Cúcuta", "Villa del Rosario"),
        ("Medellín", "Envigado"),
        ("Santiago de Cali", "Jamundí"),
        ("Tibú", "El Tarra"),
    ],
)
def test_known_neighbours_are_adjacent(a, b):
    i, j = GEO.find(a), GEO.find(b)
    assert j in GEO.neighbours(i) and i in GEO.neighbours(j)


def test_distant_municipalities_are_not_adjacent():
    assert GEO.find("Leticia") not in GEO.neighbours(GEO.find("Riohacha"))
    bogota = GEO.find("Bogotá, D.C.")
    assert GEO.find("Medellín") not in GEO.neighbours(bogota)


def test_border_flags():
    ven, ecu, pan = GEO.border["venezuela"], GEO.border["ecuador"], GEO.border["panama"]
    for name in ["San José de Cúcuta", "Villa del Rosario", "Maicao", "Arauca", "Puerto Carreño"]:
        assert ven[GEO.find(name)], name
    for name in ["Ipiales", "San Andrés de Tumaco"]:
        assert ecu[GEO.find(name)], name
    assert ecu[GEO.find("San Miguel", department="Putumayo")]
    assert pan[GEO.find("Acandí")]
    assert not ven[GEO.find("Bogotá, D.C.")] and not ecu[GEO.find("Medellín")]
    # flags stay within the border departments named in the design (docs/architecture.md)
    assert set(GEO.department_code[ven]) <= {"44", "20", "54", "15", "81", "99", "94"}
    assert set(GEO.department_code[ecu]) <= {"52", "86"}
    assert 30 < ven.sum() < 80 and 15 < ecu.sum() < 45


def test_sanctuaries_link_to_their_borders_only():
    A = GEO.node_adjacency
    assert (A != A.T).nnz == 0
    for k, border in enumerate(GEO.sanctuary_borders):
        node = GEO.n + k
        linked = A.getrow(node).indices
        assert set(linked) == set(np.flatnonzero(GEO.border[border]))
    assert A[GEO.n, GEO.n + 1] == 0


def test_reach_proxy_separates_core_and_periphery():
    assert GEO.reach.min() > 0 and GEO.reach.max() <= 1
    assert GEO.reach[GEO.find("Bogotá, D.C.")] > 0.8
    assert GEO.reach[GEO.find("Medellín")] > 0.8
    for name in ["Mitú", "Leticia", "Puerto Carreño", "Inírida"]:
        assert GEO.reach[GEO.find(name)] < 0.15, name


def test_geography_is_cached_and_read_only():
    assert load_geography() is GEO
    with pytest.raises(ValueError):
        GEO.reach[0] = 0.5
