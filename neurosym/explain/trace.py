"""The justification trace: every candidate the planner had, with its reason.

1. Chosen items: the rules they were checked against, score, contributions, cost.
   Pruned candidates: dominated by their recorded dominator.
2. Swaps into the itinerary: for each role, one enumeration (meals, visits) or one
   optimisation per candidate (legs, hotels), on small programs.
3. Other routes: candidates in a city the itinerary does not visit, or legs of a move
   it does not make, are grouped by that requirement; each group gets a baseline (the
   best itinerary found on a route that meets it) and step 2 runs against it.
4. The rest: re-planned with the itinerary's items, then one brave enumeration on the
   whole program asking which of them any itinerary contains; the others are excluded,
   with the rules broken where they were tried.
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Sequence

import clingo

from .. import vocab as V
from ..answer import Plan
from ..asp import Value, symbol
from ..itinerary import PLACE_EVENTS
from ..problem import Key
from .context import Context
from .entries import cap, checked_rules, chosen_entry, excluded_entry, feasible_entry, pruned_entry, swap_entry
from .programs import Programs
from .roles import Role, Swap, enumerate_role, optimize_role, pool, roles, support
from .types import Scope, Trace, TraceEntry

log = logging.getLogger("neurosym.explain")
_CAT_ORDER = {"transport": 0, "hotel": 1, "attraction": 2, "restaurant": 3}
Requirement = tuple   # ("city", name) or ("move", (day, origin, destination))


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


def swap_options(ctx: Context, progs: Programs, base: Plan, rs: list[Role], wanted: set[Key],
                 wide_limit: float = 0.5) -> dict[Key, list[Swap]]:
    """For the wanted candidates, every role of ``base`` they could take and what that breaks.

    Roles sharing a pool of candidates share one small program (the plan's items and that pool)."""
    by_pool: dict[tuple[frozenset[Key], frozenset[Key]], list[Role]] = {}
    for role in rs:
        p = frozenset(pool(ctx, role, base) & wanted)
        if p:
            extra = frozenset(support(ctx, base, role)) if role.kind in ("move", "stay") else frozenset()
            by_pool.setdefault((p, extra), []).append(role)
    chosen = base.chosen()

    def work(task: tuple[tuple[frozenset[Key], frozenset[Key]], list[Role]]) -> list[dict[Key, Swap]]:
        (p, extra), group = task
        prog = progs.small(chosen | p | extra)
        keys = sorted(p, key=str)
        return [optimize_role(ctx, prog, base, role, keys, wide_limit) if role.kind in ("move", "stay")
                else enumerate_role(ctx, prog, base, role) for role in group]

    out: dict[Key, list[Swap]] = {}
    for found_list in progs.map(work, list(by_pool.items())):
        for found in found_list:
            for key, opt in found.items():
                if key in wanted:
                    out.setdefault(key, []).append(opt)
    return out


def groups(ctx: Context, pending: list[Key]) -> list[tuple[Requirement, list[Key]]]:
    """Group candidates by what the itinerary would need to change to take them."""
    legs = ctx.problem.legs
    moves0 = {legs[k].move for k in ctx.plan0.take}
    out: dict[Requirement, list[Key]] = {}
    for key in pending:
        c = ctx.cands[key]
        if c.category == "transport":
            m = legs[key].move
            if m in moves0:
                continue
            req: Requirement = ("move", m)
        elif c.city not in ctx.plan0.cities:
            req = ("city", c.city)
        else:
            continue
        out.setdefault(req, []).append(key)
    return sorted(out.items(), key=lambda x: (-len(x[1]), str(x[0])))


def satisfies(ctx: Context, base: Plan, req: Requirement) -> bool:
    if req[0] == "city":
        return req[1] in base.cities
    return any(ctx.problem.legs[k].move == req[1] for k in base.take)


def _requirement(prog, req: Requirement) -> list[tuple[clingo.Symbol, bool]] | None:
    if req[0] == "city":
        sym = clingo.Function("visit_city", [symbol(req[1])])
    else:
        sym = clingo.Function("move", [symbol(x) for x in req[1]])
    return [(sym, True)] if prog.has(sym) else None


def baseline(ctx: Context, progs: Programs, req: Requirement, limit: float) -> Plan | None:
    """The best itinerary found that meets ``req`` (visit a city, make a move).

    A witness from the whole program, then the best itinerary from the chosen
    itinerary's items, the witness's and (for a city) all of that city's, within
    ``limit`` seconds."""
    G = progs.whole()
    fix = _requirement(G, req)
    if fix is None:
        return None
    w = G.run(fix=fix, mode="sat", plan=True, limit=None)
    if not w.sat or w.plan is None:
        return None
    witness = w.plan
    keep = ctx.chosen0 | witness.chosen()
    if req[0] == "city":
        keep |= {k for k, c in ctx.cands.items() if c.city == req[1]}
    else:
        keep |= {k for k, x in ctx.problem.legs.items() if x.move == req[1]}
    P = progs.small(keep)
    wsyms = witness.symbols()   # the witness's route is kept: the rest is optimised
    fixP = [(sym, sym in wsyms) for pred in (V.VisitCity, V.Night) for sym in P.atoms(pred)]
    r = P.run(fix=fixP, objective=True, mode="opt", limit=limit, plan=True)
    plan = r.plan if r.sat and r.plan is not None else witness
    return plan.with_objective(ctx.objective(plan))


def roles_for(ctx: Context, base: Plan, req: Requirement) -> list[Role]:
    if req[0] == "city":
        n = ctx.problem.request.n_days
        days = [d for d in range(1, n + 1) if req[1] in base.present(d)]
        return roles(ctx, base, days=days, cities=[req[1]], moves=[])
    return roles(ctx, base, days=[], cities=[], moves=[req[1]])


def closest_broken(ctx: Context, progs: Programs, key: Key | str, force: list[Key], force_item: list[str],
                   limit: float):
    """The rules a forced candidate breaks in the itinerary closest to the chosen one."""
    keep = set(ctx.chosen0) | ({key} if key in ctx.cands else set(ctx.options.get(str(key), [])))
    rel = progs.small(keep).run(force=force, force_item=force_item, relax=True, aux="near", mode="opt", limit=limit)
    where = " next to the itinerary's other choices"
    if not rel.sat:
        rel = progs.whole().run(force=force, force_item=force_item, relax=True, aux="near", mode="opt", limit=limit)
        where = ""
    return (ctx.broken(rel.violations) if rel.sat else []), (rel if rel.sat else None), where


def feasible_elsewhere(ctx: Context, progs: Programs, key: Key, limit: float) -> TraceEntry:
    """A candidate some itinerary contains but that fits no role tried: a witness from
    the whole program, then the best itinerary from its items and the chosen ones."""
    w = progs.whole().run(force=[key], mode="sat", plan=True, limit=None)
    if not w.sat or w.plan is None:
        return excluded_entry(ctx, key, closest_broken(ctx, progs, key, [key], [], limit)[0], "global")
    keep = ctx.chosen0 | w.plan.chosen() | {key}
    r = progs.small(keep).run(force=[key], objective=True, mode="opt", limit=limit, plan=True)
    return feasible_entry(ctx, key, r if r.sat else w, list(ctx.plan0.objective), "global")


def build_trace(ctx: Context, progs: Programs, baseline_limit: float = 0.3, item_limit: float = 0.3) -> Trace:
    """Every candidate with its reason (see the module docs and docs/explanations.md)."""
    t0 = _time.perf_counter()
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
    best_broken: dict[Key, tuple[int, list[tuple[str, tuple[Value, ...]]], str, int | None]] = {}

    def settle(opts: dict[Key, list[Swap]], loss0: Sequence[int], scope: Scope, proven: bool,
               note: str, where: str) -> None:
        for key, olist in opts.items():
            if key in entries:
                continue
            feasible = [o for o in olist if o.ok]
            if feasible:
                best = min(feasible, key=lambda o: o.delta)
                entries[key] = swap_entry(ctx, key, best, loss0, scope, proven, note=note)
                continue
            for o in olist:
                rank = len(o.broken)
                if key not in best_broken or rank < best_broken[key][0]:
                    best_broken[key] = (rank, o.broken, f" as {o.role.describe(ctx)} of {where}", o.role.day)

    # 1. swaps into the itinerary itself: one enumeration per role, on small programs
    t1 = _time.perf_counter()
    settle(swap_options(ctx, progs, ctx.plan0, roles(ctx, ctx.plan0), set(todo)), (0, 0), "itinerary", True, "",
           "this itinerary")
    stats["swaps_s"] = _time.perf_counter() - t1
    # 2. other routes: baselines in waves, each covering every group its route satisfies
    t2 = _time.perf_counter()
    grouped = groups(ctx, [k for k in todo if k not in entries])
    covered: list[Plan] = []
    assigned: dict[Requirement, Plan | None] = {}
    remaining = [req for req, _ in grouped]
    while remaining:
        batch: list[Requirement] = []
        for req in remaining:
            base = next((b for b in covered if satisfies(ctx, b, req)), None)
            if base is not None:
                assigned[req] = base
            elif len(batch) < progs.workers:
                batch.append(req)
        for req, base in zip(batch, progs.map(lambda r: baseline(ctx, progs, r, baseline_limit), batch)):
            assigned[req] = base
            if base is not None:
                covered.append(base)
        remaining = [req for req in remaining if req not in assigned]
    tasks = [(req, keys, assigned[req]) for req, keys in grouped if assigned.get(req) is not None]

    def group_options(task: tuple[Requirement, list[Key], Plan]) -> dict[Key, list[Swap]]:
        req, keys, base = task
        return swap_options(ctx, progs, base, roles_for(ctx, base, req), set(keys))

    for (req, keys, base), opts in zip(tasks, progs.map(group_options, tasks)):
        loss0 = (base.objective[0] - ctx.plan0.objective[0], base.objective[1] - ctx.plan0.objective[1])
        route = ctx.route_text(base)
        settle(opts, loss0, "route", False, f" of the best itinerary found on the route {route}",
               f"the best itinerary found on the route {route}")
    stats["routes_s"] = _time.perf_counter() - t2
    stats["baselines"] = len(covered)
    # 3. the rest: the itinerary's own items re-planned with each; then which of the others
    #    any itinerary can contain (one brave enumeration), one by one
    t3 = _time.perf_counter()
    left = [k for k in todo if k not in entries]
    for k in left:
        cat = ctx.cands[k].category
        stats[f"left_{cat}"] = stats.get(f"left_{cat}", 0) + 1
    local = [k for k in left if ctx.cands[k].category != "transport" and ctx.cands[k].city in ctx.plan0.cities]
    replans = progs.map(lambda k: progs.small(set(ctx.chosen0) | {k}).run(
        force=[k], objective=True, mode="opt", limit=item_limit, plan=True), local)

    def with_broken(e: TraceEntry, key: Key) -> TraceEntry:
        if key in best_broken:
            _, viol, where, _day = best_broken[key]
            e.broken = ctx.broken(viol)
            e.text += (f". {cap(where.strip())} it would break " + "; ".join(f"{b.rule}: {b.text}" for b in e.broken[:2]))
        return e

    for key, r in zip(local, replans):
        if r.sat:
            entries[key] = with_broken(feasible_entry(ctx, key, r, list(ctx.plan0.objective), "itinerary"), key)
            left.remove(key)
    stats["local_s"] = _time.perf_counter() - t3
    if left:
        G = progs.whole()
        stats["global_ground_s"] = G.ground_s
        b = G.run(mode="brave", ask=left, limit=None)
        feasible = set(b.chosen) if b.sat else set()
        stats["brave_s"] = b.seconds
        some = [k for k in left if k in feasible]
        elsewhere = dict(zip(some, progs.map(lambda k: feasible_elsewhere(ctx, progs, k, item_limit), some)))
        for key in left:
            if key in feasible:
                e = elsewhere[key]
                entries[key] = with_broken(e, key) if e.status != "excluded" else e
            elif key in best_broken:
                _, viol, where, day = best_broken[key]
                e = excluded_entry(ctx, key, ctx.broken(viol), "global", where)
                if not e.days and day:
                    e.days = [day]
                entries[key] = e
            else:
                entries[key] = excluded_entry(ctx, key, closest_broken(ctx, progs, key, [key], [], item_limit)[0],
                                              "global")
    stats["items_s"] = _time.perf_counter() - t3
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

