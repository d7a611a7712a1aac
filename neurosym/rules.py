"""The rule files: where they are, what they say, and checking the ones users add.

Every hard rule in ``rules/*.lp`` derives ``violation(Name, Values)``; the comment line
``%! Name: message`` above it is the text shown to a user, with ``{Var}`` standing for
the value of that variable of the rule head (``{Var:time}`` prints minutes as a clock
time, ``{Var:money}`` cents as money, ``{Var:weekday}`` 0-6 as Monday-Sunday). A user's
rule file is explained the same way.

The files are found one way: the package's ``rulefiles`` folder, which in a source
checkout is a link to the top-level ``rules/`` and in the wheel holds a copy of it.
Each file is parsed once (per change): :func:`statements` is the one AST walk from
which the messages, the predicates a file defines and reads, and the rules' dependencies
(:func:`dependencies`) are all derived.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import clingo
from clingo import ast

from . import vocab as V
from .asp import Value, text
from .catalog import DAY_NAMES, Category, clock
from .limits import INT32_MAX, cut
from .bounds import INPUT_RANGES, PROBLEM_SUMS
from .rangecheck import Interval, analyse

#: Rule files of the core, in load order.
CORE_FILES = ("core.lp", "route.lp", "transport.lp", "hotels.lp", "activities.lp", "weather.lp", "budget.lp",
              "keep.lp", "objective.lp", "symmetry.lp")
#: The weather rules (outdoor visits and the forecast; their facts exist only with a forecast).
WEATHER_FILE = "weather.lp"
#: The planner's tie-break between equally good itineraries (loaded by plan-once only).
CANONICAL_FILE = "canonical.lp"
#: The explanation engine's files: diagnosis mode (fewest broken rules) and its handles.
RELAX_FILE, EXPLAIN_FILE = "relax.lp", "explain.lp"
#: Rule files of the TravelPlanner benchmark's conventions (user-style, switched on by its adapter).
TRAVELPLANNER_FILE = "travelplanner/travelplanner.lp"
#: A booked hotel stay kept exactly (user-style, switched on by the booking executor when it re-plans).
BOOKED_FILE = "acting/booked.lp"
#: Predicates user files may define: new hard rules are new ``violation/2`` rules.
USER_DEFINABLE = frozenset({("violation", 2)})
#: The ``#`` directives a user file may use: aggregates, objectives, constants of the
#: language. Every other one (``#show``, ``#script``, ``#include``, ``#external``,
#: ``#const``, ``#program``, ``#project``, ``#heuristic``, ``#edge``, ``#theory``...) is
#: refused, naming the line: each could change the program or the answer (docs/rules.md).
USER_DIRECTIVES = frozenset({"count", "sum", "min", "max", "minimize", "minimise", "maximize", "maximise",
                             "inf", "infimum", "sup", "supremum", "true", "false", "defined"})
#: Why each refused directive is refused (the error message names it).
_REFUSED = {
    "show": "it would change what the planner reads from an answer",
    "script": "it would run code inside the planner",
    "include": "it would load a file that was not checked",
    "external": "it would add atoms that only the planner may switch",
    "const": "it would rename a constant of the library's rules (#const person = room. changes what budget.lp "
             "counts)",
    "program": "rules under another #program are never grounded: they would be silently ignored",
    "project": "it would change which answers count as different",
    "heuristic": "it would change the library's search order (which itinerary is found first)",
}
#: Size of a user rule file.
MAX_RULE_FILE_BYTES = 4 * 1024 * 1024


_MESSAGE = re.compile(r"^\s*%!\s*([a-z][A-Za-z0-9_]*)\s*:\s*(.+?)\s*$")


class RuleFileError(ValueError):
    """A rule file that cannot be used: a syntax error or a clash with the library's predicates."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple:  # pickles whole: a batch sends it back from a worker
        return (type(self), (self.path, self.line, self.message))


#: Parsed statements are shared (parsed once per file and process), and clingo's AST nodes are
#: not safe to use from two threads at once: everything that reads them holds this lock (the
#: front-end too, while it hands them to a program builder).
AST_LOCK = threading.RLock()


def _ast_locked(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def locked(*args, **kwargs):
        with AST_LOCK:
            return fn(*args, **kwargs)
    return locked


@cache
def rules_dir() -> Path:
    """The folder of the shipped rule files: the package's ``rulefiles`` folder."""
    return Path(__file__).resolve().parent / "rulefiles"


def rule_file(name: str) -> Path:
    """A shipped rule file by its path inside ``rules/`` (``core.lp``, ``travelplanner/travelplanner.lp``)."""
    return rules_dir() / name


def core_paths() -> list[Path]:
    return [rule_file(name) for name in CORE_FILES]


def shown_path(path: str | Path) -> str:
    """A rule file's path as shown to users: ``rules/hotels.lp`` for a shipped file."""
    p = Path(path)
    for base in (rules_dir(), rules_dir().resolve()):   # the package's link, or where it leads
        try:
            return str(Path("rules") / p.relative_to(base))
        except ValueError:
            continue
    return str(p)


@dataclass(frozen=True)
class RuleInfo:
    """A named hard rule: where it is and what it says."""

    name: str
    path: str
    line: int
    message: str
    variables: tuple[str, ...] = field(default=())

    def render(self, values: tuple[Value, ...]) -> str:
        """The rule's message with the values of one violation filled in."""
        named = dict(zip(self.variables, values))

        def fill(m: re.Match[str]) -> str:
            var, fmt = m.group(1), m.group(2)
            if var not in named:
                return m.group(0)
            v = named[var]
            if fmt == "time" and isinstance(v, int):
                return clock(v)
            if fmt == "money" and isinstance(v, int):
                return f"{v / 100:.2f}"
            if fmt == "weekday" and isinstance(v, int) and 0 <= v <= 6:
                return DAY_NAMES[v]
            return cut(text(v))  # a long name is cut: a message stays a line

        return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(time|money|weekday))?\}", fill, self.message)

    @property
    def where(self) -> str:
        return f"{Path(self.path).name}:{self.line}"


def statements(path: str | Path) -> tuple[ast.AST, ...]:
    """The statements of a rule file (parsed once per change of the file); a syntax
    error raises :class:`RuleFileError` naming the file and line."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        raise RuleFileError(p, None, "rule file not found") from None
    return _statements(str(p), mtime)


@lru_cache(maxsize=128)
def _statements(path: str, mtime_ns: int) -> tuple[ast.AST, ...]:
    return tuple(_parse(Path(path)))


def _parse(path: Path) -> list[ast.AST]:
    stms: list[ast.AST] = []
    messages: list[str] = []

    def logger(_code: clingo.MessageCode, msg: str) -> None:
        messages.append(msg)

    try:
        ast.parse_files([str(path)], stms.append, logger=logger, message_limit=5)
    except RuntimeError:
        first = next((m for m in messages if "error" in m), messages[0] if messages else "syntax error")
        m = re.match(r"^(.*?):(\d+):\d+(?:-\d+(?::\d+)?)?:\s*(.*)$", first.strip().splitlines()[0])
        if m:
            raise RuleFileError(path, int(m.group(2)), m.group(3)) from None
        raise RuleFileError(path, None, first.strip()) from None
    return stms


def _signature(term: ast.AST) -> tuple[str, int] | None:
    """(name, arity) of a symbolic atom's term, when it names a predicate."""
    if term.ast_type == ast.ASTType.Function:
        return term.name, len(term.arguments)
    if term.ast_type == ast.ASTType.SymbolicTerm and term.symbol.type == clingo.SymbolType.Function:
        return term.symbol.name, len(term.symbol.arguments)
    return None


def _head_signatures(stm: ast.AST) -> list[tuple[str, int, int]]:
    """(name, arity, line) of every atom a rule statement can derive."""
    found: list[tuple[str, int, int]] = []

    class Heads(ast.Transformer):
        def visit_SymbolicAtom(self, node: ast.AST) -> ast.AST:  # noqa: N802 (clingo API)
            sig = _signature(node.symbol)
            if sig is not None:
                found.append((*sig, node.symbol.location.begin.line))
            return node

    if stm.ast_type == ast.ASTType.Rule:
        Heads()(stm.head)
    elif stm.ast_type == ast.ASTType.External:
        Heads()(stm.atom)
    return found


def _violation_rules(stms: list[ast.AST]) -> dict[int, tuple[str, tuple[str, ...]]]:
    """line -> (rule name, head variable names) for every ``violation(Name, (Vars))`` rule."""
    out: dict[int, tuple[str, tuple[str, ...]]] = {}
    for stm in stms:
        if stm.ast_type != ast.ASTType.Rule or stm.head.ast_type != ast.ASTType.Literal:
            continue
        atom = stm.head.atom
        if atom.ast_type != ast.ASTType.SymbolicAtom:
            continue
        term = atom.symbol
        if term.ast_type != ast.ASTType.Function or term.name != "violation" or len(term.arguments) != 2:
            continue
        name_t, vals_t = term.arguments
        name = str(name_t)
        elems = vals_t.arguments if vals_t.ast_type == ast.ASTType.Function and vals_t.name == "" else [vals_t]
        out[stm.location.begin.line] = (name, tuple(str(e) for e in elems))
    return out


@lru_cache(maxsize=64)
@_ast_locked
def _describe_cached(path: str, mtime: float) -> tuple[RuleInfo, ...]:
    p = Path(path)
    stms = statements(p)
    lines = p.read_text(encoding="utf-8").splitlines()
    messages: dict[str, tuple[str, int]] = {}
    for i, line in enumerate(lines, start=1):
        m = _MESSAGE.match(line)
        if m:
            messages.setdefault(m.group(1), (m.group(2), i))
    infos: dict[str, RuleInfo] = {}
    for line, (name, variables) in sorted(_violation_rules(stms).items()):
        if name in infos:
            continue
        msg = messages.get(name, (f"rule {name} is broken", line))[0]
        infos[name] = RuleInfo(name=name, path=str(p), line=line, message=msg, variables=variables)
    return tuple(infos.values())


def describe(path: str | Path) -> tuple[RuleInfo, ...]:
    """The named hard rules of a rule file, with their messages and locations."""
    p = Path(path).resolve()
    return _describe_cached(str(p), p.stat().st_mtime)


@lru_cache(maxsize=1)
@_ast_locked
def reserved_predicates() -> frozenset[tuple[str, int]]:
    """Predicates the library defines (its input facts and the heads of its rules)."""
    sigs = set(V.INPUT_PREDICATES)
    for p in core_paths():
        for stm in statements(p):
            sigs.update((n, a) for n, a, _ in _head_signatures(stm))
    return frozenset(sigs)


def check_user_file(path: str | Path, reserved: frozenset[tuple[str, int]] | None = None) -> Path:
    """Check a user's rule file; raise :class:`RuleFileError` naming the file and line.

    A user file may read every library predicate and add hard rules (as
    ``violation(Name, Values)`` rules or plain integrity constraints), but must not
    define a library predicate, nor one starting with ``ns_`` (internal). A file that
    passed is not parsed again until it changes.
    """
    p = Path(path)
    if not p.is_file():
        raise RuleFileError(p, None, "rule file not found")
    reserved = reserved if reserved is not None else reserved_predicates()
    try:
        _check_cached(str(p.resolve()), p.stat().st_mtime_ns, reserved)
    except RecursionError:  # pragma: no cover - MAX_NESTING refuses such files first
        raise RuleFileError(p, None, "terms nested too deeply") from None
    return p


@lru_cache(maxsize=64)
@_ast_locked
def _check_cached(path: str, mtime_ns: int, reserved: frozenset[tuple[str, int]]) -> None:
    p = Path(path)
    _check_text(p)
    stms = list(statements(p))
    for stm in stms:
        for name, arity, line in _head_signatures(stm):
            if (name, arity) in USER_DEFINABLE:
                continue
            if name.startswith("ns_") or (name, arity) in reserved:
                raise RuleFileError(p, line, f"defines {name}/{arity}, a predicate of the neurosym rules; "
                                             "add rules as violation(Name, Values) or integrity constraints")
    library = {info.name: info for path_ in core_paths() for info in describe(path_)}
    for line, (name, _) in sorted(_violation_rules(stms).items()):
        if name in library:
            raise RuleFileError(p, line, f"names a rule {name}, like the library's rule at "
                                         f"{library[name].where}; choose another name")
    if rules_dir().resolve() not in p.resolve().parents:  # a shipped file is in the library's own proof
        _check_objectives(p, stms)
        _check_numbers(p, stms)




_TOKEN = re.compile(r"""
    (?P<comment>%\*.*?\*%|%[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<directive>\#[A-Za-z_]+)
  | (?P<number>(?<![A-Za-z0-9_'])(?:0x[0-9A-Fa-f]+|0o[0-7]+|0b[01]+|[0-9]+))
  | (?P<open>[(\[{])
  | (?P<close>[)\]}])
  | (?P<newline>\n)
""", re.VERBOSE | re.DOTALL)
#: Brackets inside each other in a user rule file (a term nested deeper would exhaust the
#: recursion of the checks that read it).
MAX_NESTING = 100


def _check_text(p: Path) -> None:
    """What a parser cannot be trusted with: the encoding, the size, refused directives, numbers
    that do not fit 32 bits (clingo's parser wraps them around silently)."""
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RuleFileError(p, None, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_RULE_FILE_BYTES:
        raise RuleFileError(p, None, f"{len(raw):,} bytes, more than the limit of {MAX_RULE_FILE_BYTES:,}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(p, raw.count(b"\n", 0, exc.start) + 1,
                            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    if "\0" in text:
        raise RuleFileError(p, text.count("\n", 0, text.index("\0")) + 1, "contains a NUL character")
    line, depth = 1, 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                raise RuleFileError(p, line, f"brackets nested more than {MAX_NESTING} levels deep")
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "directive":
            name = m.group()[1:]
            if name not in USER_DIRECTIVES:
                why = _REFUSED.get(name, "a user rule file may only add rules, constraints and objectives")
                raise RuleFileError(p, line, f"#{name} is not allowed in a user rule file: {why}")
        elif kind == "number":
            if int(m.group(), 0) > INT32_MAX:
                raise RuleFileError(p, line, f"the number {cut(m.group(), 40)} does not fit clingo's "
                                             f"32-bit numbers (at most {INT32_MAX:,})")
        line += m.group().count("\n")


def _library_priorities() -> list[Interval]:
    """The priorities of the shipped objectives (an interval each: some are computed)."""
    return sorted({w.priority_range for w in shipped_analysis().weights
                   if w.kind == "minimize" and w.priority_range is not None})


def _user_band() -> tuple[float, int]:
    """The priorities a user objective may take: above every tie-breaking level of the
    library (``canonical.lp``, negative) and below its first objective level (1)."""
    prios = _library_priorities()
    lowest = min((int(lo) for lo, _ in prios if lo >= 1), default=1)
    below = max((hi for _, hi in prios if hi < lowest), default=-math.inf)
    return below, lowest


def _check_objectives(p: Path, stms: list[ast.AST]) -> None:
    """A user objective (``#minimize``, ``#maximize``, ``:~``) comes below the library's
    objective levels and above its tie-breaking levels."""
    below, lowest = _user_band()
    for stm in stms:
        if stm.ast_type != ast.ASTType.Minimize:
            continue
        line = stm.location.begin.line
        prio = stm.priority
        if prio.ast_type != ast.ASTType.SymbolicTerm or prio.symbol.type != clingo.SymbolType.Number:
            raise RuleFileError(p, line, f"the priority {cut(str(prio), 40)} of an objective must be a "
                                         "number written in the file")
        if not below < prio.symbol.number < lowest:
            band = f"{int(below) + 1} to {lowest - 1}" if below > -math.inf else f"{lowest - 1} or less"
            raise RuleFileError(p, line, f"an objective at priority {prio.symbol.number}: the library's objectives "
                                         f"use priorities from {lowest} up, and its tie-breaking levels lie below "
                                         f"{int(below) + 1 if below > -math.inf else lowest}; a user objective takes "
                                         f"{band}, where it breaks ties without changing what the library optimises")


def _check_numbers(p: Path, stms: list[ast.AST]) -> None:
    """Every expression of the file fits clingo's 32-bit numbers, given the library's ranges."""
    an = analyse([p], library_ranges(), statements=[(str(p), s) for s in stms])
    for e in an.expressions:
        if not e.fits:
            lo, hi = e.interval
            reach = "cannot be bounded" if math.isinf(lo) or math.isinf(hi) else f"may reach {lo:,} to {hi:,}"
            raise RuleFileError(p, e.line, f"{cut(e.text, 60)} {reach}, beyond clingo's 32-bit numbers "
                                           f"(at most {INT32_MAX:,}); bound its values (e.g. X < 1000) or scale them")
    for w in an.weights:
        if w.assigned and w.kind in ("sum", "sum+"):
            raise RuleFileError(p, w.line, "S = #sum{...}: gringo computes S itself in 32 bits and wraps around "
                                           "silently; compare the sum instead (#sum{...} > 100)")


@cache
def weather_rule_names() -> frozenset[str]:
    """The names of the weather rules (those of ``rules/weather.lp``): they apply only to
    outdoor attractions, and only when the planner has a forecast."""
    return frozenset(info.name for info in describe(rule_file(WEATHER_FILE)))


def rule_catalog(extra: list[Path] | tuple[Path, ...] = ()) -> dict[str, RuleInfo]:
    """Every named rule of the core files and the given extra files, by name."""
    out: dict[str, RuleInfo] = {}
    for p in [*core_paths(), *extra]:
        for info in describe(p):
            out.setdefault(info.name, info)
    return out


# -- what the rules read: dependencies, the one model of "which rules an item obeys" ----------

#: The choice of each category of item (what makes an item part of an itinerary).
CATEGORY_CHOICE: dict[Category, tuple[str, int]] = {
    "transport": V.signature(V.Take), "hotel": V.signature(V.Stay), "attraction": V.signature(V.At),
    "restaurant": V.signature(V.At)}


def _atoms_in(nodes: Iterable[ast.AST]) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()

    class Visitor(ast.Transformer):
        def visit_SymbolicAtom(self, node: ast.AST) -> ast.AST:  # noqa: N802 (clingo API)
            sig = _signature(node.symbol)
            if sig is not None:
                out.add(sig)
            return node

    v = Visitor()
    for n in nodes:
        v(n)
    return out


def _head_parts(head: ast.AST) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """What a rule head derives, and what the conditions inside it read."""
    kind = head.ast_type
    if kind == ast.ASTType.Literal:
        return _atoms_in([head]), set()
    derived: set[tuple[str, int]] = set()
    cond: set[tuple[str, int]] = set()
    for e in getattr(head, "elements", []):
        lit = e.condition if e.ast_type == ast.ASTType.HeadAggregateElement else e
        derived |= _atoms_in([lit.literal])
        cond |= _atoms_in(lit.condition)
    return derived, cond


def _violation_name(head: ast.AST) -> str | None:
    if head.ast_type != ast.ASTType.Literal or head.atom.ast_type != ast.ASTType.SymbolicAtom:
        return None
    t = head.atom.symbol
    if t.ast_type == ast.ASTType.Function and t.name == "violation" and len(t.arguments) == 2:
        return str(t.arguments[0])
    return None


@dataclass(frozen=True)
class Reads:
    """What the rules of a file read and define."""

    heads: dict[tuple[str, int], frozenset[tuple[str, int]]]   # derived predicate -> what its rules read
    rules: dict[str, frozenset[tuple[str, int]]]               # named hard rule -> what its body reads
    body: frozenset[tuple[str, int]]                           # every predicate read in a body or condition
    defined: frozenset[tuple[str, int]]                        # every predicate a rule or #external derives
    shown: frozenset[tuple[str, int]] = frozenset()            # the terms of #show lines


def reads(path: str | Path) -> Reads:
    """What a rule file's rules read and define (from :func:`statements`)."""
    p = Path(path)
    return _reads(str(p), p.stat().st_mtime_ns)


@lru_cache(maxsize=128)
@_ast_locked
def _reads(path: str, mtime_ns: int) -> Reads:
    heads: dict[tuple[str, int], set[tuple[str, int]]] = {}
    rules: dict[str, set[tuple[str, int]]] = {}
    body_all: set[tuple[str, int]] = set()
    defined: set[tuple[str, int]] = set()
    shown: set[tuple[str, int]] = set()
    for stm in statements(path):
        kind = stm.ast_type
        if kind == ast.ASTType.External:
            defined |= {(n, a) for n, a, _ in _head_signatures(stm)}
            body_all |= _atoms_in(stm.body)
            continue
        if kind == ast.ASTType.Minimize:
            body_all |= _atoms_in(stm.body)
            continue
        if kind == ast.ASTType.ShowTerm:
            body_all |= _atoms_in(stm.body)
            t = stm.term
            if t.ast_type == ast.ASTType.Function:
                shown.add((t.name, len(t.arguments)))
            continue
        if kind == ast.ASTType.Heuristic:
            body_all |= _atoms_in([stm.atom, *stm.body])
            continue
        if kind != ast.ASTType.Rule:
            continue
        body = _atoms_in(stm.body)
        head = stm.head
        derived, cond = _head_parts(head)
        defined |= derived
        body_all |= body | cond
        name = _violation_name(head)
        if name is not None:
            rules.setdefault(name, set()).update(body)
            continue
        for h in derived:
            heads.setdefault(h, set()).update(body | cond)
    return Reads({k: frozenset(v) for k, v in heads.items()}, {k: frozenset(v) for k, v in rules.items()},
                 frozenset(body_all), frozenset(defined), frozenset(shown))


def shipped_files() -> list[Path]:
    """Every shipped rule file: the core, the engine's, and the TravelPlanner conventions."""
    return [*core_paths(), rule_file(CANONICAL_FILE), rule_file(RELAX_FILE), rule_file(EXPLAIN_FILE),
            rule_file(TRAVELPLANNER_FILE), rule_file(BOOKED_FILE)]


def fact_readers(paths: Sequence[str | Path] | None = None) -> dict[tuple[str, int], list[str]]:
    """The predicates the rule files read but no rule derives (so facts must supply them),
    each with the files that read it (by their path in ``rules/``)."""
    paths = shipped_files() if paths is None else list(paths)
    defined = set().union(*(reads(p).defined for p in paths))
    out: dict[tuple[str, int], list[str]] = {}
    for p in paths:
        for sig in sorted(reads(p).body - defined):
            out.setdefault(sig, []).append(shown_path(p).removeprefix("rules/"))
    return out


def dependencies(paths: Sequence[str | Path]) -> dict[str, set[tuple[str, int]]]:
    """For each named rule, the predicates its ``violation`` rules read, through derived
    predicates but not through the choices (:data:`neurosym.vocab.CHOICES`) that make an
    itinerary."""
    heads: dict[tuple[str, int], set[tuple[str, int]]] = {}
    rules: dict[str, set[tuple[str, int]]] = {}
    for path in paths:
        r = reads(path)
        for h, b in r.heads.items():
            heads.setdefault(h, set()).update(b)
        for name, b in r.rules.items():
            rules.setdefault(name, set()).update(b)
    choices = {V.signature(p) for p in V.CHOICES}
    out: dict[str, set[tuple[str, int]]] = {}
    for name, body in rules.items():
        seen: set[tuple[str, int]] = set()
        stack = list(body)
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            if p not in choices:  # a choice is where the itinerary is decided: not expanded
                stack.extend(heads.get(p, ()))
        out[name] = seen
    return out


def applicable_rules(paths: Sequence[str | Path]) -> dict[Category, list[str]]:
    """See :func:`_applicable` (cached per set of files and their versions)."""
    key = tuple((str(Path(p)), Path(p).stat().st_mtime_ns) for p in paths)
    return {cat: list(names) for cat, names in _applicable(key).items()}


@lru_cache(maxsize=64)
@_ast_locked
def _applicable(key: tuple[tuple[str, int], ...]) -> dict[Category, tuple[str, ...]]:
    paths = [Path(p) for p, _ in key]
    return {cat: tuple(names) for cat, names in _applicable_rules(paths).items()}


def _applicable_rules(paths: Sequence[str | Path]) -> dict[Category, list[str]]:
    """The named rules that apply to an item of each category: the one model of which
    rules a chosen item was checked against.

    A rule applies to a leg when its body reads ``take/1``, to a hotel when it reads
    ``stay/2``, to a meal or visit when it reads ``at/3`` (directly or through derived
    predicates, not through the other choices); a rule about the route alone
    (``night/2``, ``visit_city/1``) applies to legs and hotels. The explanation engine
    narrows this down with the rules' ground instances (a rule whose instances name
    items applies only to the items it names).
    """
    deps = dependencies(paths)
    order = [info.name for p in paths for info in describe(p)]
    choices = set(CATEGORY_CHOICE.values())
    out: dict[Category, list[str]] = {}
    for cat, own in CATEGORY_CHOICE.items():
        names = []
        for name in dict.fromkeys(order):
            read = deps.get(name, set())
            if own in read or (not (read & choices) and cat in ("transport", "hotel")):
                names.append(name)
        out[cat] = names
    return out


def vocabulary_table() -> str:
    """docs/rules.md's table of the vocabulary: every declared predicate, with the shipped
    rule files that read it (``python -c "from neurosym.rules import vocabulary_table as t; print(t())"``)."""
    return V.markdown_table(fact_readers())


# -- the number proof of the shipped files (neurosym.bounds, docs/rules.md "Number limits") --

@cache
@_ast_locked
def shipped_analysis():  # noqa: ANN201 - a rangecheck.Analysis
    """The interval analysis of every shipped rule file (computed once, from the statements
    :func:`statements` already parsed)."""
    paths = sorted(rules_dir().rglob("*.lp"))
    return analyse(paths, INPUT_RANGES, statements=[(str(p), s) for p in paths for s in statements(p)])


def library_ranges() -> dict[tuple[str, int], tuple]:
    """The ranges of every predicate of the shipped rules: the inputs of a user's rule file."""
    return {s: tuple(r) for s, r in shipped_analysis().predicates.items()}


def report() -> str:
    """The table of ``docs/rules.md`` ("Number limits"): every arithmetic expression and
    every problem-sized sum of the shipped rule files, with its worst case."""
    an = shipped_analysis()
    rows = ["| where | expression | worst case |", "| --- | --- | --- |"]
    seen: set[tuple[str, str]] = set()
    for e in an.expressions:
        key = (e.where.split(":")[0], e.text)
        if key in seen:
            continue
        seen.add(key)
        rows.append(f"| {e.where} | `{e.text}` | {e.interval[0]:,} .. {e.interval[1]:,} |")
    sums = ["| sum | weights (each) | bounded per problem by |", "| --- | --- | --- |"]
    for w in an.weights:
        if w.key in PROBLEM_SUMS and w.interval is not None:
            kind = f"`#sum` ({w.where})" if w.kind != "minimize" else f"objective @{w.priority} ({w.where})"
            sums.append(f"| {kind} | `{w.text}`: {w.interval[0]:,} .. {w.interval[1]:,} | {PROBLEM_SUMS[w.key][0]} |")
    return "\n".join(rows) + "\n\n" + "\n".join(sums)
