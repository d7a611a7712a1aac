"""The best itinerary of the relaxation, route by route, and the bound it proves.

A route (which city each night is spent in) fixes most of the program's structure.
:func:`certify` enumerates the routes, solves the linear relaxation of each (a
warm-started simplex re-solve: milliseconds), and then solves the 0/1 program route by
route, best linear bound first, until no route left can beat the best solution found.
The bound is the best solution's value, or the highest linear or integer bound of a
route not yet settled when the time runs out: every route is accounted for, so no
itinerary beats it. Among the routes that reach the best value, a second pass finds
the cheapest solution (the objective's priority 1).

When there are too many routes to enumerate (:data:`MAX_ROUTES`), the whole 0/1
program is solved at once and HiGHS's dual bound is the bound.
"""

from __future__ import annotations

import itertools
import math
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..vocab import Fact
from .program import LinearProgram, Solver
from .relaxation import Layout, relaxation

#: A work-bounded search is stopped by the clock only at this many times its time limit.
REPRODUCIBLE_CAP = 10.0
#: Route enumeration stops being worth it beyond this many routes.
MAX_ROUTES = 2000


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
    """
    t0 = _time.perf_counter()
    limits = None
    iterations = None   # the simplex iterations left for the routes' linear programs
    if work:
        limits = {"mip_max_nodes": max(50, int(NODES_PER_SECOND * time_limit))}
        iterations = max(2_000, int(ITERATIONS_PER_SECOND * time_limit))
        time_limit = REPRODUCIBLE_CAP * time_limit + 0.5
    deadline = t0 + time_limit
    program, layout = relaxation(facts)
    stats: dict[str, float] = {"build_s": _time.perf_counter() - t0}
    nvar, nrow, nnz = program.size
    stats.update(variables=float(nvar), rows=float(nrow), nonzeros=float(nnz))
    if _route_count(layout) > MAX_ROUTES:
        return _whole(program, layout, deadline, stats, t0, limits)
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
    mip = Solver(program, integer=True, work=limits)
    best: tuple[int, int, np.ndarray, int] | None = None   # (value, cost, x, route)
    open_bounds: list[float] = []
    solved = 0
    for pos, (ub, r) in enumerate(ranked):
        if best is not None and _floor(ub) < best[0]:
            break                       # this route and all below cannot reach the best value
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
                best = (v, None, res.x, r)
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
        bound_value = max(candidates) if candidates else None
    if best is None:
        stats["total_s"] = _time.perf_counter() - t0
        return Bound(value=bound_value, status="limit" if open_bounds else "infeasible", stats=stats)
    value, _, x, r = best
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
           limits: dict | None = None) -> Bound:
    """Too many routes: the whole 0/1 program at once; its dual bound is the bound."""
    res = Solver(program, integer=True, work=limits).solve(max(0.001, deadline - _time.perf_counter()))
    if res.status == "infeasible":
        stats["total_s"] = _time.perf_counter() - t0
        return Bound(value=None, status="infeasible", stats=stats)
    bound = _floor(res.bound) if res.bound is not None else None
    if res.x is None:
        stats["total_s"] = _time.perf_counter() - t0
        return Bound(value=bound, status="limit", stats=stats)
    value = int(round(res.value))
    return _finish(program, layout, value, res.x, [{}], max(value, bound or value), res.status == "optimal",
                   deadline, stats, t0, limits)
