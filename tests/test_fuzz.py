"""Fuzzing the JSON loaders and the command line (hypothesis, a bounded number of examples).

Inputs are random JSON documents, valid documents with one value replaced by something
hostile (a huge or non-finite number, a long or odd string, a deep list, a wrong type),
and random bytes. Whatever comes in, a loader returns a model or raises its one clear
error (``InputError``, ``TravelPlannerDataError``), and the command line exits 0, 1 or 2
with nothing escaping (3, an internal error, would fail the test).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import first_train_row, small_catalog, small_request
from neurosym.catalog import Catalog
from neurosym.cli import main
from neurosym.files import InputError, load_model
from neurosym.itinerary import Itinerary
from neurosym.preferences.history import UserHistory
from neurosym.problem import PlanningInputError, check_request
from neurosym.request import TripRequest
from neurosym.travelplanner.loader import TravelPlannerDataError, load_jsonl

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

HOSTILE_VALUES = st.one_of(
    st.sampled_from([10**30, -10**30, "__BIGINT__", 2**31, 2**63, 1e308, -1e-308, float("nan"), float("inf"), 0, -1, "", "\ud800",
                     "x" * 100_000, '"; :- a.', None, True, [], {}, [[[[[]]]]], "2026-02-30", "25:61"]),
    st.integers(), st.floats(), st.text(max_size=30))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                 max_size=4),
                    max_leaves=20)


def _paths(doc: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            out += _paths(v, (*prefix, i))
    return out


def _replace(doc: object, path: tuple, value: object) -> object:
    if not path:
        return value
    doc = json.loads(json.dumps(doc))
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return doc


@functools.cache
def valid_documents() -> dict[str, tuple[type, dict]]:
    """One valid document of each kind (planned on first use, not when the tests are collected)."""
    from neurosym import plan_itinerary
    cat, req = small_catalog(), small_request()
    it = plan_itinerary(req, cat, time_limit=2)
    return {"request": (TripRequest, json.loads(req.model_dump_json())),
            "catalog": (Catalog, json.loads(cat.model_dump_json())),
            "itinerary": (Itinerary, json.loads(it.model_dump_json())),
            "history": (UserHistory, {"name": "ann", "likes": ["museums"],
                                      "items": [{"id": "a:a:zoo", "kind": "attraction", "rating": 4}]})}



@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(sorted(valid_documents())))
    _, doc = valid_documents()[kind]
    how = draw(st.sampled_from(["replace", "replace", "replace", "random", "bytes", "deep"]))
    if how == "replace":
        path = draw(st.sampled_from(_paths(doc)))
        data = json.dumps(_replace(doc, path, draw(HOSTILE_VALUES | JSON))).replace('"__BIGINT__"', "9" * 5000)
        return kind, data.encode("utf-8", "surrogatepass")
    if how == "random":
        return kind, json.dumps(draw(JSON)).encode()
    if how == "deep":
        depth = draw(st.sampled_from([500, 5_000, 100_000]))
        return kind, ("[" * depth + "]" * depth).encode()
    return kind, draw(st.binary(max_size=200))


@FUZZ
@given(mutated())
def test_loaders_return_a_model_or_one_clear_error(tmp_path_factory, case):
    kind, data = case
    model, _ = valid_documents()[kind]
    path = tmp_path_factory.mktemp("fuzz") / f"{kind}.json"
    path.write_bytes(data)
    try:
        loaded = load_model(path, model)
    except InputError as exc:
        assert str(exc).startswith(str(path)) and len(str(exc)) < 2_000
        return
    if kind == "request":  # a request that loads is checked against the catalog without surprises
        try:
            check_request(loaded, small_catalog())
        except PlanningInputError:
            pass


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(mutated(), st.sampled_from(["plan", "verify"]))
def test_the_command_line_exits_0_1_or_2(tmp_path_factory, capsys, case, command):
    kind, data = case
    folder = tmp_path_factory.mktemp("cli")
    files = {k: folder / f"{k}.json" for k in valid_documents()}
    for k, (_, doc) in valid_documents().items():
        files[k].write_text(json.dumps(doc))
    files[kind].write_bytes(data)
    if command == "plan":
        argv = ["plan", str(files["request"]), "--catalog", str(files["catalog"]), "--time-limit", "0.5"]
    else:
        argv = ["verify", str(files["itinerary"]), "--request", str(files["request"]), "--catalog",
                str(files["catalog"])]
    code = main(argv)
    captured = capsys.readouterr()
    assert code in (0, 1, 2), captured.err
    if code == 1:
        assert len(captured.err.strip().splitlines()) == 1, captured.err


@pytest.fixture(scope="module")
def tp_row(data_dir: Path) -> dict:
    return first_train_row(data_dir)


@FUZZ
@given(st.data())
def test_the_travelplanner_loader_returns_queries_or_a_located_error(tmp_path_factory, tp_row, data):
    how = data.draw(st.sampled_from(["replace", "replace", "random", "bytes"]))
    if how == "replace":
        path = data.draw(st.sampled_from(_paths(tp_row)))
        line = json.dumps(_replace(tp_row, path, data.draw(HOSTILE_VALUES | JSON))).replace(
            '"__BIGINT__"', "9" * 5000).encode("utf-8", "surrogatepass")
    elif how == "random":
        line = json.dumps(data.draw(JSON)).encode()
    else:
        line = data.draw(st.binary(max_size=200)).replace(b"\n", b" ")
    f = tmp_path_factory.mktemp("tp") / "split.jsonl"
    f.write_bytes(line + b"\n")
    try:
        load_jsonl(f)
    except TravelPlannerDataError as exc:
        assert "split.jsonl" in str(exc)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["plan", "verify", "travelplanner", "--json", "--time-limit", "nan", "-1", "0",
                                 "--catalog", "--rules", "--request", "--data", "--out", "--dump", "--user", "x",
                                 "missing.json", "--list-users", "--help", "-h", "--bogus", "\ud800", ""]),
                max_size=6))
def test_any_arguments_exit_0_1_or_2(capsys, argv):
    code = main(argv)  # "demo" is never drawn: "--dump" is only ever a bad argument, nothing is written
    capsys.readouterr()
    assert code in (0, 1, 2)
