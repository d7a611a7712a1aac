"""Values and terms: printed in Python exactly as clingo prints them, and read back the same."""

import clingo
import pytest

from neurosym import vocab as V
from neurosym.asp import Const, Hub, Option, symbol, term, value

TEXTS = ['Bob\'s "Bar". :- x. % not a comment\\ \n#show p/1.', "", "\\", '"', "\\n", "tab\there",
         "cr\rhere", "\x01\x7f", "é ü 日本 🙂", "a.\n:- not b.", "#const n=1.", "%* open comment"]
VALUES = [*TEXTS, 0, -7, 2**31 - 1, -(2**31), Const("flight"), (), ("one",), (1, "x", Const("room")),
          ((1, 2), ("nested", ("deep",))), Hub('Nasty "City"'), Option('train:A>B@1@720"', 1, 720)]


@pytest.mark.parametrize("v", VALUES, ids=repr)
def test_printed_value_is_what_clingo_prints(v):
    assert term(v) == str(symbol(v))


def test_facts_read_back_as_the_same_values():
    facts = [V.fact(V.Pref, v, i) for i, v in enumerate(VALUES) if isinstance(v, (str, Option))]
    facts += [V.fact(V.Radius, Hub(t), i) for i, t in enumerate(TEXTS)] + [V.fact(V.MealsAll)]
    ctl = clingo.Control(["--warn=none"])
    ctl.add("base", [], V.facts_text(facts))
    ctl.ground([("base", [])])
    got = {a.symbol.arguments[1].number: value(a.symbol.arguments[0]) for a in ctl.symbolic_atoms.by_signature("pref", 2)}
    assert got == {i: v for i, v in enumerate(VALUES) if isinstance(v, (str, Option))}
    hubs = {a.symbol.arguments[1].number: value(a.symbol.arguments[0])
            for a in ctl.symbolic_atoms.by_signature("radius", 2)}
    assert hubs == {i: Hub(t) for i, t in enumerate(TEXTS)}
    assert any(a.symbol.name == "meals_all" for a in ctl.symbolic_atoms)


def test_values_clingo_cannot_hold_are_refused():
    with pytest.raises(OverflowError, match="32-bit"):
        V.facts_text([V.fact(V.Budget, 2**31)])
    with pytest.raises(ValueError, match="NUL"):
        V.facts_text([V.fact(V.Origin, "cut\x00here")])
    with pytest.raises(TypeError):
        V.facts_text([V.fact(V.Budget, True)])
    with pytest.raises(ValueError, match="constant"):
        V.facts_text([V.fact(V.Need, "pets). bad(")])   # a constant field never takes user text
    with pytest.raises(TypeError, match="takes 2 values"):
        V.fact(V.Pref, "x")


def test_keys_of_different_kinds_never_collide():
    # a flight whose id reads like a ground leg's departure, a place with the same text
    flight, ground = Option("train:Home>Alpha@1@720", 1, 480), Option("train:Home>Alpha", 1, 720)
    texts = {term(flight), term(ground), term("train:Home>Alpha@1@720"), term(Hub("train:Home>Alpha@1@720"))}
    assert len(texts) == 4
