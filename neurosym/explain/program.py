"""An explanation program: the rule files and ``rules/explain.lp`` over some facts.

Built on the one clingo front-end (:class:`neurosym.program.Program`). Every question is
one :meth:`ExplainProgram.run`, with assumptions and the switches of ``explain.lp``:

- ``ns_off(C)`` (``core.lp``): a traveller constraint set aside. These externals are
  left free and every solve assumes each of them explicitly, so an unsatisfiable core
  names exactly the traveller's constraints involved (an external left at its default
  *false* and assumed *true* would be contradictory: its value is an assumption too);
- ``ns_relax`` releases every rule and ``relax.lp`` counts the broken ones (its part of
  the program is grounded on the first question that releases the rules);
- ``ns_force(I)`` / ``ns_ban(I)`` put a candidate in or keep it out;
- ``ns_objective`` switches the planner's objective on; ``ns_near``, ``ns_min_cost``,
  ``ns_late_start``, ``ns_early_end`` the auxiliary ones, whose priority levels are read
  from ``explain.lp`` itself;
- ``ns_hint`` makes the search try the explained itinerary's own choices first;
- fixing the choice atoms (:data:`neurosym.vocab.CHOICES`) to a plan's asks what else
  could fill one part of it.

:meth:`ExplainProgram.cover` is the covering search: answers that, between them,
contain every candidate asked about that any answer contains, each as close to the
explained itinerary as the hints make it; when the search is exhausted, the candidates
no answer contained are proven impossible.
"""

from __future__ import annotations

import threading
import time as _time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import clingo

from .. import vocab as V
from ..answer import Plan
from ..asp import Value, symbol
from ..problem import Key
from ..program import EXPLAIN_SEARCH, Program, Search
from ..rules import EXPLAIN_FILE, RELAX_FILE, core_paths, rule_file

Mode = Literal["sat", "opt", "enum", "brave"]
Violations = list[tuple[str, tuple[Value, ...]]]
#: The output atoms an answer is read from.
_READS = (V.NsChosen, V.NsAsked, V.NsNew, V.Violation, V.Take, V.Stay, V.Night, V.At)
#: Held while an explanation program grounds: two programs grounding at once in one process
#: slow each other down many times over (measured on the demo: 0.12 s and 0.25 s alone,
#: 1 to 2 s each side by side), so they take turns; solving still runs side by side.
GROUND_LOCK = threading.Lock()


@dataclass
class Result:
    """What one question found."""

    status: str                                  # "sat", "unsat" or "unknown"
    chosen: frozenset[Key] = frozenset()
    violations: Violations = field(default_factory=list)
    objective: list[int] = field(default_factory=list)
    aux: int | None = None
    proven: bool = False
    core: list[clingo.Symbol] = field(default_factory=list)   # constraint terms in the unsat core
    # mode enum: each answer's chosen candidates (with one: only the new one), broken rules and
    # (with plan) its placements (day, slot, place)
    models: list[tuple[frozenset[Key], Violations, frozenset[tuple[int, int, str]]]] = field(default_factory=list)
    plan: Plan | None = None                     # with plan=True: the itinerary's atoms
    seconds: float = 0.0

    @property
    def sat(self) -> bool:
        return self.status == "sat"


@dataclass
class Cover:
    """What a covering search found: an answer (its plan and broken rules) for each
    candidate some answer contains, and whether the others are proven impossible."""

    found: dict[Key, tuple[Plan, Violations]] = field(default_factory=dict)
    exhausted: bool = False      # the search finished: no answer contains any candidate not in ``found``
    models: int = 0
    seconds: float = 0.0


class ExplainProgram:
    """One grounded explanation program (see the module docs).

    ``hints`` are the facts of the explained itinerary's placements and nights
    (``ns_current_at/3``, ``ns_current_night/2``) for the search hints; ``relax`` grounds
    ``relax.lp``'s part at once (else on the first question that needs it).
    """

    def __init__(self, facts: Sequence[V.Fact], rules: Sequence[str | Path] = (),
                 candidates: Iterable[Key] = (), current: Iterable[Key] = (), *, hints: Iterable[V.Fact] = (),
                 label: str = "", search: Search = EXPLAIN_SEARCH, relax: bool = True):
        self.label = label
        extra = [V.fact(V.NsCandidate, c) for c in candidates] + [V.fact(V.NsCurrent, c) for c in current]
        self.prog = Program([*facts, *extra, *hints], files=core_paths(), user_files=rules,
                            engine_files=[rule_file(RELAX_FILE), rule_file(EXPLAIN_FILE)], guard="ns_objective",
                            search=search, ground_lock=GROUND_LOCK)
        self.constraints: list[clingo.Symbol] = []
        self._off: dict[clingo.Symbol, int] = {}
        self._lit_constraint: dict[int, clingo.Symbol] = {}
        for sa in self.prog.ctl.symbolic_atoms.by_signature("ns_off", 1):
            c = sa.symbol.arguments[0]
            self.constraints.append(c)
            self._off[c] = sa.literal
            self._lit_constraint[sa.literal] = c
        self.prog.release(clingo.Function("ns_off", [c]) for c in self.constraints)
        self.lock = self.prog.lock
        self._parts: set[str] = set()
        self._relax_lock = threading.Lock()
        self._memo: dict[clingo.Symbol, tuple[type, tuple[Any, ...]] | None] = {}
        self._chosen_lit: dict[Key, int | None] = {}
        self._choices: list[tuple[clingo.Symbol, int, str, tuple, str]] | None = None
        if relax:
            self.ensure_relax()
        self.ground_s = self.prog.ground_s
        self.on_call: weakref.WeakMethod | None = None   # counts calls for the explainer's stats

    @property
    def calls(self) -> int:
        return self.prog.calls

    def atoms(self, pred: type) -> list[clingo.Symbol]:
        return self.prog.atoms(pred)

    def choice_atoms(self) -> list[tuple[clingo.Symbol, int, str, tuple, str]]:
        """The choice atoms (:data:`neurosym.vocab.CHOICES`, in that order), each with its
        literal, name, :func:`choice_args` and text, read once per program (questions
        that fix a plan's choices go through them many times)."""
        out = self._choices
        if out is None:
            out = [(sym, lit, sym.name, choice_args(sym), str(sym)) for pred in V.CHOICES
                   for sym in self.prog.atoms(pred) for lit in [self.prog.literal(sym)] if lit is not None]
            self._choices = out
        return out

    def has(self, sym: clingo.Symbol) -> bool:
        return self.prog.has(sym)

    def ensure_relax(self, count: bool = True) -> None:
        """Ground ``relax.lp``'s parts, once each: the output of the broken rules, and (with
        ``count``) their count, which optimising needs."""
        with self._relax_lock:
            for part in ("relax_show", "relax") if count else ("relax_show",):
                if part not in self._parts:
                    t0 = _time.perf_counter()
                    with self.lock:
                        self.prog.ground(part)
                    self.prog.ground_s += _time.perf_counter() - t0
                    self._parts.add(part)

    # -- reading answers -------------------------------------------------------------
    def _decode(self, symbols: Sequence[clingo.Symbol]) -> dict[type, list[tuple[Any, ...]]]:
        """The answer's output atoms by predicate (each symbol decoded once per program)."""
        memo = self._memo
        out: dict[type, list[tuple[Any, ...]]] = {p: [] for p in _READS}
        for sym in symbols:
            row = memo.get(sym, False)
            if row is False:
                rows = V.decode([sym], _READS)
                row = next(((p, r[0]) for p, r in rows.items() if r), None)
                memo[sym] = row
            if row is not None:
                out[row[0]].append(row[1])
        return out

    @staticmethod
    def _plan(rows: dict[type, list[tuple[Any, ...]]]) -> Plan:
        return Plan(take=frozenset(r[0] for r in rows[V.Take]), stay=frozenset(rows[V.Stay]),
                    night=frozenset(rows[V.Night]), at=frozenset(rows[V.At]))

    def _assumptions(self, active: Iterable[clingo.Symbol] | None) -> list[int]:
        keep = set(self.constraints) if active is None else set(active)
        return [-self._off[c] if c in keep else self._off[c] for c in self.constraints]

    # -- questions -------------------------------------------------------------------
    def run(self, *, active: Iterable[clingo.Symbol] | None = None, force: Iterable[Key] = (),
            force_item: Iterable[str] = (), ban: Iterable[Key] = (), relax: bool = False, objective: bool = False,
            aux: str | None = None, fix: Sequence[tuple[clingo.Symbol, bool]] = (), mode: Mode = "sat",
            limit: float | None = 5.0, plan: bool = False, ask: Iterable[Key] = (), hint: bool = False,
            one: bool = False, bound: Sequence[int] = (), first: float | None = None,
            assume: Sequence[int] = ()) -> Result:
        """Solve once. ``active``: the traveller constraints kept (default: all).

        ``mode``: ``sat`` (any answer), ``opt`` (optimise whatever objective is on),
        ``enum`` (every answer, no optimisation), ``brave`` (which of the ``ask``
        candidates some answer contains: ``chosen`` of the result). ``assume``: program
        literals assumed besides ``fix`` (as :func:`neurosym.explain.roles.fix_except`
        gives them). ``plan`` reads the
        itinerary's atoms into ``plan``; ``hint`` tries the explained itinerary's choices
        first; ``one`` allows only one change to it (``explain.lp``'s ``ns_one``); ``bound``
        accepts only answers whose objective is at most this. ``first``: when ``limit``
        passes without any answer, the search goes on for its first one up to ``first``
        seconds from the start.
        """
        t0 = _time.perf_counter()
        if relax:
            self.ensure_relax(count=mode == "opt")
        assumptions = self._assumptions(active)
        for sym, truth in fix:
            lit = self.prog.literal(sym)
            if lit is None:  # an atom the grounder removed: false
                if truth:
                    return self._done(Result("unsat", proven=True), t0)
                continue
            assumptions.append(lit if truth else -lit)
        assumptions.extend(assume)
        switches = self._switches(relax=relax, objective=objective, plan=plan, quiet=mode == "brave", hint=hint,
                                  one=one, aux=aux)
        F = clingo.Function
        forced = [F("ns_force", [symbol(x)]) for x in force] + [F("ns_force_item", [symbol(x)]) for x in force_item]
        if any(not self.prog.has(s) for s in forced):   # forcing something absent: nothing can hold
            return self._done(Result("unsat", proven=True), t0)
        switches += forced
        switches += [F("ns_ban", [symbol(x)]) for x in ban]
        switches += [F("ns_ask", [symbol(x)]) for x in ask]
        out = Result("unknown")
        priorities = self.prog.priorities
        aux_prio = self.prog.switch_priority.get(f"ns_{aux}") if aux else None

        def on_model(m: clingo.Model) -> None:
            symbols = m.symbols(shown=True)
            rows = self._decode(symbols)
            chosen = frozenset(r[0] for r in [*rows[V.NsChosen], *rows[V.NsAsked], *rows[V.NsNew]])
            viol = _violations(rows[V.Violation])
            if mode == "enum":
                out.models.append((chosen, viol, frozenset(rows[V.At])))
                return
            out.chosen, out.violations = chosen, viol
            if plan:
                out.plan = self._plan(rows)
            cost, prio = list(m.cost), list(getattr(m, "priority", []))
            by_prio = dict(zip(prio, cost)) if len(prio) == len(cost) else {}
            out.objective = [by_prio.get(p, 0) for p in priorities]
            out.aux = by_prio.get(aux_prio) if aux_prio is not None else None

        deadline = None if limit is None else t0 + limit
        grace = None if first is None else t0 + max(first, limit or 0.0)
        res = self.prog.solve(assumptions=assumptions, switches=switches, optimise=mode == "opt",
                              models=1 if mode == "sat" else 0, brave=mode == "brave", deadline=deadline,
                              grace=grace, on_model=on_model, bound=bound)
        if res.satisfiable or out.models or out.chosen or out.violations:
            out.status = "sat"
        elif res.unsatisfiable:
            out.status = "unsat"
        out.proven = res.exhausted if mode in ("opt", "enum", "brave") else out.status != "unknown"
        if out.status == "unsat":
            out.proven = True
            seen: set[clingo.Symbol] = set()
            for lit in res.core:
                c = self._lit_constraint.get(-lit) or self._lit_constraint.get(lit)
                if c is not None and c not in seen:
                    seen.add(c)
                    out.core.append(c)
        return self._done(out, t0)

    def cover(self, targets: Iterable[Key], *, relax: bool = False, limit: float | None = 30.0,
              active: Iterable[clingo.Symbol] | None = None, models: int | None = None) -> Cover:
        """Answers that between them contain every target any answer contains.

        After each answer the search is told that the next one must contain a target
        not yet seen (a clause added to the running search), so it either finds one or
        proves that none exists: when ``exhausted``, no answer contains the targets
        missing from ``found``. The hints keep each answer close to the explained
        itinerary. With ``relax`` the rules are released (each answer then says what it
        breaks; the hints keep what it breaks to little). ``models`` stops after that many
        answers that contain a target (the search is then not exhausted).
        """
        t0 = _time.perf_counter()
        if relax:
            self.ensure_relax(count=False)
        cover = Cover()
        lits: dict[Key, int] = {}
        for k in dict.fromkeys(targets):
            lit = self._chosen_literal(k)
            if lit is not None:
                lits[k] = lit
        if not lits:
            cover.exhausted = True
            return cover
        unseen = dict(lits)

        useful = [0]

        def on_model(m: clingo.Model) -> bool:
            cover.models += 1
            rows = self._decode(m.symbols(shown=True))
            plan = self._plan(rows)
            viol = _violations(rows[V.Violation])
            chosen = {r[0] for r in rows[V.NsChosen]}
            new = [k for k in unseen if k in chosen]
            for k in new:
                cover.found[k] = (plan, viol)
                del unseen[k]
            useful[0] += bool(new)   # (the first answer need not contain a target: the clause comes after it)
            if not unseen or (models is not None and useful[0] >= models):
                return False
            m.context.add_clause(list(unseen.values()))
            return True

        switches = self._switches(relax=relax, plan=True, hint=True)
        deadline = None if limit is None else _time.perf_counter() + limit
        res = self.prog.solve(assumptions=self._assumptions(active), switches=switches, optimise=False,
                              models=0, deadline=deadline, on_model=on_model)
        cover.exhausted = not unseen or (res.exhausted and not res.interrupted)
        cover.seconds = _time.perf_counter() - t0
        self._done(Result("sat" if cover.found else "unsat"), t0)
        return cover

    def _chosen_literal(self, key: Key) -> int | None:
        try:
            return self._chosen_lit[key]
        except KeyError:
            lit = self._chosen_lit[key] = self.prog.literal(clingo.Function("ns_chosen", [symbol(key)]))
            return lit

    def _switches(self, *, relax: bool = False, objective: bool = False, plan: bool = False, quiet: bool = False,
                  hint: bool = False, one: bool = False, aux: str | None = None) -> list[clingo.Symbol]:
        F = clingo.Function
        out = [F(n) for n, on in (("ns_relax", relax), ("ns_objective", objective), ("ns_plan", plan),
                                  ("ns_quiet", quiet), ("ns_hint", hint), ("ns_one", one)) if on]
        if aux:
            out.append(F(f"ns_{aux}"))
        return out

    def _done(self, out: Result, t0: float) -> Result:
        out.seconds = _time.perf_counter() - t0
        counter: Callable[[], Any] | None = self.on_call() if self.on_call is not None else None
        if counter is not None:
            counter()
        return out


def choice_args(sym: clingo.Symbol) -> tuple:
    """What tells which role may change a choice atom: the day and slot of ``at/3``,
    the city of ``stay/2``."""
    if sym.name == "at":
        return sym.arguments[0].number, sym.arguments[1].number
    if sym.name == "stay":
        return (sym.arguments[0].string,)
    return ()


def _violations(rows: list[tuple[Any, ...]]) -> Violations:
    out = [(V.rule_name(r), v if isinstance(v, tuple) else (v,)) for r, v in rows]
    return list(dict.fromkeys(out))


def hint_facts(plan: Plan) -> list[V.Fact]:
    """The facts of an itinerary's placements and nights, for the search hints."""
    return ([V.fact(V.NsCurrentAt, d, s, i) for d, s, i in sorted(plan.at)]
            + [V.fact(V.NsCurrentNight, d, c) for d, c in sorted(plan.night)])


