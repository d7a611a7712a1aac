"""Confirming a repair: an itinerary of the repaired request that the verifier passes.

A repair is listed only when an itinerary for the request with the repair applied has
been found and :func:`neurosym.verify.verify` passes it against that request:

- :func:`confirm_plan`: the repair's own itinerary, found on the diagnosis program with
  the repair's constraints set aside (the same rules and facts: the repaired values,
  such as a smaller budget or a later departure, are met by that itinerary), assembled
  for the repaired request and checked by the verifier;
- :func:`confirm`: the repaired request planned afresh (:func:`neurosym.solve.plan_once`,
  stopping at its first itinerary), for repairs that change the frame (other dates,
  another length, fewer cities), whose facts differ.

Nothing here calls ``plan_itinerary``: the explanation engine never calls back up into
the planner.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from ..answer import Answer, Plan
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
        prob = build_problem(request, problem.catalog, problem.scorer, prune_dominated=not rules,
                             forecast=problem.forecast)
        limits = Limits(time=limit, first=limit) if first_only else Limits(time=limit)
        answer = plan_once(prob, rules, limits, stop=(lambda _cost: True) if first_only else None,
                           canonical=not first_only)
    except (PlanningInputError, TimeoutError, ValueError) as exc:
        log.debug("re-plan failed: %s", exc)
        return None
    if answer is None:
        return None
    return build_itinerary(prob, answer, rules)


def _checked(repair: Repair, problem: Problem, new: TripRequest, it: Itinerary) -> bool:
    broken = verify(it, new, problem.catalog, problem.forecast)
    if broken:
        log.warning("repair %s planned an itinerary the verifier rejects: %s", repair.text, broken)
        return False
    repair.confirmed, repair.total_cost, repair.cities = True, it.total_cost, list(it.cities)
    return True


def _repaired(repair: Repair, problem: Problem) -> TripRequest | None:
    try:
        return repair.apply(problem.request)
    except (ValidationError, ValueError) as exc:  # an invalid combination of changes is no repair
        log.debug("repair %s is not a valid request: %s", repair.changes, exc)
        return None


def confirm_plan(repair: Repair, problem: Problem, rules: Sequence[str | Path], plan: Plan) -> bool:
    """Confirm a repair with an itinerary already found for it (on the diagnosis
    program): assembled for the repaired request and passed by the verifier."""
    new = _repaired(repair, problem)
    if new is None:
        return False
    try:
        prob = build_problem(new, problem.catalog, problem.scorer, prune_dominated=False, forecast=problem.forecast)
        it = build_itinerary(prob, Answer(plan=plan, optimal=False, cost=[]), rules)
    except (PlanningInputError, KeyError, ValueError) as exc:
        log.debug("repair %s: its itinerary does not fit the repaired request: %s", repair.text, exc)
        return False
    return _checked(repair, problem, new, it)


def confirm(repair: Repair, problem: Problem, rules: Sequence[str | Path], limit: float) -> bool:
    """Plan the repaired request afresh (to its first itinerary) and verify it."""
    new = _repaired(repair, problem)
    if new is None:
        return False
    it = replan(problem, new, rules, limit, first_only=True)
    if it is None:
        log.debug("repair %s not confirmed", repair.text)
        return False
    return _checked(repair, problem, new, it)
