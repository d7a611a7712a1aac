"""The proof that clingo's 32-bit numbers never overflow, and the checks that keep it true.

Three parts, documented in ``docs/rules.md`` ("Number limits"):

1. :data:`INPUT_RANGES`: for every input predicate, the range of each numeric argument,
   derived from the model's limits (:mod:`neurosym.limits`). :func:`check_facts` checks
   every fact the planner writes against it, so the ranges are facts, not hopes.
2. :mod:`neurosym.rangecheck` derives from these ranges the range of every arithmetic
   expression of ``rules/*.lp`` (``tests/test_bounds.py``: all fit 32 bits).
3. Sums whose size depends on the problem (the budget ``#sum``, the objective levels)
   add one weight per candidate. clasp adds them in 32 bits, and merges the weights of
   elements that end up on the same solver literal, so the sum of *all* weights of one
   aggregate or level must fit. :data:`PROBLEM_SUMS` names each such sum of the rule
   files with a function that bounds it from the facts of a problem, and
   :func:`check_facts` checks them for every problem. For money the planner scales
   instead of refusing: :func:`cost_unit` picks the smallest unit of cents in which
   every candidate's cost together fits, and ``rules/budget.lp`` rounds costs up and
   the budget down in that unit, so the budget check can only refuse, never accept, an
   itinerary over the budget. The unit is 1 (exact cents) unless every candidate cost
   together exceeds 2^31 - 1 cents (about 21.4 million).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from .limits import (INT32_MAX, INT32_MIN, MAX_BUDGET, MAX_CANDIDATES, MAX_CAPACITY, MAX_DESTINATIONS, MAX_KEEPS,
                     MAX_LEG_MINUTES, MAX_MEAL_MINUTES, MAX_MIN_NIGHTS, MAX_PEOPLE, MAX_PRICE, MAX_SLOTS_PER_KIND,
                     MAX_TRANSFER_MINUTES, MAX_TRIP_DAYS, MAX_VISIT_MINUTES, MAX_WEIGHT, MIN_SPEED_KMH, short)

Interval = tuple[int, int]
Ranges = tuple["Interval | None", ...]

DAY = 24 * 60
#: A price in cents.
PRICE_CENTS = MAX_PRICE * 100
#: Slots of a day (``slot(S,_,_)``, S numbered from 1) and of a whole trip (``tick/3``).
MAX_SLOTS = 4 * MAX_SLOTS_PER_KIND
#: The preference weight of one item: a score in [0, 1] times SCALE (100) times a category weight.
MAX_PREF = int(100 * MAX_WEIGHT)
#: Minutes to be at the hub before a leg, and to leave it after one (problem.BUFFERS is below).
MAX_BUFFER = 4 * 60
#: Minutes from a city's centre to a place: the transfer overhead plus half the earth's
#: circumference at the slowest speed, rounded up to the radius step (5 minutes).
MAX_RADIUS = MAX_TRANSFER_MINUTES + math.ceil(math.pi * 6371.0088 / MIN_SPEED_KMH * 60) + 5
#: The cost of one candidate (``cost/3``) in cents: a price for every person.
MAX_ITEM_COST = PRICE_CENTS * MAX_PEOPLE

T = (0, DAY)  # a time of day; 24:00 closes a day
N = None      # no numbers in this argument
OPT = (0, DAY)  # a candidate key: a place id (no numbers) or a way to make a move opt(Item,Day,Dep)

#: The numbers of every input predicate, argument by argument (``None``: no numbers).
#: ``tests/test_bounds.py`` checks that this covers ``asp.INPUT_PREDICATES`` and the
#: inputs of ``rules/explain.lp``.
INPUT_RANGES: dict[tuple[str, int], Ranges] = {
    ("trip_days", 1): ((2, MAX_TRIP_DAYS),),
    ("day", 1): ((1, MAX_TRIP_DAYS),),
    ("weekday", 2): ((1, MAX_TRIP_DAYS), (0, 6)),
    ("origin", 1): (N,),
    ("dest", 1): (N,),
    ("visit_count", 1): ((1, MAX_DESTINATIONS),),
    ("fixed_order", 0): (),
    ("dest_order", 2): (N, (1, MAX_DESTINATIONS)),
    ("people", 1): ((1, MAX_PEOPLE),),
    ("need", 1): (N,),
    ("budget", 1): ((0, MAX_BUDGET * 100),),
    ("cost_unit", 1): ((1, MAX_ITEM_COST),),
    ("room_type_wanted", 1): (N,),
    ("cuisine_wanted", 1): (N,),
    ("mode_excluded", 1): (N,),
    ("earliest_departure", 1): (T,),
    ("latest_return", 1): (T,),
    ("pace", 1): ((0, 4),),
    ("meals_all", 0): (),
    ("slot", 3): ((1, MAX_SLOTS), N, T),
    ("meal_window", 3): (N, T, T),
    ("day_start", 1): (T,),
    ("buffer", 3): (N, (0, MAX_BUFFER), (0, MAX_BUFFER)),
    ("leg", 7): (OPT, N, N, N, (1, MAX_TRIP_DAYS), T, (0, DAY + max(DAY, MAX_LEG_MINUTES))),
    ("leg_price", 3): (OPT, (0, PRICE_CENTS), N),
    ("leg_capacity", 2): (OPT, (1, MAX_CAPACITY)),
    ("hotel", 2): (N, N),
    ("hotel_price", 3): (N, (0, PRICE_CENTS), N),
    ("hotel_room", 2): (N, N),
    ("hotel_occupancy", 2): (N, (1, MAX_CAPACITY)),
    ("hotel_checkin", 3): (N, T, T),
    ("hotel_checkout", 2): (N, T),
    ("hotel_min_nights", 2): (N, (1, MAX_MIN_NIGHTS)),
    ("hotel_forbids", 2): (N, N),
    ("attraction", 2): (N, N),
    ("restaurant", 2): (N, N),
    ("city_of", 2): (N, N),
    ("place_price", 2): (N, (0, PRICE_CENTS)),
    ("duration", 2): (N, (1, max(MAX_VISIT_MINUTES, MAX_MEAL_MINUTES))),
    ("open", 4): (N, (0, 6), T, T),
    ("open_daily", 3): (N, T, T),
    ("serves", 2): (N, N),
    ("radius", 2): (N, (0, MAX_RADIUS)),
    ("pref", 2): (OPT, (0, MAX_PREF)),
    # an item's cost for the party, per traveller (at most one price: vehicles and rooms are
    # at most one per person), in preference points: MAX_PRICE times the money weight
    ("money", 2): (OPT, (0, int(MAX_PRICE * MAX_WEIGHT))),
    # a leg's night-time penalty: 40 points at most for the departure and for the arrival
    ("late", 2): (OPT, (0, int(80 * MAX_WEIGHT))),
    ("home_by_midnight", 0): (),
    # rules/weather.lp (with a forecast): hours run to 06:00 the next morning (weather.exposure);
    # chances of rain are percent, temperatures whole degrees within the forecast model's limits
    ("outdoor", 1): (N,),
    ("rain", 4): (N, (1, MAX_TRIP_DAYS), (0, 30 * 60 - 60), (0, 100)),
    ("temp", 5): (N, (1, MAX_TRIP_DAYS), (0, 30 * 60 - 60), (-90, 60), (-90, 60)),
    ("rain_threshold", 1): ((0, 100),),
    ("heat_limit", 1): ((-60, 60),),
    ("cold_limit", 1): ((-60, 60),),
    ("long_visit", 1): ((0, DAY),),
    ("weather_soft", 0): (),
    ("rank", 2): (OPT, (1, MAX_CANDIDATES)),
    ("peq", 2): (N, (1, MAX_CANDIDATES)),
    ("peq_order", 2): (N, (1, MAX_CANDIDATES)),
    ("tick", 3): ((1, MAX_TRIP_DAYS), (1, MAX_SLOTS), (1, MAX_TRIP_DAYS * MAX_SLOTS)),
    ("keep", 3): ((1, MAX_KEEPS), N, N),
    ("keep_take", 2): ((1, MAX_KEEPS), OPT),
    ("keep_at", 4): ((1, MAX_KEEPS), (1, MAX_TRIP_DAYS), (1, MAX_SLOTS), N),
    ("keep_used", 2): ((1, MAX_KEEPS), N),
    ("keep_stay", 2): ((1, MAX_KEEPS), N),
    ("keep_night", 3): ((1, MAX_KEEPS), (1, 2 * MAX_TRIP_DAYS), N),
    # rules/explain.lp, written by neurosym.explain
    ("ns_candidate", 1): (OPT,),
    ("ns_option", 2): (OPT, N),
    ("ns_current", 1): (OPT,),
    ("ns_current_at", 3): ((1, MAX_TRIP_DAYS), (1, MAX_SLOTS), N),
    ("ns_current_night", 2): ((1, MAX_TRIP_DAYS), N),
}


def _numbers(v: object) -> Iterator[int]:
    """Every number inside a fact argument (a tuple's, a function's too)."""
    if isinstance(v, bool):
        return
    if isinstance(v, int):
        yield v
    elif isinstance(v, tuple):
        for x in v:
            yield from _numbers(x)
    elif not isinstance(v, str) and type(v).__name__ == "Symbol":  # a clingo symbol (clingo is loaded)
        import clingo
        if v.type == clingo.SymbolType.Number:  # type: ignore[attr-defined]
            yield v.number  # type: ignore[attr-defined]
        elif v.type == clingo.SymbolType.Function:  # type: ignore[attr-defined]
            for a in v.arguments:  # type: ignore[attr-defined]
                yield from _numbers(a)


# -- sums that depend on the problem ------------------------------------------------------

#: The predicates the per-problem sums read.
_SUM_INPUTS = frozenset({"people", "trip_days", "leg_capacity", "hotel_occupancy", "leg_price", "hotel_price",
                         "place_price", "hotel", "pref", "leg", "cost_unit", "rank", "money", "late", "outdoor",
                         "weather_soft"})


def _by_name(facts: Iterable) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for f in facts:
        if f.name in _SUM_INPUTS:
            out.setdefault(f.name, []).append(f.args)
    return out


def _const(v: object) -> str:
    return getattr(v, "name", str(v))


def candidate_costs(facts: Iterable) -> list[int]:
    """The cost in cents of every ``cost/3`` atom grounding can produce (``rules/budget.lp``):
    every leg option, every hotel on every night of the trip, every place."""
    return _candidate_costs(_by_name(facts))


def _candidate_costs(by: dict[str, list[tuple]]) -> list[int]:
    people = by["people"][0][0]
    nights = by["trip_days"][0][0] - 1
    capacity = {k: c for k, c in by.get("leg_capacity", [])}
    occupancy = {h: o for h, o in by.get("hotel_occupancy", [])}
    out: list[int] = []
    for key, price, basis in by.get("leg_price", []):
        units = people if _const(basis) == "person" else -(-people // capacity[key])
        out.append(price * units)
    for h, price, basis in by.get("hotel_price", []):
        units = people if _const(basis) == "person" else -(-people // occupancy[h])
        out += [price * units] * nights
    out += [price * people for _, price in by.get("place_price", [])]
    return out


def cost_unit(facts: Iterable) -> int:
    """The smallest unit of cents in which every candidate's cost, rounded up, adds up to a
    32-bit number (1 unless they add up to more than 2^31 - 1 cents)."""
    costs = candidate_costs(facts)
    if sum(costs) <= INT32_MAX:
        return 1
    if len(costs) > INT32_MAX:  # pragma: no cover - MAX_CANDIDATES keeps this far away
        raise ValueError("too many candidates")
    lo, hi = 2, max(costs)  # with unit max(costs) every cost counts 1: the sum is len(costs)
    while lo < hi:
        mid = (lo + hi) // 2
        if sum(-(-c // mid) for c in costs) <= INT32_MAX:
            hi = mid
        else:
            lo = mid + 1
    return lo


def cost_unit_of(facts: Iterable) -> int:
    """The cost unit (cents) written in a problem's facts (``cost_unit/1``)."""
    return next((f.args[0] for f in facts if f.name == "cost_unit"), 1)


def _cost_units(by: dict[str, list[tuple]], facts: Sequence) -> int:
    if "_cost_units" not in by:  # three sums count it: computed once per problem
        u = by["cost_unit"][0][0]
        by["_cost_units"] = [(sum(-(-c // u) for c in _candidate_costs(by)),)]
    return by["_cost_units"][0][0]


def _preference(by: dict[str, list[tuple]], facts: Sequence) -> int:
    hotels = {h for h, _ in by.get("hotel", [])}
    nights = by["trip_days"][0][0] - 1
    hotel_w = {w for i, w in by.get("pref", []) if i in hotels}
    return sum(w for i, w in by.get("pref", []) if i not in hotels) + nights * sum(hotel_w)


def _first_day_departures(by: dict[str, list[tuple]], facts: Sequence) -> int:
    return sum(dep for _, _, _, _, d, dep, _ in by.get("leg", []) if d == 1)


def _last_day_arrivals(by: dict[str, list[tuple]], facts: Sequence) -> int:
    n = by["trip_days"][0][0]
    return sum(arr for _, _, _, _, d, _, arr in by.get("leg", []) if d == n)


def _value_level(by: dict[str, list[tuple]], facts: Sequence) -> int:
    """The objective's priority 2: preference, money and night-time penalties all add to one level."""
    hotels = {h for h, _ in by.get("hotel", [])}
    nights = by["trip_days"][0][0] - 1
    money = sum(m * (nights if i in hotels else 1) for i, m in by.get("money", []))
    # a visit in bad weather the traveller accepts loses W*Q/100 of its preference W, Q a share
    # in 0..100 (weather.lp); the level's elements are (X,weather,I), one per distinct loss X
    # of a place, and those losses add up to at most W*(0+1+...+100)/100 < 51*W
    outdoor = {i for (i,) in by.get("outdoor", [])}
    weather = sum(51 * w for i, w in by.get("pref", []) if i in outdoor) if "weather_soft" in by else 0
    return _preference(by, facts) + money + sum(p for _, p in by.get("late", [])) + weather


def _ranks(by: dict[str, list[tuple]], facts: Sequence) -> int:
    return sum(r for _, r in by.get("rank", []))


SumBound = Callable[[dict[str, list[tuple]], Sequence], int]

#: Every aggregate and objective level of the rule files whose weights are not tiny,
#: keyed like :attr:`neurosym.rangecheck.Weight.key` (file, weight term, priority or
#: ``#sum``), with a function bounding the sum of all its weights for a problem.
#: ``tests/test_bounds.py`` fails when a rule file has such a sum that is not listed.
PROBLEM_SUMS: dict[tuple[str, str, str], tuple[str, SumBound]] = {
    ("budget.lp", "Y", "#sum"): ("every candidate's cost, in cost units", _cost_units),
    ("objective.lp", "Y", "1"): ("every candidate's cost, in cost units", _cost_units),
    ("objective.lp", "-W", "2"): ("the value level: every candidate's preference, money and night-time points "
                                  "(a hotel's once a night)", _value_level),
    ("objective.lp", "M", "2"): ("the value level: every candidate's preference, money and night-time points "
                                 "(a hotel's once a night)", _value_level),
    ("objective.lp", "P", "2"): ("the value level: every candidate's preference, money and night-time points "
                                 "(a hotel's once a night)", _value_level),
    ("objective.lp", "X", "2"): ("the value level: every candidate's preference, money and night-time points "
                                 "(a hotel's once a night), and what bad weather takes off outdoor visits",
                                 _value_level),
    ("explain.lp", "Y", "8"): ("every candidate's cost, in cost units", _cost_units),
    ("explain.lp", "-Dep", "8"): ("the departure minutes of every first-day leg", _first_day_departures),
    ("explain.lp", "Arr", "8"): ("the arrival minutes of every last-day leg", _last_day_arrivals),
    ("canonical.lp", "R", "P"): ("every candidate's rank in the tie-breaking order", _ranks),
}
#: An aggregate whose element weights all lie in [-TINY, TINY] needs no entry: its sum
#: counts at most one weight per ground atom, and clasp holds fewer than 2^28 atoms.
TINY = 7


def problem_sums(facts: Sequence) -> dict[tuple[str, str, str], int]:
    """The bound of every sum of :data:`PROBLEM_SUMS` for a problem's facts."""
    by = _by_name(facts)
    return {key: fn(by, facts) for key, (_, fn) in PROBLEM_SUMS.items()}


def check_facts(facts: Sequence) -> None:
    """Check a problem's facts: every number within :data:`INPUT_RANGES`, every problem
    sum of :data:`PROBLEM_SUMS` within 32 bits. A fact out of range is a bug (the model's
    limits should have refused it; a model changed after validation can get here) and a
    sum too large for clingo (a problem too large to plan) are a
    :class:`~neurosym.problem.PlanningInputError`."""
    from .problem import PlanningInputError
    for f in facts:
        ranges = INPUT_RANGES.get((f.name, len(f.args)))
        if ranges is None:
            raise AssertionError(f"fact {f.name}/{len(f.args)} has no declared range (neurosym.bounds.INPUT_RANGES)")
        for a, r in zip(f.args, ranges):
            cls = a.__class__
            if cls is str:  # no numbers (the common case, first)
                continue
            if cls is int and r is not None and r[0] <= a <= r[1]:
                continue
            for x in _numbers(a):
                if r is None or not r[0] <= x <= r[1]:
                    raise PlanningInputError(
                        "catalog", f"the fact {f.name}{short(tuple(f.args), 120)} holds {x}, outside the range "
                                   f"{r} that the model's limits allow (was a value changed after validation?)")
    for key, total in problem_sums(facts).items():
        if total > INT32_MAX:
            raise PlanningInputError("catalog", f"the trip has too many candidates for clingo's 32-bit sums: "
                                                f"{PROBLEM_SUMS[key][0]} add up to {total:,}, more than {INT32_MAX:,}")


def unproven(analysis) -> list[str]:  # noqa: ANN001 - a rangecheck.Analysis
    """What keeps the proof from holding for an analysis of rule files (empty: it holds):
    an expression that may leave 32 bits, a predicate read but never given or defined,
    a sum of large weights without a per-problem bound in :data:`PROBLEM_SUMS`, or an
    entry of :data:`PROBLEM_SUMS` that no rule file has any more."""
    out = [f"{e.where}: {e.text} may be {e.interval[0]:,} to {e.interval[1]:,}"
           for e in analysis.expressions if not e.fits]
    out += [f"{where}: uses a {name[1:]} statement, whose numbers the analysis cannot see" if name.startswith("#")
            else f"{where}: reads {name}/{arity}, which is neither an input (INPUT_RANGES) nor defined"
            for (name, arity), where in analysis.undefined.items()]
    seen: set[tuple[str, str, str]] = set()
    for w in analysis.weights:
        if w.interval is not None and not (-TINY <= w.interval[0] and w.interval[1] <= TINY):
            if w.kind in ("heuristic", "min", "max"):  # one value, not a sum: it fits when the expression does
                if not (INT32_MIN <= w.interval[0] and w.interval[1] <= INT32_MAX):
                    out.append(f"{w.where}: {w.kind} value {w.text} may leave 32 bits")
                continue
            seen.add(w.key)
            if w.key not in PROBLEM_SUMS:
                out.append(f"{w.where}: the {w.kind} of {w.text} ({w.interval[0]:,} to {w.interval[1]:,} each) "
                           f"has no per-problem bound in PROBLEM_SUMS {w.key}")
    files = {Path(w.path).name for w in analysis.weights}
    out += [f"PROBLEM_SUMS lists {key}, which no rule file has" for key in PROBLEM_SUMS
            if key[0] in files and key not in seen]
    return out
