"""A generated catalog for scale benchmarks: a 7-day trip through 3 cities, many places.

``scale_catalog(places_per_city, flights_per_leg)`` builds, deterministically, a home
city and three destinations with about ``places_per_city`` places each (a tenth hotels,
a third attractions, the rest restaurants) with varied opening hours, prices, ratings
and positions, and ``flights_per_leg`` flights on every day between every two cities.
``scale_request()`` is the trip: 7 days from home through all three cities.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

from neurosym.catalog import (Attraction, Catalog, City, Flight, Hotel, HouseRules, Interval, OpeningHours,
                              Restaurant)
from neurosym.request import Travelers, TripRequest

START = date(2026, 6, 15)   # a Monday
DAYS = 7
CITIES = (("Home", 52.52, 13.40), ("Alpha", 48.14, 11.58), ("Beta", 51.05, 13.74), ("Gamma", 51.34, 12.37))
CUISINES = ("Italian", "German", "Thai", "Vegan", "French", "Japanese", "Mexican", "Indian", "Greek", "Cafe")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(rng: random.Random, kind: str) -> OpeningHours:
    if kind == "attraction":
        open_, close = rng.choice(((9, 17), (10, 18), (9, 20), (10, 22), (8, 23), (11, 19)))
    else:
        open_, close = rng.choice(((7, 23), (11, 23), (8, 16), (17, 23), (7, 15), (11, 22)))
    closed = set(rng.sample(WEEKDAYS, rng.choice((0, 0, 0, 1, 1, 2))))
    iv = Interval(open=time(open_), close=time(close % 24))
    return OpeningHours(days={d: [iv] for d in WEEKDAYS if d not in closed})


def _near(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    return lat + rng.uniform(-0.06, 0.06), lon + rng.uniform(-0.09, 0.09)


def scale_catalog(places_per_city: int = 700, flights_per_leg: int = 50, seed: int = 7) -> Catalog:
    rng = random.Random(seed)
    cities = [City(name=n, lat=la, lon=lo) for n, la, lo in CITIES]
    hotels, attractions, restaurants = [], [], []
    for name, lat, lon in CITIES[1:]:
        n_hotels = max(3, places_per_city // 10)
        n_attr = places_per_city // 3
        n_rest = places_per_city - n_hotels - n_attr
        for k in range(n_hotels):
            la, lo = _near(rng, lat, lon)
            hotels.append(Hotel(id=f"h:{name}:{k}", name=f"{name} Hotel {k}", city=name, lat=la, lon=lo,
                                price=round(rng.uniform(45, 260), 2), rating=round(rng.uniform(2.5, 5.0), 1),
                                max_occupancy=rng.choice((2, 2, 3, 4)), min_nights=rng.choice((1, 1, 1, 2, 3)),
                                check_in_end=rng.choice((time(20), time(22), time(23), time(0), None)),
                                house_rules=HouseRules(pets=rng.random() < 0.5, smoking=rng.random() < 0.1)))
        for k in range(n_attr):
            la, lo = _near(rng, lat, lon)
            attractions.append(Attraction(id=f"a:{name}:{k}", name=f"{name} Sight {k}", city=name, lat=la, lon=lo,
                                          hours=_hours(rng, "attraction"), duration_min=rng.choice((60, 90, 90, 120)),
                                          price=rng.choice((0, 0, 5, 8, 12, 15, 20)),
                                          rating=round(rng.uniform(2.5, 5.0), 1), indoor=rng.random() < 0.6))
        for k in range(n_rest):
            la, lo = _near(rng, lat, lon)
            restaurants.append(Restaurant(id=f"r:{name}:{k}", name=f"{name} Kitchen {k}", city=name, lat=la,
                                          lon=lo, cuisines=rng.sample(CUISINES, rng.choice((1, 1, 2))),
                                          price=round(rng.uniform(6, 60), 2), hours=_hours(rng, "restaurant"),
                                          meal_duration_min=rng.choice((45, 60, 60, 75)),
                                          rating=round(rng.uniform(2.5, 5.0), 1)))
    flights = []
    names = [c[0] for c in CITIES]
    for d in range(DAYS):
        day = START + timedelta(days=d)
        for a in names:
            for b in names:
                if a == b:
                    continue
                for k in range(flights_per_leg):
                    dep = rng.randrange(5 * 60, 23 * 60, 5)
                    dur = rng.randrange(50, 110, 5)
                    arr = dep + dur
                    flights.append(Flight(number=f"S{a[0]}{b[0]}{d}{k:02d}", origin=a, destination=b, date=day,
                                          departure=time(dep // 60, dep % 60),
                                          arrival=time((arr // 60) % 24, arr % 60),
                                          arrival_day_offset=1 if arr >= 24 * 60 else 0,
                                          price=round(rng.uniform(40, 320), 2)))
    return Catalog(name=f"scale-{places_per_city}", cities=cities, flights=flights, hotels=hotels,
                   attractions=attractions, restaurants=restaurants)


def scale_request() -> TripRequest:
    return TripRequest(origin="Home", destinations=["Alpha", "Beta", "Gamma"], start=START,
                       end=START + timedelta(days=DAYS - 1), travelers=Travelers(adults=2), budget=20000,
                       cuisines=["Thai"], pace=2)
