"""User rule files: enforced like the shipped ones; bad ones get an error naming file and line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import small_request
from neurosym import NoItinerary, RuleFileError, plan_itinerary
from neurosym.rules import core_paths, describe, reserved_predicates


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
