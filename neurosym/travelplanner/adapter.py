"""TravelPlanner queries as neurosym problems, and neurosym itineraries as TravelPlanner plans.

Sole-planning mode: a query's own reference information is its whole world.

* :func:`to_catalog` turns the reference information into a :class:`~neurosym.catalog.Catalog`
  and :func:`to_request` the query into a :class:`~neurosym.request.TripRequest`.
* :func:`rules_path` is ``rules/travelplanner/travelplanner.lp``, the benchmark's conventions that the
  core rules do not already enforce (attractions on every full day, no self-driving
  mixed with flights or taxis); :func:`plan` and :func:`plan_query` switch it on.
* :func:`to_plan` writes an :class:`~neurosym.itinerary.Itinerary` as the benchmark's
  list of day dicts, in exactly the strings its checker parses.

The mapping is the same for every query: nothing here depends on a particular query.
The benchmark looks a place up by the *first row of its city whose name contains the
written name*; a row that this lookup would not find (its name is contained in an
earlier row's name, or repeats it) cannot be written down unambiguously, so it is left
out of the catalog. Every place of the catalog therefore round-trips: the name the
exporter writes is read back by the checker as the very row that was planned with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time
from pathlib import Path
from typing import Any

from ..catalog import (
    Attraction,
    Catalog,
    City,
    Flight,
    GroundLeg,
    Hotel,
    HouseRules,
    Restaurant,
    RoomType,
    TransportMode,
)
from ..itinerary import Itinerary
from ..request import Travelers, TripRequest
from ..rules import TRAVELPLANNER_FILE, rule_file
from .loader import TPAccommodation, TPAttraction, TPFlight, TPGroundLeg, TPQuery, TPRestaurant

#: The benchmark's conventions as a user rule file (shipped in ``rules/travelplanner/``).
RULES_FILE = TRAVELPLANNER_FILE

#: How long a visit to an attraction lasts (the data has no durations).
VISIT_MINUTES = 90
#: Ground legs may leave at these times; one more, earlier, departure is added for a leg
#: that would otherwise arrive too late to check in (see :func:`ground_departures`).
GROUND_DEPARTURES = (time(6, 0), time(8, 0), time(10, 0), time(13, 0), time(16, 0))
#: A ground leg's early departure is chosen to arrive by this time (minutes after midnight).
ARRIVE_BY = 23 * 60
#: Drives lasting this long or longer are invalid in the benchmark (their duration says "day").
MAX_GROUND_MINUTES = 24 * 60

_GROUND_MODES = {"self-driving": ("drive", 5), "taxi": ("taxi", 4)}
_ROOM_TYPES: dict[str, RoomType] = {
    "Entire home/apt": "entire_home", "Private room": "private_room", "Shared room": "shared_room",
}
_WANTED_ROOMS: dict[str, list[RoomType]] = {
    "entire room": ["entire_home"],
    "private room": ["private_room"],
    "shared room": ["shared_room"],
    "not shared room": ["entire_home", "private_room", "hotel_room"],
}
_HOUSE_RULES = {"parties": "parties", "smoking": "smoking", "pets": "pets", "visitors": "visitors",
                "children under 10": "children"}
_EXCLUDED: dict[str, list[TransportMode]] = {"no flight": ["flight"], "no self-driving": ["drive"]}


def rules_path() -> Path:
    """``rules/travelplanner/travelplanner.lp``: the benchmark's conventions, enforced like any user rule file."""
    return rule_file(RULES_FILE)


# --------------------------------------------------------------------------- query -> request


def destination_cities(query: TPQuery) -> list[str]:
    """The cities the trip may visit.

    A 1-city trip goes to ``dest``; a longer one to the cities that have place tables in
    the reference information (the benchmark picked them in the state ``dest``), in the
    order the reference lists them.
    """
    if query.visiting_city_number == 1:
        return [query.dest]
    ref = query.reference
    seen = dict.fromkeys([*ref.attractions, *ref.restaurants, *ref.accommodations])
    return [c for c in seen if c != query.org]


def to_request(query: TPQuery) -> TripRequest:
    """The query as a :class:`TripRequest` (its local constraints become hard rules)."""
    lc = query.local_constraint
    return TripRequest(
        origin=query.org,
        destinations=destination_cities(query),
        visit_count=query.visiting_city_number,
        start=query.dates[0],
        end=query.dates[-1],
        travelers=Travelers(adults=query.people_number),
        budget=float(query.budget),
        room_types=_WANTED_ROOMS[lc.room_type] if lc.room_type else None,
        house_rules=[_HOUSE_RULES[lc.house_rule]] if lc.house_rule else [],  # type: ignore[list-item]
        cuisines=list(lc.cuisine or []),
        exclude_modes=_EXCLUDED[lc.transportation] if lc.transportation else [],
        return_after_midnight=True,   # the benchmark sets no limit on when the last leg lands
    )


# --------------------------------------------------------------------------- reference -> catalog


def _first_containing(rows: Sequence[Any], name: str) -> Any:
    """The benchmark's lookup: the first row whose name contains ``name``."""
    return next((row for row in rows if name in row.name), None)


def _round_trips(rows: Sequence[Any]) -> list[tuple[int, Any]]:
    """The rows (with their position) that the benchmark finds again from ``"Name, City"``.

    The exported entry is split at its last comma (so a name is read back whole, commas
    and all, as long as it is a single line) and looked up by substring; rows whose
    name would resolve to another row, or that cannot be written on one line or inside a
    ``;``-separated list, are left out.
    """
    kept = []
    for n, row in enumerate(rows):
        name = row.name
        if not name or "\n" in name or "\r" in name or ";" in name or name != name.strip():
            continue
        if _first_containing(rows, name) is not row:
            continue
        kept.append((n, row))
    return kept


def _centre(attractions: Sequence[TPAttraction]) -> tuple[float, float] | None:
    pts = [(a.lat, a.lon) for a in attractions if -90 <= a.lat <= 90 and -180 <= a.lon <= 180]
    if not pts:
        return None
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def _clock(text: str) -> time | None:
    try:
        h, m = (int(x) for x in text.strip().split(":"))
        return time(h % 24, m)
    except ValueError:
        return None


def _flight(f: TPFlight) -> Flight | None:
    dep, arr = _clock(f.dep_time), _clock(f.arr_time)
    if dep is None or arr is None:
        return None
    # Local wall-clock times: an arrival at or before the departure time is the next day.
    offset = 1 if (arr.hour, arr.minute) <= (dep.hour, dep.minute) else 0
    return Flight(number=f.number, origin=f.origin, destination=f.dest, date=f.date, departure=dep,
                  arrival=arr, arrival_day_offset=offset, price=f.price,
                  id=f"f:{f.number}@{f.date.isoformat()}:{f.origin}>{f.dest}")


def ground_departures(duration_min: int) -> list[time]:
    """Departure times offered for a drive or taxi of this duration.

    The fixed daytime times, plus, for a long drive that would reach its city only after
    :data:`ARRIVE_BY` from every one of them, the latest quarter hour that still arrives
    by then (a long first leg leaves home early, as people do).
    """
    times = set(GROUND_DEPARTURES)
    first = min(t.hour * 60 + t.minute for t in GROUND_DEPARTURES)
    latest = (ARRIVE_BY - duration_min) // 15 * 15
    if 0 <= latest < first:
        times.add(time(latest // 60, latest % 60))
    return sorted(times)


def _ground(leg: TPGroundLeg) -> GroundLeg | None:
    if leg.cost is None or leg.duration_minutes is None or leg.duration_minutes <= 0:
        return None
    if leg.duration_minutes >= MAX_GROUND_MINUTES:
        return None
    mode, capacity = _GROUND_MODES[leg.mode]
    return GroundLeg(id=f"g:{mode}:{leg.origin}>{leg.dest}", mode=mode, origin=leg.origin,  # type: ignore[arg-type]
                     destination=leg.dest, duration_min=leg.duration_minutes, distance_km=leg.distance_km,
                     cost=leg.cost, cost_basis="per_vehicle", vehicle_capacity=capacity,
                     departures=ground_departures(leg.duration_minutes))


def _house_rules(row: TPAccommodation) -> HouseRules:
    text = row.house_rules_text  # the benchmark tests "No <rule>" as a substring of this text
    return HouseRules(**{ours: f"No {theirs}" not in text for theirs, ours in _HOUSE_RULES.items()})


def _hotel(n: int, row: TPAccommodation, city: str) -> Hotel:
    return Hotel(id=f"h:{city}:{n}", name=row.name, city=city, price=row.price, price_basis="per_room",
                 room_type=_ROOM_TYPES.get(row.room_type, "hotel_room"),
                 max_occupancy=max(1, row.maximum_occupancy), check_in_start=time(0, 0),
                 check_in_end=None, check_out=time(12, 0), min_nights=max(1, row.minimum_nights),
                 house_rules=_house_rules(row), rating=min(5.0, max(0.0, row.review_rate)))


def _attraction(n: int, row: TPAttraction, city: str) -> Attraction:
    ok = -90 <= row.lat <= 90 and -180 <= row.lon <= 180
    return Attraction(id=f"a:{city}:{n}", name=row.name, city=city, lat=row.lat if ok else None,
                      lon=row.lon if ok else None, duration_min=VISIT_MINUTES, price=0)


def _restaurant(n: int, row: TPRestaurant, city: str) -> Restaurant:
    return Restaurant(id=f"r:{city}:{n}", name=row.name, city=city, cuisines=list(row.cuisines),
                      price=row.average_cost, rating=min(5.0, max(0.0, row.rating)))


def _unique(items: Iterable[Any]) -> list[Any]:
    """The items without repeated ids (the first one is kept)."""
    seen: dict[str, Any] = {}
    for it in items:
        seen.setdefault(it.id, it)
    return list(seen.values())


def to_catalog(query: TPQuery) -> Catalog:
    """The query's reference information as a :class:`Catalog`.

    Cities are the origin and the destinations (centre: the mean of their attractions'
    coordinates, else 0, 0; hotels and restaurants have no coordinates and stand at the
    centre). Flights, drives (cost per car of 5) and taxis (per taxi of 4) come from
    their tables; a drive without information or lasting a day or more is left out.
    Hotels' check-in is open all day (the data has no hours), check-out is at noon.
    Attractions are open all the time, free, and visited for :data:`VISIT_MINUTES`.
    """
    ref = query.reference
    dests = destination_cities(query)
    cities = []
    for name in [query.org, *dests]:
        lat, lon = _centre(ref.attractions.get(name, [])) or (0.0, 0.0)
        cities.append(City(name=name, lat=lat, lon=lon))
    known = {c.name for c in cities}

    flights: list[Flight] = []
    numbers: dict[str, TPFlight] = {}
    for search in ref.flights:
        for f in search.flights:
            numbers.setdefault(f.number, f)
    for search in ref.flights:
        for f in search.flights:
            # the benchmark prices a flight by the first flight of that number in the reference
            if numbers[f.number] is not f and numbers[f.number].price != f.price:
                continue
            if f.origin in known and f.dest in known and f.origin != f.dest and (fl := _flight(f)):
                flights.append(fl)
    ground = [g for leg in ref.ground
              if leg.origin in known and leg.dest in known and leg.origin != leg.dest and (g := _ground(leg))]

    hotels: list[Hotel] = []
    attractions: list[Attraction] = []
    restaurants: list[Restaurant] = []
    for city in dests:
        hotels += [_hotel(n, r, city) for n, r in _round_trips(ref.accommodations.get(city, []))]
        attractions += [_attraction(n, r, city) for n, r in _round_trips(ref.attractions.get(city, []))]
        restaurants += [_restaurant(n, r, city) for n, r in _round_trips(ref.restaurants.get(city, []))]
    return Catalog(name=f"travelplanner-{query.idx}", cities=cities, flights=_unique(flights),
                   ground_legs=_unique(ground), hotels=hotels, attractions=attractions, restaurants=restaurants)


# --------------------------------------------------------------------------- itinerary -> plan

MEAL_KINDS = ("breakfast", "lunch", "dinner")


def _entry(name: str, city: str) -> str:
    return f"{name}, {city}"


def _duration_text(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    return f"{h} hour{'s' if h != 1 else ''} {m} min{'s' if m != 1 else ''}"


def _distance_text(km: float | None) -> str:
    if km is None:
        return "unknown"
    return f"{km:,.0f} km" if float(km).is_integer() else f"{km:,} km"


def transportation_text(item: Flight | GroundLeg) -> str:
    """A leg as the benchmark writes it (``Flight Number: ...`` / ``Self-driving, ...`` / ``Taxi, ...``)."""
    ends = f"from {item.origin} to {item.destination}"
    if isinstance(item, Flight):
        return (f"Flight Number: {item.number}, {ends}, Departure Time: {item.departure:%H:%M}, "
                f"Arrival Time: {item.arrival:%H:%M}")
    label = {"drive": "Self-driving", "taxi": "Taxi"}.get(item.mode, item.mode.capitalize())
    return (f"{label}, {ends}, duration: {_duration_text(item.duration_min)}, "
            f"distance: {_distance_text(item.distance_km)}, cost: {int(item.cost)}")


def to_plan(itinerary: Itinerary, catalog: Catalog) -> list[dict[str, Any]]:
    """The itinerary as the benchmark's plan: one dict per day, ``-`` for an empty field.

    A travel day's city is ``from A to B``; a meal or visit is written with the city it
    takes place in (on a travel day, either end); the accommodation is the hotel of the
    night that follows the day (``-`` on the last day).
    """
    idx = catalog.index()
    legs = {leg.day: leg for leg in itinerary.legs}
    hotel_of = {st.city: st for st in itinerary.stays}
    plan: list[dict[str, Any]] = []
    last = len(itinerary.days)
    for day in itinerary.days:
        leg = legs.get(day.day)
        entry: dict[str, Any] = {
            "days": day.day,
            "current_city": (f"from {day.start_city} to {day.end_city}" if day.is_travel_day
                             else day.start_city),
            "transportation": transportation_text(idx[leg.item_id]) if leg else "-",  # type: ignore[arg-type]
        }
        meals = {k: "-" for k in MEAL_KINDS}
        visits: list[str] = []
        for ev in day.events:
            if ev.item_id is None or ev.kind not in (*MEAL_KINDS, "visit"):
                continue
            place = idx[ev.item_id]
            text = _entry(place.name, place.city)  # type: ignore[union-attr]
            if ev.kind == "visit":
                visits.append(text)
            else:
                meals[ev.kind] = text
        entry["breakfast"] = meals["breakfast"]
        entry["attraction"] = "".join(f"{v};" for v in visits) or "-"
        entry["lunch"] = meals["lunch"]
        entry["dinner"] = meals["dinner"]
        stay = hotel_of.get(day.end_city)
        entry["accommodation"] = _entry(stay.name, stay.city) if stay and day.day < last else "-"
        plan.append(entry)
    return plan


def plan(request: TripRequest, catalog: Catalog, *, time_limit: float | None = 5.0) -> Itinerary:
    """:func:`~neurosym.planner.plan_itinerary` with the benchmark's conventions switched on.

    Dominance pruning stays on (the planner turns it off for user rule files unless
    asked): the conventions never single out one candidate. A full day needs *some*
    attraction, and the transport rule looks only at a leg's mode, which pruning keeps
    (legs are compared only with legs of the same mode, day and cities).
    """
    from ..planner import plan_itinerary

    return plan_itinerary(request, catalog, time_limit=time_limit, **plan_options())


def plan_options() -> dict[str, Any]:
    """The keyword arguments of ``plan_itinerary`` (and ``plan_many``) that :func:`plan`
    adds: the conventions file, with dominance pruning kept on."""
    return {"rules": [rules_path()], "prune": True}


def plan_query(query: TPQuery, *, time_limit: float | None = 5.0) -> tuple[list[dict[str, Any]], Itinerary]:
    """Plan one query in sole-planning mode; the benchmark's plan and the itinerary.

    Raises :class:`~neurosym.planner.NoItinerary` when no plan obeys every rule.
    """
    catalog = to_catalog(query)
    itinerary = plan(to_request(query), catalog, time_limit=time_limit)
    return to_plan(itinerary, catalog), itinerary


__all__ = [
    "GROUND_DEPARTURES",
    "RULES_FILE",
    "VISIT_MINUTES",
    "destination_cities",
    "ground_departures",
    "plan",
    "plan_options",
    "plan_query",
    "rules_path",
    "to_catalog",
    "to_plan",
    "to_request",
    "transportation_text",
]

