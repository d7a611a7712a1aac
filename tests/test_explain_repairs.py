"""Repairs of impossible requests: minimal correction sets (several conflicts at once),
numeric relaxations with dropped constraints, frame repairs with what is missing in
words, the ranking, the time limit, and the trace's excluded candidates off the
itinerary's route. All on the small hand-made catalog of conftest.py."""

from __future__ import annotations

import json
import time as _time
from datetime import date, time

import pytest

from conftest import small_catalog, small_request
from neurosym import NoItinerary, plan_itinerary, verify
from neurosym.catalog import HouseRules
from neurosym.explain import diagnose_problem
from neurosym.problem import build_problem
from neurosym.request import Travelers

LIMIT = 2.0


def _infeasible(req, cat) -> NoItinerary:
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(req, cat, time_limit=LIMIT)
    return exc.value


def _plans(repair, req, cat):
    """The repaired request plans, independently of the diagnosis, and the verifier passes it."""
    fixed = repair.apply(req)
    it = plan_itinerary(fixed, cat, time_limit=LIMIT)
    assert verify(it, fixed, cat) == []
    return it


def _house_rules_catalog():
    """Alpha's cheap rooms allow smoking and its pet lodge parties: no stay allows both."""
    cat = small_catalog()
    rules = {"h:a:cheap": HouseRules(pets=False, smoking=True), "h:a:pets": HouseRules(pets=True, parties=True)}
    cat.hotels = [h.model_copy(update={"house_rules": rules[h.id]}) if h.id in rules else h for h in cat.hotels]
    return cat


def test_two_house_rules_no_hotel_allows_together():
    cat = _house_rules_catalog()
    req = small_request(house_rules=["smoking", "parties"])
    d = _infeasible(req, cat).diagnosis
    assert not d.frame and d.complete
    assert [sorted(c.name for c in m) for m in d.conflicts] == [["need(parties)", "need(smoking)"]]
    assert sorted(map(sorted, d.correction_sets)) == [["need(parties)"], ["need(smoking)"]]
    assert len(d.repairs) == 2 and all(r.confirmed and r.change == 1.0 for r in d.repairs)
    for r in d.repairs:
        assert r.changes["house_rules"] in (["smoking"], ["parties"])
        _plans(r, req, cat)


def test_independent_conflicts_get_one_repair_that_fixes_them_all():
    # two house rules no stay allows together, and a cuisine no restaurant serves: no
    # single change plans, each minimal correction set drops one house rule and the wish
    cat = _house_rules_catalog()
    req = small_request(house_rules=["smoking", "parties"], cuisines=["French"])
    exc = _infeasible(req, cat)
    d = exc.diagnosis
    assert sorted(map(sorted, d.correction_sets)) == [["cuisine(french)", "need(parties)"],
                                                      ["cuisine(french)", "need(smoking)"]]
    assert d.repairs and all(r.confirmed for r in d.repairs)
    first = d.repairs[0]
    assert first.changes["cuisines"] == [] and len(first.changes["house_rules"]) == 1 and first.change == 2.0
    _plans(first, req, cat)
    data = json.loads(json.dumps(exc.to_dict()))
    assert data["complete"] and data["correction_sets"] and data["repairs"][0]["change"] == 2.0


def test_smallest_budget_together_with_a_dropped_constraint():
    # with a pet, only the 90-a-night pet lodge will do; private rooms only, it will not:
    # accepting its room type, or travelling without the pet at the 50-a-night rooms, each
    # at the smallest budget that works with it
    cat = small_catalog()
    req = small_request(travelers=Travelers(adults=2, pets=1), room_types=["private_room"], budget=300)
    d = _infeasible(req, cat).diagnosis
    assert sorted(map(sorted, d.correction_sets)) == [["budget", "need(pets)"], ["budget", "room_type"]]
    by = {tuple(sorted(r.constraints)): r for r in d.repairs}
    pets, room = by[("budget", "need(pets)")], by[("budget", "room_type")]
    assert pets.changes["travelers"] == {"pets": 0} and room.changes["room_types"] == ["entire_home", "private_room"]
    assert pets.changes["budget"] < room.changes["budget"], "the pet lodge costs more than the cheap rooms"
    for r in d.repairs:
        it = _plans(r, req, cat)
        assert it.total_cost <= r.changes["budget"] + 1e-6 and r.proven
    assert [r.change for r in d.repairs] == sorted(r.change for r in d.repairs)


def test_frame_no_transport_on_the_dates_and_the_nearest_dates_that_work():
    # Beta is reached by air only, and the last flights are on 7 June: a trip back on
    # 9 June has no way home, whatever the traveller's constraints
    cat = small_catalog()
    req = small_request(destinations=["Beta"], start=date(2026, 6, 7), end=date(2026, 6, 9))
    exc = _infeasible(req, cat)
    d = exc.diagnosis
    assert d.frame and not d.conflict and d.complete
    assert d.missing == ["no flight from Beta to Home between 8 and 16 June; the nearest: 7 June"]
    assert "no flight from Beta to Home" in exc.message
    r = d.repairs[0]
    assert r.kind == "dates" and r.confirmed and r.changes == {"start": "2026-06-05", "end": "2026-06-07"}
    assert r.change == 0.5 and "2 days earlier" in r.text
    _plans(r, req, cat)
    assert [x.change for x in d.repairs] == sorted(x.change for x in d.repairs)


def test_frame_with_nothing_within_the_radius_says_so():
    cat = small_catalog()
    req = small_request(destinations=["Beta"], start=date(2026, 6, 20), end=date(2026, 6, 22))
    d = _infeasible(req, cat).diagnosis
    assert d.frame and d.repairs == [] and d.complete
    assert d.searched[-1] == "nothing within this radius works" and "7 days" in d.searched[0]
    assert d.missing[0].startswith("no flight from Home to Beta between")


def test_frame_repair_combined_with_a_constraint_repair():
    # the dates do not fit, and on the dates that do the budget is too small
    cat = small_catalog()
    req = small_request(destinations=["Beta"], start=date(2026, 6, 7), end=date(2026, 6, 9), budget=100)
    d = _infeasible(req, cat).diagnosis
    assert d.frame
    r = d.repairs[0]
    assert r.confirmed and {"start", "end", "budget"} <= set(r.changes)
    _plans(r, req, cat)


def test_the_diagnosis_stops_at_its_deadline_and_says_it_is_partial():
    cat = _house_rules_catalog()
    prob = build_problem(small_request(house_rules=["smoking", "parties"], cuisines=["French"]), cat)
    d = diagnose_problem(prob, deadline=_time.perf_counter())
    assert d.complete is False
    full = diagnose_problem(prob, deadline=_time.perf_counter() + 60)
    assert full.complete and full.repairs


def test_earliest_departure_with_a_budget_relaxes_both():
    cat = small_catalog()
    req = small_request(earliest_departure=time(23, 0), budget=200)
    d = _infeasible(req, cat).diagnosis
    both = next(r for r in d.repairs if set(r.changes) == {"earliest_departure", "budget"})
    assert both.changes["earliest_departure"] == "14:00" and both.confirmed
    _plans(both, req, cat)


def test_trace_explains_an_excluded_leg_off_the_route():
    # a two-city request visiting one: the itinerary goes to Alpha, and the 22:00 flight
    # into Beta (landing 23:15; Beta's desks close by midnight) is excluded everywhere
    cat = small_catalog()
    req = small_request(destinations=["Alpha", "Beta"], visit_count=1, weights={"money": 0})
    it = plan_itinerary(req, cat, time_limit=LIMIT)
    assert it.cities == ["Alpha"]
    e = it.trace.entry("L2@2026-06-01")
    assert e.status == "excluded" and e.scope == "global"
    assert "hotel_checkin_closed" in {b.rule for b in e.broken}
    assert "of an itinerary found on the route Beta" in e.text
    w = it.why_not("L2@2026-06-01")
    assert w.status == "excluded" and "hotel_checkin_closed" in {b.rule for b in w.broken}


def test_correction_sets_stop_at_the_deadline_with_many_constraints():
    # one conflict among 24 constraints: its two correction sets are found at once, and
    # the rest of the 2^24 sets are all skipped; the enumeration still stops at its clock
    import clingo
    from neurosym.explain.clock import Clock
    from neurosym.explain.conflicts import correction_sets
    from neurosym.explain.program import Result

    cs = [clingo.Function(f"c{i}") for i in range(24)]

    def check(active):
        kept = set(active)
        return Result("unsat", core=cs[:2]) if set(cs[:2]) <= kept else Result("sat")

    t0 = _time.perf_counter()
    found, _, done = correction_sets(check, cs, [cs[:2]], cs, clock=Clock.after(0.2))
    assert sorted(map(str, (c for H in found for c in H))) == ["c0", "c1"]
    assert not done and _time.perf_counter() - t0 < 5
