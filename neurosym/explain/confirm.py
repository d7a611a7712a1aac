"""Confirming a repair: plan the repaired request once, below the planner.

A repair is listed only when planning the request with it applied gives an itinerary
that obeys every rule (:func:`neurosym.solve.plan_once`, then the independent
:func:`neurosym.verify.verify`). Nothing here calls ``plan_itinerary``: the
explanation engine never calls back up into the planner.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from ..assemble import build_itinerary
from ..itinerary import Itinerary
from ..problem import PlanningInputError, Problem, build_problem
from ..request import TripRequest
from ..solve import Limits, plan_once
from ..verify import verify
from .types import Repair

log = logging.getLogger("neurosym.explain")


def replan(problem: Problem, request: TripRequest, rules: Sequence[str | Path], limit: float,
           first_only: bool = False) -> Itinerary | None:
    """The itinerary for ``request`` on ``problem``'s catalog and scorer, or None when
    there is none (or none within the time limit). With ``first_only`` the search stops
    at the first itinerary (a feasibility check)."""
    try:
        prob = build_problem(request, problem.catalog, problem.scorer, prune_dominated=not rules)
        limits = Limits(time=limit, first=limit) if first_only else Limits(time=limit)
        answer = plan_once(prob, rules, limits, stop=(lambda _cost: True) if first_only else None)
    except (PlanningInputError, TimeoutError, ValueError) as exc:
        log.debug("re-plan failed: %s", exc)
        return None
    if answer is None:
        return None
    return build_itinerary(prob, answer, rules)


def confirm(repair: Repair, problem: Problem, rules: Sequence[str | Path], limit: float, depth: int = 0) -> bool:
    """Re-plan the request with the repair; keep the result on the repair.

    A confirmed budget repair is tightened to the cost of the confirming itinerary
    when that is lower (and the tighter budget is confirmed too)."""
    try:
        new = repair.apply(problem.request)
    except (ValidationError, ValueError) as exc:  # an invalid combination of changes is no repair
        log.debug("repair %s is not a valid request: %s", repair.changes, exc)
        return False
    it = replan(problem, new, rules, limit)
    if it is None:
        log.debug("repair %s not confirmed", repair.text)
        return False
    broken = verify(it, new, problem.catalog)
    if broken:
        log.warning("repair %s planned an itinerary the verifier rejects: %s", repair.text, broken)
        return False
    repair.confirmed, repair.total_cost, repair.cities = True, it.total_cost, list(it.cities)
    budget = repair.changes.get("budget")
    if "budget" in repair.kind and budget is not None and it.total_cost < budget - 1e-6 and depth < 1:
        tighter = repair.model_copy(deep=True)
        tighter.changes["budget"] = round(it.total_cost, 2)
        tighter.text = tighter.text.replace(f"to {budget:.2f}", f"to {it.total_cost:.2f}")
        if confirm(tighter, problem, rules, limit, depth + 1):
            repair.changes, repair.text = tighter.changes, tighter.text
            repair.total_cost, repair.cities = tighter.total_cost, tighter.cities
    return True
