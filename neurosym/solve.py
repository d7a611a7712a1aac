"""Plan once: the one place where a planning problem is solved.

:func:`plan_once` grounds the core rule files and the user's over a problem's facts
(through the one clingo front-end, :class:`neurosym.program.Program`) and optimises.
The planner calls it, and so does the diagnosis when it confirms a repair: nothing
below the planner ever calls back up into it.

Optimisation is model-guided branch-and-bound; clasp's domain heuristic follows the
``#heuristic`` lines of ``rules/objective.lp``, so the most preferred places are tried
first and the first itineraries found are already good ones (see docs/performance.md).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import clingo

from .answer import Answer, Plan
from .problem import Problem
from .program import Program, Search
from .rules import CANONICAL_FILE, core_paths, rule_file

#: Without any itinerary when the time limit is reached, the search goes on until it has
#: its first one, for at most this many seconds in all.
FIRST_ITINERARY_LIMIT = 10.0

#: Called with each better plan found while searching, its objective and the seconds
#: since the call started; returning False stops the search.
OnPlan = Callable[[Plan, list[int], float], "bool | None"]
#: An extra stop condition, asked at each better plan (with its objective): True stops.
Stop = Callable[[list[int]], bool]


#: Reproducible searches are bounded by work: this many clasp conflicts per second of the
#: time limit (about what one thread does on the demo trip on the project machine).
CONFLICTS_PER_SECOND = 10_000
#: A reproducible search still stops at this many times its time limit (plus a second)
#: of wall clock; only a search cut there is not reproducible (``stats["reproducible"]``).
REPRODUCIBLE_CAP = 3.0


@dataclass(frozen=True)
class Limits:
    """How long and how hard to search.

    ``time`` is wall-clock seconds for the whole solve (loading the rules, grounding and
    searching); ``None`` searches until optimality is proven. Without any itinerary by
    then, the search goes on until the first one, for at most ``max(time, first)``
    seconds in all. ``search`` sets clasp's threads and work limit
    (:class:`neurosym.program.Search`).
    """

    time: float | None = 10.0
    first: float = FIRST_ITINERARY_LIMIT
    search: Search = Search()

    @classmethod
    def reproducible(cls, time_limit: float | None) -> "Limits":
        """A search bounded by work, not time: one thread, ``CONFLICTS_PER_SECOND`` clasp
        conflicts per second of ``time_limit``, so the same problem gets the same answer
        on every run and machine (the wall clock only stops it at ``REPRODUCIBLE_CAP``
        times the limit). ``None`` searches until optimality is proven."""
        if time_limit is None:
            return cls(time=None, search=Search(threads=1))
        conflicts = max(100, int(CONFLICTS_PER_SECOND * time_limit))
        return cls(time=REPRODUCIBLE_CAP * time_limit + 1.0, first=FIRST_ITINERARY_LIMIT,
                   search=Search(threads=1, conflicts=conflicts))


def plan_once(problem: Problem, user_rules: Sequence[str | Path] = (), limits: Limits = Limits(), *,
              on_plan: OnPlan | None = None, stop: Stop | None = None, canonical: bool = True) -> Answer | None:
    """Ground and optimise one problem; the best answer found, or ``None`` when there is none.

    When the time limit runs out (or ``stop`` says so, or ``on_plan`` returns False),
    the best answer so far is returned with ``optimal=False``. When there is none
    yet at the time limit, the search goes on to the first one and raises
    :class:`TimeoutError` if there is still none at ``limits.first``. An exception raised
    by ``on_plan`` or ``stop`` stops the search and is raised again here.

    Once the optimum is proven, and with ``canonical``, a second search with the
    optimum as a bound picks the one optimal itinerary that ``rules/canonical.lp``'s
    fixed order puts first (within the same time limit; ``stats["canonical"]`` says
    whether it finished), so a proven-optimal answer does not depend on the search.
    """
    t0 = _time.perf_counter()
    prog = Program(problem.facts, files=[*core_paths(), rule_file(CANONICAL_FILE)], user_files=user_rules,
                   search=limits.search)
    t1 = _time.perf_counter()
    deadline = None if limits.time is None else t0 + limits.time
    grace = None if limits.time is None else t0 + max(limits.time, limits.first)
    best: dict[str, object] = {}
    priorities = prog.priorities

    def on_model(m: clingo.Model) -> bool:
        cost = _objective(m, priorities)
        best["symbols"], best["cost"] = m.symbols(shown=True), cost   # decoded once, at the end
        try:
            if on_plan is not None and on_plan(Plan.from_symbols(best["symbols"], cost), cost,  # type: ignore[arg-type]
                                               _time.perf_counter() - t0) is False:
                return False
            if stop is not None and stop(cost):
                return False
        except Exception as exc:  # noqa: BLE001 - raised again once the search has stopped
            best["error"] = exc
            return False
        return True

    out = prog.solve(deadline=deadline, grace=grace, on_model=on_model)
    budget = limits.search.conflicts
    while ("symbols" not in best and budget is not None and not (out.unsatisfiable or out.exhausted or out.timed_out)
           and "error" not in best):   # the work ran out before a first itinerary: more work, as reproducibly
        budget *= 2
        out = prog.solve(deadline=deadline, grace=grace, on_model=on_model, conflicts=budget)
    if "error" in best:
        raise best["error"]  # type: ignore[misc]
    if "symbols" not in best:
        if out.unsatisfiable or out.exhausted:
            return None
        raise TimeoutError(f"no itinerary found within {max(limits.time or 0.0, limits.first):g} s")
    plan = Plan.from_symbols(best["symbols"], best["cost"])  # type: ignore[arg-type]
    done = 0.0
    timed_out = out.timed_out
    if out.exhausted and canonical:
        ties: list[list[clingo.Symbol]] = []
        prog.ground("canonical", problem.ranks)
        tie = prog.solve(bound=plan.objective, deadline=deadline, on_model=lambda m: ties.append(m.symbols(shown=True)))
        timed_out = timed_out or tie.timed_out
        if ties:
            plan, done = Plan.from_symbols(ties[-1], plan.objective), float(tie.exhausted)
    t2 = _time.perf_counter()
    stats = prog.ctl.statistics
    summary = stats.get("summary", {})
    figures = {"ground_s": t1 - t0, "solve_s": t2 - t1, "total_s": t2 - t0,
               "models": float(summary.get("models", {}).get("enumerated", 0)),
               "atoms": float(stats.get("problem", {}).get("lp", {}).get("atoms", 0)), "canonical": done,
               "reproducible": float(limits.search.threads == 1 and not timed_out
                                     and (limits.search.conflicts is not None or out.exhausted))}
    return Answer(plan=plan, optimal=out.exhausted, cost=list(plan.objective), stats=figures)


def _objective(m: clingo.Model, priorities: Sequence[int]) -> list[int]:
    """The model's cost per priority level of the rule files' objective, highest first."""
    cost, prio = list(m.cost), list(getattr(m, "priority", []))
    if len(prio) != len(cost):
        return cost
    by = dict(zip(prio, cost))
    return [by.get(p, 0) for p in priorities if p in by]
