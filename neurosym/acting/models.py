"""The data of acting: a tool call, a booking request, a booking, availability.

One pydantic model per concept, validated at the boundary and shared by the tools, the
booking service, its client and the executor, so that what an agent sends, what the
service stores and what the journal records cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

BookingKind = Literal["flight", "train", "car", "taxi", "hotel", "table", "ticket"]
"""What a booking reserves: a flight or train seat, a one-way rental car, a pre-booked
taxi, hotel rooms, a restaurant table, timed tickets."""

BookingStatus = Literal["booked", "cancelled"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolCall(_Model):
    """One function call in the xLAM unified format: ``{"name": ..., "arguments": {...}}``."""

    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)


def check_shape(kind: BookingKind, date: dt.date | None, time: dt.time | None, nights: int | None) -> None:
    """Raise ``ValueError`` unless a booking of ``kind`` has what it needs: a hotel its first
    night and nights, a train, car, taxi, table or ticket a date and a time (a flight has
    its own date)."""
    if kind == "hotel" and nights is None:
        raise ValueError("a hotel booking needs nights")
    if kind != "hotel" and nights is not None:
        raise ValueError(f"nights is for hotel bookings, not {kind}")
    if kind in ("train", "car", "taxi", "table", "ticket") and (time is None or date is None):
        raise ValueError(f"a {kind} booking needs a date and a time")
    if kind == "hotel" and date is None:
        raise ValueError("a hotel booking needs the date of the first night")


class BookingRequest(_Model):
    """What the booking service is asked to book.

    ``party`` is the number of people; the service derives what it counts against its
    inventory from it, exactly as the planner costs it (seats or per-person fares for
    flights and per-person legs, vehicles for cars and taxis, rooms from the hotel's
    occupancy, one table, one ticket a person). ``date`` is the day of the flight, the
    departure, the first night or the meal or visit (a flight's own date when left out);
    ``time`` the departure, pick-up, meal or entry time; ``nights`` the length of a hotel
    stay. ``idempotency_key``: the same key always gives the same booking, however often
    it is sent. ``trip`` is a label that groups the bookings of one trip.
    """

    kind: BookingKind
    item_id: str = Field(min_length=1, max_length=200)
    date: dt.date | None = None
    time: dt.time | None = None
    nights: int | None = Field(default=None, ge=1, le=60)
    party: int = Field(ge=1, le=40)
    idempotency_key: str = Field(min_length=8, max_length=200)
    trip: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _shape(self) -> "BookingRequest":
        check_shape(self.kind, self.date, self.time, self.nights)
        return self

    def same_as(self, other: "BookingRequest") -> bool:
        """Whether two requests ask for the same thing (all but the key)."""
        return self.model_dump(exclude={"idempotency_key"}) == other.model_dump(exclude={"idempotency_key"})


class Booking(_Model):
    """A booking held by the service."""

    id: str
    status: BookingStatus
    kind: BookingKind
    item_id: str
    name: str
    date: dt.date
    time: dt.time | None = None
    nights: int | None = None
    party: int
    units: int = Field(description="what the booking holds of the inventory: seats, vehicles, rooms a night, "
                                   "tables or tickets")
    price: float = Field(description="in the catalog's currency, for the whole party (and every night)")
    idempotency_key: str
    trip: str | None = None
    created: str
    cancelled: str | None = None


class Availability(_Model):
    """Whether a booking could be made now: ``remaining`` is the smallest stock left over the
    nights or slot asked for, ``units`` what the booking would take."""

    kind: BookingKind
    item_id: str
    date: dt.date
    time: dt.time | None = None
    nights: int | None = None
    units: int
    remaining: int
    available: bool
    reason: str | None = Field(default=None, description="why it cannot be booked at all, if so")


class ServiceError(_Model):
    """The body of every error answer of the booking service: ``{"error": {...}}``.

    ``code`` is one of ``invalid`` (the request is malformed: ``field`` names the field),
    ``unknown_item``, ``not_found`` (no such booking), ``sold_out``, ``not_bookable``
    (this item is not booked that way, or not at that time), ``refused`` (the provider
    refuses it), ``key_reused`` (an idempotency key sent again with another request).
    """

    code: str
    message: str
    field: str | None = None
    item_id: str | None = None


class ErrorBody(_Model):
    error: ServiceError


class ActingInputError(ValueError):
    """Bad input to acting (an itinerary that does not fit the catalog, an unknown tool, a
    missing server, ...): the message names the file, field or tool; nothing was changed."""
