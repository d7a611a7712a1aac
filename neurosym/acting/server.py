"""The booking service over HTTP (Flask): ``python -m neurosym booking-server``.

Endpoints (JSON in and out; every error is ``{"error": {"code", "message", "field",
"item_id"}}``, see :class:`~neurosym.acting.models.ServiceError`):

========================================  ====================================================
``GET /health``                           ``{"status": "ok", "catalog", "fingerprint"}``
``GET /openapi.json``                     the OpenAPI 3.1 document of this API
``GET /availability?kind&item_id&...``    :class:`Availability` of one booking
``POST /bookings``                        book (:class:`BookingRequest`): 201, or 200 when the
                                          idempotency key was seen before (``replayed``)
``GET /bookings?trip&status&...``         ``{"bookings": [...]}``, in booking order
``GET /bookings/<id>``                    ``{"booking": {...}}``
``POST /bookings/<id>/cancel``            cancel (again: no error), ``{"booking": {...}}``
``POST /idempotency-keys/<key>/void``     settle a lost request: its booking, or the key is
                                          voided (``{"booking": null, "voided": true}``)
``GET /inventory/<item_id>``              the item's stock and what is held
``PUT /inventory/<item_id>``              operator: ``{"capacity", "date", "refuse"}``
========================================  ====================================================

Status codes: 400 invalid request (``field`` names it), 404 unknown item or booking, 409
sold out, or an idempotency key reused for another request or voided, 422 not bookable that way or
refused by the provider, 5xx a fault of the service (worth retrying). The OpenAPI
document is generated from the same pydantic models the service validates with.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.json_schema import models_json_schema

from ..catalog import Catalog
from .faults import FaultInjector, Faults
from .models import Availability, Booking, BookingKind, BookingRequest, ErrorBody, check_shape
from .store import BookingStore, ServiceFailure

__all__ = ["RunningServer", "create_app", "openapi", "serve"]


class AvailabilityQuery(BaseModel):
    """The query string of ``GET /availability``."""

    model_config = ConfigDict(extra="forbid")

    kind: BookingKind
    item_id: str = Field(min_length=1)
    date: dt.date | None = None
    time: dt.time | None = None
    nights: int | None = Field(default=None, ge=1, le=60)
    party: int = Field(default=1, ge=1, le=40)

    @model_validator(mode="after")
    def _shape(self) -> "AvailabilityQuery":
        check_shape(self.kind, self.date, self.time, self.nights)
        return self


class InventoryChange(BaseModel):
    """The body of ``PUT /inventory/<item_id>`` (an operator's change).

    ``capacity`` for every day, or for ``date`` only (0 sells it out); ``refuse``: a
    reason for which the provider refuses every booking of the item (``""`` clears it).
    """

    model_config = ConfigDict(extra="forbid")

    capacity: int | None = Field(default=None, ge=0, le=100_000)
    date: dt.date | None = None
    refuse: str | None = Field(default=None, max_length=500)


class BookingAnswer(BaseModel):
    booking: Booking
    replayed: bool = False


class BookingList(BaseModel):
    bookings: list[Booking]


class Health(BaseModel):
    status: str
    catalog: str
    fingerprint: str


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service; schemas come from the pydantic models."""
    models = [BookingRequest, BookingAnswer, BookingList, Availability, InventoryChange, ErrorBody, Health]
    _, top = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}")
    schemas = top.get("$defs", {})

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    def answer(name: str, text: str) -> dict[str, Any]:
        return {"description": text, "content": {"application/json": {"schema": ref(name)}}}

    err = {str(code): answer("ErrorBody", text) for code, text in
           ((400, "invalid request"), (404, "unknown item or booking"),
            (409, "sold out, or an idempotency key reused for another request"),
            (422, "not bookable that way, or refused by the provider"), (503, "a fault of the service: retry"))}
    q = AvailabilityQuery.model_json_schema()
    params = [{"name": k, "in": "query", "required": k in q.get("required", []), "schema": v}
              for k, v in q["properties"].items()]
    filters = [{"name": k, "in": "query", "required": False, "schema": {"type": "string"}}
               for k in ("trip", "status", "idempotency_key", "item_id")]
    bid = [{"name": "booking_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    iid = [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    paths = {
        "/health": {"get": {"summary": "liveness and the catalog served",
                            "responses": {"200": answer("Health", "the service is up")}}},
        "/availability": {"get": {"summary": "whether a booking could be made now", "parameters": params,
                                  "responses": {"200": answer("Availability", "availability"),
                                                **{k: err[k] for k in ("400", "404")}}}},
        "/bookings": {
            "post": {"summary": "book (idempotent by idempotency_key)",
                     "requestBody": {"required": True, "content": {"application/json": {"schema": ref("BookingRequest")}}},
                     "responses": {"201": answer("BookingAnswer", "booked"),
                                   "200": answer("BookingAnswer", "the booking made earlier with this key"), **err}},
            "get": {"summary": "list bookings", "parameters": filters,
                    "responses": {"200": answer("BookingList", "bookings in booking order")}}},
        "/bookings/{booking_id}": {"get": {"summary": "one booking", "parameters": bid,
                                           "responses": {"200": answer("BookingAnswer", "the booking"),
                                                         "404": err["404"]}}},
        "/bookings/{booking_id}/cancel": {"post": {"summary": "cancel a booking (idempotent)", "parameters": bid,
                                                   "responses": {"200": answer("BookingAnswer", "cancelled"),
                                                                 "404": err["404"]}}},
        "/idempotency-keys/{key}/void": {"post": {
            "summary": "settle a request whose answer was lost: its booking, or the key is voided so that the "
                       "request can no longer book",
            "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "{\"booking\": the booking or null, \"voided\": bool}"}}}},
        "/inventory/{item_id}": {
            "get": {"summary": "an item's stock", "parameters": iid,
                    "responses": {"200": {"description": "stock"}, "404": err["404"]}},
            "put": {"summary": "operator: change an item's stock or refuse its bookings", "parameters": iid,
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": ref("InventoryChange")}}},
                    "responses": {"200": {"description": "the new stock"}, **{k: err[k] for k in ("400", "404", "422")}}}},
    }
    return {"openapi": "3.1.0",
            "info": {"title": "neurosym booking service", "version": "1",
                     "description": "Inventory seeded from a neurosym catalog; idempotent bookings."},
            "paths": paths, "components": {"schemas": schemas}}


def _invalid(exc: ValidationError) -> ServiceFailure:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or None
    return ServiceFailure(400, "invalid", f"{loc or 'request'}: {err['msg']}", field=loc)


def create_app(store: BookingStore, faults: Faults | None = None) -> Any:
    """The Flask application of a :class:`BookingStore` (wrapped in a
    :class:`~neurosym.acting.faults.FaultInjector` when ``faults`` are active)."""
    from flask import Flask, jsonify, request

    app = Flask("neurosym.acting.server")
    app.json.sort_keys = False  # type: ignore[attr-defined]

    def body(model: type[BaseModel]) -> Any:
        from ..files import InputError, parse_json
        try:  # parse_json, not Flask's get_json: JSON nested too deeply is a 400, not a RecursionError
            data = parse_json(request.get_data(as_text=True), "body")
        except InputError:
            data = None
        if not isinstance(data, dict):
            raise ServiceFailure(400, "invalid", "the body must be a JSON object")
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            raise _invalid(exc) from None

    @app.errorhandler(ServiceFailure)
    def _failure(f: ServiceFailure) -> Any:
        return jsonify({"error": f.error.model_dump()}), f.status

    @app.errorhandler(404)
    def _no_route(_: Any) -> Any:
        return jsonify({"error": {"code": "not_found", "message": f"no endpoint {request.path}"}}), 404

    @app.errorhandler(405)
    def _bad_method(_: Any) -> Any:
        return jsonify({"error": {"code": "invalid", "message": f"{request.method} is not allowed on {request.path}"}}), 405

    @app.get("/health")
    def health() -> Any:
        return jsonify(Health(status="ok", catalog=store.catalog.name, fingerprint=store.fingerprint).model_dump())

    @app.get("/openapi.json")
    def spec() -> Any:
        return jsonify(openapi())

    @app.get("/availability")
    def availability() -> Any:
        try:
            q = AvailabilityQuery.model_validate(request.args.to_dict())
        except ValidationError as exc:
            raise _invalid(exc) from None
        a = store.availability(q.kind, q.item_id, q.date, q.time, q.nights, q.party)
        return app.response_class(a.model_dump_json(), mimetype="application/json")

    @app.post("/bookings")
    def book() -> Any:
        b, replayed = store.book(body(BookingRequest))
        return (app.response_class(BookingAnswer(booking=b, replayed=replayed).model_dump_json(),
                                   mimetype="application/json"), 200 if replayed else 201)

    @app.get("/bookings")
    def bookings() -> Any:
        args = request.args
        unknown = set(args) - {"trip", "status", "idempotency_key", "item_id"}
        if unknown:
            raise ServiceFailure(400, "invalid", f"unknown filter {sorted(unknown)[0]!r}", field=sorted(unknown)[0])
        found = store.bookings(trip=args.get("trip"), status=args.get("status"),
                               idempotency_key=args.get("idempotency_key"), item_id=args.get("item_id"))
        return app.response_class(BookingList(bookings=found).model_dump_json(), mimetype="application/json")

    @app.get("/bookings/<booking_id>")
    def one(booking_id: str) -> Any:
        return app.response_class(BookingAnswer(booking=store.get(booking_id)).model_dump_json(),
                                  mimetype="application/json")

    @app.post("/bookings/<booking_id>/cancel")
    def cancel(booking_id: str) -> Any:
        return app.response_class(BookingAnswer(booking=store.cancel(booking_id)).model_dump_json(),
                                  mimetype="application/json")

    @app.post("/idempotency-keys/<path:key>/void")
    def void(key: str) -> Any:
        b = store.void(key)
        return jsonify({"booking": None if b is None else json.loads(b.model_dump_json()), "voided": b is None})

    @app.get("/inventory/<path:item_id>")
    def inventory(item_id: str) -> Any:
        return jsonify(store.inventory(item_id))

    @app.put("/inventory/<path:item_id>")
    def set_inventory(item_id: str) -> Any:
        ch = body(InventoryChange)
        return jsonify(store.set_inventory(item_id, capacity=ch.capacity, date=ch.date,
                                           refuse=ch.refuse or None, clear_refuse=ch.refuse == ""))

    if faults is not None and faults.active:
        app.wsgi_app = FaultInjector(app.wsgi_app, faults)  # type: ignore[method-assign]
    return app


class RunningServer:
    """A booking service running in a background thread of this process (tests, notebooks).

    ``url`` is where it listens; ``stop()`` shuts it down (also on leaving a ``with``)."""

    def __init__(self, server: Any, store: BookingStore):
        self._server, self.store = server, store
        self.url = f"http://{server.host}:{server.server_port}"
        self._thread = threading.Thread(target=server.serve_forever, name="neurosym-booking", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> "RunningServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve(catalog: Catalog, db: str | Path, *, host: str = "127.0.0.1", port: int = 0,
          capacity: dict[str, int] | None = None, faults: Faults | None = None) -> RunningServer:
    """Start the booking service for ``catalog`` on ``db`` in a background thread.

    ``port=0`` takes a free port (see ``.url``). Binds to 127.0.0.1 unless told otherwise.
    """
    from werkzeug.serving import make_server
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    store = BookingStore(db, catalog, capacity)
    server = make_server(host, port, create_app(store, faults), threaded=True)
    return RunningServer(server, store)
