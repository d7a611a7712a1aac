"""Exact pruning: a candidate is removed only when enough kept ones can stand in for it,
and pruning never changes the optimum."""

from __future__ import annotations

from datetime import date

from conftest import small_catalog, small_request
from neurosym.catalog import Attraction, Hotel, HouseRules, OpeningHours, Restaurant
from neurosym.dominance import hotel_dominates, hours_cover, place_dominates, prune
from neurosym.problem import build_problem
from neurosym.solve import Limits, plan_once


def test_hours_cover():
    always, day = OpeningHours(always=True), OpeningHours.daily("09:00", "18:00")
    weekdays = OpeningHours.daily("10:00", "17:00", closed=("sat", "sun"))
    assert hours_cover(always, day) and hours_cover(day, weekdays)
    assert not hours_cover(weekdays, day) and not hours_cover(day, always)


def test_prune_keeps_a_candidate_fewer_than_k_kept_ones_dominate():
    values = [5, 4, 4, 3, 1]
    kept, removed = prune(values, 2, key=lambda v: -v, dominates=lambda a, b: a >= b, ident=str)
    assert kept == [5, 4] and set(removed) == {"4", "3", "1"} and removed["3"] == "5"
    kept, removed = prune(values, 2, key=lambda v: -v, dominates=lambda a, b: a >= b, ident=str,
                          protect=lambda v: v == 1)
    assert 1 in kept and "1" not in removed


def test_place_and_hotel_dominance_need_every_condition():
    a = Attraction(id="a", name="A", city="X", duration_min=60, hours=OpeningHours(always=True))
    b = Attraction(id="b", name="B", city="X", duration_min=90, hours=OpeningHours.daily("10:00", "18:00"))
    pref, price, radius = {"a": 80, "b": 80}, {"a": 0, "b": 500}, {"a": 5, "b": 5}
    assert place_dominates(a, b, pref, price, radius, set()) and not place_dominates(b, a, pref, price, radius, set())
    assert not place_dominates(a, b, {"a": 79, "b": 80}, price, radius, set())
    thai = Restaurant(id="t", name="T", city="X", price=10, cuisines=["Thai"])
    cafe = Restaurant(id="c", name="C", city="X", price=12, cuisines=["Cafe"])
    p, c, r = {"t": 50, "c": 50}, {"t": 1000, "c": 1200}, {"t": 0, "c": 0}
    assert place_dominates(thai, cafe, p, c, r, set())
    assert not place_dominates(thai, cafe, p, c, r, {"cafe"}), "a wanted cuisine must be served by the stand-in"
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
