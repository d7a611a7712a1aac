"""Command line of acting: ``tools``, ``call``, ``booking-server``, ``book``.

``python -m neurosym tools [--format openai|xlam]``
    print every tool's schema (OpenAI-style JSON Schema by default, or the xLAM format).
``python -m neurosym call CALLS.json [--server URL] [--catalog C] [--request R] [--itinerary I] [--journal J]``
    run a list of calls (a list, ``{"tool_calls": [...]}`` or an xLAM record); print the
    results. Exit 0 all ran, 1 some call is invalid (none ran), 2 a call failed.
``python -m neurosym booking-server --catalog C --db bookings.sqlite [--port P]``
    serve the booking service on 127.0.0.1 (``--port 0``: a free port; the first line
    printed says where).
``python -m neurosym book ITINERARY.json --request R --catalog C --server URL [--dry-run] [--resume]``
    book an itinerary. Exit 0 booked (or, dry run, everything available), 1 bad input or
    an unreachable service (nothing changed), 2 failed for good and every booking
    cancelled (dry run: something unavailable), 3 interrupted (resume later).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any


def _input_error(message: str) -> Exception:
    from ..cli import InputError
    return InputError(message)


def _now(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise _input_error(f"--now: {text!r} is not a date and time (YYYY-MM-DDTHH:MM)") from None


def cmd_tools(args: argparse.Namespace) -> int:
    from .schema import tool_schemas
    print(json.dumps(tool_schemas(args.format), indent=1))
    return 0


def cmd_call(args: argparse.Namespace) -> int:
    from ..cli import catalog_or_demo, load_model
    from ..itinerary import Itinerary
    from ..request import TripRequest
    from .dispatch import dispatch, parse_calls
    from .registry import Session
    from ..files import parse_json, read_text
    p = Path(args.calls)
    data = parse_json(read_text(p, "calls file"), str(p))
    try:
        calls = parse_calls(data, where=str(p))
    except ValueError as exc:
        raise _input_error(str(exc)) from None
    session = Session(catalog=catalog_or_demo(args.catalog), server=args.server,
                      journal=Path(args.journal) if args.journal else None, now=_now(args.now),
                      time_limit=args.time_limit,
                      request=load_model(args.request, TripRequest) if args.request else None,
                      itinerary=load_model(args.itinerary, Itinerary) if args.itinerary else None)
    results = dispatch(calls, session)
    print(json.dumps([r.to_json() for r in results], indent=1))
    if any(r.status == "invalid" for r in results):
        for r in results:
            if r.error is not None:
                arg = f" argument {r.error.argument}" if r.error.argument else ""
                print(f"error: {p}: {r.error.tool}{arg}: {r.error.message}", file=sys.stderr)
        return 1
    return 2 if any(r.status == "error" for r in results) else 0


def _capacity(items: list[str]) -> dict[str, int]:
    from .store import DEFAULT_CAPACITY
    out = {}
    for text in items:
        kind, _, n = text.partition("=")
        if kind not in DEFAULT_CAPACITY or not n.isdigit():
            raise _input_error(f"--capacity: {text!r} is not KIND=N with KIND one of {', '.join(DEFAULT_CAPACITY)}")
        out[kind] = int(n)
    return out


def cmd_booking_server(args: argparse.Namespace) -> int:
    import logging
    import sqlite3

    try:
        from werkzeug.serving import make_server

        from .server import create_app
    except ImportError as exc:
        raise _input_error(f"the booking service needs Flask ({exc}): pip install 'neurosym[web]'") from None
    from pydantic import ValidationError

    from ..cli import catalog_or_demo
    from .faults import Faults
    from .store import BookingStore
    try:  # checked before the database is created: a bad option leaves nothing behind
        faults = Faults(fail_rate=args.fail_rate, fail_after_rate=args.fail_after_rate, slow_rate=args.slow_rate,
                        slow_s=args.slow_s, seed=args.fault_seed, log=args.fault_log)
    except ValidationError as exc:
        err = exc.errors()[0]
        option = "--" + str(err["loc"][0]).replace("_", "-") if err["loc"] else "fault injection"
        raise _input_error(f"{option}: {err['msg']}") from None
    catalog = catalog_or_demo(args.catalog)
    try:
        store = BookingStore(args.db, catalog, _capacity(args.capacity))
    except (ValueError, OSError, sqlite3.Error) as exc:
        raise _input_error(f"--db {args.db}: {exc}") from None
    if not args.verbose:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    try:
        server = make_server(args.host, args.port, create_app(store, faults), threaded=True)
    except OSError as exc:
        raise _input_error(f"--port {args.port}: cannot listen on {args.host}: {exc.strerror or exc}") from None
    print(f"neurosym booking service on http://{args.host}:{server.server_port} "
          f"(catalog {catalog.name!r}, db {args.db})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _print_report(report: Any) -> None:
    print(report.message)
    for b in report.bookings:
        print(f"  booked     {b.id}  {b.kind:<6} {b.name}  {b.date}{' ' + b.time.strftime('%H:%M') if b.time else ''}"
              f"  ({b.price:.2f})")
    for b in report.cancelled:
        print(f"  cancelled  {b.id}  {b.kind:<6} {b.name}")
    for a in report.availability:
        print(f"  {'available ' if a.available else 'UNAVAILABLE'} {a.kind:<6} {a.item_id}  {a.date}"
              f"  {a.remaining} left, {a.units} needed{'  (' + a.reason + ')' if a.reason else ''}")
    for rp in report.replans:
        print(f"\nRe-planned: {rp.text}")
        for e in rp.explanations:
            print(f"  why {e.name}: {e.text}")
            if e.rules:
                print(f"    checked against: {', '.join(e.rules)}")
        print(f"  why not {rp.name}: {rp.why_not}")
    if report.violations:
        print("\nThe final itinerary breaks rules:", *report.violations, sep="\n  ")


def cmd_book(args: argparse.Namespace) -> int:
    from ..cli import catalog_or_demo, load_model
    from ..itinerary import Itinerary
    from ..request import TripRequest
    from .executor import book_itinerary
    from .models import ActingInputError
    it = load_model(args.itinerary, Itinerary)
    req = load_model(args.request, TripRequest)
    catalog = catalog_or_demo(args.catalog)
    history = None
    if args.history:
        from ..preferences import UserHistory
        history = load_model(args.history, UserHistory)
    journal = Path(args.journal) if args.journal else Path(args.itinerary).with_suffix(".journal.sqlite")
    try:
        report = book_itinerary(it, req, catalog, args.server, journal=None if args.dry_run else journal,
                                dry_run=args.dry_run, resume=args.resume, now=_now(args.now),
                                time_limit=args.time_limit, history=history, rules=args.rules,
                                on_event=None if args.json else (lambda m: print(m, file=sys.stderr, flush=True)))
    except ActingInputError as exc:
        raise _input_error(str(exc)) from None
    except ValueError as exc:  # a malformed --server URL
        raise _input_error(str(exc)) from None
    if args.json:
        print(report.model_dump_json(indent=1))
    else:
        _print_report(report)
    if args.out and report.status in ("booked", "already_booked"):
        Path(args.out).write_text(report.itinerary.model_dump_json(indent=1), encoding="utf-8")
        Path(args.out).with_suffix(".request.json").write_text(report.request.model_dump_json(indent=1),
                                                                encoding="utf-8")
    return {"booked": 0, "already_booked": 0, "compensated": 2, "interrupted": 3,
            "dry_run": 0 if report.ok else 2}[report.status]


def add_acting_parsers(sub: Any) -> None:
    """Register ``tools``, ``call``, ``booking-server`` and ``book`` on the main parser."""
    from ..cli import port, seconds
    t = sub.add_parser("tools", help="print the tools in a function-calling format")
    t.add_argument("--format", choices=("openai", "xlam"), default="openai",
                   help="openai: JSON Schema per tool (default); xlam: the xLAM unified format")
    t.set_defaults(func=cmd_tools)

    c = sub.add_parser("call", help="run a list of tool calls")
    c.add_argument("calls", help="CALLS.json: a list of calls, {\"tool_calls\": [...]} or an xLAM record")
    c.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    c.add_argument("--server", help="URL of the booking service (for the booking tools)")
    c.add_argument("--request", help="REQUEST.json of --itinerary")
    c.add_argument("--itinerary", help="ITINERARY.json to start from (plan_trip replaces it)")
    c.add_argument("--journal", help="journal file for book_trip")
    c.add_argument("--now", help="local time booking deadlines are checked against (default: now)")
    c.add_argument("--time-limit", type=seconds, default=10.0, metavar="S", help="seconds per re-plan (default 10)")
    c.set_defaults(func=cmd_call)

    s = sub.add_parser("booking-server", help="run the booking service")
    s.add_argument("--catalog", help="CATALOG.json to seed the inventory from (default: the demo catalog)")
    s.add_argument("--db", required=True, help="SQLite file of inventory and bookings (created when absent)")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=port, default=8750, help="port (default 8750; 0: a free port)")
    s.add_argument("--capacity", action="append", default=[], metavar="KIND=N",
                   help="stock per item of a kind when the db is created (flight, train, car, taxi, hotel, table, "
                        "ticket); repeatable")
    s.add_argument("--verbose", action="store_true", help="log every request")
    g = s.add_argument_group("fault injection (testing the executor; off by default)")
    g.add_argument("--fail-rate", type=float, default=0.0, help="answer 503 to this share of booking calls")
    g.add_argument("--fail-after-rate", type=float, default=0.0,
                   help="do the work, then answer 500, for this share of booking calls")
    g.add_argument("--slow-rate", type=float, default=0.0, help="answer this share of booking calls slowly")
    g.add_argument("--slow-s", type=float, default=2.0, help="how slowly (seconds, default 2)")
    g.add_argument("--fault-seed", type=int, default=None, help="seed of the fault draws")
    g.add_argument("--fault-log", type=Path, default=None, help="append one JSON line per injected fault here")
    s.set_defaults(func=cmd_booking_server)

    b = sub.add_parser("book", help="book an itinerary on a booking service")
    b.add_argument("itinerary", help="ITINERARY.json")
    b.add_argument("--request", required=True, help="REQUEST.json it was planned for")
    b.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    b.add_argument("--server", required=True, help="URL of the booking service")
    b.add_argument("--journal", help="journal file (default: ITINERARY.journal.sqlite next to the itinerary)")
    b.add_argument("--dry-run", action="store_true", help="check availability only; book and write nothing")
    b.add_argument("--resume", action="store_true", help="continue an unfinished run recorded in the journal")
    b.add_argument("--now", help="local time deadlines are checked against, YYYY-MM-DDTHH:MM (default: now)")
    b.add_argument("--time-limit", type=seconds, default=10.0, metavar="S", help="seconds per re-plan (default 10)")
    b.add_argument("--history", help="HISTORY.json to re-plan by (the preference model)")
    b.add_argument("--rules", nargs="+", default=[], metavar="FILE.lp",
                   help="the extra rule files the itinerary was planned with (enforced when re-planning)")
    b.add_argument("--out", help="write the final itinerary here (and its request next to it)")
    b.add_argument("--json", action="store_true", help="print the whole report as JSON")
    b.set_defaults(func=cmd_book)
