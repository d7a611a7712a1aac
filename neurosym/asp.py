"""The typed mapping between Python values and clingo symbols.

Python never writes ASP rules. It supplies facts (:class:`Fact`: a predicate name and
plain values) and prints them with :func:`term`, which writes exactly what clingo's own
symbol printer writes (``str`` becomes a quoted, escaped string; ``int`` a number;
:class:`Const` a constant; ``tuple`` a tuple term; tests compare the two). A name such
as ``Bob's "Bar". :- x.`` therefore stays one string and can never change the program.
Printing in Python is several times faster than building a ``clingo.Symbol`` per value,
which is what made fact building a fixed cost of every plan. Answers come back through
:func:`value`, the inverse mapping; :attr:`Fact.symbol` gives a fact's clingo symbol.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import clingo

#: The fact predicates Python supplies (name, arity). User rule files may read them
#: but never define them.
INPUT_PREDICATES: frozenset[tuple[str, int]] = frozenset({
    ("trip_days", 1), ("day", 1), ("weekday", 2), ("origin", 1), ("dest", 1), ("visit_count", 1),
    ("fixed_order", 0), ("dest_order", 2), ("people", 1), ("need", 1), ("budget", 1), ("cost_unit", 1),
    ("room_type_wanted", 1), ("cuisine_wanted", 1), ("mode_excluded", 1),
    ("earliest_departure", 1), ("latest_return", 1), ("pace", 1), ("meals_all", 0),
    ("slot", 3), ("meal_window", 3), ("day_start", 1), ("buffer", 3),
    ("leg", 7), ("leg_price", 3), ("leg_capacity", 2),
    ("hotel", 2), ("hotel_price", 3), ("hotel_room", 2), ("hotel_occupancy", 2),
    ("hotel_checkin", 3), ("hotel_checkout", 2), ("hotel_min_nights", 2), ("hotel_forbids", 2),
    ("attraction", 2), ("restaurant", 2), ("city_of", 2), ("place_price", 2), ("duration", 2),
    ("open", 4), ("open_daily", 3), ("serves", 2), ("radius", 2), ("pref", 2),
    ("peq", 2), ("peq_order", 2), ("tick", 3),
    ("keep", 3), ("keep_take", 2), ("keep_at", 4), ("keep_used", 2), ("keep_stay", 2), ("keep_night", 3),
})


@dataclass(frozen=True)
class Const:
    """A bare ASP constant such as ``flight`` or ``breakfast`` (never user text)."""

    name: str

    def __post_init__(self) -> None:
        if not (self.name[:1].islower() and self.name.replace("_", "").isalnum() and self.name.isascii()):
            raise ValueError(f"not an ASP constant: {self.name!r}")


Value = str | int | Const | tuple

#: The range of clingo's numbers (32-bit signed integers).
NUMBER_MIN, NUMBER_MAX = -(2**31), 2**31 - 1
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


class Fact(NamedTuple):
    """One fact: a predicate name and its arguments as plain values.

    Facts stay plain Python until they reach clingo: :func:`facts_text` prints them
    (see :func:`term`), and :attr:`symbol` gives the clingo symbol when one is needed.
    """

    name: str
    args: tuple[Value | clingo.Symbol, ...]

    @property
    def symbol(self) -> clingo.Symbol:
        return clingo.Function(self.name, [symbol(a) for a in self.args])

    def text(self) -> str:
        """The fact in ASP, without the final period."""
        if not self.args:
            return self.name
        return f"{self.name}({','.join(term(a) for a in self.args)})"


def fact(name: str, *args: Value | clingo.Symbol) -> Fact:
    return Fact(name, args)


def hub(city: str) -> clingo.Symbol:
    """The term ``hub("City")`` standing for a city's airport or station."""
    return clingo.Function("hub", [clingo.String(city)])


def facts_text(facts: Iterable[Fact | clingo.Symbol]) -> str:
    """The facts as ASP text, one per line; strings quoted and escaped as clingo does."""
    return "".join(f"{f.text() if isinstance(f, Fact) else f}.\n" for f in facts)


def value(s: clingo.Symbol) -> Value:
    """The Python value of a clingo symbol (inverse of :func:`symbol`)."""
    if s.type == clingo.SymbolType.String:
        return s.string
    if s.type == clingo.SymbolType.Number:
        return s.number
    if s.type == clingo.SymbolType.Function:
        if s.name == "" :
            return tuple(value(a) for a in s.arguments)
        if not s.arguments:
            return Const(s.name)
        return (Const(s.name), *(value(a) for a in s.arguments))
    raise TypeError(f"unsupported symbol {s}")


def text(v: Value) -> str:
    """A readable form of a value read back from an answer."""
    if isinstance(v, Const):
        return v.name
    if isinstance(v, tuple):
        if v and isinstance(v[0], Const) and v[0].name == "hub":
            return f"the station of {v[1]}"
        return ", ".join(text(x) for x in v)
    return str(v)
