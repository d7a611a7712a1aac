"""``plan_itinerary``: request + catalog -> the best itinerary that obeys every rule.

The public entry point, on top of the layers it composes: the facts
(:func:`~neurosym.problem.build_problem`), plan-once (:func:`~neurosym.solve.plan_once`),
assembly (:func:`~neurosym.assemble.build_itinerary`), the independent verifier, and the
explanation engine (a handle for the itinerary; the diagnosis of an impossible request).
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answer import Answer, Plan
from .assemble import build_itinerary
from .catalog import Catalog
from .explain import Explainer, diagnose_problem
from .itinerary import Itinerary
from .problem import Problem, Scorer, build_problem
from .request import TripRequest
from .rules import check_user_file
from .solve import Limits, plan_once
from .verify import verify

log = logging.getLogger("neurosym")


class NoItinerary(Exception):
    """Raised by :func:`plan_itinerary` when no itinerary obeys every rule.

    ``violations`` lists, for the itinerary that breaks the fewest rules, each broken
    rule as ``(rule name, message)``; ``message`` says it in one sentence.

    ``diagnosis`` (a :class:`neurosym.explain.Diagnosis`) says why and what to do:
    ``conflict`` is a minimal set of the traveller's own constraints that cannot hold
    together (dropping any one of them makes the rest feasible: verified by
    re-solving), ``frame`` is true when even with all of them set aside the dates,
    cities and catalog do not fit, and ``repairs`` are changes to the request (the
    smallest budget that works, the nearest dates that work, a house rule, cuisine or
    transport exclusion to drop, the later or earlier leg to take), each confirmed by
    re-planning before it is listed.
    """

    def __init__(self, message: str, violations: list[tuple[str, str]] | None = None, diagnosis: Any = None):
        super().__init__(message)
        self.message = message
        self.violations = violations or []
        self.diagnosis = diagnosis

    @property
    def conflict(self) -> list[Any]:
        """A minimal set of the traveller's constraints that cannot hold together."""
        return list(self.diagnosis.conflict) if self.diagnosis is not None else []

    @property
    def repairs(self) -> list[Any]:
        """Confirmed changes to the request that make it plannable."""
        return list(self.diagnosis.repairs) if self.diagnosis is not None else []

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": "no_itinerary", "message": self.message,
                               "violations": [{"rule": r, "message": m} for r, m in self.violations]}
        d = self.diagnosis
        if d is not None:
            out["conflict"] = [c.model_dump() for c in d.conflict]
            out["conflicts"] = [[c.model_dump() for c in m] for m in d.conflicts]
            out["frame"] = d.frame
            out["repairs"] = [r.model_dump(mode="json") for r in d.repairs]
            budget = next((r.changes["budget"] for r in d.repairs
                           if r.kind == "budget" and r.confirmed and "budget" in r.changes), None)
            if budget is not None:
                out["smallest_budget"] = budget
            out["checks"] = list(d.checks)
        return out

    def _repr_html_(self) -> str:
        from .display import no_itinerary_html
        return no_itinerary_html(self)


class PlannerError(RuntimeError):
    """An internal error: the planner produced an itinerary that the independent verifier
    rejects. It is never returned; ``violations`` lists what the verifier found."""

    def __init__(self, violations: list[Any]):
        self.violations = violations
        super().__init__("internal error: the planned itinerary breaks "
                         + "; ".join(str(v) for v in violations[:10])
                         + (f" (and {len(violations) - 10} more)" if len(violations) > 10 else ""))


@dataclass(frozen=True)
class Progress:
    """A better itinerary, found while the search goes on (see ``plan_itinerary(progress=...)``).

    ``elapsed`` is seconds since the search started (grounding included), ``found`` counts
    the itineraries found so far (each better than the one before), ``objective`` is the
    itinerary's objective (as :attr:`Itinerary.objective`) and ``itinerary`` the itinerary
    itself, which obeys every rule; it is not yet known to be the best.
    """

    elapsed: float
    found: int
    objective: list[int]
    itinerary: Itinerary


def plan_itinerary(request: TripRequest, catalog: Catalog | None = None, *, history: Any = None,
                   model: Any = None, rules: Sequence[str | Path] = (), time_limit: float | None = 10.0,
                   scorer: Scorer | None = None, prune: bool | None = None,
                   progress: Callable[[Progress], Any] | None = None, reproducible: bool = False) -> Itinerary:
    """Plan the best itinerary for ``request`` from ``catalog`` (default: the demo catalog).

    Preference comes from ``scorer`` (a function from catalog items to scores in [0, 1]),
    else from ``model`` (a fitted :class:`neurosym.preferences.PreferenceModel`), else
    from a model fitted on ``history``, else from the documented prior. ``rules`` are
    extra rule files, enforced like the shipped ones. ``time_limit`` is wall-clock
    seconds for grounding and search: when it runs out, the best itinerary found so far
    is returned with ``optimal=False`` (the search always goes on to a first itinerary,
    for up to 10 s in all; ``None`` searches until optimality is proven). ``prune`` removes
    dominated candidates before solving (exact, see :mod:`neurosym.dominance`); by
    default it is on unless extra rule files are given, since a user rule may single
    out one candidate.

    ``progress`` is called with a :class:`Progress` each time the search finds a better
    itinerary (from the solver's thread, so keep it short); returning False stops the
    search, and the itinerary of that call is returned (``optimal=False``). A web page
    uses it to show the best itinerary so far and to cancel.

    Determinism: the same request and catalog give a byte-identical itinerary JSON
    whenever the search finishes (``optimal=True``: ties between equally good itineraries
    are broken by the fixed order of ``rules/canonical.lp``). Under a time limit, the
    itinerary found depends on timing unless ``reproducible`` is set: the search is then
    bounded by work instead (one thread, clasp conflicts in proportion to ``time_limit``;
    see :meth:`neurosym.solve.Limits.reproducible`), and gives the same itinerary on
    every run. ``it.stats`` (timings, not part of the JSON) says whether it did.

    Every itinerary is checked by the independent :func:`neurosym.verify` before it is
    returned (or passed to ``progress``); one that fails is never returned:
    :class:`PlannerError` lists what it breaks.

    Raises :class:`NoItinerary` when no itinerary obeys every rule, and
    :class:`~neurosym.problem.PlanningInputError` or
    :class:`~neurosym.rules.RuleFileError` on bad input.
    """
    t0 = _time.perf_counter()
    for path in rules:  # bad rule files are reported before any work is done
        check_user_file(path)
    if catalog is None:
        from .demo import load_demo_catalog
        catalog = load_demo_catalog()
    scorer, pref_model = _scorer(scorer, model, history, catalog)
    problem = build_problem(request, catalog, scorer, prune_dominated=not rules if prune is None else prune)
    on_plan = None
    if progress is not None:
        found = [0]

        def on_plan(plan: Plan, cost: list[int], elapsed: float) -> bool:
            found[0] += 1
            it = build_itinerary(problem, Answer(plan=plan, optimal=False, cost=cost), rules, pref_model)
            _checked(it, request, catalog)
            return progress(Progress(elapsed=elapsed, found=found[0], objective=list(cost), itinerary=it)) is not False

    limits = Limits.reproducible(time_limit) if reproducible else Limits(time=time_limit)
    answer = plan_once(problem, rules, limits, on_plan=on_plan)
    if answer is None:
        raise no_itinerary(problem, rules)
    it = build_itinerary(problem, answer, rules, pref_model)
    t1 = _time.perf_counter()
    _checked(it, request, catalog)
    it.stats["verify_s"] = _time.perf_counter() - t1
    it.stats["call_s"] = _time.perf_counter() - t0
    log.debug("itinerary planned: optimal=%s objective=%s stats=%s", it.optimal, it.objective, it.stats)
    return it.set_explanations(Explainer(problem, it, rules, pref_model))   # it.trace / why / why_not, on demand


def _checked(it: Itinerary, request: TripRequest, catalog: Catalog) -> None:
    """Defence in depth: the independent verifier passes the itinerary, or PlannerError."""
    violations = verify(it, request, catalog)
    if violations:
        raise PlannerError(violations)


def _scorer(scorer: Scorer | None, model: Any, history: Any, catalog: Catalog) -> tuple[Scorer | None, Any]:
    if scorer is not None:
        return scorer, None
    if model is None and history is not None and (history.items or history.likes or history.dislikes):
        from .preferences import PreferenceModel
        model = PreferenceModel().fit(history, catalog=catalog)
    if model is not None:
        return model.score, model
    return None, None


def no_itinerary(problem: Problem, rules: Sequence[str | Path] = (), *, time_limit: float = 5.0,
                 confirm_time_limit: float = 2.0, search_dates: bool | None = None) -> NoItinerary:
    """Why no itinerary exists, and what would make one exist, as a :class:`NoItinerary`.

    The traveller's constraints that cannot hold together (a minimal set, found with
    clingo assumptions and unsat cores, shrunk by deletion and verified by re-solving),
    the rules broken by the itinerary that breaks the fewest, and repairs confirmed by
    re-planning (see :func:`neurosym.explain.diagnose_problem`; ``search_dates`` None
    searches nearby dates when the conflict can depend on them).
    """
    d = diagnose_problem(problem, rules, time_limit=time_limit, confirm_time_limit=confirm_time_limit,
                         search_dates=search_dates)
    found = [(b.rule, b.text) for b in d.violations]
    if d.frame:
        head = ("No itinerary exists even with your own constraints set aside: the dates, cities and "
                "catalog do not fit")
    elif d.conflicts:
        head = "No itinerary obeys every rule: " + "; and ".join(
            "your " + ", ".join(c.text for c in m) + (" cannot hold together" if len(m) > 1 else " cannot be met")
            for m in d.conflicts)
    else:
        head = "No itinerary obeys every rule"
    if found:
        head += (f". The closest itinerary breaks {len(found)} rule{'s' if len(found) != 1 else ''}: "
                 + "; ".join(f"{r}: {m}" for r, m in found))
    elif d.frame:
        head += " (no way to move between the cities on the trip's days)"
    if d.repairs:
        head += ". Repairs (each confirmed by re-planning): " + "; ".join(r.text for r in d.repairs)
    return NoItinerary(head + ".", found, d)


diagnose = no_itinerary  # the former name
