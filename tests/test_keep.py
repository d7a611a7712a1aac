"""Keeping booked or pinned items, excluding items, and watching the search (progress)."""

from __future__ import annotations

from datetime import time

import pytest

from neurosym import Keep, NoItinerary, Progress, plan_itinerary, verify
from neurosym.problem import PlanningInputError

from conftest import small_catalog, small_request


def _used(it) -> set[str]:
    return set(it.chosen_ids())


def test_excluded_items_are_never_used_and_why_not_says_so():
    cat = small_catalog()
    base = plan_itinerary(small_request(), cat)
    hotel = base.stays[0].hotel_id
    place = next(i for i in base.chosen_ids() if i.startswith("a:"))
    req = small_request(exclude=[hotel, place])
    it = plan_itinerary(req, cat)
    assert not {hotel, place} & _used(it)
    assert verify(it, req, cat) == []
    e = it.why_not(hotel)
    assert e.status == "not_candidate" and "excludes" in e.text


def test_hard_keeps_hold_and_verify_checks_them():
    cat = small_catalog()
    req = small_request(keep=[Keep(item_id="a:a:zoo", day=2, start=time(14, 30)),
                              Keep(item_id="h:a:cheap", day=1, nights=2),
                              Keep(item_id="F114@2026-06-03")])
    it = plan_itinerary(req, cat)
    assert verify(it, req, cat) == []
    zoo = [(d.day, ev.start) for d in it.days for ev in d.events if ev.item_id == "a:a:zoo" and ev.kind == "visit"]
    assert zoo == [(2, 14 * 60 + 30)]
    assert [s.hotel_id for s in it.stays] == ["h:a:cheap"]
    assert any(leg.item_id == "F114@2026-06-03" for leg in it.legs)
    # the same itinerary checked against a request that keeps something it lacks
    other = small_request(keep=[Keep(item_id="a:a:museum", day=3)])
    assert [v.rule for v in verify(it, other, cat)] == ["keep_missing"]
    excluding = small_request(exclude=["a:a:zoo"])
    assert "request_exclude" in {v.rule for v in verify(it, excluding, cat)}


def test_a_keep_that_cannot_hold_is_diagnosed_with_a_confirmed_repair():
    cat = small_catalog()
    # the zoo closes at 17:00 and a visit lasts 90 minutes: 16:30 cannot work
    req = small_request(keep=[Keep(item_id="a:a:zoo", day=2, start=time(16, 30))])
    with pytest.raises(NoItinerary) as info:
        plan_itinerary(req, cat)
    d = info.value.diagnosis
    assert [c.field for c in d.conflict] == ["keep"]
    assert "keep_missing" in {r for r, _ in info.value.violations}
    repair = next(r for r in d.repairs if r.kind == "drop")
    assert repair.confirmed
    fixed = repair.apply(req)
    assert fixed.keep == []
    assert verify(plan_itinerary(fixed, cat), fixed, cat) == []


def test_soft_keeps_reproduce_a_plan_and_give_way_when_they_must():
    cat = small_catalog()
    req = small_request()
    base = plan_itinerary(req, cat)
    keeps = [Keep(item_id=ev.item_id, day=d.day, start=time(ev.start // 60, ev.start % 60), hard=False)
             for d in base.days for ev in d.events if ev.kind in ("visit", "breakfast", "lunch", "dinner")]
    again = plan_itinerary(small_request(keep=keeps), cat)
    assert again.chosen_ids() == base.chosen_ids()
    # excluding one kept place: everything else stays where it was
    gone = keeps[0].item_id
    req2 = small_request(keep=[k for k in keeps if k.item_id != gone], exclude=[gone])
    moved = plan_itinerary(req2, cat)
    assert verify(moved, req2, cat) == []
    placed = {(d.day, ev.start, ev.item_id) for d in moved.days for ev in d.events}
    for k in keeps[1:]:
        assert (k.day, k.start.hour * 60 + k.start.minute, k.item_id) in placed


@pytest.mark.parametrize("keep, field", [
    (Keep(item_id="nope"), "keep[0].item_id"),
    (Keep(item_id="a:a:zoo", start=time(10, 0)), "keep[0].start"),      # not a visit slot
    (Keep(item_id="a:a:zoo", day=1, nights=2), "keep[0].nights"),       # not a hotel
    (Keep(item_id="h:a:cheap", start=time(15, 0)), "keep[0].start"),    # a hotel has no start
])
def test_bad_keeps_name_the_field(keep, field):
    with pytest.raises(PlanningInputError) as info:
        plan_itinerary(small_request(keep=[keep]), small_catalog())
    assert info.value.field == field


def test_bad_exclusions_name_the_field():
    with pytest.raises(PlanningInputError) as info:
        plan_itinerary(small_request(exclude=["a:a:zoo", "missing"]), small_catalog())
    assert info.value.field == "exclude[1]"
    with pytest.raises(ValueError, match="also excluded"):
        small_request(keep=[Keep(item_id="a:a:zoo")], exclude=["a:a:zoo"])


def test_progress_reports_better_itineraries_and_can_stop_the_search():
    cat = small_catalog()
    req = small_request(destinations=["Alpha", "Beta"], end=small_request().start.replace(day=5))
    seen: list[Progress] = []
    final = plan_itinerary(req, cat, progress=seen.append)
    assert seen and final.optimal
    assert [p.found for p in seen] == list(range(1, len(seen) + 1))
    assert all(verify(p.itinerary, req, cat) == [] for p in seen)
    assert seen[-1].objective == final.objective
    assert all(a.objective > b.objective for a, b in zip(seen, seen[1:]))   # each one better
    stops: list[Progress] = []
    first = plan_itinerary(req, cat, progress=lambda p: stops.append(p) or False)
    assert len(stops) == 1                                                # stopped at the first one
    assert first.optimal == (first.gap == 0)             # proven only if it reaches the certified bound
    assert first.objective == stops[0].objective >= final.objective
    assert verify(first, req, cat) == []


def test_an_error_in_the_progress_callback_reaches_the_caller():
    def boom(_p: Progress) -> None:
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        plan_itinerary(small_request(), small_catalog(), progress=boom)
