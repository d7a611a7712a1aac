"""What the explanation engine knows about one planned itinerary and its problem.

:class:`Context` answers the small questions every explanation asks: what a candidate
is (its catalog item, category, city, name, the key users write for it), what it
costs and weighs in the objective, how an itinerary reads as a :class:`Plan`, and how
broken rules read with names instead of ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..answer import Plan
from ..asp import Option, Value
from ..catalog import Category, Flight, GroundLeg, Hotel, category, clock, leg_name
from ..costs import leg_cost, night_cost, place_cost
from ..itinerary import PLACE_EVENTS, ExplainError, Itinerary
from ..prior import prior_terms
from ..problem import Key, Problem
from ..rules import RuleInfo, rule_catalog, shown_path
from .. import vocab as V
from .texts import render_broken
from .types import Broken, Contribution, RuleRef


@dataclass(frozen=True)
class Cand:
    """A candidate of the problem: a way to make a move, or a place."""

    key: Key
    catalog_id: str
    item: Any
    category: Category
    city: str | None
    day: int | None = None


class Context:
    """One itinerary, its planning problem, the rule files and the preference model."""

    def __init__(self, problem: Problem, itinerary: Itinerary, rules: Sequence[str | Path] = (), model: Any = None):
        self.problem, self.it, self.model = problem, itinerary, model
        self.rules = tuple(Path(p) for p in rules)
        self.info: dict[str, RuleInfo] = rule_catalog(self.rules)
        self.people = problem.request.travelers.people
        self.cands: dict[Key, Cand] = {}
        for key, o in problem.legs.items():
            self.cands[key] = Cand(key, o.item.id, o.item, "transport", None, o.day)
        for pid in problem.places:
            item = problem.index[pid]
            self.cands[pid] = Cand(pid, pid, item, category(item), item.city)
        names: dict[str, int] = {}
        for c in self.cands.values():
            if c.category != "transport":
                names[c.item.name] = names.get(c.item.name, 0) + 1
        self._dup_names = {n for n, k in names.items() if k > 1}
        self.options: dict[str, list[Option]] = {}
        for k, o in problem.legs.items():
            self.options.setdefault(o.item.id, []).append(k)
        self._fact_keys = [(f, f.args[0] if f.args and f.args[0] in self.cands else None) for f in problem.facts]
        self.plan0 = self.plan_of(itinerary)
        self.chosen0: set[Key] = self.plan0.chosen()

    # -- candidates ------------------------------------------------------------------
    def key_text(self, key: Key) -> str:
        """A candidate as users write it: a catalog id, or ``ground-leg-id@day@minute``."""
        o = self.problem.legs.get(key) if isinstance(key, Option) else None
        return o.key if o is not None else str(key)

    def name(self, key: Key | str) -> str:
        """A readable name for a candidate, a catalog id or a city."""
        o = self.problem.legs.get(key) if isinstance(key, Option) else None
        if o is not None:
            return leg_name(o.item, o.departure, o.day)
        item = self.problem.index.get(key) if isinstance(key, str) else None
        if item is None:
            return str(key)
        if isinstance(item, (Flight, GroundLeg)):
            return leg_name(item)
        if item.name in self._dup_names or item.city not in self.problem.request.destinations:
            return f"{item.name} ({item.city})"
        return item.name

    def names(self, keys: Sequence[Key], k: int = 3) -> str:
        names = [self.name(x) for x in keys]
        return ", ".join(names[:k]) + (f" and {len(names) - k} more" if len(names) > k else "")

    def describe(self, v: Value) -> tuple[str, str] | None:
        """The name and key of a value that is a candidate or catalog item (None otherwise)."""
        if isinstance(v, Option) and v in self.cands:
            return self.name(v), self.key_text(v)
        if isinstance(v, str) and (v in self.cands or v in self.problem.index):
            return self.name(v), v
        return None

    def item_of(self, key: Key | str) -> Any:
        c = self.cands.get(key)
        return c.item if c is not None else self.problem.index[key]

    def points(self, key: Key) -> int:
        return self.problem.points.get(key, 0)

    def unit_cost_item(self, item: Any) -> int:
        """Cents for the party: a leg, a night of a hotel, a meal or visit."""
        if isinstance(item, (Flight, GroundLeg)):
            return leg_cost(item, self.people)
        if isinstance(item, Hotel):
            return night_cost(item, self.people)
        return place_cost(item, self.people)

    def unit_cost(self, key: Key | str) -> int:
        return self.unit_cost_item(self.item_of(key))

    def cost_in(self, key: Key, plan: Plan) -> float:
        """What a candidate costs the party in ``plan``: a hotel for its nights there."""
        c = self.cands[key]
        nights = plan.nights_in(c.city) if c.category == "hotel" and c.city else 1
        return self.unit_cost(key) * nights / 100

    def score(self, key: Key | str) -> float | None:
        s = self.problem.score(key)
        return None if s is None else round(float(s), 4)

    def contributions(self, key: Key | str) -> list[Contribution]:
        """What made a candidate's score: the preference model's top contributions, or the prior's terms."""
        item = self.item_of(key)
        w = self.problem.request.weights
        weight = {"transport": w.transport, "hotel": w.hotel, "attraction": w.attraction,
                  "restaurant": w.restaurant}[category(item)]
        if self.model is not None:
            try:
                return [Contribution(source=x.source, weight=round(float(x.weight), 4))
                        for x in self.model.explain(item)[:3]]
            except Exception:  # noqa: BLE001 - a model that cannot explain must not break the trace
                pass
        o = self.problem.legs.get(key) if isinstance(key, Option) else None
        terms = prior_terms(item, o.departure if o is not None else None)
        return [*(Contribution(source=s, weight=round(x, 4)) for s, x in terms),
                *([Contribution(source=f"category weight {weight:g}", weight=weight)] if weight != 1 else [])]

    # -- keys users give ----------------------------------------------------------------
    def resolve(self, item: Any) -> Key | str:
        """A candidate key (or catalog id) for an id, an option key, a catalog item or a name."""
        if isinstance(item, Option):
            if item in self.cands:
                return item
            raise KeyError(f"not a candidate: {item!r}")
        if not isinstance(item, str):
            item = getattr(item, "id", item)
        if not isinstance(item, str):
            raise KeyError(f"not an item: {item!r}")
        if item in self.cands or item in self.problem.index:
            return item
        by_text = [k for k in self.cands if isinstance(k, Option) and self.key_text(k) == item]
        if by_text:
            return by_text[0]
        low = item.strip().lower()
        hits: list[Key | str] = [k for k in self.cands if self.name(k).lower() == low]
        hits = hits or [k for k, c in self.cands.items() if c.category != "transport" and c.item.name.lower() == low]
        hits = hits or [i.id for i in self.problem.catalog.items() if getattr(i, "name", "").lower() == low]
        if not hits:
            raise KeyError(f"no item named {item!r}")
        chosen = [h for h in hits if h in self.chosen0]
        if chosen:
            return chosen[0]
        if len(set(hits)) > 1:
            raise KeyError(f"{item!r} names {len(hits)} items: "
                           + ", ".join(f"{self.name(h)} [{self.key_text(h)}]" for h in hits))
        return hits[0]

    def chosen_key(self, key: Key | str) -> Key | None:
        """The chosen candidate a key stands for (a ground leg's id stands for its chosen departure)."""
        if key in self.chosen0:
            return key
        if isinstance(key, str) and isinstance(self.problem.index.get(key), (Flight, GroundLeg)):
            return next((k for k in self.plan0.take if k.item == key), None)
        return None

    # -- plans -----------------------------------------------------------------------
    def plan_of(self, it: Itinerary) -> Plan:
        """The itinerary as the rules' output atoms, with its objective."""
        p = self.problem
        take: set[Option] = set()
        for leg in it.legs:
            key = next((k for k, o in p.legs.items() if o.item.id == leg.item_id and o.day == leg.day
                        and o.departure == leg.departure), None)
            if key is None:
                raise ExplainError(f"leg {leg.item_id} on day {leg.day} is not a candidate of this problem")
            take.add(key)
        nights = {(d.day, d.end_city) for d in it.days if d.day < len(it.days)}
        stay = {(s.city, s.hotel_id) for s in it.stays}
        slot_of = {(kind, t): s for s, (kind, t) in p.slots.items()}
        at: set[tuple[int, int, str]] = set()
        for d in it.days:
            for ev in d.events:
                if ev.kind in PLACE_EVENTS and ev.item_id:
                    s = slot_of.get((ev.kind, ev.start))
                    if s is None:
                        raise ExplainError(f"{ev.name} on day {d.day} at {clock(ev.start)} is not at a slot")
                    at.add((d.day, s, ev.item_id))
        plan = Plan(frozenset(take), frozenset(stay), frozenset(nights), frozenset(at))
        return plan.with_objective(self.objective(plan))

    def objective(self, plan: Plan) -> list[int]:
        """[-value, cost] of a plan, as ``objective.lp`` and ``budget.lp`` count them (value:
        preference net of money and night-time legs, :attr:`Problem.points`)."""
        pref = sum(self.points(k) for k in plan.take)
        pref += sum(self.points(h) * plan.nights_in(c) for c, h in plan.stay)
        pref += sum(self.points(i) for i in plan.places())
        cost = sum(self.unit_cost(k) for k in plan.take)
        cost += sum(self.unit_cost(h) * plan.nights_in(c) for c, h in plan.stay)
        cost += sum(self.unit_cost(i) for i in plan.places())
        return [-pref, cost]

    def restricted_facts(self, keep: set[Key]) -> list[V.Fact]:
        """The problem's facts, without those of the candidates not in ``keep``."""
        return [f for f, k in self._fact_keys if k is None or k in keep]

    def route_text(self, plan: Plan) -> str:
        return " -> ".join(plan.route())

    def changes_text(self, plan: Plan, skip: Key | None = None) -> str:
        """What a plan changes against the itinerary: the route, legs, hotels, dropped places."""
        route0, route = self.route_text(self.plan0), self.route_text(plan)
        if route != route0:
            return f"the route {route}"
        legs = self.problem.legs
        moves = {legs[k].move: k for k in self.plan0.take}
        parts = [f"{self.name(k)} instead of {self.name(moves[legs[k].move])}" for k in sorted(plan.take)
                 if k not in self.plan0.take and k != skip and legs[k].move in moves]
        hotels0 = dict(self.plan0.stay)
        parts += [f"{self.name(h)} instead of {self.name(hotels0[c])}" for c, h in sorted(plan.stay)
                  if c in hotels0 and hotels0[c] != h and h != skip]
        dropped = [k for k in self.chosen0 - plan.chosen() if self.cands[k].category in ("attraction", "restaurant")]
        if dropped:
            parts.append(f"without {self.names(sorted(dropped, key=str))}")
        return "; ".join(parts) or "other places and times"

    # -- rules -----------------------------------------------------------------------
    def broken(self, violations: Sequence[tuple[str, tuple[Value, ...]]]) -> list[Broken]:
        return render_broken(violations, self.info, self.describe)

    def named_keys(self, violations: Sequence[tuple[str, tuple[Value, ...]]]) -> set[Key]:
        """The candidates the values of some broken rules name."""
        out: set[Key] = set()
        for _, values in violations:
            out |= {v for v in values if isinstance(v, (str, Option)) and v in self.cands}
        return out

    def rule_ref(self, name: str) -> RuleRef:
        info = self.info[name]
        return RuleRef(name=name, file=shown_path(info.path), line=info.line, message=info.message)
