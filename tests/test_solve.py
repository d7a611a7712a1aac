"""Plan once: the one place a problem is solved; limits, progress, stop conditions, canonical optima."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import small_catalog, small_request
from neurosym import RuleFileError
from neurosym.problem import build_problem
from neurosym.program import Search
from neurosym.solve import Limits, plan_once

TWO_CITIES = dict(destinations=["Alpha", "Beta"], end=date(2026, 6, 5))


def test_an_optimum_is_proven_and_an_impossible_problem_has_no_answer():
    a = plan_once(build_problem(small_request(), small_catalog()), limits=Limits(time=None))
    assert a is not None and a.optimal and a.stats["canonical"] == 1.0
    assert a.plan.cities == {"Alpha"} and len(a.plan.take) == 2 and a.cost == list(a.plan.objective)
    assert plan_once(build_problem(small_request(budget=1), small_catalog()), limits=Limits(time=2)) is None


def test_progress_sees_better_plans_and_can_stop_the_search():
    prob = build_problem(small_request(**TWO_CITIES), small_catalog())
    seen: list[list[int]] = []
    a = plan_once(prob, limits=Limits(time=None), on_plan=lambda plan, cost, t: seen.append(cost))
    assert seen and seen == sorted(seen, reverse=True), "each plan is better than the one before"
    assert a.cost == seen[-1]
    first = plan_once(prob, limits=Limits(time=None), on_plan=lambda plan, cost, t: False)
    assert first is not None and not first.optimal
    stopped = plan_once(prob, limits=Limits(time=None), stop=lambda cost: True)
    assert stopped is not None and not stopped.optimal


def test_an_error_in_a_callback_stops_the_search_and_is_raised():
    prob = build_problem(small_request(), small_catalog())

    def boom(plan, cost, t):
        raise KeyError("from the callback")
    with pytest.raises(KeyError, match="from the callback"):
        plan_once(prob, limits=Limits(time=2), on_plan=boom)


def test_an_error_in_a_callback_is_not_blamed_on_the_user_rule_files(tmp_path):
    f = tmp_path / "extra.lp"
    f.write_text("%! no_zoo: no zoo\nviolation(no_zoo, (I,)) :- used(I), I = \"zoo\".\n")

    def boom(plan, cost, t):
        raise RuntimeError("from the callback")
    with pytest.raises(RuntimeError, match="from the callback") as exc:
        plan_once(build_problem(small_request(), small_catalog()), [f], Limits(time=2), on_plan=boom)
    assert not isinstance(exc.value, RuleFileError)


def test_a_work_bound_search_is_reproducible():
    prob = build_problem(small_request(**TWO_CITIES), small_catalog())
    runs = [plan_once(prob, limits=Limits(time=5, search=Search(threads=1, conflicts=50))) for _ in range(3)]
    assert len({(r.plan, tuple(r.cost)) for r in runs}) == 1
    assert all(r.stats["reproducible"] == 1.0 for r in runs)
    assert Limits.reproducible(0.5).search == Search(threads=1, conflicts=5000)


def test_a_user_file_may_not_run_scripts(tmp_path):
    f = tmp_path / "script.lp"
    f.write_text("% a script would run Python inside clingo\n#script (python)\ndef f(): pass\n#end.\n")
    with pytest.raises(RuleFileError) as exc:
        plan_once(build_problem(small_request(), small_catalog()), [f], Limits(time=2))
    assert exc.value.path.endswith("script.lp") and exc.value.line == 2
