"""Generated planning scenarios (hypothesis strategies) and the checks every answer must pass.

Shared by the property tests (``tests/test_properties.py``, a bounded number of
examples) and the soak run (``benchmarks/soak.py --n N``, the same checks at scale).

A scenario is a valid catalog and request: hostile strings (quotes, backslashes, ASP
syntax, any Unicode a model accepts) as names and ids, and numbers anywhere in their
valid ranges, up to the model's limits. :func:`check` plans it and checks the answer:

* an itinerary must pass :func:`neurosym.verify`, and so must the last three better
  itineraries the search reported on the way (``progress``);
* its JSON must load back to an equal itinerary that passes too;
* the request tightened to exactly what the itinerary uses (its cities in its order,
  its hotels' room types, its modes, its first departure and last arrival, its pace,
  every item kept where it is, and its cost as the budget) must still be plannable.

Anything else than an itinerary, :class:`~neurosym.NoItinerary` or a ``TimeoutError``
is an unexpected error.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from hypothesis import strategies as st

from neurosym import NoItinerary, plan_itinerary, verify
from neurosym.catalog import (Attraction, Catalog, City, Flight, GroundLeg, Hotel, HouseRules, OpeningHours,
                              Restaurant)
from neurosym.itinerary import Itinerary
from neurosym.limits import MAX_BUDGET, MAX_CAPACITY, MAX_PRICE
from neurosym.request import DaySlots, Keep, Travelers, TripRequest

START = date(2026, 6, 1)
HOSTILE = ['Bob\'s "Bar". :- x.', "a\\", '"', "%", "#show.", "}", "\n", "x.\n#script (python)", "ünïcødé",
           "東京", "\u202eevil", "🙂", " ", "(1,2)", "hub(\"x\")", "a:a:zoo", "train:Home>Alpha@1@720"]


def text(min_size: int = 1) -> st.SearchStrategy[str]:
    """Names and ids: hostile snippets, or any text a model accepts (no NUL, no lone surrogate)."""
    any_text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\0"),
                       min_size=min_size, max_size=12)
    return st.one_of(st.sampled_from(HOSTILE), any_text, st.sampled_from(["Alpha", "Beta", "Gamma"]))


def money() -> st.SearchStrategy[float]:
    """Prices: mostly everyday, sometimes at the limit, sometimes with odd cents."""
    return st.one_of(st.integers(0, 200).map(float), st.integers(0, 200).map(float),
                     st.floats(0, 500, allow_nan=False).map(lambda x: round(x, 3)),
                     st.just(float(MAX_PRICE)), st.integers(1000, MAX_PRICE).map(float))


def hours() -> st.SearchStrategy[OpeningHours]:
    return st.one_of(
        st.just(OpeningHours(always=True)), st.just(OpeningHours(always=True)),
        st.tuples(st.integers(0, 12), st.integers(13, 23), st.sets(st.sampled_from(
            ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), max_size=2)).map(
            lambda t: OpeningHours.daily(f"{t[0]:02d}:00", f"{t[1]:02d}:00", closed=tuple(t[2]))))


@st.composite
def catalogs(draw: st.DrawFn, n_days: int = 4) -> Catalog:
    """Home and one to three cities, with flights, ground legs, hotels and places."""
    n_cities = draw(st.integers(1, 3))
    names = draw(st.lists(text(), min_size=n_cities + 1, max_size=n_cities + 1, unique=True))
    home, dests = names[0], names[1:]
    cities = [City(name=c, lat=draw(st.floats(-60, 60)), lon=draw(st.floats(-170, 170))) for c in names]
    ids = iter(draw(st.lists(text(), min_size=200, max_size=200, unique=True)))
    flights, ground = [], []
    pairs = [(home, d) for d in dests] + [(d, home) for d in dests] + \
        [(a, b) for a in dests for b in dests if a != b]
    for a, b in pairs:
        for day in range(n_days):
            for _ in range(draw(st.integers(0, 2))):
                dep = draw(st.integers(5 * 60, 21 * 60))
                arr = dep + draw(st.integers(30, 4 * 60))
                flights.append(Flight(number=next(ids), origin=a, destination=b, date=START + timedelta(days=day),
                                      departure=time(dep // 60, dep % 60),
                                      arrival=time((arr // 60) % 24, arr % 60), arrival_day_offset=arr // 1440,
                                      price=draw(money()), id=next(ids)))
        for _ in range(draw(st.sampled_from([1, 1, 1, 2, 0]))):  # mostly a ground leg, so most trips can be made
            ground.append(GroundLeg(id=next(ids), mode=draw(st.sampled_from(["drive", "taxi", "train"])),
                                    origin=a, destination=b, duration_min=draw(st.integers(20, 600)),
                                    cost=draw(money()), cost_basis=draw(st.sampled_from(["per_vehicle", "per_person"])),
                                    vehicle_capacity=draw(st.integers(1, MAX_CAPACITY)),
                                    departures=draw(st.lists(st.integers(8, 20).map(time), min_size=1, max_size=3))))
    hotels, attractions, restaurants = [], [], []
    for c in dests:
        for _ in range(draw(st.integers(1, 3))):
            hotels.append(Hotel(
                id=next(ids), name=draw(text()), city=c, price=draw(money()),
                price_basis=draw(st.sampled_from(["per_room", "per_person"])),
                room_type=draw(st.sampled_from(["entire_home", "private_room", "shared_room", "hotel_room"])),
                max_occupancy=draw(st.integers(1, MAX_CAPACITY)), min_nights=draw(st.sampled_from([1, 1, 1, 2, 3])),
                check_in_end=draw(st.sampled_from([time(0, 0), time(0, 0), time(22, 0), time(23, 30)])),
                house_rules=HouseRules(pets=draw(st.integers(0, 3)) > 0, children=draw(st.integers(0, 3)) > 0,
                                       smoking=draw(st.booleans())),
                rating=draw(st.floats(0, 5))))
        for _ in range(draw(st.integers(0, 4))):
            attractions.append(Attraction(id=next(ids), name=draw(text()), city=c, hours=draw(hours()),
                                          duration_min=draw(st.integers(30, 240)), price=draw(money()),
                                          rating=draw(st.floats(0, 5))))
        for _ in range(draw(st.integers(0, 9))):
            restaurants.append(Restaurant(id=next(ids), name=draw(text()), city=c, hours=draw(hours()),
                                          cuisines=draw(st.lists(text(), max_size=2)), price=draw(money()),
                                          meal_duration_min=draw(st.integers(30, 120)),
                                          rating=draw(st.floats(0, 5))))
    return Catalog(name=draw(text()), cities=cities, flights=flights, ground_legs=ground, hotels=hotels,
                   attractions=attractions, restaurants=restaurants)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Catalog, TripRequest]:
    """A catalog and a valid request on it."""
    n_days = draw(st.integers(2, 4))
    cat = draw(catalogs(n_days))
    home, dests = cat.cities[0].name, [c.name for c in cat.cities[1:]]
    chosen = draw(st.lists(st.sampled_from(dests), min_size=1, max_size=len(dests), unique=True))
    visit = draw(st.none() | st.integers(1, len(chosen)))
    if (visit or len(chosen)) > n_days - 1:
        visit = 1
    cuisines = sorted({q for r in cat.restaurants for q in r.cuisines})
    req = TripRequest(
        origin=home, destinations=chosen, visit_count=visit, fixed_order=draw(st.booleans()),
        start=START, end=START + timedelta(days=n_days - 1),
        travelers=Travelers(adults=draw(st.sampled_from([1, 1, 2, 2, 3, 4, 7, 20])),
                            children=draw(st.sampled_from([0, 0, 0, 1, 20])), pets=draw(st.sampled_from([0, 0, 0, 1]))),
        budget=draw(st.one_of(st.just(float(MAX_BUDGET)), st.just(float(MAX_BUDGET)), st.just(float(MAX_BUDGET)),
                              st.integers(50, 20_000).map(float), st.floats(1, MAX_BUDGET).map(lambda x: round(x, 2)))),
        room_types=draw(st.sampled_from([None] * 5) | st.lists(st.sampled_from(
            ["entire_home", "private_room", "shared_room", "hotel_room"]), min_size=1, max_size=3, unique=True)),
        cuisines=draw(st.lists(st.sampled_from(cuisines), max_size=1)) if cuisines and draw(st.booleans()) else [],
        exclude_modes=draw(st.lists(st.sampled_from(["flight", "drive", "taxi", "train"]), max_size=1))
        if draw(st.integers(0, 3)) == 0 else [],
        earliest_departure=draw(st.none() | st.sampled_from([time(6), time(10)])),
        latest_return=draw(st.none() | st.sampled_from([time(20), time(23, 59)])),
        pace=draw(st.integers(0, 4)), meals=draw(st.sampled_from(["all", "optional", "optional", "optional"])),
        slots=draw(st.sampled_from([DaySlots(), DaySlots(visits=[time(10), time(15)], lunch=[time(12, 30)],
                                                          dinner=[time(19)])])),
        exclude=draw(st.lists(st.sampled_from([i.id for i in cat.items()]), max_size=2, unique=True))
        if draw(st.integers(0, 3)) == 0 else [])
    return cat, req


# -- the checks ---------------------------------------------------------------------------

@dataclass
class Tally:
    """What a run of :func:`check` found."""

    scenarios: int = 0
    itineraries: int = 0
    no_itinerary: int = 0
    timeouts: int = 0
    errors: int = 0
    violations: int = 0
    tightened: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: "Tally") -> None:
        for k in ("scenarios", "itineraries", "no_itinerary", "timeouts", "errors", "violations", "tightened"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.problems += other.problems

    def line(self) -> str:
        return (f"scenarios {self.scenarios}, itineraries {self.itineraries}, no-itinerary answers "
                f"{self.no_itinerary}, timeouts {self.timeouts}, errors {self.errors}, violations {self.violations} "
                f"(tightened requests re-planned {self.tightened})")


def tightened(it: Itinerary, req: TripRequest, cat: Catalog) -> TripRequest:
    """The request narrowed to exactly what ``it`` uses: every choice kept where it is."""
    index = cat.index()
    legs = sorted(it.legs, key=lambda leg: leg.day)
    keep = [Keep(item_id=leg.item_id, day=leg.day,
                 start=None if isinstance(index[leg.item_id], Flight) else time(leg.departure // 60,
                                                                                 leg.departure % 60))
            for leg in legs]
    keep += [Keep(item_id=s.hotel_id, day=(s.check_in - req.start).days + 1, nights=s.nights) for s in it.stays]
    visits = {}
    for d in it.days:
        for ev in d.events:
            if ev.kind in ("visit", "breakfast", "lunch", "dinner"):
                keep.append(Keep(item_id=ev.item_id, day=d.day, start=time(ev.start // 60, ev.start % 60)))
                visits[d.day] = visits.get(d.day, 0) + (ev.kind == "visit")
    hotels = [index[s.hotel_id] for s in it.stays]
    modes = {leg.mode for leg in legs}
    first, last = legs[0], legs[-1]
    return req.model_copy(update=dict(
        destinations=list(it.cities), visit_count=None, fixed_order=True,
        budget=max(0.01, math.ceil(it.total_cost * 100 - 1e-6) / 100),
        room_types=sorted({h.room_type for h in hotels}),
        exclude_modes=sorted({"flight", "drive", "taxi", "train"} - modes),
        earliest_departure=time(first.departure // 60, first.departure % 60),
        latest_return=time(last.arrival // 60, last.arrival % 60) if last.arrival < 1440 else req.latest_return,
        pace=max([0, *visits.values()]), keep=keep))


def check(cat: Catalog, req: TripRequest, time_limit: float = 1.0, tighten: bool = True) -> Tally:
    """Plan one scenario and check the answer (see the module docstring)."""
    t = Tally(scenarios=1)
    reported: list[Itinerary] = []  # every better itinerary the search reports on the way
    try:
        try:
            it = plan_itinerary(req, cat, time_limit=time_limit, progress=lambda p: reported.append(p.itinerary))
        except NoItinerary:
            t.no_itinerary += 1
            return t
        except TimeoutError:
            t.timeouts += 1
            return t
        t.itineraries += 1
        found = verify(it, req, cat)
        for earlier in reported[-3:]:
            found += verify(earlier, req, cat)
        back = Itinerary.model_validate_json(it.model_dump_json())
        found += verify(back, req, cat)
        if back != it:
            found.append("the itinerary's JSON does not load back equal")
        if not found and tighten:
            narrow = TripRequest.model_validate_json(tightened(it, req, cat).model_dump_json())
            cost_unit = _cost_unit(narrow, cat)
            if cost_unit > 1:  # the budget check counts coarser units: rounding may need a little more
                narrow = narrow.model_copy(update={"budget": min(MAX_BUDGET, narrow.budget + _slack(it, cost_unit))})
            t.tightened += 1
            try:
                again = plan_itinerary(narrow, cat, time_limit=time_limit)
            except NoItinerary as exc:
                found.append(f"the request tightened to what the itinerary uses has no itinerary: {exc.message[:300]}")
            except TimeoutError:
                pass
            else:
                found += verify(again, narrow, cat)
        if found:
            t.violations += 1
            t.problems.append(f"violation: {[str(v) for v in found][:3]}")
    except Exception:  # noqa: BLE001 - counted and reported: the run goes on
        t.errors += 1
        t.problems.append(f"error: {traceback.format_exc()[-1500:]}")
    return t


def _cost_unit(req: TripRequest, cat: Catalog) -> int:
    from neurosym.bounds import cost_unit_of
    from neurosym.problem import build_problem
    return cost_unit_of(build_problem(req, cat).facts)


def _slack(it: Itinerary, unit: int) -> float:
    """What rounding each cost up to whole units can add: a unit per cost of the itinerary."""
    items = len(it.legs) + sum(s.nights for s in it.stays) + len(it.chosen_ids())
    return items * unit / 100
