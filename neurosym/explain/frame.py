"""Repairs of the frame: when no itinerary exists even with the traveller's constraints set aside.

The frame is the dates, the cities and the catalog. :func:`missing` says what it lacks
in words: a move the trip must make (out of the origin on the first day, home on the
last day, between destinations on the days between) for which the catalog has no leg on
those days, with the dates around them that have none either and the nearest that do
("no flight from Alpha to Home between 1 and 4 June; the nearest: 5 June").

:func:`frame_repairs` searches changes of the frame, within a documented radius, the
smallest change first (``Repair.change``):

- other dates of the same length: the start moved by 1 to :data:`DATE_RADIUS` days,
  earlier or later (0.25 a day);
- one day longer or shorter (0.5);
- fewer of the destinations (1 a city).

Each is checked first with the traveller's constraints set aside (the frame alone),
then with them (the repaired request, planned to its first itinerary and verified).
When the frame works but the constraints do not, the constraint repair search runs on
the changed request (``combine``) and the two are offered together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..catalog import Catalog, mode_of
from ..costs import cents, leg_cost
from ..problem import Problem, leg_options
from ..request import TripRequest
from .clock import Clock
from .confirm import confirm, replan
from .repairs import cost_floor, merge
from .types import Repair, apply_changes

#: The dates searched: the trip moved by up to this many days, earlier or later.
DATE_RADIUS = 7
#: Change scores (see Repair.change): a day of moving the dates, a day more or less, a city fewer.
PER_DAY_MOVED, PER_DAY_LENGTH, PER_CITY = 0.25, 0.5, 1.0
#: Seconds a single re-plan of the search may take (under the deadline).
REPLAN_LIMIT = 5.0


def _day(d: date) -> str:
    return f"{d.day} {d:%B}"


def _span(a: date, b: date) -> str:
    if a == b:
        return f"on {_day(a)}"
    return f"between {a.day if (a.month, a.year) == (b.month, b.year) else _day(a)} and {_day(b)}"


def _modes(modes: set[str]) -> str:
    names = sorted(modes)
    return " or ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " or " + names[-1]


def _leg_dates(catalog: Catalog, origin: str, dest: str) -> tuple[set[str], set[date] | None]:
    """The modes linking two cities, and the dates with a leg (None: every day, a ground leg)."""
    modes: set[str] = set()
    dates: set[date] = set()
    every_day = False
    for f in catalog.flights:
        if f.origin == origin and f.destination == dest:
            modes.add("flight")
            dates.add(f.date)
    for g in catalog.ground_legs:
        if g.origin == origin and g.destination == dest and g.departures:
            modes.add(mode_of(g))
            every_day = True
    return modes, None if every_day else dates


def _gap(origin: str, dest: str, days: Sequence[date], catalog: Catalog, radius: int) -> str | None:
    """What is missing for a move from ``origin`` to ``dest`` on any of ``days`` (None: nothing)."""
    modes, dates = _leg_dates(catalog, origin, dest)
    if not modes:
        return f"no transport at all from {origin} to {dest} in the catalog"
    if dates is None or any(d in dates for d in days):
        return None
    lo, hi = min(days), max(days)
    while lo - timedelta(days=1) not in dates and (min(days) - lo).days < radius:
        lo -= timedelta(days=1)
    while hi + timedelta(days=1) not in dates and (hi - max(days)).days < radius:
        hi += timedelta(days=1)
    near = sorted(dates, key=lambda d: (min(abs((d - x).days) for x in days), d))
    tail = f"; the nearest: {_day(near[0])}" if near else ""
    return f"no {_modes(modes)} from {origin} to {dest} {_span(lo, hi)}{tail}"


def missing(problem: Problem, radius: int = DATE_RADIUS) -> list[str]:
    """The moves the trip must make for which the catalog has no leg on the days they must
    be made, in words (empty when every move has some leg)."""
    req, cat = problem.request, problem.catalog
    out: list[str] = []
    first, last = [req.start], [req.end]
    outs = [_gap(req.origin, d, first, cat, radius) for d in req.destinations]
    if all(outs):
        out += [g for g in outs if g]
    backs = [_gap(d, req.origin, last, cat, radius) for d in req.destinations]
    if all(backs):
        out += [g for g in backs if g]
    if req.n_cities > 1 and req.n_days > 2:
        between = [req.start + timedelta(days=k) for k in range(1, req.n_days - 1)]
        gaps = [_gap(a, b, between, cat, radius) for a in req.destinations for b in req.destinations if a != b]
        if all(gaps):
            out += [g for g in gaps if g]
    return out


def relaxed(request: TripRequest) -> TripRequest:
    """The request with every one of the traveller's constraints set aside (the frame alone)."""
    return request.model_copy(update={
        "budget": 10_000_000.0, "room_types": None, "house_rules": [], "cuisines": [], "exclude_modes": [],
        "earliest_departure": None, "latest_return": None, "return_after_midnight": True, "fixed_order": False,
        "travelers": request.travelers.model_copy(update={"pets": 0, "children": 0,
                                                          "adults": request.travelers.people}),
        "keep": [k for k in request.keep if not k.hard]})


def candidates(req: TripRequest, radius: int = DATE_RADIUS) -> list[tuple[str, dict[str, Any], float, str]]:
    """The frame changes searched, smallest first: (kind, changes, change, text)."""
    out: list[tuple[str, dict[str, Any], float, str]] = []
    iso = date.isoformat
    for k in range(1, radius + 1):
        for sign in (1, -1):
            s, e = req.start + timedelta(days=sign * k), req.end + timedelta(days=sign * k)
            out.append(("dates", {"start": iso(s), "end": iso(e)}, PER_DAY_MOVED * k,
                        f"travel {k} day{'s' if k != 1 else ''} {'later' if sign > 0 else 'earlier'}: "
                        f"{iso(s)} to {iso(e)} (the nearest dates that work)"))
    n = req.n_days
    out += [("length", {"end": iso(req.end + timedelta(days=1))}, PER_DAY_LENGTH,
             f"stay one day longer, back on {iso(req.end + timedelta(days=1))}"),
            ("length", {"start": iso(req.start - timedelta(days=1))}, PER_DAY_LENGTH,
             f"leave one day earlier, on {iso(req.start - timedelta(days=1))}")]
    if n - 1 > req.n_cities:
        out += [("length", {"end": iso(req.end - timedelta(days=1))}, PER_DAY_LENGTH,
                 f"come back one day earlier, on {iso(req.end - timedelta(days=1))}"),
                ("length", {"start": iso(req.start + timedelta(days=1))}, PER_DAY_LENGTH,
                 f"leave one day later, on {iso(req.start + timedelta(days=1))}")]
    for m in range(req.n_cities - 1, 0, -1):
        out.append(("visit_count", {"visit_count": m}, PER_CITY * (req.n_cities - m),
                    f"visit {m} of {', '.join(req.destinations)} instead of {req.n_cities}"))
    return sorted(out, key=lambda x: x[2])


def _route_possible(request: TripRequest, legs: list) -> bool:
    """Some order of some ``n_cities`` of the destinations has a leg for each of its moves
    on days that follow one another (out on day 1, home on the last day)."""
    from itertools import permutations
    n = request.n_days
    days: dict[tuple[str, str], set[int]] = {}
    for o in legs:
        days.setdefault((o.origin, o.destination), set()).add(o.day)
    orders = permutations(request.destinations, request.n_cities)
    for order in orders:
        if 1 not in days.get((request.origin, order[0]), ()) or n not in days.get((order[-1], request.origin), ()):
            continue
        day = 1
        for a, b in zip(order, order[1:]):
            later = [d for d in days.get((a, b), ()) if day < d < n]
            if not later:
                break
            day = min(later)
        else:
            return True
    return False


def plausible(request: TripRequest, catalog: Catalog, conflict: set[str] = frozenset()) -> bool:
    """Necessary conditions for a changed request to have an itinerary, from the catalog
    alone (a search shortcut; a change is only offered once planned): a leg out on the
    first day and one home on the last; for the constraints of a conflict, one that
    leaves late enough, comes back early enough, uses an allowed mode, and a budget no
    smaller than the cheapest nights and legs out and back."""
    legs = leg_options(request, catalog)
    n = request.n_days
    if not _route_possible(request, legs):
        return False
    out = [o for o in legs if o.day == 1]
    back = [o for o in legs if o.day == n]
    if "mode" in conflict:
        out = [o for o in out if o.mode not in request.exclude_modes]
        back = [o for o in back if o.mode not in request.exclude_modes]
    if "earliest_departure" in conflict and request.earliest_departure_min is not None:
        out = [o for o in out if o.departure >= request.earliest_departure_min]
    if "latest_return" in conflict and request.latest_return_min is not None:
        back = [o for o in back if o.arrival <= request.latest_return_min]
    if not out or not back:
        return False
    if "budget" in conflict:
        people = request.travelers.people
        low = cost_floor(request, catalog, [leg_cost(o.item, people) for o in out],
                         [leg_cost(o.item, people) for o in back])
        return cents(request.budget) >= low
    return True


def frame_repairs(problem: Problem, rules: Sequence[str | Path], clock: Clock, *, radius: int = DATE_RADIUS,
                  most: int = 3, frame: bool = True, combine: Callable[[TripRequest], Repair | None] | None = None,
                  conflict: set[str] = frozenset()) -> tuple[list[Repair], bool, list[str]]:
    """Confirmed frame repairs (up to ``most``), whether the search finished, and what was
    searched. ``frame``: the frame itself does not fit (else only the traveller's
    constraints conflict, and a change is checked with them at once); ``combine(request)``
    is the constraint repair of a changed request whose frame works (None: none);
    ``conflict`` the kinds of constraint in conflict (budget, earliest_departure, ...),
    whose necessary conditions a change must meet to be tried (:func:`plausible`)."""
    req, cat = problem.request, problem.catalog
    found: list[Repair] = []
    searched = [f"dates from {_day(req.start - timedelta(days=radius))} to {_day(req.end + timedelta(days=radius))} "
                f"(the trip moved by up to {radius} days), one day more or less"
                + (f", {req.n_cities - 1} or fewer of the destinations" if req.n_cities > 1 else "")]
    kinds_done: set[str] = set()
    for kind, changes, change, text in candidates(req, radius):
        if len(found) >= most:
            return found, True, searched   # enough: the search is done (not cut by the clock)
        if kind in kinds_done:
            continue
        if clock.expired():
            return found, False, searched
        try:
            new = apply_changes(req, changes)
        except (ValidationError, ValueError):
            continue
        if not plausible(new, cat, conflict):
            continue
        if frame and replan(problem, relaxed(new), rules, clock.limit(REPLAN_LIMIT) or 0.01, first_only=True) is None:
            continue   # the frame still does not fit
        r = Repair(kind=kind, constraints=[kind], changes=changes, change=change, text=text)
        if confirm(r, problem, rules, clock.limit(REPLAN_LIMIT) or 0.01):
            found.append(r)
            kinds_done.add(kind)
            continue
        if frame and combine is not None and not clock.expired():
            fix = combine(new)
            if fix is not None:
                both = merge([r, fix])   # the changes of both (merge joins them)
                both.confirmed, both.total_cost, both.cities = fix.confirmed, fix.total_cost, fix.cities
                found.append(both)
                kinds_done.add(kind)
    return found, True, searched
