"""Interval analysis of rule files: the range of every number the rules compute.

clingo's numbers are 32-bit, and gringo wraps around silently when an operation leaves
that range (``2147483647+1`` is ``-2147483648``). :func:`analyse` proves, for a set of
rule files, that no operation can: it reads the files with clingo's own parser and
computes, for every argument of every predicate, an interval containing every number
that can appear in it (anywhere inside the argument), starting from the ranges of the
input facts (:data:`neurosym.bounds.INPUT_RANGES`, which follow from the model's limits
in :mod:`neurosym.limits`) and applying every rule until nothing changes. Along the way
it records the interval of every arithmetic expression (``T+U``, ``P*N``,
``(X+U-1)/U``...) and every aggregate element weight and ``#minimize`` weight.

The analysis is an over-approximation (it ignores comparisons that narrow a value, and
takes the whole interval of an argument for a variable nested in it), so a range it
reports may be wider than what grounding can produce, never narrower. A recursive rule
that keeps widening a range is widened to infinity, which then fails the check.

What is checked where:

* ``tests/test_bounds.py`` runs it on the shipped rule files: every expression fits
  32 bits, and every aggregate whose weights are not tiny has a per-problem bound in
  :data:`neurosym.bounds.PROBLEM_SUMS` (its total depends on how many candidates a trip
  has, so the planner checks it for each problem).
* :func:`neurosym.rules.check_user_file` runs it on a user's rule file on top of the
  shipped ones, and refuses an expression that may overflow, naming the line.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import clingo
from clingo import ast

from .limits import INT32_MAX, INT32_MIN

INF = math.inf
#: An interval of integers (inclusive); ``None`` stands for "no numbers at all".
Interval = tuple[float, float]
Sig = tuple[str, int]
TOP: Interval = (-INF, INF)
#: Rounds of the fixpoint before a range that still grows is widened to infinity.
WIDEN_AFTER = 40


def join(a: Interval | None, b: Interval | None) -> Interval | None:
    if a is None:
        return b
    if b is None:
        return a
    return (min(a[0], b[0]), max(a[1], b[1]))


def fits(iv: Interval | None) -> bool:
    """Whether every number of the interval is a 32-bit clingo number."""
    return iv is None or (INT32_MIN <= iv[0] and iv[1] <= INT32_MAX)


def _mul(a: Interval, b: Interval) -> Interval:
    products = [x * y for x in a for y in b if not (math.isinf(x) and y == 0 or math.isinf(y) and x == 0)]
    return (min(products, default=0), max(products, default=0))


def _div(a: Interval, b: Interval) -> Interval | None:
    """Integer division (clingo's ``/``); division by zero is undefined (no value)."""
    if b == (0, 0):
        return None
    m = max(abs(a[0]), abs(a[1]))
    if b[0] >= 1 or b[1] <= -1:  # the divisor's sign is known: the quotient lies between the corner quotients
        qs = [x / y for x in a for y in b if not (math.isinf(x) and math.isinf(y))]
        if len(qs) == 4:
            return (math.floor(min(qs)), math.ceil(max(qs)))
    return (-m, m)


def _mod(a: Interval, b: Interval) -> Interval | None:
    if b == (0, 0):
        return None
    m = min(max(abs(a[0]), abs(a[1])), max(abs(b[0]), abs(b[1])))
    return (-m, m)


def _bits(a: Interval, b: Interval) -> Interval:
    m = max(abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]))
    if math.isinf(m):
        return TOP
    k = 2 ** int(m).bit_length()
    return (-k, k)


def _pow(a: Interval, b: Interval) -> Interval:
    if b[0] < 0 or math.isinf(b[1]) or max(abs(a[0]), abs(a[1])) > 2**31 or b[1] > 64:
        return TOP if not (a[0] >= -1 and a[1] <= 1) else (-1, 1)
    cands = [x ** y for x in a for y in range(int(b[0]), int(b[1]) + 1)]
    return (min(cands), max(cands))


_BINARY = {
    ast.BinaryOperator.Plus: lambda a, b: (a[0] + b[0], a[1] + b[1]),
    ast.BinaryOperator.Minus: lambda a, b: (a[0] - b[1], a[1] - b[0]),
    ast.BinaryOperator.Multiplication: _mul,
    ast.BinaryOperator.Division: _div,
    ast.BinaryOperator.Modulo: _mod,
    ast.BinaryOperator.Power: _pow,
    ast.BinaryOperator.And: _bits,
    ast.BinaryOperator.Or: _bits,
    ast.BinaryOperator.XOr: _bits,
}


def _fix(iv: Interval | None) -> Interval | None:
    if iv is None:
        return None
    lo, hi = iv
    return (lo if math.isinf(lo) else int(lo), hi if math.isinf(hi) else int(hi))


@dataclass(frozen=True)
class Expression:
    """An arithmetic expression of a rule file and the interval of its values."""

    path: str
    line: int
    column: int
    text: str
    interval: Interval

    @property
    def fits(self) -> bool:
        return fits(self.interval)

    @property
    def where(self) -> str:
        return f"{Path(self.path).name}:{self.line}"


@dataclass(frozen=True)
class Weight:
    """The weight of an aggregate element or of a ``#minimize``/``#maximize`` element.

    ``kind`` is ``sum``, ``sum+``, ``count``, ``min``, ``max`` (body aggregates),
    ``minimize`` (``#minimize``, ``#maximize`` and weak constraints; ``priority`` is
    their priority term) or ``heuristic``; ``assigned`` is true for ``S = #sum{...}``,
    whose value gringo itself computes (and wraps). ``interval`` is the range of one
    element's weight; the total, which depends on how many elements a problem has, is
    bounded per problem (:data:`neurosym.bounds.PROBLEM_SUMS`).
    """

    path: str
    line: int
    kind: str
    text: str
    priority: str
    interval: Interval | None
    assigned: bool = False
    priority_range: Interval | None = None

    @property
    def where(self) -> str:
        return f"{Path(self.path).name}:{self.line}"

    @property
    def key(self) -> tuple[str, str, str]:
        """(file name, weight term, priority or aggregate kind): how the bounds table names it."""
        return (Path(self.path).name, self.text, self.priority if self.kind == "minimize" else f"#{self.kind}")


@dataclass
class Analysis:
    """The result of :func:`analyse`."""

    predicates: dict[Sig, list[Interval | None]] = field(default_factory=dict)
    expressions: list[Expression] = field(default_factory=list)
    weights: list[Weight] = field(default_factory=list)
    undefined: dict[Sig, str] = field(default_factory=dict)
    """Predicates read by a rule but neither given as input nor defined (with a location)."""


# -- the analysis -------------------------------------------------------------------------

Env = dict[str, "Interval | None"]
_UNBOUND = object()


class _Analyser:
    def __init__(self, inputs: Mapping[Sig, Sequence[Interval | None]]):
        self.pred: dict[Sig, list[Interval | None]] = {s: list(r) for s, r in inputs.items()}
        self.inputs = set(inputs)
        self.defined: set[Sig] = set(inputs)
        self.read: dict[Sig, str] = {}
        self.changed = False
        self.quiet = False
        self.exprs: dict[tuple[str, int, int, str], Interval] = {}
        self.weights: dict[tuple, Weight] = {}
        self.path = ""

    # -- terms --------------------------------------------------------------------------
    def value(self, t: ast.AST, env: Env) -> Interval | None:
        """The interval of a term used as a number (None: never a number); records expressions."""
        ty = t.ast_type
        if ty == ast.ASTType.SymbolicTerm:
            s = t.symbol
            return (s.number, s.number) if s.type == clingo.SymbolType.Number else None
        if ty == ast.ASTType.Variable:
            if t.name == "_":
                return None
            v = env.get(t.name, _UNBOUND)
            return TOP if v is _UNBOUND else v  # type: ignore[return-value]
        if ty == ast.ASTType.BinaryOperation:
            a, b = self.value(t.left, env), self.value(t.right, env)
            out = None if a is None or b is None else _fix(_BINARY[t.operator_type](a, b))
            self.record(t, out)
            return out
        if ty == ast.ASTType.UnaryOperation:
            a = self.value(t.argument, env)
            if a is None:
                out = None
            elif t.operator_type == ast.UnaryOperator.Minus:
                out = (-a[1], -a[0])
            elif t.operator_type == ast.UnaryOperator.Negation:  # ~x = -x-1
                out = (-a[1] - 1, -a[0] - 1)
            else:  # |x|
                out = (0 if a[0] <= 0 <= a[1] else min(abs(a[0]), abs(a[1])), max(abs(a[0]), abs(a[1])))
            self.record(t, out)
            return out
        if ty == ast.ASTType.Interval:
            a, b = self.value(t.left, env), self.value(t.right, env)
            return None if a is None or b is None else (a[0], b[1])
        if ty == ast.ASTType.Pool:
            out: Interval | None = None
            for x in t.arguments:
                out = join(out, self.value(x, env))
            return out
        if ty == ast.ASTType.Function:  # not a number itself; its arguments are still computed
            for x in t.arguments:
                self.value(x, env)
            return None
        return TOP  # anything else (theory terms...): unknown

    def contained(self, t: ast.AST, env: Env) -> Interval | None:
        """The interval of every number inside a term (a tuple's or function's arguments too)."""
        if t.ast_type == ast.ASTType.Function:
            out: Interval | None = None
            for x in t.arguments:
                out = join(out, self.contained(x, env))
            return out
        if t.ast_type == ast.ASTType.Pool:
            out = None
            for x in t.arguments:
                out = join(out, self.contained(x, env))
            return out
        return self.value(t, env)

    def record(self, t: ast.AST, iv: Interval | None) -> None:
        if iv is None or self.quiet:
            return
        loc = t.location.begin
        key = (self.path, loc.line, loc.column, t.text)
        self.exprs[key] = join(self.exprs.get(key), iv)  # type: ignore[assignment]

    # -- atoms and bodies --------------------------------------------------------------------
    @staticmethod
    def _atom_sig(atom: ast.AST) -> tuple[Sig, Sequence[ast.AST]] | None:
        if atom.ast_type != ast.ASTType.SymbolicAtom:
            return None
        term = atom.symbol
        if term.ast_type == ast.ASTType.UnaryOperation:  # classical negation: -p(X)
            term = term.argument
        if term.ast_type == ast.ASTType.Function:
            return (term.name, len(term.arguments)), term.arguments
        if term.ast_type == ast.ASTType.SymbolicTerm and term.symbol.type == clingo.SymbolType.Function:
            return (term.symbol.name, len(term.symbol.arguments)), ()
        return None

    def arg_ranges(self, sig: Sig) -> list[Interval | None]:
        return self.pred.get(sig, [None] * sig[1])

    def note_read(self, atom: ast.AST) -> None:
        sa = self._atom_sig(atom)
        if sa is not None and sa[0] not in self.read:
            self.read[sa[0]] = f"{Path(self.path).name}:{atom.symbol.location.begin.line}"

    def match(self, t: ast.AST, iv: Interval | None, env: Env, solve: bool) -> bool:
        """Bind the variables of a term matched against an argument of interval ``iv``;
        with ``solve``, also a variable in ``X+c`` or ``X-c`` (gringo solves for X)."""
        ty = t.ast_type
        if ty == ast.ASTType.Variable:
            if t.name != "_" and t.name not in env:
                env[t.name] = iv
                return True
            return False
        if ty in (ast.ASTType.Function, ast.ASTType.Pool):
            changed = False
            for x in t.arguments:
                changed |= self.match(x, iv, env, solve)
            return changed
        if solve and ty == ast.ASTType.BinaryOperation and iv is not None:
            op = t.operator_type
            if op in (ast.BinaryOperator.Plus, ast.BinaryOperator.Minus):
                left_free = t.left.ast_type == ast.ASTType.Variable and t.left.name not in env
                right_free = t.right.ast_type == ast.ASTType.Variable and t.right.name not in env
                if left_free and not _has_free(t.right, env):
                    c = self.value(t.right, env)
                    if c is not None:
                        env[t.left.name] = _fix((iv[0] - c[1], iv[1] - c[0]) if op == ast.BinaryOperator.Plus
                                                else (iv[0] + c[0], iv[1] + c[1]))
                        return True
                if right_free and op == ast.BinaryOperator.Plus and not _has_free(t.left, env):
                    c = self.value(t.left, env)
                    if c is not None:
                        env[t.right.name] = _fix((iv[0] - c[1], iv[1] - c[0]))
                        return True
        return False

    def bind(self, literals: Iterable[ast.AST], env: Env) -> None:
        """Bind variables from the positive atoms, ``X = term`` comparisons and ``X = #agg``.

        Atoms bind first, then comparisons with a bound narrow (``X < 1000``), then one
        ``X = term`` binds with the narrowed values, and so on; ``X+c`` in an atom is solved
        for X only when nothing else binds X (gringo prefers the plain binding too).
        Expressions are recorded by :meth:`check_body`, with the final bindings.
        """
        lits = [lit for lit in literals
                if lit.ast_type == ast.ASTType.Literal and lit.sign == ast.Sign.NoSign]
        quiet, self.quiet = self.quiet, True
        try:
            solve = False
            while True:
                while self._bind_atoms(lits, env, solve):
                    pass
                self.narrow(lits, env)
                if self._bind_one(lits, env):
                    continue
                if not solve:
                    solve = True
                    continue
                break
        finally:
            self.quiet = quiet

    def _bind_atoms(self, lits: Sequence[ast.AST], env: Env, solve: bool) -> bool:
        changed = False
        for lit in lits:
            sa = self._atom_sig(lit.atom)
            if sa is not None:
                for a, iv in zip(sa[1], self.arg_ranges(sa[0])):
                    changed |= self.match(a, iv, env, solve)
        return changed

    def _bind_one(self, lits: Sequence[ast.AST], env: Env) -> bool:
        """Bind one variable from ``X = term`` or ``X = #agg{...}``; whether one was bound."""
        for lit in lits:
            atom = lit.atom
            if atom.ast_type == ast.ASTType.Comparison and len(atom.guards) == 1 \
                    and atom.guards[0].comparison == ast.ComparisonOperator.Equal:
                left, right = atom.term, atom.guards[0].term
                for var, other in ((left, right), (right, left)):
                    if var.ast_type == ast.ASTType.Variable and var.name not in env and var.name != "_" \
                            and not _has_free(other, env):
                        env[var.name] = self.value(other, env)
                        return True
            elif atom.ast_type in (ast.ASTType.BodyAggregate, ast.ASTType.Aggregate):
                g = atom.left_guard
                if g is not None and g.comparison == ast.ComparisonOperator.Equal \
                        and g.term.ast_type == ast.ASTType.Variable and g.term.name not in env:
                    env[g.term.name] = self.aggregate_value(atom, env)
                    return True
        return False

    def narrow(self, lits: Sequence[ast.AST], env: Env) -> None:
        """Narrow a variable by a comparison with a bound (``X < 1000``): an instance that
        fails the comparison is dropped, whatever its other terms computed."""
        for lit in lits:
            if lit.ast_type != ast.ASTType.Literal or lit.sign != ast.Sign.NoSign \
                    or lit.atom.ast_type != ast.ASTType.Comparison or len(lit.atom.guards) != 1:
                continue
            left, g = lit.atom.term, lit.atom.guards[0]
            for var, other, op in ((left, g.term, g.comparison), (g.term, left, _FLIP.get(g.comparison))):
                if op is None or var.ast_type != ast.ASTType.Variable or var.name not in env \
                        or env[var.name] is None or _has_free(other, env):
                    continue
                c = self.value(other, env)
                if c is None:
                    continue
                lo, hi = env[var.name]  # type: ignore[misc]
                if op == ast.ComparisonOperator.LessThan:
                    hi = min(hi, c[1] - 1)
                elif op == ast.ComparisonOperator.LessEqual:
                    hi = min(hi, c[1])
                elif op == ast.ComparisonOperator.GreaterThan:
                    lo = max(lo, c[0] + 1)
                elif op == ast.ComparisonOperator.GreaterEqual:
                    lo = max(lo, c[0])
                elif op == ast.ComparisonOperator.Equal:
                    lo, hi = max(lo, c[0]), min(hi, c[1])
                env[var.name] = (lo, hi) if lo <= hi else None

    def aggregate_value(self, atom: ast.AST, env: Env) -> Interval | None:
        """What ``X = #agg{...}`` binds X to."""
        fn = getattr(atom, "function", ast.AggregateFunction.Count)
        if fn == ast.AggregateFunction.Count:
            return (0, INT32_MAX)  # the number of distinct tuples; used in arithmetic it must be bounded
        if fn in (ast.AggregateFunction.Min, ast.AggregateFunction.Max):
            out: Interval | None = None
            for el in atom.elements:
                local = dict(env)
                self.bind(el.condition, local)
                if el.terms:
                    out = join(out, self.value(el.terms[0], local))
            return out
        return TOP  # a sum: as many elements as the problem has

    def check_body(self, literals: Iterable[ast.AST], env: Env) -> None:
        """Evaluate every term of a body (records its expressions) and its aggregates' weights."""
        for lit in literals:
            if lit.ast_type == ast.ASTType.ConditionalLiteral:
                local = dict(env)
                self.bind(lit.condition, local)
                self.check_body([lit.literal, *lit.condition], local)
                continue
            atom = lit.atom
            if atom.ast_type == ast.ASTType.SymbolicAtom:
                self.note_read(atom)
                self.contained(atom.symbol, env)
            elif atom.ast_type == ast.ASTType.Comparison:
                self.value(atom.term, env)
                for g in atom.guards:
                    self.value(g.term, env)
            elif atom.ast_type in (ast.ASTType.BodyAggregate, ast.ASTType.Aggregate):
                self.aggregate(atom, env)

    def aggregate(self, atom: ast.AST, env: Env, head: bool = False) -> None:
        for g in (atom.left_guard, atom.right_guard):
            if g is not None:
                self.value(g.term, env)
        fn = getattr(atom, "function", ast.AggregateFunction.Count)
        kind = {ast.AggregateFunction.Count: "count", ast.AggregateFunction.Sum: "sum",
                ast.AggregateFunction.SumPlus: "sum+", ast.AggregateFunction.Min: "min",
                ast.AggregateFunction.Max: "max"}[fn]
        assigned = (atom.left_guard is not None and atom.left_guard.comparison == ast.ComparisonOperator.Equal
                    and atom.left_guard.term.ast_type == ast.ASTType.Variable)
        for el in atom.elements:
            local = dict(env)
            if el.ast_type == ast.ASTType.ConditionalLiteral:  # a choice or count aggregate: weight 1
                self.bind(el.condition, local)
                self.check_body([el.literal, *el.condition], local)
                continue
            self.bind(el.condition, local)
            self.check_body(el.condition, local)
            for t in el.terms:
                self.contained(t, local)
            if kind != "count" and el.terms:
                w = self.value(el.terms[0], local)
                self.weight(el.terms[0], kind, "", w, assigned)

    def weight(self, t: ast.AST, kind: str, priority: str, iv: Interval | None, assigned: bool = False,
               priority_range: Interval | None = None) -> None:
        key = (self.path, t.location.begin.line, kind, t.text, priority, assigned)
        old = self.weights.get(key)
        self.weights[key] = Weight(self.path, t.location.begin.line, kind, t.text, priority,
                                   join(old.interval if old else None, iv), assigned,
                                   join(old.priority_range if old else None, priority_range))

    # -- heads ------------------------------------------------------------------------------
    def derive(self, atom: ast.AST, env: Env) -> None:
        sa = self._atom_sig(atom)
        if sa is None:
            if atom.ast_type == ast.ASTType.Comparison:
                self.check_body([_Node(ast_type=ast.ASTType.Literal, sign=ast.Sign.NoSign, atom=atom,
                                       child_keys=["atom"], text=atom.text)], env)
            return
        sig, args = sa
        self.defined.add(sig)
        cur = self.pred.setdefault(sig, [None] * sig[1])
        for i, a in enumerate(args):
            new = join(cur[i], self.contained(a, env))
            if new != cur[i]:
                cur[i] = new
                self.changed = True

    def statement(self, stm: ast.AST) -> None:
        ty = stm.ast_type
        if ty == ast.ASTType.Rule:
            env: Env = {}
            self.bind(stm.body, env)
            self.check_body(stm.body, env)
            head = stm.head
            if head.ast_type == ast.ASTType.Literal:
                if head.sign == ast.Sign.NoSign:
                    self.derive(head.atom, env)
            elif head.ast_type in (ast.ASTType.Aggregate, ast.ASTType.Disjunction):
                for g in (getattr(head, "left_guard", None), getattr(head, "right_guard", None)):
                    if g is not None:
                        self.value(g.term, env)
                for el in head.elements:
                    local = dict(env)
                    self.bind(el.condition, local)
                    self.check_body(el.condition, local)
                    if el.literal.sign == ast.Sign.NoSign:
                        self.derive(el.literal.atom, local)
            elif head.ast_type == ast.ASTType.HeadAggregate:
                for el in head.elements:
                    local = dict(env)
                    self.bind(el.condition.condition, local)
                    self.check_body(el.condition.condition, local)
                    if el.terms:
                        self.weight(el.terms[0], "sum", "", self.value(el.terms[0], local))
                    if el.condition.literal.sign == ast.Sign.NoSign:
                        self.derive(el.condition.literal.atom, local)
        elif ty == ast.ASTType.Minimize:
            env = {}
            self.bind(stm.body, env)
            self.check_body(stm.body, env)
            for t in stm.terms:
                self.contained(t, env)
            prio = self.value(stm.priority, env)
            self.weight(stm.weight, "minimize", stm.priority.text, self.value(stm.weight, env), priority_range=prio)
        elif ty == ast.ASTType.External:
            env = {}
            self.bind(stm.body, env)
            self.check_body(stm.body, env)
            self.derive(stm.atom, env)
        elif ty == ast.ASTType.Heuristic:
            env = {}
            self.bind(stm.body, env)
            self.check_body(stm.body, env)
            self.contained(stm.atom.symbol, env)
            self.value(stm.priority, env)
            self.weight(stm.bias, "heuristic", stm.modifier.text, self.value(stm.bias, env))
        elif ty in (ast.ASTType.Definition, ast.ASTType.Script, ast.ASTType.TheoryDefinition):
            # a constant's value, a script or a theory would be numbers the analysis cannot see
            where = f"{Path(self.path).name}:{stm.location.begin.line}"
            self.read.setdefault(("#" + str(ty).split(".")[-1].lower(), 0), where)
        elif ty == ast.ASTType.ShowTerm:
            env = {}
            self.bind(stm.body, env)
            self.check_body(stm.body, env)
            self.contained(stm.term, env)


_FLIP = {ast.ComparisonOperator.LessThan: ast.ComparisonOperator.GreaterThan,
         ast.ComparisonOperator.LessEqual: ast.ComparisonOperator.GreaterEqual,
         ast.ComparisonOperator.GreaterThan: ast.ComparisonOperator.LessThan,
         ast.ComparisonOperator.GreaterEqual: ast.ComparisonOperator.LessEqual,
         ast.ComparisonOperator.Equal: ast.ComparisonOperator.Equal}


def _has_free(t: ast.AST, env: Env) -> bool:
    found = False

    def visit(x: ast.AST) -> None:
        nonlocal found
        if x.ast_type == ast.ASTType.Variable:
            if x.name != "_" and x.name not in env:
                found = True
            return
        for k in x.child_keys:
            child = getattr(x, k)
            if isinstance(child, _Node):
                visit(child)
            elif isinstance(child, list):
                for c in child:
                    if isinstance(c, _Node):
                        visit(c)

    visit(t)
    return found


class _Node:
    """A plain-Python copy of a clingo AST node: reading clingo's nodes goes through C calls,
    which made the fixpoint slow; the copy is read many times at Python speed."""

    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


_TERMS = {ast.ASTType.BinaryOperation, ast.ASTType.UnaryOperation, ast.ASTType.Variable, ast.ASTType.SymbolicTerm,
          ast.ASTType.Function, ast.ASTType.Interval, ast.ASTType.Pool}
_SKIP = {ast.ASTType.Comment, ast.ASTType.ShowSignature, ast.ASTType.Program, ast.ASTType.ProjectSignature,
         ast.ASTType.Defined}


def _mirror(x: object) -> object:
    if isinstance(x, ast.AST):
        ty = x.ast_type
        fields = {k: _mirror(getattr(x, k)) for k in x.keys()}
        return _Node(**fields, ast_type=ty, child_keys=list(x.child_keys), text=str(x) if ty in _TERMS else "")
    if isinstance(x, (str, int)) or x is None or isinstance(x, (clingo.Symbol, ast.Location)):
        return x
    try:
        return [_mirror(y) for y in x]  # type: ignore[union-attr]
    except TypeError:
        return x


def parse(paths: Iterable[str | Path]) -> list[tuple[str, ast.AST]]:
    """The statements of rule files, each with its file."""
    out: list[tuple[str, ast.AST]] = []
    for p in paths:
        stms: list[ast.AST] = []
        ast.parse_files([str(p)], stms.append, logger=lambda _c, _m: None, message_limit=1)
        out += [(str(p), s) for s in stms]
    return out


def analyse(paths: Iterable[str | Path], inputs: Mapping[Sig, Sequence[Interval | None]],
            statements: Sequence[tuple[str, ast.AST]] | None = None) -> Analysis:
    """The ranges of every predicate, arithmetic expression and weight of the rule files.

    ``inputs`` gives, for each input predicate, the interval of the numbers of each
    argument (``None``: no numbers). A predicate that the files read but neither define
    nor get as input is listed in :attr:`Analysis.undefined` (it is taken as empty).
    """
    stms = [(p, _mirror(s)) for p, s in (statements if statements is not None else parse(paths))
            if s.ast_type not in _SKIP]
    an = _Analyser(inputs)
    for rounds in range(1, 10 * WIDEN_AFTER):
        before = {s: list(r) for s, r in an.pred.items()}
        an.changed = False
        for path, stm in stms:
            an.path = path
            an.statement(stm)
        if not an.changed:
            break
        if rounds >= WIDEN_AFTER:  # still growing: a recursive rule builds ever larger numbers
            for s, r in an.pred.items():
                old = before.get(s, [None] * len(r))
                an.pred[s] = [n if n == o else (TOP if o is not None else n) for o, n in zip(old, r)]
    else:  # pragma: no cover - widening makes every range stop growing
        raise RuntimeError("the interval analysis did not converge")
    exprs = [Expression(p, line, col, text, iv) for (p, line, col, text), iv in an.exprs.items()]
    exprs.sort(key=lambda e: (e.path, e.line, e.column))
    weights = sorted(an.weights.values(), key=lambda w: (w.path, w.line, w.text))
    undefined = {s: w for s, w in an.read.items() if s not in an.defined}
    return Analysis(an.pred, exprs, weights, undefined)
