"""What the traveller asks for: :class:`TripRequest`, validated at the boundary."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Literal

from pydantic import Field, model_validator

from .catalog import HouseRule, RoomType, TransportMode, minutes
from .catalog import InputModel as Model  # extra fields, infinities and bad text refused
from .limits import (MAX_ADULTS, MAX_BUDGET, MAX_CHILDREN, MAX_DESTINATIONS, MAX_EXCLUDES, MAX_KEEPS, MAX_PETS,
                     MAX_SLOTS_PER_KIND, MAX_TRIP_DAYS, MAX_WEIGHT)


class Travelers(Model):
    """Who travels. Children need a seat and a bed; pets need a pet-friendly stay."""

    adults: int = Field(default=1, ge=1, le=MAX_ADULTS)
    children: int = Field(default=0, ge=0, le=MAX_CHILDREN)
    pets: int = Field(default=0, ge=0, le=MAX_PETS)

    @property
    def people(self) -> int:
        return self.adults + self.children


class Weights(Model):
    """Weights of the objective (see :mod:`neurosym.objective`).

    The preference score of every chosen item is multiplied by its category weight; the
    planner maximises these points net of what the money spent is worth (``money``
    points per unit of money per traveller) and of the night-time penalty of legs. Among
    itineraries of equal value, the cheapest wins. Set a category weight to 0 to make it
    indifferent, ``money`` to 0 to spend the budget freely (the cost then only breaks ties).
    """

    hotel: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    attraction: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    restaurant: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    transport: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    money: float = Field(default=1.0, ge=0, le=MAX_WEIGHT,
                         description="preference points one unit of money per traveller is worth (a perfectly "
                                     "liked item is worth 100 points)")


class DaySlots(Model):
    """The day's template: the times at which meals and visits may start.

    The planner places each meal or visit at one of these start times, so an itinerary
    is always timed exactly; more start times give more freedom and a larger search.
    """

    breakfast: list[time] = Field(default_factory=lambda: [time(8, 0)], max_length=MAX_SLOTS_PER_KIND)
    lunch: list[time] = Field(default_factory=lambda: [time(12, 30), time(13, 30)], max_length=MAX_SLOTS_PER_KIND)
    dinner: list[time] = Field(default_factory=lambda: [time(19, 0), time(20, 0)], max_length=MAX_SLOTS_PER_KIND)
    visits: list[time] = Field(default_factory=lambda: [
        time(9, 30), time(11, 0), time(14, 30), time(16, 30), time(21, 0)], max_length=MAX_SLOTS_PER_KIND)


class Keep(Model):
    """An item the itinerary must contain: already booked, or pinned by the traveller.

    ``item_id`` is a catalog id (flight, ground leg, hotel, attraction or restaurant).
    The other fields narrow it down, each optional:

    - ``day``: the trip day (1-based) of a leg, meal or visit; for a hotel, the first
      night of the stay;
    - ``start``: the start time of a meal or visit (one of the request's slots), or the
      departure time of a ground leg;
    - ``nights``: for a hotel, the number of nights from ``day`` on (default 1).

    A ``hard`` keep is a rule (``keep_missing`` in ``rules/keep.lp``): no itinerary
    without it is returned. A soft keep (``hard=False``) is kept where possible: the
    planner first keeps as many soft keeps as it can, then optimises as usual (used
    when re-planning, so that what still works stays where it was).
    """

    item_id: str = Field(min_length=1)
    day: int | None = Field(default=None, ge=1, le=MAX_TRIP_DAYS)
    start: time | None = None
    nights: int | None = Field(default=None, ge=1, le=MAX_TRIP_DAYS)
    hard: bool = True


class TripRequest(Model):
    """A trip: from ``origin`` and back, visiting cities between ``start`` and ``end``.

    ``destinations`` are the cities that may be visited; ``visit_count`` says how many of
    them (all of them when ``None``). The order is the planner's choice unless
    ``fixed_order`` is set. ``budget`` covers everything for everybody.
    """

    origin: str = Field(description="the home city: the trip starts and ends there")
    destinations: list[str] = Field(min_length=1, max_length=MAX_DESTINATIONS, description="cities that may be visited")
    visit_count: int | None = Field(default=None, ge=1, le=MAX_DESTINATIONS, description="how many of them to visit (default: all)")
    fixed_order: bool = Field(default=False, description="visit the destinations in the order given")
    start: date = Field(description="the first day (leaving home)")
    end: date = Field(description="the last day (back home)")
    travelers: Travelers = Field(default_factory=Travelers, description="who travels")
    budget: float = Field(gt=0, le=MAX_BUDGET,
                          description="in the catalog's currency; at most 10 million (exact cents in 32 bits)")
    room_types: list[RoomType] | None = Field(default=None, description="acceptable room types (default: any)")
    house_rules: list[HouseRule] = Field(
        default_factory=list,
        description="what the party needs a stay to allow (pets and children are added from travelers)")
    cuisines: list[str] = Field(default_factory=list, max_length=100, description="each must be served at some meal")
    exclude_modes: list[TransportMode] = Field(default_factory=list, description="transport modes not to use")
    earliest_departure: time | None = Field(default=None, description="leave home no earlier than this")
    latest_return: time | None = Field(default=None, description="be back home no later than this")
    return_after_midnight: bool = Field(
        default=False, description="allow arriving home after midnight at the end of the last day (by default "
                                   "the trip ends on its last day)")
    pace: int = Field(default=2, ge=0, le=4, description="at most this many visits per day")
    meals: Literal["all", "optional"] = Field(
        default="all", description="\"all\": breakfast, lunch and dinner on every day spent in one city")
    weights: Weights = Field(default_factory=Weights, description="weights of the objective per category")
    slots: DaySlots = Field(default_factory=DaySlots, description="the start times of meals and visits")
    keep: list[Keep] = Field(default_factory=list, max_length=MAX_KEEPS,
                             description="items the itinerary must contain (booked already, or pinned)")
    exclude: list[str] = Field(default_factory=list, max_length=MAX_EXCLUDES,
                               description="catalog ids the itinerary must not use (sold out, or unwanted)")

    @model_validator(mode="after")
    def _check(self) -> "TripRequest":
        if self.end <= self.start:
            raise ValueError("end must be after start (a trip has at least one night)")
        if self.n_days > MAX_TRIP_DAYS:
            raise ValueError(f"the trip has {self.n_days} days, more than the limit of {MAX_TRIP_DAYS}")
        if len(set(self.destinations)) != len(self.destinations):
            raise ValueError("destinations lists a city twice")
        if self.origin in self.destinations:
            raise ValueError("origin is also a destination")
        if self.visit_count is not None and self.visit_count > len(self.destinations):
            raise ValueError(f"visit_count={self.visit_count} but only {len(self.destinations)} destinations")
        if self.n_cities > self.n_days - 1:
            raise ValueError(f"{self.n_cities} cities need at least {self.n_cities} nights")
        for i, k in enumerate(self.keep):
            if k.day is not None and k.day > self.n_days:
                raise ValueError(f"keep[{i}].day: day {k.day} is after the trip's last day {self.n_days}")
            if k.nights is not None and k.day is None:
                raise ValueError(f"keep[{i}].nights: give the day of the first night too")
            if k.item_id in self.exclude:
                raise ValueError(f"keep[{i}].item_id: {k.item_id!r} is also excluded")
        return self

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def n_cities(self) -> int:
        return self.visit_count or len(self.destinations)

    def day_date(self, day: int) -> date:
        """Date of trip day ``day`` (1-based)."""
        return self.start + timedelta(days=day - 1)

    def needs(self) -> list[HouseRule]:
        """House rules the party needs, including pets and children from the travellers."""
        need = set(self.house_rules)
        if self.travelers.pets:
            need.add("pets")
        if self.travelers.children:
            need.add("children")
        return sorted(need)

    @property
    def earliest_departure_min(self) -> int | None:
        return None if self.earliest_departure is None else minutes(self.earliest_departure)

    @property
    def latest_return_min(self) -> int | None:
        return None if self.latest_return is None else minutes(self.latest_return)
