"""A client of the booking service (standard library HTTP), with retries on transient errors.

A *transient* error is one after which the same request may well succeed: the service
cannot be reached, the connection breaks, it answers too slowly (``timeout_s``), or it
answers 5xx. Those are retried with exponential backoff and jitter (:class:`RetryPolicy`),
and after the last attempt :class:`ServiceUnavailable` is raised. Every other answer is
definite and never retried: a 4xx becomes :class:`BookingRefused` (:class:`SoldOut` for
``sold_out``). Retrying a booking is safe because it carries its idempotency key, and
cancelling twice is not an error.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from .models import Availability, Booking, BookingRequest


class ServiceUnavailable(Exception):
    """The service could not be reached or kept failing; nothing definite is known."""


class BookingRefused(Exception):
    """A definite refusal of the service (an HTTP 4xx), with its error code."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None, item_id: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.item_id = status, code, message, field, item_id


class SoldOut(BookingRefused):
    """The item has no stock left for the nights or slot asked for."""


@dataclass
class RetryPolicy:
    """``attempts`` tries in all; the k-th wait is ``base_s * factor**k`` (at most ``max_s``),
    scaled by a random factor in [0.5, 1] so that clients do not retry in lockstep."""

    attempts: int = 6
    base_s: float = 0.2
    factor: float = 2.0
    max_s: float = 5.0
    timeout_s: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, k: int) -> float:
        return min(self.max_s, self.base_s * self.factor ** k) * random.uniform(0.5, 1.0)


class BookingClient:
    """Talks to one booking service at ``url`` (e.g. ``http://127.0.0.1:8750``)."""

    def __init__(self, url: str, retry: RetryPolicy | None = None):
        parsed = urllib.parse.urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"server: {url!r} is not an http:// URL")
        self.url = url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.transient_errors = 0   # how many transient failures were met (and retried or given up on)

    # -- plumbing --------------------------------------------------------------------
    def _once(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.retry.timeout_s) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = {"error": {"code": "unavailable", "message": raw.decode(errors="replace")[:200]}}
            return exc.code, payload

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One call with retries; the decoded JSON of a 2xx answer."""
        last: str = ""
        for k in range(self.retry.attempts):
            if k:
                self.retry.sleep(self.retry.delay(k - 1))
            try:
                status, payload = self._once(method, path, body)
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout,
                    TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"{type(reason).__name__}: {reason}" if not isinstance(reason, str) else reason
                self.transient_errors += 1
                continue
            if status >= 500:
                last = f"HTTP {status}: {_message(payload)}"
                self.transient_errors += 1
                continue
            if status >= 400:
                err = (payload or {}).get("error", {}) if isinstance(payload, dict) else {}
                cls = SoldOut if err.get("code") == "sold_out" else BookingRefused
                raise cls(status, err.get("code", "invalid"), err.get("message", f"HTTP {status}"),
                          err.get("field"), err.get("item_id"))
            return payload
        raise ServiceUnavailable(f"the booking service at {self.url} did not answer {method} {path} after "
                                 f"{self.retry.attempts} attempts ({last})")

    # -- the API ---------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self.request("GET", "/health")

    def availability(self, req: BookingRequest) -> Availability:
        q = {k: v for k, v in req.model_dump(mode="json", include={"kind", "item_id", "date", "time", "nights",
                                                                   "party"}).items() if v is not None}
        return Availability.model_validate(self.request("GET", "/availability?" + urllib.parse.urlencode(q)))

    def book(self, req: BookingRequest) -> tuple[Booking, bool]:
        """Book (retried on transient errors with the same idempotency key); the booking and
        whether the service had already made it."""
        out = self.request("POST", "/bookings", req.model_dump(mode="json"))
        return Booking.model_validate(out["booking"]), bool(out.get("replayed"))

    def cancel(self, booking_id: str) -> Booking:
        return Booking.model_validate(self.request("POST", f"/bookings/{urllib.parse.quote(booking_id)}/cancel")
                                      ["booking"])

    def void(self, idempotency_key: str) -> Booking | None:
        """Settle a request whose answer was lost: the booking it made, or None (and the key
        can no longer book)."""
        out = self.request("POST", f"/idempotency-keys/{urllib.parse.quote(idempotency_key, safe='')}/void")
        return None if out["booking"] is None else Booking.model_validate(out["booking"])

    def get(self, booking_id: str) -> Booking:
        return Booking.model_validate(self.request("GET", f"/bookings/{urllib.parse.quote(booking_id)}")["booking"])

    def bookings(self, **filters: str | None) -> list[Booking]:
        q = urllib.parse.urlencode({k: v for k, v in filters.items() if v is not None})
        return [Booking.model_validate(b) for b in self.request("GET", "/bookings" + (f"?{q}" if q else ""))["bookings"]]

    def set_inventory(self, item_id: str, capacity: int | None = None, date: dt.date | None = None,
                      refuse: str | None = None) -> dict[str, Any]:
        """Operator's change of an item's stock (see ``PUT /inventory/<item_id>``)."""
        body: dict[str, Any] = {"capacity": capacity, "date": date.isoformat() if date else None, "refuse": refuse}
        return self.request("PUT", f"/inventory/{urllib.parse.quote(item_id, safe='')}",
                            {k: v for k, v in body.items() if v is not None})


def _message(payload: Any) -> str:
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        return str(payload["error"].get("message", ""))
    return str(payload)[:200]
