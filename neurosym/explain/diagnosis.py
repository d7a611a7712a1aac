"""Why a request has no itinerary, and what would make one exist.

:func:`diagnose_problem` finds the minimal sets of the traveller's own constraints that
cannot hold together (:mod:`.conflicts`), the rules broken by the itinerary that breaks
the fewest, and repairs confirmed by re-planning (:mod:`.repairs`, :mod:`.confirm`).
"""

from __future__ import annotations

import time as _time
from collections.abc import Iterable, Sequence
from pathlib import Path

import clingo

from ..asp import Option, Value
from ..catalog import leg_name
from ..problem import Problem
from ..rules import rule_catalog
from .conflicts import conflicts as find_conflicts
from .program import ExplainProgram, Result
from .repairs import Repairs
from .texts import constraint_ref, render_broken
from .types import Diagnosis


def diagnose_problem(problem: Problem, rules: Sequence[str | Path] = (), *, time_limit: float = 5.0,
                     confirm_time_limit: float = 2.0, search_dates: bool | None = None,
                     max_date_shift: int = 7) -> Diagnosis:
    """Why ``problem`` has no itinerary: minimal conflicts of the traveller's constraints
    (verified by re-solving), the rules the closest itinerary breaks, and repairs, each
    confirmed by re-planning. ``search_dates``: None decides from the conflict."""
    t0 = _time.perf_counter()
    rules = tuple(Path(p) for p in rules)
    cands = [*problem.legs, *problem.places]
    prog = ExplainProgram(problem.facts, rules, cands, label="diagnose")
    req = problem.request

    def check(active: Iterable[clingo.Symbol]) -> Result:
        return prog.run(active=list(active), mode="sat", limit=time_limit)

    allc = list(prog.constraints)
    d = Diagnosis()
    first = check(allc)
    if first.sat:
        d.checks.append("with every constraint kept: feasible (the planner ran out of time?)")
        return d
    found: list[list[clingo.Symbol]] = []
    if check([]).status == "unsat":
        d.frame = True
        d.checks.append("with every constraint of yours set aside: still infeasible")
    else:
        found, checks = find_conflicts(check, allc, first)
        d.checks += checks
    d.conflicts = [[constraint_ref(req, c) for c in m] for m in found]
    d.conflict = d.conflicts[0] if d.conflicts else []
    rel = prog.run(active=[] if d.frame else allc, relax=True, mode="opt", limit=time_limit)
    if rel.sat:
        d.violations = render_broken(rel.violations, rule_catalog(rules), _describer(problem))
    d.stats["diagnose_s"] = round(_time.perf_counter() - t0, 4)
    t1 = _time.perf_counter()
    d.repairs = Repairs(problem, rules, prog, time_limit=time_limit, confirm_limit=confirm_time_limit,
                        search_dates=search_dates, max_date_shift=max_date_shift).collect(found, d.frame)
    d.stats["repairs_s"] = round(_time.perf_counter() - t1, 4)
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
