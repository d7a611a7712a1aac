"""The executor's journal: one SQLite file, written before every call to the service.

Two tables. ``trips`` holds one row per trip (its key, the attempt number
``generation``, the status, the current request and itinerary, which change when the
executor re-plans, and the re-plans made). ``entries`` holds one row per call the
executor makes to book or cancel: written as ``pending`` (with the call and its
idempotency key) and committed *before* the call goes out, then marked ``done`` (with the
booking) or ``failed`` (with the service's error code) when the answer is in.

So at any crash point the journal knows every call that may have reached the service: a
``pending`` entry is repeated with the same idempotency key on resume (the service
answers with the booking it made, or makes it now), and nothing is booked that the
journal does not know of. Every write is its own transaction with ``synchronous=FULL``.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS trips (
    key TEXT PRIMARY KEY, generation INTEGER NOT NULL, status TEXT NOT NULL, server TEXT NOT NULL,
    catalog TEXT NOT NULL, original_request TEXT NOT NULL, original_itinerary TEXT NOT NULL,
    request TEXT NOT NULL, itinerary TEXT NOT NULL, replans TEXT NOT NULL DEFAULT '[]',
    failure TEXT, created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, trip TEXT NOT NULL, generation INTEGER NOT NULL,
    action_id TEXT NOT NULL, op TEXT NOT NULL, call TEXT NOT NULL, idempotency_key TEXT NOT NULL,
    state TEXT NOT NULL, booking_id TEXT, booking TEXT, error_code TEXT, error TEXT,
    created TEXT NOT NULL, updated TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_trip ON entries (trip, generation, action_id);
"""

TRIP_STATUSES = ("booking", "done", "compensating", "compensated")
"""``booking``: under way (or stopped by a crash or an unreachable service: resume it);
``done``: every action booked; ``compensating``: a permanent failure, cancelling;
``compensated``: every booking of the attempt cancelled."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class Entry:
    """One journal entry (a row of ``entries``)."""

    seq: int
    trip: str
    generation: int
    action_id: str
    op: str
    call: dict[str, Any]
    idempotency_key: str
    state: str
    booking_id: str | None
    booking: dict[str, Any] | None
    error_code: str | None
    error: str | None


@dataclass
class Trip:
    """One trip (a row of ``trips``)."""

    key: str
    generation: int
    status: str
    server: str
    catalog: str
    original_request: str
    original_itinerary: str
    request: str
    itinerary: str
    replans: list[dict[str, Any]]
    failure: dict[str, Any] | None


class Journal:
    """The journal file at ``path`` (created when absent)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        with self._tx() as c:
            c.executescript(_SCHEMA)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA synchronous=FULL")
        try:
            with conn:  # one transaction, committed on success
                yield conn
        finally:
            conn.close()

    # -- trips -----------------------------------------------------------------------
    def trip(self, key: str) -> Trip | None:
        with self._tx() as c:
            row = c.execute("SELECT * FROM trips WHERE key=?", (key,)).fetchone()
        if row is None:
            return None
        d = dict(row)
        d.pop("created"), d.pop("updated")
        d["replans"] = json.loads(d["replans"])
        d["failure"] = json.loads(d["failure"]) if d["failure"] else None
        return Trip(**d)

    def trips(self) -> list[str]:
        with self._tx() as c:
            return [r[0] for r in c.execute("SELECT key FROM trips ORDER BY created")]

    def start(self, key: str, server: str, catalog: str, request: str, itinerary: str) -> Trip:
        """A new attempt at the trip: generation 1, or one more than the last attempt."""
        now = _now()
        with self._tx() as c:
            row = c.execute("SELECT generation FROM trips WHERE key=?", (key,)).fetchone()
            if row is None:
                c.execute("INSERT INTO trips VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                          (key, 1, "booking", server, catalog, request, itinerary, request, itinerary, "[]", None,
                           now, now))
            else:
                c.execute("UPDATE trips SET generation=generation+1, status='booking', server=?, request=?, "
                          "itinerary=?, replans='[]', failure=NULL, updated=? WHERE key=?",
                          (server, request, itinerary, now, key))
        trip = self.trip(key)
        assert trip is not None
        return trip

    def update(self, key: str, **fields: Any) -> None:
        """Change fields of a trip (``status``, ``request``, ``itinerary``, ``replans``, ``failure``)."""
        allowed = {"status", "request", "itinerary", "replans", "failure", "server"}
        if set(fields) - allowed:
            raise ValueError(f"cannot update {sorted(set(fields) - allowed)}")
        vals = {k: json.dumps(v) if k in ("replans", "failure") and v is not None else v for k, v in fields.items()}
        sets = ", ".join(f"{k}=?" for k in vals)
        with self._tx() as c:
            c.execute(f"UPDATE trips SET {sets}, updated=? WHERE key=?", (*vals.values(), _now(), key))

    # -- entries ---------------------------------------------------------------------
    def add(self, trip: str, generation: int, action_id: str, op: str, call: dict[str, Any],
            idempotency_key: str, booking_id: str | None = None) -> int:
        """Write a ``pending`` entry (committed before the call is made); its ``seq``."""
        now = _now()
        with self._tx() as c:
            cur = c.execute("INSERT INTO entries (trip, generation, action_id, op, call, idempotency_key, state, "
                            "booking_id, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (trip, generation, action_id, op, json.dumps(call), idempotency_key, "pending",
                             booking_id, now, now))
            return int(cur.lastrowid)  # type: ignore[arg-type]

    def done(self, seq: int, booking: dict[str, Any]) -> None:
        with self._tx() as c:
            c.execute("UPDATE entries SET state='done', booking_id=?, booking=?, updated=? WHERE seq=?",
                      (booking["id"], json.dumps(booking), _now(), seq))

    def failed(self, seq: int, code: str, message: str) -> None:
        with self._tx() as c:
            c.execute("UPDATE entries SET state='failed', error_code=?, error=?, updated=? WHERE seq=?",
                      (code, message, _now(), seq))

    def entries(self, trip: str | None = None, generation: int | None = None, op: str | None = None) -> list[Entry]:
        where, args = [], []
        for col, val in (("trip", trip), ("generation", generation), ("op", op)):
            if val is not None:
                where.append(f"{col}=?")
                args.append(val)
        sql = "SELECT * FROM entries" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq"
        with self._tx() as c:
            rows = c.execute(sql, args).fetchall()
        skip = ("created", "updated")
        return [Entry(**{**{k: r[k] for k in r.keys() if k not in skip}, "call": json.loads(r["call"]),
                         "booking": json.loads(r["booking"]) if r["booking"] else None}) for r in rows]
