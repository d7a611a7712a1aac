"""plan_itinerary end to end: every rule file has a request the planner must route around
or answer as infeasible, and every planned itinerary passes the independent verifier."""

from __future__ import annotations

from datetime import date, time

import pytest
from pydantic import ValidationError

from conftest import small_catalog, small_request
from neurosym import NoItinerary, plan_itinerary, verify
from neurosym.itinerary import Itinerary
from neurosym.request import Travelers

LIMIT = 2.0


def plan(req, cat, **kw) -> Itinerary:
    it = plan_itinerary(req, cat, time_limit=LIMIT, **kw)
    assert verify(it, req, cat) == [], "the planner returned an itinerary the verifier rejects"
    return it


def visits(it: Itinerary) -> list[tuple[int, str]]:
    return [(d.day, e.item_id) for d in it.days for e in d.events if e.kind == "visit"]


# -- route.lp ----------------------------------------------------------------------------

def test_two_cities_each_one_contiguous_stay_and_back_home(catalog):
    req = small_request(destinations=["Alpha", "Beta"], end=date(2026, 6, 5))
    it = plan(req, catalog)
    assert sorted(it.cities) == ["Alpha", "Beta"]
    ends = [d.end_city for d in it.days]
    assert ends[-1] == "Home" and it.days[0].start_city == "Home"
    stretches = [c for i, c in enumerate(ends[:-1]) if i == 0 or ends[i - 1] != c]
    assert len(stretches) == len(set(stretches)) == 2


def test_fixed_order_is_kept(catalog):
    for order in (["Alpha", "Beta"], ["Beta", "Alpha"]):
        req = small_request(destinations=order, fixed_order=True, end=date(2026, 6, 5))
        assert plan(req, catalog).cities == order


def test_visit_count_picks_n_of_the_destinations(catalog):
    req = small_request(destinations=["Alpha", "Beta"], visit_count=1)
    assert len(plan(req, catalog).cities) == 1


# -- transport.lp ------------------------------------------------------------------------

def test_excluded_flights_route_through_the_train(catalog):
    it = plan(small_request(exclude_modes=["flight"]), catalog)
    assert {leg.mode for leg in it.legs} == {"train"}


def test_earliest_departure_and_latest_return(catalog):
    req = small_request(earliest_departure=time(10, 0), latest_return=time(16, 0), exclude_modes=["train"])
    it = plan(req, catalog)
    assert it.legs[0].departure >= 10 * 60
    assert it.legs[-1].arrival <= 16 * 60


def test_impossible_departure_window_is_infeasible(catalog):
    req = small_request(earliest_departure=time(23, 0))
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(req, catalog, time_limit=LIMIT)
    assert "transport_earliest_departure" in {r for r, _ in exc.value.violations}


# -- hotels.lp ---------------------------------------------------------------------------

def test_pet_needs_a_pet_friendly_stay(catalog):
    it = plan(small_request(travelers=Travelers(adults=1, pets=1)), catalog)
    assert [s.hotel_id for s in it.stays] == ["h:a:pets"]


def test_minimum_nights_route_around(catalog):
    # the best-rated hotel needs 3 nights: a 2-night trip cannot use it, a 3-night trip may
    # (money set to 0, so that the best-rated is also the best choice)
    short = plan(small_request(weights={"money": 0}), catalog)
    assert "h:a:best" not in [s.hotel_id for s in short.stays]
    long = plan(small_request(end=date(2026, 6, 4), weights={"money": 0}), catalog)
    assert [s.hotel_id for s in long.stays] == ["h:a:best"]


def test_occupancy_sets_rooms(catalog):
    it = plan(small_request(travelers=Travelers(adults=3), room_types=["private_room"]), catalog)
    assert it.stays[0].hotel_id == "h:a:cheap" and it.stays[0].rooms == 2


def test_room_type_is_honoured(catalog):
    it = plan(small_request(room_types=["entire_home"]), catalog)
    assert [s.hotel_id for s in it.stays] == ["h:a:pets"]


def test_late_flight_misses_the_checkin_desk():
    cat = small_catalog()
    # only the 22:00 flight leaves on day 1 and only strict-desk hotels are left
    cat.flights = [f for f in cat.flights if not (f.date == date(2026, 6, 1) and f.departure.hour != 22)]
    cat.ground_legs = []
    cat.hotels = [h.model_copy(update={"check_in_end": time(22, 0)}) for h in cat.hotels]
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(small_request(), cat, time_limit=LIMIT)
    assert "hotel_checkin_closed" in {r for r, _ in exc.value.violations}


def test_the_trip_ends_on_its_last_day_unless_the_request_allows_later():
    from neurosym.catalog import Flight
    cat = small_catalog()
    # the only way home on day 3 leaves at 23:00 and lands at 00:30
    cat.flights = [f for f in cat.flights if not (f.date == date(2026, 6, 3) and f.destination == "Home")]
    cat.flights.append(Flight(number="N1", origin="Alpha", destination="Home", date=date(2026, 6, 3),
                              departure=time(23, 0), arrival=time(0, 30), arrival_day_offset=1, price=60))
    cat.ground_legs = [g for g in cat.ground_legs if g.destination != "Home"]
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(small_request(), cat, time_limit=LIMIT)
    assert "transport_home_after_midnight" in {r for r, _ in exc.value.violations}
    late = small_request(return_after_midnight=True)
    it = plan(late, cat)
    assert it.legs[-1].arrival == 24 * 60 + 30


def test_a_car_driven_out_drives_home(catalog):
    from neurosym import Keep
    from neurosym.catalog import GroundLeg
    # a car out to Alpha is kept, but it cannot come home: no drive back
    catalog.ground_legs.append(GroundLeg(id="car:Home>Alpha", mode="drive", origin="Home", destination="Alpha",
                                         duration_min=240, cost=80, departures=[time(7)]))
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(small_request(keep=[Keep(item_id="car:Home>Alpha")]), catalog, time_limit=LIMIT)
    # the closest itinerary either leaves the car behind or gives the kept car up
    assert {r for r, _ in exc.value.violations} in ({"transport_car_left_behind"}, {"keep_missing"})
    catalog.ground_legs.append(GroundLeg(id="car:Alpha>Home", mode="drive", origin="Alpha", destination="Home",
                                         duration_min=240, cost=80, departures=[time(16)]))
    it = plan(small_request(keep=[Keep(item_id="car:Home>Alpha")]), catalog)
    assert {leg.mode for leg in it.legs} == {"drive"}


# -- activities.lp -----------------------------------------------------------------------

def test_museum_closed_on_monday_is_not_visited_on_monday(catalog):
    it = plan(small_request(), catalog)
    for day, item in visits(it):
        if item == "a:a:museum":
            assert it.days[day - 1].date.weekday() != 0


def test_places_with_the_same_hours_every_day_are_visited_within_them(catalog):
    # tower and zoo are open daily (open_daily/3), the museum not on Mondays (open/4); with
    # four days and room for eight visits, the best itinerary uses all four attractions
    it = plan(small_request(end=date(2026, 6, 4)), catalog)
    assert {"a:a:tower", "a:a:zoo", "a:a:museum", "a:a:park"} <= {item for _, item in visits(it)}


def test_full_days_have_three_meals_and_no_place_repeats(catalog):
    it = plan(small_request(end=date(2026, 6, 4)), catalog)
    for d in it.days:
        if not d.is_travel_day:
            assert {e.kind for e in d.events} >= {"breakfast", "lunch", "dinner"}
    used = [e.item_id for d in it.days for e in d.events if e.kind in ("visit", "breakfast", "lunch", "dinner")]
    assert len(used) == len(set(used))


def test_required_cuisine_appears(catalog):
    it = plan(small_request(cuisines=["vegan"]), catalog)
    meals = [catalog.item(e.item_id) for d in it.days for e in d.events if e.kind in ("breakfast", "lunch", "dinner")]
    assert any("Vegan" in m.cuisines for m in meals)


def test_pace_limits_visits_per_day(catalog):
    it = plan(small_request(pace=1), catalog)
    for d in it.days:
        assert sum(e.kind == "visit" for e in d.events) <= 1


# -- budget.lp ---------------------------------------------------------------------------

def test_tight_budget_routes_to_a_cheaper_plan(catalog):
    rich = plan(small_request(), catalog)
    cap = rich.total_cost - 1
    poor = plan(small_request(budget=cap), catalog)
    assert poor.total_cost <= cap


def test_budget_of_one_is_infeasible_and_names_the_budget(catalog):
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(small_request(budget=1), catalog, time_limit=LIMIT)
    assert "budget_total" in {r for r, _ in exc.value.violations}
    assert "budget" in str(exc.value)


# -- strings into ASP ----------------------------------------------------------------------

NASTY = 'Bob\'s "Bar". :- x. % not a comment\\ \n#show p/1.'


def test_names_full_of_asp_syntax_round_trip():
    cat = small_catalog(alpha=NASTY)
    cat.restaurants = [r.model_copy(update={"name": NASTY + r.name}) for r in cat.restaurants]
    req = small_request(destinations=[NASTY])
    it = plan(req, cat)
    assert it.cities == [NASTY]
    assert any(e.name.startswith(NASTY) for d in it.days for e in d.events)
    assert Itinerary.model_validate_json(it.model_dump_json()) == it


def test_what_clingo_cannot_hold_is_refused_at_the_boundary():
    with pytest.raises(ValidationError, match=r"name\n.*NUL"):
        small_catalog(alpha="Al\x00pha")
    with pytest.raises(ValidationError, match="destinations"):
        small_request(destinations=["Alpha\x00"])
    with pytest.raises(ValidationError, match="budget"):
        small_request(budget=25_000_000)  # 2.5e9 cents: beyond clingo's 32-bit numbers


def test_itinerary_json_round_trip_and_text(catalog):
    it = plan(small_request(), catalog)
    assert Itinerary.model_validate_json(it.model_dump_json()) == it
    text = it.to_text()
    assert "Day 1" in text and "Day 3" in text
    assert {j.item_id for j in it.justifications} >= set(it.chosen_ids())


# -- time limit --------------------------------------------------------------------------

def test_a_zero_time_limit_returns_a_checked_itinerary_or_says_it_ran_out(catalog):
    # the grace for a first itinerary is 0.15 s: a small trip fits in it on a quiet machine
    req = small_request(destinations=["Alpha", "Beta"], end=date(2026, 6, 5))
    try:
        it = plan_itinerary(req, catalog, time_limit=0)
    except TimeoutError as exc:
        assert "time limit of 0 s" in str(exc)
    else:
        assert verify(it, req, catalog) == []
        assert it.days and it.legs


def test_a_zero_time_limit_never_plans_an_impossible_request(catalog):
    # no itinerary: NoItinerary (its diagnosis complete or partial), or, on a busy machine,
    # TimeoutError before the search has shown that none exists
    with pytest.raises((NoItinerary, TimeoutError)) as exc:
        plan_itinerary(small_request(budget=1), catalog, time_limit=0)
    if isinstance(exc.value, NoItinerary):
        d = exc.value.diagnosis
        assert d is not None
        if d.complete:
            assert "budget_total" in {r for r, _ in exc.value.violations}


def test_the_time_limit_holds_when_the_facts_and_grounding_alone_take_longer():
    # the demo trip's facts, bound and grounding take far more than 0.01 s: the call gives up
    # at the limit plus its grace, tells the planning thread to stop, and reports nothing after
    import threading
    import time

    from neurosym import demo_request, load_demo_catalog
    shown = []
    with pytest.raises(TimeoutError, match="time limit of 0.01 s"):
        plan_itinerary(demo_request(), load_demo_catalog(), time_limit=0.01, progress=shown.append)
    returned = len(shown)
    end = time.monotonic() + 60
    while any(t.name == "neurosym-plan" for t in threading.enumerate()) and time.monotonic() < end:
        time.sleep(0.05)
    assert not any(t.name == "neurosym-plan" for t in threading.enumerate()), "the planning thread stops"
    assert len(shown) == returned, "no progress after the call returned"
