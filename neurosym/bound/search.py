"""The best itinerary of the relaxation, route by route, and the bound it proves.

A route (which city each night is spent in) fixes most of the program's structure.
:func:`certify` enumerates the routes, solves the linear relaxation of each (a
warm-started simplex re-solve: milliseconds), and then solves the 0/1 program route by
route, best linear bound first, until no route left can beat the best solution found.
The bound is the best solution's value, or the highest linear or integer bound of a
route not yet settled when the time runs out: every route is accounted for, so no
itinerary beats it. Among the routes that reach the best value, a second pass finds
the cheapest solution (the objective's priority 1).

When there are too many routes to enumerate, or the program is too large to solve once
per route (:data:`MAX_ROUTES`, :data:`MAX_ROUTE_WORK`), the whole 0/1 program is solved
at once, and HiGHS's dual bound when it stops is the bound.
"""

from __future__ import annotations

import itertools
import math
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..vocab import Fact
from .. import vocab as V
from .program import LinearProgram, Solver
from .relaxation import Layout, relaxation
from .shortlist import place_groups, shortlist

#: A work-bounded search is stopped by the clock only at this many times its time limit.
REPRODUCIBLE_CAP = 10.0
#: Route enumeration stops being worth it beyond this many routes, or when the routes'
#: linear programs would hold more than this many variables in all (a linear program per
#: route, each over the whole program): the whole program is then solved at once.
MAX_ROUTES = 2000
MAX_ROUTE_WORK = 200_000


@dataclass
class Bound:
    """What the relaxation proved, and its best solution.

    ``value`` is an upper bound on the objective's priority-2 value that no itinerary
    obeying the core rules beats (``None``: the program is infeasible, so no itinerary
    obeys the core rules; or nothing was proven in time, see ``status``).
    ``solution`` holds the atoms of the best solution found (``night``, ``stay``,
    ``take``, ``used``), ``solution_value`` its value and ``solution_cost`` its cost
    in cents; ``optimal`` says that no solution has a higher value, nor the same value
    at a lower cost.
    """

    value: int | None
    status: str = "optimal"          # "optimal", "limit" (time ran out), "infeasible"
    solution: dict[str, list[tuple]] | None = None
    solution_value: int | None = None
    solution_cost: int | None = None
    optimal: bool = False
    stats: dict[str, float] = field(default_factory=dict)
    left_out: frozenset[str] = frozenset()
    """Places a shortlist left out (large catalogs): a search restricted to the others
    still finds itineraries of the whole catalog, faster."""

    @property
    def gap(self) -> float | None:
        """(bound - value) / |bound| for the best solution (0 when they are equal)."""
        if self.value is None or self.solution_value is None:
            return None
        if self.value == self.solution_value:
            return 0.0
        return (self.value - self.solution_value) / max(abs(self.value), 1)


def routes(layout: Layout) -> list[dict[int, str]]:
    """Every route: the city of each night, each visited city one stretch of nights."""
    nights = layout.n_days - 1
    out: list[dict[int, str]] = []
    k = layout.visit_count
    for cities in itertools.permutations(layout.dests, k):
        for cuts in itertools.combinations(range(1, nights), k - 1):
            bounds = [0, *cuts, nights]
            out.append({d: c for j, c in enumerate(cities) for d in range(bounds[j] + 1, bounds[j + 1] + 1)})
            if len(out) > MAX_ROUTES:
                return out
    return out


def _route_count(layout: Layout) -> int:
    nights, k, n = layout.n_days - 1, layout.visit_count, len(layout.dests)
    if k > nights:
        return 0
    return math.perm(n, k) * math.comb(nights - 1, k - 1)


def _fixing(layout: Layout, route: dict[int, str]) -> dict[int, float]:
    return {v: 1.0 if route[d] == c else 0.0 for (d, c), v in layout.night_vars.items()}


def _atoms(program: LinearProgram, x: np.ndarray) -> dict[str, list]:
    """The solution's choices: ``night`` (day, city), ``stay`` (city, hotel), ``take``
    (the options taken) and ``used`` (the places)."""
    out: dict[str, list] = {"night": [], "stay": [], "take": [], "used": []}
    for k in np.flatnonzero(x > 0.5):
        name = program.names[k]
        if name[0] in ("night", "stay"):
            out[name[0]].append(tuple(name[1:]))
        elif name[0] in ("take", "used"):
            out[name[0]].append(name[1])
    return out


def _floor(v: float) -> float:
    """An integer objective's bound from a float one (infinity stays infinite)."""
    return v if math.isinf(v) else int(math.floor(v + 1e-6))


#: In work-bounded (reproducible) mode: branch-and-bound nodes per route, and simplex
#: iterations for all the routes' linear programs, per second of the time limit (about
#: what HiGHS does on the demo trip on the project machine).
NODES_PER_SECOND = 2_000
ITERATIONS_PER_SECOND = 20_000
#: ... and a route's 0/1 program is started only with this many times its linear
#: program's simplex iterations left.
MIP_WORK = 10


#: Called with each better solution the route search finds (its atoms, value and cost);
#: returning False stops the search there.
OnSolution = Callable[[dict[str, list], int, int], "bool | None"]


def certify(facts: list[Fact], time_limit: float = 1.0, *, work: bool = False,
            on_solution: OnSolution | None = None, should_stop: Callable[[], bool] | None = None) -> Bound:
    """Solve the relaxation of these facts within ``time_limit`` seconds (see the module docstring).

    With ``work``, the search is bounded by work instead, in proportion to
    ``time_limit``: simplex iterations over all the solves, and branch-and-bound nodes
    per route. The same facts then give the same bound and solution on every run; the
    wall clock only stops it at ten times the limit plus half a second (``stats`` says
    ``timed_out`` then, ``out_of_work`` when the work ran out first).

    ``on_solution`` sees every better solution as the route search finds it (returning
    False stops the search); ``should_stop`` is asked between solves (True stops it).
    The bound is then what was proven so far.

    A catalog with more places of a kind in a city than :data:`SHORTLIST` times what the
    trip can use is solved as a shortlist (:mod:`.shortlist`): the best places searched
    as they are (an itinerary of the whole catalog), and the rest, as stand-ins, bound.
    """
    t0 = _time.perf_counter()
    budget = Budget(time_limit, work)
    size = _shortlist_size(facts)
    if size is None:
        return _search(facts, budget, on_solution=on_solution, should_stop=should_stop)
    restricted, relaxed, stand_ins, left_out = shortlist(facts, size)
    # the shortlist first: its best itinerary is one of the whole catalog (shown as it comes)
    kept = _search(restricted, budget.share(0.5), on_solution=on_solution, should_stop=should_stop)
    # a shortlist proven to have no itinerary (a tight budget, say) is no place to search
    usable = kept.status != "infeasible"
    if not usable:
        kept = Bound(value=None, status="limit")   # the stand-ins may still make a plan
    # then the stand-ins: a relaxation of the whole catalog, which bounds it
    floor = kept.solution_value if kept.solution is not None else None
    whole = _search(relaxed, budget, should_stop=should_stop, incumbent=floor)
    stats = {**{f"shortlist_{k}": v for k, v in kept.stats.items()}, **whole.stats,
             "shortlist": float(sum(size.values())), "total_s": _time.perf_counter() - t0}
    if whole.status == "infeasible":
        return Bound(value=None, status="infeasible", stats=stats)
    plain = whole.solution is not None and not any(i in stand_ins for i in whole.solution["used"])
    best = whole if plain and (floor is None or whole.solution_value >= floor) else kept
    bound = whole.value
    if bound is not None and best.solution_value is not None:
        bound = max(bound, best.solution_value)
    optimal = bool(best.solution is not None and bound is not None and best.solution_value >= bound
                   and best.optimal)
    return Bound(value=bound, status="optimal" if optimal else "limit", solution=best.solution,
                 solution_value=best.solution_value, solution_cost=best.solution_cost, optimal=optimal, stats=stats,
                 left_out=frozenset(left_out) if usable else frozenset())


#: A shortlist keeps this many times the places of a kind and city that the trip can use,
#: and at least :data:`SHORTLIST_MIN`; it is used only for a larger group.
SHORTLIST = 4
SHORTLIST_MIN = 50


def _shortlist_size(facts: list[Fact]) -> dict[str, int] | None:
    """The shortlist's size by kind, or None when every group is within it."""
    days = next(f.args[0] for f in facts if f.pred is V.TripDays)
    cities = next((f.args[0] for f in facts if f.pred is V.VisitCount), 1)
    pace = next((f.args[0] for f in facts if f.pred is V.Pace), 0)
    present = days - cities + 1      # the most days one city can have
    size = {"attraction": max(SHORTLIST_MIN, SHORTLIST * pace * present),
            "restaurant": max(SHORTLIST_MIN, SHORTLIST * 3 * present)}
    groups = place_groups(facts)
    if all(len(members) <= size[kind] for (kind, _), members in groups.items()):
        return None
    return size


class Budget:
    """The time (or, reproducibly, the work) a search may use: a deadline, HiGHS's node
    limit per route, and the simplex iterations left (work mode)."""

    def __init__(self, time_limit: float, work: bool, t0: float | None = None):
        self.work = work
        self.nominal = time_limit
        start = _time.perf_counter() if t0 is None else t0
        self.limits = {"mip_max_nodes": max(50, int(NODES_PER_SECOND * time_limit))} if work else None
        self.iterations = max(2_000, int(ITERATIONS_PER_SECOND * time_limit)) if work else None
        self.deadline = start + (REPRODUCIBLE_CAP * time_limit + 0.5 if work else time_limit)

    def share(self, part: float) -> "Budget":
        """A budget of ``part`` of what is left (for a first step; the rest stays for later)."""
        if self.work:
            return Budget(part * self.nominal, True)
        return Budget(part * max(0.0, self.deadline - _time.perf_counter()), False)


def _search(facts: list[Fact], budget: Budget, *, on_solution: OnSolution | None = None,
            should_stop: Callable[[], bool] | None = None, incumbent: int | None = None) -> Bound:
    """The route search over these facts (see the module docstring). Routes whose linear
    bound is below ``incumbent`` (a value some itinerary is known to reach) are not solved."""
    t0 = _time.perf_counter()
    limits, iterations, deadline = budget.limits, budget.iterations, budget.deadline
    program, layout = relaxation(facts)
    stats: dict[str, float] = {"build_s": _time.perf_counter() - t0}
    nvar, nrow, nnz = program.size
    stats.update(variables=float(nvar), rows=float(nrow), nonzeros=float(nnz))
    n_routes = _route_count(layout)
    if n_routes > MAX_ROUTES or n_routes * nvar > MAX_ROUTE_WORK:
        stats["whole"] = 1.0
        return _whole(program, layout, deadline, stats, t0, limits, should_stop)
    all_routes = routes(layout)
    lp = Solver(program, integer=False, work=limits)
    ranked: list[tuple[float, int]] = []
    lp_work: dict[int, int] = {}   # the simplex iterations of each route's linear program
    for r, route in enumerate(all_routes):
        lp.set_bounds(_fixing(layout, route))
        if iterations is not None:
            lp.h.setOptionValue("simplex_iteration_limit", max(1, iterations))
        res = lp.solve(max(0.001, deadline - _time.perf_counter()))
        lp_work[r] = lp.h.getInfo().simplex_iteration_count
        if iterations is not None:
            iterations -= lp_work[r]
        if res.status == "optimal":
            ranked.append((res.value, r))
        elif res.status != "infeasible":  # no linear bound (in time, or within the work): the route stays open
            ranked.append((math.inf, r))
        if (_time.perf_counter() > deadline or (iterations is not None and iterations <= 0)
                or (should_stop is not None and should_stop())):
            ranked += [(math.inf, j) for j in range(r + 1, len(all_routes))]
            stats["timed_out" if _time.perf_counter() > deadline else "out_of_work"] = 1.0
            break
    stats["routes"] = float(len(all_routes))
    stats["lp_s"] = _time.perf_counter() - t0 - stats["build_s"]
    if not ranked:
        stats["total_s"] = _time.perf_counter() - t0
        return Bound(value=None, status="infeasible", stats=stats)
    ranked.sort(key=lambda t: -t[0])
    mip = Solver(program, integer=True, work=limits, interrupt=should_stop)
    best: tuple[int, np.ndarray] | None = None   # (value, x)
    open_bounds: list[float] = []
    solved = 0
    for pos, (ub, r) in enumerate(ranked):
        if best is not None and _floor(ub) < best[0]:
            break                       # this route and all below cannot reach the best value
        if incumbent is not None and _floor(ub) < incumbent:
            break                       # nothing below beats the known itinerary, whose value bounds them
        remaining = deadline - _time.perf_counter()
        # a route's 0/1 program takes about MIP_WORK times its linear program's iterations: with
        # less work left it is not started (decided by counts, not the clock: reproducible)
        short = iterations is not None and iterations < MIP_WORK * max(lp_work.get(r, 0), 100)
        if remaining <= 0 or short or (should_stop is not None and should_stop()):
            open_bounds += [u for u, _ in ranked[pos:]]
            stats["timed_out" if remaining <= 0 else "out_of_work"] = 1.0
            break
        mip.set_bounds(_fixing(layout, all_routes[r]))
        res = mip.solve(remaining)
        if iterations is not None:
            iterations -= mip.h.getInfo().simplex_iteration_count
        solved += 1
        if res.value is not None:
            v = int(round(res.value))
            if best is None or v > best[0]:
                best = (v, res.x)
                cost = int(round(float(np.dot(program.cost, res.x))))
                if on_solution is not None and on_solution(_atoms(program, res.x), v, cost) is False:
                    open_bounds += [u for u, _ in ranked[pos + 1:]]
                    if res.status == "limit":
                        open_bounds.append(res.bound if res.bound is not None else ub)
                    stats["stopped"] = 1.0
                    break
        if res.status == "limit":
            open_bounds.append(res.bound if res.bound is not None else ub)
    stats["mips"] = float(solved)
    if any(math.isinf(b) for b in open_bounds):
        bound_value = None          # a route no bound was found for: nothing is proven
    else:
        candidates = [_floor(b) for b in open_bounds] + ([best[0]] if best else [])
        candidates += [incumbent] if incumbent is not None else []
        bound_value = max(candidates) if candidates else None
    if best is None:
        stats["total_s"] = _time.perf_counter() - t0
        # with an incumbent from elsewhere, the routes left below it are bounded by it
        status = "limit" if open_bounds or incumbent is not None else "infeasible"
        return Bound(value=bound_value, status=status, stats=stats)
    value, x = best
    if bound_value is None:
        stats["total_s"] = _time.perf_counter() - t0
        return Bound(value=None, status="limit", solution=_atoms(program, x), solution_value=value,
                     solution_cost=int(round(float(np.dot(program.cost, x)))), stats=stats)
    fixings = [_fixing(layout, all_routes[j]) for ub, j in ranked if _floor(ub) >= value]
    return _finish(program, layout, value, x, fixings, bound_value, not open_bounds, deadline, stats, t0, limits)


def _finish(program: LinearProgram, layout: Layout, value: int, x: np.ndarray, fixings: list[dict[int, float]],
            bound_value: int, proven: bool, deadline: float, stats: dict[str, float], t0: float,
            work: dict | None = None) -> Bound:
    """The bound with its best solution; when the value is proven, the cheapest solution of that value."""
    cost = None
    if proven:
        t1 = _time.perf_counter()
        x, cost = _cheapest(program, layout, fixings, value, deadline, x, work)
        stats["cost_s"] = _time.perf_counter() - t1
    optimal = cost is not None
    if cost is None:
        cost = int(round(float(np.dot(program.cost, x))))
    stats["total_s"] = _time.perf_counter() - t0
    return Bound(value=bound_value, status="optimal" if proven else "limit", solution=_atoms(program, x),
                 solution_value=value, solution_cost=cost, optimal=optimal, stats=stats)


def _cheapest(program: LinearProgram, layout: Layout, fixings: list[dict[int, float]], value: int,
              deadline: float, x: np.ndarray, work: dict | None = None) -> tuple[np.ndarray, int | None]:
    """Among solutions of the best value, the cheapest (priority 1); ``None`` cost if time ran out."""
    mip = Solver(program, integer=True, objective="cost", work=work)
    mip.add_row({k: program.obj[k] for k in layout.value_vars}, value - 0.5, math.inf)
    best_cost, best_x = None, x
    for fixing in fixings:
        remaining = deadline - _time.perf_counter()
        if remaining <= 0:
            return x, None
        mip.set_bounds(fixing)
        res = mip.solve(remaining)
        if res.status == "limit":
            return x, None
        if res.value is not None and (best_cost is None or res.value < best_cost - 0.5):
            best_cost, best_x = int(round(res.value)), res.x
    return best_x, best_cost


def _whole(program: LinearProgram, layout: Layout, deadline: float, stats: dict[str, float], t0: float,
           limits: dict | None = None, should_stop: Callable[[], bool] | None = None) -> Bound:
    """Too many routes: the whole 0/1 program at once; its dual bound is the bound (at
    least its linear relaxation's, solved first so that a bound is there in any case)."""
    relaxed = Solver(program, integer=False, work=limits).solve(max(0.001, deadline - _time.perf_counter()))
    if relaxed.status == "infeasible":
        stats["total_s"] = _time.perf_counter() - t0
        return Bound(value=None, status="infeasible", stats=stats)
    lp_bound = _floor(relaxed.value) if relaxed.status == "optimal" else None
    res = Solver(program, integer=True, work=limits, interrupt=should_stop).solve(
        max(0.001, deadline - _time.perf_counter()))
    if res.status == "infeasible":
        stats["total_s"] = _time.perf_counter() - t0
        return Bound(value=None, status="infeasible", stats=stats)
    bound = _floor(res.bound) if res.bound is not None else None
    if lp_bound is not None:
        bound = lp_bound if bound is None else min(bound, lp_bound)
    if res.x is None:
        stats["total_s"] = _time.perf_counter() - t0
        return Bound(value=bound, status="limit", stats=stats)
    value = int(round(res.value))
    return _finish(program, layout, value, res.x, [{}], max(value, bound or value), res.status == "optimal",
                   deadline, stats, t0, limits)
