"""The certified bound: never below the true optimum, and tight on the core rules."""

from __future__ import annotations

import random
from datetime import date, time, timedelta

import clingo
import pytest

from neurosym.bound import certify
from neurosym.catalog import (Attraction, Catalog, City, Flight, GroundLeg, Hotel, HouseRules, OpeningHours,
                              Restaurant)
from neurosym.problem import build_problem
from neurosym.request import Travelers, TripRequest
from neurosym.rules import core_paths
from neurosym.vocab import facts_text

START = date(2026, 6, 1)


def tiny_catalog(rng: random.Random, n_cities: int = 1) -> Catalog:
    """A home and one or two cities with a handful of random items each."""
    names = ["Home", "A", "B"][: n_cities + 1]
    cities = [City(name=n, lat=50 + k, lon=10 + k) for k, n in enumerate(names)]
    flights, ground = [], []
    for d in range(5):
        for a in names:
            for b in names:
                if a != b:
                    for k in range(rng.choice((1, 2))):
                        dep = rng.choice((6, 9, 13, 17, 21)) * 60 + rng.choice((0, 30))
                        dur = rng.choice((60, 90, 150))
                        arr = dep + dur
                        flights.append(Flight(number=f"F{a}{b}{d}{k}", origin=a, destination=b,
                                              date=START + timedelta(days=d), departure=time(dep // 60, dep % 60),
                                              arrival=time((arr // 60) % 24, arr % 60),
                                              arrival_day_offset=1 if arr >= 1440 else 0,
                                              price=rng.choice((40, 90, 200))))
    if n_cities == 2:
        ground.append(GroundLeg(id="drive:A>B", mode="drive", origin="A", destination="B", duration_min=150,
                                cost=80, departures=[time(8), time(15)]))
    hotels, attractions, restaurants = [], [], []
    for k0, c in enumerate(names[1:], start=1):
        lat0, lon0 = 50 + k0, 10 + k0
        for k in range(2):
            hotels.append(Hotel(id=f"h:{c}:{k}", name=f"{c} hotel {k}", city=c, lat=lat0 + rng.random() * .05,
                                lon=lon0 + rng.random() * .05, price=rng.choice((50, 120, 300)),
                                rating=rng.choice((2.0, 3.5, 5.0)), min_nights=rng.choice((1, 1, 2)),
                                check_in_end=rng.choice((time(20), time(23), None)),
                                house_rules=HouseRules(pets=rng.random() < .5)))
        for k in range(2):
            attractions.append(Attraction(id=f"a:{c}:{k}", name=f"{c} sight {k}", city=c,
                                          lat=lat0 + rng.random() * .05, lon=lon0 + rng.random() * .05,
                                          hours=OpeningHours.daily(rng.choice(("09:00", "14:00")),
                                                                   rng.choice(("17:00", "22:00"))),
                                          price=rng.choice((0, 10, 30)), rating=rng.choice((2.0, 4.0, 5.0))))
        for k in range(4):
            restaurants.append(Restaurant(id=f"r:{c}:{k}", name=f"{c} food {k}", city=c,
                                          lat=lat0 + rng.random() * .05, lon=lon0 + rng.random() * .05,
                                          cuisines=[rng.choice(("Thai", "Italian"))], price=rng.choice((8, 20, 45)),
                                          rating=rng.choice((2.0, 3.5, 4.5)),
                                          hours=OpeningHours.daily("07:00" if k < 2 else rng.choice(("07:00", "11:00")),
                                                                   "23:00")))
    return Catalog(name="tiny", cities=cities, flights=flights, ground_legs=ground, hotels=hotels,
                   attractions=attractions, restaurants=restaurants)


def tiny_request(rng: random.Random, n_cities: int, days: int) -> TripRequest:
    return TripRequest(origin="Home", destinations=["A", "B"][:n_cities], start=START,
                       end=START + timedelta(days=days - 1), travelers=Travelers(adults=rng.choice((1, 2))),
                       budget=rng.choice((900, 2500, 9000)), pace=1, meals=rng.choice(("all", "optional")),
                       cuisines=rng.choice(([], ["Thai"])), house_rules=rng.choice(([], ["pets"])),
                       slots={"breakfast": ["08:00"], "lunch": ["12:30"], "dinner": ["19:00"],
                              "visits": ["10:00", "15:00", "21:00"]})


def _all_values(facts) -> list[int]:
    """The priority-2 value of every itinerary, by exhaustive enumeration of the answer sets."""
    ctl = clingo.Control(["0", "--opt-mode=enum"], logger=lambda *_: None)
    for path in core_paths():
        ctl.load(str(path))
    ctl.add("base", [], facts_text(facts))
    ctl.ground([("base", [])])
    values: list[int] = []
    ctl.solve(on_model=lambda m: values.append(-m.cost[0]))
    return values


#: Catalogs whose itineraries enumerate in about a second or less (up to 400,000 answer
#: sets; seed 5 has 833,000 and seed 17 six million, which take too long for the suite).
SEEDS = [s for s in range(17) if s != 5]


@pytest.mark.parametrize("seed", SEEDS)
def test_bound_is_never_below_the_optimum_found_by_enumeration(seed):
    rng = random.Random(seed)
    n_cities = 1 + seed % 2
    req = tiny_request(rng, n_cities, days=n_cities + 1 + rng.choice((0, 1)))
    problem = build_problem(req, tiny_catalog(rng, n_cities), prune_dominated=False)
    values = _all_values(problem.facts)
    b = certify(problem.facts, time_limit=30)
    if not values:
        assert b.status == "infeasible" and b.value is None
        return
    best = max(values)
    assert b.value is not None and b.value >= best
    # the program models the core rules exactly: its optimum is an itinerary's value
    assert b.optimal and b.value == b.solution_value == best
