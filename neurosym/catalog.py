"""The catalog: everything a trip can be built from.

One pydantic model per domain concept. A :class:`Catalog` is plain data with a JSON
round-trip (``Catalog.model_validate_json(c.model_dump_json()) == c``); it is validated
when it is built, so a planner never sees a flight to a city that does not exist.

Times are local wall-clock times of the city they happen in. Prices are in the
catalog's currency, whole units or cents (``12.5``); the planner counts in cents.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .limits import (MAX_CAPACITY, MAX_DESCRIPTION, MAX_LEG_MINUTES, MAX_MEAL_MINUTES, MAX_MIN_NIGHTS, MAX_PRICE,
                     MAX_SPEED_KMH, MAX_TEXT, MAX_TRANSFER_MINUTES, MAX_VISIT_MINUTES, MIN_SPEED_KMH, short,
                     unicode_problem)

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The weekdays' names in messages (fixed, whatever the locale), Monday first as ``date.weekday()``.
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RoomType = Literal["entire_home", "private_room", "shared_room", "hotel_room"]
HouseRule = Literal["smoking", "pets", "parties", "children", "visitors"]
GroundMode = Literal["drive", "taxi", "train"]
TransportMode = Literal["flight", "drive", "taxi", "train"]
Category = Literal["transport", "hotel", "attraction", "restaurant"]
"""What an item is to a traveller: a way to travel, a bed, a visit or a meal."""


def minutes(t: time) -> int:
    """Minutes since midnight of a wall-clock time."""
    return t.hour * 60 + t.minute


def clock(m: int) -> str:
    """``HH:MM`` for minutes since midnight; a time past midnight shows ``+1d``."""
    day, rest = divmod(int(m), 24 * 60)
    text = f"{rest // 60:02d}:{rest % 60:02d}"
    return text if day == 0 else f"{text}{day:+d}d"


class Model(BaseModel):
    """The base of every neurosym data model: extra fields are refused, text holds no NUL."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, v: Any) -> Any:
        """Text reaches clingo, whose strings end at a NUL character: refuse it here."""
        texts = v if isinstance(v, list) else [v]
        if any(isinstance(x, str) and "\0" in x for x in texts):
            raise ValueError("text must not contain a NUL character")
        return v


class InputModel(Model):
    """The base of every input model (catalog, request, history): besides :class:`Model`'s
    checks, infinities and NaN are refused, and so is text that is not valid Unicode or is
    longer than its limit (see :mod:`neurosym.limits`)."""

    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, v: Any, info: ValidationInfo) -> Any:
        """Text reaches clingo and is printed: a lone surrogate or an overlong text is refused."""
        check_text(v, MAX_DESCRIPTION if info.field_name == "description" else MAX_TEXT)
        return v


def check_text(v: Any, limit: int = MAX_TEXT) -> None:
    """Raise ``ValueError`` when ``v`` (text, or a list of texts) holds text clingo cannot take."""
    for i, x in enumerate(v if isinstance(v, list) else [v]):
        if not isinstance(x, str):
            continue
        entry = f"entry {i}: " if isinstance(v, list) else ""
        problem = unicode_problem(x)
        if problem:
            raise ValueError(entry + problem)
        if len(x) > limit:
            raise ValueError(f"{entry}text must have at most {limit:,} characters (this one has {len(x):,})")


class Interval(InputModel):
    """An opening interval; ``close`` of ``00:00`` means midnight at the end of the day."""

    open: time
    close: time

    @property
    def open_min(self) -> int:
        return minutes(self.open)

    @property
    def close_min(self) -> int:
        c = minutes(self.close)
        return 24 * 60 if c == 0 else c

    @model_validator(mode="after")
    def _ordered(self) -> "Interval":
        if self.close_min <= self.open_min:
            raise ValueError(f"closes ({self.close}) before it opens ({self.open})")
        return self


class OpeningHours(InputModel):
    """Opening intervals per weekday; a weekday that is absent is a closed day.

    ``always=True`` (the default when no hours are known) means open all day, every day.
    """

    always: bool = False
    days: dict[Weekday, list[Interval]] = Field(default_factory=dict)

    @classmethod
    def daily(cls, open_: str, close: str, closed: tuple[Weekday, ...] = ()) -> "OpeningHours":
        iv = Interval(open=time.fromisoformat(open_), close=_parse_close(close))
        return cls(days={d: [iv] for d in WEEKDAYS if d not in closed})

    def intervals(self, weekday: Weekday) -> list[tuple[int, int]]:
        """Opening intervals of a weekday in minutes since midnight."""
        if self.always:
            return [(0, 24 * 60)]
        return [(iv.open_min, iv.close_min) for iv in self.days.get(weekday, [])]

    def is_open(self, weekday: Weekday, start: int, end: int) -> bool:
        """Whether the place is open for the whole of ``[start, end]`` on that weekday."""
        return any(o <= start and end <= c for o, c in self.intervals(weekday))


def _parse_close(text: str) -> time:
    return time(0, 0) if text in ("24:00", "00:00") else time.fromisoformat(text)


class City(InputModel):
    """A city: a place to stay, with a transport hub (airport or station) at ``hub_lat/lon``."""

    name: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    timezone: str = "UTC"
    state: str | None = None
    hub_lat: float | None = Field(default=None, ge=-90, le=90)
    hub_lon: float | None = Field(default=None, ge=-180, le=180)

    @property
    def hub(self) -> tuple[float, float]:
        return (self.hub_lat if self.hub_lat is not None else self.lat,
                self.hub_lon if self.hub_lon is not None else self.lon)


class Flight(InputModel):
    """A scheduled flight on one date; ``price`` is per seat (children need a seat too)."""

    number: str = Field(min_length=1)
    origin: str
    destination: str
    date: date
    departure: time
    arrival: time
    arrival_day_offset: int = Field(default=0, ge=0, le=1)
    price: float = Field(ge=0, le=MAX_PRICE)
    id: str = ""

    @model_validator(mode="after")
    def _fill(self) -> "Flight":
        if not self.id:
            self.id = f"{self.number}@{self.date.isoformat()}"
        if self.origin == self.destination:
            raise ValueError("origin and destination are the same city")
        if self.arrival_day_offset == 0 and minutes(self.arrival) <= minutes(self.departure):
            raise ValueError("arrives before it departs (set arrival_day_offset=1 for an overnight flight)")
        return self

    @property
    def departure_min(self) -> int:
        return minutes(self.departure)

    @property
    def arrival_min(self) -> int:
        return minutes(self.arrival) + 24 * 60 * self.arrival_day_offset


class GroundLeg(InputModel):
    """A drive, taxi or train between two cities, available on any day.

    ``cost`` is per vehicle (``cost_basis="per_vehicle"``, one vehicle carries
    ``vehicle_capacity`` people) or per person. ``departures`` lists the times a train
    leaves; for a car or taxi it lists the departure times the planner may pick.
    """

    id: str = Field(min_length=1)
    mode: GroundMode
    origin: str
    destination: str
    duration_min: int = Field(gt=0, le=MAX_LEG_MINUTES)
    distance_km: float | None = Field(default=None, ge=0)
    cost: float = Field(ge=0, le=MAX_PRICE)
    cost_basis: Literal["per_vehicle", "per_person"] = "per_vehicle"
    vehicle_capacity: int = Field(default=5, ge=1, le=MAX_CAPACITY)
    departures: list[time] = Field(
        default_factory=lambda: [time(h) for h in (6, 8, 10, 13, 16)])

    @model_validator(mode="after")
    def _check(self) -> "GroundLeg":
        if self.origin == self.destination:
            raise ValueError("origin and destination are the same city")
        if not self.departures:
            raise ValueError("departures is empty")
        return self


class HouseRules(InputModel):
    """What a property allows. ``False`` means the property forbids it."""

    smoking: bool = False
    pets: bool = True
    parties: bool = False
    children: bool = True
    visitors: bool = True

    def forbids(self, rule: HouseRule) -> bool:
        return not getattr(self, rule)


class Place(InputModel):
    """What hotels, attractions and restaurants share: an id, a name, a city, where it
    is (a place without coordinates stands at the city centre), a rating out of 5."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    city: str
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    rating: float = Field(default=3.0, ge=0, le=5)
    description: str = ""


class Hotel(Place):
    """A place to sleep. ``price`` is per room and night unless ``price_basis`` says per person."""

    price: float = Field(ge=0, le=MAX_PRICE)
    price_basis: Literal["per_room", "per_person"] = "per_room"
    room_type: RoomType = "hotel_room"
    max_occupancy: int = Field(default=2, ge=1, le=MAX_CAPACITY)
    check_in_start: time = time(15, 0)
    check_in_end: time | None = Field(
        default=time(23, 0), description="when the desk closes (00:00: midnight); null: it never closes (self "
                                         "check-in at any hour)")
    check_out: time = time(11, 0)
    min_nights: int = Field(default=1, ge=1, le=MAX_MIN_NIGHTS)
    house_rules: HouseRules = Field(default_factory=HouseRules)

    @property
    def check_in_end_min(self) -> int | None:
        """When the desk closes, in minutes after midnight (``None``: it never closes)."""
        if self.check_in_end is None:
            return None
        end = minutes(self.check_in_end)
        return 24 * 60 if end == 0 else end


class Attraction(Place):
    """Something to visit; ``price`` is per person. ``timed_tickets``: entry is by a
    ticket for a time slot, bought ahead (see :mod:`neurosym.acting`)."""

    hours: OpeningHours = Field(default_factory=lambda: OpeningHours(always=True))
    duration_min: int = Field(default=90, gt=0, le=MAX_VISIT_MINUTES)
    price: float = Field(default=0, ge=0, le=MAX_PRICE)
    category: str = "sight"
    indoor: bool = True
    timed_tickets: bool = Field(
        default=False, description="entry needs a ticket for a time slot, bought ahead (a booking action)")


class Restaurant(Place):
    """A place to eat; ``price`` is the average cost per person for one meal.
    ``reservations``: it takes table reservations (see :mod:`neurosym.acting`)."""

    cuisines: list[str] = Field(default_factory=list, max_length=100)
    price: float = Field(ge=0, le=MAX_PRICE)
    hours: OpeningHours = Field(default_factory=lambda: OpeningHours(always=True))
    meal_duration_min: int = Field(default=60, gt=0, le=MAX_MEAL_MINUTES)
    reservations: bool = Field(
        default=False, description="takes table reservations for a time slot (a booking action)")


class Transfer(InputModel):
    """An explicit edge of a city's transfer graph: minutes between two places (ids or ``hub:CITY``)."""

    a: str
    b: str
    minutes: int = Field(ge=0, le=MAX_TRANSFER_MINUTES)


Item = Flight | GroundLeg | Hotel | Attraction | Restaurant


class Catalog(InputModel):
    """Cities, transport and places. Validated as a whole: every reference resolves and ids are unique."""

    name: str = "catalog"
    cities: list[City]
    flights: list[Flight] = Field(default_factory=list)
    ground_legs: list[GroundLeg] = Field(default_factory=list)
    hotels: list[Hotel] = Field(default_factory=list)
    attractions: list[Attraction] = Field(default_factory=list)
    restaurants: list[Restaurant] = Field(default_factory=list)
    transfers: list[Transfer] = Field(default_factory=list)
    speed_kmh: float = Field(default=25.0, ge=MIN_SPEED_KMH, le=MAX_SPEED_KMH, description="door-to-door speed inside a city")
    transfer_overhead_min: int = Field(default=10, ge=0, le=MAX_TRANSFER_MINUTES, description="added to every move inside a city")

    @field_validator("cities")
    @classmethod
    def _unique_cities(cls, v: list[City]) -> list[City]:
        seen: set[str] = set()
        for c in v:
            if c.name in seen:
                raise ValueError(f"city {short(c.name)} is listed twice")
            seen.add(c.name)
        return v

    @model_validator(mode="after")
    def _references(self) -> "Catalog":
        names = {c.name for c in self.cities}
        ids: set[str] = set()
        for kind in ("flights", "ground_legs", "hotels", "attractions", "restaurants"):
            for i, item in enumerate(getattr(self, kind)):
                where = f"{kind}[{i}]"
                cities = ((item.origin, item.destination) if kind in ("flights", "ground_legs")
                          else (item.city,))
                for c in cities:
                    if c not in names:
                        raise ValueError(f"{where} ({short(item.id)}): unknown city {short(c)}")
                if item.id in ids:
                    raise ValueError(f"{where}: id {short(item.id)} is used twice")
                ids.add(item.id)
        return self

    # -- lookups -----------------------------------------------------------------------
    def city(self, name: str) -> City:
        for c in self.cities:
            if c.name == name:
                return c
        raise KeyError(name)

    def index(self) -> dict[str, Item]:
        """All items by id (built on each call: keep it when looking up many)."""
        return {it.id: it for it in self.items()}

    def item(self, item_id: str) -> Item:
        """The catalog item with this id (flight, ground leg, hotel, attraction or restaurant)."""
        return self.index()[item_id]

    def items(self) -> list[Item]:
        return [*self.flights, *self.ground_legs, *self.hotels, *self.attractions, *self.restaurants]

    def in_city(self, city: str) -> tuple[list[Hotel], list[Attraction], list[Restaurant]]:
        return ([h for h in self.hotels if h.city == city],
                [a for a in self.attractions if a.city == city],
                [r for r in self.restaurants if r.city == city])


def kind_of(item: Item) -> str:
    """``flight``, ``ground``, ``hotel``, ``attraction`` or ``restaurant``."""
    return {Flight: "flight", GroundLeg: "ground", Hotel: "hotel",
            Attraction: "attraction", Restaurant: "restaurant"}[type(item)]


# -- what an item is, how long it lasts, what it is called: one function each ----------------

def category(item: Item) -> Category:
    """``transport`` (a flight or ground leg), ``hotel``, ``attraction`` or ``restaurant``."""
    if isinstance(item, (Flight, GroundLeg)):
        return "transport"
    if isinstance(item, Hotel):
        return "hotel"
    return "attraction" if isinstance(item, Attraction) else "restaurant"


def duration(place: Attraction | Restaurant) -> int:
    """Minutes a visit (an attraction) or a meal (a restaurant) lasts."""
    return place.duration_min if isinstance(place, Attraction) else place.meal_duration_min


def mode_of(leg: Flight | GroundLeg) -> TransportMode:
    """``flight``, or the ground leg's mode (drive, taxi, train)."""
    return "flight" if isinstance(leg, Flight) else leg.mode


def leg_name(leg: Flight | GroundLeg, departure: int | None = None, day: int | None = None) -> str:
    """A readable name for a flight or ground leg, the one used wherever a leg is shown.

    ``flight NS1074 Berlin 22:15 -> Munich 23:30`` (with `` on 2026-06-15`` when neither
    a departure nor a day is given); a ground leg at one of its departure times ``train
    Berlin 07:00 -> Munich 10:00``, without one ``train Berlin -> Munich (180 min)``;
    `` (day 3)`` is added when ``day`` is given.
    """
    on = f" (day {day})" if day is not None else ""
    if isinstance(leg, Flight):
        date = f" on {leg.date.isoformat()}" if departure is None and day is None else ""
        return (f"flight {leg.number} {leg.origin} {clock(leg.departure_min)} -> {leg.destination} "
                f"{clock(leg.arrival_min)}{on}{date}")
    if departure is None:
        return f"{leg.mode} {leg.origin} -> {leg.destination} ({leg.duration_min} min){on}"
    return f"{leg.mode} {leg.origin} {clock(departure)} -> {leg.destination} {clock(departure + leg.duration_min)}{on}"
