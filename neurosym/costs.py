"""What things cost, counted per seat, vehicle, room or person as the catalog says.

The same arithmetic as ``rules/budget.lp``, in plain Python, for the itinerary's cost
breakdown and for :func:`neurosym.verify`. Amounts are integer cents.
"""

from __future__ import annotations

import math

from .catalog import Attraction, Flight, GroundLeg, Hotel, Restaurant


def cents(amount: float) -> int:
    """An amount of money in whole cents (rounded half up)."""
    return int(math.floor(amount * 100 + 0.5))


def leg_units(leg: Flight | GroundLeg, people: int) -> int:
    """Seats or per-person fares for a flight or per-person leg, vehicles otherwise."""
    if isinstance(leg, Flight) or leg.cost_basis == "per_person":
        return people
    return math.ceil(people / leg.vehicle_capacity)


def leg_cost(leg: Flight | GroundLeg, people: int) -> int:
    price = leg.price if isinstance(leg, Flight) else leg.cost
    return cents(price) * leg_units(leg, people)


def rooms(hotel: Hotel, people: int) -> int:
    """Rooms needed: ceil(people / maximum occupancy)."""
    return math.ceil(people / hotel.max_occupancy)


def night_cost(hotel: Hotel, people: int) -> int:
    if hotel.price_basis == "per_person":
        return cents(hotel.price) * people
    return cents(hotel.price) * rooms(hotel, people)


def place_cost(place: Attraction | Restaurant, people: int) -> int:
    return cents(place.price) * people
