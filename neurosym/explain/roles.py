"""Roles: the parts of an itinerary one candidate can fill, and what filling them costs.

A *role* is a meal of a day, a visit slot, the stay in a city or the leg of a move.
Fixing the choice atoms of a plan except those of one role, and enumerating the
answers with the rules released, gives in one call what every candidate for that
role would break if it replaced the chosen one (:func:`enumerate_role`); legs and
hotels, which pull their neighbours along, get one optimisation each in a flexible
neighbourhood (:func:`optimize_role`). The effect of a swap on the objective is
computed exactly from the ``pref/2`` facts and the costs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import clingo

from .. import vocab as V
from ..answer import Plan
from ..asp import Option, Value, value
from ..catalog import clock
from ..problem import Key
from .context import Context
from .program import ExplainProgram, choice_args

MEALS = ("breakfast", "lunch", "dinner")
Fix = list[tuple[clingo.Symbol, bool]]


@lru_cache(maxsize=1 << 16)
def taken(sym: clingo.Symbol) -> Option | None:
    """The way to make a move of a ``take/1`` atom."""
    v = value(sym.arguments[0])
    return v if isinstance(v, Option) else None


@dataclass(frozen=True)
class Role:
    """A part of an itinerary one candidate can fill: a meal, a visit slot, a stay or a move."""

    kind: str                      # "meal", "visit", "stay", "move"
    day: int | None
    slots: tuple[int, ...] = ()    # meal and visit roles
    city: str | None = None        # stay roles
    move: tuple[str, str] | None = None
    holder: Key | None = None

    def frees(self, sym: clingo.Symbol, ctx: Context, name: str | None = None, args: tuple | None = None) -> bool:
        """Whether the atom is one this role may change (``name`` and ``args``: its name and
        the arguments that tell, as :meth:`ExplainProgram.choice_atoms` reads them, if known)."""
        if name is None:
            name, args = sym.name, choice_args(sym)
        if self.kind in ("meal", "visit"):
            return name == "at" and args[0] == self.day and args[1] in self.slots
        if self.kind == "stay":
            return name == "stay" and args[0] == self.city
        if self.kind == "move" and name == "take":
            o = ctx.problem.legs.get(taken(sym))
            return o is not None and o.day == self.day and (o.origin, o.destination) == self.move
        return False

    def describe(self, ctx: Context) -> str:
        slots = ctx.problem.slots
        if self.kind in ("meal", "visit"):
            kind, t = slots[self.slots[0]]
            return f"{f'the {kind}' if self.kind == 'meal' else f'the {clock(t)} visit'} of day {self.day}"
        if self.kind == "stay":
            return f"the stay in {self.city}"
        assert self.move is not None
        return f"the move {self.move[0]} -> {self.move[1]} on day {self.day}"


@dataclass
class Swap:
    """A candidate placed in a role of a plan: what it would break, and the objective change."""

    role: Role
    base: Plan
    broken: list[tuple[str, tuple[Value, ...]]]
    delta: tuple[int, int] = (0, 0)   # (value points lost, cents added) against the base plan
    dropped: tuple[Key, ...] = ()     # the base plan's meals and visits it displaces
    changed: tuple[Key, ...] = ()     # other legs and hotels it brings in
    wide: bool = False                # the rest of the plan was re-arranged (the route kept)
    feasible: bool | None = None      # None: feasible when nothing is broken

    @property
    def ok(self) -> bool:
        return (not self.broken) if self.feasible is None else self.feasible

    def rank(self) -> tuple:
        return (not self.ok, len(self.broken), self.delta)


def roles(ctx: Context, plan: Plan, days: Iterable[int] | None = None, cities: Iterable[str] | None = None,
          moves: Iterable[tuple[int, str, str]] | None = None) -> list[Role]:
    """The roles of a plan (optionally only on some days, in some cities, for some moves)."""
    p, n = ctx.problem, ctx.problem.request.n_days
    at = {(d, s): i for d, s, i in plan.at}
    out: list[Role] = []
    for d in (range(1, n + 1) if days is None else days):
        if not plan.present(d):
            continue
        for kind in MEALS:
            slots = tuple(s for s, (k, _) in p.slots.items() if k == kind)
            if slots:
                holder = next((at[(d, s)] for s in slots if (d, s) in at), None)
                out.append(Role("meal", d, slots, holder=holder))
        for s, (k, _) in p.slots.items():
            if k == "visit":
                out.append(Role("visit", d, (s,), holder=at.get((d, s))))
    for c, h in sorted(plan.stay):
        if cities is None or c in cities:
            out.append(Role("stay", None, city=c, holder=h))
    for key in sorted(plan.take):
        o = p.legs[key]
        if moves is None or o.move in moves:
            out.append(Role("move", o.day, move=(o.origin, o.destination), holder=key))
    return out


def pool(ctx: Context, role: Role, plan: Plan) -> set[Key]:
    """The candidates that could fill a role."""
    if role.kind == "move":
        return {k for k, o in ctx.problem.legs.items() if o.day == role.day and (o.origin, o.destination) == role.move}
    if role.kind == "stay":
        return {k for k, c in ctx.cands.items() if c.category == "hotel" and c.city == role.city}
    cities = plan.present(role.day or 0)
    cat = "restaurant" if role.kind == "meal" else "attraction"
    return {k for k, c in ctx.cands.items() if c.category == cat and c.city in cities}


def delta(ctx: Context, role: Role, base: Plan, key: Key) -> tuple[int, int]:
    """(value points lost, cents added) when ``key`` takes the role from its holder."""
    k = base.nights_in(role.city) if role.kind == "stay" and role.city else 1
    held = role.holder
    pref = (ctx.points(held) if held else 0) - ctx.points(key)
    cost = ctx.unit_cost(key) - (ctx.unit_cost(held) if held else 0)
    return pref * k, cost * k


def fix_except(ctx: Context, prog: ExplainProgram, base: Plan, role: Role | None) -> list[int]:
    """Assumptions fixing every choice atom to its value in ``base``, except the role's
    (program literals, for :meth:`ExplainProgram.run`'s ``assume``)."""
    texts = {str(s) for s in base.symbols()}
    return [lit if text in texts else -lit for sym, lit, name, args, text in prog.choice_atoms()
            if role is None or not role.frees(sym, ctx, name, args)]


def enumerate_role(ctx: Context, prog: ExplainProgram, base: Plan, role: Role) -> dict[Key, Swap]:
    """Every candidate that can take the role with the rest of ``base`` fixed, with the
    rules it would break (one enumeration with the rules released)."""
    res = prog.run(assume=fix_except(ctx, prog, base, role), relax=True, mode="enum", limit=30.0)
    rest = base.chosen() - ({role.holder} if role.holder else set())
    out: dict[Key, Swap] = {}
    for chosen, viol, _placed in res.models:
        new = chosen - rest
        if len(new) != 1:
            continue
        key = next(iter(new))
        opt = Swap(role, base, viol, delta(ctx, role, base, key) if key != role.holder else (0, 0))
        old = out.get(key)
        if old is None or opt.rank() < old.rank():
            out[key] = opt
    return out


def enumerate_swaps(ctx: Context, prog: ExplainProgram, rs: list[Role], *, relax: bool = False,
                    ban: Iterable[Key] = ()) -> dict[Key, list[Swap]]:
    """Every candidate of ``prog`` that can take one of the roles ``rs`` of the explained
    itinerary with the rest of it unchanged: one enumeration with one change at a time
    (``explain.lp``'s ``ns_one``), instead of one per role as :func:`enumerate_role`.
    With ``relax`` the rules are released and each swap says what it breaks (``ban``
    keeps candidates out, so that only the others are enumerated)."""
    base = ctx.plan0
    res = prog.run(relax=relax, one=True, plan=True, ban=ban, mode="enum", limit=60.0)
    by_slot: dict[tuple[int, int], Role] = {}
    by_move: dict[tuple[int, str, str], Role] = {}
    by_city: dict[str, Role] = {}
    for role in rs:
        if role.kind in ("meal", "visit"):
            by_slot.update({(role.day or 0, s): role for s in role.slots})
        elif role.kind == "move" and role.move:
            by_move[(role.day or 0, *role.move)] = role
        elif role.city:
            by_city[role.city] = role
    out: dict[Key, dict[Role, Swap]] = {}
    for new, viol, at in res.models:   # with one change at a time an answer shows only the new candidate
        if len(new) != 1:
            continue   # the itinerary itself, re-timed, or a role left empty
        key = next(iter(new))
        c = ctx.cands[key]
        if c.category == "transport":
            role = by_move.get(ctx.problem.legs[key].move)
        elif c.category == "hotel":
            role = by_city.get(c.city or "")
        else:
            role = next((by_slot.get((d, s)) for d, s, i in at if i == key), None)
        if role is None:
            continue
        opt = Swap(role, base, viol, delta(ctx, role, base, key))
        old = out.setdefault(key, {}).get(role)
        if old is None or opt.rank() < old.rank():
            out[key][role] = opt
    return {k: list(v.values()) for k, v in out.items()}


def flex(ctx: Context, base: Plan, role: Role) -> tuple[set[int], set[str], set[tuple[int, str, str]]]:
    """What a move or stay candidate may change besides its own role: the days whose
    meals and visits it may drop, the cities whose hotel it may change, the moves
    whose leg it may change. A move: its day, and the hotels at both ends. A stay:
    the days it begins and ends, and the legs into and out of its city."""
    legs = ctx.problem.legs
    if role.kind == "move" and role.move and role.day:
        return {role.day}, set(role.move) & base.cities, {(role.day, *role.move)}
    if role.kind == "stay" and role.city:
        nights = sorted(d for d, c in base.night if c == role.city)
        days = {nights[0], nights[-1] + 1} if nights else set()
        return days, {role.city}, {legs[k].move for k in base.take if legs[k].day in days}
    return set(), set(), set()


def support(ctx: Context, base: Plan, role: Role) -> set[Key]:
    """The candidates a role's program needs besides its pool: the hotels and legs
    the candidate may change (see :func:`flex`)."""
    _, cities, moves = flex(ctx, base, role)
    out: set[Key] = {k for k, c in ctx.cands.items() if c.category == "hotel" and c.city in cities}
    out |= {k for k, o in ctx.problem.legs.items() if o.move in moves}
    return out


def _swap_of(ctx: Context, role: Role, base: Plan, key: Key, plan: Plan, wide: bool = False) -> Swap:
    obj = ctx.objective(plan)
    d = (obj[0] - base.objective[0], obj[1] - base.objective[1])
    dropped = tuple(sorted(base.places() - plan.places()))
    changed = tuple(sorted((set(plan.take) | {h for _, h in plan.stay}) - (set(base.take) | {h for _, h in base.stay})
                           - {key}, key=str))
    return Swap(role, base, [], d, dropped, changed=changed, wide=wide)


def optimize_role(ctx: Context, prog: ExplainProgram, base: Plan, role: Role, keys: Iterable[Key],
                  wide_limit: float = 0.5) -> dict[Key, Swap]:
    """For each key: the best plan with it in the role, where the rest of ``base`` is
    kept except what :func:`flex` lets change (meals and visits only dropped, never
    added); a key that cannot fit gets the rules a plain swap would break."""
    legs = ctx.problem.legs
    syms = base.symbols()
    days, cities, moves = flex(ctx, base, role)
    fix: Fix = []
    for pred in V.CHOICES:
        for sym in prog.atoms(pred):
            if role.frees(sym, ctx):
                continue
            a = sym.arguments
            if pred is V.At and a[0].number in days and sym in syms:
                continue  # may be dropped
            if pred is V.Stay and a[0].string in cities:
                continue
            if pred is V.Take:
                o = legs.get(taken(sym))
                if o is not None and o.move in moves:
                    continue
            fix.append((sym, sym in syms))
    out: dict[Key, Swap] = {}
    swap_fix: list[int] | None = None
    route_fix: Fix | None = None
    for key in keys:
        if key == role.holder:
            continue
        r = prog.run(fix=fix, force=[key], objective=True, mode="opt", limit=2.0, plan=True)
        if r.sat and r.plan is not None:
            out[key] = _swap_of(ctx, role, base, key, r.plan)
            continue
        if route_fix is None:
            route_fix = [(sym, sym in syms) for pred in (V.VisitCity, V.Night) for sym in prog.atoms(pred)]
        w = prog.run(fix=route_fix, force=[key], objective=True, mode="opt", limit=wide_limit, plan=True)
        if w.sat and w.plan is not None:  # the route kept, the rest of the plan re-arranged from its own items
            out[key] = _swap_of(ctx, role, base, key, w.plan, wide=True)
            continue
        if swap_fix is None:
            swap_fix = fix_except(ctx, prog, base, role)
        rel = prog.run(assume=swap_fix, force=[key], relax=True, mode="opt", limit=2.0)
        out[key] = Swap(role, base, rel.violations if rel.sat else [], feasible=False)
    return out

