"""The library's operations as tools: plan, explain, verify, search, actions, booking.

Every tool is a function ``name(session, **arguments)`` registered with ``@tool``; its
description is the first paragraph of its docstring and its parameters are its
signature (see :mod:`.registry`). Results are plain JSON values. A tool fails with a
:class:`~.registry.ToolError` (a code, a message, the argument to blame).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from pydantic import Field, create_model

from ..catalog import WEEKDAYS, Attraction, Hotel, Restaurant, minutes
from ..request import TripRequest
from .itinerary_actions import BOOKING_TOOLS, KIND_OF_TOOL, actions, booking_request
from .models import ActingInputError, BookingKind, ToolCall
from .registry import TOOLS, Session, ToolError, tool
from .store import booking_kind

Travelers = Annotated[int, Field(ge=1, le=40, description="how many people travel (adults and children)")]
Key = Annotated[str | None, Field(default=None, min_length=8, max_length=200,
                                  description="idempotency key: the same key never books twice (default: derived "
                                              "from the call, so an identical call is never booked twice)")]
TripLabel = Annotated[str | None, Field(default=None, max_length=200,
                                        description="a label grouping the bookings of one trip")]
ItemRef = Annotated[str, Field(min_length=1, description="a catalog id, a leg option key or a name")]


# -- helpers ------------------------------------------------------------------------------

def _itinerary(session: Session) -> Any:
    if session.itinerary is None:
        raise ToolError("missing_itinerary", "no itinerary: call plan_trip first")
    it = session.itinerary
    if it.explanations is None:  # read from a file: rebuild the planning context
        from ..explain import attach
        if session.request is None:
            raise ToolError("missing_request", "the itinerary has no request: pass the request it was planned for")
        attach(it, session.request, session.catalog)
    return it


def _known(session: Session, argument: str, item_id: str, kinds: tuple[type, ...] | None = None) -> None:
    index = session.catalog.index()  # type: ignore[union-attr]
    if item_id not in index:
        raise ToolError("unknown_item", f"{item_id!r} is not an item of catalog {session.catalog.name!r}",  # type: ignore[union-attr]
                        argument)
    if kinds and not isinstance(index[item_id], kinds):
        want = " or ".join(k.__name__.lower() for k in kinds)
        raise ToolError("wrong_kind", f"{item_id!r} is not a {want}", argument)


def _message(exc: Exception) -> str:
    """An exception's message (a KeyError's without the quotes ``str`` adds)."""
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


def _entry(e: Any) -> dict[str, Any]:
    return {"item_id": e.item_id, "name": e.name, "category": e.category, "status": e.status, "text": e.text,
            "rules": [f"{r.name} ({r.file}:{r.line})" for r in e.rules],
            "broken": [b.text for b in e.broken], "alternative": e.alternative, "cost": e.cost,
            "preference": e.preference}


# -- planning and explaining ------------------------------------------------------------------

PlanTripArguments = create_model(
    "plan_trip", __base__=TripRequest,
    time_limit=(float, Field(default=5.0, gt=0, le=120, description="wall-clock seconds for the search")))


def _check_plan(session: Session, args: Any) -> None:
    from ..problem import PlanningInputError, check_request
    try:
        check_request(TripRequest.model_validate(args.model_dump(exclude={"time_limit"})), session.catalog)  # type: ignore[arg-type]
    except PlanningInputError as exc:
        raise ToolError("invalid_argument", str(exc), exc.field) from None


@tool(arguments=PlanTripArguments, check=_check_plan, examples=(
    {"origin": "Berlin", "destinations": ["Munich", "Dresden", "Leipzig"], "visit_count": 2,
     "start": "2026-06-15", "end": "2026-06-19", "travelers": {"adults": 2}, "budget": 2500, "cuisines": ["Italian"],
     "time_limit": 5},
    {"origin": "Berlin", "destinations": ["Dresden"], "start": "2026-06-20", "end": "2026-06-21", "budget": 800}))
def plan_trip(session: Session, **fields: Any) -> dict[str, Any]:
    """Plan a trip: the best itinerary (legs, hotel stays, meals, visits, all timed) that obeys every hard rule.

    Takes the fields of a TripRequest; the itinerary becomes the session's current one.
    """
    from ..planner import NoItinerary, plan_itinerary
    limit = fields.pop("time_limit")
    req = TripRequest.model_validate(fields)
    try:
        it = plan_itinerary(req, session.catalog, time_limit=limit, history=session.history)
    except NoItinerary as exc:
        raise ToolError("no_itinerary", exc.message, details=exc.to_dict()) from None
    except TimeoutError as exc:
        raise ToolError("timeout", f"{exc}; a larger time_limit may find one", "time_limit") from None
    session.request, session.itinerary = req, it
    return it.model_dump(mode="json", exclude={"stats"})


@tool(needs=("itinerary",), examples=({"item": "h:munich:2"}, {"item": "NS1074@2026-06-15"}))
def explain_choice(session: Session, item: ItemRef) -> dict[str, Any]:
    """Why an item is in the current itinerary: the rules it was checked against, its score, cost and best alternative."""
    from ..explain import ExplainError
    try:
        return _entry(_itinerary(session).why(item))
    except (ExplainError, KeyError, ValueError) as exc:
        raise ToolError("unknown_item", _message(exc), "item") from None


@tool(needs=("itinerary",), examples=({"item": "r:munich:3"},))
def explain_rejection(session: Session, item: ItemRef) -> dict[str, Any]:
    """Why an item is not in the current itinerary: the rules it would break, or how much worse a plan with it is."""
    from ..explain import ExplainError
    try:
        return _entry(_itinerary(session).why_not(item))
    except (ExplainError, KeyError, ValueError) as exc:
        raise ToolError("unknown_item", _message(exc), "item") from None


@tool(needs=("itinerary",), examples=({},))
def verify_itinerary(session: Session) -> dict[str, Any]:
    """Check the current itinerary against every hard rule, independently of the planner (in plain Python)."""
    from ..verify import verify
    if session.request is None:
        raise ToolError("missing_request", "no request to verify against: plan_trip first, or pass the request")
    found = verify(session.itinerary, session.request, session.catalog)  # type: ignore[arg-type]
    return {"valid": not found, "violations": [v.model_dump() for v in found]}


def _check_search(session: Session, args: Any) -> None:
    if args.city not in {c.name for c in session.catalog.cities}:  # type: ignore[union-attr]
        raise ToolError("invalid_argument", f"{args.city!r} is not a city of catalog {session.catalog.name!r}", "city")  # type: ignore[union-attr]


@tool(check=_check_search, examples=(
    {"city": "Munich", "kind": "restaurant", "cuisine": "Italian", "max_price": 40},
    {"city": "Dresden", "kind": "attraction", "date": "2026-06-15", "open_at": "10:00", "category": "museum"},
    {"city": "Leipzig", "kind": "hotel", "max_price": 120, "limit": 5}))
def search_catalog(
        session: Session,
        city: Annotated[str, Field(min_length=1, description="a city of the catalog")],
        kind: Annotated[Literal["hotel", "attraction", "restaurant"], Field(description="what to look for")],
        cuisine: Annotated[str | None, Field(description="restaurants serving this cuisine")] = None,
        category: Annotated[str | None, Field(description="attractions of this category (museum, park, ...)")] = None,
        min_price: Annotated[float | None, Field(ge=0, description="at least this price (per person; a hotel: per "
                                                                   "night)")] = None,
        max_price: Annotated[float | None, Field(ge=0, description="at most this price")] = None,
        date: Annotated[dt.date | None, Field(description="open on this date (restaurants and attractions)")] = None,
        open_at: Annotated[dt.time | None, Field(description="open at this time (with date: on that day; without: "
                                                             "every day)")] = None,
        bookable: Annotated[bool | None, Field(description="only places that take reservations or sell timed "
                                                           "tickets (True), or only those that do not (False)")] = None,
        limit: Annotated[int, Field(ge=1, le=200, description="at most this many, best rated first")] = 20,
) -> list[dict[str, Any]]:
    """Search the catalog for hotels, attractions or restaurants in a city by cuisine, category, price and opening time."""
    hotels, attractions, restaurants = session.catalog.in_city(city)  # type: ignore[union-attr]
    pool: list[Any] = {"hotel": hotels, "attraction": attractions, "restaurant": restaurants}[kind]
    out = []
    for p in pool:
        if cuisine is not None and not (isinstance(p, Restaurant) and
                                        cuisine.strip().lower() in {q.lower() for q in p.cuisines}):
            continue
        if category is not None and not (isinstance(p, Attraction) and p.category.lower() == category.lower()):
            continue
        if min_price is not None and p.price < min_price or max_price is not None and p.price > max_price:
            continue
        if bookable is not None and (booking_kind(p) is not None) != bookable:
            continue
        if (date is not None or open_at is not None) and isinstance(p, (Attraction, Restaurant)):
            days = [WEEKDAYS[date.weekday()]] if date is not None else list(WEEKDAYS)
            t = minutes(open_at) if open_at is not None else None
            if t is None and not all(p.hours.intervals(d) for d in days):
                continue
            if t is not None and not all(p.hours.is_open(d, t, t + 1) for d in days):
                continue
        out.append(p)
    out.sort(key=lambda p: (-p.rating, p.price, p.id))
    return [_place(p) for p in out[:limit]]


def _place(p: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"id": p.id, "name": p.name, "city": p.city, "price": p.price, "rating": p.rating}
    if isinstance(p, Hotel):
        d |= {"room_type": p.room_type, "max_occupancy": p.max_occupancy, "min_nights": p.min_nights,
              "check_in": f"{p.check_in_start:%H:%M}-" + (f"{p.check_in_end:%H:%M}" if p.check_in_end else "any time")}
    elif isinstance(p, Restaurant):
        d |= {"cuisines": p.cuisines, "reservations": p.reservations}
    else:
        d |= {"category": p.category, "duration_min": p.duration_min, "timed_tickets": p.timed_tickets}
    return d


@tool(needs=("itinerary",), examples=({},))
def list_actions(session: Session) -> list[dict[str, Any]]:
    """The current itinerary's booking actions in order, each a call with its preconditions and deadline."""
    if session.request is None and session.itinerary.explanations is None:
        raise ToolError("missing_request", "the itinerary has no request: plan_trip first, or pass the request")
    try:
        return [a.model_dump(mode="json") for a in actions(session.itinerary, session.catalog, session.request)]  # type: ignore[arg-type]
    except ActingInputError as exc:
        raise ToolError("invalid_itinerary", str(exc)) from None


# -- booking -----------------------------------------------------------------------------------

def _client(session: Session) -> Any:
    from .client import BookingClient
    return BookingClient(session.server)  # type: ignore[arg-type]


@contextmanager
def _service(argument: str | None = None) -> Iterator[None]:
    """The booking service's answers as tool errors: a refusal keeps its code (and names
    ``argument``, or the field the service blames), an unreachable service is ``unavailable``."""
    from .client import BookingRefused, ServiceUnavailable
    try:
        yield
    except BookingRefused as exc:
        raise ToolError(exc.code, exc.message, argument or exc.field) from None
    except ServiceUnavailable as exc:
        raise ToolError("unavailable", str(exc)) from None


def _book(session: Session, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    payload = {k: _plain(v) for k, v in arguments.items() if k not in ("idempotency_key", "trip") and v is not None}
    key = arguments.get("idempotency_key") or "call-" + hashlib.sha256(
        json.dumps([name, payload], sort_keys=True).encode()).hexdigest()[:24]
    req = booking_request(ToolCall(name=name, arguments=payload), key, arguments.get("trip"))
    with _service():
        booking, replayed = _client(session).book(req)
    return {"booking": booking.model_dump(mode="json"), "replayed": replayed}


def _args(local: dict[str, Any]) -> dict[str, Any]:
    """A booking tool's arguments (its locals but the session)."""
    return {k: v for k, v in local.items() if k != "session"}


def _plain(v: Any) -> Any:
    """A JSON value as the actions write it: dates ISO, times HH:MM."""
    if isinstance(v, dt.time):
        return v.strftime("%H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _booking_check(kind: str) -> Any:
    _, id_arg, _, _ = BOOKING_TOOLS[kind]

    def check(session: Session, args: Any) -> None:
        item_id = getattr(args, id_arg)
        _known(session, id_arg, item_id)
        actual = booking_kind(session.catalog.index()[item_id])  # type: ignore[union-attr]
        if actual != kind:
            what = "is not bookable" if actual is None else f"is booked with {BOOKING_TOOLS[actual][0]}"
            raise ToolError("wrong_kind", f"{item_id!r} {what}, not with {BOOKING_TOOLS[kind][0]}", id_arg)
    return check


@tool(needs=("server",), check=_booking_check("flight"),
      examples=({"flight_id": "NS1074@2026-06-15", "travelers": 2},))
def book_flight(session: Session,
                flight_id: Annotated[str, Field(min_length=1, description="catalog id of the flight (NUMBER@DATE)")],
                travelers: Travelers, idempotency_key: Key = None, trip: TripLabel = None) -> dict[str, Any]:
    """Book seats on a flight for every traveller (children need a seat too)."""
    return _book(session, "book_flight", _args(locals()))


@tool(needs=("server",), check=_booking_check("train"), examples=(
    {"train_id": "train:Leipzig>Dresden", "date": "2026-06-17", "departure": "08:55", "travelers": 2},))
def book_train(session: Session,
               train_id: Annotated[str, Field(min_length=1, description="catalog id of the train connection")],
               date: Annotated[dt.date, Field(description="the day of travel")],
               departure: Annotated[dt.time, Field(description="one of the connection's departure times")],
               travelers: Travelers, idempotency_key: Key = None, trip: TripLabel = None) -> dict[str, Any]:
    """Book train seats for every traveller on one departure."""
    return _book(session, "book_train", _args(locals()))


@tool(needs=("server",), check=_booking_check("car"), examples=(
    {"car_id": "drive:Leipzig>Dresden", "date": "2026-06-17", "pickup": "09:00", "travelers": 2},))
def rent_car(session: Session,
             car_id: Annotated[str, Field(min_length=1, description="catalog id of the drive (a one-way rental)")],
             date: Annotated[dt.date, Field(description="the day of the drive")],
             pickup: Annotated[dt.time, Field(description="pick-up time: one of the drive's departure times")],
             travelers: Travelers, idempotency_key: Key = None, trip: TripLabel = None) -> dict[str, Any]:
    """Rent the car(s) for a drive between two cities, one-way, picked up at the departure time."""
    return _book(session, "rent_car", _args(locals()))


@tool(needs=("server",), check=_booking_check("taxi"), examples=(
    {"taxi_id": "taxi:Leipzig>Dresden", "date": "2026-06-17", "pickup": "10:00", "travelers": 3},))
def book_taxi(session: Session,
              taxi_id: Annotated[str, Field(min_length=1, description="catalog id of the taxi ride")],
              date: Annotated[dt.date, Field(description="the day of the ride")],
              pickup: Annotated[dt.time, Field(description="pick-up time: one of the ride's departure times")],
              travelers: Travelers, idempotency_key: Key = None, trip: TripLabel = None) -> dict[str, Any]:
    """Book the taxi(s) for a ride between two cities."""
    return _book(session, "book_taxi", _args(locals()))


@tool(needs=("server",), check=_booking_check("hotel"), examples=(
    {"hotel_id": "h:munich:2", "check_in": "2026-06-15", "nights": 2, "travelers": 2},))
def reserve_hotel(session: Session,
                  hotel_id: Annotated[str, Field(min_length=1, description="catalog id of the hotel")],
                  check_in: Annotated[dt.date, Field(description="the date of the first night")],
                  nights: Annotated[int, Field(ge=1, le=60, description="how many nights")],
                  travelers: Travelers, idempotency_key: Key = None, trip: TripLabel = None) -> dict[str, Any]:
    """Reserve a hotel stay: the rooms the party needs (from the hotel's occupancy) for consecutive nights."""
    return _book(session, "reserve_hotel", _args(locals()))


@tool(needs=("server",), check=_booking_check("table"), examples=(
    {"restaurant_id": "r:munich:2", "date": "2026-06-16", "time": "19:00", "travelers": 2},))
def reserve_table(session: Session,
                  restaurant_id: Annotated[str, Field(min_length=1, description="catalog id of a restaurant that "
                                                                                 "takes reservations")],
                  date: Annotated[dt.date, Field(description="the day of the meal")],
                  time: Annotated[dt.time, Field(description="when the meal starts")],
                  travelers: Travelers, idempotency_key: Key = None, trip: TripLabel = None) -> dict[str, Any]:
    """Reserve a table for the party at a restaurant that takes reservations."""
    return _book(session, "reserve_table", _args(locals()))


@tool(needs=("server",), check=_booking_check("ticket"), examples=(
    {"attraction_id": "a:munich:1", "date": "2026-06-16", "time": "11:00", "travelers": 2},))
def buy_tickets(session: Session,
                attraction_id: Annotated[str, Field(min_length=1, description="catalog id of an attraction that sells "
                                                                               "timed tickets")],
                date: Annotated[dt.date, Field(description="the day of the visit")],
                time: Annotated[dt.time, Field(description="the entry time slot")],
                travelers: Travelers, idempotency_key: Key = None, trip: TripLabel = None) -> dict[str, Any]:
    """Buy timed entry tickets for every traveller."""
    return _book(session, "buy_tickets", _args(locals()))


def _check_availability(session: Session, args: Any) -> None:
    _known(session, "item_id", args.item_id)


@tool(needs=("server",), check=_check_availability, examples=(
    {"kind": "hotel", "item_id": "h:munich:2", "date": "2026-06-15", "nights": 2, "travelers": 2},
    {"kind": "flight", "item_id": "NS1074@2026-06-15", "travelers": 2}))
def check_availability(session: Session,
                       kind: Annotated[BookingKind, Field(description="what kind of booking")],
                       item_id: Annotated[str, Field(min_length=1, description="catalog id")],
                       travelers: Travelers,
                       date: Annotated[dt.date | None, Field(description="the day (a hotel: the first night)")] = None,
                       time: Annotated[dt.time | None, Field(description="the departure, pick-up, meal or entry "
                                                                         "time")] = None,
                       nights: Annotated[int | None, Field(ge=1, le=60, description="a hotel: how many nights")] = None,
                       ) -> dict[str, Any]:
    """Whether a booking could be made now, and how much stock is left."""
    from pydantic import ValidationError

    from .models import BookingRequest
    try:
        req = BookingRequest(kind=kind, item_id=item_id, date=date, time=time, nights=nights, party=travelers,
                             idempotency_key="availability")
    except ValidationError as exc:
        raise ToolError("invalid_argument", exc.errors()[0]["msg"]) from None
    with _service():
        return _client(session).availability(req).model_dump(mode="json")


@tool(needs=("server",), examples=({"booking_id": "bk_0123456789abcdef"},))
def cancel_booking(session: Session,
                   booking_id: Annotated[str, Field(min_length=1, description="the booking's id (bk_...)")]
                   ) -> dict[str, Any]:
    """Cancel a booking and give its seats, rooms, table or tickets back (cancelling twice is harmless)."""
    with _service("booking_id"):
        return {"booking": _client(session).cancel(booking_id).model_dump(mode="json")}


@tool(needs=("server",), examples=({}, {"trip": "trip-0123456789abcdef", "status": "booked"}))
def list_bookings(session: Session,
                  trip: Annotated[str | None, Field(description="only this trip's bookings")] = None,
                  status: Annotated[Literal["booked", "cancelled"] | None, Field(description="only these")] = None,
                  ) -> list[dict[str, Any]]:
    """The bookings held by the booking service, in the order they were made."""
    with _service():
        return [b.model_dump(mode="json") for b in _client(session).bookings(trip=trip, status=status)]


@tool(needs=("itinerary", "server", "journal"), examples=({}, {"dry_run": True}))
def book_trip(session: Session,
              dry_run: Annotated[bool, Field(description="only check availability; book nothing")] = False,
              resume: Annotated[bool, Field(description="continue an unfinished run recorded in the journal")] = False,
              ) -> dict[str, Any]:
    """Book every action of the current itinerary, re-planning around sold-out items; all or nothing.

    Uses the executor (journal, idempotency keys, retries, compensation); see neurosym.acting.executor.
    """
    from .executor import book_itinerary
    if session.request is None:
        raise ToolError("missing_request", "the itinerary has no request: plan_trip first, or pass the request")
    try:
        report = book_itinerary(session.itinerary, session.request, session.catalog, session.server,  # type: ignore[arg-type]
                                journal=session.journal, dry_run=dry_run, resume=resume, now=session.now,
                                time_limit=session.time_limit, history=session.history)
    except ActingInputError as exc:
        raise ToolError("invalid_input", str(exc)) from None
    session.itinerary, session.request = report.itinerary, report.request
    return summary(report)


def summary(report: Any) -> dict[str, Any]:
    """A booking report without the itinerary and request (they are large)."""
    return report.model_dump(mode="json", exclude={"itinerary", "request"})


assert set(KIND_OF_TOOL) <= set(TOOLS), "every kind of booking has its tool"
