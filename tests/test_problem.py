"""From a request and a catalog to the facts: candidates, keys, scores, pruning, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import small_catalog, small_request
from neurosym import vocab as V
from neurosym.asp import Hub, Option
from neurosym.objective import money_points, night_penalty
from neurosym.problem import RADIUS_STEP, SCALE, PlanningInputError, build_problem, leg_options, quantise
from neurosym.prior import prior_score


def test_leg_options_are_the_moves_the_trip_can_make():
    req, cat = small_request(), small_catalog()   # Home -> Alpha -> Home over three days
    opts = leg_options(req, cat)
    assert {(o.day, o.origin, o.destination) for o in opts} == {(1, "Home", "Alpha"), (3, "Alpha", "Home")}
    flights = [o for o in opts if o.mode == "flight"]
    assert all(o.item.date == req.day_date(o.day) for o in flights)
    trains = [o for o in opts if o.mode == "train"]
    assert {(o.day, o.departure) for o in trains} == {(1, 420), (1, 720), (3, 420), (3, 720)}
    assert all(o.opt == Option(o.item.id, o.day, o.departure) for o in opts)
    assert {o.key for o in trains if o.day == 1} == {"train:Home>Alpha@1@420", "train:Home>Alpha@1@720"}
    assert all(o.key == o.item.id for o in flights)


def test_facts_are_of_declared_predicates_and_name_their_candidates():
    prob = build_problem(small_request(), small_catalog(), prune_dominated=False)
    declared = set(V.INPUTS)
    assert {f.pred for f in prob.facts} <= declared
    legs = {f.args[0] for f in prob.facts if f.pred is V.Leg}
    assert legs == set(prob.legs) and all(isinstance(k, Option) for k in legs)
    places = {f.args[0] for f in prob.facts if f.pred is V.CityOf}
    assert places == set(prob.places) and all(isinstance(p, str) for p in places)
    hubs = {f.args[0] for f in prob.facts if f.pred is V.Radius and isinstance(f.args[0], Hub)}
    assert hubs == {Hub("Alpha")}
    assert all(f.args[1] % RADIUS_STEP == 0 for f in prob.facts if f.pred is V.Radius)
    ranks = [f.args for f in prob.ranks]   # the tie-break's facts, added only when it runs
    assert {k for k, _ in ranks} == set(prob.legs) | set(prob.places) and not any(f.pred is V.Rank for f in prob.facts)


def test_preferences_are_quantised_scores_times_the_category_weight():
    req = small_request(weights={"hotel": 2.0, "attraction": 0.5})
    prob = build_problem(req, small_catalog(), prune_dominated=False)
    pref = {f.args[0]: f.args[1] for f in prob.facts if f.pred is V.Pref}
    money = {f.args[0]: f.args[1] for f in prob.facts if f.pred is V.Money}
    late = {f.args[0]: f.args[1] for f in prob.facts if f.pred is V.Late}
    # what the objective counts: preference net of what the price is worth and of night-time legs
    assert prob.points == {k: pref[k] - money[k] - late.get(k, 0) for k in pref}
    grand = prob.index["h:a:best"]
    assert pref["h:a:best"] == quantise(prior_score(grand), 2.0) == round(SCALE * 2.0 * 1.0)
    zoo = prob.index["a:a:zoo"]
    assert pref["a:a:zoo"] == quantise(prior_score(zoo), 0.5)
    # the prior scores each departure of a ground leg on its own (a 07:00 train is less civil)
    early, noon = Option("train:Home>Alpha", 1, 420), Option("train:Home>Alpha", 1, 720)
    assert prob.score(early) < prob.score(noon) and pref[early] < pref[noon]


def test_a_scorer_replaces_the_prior():
    import numpy as np
    prob = build_problem(small_request(), small_catalog(), lambda items: np.full(len(items), 0.25),
                         prune_dominated=False)
    pref = {f.args[1] for f in prob.facts if f.pred is V.Pref}
    assert pref == {25} and prob.scorer is not None


def test_excluded_items_are_never_candidates():
    req = small_request(exclude=["h:a:pets", "F014@2026-06-01", "train:Home>Alpha"])
    prob = build_problem(req, small_catalog(), prune_dominated=False)
    assert "h:a:pets" not in prob.places
    assert not any(o.item.id in ("F014@2026-06-01", "train:Home>Alpha") for o in prob.legs.values())
    assert prob.excluded == frozenset(req.exclude)


def _with_a_dearer_twin():
    cat = small_catalog()
    cheap = next(h for h in cat.hotels if h.id == "h:a:cheap")
    cat.hotels.append(cheap.model_copy(update={"id": "h:a:twin", "name": "Alpha Twin Rooms", "price": 70}))
    return cat


def test_pruning_removes_only_what_a_kept_candidate_dominates():
    full = build_problem(small_request(), _with_a_dearer_twin(), prune_dominated=False)
    pruned = build_problem(small_request(), _with_a_dearer_twin())
    assert pruned.dominated.get("h:a:twin") == "h:a:cheap"
    assert pruned.dominated and set(pruned.dominated) == (set(full.legs) | set(full.places)) - (
        set(pruned.legs) | set(pruned.places))
    for gone, by in pruned.dominated.items():
        assert by in pruned.legs or by in pruned.places, "the dominator itself is kept"
        assert pruned.points[by] >= full.points[gone]


@pytest.mark.parametrize("kw, field", [(dict(origin="Nowhere"), "origin"),
                                       (dict(destinations=["Alpha", "Atlantis"]), "destinations[1]"),
                                       (dict(exclude=["no-such-id"]), "exclude[0]")])
def test_a_request_the_catalog_cannot_serve_names_the_field(kw, field):
    with pytest.raises(PlanningInputError) as exc:
        build_problem(small_request(**kw), small_catalog())
    assert exc.value.field == field and field in str(exc.value)


def test_the_dates_decide_the_flights():
    late = small_request(start=date(2026, 6, 5), end=date(2026, 6, 7))
    assert {o.item.date for o in leg_options(late, small_catalog()) if o.mode == "flight"} == {
        date(2026, 6, 5), date(2026, 6, 7)}


def test_money_and_night_legs_lower_the_objective_weight():
    req = small_request()
    prob = build_problem(req, small_catalog(), prune_dominated=False)
    money = {f.args[0]: f.args[1] for f in prob.facts if f.pred is V.Money}
    late = {f.args[0]: f.args[1] for f in prob.facts if f.pred is V.Late}
    # a night at the Pet Lodge (90 a room, two people) is worth 45 points per traveller at money=1
    assert money["h:a:pets"] == money_points(9000, 2, 1.0) == 45
    # the 22:00 flight lands at 23:15: a night-time departure and arrival
    late_flight = next(k for k, o in prob.legs.items() if o.item.id == "L0@2026-06-01")
    assert late[late_flight] == night_penalty(22 * 60) + night_penalty(23 * 60 + 15) > 0
    day_flight = next(k for k, o in prob.legs.items() if o.item.id == "F014@2026-06-01")
    assert day_flight not in late
    free = build_problem(small_request(weights={"money": 0}), small_catalog(), prune_dominated=False)
    assert all(f.args[1] == 0 for f in free.facts if f.pred is V.Money)
