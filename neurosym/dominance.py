"""Exact pruning of dominated candidates before solving.

A candidate J *dominates* a candidate I when J can stand in for I in any itinerary
without breaking a rule and without making the objective worse: J is in the same
city (or is a leg on the same day between the same cities, by the same mode), is
preferred at least as much (quantised weight), costs no more for this party, and is
at least as easy to schedule (open whenever I is, no longer, no farther from the
centre; for hotels: a minimum stay no longer, a desk open no shorter, every house
rule the party needs allowed, an acceptable room type; for restaurants: every
requested cuisine I serves).

At most K candidates of a group can appear in one itinerary (K = 1 for a hotel per
city or a leg per move; the visits or meals of the days that can be spent in the
city). If K candidates that are kept dominate I, then in any itinerary that uses I at
least one of them is unused, and swapping it in for I gives an itinerary that obeys
every rule and is at least as good on both objective levels. So removing I keeps an
optimal itinerary: the pruning is exact. It is switched off when user rule files are
given (a user rule may single out a candidate), unless the caller asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .catalog import WEEKDAYS, Attraction, Hotel, OpeningHours, Restaurant

T = TypeVar("T")


def hours_cover(j: OpeningHours, i: OpeningHours) -> bool:
    """Whether ``j`` is open whenever ``i`` is."""
    if j.always:
        return True
    for day in WEEKDAYS:
        outer = j.intervals(day)
        for o, c in i.intervals(day):
            if not any(oo <= o and c <= cc for oo, cc in outer):
                return False
    return True


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


def place_dominates(j: Attraction | Restaurant, i: Attraction | Restaurant, pref: dict[str, int],
                    price: dict[str, int], radius: dict[str, int], cuisines: set[str]) -> bool:
    """Whether place ``j`` can stand in for place ``i`` (same kind and city assumed)."""
    if pref[j.id] < pref[i.id] or price[j.id] > price[i.id] or radius[j.id] > radius[i.id]:
        return False
    if isinstance(j, Attraction) and isinstance(i, Attraction):
        if j.duration_min > i.duration_min:
            return False
    elif isinstance(j, Restaurant) and isinstance(i, Restaurant):
        if j.meal_duration_min > i.meal_duration_min:
            return False
        served_i = {c.strip().lower() for c in i.cuisines} & cuisines
        served_j = {c.strip().lower() for c in j.cuisines} & cuisines
        if not served_i <= served_j:
            return False
    else:
        return False
    return hours_cover(j.hours, i.hours)


def hotel_dominates(j: Hotel, i: Hotel, pref: dict[str, int], night_cost: dict[str, int],
                    radius: dict[str, int], needs: list[str], room_ok: Callable[[Hotel], bool]) -> bool:
    """Whether hotel ``j`` can stand in for hotel ``i`` for this party (same city assumed)."""
    return (pref[j.id] >= pref[i.id] and night_cost[j.id] <= night_cost[i.id]
            and radius[j.id] <= radius[i.id] and j.min_nights <= i.min_nights
            and j.check_in_end_min >= i.check_in_end_min
            and all(not j.house_rules.forbids(r) for r in needs if not i.house_rules.forbids(r))
            and (room_ok(j) or not room_ok(i)))
