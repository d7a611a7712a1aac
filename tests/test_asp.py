"""The typed mapping: facts printed in Python read back into clingo as the same values."""

import clingo
import pytest

from neurosym.asp import Const, Fact, fact, facts_text, hub, value

TEXTS = ['Bob\'s "Bar". :- x. % not a comment\\ \n#show p/1.', "", "\\", '"', "\\n", "tab\there",
         "cr\rhere", "\x01\x7f", "é ü 日本 🙂", "a.\n:- not b.", "#const n=1.", "%* open comment"]
VALUES = [*TEXTS, 0, -7, 2**31 - 1, -(2**31), Const("flight"), (), ("one",), (1, "x", Const("room")),
          ((1, 2), ("nested", ("deep",))), hub('Nasty "City"')]


@pytest.mark.parametrize("v", VALUES, ids=repr)
def test_printed_fact_is_what_clingo_prints(v):
    f = fact("p", v, 1)
    assert facts_text([f]) == f"{f.symbol}.\n"


def test_facts_read_back_as_the_same_values():
    facts = [fact("p", i, v) for i, v in enumerate(VALUES)] + [fact("flag")]
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], facts_text(facts))
    ctl.ground([("base", [])])
    got = {a.symbol.arguments[0].number: a.symbol.arguments[1] for a in ctl.symbolic_atoms.by_signature("p", 2)}
    assert len(got) == len(VALUES)
    for i, v in enumerate(VALUES):
        assert got[i] == Fact("p", (i, v)).symbol.arguments[1]
        if isinstance(v, str):
            assert value(got[i]) == v
    assert any(a.symbol.name == "flag" for a in ctl.symbolic_atoms)


def test_values_clingo_cannot_hold_are_refused():
    with pytest.raises(OverflowError, match="32-bit"):
        facts_text([fact("budget", 2**31)])
    with pytest.raises(ValueError, match="NUL"):
        facts_text([fact("name", "cut\x00here")])
    with pytest.raises(TypeError):
        facts_text([fact("flag", True)])
