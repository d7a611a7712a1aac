"""Why a request has no itinerary, and what would make one exist.

:func:`diagnose_problem`:

1. with every traveller constraint kept, then with all set aside: which of the two
   fails says whether the constraints conflict or the frame (dates, cities, catalog)
   itself does not fit (``frame``);
2. constraints: the disjoint minimal conflicts (:mod:`.conflicts`), then the minimal
   correction sets, smallest first, each turned into one confirmed repair
   (:mod:`.repairs`);
3. frame: what is missing (:func:`.frame.missing`) and the structural repairs within the
   search radius (:func:`.frame.frame_repairs`), combined with a constraint repair of
   the changed request where the frame alone is not enough;
4. the rules broken by the itinerary closest to obeying them all (that of the first
   constraint repair, with the constraints kept; else the one that breaks the fewest).

Repairs are ranked by how much of the request they keep (``Repair.change``). The search
stops at its deadline and reports what it found (``complete=False``).
"""

from __future__ import annotations

import time as _time
from collections.abc import Iterable, Sequence
from pathlib import Path

import clingo

from ..answer import Answer, Plan
from ..assemble import build_itinerary
from ..asp import Option, Value
from ..catalog import leg_name
from ..problem import PlanningInputError, Problem, build_problem
from ..request import TripRequest
from ..rules import rule_catalog, shown_path
from ..verify import verify
from .clock import Clock
from .conflicts import conflicts as find_conflicts, correction_sets
from .frame import DATE_RADIUS, frame_repairs, missing
from .program import ExplainProgram, Result
from .repairs import Repairs, budget_within_reach, relaxable
from .texts import constraint_ref, render_broken, term_text
from .types import Broken, Diagnosis, Repair

#: The correction sets turned into repairs, at most.
MOST_REPAIRS = 5
#: Seconds for the itinerary that breaks the fewest rules (the best found by then is shown).
VIOLATIONS_LIMIT = 0.5


def diagnose_problem(problem: Problem, rules: Sequence[str | Path] = (), *, time_limit: float = 5.0,
                     deadline: float | None = None, search_dates: bool | None = None,
                     max_date_shift: int = DATE_RADIUS, confirm_time_limit: float | None = None,
                     most: int = MOST_REPAIRS) -> Diagnosis:
    """Why ``problem`` has no itinerary: minimal conflicts of the traveller's constraints
    (verified by re-solving), the rules the closest itinerary breaks, and repairs ranked
    by how much of the request they keep, each confirmed by an itinerary the verifier
    passes.

    ``deadline`` (a ``time.perf_counter()`` instant) stops the search: the diagnosis then
    holds what was found so far and ``complete`` is false. ``time_limit`` bounds each
    solve. ``search_dates``: None searches other dates when the frame does not fit or
    the conflict can depend on the dates (schedules, modes, order, a budget a trip of
    this length could meet), True always, False never; ``max_date_shift`` is the radius
    of that search in days. (``confirm_time_limit`` is accepted for compatibility.)
    """
    t0 = _time.perf_counter()
    clock = Clock(deadline)
    rules = tuple(Path(p) for p in rules)
    cands = [*problem.legs, *problem.places]
    prog = ExplainProgram(problem.facts, rules, cands, label="diagnose", relax=False)
    d = Diagnosis()
    d.stats["ground_s"] = round(prog.ground_s, 4)

    check = _checker(prog, clock, time_limit)
    allc = list(prog.constraints)
    first = check(allc)
    if first.sat:
        d.checks.append("with every constraint kept: feasible (the planner ran out of time?)")
        return _done(d, t0, prog)
    if first.status != "unsat" or clock.expired():
        d.complete = False
        return _done(d, t0, prog)
    repairs: list[Repair] = []
    plans: dict[int, Plan] = {}   # the itineraries of the constraint repairs
    none = check([])
    d.frame = none.status == "unsat"
    if d.frame:
        d.checks.append("with every constraint of yours set aside: still infeasible")
        d.missing = missing(problem, max_date_shift)
    elif none.status != "unsat" and not none.sat:
        d.complete = False
    else:
        found, checks = find_conflicts(check, allc, first)
        d.checks += checks
        d.conflicts = [[constraint_ref(problem.request, c) for c in m] for m in found]
        d.conflict = d.conflicts[0] if d.conflicts else []
        fixer = Repairs(problem, rules, prog, clock=clock, time_limit=time_limit)
        sets, _muses, done = correction_sets(check, allc, found, [c for c in allc if relaxable(c)], most=most,
                                             clock=clock)
        d.correction_sets = [[term_text(c) for c in H] for H in sets]
        d.complete = d.complete and done
        for H in sets:
            got = fixer.for_set(H)
            if got is not None:
                repairs.append(got[0])
                plans[id(got[0])] = got[1]
            elif clock.expired():
                d.complete = False
        d.stats["constraints_s"] = round(_time.perf_counter() - t0, 4)
    if d.frame or _dates_relevant(problem, d, search_dates):
        t1 = _time.perf_counter()

        def combine(new: TripRequest) -> Repair | None:
            return _constraint_repair(problem, new, rules, clock, time_limit)

        found_frame, done, searched = frame_repairs(problem, rules, clock, radius=max_date_shift, frame=d.frame,
                                                    combine=combine, conflict=_conflict_kinds(d))
        repairs += found_frame
        d.searched += searched
        d.complete = d.complete and done
        if d.frame and not found_frame and done:
            d.searched.append("nothing within this radius works")
        d.stats["frame_s"] = round(_time.perf_counter() - t1, 4)
    d.repairs = rank(repairs)
    if not clock.expired():
        d.violations = _broken(problem, rules, prog, d, plans, clock)
    else:
        d.complete = False
    return _done(d, t0, prog)


def _broken(problem: Problem, rules: Sequence[Path], prog: ExplainProgram, d: Diagnosis,
            plans: dict[int, Plan], clock: Clock) -> list[Broken]:
    """The rules broken by the itinerary closest to obeying them all.

    With a constraint repair, that repair's itinerary: it obeys every rule but those of
    the constraints it relaxes, and the verifier says which of the request's it breaks
    (the rules' names, files and lines, the verifier's sentences). Else (the frame does
    not fit) the itinerary that breaks the fewest rules, as found within
    ``VIOLATIONS_LIMIT`` seconds."""
    info = rule_catalog(rules)
    first = next((plans[id(r)] for r in d.repairs if id(r) in plans), None)
    if first is not None:
        try:
            prob = build_problem(problem.request, problem.catalog, problem.scorer, prune_dominated=False,
                                 forecast=problem.forecast)
            it = build_itinerary(prob, Answer(plan=first, optimal=False, cost=[]), rules)
        except (PlanningInputError, KeyError, ValueError):
            it = None
        if it is not None:
            out = []
            for v in verify(it, problem.request, problem.catalog, problem.forecast):
                r = info.get(v.rule)
                out.append(Broken(rule=v.rule, file=shown_path(r.path) if r else "", line=r.line if r else 0,
                                  text=v.message, items=[v.item_id] if v.item_id else []))
            if out:
                return out
    rel = prog.run(active=[] if d.frame else list(prog.constraints), relax=True, mode="opt",
                   limit=clock.limit(VIOLATIONS_LIMIT))
    return render_broken(rel.violations, info, _describer(problem)) if rel.sat else []


def rank(repairs: list[Repair]) -> list[Repair]:
    """Repairs by how much of the request they keep (smallest change first), then by the
    cost of their itinerary; one of each set of changes."""
    seen: set[str] = set()
    out = []
    for r in sorted(repairs, key=lambda r: (r.change, r.total_cost if r.total_cost is not None else 0.0, r.text)):
        key = repr(sorted(r.changes.items(), key=str))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def _constraint_repair(problem: Problem, new: TripRequest, rules: Sequence[Path], clock: Clock,
                       time_limit: float) -> Repair | None:
    """The smallest confirmed constraint repair of a changed request (whose frame works)."""
    try:
        prob = build_problem(new, problem.catalog, problem.scorer, prune_dominated=not rules, forecast=problem.forecast)
    except (PlanningInputError, ValueError):
        return None
    if clock.expired():
        return None
    prog = ExplainProgram(prob.facts, rules, [*prob.legs, *prob.places], label="diagnose-changed", relax=False)
    check = _checker(prog, clock, time_limit)
    allc = list(prog.constraints)
    sets, _, _ = correction_sets(check, allc, [], [c for c in allc if relaxable(c)], most=1, clock=clock)
    fixer = Repairs(prob, rules, prog, clock=clock, time_limit=time_limit)
    for H in sets:
        got = fixer.for_set(H)
        if got is not None:
            return got[0]
    return None


def _checker(prog: ExplainProgram, clock: Clock, time_limit: float):
    """Feasibility with exactly some constraints kept, each set of them solved once."""
    seen: dict[frozenset[clingo.Symbol], Result] = {}

    def check(active: Iterable[clingo.Symbol]) -> Result:
        key = frozenset(active)
        r = seen.get(key)
        if r is None:
            r = prog.run(active=list(key), mode="sat", limit=clock.limit(time_limit))
            if r.status != "unknown":
                seen[key] = r
        return r

    return check


def _conflict_kinds(d: Diagnosis) -> set[str]:
    """The kinds of constraint in the conflicts found (``budget``, ``need``, ``keep``, ...)."""
    return {c.name.split("(")[0] for m in d.conflicts for c in m}


def _dates_relevant(problem: Problem, d: Diagnosis, search_dates: bool | None) -> bool:
    if search_dates is not None:
        return search_dates
    if d.frame:
        return True
    names = _conflict_kinds(d)
    if names & {"earliest_departure", "latest_return", "mode", "fixed_order"}:
        return True
    return "budget" in names and budget_within_reach(problem)


def _done(d: Diagnosis, t0: float, prog: ExplainProgram) -> Diagnosis:
    d.stats["diagnose_s"] = round(_time.perf_counter() - t0, 4)
    d.stats["solver_calls"] = prog.calls
    return d


def _describer(problem: Problem):
    """Names for the candidates the broken rules mention (legs with their times, places by name)."""
    places = set(problem.places)

    def describe(v: Value) -> tuple[str, str] | None:
        if isinstance(v, Option):
            o = problem.legs.get(v)
            return None if o is None else (leg_name(o.item, o.departure, o.day), o.key)
        if isinstance(v, str) and v in places:
            return problem.index[v].name, v
        return None

    return describe
