"""clingo's 32-bit numbers never overflow: the model's limits, the rules' arithmetic, the sums.

The proof (docs/rules.md, "Number limits"): every input fact lies in a declared range
(``bounds.INPUT_RANGES``, checked for every problem); the interval analysis of the rule
files derives from those ranges the range of every arithmetic expression, and every
one fits; every sum whose size depends on the problem has a per-problem bound, checked
for every problem, and money is counted in a unit that makes it fit.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, time, timedelta
from pathlib import Path

import clingo
import pytest

from conftest import small_catalog, small_request
from neurosym import NoItinerary, plan_itinerary, verify
from neurosym.vocab import INPUT_PREDICATES, facts_text
from neurosym.bounds import (INPUT_RANGES, PROBLEM_SUMS, candidate_costs, cost_unit, cost_unit_of, problem_sums,
                             unproven)
from neurosym.catalog import Catalog, City, GroundLeg, Hotel, Restaurant, Attraction, Transfer
from neurosym.limits import (INT32_MAX, MAX_ADULTS, MAX_BUDGET, MAX_CAPACITY, MAX_CHILDREN, MAX_LEG_MINUTES,
                             MAX_MIN_NIGHTS, MAX_PETS, MAX_PRICE, MAX_SLOTS_PER_KIND, MAX_TRANSFER_MINUTES,
                             MAX_TRIP_DAYS, MAX_VISIT_MINUTES, MAX_WEIGHT, MIN_SPEED_KMH)
from neurosym.problem import build_problem
from neurosym.rangecheck import analyse
from neurosym.request import DaySlots, Travelers, TripRequest, Weights
from neurosym.rules import core_paths, rules_dir, shipped_analysis


def test_the_proof_holds_for_the_shipped_rules():
    an = shipped_analysis()
    assert unproven(an) == []
    # not vacuous: the products of budget.lp are there, with their worst case
    texts = {(e.where.split(":")[0], e.text): e.interval for e in an.expressions}
    assert texts[("budget.lp", "(P*N)")] == (0, MAX_PRICE * 100 * 40)
    assert any(w.key == ("budget.lp", "Y", "#sum") for w in an.weights)
    # headroom for issue 11's net values (preference points * k - cost * v): one item's cost
    # and one preference weight are far below 2^31
    assert an.predicates[("cost", 3)][2][1] <= INT32_MAX // 4
    assert an.predicates[("pref", 2)][1][1] <= 1000


def test_every_input_predicate_has_a_declared_range():
    assert INPUT_PREDICATES <= set(INPUT_RANGES)
    for (name, arity), ranges in INPUT_RANGES.items():
        assert len(ranges) == arity, name


def test_a_new_product_or_sum_in_a_rule_file_is_caught(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    (rules / "extra.lp").write_text(
        "%! net: {V}\n"
        "violation(net, (V,)) :- cost(G,K,X), pref(K,W), V = W*1000 - X*10.\n"
        "#maximize { X@3,G,K : cost(G,K,X) }.\n"
        "stay_nights(N) :- unknown_input(N).\n"
        "#const scale = 5000000.\n")
    found = unproven(analyse(sorted(rules.glob("*.lp")), INPUT_RANGES))
    assert any("extra.lp:2" in f and "(X*10)" in f for f in found), found
    assert any("extra.lp:3" in f and "PROBLEM_SUMS" in f for f in found), found
    assert any("unknown_input/1" in f for f in found), found
    assert any("extra.lp:5" in f and "definition" in f for f in found), found


def test_ground_numbers_stay_inside_the_analysed_ranges(catalog):
    """The analysis over-approximates grounding: every number of every ground atom lies in
    the interval the analysis gives its argument, and the problem sums bound the ground ones."""
    an = shipped_analysis()
    for req in (small_request(), small_request(destinations=["Alpha", "Beta"], end=date(2026, 6, 6),
                                              travelers=Travelers(adults=3, children=2))):
        problem = build_problem(req, catalog)
        ctl = clingo.Control(["--warn=none"])
        for path in core_paths():
            ctl.load(str(path))
        ctl.add("base", [], facts_text(problem.facts))
        ctl.ground([("base", [])])
        checked = 0
        for atom in ctl.symbolic_atoms:
            ranges = an.predicates[(atom.symbol.name, len(atom.symbol.arguments))]
            for arg, iv in zip(atom.symbol.arguments, ranges):
                for n in _numbers(arg):
                    assert iv is not None and iv[0] <= n <= iv[1], (atom.symbol, iv)
                    checked += 1
        assert checked > 1000
        units = [a.symbol.arguments[2].number for a in ctl.symbolic_atoms.by_signature("ns_cost_units", 3)]
        sums = problem_sums(problem.facts)
        assert units and sum(units) <= sums[("budget.lp", "Y", "#sum")]
        assert sum(units) == sum(-(-c // cost_unit_of(problem.facts)) for c in candidate_costs(problem.facts))


def test_the_value_level_bound_counts_every_distinct_weather_loss():
    """With bad weather accepted, a place's loss differs from slot to slot, and each distinct
    loss is an element of the objective's level 2 (``X@2,weather,I``): the problem sum must
    bound them all, not one loss per place."""
    from neurosym.demo import demo_forecast, demo_request, load_demo_catalog

    req = demo_request()
    req = req.model_copy(update={"weather": req.weather.model_copy(update={"risk": "accept", "rain_threshold": 10})})
    problem = build_problem(req, load_demo_catalog(), forecast=demo_forecast())
    ctl = clingo.Control(["--warn=none"])
    for path in core_paths():
        ctl.load(str(path))
    ctl.add("base", [], facts_text(problem.facts))
    ctl.ground([("base", [])])
    losses = {(a.symbol.arguments[3].number, a.symbol.arguments[2]) for a in
              ctl.symbolic_atoms.by_signature("weather_loss", 4)}
    outdoor = {f.args[0] for f in problem.facts if f.name == "outdoor"}
    once_each = sum(w for f in problem.facts if f.name == "pref" for i, w in [f.args] if i in outdoor)
    assert sum(x for x, _ in losses) > once_each   # not vacuous: one loss per place would not bound them
    key = ("objective.lp", "X", "2")
    weather_part = (problem_sums(problem.facts)[key]
                    - problem_sums([f for f in problem.facts if f.name != "weather_soft"])[key])
    assert weather_part >= sum(x for x, _ in losses)


def _numbers(s: clingo.Symbol):
    if s.type == clingo.SymbolType.Number:
        yield s.number
    elif s.type == clingo.SymbolType.Function:
        for a in s.arguments:
            yield from _numbers(a)


def test_a_price_beyond_the_limit_is_refused_naming_field_and_limit(tmp_path):
    from neurosym.files import InputError, load_model
    data = json.loads(small_catalog().model_dump_json())
    data["hotels"][0]["price"] = 1_000_000  # the reported case: 1,000,000 a person a night
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"catalog\.json: field hotels\.0\.price: .*less than or equal to 50000"):
        load_model(path, Catalog)
    for field, value in (("max_occupancy", 10**30), ("min_nights", 10**30), ("price", 1e12)):
        bad = json.loads(json.dumps(data))
        bad["hotels"][0]["price"] = 50
        bad["hotels"][0][field] = value
        path.write_text(json.dumps(bad))
        with pytest.raises(InputError, match=rf"hotels\.0\.{field}"):
            load_model(path, Catalog)


def test_every_limit_at_once_keeps_every_fact_in_range():
    """Every field at its limit at once (the slowest city, the longest transfers, the most
    people and slots, the top prices): every fact stays in its declared range."""
    cities = [City(name="Home", lat=0, lon=0), City(name="Far", lat=0, lon=179.9)]
    legs = [GroundLeg(id=f"{a}>{b}", mode="drive", origin=a, destination=b, duration_min=MAX_LEG_MINUTES,
                      cost=MAX_PRICE, vehicle_capacity=MAX_CAPACITY, departures=[time(23, 59)])
            for a, b in (("Home", "Far"), ("Far", "Home"))]
    cat = Catalog(cities=cities, ground_legs=legs,
                  hotels=[Hotel(id="h", name="H", city="Far", price=MAX_PRICE, max_occupancy=1, lat=-89.9, lon=0,
                                min_nights=MAX_MIN_NIGHTS, check_in_end=time(0, 0))],
                  attractions=[Attraction(id="a", name="A", city="Far", price=MAX_PRICE, lat=89.9, lon=0,
                                          duration_min=MAX_VISIT_MINUTES)],
                  restaurants=[Restaurant(id="r", name="R", city="Far", price=MAX_PRICE, cuisines=["x" * 1000])],
                  speed_kmh=MIN_SPEED_KMH, transfer_overhead_min=MAX_TRANSFER_MINUTES,
                  transfers=[Transfer(a="a", b="r", minutes=MAX_TRANSFER_MINUTES)])
    every = [time(h, m) for h in range(24) for m in (0, 30)][:MAX_SLOTS_PER_KIND]
    req = TripRequest(origin="Home", destinations=["Far"], start=date(2026, 1, 1),
                      end=date(2026, 1, 1) + timedelta(days=MAX_TRIP_DAYS - 1),
                      travelers=Travelers(adults=MAX_ADULTS, children=MAX_CHILDREN, pets=MAX_PETS),
                      budget=MAX_BUDGET, pace=4, earliest_departure=time(23, 59), latest_return=time(23, 59),
                      weights=Weights(hotel=MAX_WEIGHT, attraction=MAX_WEIGHT, restaurant=MAX_WEIGHT,
                                      transport=MAX_WEIGHT),
                      slots=DaySlots(breakfast=every, lunch=every, dinner=every, visits=every))
    problem = build_problem(req, cat)  # raises if a fact leaves its declared range
    assert max(n for f in problem.facts for a in f.args if isinstance(a, int) for n in [a]) > 1_000_000


def test_the_largest_money_plans_in_a_coarser_unit_and_stays_within_budget():
    """The most people, every price at the limit, vehicles and rooms for one: the candidates
    together cost more than 2^31 cents, the money sums count in a coarser unit, and the
    itinerary that comes back is verified and within budget (never a wrapped total)."""
    cities = [City(name="Home", lat=50, lon=10), City(name="Far", lat=50.5, lon=10)]
    legs = [GroundLeg(id=f"{a}>{b}", mode="drive", origin=a, destination=b, duration_min=120, cost=MAX_PRICE,
                      vehicle_capacity=1 + k, departures=[time(8), time(9), time(10)])
            for k, (a, b) in enumerate((("Home", "Far"), ("Far", "Home")))]
    hotels = [Hotel(id=f"h{i}", name=f"H{i}", city="Far", price=MAX_PRICE - i,
                    price_basis="per_room" if i == 0 else "per_person", max_occupancy=MAX_CAPACITY if i == 0 else 1)
              for i in range(6)]
    cat = Catalog(cities=cities, ground_legs=legs, hotels=hotels,
                  attractions=[Attraction(id=f"a{i}", name=f"A{i}", city="Far", price=MAX_PRICE) for i in range(3)],
                  restaurants=[Restaurant(id=f"r{i}", name=f"R{i}", city="Far", price=MAX_PRICE) for i in range(4)])
    req = TripRequest(origin="Home", destinations=["Far"], start=date(2026, 6, 1), end=date(2026, 6, 8),
                      travelers=Travelers(adults=MAX_ADULTS, children=MAX_CHILDREN), budget=MAX_BUDGET,
                      meals="optional")
    problem = build_problem(req, cat)
    assert sum(candidate_costs(problem.facts)) > INT32_MAX
    assert cost_unit_of(problem.facts) == cost_unit(problem.facts) > 1
    it = plan_itinerary(req, cat, time_limit=5)
    assert verify(it, req, cat) == []
    assert it.total_cost <= MAX_BUDGET
    assert it.stays[0].hotel_id == "h0"  # the one room for 40 people: the only stay within budget


def test_the_reported_overflow_now_plans_within_budget_or_not_at_all():
    """The issue: hotels at the top price per person, 40 people, budget 10 million. The
    product no longer wraps: the plan that comes back costs what verify says, within budget."""
    data = json.loads(small_catalog().model_dump_json())
    for h in data["hotels"]:
        h.update(price=MAX_PRICE, price_basis="per_person", min_nights=1)
    cat = Catalog.model_validate(data)
    req = small_request(travelers=Travelers(adults=20, children=20), budget=MAX_BUDGET)
    it = plan_itinerary(req, cat, time_limit=5)
    assert verify(it, req, cat) == []
    assert it.costs_by_category["hotel"] == 2 * 40 * MAX_PRICE  # two nights, 40 people: 4 million, not wrapped
    with pytest.raises(NoItinerary):  # two nights for 40 people at the top price: 4 million alone
        plan_itinerary(small_request(travelers=Travelers(adults=20, children=20), budget=3_999_999), cat,
                       time_limit=5)


def test_every_problem_sum_has_a_description():
    for key, (text, fn) in PROBLEM_SUMS.items():
        assert text and callable(fn), key


def test_the_table_in_docs_is_the_analysis():
    """docs/rules.md shows every expression and problem sum with its worst case: kept true."""
    from neurosym.rules import report
    docs = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")
    missing = [row for row in report().splitlines() if row.strip() and row.strip() not in docs]
    assert not missing, "docs/rules.md is out of date (python -c 'from neurosym.rules import report; " \
                        "print(report())'):\n" + "\n".join(missing)
