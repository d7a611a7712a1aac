"""An explanation program: the rule files and ``rules/explain.lp`` over some facts.

Built on the one clingo front-end (:class:`neurosym.program.Program`). Every question is
one :meth:`ExplainProgram.run`, with assumptions and the switches of ``explain.lp``:

- ``ns_off(C)`` (``core.lp``): a traveller constraint set aside. These externals are
  left free and every solve assumes each of them explicitly, so an unsatisfiable core
  names exactly the traveller's constraints involved (an external left at its default
  *false* and assumed *true* would be contradictory: its value is an assumption too);
- ``ns_relax`` releases every rule and ``relax.lp`` counts the broken ones;
- ``ns_force(I)`` / ``ns_ban(I)`` put a candidate in or keep it out;
- ``ns_objective`` switches the planner's objective on; ``ns_near``, ``ns_min_cost``,
  ``ns_late_start``, ``ns_early_end`` the auxiliary ones, whose priority levels are read
  from ``explain.lp`` itself;
- fixing the choice atoms (:data:`neurosym.vocab.CHOICES`) to a plan's asks what else
  could fill one part of it.
"""

from __future__ import annotations

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
    models: list[tuple[frozenset[Key], Violations]] = field(default_factory=list)
    plan: Plan | None = None                     # with plan=True: the itinerary's atoms
    seconds: float = 0.0

    @property
    def sat(self) -> bool:
        return self.status == "sat"


def _violations(rows: list[tuple[Any, ...]]) -> Violations:
    out = [(V.rule_name(r), v if isinstance(v, tuple) else (v,)) for r, v in rows]
    return list(dict.fromkeys(out))


class ExplainProgram:
    """One grounded explanation program (see the module docs)."""

    def __init__(self, facts: Sequence[V.Fact], rules: Sequence[str | Path] = (),
                 candidates: Iterable[Key] = (), current: Iterable[Key] = (), *, label: str = "",
                 search: Search = EXPLAIN_SEARCH):
        self.label = label
        extra = [V.fact(V.NsCandidate, c) for c in candidates] + [V.fact(V.NsCurrent, c) for c in current]
        self.prog = Program([*facts, *extra], files=core_paths(), user_files=rules,
                            engine_files=[rule_file(RELAX_FILE), rule_file(EXPLAIN_FILE)], guard="ns_objective",
                            search=search)
        self.ground_s = self.prog.ground_s
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
        self.on_call: weakref.WeakMethod | None = None   # counts calls for the explainer's stats

    @property
    def calls(self) -> int:
        return self.prog.calls

    def atoms(self, pred: type) -> list[clingo.Symbol]:
        return self.prog.atoms(pred)

    def has(self, sym: clingo.Symbol) -> bool:
        return self.prog.has(sym)

    def run(self, *, active: Iterable[clingo.Symbol] | None = None, force: Iterable[Key] = (),
            force_item: Iterable[str] = (), ban: Iterable[Key] = (), relax: bool = False, objective: bool = False,
            aux: str | None = None, fix: Sequence[tuple[clingo.Symbol, bool]] = (), mode: Mode = "sat",
            limit: float | None = 5.0, plan: bool = False, ask: Iterable[Key] = ()) -> Result:
        """Solve once. ``active``: the traveller constraints kept (default: all).

        ``mode``: ``sat`` (any answer), ``opt`` (optimise whatever objective is on),
        ``enum`` (every answer, no optimisation), ``brave`` (which of the ``ask``
        candidates some answer contains: ``chosen`` of the result). ``plan`` reads the
        itinerary's atoms into ``plan``.
        """
        t0 = _time.perf_counter()
        keep = set(self.constraints) if active is None else set(active)
        assumptions = [-self._off[c] if c in keep else self._off[c] for c in self.constraints]
        for sym, truth in fix:
            lit = self.prog.literal(sym)
            if lit is None:  # an atom the grounder removed: false
                if truth:
                    return self._done(Result("unsat", proven=True), t0)
                continue
            assumptions.append(lit if truth else -lit)
        F = clingo.Function
        switches = [F(n) for n, on in (("ns_relax", relax), ("ns_objective", objective), ("ns_plan", plan),
                                       ("ns_quiet", mode == "brave")) if on]
        if aux:
            switches.append(F(f"ns_{aux}"))
        forced = [F("ns_force", [symbol(x)]) for x in force] + [F("ns_force_item", [symbol(x)]) for x in force_item]
        if any(not self.prog.has(s) for s in forced):   # forcing something absent: nothing can hold
            return self._done(Result("unsat", proven=True), t0)
        switches += forced
        switches += [F("ns_ban", [symbol(x)]) for x in ban]
        switches += [F("ns_ask", [symbol(x)]) for x in ask]
        out = Result("unknown")
        priorities = self.prog.priorities
        aux_prio = self.prog.switch_priority.get(f"ns_{aux}") if aux else None
        reads = (V.NsChosen, V.NsAsked, V.Violation, V.Take, V.Stay, V.Night, V.At)

        def on_model(m: clingo.Model) -> None:
            symbols = m.symbols(shown=True)
            rows = V.decode(symbols, reads)
            chosen = frozenset(r[0] for r in [*rows[V.NsChosen], *rows[V.NsAsked]])
            viol = _violations(rows[V.Violation])
            if mode == "enum":
                out.models.append((chosen, viol))
                return
            out.chosen, out.violations = chosen, viol
            if plan:
                out.plan = Plan.from_symbols(symbols)
            cost, prio = list(m.cost), list(getattr(m, "priority", []))
            by_prio = dict(zip(prio, cost)) if len(prio) == len(cost) else {}
            out.objective = [by_prio.get(p, 0) for p in priorities]
            out.aux = by_prio.get(aux_prio) if aux_prio is not None else None

        deadline = None if limit is None else _time.perf_counter() + limit
        res = self.prog.solve(assumptions=assumptions, switches=switches, optimise=mode == "opt",
                              models=1 if mode == "sat" else 0, brave=mode == "brave", deadline=deadline,
                              on_model=on_model)
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

    def _done(self, out: Result, t0: float) -> Result:
        out.seconds = _time.perf_counter() - t0
        counter: Callable[[], Any] | None = self.on_call() if self.on_call is not None else None
        if counter is not None:
            counter()
        return out
