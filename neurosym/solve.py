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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import clingo

from . import vocab as V
from .answer import Answer, Plan
from .problem import Problem
from .program import Program, Search
from .rules import CANONICAL_FILE, RuleFileError, core_paths, rule_file

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
REPRODUCIBLE_CAP = 10.0


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
    nominal: float | None = None
    """For a work-bounded (reproducible) search: the time limit its work is sized from."""

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
                   search=Search(threads=1, conflicts=conflicts), nominal=time_limit)


#: The work limit (clasp conflicts) of checking the bound's itinerary on its own items:
#: finding its slots, then the tie-break's fixed order among arrangements.
CHECK_CONFLICTS = 2_000

#: A caller's request to stop, asked between models, every 50 ms while clasp searches,
#: and between HiGHS's solves: True stops with the best itinerary so far.
Cancel = Callable[[], bool]


def plan_once(problem: Problem, user_rules: Sequence[str | Path] = (), limits: Limits = Limits(), *,
              on_plan: OnPlan | None = None, stop: Stop | None = None, canonical: bool = True,
              assume: Sequence[clingo.Symbol] = (), cancel: Cancel | None = None) -> Answer | None:
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

    ``assume`` holds atoms that every itinerary must make true (clingo assumptions: the
    proof of optimality is then among those itineraries); ``cancel`` is asked while the
    search runs, True stopping it as ``stop`` does.
    """
    callbacks: list[BaseException] = []   # errors the caller's callbacks raised: never the rules' fault
    with _user_rules_blamed(user_rules, callbacks):
        return _plan_once(problem, user_rules, limits, on_plan=on_plan, stop=stop, canonical=canonical,
                          assume=assume, cancel=cancel, callbacks=callbacks)


@contextmanager
def _user_rules_blamed(user_rules: Sequence[str | Path], callbacks: Sequence[BaseException]) -> Iterator[None]:
    """clingo's own errors (clasp's "Integer overflow!" in a sum of a user file, say) as a
    :class:`~neurosym.rules.RuleFileError` naming the user's files; an error of a caller's
    callback (in ``callbacks``) is raised as it is. The shipped rules never cause one: every
    number and sum they form is bounded (neurosym.bounds)."""
    try:
        yield
    except RuntimeError as exc:
        if not user_rules or any(exc is e for e in callbacks):
            raise
        msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else "clingo failed"
        raise RuleFileError(", ".join(str(p) for p in user_rules), None,
                            f"clingo could not ground or solve with these rule files: {msg[-300:]}") from None


def _plan_once(problem: Problem, user_rules: Sequence[str | Path], limits: Limits, *,
               on_plan: OnPlan | None, stop: Stop | None, canonical: bool,
               assume: Sequence[clingo.Symbol], cancel: Cancel | None, callbacks: list[BaseException]) -> Answer | None:
    if cancel is not None and cancel():   # stopped before grounding: there is no itinerary to return
        raise TimeoutError("stopped before a first itinerary was found")
    t0 = _time.perf_counter()
    prog = Program(problem.facts, files=[*core_paths(), rule_file(CANONICAL_FILE)], user_files=user_rules,
                   search=limits.search)
    t1 = _time.perf_counter()
    deadline = None if limits.time is None else t0 + limits.time
    grace = None if limits.time is None else t0 + max(limits.time, limits.first)
    assumptions = [prog.literal(a) for a in assume]
    if any(lit is None for lit in assumptions):
        return None   # an assumed atom cannot be true at all
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
            callbacks.append(exc)
            return False
        return True

    out = prog.solve(assumptions=assumptions, deadline=deadline, grace=grace, on_model=on_model, stop=cancel)
    budget = limits.search.conflicts
    while ("symbols" not in best and budget is not None and not (out.unsatisfiable or out.exhausted or out.timed_out)
           and "error" not in best):   # the work ran out before a first itinerary: more work, as reproducibly
        budget *= 2
        out = prog.solve(assumptions=assumptions, deadline=deadline, grace=grace, on_model=on_model,
                         conflicts=budget, stop=cancel)
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
        tie = prog.solve(assumptions=assumptions, bound=plan.objective, deadline=deadline, stop=cancel,
                         on_model=lambda m: ties.append(m.symbols(shown=True)))
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


def plan_certified(problem: Problem, user_rules: Sequence[str | Path] = (), limits: Limits = Limits(), *,
                   on_plan: OnPlan | None = None, cancel: Cancel | None = None, bound_share: float = 0.6
                   ) -> Answer | None:
    """Plan with a certified bound (:mod:`neurosym.bound`): prove, then check, then search.

    1. The relaxation of the core rules is solved route by route (HiGHS): an upper bound
       on the objective that no itinerary beats, and usually the itinerary that reaches
       it (within ``bound_share`` of the time limit).
    2. That itinerary is checked against every rule file, the user's included, by clingo
       on a program restricted to its own items (milliseconds). When it holds, it is the
       optimum: nothing beats the bound.
    3. Otherwise (a user rule the relaxation cannot see, or no bound in time) the whole
       program is searched as :func:`plan_once` does, and the search stops as soon as an
       itinerary reaches the bound.

    The answer's ``bound`` is the certified bound (``None`` when none was proven in time);
    ``optimal`` is True when the itinerary's value reaches it, or the search proved it
    (``stats["cheapest"]`` says whether, among itineraries of that value, it is proven
    the cheapest). Returns ``None`` when no
    itinerary exists (the relaxation is infeasible, or clingo proves it).

    With ``on_plan`` (progress wanted), a first itinerary comes from a short clingo
    search before the bound, and every better one the route search finds is checked
    and passed on as it comes. ``cancel`` stops everything at the next check, with the
    best itinerary so far.
    """
    from .bound import certify

    if any(f.pred is V.Keep and f.args[2] == "soft" for f in problem.facts):
        # soft keeps come before the value (keep.lp, priority 3) and the relaxation leaves them
        # out: its bound certifies nothing here, so the whole time goes to the search (a re-plan)
        return plan_once(problem, user_rules, limits, on_plan=on_plan, cancel=cancel)
    t0 = _time.perf_counter()
    work = limits.nominal is not None
    nominal = limits.nominal if work else limits.time
    budget = 10.0 if nominal is None else max(0.02, bound_share * nominal)
    reported: dict[str, Answer] = {}

    def check(solution: dict[str, list], value: int, canonical: bool = True) -> Answer | None:
        """The relaxation's solution checked against every rule on a program of its own items,
        with every one of its places assumed used: only their slots are left to find."""
        used = [clingo.Function("used", [clingo.String(i)]) for i in solution["used"]]
        rest = _remaining(limits, t0)
        # one thread and a work limit: the same arrangement every run (the tie-break's search
        # over the slots is cut by conflicts, never by the clock, unless the clock runs out)
        checking = Limits(time=rest.time, first=rest.first, nominal=rest.nominal,
                          search=Search(threads=1, conflicts=CHECK_CONFLICTS, heuristic=limits.search.heuristic))
        try:
            ans = plan_once(problem.restricted(_items(solution)), user_rules, checking, assume=used, cancel=cancel,
                            canonical=canonical)
        except TimeoutError:   # no time left to check it
            return None
        return ans if ans is not None and -ans.cost[0] >= value else None

    def report(ans: Answer) -> bool:
        """Pass a checked itinerary on as progress, when it is better than the last one shown;
        False when the caller wants to stop."""
        if "answer" in reported and list(ans.cost) >= list(reported["answer"].cost):
            return True
        reported["answer"] = ans
        return on_plan is None or on_plan(ans.plan, list(ans.cost), _time.perf_counter() - t0) is not False

    def on_solution(solution: dict[str, list], value: int, cost: int) -> bool:
        if cancel is not None and cancel():
            return False
        # progress wanted: show it now (its slots as first found; the tie-break is for the answer)
        ans = check(solution, value, canonical=False) if on_plan is not None else None
        return ans is None or report(ans)

    if on_plan is not None:   # someone is watching: a first itinerary now, from clingo's first model
        try:
            first = plan_once(problem, user_rules, Limits(time=0.0, first=_remaining(limits, t0).first,
                                                          search=limits.search),
                              stop=lambda cost: True, canonical=False, cancel=cancel)
        except TimeoutError:
            first = None
        if first is not None and not report(first):
            first.stats["total_s"] = _time.perf_counter() - t0
            return first
    b = certify(problem.facts, time_limit=budget, work=work, on_solution=on_solution,
                should_stop=cancel)
    stats = {"bound_s": float(b.stats.get("total_s", 0.0)), "bound_routes": float(b.stats.get("routes", 0.0))}
    if b.status == "infeasible":
        return None            # not even the relaxation of the core rules has a solution
    answer = None
    if (b.stats.get("stopped") or (cancel is not None and cancel())) and "answer" in reported:
        answer = reported["answer"]        # the caller stopped the search at this itinerary
    elif b.solution is not None and b.solution_value is not None:
        answer = check(b.solution, b.solution_value)
        if answer is not None:
            # the value reaches the bound: nothing is better (and, when the bound's search
            # finished, nothing of that value is cheaper)
            answer.optimal = b.value is not None and -answer.cost[0] >= b.value
            stats["checked"] = 1.0
            stats["cheapest"] = float(bool(b.optimal and answer.cost[:2] == [-b.solution_value, b.solution_cost]))
            if on_plan is not None:
                report(answer)   # the answer, when it is better than the last one shown
    if answer is None:
        target = b.value
        # a large catalog's shortlist, when the bound left places out: its itineraries are the
        # whole catalog's, and clingo grounds a fraction of it
        searched = problem if not b.left_out else problem.restricted(
            set(problem.legs) | set(problem.places) - set(b.left_out))
        try:
            answer = plan_once(searched, user_rules, _remaining(limits, t0), on_plan=on_plan, cancel=cancel,
                               stop=None if target is None else (lambda cost: bool(cost) and -cost[0] >= target))
        except TimeoutError:
            if "answer" in reported:
                answer = reported["answer"]   # the best itinerary shown so far
            else:   # out of time with none: the best itinerary of the relaxation's items, if it has one
                answer = _salvage(problem, user_rules, b.solution, _remaining(limits, t0), cancel)
                if answer is None:
                    raise
        if answer is not None and b.left_out:
            answer.optimal = False   # proven on the shortlist only; the bound speaks for the whole
        if answer is not None and target is not None and answer.cost and -answer.cost[0] >= target:
            answer.optimal = True   # the value reaches the bound: nothing is better
    if answer is None:
        return None
    answer.bound = b.value
    if b.stats.get("timed_out"):
        stats["reproducible"] = 0.0   # the clock, not the work limits, ended the bound's search
    answer.stats.update(stats)
    answer.stats["total_s"] = _time.perf_counter() - t0
    return answer


#: Seconds the last resort of :func:`_salvage` may take at least (a program of a few
#: dozen items), when the call's grace is shorter.
SALVAGE_S = 0.1


def _salvage(problem: Problem, user_rules: Sequence[str | Path], solution: dict[str, list] | None, limits: Limits,
             cancel: Cancel | None) -> Answer | None:
    """The best itinerary made of the relaxation's items (its places not all assumed used):
    the last resort when the relaxation's itinerary breaks a rule it cannot see (a user
    rule) and the whole search found nothing in time. Such a program grounds in
    milliseconds; it gets what is left of the call's grace for a first itinerary. None
    when it has no itinerary either."""
    if solution is None:
        return None
    left = max(SALVAGE_S, limits.first if limits.time is not None else SALVAGE_S)
    try:
        return plan_once(problem.restricted(_items(solution)), user_rules,
                         Limits(time=left, first=left, search=limits.search), cancel=cancel)
    except TimeoutError:
        return None


def _items(solution: dict[str, list]) -> set:
    """The candidates of a relaxation's solution: its legs, hotels and places."""
    return set(solution["take"]) | {h for _, h in solution["stay"]} | set(solution["used"])


def _remaining(limits: Limits, t0: float, share: float = 0.4) -> Limits:
    """What is left of ``limits`` (started at ``t0``): of the time, and of the grace for a first
    itinerary. A work-bounded search gets ``share`` of its nominal time's work, with its
    own clock cap, whatever the clock says: the same work every run."""
    if limits.nominal is not None:
        rest = Limits.reproducible(share * limits.nominal)
        cap = max(rest.time, limits.time - (_time.perf_counter() - t0))   # the clock: whichever is later
        return Limits(time=cap, first=max(cap, rest.first), search=rest.search, nominal=rest.nominal)
    if limits.time is None:
        return limits
    spent = _time.perf_counter() - t0
    return Limits(time=max(0.0, limits.time - spent), first=max(0.0, max(limits.time, limits.first) - spent),
                  search=limits.search)
