"""The justification trace: every candidate the planner had, with its reason.

1. Chosen items: the rules they were checked against, score, contributions, cost.
   Pruned candidates: dominated by their recorded dominator.
2. Swaps into the itinerary: for each role (a meal of a day, a visit slot, the stay in a
   city, the leg of a move), one enumeration with the rest of the itinerary fixed and the
   rules released, on a small program: every candidate that could take it, and the rules
   it would break there. A swap that breaks nothing gives an exact loss.
3. The rest: one covering search on the whole program, guided by the itinerary's own
   choices (``ExplainProgram.cover``): an itinerary for every candidate that any
   itinerary contains, as close to the chosen one as the search finds, and a proof that
   no itinerary contains the others (excluded; the rules they break come from step 2
   or from a covering search with the rules released).

The whole program grounds in the background while step 2 runs (``Programs.prepare``).
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Sequence

from ..answer import Plan
from ..asp import Value
from ..itinerary import PLACE_EVENTS
from ..problem import Key
from .context import Context
from .entries import (checked_rules, chosen_entry, excluded_entry, feasible_entry, pruned_entry, swap_entry,
                      witness_entry)
from .programs import Programs
from .roles import Role, Swap, enumerate_role, enumerate_swaps, pool, roles
from .types import Trace, TraceEntry
from .weather import annotate

log = logging.getLogger("neurosym.explain")
_CAT_ORDER = {"transport": 0, "hotel": 1, "attraction": 2, "restaurant": 3}
Broken = tuple[int, list[tuple[str, tuple[Value, ...]]], str, int | None]


def chosen_order(ctx: Context) -> list[Key]:
    """The chosen candidates in plan order: legs, stays, then meals and visits as they come."""
    out: list[Key] = []
    for leg in ctx.it.legs:
        out.append(next(k for k in ctx.plan0.take if ctx.problem.legs[k].day == leg.day))
    out += [s.hotel_id for s in ctx.it.stays]
    for d in ctx.it.days:
        for ev in d.events:
            if ev.kind in PLACE_EVENTS and ev.item_id and ev.item_id not in out:
                out.append(ev.item_id)
    return out


def _pools(ctx: Context, rs: list[Role]) -> set[Key]:
    out: set[Key] = set()
    for role in rs:
        out |= pool(ctx, role, ctx.plan0)
    return out


def route_program(ctx: Context, progs: Programs, rs: list[Role]):
    """The small program of the itinerary's items and the pools of its roles (every
    candidate its route can take): one program for every question about them."""
    return progs.small(ctx.chosen0 | _pools(ctx, rs))


def swap_options(ctx: Context, progs: Programs, rs: list[Role], wanted: set[Key], *, relax: bool = False
                 ) -> dict[Key, list[Swap]]:
    """For the wanted candidates, every role of the explained itinerary they could take as
    a plain swap (the rest of it unchanged): one enumeration with one change at a time,
    on a program of the itinerary's items and the roles' pools. With ``relax``, the swaps
    that break rules too, and what they break (only the wanted candidates are tried)."""
    everyone = _pools(ctx, rs)
    keys = everyone & wanted
    if not keys:
        return {}
    prog = route_program(ctx, progs, rs)
    ban = sorted(everyone - keys - ctx.chosen0, key=str) if relax else []
    found = enumerate_swaps(ctx, prog, rs, relax=relax, ban=ban)
    return {k: v for k, v in found.items() if k in wanted}


def closest_broken(ctx: Context, progs: Programs, key: Key | str, force: list[Key], force_item: list[str],
                   limit: float):
    """The rules a forced candidate breaks in the itinerary closest to the chosen one."""
    keep = set(ctx.chosen0) | ({key} if key in ctx.cands else set(ctx.options.get(str(key), [])))
    if not ctx.rules:
        rel = progs.small(keep).run(force=force, force_item=force_item, relax=True, aux="near", mode="opt",
                                    limit=limit)
        if rel.sat:
            return ctx.broken(rel.violations), rel, " next to the itinerary's other choices"
    rel = progs.whole().run(force=force, force_item=force_item, relax=True, aux="near", mode="opt", limit=limit)
    return (ctx.broken(rel.violations) if rel.sat else []), (rel if rel.sat else None), ""


def feasible_elsewhere(ctx: Context, progs: Programs, key: Key, limit: float) -> TraceEntry:
    """A candidate some itinerary may contain but that fits no role tried: a witness from
    the whole program, then the best itinerary from its items and the chosen ones."""
    w = progs.whole().run(force=[key], mode="sat", plan=True, limit=None, hint=True)
    if not w.sat or w.plan is None:
        return excluded_entry(ctx, key, closest_broken(ctx, progs, key, [key], [], limit)[0], "global")
    keep = ctx.chosen0 | w.plan.chosen() | {key}
    r = progs.small(keep).run(force=[key], objective=True, mode="opt", limit=limit, plan=True)
    return feasible_entry(ctx, key, r if r.sat else w, list(ctx.plan0.objective), "global")


def build_trace(ctx: Context, progs: Programs, baseline_limit: float = 0.3, item_limit: float = 0.3,
                cover_limit: float = 60.0) -> Trace:
    """Every candidate with its reason (see the module docs and docs/explanations.md).

    ``cover_limit`` bounds the covering search; should it run out, the candidates left
    are asked about one by one (a witness, improved for ``item_limit`` seconds, or the
    rules they break). ``baseline_limit`` is kept for compatibility (the covering search
    replaced the per-route baselines)."""
    t0 = _time.perf_counter()
    progs.prepare()   # the whole program grounds in the background meanwhile
    stats: dict[str, float] = {}
    entries: dict[Key, TraceEntry] = {}
    checked = checked_rules(ctx, progs.small(set(ctx.chosen0)))
    order = chosen_order(ctx)
    for key in order:
        entries[key] = chosen_entry(ctx, key, checked)
    for key, dom in ctx.problem.dominated.items():
        entries[key] = pruned_entry(ctx, key, dom)
    stats["chosen_s"] = _time.perf_counter() - t0
    todo = [k for k in ctx.cands if k not in entries]

    # 1. plain swaps into the itinerary: one enumeration with one change at a time
    t1 = _time.perf_counter()
    rs = roles(ctx, ctx.plan0)
    for key, olist in swap_options(ctx, progs, rs, set(todo)).items():
        best = min(olist, key=lambda o: (o.delta, o.role.day or 0))
        entries[key] = swap_entry(ctx, key, best, (0, 0), "itinerary", True)
    stats["swaps_s"] = _time.perf_counter() - t1
    # ... and those the itinerary's route can take that fit no plain swap: covered on the
    # same small program (its itineraries are itineraries of the whole one), while the
    # whole program grounds in the background
    found: dict[Key, Plan] = {}
    on_route = [k for k in todo if k not in entries and fits_route(ctx, [k])]
    if on_route and not ctx.rules:
        cov0 = route_program(ctx, progs, rs).cover(on_route, limit=cover_limit)
        found.update({k: p for k, (p, _) in cov0.found.items()})
        stats["route_cover_models"] = cov0.models

    # 2. the rest: one covering search on the whole program, guided by the itinerary
    t2 = _time.perf_counter()
    base_obj = list(ctx.plan0.objective)
    for key, plan in found.items():
        entries[key] = witness_entry(ctx, key, plan, base_obj)
    left = [k for k in todo if k not in entries]
    missing: list[Key] = []
    if left:
        G = progs.whole()
        stats["global_ground_s"] = G.ground_s
        stats["global_wait_s"] = _time.perf_counter() - t2
        cov = G.cover(left, limit=cover_limit)
        stats["cover_s"], stats["cover_models"] = cov.seconds, cov.models
        for key in left:
            if key in cov.found:
                entries[key] = witness_entry(ctx, key, cov.found[key][0], base_obj)
                found[key] = cov.found[key][0]
            else:
                missing.append(key)
        if cov.exhausted:
            witnesses = list({id(p): p for p in found.values()}.values())
            _excluded(ctx, progs, rs, missing, witnesses, entries, stats)
        else:   # the search ran out of time: the others one by one
            stats["cover_cut"] = 1
            for key in missing:
                entries[key] = feasible_elsewhere(ctx, progs, key, item_limit)
    stats["rest_s"] = _time.perf_counter() - t2
    annotate(ctx, progs, entries)   # the slots the forecast keeps outdoor candidates out of
    stats["total_s"] = _time.perf_counter() - t0
    stats.update({k: v for k, v in progs.stats.items() if k.startswith(("small", "solver"))})
    ordered = [entries[k] for k in order] + sorted(
        (e for k, e in entries.items() if k not in ctx.chosen0),
        key=lambda e: (_CAT_ORDER[e.category], e.days[:1] or [0], e.name))
    trace = Trace(entries=ordered, rules=[ctx.rule_ref(n) for n in ctx.info],
                  objective=list(ctx.plan0.objective), stats={k: round(v, 4) for k, v in stats.items()})
    if log.isEnabledFor(logging.DEBUG):
        for e in trace.entries:
            log.debug("trace %s [%s]: %s", e.item_id, e.status, e.text)
    log.debug("trace: %d entries in %.2f s (%s)", len(trace.entries), stats["total_s"], trace.counts())
    return trace


def need_of(ctx: Context, key: Key) -> tuple:
    """The part of an itinerary a candidate could fill: the move of a leg, the stay in a
    hotel's city, a meal or visit in a place's city."""
    c = ctx.cands[key]
    if c.category == "transport":
        return ("move", ctx.problem.legs[key].move)
    return (c.category, c.city)


def _roles_for(ctx: Context, plan: Plan, need: tuple) -> list[Role]:
    if need[0] == "move":
        return roles(ctx, plan, days=[], cities=[], moves=[need[1]])
    if need[0] == "hotel":
        return roles(ctx, plan, days=[], cities=[need[1]], moves=[])
    days = [d for d in range(1, ctx.problem.request.n_days + 1) if need[1] in plan.present(d)]
    kind = "meal" if need[0] == "restaurant" else "visit"
    return [r for r in roles(ctx, plan, days=days, cities=[], moves=[]) if r.kind == kind]


def broken_in_witnesses(ctx: Context, progs: Programs, keys: Sequence[Key], witnesses: Sequence[Plan]
                        ) -> dict[Key, Broken]:
    """For candidates no itinerary contains: the rules they break as a plain swap into an
    itinerary found for a sibling (another leg of the same move, another place of the
    same city), chosen so that few itineraries serve them all; one relaxed enumeration
    per role, on a small program of that itinerary's items and the candidates."""
    needs = {k: need_of(ctx, k) for k in keys}
    offers: list[tuple[Plan, set[tuple]]] = []
    for w in witnesses:
        moves = {ctx.problem.legs[k].move for k in w.take}
        offers.append((w, {("move", m) for m in moves} | {(cat, c) for c in w.cities
                                                          for cat in ("hotel", "attraction", "restaurant")}))
    todo = set(needs.values())
    tasks: list[tuple[Plan, list[tuple]]] = []
    while todo:
        w, served = max(offers, key=lambda o: len(o[1] & todo), default=(None, set()))
        got = served & todo
        if w is None or not got:
            break
        tasks.append((w, sorted(got, key=str)))
        todo -= got

    if not tasks:
        return {}
    # one small program for them all: the itineraries' items and the candidates
    prog = progs.small(set(needs).union(*(w.chosen() for w, _ in tasks)))

    def work(task: tuple[Plan, list[tuple]]) -> list[tuple[Role, Plan, dict[Key, Swap]]]:
        w, served = task
        return [(role, w, enumerate_role(ctx, prog, w, role)) for need in served for role in _roles_for(ctx, w, need)]

    found: dict[Key, Broken] = {}
    for results in map(work, tasks):   # one program: its solves take turns
        for role, w, swaps in results:
            route = ctx.route_text(w)
            for key, s in swaps.items():
                if key in needs and (key not in found or len(s.broken) < found[key][0]):
                    found[key] = (len(s.broken), s.broken,
                                  f" as {role.describe(ctx)} of an itinerary found on the route {route}", role.day)
    return found


def fits_route(ctx: Context, options: Sequence[Key]) -> bool:
    """Whether the itinerary's route can take a candidate: a leg of one of its moves, a
    place or hotel of one of its cities."""
    moves = {ctx.problem.legs[k].move for k in ctx.plan0.take}
    for k in options:
        c = ctx.cands[k]
        if (ctx.problem.legs[k].move in moves) if c.category == "transport" else (c.city in ctx.plan0.cities):
            return True
    return False


def _excluded(ctx: Context, progs: Programs, rs: list[Role], keys: Sequence[Key], witnesses: Sequence[Plan],
              entries: dict[Key, TraceEntry], stats: dict[str, float]) -> None:
    """Entries for candidates no itinerary contains: the rules they break where tried (a
    plain swap into the itinerary, for those its route can take; into an itinerary found
    for a sibling, for the others; else in the itinerary that breaks the fewest rules,
    closest to the chosen one). The first two run side by side."""
    t = _time.perf_counter()
    on = [k for k in keys if fits_route(ctx, [k])]
    off = [k for k in keys if k not in set(on)]

    def in_itinerary() -> dict[Key, Broken]:
        out: dict[Key, Broken] = {}
        for key, olist in swap_options(ctx, progs, rs, set(on), relax=True).items():
            o = min(olist, key=lambda o: o.rank())
            out[key] = (len(o.broken), o.broken, f" as {o.role.describe(ctx)} of this itinerary", o.role.day)
        return out

    found = progs.map(lambda f: f(), [in_itinerary, lambda: broken_in_witnesses(ctx, progs, off, witnesses)])
    best_broken = {**found[0], **found[1]}
    stats["excluded_s"] = _time.perf_counter() - t
    for key in keys:
        if key in best_broken:
            _, viol, where, day = best_broken[key]
            e = excluded_entry(ctx, key, ctx.broken(viol), "global", where)
            if not e.days and day:
                e.days = [day]
        else:
            broken, rel, where = closest_broken(ctx, progs, key, [key], [], 2.0)
            e = excluded_entry(ctx, key, broken, "global", where)
            if rel is not None:
                e.replaces = sorted(ctx.key_text(k) for k in ctx.chosen0 - rel.chosen)
        entries[key] = e
