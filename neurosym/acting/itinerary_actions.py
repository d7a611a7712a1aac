"""Itinerary -> the ordered booking actions, each a function call in the xLAM format.

:func:`actions` turns an itinerary into what has to be booked: a seat on every flight
and train, the car of every drive (a one-way rental for the leg), the taxi of every taxi
leg, every hotel stay, a table wherever the catalog says the restaurant takes
reservations (:attr:`Restaurant.reservations`), timed tickets wherever the attraction
sells them (:attr:`Attraction.timed_tickets`). Meals at places that take no
reservations and free or walk-in visits need no action.

Each :class:`Action` carries its call (``{"name": "reserve_hotel", "arguments": {...}}``,
valid against that tool's schema), its preconditions and its deadline:

- preconditions: a leg needs the leg before it (the route is booked in order); a hotel
  stay needs the leg that arrives in its city; a table or a ticket needs the stay in its
  city (nobody reserves dinner in a city they may not reach);
- deadline: the latest time the booking can be made, :data:`BOOK_AHEAD` before the
  departure, the pick-up, the meal or the entry; for a hotel, a day before its desk opens
  on the arrival day. A precondition is due no later than what needs it (the flight
  into a city is due when the hotel there is).

The order is a topological order of the preconditions that takes the earliest deadline
first among the actions that are ready (``networkx.lexicographical_topological_sort``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from ..catalog import Attraction, Catalog, Flight, GroundLeg, Hotel, Restaurant, clock
from ..costs import leg_cost, night_cost, place_cost
from ..itinerary import Itinerary
from ..request import TripRequest
from .models import ActingInputError, BookingKind, BookingRequest, ToolCall
from .store import booking_kind

__all__ = ["Action", "BOOK_AHEAD", "BOOKING_TOOLS", "actions", "booking_request"]

BOOK_AHEAD: dict[str, dt.timedelta] = {
    "flight": dt.timedelta(hours=2), "train": dt.timedelta(minutes=15), "car": dt.timedelta(hours=24),
    "taxi": dt.timedelta(hours=12), "hotel": dt.timedelta(hours=24), "table": dt.timedelta(hours=2),
    "ticket": dt.timedelta(hours=1)}
"""How long before the departure, pick-up, check-in desk opening, meal or entry a booking
must be made."""

BOOKING_TOOLS: dict[str, tuple[str, str, str | None, str | None]] = {
    # kind: (tool name, argument holding the catalog id, the date argument, the time argument)
    "flight": ("book_flight", "flight_id", None, None),
    "train": ("book_train", "train_id", "date", "departure"),
    "car": ("rent_car", "car_id", "date", "pickup"),
    "taxi": ("book_taxi", "taxi_id", "date", "pickup"),
    "hotel": ("reserve_hotel", "hotel_id", "check_in", None),
    "table": ("reserve_table", "restaurant_id", "date", "time"),
    "ticket": ("buy_tickets", "attraction_id", "date", "time"),
}
"""The booking tool of each kind of booking and the names of its arguments; every booking
tool also takes ``travelers`` (and ``nights`` for a hotel)."""

KIND_OF_TOOL: dict[str, str] = {tool: kind for kind, (tool, *_rest) in BOOKING_TOOLS.items()}


class Action(BaseModel):
    """One booking to make: its call, what must be booked before it, and by when."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="stable for the same booking: kind, catalog id, date, time or nights")
    kind: BookingKind
    item_id: str
    name: str
    day: int = Field(description="the trip day it happens on (a hotel: its first night)")
    call: ToolCall
    preconditions: list[str] = Field(default_factory=list, description="ids of actions that must succeed first")
    deadline: dt.datetime = Field(description="the latest local time it can be booked")
    cost: float = Field(description="what the itinerary counts for it, for the whole party")

    def __str__(self) -> str:
        after = f" after {', '.join(self.preconditions)}" if self.preconditions else ""
        return f"{self.id}: {self.call.name} {self.name} (by {self.deadline:%Y-%m-%d %H:%M}{after})"


def booking_request(call: ToolCall | dict[str, Any], idempotency_key: str, trip: str | None = None) -> BookingRequest:
    """The service request of a booking call (``book_flight``, ``reserve_hotel``, ...)."""
    call = call if isinstance(call, ToolCall) else ToolCall.model_validate(call)
    kind = KIND_OF_TOOL.get(call.name)
    if kind is None:
        raise ActingInputError(f"{call.name!r} is not a booking tool (known: {', '.join(KIND_OF_TOOL)})")
    _, id_arg, date_arg, time_arg = BOOKING_TOOLS[kind]
    a = call.arguments
    return BookingRequest(kind=kind, item_id=a[id_arg], date=a.get(date_arg) if date_arg else None,  # type: ignore[arg-type]
                          time=a.get(time_arg) if time_arg else None, nights=a.get("nights"),
                          party=a["travelers"], idempotency_key=idempotency_key, trip=trip)


def _context(itinerary: Itinerary, catalog: Catalog | None, request: TripRequest | None
             ) -> tuple[Catalog, TripRequest]:
    handle = itinerary.explanations
    problem = getattr(handle, "problem", None)
    catalog = catalog if catalog is not None else getattr(problem, "catalog", None)
    request = request if request is not None else getattr(problem, "request", None)
    if catalog is None or request is None:
        missing = "catalog" if catalog is None else "request"
        raise ActingInputError(f"{missing}: this itinerary has no planning context; pass the {missing} it was "
                               f"planned with")
    return catalog, request


def actions(itinerary: Itinerary, catalog: Catalog | None = None, request: TripRequest | None = None) -> list[Action]:
    """The ordered booking actions of ``itinerary`` (see the module docstring).

    ``catalog`` and ``request`` default to those the itinerary was planned with (an
    itinerary read from JSON needs them: the request says how many travel). Raises
    :class:`ActingInputError` when an item of the itinerary is not in the catalog.
    """
    catalog, request = _context(itinerary, catalog, request)
    index = catalog.index()
    people = request.travelers.people
    dates = {d.day: d.date for d in itinerary.days}

    def item(item_id: str, where: str) -> Any:
        if item_id not in index:
            raise ActingInputError(f"{where}: {item_id!r} is not an item of catalog {catalog.name!r} "
                                   "(an itinerary of another catalog?)")
        return index[item_id]

    out: list[Action] = []
    leg_by_city: dict[str, str] = {}    # city -> the action of the leg arriving there
    stay_by_city: dict[str, str] = {}   # city -> the action of the stay there
    previous_leg: str | None = None
    for leg in sorted(itinerary.legs, key=lambda g: g.day):
        it = item(leg.item_id, f"legs (day {leg.day})")
        if not isinstance(it, (Flight, GroundLeg)):
            raise ActingInputError(f"legs (day {leg.day}): {leg.item_id!r} is not a flight or ground leg")
        kind = booking_kind(it)
        assert kind is not None
        date = it.date if isinstance(it, Flight) else dates[leg.day]
        dep = dt.time(*divmod(leg.departure % (24 * 60), 60))
        tool, id_arg, date_arg, time_arg = BOOKING_TOOLS[kind]
        args: dict[str, Any] = {id_arg: it.id}
        if date_arg:
            args[date_arg] = date.isoformat()
        if time_arg:
            args[time_arg] = clock(leg.departure)
        args["travelers"] = people
        aid = f"{kind}:{it.id}" + ("" if kind == "flight" else f"@{date.isoformat()}T{clock(leg.departure)}")
        out.append(Action(id=aid, kind=kind, item_id=it.id, name=_leg_label(it, leg.departure), day=leg.day,
                          call=ToolCall(name=tool, arguments=args),
                          preconditions=[previous_leg] if previous_leg else [],
                          deadline=dt.datetime.combine(date, dep) - BOOK_AHEAD[kind],
                          cost=leg_cost(it, people) / 100))
        previous_leg = aid
        leg_by_city.setdefault(leg.destination, aid)
    for st in itinerary.stays:
        h = item(st.hotel_id, f"stays ({st.city})")
        if not isinstance(h, Hotel):
            raise ActingInputError(f"stays ({st.city}): {st.hotel_id!r} is not a hotel")
        aid = f"hotel:{h.id}@{st.check_in.isoformat()}+{st.nights}n"
        day = (st.check_in - itinerary.days[0].date).days + 1 if itinerary.days else 1
        out.append(Action(id=aid, kind="hotel", item_id=h.id, name=h.name, day=day,
                          call=ToolCall(name="reserve_hotel", arguments={
                              "hotel_id": h.id, "check_in": st.check_in.isoformat(), "nights": st.nights,
                              "travelers": people}),
                          preconditions=[leg_by_city[st.city]] if st.city in leg_by_city else [],
                          deadline=dt.datetime.combine(st.check_in, h.check_in_start) - BOOK_AHEAD["hotel"],
                          cost=night_cost(h, people) * st.nights / 100))
        stay_by_city[st.city] = aid
    for day in itinerary.days:
        for ev in day.events:
            if ev.kind not in ("breakfast", "lunch", "dinner", "visit") or ev.item_id is None:
                continue
            p = item(ev.item_id, f"day {day.day}")
            kind = booking_kind(p) if isinstance(p, (Restaurant, Attraction)) else None
            if kind is None:
                continue
            tool, id_arg, date_arg, time_arg = BOOKING_TOOLS[kind]
            at = clock(ev.start)
            aid = f"{kind}:{p.id}@{day.date.isoformat()}T{at}"
            out.append(Action(id=aid, kind=kind, item_id=p.id, name=p.name, day=day.day,
                              call=ToolCall(name=tool, arguments={id_arg: p.id, date_arg: day.date.isoformat(),
                                                                  time_arg: at, "travelers": people}),
                              preconditions=[stay_by_city[p.city]] if p.city in stay_by_city else [],
                              deadline=dt.datetime.combine(day.date, dt.time(*divmod(ev.start, 60)))
                              - BOOK_AHEAD[kind],
                              cost=place_cost(p, people) / 100))
    return _ordered(out)


def _ordered(acts: list[Action]) -> list[Action]:
    by_id = {a.id: a for a in acts}
    if len(by_id) != len(acts):
        dup = next(a.id for a in acts if sum(b.id == a.id for b in acts) > 1)
        raise ActingInputError(f"the itinerary books {dup} twice")
    g = nx.DiGraph()
    g.add_nodes_from(by_id)
    g.add_edges_from((p, a.id) for a in acts for p in a.preconditions)
    for i in reversed(list(nx.topological_sort(g))):   # a precondition is due when what needs it is due
        after = [by_id[j].deadline for j in g.successors(i)]
        if after and min(after) < by_id[i].deadline:
            by_id[i].deadline = min(after)
    return [by_id[i] for i in nx.lexicographical_topological_sort(g, key=lambda i: (by_id[i].deadline, i))]


def _leg_label(item: Flight | GroundLeg, departure: int) -> str:
    if isinstance(item, Flight):
        return f"Flight {item.number} {item.origin} {clock(item.departure_min)} -> {item.destination}"
    return f"{item.mode.capitalize()} {item.origin} {clock(departure)} -> {item.destination}"
