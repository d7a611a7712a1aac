"""From a request and a catalog to the facts clingo reads.

:func:`build_problem` selects the candidates (legs on the trip's days, places in the
destination cities), scores them, quantises the scores and writes every fact of the
vocabulary (:mod:`neurosym.vocab`). The returned :class:`Problem` keeps the tables
needed to read an answer back (a way to make a move -> catalog item and times).

Candidates are keyed by their term: a place by its catalog id (a string), a way to
make a move by an :class:`~neurosym.asp.Option` ``(item, day, departure)``, flights and
ground legs alike. Keys of different kinds therefore never collide, whatever the ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import time
from typing import Any

import numpy as np

from . import vocab as V
from .asp import Hub, Option
from .bounds import check_facts, cost_unit
from .catalog import (WEEKDAYS, Attraction, Catalog, Flight, GroundLeg, Hotel, Item, Restaurant, duration, kind_of,
                      minutes, mode_of)
from .costs import cents, leg_cost, night_cost, place_cost
from .dominance import hotel_dominates, prune, prune_by_slot
from .itinerary import PlannedWeather
from .objective import SCALE, leg_penalty, money_points, quantise
from .limits import MAX_CANDIDATES, short
from .prior import prior_score
from .request import TripRequest
from .travel import TravelTable, hub_id, travel_and_radii
from .weather.exposure import Exposure, Hour, day_hours, exposures, penalty_share
from .weather.forecast import Forecast
from .weather.providers import TripWeather

#: Minutes to be at the hub before a departure, and to get out of it after an arrival.
BUFFERS: dict[str, tuple[int, int]] = {"flight": (90, 30), "train": (20, 10), "drive": (0, 0), "taxi": (0, 0)}
#: When each meal may take place (start of the window, end of the window).
MEAL_WINDOWS: dict[str, tuple[time, time]] = {
    "breakfast": (time(6, 30), time(10, 30)),
    "lunch": (time(11, 30), time(15, 30)),
    "dinner": (time(17, 30), time(23, 0)),
}
#: Nobody leaves a hotel for a departure before this time.
DAY_START = time(5, 0)
#: Distances from the centre are rounded up to this many minutes. Rounding up keeps the
#: travel bound safe; coarser steps make more places interchangeable (faster proofs).
RADIUS_STEP = 5

Scorer = Callable[[Sequence[Item]], np.ndarray]
#: A candidate: a place (its catalog id) or a way to make a move.
Key = str | Option


class PlanningInputError(ValueError):
    """The request does not fit the catalog (an unknown city, for instance); names the field."""

    def __init__(self, field_name: str, message: str):
        self.field, self.message = field_name, message
        super().__init__(f"{field_name}: {message}")

    def __reduce__(self) -> tuple:  # pickles whole: a batch sends it back from a worker
        return (type(self), (self.field, self.message))


@dataclass(frozen=True)
class LegOption:
    """One way to make a move: a flight, or a ground leg leaving at one of its times."""

    opt: Option
    item: Flight | GroundLeg
    mode: str
    origin: str
    destination: str
    day: int
    departure: int
    arrival: int

    @property
    def key(self) -> str:
        """The option as users write it: a flight's id, or ``ground-leg-id@day@minute``."""
        return self.item.id if isinstance(self.item, Flight) else f"{self.item.id}@{self.day}@{self.departure}"

    @property
    def move(self) -> tuple[int, str, str]:
        return self.day, self.origin, self.destination


@dataclass
class Problem:
    """Everything clingo needs, plus what is needed to read its answer back."""

    request: TripRequest
    catalog: Catalog
    facts: list[V.Fact]
    legs: dict[Option, LegOption]
    scores: dict[Key, float]
    """Preference scores in [0, 1]: by catalog id, and by option where the prior scores a departure."""
    slots: dict[int, tuple[str, int]]
    travel: dict[str, TravelTable] = field(default_factory=dict)
    index: dict[str, Item] = field(default_factory=dict)
    dominated: dict[Key, Key] = field(default_factory=dict)
    """Candidates removed before solving, each with one that dominates it."""
    excluded: frozenset[str] = frozenset()
    """Catalog ids the request excludes (never candidates)."""
    points: dict[Key, int] = field(default_factory=dict)
    """Each candidate's weight in the objective: its preference (``pref/2``) net of what its
    price is worth (``money/2``) and, for a leg, of its night-time penalty (``late/2``); per
    night for a hotel (see :mod:`neurosym.objective`)."""
    places: list[str] = field(default_factory=list)
    """The places that are candidates (hotels, attractions, restaurants), in fact order."""
    scorer: Scorer | None = None
    """The scorer the preferences came from (None: the documented prior)."""
    ranks: list[V.Fact] = field(default_factory=list)
    """The ``rank/2`` facts of ``rules/canonical.lp`` (added when that part is grounded)."""
    prefs: dict[Key, int] = field(default_factory=dict)
    """Each candidate's preference points before money (the ``pref/2`` facts)."""
    forecast: Forecast | None = None
    """The forecast the weather rules read (None: planned without weather)."""
    weather: PlannedWeather = field(default_factory=PlannedWeather)
    """What the itinerary says about the forecast it was planned with."""
    weather_hours: dict[tuple[str, int], list[Hour]] = field(default_factory=dict)
    """The forecast's hours per (destination, trip day), as the facts give them."""
    weather_affected: frozenset[str] = frozenset()
    """Outdoor places that the weather keeps out of (or makes worth less at) some slot."""

    def restricted(self, keep: set[Key]) -> "Problem":
        """The same problem over the candidates in ``keep`` only: the facts that describe any
        other candidate are left out (an itinerary of it is an itinerary of the whole)."""
        def wanted(f: V.Fact) -> bool:
            return f.pred not in V.KEYED or not isinstance(f.args[0], (str, Option)) or f.args[0] in keep
        return replace(self, facts=[f for f in self.facts if wanted(f)], ranks=[f for f in self.ranks if wanted(f)],
                       legs={k: o for k, o in self.legs.items() if k in keep},
                       places=[p for p in self.places if p in keep])

    def score(self, key: Key) -> float | None:
        """A candidate's preference score in [0, 1] (an option's, else its catalog item's)."""
        s = self.scores.get(key)
        if s is None and isinstance(key, Option):
            s = self.scores.get(key.item)
        return s

    def weather_checks(self, key: Key) -> bool:
        """Whether the weather rules apply to a candidate: an outdoor attraction, with a
        forecast, unless the traveller accepts bad weather (then it is a preference)."""
        item = self.index.get(key) if isinstance(key, str) else None
        return (self.forecast is not None and self.request.weather.risk == "avoid" and isinstance(item, Attraction)
                and not item.indoor)

    def weather_exposures(self, day: int, slot: int, place: str) -> list[Exposure]:
        """What the weather rules say about a visit at a slot (nothing for a place it never touches)."""
        if place not in self.weather_affected:
            return []
        item = self.index[place]
        return exposures(self.weather_hours.get((item.city, day), []), self.slots[slot][1], duration(item),
                         self.request.weather)

    def weather_loss(self, day: int, slot: int, place: str) -> int:
        """The preference points a visit at a slot loses to the weather (``weather_loss/4``
        of ``rules/weather.lp``: only when the traveller accepts bad weather)."""
        if self.request.weather.risk != "accept":
            return 0
        found = self.weather_exposures(day, slot, place)
        points = self.prefs.get(place, 0)   # pref/2: the preference before money
        return points * penalty_share(found) // 100 if points > 0 else 0


def check_request(request: TripRequest, catalog: Catalog, index: dict[str, Item] | None = None) -> None:
    """Raise :class:`PlanningInputError` when the request names a city or item the catalog
    lacks, or keeps an item in a way its kind does not allow."""
    names = {c.name for c in catalog.cities}
    if request.origin not in names:
        raise PlanningInputError("origin", f"{short(request.origin)} is not a city of catalog {short(catalog.name)}")
    for i, d in enumerate(request.destinations):
        if d not in names:
            raise PlanningInputError(f"destinations[{i}]", f"{short(d)} is not a city of catalog {short(catalog.name)}")
    index = catalog.index() if index is None else index
    for i, x in enumerate(request.exclude):
        if x not in index:
            raise PlanningInputError(f"exclude[{i}]", f"{short(x)} is not an item of catalog {short(catalog.name)}")
    slot_times = {kind: {minutes(t) for t in times} for kind, times in
                  (("meal", [*request.slots.breakfast, *request.slots.lunch, *request.slots.dinner]),
                   ("visit", request.slots.visits))}
    for i, k in enumerate(request.keep):
        item = index.get(k.item_id)
        if item is None:
            raise PlanningInputError(f"keep[{i}].item_id",
                                     f"{short(k.item_id)} is not an item of catalog {short(catalog.name)}")
        if k.nights is not None and not isinstance(item, Hotel):
            raise PlanningInputError(f"keep[{i}].nights", "only a hotel stay has nights")
        if k.start is None:
            continue
        if isinstance(item, (Hotel, Flight)):
            raise PlanningInputError(f"keep[{i}].start", f"a {kind_of(item)} is kept by its "
                                     f"{'day and nights' if isinstance(item, Hotel) else 'date'}, not a start time")
        if isinstance(item, (Attraction, Restaurant)):
            group = "visit" if isinstance(item, Attraction) else "meal"
            if minutes(k.start) not in slot_times[group]:
                raise PlanningInputError(f"keep[{i}].start", f"{k.start.strftime('%H:%M')} is not one of the "
                                         f"request's {group} start times (slots)")


def _slots(request: TripRequest) -> dict[int, tuple[str, int]]:
    s = request.slots
    timed = [(minutes(t), kind) for kind, times in
             (("breakfast", s.breakfast), ("lunch", s.lunch), ("dinner", s.dinner), ("visit", s.visits))
             for t in times]
    return {i: (kind, t) for i, (t, kind) in enumerate(sorted(set(timed)), start=1)}


def leg_options(request: TripRequest, catalog: Catalog) -> list[LegOption]:
    """Every flight and ground-leg departure that could make one of the trip's moves."""
    n, dests, org = request.n_days, set(request.destinations), request.origin

    def allowed(o: str, d: str, day: int) -> bool:
        if day == 1:
            return o == org and d in dests
        if day == n:
            return o in dests and d == org
        return o in dests and d in dests

    dates = {request.day_date(d): d for d in range(1, n + 1)}
    out: list[LegOption] = []
    for f in catalog.flights:
        day = dates.get(f.date)
        if day is not None and allowed(f.origin, f.destination, day):
            out.append(LegOption(Option(f.id, day, f.departure_min), f, "flight", f.origin, f.destination, day,
                                 f.departure_min, f.arrival_min))
    for g in catalog.ground_legs:
        for day in range(1, n + 1):
            if not allowed(g.origin, g.destination, day):
                continue
            for dep_t in sorted(set(g.departures)):
                dep = minutes(dep_t)
                out.append(LegOption(Option(g.id, day, dep), g, g.mode, g.origin, g.destination, day, dep,
                                     dep + g.duration_min))
    return out


def _candidates(request: TripRequest, catalog: Catalog, excluded: frozenset[str]
                ) -> tuple[list[LegOption], list[Hotel | Attraction | Restaurant]]:
    legs = [o for o in leg_options(request, catalog) if o.item.id not in excluded]
    places: list[Hotel | Attraction | Restaurant] = []
    for city in request.destinations:
        hotels, attractions, restaurants = catalog.in_city(city)
        places += [p for p in (*hotels, *attractions, *restaurants) if p.id not in excluded]
    return legs, places


def candidate_items(request: TripRequest, catalog: Catalog) -> list[Item]:
    """The catalog items a plan for ``request`` could use (the ones a scorer is asked about)."""
    legs, places = _candidates(request, catalog, frozenset(request.exclude))
    return [*{o.item.id: o.item for o in legs}.values(), *places]


def _scores(items: Sequence[Item], scorer: Scorer | None) -> dict[Key, float]:
    if scorer is None:
        return {it.id: prior_score(it) for it in items}
    values = np.asarray(scorer(items), dtype=float)
    if values.shape != (len(items),) or not np.all(np.isfinite(values)):
        raise ValueError("the preference model returned scores of the wrong shape or non-finite values")
    return {it.id: float(np.clip(v, 0.0, 1.0)) for it, v in zip(items, values)}


def build_problem(request: TripRequest, catalog: Catalog, scorer: Scorer | None = None,
                  prune_dominated: bool = True, forecast: Any = None) -> Problem:
    """Select candidates, score them and write the facts of the planning problem.

    With ``prune_dominated`` candidates that others dominate are left out, and places
    that are interchangeable for scheduling are put in a fixed order
    (``rules/symmetry.lp``); both are exact (see :mod:`neurosym.dominance`).
    ``forecast`` (a :class:`~neurosym.weather.Forecast`, a provider's
    :class:`~neurosym.weather.TripWeather`, or None) gives the weather rules their facts
    (``rules/weather.lp``, under ``request.weather``); without one they do not apply.
    """
    index = catalog.index()
    check_request(request, catalog, index)
    forecast, planned_weather = weather_source(forecast, request)
    fact = V.fact
    F: list[V.Fact] = []
    n = request.n_days
    people = request.travelers.people
    F.append(fact(V.TripDays, n))
    for d in range(1, n + 1):
        F += [fact(V.Day, d), fact(V.Weekday, d, request.day_date(d).weekday())]
    F.append(fact(V.Origin, request.origin))
    F += [fact(V.Dest, c) for c in request.destinations]
    F.append(fact(V.VisitCount, request.n_cities))
    if request.fixed_order:
        F.append(fact(V.FixedOrder))
        F += [fact(V.DestOrder, c, k) for k, c in enumerate(request.destinations, start=1)]
    F += [fact(V.People, people), fact(V.Budget, cents(request.budget))]
    F += [fact(V.Need, r) for r in request.needs()]
    F += [fact(V.RoomTypeWanted, t) for t in (request.room_types or [])]
    F += [fact(V.CuisineWanted, q) for q in dict.fromkeys(q.strip().lower() for q in request.cuisines)]
    F += [fact(V.ModeExcluded, m) for m in request.exclude_modes]
    if request.earliest_departure_min is not None:
        F.append(fact(V.EarliestDeparture, request.earliest_departure_min))
    if request.latest_return_min is not None:
        F.append(fact(V.LatestReturn, request.latest_return_min))
    if not request.return_after_midnight:
        F.append(fact(V.HomeByMidnight))
    F.append(fact(V.Pace, request.pace))
    if request.meals == "all":
        F.append(fact(V.MealsAll))
    slots = _slots(request)
    F += [fact(V.Slot, s, kind, t) for s, (kind, t) in slots.items()]
    F += [fact(V.MealWindow, k, minutes(a), minutes(b)) for k, (a, b) in MEAL_WINDOWS.items()]
    F.append(fact(V.DayStart, minutes(DAY_START)))
    F += [fact(V.Buffer, m, b, a) for m, (b, a) in BUFFERS.items()]

    excluded = frozenset(request.exclude)
    legs, places = _candidates(request, catalog, excluded)
    if len(legs) + len(places) > MAX_CANDIDATES:
        raise PlanningInputError("catalog", f"the trip has {len(legs) + len(places):,} candidate legs and places, "
                                            f"more than the limit of {MAX_CANDIDATES:,}")
    leg_items = list({o.item.id: o.item for o in legs}.values())
    scores = _scores([*leg_items, *places], scorer)
    w = request.weights

    for o in legs:
        if not isinstance(o.item, Flight) and scorer is None:
            scores[o.opt] = prior_score(o.item, o.departure)  # the prior knows this option's departure
    pref: dict[Key, int] = {o.opt: quantise(scores.get(o.opt, scores[o.item.id]), w.transport) for o in legs}
    late = {o.opt: leg_penalty(o.departure, o.arrival, w.transport) for o in legs}
    money = {o.opt: money_points(leg_cost(o.item, people), people, w.money) for o in legs}
    points: dict[Key, int] = {k: pref[k] - late[k] - money[k] for k in pref}
    weight = {Hotel: w.hotel, Attraction: w.attraction, Restaurant: w.restaurant}
    place_pref = {p.id: quantise(scores[p.id], weight[type(p)]) for p in places}
    place_money = {p.id: money_points(night_cost(p, people) if isinstance(p, Hotel) else place_cost(p, people),
                                      people, w.money) for p in places}
    value: dict[Key, int] = {**points, **{i: place_pref[i] - place_money[i] for i in place_pref}}
    radius: dict[str, int] = {}
    travel: dict[str, TravelTable] = {}
    for city in request.destinations:
        travel[city], city_radii = travel_and_radii(catalog, city)
        radius.update({pid: -(-m // RADIUS_STEP) * RADIUS_STEP for pid, m in city_radii.items()})
    keep_facts, protected, pinned = _keep_facts(request, legs, slots, index)
    F += keep_facts
    F += _weather_policy_facts(request, forecast)
    wx_hours = {} if forecast is None else {(c, d): day_hours(forecast, c, request.day_date(d))
                                            for c in request.destinations for d in range(1, n + 1)}
    F += _forecast_facts(request, wx_hours)
    affected = _weather_affected(request, places, wx_hours, slots)
    dominated: dict[Key, Key] = {}
    if prune_dominated:
        legs, places, dominated = _prune(request, legs, places, value, radius, protected, wx_hours, affected)

    for o in legs:
        F.append(fact(V.Leg, o.opt, o.mode, o.origin, o.destination, o.day, o.departure, o.arrival))
        if isinstance(o.item, Flight):
            F.append(fact(V.LegPrice, o.opt, cents(o.item.price), "person"))
        else:
            basis = "person" if o.item.cost_basis == "per_person" else "vehicle"
            F.append(fact(V.LegPrice, o.opt, cents(o.item.cost), basis))
            F.append(fact(V.LegCapacity, o.opt, o.item.vehicle_capacity))
        F += [fact(V.Pref, o.opt, pref[o.opt]), fact(V.Money, o.opt, money[o.opt])]
        if late[o.opt]:
            F.append(fact(V.Late, o.opt, late[o.opt]))

    for p in places:
        pref[p.id], money[p.id], points[p.id] = place_pref[p.id], place_money[p.id], value[p.id]
        F.append(fact(V.CityOf, p.id, p.city))
        if isinstance(p, Hotel):
            F += [fact(V.Hotel, p.id, p.city),
                  fact(V.HotelPrice, p.id, cents(p.price), "room" if p.price_basis == "per_room" else "person"),
                  fact(V.HotelRoom, p.id, p.room_type), fact(V.HotelOccupancy, p.id, p.max_occupancy),
                  fact(V.HotelMinNights, p.id, p.min_nights)]
            if p.check_in_end_min is not None:   # a desk that never closes has no check-in rule
                F.append(fact(V.HotelCheckin, p.id, minutes(p.check_in_start), p.check_in_end_min))
            F += [fact(V.HotelForbids, p.id, r) for r in ("smoking", "pets", "parties", "children", "visitors")
                  if p.house_rules.forbids(r)]
            F += [fact(V.Pref, p.id, pref[p.id]), fact(V.Money, p.id, money[p.id])]
            continue
        if isinstance(p, Attraction):
            F += [fact(V.Attraction, p.id, p.city), fact(V.Duration, p.id, duration(p))]
            if forecast is not None and not p.indoor:
                F.append(fact(V.Outdoor, p.id))
        else:
            F += [fact(V.Restaurant, p.id, p.city), fact(V.Duration, p.id, duration(p))]
            F += [fact(V.Serves, p.id, q) for q in dict.fromkeys(q.strip().lower() for q in p.cuisines)]
        F += [fact(V.Pref, p.id, pref[p.id]), fact(V.Money, p.id, money[p.id]), fact(V.PlacePrice, p.id, cents(p.price))]
        weekly = [p.hours.intervals(name) for name in WEEKDAYS]
        if all(hours == weekly[0] for hours in weekly):  # the same hours every day: one fact per interval
            F += [fact(V.OpenDaily, p.id, o, c) for o, c in weekly[0]]
        else:
            for wd, hours in enumerate(weekly):
                F += [fact(V.Open, p.id, wd, o, c) for o, c in hours]

    # the fixed order that breaks ties between equally good itineraries (rules/canonical.lp,
    # whose part is grounded, with these facts, only once an optimum is proven)
    ranks = [fact(V.Rank, k, r) for r, k in enumerate(sorted(o.opt for o in legs), start=1)]
    ranks += [fact(V.Rank, k, r) for r, k in enumerate(sorted(p.id for p in places), start=1)]
    F += [fact(V.Radius, p.id, radius[p.id]) for p in places]
    if prune_dominated:
        F += _symmetry_facts(request, [p for p in places if p.id not in pinned and p.id not in affected], scores,
                             radius, slots)
    F += [fact(V.Radius, Hub(city), radius[hub_id(city)]) for city in request.destinations]
    F.append(fact(V.CostUnit, cost_unit(F)))  # cents, unless every candidate together overflows 32 bits
    check_facts([*F, *ranks])  # every number within its declared range, every sum of the rules within 32 bits

    return Problem(request=request, catalog=catalog, facts=F, legs={o.opt: o for o in legs},
                   scores=scores, slots=slots, travel=travel, index=index, dominated=dominated,
                   excluded=excluded, points=points, places=[p.id for p in places], scorer=scorer, ranks=ranks,
                   prefs=pref, forecast=forecast, weather=planned_weather, weather_hours=wx_hours,
                   weather_affected=affected)


# -- the weather (rules/weather.lp) ----------------------------------------------------------

def weather_source(forecast: Any, request: TripRequest) -> tuple[Forecast | None, PlannedWeather]:
    """The forecast to plan with, and what the itinerary will say about it.

    ``forecast`` is a :class:`Forecast`, a :class:`~neurosym.weather.TripWeather` (a
    provider's answer, which may hold none and say why) or None."""
    if forecast is None:
        return None, PlannedWeather(note="no forecast was given")
    if isinstance(forecast, Forecast):
        f, note = forecast, None
    elif isinstance(forecast, TripWeather):
        f, note = forecast.forecast, forecast.note
        if f is None:
            return None, PlannedWeather(note=note or "no forecast")
    else:
        raise TypeError(f"forecast must be a Forecast or a TripWeather, not {type(forecast).__name__}")
    days = [request.day_date(d) for d in range(1, request.n_days + 1)]
    missing = f.missing(request.destinations, days)
    notes = [note] if note else [*f.notes]
    if missing and not note:
        by_city: dict[str, list[str]] = {}
        for c, d in missing:
            by_city.setdefault(c, []).append(d.strftime("%a %d %b"))
        notes.append("no forecast for " + "; ".join(f"{c} on {', '.join(ds)}" for c, ds in by_city.items())
                     + ": planned without weather there")
    return f, PlannedWeather(source=f.source, issued=f.issued, note=" ".join(notes) or None)


def _weather_policy_facts(request: TripRequest, forecast: Forecast | None) -> list[V.Fact]:
    """The traveller's weather policy as facts (none without a forecast: the rules are off)."""
    w = request.weather
    if forecast is None:
        return []
    out = []
    if w.rain_threshold is not None:
        out.append(V.fact(V.RainThreshold, w.rain_threshold))
    if w.heat_limit is not None:
        out.append(V.fact(V.HeatLimit, w.heat_limit))
    if w.cold_limit is not None:
        out.append(V.fact(V.ColdLimit, w.cold_limit))
    if w.heat_limit is not None or w.cold_limit is not None:
        out.append(V.fact(V.LongVisit, w.long_visit))
    if w.risk == "accept" and out:
        out.append(V.fact(V.WeatherSoft))
    return out


def _forecast_facts(request: TripRequest, hours: dict[tuple[str, int], list[Hour]]) -> list[V.Fact]:
    """``rain/4`` and ``temp/5`` for each destination and trip day, as far as the rules read them."""
    w = request.weather
    temps = w.heat_limit is not None or w.cold_limit is not None
    out: list[V.Fact] = []
    for (city, d), hs in hours.items():
        for h in hs:
            if w.rain_threshold is not None and h.rain is not None:
                out.append(V.fact(V.Rain, city, d, h.minute, h.rain))
            if temps and h.t_min is not None and h.t_max is not None:
                out.append(V.fact(V.Temp, city, d, h.minute, h.t_min, h.t_max))
    return out


def _weather_affected(request: TripRequest, places: list[Hotel | Attraction | Restaurant],
                      hours: dict[tuple[str, int], list[Hour]], slots: dict[int, tuple[str, int]]) -> frozenset[str]:
    """The outdoor places the weather keeps out of some visit slot of some day (or, when
    the traveller accepts bad weather, makes worth less there)."""
    if not hours:
        return frozenset()
    starts = sorted({t for kind, t in slots.values() if kind == "visit"})
    out = set()
    for p in places:
        if isinstance(p, Attraction) and not p.indoor:
            u = duration(p)
            if any(exposures(hours.get((p.city, d), []), t, u, request.weather)
                   for d in range(1, request.n_days + 1) for t in starts):
                out.add(p.id)
    return frozenset(out)


def _keep_facts(request: TripRequest, legs: list[LegOption], slots: dict[int, tuple[str, int]],
                index: dict[str, Item]) -> tuple[list[V.Fact], set[Key], set[str]]:
    """The facts of ``rules/keep.lp`` for the request's keeps.

    Also returns the candidates they name (never pruned: a rule singles them out) and
    the places pinned to a day or a time (left out of the symmetry classes, whose fixed
    order could otherwise move them).
    """
    out: list[V.Fact] = []
    protected: set[Key] = set()
    pinned: set[str] = set()
    meals = {"breakfast", "lunch", "dinner"}
    for k, keep in enumerate(request.keep, start=1):
        item = index[keep.item_id]
        start = None if keep.start is None else minutes(keep.start)
        out.append(V.fact(V.Keep, k, keep.item_id, "hard" if keep.hard else "soft"))
        if isinstance(item, (Flight, GroundLeg)):
            for o in legs:
                if (o.item.id == keep.item_id and keep.day in (None, o.day)
                        and start in (None, o.departure)):
                    out.append(V.fact(V.KeepTake, k, o.opt))
                    protected.add(o.opt)
        elif isinstance(item, Hotel):
            protected.add(item.id)
            out.append(V.fact(V.KeepStay, k, item.id))
            if keep.day is not None:
                out += [V.fact(V.KeepNight, k, d, item.city) for d in range(keep.day, keep.day + (keep.nights or 1))]
        else:
            protected.add(item.id)
            if keep.day is None and start is None:
                out.append(V.fact(V.KeepUsed, k, item.id))
                continue
            pinned.add(item.id)
            group = {"visit"} if isinstance(item, Attraction) else meals
            for d in ([keep.day] if keep.day is not None else range(1, request.n_days + 1)):
                out += [V.fact(V.KeepAt, k, d, s, item.id) for s, (kind, t) in slots.items()
                        if kind in group and start in (None, t)]
    return out, protected, pinned


def _symmetry_facts(request: TripRequest, places: list[Hotel | Attraction | Restaurant], scores: dict[Key, float],
                    radius: dict[str, int], slots: dict[int, tuple[str, int]]) -> list[V.Fact]:
    """Classes of places interchangeable for scheduling, and the trip's slots in time order.

    Two places are interchangeable when they share kind, city, opening hours, duration
    and distance from the centre (rules/symmetry.lp explains why the order is safe).
    """
    classes: dict[tuple, list[Attraction | Restaurant]] = {}
    for p in places:
        if isinstance(p, Hotel):
            continue
        dur = duration(p)
        key = (type(p).__name__, p.city, p.hours.model_dump_json(), dur, radius[p.id])
        classes.setdefault(key, []).append(p)
    out: list[V.Fact] = []
    k = 0
    for members in classes.values():
        if len(members) < 2:
            continue
        k += 1
        members.sort(key=lambda p: (-scores[p.id], cents(p.price), p.id))
        for o, p in enumerate(members, start=1):
            out += [V.fact(V.Peq, p.id, k), V.fact(V.PeqOrder, p.id, o)]
    if out:
        # A class only ever fills slots of one group (meals or visits), so the slots are
        # numbered in time order within each group: fewer ticks to carry the order over.
        for group in ({"breakfast", "lunch", "dinner"}, {"visit"}):
            order = sorted((d, t, s) for d in range(1, request.n_days + 1)
                           for s, (kind, t) in slots.items() if kind in group)
            out += [V.fact(V.Tick, d, s, n) for n, (d, _, s) in enumerate(order, start=1)]
    return out


def _prune(request: TripRequest, legs: list[LegOption], places: list[Hotel | Attraction | Restaurant],
           value: dict[Key, int], radius: dict[str, int],
           protected: set[Key] = frozenset(), wx_hours: dict[tuple[str, int], list[Hour]] | None = None,
           affected: frozenset[str] = frozenset()
           ) -> tuple[list[LegOption], list[Hotel | Attraction | Restaurant], dict[Key, Key]]:
    """Remove dominated legs, hotels, attractions and restaurants (exact; see dominance.py).

    ``value`` is each candidate's weight in the objective (:attr:`Problem.points`).
    ``protected`` candidates (leg keys or place ids that the request keeps) stay. With a
    forecast (``wx_hours``), a slot the weather rules forbid to an outdoor place is not one
    it can take; when the traveller accepts bad weather, an ``affected`` place (worth less
    in some slot) stands in for none."""
    people = request.travelers.people
    removed: dict[Key, Key] = {}
    present_days = request.n_days - request.n_cities + 1  # the most days one city can have
    cuisines = {q.strip().lower() for q in request.cuisines}
    needs = request.needs()

    def room_ok(h: Hotel) -> bool:
        return request.room_types is None or h.room_type in request.room_types

    lcost = {o.opt: leg_cost(o.item, people) for o in legs}
    slack = _budget_slack(request, legs, places, lcost)
    kept_legs: list[LegOption] = []
    groups: dict[tuple, list[LegOption]] = {}
    for o in legs:
        groups.setdefault((o.day, o.origin, o.destination, o.mode), []).append(o)
    for group in groups.values():
        k, r = prune(group, 1, key=lambda o: (-value[o.opt], lcost[o.opt], -o.departure, o.arrival, o.opt),
                     dominates=lambda j, i: (_no_worse(value[j.opt], lcost[j.opt], value[i.opt], lcost[i.opt], slack)
                                             and j.departure >= i.departure and j.arrival <= i.arrival),
                     ident=lambda o: o.opt, protect=lambda o: o.opt in protected)
        kept_legs += k
        removed.update(r)

    kept_places: list[Hotel | Attraction | Restaurant] = []
    for city in request.destinations:
        hotels = [p for p in places if isinstance(p, Hotel) and p.city == city]
        ncost = {h.id: night_cost(h, people) for h in hotels}
        k, r = prune(hotels, 1, key=lambda h: (-value[h.id], ncost[h.id], h.id),
                     dominates=lambda j, i: hotel_dominates(j, i, value, ncost, radius, needs, room_ok),
                     ident=lambda h: h.id, protect=lambda h: h.id in protected)
        kept_places += k
        removed.update(r)
        for kind, cap in ((Attraction, request.pace * present_days), (Restaurant, 3 * present_days)):
            group = [p for p in places if isinstance(p, kind) and p.city == city]
            if group:
                k, r = _prune_places(request, group, value, radius, cuisines, max(cap, 1), protected, slack,
                                     wx_hours or {}, affected)
                kept_places += k
                removed.update(r)
    return kept_legs, kept_places, removed


def _no_worse(v_j: int, c_j: int, v_i: int, c_i: int, slack: bool) -> bool:
    """Whether a candidate of objective weight ``v_j`` and cost ``c_j`` is no worse than one of
    ``v_i``, ``c_i``: worth at least as much and costing no more; when no itinerary can
    reach the budget (``slack``), being worth strictly more is enough (the cost then only
    breaks ties)."""
    if slack and v_j > v_i:
        return True
    return v_j >= v_i and c_j <= c_i


def _budget_slack(request: TripRequest, legs: list[LegOption], places: list[Hotel | Attraction | Restaurant],
                  lcost: dict[Key, int]) -> bool:
    """Whether no itinerary can cost more than the budget: the dearest leg of every day, the
    dearest hotel every night and the dearest place at every meal and visit, all within it."""
    people, n = request.travelers.people, request.n_days
    worst = sum(max((lcost[o.opt] for o in legs if o.day == d), default=0) for d in range(1, n + 1))
    worst += (n - 1) * max((night_cost(p, people) for p in places if isinstance(p, Hotel)), default=0)
    worst += request.pace * n * max((place_cost(p, people) for p in places if isinstance(p, Attraction)), default=0)
    worst += 3 * n * max((place_cost(p, people) for p in places if isinstance(p, Restaurant)), default=0)
    return worst <= cents(request.budget)


def _prune_places(request: TripRequest, group: list[Attraction | Restaurant], points: dict[Key, int],
                  radius: dict[str, int], cuisines: set[str], cap: int, protected: set[Key],
                  slack: bool, wx_hours: dict[tuple[str, int], list[Hour]] | None = None,
                  affected: frozenset[str] = frozenset()) -> tuple[list[Attraction | Restaurant], dict[Key, Key]]:
    """Remove the places of one kind and city that stand-ins replace at every slot they could
    take (exact; see :func:`neurosym.dominance.prune_by_slot`); ``points`` is each one's
    weight in the objective."""
    price = np.array([cents(p.price) for p in group])
    value = np.array([points[p.id] for p in group])
    rad = np.array([radius[p.id] for p in group])
    durs = [duration(p) for p in group]
    dur = np.array(durs)
    wanted = sorted(cuisines)
    serves = np.array([sum(1 << k for k, q in enumerate(wanted)
                           if isinstance(p, Restaurant) and q in {c.strip().lower() for c in p.cuisines})
                       for p in group])
    meal = isinstance(group[0], Restaurant)
    hard = request.weather.risk == "avoid"   # bad weather forbids a slot; accepted, it lowers the value there
    s = request.slots
    times = ([(kind, minutes(t)) for kind, ts in (("breakfast", s.breakfast), ("lunch", s.lunch),
                                                  ("dinner", s.dinner)) for t in ts] if meal
             else [("visit", minutes(t)) for t in s.visits])
    cols = []
    for d in range(1, request.n_days + 1):
        wd = WEEKDAYS[request.day_date(d).weekday()]
        for kind, t in times:
            lo, hi = (minutes(MEAL_WINDOWS[kind][0]), minutes(MEAL_WINDOWS[kind][1])) if meal else (0, 10 ** 6)
            cols.append([lo <= t and t + u <= hi and p.hours.is_open(wd, t, t + u)
                         and not (hard and p.id in affected
                                  and exposures((wx_hours or {}).get((p.city, d), []), t, u, request.weather))
                         for p, u in zip(group, durs)])
    placements = np.array(cols, dtype=bool).T if cols else np.zeros((len(group), 0), dtype=bool)
    pos = {p.id: i for i, p in enumerate(group)}
    # a place the weather leaves without any slot stays a candidate: the weather rules exclude
    # it, so its explanations can say which rule and which forecast (keeping a candidate loses nothing)
    rained_out = {p.id for i, p in enumerate(group) if p.id in affected and not placements[i].any()}

    # accepted bad weather makes a place's worth depend on its slot: one it lowers stands in for none
    soft_affected = np.array([not hard and p.id in affected for p in group], dtype=bool)

    def stand_ins(p: Attraction | Restaurant) -> np.ndarray:
        i = pos[p.id]
        no_worse = (value >= value[i]) & (price <= price[i])
        if slack:
            no_worse |= value > value[i]
        return no_worse & (rad <= rad[i]) & (dur <= dur[i]) & ((serves & serves[i]) == serves[i]) & ~soft_affected

    return prune_by_slot(group, cap, key=lambda p: (-value[pos[p.id]], price[pos[p.id]], rad[pos[p.id]], p.id),
                         better=stand_ins, placements=placements, ident=lambda p: p.id,
                         protect=lambda p: p.id in protected or p.id in rained_out)
