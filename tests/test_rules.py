"""User rule files: enforced like the shipped ones; bad ones get an error naming file and line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import small_request
from neurosym import NoItinerary, RuleFileError, plan_itinerary
from neurosym.rules import check_user_file, core_paths, describe, reserved_predicates


def test_every_core_rule_has_a_message_and_location():
    for path in core_paths():
        for info in describe(path):
            assert info.message and not info.message.startswith("rule "), info
            assert info.line > 0 and info.path.endswith(path.name)


def test_user_rule_is_enforced_and_explained(catalog, tmp_path):
    f = tmp_path / "no_parks.lp"
    f.write_text('%! no_parks: {I} is a park and this traveller avoids parks\n'
                 'violation(no_parks, (I,)) :- at(_,_,I), attraction(I,_), I = "a:a:park".\n')
    it = plan_itinerary(small_request(), catalog, rules=[f], time_limit=2)
    assert "a:a:park" not in it.chosen_ids()
    f2 = tmp_path / "need_park.lp"
    f2.write_text('%! must_park: the park {I} must be visited\n'
                  'violation(must_park, (I,)) :- attraction(I,_), I = "a:a:park", not at(_,_,I).\n')
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(small_request(), catalog, rules=[f, f2], time_limit=2)
    names = {r for r, _ in exc.value.violations}
    assert names & {"no_parks", "must_park"}


def test_syntax_error_names_file_and_line(catalog, tmp_path):
    f = tmp_path / "broken.lp"
    f.write_text("% fine\n:- at(D,S,I)\nfoo(.\n")
    with pytest.raises(RuleFileError) as exc:
        plan_itinerary(small_request(), catalog, rules=[f], time_limit=2)
    assert exc.value.path.endswith("broken.lp") and exc.value.line in (2, 3)


def test_clash_with_library_predicate_names_file_and_line(catalog, tmp_path):
    f = tmp_path / "clash.lp"
    f.write_text("% line 1\n\nnight(1,\"Alpha\").\n")
    with pytest.raises(RuleFileError) as exc:
        plan_itinerary(small_request(), catalog, rules=[f], time_limit=2)
    assert exc.value.line == 3 and "night/2" in str(exc.value)
    g = tmp_path / "internal.lp"
    g.write_text("ns_thing(1).\n")
    with pytest.raises(RuleFileError):
        plan_itinerary(small_request(), catalog, rules=[g], time_limit=2)
    assert ("take", 1) in reserved_predicates() and ("leg", 7) in reserved_predicates()


def test_cli_bad_rule_file_exits_1_with_one_line(catalog, tmp_path):
    cat = tmp_path / "c.json"
    cat.write_text(catalog.model_dump_json())
    req = tmp_path / "r.json"
    req.write_text(small_request().model_dump_json())
    f = tmp_path / "bad.lp"
    f.write_text("p(.\n")
    out = subprocess.run([sys.executable, "-m", "neurosym", "plan", str(req), "--catalog", str(cat),
                          "--rules", str(f)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "bad.lp:1" in out.stderr and "Traceback" not in out.stderr


# -- what a user rule file may not do (docs/rules.md, "Adding your own rules") ---------------

@pytest.mark.parametrize("text, line, words", [
    ('% the reported file\n#show at(2,9,"a:a:zoo").\n', 2, "#show"),
    ("#show.\n", 1, "#show"),
    ("p.\n#script (python)\nimport os\n#end.\n", 2, "#script"),
    ('#include "other.lp".\n', 1, "#include"),
    ("#const person = room.\n", 1, "#const"),
    ("#external day(99).\n", 1, "#external"),
    ("#program later.\n:- day(1).\n", 1, "#program"),
    ("#project at/3.\n", 1, "#project"),
    ("#heuristic used(I) : attraction(I,_). [10,true]\n", 1, "#heuristic"),
    (":- day(1).\n#minimize { 1@2,I : used(I) }.\n", 2, "priority 2"),
    (":~ used(I). [1@1,I]\n", 1, "priority 1"),
    ("#maximize { 1@P,I : used(I), pace(P) }.\n", 1, "priority"),
    ("%! big: {X}\nviolation(big, (X,)) :- budget(B), X = B*1000.\n", 2, "(B*1000)"),
    (":- budget(B), B > 3000000000.\n", 1, "3000000000"),
    ("s(S) :- S = #sum{ X,G,K : cost(G,K,X) }.\n:- s(S), S > 10.\n", 1, "#sum"),
    ("violation(budget_total, (1,)) :- day(1).\n", 1, "budget_total"),
    ("% caf\xe9\n", 1, "UTF-8"),
    (":- day(" + "f(" * 100_000 + "1" + ")" * 100_000 + ").\n", 1, "nested"),
])
def test_user_file_that_could_change_the_program_or_the_answer_is_refused(tmp_path, text, line, words):
    f = tmp_path / "user.lp"
    f.write_bytes(text.encode("latin-1"))
    with pytest.raises(RuleFileError) as exc:
        check_user_file(f)
    assert exc.value.line == line and words in str(exc.value), str(exc.value)


def test_the_reported_show_file_never_reaches_the_planner(catalog, tmp_path):
    f = tmp_path / "show.lp"
    f.write_text('#show at(2,9,"a:a:zoo").\n')
    with pytest.raises(RuleFileError, match=r"show\.lp:1: #show is not allowed"):
        plan_itinerary(small_request(), catalog, rules=[f], time_limit=2)


def test_directive_words_in_comments_and_strings_are_fine(catalog, tmp_path):
    f = tmp_path / "fine.lp"
    f.write_text('% #show and #script in a comment are text\n%* #include "x" *%\n'
                 ':- at(_,_,I), I = "#show". % "#script"\n'
                 "#minimize { 1@0,I : used(I), attraction(I,_) }.  % below the library's levels\n"
                 "%! cheap: {X} is guarded\nviolation(cheap, (X,)) :- place_price(I,P), used(I), P < 1000, "
                 "X = P*1000, X > 500000.\n")
    check_user_file(f)
    it = plan_itinerary(small_request(), catalog, rules=[f], time_limit=2)
    assert it.days


def test_a_user_sum_that_overflows_in_clasp_is_a_rule_file_error(catalog, tmp_path):
    """A body #sum compares in clasp, which refuses a sum beyond 32 bits: named, never a traceback."""
    f = tmp_path / "sum.lp"
    f.write_text(":- #sum{ 2000000000,I : used(I) } > 5.\n")
    with pytest.raises(RuleFileError, match=r"sum\.lp: clingo could not ground or solve"):
        plan_itinerary(small_request(), catalog, rules=[f], time_limit=2)
