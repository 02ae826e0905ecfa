"""The municipalities of Colombia as a neighbour graph, with border and reach tables.

The territory of the model is a set of numpy arrays indexed by municipality. This
module builds the static part once per process: centroids, departments, the Delaunay neighbour
graph with long edges cut, border flags, the state-reach proxy, and two sanctuary nodes
(Venezuela and Ecuador) appended after the 1,122 municipalities.
"""

from __future__ import annotations

import csv
import functools
import itertools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import scipy.sparse as sp
import yaml
from scipy.sparse import csgraph
from scipy.spatial import Delaunay, cKDTree

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Geography:
    """Static geography of the model.

    Attributes:
        code: DIVIPOLA codes, shape (N,).
        name: Municipality names, shape (N,).
        department_code: Two-digit department codes, shape (N,).
        department: Department names, shape (N,).
        lat: Centroid latitude in degrees, shape (N,).
        lon: Centroid longitude in degrees, shape (N,).
        xy_km: Equirectangular projection of the centroids in km, shape (N, 2).
        adjacency: Symmetric 0/1 neighbour matrix of the municipalities, CSR, shape (N, N).
        mainland: True for municipalities in the largest connected component.
        border: Border flags by country name ("venezuela", "ecuador", "panama"), shape (N,).
        reach: State-reach proxy in (0, 1], shape (N,).
        sanctuaries: Names of the sanctuary nodes appended after the municipalities.
        sanctuary_borders: The border (country key of ``border``) of each sanctuary.
        node_adjacency: Neighbour matrix over municipalities plus sanctuaries, CSR,
            shape (N + S, N + S).
        regions: Named sub-departmental regions as boolean masks, shape (N,).
    """

    code: np.ndarray
    name: np.ndarray
    department_code: np.ndarray
    department: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    xy_km: np.ndarray
    adjacency: sp.csr_matrix
    mainland: np.ndarray
    border: dict[str, np.ndarray]
    reach: np.ndarray
    sanctuaries: tuple[str, ...]
    sanctuary_borders: tuple[str, ...]
    node_adjacency: sp.csr_matrix
    regions: dict[str, np.ndarray]

    @property
    def n(self) -> int:
        """Number of municipalities."""
        return len(self.code)

    @property
    def n_nodes(self) -> int:
        """Number of nodes: municipalities plus sanctuaries."""
        return self.n + len(self.sanctuaries)

    def index_of(self, code: str) -> int:
        """Index of a municipality by DIVIPOLA code."""
        hits = np.flatnonzero(self.code == code)
        if len(hits) != 1:
            raise KeyError(f"no municipality with DIVIPOLA code {code!r}")
        return int(hits[0])

    def find(self, name: str, department: str | None = None) -> int:
        """Index of a municipality by name (and department when the name is ambiguous)."""
        mask = self.name == name
        if department is not None:
            mask &= self.department == department
        hits = np.flatnonzero(mask)
        if len(hits) != 1:
            raise KeyError(f"{len(hits)} municipalities named {name!r}")
        return int(hits[0])

    def in_departments(self, codes: list[str] | tuple[str, ...]) -> np.ndarray:
        """Boolean mask of municipalities in the given department codes."""
        return np.isin(self.department_code, list(codes))

    def neighbours(self, index: int) -> np.ndarray:
        """Indices of the neighbours of a municipality."""
        row = self.adjacency.getrow(index)
        return np.sort(row.indices)


def _project(lat: np.ndarray, lon: np.ndarray, lat0_deg: float) -> np.ndarray:
    """Equirectangular projection to km around a reference latitude."""
    lat0 = np.deg2rad(lat0_deg)
    x = EARTH_RADIUS_KM * np.deg2rad(lon) * np.cos(lat0)
    y = EARTH_RADIUS_KM * np.deg2rad(lat)
    return np.column_stack([x, y])


def _delaunay_edges(points: np.ndarray) -> np.ndarray:
    """Unique undirected edges (i < j) of the Delaunay triangulation of ``points``."""
    simplices = Delaunay(points).simplices
    pairs = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
    pairs.sort(axis=1)
    return np.unique(pairs, axis=0)


def _symmetric(edges: np.ndarray, n: int) -> sp.csr_matrix:
    data = np.ones(len(edges), dtype=np.float64)
    upper = sp.coo_matrix((data, (edges[:, 0], edges[:, 1])), shape=(n, n))
    return (upper + upper.T).tocsr()


def build_adjacency(xy_km: np.ndarray, local_ratio: float, floor_km: float, max_km: float):
    """Delaunay neighbour graph with long edges cut.

    An edge is cut when it is longer than ``local_ratio`` times the local spacing of its shorter
    end (mean distance to the three nearest centroids, floored at ``floor_km``), or longer than
    ``max_km``. A local rule keeps the sparse Amazon municipalities connected while cutting the
    long hull edges that a fixed cut-off would have to keep.

    Returns:
        The symmetric CSR adjacency matrix.
    """
    edges = _delaunay_edges(xy_km)
    length = np.hypot(*(xy_km[edges[:, 0]] - xy_km[edges[:, 1]]).T)
    dist, _ = cKDTree(xy_km).query(xy_km, k=4)
    spacing = np.maximum(dist[:, 1:].mean(axis=1), floor_km)
    local = np.minimum(spacing[edges[:, 0]], spacing[edges[:, 1]])
    keep = (length <= local_ratio * local) & (length <= max_km)
    return _symmetric(edges[keep], len(xy_km))


def _distance_to_polyline(xy_km: np.ndarray, trace_km: np.ndarray) -> np.ndarray:
    best = np.full(len(xy_km), np.inf)
    for a, b in itertools.pairwise(trace_km):
        ab = b - a
        t = np.clip(((xy_km - a) @ ab) / (ab @ ab), 0.0, 1.0)
        foot = a + t[:, None] * ab
        best = np.minimum(best, np.hypot(*(xy_km - foot).T))
    return best


def _reach(xy_km: np.ndarray, radius_km: float, floor: float) -> np.ndarray:
    """Percentile rank of local centroid density, floored (see geography.yaml)."""
    counts = np.array([len(n) for n in cKDTree(xy_km).query_ball_point(xy_km, r=radius_km)])
    ranks = counts.argsort(kind="stable").argsort(kind="stable")
    # Ties share the mean rank so that equal densities get equal reach.
    mean_rank = np.zeros(len(counts))
    for value in np.unique(counts):
        sel = counts == value
        mean_rank[sel] = ranks[sel].mean()
    pct = (mean_rank + 1) / len(counts)
    return np.maximum(pct, floor)


def _read_municipalities() -> dict[str, np.ndarray]:
    text = resources.files("rift.data").joinpath("municipalities.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    return {
        "code": np.array([r["divipola"] for r in rows]),
        "department_code": np.array([r["department_code"] for r in rows]),
        "department": np.array([r["department"] for r in rows]),
        "name": np.array([r["municipality"] for r in rows]),
        "lat": np.array([float(r["lat"]) for r in rows]),
        "lon": np.array([float(r["lon"]) for r in rows]),
    }


def geography_spec() -> dict:
    """The geographic facts in ``rift/data/geography.yaml``."""
    text = resources.files("rift.data").joinpath("geography.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@functools.lru_cache(maxsize=1)
def load_geography() -> Geography:
    """Build the geography once per process (it is cached; treat it as read-only)."""
    spec = geography_spec()
    m = _read_municipalities()
    lat0 = float(np.mean(m["lat"]))
    xy = _project(m["lat"], m["lon"], lat0)
    g = spec["graph"]
    adjacency = build_adjacency(xy, g["local_ratio"], g["floor_km"], g["max_km"])
    _, labels = csgraph.connected_components(adjacency, directed=False)
    mainland = labels == np.bincount(labels).argmax()

    border: dict[str, np.ndarray] = {}
    for country, b in spec["borders"].items():
        trace = _project(*np.array(b["trace"], dtype=float).T, lat0)
        near = _distance_to_polyline(xy, trace) <= b["within_km"]
        flag = np.isin(m["department_code"], b["departments"]) & near
        flag |= np.isin(m["code"], b["include"])
        border[country] = flag

    sanct = spec["sanctuaries"]
    n, s = len(xy), len(sanct)
    rows, cols = [], []
    for k, entry in enumerate(sanct):
        members = np.flatnonzero(border[entry["border"]])
        rows.append(members)
        cols.append(np.full(len(members), n + k))
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    link = sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(n + s, n + s))
    node_adj = sp.block_diag([adjacency, sp.csr_matrix((s, s))]).tocsr() + link + link.T
    node_adj = node_adj.tocsr()

    reach = _reach(xy, spec["state_reach"]["radius_km"], spec["state_reach"]["floor"])
    regions = {k: np.isin(m["code"], v) for k, v in spec["regions"].items()}

    geo = Geography(
        code=m["code"],
        name=m["name"],
        department_code=m["department_code"],
        department=m["department"],
        lat=m["lat"],
        lon=m["lon"],
        xy_km=xy,
        adjacency=adjacency,
        mainland=mainland,
        border=border,
        reach=reach,
        sanctuaries=tuple(e["name"] for e in sanct),
        sanctuary_borders=tuple(e["border"] for e in sanct),
        node_adjacency=node_adj,
        regions=regions,
    )
    for arr in (geo.code, geo.name, geo.lat, geo.lon, geo.xy_km, geo.reach, geo.mainland):
        arr.setflags(write=False)
    return geo
