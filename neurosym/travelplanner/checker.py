"""The TravelPlanner benchmark's commonsense and hard checks, reimplemented.

The checks follow the benchmark's evaluation code (``evaluation/commonsense_constraint.py``,
``hard_constraint.py`` and ``eval.py`` of OSU-NLP-Group/TravelPlanner) exactly, including
its reading of plan strings, so that :func:`score` reproduces the benchmark's figures:

* Only the first ``query.days`` entries of a plan are looked at.
* A place ``"Name, City"`` is split at its last comma; ``"City(State)"`` loses the
  parenthesis. The place is the first row of that city whose name *contains* ``Name``.
* ``"from A to B"`` is read with the benchmark's pattern: ``A`` up to the first `` to ``,
  ``B`` up to the next comma.
* Attractions are the ``;``-separated entries of the field *before its last* ``;`` (the
  field is expected to end with ``;``; an entry after the last ``;`` is ignored).
* Repeated restaurants and attractions are detected on the raw strings.

Where the benchmark's behaviour is surprising, the docstring of the check says so.
Where the benchmark would crash on malformed input, the check fails with a reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from .loader import (
    TPAccommodation,
    TPAttraction,
    TPGroundLeg,
    TPQuery,
    TPRestaurant,
    read_city_states,
    read_distance_csv,
    read_place_csv,
)

COMMONSENSE_CHECKS = (
    "within_sandbox",
    "within_current_city",
    "complete_information",
    "reasonable_city_route",
    "diverse_restaurants",
    "diverse_attractions",
    "non_conflicting_transport",
    "minimum_nights",
)
"""The eight commonsense checks, as :class:`CheckResult` fields."""

HARD_CHECKS = ("budget", "house_rule", "cuisine", "room_type", "transportation")
"""The five hard checks, as :class:`CheckResult` fields."""

MEALS = ("breakfast", "lunch", "dinner")
DAY_FIELDS = ("transportation", "breakfast", "attraction", "lunch", "dinner", "accommodation")
NO_MORE_DAYS = "You don't need to fill in the information for this or later days."
"""A ``current_city`` the benchmark's planners write on unused days; such a day does not count."""

_ROOM_TYPES = {"entire room": "Entire home/apt", "private room": "Private room", "shared room": "Shared room"}


# --------------------------------------------------------------------------- database


@dataclass(frozen=True)
class TPDatabase:
    """The tables a plan is checked against: places by city, ground legs, city states.

    Flights are always taken from the query's reference information, because the
    benchmark's flights table is not shipped with the data; like the benchmark, a flight
    is valid when its number, origin and destination match (its date is not checked).
    """

    attractions: Mapping[str, Sequence[TPAttraction]]
    restaurants: Mapping[str, Sequence[TPRestaurant]]
    accommodations: Mapping[str, Sequence[TPAccommodation]]
    ground: Mapping[tuple[str, str, str], TPGroundLeg]
    city_states: Mapping[str, str]

    @classmethod
    def load(cls, directory: str | Path) -> TPDatabase:
        """Read the benchmark's database folder.

        It holds ``attractions.csv``, ``clean_restaurant_2022.csv``,
        ``clean_accommodations_2022.csv``, ``distance.csv`` and ``citySet_with_states.txt``.
        """
        folder = Path(directory)
        return cls(
            attractions=read_place_csv(folder / "attractions.csv", TPAttraction),
            restaurants=read_place_csv(folder / "clean_restaurant_2022.csv", TPRestaurant),
            accommodations=read_place_csv(folder / "clean_accommodations_2022.csv", TPAccommodation),
            ground=read_distance_csv(folder / "distance.csv"),
            city_states=read_city_states(folder / "citySet_with_states.txt"),
        )

    @classmethod
    def from_reference(cls, query: TPQuery) -> TPDatabase:
        """A database holding only the query's reference information.

        The reference's place tables are the database's rows for those cities, in the same
        order, so lookups there agree with the full database. The known cities are the
        query's origin and the cities with place tables; in a trip of more than 3 days
        (whose ``dest`` is a state) the latter are taken to lie in ``dest``, as the
        benchmark chose them. Places, drives and cities outside the reference are unknown.
        """
        reference = query.reference
        state = query.dest if query.days > 3 else ""
        cities = {*reference.attractions, *reference.restaurants, *reference.accommodations}
        ground: dict[tuple[str, str, str], TPGroundLeg] = {}
        for leg in reference.ground:
            ground.setdefault((leg.mode, leg.origin, leg.dest), leg)
        return cls(
            attractions=reference.attractions,
            restaurants=reference.restaurants,
            accommodations=reference.accommodations,
            ground=ground,
            city_states={query.org: "", **{city: state for city in cities}},
        )

    def attraction(self, name: str, city: str) -> TPAttraction | None:
        """The first attraction of ``city`` whose name contains ``name``."""
        return next(iter(_containing(self.attractions, name, city)), None)

    def restaurant(self, name: str, city: str) -> TPRestaurant | None:
        """The first restaurant of ``city`` whose name contains ``name``."""
        return next(iter(_containing(self.restaurants, name, city)), None)

    def accommodation(self, name: str, city: str) -> TPAccommodation | None:
        """The first accommodation of ``city`` whose name contains ``name``."""
        return next(iter(_containing(self.accommodations, name, city)), None)

    def accommodations_containing(self, name: str, city: str) -> list[TPAccommodation]:
        """Every accommodation of ``city`` whose name contains ``name``."""
        return _containing(self.accommodations, name, city)

    def ground_leg(self, mode: str, origin: str, dest: str) -> TPGroundLeg | None:
        """The ``mode`` leg (``"self-driving"`` or ``"taxi"``) from ``origin`` to ``dest``."""
        return self.ground.get((mode, origin, dest))


def _containing(table: Mapping[str, Sequence[Any]], name: str, city: str) -> list[Any]:
    return [row for row in table.get(city, ()) if name in row.name]


# --------------------------------------------------------------------------- plan strings

_FROM_TO = re.compile(r"from\s+(.+?)\s+to\s+([^,]+)")
_NAME_CITY = re.compile(r"(.*?),\s*([^,]+)$")


def _filled(value: Any) -> bool:
    """A field the benchmark counts as given: truthy and not ``-``."""
    return bool(value) and value != "-"


def _blank(value: Any) -> bool:
    """A field the completeness check counts as empty (``None`` is *not*, as in the benchmark)."""
    return value in ("", "-")


def _text(day: Mapping[str, Any], key: str) -> str:
    value = day.get(key)
    return "" if value is None else str(value)


def _from_to(text: str) -> tuple[str, str] | None:
    """``(A, B)`` of the first ``from A to B`` in ``text``; B ends at a comma."""
    match = _FROM_TO.search(text)
    return (match.group(1), match.group(2)) if match else None


def _before_parenthesis(text: str) -> str:
    """``"San Antonio(Texas)"`` -> ``"San Antonio"``: the text before a ``(`` that a ``)`` closes.

    Only a ``(`` on the first line counts, as with the benchmark's regular expression.
    """
    first_line = text.split("\n", 1)[0]
    opening = first_line.find("(")
    if opening == -1 or ")" not in text[opening + 1:]:
        return text
    return text[:opening]


def _place(entry: str) -> tuple[str, str] | None:
    """``(name, city)`` of ``"Name, City"``, split at the last comma (None if there is none)."""
    match = _NAME_CITY.search(entry)
    if not match:
        return None
    return match.group(1).strip(), _before_parenthesis(match.group(2).strip()).strip()


def _ends(text: str) -> tuple[str, str] | None:
    ends = _from_to(text)
    return (_before_parenthesis(ends[0]), _before_parenthesis(ends[1])) if ends else None


def _attractions(value: Any) -> list[str]:
    return str(value).split(";")[:-1] if _filled(value) else []


def _flight_number(transportation: str) -> str | None:
    """The text after ``Flight Number: `` up to the next comma."""
    parts = transportation.split("Flight Number: ")
    return parts[1].split(",")[0] if len(parts) > 1 else None


def _drive_mode(transportation: str) -> str | None:
    """``"self-driving"`` or ``"taxi"`` for a drive (self-driving wins if both are named)."""
    lower = transportation.lower()
    if "self-driving" in lower:
        return "self-driving"
    return "taxi" if "taxi" in lower else None


def _transport_kind(transportation: str) -> str | None:
    """The kind the non-conflict check sees (here taxi wins if both drives are named)."""
    lower = transportation.lower()
    for word, kind in (("taxi", "Taxi"), ("self-driving", "Self-driving"), ("flight", "Flight")):
        if word in lower:
            return kind
    return None


def _leg_ends(day: Mapping[str, Any]) -> tuple[str, str] | None:
    """The ends of a day's trip: from its transportation text, else from its current city."""
    return _ends(_text(day, "transportation")) or _ends(_text(day, "current_city"))


# --------------------------------------------------------------------------- check context


@dataclass(frozen=True)
class _Plan:
    query: TPQuery
    days: list[dict[str, Any]]
    database: TPDatabase

    def numbered(self) -> list[tuple[int, dict[str, Any]]]:
        return list(enumerate(self.days, start=1))


Check = Callable[[_Plan], str | None]
"""A check returns None when the plan passes, else the reason it fails."""


def _day_route(plan: _Plan) -> tuple[list[str], str | None]:
    """The cities of the plan day by day (both ends of a travel day), or a reason it has none."""
    route: list[str] = []
    for number, day in plan.numbered():
        city = _text(day, "current_city")
        if "from" not in city:
            route.append(_before_parenthesis(city))
            continue
        ends = _ends(city)
        if ends is None:
            return route, f"day {number}: cannot read 'from A to B' in current_city {city!r}"
        if number == 1 and ends[0] != plan.query.org:
            return route, f"day 1 must leave from {plan.query.org}, not {ends[0]}"
        route.extend(ends)
    return route, None


# --------------------------------------------------------------------------- commonsense


def _within_sandbox(plan: _Plan) -> str | None:
    """Every flight, drive, restaurant, attraction and accommodation exists in the data."""
    for number, day in plan.numbered():
        if _filled(day.get("transportation")):
            reason = _transport_in_sandbox(plan, day)
            if reason:
                return f"day {number}: {reason}"
        entries = [(meal, _text(day, meal)) for meal in MEALS if _filled(day.get(meal))]
        for meal, entry in entries:
            if not _found(plan.database.restaurant, entry):
                return f"day {number}: {meal} {entry!r} is not in the data"
        for entry in _attractions(day.get("attraction")):
            if not _found(plan.database.attraction, entry):
                return f"day {number}: attraction {entry!r} is not in the data"
        if _filled(day.get("accommodation")):
            entry = _text(day, "accommodation")
            if not _found(plan.database.accommodation, entry):
                return f"day {number}: accommodation {entry!r} is not in the data"
    return None


def _found(lookup: Callable[[str, str], Any], entry: str) -> bool:
    place = _place(entry)
    return place is not None and lookup(*place) is not None


def _transport_in_sandbox(plan: _Plan, day: Mapping[str, Any]) -> str | None:
    """A flight must be in the reference; a drive must have a cost in the distance data.

    Transportation naming neither a flight number nor a drive is not checked at all.
    """
    text = _text(day, "transportation")
    ends = _leg_ends(day)
    if "flight number" in text.lower():
        number = _flight_number(text)
        if ends is None or number is None:
            return f"cannot read the flight {text!r}"
        flights = plan.query.reference.flights_numbered(number)
        if not any((flight.origin, flight.dest) == ends for flight in flights):
            return f"flight {number} from {ends[0]} to {ends[1]} is not in the data"
        return None
    mode = _drive_mode(text)
    if mode is None:
        return None
    origin, dest = ends or ("-", "-")
    leg = plan.database.ground_leg(mode, origin, dest)
    if leg is None or leg.cost is None:
        return f"no {mode} from {origin} to {dest} in the data"
    return None


def _city_tokens(current_city: str) -> list[str] | None:
    """What the day's entries are matched against (None: unreadable ``from A to B``).

    On a travel day these are the two ends. On any other day the benchmark iterates over
    the city *string* itself, so its tokens are the city's characters: an entry passes
    when it contains any of them, transportation when it contains all of them, and the
    accommodation when it contains the city's last character. We reproduce that.
    """
    if "from" in current_city:
        ends = _ends(current_city)
        return list(ends) if ends else None
    return list(_before_parenthesis(current_city))


def _within_current_city(plan: _Plan) -> str | None:
    """Each entry of a day names that day's city (either end on a travel day)."""
    for number, day in plan.numbered():
        tokens = _city_tokens(_text(day, "current_city"))
        if tokens is None:
            return f"day {number}: cannot read current_city {_text(day, 'current_city')!r}"
        reason = _entries_in_city(day, tokens)
        if reason:
            return f"day {number}: {reason}"
    return None


def _entries_in_city(day: Mapping[str, Any], tokens: list[str]) -> str | None:
    if _filled(day.get("transportation")):
        text = _text(day, "transportation")
        if not all(token in text for token in tokens):
            return f"transportation {text!r} does not link the day's cities"
    entries = [(meal, _text(day, meal)) for meal in MEALS if _filled(day.get(meal))]
    entries += [("attraction", entry) for entry in _attractions(day.get("attraction"))]
    for field, entry in entries:
        if not any(token in entry for token in tokens):
            return f"{field} {entry!r} is not in the day's city"
    if _filled(day.get("accommodation")):
        text = _text(day, "accommodation")
        if not tokens or tokens[-1] not in text:
            return f"accommodation {text!r} is not in the city where the day ends"
    return None


def _complete_information(plan: _Plan) -> str | None:
    """Right number of days and cities, required fields, at most half the fields empty.

    Days are those not empty and not marked :data:`NO_MORE_DAYS`. A day whose
    ``current_city`` contains ``from `` or ``to `` needs transportation; one containing
    neither ``from `` nor `` to `` needs attractions; every day but the last needs an
    accommodation; a day without ``from `` needs all three meals (so meals are optional
    on travel days). "Half empty" counts every key of every day, ``days`` and
    ``current_city`` included, against 6 fields a day.
    """
    query = plan.query
    counted = sum(1 for day in plan.days if day and day.get("current_city") != NO_MORE_DAYS)
    if counted != query.days:
        return f"the plan has {counted} days, the query {query.days}"
    reason = _visited_city_count(plan)
    if reason:
        return reason
    given = 0
    for number, day in plan.numbered():
        reason = _day_complete(day, last=number == query.days)
        if reason:
            return f"day {number}: {reason}"
        given += sum(1 for value in day.values() if _filled(value))
    if given / (6 * query.days) < 0.5:
        return f"only {given} of {6 * query.days} fields are given"
    return None


def _visited_city_count(plan: _Plan) -> str | None:
    route, reason = _day_route(plan)
    if reason:
        return reason
    visited = set(route) - {plan.query.org}
    if len(visited) != plan.query.visiting_city_number:
        return f"the plan visits {len(visited)} cities, the query {plan.query.visiting_city_number}"
    return None


def _day_complete(day: Mapping[str, Any], *, last: bool) -> str | None:
    missing = [field for field in DAY_FIELDS if field not in day]
    if missing:
        return f"no {missing[0]} field"
    city = _text(day, "current_city")
    if ("from " in city or "to " in city) and _blank(day["transportation"]):
        return "a travel day needs transportation"
    if "from " not in city and " to " not in city and _blank(day["attraction"]):
        return "a day in a city needs attractions"
    if not last and _blank(day["accommodation"]):
        return "every day but the last needs an accommodation"
    if "from " not in city and any(_blank(day[meal]) for meal in MEALS):
        return "a day in a city needs breakfast, lunch and dinner"
    return None


def _reasonable_city_route(plan: _Plan) -> str | None:
    """The route starts and ends at the origin and visits each city in one stretch.

    The route lists every day's city (both ends of a travel day); a city between the
    ends must appear at least twice in a row. In trips of more than 3 days every city
    between the ends must be in the state ``dest``. Only a travel day 1 is checked to
    leave from the origin.
    """
    route, reason = _day_route(plan)
    if reason:
        return reason
    if route[0] != route[-1]:
        return f"the route ends in {route[-1]}, not back in {route[0]}"
    if not _one_stretch_each(route):
        return f"the route {route} does not visit each city in one stretch"
    for position, city in enumerate(route):
        if city not in plan.database.city_states:
            return f"{city} is not a known city"
        inside = 0 < position < len(route) - 1
        if inside and plan.query.days > 3 and plan.database.city_states[city] != plan.query.dest:
            return f"{city} is not in {plan.query.dest}"
    return None


def _one_stretch_each(route: Sequence[str]) -> bool:
    """Each city between the ends forms one run of at least two entries (ends may repeat)."""
    if len(route) < 3:
        return False
    last, seen, start = len(route) - 1, set(), 0
    for city, run in groupby(route):
        length = len(list(run))
        end = start + length - 1
        if city in seen and start not in (0, last):
            return False
        if length == 1 and 0 < end < last:
            return False
        seen.add(city)
        start += length
    return True


def _diverse_restaurants(plan: _Plan) -> str | None:
    """No restaurant entry (compared as written) is used twice in the trip."""
    seen: list[Any] = []
    for number, day in plan.numbered():
        for meal in MEALS:
            value = day.get(meal)
            if not _filled(value):
                continue
            if value in seen:
                return f"day {number}: {meal} {value!r} was already used"
            seen.append(value)
    return None


def _diverse_attractions(plan: _Plan) -> str | None:
    """No attraction entry (compared as written) is visited twice in the trip."""
    seen: list[str] = []
    for number, day in plan.numbered():
        for entry in _attractions(day.get("attraction")):
            if entry in seen:
                return f"day {number}: attraction {entry!r} was already visited"
            seen.append(entry)
    return None


def _non_conflicting_transport(plan: _Plan) -> str | None:
    """Day 1 has transportation, and self-driving is mixed with neither flights nor taxis."""
    if not _filled(plan.days[0].get("transportation")):
        return "day 1 has no transportation"
    kinds = {
        kind
        for day in plan.days
        if _filled(day.get("transportation")) and (kind := _transport_kind(_text(day, "transportation")))
    }
    clashing = sorted(kinds & {"Flight", "Taxi"})
    if "Self-driving" in kinds and clashing:
        return f"self-driving is mixed with {clashing}"
    return None


def _minimum_nights(plan: _Plan) -> str | None:
    """Consecutive nights at an accommodation reach its minimum-nights rule.

    As in the benchmark, the rule is only enforced when exactly one accommodation of the
    city contains the name; a name matching several rows is not checked.
    """
    if any("accommodation" not in day for day in plan.days):
        return "a day has no accommodation field"
    stays = [day["accommodation"] for day in plan.days]
    for value, run in groupby(stays):
        nights = len(list(run))
        place = _place(str(value)) if _filled(value) else None
        matches = plan.database.accommodations_containing(*place) if place else []
        if len(matches) == 1 and nights < matches[0].minimum_nights:
            return f"{value!r} is booked for {nights} nights, its minimum is {matches[0].minimum_nights}"
    return None


_COMMONSENSE: dict[str, Check] = {
    "within_sandbox": _within_sandbox,
    "within_current_city": _within_current_city,
    "complete_information": _complete_information,
    "reasonable_city_route": _reasonable_city_route,
    "diverse_restaurants": _diverse_restaurants,
    "diverse_attractions": _diverse_attractions,
    "non_conflicting_transport": _non_conflicting_transport,
    "minimum_nights": _minimum_nights,
}


# --------------------------------------------------------------------------- hard


def _total_cost(plan: _Plan) -> float:
    """The plan's cost as the benchmark computes it (places it cannot find cost nothing).

    Flights cost their price per person; a self-driving leg costs its cost per car of 5
    people, a taxi per taxi of 4; a meal costs the restaurant's average cost per person
    (meals in the origin city included); a night costs the accommodation's price times
    ``ceil(people / maximum_occupancy)``. A transportation whose ends cannot be read (from
    it or from the day's current city) costs nothing.
    """
    people = plan.query.people_number
    cost = 0.0
    for day in plan.days:
        if _filled(day.get("transportation")):
            cost += _transport_cost(plan, day)
        for meal in MEALS:
            if _filled(day.get(meal)):
                place = _place(_text(day, meal))
                restaurant = plan.database.restaurant(*place) if place else None
                cost += restaurant.average_cost * people if restaurant else 0
        if _filled(day.get("accommodation")):
            place = _place(_text(day, "accommodation"))
            stay = plan.database.accommodation(*place) if place else None
            cost += stay.price * math.ceil(people / stay.maximum_occupancy) if stay else 0
    return cost


def _transport_cost(plan: _Plan, day: Mapping[str, Any]) -> float:
    text = _text(day, "transportation")
    ends = _leg_ends(day)
    people = plan.query.people_number
    if ends is None:
        return 0
    if "flight number" in text.lower():
        number = _flight_number(text)
        flights = plan.query.reference.flights_numbered(number) if number else []
        return flights[0].price * people if flights else 0
    mode = _drive_mode(text)
    leg = plan.database.ground_leg(mode, *ends) if mode else None
    if leg is None or leg.cost is None:
        return 0
    return leg.cost * math.ceil(people / (5 if mode == "self-driving" else 4))


def _stays(plan: _Plan) -> list[tuple[int, str, TPAccommodation]]:
    """Every night's accommodation that the data knows: ``(day, entry, first matching row)``."""
    stays = []
    for number, day in plan.numbered():
        if _filled(day.get("accommodation")):
            entry = _text(day, "accommodation")
            place = _place(entry)
            stay = plan.database.accommodation(*place) if place else None
            if stay:
                stays.append((number, entry, stay))
    return stays


def _house_rule(plan: _Plan) -> str | None:
    """No accommodation forbids what the travellers bring ("No pets", "No parties"...)."""
    forbidden = f"No {plan.query.local_constraint.house_rule}"
    for number, entry, stay in _stays(plan):
        if forbidden in stay.house_rules_text:
            return f"day {number}: {entry!r} says {forbidden!r}"
    return None


def _room_type(plan: _Plan) -> str | None:
    """Every accommodation has the wanted room type ("not shared room": anything but shared)."""
    wanted = plan.query.local_constraint.room_type or ""
    for number, entry, stay in _stays(plan):
        if not _room_type_ok(wanted, stay.room_type):
            return f"day {number}: {entry!r} is a {stay.room_type!r}, not a {wanted}"
    return None


def _room_type_ok(wanted: str, room_type: str) -> bool:
    if wanted == "not shared room":
        return room_type != "Shared room"
    return room_type == _ROOM_TYPES[wanted]


def _cuisine(plan: _Plan) -> str | None:
    """Every wanted cuisine is served by some restaurant of the trip outside the origin.

    A cuisine is served when its name is a substring of the restaurant's cuisines.
    Benchmark quirk: once a meal of a day is in the origin city, the day's later meals
    are not looked at either.
    """
    wanted = plan.query.local_constraint.cuisine or []
    served: set[str] = set()
    for day in plan.days:
        for meal in MEALS:
            if not _filled(day.get(meal)):
                continue
            name, city = _place(_text(day, meal)) or ("-", "-")
            if city == plan.query.org:
                break
            restaurant = plan.database.restaurant(name, city)
            if restaurant:
                served.update(c for c in wanted if c in restaurant.cuisines_text)
    missing = [cuisine for cuisine in wanted if cuisine not in served]
    return f"no restaurant serves {', '.join(missing)}" if missing else None


def _transportation_rule(plan: _Plan) -> str | None:
    """"no flight" forbids any transportation naming ``Flight``; "no self-driving" ``Self-driving``."""
    rule = plan.query.local_constraint.transportation
    word = "Flight" if rule == "no flight" else "Self-driving"
    for number, day in plan.numbered():
        if _filled(day.get("transportation")) and word in _text(day, "transportation"):
            return f"day {number}: {rule} but {_text(day, 'transportation')!r}"
    return None


_HARD: dict[str, Check] = {
    "house_rule": _house_rule,
    "cuisine": _cuisine,
    "room_type": _room_type,
    "transportation": _transportation_rule,
}
"""Hard checks of the local constraints, named like the :class:`TPLocalConstraint` fields."""


# --------------------------------------------------------------------------- results


class CheckResult(BaseModel):
    """The outcome of every check for one plan.

    A check is True (passed), False (failed, with its reason in ``reasons``) or None:
    not applicable (a hard constraint the query does not set) or not evaluated (the plan
    was not delivered, or, as in the benchmark, the hard checks are skipped because the
    plan is incomplete or leaves the sandbox: see ``hard_evaluated``).
    """

    model_config = ConfigDict(frozen=True)

    delivered: bool
    within_sandbox: bool | None = None
    within_current_city: bool | None = None
    complete_information: bool | None = None
    reasonable_city_route: bool | None = None
    diverse_restaurants: bool | None = None
    diverse_attractions: bool | None = None
    non_conflicting_transport: bool | None = None
    minimum_nights: bool | None = None
    hard_evaluated: bool = False
    budget: bool | None = None
    house_rule: bool | None = None
    cuisine: bool | None = None
    room_type: bool | None = None
    transportation: bool | None = None
    total_cost: float | None = None
    reasons: dict[str, str] = {}

    @computed_field  # type: ignore[prop-decorator]
    @property
    def commonsense_pass(self) -> bool:
        """Delivered and every commonsense check passed."""
        return self.delivered and all(getattr(self, name) is True for name in COMMONSENSE_CHECKS)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def hard_pass(self) -> bool:
        """Hard checks evaluated and none of them failed."""
        return self.hard_evaluated and all(getattr(self, name) is not False for name in HARD_CHECKS)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def final_pass(self) -> bool:
        """Both of the above: the benchmark's final pass."""
        return self.commonsense_pass and self.hard_pass

    def failed(self) -> list[str]:
        """Names of the checks that failed."""
        return [name for name in (*COMMONSENSE_CHECKS, *HARD_CHECKS) if getattr(self, name) is False]


def _context(query: TPQuery, plan: Sequence[Mapping[str, Any]], database: TPDatabase | None) -> _Plan:
    days = [dict(day) if isinstance(day, Mapping) else {} for day in plan[: query.days]]
    return _Plan(query, days, database or TPDatabase.from_reference(query))


def check_plan(
    query: TPQuery, plan: Sequence[Mapping[str, Any]] | None, database: TPDatabase | None = None
) -> CheckResult:
    """Run the benchmark's checks on ``plan`` (a list of day dicts) for ``query``.

    With ``database=None`` the query's reference information is the only data (see
    :meth:`TPDatabase.from_reference`); the benchmark itself uses the full database
    (:meth:`TPDatabase.load`). An empty or missing plan is not delivered.
    """
    if not plan:
        return CheckResult(delivered=False, reasons={"delivered": "no plan"})
    if isinstance(plan, (str, bytes)) or not isinstance(plan, Sequence):
        raise TypeError(f"a plan is a list of day dicts, not {type(plan).__name__}")
    context = _context(query, plan, database)
    outcome: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    for name, check in _COMMONSENSE.items():
        reason = check(context)
        outcome[name] = reason is None
        if reason:
            reasons[name] = reason
    if outcome["complete_information"] and outcome["within_sandbox"]:
        outcome.update(_hard_outcome(context, reasons))
    return CheckResult(delivered=True, reasons=reasons, **outcome)


def _hard_outcome(plan: _Plan, reasons: dict[str, str]) -> dict[str, Any]:
    cost = _total_cost(plan)
    outcome: dict[str, Any] = {"hard_evaluated": True, "total_cost": cost, "budget": cost <= plan.query.budget}
    if not outcome["budget"]:
        reasons["budget"] = f"the plan costs {cost:g}, the budget is {plan.query.budget}"
    constraint = plan.query.local_constraint
    for name, check in _HARD.items():
        if not getattr(constraint, name):  # unset (an empty cuisine list too, as in the benchmark)
            continue
        reason = check(plan)
        outcome[name] = reason is None
        if reason:
            reasons[name] = reason
    return outcome


def score(
    queries: Sequence[TPQuery],
    plans: Sequence[Sequence[Mapping[str, Any]] | None],
    database: TPDatabase | None = None,
) -> dict[str, float]:
    """The benchmark's six figures for one plan per query (keys as ``eval.py`` prints them).

    Micro pass rates count passed checks: the commonsense denominator is 8 per query,
    the hard one is 1 (budget) plus the number of constraints each query sets (the
    benchmark hard-codes these totals per split: train 360/105, validation 1440/420, test
    8000/2290). Macro rates count queries passing all their checks.
    """
    if len(queries) != len(plans):
        raise ValueError(f"{len(queries)} queries but {len(plans)} plans")
    if not queries:
        raise ValueError("no queries to score")
    results = [check_plan(query, plan, database) for query, plan in zip(queries, plans, strict=True)]
    count = len(queries)
    commonsense_total = len(COMMONSENSE_CHECKS) * count
    hard_total = sum(1 + query.local_constraint.set_count() for query in queries)
    return {
        "Delivery Rate": sum(r.delivered for r in results) / count,
        "Commonsense Constraint Micro Pass Rate": _passed(results, COMMONSENSE_CHECKS) / commonsense_total,
        "Commonsense Constraint Macro Pass Rate": sum(r.commonsense_pass for r in results) / count,
        "Hard Constraint Micro Pass Rate": _passed(results, HARD_CHECKS) / hard_total,
        "Hard Constraint Macro Pass Rate": sum(r.hard_pass for r in results) / count,
        "Final Pass Rate": sum(r.final_pass for r in results) / count,
    }


def _passed(results: Sequence[CheckResult], names: Sequence[str]) -> int:
    return sum(getattr(result, name) is True for result in results for name in names)
