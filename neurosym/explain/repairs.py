"""Repairs of the traveller's constraints: one per minimal correction set, confirmed.

A correction set (:func:`neurosym.explain.conflicts.correction_sets`) names constraints
to relax together. Each becomes one repair, relaxing each member as little as it can
with the others relaxed:

- ``earliest_departure`` / ``latest_return``: the latest first leg / the earliest way
  home that works (``ns_late_start`` / ``ns_early_end``); the legs the new time rules
  out are then banned while the next member is computed;
- ``budget`` (last): the smallest budget that works (the cheapest itinerary, on a program
  of its own where every preference is zero, so that the exact dominance pruning keeps
  only what can be cheapest, and without attractions, which are optional);
- ``need(R)``, ``cuisine(Q)``, ``fixed_order``, a ``keep``: dropped; ``mode(M)``: allowed;
  ``room_type``: also accept the room types the repair's itinerary uses.

The last solve's itinerary meets every relaxed value; assembled for the repaired request
and passed by the verifier, it confirms the repair (:func:`confirm_plan`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import clingo
import numpy as np

from .. import vocab as V
from ..answer import Plan
from ..asp import symbol
from ..bounds import cost_unit_of
from ..catalog import Catalog, clock, leg_name
from ..costs import cents, leg_cost, night_cost
from ..problem import Key, LegOption, Problem, build_problem
from ..program import Search
from ..request import TripRequest
from .clock import Clock
from .confirm import confirm_plan
from .program import ExplainProgram, Result
from .texts import a_meal, constraint_text, first_arg, term_text
from .types import Repair, apply_changes

#: The search for the cheapest itinerary: hierarchical branch-and-bound, model-guided signs, and
#: the domain heuristic, which follows ``explain.lp``'s cheapest-first hints (on the demo its first
#: itinerary costs 385.50 after 0.4 s; without them the search is at 1,116.00 after 2.5 s).
MIN_COST_SEARCH = Search(threads=None, heuristic="Domain", opt_strategy="bb,hier", opt_heuristic="sign,model")
#: Seconds the cheapest itinerary is searched for (unless proven sooner; ``Repair.proven`` says
#: which); without any itinerary by then, the search goes on to the first one (within the time
#: limit). On the demo the first itinerary comes after ~0.4 s and is the cheapest found in 6 s.
MIN_COST_LIMIT = 0.5


def relaxable(c: clingo.Symbol) -> bool:
    """Whether a constraint can be relaxed (a party cannot travel without its children)."""
    return not (c.name == "need" and first_arg(c) == "children")


#: How much of the request dropping or widening a constraint changes (see Repair.change).
DROP, WIDEN = 1.0, 0.5
#: A departure or return moved by this many minutes counts as much as dropping it.
TIME_SCALE = 12 * 60
_NUMERIC_ORDER = {"earliest_departure": 0, "latest_return": 1, "budget": 3}


def _leg(o: LegOption) -> str:
    return leg_name(o.item, o.departure, o.day)


class Repairs:
    """The repairs of one impossible problem's constraints, on its diagnosis program."""

    def __init__(self, problem: Problem, rules: Sequence[str | Path], prog: ExplainProgram, *, clock: Clock,
                 time_limit: float):
        self.problem, self.rules, self.prog = problem, tuple(Path(p) for p in rules), prog
        self.req = problem.request
        self.clock, self.time_limit = clock, time_limit
        self._min_cost: ExplainProgram | None = None
        self._cost_unit = 1

    def limit(self) -> float | None:
        return self.clock.limit(self.time_limit)

    def for_set(self, H: Sequence[clingo.Symbol]) -> tuple[Repair, Plan] | None:
        """The repair that relaxes the constraints of a correction set, confirmed, with its
        itinerary; None when it cannot be confirmed (or the time ran out)."""
        active = [c for c in self.prog.constraints if c not in set(H)]
        ordered = sorted(H, key=lambda c: (_NUMERIC_ORDER.get(c.name, 2), str(c)))
        bans: list[Key] = []
        parts: list[tuple[str, dict[str, Any], float, bool]] = []   # text, changes, change, proven
        plan: Plan | None = None
        for c in ordered:
            if self.clock.expired():
                return None
            if c.name in ("earliest_departure", "latest_return"):
                got = self._time(c, active, bans)
                if got is None:
                    return None
                part, plan, ban = got
                parts.append(part)
                bans += ban
            elif c.name == "budget":
                got2 = self._budget(active, bans, others=len(H) > 1)
                if got2 is None:
                    return None
                part, plan = got2
                parts.append(part)
        if plan is None:
            r = self.prog.run(active=active, ban=bans, mode="sat", plan=True, limit=self.limit(), hint=True)
            if not r.sat or r.plan is None:
                return None
            plan = r.plan
        req = self.req
        for _text, ch, _x, _p in parts:
            req = apply_changes(req, ch)
        for c in ordered:
            if c.name not in _NUMERIC_ORDER:
                part3 = self._drop(c, plan, req)
                if part3 is None:
                    return None
                parts.append(part3)
                req = apply_changes(req, part3[1])   # drops of one field add up (two house rules)
        repair = merge([Repair(kind=_kind(c), text=t, constraints=[term_text(c)], changes=ch, change=round(x, 3),
                               proven=p) for c, (t, ch, x, p) in zip([*self._numeric(ordered), *self._drops(ordered)],
                                                                       parts)])
        return (repair, plan) if confirm_plan(repair, self.problem, self.rules, plan) else None

    @staticmethod
    def _numeric(ordered: list[clingo.Symbol]) -> list[clingo.Symbol]:
        return [c for c in ordered if c.name in _NUMERIC_ORDER]

    @staticmethod
    def _drops(ordered: list[clingo.Symbol]) -> list[clingo.Symbol]:
        return [c for c in ordered if c.name not in _NUMERIC_ORDER]

    # -- numeric relaxations ----------------------------------------------------------
    def _time(self, c: clingo.Symbol, active: list[clingo.Symbol], bans: list[Key]
              ) -> tuple[tuple[str, dict[str, Any], float, bool], Plan, list[Key]] | None:
        """The latest first leg (earliest departure) or the earliest way home (latest
        return) that works, and the legs the new time rules out."""
        req, first = self.req, c.name == "earliest_departure"
        day = 1 if first else req.n_days
        r = self.prog.run(active=active, ban=bans, aux="late_start" if first else "early_end", mode="opt",
                          limit=self.limit(), plan=True)
        if not r.sat or r.plan is None:
            return None
        o = next((self.problem.legs[k] for k in sorted(r.plan.take) if self.problem.legs[k].day == day), None)
        if o is None:
            return None
        was = getattr(req, c.name)
        was_min = None if was is None else was.hour * 60 + was.minute
        at = o.departure if first else o.arrival
        if not first and at >= 24 * 60:
            part = (f"drop the latest return: the earliest way home, {_leg(o)}, arrives after midnight",
                    {c.name: None}, DROP, r.proven)
            return part, r.plan, []
        text = (f"leave no earlier than {clock(at)} instead of {clock(was_min or 0)}: take {_leg(o)}, the latest "
                "first leg that works" if first else
                f"be back by {clock(at)} instead of {clock(was_min or 0)}: take {_leg(o)}, the earliest way home "
                "that works")
        change = min(1.0, abs(at - (was_min or 0)) / TIME_SCALE)
        ruled_out = [k for k, x in self.problem.legs.items() if x.day == day
                     and (x.departure < at if first else x.arrival > at)]
        return (text, {c.name: clock(at)}, change, r.proven), r.plan, ruled_out

    def _budget(self, active: list[clingo.Symbol], bans: list[Key], others: bool
                ) -> tuple[tuple[str, dict[str, Any], float, bool], Plan] | None:
        amount, proven, plan = self.min_cost(active, bans)
        if amount is None or plan is None:
            return None
        amount = max(amount, 0.01)
        text = (f"raise the budget from {self.req.budget:.2f} to {amount:.2f}, the smallest budget that works"
                + (" with the other changes" if others else "")
                + ("" if proven else " (the cheapest itinerary found within the time limit; a cheaper one may "
                                     "exist)"))
        change = min(1.0, max(0.0, (amount - self.req.budget) / self.req.budget))
        return (text, {"budget": amount}, change, proven), plan

    def min_cost(self, active: list[clingo.Symbol], bans: Sequence[Key] = ()
                 ) -> tuple[float | None, bool, Plan | None]:
        """The cost of the cheapest itinerary with ``active`` kept (the budget set aside),
        whether it is proven, and the itinerary.

        Solved on a program of its own: every preference is zero, so the exact dominance
        pruning of :func:`~neurosym.problem.build_problem` keeps only what can be
        cheapest, and attractions (optional, never of negative cost) are left out; with
        user rule files nothing is pruned or left out (a rule may require a visit)."""
        if self._min_cost is None:
            if self.rules:
                facts = self.problem.facts
            else:
                prob = build_problem(self.req, self.problem.catalog, lambda items: np.zeros(len(items)),
                                     forecast=self.problem.forecast)
                atts = {f.args[0] for f in prob.facts if f.pred is V.Attraction}
                facts = [f for f in prob.facts if not (f.args and isinstance(f.args[0], str) and f.args[0] in atts)]
            self._min_cost = ExplainProgram(facts, self.rules, [*self.problem.legs], label="min_cost",
                                            search=MIN_COST_SEARCH, relax=False)
            self._cost_unit = cost_unit_of(facts)
        P = self._min_cost
        names = {term_text(c) for c in active}
        keep = [c for c in P.constraints if term_text(c) in names]
        present = [k for k in bans if P.has(clingo.Function("ns_ban", [symbol(k)]))]
        r: Result = P.run(active=keep, ban=present, aux="min_cost", mode="opt", plan=True,
                          limit=self.clock.limit(min(self.time_limit, MIN_COST_LIMIT)), first=self.limit())
        if not r.sat or r.aux is None:
            return None, False, None
        return round(r.aux * self._cost_unit / 100, 2), r.proven, r.plan  # the objective counts cost units

    # -- dropped or widened constraints ------------------------------------------------
    def _drop(self, c: clingo.Symbol, plan: Plan, req: TripRequest) -> tuple[str, dict[str, Any], float, bool] | None:
        """Drop or widen one constraint of ``req`` (the request with the other parts applied)."""
        name, arg = c.name, first_arg(c)
        if name == "need":
            changes: dict[str, Any] = {}
            if arg in req.house_rules:
                changes["house_rules"] = [x for x in req.house_rules if x != arg]
            if arg == "pets" and req.travelers.pets:
                changes["travelers"] = {"pets": 0}
            what = "travel without the pet" if arg == "pets" and req.travelers.pets else f"drop the need for {arg}"
            return what, changes, DROP, True
        if name == "room_type":
            types = sorted({str(self.problem.index[h].room_type) for _, h in plan.stay} - set(req.room_types or []))
            new = sorted(set(req.room_types or []) | set(types))
            return (f"also accept {', '.join(t.replace('_', ' ') for t in types) or 'other room types'}",
                    {"room_types": new}, WIDEN, True)
        if name == "cuisine":
            return (f"drop the wish for {a_meal(arg)}",
                    {"cuisines": [q for q in req.cuisines if q.strip().lower() != arg]}, DROP, True)
        if name == "mode":
            using = [self.problem.legs[k] for k in sorted(plan.take) if self.problem.legs[k].mode == arg]
            via = f" (e.g. {_leg(using[0])})" if using else ""
            return (f"allow {arg} travel{via}", {"exclude_modes": [m for m in req.exclude_modes if m != arg]},
                    DROP, True)
        if name == "home_by_midnight":
            late = [self.problem.legs[k] for k in plan.take if self.problem.legs[k].arrival > 24 * 60]
            via = f" (e.g. {_leg(late[0])})" if late else ""
            return (f"allow coming home after midnight on the last day{via}", {"return_after_midnight": True},
                    DROP, True)
        if name == "fixed_order":
            return (f"visit the cities in another order: {' -> '.join(plan.route())}", {"fixed_order": False},
                    DROP, True)
        if name in ("rain", "heat", "cold"):
            return (f"accept bad weather for outdoor visits (your {constraint_text(req, c)} becomes a preference "
                    "instead of a rule)", {"weather": {**req.weather.model_dump(), "risk": "accept"}}, WIDEN, True)
        if name == "keep":
            # keep(K) numbers the original request's keeps; other parts may have dropped some already
            gone = self.req.keep[c.arguments[0].number - 1]
            rest = list(req.keep)
            rest.remove(gone)
            return (f"give up {constraint_text(self.req, c)}", {"keep": [x.model_dump(mode="json") for x in rest]},
                    DROP, True)
        return None


def _kind(c: clingo.Symbol) -> str:
    kinds = {"need": "drop", "cuisine": "drop", "keep": "drop", "home_by_midnight": "drop", "fixed_order": "order",
             "rain": "weather", "heat": "weather", "cold": "weather"}
    return kinds.get(c.name, c.name)


def merge(parts: list[Repair]) -> Repair:
    """One repair made of several (their changes together; their change scores add up)."""
    if len(parts) == 1:
        return parts[0].model_copy(deep=True)
    changes: dict[str, Any] = {}
    for p in parts:
        for k, v in p.changes.items():
            if k == "travelers" and isinstance(changes.get(k), dict):
                changes[k] = {**changes[k], **v}
            else:
                changes[k] = v
    return Repair(kind="+".join(p.kind for p in parts), text="; and ".join(p.text for p in parts),
                  constraints=[c for p in parts for c in p.constraints], changes=changes,
                  change=round(sum(p.change for p in parts), 3), proven=all(p.proven for p in parts))


def cost_floor(request: TripRequest, catalog: Catalog, out: Iterable[int], back: Iterable[int]) -> int:
    """A lower bound on a trip's cost, in cents: the cheapest nights in its destinations,
    and the cheapest of the ways out and back given (their costs for the party)."""
    people = request.travelers.people
    nights = [night_cost(h, people) for h in catalog.hotels if h.city in request.destinations]
    return (request.n_days - 1) * min(nights, default=0) + min(out, default=0) + min(back, default=0)


def budget_within_reach(problem: Problem) -> bool:
    """Whether a trip of this length could meet the budget on some dates: it is at least
    the cheapest nights, the cheapest way out and the cheapest way back (a lower bound)."""
    req, cat, people = problem.request, problem.catalog, problem.request.travelers.people
    dests = set(req.destinations)
    legs = [*cat.flights, *cat.ground_legs]
    out = [leg_cost(x, people) for x in legs if x.origin == req.origin and x.destination in dests]
    back = [leg_cost(x, people) for x in legs if x.destination == req.origin and x.origin in dests]
    return cents(req.budget) >= cost_floor(req, cat, out, back)
