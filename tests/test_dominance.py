"""Exact pruning: a candidate is removed only when enough kept ones can stand in for it,
and pruning never changes the optimum."""

from __future__ import annotations

from datetime import date

from conftest import small_catalog, small_request
import numpy as np

from neurosym.catalog import Attraction, Hotel, HouseRules, OpeningHours
from neurosym.dominance import hotel_dominates, prune, prune_by_slot
from neurosym.problem import build_problem
from neurosym.solve import Limits, plan_once


def test_prune_keeps_a_candidate_fewer_than_k_kept_ones_dominate():
    values = [5, 4, 4, 3, 1]
    kept, removed = prune(values, 2, key=lambda v: -v, dominates=lambda a, b: a >= b, ident=str)
    assert kept == [5, 4] and set(removed) == {"4", "3", "1"} and removed["3"] == "5"
    kept, removed = prune(values, 2, key=lambda v: -v, dominates=lambda a, b: a >= b, ident=str,
                          protect=lambda v: v == 1)
    assert 1 in kept and "1" not in removed


def test_a_place_goes_only_when_k_stand_ins_cover_every_slot_it_could_take():
    # slots 0..2; "b" can take slots 0 and 1; "x" stands in everywhere, "y" only at slot 0
    group = ["x", "y", "b"]
    placements = np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], dtype=bool)
    better = {"x": np.array([1, 0, 0], bool), "y": np.array([0, 1, 0], bool), "b": np.array([1, 1, 1], bool)}
    order = {"x": 0, "y": 1, "b": 2}
    args = dict(key=lambda p: order[p], better=lambda p: better[p], placements=placements, ident=str)
    kept, removed = prune_by_slot(group, 1, **args)
    assert kept == ["x", "y"] and removed == {"b": "x"}          # one stand-in at every slot
    kept, removed = prune_by_slot(group, 2, **args)
    assert "b" in kept and not removed                           # slot 1 has only one of two
    kept, removed = prune_by_slot(group, 1, protect=lambda p: p == "b", **args)
    assert "b" in kept                                           # a kept item is never removed


def test_hotel_dominance_needs_every_condition():
    h1 = Hotel(id="1", name="1", city="X", price=50, house_rules=HouseRules(pets=True))
    h2 = Hotel(id="2", name="2", city="X", price=60, house_rules=HouseRules(pets=False))
    hp, hn, hr = {"1": 60, "2": 60}, {"1": 5000, "2": 6000}, {"1": 0, "2": 0}
    assert hotel_dominates(h1, h2, hp, hn, hr, ["pets"], lambda h: True)
    assert not hotel_dominates(h2, h1, hp, hn, hr, ["pets"], lambda h: True)


def test_pruning_keeps_the_optimum():
    twin = small_catalog()   # each hotel gets a dearer twin, which the original dominates
    twin.hotels += [h.model_copy(update={"id": f"{h.id}:twin", "price": h.price + 20}) for h in twin.hotels]
    for kw, cat in (({}, twin), (dict(cuisines=["Vegan"]), twin), (dict(end=date(2026, 6, 4)), small_catalog())):
        req = small_request(**kw)
        pruned = build_problem(req, cat)
        assert pruned.dominated or cat is not twin
        with_pruning = plan_once(pruned, limits=Limits(time=None))
        without = plan_once(build_problem(req, cat, prune_dominated=False), limits=Limits(time=None))
        assert with_pruning.optimal and without.optimal
        assert with_pruning.cost == without.cost, kw
