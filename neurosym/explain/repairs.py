"""Repairs: changes to an impossible request, each confirmed by re-planning.

Per member of a conflict: ``budget`` -> the smallest budget that works (the cheapest
itinerary with the budget set aside); ``earliest_departure`` / ``latest_return`` -> the
latest first leg / earliest way home that works; ``need(R)``, ``cuisine(Q)``,
``fixed_order``, a ``keep`` -> drop it; ``mode(M)`` -> allow it; ``room_type`` -> also
accept the room types of a feasible plan. Then the nearest dates that work and, when
the dates alone do not fit, fewer cities. See docs/explanations.md.
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import clingo
import numpy as np
from pydantic import ValidationError

from .. import vocab as V
from ..bounds import cost_unit_of
from ..catalog import clock, leg_name
from ..costs import cents, leg_cost, night_cost
from ..problem import LegOption, Problem, build_problem
from ..program import Search
from .confirm import confirm, replan
from .program import ExplainProgram
from .texts import constraint_text, first_arg, term_text
from .types import Repair, apply_changes

#: At most this many seconds are spent looking for the nearest dates that work.
DATE_SEARCH_S = 15.0
#: The search for the cheapest itinerary: hierarchical branch-and-bound, model-guided signs.
MIN_COST_SEARCH = Search(threads=None, heuristic=None, opt_strategy="bb,hier", opt_heuristic="sign,model")


def _leg(o: LegOption) -> str:
    return leg_name(o.item, o.departure, o.day)


class Repairs:
    """The repairs of one impossible problem, searched on its diagnosis program."""

    def __init__(self, problem: Problem, rules: Sequence[str | Path], prog: ExplainProgram, *, time_limit: float,
                 confirm_limit: float, search_dates: bool | None, max_date_shift: int):
        self.problem, self.rules, self.prog = problem, tuple(Path(p) for p in rules), prog
        self.req = problem.request
        self.time_limit, self.confirm_limit = time_limit, confirm_limit
        self.search_dates, self.max_shift = search_dates, max_date_shift

    def collect(self, conflicts: list[list[clingo.Symbol]], frame: bool) -> list[Repair]:
        """Repairs, per member of each conflict (the members of other conflicts set aside
        while it is computed; with several conflicts a repair combines one fix per
        conflict), then the nearest dates and fewer cities where they may help; every
        one confirmed by re-planning."""
        fixes: list[list[Repair]] = []
        for i, mus in enumerate(conflicts):
            others = {c for j, m in enumerate(conflicts) if j != i for c in m}
            base = [c for c in self.prog.constraints if c not in others]
            fixes.append([f for c in mus for f in self.fix(c, [x for x in base if x != c])])
        out: list[Repair] = []
        if conflicts:
            combos: list[list[Repair]] = []
            for i, fs in enumerate(fixes):
                for f in fs:
                    combo = [f] + [g[0] for j, g in enumerate(fixes) if j != i and g]
                    if all(fixes[j] for j in range(len(fixes))):
                        combos.append(combo)
            seen: set[str] = set()
            for combo in combos:
                r = merge(combo)
                key = repr(sorted(r.changes.items(), key=str))
                if key in seen:
                    continue
                seen.add(key)
                if confirm(r, self.problem, self.rules, self.confirm_limit):
                    out.append(r)
        if frame or self._dates_relevant(conflicts):
            r = self.dates(frame)
            if r is not None:
                out.append(r)
        if frame and self.req.n_cities > 1:
            r = self.fewer_cities()
            if r is not None:
                out.append(r)
        return out

    def fix(self, c: clingo.Symbol, active: list[clingo.Symbol]) -> list[Repair]:
        req, P, name = self.req, self.prog, c.name
        arg = first_arg(c)
        term = term_text(c)
        if name == "budget":
            amount, proven = self.min_cost(active)
            if amount is None:
                return []
            return [Repair(kind="budget", constraints=[term], changes={"budget": amount}, proven=proven,
                           text=self._budget_text(amount, proven))]
        if name == "need":
            if arg == "children":
                return []
            changes: dict[str, Any] = {}
            if arg in req.house_rules:
                changes["house_rules"] = [x for x in req.house_rules if x != arg]
            if arg == "pets" and req.travelers.pets:
                changes["travelers"] = {"pets": 0}
            what = "travel without the pet" if arg == "pets" and req.travelers.pets else f"drop the need for {arg}"
            return [Repair(kind="drop", constraints=[term], changes=changes,
                           text=f"{what}: no stay on this trip allows {arg}")]
        if name == "room_type":
            r = P.run(active=active, mode="sat", limit=self.time_limit, plan=True)
            if not r.sat or r.plan is None:
                return []
            types = sorted({str(self.problem.index[h].room_type) for _, h in r.plan.stay}
                           - set(req.room_types or []))
            new = sorted(set(req.room_types or []) | set(types))
            return [Repair(kind="room_type", constraints=[term], changes={"room_types": new},
                           text=f"also accept {', '.join(t.replace('_', ' ') for t in types) or 'other room types'}")]
        if name == "cuisine":
            return [Repair(kind="drop", constraints=[term],
                           changes={"cuisines": [q for q in req.cuisines if q.strip().lower() != arg]},
                           text=f"drop the wish for a {arg} meal")]
        if name == "mode":
            r = P.run(active=active, mode="sat", limit=self.time_limit, plan=True)
            legs = [self.problem.legs[k] for k in sorted(r.plan.take)] if r.sat and r.plan is not None else []
            using = [o for o in legs if o.mode == arg]
            via = f" (e.g. {_leg(using[0])})" if using else ""
            return [Repair(kind="mode", constraints=[term],
                           changes={"exclude_modes": [m for m in req.exclude_modes if m != arg]},
                           text=f"allow {arg} travel{via}")]
        if name in ("earliest_departure", "latest_return"):
            return self._time_repair(name, term, active)
        if name == "fixed_order":
            return [Repair(kind="drop", constraints=[term], changes={"fixed_order": False},
                           text="let the planner choose the order of the cities")]
        if name == "keep":
            k = c.arguments[0].number
            return [Repair(kind="drop", constraints=[term],
                           changes={"keep": [x.model_dump(mode="json") for i, x in enumerate(req.keep, start=1)
                                             if i != k]},
                           text=f"give up {constraint_text(req, c)}")]
        return []

    def _time_repair(self, name: str, term: str, active: list[clingo.Symbol]) -> list[Repair]:
        """The latest first leg (earliest departure) or earliest way home (latest return) that works."""
        req, first = self.req, name == "earliest_departure"
        r, o = self._leg_of_day(active, "late_start" if first else "early_end", 1 if first else req.n_days)
        if o is None:
            return []
        at = o.departure if first else o.arrival
        was = getattr(req, name)
        was_text = was.strftime("%H:%M") if was else "?"
        if not first and at >= 24 * 60:
            return [Repair(kind="drop", constraints=[term], changes={name: None},
                           text=f"drop the latest return: the earliest way home, {_leg(o)}, arrives after midnight")]
        text = (f"leave no earlier than {clock(at)} instead of {was_text}: take {_leg(o)}, the latest first leg "
                "that works" if first else
                f"be back by {clock(at)} instead of {was_text}: take {_leg(o)}, the earliest way home that works")
        return [Repair(kind=name, constraints=[term], proven=r.proven, changes={name: clock(at)}, text=text)]

    def _leg_of_day(self, active: list[clingo.Symbol], aux: str, day: int) -> tuple[Any, LegOption | None]:
        """The leg of a day in the plan that optimises ``aux`` (``late_start``, ``early_end``)."""
        r = self.prog.run(active=active, aux=aux, mode="opt", limit=self.time_limit, plan=True)
        if not r.sat or r.plan is None:
            return r, None
        return r, next((self.problem.legs[k] for k in sorted(r.plan.take) if self.problem.legs[k].day == day), None)

    def _budget_text(self, amount: float, proven: bool) -> str:
        return (f"raise the budget from {self.req.budget:.2f} to {amount:.2f}, the smallest budget that works"
                + ("" if proven else " (the cheapest itinerary found within the time limit; a cheaper one may "
                                     "exist)"))

    def min_cost(self, active: list[clingo.Symbol]) -> tuple[float | None, bool]:
        """The cost of the cheapest itinerary with ``active`` kept (the budget set aside).

        Solved on a program of its own: every preference is zero, so the exact dominance
        pruning of :func:`~neurosym.problem.build_problem` keeps only what can be
        cheapest, and attractions (optional, never of negative cost) are left out; with
        user rule files nothing is pruned or left out (a rule may require a visit)."""
        if self.rules:
            facts = self.problem.facts
        else:
            prob = build_problem(self.req, self.problem.catalog, lambda items: np.zeros(len(items)))
            atts = {f.args[0] for f in prob.facts if f.pred is V.Attraction}
            facts = [f for f in prob.facts if not (f.args and isinstance(f.args[0], str) and f.args[0] in atts)]
        P = ExplainProgram(facts, self.rules, label="min_cost", search=MIN_COST_SEARCH)
        names = {term_text(c) for c in active}
        keep = [c for c in P.constraints if term_text(c) in names]
        r = P.run(active=keep, aux="min_cost", mode="opt", limit=self.time_limit)
        if not r.sat or r.aux is None:
            return None, False
        return round(r.aux * cost_unit_of(facts) / 100, 2), r.proven  # the objective counts cost units

    def _dates_relevant(self, conflicts: list[list[clingo.Symbol]]) -> bool:
        if self.search_dates is not None:
            return self.search_dates
        names = {c.name for m in conflicts for c in m}
        if names & {"earliest_departure", "latest_return", "mode", "fixed_order"}:
            return True
        if "budget" in names:
            return cents(self.req.budget) >= self._cost_lower_bound()
        return False

    def _cost_lower_bound(self) -> int:
        """A cost no trip of this length can undercut, whatever the dates (cents)."""
        req, cat, people = self.req, self.problem.catalog, self.req.travelers.people
        dests = set(req.destinations)
        nights = req.n_days - 1
        hotels = [night_cost(h, people) for h in cat.hotels if h.city in dests]
        out_legs = [leg_cost(x, people) for x in [*cat.flights, *cat.ground_legs]
                    if x.origin == req.origin and x.destination in dests]
        back_legs = [leg_cost(x, people) for x in [*cat.flights, *cat.ground_legs]
                     if x.destination == req.origin and x.origin in dests]
        return nights * min(hotels, default=0) + min(out_legs, default=0) + min(back_legs, default=0)

    def dates(self, frame: bool = False) -> Repair | None:
        """The nearest dates that work (same length): ±1, ±2, ... days, up to
        ``max_date_shift`` when the dates alone do not fit and 3 otherwise, within
        ``DATE_SEARCH_S`` seconds."""
        req = self.req
        t0 = _time.perf_counter()
        for k in range(1, (self.max_shift if frame else min(3, self.max_shift)) + 1):
            for sign in (1, -1):
                if _time.perf_counter() - t0 > DATE_SEARCH_S:
                    return None
                shift = timedelta(days=sign * k)
                changes = {"start": (req.start + shift).isoformat(), "end": (req.end + shift).isoformat()}
                try:
                    new = apply_changes(req, changes)
                except (ValidationError, ValueError):
                    continue
                if replan(self.problem, new, self.rules, self.time_limit, first_only=True) is None:
                    continue
                r = Repair(kind="dates", constraints=["dates"], changes=changes,
                           text=f"travel {k} day{'s' if k != 1 else ''} {'later' if sign > 0 else 'earlier'}: "
                                f"{new.start.isoformat()} to {new.end.isoformat()} (the nearest dates that work)")
                if confirm(r, self.problem, self.rules, self.confirm_limit):
                    return r
        return None

    def fewer_cities(self) -> Repair | None:
        req = self.req
        for n in range(req.n_cities - 1, 0, -1):
            r = Repair(kind="visit_count", constraints=["visit_count"], changes={"visit_count": n},
                       text=f"visit {n} of {', '.join(req.destinations)} instead of {req.n_cities}")
            if confirm(r, self.problem, self.rules, self.confirm_limit):
                return r
        return None


def merge(parts: list[Repair]) -> Repair:
    if len(parts) == 1:
        return parts[0].model_copy(deep=True)
    changes: dict[str, Any] = {}
    for p in parts:
        changes.update(p.changes)
    return Repair(kind="+".join(p.kind for p in parts), text="; and ".join(p.text for p in parts),
                  constraints=[c for p in parts for c in p.constraints], changes=changes,
                  proven=all(p.proven for p in parts))


