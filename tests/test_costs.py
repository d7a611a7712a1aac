"""What things cost, per seat, vehicle, room or person: the same arithmetic as rules/budget.lp."""

from __future__ import annotations

from datetime import date, time

import pytest

from conftest import small_catalog, small_request
from neurosym import plan_itinerary
from neurosym.catalog import Flight, GroundLeg, Hotel, Restaurant
from neurosym.costs import cents, leg_cost, leg_units, night_cost, place_cost, rooms
from neurosym.request import Travelers


def test_cents_round_half_up():
    assert [cents(x) for x in (0, 0.005, 0.015, 12.345, 19.99, 1e6)] == [0, 1, 2, 1235, 1999, 100_000_000]


def test_legs_are_paid_per_seat_per_person_or_per_vehicle():
    f = Flight(number="F", origin="A", destination="B", date=date(2026, 6, 1), departure=time(8), arrival=time(9),
               price=99.5)
    taxi = GroundLeg(id="t", mode="taxi", origin="A", destination="B", duration_min=60, cost=80, vehicle_capacity=4)
    train = GroundLeg(id="r", mode="train", origin="A", destination="B", duration_min=60, cost=30,
                      cost_basis="per_person")
    assert (leg_units(f, 5), leg_cost(f, 5)) == (5, 5 * 9950)
    assert (leg_units(taxi, 5), leg_cost(taxi, 5)) == (2, 2 * 8000)     # two taxis for five
    assert (leg_units(taxi, 4), leg_cost(taxi, 4)) == (1, 8000)
    assert (leg_units(train, 3), leg_cost(train, 3)) == (3, 9000)


def test_rooms_from_occupancy_and_nights_per_room_or_person():
    room = Hotel(id="h", name="H", city="A", price=100, max_occupancy=2)
    per_person = Hotel(id="p", name="P", city="A", price=40, price_basis="per_person", max_occupancy=4)
    assert [rooms(room, n) for n in (1, 2, 3, 5)] == [1, 1, 2, 3]
    assert night_cost(room, 3) == 2 * 10000 and night_cost(per_person, 3) == 3 * 4000
    meal = Restaurant(id="r", name="R", city="A", price=12.5)
    assert place_cost(meal, 4) == 5000


@pytest.mark.parametrize("travelers", [Travelers(adults=1), Travelers(adults=3), Travelers(adults=2, children=3)])
def test_the_itinerary_costs_what_the_rules_counted(travelers):
    # the cost level of the objective is the sum of budget.lp's cost/3 atoms
    it = plan_itinerary(small_request(travelers=travelers, budget=10_000), small_catalog(), time_limit=2)
    assert it.objective[-1] == cents(it.total_cost)
    assert cents(it.total_cost) == sum(cents(v) for v in it.costs_by_category.values())
