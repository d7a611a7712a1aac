"""The predicate vocabulary is the one place the facts and answers are declared:
every predicate a rule file reads from facts is declared, every declared one is used,
and the docs' table is derived from the declarations."""

from __future__ import annotations

from pathlib import Path

from neurosym import vocab as V
from neurosym.rules import fact_readers, reads, reserved_predicates, shipped_files

ROOT = Path(__file__).resolve().parents[1]


def test_every_fact_a_rule_file_reads_is_declared_and_every_declared_one_is_read():
    read = set(fact_readers())
    declared = {V.signature(p) for p in (*V.INPUTS, *V.EXPLAIN_INPUTS)}
    assert read - declared == set(), "rule files read facts the vocabulary does not declare"
    assert declared - read == set(), "the vocabulary declares facts no rule file reads"


def test_every_declared_output_is_derived_or_shown_by_the_rules():
    made = set().union(*(reads(p).defined | reads(p).shown for p in shipped_files()))
    assert {V.signature(p) for p in V.OUTPUTS} - made == set()


def test_user_files_may_read_but_never_define_the_inputs():
    assert {V.signature(p) for p in V.INPUTS} <= reserved_predicates()


def test_docs_table_is_derived_from_the_declarations():
    from neurosym.rules import vocabulary_table
    assert vocabulary_table() in (ROOT / "docs" / "rules.md").read_text(encoding="utf-8"), (
        "docs/rules.md's vocabulary table is out of date: paste neurosym.rules.vocabulary_table()")


def test_answers_decode_only_declared_outputs_of_the_right_shape():
    import clingo
    syms = [clingo.parse_term(t) for t in ('take(opt("F1",1,480))', 'take("F1")', 'at(1,2,"r")', 'at(1,"x","r")',
                                           'stay("A","h")', 'hotel("h","A")')]
    rows = V.decode(syms, V.OUTPUTS)
    assert rows[V.Take] == [(V.Option("F1", 1, 480),)] and rows[V.At] == [(1, 2, "r")]
    assert rows[V.Stay] == [("A", "h")] and V.Hotel not in rows
