"""Values and terms: the mapping between Python values and clingo symbols.

Python never writes ASP rules. It supplies facts, declared in :mod:`neurosym.vocab`,
whose arguments are plain values printed by :func:`term`, which writes exactly what
clingo's own symbol printer writes (``str`` becomes a quoted, escaped string; ``int`` a
number; :class:`Const` a constant; ``tuple`` a tuple term; :class:`Option` and
:class:`Hub` their terms; tests compare the two). A name such as ``Bob's "Bar". :- x.``
therefore stays one string and can never change the program. Printing in Python is
several times faster than building a ``clingo.Symbol`` per value, which is what made
fact building a fixed cost of every plan. :func:`value` is the inverse mapping.

Keys of different kinds never collide because they have different term shapes: a
place is its catalog id (a string), a way to make a move is ``opt(Item, Day,
Departure)`` (:class:`Option`, flights and ground legs alike), and a city's station or
airport is ``hub(City)`` (:class:`Hub`). A flight whose id reads like a ground leg's
departure (``train:A>B@1@720``) is therefore still a different key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import clingo

from .limits import INT32_MAX as NUMBER_MAX, INT32_MIN as NUMBER_MIN


@dataclass(frozen=True)
class Const:
    """A bare ASP constant such as ``flight`` or ``breakfast`` (never user text)."""

    name: str

    def __post_init__(self) -> None:
        const(self.name)


class Option(NamedTuple):
    """One way to make a move, the term ``opt(Item, Day, Departure)``: the catalog id of
    a flight or ground leg, the trip day, and the departure in minutes after midnight."""

    item: str
    day: int
    departure: int


class Hub(NamedTuple):
    """A city's airport or station, the term ``hub(City)``."""

    city: str


Value = str | int | Const | Option | Hub | tuple

_CONSTANT = re.compile(r"^[a-z][A-Za-z0-9_]*$")
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n"})


def symbol(v: Value | clingo.Symbol) -> clingo.Symbol:
    """The clingo symbol for a plain Python value (a symbol passes through)."""
    if isinstance(v, clingo.Symbol):
        return v
    if isinstance(v, bool):
        raise TypeError("booleans have no ASP symbol; use a fact without arguments")
    if isinstance(v, str):
        return clingo.String(_checked_string(v))
    if isinstance(v, int):
        return clingo.Number(_checked_number(v))
    if isinstance(v, Const):
        return clingo.Function(v.name)
    if isinstance(v, Option):
        return clingo.Function("opt", [symbol(v.item), symbol(v.day), symbol(v.departure)])
    if isinstance(v, Hub):
        return clingo.Function("hub", [symbol(v.city)])
    if isinstance(v, tuple):
        return clingo.Tuple_([symbol(x) for x in v])
    raise TypeError(f"no ASP symbol for {type(v).__name__}")


def term(v: Value | clingo.Symbol) -> str:
    """The ASP text of a plain value, exactly as clingo prints ``symbol(v)``.

    Strings are quoted, with backslash, double quote and newline escaped (clingo's
    own string syntax), so no text can end a string early or add to the program.
    """
    if isinstance(v, str):
        return '"' + _checked_string(v).translate(_ESCAPES) + '"'
    if isinstance(v, bool):
        raise TypeError("booleans have no ASP symbol; use a fact without arguments")
    if isinstance(v, int):
        return str(_checked_number(v))
    if isinstance(v, Const):
        return v.name
    if isinstance(v, Option):
        return f"opt({term(v.item)},{term(v.day)},{term(v.departure)})"
    if isinstance(v, Hub):
        return f"hub({term(v.city)})"
    if isinstance(v, tuple):
        inner = ",".join(term(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, clingo.Symbol):
        return str(v)
    raise TypeError(f"no ASP symbol for {type(v).__name__}")


def _checked_string(v: str) -> str:
    if "\0" in v:  # clingo's strings end at NUL: the rest of the text would be lost
        raise ValueError(f"text {v!r} contains a NUL character, which clingo cannot hold")
    return v


def _checked_number(v: int) -> int:
    if not NUMBER_MIN <= v <= NUMBER_MAX:
        raise OverflowError(f"{v} does not fit clingo's 32-bit numbers")
    return v


_CONSTANTS: set[str] = set()


def const(name: str) -> str:
    """The ASP text of a constant: ``name`` itself, checked to be one (never user text)."""
    if name in _CONSTANTS:
        return name
    if not isinstance(name, str) or not _CONSTANT.match(name):
        raise ValueError(f"not an ASP constant: {name!r}")
    if len(_CONSTANTS) < 1024:
        _CONSTANTS.add(name)
    return name


def number(v: int) -> str:
    """The ASP text of a number, checked to fit clingo's 32 bits."""
    if type(v) is int and NUMBER_MIN <= v <= NUMBER_MAX:
        return str(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"not a number: {v!r}")
    return str(_checked_number(v))


_QUOTED: dict[str, str] = {}   # the printed form of strings already printed (ids repeat in many facts)
_OPTIONS: dict[Option, str] = {}


def string(v: str) -> str:
    """The ASP text of a string: quoted, with backslash, double quote and newline escaped."""
    out = _QUOTED.get(v) if type(v) is str else None
    if out is None:
        if type(v) is not str:
            raise TypeError(f"not a string: {v!r}")
        out = '"' + _checked_string(v).translate(_ESCAPES) + '"'
        if len(_QUOTED) > 100_000:
            _QUOTED.clear()
        _QUOTED[v] = out
    return out


def option(v: Option) -> str:
    """The ASP text of a way to make a move: ``opt("Item",Day,Departure)``."""
    out = _OPTIONS.get(v) if type(v) is Option else None
    if out is None:
        if type(v) is not Option:
            raise TypeError(f"not an Option: {v!r}")
        out = f"opt({string(v.item)},{number(v.day)},{number(v.departure)})"
        if len(_OPTIONS) > 100_000:
            _OPTIONS.clear()
        _OPTIONS[v] = out
    return out


def place_or_option(v: str | Option) -> str:
    """A candidate: a place id (a string) or a way to make a move."""
    return string(v) if type(v) is str else option(v)


def place_or_hub(v: str | Hub) -> str:
    """A place id (a string) or a city's station ``hub("City")``."""
    if type(v) is str:
        return string(v)
    if type(v) is not Hub:
        raise TypeError(f"not a place id or Hub: {v!r}")
    return f"hub({string(v.city)})"


def value(s: clingo.Symbol) -> Value:
    """The Python value of a clingo symbol (inverse of :func:`symbol`)."""
    if s.type == clingo.SymbolType.String:
        return s.string
    if s.type == clingo.SymbolType.Number:
        return s.number
    if s.type == clingo.SymbolType.Function:
        args = s.arguments
        if s.name == "":
            return tuple(value(a) for a in args)
        if not args:
            return Const(s.name)
        if s.name == "opt" and len(args) == 3 and args[0].type == clingo.SymbolType.String:
            return Option(args[0].string, args[1].number, args[2].number)
        if s.name == "hub" and len(args) == 1 and args[0].type == clingo.SymbolType.String:
            return Hub(args[0].string)
        return (Const(s.name), *(value(a) for a in args))
    raise TypeError(f"unsupported symbol {s}")


def text(v: Value) -> str:
    """A readable form of a value read back from an answer."""
    match v:
        case Const(name=name):
            return name
        case Hub(city=city):
            return f"the station of {city}"
        case Option(item=item, day=day, departure=dep):
            return f"{item} (day {day}, {dep // 60:02d}:{dep % 60:02d})"
        case tuple():
            return ", ".join(text(x) for x in v)
    return str(v)
