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
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from .catalog import Catalog

EARTH_KM = 6371.0088


def hub_id(city: str) -> str:
    return f"hub:{city}"


def _coords(catalog: Catalog, city: str) -> tuple[list[str], np.ndarray]:
    c = catalog.city(city)
    ids = [hub_id(city)]
    pts = [c.hub]
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


def travel_minutes(catalog: Catalog, city: str) -> dict[tuple[str, str], int]:
    """Shortest travel time in whole minutes between every ordered pair of the city's places."""
    ids, pts = _coords(catalog, city)
    has_transfers = any(t.a in ids or t.b in ids for t in catalog.transfers)
    if has_transfers:
        g = city_graph(catalog, city)
        lengths = dict(nx.all_pairs_dijkstra_path_length(g, weight="minutes"))
        return {(a, b): math.ceil(lengths[a][b] - 1e-9) for a in ids for b in ids if a != b}
    minutes = np.ceil(catalog.transfer_overhead_min + _haversine_km(pts) / catalog.speed_kmh * 60.0 - 1e-9)
    m = minutes.astype(int).tolist()
    return {(a, b): m[i][j] for i, a in enumerate(ids) for j, b in enumerate(ids) if i != j}
