"""Explanations: the justification trace, why / why-not, minimal conflicts and confirmed
repairs, the Jupyter display, the example notebook and ``plan --json`` on an impossible
request. Everything runs on the small hand-made catalog of conftest.py, except the
notebook (the demo catalog)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import date, time
from html import escape
from pathlib import Path

import pytest

from conftest import small_catalog, small_request
from neurosym import NoItinerary, plan_itinerary, verify
from neurosym.explain import Explainer, Trace, TraceEntry, attach
from neurosym.explain.program import ExplainProgram
from neurosym.explain.texts import term_text
from neurosym.itinerary import Itinerary
from neurosym.problem import build_problem
from neurosym.request import Travelers
from neurosym.rules import rule_catalog

LIMIT = 2.0
ROOT = Path(__file__).resolve().parent.parent


def plan(req, cat, **kw) -> Itinerary:
    it = plan_itinerary(req, cat, time_limit=LIMIT, **kw)
    assert verify(it, req, cat) == []
    return it


@pytest.fixture(scope="module")
def planned():
    # money weighs nothing here, so that the objective is the preference alone and the
    # losses below read as preference points (test_money_counts_in_the_loss has money)
    cat = small_catalog()
    req = small_request(weights={"money": 0})
    it = plan(req, cat)
    return it, req, cat


@pytest.fixture(scope="module")
def trace(planned) -> Trace:
    return planned[0].trace


# -- the trace ------------------------------------------------------------------------

def test_trace_is_complete(planned, trace):
    it, req, cat = planned
    ex: Explainer = it.explainer
    keys = [e.item_id for e in trace.entries]
    assert len(keys) == len(set(keys)), "one entry per candidate"
    assert set(keys) == set(ex.candidates), "every candidate the planner had is explained"
    info = rule_catalog()
    chosen = {e.item_id: e for e in trace.entries if e.status == "chosen"}
    assert set(chosen) == ex.chosen
    # every chosen item is justified: rules by name, file and line; preference; cost
    for e in chosen.values():
        assert e.rules, e
        for r in e.rules:
            assert r.name in info and r.line == info[r.name].line and r.file.endswith(Path(info[r.name].path).name)
        assert e.preference is not None and e.contributions and e.points is not None
        assert e.text
    costs = {leg.item_id: leg.cost for leg in it.legs} | {s.hotel_id: s.cost for s in it.stays}
    costs |= {ev.item_id: ev.cost for d in it.days for ev in d.events if ev.kind in ("visit", "breakfast", "lunch",
                                                                                     "dinner")}
    for e in chosen.values():
        assert e.cost == pytest.approx(costs[e.catalog_id]), e.name
    # every candidate not chosen has a reason
    for e in trace.rejected:
        assert e.status in ("dominated", "worse", "improvable", "excluded") and e.text
        if e.status == "excluded":
            assert e.broken and all(b.rule in info and b.text for b in e.broken), e
        if e.status == "dominated":
            assert e.dominated_by
        if e.status in ("worse", "improvable"):
            assert e.loss is not None and (e.loss.sign >= 0) == (e.status == "worse")
    if it.optimal:
        assert not trace.filter(status="improvable").entries, "nothing beats a proven optimum"


def test_trace_objective_matches_the_planner(planned):
    it, _, _ = planned
    assert it.explainer.objective == it.objective


def test_trace_swap_loss_is_exact(trace):
    # Alpha Cheap Rooms instead of the Pet Lodge: 2 nights, preference 60 vs 80 points,
    # 50 vs 90 a night for one room
    e = trace.entry("h:a:cheap")
    assert e.status == "worse" and e.replaces == ["h:a:pets"]
    assert e.loss.objective == [40, -8000]
    assert e.loss.value == pytest.approx(0.40) and e.loss.cost == pytest.approx(-80.0)


def test_money_counts_in_the_loss():
    # at 1 point per unit of money per traveller, the Pet Lodge (80 points, 90 a night:
    # 45 points) is worth what Alpha Cheap Rooms is (60 points, 50 a night: 25 points),
    # and costs 2 x 40 more: no better, by its cost only
    it = plan(small_request(weights={"money": 1}), small_catalog())
    assert [s.hotel_id for s in it.stays] == ["h:a:cheap"]
    e = it.why_not("h:a:pets")
    assert e.loss.objective == [0, 8000] and e.loss.value == 0 and e.loss.cost == pytest.approx(80.0)
    assert e.status == "dominated" and e.dominated_by == "h:a:cheap"


def test_trace_names_the_rule_and_values(trace):
    late = trace.entry("L0@2026-06-01")   # lands 23:15, the hotels' desks close by midnight
    assert late.status == "excluded" and late.scope == "global"
    b = late.broken[0]
    assert b.rule == "hotel_checkin_closed" and b.file.endswith("hotels.lp") and b.line > 0
    assert "Alpha Pet Lodge" in b.text and "h:a:pets" in b.items  # names, not ids
    grand = trace.entry("Alpha Grand")
    assert grand.status == "excluded"
    assert {x.rule for x in grand.broken} <= {"hotel_min_nights", "hotel_checkin_after_events"}


def test_trace_filters_and_round_trip(trace):
    hotels = trace.filter(category="hotel")
    assert hotels.entries and all(e.category == "hotel" for e in hotels.entries)
    day2 = trace.filter(day=2)
    assert day2.entries and all(2 in e.days for e in day2.entries)
    rule = trace.filter(rule="hotel_checkin_closed")
    assert rule.entries and all("hotel_checkin_closed" in e.rule_names() for e in rule.entries)
    assert trace.filter(status=["excluded", "dominated"]).counts().keys() <= {"excluded", "dominated"}
    assert Trace.model_validate_json(trace.model_dump_json()) == trace
    assert "<details" in trace._repr_html_() and "<details" in trace.entries[0]._repr_html_()


def test_trace_is_logged_at_debug(caplog):
    it = plan(small_request(), small_catalog())
    with caplog.at_level(logging.DEBUG, logger="neurosym.explain"):
        tr = it.trace
    texts = [r.getMessage() for r in caplog.records if r.name == "neurosym.explain"]
    assert any(t.startswith("trace ") and "[chosen]" in t for t in texts)
    assert sum("[" in t for t in texts if t.startswith("trace ")) >= len(tr.entries)


# -- why --------------------------------------------------------------------------------

def test_why_a_chosen_item(planned):
    it, _, _ = planned
    leg = it.legs[0]
    e = it.why(leg.item_id)
    assert e.status == "chosen" and e.category == "transport"
    assert {r.name for r in e.rules} >= {"transport_earliest_departure", "budget_total"}
    assert e.alternative is not None and e.alternative_loss is not None and e.alternative_loss.sign >= 0
    by_name = it.why(it.stays[0].name)
    assert by_name.item_id == it.stays[0].hotel_id and by_name.status == "chosen"


def test_why_not_min_nights(planned):
    it, _, _ = planned
    e = it.why_not("h:a:best")   # the best-rated hotel needs 3 nights; the trip has 2
    assert e.status == "excluded" and e.scope == "global"
    b = next(b for b in e.broken if b.rule == "hotel_min_nights")
    assert b.text == "Alpha Grand needs at least 3 nights, the stay has 2"
    assert e.constraints == [], "none of the traveller's own constraints is involved"


def test_why_not_late_flight_names_the_hotel(planned):
    it, _, _ = planned
    e = it.why_not("L0@2026-06-01")
    assert e.status == "excluded"
    assert [b.rule for b in e.broken] == ["hotel_checkin_closed"]
    assert "h:a:pets" in e.conflicts_with, "the chosen hotel whose desk closes is the conflicting choice"


def test_why_not_worse_and_dominated(planned):
    it, _, _ = planned
    cheap = it.why_not("Alpha Cheap Rooms")
    assert cheap.status == "worse" and cheap.scope == "itinerary" and cheap.proven
    assert cheap.loss.objective == [40, -8000] and cheap.replaces == ["h:a:pets"]
    early = it.why_not("F08@2026-06-01")   # same preference as the chosen 14:00 flight, 30 more a seat
    assert early.status == "dominated" and early.dominated_by == "F014@2026-06-01"
    assert early.loss.objective == [0, 6000]
    museum = it.why_not("Beta Museum")
    assert museum.status == "not_candidate" and "Beta" in museum.text
    chosen = it.why_not(it.stays[0].hotel_id)
    assert chosen.status == "chosen"


def test_why_not_names_the_travellers_constraint():
    cat = small_catalog()
    it = plan(small_request(travelers=Travelers(adults=2, pets=1)), cat)
    e = it.why_not("h:a:cheap")
    assert e.status == "excluded"
    assert "hotel_house_rule" in {b.rule for b in e.broken}
    assert e.constraints == ["need for a stay that allows pets (your pet)"]


def test_why_not_budget(planned):
    _, _, cat = planned
    # on a budget that only the cheapest itinerary meets, a paid museum is excluded by the budget
    it = plan(small_request(budget=352), cat)
    e = it.why_not("a:a:museum")
    assert e.status == "excluded" and "budget_total" in {b.rule for b in e.broken}
    assert e.constraints == ["budget of 352.00"]


def test_user_rule_explains_itself(tmp_path):
    f = tmp_path / "no_parks.lp"
    f.write_text('%! no_parks: {I} is a park and this traveller avoids parks\n'
                 'violation(no_parks, (I,)) :- at(_,_,I), attraction(I,_), I = "a:a:park".\n')
    cat = small_catalog()
    it = plan(small_request(), cat, rules=[f])
    e = it.why_not("a:a:park")
    assert e.status == "excluded"
    b = next(b for b in e.broken if b.rule == "no_parks")
    assert b.text == "Alpha Park is a park and this traveller avoids parks" and b.file.endswith("no_parks.lp")
    park = it.trace.entry("a:a:park")
    assert park.status == "excluded" and park.broken[0].rule == "no_parks"
    assert park.broken[0].file.endswith("no_parks.lp") and park.broken[0].line == 2
    assert any(r.name == "no_parks" and r.file.endswith("no_parks.lp") for r in it.trace.rules)
    # the rule names the park only, so it is not among the rules the chosen attractions were checked against
    assert not any(r.name == "no_parks" for e in it.trace.chosen for r in e.rules)


def test_explanations_survive_json_via_attach(planned):
    it, req, cat = planned
    back = Itinerary.model_validate_json(it.model_dump_json())
    assert back == it, "the explanation context is not part of the itinerary's value"
    with pytest.raises(Exception, match="attach"):
        back.why_not("h:a:best")
    attach(back, req, cat)
    assert back.why_not("h:a:best").status == "excluded"


# -- no itinerary: minimal conflicts and confirmed repairs -------------------------------

def _infeasible(req, cat, rules=()) -> NoItinerary:
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(req, cat, time_limit=LIMIT, rules=rules)
    return exc.value


def _check_minimal(req, cat, conflict_names: list[str]) -> None:
    """Re-solve independently: the conflict alone (everything else set aside) is
    infeasible, and without any one member it is feasible."""
    prob = build_problem(req, cat)
    P = ExplainProgram(prob.facts, label="test")
    by_name = {_name(c): c for c in P.constraints}
    members = [by_name[n] for n in conflict_names]
    assert P.run(active=members).status == "unsat"
    for m in members:
        assert P.run(active=[x for x in members if x != m]).sat, f"dropping {m} must make it feasible"


def _name(c) -> str:
    return term_text(c)


CASES = {
    "budget": (dict(budget=1), [["budget"]]),
    "pets_and_room_type": (dict(travelers=Travelers(adults=2, pets=1), room_types=["private_room"]),
                           [["need(pets)", "room_type"]]),
    "earliest_departure": (dict(earliest_departure=time(23, 0)), [["earliest_departure"]]),
    "latest_return": (dict(latest_return=time(9, 0), exclude_modes=["train"]), [["latest_return"]]),
    "modes": (dict(exclude_modes=["flight", "train"]), [["mode(flight)", "mode(train)"]]),
    "two_conflicts": (dict(cuisines=["Klingon"], budget=1), [["cuisine(klingon)"], ["budget"]]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_conflict_is_minimal_and_repairs_are_confirmed(case):
    kw, expected = CASES[case]
    cat = small_catalog()
    req = small_request(**kw)
    exc = _infeasible(req, cat)
    d = exc.diagnosis
    assert not d.frame
    got = [[c.name for c in m] for m in d.conflicts]
    assert sorted(map(sorted, got)) == sorted(map(sorted, expected))
    for m in got:
        _check_minimal(req, cat, m)
    if len(got) == 1:  # dropping any one member from the request itself makes it plannable
        for c in d.conflict:
            plan(_drop(req, c.name), cat)
    assert d.repairs, "an impossible request comes with repairs"
    for r in d.repairs:
        assert r.confirmed
        fixed = r.apply(req)
        it = plan(fixed, cat)            # confirmed again here, independently
        if "budget" in r.changes:
            assert it.total_cost <= r.changes["budget"] + 1e-6
    data = exc.to_dict()
    assert [[c["name"] for c in m] for m in data["conflicts"]] == got
    html = exc._repr_html_()   # the display lists every repair, and the verification re-solves
    assert "<details" in html and all(escape(r.text, quote=True) in html for r in d.repairs)


def _drop(req, name: str):
    data = req.model_dump()
    if name == "budget":
        data["budget"] = 10**6
    elif name.startswith("need("):
        what = name[5:-1]
        data["house_rules"] = [x for x in data["house_rules"] if x != what]
        if what == "pets":
            data["travelers"]["pets"] = 0
    elif name == "room_type":
        data["room_types"] = None
    elif name.startswith("mode("):
        data["exclude_modes"] = [m for m in data["exclude_modes"] if m != name[5:-1]]
    elif name.startswith("cuisine("):
        data["cuisines"] = [q for q in data["cuisines"] if q.lower() != name[8:-1]]
    else:
        data[name] = None if name != "fixed_order" else False
    return type(req).model_validate(data)


def test_smallest_budget_is_the_smallest():
    cat = small_catalog()
    exc = _infeasible(small_request(budget=1), cat)
    budget = exc.to_dict()["smallest_budget"]
    r = next(r for r in exc.repairs if r.kind == "budget")
    assert r.proven and r.changes["budget"] == budget
    plan(small_request(budget=budget), cat)
    with pytest.raises(NoItinerary):
        plan_itinerary(small_request(budget=budget - 0.01), cat, time_limit=LIMIT)


def test_earliest_departure_repair_names_the_flight():
    exc = _infeasible(small_request(earliest_departure=time(23, 0)), small_catalog())
    r = next(r for r in exc.repairs if r.kind == "earliest_departure")
    assert r.changes == {"earliest_departure": "14:00"} and "F014" in r.text


def test_dates_that_work_when_the_trip_itself_cannot():
    cat = small_catalog()
    # only the 22:00 flight leaves on day 1 and every desk closes at 22:00
    cat.flights = [f for f in cat.flights if not (f.date == date(2026, 6, 1) and f.departure.hour != 22)]
    cat.ground_legs = []
    cat.hotels = [h.model_copy(update={"check_in_end": time(22, 0)}) for h in cat.hotels]
    req = small_request()
    exc = _infeasible(req, cat)
    d = exc.diagnosis
    assert d.frame and not d.conflict
    assert "hotel_checkin_closed" in {b.rule for b in d.violations}
    r = next(r for r in d.repairs if r.kind == "dates")
    assert r.changes == {"start": "2026-06-02", "end": "2026-06-04"} and r.confirmed
    plan(r.apply(req), cat)


def test_cli_plan_json_on_a_budget_of_one(tmp_path):
    cat = tmp_path / "catalog.json"
    cat.write_text(small_catalog().model_dump_json())
    req = tmp_path / "request.json"
    req.write_text(small_request(budget=1).model_dump_json())
    out = subprocess.run([sys.executable, "-m", "neurosym", "plan", str(req), "--catalog", str(cat), "--json"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2, out.stderr
    data = json.loads(out.stdout)
    assert data["error"] == "no_itinerary"
    assert [c["name"] for c in data["conflict"]] == ["budget"]
    repair = next(r for r in data["repairs"] if r["kind"] == "budget")
    assert repair["confirmed"] and repair["changes"]["budget"] == data["smallest_budget"] == 352.0


# -- display ------------------------------------------------------------------------------

def test_html_and_plot(planned):
    it, _, _ = planned
    html = it._repr_html_()
    assert html.count("<h4") == len(it.days) and "<details" in html
    assert all(s.name in html for s in it.stays)
    fig = it.plot()
    assert len(fig.axes) == 2
    from matplotlib.figure import Figure
    assert isinstance(fig, Figure)


def test_import_stays_light():
    code = ("import sys, neurosym; from neurosym.itinerary import Itinerary; neurosym.TripRequest;"
            "print(sorted(m for m in ('clingo', 'matplotlib', 'neurosym.explain', 'neurosym.display') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# -- the notebook ---------------------------------------------------------------------------

def test_notebook_executes():
    import nbclient
    import nbformat
    path = ROOT / "examples" / "explain_itinerary.ipynb"
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    html = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "text/html" in o.get("data", {})]
    assert html, "the notebook displays rich HTML"


def test_trace_entry_model_is_plain_data():
    e = TraceEntry(item_id="x", catalog_id="x", name="X", category="hotel", status="excluded", text="t")
    assert TraceEntry.model_validate_json(e.model_dump_json()) == e
