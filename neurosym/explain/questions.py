"""Why and why not: one chosen item's reasons, one other candidate's verdict.

**why(item)**: the chosen entry plus the best alternative for its role, with the loss.

**why_not(item)**: the best itinerary that contains it and otherwise uses the chosen
itinerary's items, re-timed as needed (a small program, usually proven); if there is
none, a witness from the whole program and the best itinerary from its items and the
chosen ones; if there is none at all, ``excluded``: the rules broken in the itinerary
closest to the chosen one, the chosen items they name, and a minimal set of the
traveller's constraints without which it would be possible.
"""

from __future__ import annotations

import logging
import time as _time

from ..problem import Key
from .conflicts import shrink
from .context import Context
from .entries import (checked_rules, chosen_entry, entry_key, excluded_entry, feasible_entry, not_candidate,
                      pruned_entry, scope_of)
from .programs import Programs
from .program import ExplainProgram
from .roles import enumerate_role, optimize_role, pool, roles, support
from .texts import constraint_text
from .trace import broken_in_witnesses, closest_broken, fits_route, need_of
from .types import Loss, TraceEntry
from .weather import annotate

log = logging.getLogger("neurosym.explain")
#: Seconds ``why_not`` optimises the best itinerary that contains the item (``proven``
#: says whether it finished); ``it.why_not`` and ``it.why`` of an item not chosen use it.
WHY_NOT_LIMIT = 0.5


def why(ctx: Context, progs: Programs, item: object) -> TraceEntry:
    """Why a chosen item is in the itinerary: the rules it was checked against, its
    preference and cost, and the best alternative for its place (with the loss)."""
    t0 = _time.perf_counter()
    key = ctx.resolve(item)
    chosen = ctx.chosen_key(key)
    if chosen is None:
        return why_not(ctx, progs, key)
    progs.prepare()
    entry = chosen_entry(ctx, chosen, checked_rules(ctx, progs.small(set(ctx.chosen0))))
    role = next((r for r in roles(ctx, ctx.plan0) if r.holder == chosen), None)
    if role is not None:
        p = pool(ctx, role, ctx.plan0)
        extra = support(ctx, ctx.plan0, role) if role.kind in ("move", "stay") else set()
        prog = progs.small(set(ctx.chosen0) | p | extra)
        keys = sorted(p, key=str)
        opts = (optimize_role(ctx, prog, ctx.plan0, role, keys) if role.kind in ("move", "stay")
                else enumerate_role(ctx, prog, ctx.plan0, role))
        alts = [(k, o) for k, o in opts.items() if k != chosen and o.ok]
        excluded = sum(1 for k, o in opts.items() if k != chosen and not o.ok)
        if alts:
            k, o = min(alts, key=lambda x: (x[1].delta, str(x[0])))
            loss = Loss.of(o.delta)
            entry.alternative, entry.alternative_loss = ctx.key_text(k), loss
            verdict = ("the next best" if loss.sign > 0 else "an equally good option" if loss.sign == 0
                       else "a better option the planner did not reach")
            entry.text += f". {verdict.capitalize()} for {role.describe(ctx)} is {ctx.name(k)} ({loss.text()})"
        else:
            entry.text += f". Nothing else fits {role.describe(ctx)}"
        if excluded:
            entry.text += f"; {excluded} other candidate{'s' if excluded != 1 else ''} would break a rule there"
    annotate(ctx, progs, {chosen: entry})
    entry.seconds = round(_time.perf_counter() - t0, 4)
    log.debug("why %s: %s", ctx.key_text(chosen), entry.text)
    return entry


def why_not(ctx: Context, progs: Programs, item: object, limit: float = WHY_NOT_LIMIT) -> TraceEntry:
    """Why an item is not in the itinerary: it is re-solved with the item forced in.

    Either the rules it breaks (and the other choices they name, and the traveller's
    constraints that exclude it), or the loss of the best itinerary that contains it
    (optimised for at most ``limit`` seconds; ``proven`` says whether it is the best),
    or that it is dominated.
    """
    t0 = _time.perf_counter()
    key = ctx.resolve(item)
    chosen = ctx.chosen_key(key)
    if chosen is not None:
        e = chosen_entry(ctx, chosen, checked_rules(ctx, progs.small(set(ctx.chosen0))))
        e.text = "it is in the itinerary: " + e.text
    elif key in ctx.problem.dominated:
        e = pruned_entry(ctx, key, ctx.problem.dominated[key])
    elif key not in ctx.cands and not ctx.options.get(str(key)):
        e = not_candidate(ctx, str(key))
    else:
        progs.prepare()
        e = _candidate(ctx, progs, key, limit)
    if key in ctx.cands:
        annotate(ctx, progs, {key: e})
    e.seconds = round(_time.perf_counter() - t0, 4)
    log.debug("why not %s: %s", ctx.key_text(key), e.text)
    return e


def _candidate(ctx: Context, progs: Programs, key: Key | str, limit: float) -> TraceEntry:
    is_cand = key in ctx.cands
    force, force_item = ([key], []) if is_cand else ([], [str(key)])
    options = [key] if is_cand else list(ctx.options.get(str(key), []))
    keep = set(ctx.chosen0) | set(options)
    base_obj = list(ctx.plan0.objective)
    on_route = fits_route(ctx, options)
    # 1. the best itinerary with it that otherwise keeps to the itinerary's own items
    #    (a small program; only when the itinerary's route can take it, and without user
    #    rule files, which may read facts a small program leaves out)
    if on_route and not ctx.rules:
        r = progs.small(keep).run(force=force, force_item=force_item, objective=True, mode="opt", limit=limit,
                                  plan=True)
        if r.sat:
            return feasible_entry(ctx, key, r, base_obj, "itinerary")
    # 2. any itinerary at all: a witness as close to the itinerary as the search finds,
    #    then the best from its items and the chosen ones
    G = progs.whole()
    w = G.run(force=force, force_item=force_item, mode="sat", plan=True, limit=None, hint=True)
    if w.sat and w.plan is not None:
        r2 = progs.small(keep | w.plan.chosen()).run(force=force, force_item=force_item, objective=True,
                                                      mode="opt", limit=limit, plan=True)
        best = r2 if r2.sat and r2.plan is not None else w
        return feasible_entry(ctx, key, best, base_obj, scope_of(ctx, best.plan or w.plan, entry_key(ctx, key, best)))
    # 3. excluded everywhere: what it breaks, staying as close to the itinerary as possible
    #    (off the itinerary's route: as a plain swap into an itinerary found for a sibling)
    rel = None
    found = {} if on_route or not options else _broken_off_route(ctx, progs, options[0])
    if found:
        _, viol, where, day = found[options[0]]
        broken = ctx.broken(viol)
    else:
        broken, rel, where = closest_broken(ctx, progs, key, force, force_item, limit)
    constraints = excluding_constraints(G, force, force_item, w)
    ekey = entry_key(ctx, key, rel if rel else w)
    e = excluded_entry(ctx, ekey, broken, "global", where,
                       constraints=[constraint_text(ctx.problem.request, c) for c in constraints])
    if rel is not None:
        e.replaces = sorted(ctx.key_text(k) for k in ctx.chosen0 - rel.chosen)
        e.conflicts_with = sorted(set(e.conflicts_with) | {ctx.key_text(k) for k in ctx.chosen0
                                                            & ctx.named_keys(rel.violations)})
    if constraints:
        e.text += ". It is excluded by your " + ", ".join(e.constraints)
    elif G.constraints:
        e.text += ". None of your own constraints is involved: the catalog and the rules exclude it"
    return e


def _broken_off_route(ctx: Context, progs: Programs, key: Key) -> dict:
    """The rules an excluded candidate off the itinerary's route breaks as a plain swap
    into an itinerary found for a sibling (another leg of its move, another place of its
    city)."""
    need = need_of(ctx, key)
    siblings = [k for k in ctx.cands if k != key and need_of(ctx, k) == need]
    cov = progs.whole().cover(siblings, models=1) if siblings else None
    if cov is None or not cov.found:
        return {}
    witness = next(iter(cov.found.values()))[0]
    return broken_in_witnesses(ctx, progs, [key], [witness])


def excluding_constraints(G: ExplainProgram, force: list, force_item: list[str], first=None) -> list:
    """The traveller's constraints that exclude a forced item (a minimal set, or none
    when the item is excluded with all of them set aside). ``first`` is the solve with
    all of them kept, when already done."""
    if not G.constraints:
        return []
    if G.run(force=force, force_item=force_item, active=[], mode="sat").status != "sat":
        return []
    first = first if first is not None else G.run(force=force, force_item=force_item, mode="sat")
    core = first.core or list(G.constraints)
    mus, _checks = shrink(lambda act: G.run(force=force, force_item=force_item, active=act, mode="sat"), core)
    return mus
