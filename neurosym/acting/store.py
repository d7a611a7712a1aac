"""The booking service's state: inventory and bookings in SQLite, seeded from a catalog.

:class:`BookingStore` is the whole service without HTTP (``server.py`` puts Flask in
front of it). Every bookable catalog item gets a stock row when the database is created:
seats per flight, seats per train departure, cars and taxis per day, rooms per hotel
night, tables per restaurant slot, tickets per attraction slot (:data:`DEFAULT_CAPACITY`,
changed per kind when the database is created, or per item and day through
:meth:`BookingStore.set_inventory`). A booking holds units of the stock for each night or
slot it covers; a cancellation gives them back.

Each booking is one SQLite transaction (``BEGIN IMMEDIATE``), so two concurrent requests
never sell the last room twice, and the idempotency key is unique in the table and looked
up inside that transaction before anything else: the same key always answers with the
same booking, even while the first request is still on its way back. A caller that
gave up on a request settles it with :meth:`BookingStore.void`: the booking if it was
made, or else the key is voided and the request can no longer book.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..catalog import WEEKDAYS, Attraction, Catalog, Flight, GroundLeg, Hotel, Item, Restaurant, minutes
from ..costs import leg_cost, leg_units, night_cost, place_cost, rooms
from .models import Availability, Booking, BookingKind, BookingRequest, ServiceError

DEFAULT_CAPACITY: dict[str, int] = {"flight": 150, "train": 300, "car": 20, "taxi": 10, "hotel": 20,
                                    "table": 12, "ticket": 200}
"""Stock per bookable item when nothing else is said: seats per flight, seats per train
departure, cars and taxis per leg and day, rooms per hotel night, tables per restaurant
slot, tickets per attraction slot."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stock (
    item_id TEXT PRIMARY KEY, kind TEXT NOT NULL, capacity INTEGER NOT NULL, refuse TEXT);
CREATE TABLE IF NOT EXISTS stock_day (
    item_id TEXT NOT NULL, day TEXT NOT NULL, capacity INTEGER NOT NULL, PRIMARY KEY (item_id, day));
CREATE TABLE IF NOT EXISTS bookings (
    id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, request TEXT NOT NULL,
    status TEXT NOT NULL, kind TEXT NOT NULL, item_id TEXT NOT NULL, name TEXT NOT NULL,
    date TEXT NOT NULL, time TEXT, nights INTEGER, party INTEGER NOT NULL, units INTEGER NOT NULL,
    price REAL NOT NULL, trip TEXT, created TEXT NOT NULL, cancelled TEXT);
CREATE INDEX IF NOT EXISTS bookings_trip ON bookings (trip);
CREATE TABLE IF NOT EXISTS holds (
    booking_id TEXT NOT NULL, item_id TEXT NOT NULL, day TEXT NOT NULL, slot TEXT NOT NULL,
    units INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS holds_stock ON holds (item_id, day, slot);
CREATE TABLE IF NOT EXISTS void_keys (idempotency_key TEXT PRIMARY KEY, voided TEXT NOT NULL);
"""


class ServiceFailure(Exception):
    """A definite answer other than success: an HTTP status and a :class:`ServiceError`."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 item_id: str | None = None):
        super().__init__(message)
        self.status = status
        self.error = ServiceError(code=code, message=message, field=field, item_id=item_id)


def catalog_fingerprint(catalog: Catalog) -> str:
    """A short hash of the catalog's content: the service and the executor compare it so
    that nobody books an itinerary of one catalog on a service seeded from another."""
    return hashlib.sha256(catalog.model_dump_json().encode()).hexdigest()[:16]


def booking_kind(item: Item) -> BookingKind | None:
    """How an item is booked, or None when it is not (a restaurant without reservations,
    an attraction without timed tickets)."""
    if isinstance(item, Flight):
        return "flight"
    if isinstance(item, GroundLeg):
        return {"train": "train", "drive": "car", "taxi": "taxi"}[item.mode]  # type: ignore[return-value]
    if isinstance(item, Hotel):
        return "hotel"
    if isinstance(item, Restaurant):
        return "table" if item.reservations else None
    if isinstance(item, Attraction):
        return "ticket" if item.timed_tickets else None
    return None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


class _Plan:
    """What one request holds: units per (day, slot), the price, the item's name."""

    def __init__(self, item: Item, date: dt.date, time: dt.time | None, units: int, price_cents: int,
                 holds: list[tuple[str, str]]):
        self.item, self.date, self.time, self.units = item, date, time, units
        self.price = price_cents / 100
        self.holds = holds
        self.name = item.name if hasattr(item, "name") else _leg_name(item)


def _leg_name(item: Item) -> str:
    if isinstance(item, Flight):
        return f"Flight {item.number} {item.origin} -> {item.destination}"
    assert isinstance(item, GroundLeg)
    return f"{item.mode.capitalize()} {item.origin} -> {item.destination}"


class BookingStore:
    """Inventory and bookings of one catalog in one SQLite file (created when absent).

    ``capacity`` changes the stock per kind (see :data:`DEFAULT_CAPACITY`) when the
    database is created; a database is bound to the catalog it was seeded from, and
    opening it with another catalog raises ``ValueError``.
    """

    def __init__(self, path: str | Path, catalog: Catalog, capacity: Mapping[str, int] | None = None):
        self.path = Path(path)
        self.catalog = catalog
        self.index = catalog.index()
        self.fingerprint = catalog_fingerprint(catalog)
        unknown = set(capacity or {}) - set(DEFAULT_CAPACITY)
        if unknown:
            raise ValueError(f"capacity: unknown kind {sorted(unknown)[0]!r} (known: {', '.join(DEFAULT_CAPACITY)})")
        caps = {**DEFAULT_CAPACITY, **(capacity or {})}
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            row = conn.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
            if row is not None and row[0] != self.fingerprint:
                raise ValueError(f"{self.path} holds the bookings of another catalog (fingerprint {row[0]}, "
                                 f"this catalog is {self.fingerprint}); use another --db")
            if row is None:
                conn.execute("INSERT INTO meta VALUES ('fingerprint', ?), ('catalog', ?)",
                             (self.fingerprint, catalog.name))
                conn.executemany("INSERT OR IGNORE INTO stock (item_id, kind, capacity) VALUES (?, ?, ?)",
                                 [(i.id, k, caps[k]) for i in catalog.items() if (k := booking_kind(i))])
            conn.commit()
        finally:
            conn.close()

    # -- plumbing --------------------------------------------------------------------
    @contextmanager
    def _tx(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction (``BEGIN IMMEDIATE`` when writing); committed on
        success, rolled back on any exception."""
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous=FULL")
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def _item(self, item_id: str) -> Item:
        item = self.index.get(item_id)
        if item is None:
            raise ServiceFailure(404, "unknown_item", f"{item_id!r} is not an item of catalog {self.catalog.name!r}",
                                 field="item_id", item_id=item_id)
        return item

    def _plan(self, kind: BookingKind, item_id: str, date: dt.date | None, time: dt.time | None,
              nights: int | None, party: int) -> _Plan:
        """Check that the request fits the item and compute what it holds and costs."""
        item = self._item(item_id)
        actual = booking_kind(item)
        if actual != kind:
            if actual is None:
                reason = "does not take table reservations" if isinstance(item, Restaurant) else "sells no timed tickets"
            else:
                reason = f"is booked as a {actual}, not a {kind}"
            raise ServiceFailure(422, "not_bookable", f"{getattr(item, 'name', item_id)} {reason}",
                                 field="kind", item_id=item_id)
        if isinstance(item, Flight):
            if date is not None and date != item.date:
                raise ServiceFailure(422, "not_bookable", f"flight {item.number} flies on {item.date}, not {date}",
                                     field="date", item_id=item_id)
            if time is not None and minutes(time) != item.departure_min:
                raise ServiceFailure(422, "not_bookable", f"flight {item.number} leaves at {item.departure:%H:%M}, "
                                     f"not {time:%H:%M}", field="time", item_id=item_id)
            units = leg_units(item, party)
            return _Plan(item, item.date, item.departure, units, leg_cost(item, party), [(item.date.isoformat(), "")])
        assert date is not None
        if isinstance(item, GroundLeg):
            assert time is not None
            if minutes(time) not in {minutes(t) for t in item.departures}:
                times = ", ".join(f"{t:%H:%M}" for t in item.departures)
                raise ServiceFailure(422, "not_bookable", f"{_leg_name(item)} leaves at {times}, not {time:%H:%M}",
                                     field="time", item_id=item_id)
            slot = time.strftime("%H:%M") if kind == "train" else ""
            return _Plan(item, date, time, leg_units(item, party), leg_cost(item, party), [(date.isoformat(), slot)])
        if isinstance(item, Hotel):
            assert nights is not None
            if nights < item.min_nights:
                raise ServiceFailure(422, "not_bookable", f"{item.name} takes stays of at least {item.min_nights} "
                                     f"nights, not {nights}", field="nights", item_id=item_id)
            days = [(date + dt.timedelta(days=k)).isoformat() for k in range(nights)]
            return _Plan(item, date, None, rooms(item, party), night_cost(item, party) * nights,
                         [(d, "") for d in days])
        assert isinstance(item, (Restaurant, Attraction)) and time is not None
        duration = item.meal_duration_min if isinstance(item, Restaurant) else item.duration_min
        start = minutes(time)
        weekday = WEEKDAYS[date.weekday()]
        if not item.hours.is_open(weekday, start, start + duration):
            raise ServiceFailure(422, "not_bookable", f"{item.name} is not open from {time:%H:%M} for "
                                 f"{duration} min on {date:%A} {date}", field="time", item_id=item_id)
        units = 1 if kind == "table" else party
        return _Plan(item, date, time, units, place_cost(item, party), [(date.isoformat(), time.strftime("%H:%M"))])

    def _capacity(self, c: sqlite3.Connection, item_id: str, day: str) -> tuple[int, str | None]:
        row = c.execute("SELECT capacity, refuse FROM stock WHERE item_id=?", (item_id,)).fetchone()
        over = c.execute("SELECT capacity FROM stock_day WHERE item_id=? AND day=?", (item_id, day)).fetchone()
        return (over[0] if over is not None else row[0]), row[1]

    def _remaining(self, c: sqlite3.Connection, item_id: str, holds: list[tuple[str, str]]) -> tuple[int, str | None]:
        """The smallest stock left over the nights or slot, and the refusal reason if any."""
        left, refuse = None, None
        for day, slot in holds:
            cap, refuse = self._capacity(c, item_id, day)
            used = c.execute("SELECT COALESCE(SUM(units), 0) FROM holds WHERE item_id=? AND day=? AND slot=?",
                             (item_id, day, slot)).fetchone()[0]
            left = cap - used if left is None else min(left, cap - used)
        return (left or 0), refuse

    # -- the service -----------------------------------------------------------------
    def availability(self, kind: BookingKind, item_id: str, date: dt.date | None = None,
                     time: dt.time | None = None, nights: int | None = None, party: int = 1) -> Availability:
        """Whether this booking could be made now, and how much stock is left."""
        try:
            plan = self._plan(kind, item_id, date, time, nights, party)
        except ServiceFailure as f:
            if f.error.code != "not_bookable":
                raise
            return Availability(kind=kind, item_id=item_id, date=date or dt.date.min, time=time, nights=nights,
                                units=0, remaining=0, available=False, reason=f.error.message)
        with self._tx() as c:
            left, refuse = self._remaining(c, item_id, plan.holds)
        return Availability(kind=kind, item_id=item_id, date=plan.date, time=plan.time, nights=nights,
                            units=plan.units, remaining=left, available=refuse is None and left >= plan.units,
                            reason=refuse)

    def book(self, req: BookingRequest) -> tuple[Booking, bool]:
        """Book; returns the booking and whether it is a replay of an earlier request with
        the same idempotency key. Raises :class:`ServiceFailure` on a definite refusal."""
        plan = self._plan(req.kind, req.item_id, req.date, req.time, req.nights, req.party)
        with self._tx(write=True) as c:
            row = c.execute("SELECT * FROM bookings WHERE idempotency_key=?", (req.idempotency_key,)).fetchone()
            if row is not None:
                if not BookingRequest.model_validate_json(row["request"]).same_as(req):
                    raise ServiceFailure(409, "key_reused", f"idempotency key {req.idempotency_key!r} was used for "
                                         "another request", field="idempotency_key", item_id=req.item_id)
                return _booking(row), True
            if c.execute("SELECT 1 FROM void_keys WHERE idempotency_key=?", (req.idempotency_key,)).fetchone():
                raise ServiceFailure(409, "key_void", f"idempotency key {req.idempotency_key!r} was voided: this "
                                     "request is not to be booked", field="idempotency_key", item_id=req.item_id)
            left, refuse = self._remaining(c, req.item_id, plan.holds)
            if refuse is not None:
                raise ServiceFailure(422, "refused", f"{plan.name}: {refuse}", item_id=req.item_id)
            if left < plan.units:
                raise ServiceFailure(409, "sold_out", f"{plan.name} is sold out: {plan.units} needed, {max(left, 0)} "
                                     f"left", item_id=req.item_id)
            bid = "bk_" + hashlib.sha256(req.idempotency_key.encode()).hexdigest()[:16]
            c.execute("INSERT INTO bookings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                      (bid, req.idempotency_key, req.model_dump_json(), "booked", req.kind, req.item_id, plan.name,
                       plan.date.isoformat(), plan.time.strftime("%H:%M") if plan.time else None, req.nights,
                       req.party, plan.units, plan.price, req.trip, _now(), None))
            c.executemany("INSERT INTO holds VALUES (?,?,?,?,?)",
                          [(bid, req.item_id, day, slot, plan.units) for day, slot in plan.holds])
            row = c.execute("SELECT * FROM bookings WHERE id=?", (bid,)).fetchone()
            return _booking(row), False

    def void(self, idempotency_key: str) -> Booking | None:
        """Settle a request whose answer was lost: the booking made with this key, if any;
        otherwise the key is voided, so that the request, should it still arrive, is
        refused (``key_void``) instead of booking behind the caller's back."""
        with self._tx(write=True) as c:
            row = c.execute("SELECT * FROM bookings WHERE idempotency_key=?", (idempotency_key,)).fetchone()
            if row is not None:
                return _booking(row)
            c.execute("INSERT OR IGNORE INTO void_keys VALUES (?, ?)", (idempotency_key, _now()))
            return None

    def cancel(self, booking_id: str) -> Booking:
        """Cancel a booking and give its stock back (cancelling twice is not an error)."""
        with self._tx(write=True) as c:
            row = c.execute("SELECT * FROM bookings WHERE id=?", (booking_id,)).fetchone()
            if row is None:
                raise ServiceFailure(404, "not_found", f"no booking {booking_id!r}", field="booking_id")
            if row["status"] != "cancelled":
                c.execute("UPDATE bookings SET status='cancelled', cancelled=? WHERE id=?", (_now(), booking_id))
                c.execute("DELETE FROM holds WHERE booking_id=?", (booking_id,))
                row = c.execute("SELECT * FROM bookings WHERE id=?", (booking_id,)).fetchone()
            return _booking(row)

    def get(self, booking_id: str) -> Booking:
        with self._tx() as c:
            row = c.execute("SELECT * FROM bookings WHERE id=?", (booking_id,)).fetchone()
        if row is None:
            raise ServiceFailure(404, "not_found", f"no booking {booking_id!r}", field="booking_id")
        return _booking(row)

    def bookings(self, trip: str | None = None, status: str | None = None, idempotency_key: str | None = None,
                 item_id: str | None = None) -> list[Booking]:
        """Bookings in the order they were made, filtered by any of the arguments."""
        where, args = [], []
        for col, val in (("trip", trip), ("status", status), ("idempotency_key", idempotency_key),
                         ("item_id", item_id)):
            if val is not None:
                where.append(f"{col}=?")
                args.append(val)
        sql = "SELECT * FROM bookings" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY rowid"
        with self._tx() as c:
            return [_booking(r) for r in c.execute(sql, args).fetchall()]

    def set_inventory(self, item_id: str, capacity: int | None = None, date: dt.date | None = None,
                      refuse: str | None = None, clear_refuse: bool = False) -> dict[str, Any]:
        """Operator's change of stock: ``capacity`` for every day, or for ``date`` only (0
        sells the item out); ``refuse`` makes the provider refuse every booking of the item
        with that reason (a definite refusal that is not "sold out")."""
        self._item(item_id)
        with self._tx(write=True) as c:
            if c.execute("SELECT 1 FROM stock WHERE item_id=?", (item_id,)).fetchone() is None:
                raise ServiceFailure(422, "not_bookable", f"{item_id!r} is not bookable", field="item_id",
                                     item_id=item_id)
            if capacity is not None:
                if date is None:
                    c.execute("UPDATE stock SET capacity=? WHERE item_id=?", (capacity, item_id))
                else:
                    c.execute("INSERT OR REPLACE INTO stock_day VALUES (?,?,?)", (item_id, date.isoformat(), capacity))
            if refuse is not None or clear_refuse:
                c.execute("UPDATE stock SET refuse=? WHERE item_id=?", (refuse, item_id))
        return self.inventory(item_id)

    def inventory(self, item_id: str) -> dict[str, Any]:
        """An item's stock: kind, capacity, per-day capacities, refusal reason, what is held."""
        self._item(item_id)
        with self._tx() as c:
            row = c.execute("SELECT * FROM stock WHERE item_id=?", (item_id,)).fetchone()
            if row is None:
                raise ServiceFailure(422, "not_bookable", f"{item_id!r} is not bookable", field="item_id",
                                     item_id=item_id)
            days = {d: cap for d, cap in c.execute("SELECT day, capacity FROM stock_day WHERE item_id=? ORDER BY day",
                                                    (item_id,))}
            held = [{"day": d, "slot": s or None, "units": u} for d, s, u in c.execute(
                "SELECT day, slot, SUM(units) FROM holds WHERE item_id=? GROUP BY day, slot ORDER BY day, slot",
                (item_id,))]
        return {"item_id": item_id, "kind": row["kind"], "capacity": row["capacity"], "days": days,
                "refuse": row["refuse"], "held": held}


def _booking(row: sqlite3.Row) -> Booking:
    data = {k: row[k] for k in row.keys() if k != "request"}
    return Booking.model_validate(data)
