"""Shared fixtures: a small hand-made catalog whose every rule can be provoked."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest

from neurosym.catalog import (Attraction, Catalog, City, Flight, GroundLeg, Hotel, HouseRules,
                              OpeningHours, Restaurant)
from neurosym.request import TripRequest, Travelers

START = date(2026, 6, 1)  # a Monday


def small_catalog(alpha: str = "Alpha") -> Catalog:
    """Home plus two cities, Alpha and Beta, with a few of everything (solves in milliseconds)."""
    cities = [City(name="Home", lat=52.52, lon=13.40), City(name=alpha, lat=48.14, lon=11.58),
              City(name="Beta", lat=50.11, lon=8.68)]
    flights = []
    for d in range(7):
        day = date(2026, 6, 1 + d)
        for n, (o, t) in enumerate((("Home", alpha), (alpha, "Home"), ("Home", "Beta"), ("Beta", "Home"))):
            for h, price in ((8, 120), (14, 90)):
                flights.append(Flight(number=f"F{n}{h}", origin=o, destination=t, date=day,
                                      departure=time(h, 0), arrival=time(h + 1, 15), price=price))
            # the cheapest flight of the day lands after most check-in desks have closed
            flights.append(Flight(number=f"L{n}", origin=o, destination=t, date=day,
                                  departure=time(22, 0), arrival=time(23, 15), price=40))
    ground = [GroundLeg(id=f"train:{a}>{b}", mode="train", origin=a, destination=b, duration_min=180,
                        cost=60, cost_basis="per_person", departures=[time(7, 0), time(12, 0)])
              for a, b in (("Home", alpha), (alpha, "Home"), (alpha, "Beta"), ("Beta", alpha))]
    hotels = []
    for c, lat, lon in ((alpha, 48.14, 11.58), ("Beta", 50.11, 8.68)):
        k = "a" if c == alpha else "b"
        hotels += [
            Hotel(id=f"h:{k}:cheap", name=f"{c} Cheap Rooms", city=c, lat=lat + .01, lon=lon, price=50,
                  room_type="private_room", max_occupancy=2, rating=3.0,
                  house_rules=HouseRules(pets=False, children=True)),
            Hotel(id=f"h:{k}:best", name=f"{c} Grand", city=c, lat=lat, lon=lon + .01, price=150,
                  room_type="hotel_room", max_occupancy=2, rating=5.0, min_nights=3,
                  check_in_end=time(22, 0), house_rules=HouseRules(pets=False)),
            Hotel(id=f"h:{k}:pets", name=f"{c} Pet Lodge", city=c, lat=lat - .01, lon=lon, price=90,
                  room_type="entire_home", max_occupancy=4, rating=4.0, check_in_end=time(0, 0),
                  house_rules=HouseRules(pets=True)),
        ]
    attractions, restaurants = [], []
    for c, lat, lon in ((alpha, 48.14, 11.58), ("Beta", 50.11, 8.68)):
        k = "a" if c == alpha else "b"
        attractions += [
            Attraction(id=f"a:{k}:museum", name=f"{c} Museum", city=c, lat=lat + .005, lon=lon, price=12,
                       rating=5.0, category="museum", hours=OpeningHours.daily("10:00", "18:00", closed=("mon",))),
            Attraction(id=f"a:{k}:park", name=f"{c} Park", city=c, lat=lat, lon=lon + .005, price=0, rating=4.0,
                       category="park", indoor=False),
            Attraction(id=f"a:{k}:tower", name=f"{c} Tower", city=c, lat=lat - .005, lon=lon, price=8, rating=3.5,
                       hours=OpeningHours.daily("09:00", "22:00")),
            Attraction(id=f"a:{k}:zoo", name=f"{c} Zoo", city=c, lat=lat, lon=lon - .005, price=15, rating=3.0,
                       category="zoo", hours=OpeningHours.daily("09:00", "17:00")),
        ]
        for i, (cuisine, price, rating) in enumerate((("Italian", 25, 4.5), ("Thai", 15, 4.0), ("Cafe", 8, 3.5),
                                                      ("Bakery", 6, 3.0), ("Seafood", 40, 4.8), ("Vegan", 12, 2.5),
                                                      ("Mexican", 14, 3.2))):
            restaurants.append(Restaurant(id=f"r:{k}:{i}", name=f"{c} {cuisine} Place", city=c, lat=lat + .002 * i,
                                          lon=lon, cuisines=[cuisine], price=price, rating=rating,
                                          hours=OpeningHours.daily("07:00", "23:00")))
    return Catalog(name="small", cities=cities, flights=flights, ground_legs=ground, hotels=hotels,
                   attractions=attractions, restaurants=restaurants)


def small_request(**kw) -> TripRequest:
    """Three days, Home -> Alpha -> Home, starting on a Monday."""
    base = dict(origin="Home", destinations=["Alpha"], start=START, end=date(2026, 6, 3),
                travelers=Travelers(adults=2), budget=3000, pace=2)
    base.update(kw)
    return TripRequest(**base)


@pytest.fixture
def catalog() -> Catalog:
    return small_catalog()


# -- the TravelPlanner train split, read from ../shared (never copied into the repo) ------

TP_DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "travelplanner"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The TravelPlanner data folder; missing data fails the test, it never skips."""
    from neurosym.travelplanner import resolve_data_dir
    try:
        return resolve_data_dir(TP_DEFAULT_DIR)
    except FileNotFoundError as error:
        pytest.fail(f"TravelPlanner data is required for these tests: {error}")


@pytest.fixture(scope="session")
def json_queries(data_dir: Path) -> list:
    from neurosym.travelplanner import load_jsonl
    return load_jsonl(data_dir / "train.jsonl")


@pytest.fixture(scope="session")
def csv_queries(data_dir: Path) -> list:
    from neurosym.travelplanner import load_csv
    return load_csv(data_dir / "train_hf.csv")


def first_train_row(data_dir: Path) -> dict:
    """The first query of the train split as raw JSON (a fresh copy on every call)."""
    with (data_dir / "train.jsonl").open(encoding="utf-8") as handle:
        return json.loads(handle.readline())
