"""Travel inside a city: shortest paths over the city's graph, bounded through the centre."""

from __future__ import annotations

import math

import networkx as nx

from conftest import small_catalog
from neurosym.catalog import Transfer
from neurosym.travel import centre_id, city_graph, hub_id, radii, travel_and_radii, travel_minutes


def test_travel_is_the_rounded_shortest_path_of_the_city_graph():
    from neurosym.demo import load_demo_catalog
    demo = load_demo_catalog()
    city = demo.hotels[0].city
    g = city_graph(demo, city)
    table = travel_minutes(demo, city)
    for (a, b), m in list(table.items())[::53]:
        assert m == math.ceil(nx.dijkstra_path_length(g, a, b, weight="minutes") - 1e-9)


def test_every_pair_is_within_the_sum_of_radii():
    cat = small_catalog()
    table, r = travel_and_radii(cat, "Alpha")
    for (a, b), m in table.items():
        if centre_id("Alpha") in (a, b):
            continue
        assert m <= r[a] + r[b] + 1, (a, b)   # radii and travel are each rounded up to whole minutes
    assert hub_id("Alpha") in r and centre_id("Alpha") not in r


def test_an_explicit_transfer_is_a_shortcut():
    cat = small_catalog()
    before = travel_minutes(cat, "Alpha")[("a:a:zoo", "a:a:museum")]
    cat.transfers = [Transfer(a="a:a:zoo", b="a:a:museum", minutes=1)]
    after = travel_minutes(cat, "Alpha")
    assert after[("a:a:zoo", "a:a:museum")] == 1 < before
    assert after[("a:a:museum", "a:a:zoo")] == 1                  # the graph is undirected
    # a path through the shortcut is never longer than the direct edge
    assert after[("h:a:cheap", "a:a:museum")] <= after[("h:a:cheap", "a:a:zoo")] + 1
    assert radii(cat, "Alpha")["a:a:museum"] <= radii(cat, "Alpha")["a:a:zoo"] + 1
