"""The explanation engine: justification trace, why / why-not, minimal conflicts and repairs.

Everything here asks the rule files, never Python copies of them. A question becomes a
clingo program made of the rule files, the user's rule files and ``rules/explain.lp``
(handles to force, ban or compare choices) over some of the planning facts, solved
with *assumptions*:

- ``ns_off(C)`` (``core.lp``) sets one of the traveller's own constraints aside;
  every solve states all of them explicitly, so unsatisfiable cores name the
  traveller's constraints that cannot hold together;
- ``ns_relax`` (``core.lp``) releases every hard rule, and ``rules/relax.lp`` then
  minimises how many break: the broken ``violation(Name, Values)`` atoms are the
  explanation, rendered with the rule's ``%!`` message (ids replaced by names);
- ``ns_force(I)`` / ``ns_ban(I)`` (``explain.lp``) put a candidate in or keep it out;
- fixing the output atoms of the rules (``take/1``, ``stay/2``, ``night/2``,
  ``visit_city/1``, ``at/3``) to those of an itinerary, except the ones of one *role*
  (a meal of a day, a visit slot, the hotel of a city, the leg of a move), and
  enumerating the answers with the rules released, gives in one call what every
  candidate for that role would break if it replaced the chosen one; a candidate
  that breaks nothing is a feasible *swap*, whose effect on the objective is
  computed exactly from the ``pref/2`` facts and the costs.

Cost model (measured on the demo trip, see ``docs/explanations.md``): a clingo
program over all the facts grounds in about 1 s and every call on it costs about
50 ms whatever it asks, so the engine works on small programs (the itinerary's own
items plus the item asked about) wherever that is exact, and answers the trace's
hundreds of questions with a few dozen enumerations. ``why_not`` on an item the
itinerary could take answers in about 0.2 s; the full trace is computed once, lazily,
on first access to ``Itinerary.trace``.
"""

from __future__ import annotations

import contextvars
import logging
import os
import threading
import time as _time
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import clingo
from clingo import ast
from pydantic import BaseModel, ConfigDict, Field

from .asp import Const, Fact, Value, facts_text, value
from .catalog import Attraction, Flight, GroundLeg, Hotel, Restaurant, clock, minutes
from .bounds import cost_unit_of
from .costs import cents, leg_cost, night_cost, place_cost
from .problem import SCALE, PlanningInputError, Problem, build_problem
from .request import TripRequest
from .rules import RuleInfo, core_paths, rule_catalog, rules_dir

if TYPE_CHECKING:  # pragma: no cover
    from .itinerary import Itinerary

log = logging.getLogger("neurosym.explain")

Category = Literal["transport", "hotel", "attraction", "restaurant"]
Status = Literal["chosen", "dominated", "worse", "improvable", "excluded", "not_candidate"]
Scope = Literal["itinerary", "route", "global", "catalog"]

#: The output atoms of the rules that make up an itinerary (name, arity).
CHOICE_ATOMS: tuple[tuple[str, int], ...] = (("visit_city", 1), ("night", 2), ("stay", 2), ("take", 1),
                                             ("at", 3))
_MEALS = ("breakfast", "lunch", "dinner")


# ======================================================================================
# The trace: plain pydantic data with a JSON round-trip
# ======================================================================================

class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _InRuleFile(_Model):
    """Something written in a rule file: the file and the line."""

    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{Path(self.file).name}:{self.line}"


class RuleRef(_InRuleFile):
    """A named hard rule: its name, where it is written, and its message template."""

    name: str
    message: str


class Broken(_InRuleFile):
    """One broken rule instance: the rule, the values that broke it, and the rendered text."""

    rule: str
    text: str
    values: list[str] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list, description="ids of the catalog items named in the values")


class Contribution(_Model):
    """What raised (positive) or lowered (negative) a preference score."""

    source: str
    weight: float


class Loss(_Model):
    """How much worse an itinerary is than the one explained, level by level.

    ``objective`` has one entry per level of the planner's objective, highest priority
    first: preference points lost (``SCALE`` points = a score of 1.0 at weight 1) and
    cents spent in addition. Positive means worse; the comparison is lexicographic.
    """

    objective: list[int]
    preference: float = Field(description="preference lost, in score units (points / SCALE)")
    cost: float = Field(description="money spent in addition (negative: saved)")

    @classmethod
    def of(cls, objective: Sequence[int]) -> "Loss":
        obj = [int(x) for x in objective]
        pref = obj[0] / SCALE if obj else 0.0
        cost = obj[1] / 100 if len(obj) > 1 else 0.0
        return cls(objective=obj, preference=round(pref, 4), cost=round(cost, 2))

    @property
    def sign(self) -> int:
        for x in self.objective:
            if x:
                return 1 if x > 0 else -1
        return 0

    def text(self) -> str:
        parts = []
        if self.preference:
            parts.append(f"preference {-self.preference:+.2f}")
        if self.cost:
            parts.append(f"cost {self.cost:+.2f}")
        return ", ".join(parts) or "no difference"


class TraceEntry(_Model):
    """Why one candidate is, or is not, in the itinerary.

    ``status``:

    - ``chosen``: in the itinerary; ``rules`` are the hard rules it was checked against,
      ``preference``/``contributions`` its score, ``cost`` what it costs the party;
      ``alternative``/``alternative_loss`` the best option that could take its place.
    - ``dominated``: another option (``dominated_by``) can stand in for it and is at
      least as good on every level of the objective.
    - ``worse``: it can be part of an itinerary that obeys every rule, but the best one
      found with it is worse by ``loss`` (``replaces`` lists what it would displace).
    - ``improvable``: it fits and would make the itinerary *better* by ``-loss``; the
      planner stopped at its time limit before finding that (never when ``optimal``).
    - ``excluded``: it cannot be added without breaking the rules in ``broken``
      (``scope="global"``: no itinerary at all can contain it; ``constraints`` names the
      traveller's own constraints that exclude it, when ``why_not`` was asked).
    - ``not_candidate``: the planner never considered it (another city, another date).

    ``scope`` says what was searched: ``itinerary`` (swapping it for one choice of the
    itinerary, or re-planning with the itinerary's own items), ``route`` (the best
    itinerary found on a route that can take it), ``global`` (every itinerary), or
    ``catalog`` (decided from the catalog alone, before solving).
    """

    item_id: str
    catalog_id: str
    name: str
    category: Category
    city: str | None = None
    days: list[int] = Field(default_factory=list)
    status: Status
    text: str
    rules: list[RuleRef] = Field(default_factory=list)
    broken: list[Broken] = Field(default_factory=list)
    preference: float | None = None
    points: int | None = None
    contributions: list[Contribution] = Field(default_factory=list)
    cost: float = 0.0
    dominated_by: str | None = None
    replaces: list[str] = Field(default_factory=list)
    loss: Loss | None = None
    scope: Scope | None = None
    proven: bool = True
    conflicts_with: list[str] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    alternative: str | None = None
    alternative_loss: Loss | None = None
    seconds: float | None = None

    def rule_names(self) -> set[str]:
        return {r.name for r in self.rules} | {b.rule for b in self.broken}

    def __str__(self) -> str:
        return f"{self.name} [{self.status}]: {self.text}"

    def _repr_html_(self) -> str:
        from .display import entry_html
        return entry_html(self)


class Trace(_Model):
    """The justification trace of an itinerary: one entry per candidate the planner had.

    Build it with ``Itinerary.trace``; filter it with :meth:`filter`.
    """

    entries: list[TraceEntry]
    rules: list[RuleRef] = Field(default_factory=list)
    objective: list[int] = Field(default_factory=list)
    stats: dict[str, float] = Field(default_factory=dict)

    @property
    def chosen(self) -> list[TraceEntry]:
        return [e for e in self.entries if e.status == "chosen"]

    @property
    def rejected(self) -> list[TraceEntry]:
        return [e for e in self.entries if e.status != "chosen"]

    def entry(self, item: str) -> TraceEntry:
        """The entry of a candidate, by candidate key, catalog id or name."""
        for attr in ("item_id", "catalog_id", "name"):
            found = [e for e in self.entries if getattr(e, attr) == item]
            if found:
                return sorted(found, key=lambda e: e.status != "chosen")[0]
        raise KeyError(item)

    def filter(self, *, rule: str | None = None, day: int | None = None, category: str | None = None,
               status: str | Iterable[str] | None = None) -> "Trace":
        """The entries that mention ``rule`` (checked or broken), fall on ``day``, are of
        ``category`` (transport, hotel, attraction, restaurant) and have ``status``."""
        statuses = {status} if isinstance(status, str) else (set(status) if status is not None else None)
        out = [e for e in self.entries
               if (rule is None or rule in e.rule_names())
               and (day is None or day in e.days)
               and (category is None or e.category == category)
               and (statuses is None or e.status in statuses)]
        return self.model_copy(update={"entries": out})

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.entries:
            out[e.status] = out.get(e.status, 0) + 1
        return out

    def to_text(self) -> str:
        lines = [f"{len(self.entries)} candidates: " + ", ".join(f"{k} {v}" for k, v in self.counts().items())]
        lines += [f"  {e}" for e in self.entries]
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.entries)

    def _repr_html_(self) -> str:
        from .display import trace_html
        return trace_html(self)


class ConstraintRef(_Model):
    """One of the traveller's own constraints, as named in ``core.lp`` (``user_constraint/1``)."""

    name: str = Field(description="the constraint term: budget, need(pets), cuisine(italian), mode(flight), ...")
    field: str = Field(description="the TripRequest field it comes from")
    text: str


class Repair(_Model):
    """A change to the request that makes it plannable, confirmed by re-planning."""

    kind: str
    text: str
    constraints: list[str] = Field(default_factory=list, description="the constraints it changes or drops")
    changes: dict[str, Any] = Field(default_factory=dict, description="TripRequest fields and their new values")
    confirmed: bool = False
    total_cost: float | None = None
    cities: list[str] = Field(default_factory=list)
    proven: bool = True

    def apply(self, request: TripRequest) -> TripRequest:
        """The request with this repair's changes."""
        return _apply(request, self.changes)


class Diagnosis(_Model):
    """Why a request has no itinerary, and what would make it plannable."""

    conflict: list[ConstraintRef] = Field(default_factory=list)
    conflicts: list[list[ConstraintRef]] = Field(default_factory=list)
    frame: bool = Field(default=False, description="no itinerary even with every traveller constraint set aside: "
                                                   "the dates, cities and catalog themselves do not fit")
    violations: list[Broken] = Field(default_factory=list)
    repairs: list[Repair] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list, description="the re-solves that verified minimality")
    stats: dict[str, float] = Field(default_factory=dict)


# ======================================================================================
# Programs
# ======================================================================================

_LOC = ast.Location(ast.Position("<explain>", 1, 1), ast.Position("<explain>", 1, 1))


def _guard_literal(name: str) -> ast.AST:
    return ast.Literal(_LOC, ast.Sign.NoSign, ast.SymbolicAtom(ast.Function(_LOC, name, [], False)))


@dataclass
class _Result:
    status: str                                  # "sat", "unsat" or "unknown"
    chosen: frozenset[str] = frozenset()
    violations: list[tuple[str, tuple[Value, ...]]] = field(default_factory=list)
    objective: list[int] = field(default_factory=list)
    aux: int | None = None
    proven: bool = False
    core: list[Any] = field(default_factory=list)  # constraint terms (clingo symbols) in the core
    models: list[tuple[frozenset[str], list[tuple[str, tuple[Value, ...]]]]] = field(default_factory=list)
    atoms: list[clingo.Symbol] = field(default_factory=list)   # with plan=True: take, stay, night, at
    seconds: float = 0.0

    @property
    def sat(self) -> bool:
        return self.status == "sat"


class _Program:
    """One grounded explanation program: the rule files and ``explain.lp`` over some facts.

    The ``ns_off(C)`` externals are left free and every solve assumes each of them
    explicitly: clingo treats an external's assigned value as an assumption of its own,
    so assuming a default-false external true would be a contradiction.
    """

    def __init__(self, facts: Sequence[Fact], rules: Sequence[str | Path] = (),
                 candidates: Iterable[str] = (), options: Iterable[tuple[str, str]] = (),
                 current: Iterable[str] = (), *, lean: bool = False, label: str = ""):
        t0 = _time.perf_counter()
        self.label = label
        # The logger must not refer to self: a cycle through clingo's callback handle is
        # never collected, and every grounded program would leak.
        messages: list[str] = []
        self.messages = messages
        self.ctl = clingo.Control(["--opt-strategy=bb"], logger=lambda _c, m: messages.append(m), message_limit=0)
        self.objective_priorities: list[int] = []
        files = [(p, True) for p in core_paths()]
        if not lean:
            files.append((rules_dir() / "relax.lp", False))
        files += [(Path(p), True) for p in rules]
        if not lean:
            files.append((rules_dir() / "explain.lp", False))
        with ast.ProgramBuilder(self.ctl) as builder:
            for path, guarded in files:
                ast.parse_files([str(path)], lambda stm, g=guarded: self._add(builder, stm, g))
        extra = []
        if not lean:
            extra = ([f"ns_candidate({clingo.String(c)})." for c in candidates]
                     + [f"ns_option({clingo.String(k)},{clingo.String(g)})." for k, g in options]
                     + [f"ns_current({clingo.String(c)})." for c in current])
        lean_text = "\n#external ns_objective.\n#show." if lean else ""
        self.ctl.add("base", [], facts_text(facts) + "\n".join(extra) + lean_text)
        self.ctl.ground([("base", [])])
        self.constraints: list[clingo.Symbol] = []
        self._lit_constraint: dict[int, clingo.Symbol] = {}
        for sa in self.ctl.symbolic_atoms.by_signature("ns_off", 1):
            c = sa.symbol.arguments[0]
            self.constraints.append(c)
            self._lit_constraint[sa.literal] = c
            self.ctl.assign_external(sa.symbol, None)
        self._atoms: dict[tuple[str, int], list[clingo.Symbol]] = {}
        self._lit: dict[clingo.Symbol, int | None] = {}
        self.ground_s = _time.perf_counter() - t0
        self.calls = 0
        self.solve_s = 0.0
        self.objective_priorities = sorted(set(self.objective_priorities), reverse=True)
        self.lock = threading.Lock()   # one question at a time (the engine may use threads)
        self.on_call: weakref.WeakMethod | None = None   # counts calls for the explainer's stats

    def _add(self, builder: Any, stm: ast.AST, guarded: bool) -> None:
        if stm.ast_type in (ast.ASTType.ShowSignature, ast.ASTType.ShowTerm):
            if guarded:  # the rule files' #show lines: the engine reads its own outputs
                return
        if guarded and stm.ast_type == ast.ASTType.Minimize:
            prio = stm.priority
            if prio.ast_type == ast.ASTType.SymbolicTerm and prio.symbol.type == clingo.SymbolType.Number:
                self.objective_priorities.append(prio.symbol.number)
            stm = stm.update(body=[*stm.body, _guard_literal("ns_objective")])
        builder.add(stm)

    def atoms(self, name: str, arity: int) -> list[clingo.Symbol]:
        key = (name, arity)
        if key not in self._atoms:
            out = []
            for sa in self.ctl.symbolic_atoms.by_signature(name, arity):
                out.append(sa.symbol)
                self._lit[sa.symbol] = sa.literal
            self._atoms[key] = out
        return self._atoms[key]

    def has(self, sym: clingo.Symbol) -> bool:
        return self._literals(sym) is not None

    def _literals(self, sym: clingo.Symbol) -> int | None:
        """The program literal of an atom (None when the grounder did not keep it)."""
        try:
            return self._lit[sym]
        except KeyError:
            sa = self.ctl.symbolic_atoms[sym]
            lit = self._lit[sym] = None if sa is None else sa.literal
            return lit

    def run(self, *, active: Iterable[clingo.Symbol] | None = None, force: Iterable[str] = (),
            force_item: Iterable[str] = (), ban: Iterable[str] = (), relax: bool = False,
            objective: bool = False, aux: str | None = None, fix: Sequence[tuple[clingo.Symbol, bool]] = (),
            mode: str = "sat", limit: float | None = 5.0, plan: bool = False, ask: Iterable[str] = ()) -> _Result:
        """Solve once. ``active``: the traveller constraints kept (default: all).

        ``mode``: ``sat`` (any answer), ``opt`` (optimise whatever objective is on),
        ``enum`` (every answer, no optimisation), ``brave`` (which of the ``ask``
        candidates some answer contains: ``chosen`` of the result). ``plan`` reads the
        itinerary's atoms into ``atoms``.
        """
        with self.lock:
            return self._run(active=active, force=force, force_item=force_item, ban=ban, relax=relax,
                             objective=objective, aux=aux, fix=fix, mode=mode, limit=limit, plan=plan, ask=ask)

    def _run(self, *, active: Iterable[clingo.Symbol] | None, force: Iterable[str], force_item: Iterable[str],
             ban: Iterable[str], relax: bool, objective: bool, aux: str | None,
             fix: Sequence[tuple[clingo.Symbol, bool]], mode: str, limit: float | None, plan: bool,
             ask: Iterable[str]) -> _Result:
        t0 = _time.perf_counter()
        keep = set(self.constraints) if active is None else set(active)
        lits = self._literals
        assumptions: list[int] = []
        for c in self.constraints:  # kept: ns_off(C) false; set aside: true
            lit = lits(clingo.Function("ns_off", [c]))
            assumptions.append(-lit if c in keep else lit)
        for sym, truth in fix:
            lit = lits(sym)
            if lit is None:  # an atom the grounder removed: false
                if truth:
                    return _Result("unsat", seconds=_time.perf_counter() - t0, proven=True)
                continue
            assumptions.append(lit if truth else -lit)
        switches: list[clingo.Symbol] = [clingo.Function(n) for n, on in
                                         (("ns_relax", relax), ("ns_objective", objective), ("ns_plan", plan),
                                          ("ns_quiet", mode == "brave")) if on]
        if aux:
            switches.append(clingo.Function(f"ns_{aux}"))
        switches += [clingo.Function("ns_force", [clingo.String(x)]) for x in force]
        switches += [clingo.Function("ns_force_item", [clingo.String(x)]) for x in force_item]
        switches += [clingo.Function("ns_ban", [clingo.String(x)]) for x in ban]
        switches += [clingo.Function("ns_ask", [clingo.String(x)]) for x in ask]
        for s in switches:
            if self.has(s):
                self.ctl.assign_external(s, True)
            elif s.name in ("ns_force", "ns_force_item"):  # forcing something absent: nothing can hold
                return _Result("unsat", seconds=_time.perf_counter() - t0, proven=True)
        conf = self.ctl.configuration.solve
        conf.opt_mode = "opt" if mode == "opt" else "ignore"
        conf.enum_mode = "brave" if mode == "brave" else "auto"
        conf.models = "1" if mode == "sat" else "0"
        out = _Result("unknown")
        core_lits: list[int] = []
        priorities = self.objective_priorities
        aux_prio = 8 if aux in ("min_cost", "late_start", "early_end") else 9 if aux == "near" else None

        def on_model(m: clingo.Model) -> None:
            chosen: set[str] = set()
            viol: list[tuple[str, tuple[Value, ...]]] = []
            plan_atoms: list[clingo.Symbol] = []
            for s in m.symbols(shown=True):
                name = s.name
                if name == "ns_chosen" or name == "ns_asked":
                    chosen.add(s.arguments[0].string)
                elif name == "violation":
                    rule = s.arguments[0]
                    vals = value(s.arguments[1])
                    viol.append((rule.name if rule.type == clingo.SymbolType.Function else str(rule),
                                 vals if isinstance(vals, tuple) else (vals,)))
                else:
                    plan_atoms.append(s)
            viol = list(dict.fromkeys(viol))
            if mode == "enum":
                out.models.append((frozenset(chosen), viol))
                return
            out.chosen, out.violations, out.atoms = frozenset(chosen), viol, plan_atoms
            cost, prio = list(m.cost), list(getattr(m, "priority", []))
            by_prio = dict(zip(prio, cost)) if len(prio) == len(cost) else {}
            out.objective = [by_prio.get(p, 0) for p in priorities]
            out.aux = by_prio.get(aux_prio) if aux_prio is not None else None

        try:
            with self.ctl.solve(assumptions=assumptions, on_model=on_model, on_core=core_lits.extend,
                                async_=True) as handle:
                finished = handle.wait(limit) if limit is not None else handle.wait()
                if not finished:
                    handle.cancel()
                result = handle.get()
        finally:
            for s in switches:
                if self.has(s):
                    self.ctl.assign_external(s, False)
        if result.satisfiable or out.models or out.chosen or out.violations or out.atoms:
            out.status = "sat"
        elif result.unsatisfiable:
            out.status = "unsat"
        exhaustive = mode in ("opt", "enum", "brave")
        out.proven = bool(finished and result.exhausted) if exhaustive else out.status != "unknown"
        if out.status == "unsat":
            out.proven = True
            seen = set()
            for lit in core_lits:
                c = self._lit_constraint.get(-lit) or self._lit_constraint.get(lit)
                if c is not None and c not in seen:
                    seen.add(c)
                    out.core.append(c)
        out.seconds = _time.perf_counter() - t0
        self.calls += 1
        self.solve_s += out.seconds
        counter = self.on_call() if self.on_call is not None else None
        if counter is not None:
            counter()
        return out


# ======================================================================================
# Plans (an itinerary as the rules' output atoms) and candidates
# ======================================================================================

@dataclass(frozen=True)
class _Plan:
    """An itinerary as the output atoms of the rules; ``objective`` as the planner counts it."""

    take: frozenset[str]
    stay: frozenset[tuple[str, str]]
    night: frozenset[tuple[int, str]]
    at: frozenset[tuple[int, int, str]]
    objective: tuple[int, ...] = ()

    @property
    def cities(self) -> set[str]:
        return {c for c, _ in self.stay}

    def chosen(self) -> set[str]:
        return set(self.take) | {h for _, h in self.stay} | {i for _, _, i in self.at}

    def symbols(self) -> set[clingo.Symbol]:
        S, N, F = clingo.String, clingo.Number, clingo.Function
        out = {F("take", [S(k)]) for k in self.take}
        out |= {F("stay", [S(c), S(h)]) for c, h in self.stay}
        out |= {F("visit_city", [S(c)]) for c, _ in self.stay}
        out |= {F("night", [N(d), S(c)]) for d, c in self.night}
        out |= {F("at", [N(d), N(s), S(i)]) for d, s, i in self.at}
        return out

    def nights_in(self, city: str) -> int:
        return sum(1 for _, c in self.night if c == city)

    def present(self, day: int, n_days: int) -> set[str]:
        nights = dict(self.night)
        return {c for c in (nights.get(day - 1), nights.get(day)) if c is not None}

    @classmethod
    def from_atoms(cls, atoms: Iterable[clingo.Symbol], objective: Sequence[int] = ()) -> "_Plan":
        take, stay, night, at = set(), set(), set(), set()
        for s in atoms:
            a = s.arguments
            if s.name == "take":
                take.add(a[0].string)
            elif s.name == "stay":
                stay.add((a[0].string, a[1].string))
            elif s.name == "night":
                night.add((a[0].number, a[1].string))
            elif s.name == "at":
                at.add((a[0].number, a[1].number, a[2].string))
        return cls(frozenset(take), frozenset(stay), frozenset(night), frozenset(at), tuple(objective))


@dataclass(frozen=True)
class _Cand:
    key: str
    catalog_id: str
    item: Any
    category: str
    city: str | None
    day: int | None = None


@dataclass(frozen=True)
class _Role:
    """A part of an itinerary one candidate can fill: a meal, a visit slot, a stay or a move."""

    kind: str                      # "meal", "visit", "stay", "move"
    day: int | None
    slots: tuple[int, ...] = ()    # meal and visit roles
    city: str | None = None        # stay roles
    move: tuple[str, str] | None = None
    holder: str | None = None

    def frees(self, sym: clingo.Symbol, legs: dict[str, Any]) -> bool:
        if self.kind in ("meal", "visit"):
            return (sym.name == "at" and sym.arguments[0].number == self.day
                    and sym.arguments[1].number in self.slots)
        if self.kind == "stay":
            return sym.name == "stay" and sym.arguments[0].string == self.city
        if self.kind == "move":
            if sym.name != "take":
                return False
            o = legs.get(sym.arguments[0].string)
            return o is not None and o.day == self.day and (o.origin, o.destination) == self.move
        return False

    def describe(self, problem: Problem) -> str:
        if self.kind in ("meal", "visit"):
            t = problem.slots[self.slots[0]][1]
            what = (f"the {problem.slots[self.slots[0]][0]}" if self.kind == "meal" else f"the {clock(t)} visit")
            return f"{what} of day {self.day}"
        if self.kind == "stay":
            return f"the stay in {self.city}"
        assert self.move is not None
        return f"the move {self.move[0]} -> {self.move[1]} on day {self.day}"


@dataclass
class _Option:
    """A candidate placed in a role of a plan: what it would break, and the objective change."""

    role: _Role
    base: _Plan
    broken: list[tuple[str, tuple[Value, ...]]]
    delta: tuple[int, int] = (0, 0)   # (preference points lost, cents added) against the base plan
    dropped: tuple[str, ...] = ()     # the base plan's meals and visits it displaces
    changed: tuple[str, ...] = ()     # other legs and hotels it brings in
    wide: bool = False                # the rest of the plan was re-arranged (the route kept)
    feasible: bool | None = None      # None: feasible when nothing is broken

    @property
    def ok(self) -> bool:
        return (not self.broken) if self.feasible is None else self.feasible


# ======================================================================================
# The explainer of one itinerary
# ======================================================================================

class Explainer:
    """Answers why / why-not questions about one planned itinerary (see module docs).

    Built by ``plan_itinerary`` (lazily, on the first question) from the planning
    problem; :func:`attach` rebuilds one for an itinerary read back from JSON.
    """

    def __init__(self, problem: Problem, itinerary: "Itinerary", rules: Sequence[str | Path] = (),
                 model: Any = None):
        self.problem = problem
        self.it = itinerary
        self.rules = tuple(Path(p) for p in rules)
        self.model = model
        self.info: dict[str, RuleInfo] = rule_catalog(self.rules)
        self.people = problem.request.travelers.people
        self._cache_lock = threading.Lock()     # the caches of small programs
        self._global_lock = threading.Lock()    # building the program over all facts
        self._trace_lock = threading.Lock()     # building the trace
        self._global: _Program | None = None
        self._small: dict[frozenset[str], _Program] = {}
        self._small_cap = 16
        self.wide_limit = 0.5
        self.workers = min(2, os.cpu_count() or 1)
        self.stats: dict[str, float] = {}
        self._warm: threading.Thread | None = None
        self._trace: Trace | None = None
        self._deps: dict[str, set[tuple[str, int]]] | None = None
        self._index_candidates()
        self.plan0 = self._plan_of(itinerary)
        self.chosen0 = self.plan0.chosen()

    # -- candidates ------------------------------------------------------------------
    def _index_candidates(self) -> None:
        p = self.problem
        self.pref: dict[str, int] = {}
        places: list[str] = []
        for f in p.facts:
            if f.name == "pref" and isinstance(f.args[0], str):
                self.pref[f.args[0]] = f.args[1]
            elif f.name == "city_of":
                places.append(f.args[0])
        self.cands: dict[str, _Cand] = {}
        for key, o in p.legs.items():
            self.cands[key] = _Cand(key, o.item.id, o.item, "transport", None, o.day)
        for pid in places:
            item = p.index[pid]
            cat = ("hotel" if isinstance(item, Hotel) else "attraction" if isinstance(item, Attraction)
                   else "restaurant")
            self.cands[pid] = _Cand(pid, pid, item, cat, item.city)
        names: dict[str, int] = {}
        for c in self.cands.values():
            if c.category != "transport":
                names[c.item.name] = names.get(c.item.name, 0) + 1
        self._dup_names = {n for n, k in names.items() if k > 1}
        self.options = [(k, o.item.id) for k, o in p.legs.items()]
        ids = self.cands.keys()
        self._fact_keys: list[tuple[Fact, str | None]] = []
        for f in p.facts:
            k = f.args[0] if f.args and isinstance(f.args[0], str) else None
            self._fact_keys.append((f, k if k in ids else None))

    def name(self, key: str) -> str:
        """A readable name for a candidate key, catalog id or city."""
        o = self.problem.legs.get(key)
        if o is not None:
            return _leg_option_name(o)
        item = self.problem.index.get(key)
        if item is None:
            return key
        if isinstance(item, (Flight, GroundLeg)):
            return _leg_item_name(item)
        if item.name in self._dup_names or item.city not in self.problem.request.destinations:
            return f"{item.name} ({item.city})"
        return item.name

    def unit_cost(self, key: str) -> int:
        """Cents for the party: a leg, a night of a hotel, a meal or visit."""
        c = self.cands.get(key)
        return self._unit_cost_item(c.item if c else self.problem.index[key])

    def cost_in(self, key: str, plan: Any) -> float:
        """What a candidate costs the party in ``plan``: a hotel for its nights there."""
        c = self.cands[key]
        nights = plan.nights_in(c.city) if c.category == "hotel" and c.city else 1
        return self.unit_cost(key) * nights / 100

    def points(self, key: str) -> int:
        return self.pref.get(key, 0)

    # -- the itinerary as atoms ------------------------------------------------------
    def _plan_of(self, it: "Itinerary") -> _Plan:
        p = self.problem
        take: set[str] = set()
        for leg in it.legs:
            key = next((k for k, o in p.legs.items() if o.item.id == leg.item_id and o.day == leg.day
                        and o.departure == leg.departure), None)
            if key is None:
                raise ExplainError(f"leg {leg.item_id} on day {leg.day} is not a candidate of this problem")
            take.add(key)
        nights = {(d.day, d.end_city) for d in it.days if d.day < len(it.days)}
        stay = {(s.city, s.hotel_id) for s in it.stays}
        slot_of = {(kind, t): s for s, (kind, t) in p.slots.items()}
        at: set[tuple[int, int, str]] = set()
        for d in it.days:
            for ev in d.events:
                if ev.kind in ("visit", *_MEALS) and ev.item_id:
                    s = slot_of.get((ev.kind, ev.start))
                    if s is None:
                        raise ExplainError(f"{ev.name} on day {d.day} at {clock(ev.start)} is not at a slot")
                    at.add((d.day, s, ev.item_id))
        plan = _Plan(frozenset(take), frozenset(stay), frozenset(nights), frozenset(at))
        return _Plan(plan.take, plan.stay, plan.night, plan.at, tuple(self._objective(plan)))

    def _objective(self, plan: _Plan) -> list[int]:
        """[-preference, cost] of a plan, as ``objective.lp`` and ``budget.lp`` count them."""
        pref = sum(self.points(k) for k in plan.take)
        pref += sum(self.points(h) * plan.nights_in(c) for c, h in plan.stay)
        pref += sum(self.points(i) for i in {i for _, _, i in plan.at})
        cost = sum(self.unit_cost(k) for k in plan.take)
        cost += sum(self.unit_cost(h) * plan.nights_in(c) for c, h in plan.stay)
        cost += sum(self.unit_cost(i) for i in {i for _, _, i in plan.at})
        return [-pref, cost]

    # -- programs --------------------------------------------------------------------
    def _restricted_facts(self, keep: set[str]) -> list[Fact]:
        """The problem's facts, without those of the candidates not in ``keep``."""
        return [f for f, k in self._fact_keys if k is None or k in keep]

    def program(self, keep: set[str] | None = None, label: str = "") -> _Program:
        """A new program over all facts (``keep=None``) or over the candidates in ``keep`` only."""
        facts = self.problem.facts if keep is None else self._restricted_facts(keep)
        cands = list(self.cands) if keep is None else [k for k in self.cands if k in keep]
        opts = [(k, g) for k, g in self.options if k in set(cands)]
        prog = _Program(facts, self.rules, cands, opts, sorted(self.chosen0), label=label)
        prog.on_call = weakref.WeakMethod(self._count_call)
        log.debug("explanation program %s: %d candidates, grounded in %.3f s", label or "(small)",
                  len(cands), prog.ground_s)
        return prog

    def _count_call(self) -> None:
        with self._cache_lock:
            self.stats["solver_calls"] = self.stats.get("solver_calls", 0) + 1

    def global_program(self) -> _Program:
        """The program over all facts (built once; the first solve prepares clasp)."""
        with self._global_lock:
            if self._global is None:
                prog = self.program(None, label="global")
                prog.run(mode="sat", limit=None)
                self._global = prog
            return self._global

    def prepare(self, background: bool = True) -> None:
        """Build the program over all facts now, in a background thread by default, so
        that the first question that needs it does not wait for its grounding."""
        with self._cache_lock:
            if background:
                if self._global is None and self._warm is None:
                    self._warm = threading.Thread(target=self.global_program, name="neurosym-explain-warmup",
                                                  daemon=True)
                    self._warm.start()
                return
        self.global_program()   # waits for a warm-up in progress (it holds the build lock)

    def fix_except(self, prog: _Program, base: _Plan, role: _Role | None) -> list[tuple[clingo.Symbol, bool]]:
        """Assumptions fixing every output atom to its value in ``base``, except the role's."""
        syms = base.symbols()
        legs = self.problem.legs
        out = []
        for name, arity in CHOICE_ATOMS:
            for s in prog.atoms(name, arity):
                if role is not None and role.frees(s, legs):
                    continue
                out.append((s, s in syms))
        return out

    # -- roles -----------------------------------------------------------------------
    def roles(self, plan: _Plan, days: Iterable[int] | None = None, cities: Iterable[str] | None = None,
              moves: Iterable[tuple[int, str, str]] | None = None) -> list[_Role]:
        """The roles of a plan (optionally only on some days, in some cities, for some moves)."""
        p, n = self.problem, self.problem.request.n_days
        at = {(d, s): i for d, s, i in plan.at}
        out: list[_Role] = []
        for d in (range(1, n + 1) if days is None else days):
            if not plan.present(d, n):
                continue
            for kind in _MEALS:
                slots = tuple(s for s, (k, _) in p.slots.items() if k == kind)
                if slots:
                    holder = next((at[(d, s)] for s in slots if (d, s) in at), None)
                    out.append(_Role("meal", d, slots, holder=holder))
            for s, (k, _) in p.slots.items():
                if k == "visit":
                    out.append(_Role("visit", d, (s,), holder=at.get((d, s))))
        for c, h in plan.stay:
            if cities is None or c in cities:
                out.append(_Role("stay", None, city=c, holder=h))
        for key in plan.take:
            o = p.legs[key]
            if moves is None or (o.day, o.origin, o.destination) in moves:
                out.append(_Role("move", o.day, move=(o.origin, o.destination), holder=key))
        return out

    def pool(self, role: _Role, plan: _Plan) -> set[str]:
        """The candidates that could fill a role."""
        p, n = self.problem, self.problem.request.n_days
        if role.kind == "move":
            assert role.move is not None
            return {k for k, o in p.legs.items() if o.day == role.day and (o.origin, o.destination) == role.move}
        if role.kind == "stay":
            return {k for k, c in self.cands.items() if c.category == "hotel" and c.city == role.city}
        cities = plan.present(role.day or 0, n)
        cat = "restaurant" if role.kind == "meal" else "attraction"
        return {k for k, c in self.cands.items() if c.category == cat and c.city in cities}

    def delta(self, role: _Role, base: _Plan, key: str) -> tuple[int, int]:
        """(preference points lost, cents added) when ``key`` takes the role from its holder."""
        k = base.nights_in(role.city) if role.kind == "stay" and role.city else 1
        held = role.holder
        pref = (self.points(held) if held else 0) - self.points(key)
        cost = self.unit_cost(key) - (self.unit_cost(held) if held else 0)
        return pref * k, cost * k

    def enumerate_role(self, prog: _Program, base: _Plan, role: _Role) -> dict[str, _Option]:
        """Every candidate that can take the role with the rest of ``base`` fixed, with
        the rules it would break (one enumeration with the rules released)."""
        res = prog.run(fix=self.fix_except(prog, base, role), relax=True, mode="enum", limit=30.0)
        rest = base.chosen() - ({role.holder} if role.holder else set())
        out: dict[str, _Option] = {}
        for chosen, viol in res.models:
            new = chosen - rest
            if len(new) != 1:
                continue
            key = next(iter(new))
            opt = _Option(role, base, viol, self.delta(role, base, key) if key != role.holder else (0, 0))
            old = out.get(key)
            if old is None or _option_rank(opt) < _option_rank(old):
                out[key] = opt
        return out

    def flex(self, base: _Plan, role: _Role) -> tuple[set[int], set[str], set[tuple[int, str, str]]]:
        """What a move or stay candidate may change besides its own role: the days whose
        meals and visits it may drop, the cities whose hotel it may change, the moves
        whose leg it may change. A move: its day, and the hotels at both ends. A stay:
        the days it begins and ends, and the legs into and out of its city."""
        legs = self.problem.legs
        if role.kind == "move" and role.move and role.day:
            return {role.day}, set(role.move) & base.cities, {(role.day, *role.move)}
        if role.kind == "stay" and role.city:
            nights = sorted(d for d, c in base.night if c == role.city)
            days = {nights[0], nights[-1] + 1} if nights else set()
            moves = {(legs[k].day, legs[k].origin, legs[k].destination) for k in base.take if legs[k].day in days}
            return days, {role.city}, moves
        return set(), set(), set()

    def support(self, base: _Plan, role: _Role) -> set[str]:
        """The candidates a role's program needs besides its pool: the hotels and legs
        the candidate may change (see :meth:`flex`)."""
        _, cities, moves = self.flex(base, role)
        out = {k for k, c in self.cands.items() if c.category == "hotel" and c.city in cities}
        out |= {k for k, o in self.problem.legs.items() if (o.day, o.origin, o.destination) in moves}
        return out

    def optimize_role(self, prog: _Program, base: _Plan, role: _Role, keys: Iterable[str]) -> dict[str, _Option]:
        """For each key: the best plan with it in the role, where the rest of ``base`` is
        kept except what :meth:`flex` lets change (meals and visits only dropped, never
        added); a key that cannot fit gets the rules a plain swap would break."""
        legs = self.problem.legs
        syms = base.symbols()
        days, cities, moves = self.flex(base, role)
        fix: list[tuple[clingo.Symbol, bool]] = []
        for name, arity in CHOICE_ATOMS:
            for sym in prog.atoms(name, arity):
                if role.frees(sym, legs):
                    continue
                a = sym.arguments
                if name == "at" and a[0].number in days and sym in syms:
                    continue  # may be dropped
                if name == "stay" and a[0].string in cities:
                    continue
                if name == "take":
                    o = legs.get(a[0].string)
                    if o is not None and (o.day, o.origin, o.destination) in moves:
                        continue
                fix.append((sym, sym in syms))
        out: dict[str, _Option] = {}
        swap_fix: list[tuple[clingo.Symbol, bool]] | None = None
        route_fix: list[tuple[clingo.Symbol, bool]] | None = None
        for key in keys:
            if key == role.holder:
                continue
            r = prog.run(fix=fix, force=[key], objective=True, mode="opt", limit=2.0, plan=True)
            if r.sat:
                plan = _Plan.from_atoms(r.atoms)
                obj = self._objective(plan)
                delta = (obj[0] - base.objective[0], obj[1] - base.objective[1])
                dropped = tuple(sorted({i for _, _, i in base.at} - {i for _, _, i in plan.at}))
                changed = tuple(sorted((set(plan.take) | {h for _, h in plan.stay})
                                       - (set(base.take) | {h for _, h in base.stay}) - {key}))
                out[key] = _Option(role, base, [], delta, dropped, changed=changed)
                continue
            if route_fix is None:
                route_fix = [(sym, sym in syms) for name, arity in (("visit_city", 1), ("night", 2))
                             for sym in prog.atoms(name, arity)]
            w = prog.run(fix=route_fix, force=[key], objective=True, mode="opt", limit=self.wide_limit, plan=True)
            if w.sat:  # the route kept, the rest of the plan re-arranged from its own items
                plan = _Plan.from_atoms(w.atoms)
                obj = self._objective(plan)
                delta = (obj[0] - base.objective[0], obj[1] - base.objective[1])
                dropped = tuple(sorted({i for _, _, i in base.at} - {i for _, _, i in plan.at}))
                changed = tuple(sorted((set(plan.take) | {h for _, h in plan.stay})
                                       - (set(base.take) | {h for _, h in base.stay}) - {key}))
                out[key] = _Option(role, base, [], delta, dropped, changed=changed, wide=True)
                continue
            if swap_fix is None:
                swap_fix = self.fix_except(prog, base, role)
            rel = prog.run(fix=swap_fix, force=[key], relax=True, mode="opt", limit=2.0)
            out[key] = _Option(role, base, rel.violations if rel.sat else [], feasible=False)
        return out

    # -- rendering -------------------------------------------------------------------
    def broken(self, violations: Iterable[tuple[str, tuple[Value, ...]]]) -> list[Broken]:
        out = []
        for name, values in sorted(violations, key=lambda v: (v[0], str(v[1]))):
            info = self.info.get(name)
            shown = tuple(self._value_name(v) for v in values)
            items = [v for v in values if isinstance(v, str) and (v in self.cands or v in self.problem.index)]
            if info is None:
                out.append(Broken(rule=name, file="", line=0, text=f"rule {name} is broken",
                                  values=[_text(v) for v in shown], items=items))
            else:
                out.append(Broken(rule=name, file=_rel(info.path), line=info.line, text=info.render(shown),
                                  values=[_text(v) for v in shown], items=items))
        return out

    def _value_name(self, v: Value) -> Value:
        if isinstance(v, str) and (v in self.cands or v in self.problem.index):
            return self.name(v)
        if isinstance(v, tuple) and v and isinstance(v[0], Const) and v[0].name == "hub":
            return v
        if isinstance(v, tuple):
            return tuple(self._value_name(x) for x in v)
        return v

    def rule_ref(self, name: str) -> RuleRef:
        info = self.info[name]
        return RuleRef(name=name, file=_rel(info.path), line=info.line, message=info.message)

    # -- rules each item is checked against --------------------------------------------
    def _dependencies(self) -> dict[str, set[tuple[str, int]]]:
        if self._deps is None:
            self._deps = rule_dependencies([*core_paths(), *self.rules])
        return self._deps

    def checked_rules(self) -> dict[str, list[str]]:
        """For each chosen item, the named rules it was checked against.

        A rule applies to a leg when its body reads ``take/1``, to a hotel when it reads
        ``stay/2``, to a meal or visit when it reads ``at/3`` (directly or through derived
        predicates, not through other choices); a rule about the route alone applies to
        legs and hotels. A rule whose grounded instances name items counts only for the
        items it names. User rule files are read the same way.
        """
        deps = self._dependencies()
        own = {"transport": ("take", 1), "hotel": ("stay", 2), "attraction": ("at", 3), "restaurant": ("at", 3)}
        choices = {("take", 1), ("stay", 2), ("at", 3)}
        prog = self.small(set(self.chosen0))
        named: dict[str, set[str]] = {}
        for sym in prog.atoms("violation", 2):
            head = sym.arguments[0]
            rule = head.name if head.type == clingo.SymbolType.Function else str(head)
            vals = value(sym.arguments[1])
            ids = {v for v in (vals if isinstance(vals, tuple) else (vals,)) if isinstance(v, str)}
            named.setdefault(rule, set()).update(ids & set(self.cands))
        out: dict[str, list[str]] = {}
        for key in self.chosen0:
            cat = self.cands[key].category
            rules = []
            for name in self.info:
                reads = deps.get(name, set())
                route_only = not (reads & choices)
                if not (own[cat] in reads or (route_only and cat in ("transport", "hotel"))):
                    continue
                if named.get(name) and key not in named[name]:
                    continue  # the rule names its items, and never this one
                rules.append(name)
            out[key] = rules
        return out

    # -- entries ---------------------------------------------------------------------
    def _base_entry(self, key: str, status: Status, text: str, **kw: Any) -> TraceEntry:
        c = self.cands.get(key)
        item = c.item if c else self.problem.index[key]
        cat = c.category if c else _category(item)
        days = kw.pop("days", None)
        if days is None:
            days = self._days_of(key)
        pts = self.points(key) if key in self.pref else None
        return TraceEntry(item_id=key, catalog_id=c.catalog_id if c else key, name=self.name(key), category=cat,
                          city=c.city if c else getattr(item, "city", None), days=days, status=status, text=text,
                          points=pts, preference=self._score(key), **kw)

    def _days_of(self, key: str) -> list[int]:
        c = self.cands.get(key)
        if c is not None and c.category == "transport":
            return [c.day] if c.day else []
        if c is not None and c.category == "hotel":
            if key in {h for _, h in self.plan0.stay}:
                city = c.city
                return sorted({d for d, cc in self.plan0.night if cc == city} | {d + 1 for d, cc in self.plan0.night
                                                                                 if cc == city})
            return []
        return sorted({d for d, _, i in self.plan0.at if i == key})

    def _score(self, key: str) -> float | None:
        s = self.problem.scores.get(key)
        if s is None:
            c = self.cands.get(key)
            s = self.problem.scores.get(c.catalog_id) if c else None
        return None if s is None else round(float(s), 4)

    def contributions(self, key: str) -> list[Contribution]:
        c = self.cands.get(key)
        item = c.item if c else self.problem.index[key]
        w = self.problem.request.weights
        weight = {"transport": w.transport, "hotel": w.hotel, "attraction": w.attraction,
                  "restaurant": w.restaurant}[c.category if c else _category(item)]
        if self.model is not None:
            try:
                return [Contribution(source=x.source, weight=round(float(x.weight), 4))
                        for x in self.model.explain(item)[:3]]
            except Exception as exc:  # a model that cannot explain must not break the trace
                log.debug("preference model cannot explain %s: %s", key, exc)
        if isinstance(item, (Hotel, Attraction, Restaurant)):
            return [Contribution(source=f"prior: rating {item.rating:.1f}/5", weight=round(item.rating / 5, 4)),
                    *([Contribution(source=f"category weight {weight:g}", weight=weight)] if weight != 1 else [])]
        from .prior import _civil, journey_minutes
        o = self.problem.legs.get(key)
        dep = o.departure if o else (item.departure_min if isinstance(item, Flight) else minutes(item.departures[0]))
        mins = journey_minutes(item)
        return [Contribution(source=f"prior: departs {clock(dep)}, civil hours are 08:00-20:00",
                             weight=round(0.5 * _civil(dep), 4)),
                Contribution(source=f"prior: {mins} min on the way", weight=round(0.5 / (1 + mins / 240), 4)),
                *([Contribution(source=f"category weight {weight:g}", weight=weight)] if weight != 1 else [])]

    def chosen_entry(self, key: str, checked: dict[str, list[str]] | None = None) -> TraceEntry:
        checked = checked if checked is not None else self.checked_rules()
        c = self.cands[key]
        cost = self.cost_in(key, self.plan0)
        rules = [self.rule_ref(n) for n in checked.get(key, [])]
        contrib = self.contributions(key)
        score = self._score(key)
        per = " per night" if c.category == "hotel" else ""
        text = (f"preference {score if score is not None else 0:.2f}{per}"
                + (f" [{'; '.join(x.source for x in contrib[:2])}]" if contrib else "")
                + f"; cost {cost:.2f}" + (f" for {self.plan0.nights_in(c.city)} nights" if c.category == "hotel" else "")
                + f"; obeys the {len(rules)} rules that apply to it")
        return self._base_entry(key, "chosen", text, rules=rules, contributions=contrib, cost=round(cost, 2),
                                scope="itinerary")

    def _pruned_entry(self, key: str, dom: str) -> TraceEntry:
        chosen = dom in self.chosen0
        text = (f"dominated by {self.name(dom)}{' (chosen)' if chosen else ''}: it can stand in for this one in "
                "any itinerary, is preferred at least as much, costs no more and is at least as easy to schedule")
        c = self.cands.get(key)
        item = c.item if c else self.problem.index[key]
        return self._base_entry(key, "dominated", text, dominated_by=dom, scope="catalog",
                                cost=round(self._unit_cost_item(item) / 100, 2))

    def _unit_cost_item(self, item: Any) -> int:
        if isinstance(item, (Flight, GroundLeg)):
            return leg_cost(item, self.people)
        if isinstance(item, Hotel):
            return night_cost(item, self.people)
        return place_cost(item, self.people)

    def _option_entry(self, key: str, opt: _Option, base_loss: Sequence[int], scope: Scope,
                      proven: bool, note: str = "") -> TraceEntry:
        total = [base_loss[0] + opt.delta[0], base_loss[1] + opt.delta[1]]
        loss = Loss.of(total)
        holder = opt.role.holder
        where = opt.role.describe(self.problem)
        swap = f"in place of {self.name(holder)} ({where}{note})" if holder else f"as {where}{note}"
        if opt.changed:
            swap += f", with {self._names(opt.changed)}"
        if opt.dropped:
            swap += f", dropping {self._names(opt.dropped)}"
        if opt.wide:
            swap += " (the other days re-arranged)"
        if (holder is not None and not opt.dropped and not opt.changed and not opt.wide and scope == "itinerary"
                and opt.delta[0] >= 0
                and opt.delta[1] >= 0):
            status: Status = "dominated"
            text = (f"dominated by {self.name(holder)} ({where}): at least as preferred and no dearer"
                    + (f"; swapping it in: {loss.text()}" if loss.sign else " (an equally good tie)"))
        elif loss.sign > 0 or (loss.sign == 0 and scope != "itinerary"):
            status = "worse"
            text = f"fits {swap}, but the itinerary would be worse: {loss.text()}"
        elif loss.sign == 0:
            status = "worse"
            text = f"fits {swap} and the itinerary would be as good: a tie the planner broke the other way"
        else:
            status = "improvable"
            text = (f"fits {swap} and would improve the itinerary ({loss.text()}); the planner stopped at its "
                    "time limit before finding it")
        replaces = ([holder] if holder else []) + list(opt.dropped)
        return self._base_entry(key, status, text, loss=loss, scope=scope, proven=proven, replaces=replaces,
                                dominated_by=holder if status == "dominated" else None,
                                cost=round(self.cost_in(key, opt.base), 2),
                                days=[opt.role.day] if opt.role.day else self._days_of(key))

    def _excluded_entry(self, key: str, broken: list[Broken], scope: Scope, where: str = "",
                        constraints: Sequence[str] = ()) -> TraceEntry:
        head = ("excluded: no itinerary that obeys the rules can contain it" if scope == "global"
                else "excluded here")
        if broken:
            rules = "; ".join(f"{b.rule}: {b.text}" for b in broken[:3])
            more = f" (and {len(broken) - 3} more)" if len(broken) > 3 else ""
            text = f"{head}. {_cap(where.strip()) + ', it' if where else 'It'} breaks {rules}{more}"
        else:
            text = (f"{head}, even with every named rule released: an integrity constraint without a name "
                    "excludes it (the plan's structure: one item per slot, the pace, one leg per move, no place "
                    "twice, or a user rule written as a bare constraint)")
        conflicts = sorted({i for b in broken for i in b.items if i != key})
        return self._base_entry(key, "excluded", text, broken=broken, scope=scope, conflicts_with=conflicts,
                                constraints=list(constraints), cost=round(self.unit_cost(key) / 100, 2)
                                if key in self.cands else 0.0)

    # -- the trace -------------------------------------------------------------------
    def trace(self, baseline_limit: float = 0.3, item_limit: float = 0.3) -> Trace:
        """Every candidate with its reason (cached; see ``docs/explanations.md`` for the cost)."""
        with self._trace_lock:
            if self._trace is None:
                try:
                    self._trace = self._build_trace(baseline_limit, item_limit)
                finally:
                    with self._cache_lock:
                        self._small.clear()
            return self._trace

    def small(self, keep: set[str]) -> _Program:
        """A program over the candidates in ``keep`` only, cached by that set.

        With user rule files it is the program over all facts: a user rule may read the
        facts of items a small program would leave out (``must visit X``), so only the
        whole program answers soundly (slower on a large catalog)."""
        if self.rules:
            return self.global_program()
        k = frozenset(keep)
        with self._cache_lock:
            prog = self._small.get(k)
        if prog is not None:
            return prog
        prog = self.program(set(k))
        with self._cache_lock:
            self._small[k] = prog
            self.stats["small_programs"] = self.stats.get("small_programs", 0) + 1
            self.stats["small_ground_s"] = self.stats.get("small_ground_s", 0.0) + prog.ground_s
            while len(self._small) > self._small_cap:
                self._small.pop(next(iter(self._small)))
        return prog

    def _build_trace(self, baseline_limit: float, item_limit: float) -> Trace:
        t0 = _time.perf_counter()
        stats: dict[str, float] = {}
        entries: dict[str, TraceEntry] = {}
        checked = self.checked_rules()
        order = self._chosen_order()
        for key in order:
            entries[key] = self.chosen_entry(key, checked)
        for key, dom in self.problem.dominated.items():
            entries[key] = self._pruned_entry(key, dom)
        stats["chosen_s"] = _time.perf_counter() - t0
        todo = [k for k in self.cands if k not in entries]
        best_broken: dict[str, tuple[int, list[tuple[str, tuple[Value, ...]]], str, int | None]] = {}

        def settle(opts: dict[str, list[_Option]], loss0: Sequence[int], scope: Scope, proven: bool,
                   note: str, where: str) -> None:
            for key, olist in opts.items():
                if key in entries:
                    continue
                feasible = [o for o in olist if o.ok]
                if feasible:
                    best = min(feasible, key=lambda o: o.delta)
                    entries[key] = self._option_entry(key, best, loss0, scope, proven, note=note)
                    continue
                for o in olist:
                    rank = len(o.broken)
                    if key not in best_broken or rank < best_broken[key][0]:
                        best_broken[key] = (rank, o.broken, f" as {o.role.describe(self.problem)} of {where}",
                                            o.role.day)

        # 1. swaps into the itinerary itself: one enumeration per role, on small programs
        t1 = _time.perf_counter()
        opts = self._swap_options(self.plan0, self.roles(self.plan0), set(todo))
        settle(opts, (0, 0), "itinerary", True, "", "this itinerary")
        stats["swaps_s"] = _time.perf_counter() - t1
        # 2. other routes: one baseline per city the itinerary does not visit and per move it
        #    does not make (a baseline covers every group its route satisfies)
        t2 = _time.perf_counter()
        pending = [k for k in todo if k not in entries]
        groups = self._groups(pending)
        covered: list[_Plan] = []
        assigned: dict[tuple, _Plan | None] = {}
        remaining = [req for req, _ in groups]
        while remaining:  # baselines in waves, each covering every group its route satisfies
            batch: list[tuple] = []
            for req in remaining:
                base = next((b for b in covered if self._satisfies(b, req)), None)
                if base is not None:
                    assigned[req] = base
                elif len(batch) < self.workers:
                    batch.append(req)
            for req, base in zip(batch, self._map(lambda r: self._baseline(r, baseline_limit), batch)):
                assigned[req] = base
                if base is not None:
                    covered.append(base)
            remaining = [req for req in remaining if req not in assigned]
        tasks = [(req, keys, assigned[req]) for req, keys in groups if assigned.get(req) is not None]

        def group_options(task: tuple[tuple, list[str], _Plan]) -> dict[str, list[_Option]]:
            req, keys, base = task
            return self._swap_options(base, self._roles_for(base, req), set(keys))

        for (req, keys, base), opts in zip(tasks, self._map(group_options, tasks)):
            loss0 = (base.objective[0] - self.plan0.objective[0], base.objective[1] - self.plan0.objective[1])
            route = self._route_text(base)
            settle(opts, loss0, "route", False, f" of the best itinerary found on the route {route}",
                   f"the best itinerary found on the route {route}")
        stats["routes_s"] = _time.perf_counter() - t2
        stats["baselines"] = len(covered)
        # 3. the rest: which of them any itinerary can contain (one brave enumeration), then
        #    one by one: the best itinerary found with each, or the rules that exclude it
        t3 = _time.perf_counter()
        left = [k for k in todo if k not in entries]
        for k in left:
            cat = self.cands[k].category
            stats[f"left_{cat}"] = stats.get(f"left_{cat}", 0) + 1
        local = [k for k in left if self.cands[k].category != "transport" and self.cands[k].city in self.plan0.cities]
        replans = self._map(lambda k: self.small(set(self.chosen0) | {k}).run(
            force=[k], objective=True, mode="opt", limit=item_limit, plan=True), local)
        for key, r in zip(local, replans):
            if r.sat:
                e = self._feasible_entry(key, r, list(self.plan0.objective), "itinerary")
                if key in best_broken:
                    _, viol, where, _day = best_broken[key]
                    e.broken = self.broken(viol)
                    e.text += (f". {_cap(where.strip())} it would break "
                               + "; ".join(f"{b.rule}: {b.text}" for b in e.broken[:2]))
                entries[key] = e
                left.remove(key)
        stats["local_s"] = _time.perf_counter() - t3
        if left:
            G = self.global_program()
            stats["global_ground_s"] = G.ground_s
            b = G.run(mode="brave", ask=left, limit=None)
            feasible = set(b.chosen) if b.sat else set()
            stats["brave_s"] = b.seconds
            elsewhere = dict(zip([k for k in left if k in feasible],
                                 self._map(lambda k: self._feasible_elsewhere(k, item_limit),
                                           [k for k in left if k in feasible])))
            for key in left:
                if key in feasible:
                    e = elsewhere[key]
                    if key in best_broken and e.status != "excluded":
                        _, viol, where, _day = best_broken[key]
                        e.broken = self.broken(viol)
                        e.text += (f". {_cap(where.strip())} it would break "
                                   + "; ".join(f"{b.rule}: {b.text}" for b in e.broken[:2]))
                    entries[key] = e
                elif key in best_broken:
                    _, viol, where, day = best_broken[key]
                    e = self._excluded_entry(key, self.broken(viol), "global", where)
                    if not e.days and day:
                        e.days = [day]
                    entries[key] = e
                else:
                    entries[key] = self._excluded_entry(key, self._closest_broken(key, [key], [], item_limit)[0],
                                                        "global")
        stats["items_s"] = _time.perf_counter() - t3
        stats["total_s"] = _time.perf_counter() - t0
        stats.update({k: v for k, v in self.stats.items() if k.startswith(("small", "solver"))})
        ordered = [entries[k] for k in order] + sorted(
            (e for k, e in entries.items() if k not in self.chosen0),
            key=lambda e: (_CAT_ORDER[e.category], e.days[:1] or [0], e.name))
        trace = Trace(entries=ordered, rules=[self.rule_ref(n) for n in self.info],
                      objective=list(self.plan0.objective), stats={k: round(v, 4) for k, v in stats.items()})
        if log.isEnabledFor(logging.DEBUG):
            for e in trace.entries:
                log.debug("trace %s [%s]: %s", e.item_id, e.status, e.text)
        log.debug("trace: %d entries in %.2f s (%s)", len(trace.entries), stats["total_s"], trace.counts())
        return trace

    def _chosen_order(self) -> list[str]:
        out: list[str] = []
        for leg in self.it.legs:
            out.append(next(k for k in self.plan0.take if self.problem.legs[k].day == leg.day))
        out += [s.hotel_id for s in self.it.stays]
        for d in self.it.days:
            for ev in d.events:
                if ev.kind in ("visit", *_MEALS) and ev.item_id and ev.item_id not in out:
                    out.append(ev.item_id)
        return out

    def _swap_options(self, base: _Plan, roles: list[_Role], wanted: set[str]) -> dict[str, list[_Option]]:
        """For the wanted candidates, every role of ``base`` they could take and what that breaks.

        Roles sharing a pool of candidates share one small program (the plan's items and
        that pool)."""
        by_pool: dict[tuple[frozenset[str], frozenset[str]], list[_Role]] = {}
        for role in roles:
            pool = frozenset(self.pool(role, base) & wanted)
            if pool:
                extra = frozenset(self.support(base, role)) if role.kind in ("move", "stay") else frozenset()
                by_pool.setdefault((pool, extra), []).append(role)
        chosen = base.chosen()

        def work(task: tuple[tuple[frozenset[str], frozenset[str]], list[_Role]]) -> list[dict[str, _Option]]:
            (pool, extra), rs = task
            prog = self.small(chosen | pool | extra)
            return [self.optimize_role(prog, base, role, sorted(pool)) if role.kind in ("move", "stay")
                    else self.enumerate_role(prog, base, role) for role in rs]

        out: dict[str, list[_Option]] = {}
        for found_list in self._map(work, list(by_pool.items())):
            for found in found_list:
                for key, opt in found.items():
                    if key in wanted:
                        out.setdefault(key, []).append(opt)
        return out

    def _map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``[fn(x) for x in items]``, on ``self.workers`` threads (clingo grounds and
        solves without the GIL; each thread works on programs of its own)."""
        if self.workers <= 1 or len(items) <= 1 or threading.current_thread().name.startswith("neurosym-trace"):
            return [fn(x) for x in items]
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="neurosym-trace") as pool:
            return list(pool.map(fn, items))

    def _groups(self, pending: list[str]) -> list[tuple[tuple, list[str]]]:
        """Group candidates by what the itinerary would need to change to take them."""
        moves0 = {(self.problem.legs[k].day, self.problem.legs[k].origin, self.problem.legs[k].destination)
                  for k in self.plan0.take}
        groups: dict[tuple, list[str]] = {}
        for key in pending:
            c = self.cands[key]
            if c.category == "transport":
                o = self.problem.legs[key]
                m = (o.day, o.origin, o.destination)
                if m in moves0:
                    continue
                req: tuple = ("move", m)
            elif c.city not in self.plan0.cities:
                req = ("city", c.city)
            else:
                continue
            groups.setdefault(req, []).append(key)
        return sorted(groups.items(), key=lambda x: (-len(x[1]), str(x[0])))

    def _satisfies(self, base: _Plan, req: tuple) -> bool:
        if req[0] == "city":
            return req[1] in base.cities
        d, o, c = req[1]
        return any((self.problem.legs[k].day, self.problem.legs[k].origin, self.problem.legs[k].destination)
                   == (d, o, c) for k in base.take)

    def _requirement(self, prog: _Program, req: tuple) -> list[tuple[clingo.Symbol, bool]] | None:
        if req[0] == "city":
            sym = clingo.Function("visit_city", [clingo.String(req[1])])
        else:
            d, o, c = req[1]
            sym = clingo.Function("move", [clingo.Number(d), clingo.String(o), clingo.String(c)])
        return [(sym, True)] if prog.has(sym) else None

    def _baseline(self, req: tuple, limit: float) -> _Plan | None:
        """The best itinerary found that meets ``req`` (visit a city, make a move).

        A witness from the whole program, then the best itinerary from the chosen
        itinerary's items, the witness's and (for a city) all of that city's, within
        ``limit`` seconds."""
        G = self.global_program()
        fix = self._requirement(G, req)
        if fix is None:
            return None
        w = G.run(fix=fix, mode="sat", plan=True, limit=None)
        if not w.sat:
            return None
        witness = _Plan.from_atoms(w.atoms)
        keep = self.chosen0 | witness.chosen()
        if req[0] == "city":
            keep |= {k for k, c in self.cands.items() if c.city == req[1]}
        else:
            d, o, c = req[1]
            keep |= {k for k, x in self.problem.legs.items() if (x.day, x.origin, x.destination) == (d, o, c)}
        P = self.small(keep)
        wsyms = witness.symbols()   # the witness's route is kept: the rest is optimised
        fixP = [(sym, sym in wsyms) for name, arity in (("visit_city", 1), ("night", 2))
                for sym in P.atoms(name, arity)]
        r = P.run(fix=fixP, objective=True, mode="opt", limit=limit, plan=True)
        plan = _Plan.from_atoms(r.atoms) if r.sat else witness
        return _Plan(plan.take, plan.stay, plan.night, plan.at, tuple(self._objective(plan)))

    def _roles_for(self, base: _Plan, req: tuple) -> list[_Role]:
        if req[0] == "city":
            n = self.problem.request.n_days
            days = [d for d in range(1, n + 1) if req[1] in base.present(d, n)]
            return self.roles(base, days=days, cities=[req[1]], moves=[])
        return self.roles(base, days=[], cities=[], moves=[req[1]])

    def _feasible_elsewhere(self, key: str, limit: float) -> TraceEntry:
        """A candidate some itinerary contains but that fits no role tried: a witness from
        the whole program, then the best itinerary from its items and the chosen ones."""
        G = self.global_program()
        w = G.run(force=[key], mode="sat", plan=True, limit=None)
        if not w.sat:
            return self._excluded_entry(key, self._closest_broken(key, [key], [], limit)[0], "global")
        keep = self.chosen0 | _Plan.from_atoms(w.atoms).chosen() | {key}
        r = self.small(keep).run(force=[key], objective=True, mode="opt", limit=limit, plan=True)
        if not r.sat:
            r = w
        return self._feasible_entry(key, r, list(self.plan0.objective), "global")

    def _closest_broken(self, key: str, force: list[str], force_item: list[str], limit: float
                        ) -> tuple[list[Broken], _Result | None, str]:
        """The rules a forced candidate breaks in the itinerary closest to the chosen one."""
        keep = set(self.chosen0) | ({key} if key in self.cands else set(self._options_of(key)))
        rel = self.small(keep).run(force=force, force_item=force_item, relax=True, aux="near", mode="opt",
                                   limit=limit)
        where = " next to the itinerary's other choices"
        if not rel.sat:
            rel = self.global_program().run(force=force, force_item=force_item, relax=True, aux="near",
                                            mode="opt", limit=limit)
            where = ""
        return (self.broken(rel.violations) if rel.sat else []), (rel if rel.sat else None), where

    def _route_text(self, base: _Plan) -> str:
        order = [c for _, c in sorted(base.night)]
        return " -> ".join(dict.fromkeys(order))

    # -- why -------------------------------------------------------------------------
    def resolve(self, item: Any) -> str:
        """A candidate key (or catalog id) for an id, a catalog item or a name."""
        if not isinstance(item, str):
            item = getattr(item, "id", item)
        if not isinstance(item, str):
            raise KeyError(f"not an item: {item!r}")
        if item in self.cands or item in self.problem.index:
            return item
        low = item.strip().lower()
        hits = [k for k in self.cands if self.name(k).lower() == low]
        hits = hits or [k for k, c in self.cands.items()
                        if c.category != "transport" and c.item.name.lower() == low]
        hits = hits or [i.id for i in self.problem.catalog.items() if getattr(i, "name", "").lower() == low]
        if not hits:
            raise KeyError(f"no item named {item!r}")
        chosen = [h for h in hits if h in self.chosen0]
        if chosen:
            return chosen[0]
        if len(set(hits)) > 1:
            raise KeyError(f"{item!r} names {len(hits)} items: " + ", ".join(f"{self.name(h)} [{h}]" for h in hits))
        return hits[0]

    def _chosen_key(self, key: str) -> str | None:
        if key in self.chosen0:
            return key
        item = self.problem.index.get(key)
        if isinstance(item, GroundLeg):
            return next((k for k in self.plan0.take if self.problem.legs[k].item.id == key), None)
        return None

    def why(self, item: Any) -> TraceEntry:
        """Why a chosen item is in the itinerary: the rules it was checked against, its
        preference and cost, and the best alternative for its place (with the loss)."""
        t0 = _time.perf_counter()
        key = self.resolve(item)
        chosen = self._chosen_key(key)
        if chosen is None:
            return self.why_not(key)
        self.prepare()
        entry = self.chosen_entry(chosen)
        role = next((r for r in self.roles(self.plan0) if r.holder == chosen), None)
        if role is not None:
            pool = self.pool(role, self.plan0)
            extra = self.support(self.plan0, role) if role.kind in ("move", "stay") else set()
            prog = self.small(set(self.chosen0) | pool | extra)
            opts = (self.optimize_role(prog, self.plan0, role, sorted(pool)) if role.kind in ("move", "stay")
                    else self.enumerate_role(prog, self.plan0, role))
            alts = [(k, o) for k, o in opts.items() if k != chosen and o.ok]
            excluded = sum(1 for k, o in opts.items() if k != chosen and not o.ok)
            if alts:
                k, o = min(alts, key=lambda x: x[1].delta)
                loss = Loss.of(o.delta)
                entry.alternative, entry.alternative_loss = k, loss
                verdict = ("the next best" if loss.sign > 0 else "an equally good option" if loss.sign == 0
                           else "a better option the planner did not reach")
                entry.text += (f". {verdict.capitalize()} for {role.describe(self.problem)} is "
                               f"{self.name(k)} ({loss.text()})")
            else:
                entry.text += f". Nothing else fits {role.describe(self.problem)}"
            if excluded:
                entry.text += f"; {excluded} other candidate{'s' if excluded != 1 else ''} would break a rule there"
        entry.seconds = round(_time.perf_counter() - t0, 4)
        log.debug("why %s: %s", chosen, entry.text)
        return entry

    def why_not(self, item: Any, limit: float = 0.5) -> TraceEntry:
        """Why an item is not in the itinerary: it is re-solved with the item forced in.

        Either the rules it breaks (and the other choices they name, and the
        traveller's constraints that exclude it), or the loss of the best itinerary
        that contains it (optimised for at most ``limit`` seconds; ``proven`` says
        whether it is the best), or that it is dominated.
        """
        t0 = _time.perf_counter()
        key = self.resolve(item)
        chosen = self._chosen_key(key)
        if chosen is not None:
            e = self.chosen_entry(chosen)
            e.text = "it is in the itinerary: " + e.text
        elif key in self.problem.dominated:
            e = self._pruned_entry(key, self.problem.dominated[key])
        elif key not in self.cands and not self._options_of(key):
            e = self._not_candidate(key)
        else:
            self.prepare()
            e = self._why_not_candidate(key, limit)
        e.seconds = round(_time.perf_counter() - t0, 4)
        log.debug("why not %s: %s", key, e.text)
        return e

    def _options_of(self, key: str) -> list[str]:
        return [k for k, g in self.options if g == key]

    def _not_candidate(self, key: str) -> TraceEntry:
        item = self.problem.index[key]
        req = self.problem.request
        if key in self.problem.excluded:
            why = "your request excludes it"
        elif isinstance(item, (Flight, GroundLeg)):
            if isinstance(item, Flight) and not (req.start <= item.date <= req.end):
                why = f"it flies on {item.date.isoformat()}, outside the trip ({req.start} to {req.end})"
            else:
                why = (f"the trip never goes {item.origin} -> {item.destination} on a day it could "
                       f"(day 1 leaves {req.origin}, the last day returns there, other days move between "
                       f"destinations)")
        else:
            why = f"{item.city} is not one of the trip's destinations ({', '.join(req.destinations)})"
        e = TraceEntry(item_id=key, catalog_id=key, name=self.name(key), category=_category(item),
                       city=getattr(item, "city", None), status="not_candidate",
                       text=f"not a candidate: {why}", scope="catalog",
                       cost=round(self._unit_cost_item(item) / 100, 2))
        return e

    def _why_not_candidate(self, key: str, limit: float) -> TraceEntry:
        force, force_item = ([key], []) if key in self.cands else ([], [key])
        keep = set(self.chosen0) | ({key} if key in self.cands else set(self._options_of(key)))
        base_obj = list(self.plan0.objective)
        # 1. the best itinerary with it that otherwise keeps to the itinerary's own items
        #    (a small program; with user rule files there are none, so straight to 2)
        if not self.rules:
            r = self.small(keep).run(force=force, force_item=force_item, objective=True, mode="opt", limit=limit,
                                     plan=True)
            if r.sat:
                return self._feasible_entry(key, r, base_obj, "itinerary")
        # 2. any itinerary at all: a witness, then the best from its items and the chosen ones
        G = self.global_program()
        w = G.run(force=force, force_item=force_item, mode="sat", plan=True, limit=None)
        if w.sat:
            keep2 = keep | _Plan.from_atoms(w.atoms).chosen()
            r2 = self.small(keep2).run(force=force, force_item=force_item, objective=True, mode="opt",
                                       limit=limit, plan=True)
            if not r2.sat:
                r2 = w
            return self._feasible_entry(key, r2, base_obj, "global")
        # 3. excluded everywhere: what it breaks, staying as close to the itinerary as possible
        broken, rel, where = self._closest_broken(key, force, force_item, limit)
        constraints, _checks = self._excluding_constraints(G, force, force_item)
        e = self._excluded_entry(self._entry_key(key, rel) if rel else self._entry_key(key, w), broken, "global",
                                 where, constraints=[_constraint_text(self.problem.request, c) for c in constraints])
        if rel is not None:
            e.replaces = sorted(self.chosen0 - rel.chosen)
            e.conflicts_with = sorted(set(e.conflicts_with) | (self.chosen0 & {i for b in broken for i in b.items}))
        if constraints:
            e.text += ". It is excluded by your " + ", ".join(e.constraints)
        elif G.constraints:
            e.text += ". None of your own constraints is involved: the catalog and the rules exclude it"
        return e

    def _entry_key(self, key: str, r: _Result | None) -> str:
        if key in self.cands:
            return key
        opts = [k for k in self._options_of(key) if r is not None and k in r.chosen]
        return opts[0] if opts else (self._options_of(key) or [key])[0]

    def _feasible_entry(self, key: str, r: _Result, base_obj: list[int], scope: Scope) -> TraceEntry:
        plan = _Plan.from_atoms(r.atoms, r.objective)
        obj = self._objective(plan)
        loss = Loss.of([obj[0] - base_obj[0], obj[1] - base_obj[1]])
        ekey = self._entry_key(key, r)
        dropped = sorted(self.chosen0 - plan.chosen())
        added = sorted(plan.chosen() - self.chosen0 - {ekey})
        best = "the best itinerary" if r.proven else "the best itinerary found"
        if scope == "itinerary":
            how = (f"{best} with it that otherwise keeps to the itinerary's own choices"
                   + (f" (dropping {self._names(dropped)})" if dropped else " (re-timed)"))
        else:
            how = f"{best} with it (it needs other changes: {self._changes_text(plan, skip=ekey)})"
        dom = None
        if len(dropped) == 1 and not added and loss.objective[0] >= 0 and loss.objective[1] >= 0:
            d = dropped[0]
            if self.cands.get(d) and self.cands[d].category == self.cands[ekey].category:
                dom = d
        if dom is not None:
            status: Status = "dominated"
            text = f"dominated by {self.name(dom)}: {how} is no better ({loss.text()})"
        elif loss.sign > 0:
            status = "worse"
            text = f"feasible, but {how} is worse: {loss.text()}"
        elif loss.sign == 0:
            status = "worse"
            text = f"feasible and as good: {how} ties ({loss.text()})"
        else:
            status = "improvable"
            text = (f"feasible and better: {how} improves the objective ({loss.text()}); the planner stopped at "
                    "its time limit before finding it")
        c = self.cands[ekey]
        days = sorted({o.day for k, o in self.problem.legs.items() if k == ekey}
                      | {d for d, _, i in plan.at if i == ekey}
                      | ({d for d, cc in plan.night if cc == c.city} if c.category == "hotel" else set()))
        return self._base_entry(ekey, status, text, loss=loss, scope=scope, proven=r.proven, replaces=dropped,
                                dominated_by=dom, days=days, cost=round(self.cost_in(ekey, plan), 2))

    def _excluding_constraints(self, G: _Program, force: list[str], force_item: list[str]
                               ) -> tuple[list[clingo.Symbol], list[str]]:
        """The traveller's constraints that exclude a forced item (a minimal set, or none
        when the item is excluded with all of them set aside)."""
        if not G.constraints:
            return [], []
        if G.run(force=force, force_item=force_item, active=[], mode="sat").status != "sat":
            return [], ["excluded with every constraint set aside"]
        first = G.run(force=force, force_item=force_item, mode="sat")
        core = first.core or list(G.constraints)
        mus, checks = _shrink(lambda act: G.run(force=force, force_item=force_item, active=act, mode="sat"), core)
        return mus, checks

    # -- misc ------------------------------------------------------------------------
    def clear(self) -> None:
        """Drop the grounded programs (they hold memory); they are rebuilt on demand."""
        warm = self._warm
        if warm is not None:
            warm.join()
        with self._global_lock, self._cache_lock:
            self._warm = None
            self._global = None
            self._small.clear()

    def _names(self, keys: Sequence[str], k: int = 3) -> str:
        names = [self.name(x) for x in keys]
        return ", ".join(names[:k]) + (f" and {len(names) - k} more" if len(names) > k else "")

    def _changes_text(self, plan: _Plan, skip: str | None = None) -> str:
        route0, route = self._route_text(self.plan0), self._route_text(plan)
        if route != route0:
            return f"the route {route}"
        moves = {(o.day, o.origin, o.destination): k for k in self.plan0.take for o in [self.problem.legs[k]]}
        new_legs = [k for k in plan.take if k not in self.plan0.take and k != skip]
        parts = [f"{self.name(k)} instead of {self.name(moves[(o.day, o.origin, o.destination)])}"
                 for k in new_legs for o in [self.problem.legs[k]] if (o.day, o.origin, o.destination) in moves]
        hotels0 = dict(self.plan0.stay)
        parts += [f"{self.name(h)} instead of {self.name(hotels0[c])}" for c, h in plan.stay
                  if c in hotels0 and hotels0[c] != h and h != skip]
        dropped = [k for k in self.chosen0 - plan.chosen() if self.cands[k].category in ("attraction", "restaurant")]
        if dropped:
            parts.append(f"without {self._names(sorted(dropped))}")
        return "; ".join(parts) or "other places and times"

    def __deepcopy__(self, memo: dict) -> "Explainer":  # copies share the grounded programs
        return self

    def __getstate__(self) -> dict:
        raise TypeError("an Explainer holds clingo programs and cannot be pickled")


class ExplainError(RuntimeError):
    """An itinerary cannot be explained (no planning context, or it does not fit the problem)."""


def attach(itinerary: "Itinerary", request: TripRequest, catalog: Any = None, *, rules: Sequence[str | Path] = (),
           scorer: Any = None, model: Any = None) -> "Itinerary":
    """Make an itinerary read back from JSON explainable again: rebuild its planning
    problem (with the same scorer or model as when it was planned) and attach it."""
    if catalog is None:
        from .demo import load_demo_catalog
        catalog = load_demo_catalog()
    if scorer is None and model is not None:
        scorer = model.score
    problem = build_problem(request, catalog, scorer, prune_dominated=not rules)
    explainer = Explainer(problem, itinerary, rules, model)
    itinerary._set_explainer(explainer)
    explainer.prepare()  # ground the whole program in the background meanwhile
    return itinerary


# ======================================================================================
# No itinerary: minimal conflicts and confirmed repairs
# ======================================================================================

_CONFIRMING: contextvars.ContextVar[bool] = contextvars.ContextVar("neurosym_confirming", default=False)

#: At most this many seconds are spent looking for the nearest dates that work.
DATE_SEARCH_S = 15.0


def confirming() -> bool:
    """True while a repair is being confirmed by re-planning (nested diagnoses stay light)."""
    return _CONFIRMING.get()


def _shrink(check: Callable[[list[clingo.Symbol]], _Result], core: Sequence[clingo.Symbol]
            ) -> tuple[list[clingo.Symbol], list[str]]:
    """Deletion-based shrinking of an unsatisfiable set of constraints to a minimal one.

    ``check(active)`` solves with exactly ``active`` kept. Returns the minimal set and a
    log of the re-solves that prove it minimal (each member dropped in turn: feasible).
    """
    S = list(dict.fromkeys(core))
    necessary: set[clingo.Symbol] = set()
    checks: list[str] = []
    i = 0
    while i < len(S):
        c = S[i]
        if c in necessary:
            i += 1
            continue
        trial = [x for x in S if x != c]
        r = check(trial)
        if r.status == "unsat":
            core2 = [x for x in trial if x in set(r.core)] if r.core else trial
            S = core2 if core2 else trial
            i = 0
        else:
            necessary.add(c)
            i += 1
    for c in S:  # verification: dropping any one member makes the rest feasible
        trial = [x for x in S if x != c]
        r = check(trial)
        checks.append(f"without {c}: {'feasible' if r.sat else r.status}")
    r = check(S)
    checks.append(f"all of {{{', '.join(str(c) for c in S)}}}: {'infeasible' if r.status == 'unsat' else r.status}")
    return S, checks


def _constraint_field(c: clingo.Symbol) -> str:
    name = c.name
    return {"budget": "budget", "need": "house_rules", "room_type": "room_types", "cuisine": "cuisines",
            "mode": "exclude_modes", "earliest_departure": "earliest_departure", "latest_return": "latest_return",
            "fixed_order": "fixed_order", "keep": "keep"}.get(name, name)


def _constraint_text(req: TripRequest, c: clingo.Symbol) -> str:
    name, args = c.name, c.arguments
    arg = _first_arg(c)
    if name == "budget":
        return f"budget of {req.budget:.2f}"
    if name == "need":
        src = ("your pet" if arg == "pets" and req.travelers.pets else
               "the children travelling" if arg == "children" and req.travelers.children else "your house rules")
        return f"need for a stay that allows {arg} ({src})"
    if name == "room_type":
        return f"room types {', '.join(req.room_types or [])}"
    if name == "cuisine":
        return f"wish for a {arg} meal"
    if name == "mode":
        return f"exclusion of {arg} travel"
    if name == "earliest_departure":
        return f"earliest departure at {req.earliest_departure.strftime('%H:%M') if req.earliest_departure else ''}"
    if name == "latest_return":
        return f"latest return at {req.latest_return.strftime('%H:%M') if req.latest_return else ''}"
    if name == "fixed_order":
        return f"fixed order {' -> '.join(req.destinations)}"
    if name == "keep" and args and args[0].type == clingo.SymbolType.Number and 1 <= args[0].number <= len(req.keep):
        k = req.keep[args[0].number - 1]
        when = "".join([f" on day {k.day}" if k.day is not None else "",
                        f" for {k.nights} night{'s' if k.nights != 1 else ''}" if k.nights else "",
                        f" at {k.start.strftime('%H:%M')}" if k.start is not None else ""])
        return f"keep of {k.item_id}{when}"
    return str(c)


def _first_arg(c: clingo.Symbol) -> str:
    """The first argument of a constraint term as text ("" when it has none)."""
    if not c.arguments:
        return ""
    a = c.arguments[0]
    return a.string if a.type == clingo.SymbolType.String else a.name if a.type == clingo.SymbolType.Function else str(a)


def _constraint_ref(req: TripRequest, c: clingo.Symbol) -> ConstraintRef:
    return ConstraintRef(name=_term_text(c), field=_constraint_field(c), text=_constraint_text(req, c))


def _term_text(c: clingo.Symbol) -> str:
    if not c.arguments:
        return c.name
    return f"{c.name}({', '.join(a.string if a.type == clingo.SymbolType.String else str(a) for a in c.arguments)})"


def _apply(req: TripRequest, changes: dict[str, Any]) -> TripRequest:
    data = req.model_dump()
    for k, v in changes.items():
        if k == "travelers" and isinstance(v, dict):
            data["travelers"] = {**data["travelers"], **v}
        else:
            data[k] = v
    return TripRequest.model_validate(data)


def _scorer_of(problem: Problem) -> Any:
    """The scorer to re-plan with: None when the problem was scored by the prior (which
    scores each ground-leg departure on its own), else one returning its scores by id."""
    ground = {g.id for g in problem.catalog.ground_legs}
    if any(k.rsplit("@", 2)[0] in ground for k in problem.scores if k.count("@") == 2):
        return None   # per-departure scores exist only under the prior
    if all(abs(v - _prior(problem.index[k])) < 1e-12 for k, v in problem.scores.items() if k in problem.index):
        return None
    scores = dict(problem.scores)

    def scorer(items: Sequence[Any]) -> Any:
        import numpy as np
        return np.array([scores.get(i.id, _prior(i)) for i in items], dtype=float)

    return scorer


def _prior(item: Any) -> float:
    from .prior import prior_score
    return prior_score(item)


class _Diagnoser:
    def __init__(self, problem: Problem, rules: Sequence[str | Path], *, time_limit: float,
                 confirm_time_limit: float, search_dates: bool | None, max_date_shift: int):
        self.problem, self.rules = problem, tuple(Path(p) for p in rules)
        self.req = problem.request
        self.time_limit, self.confirm_limit = time_limit, confirm_time_limit
        self.search_dates, self.max_shift = search_dates, max_date_shift
        self.info = rule_catalog(self.rules)
        cands = list(problem.legs) + [f.args[0] for f in problem.facts if f.name == "city_of"]
        self.cands = set(cands)
        self.prog = _Program(problem.facts, self.rules, cands, [(k, o.item.id) for k, o in problem.legs.items()],
                             label="diagnose")
        self.scorer = _scorer_of(problem)
        self.checks: list[str] = []

    def check(self, active: Iterable[clingo.Symbol]) -> _Result:
        return self.prog.run(active=list(active), mode="sat", limit=self.time_limit)

    def name(self, v: Value) -> Value:
        if isinstance(v, str) and v in self.cands:
            o = self.problem.legs.get(v)
            if o is not None:
                return _leg_option_name(o)
            return getattr(self.problem.index.get(v), "name", v)
        if isinstance(v, tuple) and not (v and isinstance(v[0], Const)):
            return tuple(self.name(x) for x in v)
        return v

    def broken(self, viol: Iterable[tuple[str, tuple[Value, ...]]]) -> list[Broken]:
        out = []
        for name, values in sorted(viol, key=lambda v: (v[0], str(v[1]))):
            info = self.info.get(name)
            shown = tuple(self.name(v) for v in values)
            items = [v for v in values if isinstance(v, str) and v in self.cands]
            text = info.render(shown) if info else f"rule {name} is broken"
            out.append(Broken(rule=name, file=_rel(info.path) if info else "", line=info.line if info else 0,
                              text=text, values=[_text(v) for v in shown], items=items))
        return out

    def run(self) -> Diagnosis:
        t0 = _time.perf_counter()
        P, req = self.prog, self.req
        allc = list(P.constraints)
        d = Diagnosis()
        first = self.check(allc)
        if first.sat:
            d.checks.append("with every constraint kept: feasible (the planner ran out of time?)")
            return d
        frame = self.check([])
        conflicts: list[list[clingo.Symbol]] = []
        if frame.status == "unsat":
            d.frame = True
            d.checks.append("with every constraint of yours set aside: still infeasible")
        else:
            remaining = list(allc)
            r = first
            while len(conflicts) < 4 and r.status == "unsat":
                core = [c for c in (r.core or remaining) if c in remaining] or remaining
                mus, checks = _shrink(self.check, core)
                conflicts.append(mus)
                d.checks += checks
                remaining = [c for c in remaining if c not in mus]
                r = self.check(remaining)
        d.conflicts = [[_constraint_ref(req, c) for c in m] for m in conflicts]
        d.conflict = d.conflicts[0] if d.conflicts else []
        rel = P.run(active=[] if d.frame else allc, relax=True, mode="opt", limit=self.time_limit)
        if rel.sat:
            d.violations = self.broken(rel.violations)
        d.stats["diagnose_s"] = round(_time.perf_counter() - t0, 4)
        t1 = _time.perf_counter()
        d.repairs = self.repairs(conflicts, d.frame)
        d.stats["repairs_s"] = round(_time.perf_counter() - t1, 4)
        d.stats["solver_calls"] = P.calls
        return d

    # -- repairs ---------------------------------------------------------------------
    def repairs(self, conflicts: list[list[clingo.Symbol]], frame: bool) -> list[Repair]:
        fixes: list[list[Repair]] = []
        for i, mus in enumerate(conflicts):
            others = {c for j, m in enumerate(conflicts) if j != i for c in m}
            base = [c for c in self.prog.constraints if c not in others]
            fixes.append([f for c in mus for f in self.fix(c, [x for x in base if x != c])])
        out: list[Repair] = []
        if conflicts:
            combos: list[list[Repair]] = []
            for i, fs in enumerate(fixes):
                for f in fs:
                    combo = [f] + [g[0] for j, g in enumerate(fixes) if j != i and g]
                    if all(fixes[j] for j in range(len(fixes))):
                        combos.append(combo)
            seen: set[str] = set()
            for combo in combos:
                r = _merge(combo)
                key = repr(sorted(r.changes.items(), key=str))
                if key in seen:
                    continue
                seen.add(key)
                if self.confirm(r):
                    out.append(r)
        if frame or self._dates_relevant(conflicts):
            r = self.dates(frame)
            if r is not None:
                out.append(r)
        if frame and self.req.n_cities > 1:
            r = self.fewer_cities()
            if r is not None:
                out.append(r)
        return out

    def fix(self, c: clingo.Symbol, active: list[clingo.Symbol]) -> list[Repair]:
        req, P, name = self.req, self.prog, c.name
        arg = _first_arg(c)
        term = _term_text(c)
        if name == "budget":
            amount, proven = self.min_cost(active)
            if amount is None:
                return []
            return [Repair(kind="budget", constraints=[term], changes={"budget": amount}, proven=proven,
                           text=self._budget_text(amount, proven))]
        if name == "need":
            if arg == "children":
                return []
            changes: dict[str, Any] = {}
            if arg in req.house_rules:
                changes["house_rules"] = [x for x in req.house_rules if x != arg]
            if arg == "pets" and req.travelers.pets:
                changes["travelers"] = {"pets": 0}
            what = "travel without the pet" if arg == "pets" and req.travelers.pets else f"drop the need for {arg}"
            return [Repair(kind="drop", constraints=[term], changes=changes,
                           text=f"{what}: no stay on this trip allows {arg}")]
        if name == "room_type":
            r = P.run(active=active, mode="sat", limit=self.time_limit, plan=True)
            if not r.sat:
                return []
            types = sorted({str(self.problem.index[h].room_type) for _, h in _Plan.from_atoms(r.atoms).stay}
                           - set(req.room_types or []))
            new = sorted(set(req.room_types or []) | set(types))
            return [Repair(kind="room_type", constraints=[term], changes={"room_types": new},
                           text=f"also accept {', '.join(t.replace('_', ' ') for t in types) or 'other room types'}")]
        if name == "cuisine":
            return [Repair(kind="drop", constraints=[term],
                           changes={"cuisines": [q for q in req.cuisines if q.strip().lower() != arg]},
                           text=f"drop the wish for a {arg} meal")]
        if name == "mode":
            r = P.run(active=active, mode="sat", limit=self.time_limit, plan=True)
            legs = [self.problem.legs[k] for k in _Plan.from_atoms(r.atoms).take] if r.sat else []
            using = [o for o in legs if o.mode == arg]
            via = f" (e.g. {_leg_option_name(using[0])})" if using else ""
            return [Repair(kind="mode", constraints=[term],
                           changes={"exclude_modes": [m for m in req.exclude_modes if m != arg]},
                           text=f"allow {arg} travel{via}")]
        if name == "earliest_departure":
            r = P.run(active=active, aux="late_start", mode="opt", limit=self.time_limit, plan=True)
            if not r.sat:
                return []
            o = next((self.problem.legs[k] for k in _Plan.from_atoms(r.atoms).take if self.problem.legs[k].day == 1),
                     None)
            if o is None:
                return []
            return [Repair(kind="earliest_departure", constraints=[term], proven=r.proven,
                           changes={"earliest_departure": clock(o.departure)},
                           text=f"leave no earlier than {clock(o.departure)} instead of "
                                f"{req.earliest_departure.strftime('%H:%M') if req.earliest_departure else '?'}: "
                                f"take {_leg_option_name(o)}, the latest first leg that works")]
        if name == "latest_return":
            r = P.run(active=active, aux="early_end", mode="opt", limit=self.time_limit, plan=True)
            if not r.sat:
                return []
            n = req.n_days
            o = next((self.problem.legs[k] for k in _Plan.from_atoms(r.atoms).take if self.problem.legs[k].day == n),
                     None)
            if o is None:
                return []
            if o.arrival >= 24 * 60:
                return [Repair(kind="drop", constraints=[term], changes={"latest_return": None},
                               text=f"drop the latest return: the earliest way home, {_leg_option_name(o)}, "
                                    "arrives after midnight")]
            return [Repair(kind="latest_return", constraints=[term], proven=r.proven,
                           changes={"latest_return": clock(o.arrival)},
                           text=f"be back by {clock(o.arrival)} instead of "
                                f"{req.latest_return.strftime('%H:%M') if req.latest_return else '?'}: take "
                                f"{_leg_option_name(o)}, the earliest way home that works")]
        if name == "fixed_order":
            return [Repair(kind="drop", constraints=[term], changes={"fixed_order": False},
                           text="let the planner choose the order of the cities")]
        if name == "keep":
            k = c.arguments[0].number
            return [Repair(kind="drop", constraints=[term],
                           changes={"keep": [x.model_dump(mode="json") for i, x in enumerate(req.keep, start=1)
                                             if i != k]},
                           text=f"give up {_constraint_text(req, c)}")]
        return []

    def _budget_text(self, amount: float, proven: bool) -> str:
        return (f"raise the budget from {self.req.budget:.2f} to {amount:.2f}, the smallest budget that works"
                + ("" if proven else " (the cheapest itinerary found within the time limit; a cheaper one may "
                                     "exist)"))

    def min_cost(self, active: list[clingo.Symbol]) -> tuple[float | None, bool]:
        """The cost of the cheapest itinerary with ``active`` kept (the budget set aside).

        Solved on a program of its own: every preference is zero, so the exact dominance
        pruning of :func:`~neurosym.problem.build_problem` keeps only what can be
        cheapest, and attractions (optional, never of negative cost) are left out; with
        user rule files nothing is pruned or left out (a rule may require a visit)."""
        import numpy as np
        if self.rules:
            facts = self.problem.facts
        else:
            prob = build_problem(self.req, self.problem.catalog, lambda items: np.zeros(len(items)))
            atts = {f.args[0] for f in prob.facts if f.name == "attraction"}
            facts = [f for f in prob.facts if not (f.args and isinstance(f.args[0], str) and f.args[0] in atts)]
        P = _Program(facts, self.rules, label="min_cost")
        P.ctl.configuration.solver.opt_strategy = "bb,hier"
        P.ctl.configuration.solver.opt_heuristic = "sign,model"
        names = {_term_text(c) for c in active}
        keep = [c for c in P.constraints if _term_text(c) in names]
        r = P.run(active=keep, aux="min_cost", mode="opt", limit=self.time_limit)
        if not r.sat or r.aux is None:
            return None, False
        return _ceil_money(r.aux * cost_unit_of(facts)), r.proven  # the objective counts cost units

    def confirm(self, r: Repair, depth: int = 0) -> bool:
        """Re-plan the request with the repair; keep the result on the repair."""
        from .planner import NoItinerary, plan_itinerary
        try:
            new = r.apply(self.req)
        except Exception as exc:  # an invalid combination of changes is no repair
            log.debug("repair %s is not a valid request: %s", r.changes, exc)
            return False
        token = _CONFIRMING.set(True)
        try:
            it = plan_itinerary(new, self.problem.catalog, rules=self.rules, time_limit=self.confirm_limit,
                                scorer=self.scorer)
        except (NoItinerary, TimeoutError, PlanningInputError) as exc:
            log.debug("repair %s not confirmed: %s", r.text, exc)
            return False
        finally:
            _CONFIRMING.reset(token)
        r.confirmed, r.total_cost, r.cities = True, it.total_cost, list(it.cities)
        budget = r.changes.get("budget")
        if r.kind.startswith("budget") or r.kind.endswith("budget"):
            if budget is not None and it.total_cost < budget - 1e-6 and depth < 1:
                # the re-plan found a cheaper itinerary: a smaller budget works (confirm it too)
                tighter = r.model_copy(deep=True)
                tighter.changes["budget"] = round(it.total_cost, 2)
                tighter.text = tighter.text.replace(f"to {budget:.2f}", f"to {it.total_cost:.2f}")
                if self.confirm(tighter, depth + 1):
                    r.changes, r.text = tighter.changes, tighter.text
                    r.total_cost, r.cities = tighter.total_cost, tighter.cities
        return True

    def _dates_relevant(self, conflicts: list[list[clingo.Symbol]]) -> bool:
        if self.search_dates is not None:
            return self.search_dates
        names = {c.name for m in conflicts for c in m}
        if names & {"earliest_departure", "latest_return", "mode", "fixed_order"}:
            return True
        if "budget" in names:
            return cents(self.req.budget) >= self._cost_lower_bound()
        return False

    def _cost_lower_bound(self) -> int:
        """A cost no trip of this length can undercut, whatever the dates (cents)."""
        req, cat, people = self.req, self.problem.catalog, self.req.travelers.people
        dests = set(req.destinations)
        nights = req.n_days - 1
        hotels = [night_cost(h, people) for h in cat.hotels if h.city in dests]
        out_legs = [leg_cost(x, people) for x in [*cat.flights, *cat.ground_legs]
                    if x.origin == req.origin and x.destination in dests]
        back_legs = [leg_cost(x, people) for x in [*cat.flights, *cat.ground_legs]
                     if x.destination == req.origin and x.origin in dests]
        return nights * min(hotels, default=0) + min(out_legs, default=0) + min(back_legs, default=0)

    def dates(self, frame: bool = False) -> Repair | None:
        """The nearest dates that work (same length): ±1, ±2, ... days, up to
        ``max_date_shift`` when the dates alone do not fit and 3 otherwise, within
        ``DATE_SEARCH_S`` seconds."""
        req = self.req
        t0 = _time.perf_counter()
        for k in range(1, (self.max_shift if frame else min(3, self.max_shift)) + 1):
            for sign in (1, -1):
                if _time.perf_counter() - t0 > DATE_SEARCH_S:
                    return None
                shift = timedelta(days=sign * k)
                changes = {"start": (req.start + shift).isoformat(), "end": (req.end + shift).isoformat()}
                try:
                    new = _apply(req, changes)
                    prob = build_problem(new, self.problem.catalog, self.scorer, prune_dominated=not self.rules)
                except (PlanningInputError, ValueError):
                    continue
                lean = _Program(prob.facts, self.rules, lean=True, label="dates")
                if not lean.run(mode="sat", limit=self.time_limit).sat:
                    continue
                r = Repair(kind="dates", constraints=["dates"], changes=changes,
                           text=f"travel {k} day{'s' if k != 1 else ''} {'later' if sign > 0 else 'earlier'}: "
                                f"{new.start.isoformat()} to {new.end.isoformat()} (the nearest dates that work)")
                if self.confirm(r):
                    return r
        return None

    def fewer_cities(self) -> Repair | None:
        req = self.req
        for n in range(req.n_cities - 1, 0, -1):
            r = Repair(kind="visit_count", constraints=["visit_count"], changes={"visit_count": n},
                       text=f"visit {n} of {', '.join(req.destinations)} instead of {req.n_cities}")
            if self.confirm(r):
                return r
        return None


def _merge(parts: list[Repair]) -> Repair:
    if len(parts) == 1:
        return parts[0].model_copy(deep=True)
    changes: dict[str, Any] = {}
    for p in parts:
        changes.update(p.changes)
    return Repair(kind="+".join(p.kind for p in parts), text="; and ".join(p.text for p in parts),
                  constraints=[c for p in parts for c in p.constraints], changes=changes,
                  proven=all(p.proven for p in parts))


def _ceil_money(amount_cents: int) -> float:
    return round(amount_cents / 100, 2)


def diagnose_problem(problem: Problem, rules: Sequence[str | Path] = (), *, time_limit: float = 5.0,
                     confirm_time_limit: float = 2.0, search_dates: bool | None = None,
                     max_date_shift: int = 7) -> Diagnosis:
    """Why ``problem`` has no itinerary: minimal conflicts of the traveller's constraints
    (verified by re-solving), the rules the closest itinerary breaks, and repairs, each
    confirmed by re-planning. ``search_dates``: None decides from the conflict."""
    return _Diagnoser(problem, rules, time_limit=time_limit, confirm_time_limit=confirm_time_limit,
                      search_dates=search_dates, max_date_shift=max_date_shift).run()


# ======================================================================================
# Rule dependencies
# ======================================================================================

def rule_dependencies(paths: Sequence[str | Path]) -> dict[str, set[tuple[str, int]]]:
    """For each named rule, the predicates its ``violation`` rules read, through derived
    predicates but not through the choices (``CHOICE_ATOMS``) that make an itinerary."""
    heads: dict[tuple[str, int], set[tuple[str, int]]] = {}
    rules: dict[str, set[tuple[str, int]]] = {}
    for path in paths:
        stms: list[ast.AST] = []
        ast.parse_files([str(path)], stms.append)
        for stm in stms:
            if stm.ast_type != ast.ASTType.Rule:
                continue
            body: set[tuple[str, int]] = set()
            _collect(stm.body, body)
            head_atoms: set[tuple[str, int]] = set()
            _collect([stm.head], head_atoms)
            name = _violation_name(stm.head)
            if name is not None:
                rules.setdefault(name, set()).update(body)
                continue
            for h in head_atoms:
                heads.setdefault(h, set()).update(body)
    out: dict[str, set[tuple[str, int]]] = {}
    for name, body in rules.items():
        seen: set[tuple[str, int]] = set()
        stack = list(body)
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            if p not in CHOICE_ATOMS:  # a choice is where the itinerary is decided: not expanded
                stack.extend(heads.get(p, ()))
        out[name] = seen
    return out


def _violation_name(head: ast.AST) -> str | None:
    if head.ast_type != ast.ASTType.Literal or head.atom.ast_type != ast.ASTType.SymbolicAtom:
        return None
    t = head.atom.symbol
    if t.ast_type == ast.ASTType.Function and t.name == "violation" and len(t.arguments) == 2:
        return str(t.arguments[0])
    return None


def _collect(nodes: Iterable[ast.AST], out: set[tuple[str, int]]) -> None:
    class Visitor(ast.Transformer):
        def visit_SymbolicAtom(self, node: ast.AST) -> ast.AST:  # noqa: N802 (clingo API)
            t = node.symbol
            if t.ast_type == ast.ASTType.Function:
                out.add((t.name, len(t.arguments)))
            elif t.ast_type == ast.ASTType.SymbolicTerm and t.symbol.type == clingo.SymbolType.Function:
                out.add((t.symbol.name, len(t.symbol.arguments)))
            return node

    v = Visitor()
    for n in nodes:
        v(n)


# ======================================================================================
# Small helpers
# ======================================================================================

_CAT_ORDER = {"transport": 0, "hotel": 1, "attraction": 2, "restaurant": 3}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _option_rank(o: _Option) -> tuple:
    return (not o.ok, len(o.broken), o.delta)


def _category(item: Any) -> Category:
    if isinstance(item, (Flight, GroundLeg)):
        return "transport"
    if isinstance(item, Hotel):
        return "hotel"
    if isinstance(item, Attraction):
        return "attraction"
    return "restaurant"


def _leg_option_name(o: Any) -> str:
    if isinstance(o.item, Flight):
        return (f"flight {o.item.number} {o.origin} {clock(o.departure)} -> {o.destination} {clock(o.arrival)}"
                f" (day {o.day})")
    return f"{o.mode} {o.origin} {clock(o.departure)} -> {o.destination} {clock(o.arrival)} (day {o.day})"


def _leg_item_name(item: Flight | GroundLeg) -> str:
    if isinstance(item, Flight):
        return (f"flight {item.number} {item.origin} {clock(item.departure_min)} -> {item.destination} "
                f"{clock(item.arrival_min)} on {item.date.isoformat()}")
    return f"{item.mode} {item.origin} -> {item.destination} ({item.duration_min} min)"


def _text(v: Value) -> str:
    from .asp import text
    return text(v)


def _rel(path: str) -> str:
    p = Path(path)
    try:
        return str(p.relative_to(rules_dir().parent))
    except ValueError:
        return str(p)

