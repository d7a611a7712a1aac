"""The weather rules (rules/weather.lp): outdoor sights out of the rain, long ones out of
extreme heat and cold, or a preference penalty for travellers who accept the risk;
verify() checks them independently, explanations cite the forecast, replan() keeps
what still fits. On the small test catalog (Alpha Park is its one outdoor sight in
Alpha), with hand-made forecasts; every plan here is proven optimal."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from neurosym import Keep, NoItinerary, plan_itinerary, replan, verify
from neurosym.catalog import clock
from neurosym.problem import build_problem
from neurosym.program import Program
from neurosym.request import WeatherPolicy
from neurosym.rules import core_paths
from neurosym.weather import CityForecast, DailyWeather, Forecast, HourlyWeather, TripWeather
from neurosym.weather.exposure import day_hours, exposures

from conftest import START, small_catalog, small_request

PARK = "a:a:park"


def forecast(rain: dict[date, range] | None = None, prob: int = 90, temp: dict[date, float] | None = None,
             city: str = "Alpha") -> Forecast:
    """Hourly weather for June 1-7: ``prob``% rain in the hours given per day (10% in the
    others), 20 °C unless ``temp`` says otherwise for a day."""
    rain, temp = rain or {}, temp or {}
    hours = []
    for k in range(7):
        d = START + timedelta(days=k)
        for h in range(24):
            p = prob if h in rain.get(d, ()) else 10
            hours.append(HourlyWeather(time=datetime.combine(d, time(h)), precipitation_probability=p,
                                       precipitation=3.0 if p >= 50 else 0.0, temperature=temp.get(d, 20.0),
                                       wind_speed=12.0, weather_code=63 if p >= 50 else 1))
    return Forecast(source="test", issued=datetime(2026, 5, 31, 6), cities=[CityForecast(city=city, hourly=hours)])


def visits(it) -> dict[str, tuple[int, int, int]]:
    """Each visit: (day, start, end)."""
    return {e.item_id: (d.day, e.start, e.end) for d in it.days for e in d.events if e.kind == "visit"}


def day_of(d: int) -> date:
    return START + timedelta(days=d - 1)


def test_heavy_rain_keeps_outdoor_sights_out_of_those_hours_and_verify_agrees():
    cat, req = small_catalog(), small_request()
    plain = plan_itinerary(req, cat, time_limit=None)
    assert plain.weather.source is None and "without weather" in plain.to_text()
    assert PARK in visits(plain), "the park is worth visiting in dry weather"
    rainy = visits(plain)[PARK][0]           # rain all that day, from 08:00 to midnight
    f = forecast({day_of(rainy): range(8, 24)})
    it = plan_itinerary(req, cat, time_limit=None, forecast=f)
    assert it.optimal and it.weather.source == "test" and "planned with the test forecast" in it.to_text()
    for item, (d, start, end) in visits(it).items():
        if not cat.index()[item].indoor:     # no outdoor visit overlaps the rainy hours
            assert d != rainy or end <= 8 * 60, (item, d, clock(start))
    assert verify(it, req, cat, f) == []
    # the plan made without the forecast breaks the rule, and verify() says where and why
    found = verify(plain, req, cat, f)
    assert [(v.rule, v.day, v.item_id) for v in found] == [("weather_rain", rainy, PARK)]
    assert "Alpha Park is outdoors, and the forecast gives 90% rain" in found[0].message
    assert f"in Alpha on {day_of(rainy):%A} (day {rainy})" in found[0].message
    assert verify(plain, req, cat) == []     # without a forecast there is no weather rule


def test_why_not_an_outdoor_sight_in_the_rain_names_the_rule_and_the_forecast():
    cat, req = small_catalog(), small_request()
    wet = forecast({START + timedelta(days=k): range(24) for k in range(3)}, prob=85)   # rain all trip long
    it = plan_itinerary(req, cat, time_limit=None, forecast=wet)
    assert PARK not in visits(it)
    e = it.why_not(PARK)
    assert e.status == "excluded" and "weather_rain" in e.rule_names()
    assert "Alpha Park is outdoors, and the forecast gives 85% rain" in e.text and "in Alpha on Monday (day 1)" in e.text
    assert "rain threshold of 60% for outdoor visits" in " ".join(e.constraints)
    b = next(b for b in e.broken if b.rule == "weather_rain")
    assert b.file == "rules/weather.lp" and b.items == [PARK]
    # the trace says it too, for the outdoor candidate and no indoor one
    entry = next(x for x in it.trace.entries if x.item_id == PARK)
    assert entry.status == "excluded" and "85% rain" in entry.text
    assert not any("rain" in x.text for x in it.trace.entries if x.item_id in ("a:a:museum", "a:a:zoo"))


def test_a_moved_outdoor_sight_says_which_slots_the_forecast_keeps_it_out_of():
    cat, req = small_catalog(), small_request()
    f = forecast({day_of(2): range(8, 24)})
    it = plan_itinerary(req, cat, time_limit=None, forecast=f)
    assert visits(it)[PARK][0] != 2          # moved off the rainy day
    e = it.why(PARK)
    assert e.status == "chosen" and "weather_rain" in {r.name for r in e.rules}
    assert "The forecast keeps it out of 5 slots" in e.text and "90% rain" in e.text and "(day 2)" in e.text
    assert "weather_rain" not in {r.name for r in it.why("a:a:museum").rules}   # indoors: not a rule for it
    assert "rain" in next(x for x in it.trace.entries if x.item_id == PARK).text


def test_with_the_threshold_at_100_the_plan_is_the_plan_without_a_forecast():
    cat = small_catalog()
    f = forecast({day_of(2): range(8, 24)}, prob=95)
    plain = plan_itinerary(small_request(), cat, time_limit=None)
    it = plan_itinerary(small_request(weather=WeatherPolicy(rain_threshold=100)), cat, time_limit=None, forecast=f)
    assert plain.optimal and it.optimal
    assert it.model_dump(exclude={"weather", "justifications"}) == plain.model_dump(exclude={"weather", "justifications"})
    assert it.weather.source == "test" and plain.weather.source is None


def test_accepting_the_risk_makes_bad_weather_a_preference_not_a_rule():
    cat = small_catalog()
    wet = forecast({START + timedelta(days=k): range(24) for k in range(3)}, prob=85)
    avoid = plan_itinerary(small_request(), cat, time_limit=None, forecast=wet)
    req = small_request(weather=WeatherPolicy(risk="accept"))
    accept = plan_itinerary(req, cat, time_limit=None, forecast=wet)
    assert PARK not in visits(avoid) and PARK in visits(accept)   # free and liked: worth it even in the rain
    assert verify(accept, req, cat, wet) == []
    # it counts 85% less than in the dry: the objective and the explanation engine agree on how much
    pref = {j.item_id: j.preference for j in accept.justifications}[PARK]
    points = round(100 * pref)
    assert accept.objective[0] == avoid.objective[0] - (points - points * 85 // 100)
    assert accept.explainer.objective == accept.objective
    assert f"it counts {points * 85 // 100} of its {points} preference points less" in accept.why(PARK).text


def test_heat_keeps_long_outdoor_visits_out_of_the_hottest_hours():
    cat = small_catalog()
    hot = forecast(temp={day_of(2): 35.0})
    park = cat.index()[PARK].duration_min    # 90 minutes
    req = small_request(weather=WeatherPolicy(long_visit=park))
    it = plan_itinerary(req, cat, time_limit=None, forecast=hot)
    assert visits(it)[PARK][0] != 2 and verify(it, req, cat, hot) == []
    assert "35 °C" in it.why(PARK).text and "weather_heat" in it.why(PARK).text
    # a visit shorter than a long one is not moved by the heat
    short = small_request(weather=WeatherPolicy(long_visit=park + 1))
    assert not exposures(day_hours(hot, "Alpha", day_of(2)), 14 * 60, park, short.weather)
    assert exposures(day_hours(hot, "Alpha", day_of(2)), 14 * 60, park, req.weather)[0].rule == "weather_heat"


def test_the_rules_and_verify_forbid_exactly_the_same_placements():
    """The rules' ground instances (decided from the facts while grounding) and verify's
    Python reading of the forecast agree on every outdoor place, day and visit slot: an
    uneven forecast, one day with only daily values, and a late slot past midnight."""
    cat = small_catalog()
    hours = []
    for k in range(7):
        d = START + timedelta(days=k)
        if k == 1:
            continue                     # day 2: daily values only
        for h in range(24):
            hours.append(HourlyWeather(time=datetime.combine(d, time(h)), precipitation_probability=(h * 37 + k * 11) % 100,
                                       temperature=10.0 + (h * 7 + k) % 25))
    daily = [DailyWeather(date=day_of(2), precipitation_probability_max=55, temperature_min=-7.5, temperature_max=33.4)]
    f = Forecast(source="uneven", cities=[CityForecast(city="Alpha", hourly=hours, daily=daily)])
    slots = small_request().slots.model_copy(update={"visits": [*small_request().slots.visits, time(23, 30)]})
    for policy in (WeatherPolicy(), WeatherPolicy(rain_threshold=40, heat_limit=30, cold_limit=-5, long_visit=60)):
        req = small_request(weather=policy, slots=slots, end=date(2026, 6, 4))
        problem = build_problem(req, cat, forecast=f, prune_dominated=False)
        prog = Program(problem.facts, files=list(core_paths()))
        asp = set()
        for sa in prog.ctl.symbolic_atoms.by_signature("violation", 2):
            rule, values = sa.symbol.arguments[0].name, sa.symbol.arguments[1].arguments
            if rule.startswith("weather_"):
                asp.add((rule, values[0].string, values[6].number, values[1].number, values[2].number,
                         values[3].number))
        python = set()
        for pid in problem.places:
            place = cat.index()[pid]
            if getattr(place, "indoor", True):
                continue
            for d in range(1, req.n_days + 1):
                for s, (kind, t) in problem.slots.items():
                    if kind == "visit":
                        for e in exposures(day_hours(f, place.city, req.day_date(d)), t, place.duration_min, policy):
                            python.add((e.rule, pid, d, e.value, e.start, e.end))
        assert asp == python and len(python) > 10


def test_replan_for_a_new_forecast_keeps_what_still_fits_and_says_what_moved():
    cat, req = small_catalog(), small_request()
    old = plan_itinerary(req, cat, time_limit=None)
    rainy = visits(old)[PARK][0]
    f = forecast({day_of(rainy): range(8, 24)})
    r = replan(old, f, time_limit=None)
    assert r.itinerary.weather.source == "test" and verify(r.itinerary, r.request, cat, f) == []
    moved = {c.item_id: c for c in r.changes}
    assert list(moved) == [PARK] and moved[PARK].kind == "moved" and moved[PARK].rules == ["weather_rain"]
    assert "Alpha Park is outdoors, and the forecast gives 90% rain" in moved[PARK].reason
    # everything else stayed where it was
    before = {k: v for k, v in visits(old).items() if k != PARK}
    assert {k: v for k, v in visits(r.itinerary).items() if k != PARK} == before
    assert [lg.model_dump() for lg in r.itinerary.legs] == [lg.model_dump() for lg in old.legs]
    places = sum(1 for d in old.days for e in d.events if e.kind in ("visit", "breakfast", "lunch", "dinner"))
    assert r.itinerary.stays == old.stays and len(r.kept) == len(old.legs) + len(old.stays) + places - 1
    assert "moved from day" in r.text()
    # nothing to change for a dry forecast
    assert replan(old, forecast({}), time_limit=None).changes == []


def test_a_kept_outdoor_sight_in_the_rain_is_a_conflict_with_a_confirmed_repair():
    cat = small_catalog()
    f = forecast({day_of(2): range(8, 24)})
    req = small_request(keep=[Keep(item_id=PARK, day=2, start=time(14, 30))])
    with pytest.raises(NoItinerary) as info:
        plan_itinerary(req, cat, forecast=f, time_limit=5)
    d = info.value.diagnosis
    assert {c.field for c in d.conflict} == {"keep", "weather"}
    # the closest itinerary (the first repair's) breaks the rain rule, in the verifier's words
    assert any(b.rule == "weather_rain" and "90% rain" in b.text for b in d.violations)
    accept = next(r for r in d.repairs if r.kind == "weather")
    assert accept.confirmed and accept.changes["weather"]["risk"] == "accept"
    it = plan_itinerary(accept.apply(req), cat, forecast=f, time_limit=5)
    assert visits(it)[PARK][:2] == (2, 14 * 60 + 30)


def test_a_repair_that_gives_up_two_keeps_drops_both():
    # keep 2 (the museum on Monday, its closing day) can never hold; keep 3 (the park in
    # the rain) conflicts with the rain threshold: giving up keeps 2 and 3 is one repair
    cat = small_catalog()
    f = forecast({day_of(2): range(8, 24)})
    req = small_request(keep=[Keep(item_id="a:a:zoo"), Keep(item_id="a:a:museum", day=1),
                              Keep(item_id=PARK, day=2, start=time(14, 30))])
    with pytest.raises(NoItinerary) as info:
        plan_itinerary(req, cat, forecast=f, time_limit=5)
    d = info.value.diagnosis
    assert ["keep(2)", "keep(3)"] in d.correction_sets
    both = next(r for r in d.repairs if sorted(r.constraints) == ["keep(2)", "keep(3)"])
    assert both.confirmed and [k["item_id"] for k in both.changes["keep"]] == ["a:a:zoo"]
    assert "a:a:museum on day 1" in both.text and "a:a:park on day 2" in both.text


def test_a_provider_without_a_forecast_plans_without_weather_and_says_why():
    cat, req = small_catalog(), small_request()
    none = TripWeather(source="open-meteo", note="No forecast: Open-Meteo could not be reached. Planned without weather.")
    it = plan_itinerary(req, cat, time_limit=None, forecast=none)
    assert it.weather.source is None and "could not be reached" in it.weather.note
    assert "planned without weather" in it.to_text()
    # a forecast that lacks a city-day says so, and plans without weather there
    partial = forecast({day_of(2): range(24)}, city="Beta")
    it = plan_itinerary(req, cat, time_limit=None, forecast=partial)
    assert it.weather.source == "test" and "no forecast for Alpha on Mon 01 Jun, Tue 02 Jun, Wed 03 Jun" in it.weather.note
