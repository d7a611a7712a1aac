"""The core rules as a 0/1 linear program over the planner's facts (a relaxation).

:func:`relaxation` reads the facts clingo grounds and writes the core rules as linear
rows over 0/1 variables: the city of every night, every leg option, every hotel, and
every class of interchangeable places at every slot of every day where it is open.
Every itinerary that obeys the rules is a solution of the program with the same value
of ``rules/objective.lp``'s priority 2 (preference net of money and night-time legs)
and the same cost (priority 1). The program leaves out what it cannot see: user rule
files, the symmetry order (it loses no value), soft keeps. Leaving a rule out only
makes the program's optimum a looser upper bound, never a wrong one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..asp import Hub
from ..vocab import Fact
from .program import LinearProgram

MEALS = ("breakfast", "lunch", "dinner")


@dataclass
class Layout:
    """What the route search needs to know about the program."""

    n_days: int
    origin: str
    dests: list[str]
    visit_count: int
    night_vars: dict[tuple[int, str], int]
    value_vars: list[int]


def _by_name(facts: Iterable[Fact]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = defaultdict(list)
    for f in facts:
        out[f.name].append(f.args)
    return out


def _num(facts: dict[str, list[tuple]], name: str, default: int | None = None) -> int | None:
    vals = facts.get(name)
    return vals[0][0] if vals else default


def relaxation(facts: Iterable[Fact]) -> tuple[LinearProgram, Layout]:
    """The MILP relaxation of the core rules over these facts (see the module docstring)."""
    F = _by_name(facts)
    lp = LinearProgram()
    N = _num(F, "trip_days")
    days = range(1, N + 1)
    nights = range(1, N)
    origin = F["origin"][0][0]
    dests = [c for (c,) in F["dest"]]
    K = _num(F, "visit_count")
    people = _num(F, "people")
    weekday = {d: w for d, w in F["weekday"]}
    slots = {s: (str(k), t) for s, k, t in F["slot"]}
    meal_window = {str(k): (a, b) for k, a, b in F["meal_window"]}
    buffers = {str(m): (b, a) for m, b, a in F["buffer"]}
    radius: dict[Any, int] = {x: r for x, r in F["radius"]}   # place ids and Hub(city) terms
    pref = {i: w for i, w in F["pref"]}
    money = {i: m for i, m in F["money"]}
    late = {i: p for i, p in F["late"]}
    value = {i: pref.get(i, 0) - money.get(i, 0) - late.get(i, 0) for i in set(pref) | set(money) | set(late)}
    excluded_modes = {str(m) for (m,) in F["mode_excluded"]}
    earliest = _num(F, "earliest_departure")
    latest = _num(F, "latest_return")
    by_midnight = "home_by_midnight" in F
    needs = {str(r) for (r,) in F["need"]}
    rooms_wanted = {str(t) for (t,) in F["room_type_wanted"]}
    pace = _num(F, "pace", 0)
    day_start = _num(F, "day_start", 0)

    # -- route: nights, visited cities, arrivals ----------------------------------------
    def n(d: int, c: str) -> int | None:
        return lp.index.get(("night", d, c)) if 1 <= d < N else None

    visit = {c: lp.var(("visit", c)) for c in dests}
    lp.row(((visit[c], 1) for c in dests), K, K)
    for d in nights:
        for c in dests:
            lp.var(("night", d, c))
        lp.row(((n(d, c), 1) for c in dests), 1, 1)
        for c in dests:
            lp.row(((n(d, c), 1), (visit[c], -1)), hi=0)
    arrive: dict[tuple[int, str], int] = {}
    for c in dests:
        lp.row([(n(d, c), 1) for d in nights] + [(visit[c], -1)], lo=0)     # route_city_unvisited
        for d in nights:
            a = arrive[(d, c)] = lp.var(("arrive", d, c))
            lp.row(((a, 1), (n(d, c), -1)), hi=0)                            # a <= n(d)
            if d > 1:
                lp.row(((a, 1), (n(d - 1, c), 1)), hi=1)                     # a <= 1 - n(d-1)
                lp.row(((a, 1), (n(d, c), -1), (n(d - 1, c), 1)), lo=0)      # a >= n(d) - n(d-1)
            else:
                lp.row(((a, 1), (n(d, c), -1)), lo=0)
        lp.row(((arrive[(d, c)], 1) for d in nights), hi=1)                  # route_contiguous_stay
    if "fixed_order" in F:
        order = sorted(F["dest_order"], key=lambda x: x[1])
        for (c1, k1) in order:
            for (c2, k2) in order:
                if k1 < k2:
                    for t in nights:
                        lp.row([(arrive[(t, c2)], 1), (visit[c1], 1)] + [(arrive[(d, c1)], -1) for d in nights if d < t],
                               hi=1)

    # -- legs -----------------------------------------------------------------------------
    legs: dict[str, tuple] = {}
    for L, mode, p, c, d, dep, arr in F["leg"]:
        m = str(mode)
        if m in excluded_modes or (d == 1 and earliest is not None and dep < earliest):
            continue
        if d == N and ((latest is not None and arr > latest) or (by_midnight and arr > 1440)):
            continue
        legs[L] = (m, p, c, d, dep, arr)
    leg_cost = _leg_costs(F, people)
    moves: dict[tuple[int, str, str], list[int]] = defaultdict(list)
    for L, (m, p, c, d, dep, arr) in legs.items():
        moves[(d, p, c)].append(lp.var(("take", L), value.get(L, 0), leg_cost[L]))
    move_keys = [(1, origin, c) for c in dests] + [(N, p, origin) for p in dests] + \
        [(d, p, c) for d in range(2, N) for p in dests for c in dests if p != c]
    for key in moves:
        if key not in move_keys:
            for y in moves[key]:
                lp.fix(y, 0.0)
    # transport_car_left_behind: a trip that drives its own car drives every leg
    drives = [y for L, (m, *_rest) in legs.items() for y in [lp.index[("take", L)]] if m == "drive"]
    others = [y for L, (m, *_rest) in legs.items() for y in [lp.index[("take", L)]] if m != "drive"]
    if drives and others:
        car = lp.var(("car",))
        for y in drives:
            lp.row(((y, 1), (car, -1)), hi=0)
        for y in others:
            lp.row(((y, 1), (car, 1)), hi=1)
    for (d, p, c) in move_keys:
        ys = [(y, 1) for y in moves.get((d, p, c), [])]
        if d == 1:
            lp.row(ys + [(n(1, c), -1)], 0, 0)
        elif d == N:
            lp.row(ys + [(n(N - 1, p), -1)], 0, 0)
        else:
            lp.row(ys + [(n(d - 1, p), -1), (n(d, c), -1)], lo=-1)
            lp.row(ys + [(n(d - 1, p), -1)], hi=0)
            lp.row(ys + [(n(d, c), -1)], hi=0)
    # when the traveller can be at the centre after a leg, and must leave it before one
    ready = {L: arr + buffers[m][1] + radius.get(Hub(c), 0) for L, (m, p, c, d, dep, arr) in legs.items()}
    deadline = {L: dep - buffers[m][0] - radius.get(Hub(p), 0) for L, (m, p, c, d, dep, arr) in legs.items()}

    # -- hotels ---------------------------------------------------------------------------
    forbids = defaultdict(set)
    for h, r in F["hotel_forbids"]:
        forbids[h].add(str(r))
    room = {h: str(t) for h, t in F["hotel_room"]}
    min_nights = {h: k for h, k in F["hotel_min_nights"]}
    close = {h: c for h, _, c in F["hotel_checkin"]}
    hotels_in: dict[str, list[str]] = defaultdict(list)
    for h, c in F["hotel"]:
        if c not in dests:
            continue
        if any(r in forbids[h] for r in needs):
            continue
        if rooms_wanted and room.get(h) not in rooms_wanted:
            continue
        hotels_in[c].append(h)
    hotel_var: dict[str, int] = {}
    night_cost = _night_costs(F, people)
    for c in dests:
        hs = [hotel_var.setdefault(h, lp.var(("stay", c, h))) for h in hotels_in[c]]
        lp.row([(x, 1) for x in hs] + [(visit[c], -1)], 0, 0)
        for h in hotels_in[c]:
            x = hotel_var[h]
            for d in nights:
                hn = lp.var(("hotel_night", d, h), value.get(h, 0), night_cost[h])
                lp.row(((hn, 1), (x, -1)), hi=0)
                lp.row(((hn, 1), (n(d, c), -1)), hi=0)
                lp.row(((hn, 1), (x, -1), (n(d, c), -1)), lo=-1)
            lp.row([(lp.index[("hotel_night", d, h)], 1) for d in nights] + [(x, -min_nights.get(h, 1))], lo=0)
            for L, (m, p, cc, d, dep, arr) in legs.items():
                if cc == c and h in close and ready[L] + radius.get(h, 0) > close[h]:
                    lp.row(((lp.index[("take", L)], 1), (x, 1)), hi=1)         # hotel_checkin_closed
                if p == c and deadline[L] - radius.get(h, 0) < day_start:
                    lp.row(((lp.index[("take", L)], 1), (x, 1)), hi=1)         # hotel_checkout_before_leg
        for d in nights:   # each night in the city is a night at its hotel
            lp.row([(lp.index[("hotel_night", d, h)], 1) for h in hotels_in[c]] + [(n(d, c), -1)], 0, 0)

    # -- places at slots -----------------------------------------------------------------
    kind_of = {i: "visit" for i, _ in F["attraction"]} | {i: "meal" for i, _ in F["restaurant"]}
    city_of = {i: c for i, c in F["city_of"]}
    duration = {i: u for i, u in F["duration"]}
    hours = defaultdict(list)
    for i, w, o, c in F["open"]:
        hours[(i, w)].append((o, c))
    daily = defaultdict(list)
    for i, o, c in F["open_daily"]:
        daily[i].append((o, c))
    serves = defaultdict(set)
    for i, q in F["serves"]:
        serves[i].add(q)
    place_cost = {i: p * people for i, p in F["place_price"]}

    def is_open(i: str, d: int, t: int, e: int) -> bool:
        return any(o <= t and e <= cl for o, cl in (*daily.get(i, ()), *hours.get((i, weekday[d]), ())))

    # Places that are interchangeable for scheduling (kind, city, hours, duration, distance
    # from the centre, the wanted cuisines they serve) share their slot variables: a class
    # holds a slot, and as many of its members as it holds slots are used (the best ones,
    # the program sees). A place that a keep pins to a day or time is a class of its own.
    wanted = {q for (q,) in F["cuisine_wanted"]}
    pinned = {i for _, _, _, i in F["keep_at"]}
    weather = _Weather(F)
    pinned |= weather.outdoor   # an outdoor place's slots depend on its own value and the forecast
    classes: dict[tuple, list[str]] = defaultdict(list)
    for i, kind in kind_of.items():
        c = city_of.get(i)
        if c not in dests:
            continue
        sig = (tuple(sorted(daily.get(i, ()))), tuple(sorted((w, o, cl) for (ii, w), ivs in hours.items() if ii == i
                                                             for o, cl in ivs)))
        key = (i,) if i in pinned else (kind, c, sig, duration[i], radius.get(i, 0), frozenset(serves[i] & wanted))
        classes[key].append(i)
    xs: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)   # (day, slot) -> [(class rep, var)]
    uses: dict[str, list[int]] = defaultdict(list)
    legs_out = defaultdict(list)
    legs_in = defaultdict(list)
    for L, (m, p, c, d, dep, arr) in legs.items():
        legs_out[(d, p)].append(L)
        legs_in[(d, c)].append(L)
    leaving = _Thresholds(lp, {(("out", d, p)): [(deadline[L], lp.var(("take", L))) for L in ls]
                               for (d, p), ls in legs_out.items()})
    arriving = _Thresholds(lp, {(("in", d, c)): [(-ready[L], lp.var(("take", L))) for L in ls]
                                for (d, c), ls in legs_in.items()})
    members: dict[str, list[str]] = {}
    for key, group in classes.items():
        i = group[0]
        members[i] = group
        kind, c = kind_of[i], city_of[i]
        u, r = duration[i], radius.get(i, 0)
        for d in days:
            for s, (sk, t) in slots.items():
                if (sk == "visit") != (kind == "visit"):
                    continue
                if kind == "meal":
                    lo_w, hi_w = meal_window[sk]
                    if t < lo_w or t + u > hi_w:
                        continue
                if not is_open(i, d, t, t + u):
                    continue
                loss = weather.loss(i, c, d, t, u)
                if loss is None:
                    continue   # weather.lp: too wet, hot or cold for this outdoor visit
                # on the day it arrives or leaves, a compatible leg must be taken: one that
                # leaves after the place frees the traveller, or arrives before it needs them
                out_ok = leaving.taken_from(("out", d, c), t + u + r)
                in_ok = arriving.taken_from(("in", d, c), -(t - r))
                can_stay_in = n(d, c) is not None
                can_come_from = n(d - 1, c) is not None
                if not (can_stay_in or out_ok is not None) or not (can_come_from or in_ok is not None):
                    continue
                x = lp.var(("at", d, s, i), -loss)
                xs[(d, s)].append((i, x))
                uses[i].append(x)
                lp.row([(x, 1)] + ([(n(d, c), -1)] if can_stay_in else []) + ([(out_ok, -1)] if out_ok is not None
                                                                                  else []), hi=0)
                lp.row([(x, 1)] + ([(n(d - 1, c), -1)] if can_come_from else []) + ([(in_ok, -1)] if in_ok is not None
                                                                                     else []), hi=0)
    leaving.close()
    arriving.close()
    # where the traveller is: at most one city a day, two on the day of a move (this
    # makes the linear relaxation tight: a fraction of a night cannot fill a whole slot)
    for d in days:
        here = {}
        for c in dests:
            pres = [(n(d, c), -1)] if n(d, c) is not None else []
            pres += [(n(d - 1, c), -1)] if n(d - 1, c) is not None else []
            here[c] = lp.var(("present", d, c))
            lp.row([(here[c], 1)] + pres, hi=0)
        moving = [(arrive[(d, c)], -1) for c in dests if (d, c) in arrive and d > 1]
        lp.row([(here[c], 1) for c in dests] + moving, hi=1)
        for s in slots:
            per_city = defaultdict(list)
            for i, x in xs.get((d, s), ()):
                per_city[city_of[i]].append((x, 1))
            for c, terms in per_city.items():
                lp.row(terms + [(here[c], -1)], hi=0)
    used_var: dict[str, int] = {}
    for rep, vs in uses.items():
        group = members[rep]
        for i in group:
            used_var[i] = lp.var(("used", i), value.get(i, 0), place_cost.get(i, 0))
        lp.row([(used_var[i], 1) for i in group] + [(x, -1) for x in vs], 0, 0)   # as many used as slots held
    for (d, s), lst in xs.items():
        lp.row(((x, 1) for _, x in lst), hi=1)                                 # one item per slot
    for d in days:
        for k in MEALS:
            lp.row(((x, 1) for s, (sk, _) in slots.items() if sk == k for _, x in xs.get((d, s), ())), hi=1)
        lp.row(((x, 1) for s, (sk, _) in slots.items() if sk == "visit" for _, x in xs.get((d, s), ())), hi=pace)
    if "meals_all" in F:                                                       # activity_meals_every_full_day
        for d in range(2, N):
            for k in MEALS:
                lp.row([(x, 1) for s, (sk, _) in slots.items() if sk == k for _, x in xs.get((d, s), ())]
                       + [(arrive[(d, c)], 1) for c in dests], lo=1)
    for (q,) in F["cuisine_wanted"]:                                           # activity_cuisine
        lp.row(((x, 1) for (d, s), lst in xs.items() if slots[s][0] in MEALS for i, x in lst if q in serves[i]),
               lo=1)
    _overlap_cuts(lp, xs, slots, duration, radius, city_of)
    _checkin_after_events(lp, xs, slots, duration, radius, city_of, hotels_in, hotel_var, close, arrive, nights)

    # -- budget and keeps -------------------------------------------------------------------
    budget = _num(F, "budget")
    if budget is not None:
        terms = [(lp.var(("take", L)), leg_cost[L]) for L in legs]
        terms += [(lp.index[("hotel_night", d, h)], night_cost[h]) for h in hotel_var for d in nights]
        terms += [(used_var[i], place_cost.get(i, 0)) for i in used_var]
        lp.row(terms, hi=budget)
    _keeps(lp, F)
    night_vars = {(d, c): lp.index[("night", d, c)] for d in nights for c in dests}
    value_vars = [k for k, v in enumerate(lp.obj) if v]
    return lp, Layout(n_days=N, origin=origin, dests=dests, visit_count=K, night_vars=night_vars,
                      value_vars=value_vars)


class _Thresholds:
    """Sums of the legs of a group (a day's legs out of, or into, a city) whose time is at
    least a threshold, as variables: one chain of partial sums per group, so that each
    place-slot row names one variable instead of every compatible leg."""

    def __init__(self, lp: LinearProgram, groups: dict[tuple, list[tuple[int, int]]]):
        self.lp = lp
        self.groups = {g: sorted(legs, key=lambda t: -t[0]) for g, legs in groups.items()}
        self.made: dict[tuple, dict[int, int]] = {}

    def taken_from(self, group: tuple, threshold: int) -> int | None:
        """A variable equal to the sum of the group's legs with time >= threshold (None: no such leg)."""
        legs = self.groups.get(group)
        if not legs:
            return None
        j = 0
        while j < len(legs) and legs[j][0] >= threshold:
            j += 1
        if j == 0:
            return None
        made = self.made.setdefault(group, {})
        if j not in made:
            made[j] = self.lp.var(("legs_from", group, j))
        return made[j]

    def close(self) -> None:
        """Chain rows: each partial sum is the previous one plus the legs between them."""
        for group, made in self.made.items():
            legs = self.groups[group]
            prev_j, prev_v = 0, None
            for j in sorted(made):
                v = made[j]
                terms = [(v, 1)] + ([(prev_v, -1)] if prev_v is not None else []) + [(y, -1) for _, y in legs[prev_j:j]]
                self.lp.row(terms, 0, 0)
                prev_j, prev_v = j, v


class _Weather:
    """weather.lp on the program: the slots an outdoor visit may not take, or what it loses
    there when the traveller accepts bad weather (``weather_soft``)."""

    def __init__(self, F: dict[str, list[tuple]]):
        self.outdoor = {i for (i,) in F.get("outdoor", [])}
        self.rain: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
        for c, d, h, p in F.get("rain", []):
            self.rain[(c, d)].append((h, p))
        self.temp: dict[tuple[str, int], list[tuple[int, int, int]]] = defaultdict(list)
        for c, d, h, lo, hi in F.get("temp", []):
            self.temp[(c, d)].append((h, lo, hi))
        self.threshold = _num(F, "rain_threshold")
        self.heat = _num(F, "heat_limit")
        self.cold = _num(F, "cold_limit")
        self.long = _num(F, "long_visit")
        self.soft = "weather_soft" in F
        self.pref = {i: w for i, w in F.get("pref", []) if i in self.outdoor}

    def loss(self, i: str, c: str, d: int, t: int, u: int) -> int | None:
        """What placing outdoor place ``i`` from ``t`` for ``u`` minutes on day ``d`` loses
        (0: nothing), or None when weather.lp forbids it."""
        if i not in self.outdoor:
            return 0
        def over(h: int) -> bool:
            return h < t + u and h + 60 > t
        shares = [p for h, p in self.rain.get((c, d), ()) if over(h) and self.threshold is not None
                  and p >= self.threshold]
        if self.long is not None and u >= self.long:
            temps = [(lo, hi) for h, lo, hi in self.temp.get((c, d), ()) if over(h)]
            if (self.heat is not None and any(hi >= self.heat for _, hi in temps)) or (
                    self.cold is not None and any(lo <= self.cold for lo, _ in temps)):
                shares.append(50)
        if not shares:
            return 0
        if not self.soft:
            return None
        w = self.pref.get(i, 0)
        return w * max(shares) // 100 if w > 0 else 0


def _leg_costs(F: dict[str, list[tuple]], people: int) -> dict[str, int]:
    cap = {L: c for L, c in F["leg_capacity"]}
    out = {}
    for L, a, basis in F["leg_price"]:
        out[L] = a * people if str(basis) == "person" else a * (-(-people // cap[L]))
    return out


def _night_costs(F: dict[str, list[tuple]], people: int) -> dict[str, int]:
    occ = {h: o for h, o in F["hotel_occupancy"]}
    return {h: a * people if str(basis) == "person" else a * (-(-people // occ[h])) for h, a, basis in F["hotel_price"]}


def _overlap_cuts(lp: LinearProgram, xs: dict, slots: dict, duration: dict, radius: dict, city_of: dict) -> None:
    """activity_overlap, exactly: for two slots of a day, every place at the first that frees
    the traveller after a threshold conflicts with every place at the second that needs them
    to leave the centre by it (an interval order: one biclique row per threshold)."""
    by_day: dict[int, list[int]] = defaultdict(list)
    for d, s in xs:
        by_day[d].append(s)
    for d, ss in by_day.items():
        ss.sort()
        for a_pos, s1 in enumerate(ss):
            t1 = slots[s1][1]
            first = defaultdict(list)
            for i, x in xs[(d, s1)]:
                first[city_of[i]].append((t1 + duration[i] + radius.get(i, 0), x))
            for s2 in ss[a_pos + 1:]:
                t2 = slots[s2][1]
                second = defaultdict(list)
                for j, x in xs[(d, s2)]:
                    second[city_of[j]].append((t2 - radius.get(j, 0), x))
                for c, fs in first.items():
                    ns = second.get(c)
                    if not ns or max(f for f, _ in fs) <= min(v for v, _ in ns):
                        continue
                    for th in sorted({v for v, _ in ns}):
                        left = [(x, 1) for f, x in fs if f > th]
                        right = [(x, 1) for v, x in ns if v <= th]
                        if left and right:
                            lp.row(left + right, hi=1)


def _checkin_after_events(lp: LinearProgram, xs: dict, slots: dict, duration: dict, radius: dict, city_of: dict,
                          hotels_in: dict, hotel_var: dict, close: dict, arrive: dict, nights: range) -> None:
    """hotel_checkin_after_events: on the arrival day, the last place must let the traveller
    reach the hotel before its desk closes."""
    for (d, s), lst in xs.items():
        if d not in nights:
            continue
        t = slots[s][1]
        by_city = defaultdict(list)
        for i, x in lst:
            by_city[city_of[i]].append((i, x))
        for c, items in by_city.items():
            for h in hotels_in.get(c, ()):
                if h not in close:
                    continue
                late_ones = [(x, 1) for i, x in items if t + duration[i] + radius.get(i, 0) + radius.get(h, 0) > close[h]]
                if late_ones:
                    lp.row(late_ones + [(hotel_var[h], 1), (arrive[(d, c)], 1)], hi=2)


def _keeps(lp: LinearProgram, F: dict[str, list[tuple]]) -> None:
    """keep.lp: every hard keep holds (soft keeps only lower the value; left out)."""
    hard = {k for k, _, mode in F["keep"] if str(mode) == "hard"}
    ways: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for k, L in F["keep_take"]:
        if ("take", L) in lp.index:
            ways[k].append((lp.index[("take", L)], 1))
    for k, d, s, i in F["keep_at"]:
        if ("at", d, s, i) in lp.index:
            ways[k].append((lp.index[("at", d, s, i)], 1))
    for k, i in F["keep_used"]:
        if ("used", i) in lp.index:
            ways[k].append((lp.index[("used", i)], 1))
    stays = {k: h for k, h in F["keep_stay"]}
    for k in hard:
        if k in stays:
            h = stays[k]
            x = next((v for (name, *rest), v in lp.index.items() if name == "stay" and rest[-1] == h), None)
            if x is None:
                lp.row((), lo=1)        # the hotel cannot be used at all
                continue
            lp.row(((x, 1),), lo=1)
            for kk, d, c in F["keep_night"]:
                if kk == k:
                    v = lp.index.get(("night", d, c))
                    lp.row(((v, 1),) if v is not None else (), lo=1)
        else:
            lp.row(ways.get(k, ()), lo=1)
