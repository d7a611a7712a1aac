"""Large catalogs: the best places of each kind and city, and stand-ins for the rest.

A city with hundreds of restaurants fills at most three meals a day. :func:`shortlist`
keeps the ``size`` places of each kind and city worth most in the objective, the
cheapest ones and the best servers of each wanted cuisine (so that a tight budget or a
wish still finds its places), and every place a keep names; it replaces the others by
*stand-ins*: as many as the trip has
slots of that kind, each worth what the best of the others is worth, costing what the
cheapest costs, lasting what the shortest lasts, as near the centre as the nearest,
open all day, serving every wanted cuisine any of them serves.

Any itinerary of the whole catalog becomes one of the shortlist with its left-out
places swapped for stand-ins (each can take any slot theirs took) and a value at
least as high: the shortlist with stand-ins is a relaxation, and its optimum bounds
the whole catalog's. Without its stand-ins, the shortlist is a restriction: its
itineraries are itineraries of the whole catalog. When the relaxation's best solution
uses no stand-in, it is the whole catalog's optimum.
"""

from __future__ import annotations

from collections import defaultdict

from .. import vocab as V
from ..vocab import Fact

#: The prefix of a stand-in's id (stand-ins never leave this package).
STAND_IN = "ns:stand-in:"


def place_groups(facts: list[Fact]) -> dict[tuple[str, str], list[str]]:
    """The attractions and restaurants by (kind, city), in fact order."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f in facts:
        if f.pred is V.Attraction:
            groups[("attraction", f.args[1])].append(f.args[0])
        elif f.pred is V.Restaurant:
            groups[("restaurant", f.args[1])].append(f.args[0])
    return groups


def slots_of(facts: list[Fact]) -> dict[str, int]:
    """How many visits and meals the whole trip can hold."""
    days = next(f.args[0] for f in facts if f.pred is V.TripDays)
    pace = next((f.args[0] for f in facts if f.pred is V.Pace), 0)
    return {"attraction": pace * days, "restaurant": 3 * days}


def shortlist(facts: list[Fact], size: dict[str, int]) -> tuple[list[Fact], list[Fact], set[str], set[str]]:
    """The facts of the shortlist (``size`` places per kind and city, by kind), the same
    with stand-ins for the places left out, the stand-ins' ids and the places left out."""
    groups = place_groups(facts)
    value: dict[str, int] = defaultdict(int)
    per_place: dict[str, list[Fact]] = defaultdict(list)
    kept_by_request: set[str] = set()
    for f in facts:
        if f.pred is V.Pref and isinstance(f.args[0], str):
            value[f.args[0]] += f.args[1]
        elif f.pred is V.Money and isinstance(f.args[0], str):
            value[f.args[0]] -= f.args[1]
        elif f.pred in (V.KeepAt, V.KeepUsed):
            kept_by_request.add(f.args[-1])
        if f.pred in V.KEYED and isinstance(f.args[0], str):
            per_place[f.args[0]].append(f)
    left_out: set[str] = set()
    stand_ins: list[Fact] = []
    ids: set[str] = set()
    wanted = {f.args[0] for f in facts if f.pred is V.CuisineWanted}
    slots = slots_of(facts)
    price: dict[str, int] = {f.args[0]: f.args[1] for f in facts if f.pred is V.PlacePrice}
    serves: dict[str, set[str]] = defaultdict(set)
    for f in facts:
        if f.pred is V.Serves:
            serves[f.args[0]].add(f.args[1])
    for (kind, city), members in groups.items():
        ranked = sorted(members, key=lambda i: (-value[i], i))
        few = max(1, size[kind] // 4)
        keep = set(ranked[:size[kind]]) | kept_by_request
        keep |= set(sorted(members, key=lambda i: (price.get(i, 0), -value[i], i))[:few])
        for q in wanted:
            keep |= set([i for i in ranked if q in serves[i]][:few])
        out = [i for i in ranked if i not in keep]
        if not out:
            continue
        left_out.update(out)
        stand_ins += _stand_ins(kind, city, out, per_place, value, wanted, min(len(out), slots[kind]), ids)
    restricted = [f for f in facts if not (f.pred in V.KEYED and f.args[0] in left_out)]
    return restricted, restricted + stand_ins, ids, left_out


def _stand_ins(kind: str, city: str, out: list[str], per_place: dict[str, list[Fact]], value: dict[str, int],
               wanted: set[str], count: int, ids: set[str]) -> list[Fact]:
    """``count`` stand-ins for the places ``out`` of one kind and city (see the module docstring)."""
    def first(i: str, pred: type) -> int | None:
        return next((f.args[-1] for f in per_place[i] if f.pred is pred), None)

    best = max(value[i] for i in out)
    shortest = min(first(i, V.Duration) or 0 for i in out)
    nearest = min(first(i, V.Radius) or 0 for i in out)
    cheapest = min(first(i, V.PlacePrice) or 0 for i in out)
    served = sorted({f.args[1] for i in out for f in per_place[i] if f.pred is V.Serves} & wanted)
    pred = V.Attraction if kind == "attraction" else V.Restaurant
    facts: list[Fact] = []
    for k in range(1, count + 1):
        sid = f"{STAND_IN}{kind}:{city}:{k}"
        ids.add(sid)
        facts += [V.fact(pred, sid, city), V.fact(V.CityOf, sid, city), V.fact(V.Duration, sid, shortest),
                  V.fact(V.OpenDaily, sid, 0, 24 * 60), V.fact(V.Radius, sid, nearest),
                  V.fact(V.Pref, sid, best), V.fact(V.Money, sid, 0), V.fact(V.PlacePrice, sid, cheapest)]
        facts += [V.fact(V.Serves, sid, q) for q in served]
    return facts
