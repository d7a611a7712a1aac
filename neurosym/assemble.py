"""Assembly: an answer of the rules -> a timed :class:`~neurosym.itinerary.Itinerary`.

:func:`build_itinerary` reads the :class:`~neurosym.answer.Plan` (which places at which
slots, which hotel in which city, which ways to make the moves) and builds each day's
timeline: check-out, meals and visits at their slot times with transfers in between,
the leg with its station buffers, check-in; then the costs and one justification per
chosen item (the rules it was checked against come from
:func:`neurosym.rules.applicable_rules`, the model the explanation engine uses too).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .answer import Answer
from .catalog import Attraction, Hotel, Restaurant, category, duration, leg_name, minutes
from .costs import leg_cost, leg_units, night_cost, place_cost, rooms
from .itinerary import Day, Event, Itinerary, Justification, Leg, Stay
from .problem import BUFFERS, Problem
from .rules import applicable_rules, core_paths, rule_catalog, weather_rule_names
from .travel import hub_id


def build_itinerary(problem: Problem, answer: Answer, rules: Sequence[str | Path] = (),
                    model: Any = None) -> Itinerary:
    """Turn an answer into a timed :class:`Itinerary` with costs and justifications."""
    req, idx, plan = problem.request, problem.index, answer.plan
    people = req.travelers.people
    nights = dict(sorted(plan.night))
    stays_by_city = dict(sorted(plan.stay))
    legs_by_day = {problem.legs[k].day: problem.legs[k] for k in plan.take}
    events_by_day: dict[int, list[tuple[int, str, str]]] = {}
    for d, s, i in sorted(plan.at):
        kind, t = problem.slots[s]
        events_by_day.setdefault(d, []).append((t, kind, i))
    cities = plan.route()

    days: list[Day] = []
    for d in range(1, req.n_days + 1):
        start_city = nights.get(d - 1, req.origin)
        end_city = nights.get(d, req.origin)
        days.append(Day(day=d, date=req.day_date(d), start_city=start_city, end_city=end_city,
                        events=_day_events(problem, d, start_city, end_city, legs_by_day.get(d),
                                           sorted(events_by_day.get(d, [])), stays_by_city)))

    legs = [Leg(day=o.day, item_id=o.item.id, mode=o.mode, origin=o.origin, destination=o.destination,
                departure=o.departure, arrival=o.arrival, units=leg_units(o.item, people),
                cost=leg_cost(o.item, people) / 100) for o in sorted(legs_by_day.values(), key=lambda o: o.day)]
    stays = []
    for city in cities:
        h = idx[stays_by_city[city]]
        assert isinstance(h, Hotel)
        first = min(d for d, c in nights.items() if c == city)
        n = sum(1 for c in nights.values() if c == city)
        stays.append(Stay(city=city, hotel_id=h.id, name=h.name, check_in=req.day_date(first), nights=n,
                          rooms=rooms(h, people), cost=night_cost(h, people) * n / 100))
    placed = [idx[i] for _, _, i in sorted(plan.at)]
    by_cat = {"transport": round(sum(leg.cost for leg in legs), 2),
              "hotel": round(sum(s.cost for s in stays), 2),
              "attraction": sum(place_cost(p, people) for p in placed if isinstance(p, Attraction)) / 100,
              "restaurant": sum(place_cost(p, people) for p in placed if isinstance(p, Restaurant)) / 100}
    total = round(sum(by_cat.values()), 2)
    it = Itinerary(origin=req.origin, cities=cities, days=days, stays=stays, legs=legs, total_cost=total,
                   costs_by_category=by_cat, optimal=answer.optimal, objective=answer.cost, bound=answer.bound,
                   stats=answer.stats, weather=problem.weather)
    it.justifications = justify(problem, answer, it, rules, model)
    return it


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _travel(problem: Problem, city: str, a: str, b: str) -> int:
    return 0 if a == b else problem.travel[city][(a, b)]


def _day_events(problem: Problem, d: int, start_city: str, end_city: str, leg: Any,
                placed: list[tuple[int, str, str]], stays: dict[str, str]) -> list[Event]:
    """The day's timeline: check-out, meals and visits with transfers, the leg, check-in."""
    idx, people = problem.index, problem.request.travelers.people
    events: list[Event] = []
    # (time, city, place id) of the traveller's last position, to insert transfers
    items = [(t, kind, idx[i]) for t, kind, i in placed]
    before = [x for x in items if leg is None or x[2].city == leg.origin]
    after = [x for x in items if leg is not None and x[2].city == leg.destination]

    def add_visits(seq: list[tuple[int, Any]], city: str, pos: str | None) -> str | None:
        for t, kind, it in seq:
            if pos is not None and pos != it.id:
                m = _travel(problem, city, pos, it.id)
                events.append(Event(kind="transfer", start=t - m, end=t, city=city, item_id=it.id,
                                    name=f"to {it.name}"))
            dur = duration(it)
            events.append(Event(kind=kind, start=t, end=t + dur, city=city, item_id=it.id, name=it.name,
                                cost=place_cost(it, people) / 100))
            pos = it.id
        return pos

    if leg is not None and start_city != problem.request.origin:
        hotel = idx[stays[start_city]]
        b_before = BUFFERS[leg.mode][0]
        to_hub = _travel(problem, start_city, hotel.id, hub_id(start_city))
        out = min(minutes(hotel.check_out), leg.departure - b_before - to_hub)
        if before:
            out = min(out, before[0][0] - _travel(problem, start_city, hotel.id, before[0][2].id))
        events.append(Event(kind="check_out", start=out, end=out, city=start_city, item_id=hotel.id, name=hotel.name))
    pos: str | None = stays.get(start_city) if start_city != problem.request.origin else None
    if leg is None:
        pos = add_visits(before, start_city, pos)
    else:
        pos = add_visits(before, leg.origin, pos)
        b_before, b_after = BUFFERS[leg.mode]
        if leg.origin != problem.request.origin and pos is not None:
            m = _travel(problem, leg.origin, pos, hub_id(leg.origin))
            events.append(Event(kind="transfer", start=leg.departure - b_before - m, end=leg.departure - b_before,
                                city=leg.origin, name="to the station" if leg.mode != "flight" else "to the airport"))
        events.append(Event(kind=leg.mode, start=leg.departure, end=leg.arrival, city=leg.origin,
                            to_city=leg.destination, item_id=leg.item.id,
                            name=_capital(leg_name(leg.item, leg.departure)),
                            cost=leg_cost(leg.item, people) / 100))
        pos = hub_id(leg.destination)
        arrived = leg.arrival + b_after
        if after:
            first_t, _, first = after[0]
            m = _travel(problem, leg.destination, pos, first.id)
            events.append(Event(kind="transfer", start=first_t - m, end=first_t, city=leg.destination,
                                item_id=first.id, name=f"to {first.name}"))
            pos = add_visits(after, leg.destination, first.id)
        if leg.destination != problem.request.origin:
            hotel = idx[stays[leg.destination]]
            if after:
                last_t, _, last = after[-1]
                end = last_t + duration(last)
                ready = end + _travel(problem, leg.destination, last.id, hotel.id)
            else:
                ready = arrived + _travel(problem, leg.destination, hub_id(leg.destination), hotel.id)
            t_in = max(ready, minutes(hotel.check_in_start))
            events.append(Event(kind="check_in", start=t_in, end=t_in, city=leg.destination, item_id=hotel.id,
                                name=hotel.name, cost=0.0))
    events.sort(key=lambda e: (e.start, e.end))
    return events


def justify(problem: Problem, answer: Answer, it: Itinerary, rules: Sequence[str | Path] = (),
            model: Any = None) -> list[Justification]:
    """One justification per chosen item: its score, the rules it was checked against, its cost."""
    user = [Path(p) for p in rules]
    where = {name: info.where for name, info in rule_catalog(user).items()}
    by_cat = applicable_rules([*core_paths(), *user])
    weather = weather_rule_names()
    checked = {cat: [f"{n} ({where[n]})" for n in names if n not in weather] for cat, names in by_cat.items()}
    outdoor = [f"{n} ({where[n]})" for n in by_cat["attraction"] if n in weather]
    idx, people = problem.index, problem.request.travelers.people
    out: list[Justification] = []
    seen: set[str] = set()
    options = {(o.day, o.item.id): k for k in answer.plan.take for o in [problem.legs[k]]}
    for leg in it.legs:
        seen.add(leg.item_id)
        key = options[(leg.day, leg.item_id)]
        out.append(_one(problem, idx[leg.item_id], key, leg.cost, checked["transport"], model))
    for st in it.stays:
        out.append(_one(problem, idx[st.hotel_id], st.hotel_id, st.cost, checked["hotel"], model))
    for day in it.days:
        for ev in day.events:
            if ev.kind in ("visit", "breakfast", "lunch", "dinner") and ev.item_id not in seen:
                seen.add(ev.item_id)
                item = idx[ev.item_id]
                rules_of = checked[category(item)] + (outdoor if problem.weather_checks(item.id) else [])
                out.append(_one(problem, item, item.id, place_cost(item, people) / 100, rules_of, model))
    return out


def _one(problem: Problem, item: Any, key: Any, cost: float, checked: list[str], model: Any) -> Justification:
    score = problem.score(key) or 0.0
    contributions: list[tuple[str, float]] = []
    if model is not None:
        contributions = [(c.source, float(c.weight)) for c in model.explain(item)[:3]]
        why = "preference {:.2f} from your history ({})".format(
            score, ", ".join(f"{s} {w:+.2f}" for s, w in contributions) or "no strong signal")
    elif category(item) != "transport":
        why = f"preference {score:.2f} (prior: rating {item.rating:.1f}/5)"
    else:
        why = f"preference {score:.2f} (prior: civil departure time and short journey)"
    text = f"{why}; cost {cost:.2f}; obeys {len(checked)} rules"
    name = item.name if category(item) != "transport" else _capital(leg_name(item))
    return Justification(item_id=item.id, name=name, category=category(item), text=text, rules=list(checked),
                         preference=round(score, 4), contributions=contributions, cost=cost)
