"""Tools: schemas generated from the code, validated with jsonschema; the dispatcher."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from acting_helpers import bookable_catalog, small_request

from neurosym import plan_itinerary
from neurosym.acting import (TOOLS, Session, dispatch, parse_calls, serve, tool_schemas, xlam_prompt,
                             xlam_record)
from neurosym.acting.schema import openai_tool, parameters_schema

ROOT = Path(__file__).resolve().parents[1]
PY_TYPES = ("str", "int", "float", "bool", "dict", "list", "List[", "Dict[", "Union[")


def test_every_tool_schema_is_valid_json_schema_and_every_example_validates():
    assert {"plan_trip", "explain_choice", "explain_rejection", "verify_itinerary", "search_catalog",
            "list_actions", "book_flight", "book_train", "rent_car", "book_taxi", "reserve_hotel",
            "reserve_table", "buy_tickets", "check_availability", "cancel_booking", "list_bookings",
            "book_trip"} <= set(TOOLS)
    for tool in TOOLS.values():
        schema = parameters_schema(tool)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert tool.examples, f"{tool.name} has no example call"
        for example in tool.examples:
            jsonschema.validate(example, schema)  # the published schema accepts it
            tool.arguments.model_validate_json(json.dumps(example), strict=True)  # and so does the dispatcher


@pytest.mark.parametrize("name, bad", [
    ("book_flight", {"flight_id": "NS1074@2026-06-15", "travelers": "two"}),
    ("book_flight", {"flight_id": "NS1074@2026-06-15", "travelers": "2"}),
    ("reserve_hotel", {"hotel_id": "h:munich:2", "check_in": "2026-06-15", "nights": 0, "travelers": 2}),
    ("reserve_hotel", {"hotel_id": "h:munich:2", "check_in": "2026-06-15", "travelers": 2}),
    ("search_catalog", {"city": "Munich", "kind": "bar"}),
    ("search_catalog", {"city": "Munich", "kind": "hotel", "colour": "red"}),
    ("plan_trip", {"origin": "Berlin", "destinations": "Munich", "start": "2026-06-15", "end": "2026-06-16",
                   "budget": 100}),
])
def test_schema_and_dispatcher_refuse_the_same_bad_arguments(name, bad):
    tool = TOOLS[name]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, parameters_schema(tool))
    with pytest.raises(ValueError):
        tool.arguments.model_validate_json(json.dumps(bad), strict=True)


def test_xlam_format():
    tools = tool_schemas("xlam")
    assert [t["name"] for t in tools] == list(TOOLS)
    for t, tool in zip(tools, TOOLS.values()):
        assert set(t) == {"name", "description", "parameters"} and t["description"]
        required = set(parameters_schema(tool)["required"])
        for arg, p in t["parameters"].items():
            assert p["type"].startswith(PY_TYPES), (t["name"], arg, p["type"])
            assert p["description"], (t["name"], arg)
            optional = p["type"].endswith(", optional")
            assert optional == (arg not in required) == ("default" in p), (t["name"], arg)
    hotel = next(t for t in tools if t["name"] == "reserve_hotel")["parameters"]
    assert hotel["nights"] == {"description": "how many nights", "type": "int"}
    assert hotel["check_in"]["type"] == "str" and "YYYY-MM-DD" in hotel["check_in"]["description"]
    plan = next(t for t in tools if t["name"] == "plan_trip")["parameters"]
    assert plan["destinations"]["type"] == "List[str]"
    assert plan["travelers"]["type"] == "dict, optional"
    assert plan["travelers"]["default"] == {"adults": 1, "children": 0, "pets": 0}


def test_openai_format_and_xlam_record_round_trip():
    o = openai_tool(TOOLS["buy_tickets"])
    assert o["type"] == "function" and o["function"]["name"] == "buy_tickets"
    assert o["function"]["parameters"]["additionalProperties"] is False
    assert set(o["function"]["parameters"]["required"]) == {"attraction_id", "date", "time", "travelers"}
    calls = [{"name": "search_catalog", "arguments": {"city": "Munich", "kind": "restaurant"}},
             {"name": "reserve_table", "arguments": {"restaurant_id": "r:munich:2", "date": "2026-06-16",
                                                     "time": "19:00", "travelers": 2}}]
    rec = xlam_record("Find a restaurant in Munich and book it", calls)
    assert set(rec) == {"id", "query", "tools", "answers"}
    assert isinstance(rec["tools"], str) and isinstance(rec["answers"], str)
    assert [t["name"] for t in json.loads(rec["tools"])] == ["search_catalog", "reserve_table"]
    assert [c.model_dump() for c in parse_calls(rec)] == calls
    assert [c.model_dump() for c in parse_calls({"tool_calls": calls})] == calls
    prompt = xlam_prompt("Plan me a weekend in Dresden", ["plan_trip"])
    assert "[BEGIN OF AVAILABLE TOOLS]" in prompt and '"plan_trip"' in prompt and "tool_calls" in prompt


def test_action_calls_fit_their_tool_schemas(catalog):
    cat = bookable_catalog()
    req = small_request()
    it = plan_itinerary(req, cat, time_limit=2)
    acts = it.actions(cat, req)
    assert {a.kind for a in acts} >= {"flight", "hotel", "table", "ticket"}
    for a in acts:
        jsonschema.validate(a.call.arguments, parameters_schema(TOOLS[a.call.name]))


def test_invalid_call_list_runs_nothing(tmp_path):
    cat = bookable_catalog()
    with serve(cat, tmp_path / "s.sqlite") as srv:
        session = Session(catalog=cat, server=srv.url)
        good = {"name": "reserve_hotel", "arguments": {"hotel_id": "h:a:cheap", "check_in": "2026-06-01",
                                                       "nights": 2, "travelers": 2}}
        results = dispatch([good,
                            {"name": "book_flight", "arguments": {"flight_id": "F014@2026-06-01", "travelers": "2"}},
                            {"name": "teleport", "arguments": {"to": "Alpha"}},
                            {"name": "reserve_table", "arguments": {"restaurant_id": "r:a:2", "date": "2026-06-01",
                                                                    "time": "19:00", "travelers": 2}},
                            {"name": "reserve_hotel", "arguments": {"hotel_id": "nowhere", "check_in": "2026-06-01",
                                                                    "nights": 1, "travelers": 2}}], session)
        assert [r.status for r in results] == ["not_run", "invalid", "invalid", "invalid", "invalid"]
        errs = [r.error for r in results[1:]]
        assert (errs[0].tool, errs[0].argument, errs[0].code) == ("book_flight", "travelers", "invalid_argument")
        assert (errs[1].tool, errs[1].code) == ("teleport", "unknown_tool")
        assert (errs[2].argument, errs[2].code) == ("restaurant_id", "wrong_kind")  # takes no reservations
        assert (errs[3].argument, errs[3].code) == ("hotel_id", "unknown_item")
        assert srv.store.bookings() == []   # nothing of the list ran
        # the same good call alone runs, and twice is still one booking (a key derived from the call)
        for _ in range(2):
            (r,) = dispatch([good], session)
            assert r.status == "ok" and r.result["booking"]["status"] == "booked"
        assert len(srv.store.bookings()) == 1


def test_service_answers_become_tool_results(tmp_path):
    cat = bookable_catalog()
    with serve(cat, tmp_path / "s.sqlite") as srv:
        session = Session(catalog=cat, server=srv.url)
        results = dispatch([{"name": "check_availability", "arguments": {
                                "kind": "hotel", "item_id": "h:a:cheap", "date": "2026-06-01", "nights": 2,
                                "travelers": 2}},
                            {"name": "list_bookings", "arguments": {}}], session)
        assert [r.status for r in results] == ["ok", "ok"]
        assert results[0].result["available"] and results[1].result == []
        (r,) = dispatch([{"name": "cancel_booking", "arguments": {"booking_id": "bk_none"}}], session)
        assert (r.status, r.error.code, r.error.argument) == ("error", "not_found", "booking_id")


def test_calls_need_what_they_use():
    results = dispatch([{"name": "list_actions", "arguments": {}},
                        {"name": "cancel_booking", "arguments": {"booking_id": "bk_1"}}],
                       Session(catalog=bookable_catalog()))
    assert [r.error.code for r in results] == ["missing_itinerary", "missing_server"]


def test_plan_then_explain_verify_and_list_actions_through_calls():
    session = Session(catalog=bookable_catalog())
    req = small_request().model_dump(mode="json")
    results = dispatch([{"name": "plan_trip", "arguments": {**req, "time_limit": 2}},
                        {"name": "verify_itinerary", "arguments": {}},
                        {"name": "list_actions", "arguments": {}},
                        {"name": "explain_rejection", "arguments": {"item": "h:a:best"}},
                        {"name": "search_catalog", "arguments": {"city": "Alpha", "kind": "restaurant",
                                                                 "bookable": True, "open_at": "19:00"}}], session)
    assert [r.status for r in results] == ["ok"] * 5, [r.error for r in results]
    assert results[1].result == {"valid": True, "violations": []}
    hotel = results[0].result["stays"][0]["hotel_id"]
    assert any(a["item_id"] == hotel and a["call"]["name"] == "reserve_hotel" for a in results[2].result)
    assert results[3].result["status"] != "chosen" and results[3].result["text"]
    assert {p["id"] for p in results[4].result} == {"r:a:0", "r:a:4"}   # the two that take reservations


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neurosym", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_cli_tools_and_call(tmp_path, capsys):
    out = _cli("tools", "--format", "xlam", cwd=tmp_path)
    assert out.returncode == 0 and json.loads(out.stdout) == tool_schemas("xlam")
    out = _cli("tools", cwd=tmp_path)
    assert out.returncode == 0 and json.loads(out.stdout) == tool_schemas("openai")
    calls = tmp_path / "calls.json"
    calls.write_text(json.dumps({"tool_calls": [
        {"name": "search_catalog", "arguments": {"city": "Dresden", "kind": "attraction", "category": "museum",
                                                 "date": "2026-06-15", "open_at": "10:00", "limit": 3}}]}))
    out = _cli("call", str(calls), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    (res,) = json.loads(out.stdout)
    assert res["status"] == "ok" and 1 <= len(res["result"]) <= 3
    calls.write_text('[{"name": "search_catalog", "arguments": {"city": "Atlantis", "kind": "hotel"}}]')
    out = _cli("call", str(calls), cwd=tmp_path)
    assert out.returncode == 1 and "search_catalog argument city" in out.stderr and "Atlantis" in out.stderr
    calls.write_text('[{"name": "search_catalog", "arguments": {"city": ')
    out = _cli("call", str(calls), cwd=tmp_path)
    assert out.returncode == 1 and f"{calls}:1:" in out.stderr and "Traceback" not in out.stderr
    from neurosym.cli import main
    calls.write_text('[{"name": "search_catalog"}]', encoding="utf-16")   # not UTF-8: bad input, not a bug
    assert main(["call", str(calls)]) == 1
    assert "not UTF-8 text" in capsys.readouterr().err


def test_demo_catalog_says_where_bookings_are_needed():
    from neurosym import load_demo_catalog
    from neurosym.demo.generate import RESERVATION_KITCHENS, TIMED_TICKET_CATEGORIES
    cat = load_demo_catalog()
    for city in ("Munich", "Dresden", "Leipzig"):
        _, attractions, restaurants = cat.in_city(city)
        assert any(r.reservations for r in restaurants) and not all(r.reservations for r in restaurants)
        assert any(a.timed_tickets for a in attractions) and not all(a.timed_tickets for a in attractions)
    for a in cat.attractions:   # the generator's rule, on the shipped file
        assert a.timed_tickets == (a.category in TIMED_TICKET_CATEGORIES and a.price > 0)
    assert all(r.reservations for r in cat.restaurants if r.price >= 30)
    assert not any(r.reservations for r in cat.restaurants if r.price < 30 and not
                   {c.lower() for c in r.cuisines} & {"fine dining", "french", "seafood"})
    assert set(RESERVATION_KITCHENS) == {"fine", "french", "seafood"}
