"""Trace entries: one :class:`TraceEntry` per candidate, for each reason it can have.

Each builder turns what a question found (a swap, a re-plan, the rules broken) into an
entry with names, not ids. :func:`checked_rules` is the rules each chosen item was
checked against: :func:`neurosym.rules.applicable_rules` (the model the itinerary's
justifications use), narrowed by the rules' ground instances.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import vocab as V
from ..answer import Plan
from ..asp import Option, value
from ..catalog import Flight, GroundLeg, category
from ..problem import Key
from ..rules import applicable_rules, core_paths
from .context import Context
from .program import Result
from .roles import Swap
from .types import Broken, Loss, Scope, Status, TraceEntry


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def verdict(loss: Loss, texts: dict[str, str], tie: str = "tie") -> tuple[Status, str]:
    """``worse`` or ``improvable`` by the sign of a loss, with the text for it (``texts``
    by ``worse``, ``tie``, ``better``; ``tie="worse"`` reads a tie as worse)."""
    kind = "worse" if loss.sign > 0 else "better" if loss.sign < 0 else tie
    if kind == "better":
        return "improvable", texts["better"] + "; the planner stopped at its time limit before finding it"
    return "worse", texts[kind]


def checked_rules(ctx: Context, small: Any) -> dict[Key, list[str]]:
    """For each chosen item, the named rules it was checked against.

    The rules that apply to its category (:func:`neurosym.rules.applicable_rules`);
    a rule whose ground instances (in the program of the itinerary's own items,
    ``small``) name items counts only for the items it names.
    """
    by_cat = applicable_rules([*core_paths(), *ctx.rules])
    named: dict[str, set[Key]] = {}
    for sym in small.atoms(V.Violation):
        rule = V.rule_name(value(sym.arguments[0]))
        vals = value(sym.arguments[1])
        keys = {v for v in (vals if isinstance(vals, tuple) else (vals,)) if isinstance(v, (str, Option))}
        named.setdefault(rule, set()).update(k for k in keys if k in ctx.cands)
    out: dict[Key, list[str]] = {}
    for key in ctx.chosen0:
        names = by_cat[ctx.cands[key].category]
        out[key] = [n for n in names if n in ctx.info and not (named.get(n) and key not in named[n])]
    return out


def days_of(ctx: Context, key: Key) -> list[int]:
    c = ctx.cands.get(key)
    plan0 = ctx.plan0
    if c is not None and c.category == "transport":
        return [c.day] if c.day else []
    if c is not None and c.category == "hotel":
        if key in {h for _, h in plan0.stay}:
            nights = {d for d, cc in plan0.night if cc == c.city}
            return sorted(nights | {d + 1 for d in nights})
        return []
    return sorted({d for d, _, i in plan0.at if i == key})


def base_entry(ctx: Context, key: Key | str, status: Status, text: str, **kw: Any) -> TraceEntry:
    c = ctx.cands.get(key)
    item = ctx.item_of(key)
    days = kw.pop("days", None)
    if days is None:
        days = days_of(ctx, key)
    for field in ("replaces", "conflicts_with"):
        if field in kw:
            kw[field] = [ctx.key_text(k) for k in kw[field]]
    if kw.get("dominated_by") is not None:
        kw["dominated_by"] = ctx.key_text(kw["dominated_by"])
    pts = ctx.points(key) if key in ctx.problem.points else None
    return TraceEntry(item_id=ctx.key_text(key), catalog_id=c.catalog_id if c else str(key), name=ctx.name(key),
                      category=c.category if c else category(item), city=c.city if c else getattr(item, "city", None),
                      days=days, status=status, text=text, points=pts, preference=ctx.score(key), **kw)


def chosen_entry(ctx: Context, key: Key, checked: dict[Key, list[str]]) -> TraceEntry:
    c = ctx.cands[key]
    cost = ctx.cost_in(key, ctx.plan0)
    rules = [ctx.rule_ref(n) for n in checked.get(key, [])]
    contrib = ctx.contributions(key)
    score = ctx.score(key)
    per = " per night" if c.category == "hotel" else ""
    text = (f"preference {score if score is not None else 0:.2f}{per}"
            + (f" [{'; '.join(x.source for x in contrib[:2])}]" if contrib else "")
            + f"; cost {cost:.2f}" + (f" for {ctx.plan0.nights_in(c.city)} nights" if c.category == "hotel" else "")
            + f"; obeys the {len(rules)} rules that apply to it")
    return base_entry(ctx, key, "chosen", text, rules=rules, contributions=contrib, cost=round(cost, 2),
                      scope="itinerary")


def pruned_entry(ctx: Context, key: Key, dom: Key) -> TraceEntry:
    chosen = dom in ctx.chosen0
    text = (f"dominated by {ctx.name(dom)}{' (chosen)' if chosen else ''}: it can stand in for this one in "
            "any itinerary, is preferred at least as much, costs no more and is at least as easy to schedule")
    return base_entry(ctx, key, "dominated", text, dominated_by=dom, scope="catalog",
                      cost=round(ctx.unit_cost(key) / 100, 2))


def swap_entry(ctx: Context, key: Key, opt: Swap, base_loss: Sequence[int], scope: Scope, proven: bool,
               note: str = "") -> TraceEntry:
    total = [base_loss[0] + opt.delta[0], base_loss[1] + opt.delta[1]]
    loss = Loss.of(total)
    holder = opt.role.holder
    where = opt.role.describe(ctx)
    swap = f"in place of {ctx.name(holder)} ({where}{note})" if holder else f"as {where}{note}"
    if opt.changed:
        swap += f", with {ctx.names(opt.changed)}"
    if opt.dropped:
        swap += f", dropping {ctx.names(opt.dropped)}"
    if opt.wide:
        swap += " (the other days re-arranged)"
    if (holder is not None and not opt.dropped and not opt.changed and not opt.wide and scope == "itinerary"
            and opt.delta[0] >= 0 and opt.delta[1] >= 0):
        status: Status = "dominated"
        text = (f"dominated by {ctx.name(holder)} ({where}): at least as preferred and no dearer"
                + (f"; swapping it in: {loss.text()}" if loss.sign else " (an equally good tie)"))
    else:
        tie = "worse" if scope != "itinerary" else "tie"
        status, text = verdict(loss, {
            "worse": f"fits {swap}, but the itinerary would be worse: {loss.text()}",
            "tie": f"fits {swap} and the itinerary would be as good: a tie the planner broke the other way",
            "better": f"fits {swap} and would improve the itinerary ({loss.text()})"}, tie=tie)
    replaces = ([holder] if holder else []) + list(opt.dropped)
    return base_entry(ctx, key, status, text, loss=loss, scope=scope, proven=proven, replaces=replaces,
                      dominated_by=holder if status == "dominated" else None, cost=round(ctx.cost_in(key, opt.base), 2),
                      days=[opt.role.day] if opt.role.day else days_of(ctx, key))


def excluded_entry(ctx: Context, key: Key, broken: list[Broken], scope: Scope, where: str = "",
                   constraints: Sequence[str] = ()) -> TraceEntry:
    head = ("excluded: no itinerary that obeys the rules can contain it" if scope == "global"
            else "excluded here")
    if broken:
        rules = "; ".join(f"{b.rule}: {b.text}" for b in broken[:3])
        more = f" (and {len(broken) - 3} more)" if len(broken) > 3 else ""
        text = f"{head}. {cap(where.strip()) + ', it' if where else 'It'} breaks {rules}{more}"
    else:
        text = (f"{head}, even with every named rule released: an integrity constraint without a name "
                "excludes it (the plan's structure: one item per slot, the pace, one leg per move, no place "
                "twice, or a user rule written as a bare constraint)")
    me = ctx.key_text(key)
    conflicts = sorted({i for b in broken for i in b.items if i != me})
    e = base_entry(ctx, key, "excluded", text, broken=broken, scope=scope, constraints=list(constraints),
                   cost=round(ctx.unit_cost(key) / 100, 2) if key in ctx.cands else 0.0)
    e.conflicts_with = conflicts
    return e


def not_candidate(ctx: Context, key: str) -> TraceEntry:
    item = ctx.problem.index[key]
    req = ctx.problem.request
    if key in ctx.problem.excluded:
        why = "your request excludes it"
    elif isinstance(item, (Flight, GroundLeg)):
        if isinstance(item, Flight) and not (req.start <= item.date <= req.end):
            why = f"it flies on {item.date.isoformat()}, outside the trip ({req.start} to {req.end})"
        else:
            why = (f"the trip never goes {item.origin} -> {item.destination} on a day it could "
                   f"(day 1 leaves {req.origin}, the last day returns there, other days move between "
                   f"destinations)")
    else:
        why = f"{item.city} is not one of the trip's destinations ({', '.join(req.destinations)})"
    return TraceEntry(item_id=key, catalog_id=key, name=ctx.name(key), category=category(item),
                      city=getattr(item, "city", None), status="not_candidate", text=f"not a candidate: {why}",
                      scope="catalog", cost=round(ctx.unit_cost_item(item) / 100, 2))


def entry_key(ctx: Context, key: Key | str, r: Result | None) -> Key:
    """The candidate an entry is about: ``key`` itself, or the option of a catalog leg that ``r`` took."""
    if key in ctx.cands:
        return key
    opts = ctx.options.get(str(key), [])
    taken = [k for k in opts if r is not None and k in r.chosen]
    return taken[0] if taken else (opts[0] if opts else key)


def feasible_entry(ctx: Context, key: Key | str, r: Result, base_obj: list[int], scope: Scope) -> TraceEntry:
    """The best itinerary found with ``key`` (in ``r``), against the chosen one."""
    plan = r.plan or Plan()
    obj = ctx.objective(plan)
    loss = Loss.of([obj[0] - base_obj[0], obj[1] - base_obj[1]])
    ekey = entry_key(ctx, key, r)
    dropped = sorted(ctx.chosen0 - plan.chosen(), key=str)
    added = sorted(plan.chosen() - ctx.chosen0 - {ekey}, key=str)
    best = "the best itinerary" if r.proven else "the best itinerary found"
    if scope == "itinerary":
        how = (f"{best} with it that otherwise keeps to the itinerary's own choices"
               + (f" (dropping {ctx.names(dropped)})" if dropped else " (re-timed)"))
    else:
        how = f"{best} with it (it needs other changes: {ctx.changes_text(plan, skip=ekey)})"
    dom = None
    if len(dropped) == 1 and not added and loss.objective[0] >= 0 and loss.objective[1] >= 0:
        d = dropped[0]
        if ctx.cands.get(d) and ctx.cands[d].category == ctx.cands[ekey].category:
            dom = d
    if dom is not None:
        status: Status = "dominated"
        text = f"dominated by {ctx.name(dom)}: {how} is no better ({loss.text()})"
    else:
        status, text = verdict(loss, {"worse": f"feasible, but {how} is worse: {loss.text()}",
                                      "tie": f"feasible and as good: {how} ties ({loss.text()})",
                                      "better": f"feasible and better: {how} improves the objective ({loss.text()})"})
    c = ctx.cands[ekey]
    days = sorted(({c.day} if c.category == "transport" and c.day else set())
                  | {d for d, _, i in plan.at if i == ekey}
                  | ({d for d, cc in plan.night if cc == c.city} if c.category == "hotel" else set()))
    return base_entry(ctx, ekey, status, text, loss=loss, scope=scope, proven=r.proven, replaces=dropped,
                      dominated_by=dom, days=days, cost=round(ctx.cost_in(ekey, plan), 2))
