"""TravelPlanner end to end: every train query planned with the neurosym rules, exported,
and scored by the project's checker.

The data is read from ``../shared/travelplanner`` next to the repository (or from
``$NEUROSYM_TRAVELPLANNER_DIR``); when it is missing these tests fail, they never skip.
Plans are checked for validity, not optimality, so each query gets a short time limit
(the best itinerary found by then obeys every rule all the same).
"""

from __future__ import annotations

import json
import re
from datetime import time
from pathlib import Path
from typing import Any

import pytest

from neurosym import NoItinerary, plan_itinerary, verify
from neurosym.cli import main
from neurosym.rules import check_user_file, describe
from neurosym.travelplanner import TPDatabase, TPQuery, check_plan, read_submission
from neurosym.travelplanner.adapter import (
    ground_departures,
    plan,
    plan_query,
    rules_path,
    to_catalog,
    to_plan,
    to_request,
)
from neurosym.travelplanner.run import DEFAULT_TIME_LIMIT, run

#: Seconds of search per query: plenty to find an itinerary (the first comes within
#: 0.1 s of grounding on every train query); optimality is not what is tested here.
LIMIT = 1.0


@pytest.fixture(scope="module")
def train_run(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """All 45 train queries planned (with the command's default time limit), exported and
    scored once (against the database)."""
    out = tmp_path_factory.mktemp("tp")
    report = run(data_dir / "train.jsonl", out / "plans.jsonl", out / "report.json")
    assert report["time_limit_s"] == DEFAULT_TIME_LIMIT
    return {"report": report, "plans": out / "plans.jsonl", "report_path": out / "report.json"}


# --------------------------------------------------------------------------- mapping


def test_both_layouts_give_identical_catalogs_and_requests(
    json_queries: list[TPQuery], csv_queries: list[TPQuery]
) -> None:
    assert len(json_queries) == len(csv_queries) == 45
    for from_json, from_csv in zip(json_queries, csv_queries, strict=True):
        assert to_request(from_json) == to_request(from_csv), f"query {from_json.idx}"
        assert to_catalog(from_json) == to_catalog(from_csv), f"query {from_json.idx}"


def test_mapping_of_the_query(json_queries: list[TPQuery]) -> None:
    for q in json_queries:
        req, cat = to_request(q), to_catalog(q)
        assert (req.origin, req.visit_count, req.travelers.adults, req.budget) == (
            q.org, q.visiting_city_number, q.people_number, q.budget)
        assert (req.start, req.end, req.n_days) == (q.dates[0], q.dates[-1], q.days)
        if q.visiting_city_number == 1:
            assert req.destinations == [q.dest]
        else:
            assert set(req.destinations) == set(q.reference.accommodations) - {q.org}
        lc = q.local_constraint
        assert req.cuisines == (lc.cuisine or [])
        assert req.exclude_modes == {"no flight": ["flight"], "no self-driving": ["drive"], None: []}[lc.transportation]
        want = {"entire room": ["entire_home"], "private room": ["private_room"], "shared room": ["shared_room"],
                "not shared room": ["entire_home", "private_room", "hotel_room"], None: None}[lc.room_type]
        assert req.room_types == want
        assert req.return_after_midnight   # the data sets no limit on when the last leg lands
        assert req.house_rules == ({"children under 10": ["children"]}.get(lc.house_rule, [lc.house_rule])
                                   if lc.house_rule else [])
        assert to_catalog(q) == cat, "the mapping is deterministic"
        for leg in cat.ground_legs:
            assert leg.duration_min < 24 * 60
            assert (leg.mode, leg.vehicle_capacity) in (("drive", 5), ("taxi", 4))
        for h in cat.hotels:
            # the data states no desk hours: the desk never closes (no midnight cut-off either)
            assert (h.check_in_start, h.check_in_end, h.check_out) == (time(0), None, time(12))


def test_every_place_round_trips_through_the_checkers_lookup(json_queries: list[TPQuery]) -> None:
    """The name the exporter writes is read back by the checker as the very row planned with."""
    for q in json_queries:
        db, cat = TPDatabase.from_reference(q), to_catalog(q)
        rows = {"hotel": q.reference.accommodations, "attraction": q.reference.attractions,
                "restaurant": q.reference.restaurants}
        for kind, places, lookup in (("hotel", cat.hotels, db.accommodation),
                                     ("attraction", cat.attractions, db.attraction),
                                     ("restaurant", cat.restaurants, db.restaurant)):
            for p in places:
                n = int(p.id.rsplit(":", 1)[1])
                name, city = re.fullmatch(r"(.*?),\s*([^,]+)", f"{p.name}, {p.city}").groups()  # type: ignore[union-attr]
                assert lookup(name, city) is rows[kind][p.city][n], f"query {q.idx}: {kind} {p.name!r}"


def test_long_drives_may_leave_early() -> None:
    assert ground_departures(180) == [time(6), time(8), time(10), time(13), time(16)]
    early = ground_departures(20 * 60)
    assert early[0] == time(3, 0) and early[1:] == ground_departures(180)
    assert ground_departures(23 * 60 + 30)[0] == time(6)  # cannot arrive by 23:00 at all


def test_the_conventions_file_is_a_valid_user_rule_file() -> None:
    path = check_user_file(rules_path())
    # the benchmark's conventions live in a folder of their own, apart from the core rules
    assert path.parent.name == "travelplanner" and path.name == "travelplanner.lp"
    from neurosym.rules import CORE_FILES, core_paths
    assert path.parent != core_paths()[0].parent and path.name not in CORE_FILES
    names = {info.name for info in describe(path)}
    assert names == {"tp_attraction_every_full_day"}   # the transport mix is the core's car rule


# --------------------------------------------------------------------------- every train query


def test_all_train_queries_pass_the_checker(train_run: dict[str, Any]) -> None:
    report = train_run["report"]
    assert report["checked_against"] == "database"
    assert report["undelivered"] == [] and report["failing"] == []
    assert report["queries"] == report["delivered"] == report["final_pass"] == 45
    assert all(value == 1.0 for value in report["figures"].values()), report["figures"]
    times = report["time_s"]
    assert times["warm"]["n"] == 44 and times["cold"] > 0
    assert times["warm"]["median"] <= times["warm"]["p95"] <= times["warm"]["max"]
    assert 0 <= report["proven_optimal"] <= 45
    assert json.loads(train_run["report_path"].read_text(encoding="utf-8")) == report


def test_exported_plans_pass_without_the_database_too(
    train_run: dict[str, Any], json_queries: list[TPQuery]
) -> None:
    rows = read_submission(train_run["plans"])
    assert [row["idx"] for row in rows] == list(range(1, 46))
    for q, row in zip(json_queries, rows, strict=True):
        assert row["query"] == q.query
        result = check_plan(q, row["plan"])  # the query's reference information only
        assert result.final_pass, (q.idx, result.failed(), result.reasons)


def test_plan_format_and_independent_verification(json_queries: list[TPQuery]) -> None:
    for q in (json_queries[0], json_queries[10], json_queries[27]):  # 1, 3 cities; a taxi in the data
        catalog, request = to_catalog(q), to_request(q)
        it = plan(request, catalog, time_limit=LIMIT)
        assert verify(it, request, catalog) == []
        tp_plan = to_plan(it, catalog)
        assert [d["days"] for d in tp_plan] == list(range(1, q.days + 1))
        for day, entry in zip(it.days, tp_plan, strict=True):
            assert set(entry) == {"days", "current_city", "transportation", "breakfast", "attraction", "lunch",
                                  "dinner", "accommodation"}
            if day.is_travel_day:
                assert entry["current_city"] == f"from {day.start_city} to {day.end_city}"
                assert re.fullmatch(
                    r"Flight Number: F\d+, from .+ to .+, Departure Time: \d\d:\d\d, Arrival Time: \d\d:\d\d"
                    r"|(Self-driving|Taxi), from .+ to .+, duration: .+, distance: .+ km, cost: \d+",
                    entry["transportation"]), entry["transportation"]
            else:
                assert entry["current_city"] == day.start_city and entry["transportation"] == "-"
                assert entry["attraction"] != "-"
            assert entry["attraction"] == "-" or entry["attraction"].endswith(";")
            for meal in ("breakfast", "lunch", "dinner"):
                ev = next((e for e in day.events if e.kind == meal), None)
                assert entry[meal] == ("-" if ev is None else f"{ev.name}, {ev.city}")
        assert tp_plan[-1]["accommodation"] == "-"
        assert all(d["accommodation"].endswith(f", {it.days[i].end_city}") for i, d in enumerate(tp_plan[:-1]))


# --------------------------------------------------------------------------- infeasible queries


def test_a_budget_cut_to_a_tenth_is_no_itinerary_naming_the_budget(json_queries: list[TPQuery]) -> None:
    q = json_queries[0]
    poor = q.model_copy(update={"budget": q.budget // 10})
    with pytest.raises(NoItinerary) as caught:
        plan_query(poor, time_limit=LIMIT)
    assert "budget_total" in {rule for rule, _ in caught.value.violations}
    assert f"budget of {q.budget // 10:.2f}" in caught.value.message


def test_the_conventions_bite(json_queries: list[TPQuery]) -> None:
    # Query 28: a flight out and a flight home; San Francisco -> Long Beach only by car or
    # taxi. Without its taxis, the car would have to be mixed with flights.
    q = json_queries[27]
    catalog, request = to_catalog(q), to_request(q)
    catalog = catalog.model_copy(update={"ground_legs": [g for g in catalog.ground_legs if g.mode != "taxi"]})
    for planner in (plan, plan_itinerary):    # the core's car rule holds with or without the conventions
        with pytest.raises(NoItinerary) as caught:
            planner(request, catalog, time_limit=LIMIT)
        assert "transport_car_left_behind" in {rule for rule, _ in caught.value.violations}
    # Without attractions no full day can have one.
    q = json_queries[0]
    bare = to_catalog(q).model_copy(update={"attractions": []})
    with pytest.raises(NoItinerary) as caught:
        plan(to_request(q), bare, time_limit=LIMIT)
    assert "tp_attraction_every_full_day" in {rule for rule, _ in caught.value.violations}


# --------------------------------------------------------------------------- command line


def test_cli_plans_and_scores_a_split(data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = (data_dir / "train.jsonl").read_text(encoding="utf-8").splitlines()
    two = tmp_path / "two.jsonl"  # no database/ next to it: checked against the reference information
    two.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    out, report = tmp_path / "plans.jsonl", tmp_path / "report.json"
    code = main(["travelplanner", "--data", str(two), "--out", str(out), "--report", str(report),
                 "--time-limit", str(LIMIT)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "final pass 2/2" in printed and "Final Pass Rate: 1.0000" in printed and "warm median" in printed
    assert json.loads(report.read_text(encoding="utf-8"))["checked_against"] == "reference information"
    assert len(read_submission(out)) == 2
    assert main(["travelplanner", "--data", str(tmp_path / "missing.jsonl"), "--out", str(out)]) == 1


def test_a_query_without_a_plan_in_time_is_planned_again_with_more(data_dir: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import neurosym.travelplanner.run as tp_run
    lines = (data_dir / "train.jsonl").read_text(encoding="utf-8").splitlines()
    two = tmp_path / "two.jsonl"
    two.write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")
    limits = []

    def slow_machine(request, catalog, *, time_limit):   # as if the machine were too busy for 0.5 s
        limits.append(time_limit)
        if time_limit < 1:
            raise TimeoutError(f"no itinerary found within the time limit of {time_limit:g} s")
        return plan(request, catalog, time_limit=time_limit)

    monkeypatch.setattr(tp_run, "plan", slow_machine)
    report = run(two, tmp_path / "plans.jsonl", time_limit=0.5)
    assert limits == [0.5, 0.5, 5.0, 5.0]
    assert report["retried_after_timeout"] == 2
    assert report["delivered"] == report["final_pass"] == 2


# --------------------------------------------------------------------------- late flights

def _landing_at(q: TPQuery, arrival: int) -> TPQuery:
    """The query with every flight moved to land at ``arrival`` (minutes after the departure
    day's midnight, past 24:00 for the next day), each keeping its length on the clock and
    its date."""
    def clock(text: str) -> int:
        h, m = text.split(":")
        return 60 * int(h) + int(m)

    def moved(f):
        dep = arrival - (clock(f.arr_time) - clock(f.dep_time)) % (24 * 60)   # the times as the adapter reads them
        return f.model_copy(update={"dep_time": f"{dep // 60:02d}:{dep % 60:02d}",
                                     "arr_time": f"{arrival // 60 % 24:02d}:{arrival % 60:02d}"})
    flights = [s.model_copy(update={"flights": [moved(f) for f in s.flights]}) for s in q.reference.flights]
    return q.model_copy(update={"reference": q.reference.model_copy(update={"flights": flights})})


@pytest.mark.parametrize("arrival", [23 * 60 + 40, 24 * 60 + 40], ids=["23:40", "00:40 the next day"])
def test_flights_landing_late_or_after_midnight_still_plan(json_queries: list[TPQuery], arrival: int) -> None:
    # The data states no check-in hours, no midnight cut-off and no limit on when a flight
    # lands: moved to land late at night (or after midnight), every query still gets a
    # plan the benchmark's checks pass.
    late_nights = 0
    for q in json_queries:
        late = _landing_at(q, arrival)
        tp_plan, it = plan_query(late)
        result = check_plan(late, tp_plan)
        assert result.final_pass, (q.idx, result.failed(), result.reasons)
        # a flight landing then, followed by a night in a hotel
        late_nights += any(leg.mode == "flight" and leg.arrival == arrival and leg.day < q.days for leg in it.legs)
    assert late_nights >= 3, "the late flights are taken, a hotel night after them, not only avoided"
