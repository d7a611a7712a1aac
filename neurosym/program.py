"""The one clingo front-end: rule files and facts, grounded once, solved with limits.

Planning (:func:`neurosym.solve.plan_once`) and every explanation program
(:mod:`neurosym.explain.program`) go through :class:`Program`:

- **control setup**: the solver options (:class:`Search`), clingo's messages kept
  quiet (rule-file errors are reported by :func:`neurosym.rules.check_user_file`);
- **loading**: the shipped rule files, then the user's, through clingo's AST. A user
  file's ``#show`` lines are dropped, so an answer holds only the program's own
  output atoms (a ``#show at(2,9,"a:a:zoo").`` can never add a meal). With
  ``guard`` (explanation programs), every ``#minimize``/``#maximize`` element of the
  rule files gets the external ``guard`` in its body, so the planner's objective can
  be switched off, and their ``#show`` lines are dropped (the engine reads
  ``rules/explain.lp``'s own);
- **facts**: printed by :mod:`neurosym.vocab`; no ASP is written in Python;
- **solving**: with assumptions, external switches set for one call only, a
  wall-clock deadline, a work limit, and a caller's stop condition; the best model
  so far is what the caller's ``on_model`` kept.
"""

from __future__ import annotations

import contextlib
import threading
import time as _time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import clingo
from clingo import ast
from clorm import Predicate

from .rules import AST_LOCK, RuleFileError, check_user_file, statements
from .vocab import Fact, facts_text

_LOC = ast.Location(ast.Position("<neurosym>", 1, 1), ast.Position("<neurosym>", 1, 1))


@dataclass(frozen=True)
class Search:
    """How clasp searches.

    ``threads`` > 1 races several solvers: the best answer under a time limit then
    depends on timing. ``threads=1`` with ``conflicts`` (a work-based limit: clasp's
    ``--solve-limit``) is reproducible: the same program gives the same answer on any
    run, in any process (see docs/performance.md, "Determinism").
    """

    threads: int | None = 2
    conflicts: int | None = None
    heuristic: str | None = "Domain"
    seed: int | None = None
    opt_strategy: str = "bb"
    opt_heuristic: str | None = None

    def args(self) -> list[str]:
        out = [f"--opt-strategy={self.opt_strategy}"]
        if self.opt_heuristic is not None:
            out.append(f"--opt-heuristic={self.opt_heuristic}")
        if self.heuristic is not None:
            out.append(f"--heuristic={self.heuristic}")
        if self.threads is not None:
            out.append(f"--parallel-mode={self.threads}")
        if self.seed is not None:
            out.append(f"--seed={self.seed}")
        return out


#: The explanation engine's search: branch-and-bound with clasp's default configuration and
#: its domain heuristic (which follows ``rules/explain.lp``'s hints when they are switched on).
EXPLAIN_SEARCH = Search(threads=None, heuristic="Domain")


@dataclass
class Outcome:
    """How one solve call ended."""

    satisfiable: bool
    unsatisfiable: bool
    exhausted: bool       # the search space was exhausted (optimality proven when optimising)
    interrupted: bool     # stopped by a limit, the deadline, or the caller
    seconds: float
    core: list[int] = field(default_factory=list)
    timed_out: bool = False   # the wall clock (deadline or grace) ended it, not the work limit or the caller


def _guard(name: str) -> ast.AST:
    return ast.Literal(_LOC, ast.Sign.NoSign, ast.SymbolicAtom(ast.Function(_LOC, name, [], False)))


def _switch_name(lit: ast.AST) -> str | None:
    """The name of a body literal that is a plain zero-arity atom (``ns_near``)."""
    if lit.ast_type != ast.ASTType.Literal or lit.sign != ast.Sign.NoSign:
        return None
    atom = lit.atom
    if atom.ast_type != ast.ASTType.SymbolicAtom:
        return None
    t = atom.symbol
    if t.ast_type == ast.ASTType.Function and not t.arguments:
        return t.name
    if t.ast_type == ast.ASTType.SymbolicTerm and t.symbol.type == clingo.SymbolType.Function and not t.symbol.arguments:
        return t.symbol.name
    return None


class Program:
    """A grounded clingo program: rule files and facts.

    ``files`` are shipped rule files, ``user_files`` the user's (checked first: an
    error names the file and line). With ``guard`` set, the objective statements of
    ``files`` and ``user_files`` are guarded by that external and their ``#show`` lines
    dropped; ``engine_files`` are loaded as they are (their objectives and ``#show``
    lines are the engine's own). ``ground_lock``, when given, is held while clingo
    grounds (programs that share it ground one at a time). ``priorities`` lists the priority levels of the
    guarded objective, highest first; ``switch_priority`` maps each external that
    switches an engine objective on to its priority level.
    """

    def __init__(self, facts: Sequence[Fact], *, files: Sequence[Path], user_files: Sequence[str | Path] = (),
                 engine_files: Sequence[Path] = (), guard: str | None = None, search: Search = Search(),
                 ground_lock: threading.Lock | None = None):
        t0 = _time.perf_counter()
        messages: list[str] = []   # the logger must not refer to self (the cycle would never be collected)
        self.messages = messages
        self.ctl = clingo.Control(search.args(), logger=lambda _c, m: messages.append(m), message_limit=20)
        self.search = search
        levels: set[int] = set()
        self.switch_priority: dict[str, int] = {}
        users = [check_user_file(p) for p in user_files]
        # the parsed statements are shared (parsed once per file and process): one thread at a
        # time hands them to a builder (clingo's AST nodes are not safe to share across threads)
        with AST_LOCK, ast.ProgramBuilder(self.ctl) as builder:
            for path in files:
                self._load(builder, path, guard, levels, user=False)
            for path in users:
                self._load(builder, path, guard, levels, user=True)
            for path in engine_files:
                for stm in statements(path):
                    if stm.ast_type == ast.ASTType.Minimize:
                        name = next((n for n in map(_switch_name, stm.body) if n), None)
                        if name is not None and stm.priority.ast_type == ast.ASTType.SymbolicTerm:
                            self.switch_priority[name] = stm.priority.symbol.number
                    builder.add(stm)
        self.priorities = sorted(levels, reverse=True)
        self.ctl.add("base", [], facts_text(facts))
        self._ground_lock = ground_lock
        with ground_lock or contextlib.nullcontext():
            self.ctl.ground([("base", [])])
        self.ground_s = _time.perf_counter() - t0
        self._lit: dict[clingo.Symbol, int | None] = {}
        self._atoms: dict[type[Predicate], list[clingo.Symbol]] = {}
        self.lock = threading.Lock()   # one solve at a time on a control
        self.calls = 0
        self.solve_s = 0.0

    @staticmethod
    def _load(builder: ast.ProgramBuilder, path: Path, guard: str | None, levels: set[int], *, user: bool) -> None:
        for stm in statements(path):
            kind = stm.ast_type
            if kind in (ast.ASTType.ShowSignature, ast.ASTType.ShowTerm) and (user or guard is not None):
                continue   # answers hold the program's own output atoms only
            if kind == ast.ASTType.Script:
                raise RuleFileError(path, stm.location.begin.line, "a rule file may not contain #script")
            if kind == ast.ASTType.Minimize:
                prio = stm.priority
                if prio.ast_type == ast.ASTType.SymbolicTerm and prio.symbol.type == clingo.SymbolType.Number:
                    levels.add(prio.symbol.number)
                if guard is not None:
                    stm = stm.update(body=[*stm.body, _guard(guard)])
            builder.add(stm)

    def ground(self, part: str, facts: Sequence[Fact] = ()) -> None:
        """Ground a further part of the program (a ``#program part.`` of the rule files),
        with facts of its own."""
        if facts:
            self.ctl.add(part, [], facts_text(facts))
        with self._ground_lock or contextlib.nullcontext():
            self.ctl.ground([(part, [])])

    # -- atoms ---------------------------------------------------------------------------
    def atoms(self, pred: type[Predicate]) -> list[clingo.Symbol]:
        """The ground atoms of a declared predicate (cached)."""
        out = self._atoms.get(pred)
        if out is None:
            out = []
            for sa in self.ctl.symbolic_atoms.by_signature(pred.meta.name, pred.meta.arity):
                out.append(sa.symbol)
                self._lit[sa.symbol] = sa.literal
            self._atoms[pred] = out
        return out

    def literal(self, sym: clingo.Symbol) -> int | None:
        """The program literal of an atom (None when the grounder did not keep it)."""
        try:
            return self._lit[sym]
        except KeyError:
            sa = self.ctl.symbolic_atoms[sym]
            lit = self._lit[sym] = None if sa is None else sa.literal
            return lit

    def has(self, sym: clingo.Symbol) -> bool:
        return self.literal(sym) is not None

    def release(self, externals: Iterable[clingo.Symbol]) -> None:
        """Leave these externals free (their value is then an assumption of each solve)."""
        for sym in externals:
            self.ctl.assign_external(sym, None)

    # -- solving -------------------------------------------------------------------------
    def solve(self, *, assumptions: Sequence[int] = (), switches: Sequence[clingo.Symbol] = (),
              optimise: bool = True, models: int = 0, brave: bool = False, bound: Sequence[int] = (),
              deadline: float | None = None, grace: float | None = None, conflicts: int | None = None,
              on_model: Callable[[clingo.Model], bool | None] | None = None,
              stop: Callable[[], bool] | None = None) -> Outcome:
        """Solve once.

        ``switches`` are externals set true for this call only. ``optimise`` turns the
        objective on; ``models`` caps the models enumerated (0: all, or until optimal);
        ``brave`` computes brave consequences; ``bound`` accepts only models whose cost
        is at most this, level by level from the highest. ``deadline`` is a ``time.perf_counter()``
        instant; when it passes without any model, the search goes on until ``grace``
        (another instant) for the first one. ``on_model`` returning False stops the
        search, and so does ``stop()`` returning True (checked at each model and while
        waiting). The work limit of the :class:`Search` applies to every call, unless
        ``conflicts`` sets another for this one.
        """
        with self.lock:
            return self._solve(assumptions, switches, optimise, models, brave, bound, deadline, grace,
                               self.search.conflicts if conflicts is None else conflicts, on_model, stop)

    def _solve(self, assumptions: Sequence[int], switches: Sequence[clingo.Symbol], optimise: bool, models: int,
               brave: bool, bound: Sequence[int], deadline: float | None, grace: float | None, conflicts: int | None,
               on_model: Callable[[clingo.Model], bool | None] | None, stop: Callable[[], bool] | None) -> Outcome:
        t0 = _time.perf_counter()
        conf = self.ctl.configuration.solve
        conf.opt_mode = ("opt" + "".join(f",{b}" for b in bound)) if optimise else "ignore"
        conf.enum_mode = "brave" if brave else "auto"
        conf.models = str(models)
        conf.solve_limit = "umax,umax" if conflicts is None else f"{conflicts},umax"
        set_on = [s for s in switches if self.has(s)]
        for s in set_on:
            self.ctl.assign_external(s, True)
        seen = [False]
        stopped = [False]
        timed_out = [False]
        core: list[int] = []

        def model(m: clingo.Model) -> bool:
            seen[0] = True
            if on_model is not None and on_model(m) is False:
                stopped[0] = True
                return False
            if stop is not None and stop():
                stopped[0] = True
                return False
            if deadline is not None and _time.perf_counter() >= deadline:
                stopped[0] = timed_out[0] = True
                return False
            return True

        try:
            with self.ctl.solve(assumptions=list(assumptions), on_model=model, on_core=core.extend,
                                async_=True) as handle:
                finished = self._wait(handle, deadline, stop)
                if not finished and not seen[0] and grace is not None:
                    finished = self._wait(handle, grace, stop)
                if not finished:
                    stopped[0] = True
                    timed_out[0] = timed_out[0] or not (stop is not None and stop())
                    handle.cancel()
                result = handle.get()
        finally:
            for s in set_on:
                self.ctl.assign_external(s, False)
        seconds = _time.perf_counter() - t0
        self.calls += 1
        self.solve_s += seconds
        return Outcome(satisfiable=bool(result.satisfiable) or seen[0], unsatisfiable=bool(result.unsatisfiable),
                       exhausted=bool(result.exhausted) and not stopped[0],
                       interrupted=bool(result.interrupted) or stopped[0], seconds=seconds, core=core,
                       timed_out=timed_out[0])

    @staticmethod
    def _wait(handle: clingo.SolveHandle, until: float | None, stop: Callable[[], bool] | None) -> bool:
        """Wait for the search to finish until the instant ``until``; True when it finished."""
        step = 0.05 if stop is not None else None
        while True:
            left = None if until is None else until - _time.perf_counter()
            if left is not None and left <= 0:
                return bool(handle.wait(0))
            wait = left if step is None else (step if left is None else min(step, left))
            if handle.wait(wait) if wait is not None else handle.wait():
                return True
            if stop is not None and stop():
                return False
