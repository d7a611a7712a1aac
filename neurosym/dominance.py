"""Exact pruning of dominated candidates before solving.

A candidate J *can stand in* for a candidate I when J can replace I in any itinerary
without breaking a rule and without making the objective worse: J is worth at least
as much in the objective (preference net of money, :mod:`neurosym.objective`), costs
no more for this party (when the budget can bind, or the two are worth the same), and
is at least as easy to schedule.

- **Legs and hotels** (one per move, one per city): J stands in for I when it is a leg
  on the same day between the same cities by the same mode, leaving no earlier and
  arriving no later; for a hotel, with a minimum stay no longer, a desk open no
  shorter, every house rule the party needs allowed, an acceptable room type.
- **Attractions and restaurants**, slot by slot (:func:`prune_by_slot`): J stands in
  for I at a slot of a day where both can be placed when J lasts no longer, lies no
  farther from the centre, and serves every requested cuisine I serves.

At most K candidates of a group can appear in one itinerary (K = 1 for a hotel per
city or a leg per move; the visits or meals of the days that can be spent in the
city). If, wherever I could be placed, K kept candidates can stand in for it there,
then in any itinerary that places I, one of them is unused, and putting it in I's
place gives an itinerary that obeys every rule and is at least as good. So removing I
keeps an optimal itinerary: the pruning is exact. It is switched off when user rule
files are given (a user rule may single out a candidate), unless the caller asks for
it; candidates the request keeps are never removed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from .catalog import Hotel

T = TypeVar("T")


def prune(group: Sequence[T], k: int, key: Callable[[T], tuple], dominates: Callable[[T, T], bool],
          ident: Callable[[T], str], protect: Callable[[T], bool] = lambda _: False
          ) -> tuple[list[T], dict[str, str]]:
    """Keep the candidates that fewer than ``k`` kept candidates dominate.

    ``key`` orders the group best first (so dominators come before what they dominate).
    A ``protect``-ed candidate (one the request keeps) is always kept: a rule names it.
    Returns the kept candidates and, for each removed one, the id of a dominator.
    """
    kept: list[T] = []
    removed: dict[str, str] = {}
    for cand in sorted(group, key=key):
        doms = [x for x in kept if dominates(x, cand)]
        if len(doms) >= k and not protect(cand):
            removed[ident(cand)] = ident(doms[0])
        else:
            kept.append(cand)
    return kept, removed


def hotel_dominates(j: Hotel, i: Hotel, pref: dict[str, int], night_cost: dict[str, int],
                    radius: dict[str, int], needs: list[str], room_ok: Callable[[Hotel], bool]) -> bool:
    """Whether hotel ``j`` can stand in for hotel ``i`` for this party (same city assumed)."""
    return (pref[j.id] >= pref[i.id] and night_cost[j.id] <= night_cost[i.id]
            and radius[j.id] <= radius[i.id] and j.min_nights <= i.min_nights
            and (j.check_in_end_min is None
                 or (i.check_in_end_min is not None and j.check_in_end_min >= i.check_in_end_min))
            and all(not j.house_rules.forbids(r) for r in needs if not i.house_rules.forbids(r))
            and (room_ok(j) or not room_ok(i)))


def prune_by_slot(group: Sequence[T], k: int, key: Callable[[T], tuple], better: Callable[[T], np.ndarray],
                  placements: np.ndarray, ident: Callable[[T], str], protect: Callable[[T], bool] = lambda _: False
                  ) -> tuple[list[T], dict[str, str]]:
    """Keep the candidates that some placement leaves with fewer than ``k`` stand-ins.

    ``placements[i, p]`` says candidate ``i`` of ``group`` can take placement ``p`` (a slot
    of a day: open then, inside the meal window). ``better(cand)`` is a boolean array
    over the group: the candidates that can stand in for ``cand`` wherever both can be
    placed (preferred at least as much, costing no more, no longer, no farther from the
    centre, serving every wanted cuisine it serves). A candidate is removed when, at
    every placement it can take, at least ``k`` kept candidates that can also take it
    stand in for it: in any itinerary that places it there, at most ``k - 1`` others of
    the group are used, so one stand-in is free to take its place. ``key`` orders the
    group best first. Returns the kept candidates and, for each removed one, a stand-in.
    """
    order = sorted(range(len(group)), key=lambda i: key(group[i]))
    kept_idx: list[int] = []
    removed: dict[str, str] = {}
    for i in order:
        cand = group[i]
        where = np.flatnonzero(placements[i])
        if kept_idx and not protect(cand):
            kept = np.array(kept_idx)
            stand_ins = kept[better(cand)[kept]]
            if where.size == 0 or (stand_ins.size >= k and
                                   bool(np.all(placements[np.ix_(stand_ins, where)].sum(axis=0) >= k))):
                removed[ident(cand)] = ident(group[int(stand_ins[0])]) if stand_ins.size else ident(group[kept[0]])
                continue
        kept_idx.append(i)
    return [group[i] for i in sorted(kept_idx)], removed
