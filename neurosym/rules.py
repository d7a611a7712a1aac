"""The rule files: where they are, what they say, and checking the ones users add.

Every hard rule in ``rules/*.lp`` derives ``violation(Name, Values)``; the comment line
``%! Name: message`` above it is the text shown to a user, with ``{Var}`` standing for
the value of that variable of the rule head (``{Var:time}`` prints minutes as a clock
time, ``{Var:money}`` cents as money). A user's rule file is explained the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import clingo
from clingo import ast

from .asp import INPUT_PREDICATES, Value, text
from .catalog import clock

#: Rule files of the core, in load order.
CORE_FILES = ("core.lp", "route.lp", "transport.lp", "hotels.lp", "activities.lp", "budget.lp",
              "keep.lp", "objective.lp", "symmetry.lp")
#: Predicates user files may define: new hard rules are new ``violation/2`` rules.
USER_DEFINABLE = frozenset({("violation", 2)})

_MESSAGE = re.compile(r"^\s*%!\s*([a-z][A-Za-z0-9_]*)\s*:\s*(.+?)\s*$")


class RuleFileError(ValueError):
    """A rule file that cannot be used: a syntax error or a clash with the library's predicates."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple:  # pickles whole: a batch sends it back from a worker
        return (type(self), (self.path, self.line, self.message))


@cache
def rules_dir() -> Path:
    """The folder of the shipped rule files (inside the wheel, or the source tree's ``rules/``)."""
    here = Path(__file__).resolve().parent
    for cand in (here / "rules", here.parent / "rules"):
        if (cand / "core.lp").is_file():
            return cand
    raise FileNotFoundError("rule files not found next to the neurosym package")


def core_paths() -> list[Path]:
    return [rules_dir() / name for name in CORE_FILES]


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
            return text(v)

        return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::(time|money))?\}", fill, self.message)

    @property
    def where(self) -> str:
        return f"{Path(self.path).name}:{self.line}"


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


def _head_signatures(stm: ast.AST) -> list[tuple[str, int, int]]:
    """(name, arity, line) of every atom a rule statement can derive."""
    found: list[tuple[str, int, int]] = []

    class Heads(ast.Transformer):
        def visit_SymbolicAtom(self, node: ast.AST) -> ast.AST:  # noqa: N802 (clingo API)
            term = node.symbol
            if term.ast_type == ast.ASTType.Function:
                found.append((term.name, len(term.arguments), term.location.begin.line))
            elif term.ast_type == ast.ASTType.SymbolicTerm:
                sym = term.symbol
                if sym.type == clingo.SymbolType.Function:
                    found.append((sym.name, len(sym.arguments), term.location.begin.line))
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
def _describe_cached(path: str, mtime: float) -> tuple[RuleInfo, ...]:
    p = Path(path)
    stms = _parse(p)
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
def reserved_predicates() -> frozenset[tuple[str, int]]:
    """Predicates the library defines (its input facts and the heads of its rules)."""
    sigs = set(INPUT_PREDICATES)
    for p in core_paths():
        for stm in _parse(p):
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
    _check_cached(str(p.resolve()), p.stat().st_mtime_ns, reserved)
    return p


@lru_cache(maxsize=64)
def _check_cached(path: str, mtime_ns: int, reserved: frozenset[tuple[str, int]]) -> None:
    p = Path(path)
    for stm in _parse(p):
        for name, arity, line in _head_signatures(stm):
            if (name, arity) in USER_DEFINABLE:
                continue
            if name.startswith("ns_") or (name, arity) in reserved:
                raise RuleFileError(p, line, f"defines {name}/{arity}, a predicate of the neurosym rules; "
                                             "add rules as violation(Name, Values) or integrity constraints")


def rule_catalog(extra: list[Path] | tuple[Path, ...] = ()) -> dict[str, RuleInfo]:
    """Every named rule of the core files and the given extra files, by name."""
    out: dict[str, RuleInfo] = {}
    for p in [*core_paths(), *extra]:
        for info in describe(p):
            out.setdefault(info.name, info)
    return out
