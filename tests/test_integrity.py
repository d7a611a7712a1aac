"""Never a wrong plan: answers are read from the program's own output atoms, keys of
different kinds never collide, and every itinerary is verified before it is returned."""

from __future__ import annotations

from datetime import date, time

import pytest

from conftest import small_catalog, small_request
from neurosym import NoItinerary, PlannerError, RuleFileError, plan_itinerary, verify
from neurosym.catalog import Flight

LIMIT = 2.0

INJECTIONS = [
    '#show at(2,9,"a:a:zoo").',            # a zoo as the dinner of day 2
    '#show at(2,9,"no:such:place").',      # these crashed the planner with a KeyError
    '#show take(opt("nope",1,1)).',
    '#show take("F014@2026-06-01").',
    '#show stay("Alpha","h:a:best").',
    '#show night(1,"Atlantis").',
    '#show night(2,"Alpha"). #show visit_city("Beta").',
]


@pytest.mark.parametrize("line", INJECTIONS)
def test_a_user_files_show_never_adds_to_the_answer(tmp_path, line):
    f = tmp_path / "inject.lp"
    f.write_text(f"% shows an atom the rules never derived\n{line}\n")
    cat, req = small_catalog(), small_request()
    try:
        it = plan_itinerary(req, cat, rules=[f], time_limit=LIMIT)
    except RuleFileError as exc:   # refusing #show outright is fine too: a clear error, no plan
        assert exc.path.endswith("inject.lp") and exc.line == 2
        return
    assert verify(it, req, cat) == []
    dinners = {(d.day, e.item_id) for d in it.days for e in d.events if e.kind == "dinner"}
    assert (2, "a:a:zoo") not in dinners
    assert it.cities == ["Alpha"]


def _collide(flight_id: str):
    cat = small_catalog()
    cat.flights.append(Flight(number="ZZ1", id=flight_id, origin="Home", destination="Alpha", date=date(2026, 6, 1),
                              departure=time(10, 0), arrival=time(11, 0), price=10))
    return cat


def test_a_flight_whose_id_is_a_ground_legs_key_plans_as_with_a_harmless_id():
    # the 12:00 train Home -> Alpha on day 1 is the option train:Home>Alpha@1@720; before the
    # keys had term shapes of their own, the two merged and a worse plan was "proven optimal"
    req = small_request()
    a = plan_itinerary(req, _collide("train:Home>Alpha@1@720"), time_limit=None)
    b = plan_itinerary(req, _collide("harmless"), time_limit=None)
    assert a.optimal and b.optimal, "both are proven: the search finishes on the small catalog"
    assert a.objective == b.objective and a.total_cost == b.total_cost
    assert [(leg.item_id, leg.mode) for leg in a.legs if leg.day == 1] == [("train:Home>Alpha@1@720", "flight")]
    assert a.model_dump_json().replace("train:Home>Alpha@1@720", "harmless") == b.model_dump_json()


def test_an_itinerary_the_verifier_rejects_is_an_internal_error(monkeypatch):
    import neurosym.planner as planner
    from neurosym.verify import Violation

    def broken(it, req, cat):
        return [Violation(rule="budget_total", message="the itinerary costs more than the budget")]
    monkeypatch.setattr(planner, "verify", broken)
    with pytest.raises(PlannerError) as exc:
        plan_itinerary(small_request(), small_catalog(), time_limit=LIMIT)
    assert exc.value.violations[0].rule == "budget_total" and "budget_total" in str(exc.value)
    with pytest.raises(NoItinerary):   # an impossible request is still diagnosed, not an internal error
        plan_itinerary(small_request(budget=1), small_catalog(), time_limit=LIMIT)
