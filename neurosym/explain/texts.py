"""Texts: the traveller's constraints in words, and broken rules rendered with names.

Every text comes from the request or from the rules' ``%!`` messages; the constraint
terms are those of ``user_constraint/1`` in ``core.lp``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import clingo

from ..asp import Const, Hub, Option, Value, text
from ..request import TripRequest
from ..rules import RuleInfo, shown_path
from .types import Broken, ConstraintRef

#: The TripRequest field each kind of traveller constraint comes from.
CONSTRAINT_FIELDS = {"budget": "budget", "need": "house_rules", "room_type": "room_types", "cuisine": "cuisines",
                     "mode": "exclude_modes", "earliest_departure": "earliest_departure",
                     "latest_return": "latest_return", "fixed_order": "fixed_order", "keep": "keep"}


def first_arg(c: clingo.Symbol) -> str:
    """The first argument of a constraint term as text ("" when it has none)."""
    if not c.arguments:
        return ""
    a = c.arguments[0]
    return a.string if a.type == clingo.SymbolType.String else a.name if a.type == clingo.SymbolType.Function else str(a)


def term_text(c: clingo.Symbol) -> str:
    """A constraint term as users read it: ``budget``, ``need(pets)``, ``cuisine(italian)``."""
    if not c.arguments:
        return c.name
    return f"{c.name}({', '.join(a.string if a.type == clingo.SymbolType.String else str(a) for a in c.arguments)})"


def _clock(t: Any) -> str:
    return t.strftime("%H:%M") if t is not None else ""


def _need(req: TripRequest, arg: str) -> str:
    src = ("your pet" if arg == "pets" and req.travelers.pets else
           "the children travelling" if arg == "children" and req.travelers.children else "your house rules")
    return f"need for a stay that allows {arg} ({src})"


def _keep(req: TripRequest, c: clingo.Symbol) -> str:
    k = req.keep[c.arguments[0].number - 1]
    when = "".join([f" on day {k.day}" if k.day is not None else "",
                    f" for {k.nights} night{'s' if k.nights != 1 else ''}" if k.nights else "",
                    f" at {k.start.strftime('%H:%M')}" if k.start is not None else ""])
    return f"keep of {k.item_id}{when}"


#: Each kind of traveller constraint in words, from the request and the term.
_TEXTS: dict[str, Callable[[TripRequest, clingo.Symbol], str]] = {
    "budget": lambda req, c: f"budget of {req.budget:.2f}",
    "need": lambda req, c: _need(req, first_arg(c)),
    "room_type": lambda req, c: f"room types {', '.join(req.room_types or [])}",
    "cuisine": lambda req, c: f"wish for a {first_arg(c)} meal",
    "mode": lambda req, c: f"exclusion of {first_arg(c)} travel",
    "earliest_departure": lambda req, c: f"earliest departure at {_clock(req.earliest_departure)}",
    "latest_return": lambda req, c: f"latest return at {_clock(req.latest_return)}",
    "fixed_order": lambda req, c: f"fixed order {' -> '.join(req.destinations)}",
    "keep": _keep,
}


def constraint_text(req: TripRequest, c: clingo.Symbol) -> str:
    """The traveller's constraint in words (``budget of 352.00``, ``wish for a thai meal``)."""
    make = _TEXTS.get(c.name)
    if make is None:
        return str(c)
    if c.name == "keep" and not (c.arguments and c.arguments[0].type == clingo.SymbolType.Number
                                 and 1 <= c.arguments[0].number <= len(req.keep)):
        return str(c)
    return make(req, c)


def constraint_ref(req: TripRequest, c: clingo.Symbol) -> ConstraintRef:
    return ConstraintRef(name=term_text(c), field=CONSTRAINT_FIELDS.get(c.name, c.name),
                         text=constraint_text(req, c))


def render_broken(violations: Iterable[tuple[str, tuple[Value, ...]]], info: dict[str, RuleInfo],
                  describe: Callable[[Value], tuple[str, str] | None]) -> list[Broken]:
    """Broken rule instances as :class:`Broken`, their messages filled in with names.

    ``describe`` gives a value that is a candidate or catalog item its name and the key
    users write for it (None: not one); such values are listed in ``items`` by that key.
    """
    def shown(v: Value) -> Value:
        if isinstance(v, (str, Option)):
            d = describe(v)
            return v if d is None else d[0]
        if isinstance(v, tuple) and not isinstance(v, Hub) and not (v and isinstance(v[0], Const)):
            return tuple(shown(x) for x in v)
        return v

    out = []
    for rule, values in sorted(violations, key=lambda v: (v[0], str(v[1]))):
        r = info.get(rule)
        named = tuple(shown(v) for v in values)
        items = [d[1] for v in values if isinstance(v, (str, Option)) for d in [describe(v)] if d is not None]
        if r is None:
            out.append(Broken(rule=rule, file="", line=0, text=f"rule {rule} is broken",
                              values=[text(v) for v in named], items=items))
        else:
            out.append(Broken(rule=rule, file=shown_path(r.path), line=r.line, text=r.render(named),
                              values=[text(v) for v in named], items=items))
    return out
