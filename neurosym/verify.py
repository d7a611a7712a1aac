"""An independent checker: does an itinerary obey every hard rule?

:func:`verify` re-checks, in plain Python, every hard rule of ``rules/*.lp`` from the
itinerary, the request and the catalog alone. It never reads an ASP answer and never
calls clingo, so it can audit the planner (or a hand-written itinerary). Travel times
are the shortest paths of :func:`neurosym.travel.city_graph` (read as a matrix by
:func:`neurosym.travel.travel_minutes`, a few milliseconds a city), and
costs with :mod:`neurosym.costs`.

Each broken rule is a :class:`Violation` named like the ASP rule it mirrors
(``hotel_min_nights``, ``transport_catch_leg``, ...); the structural checks that the
ASP encoding gets for free from its choice rules have names of their own
(``itinerary_unknown_item``, ``transport_move``, ``activity_repeat``, ...). The full
list, with one line each, is :data:`RULES`. An empty list means the itinerary is valid.
Bad input (unknown ids, items of the wrong kind, ...) yields violations, never an
exception.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from pydantic import BaseModel, ConfigDict

from .catalog import (DAY_NAMES, WEEKDAYS, Attraction, Catalog, Flight, GroundLeg, Hotel, Restaurant, clock,
                      duration, leg_name, minutes, mode_of)
from .costs import cents, leg_cost, leg_units, night_cost, place_cost, rooms
from .itinerary import Day, Event, Itinerary
from .problem import BUFFERS, DAY_START, MEAL_WINDOWS
from .request import Keep, TripRequest
from .travel import TravelTable, hub_id, travel_minutes
from .weather.exposure import Hour, day_hours, exposures
from .weather.forecast import Forecast

__all__ = ["RULES", "Violation", "verify"]

#: Every rule :func:`verify` checks: name -> what it demands. Names shared with
#: ``rules/*.lp`` have the same meaning as the ASP rule of that name.
RULES: dict[str, str] = {
    # structure of the itinerary itself
    "itinerary_origin": "the itinerary starts from the request's origin",
    "itinerary_days": "days 1..n with the request's dates, from the origin back to the origin, each day "
                      "starting where the previous one ended",
    "itinerary_unknown_city": "every city named exists in the catalog",
    "itinerary_unknown_item": "every item id exists in the catalog (and every event that needs one has one)",
    "itinerary_item_kind": "every item is of the kind its event or stay says (a visit is an attraction, a "
                           "meal a restaurant, a check-in a hotel, a flight a flight, a train a train leg)",
    "itinerary_event_city": "an event happens in its item's city, in a city the traveller is in that day",
    "itinerary_event_time": "an event does not end before it starts; a visit or meal lasts its catalog duration",
    "itinerary_event_order": "the events of a day are sorted by start time",
    "itinerary_overlap": "no two events of a day overlap (zero-length check-ins and check-outs may touch)",
    "itinerary_transfer_time": "between a check-in or check-out and the next or previous place of the day "
                               "in the same city there is at least the travel time",
    "itinerary_cities": "the itinerary's city list is the order of the cities slept in",
    "itinerary_legs": "the itinerary's leg list matches the day's transport events (and counts its units)",
    "itinerary_stays": "each stay's check-in date and number of nights match the nights of the days",
    "itinerary_cost_mismatch": "total_cost, costs_by_category, and leg, stay and event costs match the "
                               "costs recomputed from the catalog (to 0.01)",
    "itinerary_number": "every number of the itinerary is finite (no NaN, no infinity)",
    # route.lp
    "route_not_destination": "every night is spent in one of the request's destinations",
    "route_city_count": "as many cities are visited as the request asks for",
    "route_contiguous_stay": "each city is visited as one stretch of consecutive nights",
    "route_city_unvisited": "every city of the itinerary's city list has a night",
    "route_fixed_order": "with fixed_order, cities are visited in the order of the destinations",
    # transport.lp
    "transport_move": "each change of city is made with exactly one leg between the right cities on that "
                      "day, and a day without a move has no leg",
    "transport_leg_schedule": "a flight is taken on its date at its times; a ground leg at one of its "
                              "departure times, arriving after its duration",
    "transport_mode_excluded": "no leg uses a mode the request excludes",
    "transport_earliest_departure": "the first day's leg leaves no earlier than the earliest departure",
    "transport_latest_return": "the last day's leg arrives home no later than the latest return",
    "transport_home_after_midnight": "the last day's leg arrives home by midnight, unless the request allows "
                                     "a return after midnight",
    "transport_car_left_behind": "a trip that drives its own car drives every leg (the car comes along)",
    "transport_catch_leg": "what happens in the departure city ends in time to reach the hub before the "
                           "buffer of the leg",
    "transport_after_arrival": "what happens in the arrival city starts after leaving the hub and travelling "
                               "there",
    # hotels.lp
    "hotel_stay": "every night away is in the stay's hotel of that city, one hotel per city; the stay's "
                  "hotel is checked into on arrival and out of on departure",
    "hotel_min_nights": "a stay is at least the hotel's minimum number of nights",
    "hotel_house_rule": "the hotel allows what the party needs (pets, children, ...)",
    "hotel_room_type": "the hotel's room type is one of those asked for",
    "hotel_rooms": "the stay books ceil(people / max occupancy) rooms",
    "hotel_checkin_closed": "arriving, leaving the hub and travelling to the hotel ends before the desk closes",
    "hotel_checkin_after_events": "the arrival day's places in the city end in time to reach the desk "
                                  "before it closes",
    "hotel_checkin_time": "the check-in happens while the desk is open",
    "hotel_checkout_before_leg": "leaving the hotel for a departure is not before the day starts (05:00)",
    "hotel_checkout_time": "the check-out happens no later than the hotel's check-out time",
    # activities.lp
    "activity_city": "meals and visits are in a city the traveller is in that day",
    "activity_opening_hours": "a place is open for the whole visit or meal on that weekday",
    "activity_meal_window": "a meal lies inside its breakfast, lunch or dinner window",
    "activity_meal_per_day": "at most one breakfast, one lunch and one dinner a day",
    "activity_pace": "at most `pace` visits a day",
    "activity_repeat": "no place is visited twice in the trip",
    "activity_overlap": "between two places of a day there is at least the travel time",
    "activity_meals_every_full_day": "with meals='all', every day spent in one city has all three meals",
    "activity_cuisine": "every requested cuisine is served at some meal of the trip",
    # weather.lp (only with a forecast, and unless the request accepts bad weather)
    "weather_rain": "an outdoor visit is not in hours whose chance of rain is at or above the request's threshold",
    "weather_heat": "a long outdoor visit is not in hours at or above the request's heat limit",
    "weather_cold": "a long outdoor visit is not in hours at or below the request's cold limit",
    # budget.lp
    "budget_total": "the whole trip costs no more than the budget",
    # keep.lp, and the request's exclusions
    "keep_missing": "every hard keep of the request is in the itinerary (on its day, at its time, for its "
                    "nights, when given)",
    "request_exclude": "no item the request excludes is used",
    # the checker itself
    "verify_internal_error": "a check could not be completed (reported so that nothing passes unchecked)",
}

_LEG_KINDS = ("flight", "drive", "taxi", "train")
#: Characters of one violation's message (a longer one is cut: names can be long).
_MESSAGE_LIMIT = 2_000
#: Non-finite numbers reported one by one (the rest are counted).
_NUMBERS_LISTED = 10
_MEALS = ("breakfast", "lunch", "dinner")
_TOL = 0.01 + 1e-6


class Violation(BaseModel):
    """One broken rule: its name, the day and item concerned (if any), and a sentence with the values."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    day: int | None = None
    item_id: str | None = None
    message: str

    def __str__(self) -> str:
        where = f" (day {self.day})" if self.day is not None else ""
        return f"{self.rule}{where}: {self.message}"


def verify(itinerary: Itinerary, request: TripRequest, catalog: Catalog,
           forecast: Forecast | None = None) -> list[Violation]:
    """Every hard rule the itinerary breaks, as structured :class:`Violation` objects; ``[]`` if valid.

    The weather rules are checked only with a ``forecast`` (the one the itinerary was
    planned with, or a newer one; a provider's ``TripWeather`` is read for its forecast),
    under ``request.weather``, and not when the request accepts bad weather."""
    if forecast is not None and not isinstance(forecast, Forecast):
        forecast = getattr(forecast, "forecast", None)   # a TripWeather (None: no forecast)
    return _Checker(itinerary, request, catalog, forecast).run()


def _n(k: int, word: str) -> str:
    """``1 night``, ``2 nights``."""
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _money(amount_cents: int) -> str:
    return f"{amount_cents / 100:,.2f}"


def _name(item: object) -> str:
    if isinstance(item, (Flight, GroundLeg)):
        return leg_name(item)
    return str(getattr(item, "name", getattr(item, "id", item)))


class _Leg:
    """The leg taken on a day, with its catalog times."""

    def __init__(self, event: Event, item: Flight | GroundLeg):
        self.event, self.item = event, item
        self.mode = mode_of(item)
        self.origin, self.destination = item.origin, item.destination
        if isinstance(item, Flight):
            self.dep, self.arr = item.departure_min, item.arrival_min
        else:
            self.dep, self.arr = event.start, event.start + item.duration_min
        self.before, self.after = BUFFERS.get(self.mode, (0, 0))

    @property
    def label(self) -> str:
        return leg_name(self.item, None if isinstance(self.item, Flight) else self.event.start)


class _Checker:
    def __init__(self, itinerary: Itinerary, request: TripRequest, catalog: Catalog,
                 forecast: Forecast | None = None):
        self.it, self.req, self.cat = itinerary, request, catalog
        self.forecast = forecast
        self.out: list[Violation] = []
        self.index = {item.id: item for item in catalog.items()}
        self.city_names = {c.name for c in catalog.cities}
        self.people = request.travelers.people
        self._tables: dict[str, TravelTable | None] = {}
        # filled by the checks, read by later ones
        self.days: list[Day] = list(itinerary.days)
        self.n = len(self.days)
        self.nights: dict[int, str] = {}
        self.acts: dict[int, list[tuple[Event, Attraction | Restaurant]]] = defaultdict(list)
        self.hotel_events: dict[int, list[tuple[Event, Hotel]]] = defaultdict(list)
        self.legs: dict[int, _Leg] = {}
        self.leg_events: dict[int, list[tuple[Event, Flight | GroundLeg]]] = defaultdict(list)
        self.stay_hotel: dict[str, Hotel] = {}

    # -- plumbing --------------------------------------------------------------------
    def add(self, rule: str, day: int | None, item_id: str | None, message: str) -> None:
        if len(message) > _MESSAGE_LIMIT:
            message = message[:_MESSAGE_LIMIT] + f"... ({len(message):,} characters)"
        if item_id is not None and len(item_id) > _MESSAGE_LIMIT:
            item_id = item_id[:_MESSAGE_LIMIT] + "..."
        v = Violation(rule=rule, day=day, item_id=item_id, message=message)
        if v not in self.out:
            self.out.append(v)

    def run(self) -> list[Violation]:
        if not self.days:
            self.add("itinerary_days", None, None,
                     f"the itinerary has no days; the trip has {self.req.n_days}")
        steps = (self.check_numbers, self.check_request_cities, self.check_days, self.check_route, self.check_events,
                 self.check_transport, self.check_hotels, self.check_activities, self.check_weather,
                 self.check_keeps, self.check_costs)
        for step in steps:
            if not self.days and step not in (self.check_numbers, self.check_request_cities, self.check_costs):
                continue
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - fail closed: a crash is reported, never a pass
                self.add("verify_internal_error", None, None,
                         f"{step.__name__} could not finish: {type(exc).__name__}: {exc}")
        return self.out

    def travel(self, city: str, a: str, b: str) -> int | None:
        """Shortest travel time in whole minutes between two places of a city (None if unknown)."""
        if a == b:
            return 0
        if city not in self._tables:
            try:
                self._tables[city] = travel_minutes(self.cat, city)
            except KeyError:
                self._tables[city] = None
        table = self._tables[city]
        return None if table is None else table.get((a, b))

    def item(self, item_id: str | None, day: int | None, what: str) -> object | None:
        if item_id is None:
            self.add("itinerary_unknown_item", day, None, f"{what} names no catalog item")
            return None
        item = self.index.get(item_id)
        if item is None:
            self.add("itinerary_unknown_item", day, item_id, f"{what} names {item_id!r}, which is not in the catalog")
        return item

    def weekday(self, d: int) -> str:
        return WEEKDAYS[self.req.day_date(d).weekday()]

    # -- structure -------------------------------------------------------------------
    def check_numbers(self) -> None:
        """NaN or an infinity compares false with everything, so every other check would pass it."""
        bad: list[str] = []

        def walk(v: object, where: str) -> None:
            if isinstance(v, float) and not math.isfinite(v):
                bad.append(f"{where} is {v}")
            elif isinstance(v, dict):
                for k, x in v.items():
                    walk(x, f"{where}.{k}" if where else str(k))
            elif isinstance(v, (list, tuple)):
                for i, x in enumerate(v):
                    walk(x, f"{where}[{i}]")

        walk(self.it.model_dump(), "")
        bad.sort(key=lambda text: text.count(".") + text.count("["))  # the totals first
        for text in bad[:_NUMBERS_LISTED]:
            self.add("itinerary_number", None, None, f"{text}; every number of an itinerary must be finite")
        if len(bad) > _NUMBERS_LISTED:
            self.add("itinerary_number", None, None,
                     f"and {len(bad) - _NUMBERS_LISTED} more numbers of the itinerary are not finite")

    def check_request_cities(self) -> None:
        if self.it.origin != self.req.origin:
            self.add("itinerary_origin", None, None,
                     f"the itinerary starts from {self.it.origin}, the request from {self.req.origin}")
        for c in (self.req.origin, *self.req.destinations):
            if c not in self.city_names:
                self.add("itinerary_unknown_city", None, None, f"the request names {c!r}, not a city of the catalog")

    def check_days(self) -> None:
        req, days, n = self.req, self.days, self.n
        if n != req.n_days:
            self.add("itinerary_days", None, None,
                     f"the itinerary has {n} days, the trip from {req.start} to {req.end} has {req.n_days}")
        for pos, day in enumerate(days, start=1):
            if day.day != pos:
                self.add("itinerary_days", pos, None, f"day number {day.day} stands at position {pos}")
            if day.date != req.day_date(pos):
                self.add("itinerary_days", pos, None, f"day {pos} is dated {day.date}, the trip's day {pos} is "
                                                      f"{req.day_date(pos)}")
            for c in (day.start_city, day.end_city):
                if c not in self.city_names:
                    self.add("itinerary_unknown_city", pos, None, f"day {pos} names {c!r}, not a city of the catalog")
            if pos > 1 and day.start_city != days[pos - 2].end_city:
                self.add("itinerary_days", pos, None, f"day {pos} starts in {day.start_city} but day {pos - 1} "
                                                      f"ended in {days[pos - 2].end_city}")
        if days[0].start_city != req.origin:
            self.add("itinerary_days", 1, None, f"day 1 starts in {days[0].start_city}, not at the origin {req.origin}")
        if days[-1].end_city != req.origin:
            self.add("itinerary_days", n, None, f"the last day ends in {days[-1].end_city}, not back at the "
                                                f"origin {req.origin}")
        self.nights = {d: days[d - 1].end_city for d in range(1, n)}

    def check_route(self) -> None:
        req, nights = self.req, self.nights
        dests = set(req.destinations)
        for d, c in nights.items():
            if c not in dests:
                self.add("route_not_destination", d, None,
                         f"night {d} is spent in {c}, which is not one of the destinations "
                         f"{', '.join(req.destinations)}")
        order = [nights[d] for d in sorted(nights)]
        visited = list(dict.fromkeys(order))
        runs = [c for i, c in enumerate(order) if i == 0 or order[i - 1] != c]
        for c, k in Counter(runs).items():
            if k > 1:
                self.add("route_contiguous_stay", None, None,
                         f"{c} is visited {k} times, not as one stay of consecutive nights")
        if len(visited) != req.n_cities:
            self.add("route_city_count", None, None,
                     f"the trip visits {len(visited)} cities ({', '.join(visited) or 'none'}), the request asks "
                     f"for {req.n_cities}")
        if req.fixed_order:
            rank = {c: k for k, c in enumerate(req.destinations)}
            arrivals: dict[str, list[int]] = defaultdict(list)
            for d in sorted(nights):
                if d == 1 or nights[d - 1] != nights[d]:
                    arrivals[nights[d]].append(d)
            for c1 in arrivals:
                for c2 in arrivals:
                    if c1 in rank and c2 in rank and rank[c1] < rank[c2] and max(arrivals[c1]) > min(arrivals[c2]):
                        self.add("route_fixed_order", None, None,
                                 f"{c1} must come before {c2}, but {c1} is reached on day {max(arrivals[c1])} and "
                                 f"{c2} on day {min(arrivals[c2])}")
        unvisited = [c for c in self.it.cities if c not in visited]
        for c in dict.fromkeys(unvisited):
            self.add("route_city_unvisited", None, None, f"{c} is in the itinerary's cities but has no night")
        if not unvisited and list(self.it.cities) != visited:
            self.add("itinerary_cities", None, None,
                     f"the itinerary lists the cities {', '.join(self.it.cities) or 'none'}, its nights are in "
                     f"{', '.join(visited) or 'none'}")

    def check_events(self) -> None:
        for d, day in enumerate(self.days, start=1):
            here = {day.start_city, day.end_city}
            for ev in day.events:
                self._event(d, day, ev, here)
            self._order(d, day.events)

    def _event(self, d: int, day: Day, ev: Event, here: set[str]) -> None:
        what = f"the {ev.kind} at {clock(ev.start)} on day {d}"
        if ev.end < ev.start:
            self.add("itinerary_event_time", d, ev.item_id, f"{what} ends at {clock(ev.end)}, before it starts")
        if ev.city not in self.city_names:
            self.add("itinerary_unknown_city", d, ev.item_id, f"{what} is in {ev.city!r}, not a city of the catalog")
        if ev.kind == "transfer":
            if ev.item_id is not None and self.item(ev.item_id, d, what) is None:
                return
            if ev.city not in here:
                self.add("itinerary_event_city", d, ev.item_id,
                         f"{what} is in {ev.city}, but the day is spent in {' and '.join(sorted(here))}")
            return
        item = self.item(ev.item_id, d, what)
        if item is None:
            return
        if ev.kind in _LEG_KINDS:
            mode = "flight" if isinstance(item, Flight) else getattr(item, "mode", None)
            if not isinstance(item, (Flight, GroundLeg)) or mode != ev.kind:
                self.add("itinerary_item_kind", d, ev.item_id,
                         f"{what} names {_name(item)}, which is not a {ev.kind}")
                return
            if ev.city != item.origin or ev.to_city != item.destination:
                self.add("itinerary_event_city", d, ev.item_id,
                         f"{what} is shown from {ev.city} to {ev.to_city}, but {_name(item)} goes from "
                         f"{item.origin} to {item.destination}")
            self.leg_events[d].append((ev, item))
            return
        if ev.kind in ("check_in", "check_out"):
            if not isinstance(item, Hotel):
                self.add("itinerary_item_kind", d, ev.item_id, f"{what} names {_name(item)}, which is not a hotel")
                return
            if ev.city != item.city:
                self.add("itinerary_event_city", d, ev.item_id,
                         f"{what} is shown in {ev.city}, but {item.name} is in {item.city}")
            self.hotel_events[d].append((ev, item))
            return
        # visit, breakfast, lunch, dinner
        want = Attraction if ev.kind == "visit" else Restaurant
        if not isinstance(item, want):
            self.add("itinerary_item_kind", d, ev.item_id,
                     f"{what} names {_name(item)}, which is not "
                     f"{'an attraction' if want is Attraction else 'a restaurant'}")
            if not isinstance(item, (Attraction, Restaurant)):
                return
        if ev.city != item.city:
            self.add("itinerary_event_city", d, ev.item_id,
                     f"{what} is shown in {ev.city}, but {item.name} is in {item.city}")
        dur = duration(item)
        if ev.end != ev.start + dur:
            self.add("itinerary_event_time", d, ev.item_id,
                     f"{item.name} is shown {clock(ev.start)}-{clock(ev.end)}, but lasts {dur} min")
        self.acts[d].append((ev, item))

    def _order(self, d: int, events: list[Event]) -> None:
        for prev, nxt in zip(events, events[1:]):
            if nxt.start < prev.start:
                self.add("itinerary_event_order", d, nxt.item_id,
                         f"the {nxt.kind} at {clock(nxt.start)} comes after the {prev.kind} at {clock(prev.start)}")
                break
        latest: Event | None = None
        for ev in sorted(events, key=lambda e: (e.start, e.end)):
            if latest is not None and ev.start < latest.end:
                self.add("itinerary_overlap", d, ev.item_id,
                         f"the {ev.kind} {ev.name or ev.item_id or ''} at {clock(ev.start)}-{clock(ev.end)} overlaps "
                         f"the {latest.kind} {latest.name or latest.item_id or ''} at "
                         f"{clock(latest.start)}-{clock(latest.end)}")
            if latest is None or ev.end > latest.end:
                latest = ev

    # -- transport -------------------------------------------------------------------
    def check_transport(self) -> None:
        req = self.req
        for d, day in enumerate(self.days, start=1):
            found = self.leg_events.get(d, [])
            all_legs = [ev for ev in day.events if ev.kind in _LEG_KINDS]
            if day.start_city == day.end_city:
                for ev in all_legs:
                    self.add("transport_move", d, ev.item_id,
                             f"day {d} is spent in {day.start_city}, yet has the {ev.kind} {ev.name or ev.item_id}")
                continue
            if len(all_legs) != 1:
                self.add("transport_move", d, None,
                         f"day {d} moves from {day.start_city} to {day.end_city} with "
                         f"{_n(len(all_legs), 'leg')}, not one")
                continue
            if len(found) != 1:  # the one leg is unknown or of the wrong kind: reported already
                continue
            ev, item = found[0]
            leg = _Leg(ev, item)
            if (leg.origin, leg.destination) != (day.start_city, day.end_city):
                self.add("transport_move", d, item.id,
                         f"day {d} moves from {day.start_city} to {day.end_city}, but {leg.label} goes from "
                         f"{leg.origin} to {leg.destination}")
                continue
            self._schedule(d, leg)
            self.legs[d] = leg
            if leg.mode in req.exclude_modes:
                self.add("transport_mode_excluded", d, item.id,
                         f"{leg.label} is a {leg.mode}, and the request excludes that mode")
            if d == 1 and req.earliest_departure_min is not None and leg.dep < req.earliest_departure_min:
                self.add("transport_earliest_departure", d, item.id,
                         f"{leg.label} leaves at {clock(leg.dep)}, before the earliest departure "
                         f"{clock(req.earliest_departure_min)}")
            if d == self.n and req.latest_return_min is not None and leg.arr > req.latest_return_min:
                self.add("transport_latest_return", d, item.id,
                         f"{leg.label} arrives home at {clock(leg.arr)}, after the latest return "
                         f"{clock(req.latest_return_min)}")
            if d == self.n and not req.return_after_midnight and leg.arr > 24 * 60:
                self.add("transport_home_after_midnight", d, item.id,
                         f"{leg.label} arrives home at {clock(leg.arr)}, after the trip's last day has ended")
            self._around_leg(d, leg)
        modes = {leg.mode for leg in self.legs.values()}
        if "drive" in modes and modes - {"drive"}:
            self.add("transport_car_left_behind", None, None,
                     f"the trip drives its own car and also takes a {', '.join(sorted(modes - {'drive'}))}, which "
                     "would leave the car behind")

    def _schedule(self, d: int, leg: _Leg) -> None:
        ev, item = leg.event, leg.item
        if isinstance(item, Flight):
            if item.date != self.req.day_date(d):
                self.add("transport_leg_schedule", d, item.id,
                         f"{leg.label} flies on {item.date}, but day {d} is {self.req.day_date(d)}")
            if (ev.start, ev.end) != (leg.dep, leg.arr):
                self.add("transport_leg_schedule", d, item.id,
                         f"{leg.label} is shown {clock(ev.start)}-{clock(ev.end)}, but flies "
                         f"{clock(leg.dep)}-{clock(leg.arr)}")
            return
        times = sorted({minutes(t) for t in item.departures})
        if ev.start not in times:
            self.add("transport_leg_schedule", d, item.id,
                     f"{leg.label} is shown leaving at {clock(ev.start)}, but leaves only at "
                     f"{', '.join(clock(t) for t in times)}")
        if ev.end != leg.arr:
            self.add("transport_leg_schedule", d, item.id,
                     f"{leg.label} is shown arriving at {clock(ev.end)}, but takes {item.duration_min} min and so "
                     f"arrives at {clock(leg.arr)}")

    def _around_leg(self, d: int, leg: _Leg) -> None:
        """Places in the departure city end in time for the leg; those in the arrival city start after it."""
        src_hub, dst_hub = hub_id(leg.origin), hub_id(leg.destination)
        placed: list[tuple[Event, Attraction | Restaurant | Hotel]] = [*self.acts.get(d, []),
                                                                      *self.hotel_events.get(d, [])]
        for ev, item in placed:
            end = ev.end if isinstance(item, Hotel) else ev.start + duration(item)
            if item.city == leg.origin and not (isinstance(item, Hotel) and ev.kind == "check_in"):
                m = self.travel(leg.origin, item.id, src_hub)
                if m is not None and end + m + leg.before > leg.dep:
                    self.add("transport_catch_leg", d, item.id,
                             f"{item.name} ends at {clock(end)}; with {m} min to the "
                             f"{'airport' if leg.mode == 'flight' else 'station'} and {leg.before} min at it, "
                             f"{leg.label} at {clock(leg.dep)} is missed")
            if item.city == leg.destination and not (isinstance(item, Hotel) and ev.kind == "check_out"):
                m = self.travel(leg.destination, dst_hub, item.id)
                if m is not None and leg.arr + leg.after + m > ev.start:
                    self.add("transport_after_arrival", d, item.id,
                             f"{leg.label} arrives at {clock(leg.arr)}; with {leg.after} min to leave the "
                             f"{'airport' if leg.mode == 'flight' else 'station'} and {m} min to {item.name}, "
                             f"{item.name} at {clock(ev.start)} cannot be reached")

    # -- hotels ----------------------------------------------------------------------
    def check_hotels(self) -> None:
        req, nights = self.req, self.nights
        night_days: dict[str, list[int]] = defaultdict(list)
        for d in sorted(nights):
            night_days[nights[d]].append(d)
        by_city: dict[str, list] = defaultdict(list)
        for st in self.it.stays:
            by_city[st.city].append(st)
        for city, stays in by_city.items():
            if city not in night_days:
                self.add("hotel_stay", None, stays[0].hotel_id, f"a stay is booked in {city}, where no night is spent")
            if len(stays) > 1:
                self.add("hotel_stay", None, stays[1].hotel_id,
                         f"{city} has {len(stays)} stays ({', '.join(s.hotel_id for s in stays)}), not one hotel")
        for city, ds in night_days.items():
            stays = by_city.get(city, [])
            if not stays:
                self.add("hotel_stay", ds[0], None,
                         f"the nights in {city} (day {', '.join(map(str, ds))}) have no stay")
                continue
            st = stays[0]
            hotel = self.item(st.hotel_id, None, f"the stay in {city}")
            if hotel is None:
                continue
            if not isinstance(hotel, Hotel):
                self.add("itinerary_item_kind", None, st.hotel_id, f"the stay in {city} names {_name(hotel)}, "
                                                                   "which is not a hotel")
                continue
            if hotel.city != city:
                self.add("hotel_stay", ds[0], hotel.id, f"the nights in {city} are booked at {hotel.name}, "
                                                        f"which is in {hotel.city}")
                continue
            self.stay_hotel[city] = hotel
            k = len(ds)
            first = req.day_date(ds[0])
            if st.nights != k or st.check_in != first:
                self.add("itinerary_stays", ds[0], hotel.id,
                         f"the stay at {hotel.name} says {_n(st.nights, 'night')} from {st.check_in}, the days have "
                         f"{_n(k, 'night')} from {first}")
            self._hotel_rules(hotel, k, st.rooms, ds[0])
        self._check_in_out()

    def _hotel_rules(self, hotel: Hotel, k: int, booked_rooms: int, d: int) -> None:
        req = self.req
        if k < hotel.min_nights:
            self.add("hotel_min_nights", d, hotel.id,
                     f"{hotel.name} needs at least {_n(hotel.min_nights, 'night')}, the stay has {k}")
        for r in req.needs():
            if hotel.house_rules.forbids(r):
                self.add("hotel_house_rule", d, hotel.id, f"{hotel.name} does not allow {r}, which the party needs")
        if req.room_types and hotel.room_type not in req.room_types:
            self.add("hotel_room_type", d, hotel.id,
                     f"{hotel.name} is a {hotel.room_type}, not one of {', '.join(req.room_types)}")
        need = rooms(hotel, self.people)
        if booked_rooms != need:
            self.add("hotel_rooms", d, hotel.id,
                     f"the stay at {hotel.name} books {_n(booked_rooms, 'room')}; {self.people} people, at most "
                     f"{hotel.max_occupancy} to a room, need {need}")

    def _check_in_out(self) -> None:
        org = self.req.origin
        for d, day in enumerate(self.days, start=1):
            moved = day.start_city != day.end_city
            expect_in = self.stay_hotel.get(day.end_city) if moved and day.end_city != org else None
            expect_out = self.stay_hotel.get(day.start_city) if moved and day.start_city != org else None
            ins = [(ev, h) for ev, h in self.hotel_events.get(d, []) if ev.kind == "check_in"]
            outs = [(ev, h) for ev, h in self.hotel_events.get(d, []) if ev.kind == "check_out"]
            for evs, expect, word in ((ins, expect_in, "check-in"), (outs, expect_out, "check-out")):
                for ev, h in evs:
                    if expect is None or h.id != expect.id:
                        why = (f"the stay is at {expect.name}" if expect is not None
                               else f"day {d} does not {'arrive at' if word == 'check-in' else 'leave'} a hotel")
                        self.add("hotel_stay", d, h.id, f"day {d} has a {word} at {h.name}, but {why}")
                if expect is not None and not any(h.id == expect.id for _, h in evs):
                    self.add("hotel_stay", d, expect.id, f"day {d} has no {word} at {expect.name}")
            if expect_in is not None:
                self._arrival(d, expect_in, [ev for ev, h in ins if h.id == expect_in.id])
            if expect_out is not None:
                self._departure(d, expect_out, [ev for ev, h in outs if h.id == expect_out.id])
            self._hotel_transfers(d)

    def _arrival(self, d: int, hotel: Hotel, events: list[Event]) -> None:
        close = hotel.check_in_end_min
        opens = minutes(hotel.check_in_start)
        if close is None:  # the desk never closes: only not before it opens
            for ev in events:
                if ev.start < opens:
                    self.add("hotel_checkin_time", d, hotel.id, f"the check-in at {hotel.name} is at "
                                                                f"{clock(ev.start)}, the desk opens at {clock(opens)}")
            return
        city = hotel.city
        leg = self.legs.get(d)
        if leg is not None and leg.destination == city:
            m = self.travel(city, hub_id(city), hotel.id)
            if m is not None and leg.arr + leg.after + m > close:
                self.add("hotel_checkin_closed", d, hotel.id,
                         f"{leg.label} arrives at {clock(leg.arr)}; with {leg.after} min to leave the "
                         f"{'airport' if leg.mode == 'flight' else 'station'} and {m} min to {hotel.name}, the desk "
                         f"closing at {clock(close)} is missed")
        for ev, item in self.acts.get(d, []):
            if item.city != city:
                continue
            m = self.travel(city, item.id, hotel.id)
            if m is not None and ev.start + duration(item) + m > close:
                self.add("hotel_checkin_after_events", d, item.id,
                         f"{item.name} ends at {clock(ev.start + duration(item))} and {hotel.name} is {m} min away, "
                         f"its desk closes at {clock(close)}")
        for ev in events:
            if not opens <= ev.start <= close:
                self.add("hotel_checkin_time", d, hotel.id,
                         f"the check-in at {hotel.name} is at {clock(ev.start)}, the desk is open "
                         f"{clock(opens)}-{clock(close)}")

    def _departure(self, d: int, hotel: Hotel, events: list[Event]) -> None:
        city = hotel.city
        leg = self.legs.get(d)
        if leg is not None and leg.origin == city:
            m = self.travel(city, hotel.id, hub_id(city))
            if m is not None:
                out = leg.dep - leg.before - m
                if out < minutes(DAY_START):
                    self.add("hotel_checkout_before_leg", d, hotel.id,
                             f"leaving {hotel.name} at {clock(out)} for {leg.label} at {clock(leg.dep)} is before "
                             f"the day starts at {clock(minutes(DAY_START))}")
        latest = minutes(hotel.check_out)
        for ev in events:
            if ev.start > latest:
                self.add("hotel_checkout_time", d, hotel.id,
                         f"the check-out at {hotel.name} is at {clock(ev.start)}, after its check-out time "
                         f"{clock(latest)}")

    def _hotel_transfers(self, d: int) -> None:
        """A check-in or check-out and the place before or after it in the same city: travel time between."""
        located = [(ev, item) for ev, item in (*self.acts.get(d, []), *self.hotel_events.get(d, []))]
        by_city: dict[str, list[tuple[Event, object]]] = defaultdict(list)
        for ev, item in located:
            by_city[item.city].append((ev, item))
        for city, seq in by_city.items():
            seq.sort(key=lambda x: (x[0].start, x[0].end))
            for (e1, i1), (e2, i2) in zip(seq, seq[1:]):
                if not (isinstance(i1, Hotel) or isinstance(i2, Hotel)):
                    continue  # two places: activity_overlap
                m = self.travel(city, i1.id, i2.id)
                if m is not None and e1.end + m > e2.start:
                    self.add("itinerary_transfer_time", d, i2.id,
                             f"the {e1.kind} at {_name(i1)} ends at {clock(e1.end)} and {_name(i2)} is {m} min away, "
                             f"but the {e2.kind} there is at {clock(e2.start)}")

    # -- activities ------------------------------------------------------------------
    def check_keeps(self) -> None:
        """keep.lp: every hard keep is in the itinerary; no excluded item is used."""
        used: list[tuple[int | None, str, int | None]] = []   # (day, item id, start) of every use
        for d, day in enumerate(self.days, start=1):
            used += [(d, ev.item_id, ev.start) for ev in day.events
                     if ev.item_id and ev.kind not in ("transfer", "check_in", "check_out")]
        used += [(None, st.hotel_id, None) for st in self.it.stays]
        excluded = set(self.req.exclude)
        for d, item_id, _ in used:
            if item_id in excluded:
                self.add("request_exclude", d, item_id, f"{_name(self.index.get(item_id, item_id))} is used, and the "
                                                        "request excludes it")
        for k, keep in enumerate(self.req.keep):
            if keep.hard and not self._kept(keep, used):
                self.add("keep_missing", keep.day, keep.item_id,
                         f"keep[{k}] ({keep.item_id}) is not in the itinerary as the request keeps it")

    def _kept(self, keep: "Keep", used: list[tuple[int | None, str, int | None]]) -> bool:
        item = self.index.get(keep.item_id)
        start = None if keep.start is None else minutes(keep.start)
        if isinstance(item, Hotel):
            if not any(st.hotel_id == item.id for st in self.it.stays):
                return False
            if keep.day is None:
                return True
            nights = range(keep.day, keep.day + (keep.nights or 1))
            return all(self.nights.get(d) == item.city for d in nights)
        return any(i == keep.item_id and keep.day in (None, d) and start in (None, t) for d, i, t in used
                   if d is not None)

    def check_activities(self) -> None:
        req, org = self.req, self.req.origin
        seen: dict[str, int] = {}
        served: set[str] = set()
        for d, day in enumerate(self.days, start=1):
            acts = sorted(self.acts.get(d, []), key=lambda x: (x[0].start, x[0].end))
            present = {day.start_city, day.end_city} - {org}
            wd = self.weekday(d)
            meals: Counter[str] = Counter()
            visits = 0
            for ev, item in acts:
                start, end = ev.start, ev.start + duration(item)
                if item.city not in present:
                    self.add("activity_city", d, item.id,
                             f"{item.name} is in {item.city}, but on day {d} the traveller is in "
                             f"{' and '.join(sorted({day.start_city, day.end_city}))}")
                if not item.hours.is_open(wd, start, end):
                    hours = ", ".join(f"{clock(o)}-{clock(c)}" for o, c in item.hours.intervals(wd)) or "closed"
                    self.add("activity_opening_hours", d, item.id,
                             f"{item.name} is not open from {clock(start)} to {clock(end)} on day {d} "
                             f"({req.day_date(d):%A}: {hours})")
                if ev.kind in _MEALS:
                    meals[ev.kind] += 1
                    if isinstance(item, Restaurant):
                        served.update(q.strip().lower() for q in item.cuisines)
                    f, t = (minutes(x) for x in MEAL_WINDOWS[ev.kind])
                    if start < f or end > t:
                        self.add("activity_meal_window", d, item.id,
                                 f"{item.name} at {clock(start)}-{clock(end)} is outside the {ev.kind} window "
                                 f"{clock(f)}-{clock(t)}")
                else:
                    visits += 1
                if item.id in seen:
                    self.add("activity_repeat", d, item.id,
                             f"{item.name} is visited again on day {d}, already on day {seen[item.id]}")
                else:
                    seen[item.id] = d
            for k, count in meals.items():
                if count > 1:
                    self.add("activity_meal_per_day", d, None, f"day {d} has {count} {k}s, at most one is allowed")
            if visits > req.pace:
                self.add("activity_pace", d, None, f"day {d} has {_n(visits, 'visit')}, the pace allows {req.pace}")
            if req.meals == "all" and day.start_city == day.end_city:
                for k in _MEALS:
                    if not meals[k]:
                        self.add("activity_meals_every_full_day", d, None,
                                 f"day {d} is spent in {day.start_city} but has no {k}")
            self._between(d, acts)
        for q in dict.fromkeys(q.strip().lower() for q in req.cuisines):
            if q not in served:
                self.add("activity_cuisine", None, None, f"no meal of the trip serves {q}")

    def _between(self, d: int, acts: list[tuple[Event, Attraction | Restaurant]]) -> None:
        for i, (e1, a) in enumerate(acts):
            end = e1.start + duration(a)
            for e2, b in acts[i + 1:]:
                if a.city != b.city or a.id == b.id:
                    continue
                m = self.travel(a.city, a.id, b.id)
                if m is not None and end + m > e2.start:
                    self.add("activity_overlap", d, b.id,
                             f"{a.name} ends at {clock(end)} and {b.name} is {m} min away, but {b.name} starts at "
                             f"{clock(e2.start)}")

    # -- weather ---------------------------------------------------------------------
    def check_weather(self) -> None:
        """weather.lp: no outdoor visit in hours the forecast makes too wet (or, for a long
        one, too hot or too cold) for the request's weather policy."""
        policy = self.req.weather
        if self.forecast is None or policy.risk == "accept":
            return
        hours: dict[tuple[str, int], list[Hour]] = {}
        for d in range(1, self.n + 1):
            for ev, item in self.acts.get(d, []):
                if not isinstance(item, Attraction) or item.indoor or ev.kind != "visit":
                    continue
                key = (item.city, d)
                if key not in hours:
                    hours[key] = day_hours(self.forecast, item.city, self.req.day_date(d))
                for e in exposures(hours[key], ev.start, duration(item), policy):
                    weekday = DAY_NAMES[self.req.day_date(d).weekday()]
                    when = f"{clock(e.start)}-{clock(e.end)} in {item.city} on {weekday} (day {d})"
                    if e.rule == "weather_rain":
                        text = (f"{item.name} is outdoors, and the forecast gives {e.value}% rain {when}, at or above "
                                f"the rain threshold of {policy.rain_threshold}%")
                    elif e.rule == "weather_heat":
                        text = (f"{item.name} is a long outdoor visit, and the forecast gives {e.value} °C {when}, "
                                f"at or above the heat limit of {policy.heat_limit} °C")
                    else:
                        text = (f"{item.name} is a long outdoor visit, and the forecast gives {e.value} °C {when}, "
                                f"at or below the cold limit of {policy.cold_limit} °C")
                    self.add(e.rule, d, item.id, text)

    # -- costs -----------------------------------------------------------------------
    def check_costs(self) -> None:
        people, it = self.people, self.it
        transport = hotel = attraction = restaurant = 0
        for d in range(1, self.n + 1):
            for ev, item in self.leg_events.get(d, []):
                c = leg_cost(item, people)
                transport += c
                self._event_cost(d, ev, c, _name(item))
            for ev, place in self.acts.get(d, []):
                c = place_cost(place, people)
                if isinstance(place, Attraction):
                    attraction += c
                else:
                    restaurant += c
                self._event_cost(d, ev, c, place.name)
        for d in sorted(self.nights):
            h = self.stay_hotel.get(self.nights[d])
            if h is not None:
                hotel += night_cost(h, people)
        total = transport + hotel + attraction + restaurant
        if total > cents(self.req.budget):
            self.add("budget_total", None, None,
                     f"the itinerary costs {_money(total)} (transport {_money(transport)}, hotels {_money(hotel)}, "
                     f"attractions {_money(attraction)}, restaurants {_money(restaurant)}), more than the budget "
                     f"of {_money(cents(self.req.budget))}")
        if abs(it.total_cost - total / 100) > _TOL:
            self.add("itinerary_cost_mismatch", None, None,
                     f"the itinerary's total cost is {it.total_cost:,.2f}, its items cost {_money(total)}")
        for cat, amount in (("transport", transport), ("hotel", hotel), ("attraction", attraction),
                            ("restaurant", restaurant)):
            shown = it.costs_by_category.get(cat, 0.0)  # type: ignore[call-overload]
            if abs(shown - amount / 100) > _TOL:
                self.add("itinerary_cost_mismatch", None, None,
                         f"the itinerary's {cat} cost is {shown:,.2f}, its {cat} items cost {_money(amount)}")
        self._legs_list()
        self._stays_cost()

    def _event_cost(self, d: int, ev: Event, amount: int, name: str) -> None:
        if abs(ev.cost - amount / 100) > _TOL:
            self.add("itinerary_cost_mismatch", d, ev.item_id,
                     f"{name} is shown costing {ev.cost:,.2f} on day {d}, it costs {_money(amount)} for "
                     f"{self.people} people")

    def _legs_list(self) -> None:
        shown = Counter((lg.day, lg.item_id, lg.mode, lg.origin, lg.destination, lg.departure, lg.arrival)
                        for lg in self.it.legs)
        actual: Counter[tuple] = Counter()
        for d in range(1, self.n + 1):
            for ev, item in self.leg_events.get(d, []):
                leg = _Leg(ev, item)
                actual[(d, item.id, leg.mode, leg.origin, leg.destination, leg.dep, leg.arr)] += 1
        for key in sorted(set(shown) | set(actual), key=str):
            if shown[key] != actual[key]:
                d, item_id, mode, o, dst, dep, arr = key
                where = "is in the itinerary's legs but not among its events" if shown[key] > actual[key] else \
                    "is among the day's events but not in the itinerary's legs"
                self.add("itinerary_legs", d, item_id,
                         f"the {mode} {item_id} from {o} to {dst} at {clock(dep)}-{clock(arr)} on day {d} {where}")
        for lg in self.it.legs:
            item = self.index.get(lg.item_id)
            if isinstance(item, (Flight, GroundLeg)):
                units, amount = leg_units(item, self.people), leg_cost(item, self.people)
                if lg.units != units:
                    self.add("itinerary_legs", lg.day, lg.item_id,
                             f"the leg {_name(item)} counts {lg.units} units, {self.people} people need {units}")
                if abs(lg.cost - amount / 100) > _TOL:
                    self.add("itinerary_cost_mismatch", lg.day, lg.item_id,
                             f"the leg {_name(item)} is shown costing {lg.cost:,.2f}, it costs {_money(amount)}")
            elif lg.item_id not in self.index:
                self.add("itinerary_unknown_item", lg.day, lg.item_id,
                         f"the itinerary's legs name {lg.item_id!r}, which is not in the catalog")
            else:
                self.add("itinerary_item_kind", lg.day, lg.item_id,
                         f"the itinerary's legs name {_name(item)}, which is not a flight or ground leg")

    def _stays_cost(self) -> None:
        counts = Counter(self.nights.values())
        for st in self.it.stays:
            h = self.stay_hotel.get(st.city)
            if h is None or h.id != st.hotel_id:
                continue
            amount = night_cost(h, self.people) * counts[st.city]
            if abs(st.cost - amount / 100) > _TOL:
                self.add("itinerary_cost_mismatch", None, h.id,
                         f"the stay at {h.name} is shown costing {st.cost:,.2f}, {_n(counts[st.city], 'night')} cost "
                         f"{_money(amount)}")
