"""The embedded demo catalog: it loads, never drifts from its generator, and has the designed cases.

The designed cases are asserted by property (a hotel whose check-in closes by 20:00, a
museum closed on Mondays, ...) rather than by id, so regenerating with other random
draws keeps the tests meaningful.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections import defaultdict
from datetime import timedelta
from importlib import resources

import pytest

from neurosym.catalog import WEEKDAYS, Catalog, GroundLeg, minutes
from neurosym.demo import DEMO_DAYS, DEMO_DESTINATIONS, DEMO_ORIGIN, DEMO_START, demo_request, load_demo_catalog
from neurosym.demo import generate

CATEGORIES = {"museum", "gallery", "park", "market", "landmark", "viewpoint", "zoo", "aquarium",
              "nightlife", "tour", "beach", "garden", "theatre"}
CUISINES = {"Italian", "French", "Japanese", "Chinese", "Indian", "Thai", "Mexican", "Mediterranean",
            "Seafood", "Vegetarian", "Vegan", "BBQ", "Street Food", "Cafe", "Bakery", "Pizza", "Burgers",
            "Fine Dining", "Middle Eastern", "Korean"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_demo_catalog()


@pytest.fixture(scope="module")
def destinations(catalog: Catalog) -> list[str]:
    return [c.name for c in catalog.cities if c.name != DEMO_ORIGIN]


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return generate.haversine_km(lat1, lon1, lat2, lon2)


def _days_open(hours) -> list[str]:
    return [d for d in WEEKDAYS if hours.intervals(d)]


# -- loading, determinism, round trip ----------------------------------------------------

def test_loads_and_validates(catalog: Catalog) -> None:
    assert isinstance(catalog, Catalog)
    assert Catalog.model_validate(catalog.model_dump()) == catalog


def test_built_on_first_use_and_byte_identical_across_processes(tmp_path) -> None:
    import hashlib
    import os
    import subprocess
    import sys
    here = hashlib.sha256(generate.render(load_demo_catalog())).hexdigest()
    code = ("import hashlib; from neurosym.demo import generate, load_demo_catalog; "
            "print(hashlib.sha256(generate.render(load_demo_catalog())).hexdigest())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONHASHSEED": "123"})
    assert other.stdout.strip() == here
    out = tmp_path / "demo.json"
    assert generate.main(["-o", str(out)]) == 0 and out.read_bytes() == generate.render()
    assert not resources.files("neurosym.demo").joinpath("catalog.json").is_file(), "built, not shipped"


def test_generation_is_deterministic() -> None:
    assert generate.build_catalog() == generate.build_catalog()


def test_json_round_trip(catalog: Catalog) -> None:
    assert Catalog.model_validate_json(catalog.model_dump_json()) == catalog
    assert Catalog.model_validate_json(catalog.model_dump_json(indent=1)) == catalog


def test_load_returns_independent_copies() -> None:
    a, b = load_demo_catalog(), load_demo_catalog()
    assert a == b and a is not b
    a.hotels[0].price += 1000
    a.hotels[0].house_rules.pets = not a.hotels[0].house_rules.pets
    a.attractions[0].hours.days.clear()
    a.restaurants.pop()
    a.cities[0].name = "Atlantis"
    fresh = load_demo_catalog()
    assert fresh == b
    assert fresh.hotels[0].price == b.hotels[0].price


def test_json_is_small_enough() -> None:
    assert len(generate.render()) < 2_000_000


# -- cities and overall shape ------------------------------------------------------------

def test_cities(catalog: Catalog, destinations: list[str]) -> None:
    assert DEMO_ORIGIN in {c.name for c in catalog.cities}
    assert len(destinations) >= 5
    assert len({c.timezone for c in catalog.cities}) == 1
    assert catalog.cities[0].timezone == "Europe/Berlin"
    for c in catalog.cities:
        assert c.hub_lat is not None and c.hub_lon is not None
        assert 3 <= _km(c.lat, c.lon, *c.hub) <= 12, c.name


def test_hundreds_of_items_and_counts_per_city(catalog: Catalog, destinations: list[str]) -> None:
    places = len(catalog.hotels) + len(catalog.attractions) + len(catalog.restaurants)
    assert places >= 300
    assert len(catalog.flights) >= 1000
    for city in destinations:
        hotels, attractions, restaurants = catalog.in_city(city)
        assert 8 <= len(hotels) <= 12, city
        assert 20 <= len(attractions) <= 30, city
        assert 25 <= len(restaurants) <= 35, city
    hotels, attractions, restaurants = catalog.in_city(DEMO_ORIGIN)
    assert attractions and restaurants


def test_ids_are_unique_and_well_formed(catalog: Catalog) -> None:
    ids = [it.id for it in catalog.items()]
    assert len(ids) == len(set(ids))
    slugs = {c.name: c.name.lower() for c in catalog.cities}
    for prefix, items in (("h", catalog.hotels), ("a", catalog.attractions), ("r", catalog.restaurants)):
        for it in items:
            assert re.fullmatch(rf"{prefix}:{slugs[it.city]}:\d+", it.id), it.id
    for f in catalog.flights:
        assert re.fullmatch(r"NS\d{4}", f.number) and f.id == f"{f.number}@{f.date.isoformat()}"
    for g in catalog.ground_legs:
        assert g.id == f"{g.mode}:{g.origin}>{g.destination}"


def test_places_lie_near_the_centre(catalog: Catalog) -> None:
    centre = {c.name: (c.lat, c.lon) for c in catalog.cities}
    for it in [*catalog.hotels, *catalog.attractions, *catalog.restaurants]:
        assert it.lat is not None and it.lon is not None
        assert _km(*centre[it.city], it.lat, it.lon) <= 8.0, it.id


def test_transfers_are_computed_from_coordinates(catalog: Catalog) -> None:
    assert catalog.transfers == []
    assert catalog.speed_kmh == 25 and catalog.transfer_overhead_min == 10


def test_every_place_has_a_one_sentence_description(catalog: Catalog) -> None:
    for it in [*catalog.hotels, *catalog.attractions, *catalog.restaurants]:
        d = it.description
        assert 20 <= len(d) <= 250 and d[0].isupper() and d.endswith("."), it.id


# -- flights -----------------------------------------------------------------------------

def test_flight_window_and_daily_frequency(catalog: Catalog) -> None:
    assert DEMO_START.weekday() == 0 and DEMO_DAYS >= 35
    dates = sorted({f.date for f in catalog.flights})
    assert dates[0] == DEMO_START and len(dates) == DEMO_DAYS
    assert dates == [DEMO_START + timedelta(days=i) for i in range(DEMO_DAYS)]
    per_day: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(int))
    for f in catalog.flights:
        per_day[(f.origin, f.destination)][f.date] += 1
    for pair, counts in per_day.items():
        assert len(counts) == DEMO_DAYS, pair
        assert all(2 <= n <= 4 for n in counts.values()), pair


def test_flight_times_durations_and_prices(catalog: Catalog) -> None:
    hub = {c.name: c.hub for c in catalog.cities}
    for f in catalog.flights:
        assert 6 * 60 <= f.departure_min <= 22 * 60 + 30, f.id
        assert 40 <= f.price <= 400, f.id
        km = _km(*hub[f.origin], *hub[f.destination])
        expected = km / 800 * 60 + 30
        assert expected - 5 <= f.arrival_min - f.departure_min <= expected + 15, f.id
    # fares grow with distance: the dearest long route costs more than the dearest short one
    by_pair: dict[tuple[str, str], list[float]] = defaultdict(list)
    for f in catalog.flights:
        by_pair[(f.origin, f.destination)].append(f.price)
    med = {p: statistics.median(v) for p, v in by_pair.items()}
    km = {p: _km(*hub[p[0]], *hub[p[1]]) for p in med}
    short = [med[p] for p in med if km[p] < 250]
    long = [med[p] for p in med if km[p] > 450]
    assert short and long and statistics.mean(long) > statistics.mean(short)


def test_late_flights_miss_early_closing_desks(catalog: Catalog) -> None:
    """Designed: flights that land after 23:00, when most check-in desks are closed."""
    late = [f for f in catalog.flights if f.arrival_min > 23 * 60]
    assert late
    for city in DEMO_DESTINATIONS:
        arrivals = [f for f in late if f.origin == DEMO_ORIGIN and f.destination == city]
        assert arrivals, city
        hotels = catalog.in_city(city)[0]
        assert any(h.check_in_end_min <= 23 * 60 for h in hotels)       # would be missed
        assert any(h.check_in_end_min == 24 * 60 for h in hotels)       # still reachable


def test_some_city_pairs_have_no_flights(catalog: Catalog) -> None:
    """Designed: pairs without air service, connected by drive, taxi and train both ways."""
    served = {(f.origin, f.destination) for f in catalog.flights}
    names = [c.name for c in catalog.cities]
    unserved = [(a, b) for a, b in itertools.combinations(names, 2)
                if (a, b) not in served and (b, a) not in served]
    assert 1 <= len(unserved) <= 2
    modes = {(g.origin, g.destination, g.mode) for g in catalog.ground_legs}
    for a, b in unserved:
        for x, y in ((a, b), (b, a)):
            assert {(x, y, m) for m in ("drive", "taxi", "train")} <= modes
    assert any(set(p) <= set(DEMO_DESTINATIONS) for p in unserved)   # the demo trip meets one


# -- ground legs -------------------------------------------------------------------------

def _per_party(g: GroundLeg, people: int) -> float:
    if g.cost_basis == "per_person":
        return g.cost * people
    return g.cost * math.ceil(people / g.vehicle_capacity)


def test_ground_legs_are_realistic(catalog: Catalog) -> None:
    legs = {(g.origin, g.destination, g.mode): g for g in catalog.ground_legs}
    centre = {c.name: (c.lat, c.lon) for c in catalog.cities}
    for (a, b, mode), g in legs.items():
        assert (b, a, mode) in legs                                    # both directions
        km = _km(*centre[a], *centre[b])
        if mode == "drive":
            assert g.cost_basis == "per_vehicle" and g.vehicle_capacity == 5
            assert abs(g.duration_min - 1.3 * km / 80 * 60) <= 5
        elif mode == "taxi":
            assert g.cost_basis == "per_vehicle" and g.vehicle_capacity == 4
            assert g.cost > legs[(a, b, "drive")].cost * 3             # a taxi is expensive
        else:
            assert g.cost_basis == "per_person" and 4 <= len(g.departures) <= 9
        assert g.departures == sorted(g.departures)
    assert {g.mode for g in catalog.ground_legs} == {"drive", "taxi", "train"}
    # for two people, driving yourself is cheaper than the train, which is cheaper than a taxi
    for a, b in [("Dresden", "Leipzig"), ("Cologne", "Frankfurt")]:
        costs = {m: _per_party(legs[(a, b, m)], 2) for m in ("drive", "train", "taxi")}
        assert costs["drive"] < costs["train"] < costs["taxi"]


# -- hotels ------------------------------------------------------------------------------

def test_hotel_values(catalog: Catalog) -> None:
    for h in catalog.hotels:
        assert 35 <= h.price <= 450 and 1 <= h.max_occupancy <= 6 and 2.5 <= h.rating <= 5.0, h.id
        assert minutes(h.check_in_start) < h.check_in_end_min, h.id
        assert 10 * 60 <= minutes(h.check_out) <= 12 * 60, h.id
        assert h.min_nights in (1, 2, 3), h.id
    assert {h.room_type for h in catalog.hotels} == {"entire_home", "private_room", "shared_room", "hotel_room"}
    for rule in ("smoking", "pets", "parties", "children", "visitors"):
        assert any(h.house_rules.forbids(rule) for h in catalog.hotels), rule
        assert any(not h.house_rules.forbids(rule) for h in catalog.hotels), rule
    assert any(h.max_occupancy >= 5 for h in catalog.hotels)
    assert sum(h.min_nights == 1 for h in catalog.hotels) > len(catalog.hotels) / 2


def test_hotel_designed_cases_in_every_destination(catalog: Catalog, destinations: list[str]) -> None:
    """Designed: a strict check-in window, a desk open until midnight, a great-value minimum stay."""
    for city in destinations:
        hotels = catalog.in_city(city)[0]
        assert any(h.check_in_end_min <= 20 * 60 for h in hotels), city
        assert any(h.check_in_end_min == 24 * 60 for h in hotels), city
        median = statistics.median(h.price for h in hotels)
        value = [h for h in hotels if h.min_nights == 3 and h.price < median and h.rating >= 4.5
                 and h.max_occupancy >= 2]
        assert value, city
        assert len({h.room_type for h in hotels}) >= 3, city


def test_hotel_descriptions_match_rules(catalog: Catalog) -> None:
    for h in catalog.hotels:
        if "pets welcome" in h.description:
            assert h.house_rules.pets, h.id
        if "adults only" in h.description:
            assert not h.house_rules.children, h.id
        if "minimum stay three nights" in h.description:
            assert h.min_nights == 3, h.id


# -- attractions -------------------------------------------------------------------------

def test_attraction_values(catalog: Catalog) -> None:
    for a in catalog.attractions:
        assert a.category in CATEGORIES, a.id
        assert 45 <= a.duration_min <= 240 and 0 <= a.price <= 45 and 0 <= a.rating <= 5, a.id
        # the visit fits into an opening interval on at least one day
        assert any(c - o >= a.duration_min for d in WEEKDAYS for o, c in a.hours.intervals(d)), a.id
    parks = [a for a in catalog.attractions if a.category == "park"]
    assert parks and all(p.price == 0 and not p.indoor for p in parks)
    assert len({a.category for a in catalog.attractions}) == len(CATEGORIES)


def test_attraction_designed_cases_in_every_destination(catalog: Catalog, destinations: list[str]) -> None:
    """Designed: Monday-closed museums, markets on some days only, evening venues until midnight."""
    for city in destinations:
        attractions = catalog.in_city(city)[1]
        monday_closed = [a for a in attractions if a.category == "museum" and not a.hours.intervals("mon")]
        assert len(monday_closed) >= 2, city
        markets = [a for a in attractions if a.category == "market"]
        assert any(len(_days_open(m.hours)) < 7 for m in markets), city
        evening = [a for a in attractions if a.category == "nightlife"]
        assert any(a.hours.is_open(d, 21 * 60, 23 * 60) for a in evening for d in WEEKDAYS), city
        assert any(a.category in ("zoo", "aquarium") for a in attractions), city
        assert any(a.price == 0 for a in attractions), city


# -- restaurants -------------------------------------------------------------------------

def test_restaurant_values(catalog: Catalog) -> None:
    for r in catalog.restaurants:
        assert 1 <= len(r.cuisines) <= 3 and set(r.cuisines) <= CUISINES, r.id
        assert 6 <= r.price <= 120 and 0 <= r.rating <= 5, r.id
    seen = {c for r in catalog.restaurants for c in r.cuisines}
    assert seen == CUISINES
    street = [r.price for r in catalog.restaurants if r.cuisines[0] == "Street Food"]
    fine = [r.price for r in catalog.restaurants if r.cuisines[0] == "Fine Dining"]
    assert max(street) < min(fine)


def test_restaurant_hours_in_every_destination(catalog: Catalog, destinations: list[str]) -> None:
    """Breakfast places every day, dinner-only places, places closed on a weekday."""
    for city in destinations:
        restaurants = catalog.in_city(city)[2]
        for day in WEEKDAYS:
            breakfast = [r for r in restaurants if r.hours.is_open(day, 8 * 60, 8 * 60 + r.meal_duration_min)]
            lunch = [r for r in restaurants if r.hours.is_open(day, 12 * 60 + 30, 12 * 60 + 30 + r.meal_duration_min)]
            dinner = [r for r in restaurants if r.hours.is_open(day, 20 * 60, 20 * 60 + r.meal_duration_min)]
            assert len(breakfast) >= 2 and len(lunch) >= 5 and len(dinner) >= 5, (city, day)
        assert any(not r.hours.is_open(d, 12 * 60 + 30, 13 * 60) and r.hours.is_open(d, 19 * 60, 20 * 60)
                   for r in restaurants for d in WEEKDAYS), city
        assert any(len(_days_open(r.hours)) < 7 for r in restaurants), city
        assert any("Italian" in r.cuisines for r in restaurants), city


# -- names -------------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["'", '"', "\\", "%", ".", ":-"])
def test_names_with_punctuation_that_stresses_asp_quoting(catalog: Catalog, token: str) -> None:
    names = [it.name for it in [*catalog.hotels, *catalog.attractions, *catalog.restaurants]]
    assert any(token in n for n in names)


def test_a_name_ends_with_a_backslash(catalog: Catalog) -> None:
    assert any(a.name.endswith("\\") for a in catalog.attractions)


def test_names_are_varied(catalog: Catalog) -> None:
    for city in [c.name for c in catalog.cities]:
        for items in catalog.in_city(city):
            names = [it.name for it in items]
            assert len(names) == len(set(names)), city
    everything = [it.name for it in [*catalog.hotels, *catalog.attractions, *catalog.restaurants]]
    assert len(set(everything)) > 0.6 * len(everything)


# -- the demo request --------------------------------------------------------------------

def test_demo_request_fits_the_catalog(catalog: Catalog) -> None:
    r = demo_request()
    names = {c.name for c in catalog.cities}
    assert r.origin == DEMO_ORIGIN and set(r.destinations) == set(DEMO_DESTINATIONS)
    assert r.origin in names and set(r.destinations) <= names
    assert r.start == DEMO_START + timedelta(days=14) and r.start.weekday() == 0
    assert r.n_days == 5 and r.n_cities == 2 and r.travelers.people == 2 and r.pace == 2
    assert DEMO_START <= r.start and r.end < DEMO_START + timedelta(days=DEMO_DAYS)
    for city in r.destinations:
        restaurants = catalog.in_city(city)[2]
        assert all(any(c in x.cuisines for x in restaurants) for c in r.cuisines), city
    assert demo_request() == r and demo_request() is not r


def _cheapest_leg(catalog: Catalog, a: str, b: str, day, people: int, pick=min) -> float:
    options = [f.price * people for f in catalog.flights if (f.origin, f.destination, f.date) == (a, b, day)]
    options += [_per_party(g, people) for g in catalog.ground_legs if (g.origin, g.destination) == (a, b)]
    return pick(options)


def _trip_cost(catalog: Catalog, pick) -> float:
    """Cheapest (pick=min) or typical (pick=median) cost over all routes of the demo trip.

    Transport for each leg, the nights (rooms for everybody, respecting the minimum stay),
    three meals a day and ``pace`` paid visits a day, each chosen with ``pick``.
    """
    r = demo_request()
    people, nights = r.travelers.people, r.n_days - 1
    best = math.inf
    for x, y in itertools.permutations(r.destinations, 2):
        for n1 in range(1, nights):
            cost = (_cheapest_leg(catalog, r.origin, x, r.start, people, pick)
                    + _cheapest_leg(catalog, x, y, r.start + timedelta(days=n1), people, pick)
                    + _cheapest_leg(catalog, y, r.origin, r.end, people, pick))
            for city, n, days in ((x, n1, n1), (y, nights - n1, nights - n1 + 1)):
                hotels, attractions, restaurants = catalog.in_city(city)
                cost += pick([h.price * math.ceil(people / h.max_occupancy) * n
                              for h in hotels if h.min_nights <= n])
                cost += pick([m.price for m in restaurants]) * people * 3 * days
                cost += pick([a.price for a in attractions]) * people * r.pace * days
            best = min(best, cost)
    return best


def test_demo_budget_is_feasible_but_binding(catalog: Catalog) -> None:
    budget = demo_request().budget
    assert _trip_cost(catalog, min) < 0.5 * budget            # comfortably feasible
    assert _trip_cost(catalog, statistics.median) < budget    # a typical plan fits
    assert _trip_cost(catalog, max) > budget                  # a lavish one does not
