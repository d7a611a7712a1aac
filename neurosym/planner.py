"""``plan_itinerary``: request + catalog -> the best itinerary that obeys every rule."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .catalog import Attraction, Catalog, Flight, GroundLeg, Hotel, Restaurant, clock, minutes
from .costs import leg_cost, leg_units, night_cost, place_cost, rooms
from .itinerary import Day, Event, Itinerary, Justification, Leg, Stay
from .limits import check_time_limit
from .problem import BUFFERS, Problem, Scorer, build_problem
from .request import TripRequest
from .rules import check_user_file, rule_catalog
from .solve import Answer, solve
from .travel import hub_id

log = logging.getLogger("neurosym")


class NoItinerary(Exception):
    """Raised by :func:`plan_itinerary` when no itinerary obeys every rule.

    ``violations`` lists, for the itinerary that breaks the fewest rules, each broken
    rule as ``(rule name, message)``; ``message`` says it in one sentence.

    ``diagnosis`` (a :class:`neurosym.explain.Diagnosis`) says why and what to do:
    ``conflict`` is a minimal set of the traveller's own constraints that cannot hold
    together (dropping any one of them makes the rest feasible: verified by
    re-solving), ``frame`` is true when even with all of them set aside the dates,
    cities and catalog do not fit, and ``repairs`` are changes to the request (the
    smallest budget that works, the nearest dates that work, a house rule, cuisine or
    transport exclusion to drop, the later or earlier leg to take), each confirmed by
    re-planning before it is listed.
    """

    def __init__(self, message: str, violations: list[tuple[str, str]] | None = None, diagnosis: Any = None):
        super().__init__(message)
        self.message = message
        self.violations = violations or []
        self.diagnosis = diagnosis

    @property
    def conflict(self) -> list[Any]:
        """A minimal set of the traveller's constraints that cannot hold together."""
        return list(self.diagnosis.conflict) if self.diagnosis is not None else []

    @property
    def repairs(self) -> list[Any]:
        """Confirmed changes to the request that make it plannable."""
        return list(self.diagnosis.repairs) if self.diagnosis is not None else []

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": "no_itinerary", "message": self.message,
                               "violations": [{"rule": r, "message": m} for r, m in self.violations]}
        d = self.diagnosis
        if d is not None:
            out["conflict"] = [c.model_dump() for c in d.conflict]
            out["conflicts"] = [[c.model_dump() for c in m] for m in d.conflicts]
            out["frame"] = d.frame
            out["repairs"] = [r.model_dump(mode="json") for r in d.repairs]
            budget = next((r.changes["budget"] for r in d.repairs
                           if r.kind == "budget" and r.confirmed and "budget" in r.changes), None)
            if budget is not None:
                out["smallest_budget"] = budget
            out["checks"] = list(d.checks)
        return out

    def _repr_html_(self) -> str:
        from .display import no_itinerary_html
        return no_itinerary_html(self)


@dataclass(frozen=True)
class Progress:
    """A better itinerary, found while the search goes on (see ``plan_itinerary(progress=...)``).

    ``elapsed`` is seconds since the search started (grounding included), ``found`` counts
    the itineraries found so far (each better than the one before), ``objective`` is the
    itinerary's objective (as :attr:`Itinerary.objective`) and ``itinerary`` the itinerary
    itself, which obeys every rule; it is not yet known to be the best.
    """

    elapsed: float
    found: int
    objective: list[int]
    itinerary: Itinerary


def plan_itinerary(request: TripRequest, catalog: Catalog | None = None, *, history: Any = None,
                   model: Any = None, rules: Sequence[str | Path] = (), time_limit: float | None = 10.0,
                   scorer: Scorer | None = None, prune: bool | None = None,
                   progress: Callable[[Progress], Any] | None = None) -> Itinerary:
    """Plan the best itinerary for ``request`` from ``catalog`` (default: the demo catalog).

    Preference comes from ``scorer`` (a function from catalog items to scores in [0, 1]),
    else from ``model`` (a fitted :class:`neurosym.preferences.PreferenceModel`), else
    from a model fitted on ``history``, else from the documented prior. ``rules`` are
    extra rule files, enforced like the shipped ones. ``time_limit`` is wall-clock
    seconds for grounding and search: when it runs out, the best itinerary found so far
    is returned with ``optimal=False`` (the search always goes on to a first itinerary,
    for up to 10 s in all; ``None`` searches until optimality is proven). ``prune`` removes
    dominated candidates before solving (exact, see :mod:`neurosym.dominance`); by
    default it is on unless extra rule files are given, since a user rule may single
    out one candidate.

    ``progress`` is called with a :class:`Progress` each time the search finds a better
    itinerary (from the solver's thread, so keep it short); returning False stops the
    search, and the itinerary of that call is returned (``optimal=False``). A web page
    uses it to show the best itinerary so far and to cancel.

    Raises :class:`NoItinerary` when no itinerary obeys every rule, and
    :class:`~neurosym.problem.PlanningInputError` or
    :class:`~neurosym.rules.RuleFileError` on bad input.
    """
    check_time_limit(time_limit)
    for path in rules:  # bad rule files are reported before any work is done
        check_user_file(path)
    if catalog is None:
        from .demo import load_demo_catalog
        catalog = load_demo_catalog()
    scorer, pref_model = _scorer(scorer, model, history, catalog)
    problem = build_problem(request, catalog, scorer, prune_dominated=not rules if prune is None else prune)
    on_answer = None
    if progress is not None:
        found = [0]

        def on_answer(atoms: dict[str, list[tuple[Any, ...]]], cost: list[int], elapsed: float) -> bool:
            found[0] += 1
            it = build_itinerary(problem, Answer(atoms=atoms, optimal=False, cost=cost), rules, pref_model)
            return progress(Progress(elapsed=elapsed, found=found[0], objective=list(cost), itinerary=it)) is not False

    answer = solve(problem.facts, rules, time_limit=time_limit, on_answer=on_answer)
    if answer is None:
        raise diagnose(problem, rules)
    it = build_itinerary(problem, answer, rules, pref_model)
    log.debug("itinerary planned: optimal=%s objective=%s stats=%s", it.optimal, it.objective, it.stats)
    it._attach_explanations(problem, rules, pref_model)  # it.trace / why / why_not, computed on demand
    return it


def _scorer(scorer: Scorer | None, model: Any, history: Any, catalog: Catalog) -> tuple[Scorer | None, Any]:
    if scorer is not None:
        return scorer, None
    if model is None and history is not None and (history.items or history.likes or history.dislikes):
        from .preferences import PreferenceModel
        model = PreferenceModel().fit(history, catalog=catalog)
    if model is not None:
        return model.score, model
    return None, None


def diagnose(problem: Problem, rules: Sequence[str | Path] = (), *, time_limit: float = 5.0,
             confirm_time_limit: float = 2.0, search_dates: bool | None = None) -> NoItinerary:
    """Why no itinerary exists, and what would make one exist.

    The traveller's constraints that cannot hold together (a minimal set, found with
    clingo assumptions and unsat cores, shrunk by deletion and verified by re-solving),
    the rules broken by the itinerary that breaks the fewest, and repairs confirmed by
    re-planning (see :func:`neurosym.explain.diagnose_problem`; ``search_dates`` None
    searches nearby dates when the conflict can depend on them).
    """
    from .explain import confirming, diagnose_problem
    if confirming():  # re-planning to confirm a repair: a failure needs no diagnosis of its own
        return NoItinerary("No itinerary obeys every rule (checked while confirming a repair).")
    d = diagnose_problem(problem, rules, time_limit=time_limit, confirm_time_limit=confirm_time_limit,
                         search_dates=search_dates)
    found = [(b.rule, b.text) for b in d.violations]
    if d.frame:
        head = ("No itinerary exists even with your own constraints set aside: the dates, cities and "
                "catalog do not fit")
    elif d.conflicts:
        head = "No itinerary obeys every rule: " + "; and ".join(
            "your " + ", ".join(c.text for c in m) + (" cannot hold together" if len(m) > 1 else " cannot be met")
            for m in d.conflicts)
    else:
        head = "No itinerary obeys every rule"
    if found:
        head += (f". The closest itinerary breaks {len(found)} rule{'s' if len(found) != 1 else ''}: "
                 + "; ".join(f"{r}: {m}" for r, m in found))
    elif d.frame:
        head += " (no way to move between the cities on the trip's days)"
    if d.repairs:
        head += ". Repairs (each confirmed by re-planning): " + "; ".join(r.text for r in d.repairs)
    return NoItinerary(head + ".", found, d)


# -- reading the answer ------------------------------------------------------------------

def _night_cities(answer: Answer) -> dict[int, str]:
    return {int(d): str(c) for d, c in answer.get("night")}  # type: ignore[arg-type]


def build_itinerary(problem: Problem, answer: Answer, rules: Sequence[str | Path] = (),
                    model: Any = None) -> Itinerary:
    """Turn clingo's answer into a timed :class:`Itinerary` with costs and justifications."""
    req, idx = problem.request, problem.index
    people = req.travelers.people
    nights = _night_cities(answer)
    stays_by_city = {str(c): str(h) for c, h in answer.get("stay")}
    legs_by_day = {problem.legs[str(k[0])].day: problem.legs[str(k[0])] for k in answer.get("take")}
    events_by_day: dict[int, list[tuple[int, str, str]]] = {}
    for d, s, i in answer.get("at"):
        kind, t = problem.slots[int(s)]  # type: ignore[arg-type]
        events_by_day.setdefault(int(d), []).append((t, "visit" if kind == "visit" else kind, str(i)))
    order = [c for _, c in sorted((d, c) for d, c in nights.items())]
    cities = list(dict.fromkeys(order))

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
    placed = [idx[i] for evs in events_by_day.values() for _, _, i in evs]
    by_cat = {"transport": round(sum(leg.cost for leg in legs), 2),
              "hotel": round(sum(s.cost for s in stays), 2),
              "attraction": sum(place_cost(p, people) for p in placed if isinstance(p, Attraction)) / 100,
              "restaurant": sum(place_cost(p, people) for p in placed if isinstance(p, Restaurant)) / 100}
    total = round(sum(by_cat.values()), 2)
    it = Itinerary(origin=req.origin, cities=cities, days=days, stays=stays, legs=legs, total_cost=total,
                   costs_by_category=by_cat, optimal=answer.optimal, objective=answer.cost,
                   stats=answer.stats)
    it.justifications = justify(problem, it, rules, model)
    return it


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
            dur = it.duration_min if isinstance(it, Attraction) else it.meal_duration_min
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
                            to_city=leg.destination, item_id=leg.item.id, name=_leg_name(leg),
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
                end = last_t + (last.duration_min if isinstance(last, Attraction) else last.meal_duration_min)
                ready = end + _travel(problem, leg.destination, last.id, hotel.id)
            else:
                ready = arrived + _travel(problem, leg.destination, hub_id(leg.destination), hotel.id)
            t_in = max(ready, minutes(hotel.check_in_start))
            events.append(Event(kind="check_in", start=t_in, end=t_in, city=leg.destination, item_id=hotel.id,
                                name=hotel.name, cost=0.0))
    events.sort(key=lambda e: (e.start, e.end))
    return events


def _leg_name(leg: Any) -> str:
    if isinstance(leg.item, Flight):
        return f"Flight {leg.item.number} {leg.origin} {clock(leg.departure)} -> {leg.destination} {clock(leg.arrival)}"
    return f"{leg.mode.capitalize()} {leg.origin} -> {leg.destination} ({leg.item.duration_min} min)"


_RULE_PREFIX = {"transport": ("transport_", "route_", "budget_"), "hotel": ("hotel_", "budget_"),
                "attraction": ("activity_", "budget_"), "restaurant": ("activity_", "budget_")}


def justify(problem: Problem, it: Itinerary, rules: Sequence[str | Path] = (), model: Any = None) -> list[Justification]:
    """One justification per chosen item: its score, the rules it was checked against, its cost."""
    info = rule_catalog(tuple(Path(p) for p in rules))
    core = {name for name in info if any(name.startswith(p) for ps in _RULE_PREFIX.values() for p in ps)}
    user = [f"{n} ({info[n].where})" for n in sorted(set(info) - core)]
    checked = {cat: [f"{n} ({r.where})" for n, r in info.items() if n.startswith(prefix)] + user
               for cat, prefix in _RULE_PREFIX.items()}
    idx, people = problem.index, problem.request.travelers.people
    out: list[Justification] = []
    seen: set[str] = set()
    for leg in it.legs:
        seen.add(leg.item_id)
        key = next(k for k, o in problem.legs.items() if o.item.id == leg.item_id and o.day == leg.day
                   and o.departure == leg.departure)
        out.append(_one(problem, idx[leg.item_id], "transport", key, leg.cost, checked["transport"], model))
    for st in it.stays:
        out.append(_one(problem, idx[st.hotel_id], "hotel", st.hotel_id, st.cost, checked["hotel"], model))
    for day in it.days:
        for ev in day.events:
            if ev.kind in ("visit", "breakfast", "lunch", "dinner") and ev.item_id not in seen:
                seen.add(ev.item_id)
                item = idx[ev.item_id]
                cat = "attraction" if isinstance(item, Attraction) else "restaurant"
                out.append(_one(problem, item, cat, item.id, place_cost(item, people) / 100, checked[cat], model))
    return out


def _one(problem: Problem, item: Any, category: str, key: str, cost: float, checked: list[str],
         model: Any) -> Justification:
    score = problem.scores.get(key, problem.scores.get(item.id, 0.0))
    contributions: list[tuple[str, float]] = []
    if model is not None:
        contributions = [(c.source, float(c.weight)) for c in model.explain(item)[:3]]
        why = "preference {:.2f} from your history ({})".format(
            score, ", ".join(f"{s} {w:+.2f}" for s, w in contributions) or "no strong signal")
    elif isinstance(item, (Hotel, Attraction, Restaurant)):
        why = f"preference {score:.2f} (prior: rating {item.rating:.1f}/5)"
    else:
        why = f"preference {score:.2f} (prior: civil departure time and short journey)"
    text = f"{why}; cost {cost:.2f}; obeys {len(checked)} rules"
    return Justification(item_id=item.id, name=item.name if hasattr(item, "name") else _leg_label(item),
                         category=category, text=text, rules=list(checked), preference=round(score, 4),
                         contributions=contributions, cost=cost)


def _leg_label(item: Flight | GroundLeg) -> str:
    if isinstance(item, Flight):
        return f"Flight {item.number} {item.origin} -> {item.destination}"
    return f"{item.mode.capitalize()} {item.origin} -> {item.destination}"
