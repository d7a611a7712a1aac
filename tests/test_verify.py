"""``verify``: an independent re-check of every hard rule, on a small hand-built trip.

The trip is written out by hand (no planner): 2 adults from Home, 4 days, 2 nights in
Alpha then 1 in Beta. Every place stands at its city's centre, so every move inside a
city takes the catalog's 10-minute overhead, except where a test adds coordinates or an
explicit transfer. Costs are worked out by hand below; the valid trip must verify as
``[]``, and each targeted corruption must be reported under the rule it breaks.
"""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from neurosym.catalog import (Attraction, Catalog, City, Flight, GroundLeg, Hotel, HouseRules, OpeningHours,
                              Restaurant, Transfer)
from neurosym.itinerary import Day, Event, Itinerary, Leg, Stay
from neurosym.request import Travelers, TripRequest
from neurosym.verify import RULES, Violation, verify

START = date(2026, 6, 6)  # a Saturday: day 2 is a Sunday, day 3 a Monday


def t(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def make_catalog() -> Catalog:
    always = OpeningHours(always=True)
    return Catalog(
        name="tiny",
        cities=[City(name="Home", lat=50.0, lon=10.0), City(name="Alpha", lat=51.0, lon=11.0),
                City(name="Beta", lat=52.0, lon=12.0), City(name="Gamma", lat=53.0, lon=13.0)],
        flights=[
            Flight(number="F1", origin="Home", destination="Alpha", date=START, departure=time(8), arrival=time(9, 30),
                   price=100),
            Flight(number="F3", origin="Home", destination="Alpha", date=START, departure=time(21),
                   arrival=time(22, 50), price=100),
            Flight(number="F2", origin="Beta", destination="Home", date=date(2026, 6, 9), departure=time(18),
                   arrival=time(19, 30), price=120),
            Flight(number="F4", origin="Beta", destination="Home", date=date(2026, 6, 9), departure=time(6),
                   arrival=time(7, 30), price=120),
            Flight(number="F6", origin="Beta", destination="Home", date=date(2026, 6, 9), departure=time(18),
                   arrival=time(0, 30), arrival_day_offset=1, price=120),
        ],
        ground_legs=[
            GroundLeg(id="T1", mode="train", origin="Alpha", destination="Beta", duration_min=120, cost=30,
                      cost_basis="per_person", departures=[time(10), time(15)]),
            GroundLeg(id="D1", mode="drive", origin="Alpha", destination="Beta", duration_min=90, cost=60,
                      vehicle_capacity=4, departures=[time(9)]),
        ],
        hotels=[
            Hotel(id="h_a", name="Hotel Alpha", city="Alpha", price=80, max_occupancy=2,
                  house_rules=HouseRules(pets=False)),
            Hotel(id="h_b", name="Hotel Beta", city="Beta", price=70, check_in_start=time(14),
                  check_in_end=time(22), check_out=time(10)),
            Hotel(id="h_b_min", name="Beta Long Stay", city="Beta", price=70, check_in_start=time(14),
                  check_in_end=time(22), check_out=time(10), min_nights=2),
        ],
        attractions=[
            Attraction(id="a_tower", name="Alpha Tower", city="Alpha", hours=always, duration_min=60, price=5),
            Attraction(id="a_park", name="Alpha Park", city="Alpha", hours=always, duration_min=60, price=0),
            Attraction(id="a_oldtown", name="Old Town", city="Alpha", hours=always, duration_min=60, price=0),
            Attraction(id="a_museum", name="Alpha Museum", city="Alpha",
                       hours=OpeningHours.daily("09:00", "18:00", closed=("mon",)), duration_min=90, price=12),
            Attraction(id="a_far", name="Far Lookout", city="Alpha", lat=51.1, lon=11.0, hours=always,
                       duration_min=60, price=0),
            Attraction(id="b_castle", name="Beta Castle", city="Beta", hours=always, duration_min=60, price=6),
            Attraction(id="b_gallery", name="Beta Gallery", city="Beta",
                       hours=OpeningHours.daily("10:00", "18:00"), duration_min=60, price=8),
        ],
        restaurants=[
            Restaurant(id="r_trat", name="Trattoria", city="Alpha", cuisines=["Italian"], price=20,
                       hours=OpeningHours.daily("11:00", "23:00")),
            Restaurant(id="r_bistro", name="Bistro", city="Alpha", cuisines=["French"], price=25),
            Restaurant(id="r_cafe", name="Cafe Alpha", city="Alpha", cuisines=["Cafe"], price=10, meal_duration_min=45),
            Restaurant(id="r_sushi", name="Sushi Bar", city="Alpha", cuisines=["Japanese"], price=30),
            Restaurant(id="r_diner", name="Diner", city="Alpha", cuisines=["Burgers"], price=18),
            Restaurant(id="r_noodle", name="Noodle House", city="Alpha", cuisines=["Chinese"], price=15),
            Restaurant(id="r_grill", name="Beta Grill", city="Beta", cuisines=["BBQ"], price=28),
            Restaurant(id="r_bcafe", name="Cafe Beta", city="Beta", cuisines=["Cafe"], price=9, meal_duration_min=45),
            Restaurant(id="r_blunch", name="Beta Canteen", city="Beta", cuisines=["Vegetarian"], price=14),
        ],
        transfers=[Transfer(a="a_tower", b="a_far", minutes=3)],
    )


def make_request(**changes) -> TripRequest:
    data = dict(origin="Home", destinations=["Alpha", "Beta"], start=START, end=date(2026, 6, 9),
                travelers=Travelers(adults=2), budget=1500, cuisines=["ITALIAN "], pace=2, meals="all")
    data.update(changes)
    return TripRequest(**data)


def ev(cat: Catalog, kind: str, item_id: str | None, start: str, end: str | None = None, **kw) -> Event:
    """An event; a visit or meal lasts its catalog duration and costs its price for 2 people."""
    it = cat.index().get(item_id) if item_id else None
    s = t(start)
    if kind in ("visit", "breakfast", "lunch", "dinner"):
        dur = it.duration_min if isinstance(it, Attraction) else it.meal_duration_min
        return Event(kind=kind, start=s, end=s + dur, city=it.city, item_id=item_id, name=it.name,
                     cost=it.price * 2, **kw)
    if kind in ("check_in", "check_out"):
        return Event(kind=kind, start=s, end=s, city=it.city, item_id=item_id, name=it.name, **kw)
    return Event(kind=kind, start=s, end=t(end) if end else s, item_id=item_id, **kw)


def make_itinerary(cat: Catalog) -> Itinerary:
    e = lambda *a, **k: ev(cat, *a, **k)  # noqa: E731
    day1 = [
        e("flight", "F1@2026-06-06", "08:00", "09:30", city="Home", to_city="Alpha", name="Flight F1", cost=200),
        e("transfer", "a_tower", "10:50", "11:00", city="Alpha"),
        e("visit", "a_tower", "11:00"),
        e("lunch", "r_trat", "12:30"),
        e("visit", "a_park", "14:30"),
        e("dinner", "r_bistro", "19:00"),
        e("check_in", "h_a", "20:10"),
    ]
    day2 = [
        e("breakfast", "r_cafe", "08:00"),
        e("visit", "a_museum", "09:30"),
        e("lunch", "r_sushi", "13:30"),
        e("dinner", "r_diner", "19:00"),
    ]
    day3 = [
        e("check_out", "h_a", "09:00"),
        e("lunch", "r_noodle", "12:30"),
        e("transfer", None, "14:30", "14:40", city="Alpha", name="to the station"),
        e("train", "T1", "15:00", "17:00", city="Alpha", to_city="Beta", name="Train", cost=60),
        e("visit", "b_castle", "17:30"),
        e("dinner", "r_grill", "19:00"),
        e("check_in", "h_b", "20:10"),
    ]
    day4 = [
        e("check_out", "h_b", "07:30"),
        e("breakfast", "r_bcafe", "08:00"),
        e("visit", "b_gallery", "11:00"),
        e("lunch", "r_blunch", "12:30"),
        e("flight", "F2@2026-06-09", "18:00", "19:30", city="Beta", to_city="Home", name="Flight F2", cost=240),
    ]
    cities = [("Home", "Alpha"), ("Alpha", "Alpha"), ("Alpha", "Beta"), ("Beta", "Home")]
    days = [Day(day=i, date=date(2026, 6, 5 + i), start_city=s, end_city=c, events=evs)
            for i, ((s, c), evs) in enumerate(zip(cities, [day1, day2, day3, day4]), start=1)]
    legs = [Leg(day=1, item_id="F1@2026-06-06", mode="flight", origin="Home", destination="Alpha",
                departure=t("08:00"), arrival=t("09:30"), units=2, cost=200),
            Leg(day=3, item_id="T1", mode="train", origin="Alpha", destination="Beta",
                departure=t("15:00"), arrival=t("17:00"), units=2, cost=60),
            Leg(day=4, item_id="F2@2026-06-09", mode="flight", origin="Beta", destination="Home",
                departure=t("18:00"), arrival=t("19:30"), units=2, cost=240)]
    stays = [Stay(city="Alpha", hotel_id="h_a", name="Hotel Alpha", check_in=START, nights=2, rooms=1, cost=160),
             Stay(city="Beta", hotel_id="h_b", name="Hotel Beta", check_in=date(2026, 6, 8), nights=1, rooms=1,
                  cost=70)]
    # transport 200+60+240; hotels 2*80+70; attractions 2*(5+0+12+6+8); restaurants 2*(20+25+10+30+18+15+28+9+14)
    by_cat = {"transport": 500.0, "hotel": 230.0, "attraction": 62.0, "restaurant": 338.0}
    return Itinerary(origin="Home", cities=["Alpha", "Beta"], days=days, stays=stays, legs=legs,
                     total_cost=1130.0, costs_by_category=by_cat, optimal=True, objective=[0, 0])


@pytest.fixture
def cat() -> Catalog:
    return make_catalog()


@pytest.fixture
def it(cat: Catalog) -> Itinerary:
    return make_itinerary(cat)


def rules_of(violations: list[Violation]) -> set[str]:
    return {v.rule for v in violations}


def find(it: Itinerary, day: int, item_id: str | None = None, kind: str | None = None) -> Event:
    return next(e for e in it.days[day - 1].events
                if (item_id is None or e.item_id == item_id) and (kind is None or e.kind == kind))


def move(it: Itinerary, day: int, item_id: str, start: str, to_day: int | None = None) -> Event:
    """Move an event (to another start time and/or day), keeping its length; days stay sorted."""
    e = find(it, day, item_id)
    length = e.end - e.start
    e.start, e.end = t(start), t(start) + length
    if to_day is not None and to_day != day:
        it.days[day - 1].events.remove(e)
        it.days[to_day - 1].events.append(e)
    for d in it.days:
        d.events.sort(key=lambda x: (x.start, x.end))
    return e


def drop(it: Itinerary, day: int, item_id: str | None = None, kind: str | None = None) -> None:
    it.days[day - 1].events.remove(find(it, day, item_id, kind))


# -- the valid trip --------------------------------------------------------------------

def test_valid_itinerary_has_no_violation(cat: Catalog, it: Itinerary) -> None:
    assert verify(it, make_request(), cat) == []


def test_violation_model_and_rule_list(cat: Catalog, it: Itinerary) -> None:
    it.days[1].events[1].item_id = "nope"
    v = verify(it, make_request(), cat)
    hit = next(x for x in v if x.rule == "itinerary_unknown_item")
    assert hit.day == 2 and hit.item_id == "nope" and "nope" in hit.message and "nope" in str(hit)
    assert Violation.model_validate(hit.model_dump()) == hit
    assert rules_of(v) <= set(RULES)


def test_every_asp_rule_name_is_checked() -> None:
    # the core rule files; benchmark conventions (rules/travelplanner.lp) are a user-style add-on
    from neurosym.rules import core_paths
    names = {m.group(1) for p in core_paths()
             for m in re.finditer(r"^\s*%!\s*([a-z][A-Za-z0-9_]*)\s*:", p.read_text(), re.M)}
    assert names and names <= set(RULES), sorted(names - set(RULES))


# -- structure ---------------------------------------------------------------------------

def test_unknown_item_id(cat: Catalog, it: Itinerary) -> None:
    find(it, 2, "a_museum").item_id = "no_such_place"
    it.stays[1].hotel_id = "no_such_hotel"
    it.legs[0].item_id = "no_such_flight"
    v = verify(it, make_request(), cat)
    unknown = {x.item_id for x in v if x.rule == "itinerary_unknown_item"}
    assert {"no_such_place", "no_such_hotel", "no_such_flight"} <= unknown


def test_item_of_the_wrong_kind(cat: Catalog, it: Itinerary) -> None:
    find(it, 2, "a_museum").item_id = "r_trat"
    assert "itinerary_item_kind" in rules_of(verify(it, make_request(), cat))


def test_garbage_gives_violations_not_tracebacks(cat: Catalog, it: Itinerary) -> None:
    it.days[1].start_city = "Atlantis"
    it.days[2].events[3].item_id = "h_a"           # a hotel as a train
    it.days[0].events[0].item_id = None             # a flight without an id
    it.stays.append(Stay(city="Nowhere", hotel_id="r_trat", name="x", check_in=START, nights=1, rooms=1, cost=0))
    v = verify(it, make_request(), cat)
    assert {"itinerary_unknown_city", "itinerary_item_kind", "itinerary_unknown_item", "hotel_stay",
            "itinerary_days"} <= rules_of(v)
    assert "verify_internal_error" not in rules_of(v)
    empty = it.model_copy(update={"days": [], "stays": [], "legs": []})
    assert "itinerary_days" in rules_of(verify(empty, make_request(), cat))


def test_days_and_dates(cat: Catalog, it: Itinerary) -> None:
    it.days[2].date = date(2026, 6, 20)
    assert "itinerary_days" in rules_of(verify(it, make_request(), cat))
    it2 = make_itinerary(cat)
    it2.days.pop()
    assert "itinerary_days" in rules_of(verify(it2, make_request(), cat))


def test_events_overlap(cat: Catalog, it: Itinerary) -> None:
    move(it, 1, "a_park", "12:00")                  # 12:00-13:00 overlaps lunch 12:30-13:30
    assert {"itinerary_overlap", "activity_overlap"} <= rules_of(verify(it, make_request(), cat))


def test_events_out_of_order(cat: Catalog, it: Itinerary) -> None:
    it.days[1].events.reverse()
    assert rules_of(verify(it, make_request(), cat)) == {"itinerary_event_order"}


def test_event_shorter_than_its_duration(cat: Catalog, it: Itinerary) -> None:
    find(it, 2, "a_museum").end -= 30
    assert rules_of(verify(it, make_request(), cat)) == {"itinerary_event_time"}


def test_cost_mismatch(cat: Catalog, it: Itinerary) -> None:
    it.total_cost += 5
    it.costs_by_category["hotel"] = 200.0
    v = [x for x in verify(it, make_request(), cat)]
    assert rules_of(v) == {"itinerary_cost_mismatch"} and len(v) == 2


def test_cities_legs_and_stays_lists(cat: Catalog, it: Itinerary) -> None:
    it.cities = ["Beta", "Alpha"]
    it.legs.pop(1)
    it.stays[0].nights = 3
    assert {"itinerary_cities", "itinerary_legs", "itinerary_stays"} <= rules_of(verify(it, make_request(), cat))


# -- route -------------------------------------------------------------------------------

def test_city_count_and_destinations(cat: Catalog, it: Itinerary) -> None:
    assert "route_city_count" in rules_of(verify(it, make_request(destinations=["Alpha", "Beta", "Gamma"]), cat))
    assert "route_not_destination" in rules_of(verify(it, make_request(destinations=["Alpha", "Gamma"]), cat))


def test_fixed_order(cat: Catalog, it: Itinerary) -> None:
    assert verify(it, make_request(fixed_order=True), cat) == []
    v = verify(it, make_request(fixed_order=True, destinations=["Beta", "Alpha"]), cat)
    assert rules_of(v) == {"route_fixed_order"}


def test_city_visited_twice(cat: Catalog, it: Itinerary) -> None:
    it.days[1].end_city = "Beta"                     # Alpha, Beta, Alpha
    it.days[2].start_city, it.days[2].end_city = "Beta", "Alpha"
    it.days[3].start_city = "Alpha"
    assert "route_contiguous_stay" in rules_of(verify(it, make_request(), cat))


def test_city_listed_without_night(cat: Catalog, it: Itinerary) -> None:
    it.cities = ["Alpha", "Beta", "Gamma"]
    assert rules_of(verify(it, make_request(), cat)) == {"route_city_unvisited"}


# -- transport ---------------------------------------------------------------------------

def test_move_without_leg(cat: Catalog, it: Itinerary) -> None:
    drop(it, 3, "T1")
    assert "transport_move" in rules_of(verify(it, make_request(), cat))


def test_leg_off_schedule(cat: Catalog, it: Itinerary) -> None:
    train = find(it, 3, "T1")
    train.start, train.end = t("14:50"), t("16:50")
    it.legs[1].departure, it.legs[1].arrival = train.start, train.end
    assert rules_of(verify(it, make_request(), cat)) == {"transport_leg_schedule"}


def test_excluded_mode(cat: Catalog, it: Itinerary) -> None:
    v = verify(it, make_request(exclude_modes=["train"]), cat)
    assert rules_of(v) == {"transport_mode_excluded"}
    assert v[0].day == 3 and v[0].item_id == "T1"


def test_earliest_departure_and_latest_return(cat: Catalog, it: Itinerary) -> None:
    v = verify(it, make_request(earliest_departure=time(9), latest_return=time(19)), cat)
    assert rules_of(v) == {"transport_earliest_departure", "transport_latest_return"}
    assert verify(it, make_request(earliest_departure=time(8), latest_return=time(19, 30)), cat) == []


def test_home_after_midnight(cat: Catalog, it: Itinerary) -> None:
    # the same evening departure, landing at 00:30: after the trip's last day has ended
    home = find(it, 4, "F2@2026-06-09")
    home.item_id, home.end = "F6@2026-06-09", t("24:30")
    it.legs[2].item_id, it.legs[2].arrival = "F6@2026-06-09", t("24:30")
    assert rules_of(verify(it, make_request(), cat)) == {"transport_home_after_midnight"}
    assert verify(it, make_request(return_after_midnight=True), cat) == []


def test_car_left_behind(cat: Catalog, it: Itinerary) -> None:
    # driving its own car from Alpha to Beta, then flying home: the car stays in Beta
    train = find(it, 3, "T1")
    train.kind, train.item_id = "drive", "D1"
    it.legs[1].mode, it.legs[1].item_id, it.legs[1].units = "drive", "D1", 1
    assert "transport_car_left_behind" in rules_of(verify(it, make_request(), cat))


def test_catch_leg(cat: Catalog, it: Itinerary) -> None:
    drop(it, 3, kind="transfer")
    move(it, 3, "r_noodle", "14:00")                 # ends 15:00; +10 min to the station +20 min buffer > 15:00
    assert rules_of(verify(it, make_request(), cat)) == {"transport_catch_leg"}


def test_after_arrival(cat: Catalog, it: Itinerary) -> None:
    move(it, 3, "b_castle", "17:15")                 # train arrives 17:00, +10 buffer +10 travel = 17:20
    assert rules_of(verify(it, make_request(), cat)) == {"transport_after_arrival"}


# -- hotels ------------------------------------------------------------------------------

def test_min_nights(cat: Catalog, it: Itinerary) -> None:
    it.stays[1].hotel_id = "h_b_min"
    find(it, 3, "h_b").item_id = "h_b_min"
    find(it, 4, "h_b").item_id = "h_b_min"
    v = verify(it, make_request(), cat)
    assert rules_of(v) == {"hotel_min_nights"}
    assert "at least 2 nights" in v[0].message


def test_house_rule_pets(cat: Catalog, it: Itinerary) -> None:
    v = verify(it, make_request(travelers=Travelers(adults=2, pets=1)), cat)
    assert rules_of(v) == {"hotel_house_rule"} and v[0].item_id == "h_a"


def test_room_type(cat: Catalog, it: Itinerary) -> None:
    assert verify(it, make_request(room_types=["hotel_room"]), cat) == []
    assert rules_of(verify(it, make_request(room_types=["entire_home"]), cat)) == {"hotel_room_type"}


def test_wrong_rooms(cat: Catalog, it: Itinerary) -> None:
    it.stays[0].rooms = 2
    assert rules_of(verify(it, make_request(), cat)) == {"hotel_rooms"}


def test_arrival_after_desk_closes(cat: Catalog, it: Itinerary) -> None:
    day1 = it.days[0]
    day1.events = [ev(cat, "flight", "F3@2026-06-06", "21:00", "22:50", city="Home", to_city="Alpha", cost=200),
                   ev(cat, "check_in", "h_a", "23:30")]
    # the day's places are gone, and the cuisine with them: say what the trip now costs and serves
    it.costs_by_category.update(attraction=52.0, restaurant=248.0)
    it.total_cost = 1030.0
    it.legs[0].item_id = "F3@2026-06-06"
    it.legs[0].departure, it.legs[0].arrival = t("21:00"), t("22:50")
    v = verify(it, make_request(cuisines=[]), cat)
    assert rules_of(v) == {"hotel_checkin_closed", "hotel_checkin_time"}
    closed = next(x for x in v if x.rule == "hotel_checkin_closed")
    assert "22:50" in closed.message and "23:00" in closed.message and "Hotel Alpha" in closed.message


def test_checkin_after_events(cat: Catalog, it: Itinerary) -> None:
    move(it, 3, "r_grill", "20:55")                  # ends 21:55, +10 min to Hotel Beta, whose desk closes 22:00
    move(it, 3, "h_b", "21:59")
    assert "hotel_checkin_after_events" in rules_of(verify(it, make_request(), cat))


def test_checkin_outside_desk_hours(cat: Catalog, it: Itinerary) -> None:
    move(it, 1, "h_a", "23:15")
    assert rules_of(verify(it, make_request(), cat)) == {"hotel_checkin_time"}


def test_checkout_late(cat: Catalog, it: Itinerary) -> None:
    move(it, 3, "h_a", "11:30")
    assert rules_of(verify(it, make_request(), cat)) == {"hotel_checkout_time"}


def test_checkout_before_day_start(cat: Catalog, it: Itinerary) -> None:
    day4 = it.days[3]
    day4.events = [ev(cat, "check_out", "h_b", "04:20"),
                   ev(cat, "flight", "F4@2026-06-09", "06:00", "07:30", city="Beta", to_city="Home", cost=240)]
    it.legs[2].item_id = "F4@2026-06-09"
    it.legs[2].departure, it.legs[2].arrival = t("06:00"), t("07:30")
    it.costs_by_category.update(attraction=46.0, restaurant=292.0)
    it.total_cost = 1068.0
    v = verify(it, make_request(), cat)
    assert rules_of(v) == {"hotel_checkout_before_leg"}
    assert "04:20" in v[0].message


def test_missing_stay_and_check_in(cat: Catalog, it: Itinerary) -> None:
    it.stays.pop()
    assert "hotel_stay" in rules_of(verify(it, make_request(), cat))
    it2 = make_itinerary(cat)
    drop(it2, 1, "h_a")
    assert rules_of(verify(it2, make_request(), cat)) == {"hotel_stay"}


# -- activities --------------------------------------------------------------------------

def test_museum_on_its_closed_monday(cat: Catalog, it: Itinerary) -> None:
    move(it, 2, "a_museum", "09:30", to_day=3)       # day 3 is a Monday
    v = verify(it, make_request(), cat)
    assert rules_of(v) == {"activity_opening_hours"}
    assert v[0].day == 3 and v[0].item_id == "a_museum" and "Monday" in v[0].message


def test_opening_hours_cover_the_whole_visit(cat: Catalog, it: Itinerary) -> None:
    move(it, 4, "b_gallery", "09:45")                # opens at 10:00
    assert rules_of(verify(it, make_request(), cat)) == {"activity_opening_hours"}


def test_restaurant_repeated(cat: Catalog, it: Itinerary) -> None:
    find(it, 2, "r_diner").item_id = "r_bistro"
    assert "activity_repeat" in rules_of(verify(it, make_request(), cat))


def test_meal_window(cat: Catalog, it: Itinerary) -> None:
    move(it, 2, "r_diner", "22:30")                  # dinner ends 23:30, the window 23:00
    assert rules_of(verify(it, make_request(), cat)) == {"activity_meal_window"}


def test_two_dinners_a_day(cat: Catalog, it: Itinerary) -> None:
    find(it, 2, "r_sushi").kind = "dinner"
    assert {"activity_meal_per_day", "activity_meals_every_full_day"} <= rules_of(verify(it, make_request(), cat))


def test_missing_meal_on_full_day(cat: Catalog, it: Itinerary) -> None:
    drop(it, 2, "r_sushi")
    it.costs_by_category["restaurant"] -= 60
    it.total_cost -= 60
    v = verify(it, make_request(), cat)
    assert rules_of(v) == {"activity_meals_every_full_day"}
    assert v[0].day == 2 and "lunch" in v[0].message
    assert verify(it, make_request(meals="optional"), cat) == []


def test_pace(cat: Catalog, it: Itinerary) -> None:
    it.days[0].events.append(ev(cat, "visit", "a_oldtown", "16:30"))   # a third visit, free of charge
    it.days[0].events.sort(key=lambda x: (x.start, x.end))
    assert rules_of(verify(it, make_request(), cat)) == {"activity_pace"}
    assert verify(it, make_request(pace=3), cat) == []


def test_place_in_a_city_the_traveller_is_not_in(cat: Catalog, it: Itinerary) -> None:
    lunch = find(it, 2, "r_sushi")
    lunch.item_id, lunch.city = "r_blunch", "Beta"   # a Beta lunch on a day spent in Alpha
    drop(it, 4, "r_blunch")
    assert "activity_city" in rules_of(verify(it, make_request(), cat))


def test_cuisine(cat: Catalog, it: Itinerary) -> None:
    v = verify(it, make_request(cuisines=["italian", "Thai"]), cat)
    assert rules_of(v) == {"activity_cuisine"} and "thai" in v[0].message


def test_travel_times_are_shortest_paths(cat: Catalog, it: Itinerary) -> None:
    # Far Lookout is ~11 km from the centre (37 min direct), 3 min from the Tower by an
    # explicit transfer: from the Trattoria it is 10 + 3 = 13 min away.
    park = find(it, 1, "a_park")
    park.item_id, park.name = "a_far", "Far Lookout"
    move(it, 1, "a_far", "13:43")
    assert verify(it, make_request(), cat) == []
    move(it, 1, "a_far", "13:42")
    v = verify(it, make_request(), cat)
    assert rules_of(v) == {"activity_overlap"} and "13 min" in v[0].message


# -- budget ------------------------------------------------------------------------------

def test_budget(cat: Catalog, it: Itinerary) -> None:
    assert verify(it, make_request(budget=1130), cat) == []
    v = verify(it, make_request(budget=1129.99), cat)
    assert rules_of(v) == {"budget_total"} and "1,130.00" in v[0].message


def test_costs_follow_the_catalog_bases(cat: Catalog) -> None:
    # 5 people: 3 rooms of at most 2 each, 5 seats on each flight, 5 per-person train fares
    it = make_itinerary(cat)
    req = make_request(travelers=Travelers(adults=5), budget=5000)
    v = verify(it, req, cat)
    assert "hotel_rooms" in rules_of(v) and "itinerary_cost_mismatch" in rules_of(v)
    hotel = next(x for x in v if x.rule == "itinerary_cost_mismatch" and "hotel cost" in x.message)
    assert "690.00" in hotel.message                 # (2*80 + 70) * 3 rooms
    transport = next(x for x in v if x.rule == "itinerary_cost_mismatch" and "transport cost" in x.message)
    assert "1,250.00" in transport.message           # (100 + 30 + 120) * 5


def test_origin_event_city_and_hotel_transfer(cat: Catalog, it: Itinerary) -> None:
    it.origin = "Beta"
    find(it, 2, "r_sushi").city = "Beta"
    move(it, 1, "h_a", "20:05")                      # dinner ends 20:00, the hotel is 10 min away
    v = verify(it, make_request(), cat)
    assert rules_of(v) == {"itinerary_origin", "itinerary_event_city", "itinerary_transfer_time"}
