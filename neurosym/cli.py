"""Command line: ``python -m neurosym demo | plan | plan-many | verify | serve | ...``.

Exit codes: 0 success, 1 bad input (one line naming the file and field), 2 no
itinerary exists or none was found within the time limit (or, for ``verify``, the
itinerary breaks a rule), 3 internal error (the planner's itinerary failed the
independent verifier; it is not printed).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class InputError(Exception):
    """Bad input from a file; the message names the file and the field or line."""


def load_model(path: str | Path, model: type[M]) -> M:
    """Read a JSON file into a pydantic model; :class:`InputError` names file and field."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{p}: {validation_message(exc)}") from None


def validation_message(exc: ValidationError) -> str:
    """``field a.b: message`` of the first error, saying how many more there are."""
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
    more = f" (and {exc.error_count() - 1} more errors)" if exc.error_count() > 1 else ""
    return f"field {loc}: {err['msg']}{more}"


def _justification_lines(it: Any) -> list[str]:
    return [f"  - {j.name}: {j.text}" for j in it.justifications]


def _print_itinerary(it: Any, as_json: bool) -> None:
    if as_json:
        print(it.model_dump_json(indent=1))
    else:
        print(it.to_text())
        print(f"\nSolved in {it.stats.get('total_s', 0.0):.2f} s "
              f"(ground {it.stats.get('ground_s', 0.0):.2f} s); "
              f"{it.optimality_text()}.")


def _plan_and_print(req: Any, catalog: Any, args: argparse.Namespace, **kw: Any) -> int:
    from .planner import NoItinerary, plan_itinerary
    try:
        it = plan_itinerary(req, catalog, rules=getattr(args, "rules", None) or (),
                            time_limit=args.time_limit, reproducible=args.reproducible, **kw)
    except NoItinerary as exc:
        if args.json:
            print(json.dumps(exc.to_dict(), indent=1))
        else:
            print(exc.message, file=sys.stderr)
        return 2
    except TimeoutError as exc:  # neither an itinerary nor a proof that none exists
        message = f"{exc}; none may exist, or a larger --time-limit may find one"
        if args.json:
            print(json.dumps({"error": "timeout", "message": message}, indent=1))
        else:
            print(message, file=sys.stderr)
        return 2
    _print_itinerary(it, args.json)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import demo_request, load_demo_catalog
    users = _demo_users()
    if args.list_users:
        for name, h in users.items():
            likes = ", ".join(h.likes[:3])
            print(f"{name}\t{likes}")
        return 0
    catalog, req = load_demo_catalog(), demo_request()
    if args.dump:
        out = Path(args.dump)
        out.mkdir(parents=True, exist_ok=True)
        (out / "request.json").write_text(req.model_dump_json(indent=1), encoding="utf-8")
        (out / "catalog.json").write_text(catalog.model_dump_json(indent=1), encoding="utf-8")
        for name, h in users.items():
            (out / f"history_{name}.json").write_text(h.model_dump_json(indent=1), encoding="utf-8")
        print(f"wrote request.json, catalog.json and {len(users)} histories to {out}")
        return 0
    history = None
    if args.user:
        if args.user not in users:
            raise InputError(f"--user: unknown demo user {args.user!r} (known: {', '.join(users) or 'none'})")
        history = users[args.user]
    return _plan_and_print(req, catalog, args, history=history)


def _demo_users() -> dict[str, Any]:
    try:
        from .preferences.demo_users import demo_users
    except ImportError:
        return {}
    return demo_users()


def cmd_plan(args: argparse.Namespace) -> int:
    from .catalog import Catalog
    from .request import TripRequest
    req = load_model(args.request, TripRequest)
    if args.catalog:
        catalog = load_model(args.catalog, Catalog)
    else:
        from .demo import load_demo_catalog
        catalog = load_demo_catalog()
    history = None
    if args.history:
        from .preferences import UserHistory
        history = load_model(args.history, UserHistory)
    return _plan_and_print(req, catalog, args, history=history)


def cmd_verify(args: argparse.Namespace) -> int:
    from .catalog import Catalog
    from .itinerary import Itinerary
    from .request import TripRequest
    from .verify import verify
    it = load_model(args.itinerary, Itinerary)
    req = load_model(args.request, TripRequest)
    if args.catalog:
        catalog = load_model(args.catalog, Catalog)
    else:
        from .demo import load_demo_catalog
        catalog = load_demo_catalog()
    found = verify(it, req, catalog)
    for v in found:
        day = f"day {v.day}: " if v.day is not None else ""
        print(f"{v.rule}: {day}{v.message}")
    if not found:
        print("valid: no rule is broken")
    return 0 if not found else 2


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .web import create_app, serve
    except ImportError as exc:  # Flask is a dependency; a broken install says so plainly
        raise InputError(f"the web app needs Flask ({exc}): pip install 'neurosym[web]'") from None
    from .catalog import Catalog
    catalog = load_model(args.catalog, Catalog) if args.catalog else None
    forecast: Any = "auto"
    if args.forecast == "none":
        forecast = None
    elif args.forecast == "demo":
        from .weather import DemoProvider
        forecast = DemoProvider()
    elif args.forecast == "open-meteo":
        from .weather import OpenMeteoProvider
        forecast = OpenMeteoProvider()
    elif args.forecast is not None:
        from .weather import FileProvider, ForecastError, load_forecast
        try:
            load_forecast(args.forecast)  # a broken file is reported now, not at the first plan
        except ForecastError as exc:
            raise InputError(str(exc)) from None
        forecast = FileProvider(args.forecast)
    app = create_app(catalog, forecast=forecast, time_limit=args.time_limit, workers=args.workers)
    try:
        serve(app, args.host, args.port)
    except OSError as exc:
        raise InputError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from None
    return 0


def add_reproducible_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reproducible", action=argparse.BooleanOptionalAction, default=True,
                   help="bound the search by work, not time, so that the same request gives the same itinerary "
                        "on every run (one thread, clasp conflicts in proportion to --time-limit; the default); "
                        "--no-reproducible races two threads against the clock (see docs/performance.md)")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m neurosym", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="plan the demo trip on the demo catalog")
    d.add_argument("--json", action="store_true", help="print the itinerary as JSON")
    d.add_argument("--dump", metavar="DIR", help="write request.json, catalog.json and demo histories to DIR")
    d.add_argument("--list-users", action="store_true", help="list the demo users, one per line")
    d.add_argument("--user", metavar="NAME", help="plan for a demo user's history")
    d.add_argument("--time-limit", type=float, default=5.0, metavar="S",
                   help="wall-clock seconds to ground and search (default 5)")
    add_reproducible_option(d)
    d.set_defaults(func=cmd_demo)

    pl = sub.add_parser("plan", help="plan a request")
    pl.add_argument("request", help="REQUEST.json (a TripRequest)")
    pl.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    pl.add_argument("--rules", nargs="+", default=[], metavar="FILE.lp", help="extra rule files to enforce")
    pl.add_argument("--history", help="HISTORY.json (a UserHistory) to plan by")
    pl.add_argument("--time-limit", type=float, default=5.0, metavar="S",
                   help="wall-clock seconds to ground and search (default 5)")
    pl.add_argument("--json", action="store_true")
    add_reproducible_option(pl)
    pl.set_defaults(func=cmd_plan)

    v = sub.add_parser("verify", help="check an itinerary against every rule")
    v.add_argument("itinerary", help="ITINERARY.json")
    v.add_argument("--request", required=True, help="REQUEST.json")
    v.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    v.set_defaults(func=cmd_verify)
    w = sub.add_parser("serve", help="start the web app (on localhost)")
    w.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    w.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 takes a free one)")
    w.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    w.add_argument("--forecast", metavar="SOURCE",
                   help="demo, open-meteo, none, or a forecast JSON file (default: demo on the demo catalog, "
                        "else none)")
    w.add_argument("--time-limit", type=float, default=10.0, metavar="S",
                   help="default seconds of search per plan (default 10)")
    w.add_argument("--workers", type=int, default=2, help="plans that run at once (default 2)")
    w.set_defaults(func=cmd_serve)
    from .travelplanner.run import add_travelplanner_parser
    add_travelplanner_parser(sub)
    from .batch.cli import add_plan_many_parser
    add_plan_many_parser(sub)
    from .acting.cli import add_acting_parsers
    add_acting_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from .planner import PlannerError
    from .problem import PlanningInputError
    from .rules import RuleFileError
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (InputError, PlanningInputError, RuleFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except PlannerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
