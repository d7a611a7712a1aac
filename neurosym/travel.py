"""Travel times between places inside a city, from the catalog.

Each city is a networkx graph whose nodes are its places (hotels, attractions,
restaurants) and its hub (``hub:CITY``, the airport or station). Every pair of places
is joined by an edge weighted ``overhead + distance / speed`` (great-circle distance; a
place without coordinates stands at the city centre), and the catalog's explicit
:class:`~neurosym.catalog.Transfer` edges are added. The travel time between two
places is the shortest path through that graph, rounded up to whole minutes.

When a city has no explicit transfers the direct edge is already the shortest path
(distances obey the triangle inequality and the overhead is a constant), so the
shortest paths are read off the edge weights without running Dijkstra.

The rules reason with :func:`radii`: the travel time from the city centre
(``centre:CITY``, a node of the same graph) to each place. Shortest paths obey the
triangle inequality, so ``travel(a, b) <= radius(a) + radius(b)`` for every pair: a
plan that leaves ``radius(a) + radius(b)`` between two places always leaves enough
time, and the rules need one number per place instead of one per pair.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import networkx as nx
import numpy as np

from .catalog import Catalog

EARTH_KM = 6371.0088


def hub_id(city: str) -> str:
    """Node id of a city's airport or station."""
    return f"hub:{city}"


def centre_id(city: str) -> str:
    """Node id of a city's centre."""
    return f"centre:{city}"


def _coords(catalog: Catalog, city: str) -> tuple[list[str], np.ndarray]:
    c = catalog.city(city)
    ids = [centre_id(city), hub_id(city)]
    pts = [(c.lat, c.lon), c.hub]
    hotels, attractions, restaurants = catalog.in_city(city)
    for it in (*hotels, *attractions, *restaurants):
        ids.append(it.id)
        pts.append((it.lat if it.lat is not None else c.lat, it.lon if it.lon is not None else c.lon))
    return ids, np.radians(np.array(pts, dtype=float))


def _haversine_km(p: np.ndarray) -> np.ndarray:
    lat, lon = p[:, 0][:, None], p[:, 1][:, None]
    dlat, dlon = lat - lat.T, lon - lon.T
    a = np.sin(dlat / 2) ** 2 + np.cos(lat) * np.cos(lat.T) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def city_graph(catalog: Catalog, city: str) -> nx.Graph:
    """The city's transfer graph: nodes are place ids and ``hub:CITY``; weights are minutes."""
    ids, pts = _coords(catalog, city)
    minutes = catalog.transfer_overhead_min + _haversine_km(pts) / catalog.speed_kmh * 60.0
    g = nx.Graph(city=city)
    g.add_nodes_from(ids)
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            g.add_edge(ids[i], ids[j], minutes=float(minutes[i, j]))
    _add_transfers(g, catalog)
    return g


def _add_transfers(g: nx.Graph, catalog: Catalog) -> None:
    for t in catalog.transfers:
        if t.a in g and t.b in g:
            g.add_edge(t.a, t.b, minutes=float(t.minutes))


def _minutes_matrix(catalog: Catalog, city: str) -> tuple[list[str], np.ndarray]:
    """Place ids (centre and hub first) and the matrix of shortest travel minutes."""
    ids, pts = _coords(catalog, city)
    if any(t.a in ids or t.b in ids for t in catalog.transfers):
        g = city_graph(catalog, city)
        lengths = dict(nx.all_pairs_dijkstra_path_length(g, weight="minutes"))
        m = np.array([[lengths[a][b] for b in ids] for a in ids], dtype=float)
    else:
        m = catalog.transfer_overhead_min + _haversine_km(pts) / catalog.speed_kmh * 60.0
        np.fill_diagonal(m, 0.0)
    return ids, np.ceil(m - 1e-9).astype(int)


class TravelTable(Mapping[tuple[str, str], int]):
    """Travel minutes between every ordered pair of distinct places of a city.

    A read-only mapping ``(a, b) -> minutes`` over the matrix of shortest paths; the
    pairs are looked up, not stored one by one.
    """

    def __init__(self, ids: list[str], minutes: np.ndarray):
        self._index = {pid: i for i, pid in enumerate(ids)}
        self._ids = ids
        self._rows = minutes.tolist()

    def __getitem__(self, pair: tuple[str, str]) -> int:
        a, b = pair
        if a == b or a not in self._index or b not in self._index:
            raise KeyError(pair)
        return self._rows[self._index[a]][self._index[b]]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((a, b) for a in self._ids for b in self._ids if a != b)

    def __len__(self) -> int:
        return len(self._ids) * (len(self._ids) - 1)


def travel_and_radii(catalog: Catalog, city: str) -> tuple[TravelTable, dict[str, int]]:
    """Shortest travel minutes between every ordered pair of the city's places, and the
    minutes from the centre to each place and to the hub (see the module docstring)."""
    ids, m = _minutes_matrix(catalog, city)
    centre = m[0].tolist()
    return TravelTable(ids, m), {pid: centre[j] for j, pid in enumerate(ids) if j > 0}


def travel_minutes(catalog: Catalog, city: str) -> TravelTable:
    """Shortest travel time in whole minutes between every ordered pair of the city's places."""
    return travel_and_radii(catalog, city)[0]


def radii(catalog: Catalog, city: str) -> dict[str, int]:
    """Minutes from the city centre to each place and to the hub (see the module docstring)."""
    return travel_and_radii(catalog, city)[1]
