"""The TravelPlanner checker and submission files, on the shared train split.

Every annotated plan must pass (as in the benchmark), and each corruption of a plan must
fail the check the benchmark would fail. The data is read from ``../shared/travelplanner``
(or ``$NEUROSYM_TRAVELPLANNER_DIR``); when it is missing these tests fail, never skip.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from neurosym.travelplanner import (
    COMMONSENSE_CHECKS,
    HARD_CHECKS,
    TPDatabase,
    TPLocalConstraint,
    TPQuery,
    TravelPlannerDataError,
    check_plan,
    read_submission,
    score,
    submission_line,
    write_submission,
)
from neurosym.travelplanner.loader import TPAccommodation

Plan = list[dict[str, Any]]


@pytest.fixture(scope="module")
def queries(json_queries: list[TPQuery]) -> list[TPQuery]:
    return json_queries


@pytest.fixture(scope="module")
def database(data_dir: Path) -> TPDatabase:
    return TPDatabase.load(data_dir / "database")


def _plan(query: TPQuery) -> Plan:
    """A fresh copy of the annotated plan, without its padding."""
    assert query.annotated_plan is not None
    return [copy.deepcopy(day) for day in query.annotated_plan if day]


def _first(queries: list[TPQuery], wanted: Callable[[TPQuery], bool]) -> TPQuery:
    return next(query for query in queries if wanted(query))


def _with(query: TPQuery, **constraint: Any) -> TPQuery:
    merged = {**query.local_constraint.model_dump(), **constraint}
    return query.model_copy(update={"local_constraint": TPLocalConstraint(**merged)})


def _stay(database: TPDatabase, entry: str) -> TPAccommodation:
    name, city = (part.strip() for part in entry.rsplit(",", 1))
    stay = database.accommodation(name, re.sub(r"\(.*\)$", "", city))
    assert stay is not None
    return stay


def _commonsense_failures(result: Any) -> list[str]:
    return [name for name in result.failed() if name in COMMONSENSE_CHECKS]


def _uses(query: TPQuery, word: str) -> bool:
    return any(word in str(day.get("transportation", "")) for day in _plan(query))


# --------------------------------------------------------------------------- annotated plans


def test_every_annotated_plan_passes(queries: list[TPQuery], database: TPDatabase) -> None:
    failures = {}
    for query in queries:
        result = check_plan(query, query.annotated_plan, database)
        if not result.final_pass:
            failures[query.idx] = result.reasons
    assert failures == {}


def test_reference_only_checks_agree_except_for_places_outside_the_reference(
    queries: list[TPQuery], database: TPDatabase
) -> None:
    for query in queries:
        full = check_plan(query, query.annotated_plan, database)
        alone = check_plan(query, query.annotated_plan)
        assert alone.failed() in ([], ["within_sandbox"]), (query.idx, alone.reasons)
        if alone.final_pass:
            assert alone.total_cost == full.total_cost
        else:
            assert "is not in the data" in alone.reasons["within_sandbox"]


@pytest.mark.parametrize(
    ("idx", "cost"),
    # Costs of the annotated plans as the benchmark's own get_total_cost computes them:
    # flights (1), 8 people in 2 cars (18), flights + taxis for 6 (21), 5 in one car (27), taxis (36).
    [(1, 1608), (18, 4914), (21, 15078), (27, 12645), (36, 7874)],
)
def test_total_cost_matches_the_benchmark(
    queries: list[TPQuery], database: TPDatabase, idx: int, cost: float
) -> None:
    query = queries[idx - 1]
    assert check_plan(query, query.annotated_plan, database).total_cost == cost


def test_score_counts_like_eval_py(queries: list[TPQuery], database: TPDatabase) -> None:
    plans: list[Plan | None] = [query.annotated_plan for query in queries]
    assert set(score(queries, plans, database).values()) == {1.0}
    dropped = max(queries, key=lambda query: query.local_constraint.set_count())
    plans[dropped.idx - 1] = None
    count, hard_total = len(queries), 105  # eval.py's train denominators: 8 x 45 and 105
    assert score(queries, plans, database) == {
        "Delivery Rate": (count - 1) / count,
        "Commonsense Constraint Micro Pass Rate": (8 * count - 8) / (8 * count),
        "Commonsense Constraint Macro Pass Rate": (count - 1) / count,
        "Hard Constraint Micro Pass Rate": (hard_total - 1 - dropped.local_constraint.set_count()) / hard_total,
        "Hard Constraint Macro Pass Rate": (count - 1) / count,
        "Final Pass Rate": (count - 1) / count,
    }
    with pytest.raises(ValueError, match="45 queries but 44 plans"):
        score(queries, plans[:-1])


def test_an_empty_plan_is_not_delivered(queries: list[TPQuery]) -> None:
    plans: tuple[Plan | None, ...] = (None, [])
    for plan in plans:
        result = check_plan(queries[0], plan)
        assert not result.delivered and not result.final_pass
        assert all(getattr(result, name) is None for name in (*COMMONSENSE_CHECKS, *HARD_CHECKS))


# --------------------------------------------------------------------------- commonsense corruptions


def test_repeated_restaurant(queries: list[TPQuery], database: TPDatabase) -> None:
    query = _first(queries, lambda q: q.days == 3)
    plan = _plan(query)
    plan[1]["dinner"] = plan[1]["breakfast"]
    result = check_plan(query, plan, database)
    assert _commonsense_failures(result) == ["diverse_restaurants"]
    assert "day 2" in result.reasons["diverse_restaurants"]


def test_repeated_attraction(queries: list[TPQuery], database: TPDatabase) -> None:
    query = _first(queries, lambda q: q.days == 3)
    plan = _plan(query)
    plan[2]["attraction"] = plan[1]["attraction"]
    assert _commonsense_failures(check_plan(query, plan, database)) == ["diverse_attractions"]


def test_made_up_attraction_leaves_the_sandbox(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    plan = _plan(query)
    plan[1]["attraction"] = f"Museum of Imaginary Things, {query.dest};"
    result = check_plan(query, plan, database)
    assert _commonsense_failures(result) == ["within_sandbox"]
    assert "Museum of Imaginary Things" in result.reasons["within_sandbox"]
    assert not result.hard_evaluated and result.budget is None and not result.hard_pass


def test_missing_accommodation_on_a_night(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    plan = _plan(query)
    plan[0]["accommodation"] = "-"
    result = check_plan(query, plan, database)
    assert result.complete_information is False
    assert "day 1" in result.reasons["complete_information"]
    assert not result.hard_evaluated


def test_wrong_number_of_days(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    result = check_plan(query, _plan(query)[:-1], database)
    assert result.complete_information is False
    assert "2 days" in result.reasons["complete_information"]


def test_self_driving_mixed_with_a_flight(queries: list[TPQuery], database: TPDatabase) -> None:
    query = _first(queries, lambda q: q.days == 3 and _uses(q, "Flight Number"))
    plan = _plan(query)
    origin, dest = re.findall(r"from (.+) to (.+)", plan[-1]["current_city"])[0]
    plan[-1]["transportation"] = f"Self-driving, from {origin} to {dest}, duration: 1 hour, distance: 1 km, cost: 1"
    result = check_plan(query, plan, database)
    assert result.non_conflicting_transport is False
    assert "Flight" in result.reasons["non_conflicting_transport"]


def test_route_must_return_to_the_origin(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    plan = _plan(query)
    plan[-1]["current_city"] = f"from {query.dest} to Chicago"
    result = check_plan(query, plan, database)
    assert result.reasonable_city_route is False
    assert "not back in" in result.reasons["reasonable_city_route"]


def test_multi_city_route_must_stay_in_the_state(queries: list[TPQuery], database: TPDatabase) -> None:
    query = _first(queries, lambda q: q.days == 5 and q.dest != "Illinois")
    plan = _plan(query)
    visited = re.findall(r"from .+ to (.+)", plan[0]["current_city"])[0]
    for day in plan:
        day["current_city"] = day["current_city"].replace(visited, "Chicago(Illinois)")
    result = check_plan(query, plan, database)
    assert result.reasonable_city_route is False
    assert f"Chicago is not in {query.dest}" in result.reasons["reasonable_city_route"]


def test_meal_outside_the_travel_days_cities(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    plan = _plan(query)
    plan[0]["dinner"] = "Taco Place, Chicago"
    result = check_plan(query, plan, database)
    assert result.within_current_city is False
    assert "day 1: dinner" in result.reasons["within_current_city"]


def test_minimum_nights_broken(queries: list[TPQuery], database: TPDatabase) -> None:
    query, plan = _minimum_nights_case(queries, database)
    result = check_plan(query, plan, database)
    assert result.minimum_nights is False
    assert "minimum is" in result.reasons["minimum_nights"]


def _minimum_nights_case(queries: list[TPQuery], database: TPDatabase) -> tuple[TPQuery, Plan]:
    """A plan whose stay in its first city is replaced by a place needing more nights."""
    for query in queries:
        plan = _plan(query)
        nights = [day for day in plan if day["accommodation"] == plan[0]["accommodation"]]
        city = plan[0]["accommodation"].rsplit(",", 1)[1].strip()
        for stay in database.accommodations.get(re.sub(r"\(.*\)$", "", city), []):
            unique = len(database.accommodations_containing(stay.name, stay.city)) == 1
            if unique and stay.minimum_nights > len(nights) and "," not in stay.name:
                for day in nights:
                    day["accommodation"] = f"{stay.name}, {city}"
                return query, plan
    pytest.fail("no accommodation with a long minimum stay in the train split")


# --------------------------------------------------------------------------- hard corruptions


def test_budget_blown(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    result = check_plan(query.model_copy(update={"budget": 100}), query.annotated_plan, database)
    assert result.commonsense_pass and result.hard_evaluated
    assert result.budget is False and not result.final_pass
    crowd = check_plan(query.model_copy(update={"people_number": 8}), query.annotated_plan, database)
    assert crowd.budget is False and crowd.total_cost is not None and crowd.total_cost > query.budget


def test_house_rule_violated(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    stay = _stay(database, _plan(query)[0]["accommodation"])
    forbidden = stay.house_rules[0].removeprefix("No ")
    result = check_plan(_with(query, house_rule=forbidden), query.annotated_plan, database)
    assert result.house_rule is False and result.failed() == ["house_rule"]
    assert stay.house_rules[0] in result.reasons["house_rule"]
    allowed = next(r for r in ("parties", "smoking", "children under 10", "pets", "visitors")
                   if f"No {r}" not in stay.house_rules)
    assert check_plan(_with(query, house_rule=allowed), query.annotated_plan, database).house_rule is True


def test_wrong_room_type(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    stay = _stay(database, _plan(query)[0]["accommodation"])
    other = {"Entire home/apt": "private room", "Private room": "entire room", "Shared room": "not shared room"}
    result = check_plan(_with(query, room_type=other[stay.room_type]), query.annotated_plan, database)
    assert result.room_type is False and result.failed() == ["room_type"]
    if stay.room_type != "Shared room":
        assert check_plan(_with(query, room_type="not shared room"), query.annotated_plan, database).room_type


def test_cuisine_not_served(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    result = check_plan(_with(query, cuisine=["Klingon"]), query.annotated_plan, database)
    assert result.cuisine is False and "Klingon" in result.reasons["cuisine"]


def test_forbidden_transportation(queries: list[TPQuery], database: TPDatabase) -> None:
    flying = _first(queries, lambda q: _uses(q, "Flight Number"))
    driving = _first(queries, lambda q: _uses(q, "Self-driving"))

    def verdict(query: TPQuery, rule: str) -> bool | None:
        return check_plan(_with(query, transportation=rule), query.annotated_plan, database).transportation

    assert verdict(flying, "no flight") is False
    assert verdict(driving, "no self-driving") is False
    assert verdict(driving, "no flight") is True


def test_constraints_not_set_are_not_applicable(queries: list[TPQuery], database: TPDatabase) -> None:
    result = check_plan(queries[0], queries[0].annotated_plan, database)
    assert result.hard_evaluated and result.budget is True
    assert (result.house_rule, result.cuisine, result.room_type, result.transportation) == (None,) * 4


# --------------------------------------------------------------------------- benchmark quirks, kept on purpose


def test_substring_lookup_takes_the_first_row_of_the_city(database: TPDatabase) -> None:
    city, rows = next((city, rows) for city, rows in database.restaurants.items() if len(rows) > 3)
    target = rows[2]
    found = database.restaurant(target.name[:3], city)
    assert found == next(row for row in rows if target.name[:3] in row.name)
    assert database.restaurant(target.name, "Atlantis") is None


def test_non_travel_day_city_check_is_the_benchmarks(queries: list[TPQuery], database: TPDatabase) -> None:
    """The benchmark compares entries of a non-travel day with the *characters* of the city."""
    query = queries[0]
    elsewhere = _first(queries, lambda q: q.dest not in (query.dest, query.org) and q.days == 3)
    plan = _plan(query)
    plan[1]["lunch"] = _plan(elsewhere)[1]["lunch"]  # a real restaurant of another city
    result = check_plan(query, plan, database)
    assert result.within_current_city is True and result.within_sandbox is True


def test_attraction_after_the_last_semicolon_is_ignored(queries: list[TPQuery], database: TPDatabase) -> None:
    query = queries[0]
    plan = _plan(query)
    plan[1]["attraction"] += f"Museum of Imaginary Things, {query.dest}"
    assert check_plan(query, plan, database).within_sandbox is True


# --------------------------------------------------------------------------- submissions


def test_submission_round_trip(queries: list[TPQuery], database: TPDatabase, tmp_path: Path) -> None:
    rows = [submission_line(query.idx, query.query, query.annotated_plan) for query in queries]
    path = write_submission(tmp_path / "train_submission.jsonl", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == json.dumps({"idx": 1, "query": queries[0].query, "plan": queries[0].annotated_plan})
    back = read_submission(path)
    assert back == rows
    assert set(score(queries, [row["plan"] for row in back], database).values()) == {1.0}


def test_submission_lines_are_checked(tmp_path: Path) -> None:
    assert submission_line(3, "q", None) == {"idx": 3, "query": "q", "plan": []}
    with pytest.raises(ValueError, match="positive integer"):
        submission_line(0, "q", [])
    with pytest.raises(ValueError, match="in order"):
        write_submission(tmp_path / "s.jsonl", [submission_line(2, "q", [])])
    path = tmp_path / "bad.jsonl"
    path.write_text('{"idx": 1, "query": "q", "plan": []}\n{"idx": 2, "query": "q"}\n', encoding="utf-8")
    with pytest.raises(TravelPlannerDataError) as caught:
        read_submission(path)
    assert (caught.value.row, caught.value.field) == (2, "plan") and "line 2" in str(caught.value)
