"""Command line: ``python -m neurosym demo | plan | verify | serve | travelplanner | plan-many``
(and the booking commands of :mod:`neurosym.acting`).

Exit codes: 0 success, 1 bad input or bad arguments (one line naming the file and
field, or the argument), 2 no itinerary exists or none was found within the time limit
(or, for ``verify``, the itinerary breaks a rule), 3 an internal error (a bug, such as an
itinerary of the planner that the independent verifier rejects: never printed; one
line, NEUROSYM_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from .files import InputError, load_model, write_new
from .limits import MAX_TIME_LIMIT, short

__all__ = ["EXIT_CODES", "InputError", "catalog_or_demo", "load_model", "main", "parser"]

#: What each exit status means (printed by ``--help``).
EXIT_CODES = {0: "success", 1: "bad input or bad arguments (one line naming the file and field, or the argument)",
              2: "no itinerary: none exists, none was found within the time limit, or (verify) the "
                 "itinerary breaks a rule",
              3: "internal error (a bug; set NEUROSYM_DEBUG=1 to see the traceback)"}
EXIT_HELP = "exit status:\n" + "\n".join(f"  {k}  {v}" for k, v in EXIT_CODES.items())


class _Parser(argparse.ArgumentParser):
    """argparse, with bad arguments exiting 1 (2 means "no itinerary") and the exit codes in --help."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw.setdefault("epilog", EXIT_HELP)
        kw.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(*args, **kw)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def port(text: str) -> int:
    """A ``--port``: 0 (a free port) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value}: a port is 0 (a free one) to 65535")
    return value


def count(text: str) -> int:
    """A number of workers: 1 to 64."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{value}: give 1 to 64")
    return value


def seconds(text: str) -> float:
    """A ``--time-limit``: a finite number of seconds, zero or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_TIME_LIMIT:
        raise argparse.ArgumentTypeError(f"{text[:40]!r}: give a number of seconds from 0 to {MAX_TIME_LIMIT:,.0f}")
    return value


def catalog_or_demo(path: str | None) -> Any:
    """A ``--catalog`` option: the catalog in ``path``, or the demo catalog without one."""
    if path:
        from .catalog import Catalog
        return load_model(path, Catalog)
    from .demo import load_demo_catalog
    return load_demo_catalog()


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


def _forecast(args: argparse.Namespace) -> Any:
    """``--forecast demo|FILE.json`` as a Forecast (None without the option)."""
    source = getattr(args, "forecast", None)
    if source is None:
        return None
    if source == "demo":
        from .demo import demo_forecast
        return demo_forecast()
    from .weather import ForecastError, load_forecast
    try:
        return load_forecast(source)
    except ForecastError as exc:
        raise InputError(str(exc)) from None


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
        return _dump(Path(args.dump), {"request.json": req, "catalog.json": catalog,
                                       **{f"history_{name}.json": h for name, h in users.items()}})
    history = None
    if args.user:
        if args.user not in users:
            raise InputError(f"--user: unknown demo user {short(args.user)} (known: {', '.join(users) or 'none'})")
        history = users[args.user]
    return _plan_and_print(req, catalog, args, history=history, forecast=_forecast(args))


def _dump(out: Path, files: dict[str, Any]) -> int:
    """Write the demo inputs into ``out``; never replaces a file, never leaves half of them."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--dump {out}: exists and is not a folder")
    there = [name for name in files if (out / name).exists() or (out / name).is_symlink()]
    if there:
        raise InputError(f"--dump {out}: would replace {', '.join(there)}; choose an empty or new folder")
    written: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, model in files.items():
            write_new(out / name, model.model_dump_json(indent=1))
            written.append(out / name)
    except OSError as exc:
        for p in written:  # all or nothing: remove what this call wrote
            p.unlink(missing_ok=True)
        where = exc.filename or out
        raise InputError(f"--dump {out}: cannot write {where}: {exc.strerror or exc}") from None
    print(f"wrote request.json, catalog.json and {len(files) - 2} histories to {out}")
    return 0


def _demo_users() -> dict[str, Any]:
    try:
        from .preferences.demo_users import demo_users
    except ImportError:
        return {}
    return demo_users()


def cmd_plan(args: argparse.Namespace) -> int:
    from .problem import PlanningInputError, check_request
    from .request import TripRequest
    req = load_model(args.request, TripRequest)
    catalog = catalog_or_demo(args.catalog)
    try:
        check_request(req, catalog)
    except PlanningInputError as exc:  # the request and the catalog do not fit: name both files
        source = f"catalog {args.catalog}" if args.catalog else "the demo catalog"
        raise InputError(f"{args.request}: {exc} (checked against {source})") from None
    history = None
    if args.history:
        from .preferences.history import UserHistory
        history = load_model(args.history, UserHistory)
    return _plan_and_print(req, catalog, args, history=history, forecast=_forecast(args))


def _check_itinerary_text(path: str, it: Any) -> None:
    """An itinerary read from a file holds no text that cannot be printed (a lone surrogate)."""
    from .limits import unicode_problem

    def walk(v: Any, where: str) -> None:
        if isinstance(v, str):
            problem = unicode_problem(v)
            if problem:
                raise InputError(f"{path}: field {where}: {problem}")
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k, where)
                walk(x, f"{where}.{k}" if where else str(k))
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, f"{where}.{i}")

    walk(it.model_dump(), "")


def cmd_verify(args: argparse.Namespace) -> int:
    from .itinerary import Itinerary
    from .request import TripRequest
    from .verify import verify
    it = load_model(args.itinerary, Itinerary)
    _check_itinerary_text(args.itinerary, it)
    req = load_model(args.request, TripRequest)
    catalog = catalog_or_demo(args.catalog)
    found = verify(it, req, catalog, _forecast(args))
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
    p = _Parser(prog="python -m neurosym", description="neurosym: plan, explain, verify and book trips (one command below; 'COMMAND --help' for its options).")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    d = sub.add_parser("demo", help="plan the demo trip on the demo catalog")
    d.add_argument("--json", action="store_true", help="print the itinerary as JSON")
    d.add_argument("--dump", metavar="DIR", help="write request.json, catalog.json and demo histories to DIR "
                                                 "(a new or empty folder: no file is ever replaced)")
    d.add_argument("--list-users", action="store_true", help="list the demo users, one per line")
    d.add_argument("--user", metavar="NAME", help="plan for a demo user's history")
    d.add_argument("--time-limit", type=seconds, default=5.0, metavar="S",
                   help="wall-clock seconds to ground and search (default 5)")
    d.add_argument("--forecast", metavar="SOURCE", help="plan with the weather: demo, or a forecast JSON file")
    add_reproducible_option(d)
    d.set_defaults(func=cmd_demo)

    pl = sub.add_parser("plan", help="plan a request")
    pl.add_argument("request", help="REQUEST.json (a TripRequest)")
    pl.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    pl.add_argument("--rules", nargs="+", default=[], metavar="FILE.lp", help="extra rule files to enforce")
    pl.add_argument("--history", help="HISTORY.json (a UserHistory) to plan by")
    pl.add_argument("--time-limit", type=seconds, default=5.0, metavar="S",
                   help="wall-clock seconds to ground and search (default 5)")
    pl.add_argument("--json", action="store_true")
    pl.add_argument("--forecast", metavar="SOURCE",
                    help="plan with the weather (rules/weather.lp, under the request's weather): demo, or a forecast "
                         "JSON file (neurosym.weather.save_forecast)")
    add_reproducible_option(pl)
    pl.set_defaults(func=cmd_plan)

    v = sub.add_parser("verify", help="check an itinerary against every rule")
    v.add_argument("itinerary", help="ITINERARY.json")
    v.add_argument("--request", required=True, help="REQUEST.json")
    v.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    v.add_argument("--forecast", metavar="SOURCE", help="check the weather rules too: demo, or a forecast JSON file")
    v.set_defaults(func=cmd_verify)
    w = sub.add_parser("serve", help="start the web app (on localhost)")
    w.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    w.add_argument("--port", type=port, default=8000, help="port (default 8000; 0 takes a free one)")
    w.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    w.add_argument("--forecast", metavar="SOURCE",
                   help="demo, open-meteo, none, or a forecast JSON file (default: demo on the demo catalog, "
                        "else none)")
    w.add_argument("--time-limit", type=seconds, default=10.0, metavar="S",
                   help="default seconds of search per plan (default 10)")
    w.add_argument("--workers", type=count, default=2, help="plans that run at once (default 2)")
    w.set_defaults(func=cmd_serve)
    from .travelplanner.run import add_travelplanner_parser
    add_travelplanner_parser(sub)
    from .batch.cli import add_plan_many_parser
    add_plan_many_parser(sub)
    from .acting.cli import add_acting_parsers
    add_acting_parsers(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (see :data:`EXIT_CODES`)."""
    from .planner import PlannerError
    from .problem import PlanningInputError
    from .rules import RuleFileError
    for stream in (sys.stdout, sys.stderr):  # any text can be printed, whatever the terminal's encoding
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad argument (1, from _Parser.error)
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    try:
        return int(args.func(args))
    except (InputError, PlanningInputError, RuleFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except PlannerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except BrokenPipeError:  # the reader of the output left (``| head``): not a bug, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 1  # as Python itself exits on EPIPE
    except Exception as exc:  # noqa: BLE001 - a bug: one line, never a traceback (unless asked for)
        if os.environ.get("NEUROSYM_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {str(exc)[:500]} (a bug in neurosym; "
              "NEUROSYM_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 3
