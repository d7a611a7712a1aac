"""Acting: the library as the planning brain of a large action model.

- **Tools** (:mod:`.tools`, :mod:`.schema`, :mod:`.dispatch`): plan, explain, verify,
  search the catalog, list an itinerary's actions, book, as function-calling tools in
  the xLAM unified format and as OpenAI-style JSON Schema, generated from the code
  (:func:`tool_schemas`); :func:`dispatch` runs a list of calls, validated all or nothing.
- **Actions** (:mod:`.itinerary_actions`): :func:`actions` turns an itinerary into the ordered
  booking calls, with preconditions and deadlines.
- **Booking service** (:mod:`.store`, :mod:`.server`): inventory and bookings in SQLite,
  seeded from a catalog, over HTTP with Flask (:func:`serve`, ``python -m neurosym
  booking-server``).
- **Executor** (:mod:`.executor`, :mod:`.journal`, :mod:`.client`):
  :func:`book_itinerary` books an itinerary with idempotency keys, a journal written
  before every call, resume, retries, re-planning around sold-out items and
  compensation.

Importing this package loads nothing heavy; Flask loads with the server.
"""

from __future__ import annotations

from ..lazy import lazy_exports

_EXPORTS = {
    "Action": "itinerary_actions", "actions": "itinerary_actions", "BOOK_AHEAD": "itinerary_actions",
    "booking_request": "itinerary_actions",
    "ToolCall": "models", "BookingRequest": "models", "Booking": "models", "Availability": "models",
    "ActingInputError": "models",
    "Session": "registry", "Tool": "registry", "ToolError": "registry", "TOOLS": "registry",
    "tool_schemas": "schema", "xlam_record": "schema", "xlam_prompt": "schema",
    "dispatch": "dispatch", "CallResult": "dispatch", "CallError": "dispatch", "parse_calls": "dispatch",
    "BookingStore": "store", "catalog_fingerprint": "store", "DEFAULT_CAPACITY": "store",
    "serve": "server", "create_app": "server", "openapi": "server", "RunningServer": "server",
    "BookingClient": "client", "RetryPolicy": "client", "BookingRefused": "client", "SoldOut": "client",
    "ServiceUnavailable": "client",
    "book_itinerary": "executor", "BookingReport": "executor", "Replan": "executor", "replan_request": "executor",
    "Journal": "journal", "Faults": "faults",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
