"""The predicate vocabulary: every predicate Python and the rule files exchange, declared once.

Each predicate is a typed clorm ``Predicate`` (Potassco's ORM for clingo facts): its
name, its fields in order and their types, and a one-line meaning. Everything else is
derived from these declarations:

- the **fact printer** (:func:`fact`, :func:`facts_text`): a fact is a declaration and
  plain Python values, printed by a formatter compiled from the field types (a
  ``ConstantField`` prints bare and is checked to be a constant, every other value is
  quoted and escaped by :func:`neurosym.asp.term`). This is clorm's typing without
  building a ``clingo.Symbol`` per value, which measured 4x slower on the demo (see
  docs/performance.md);
- the **answer decoding** (:func:`decode`): shown symbols become typed rows through the
  declared fields' own clorm conversions, and only symbols of declared output
  predicates are read;
- the **docs' table** (:func:`markdown_table`, in docs/rules.md) and the test that every
  predicate a rule file reads from facts is declared here, and every declared one is used.

Key terms (see :mod:`neurosym.asp`): places are strings, ways to make a move are
``opt(Item,Day,Dep)`` and stations ``hub(City)``, so keys of different kinds never collide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import clingo
from clorm import BaseField, ConstantField, IntegerField, Predicate, StringField, combine_fields

from . import asp
from .asp import Hub, Option


# -- fields for the key terms ------------------------------------------------------------

def _term_field(kind: type, doc: str) -> type[BaseField]:
    """A clorm field for one of the key terms of :mod:`neurosym.asp` (a NamedTuple type)."""

    def pytocl(v: Any) -> clingo.Symbol:
        if not isinstance(v, kind):
            raise TypeError(f"not a {kind.__name__}: {v!r}")
        return asp.symbol(v)

    def cltopy(s: clingo.Symbol) -> Any:
        v = asp.value(s)
        if not isinstance(v, kind):
            raise TypeError(f"not a {kind.__name__} term: {s}")
        return v

    return type(f"{kind.__name__}Field", (BaseField,), {"pytocl": pytocl, "cltopy": cltopy, "__doc__": doc})


#: A way to make a move: ``opt(Item,Day,Dep)`` <-> :class:`neurosym.asp.Option`.
OptionField = _term_field(Option, "A way to make a move: opt(Item,Day,Dep).")
#: A city's station or airport: ``hub(City)`` <-> :class:`neurosym.asp.Hub`.
HubField = _term_field(Hub, "A city's station or airport: hub(City).")


class ValueField(BaseField):
    """Any value (a rule's values in ``violation/2``), read with :func:`neurosym.asp.value`."""

    pytocl = asp.symbol
    cltopy = asp.value


#: A candidate: a place (its catalog id) or a way to make a move.
CandidateField = combine_fields([StringField, OptionField], name="CandidateField")
#: A place or a city's station (``radius/2``).
LocationField = combine_fields([StringField, HubField], name="LocationField")


def _pred(name: str, doc: str, fields: Sequence[tuple[str, type[BaseField]]], group: str) -> type[Predicate]:
    """Declare one predicate: its name, a one-line meaning, its fields, its group."""
    body: dict[str, Any] = {f: t for f, t in fields}
    body["Meta"] = type("Meta", (), {"name": name})
    body["__doc__"] = doc
    cls = type("".join(p.capitalize() for p in name.split("_")), (Predicate,), body)
    _GROUPS.setdefault(group, []).append(cls)
    return cls


_GROUPS: dict[str, list[type[Predicate]]] = {}
S, I, C = StringField, IntegerField, ConstantField

# -- input facts: the request ------------------------------------------------------------
TripDays = _pred("trip_days", "the trip has N days", [("n", I)], "input")
Day = _pred("day", "D is a day of the trip (1..N)", [("d", I)], "input")
Weekday = _pred("weekday", "day D is weekday W (0 = Monday)", [("d", I), ("w", I)], "input")
Origin = _pred("origin", "the trip starts and ends in city C", [("c", S)], "input")
Dest = _pred("dest", "city C may be visited", [("c", S)], "input")
VisitCount = _pred("visit_count", "K of the destinations are visited", [("k", I)], "input")
FixedOrder = _pred("fixed_order", "the destinations are visited in the order given", [], "input")
DestOrder = _pred("dest_order", "destination C is K-th in the order given", [("c", S), ("k", I)], "input")
People = _pred("people", "N people travel", [("n", I)], "input")
Need = _pred("need", "the party needs a stay that allows R (pets, children, ...)", [("r", C)], "input")
Budget = _pred("budget", "the budget, in cents", [("b", I)], "input")
CostUnit = _pred("cost_unit", "the budget check and the cost objective count in units of U cents (1 unless the "
                 "candidates together exceed 2^31-1 cents: neurosym.bounds)", [("u", I)], "input")
RoomTypeWanted = _pred("room_type_wanted", "room type T is acceptable", [("t", C)], "input")
CuisineWanted = _pred("cuisine_wanted", "some meal must serve cuisine Q (lower case)", [("q", S)], "input")
ModeExcluded = _pred("mode_excluded", "no leg may use mode M", [("m", C)], "input")
EarliestDeparture = _pred("earliest_departure", "the first leg leaves at T or later", [("t", I)], "input")
LatestReturn = _pred("latest_return", "the last leg arrives home by T", [("t", I)], "input")
HomeByMidnight = _pred("home_by_midnight", "the last leg arrives home before the last day ends", [], "input")
Pace = _pred("pace", "at most P visits a day", [("p", I)], "input")
MealsAll = _pred("meals_all", "every full day has breakfast, lunch and dinner", [], "input")
Slot = _pred("slot", "slot S starts at T and holds a K (breakfast, lunch, dinner, visit)",
             [("s", I), ("k", C), ("t", I)], "input")
MealWindow = _pred("meal_window", "meal K lies between From and To", [("k", C), ("f", I), ("to", I)], "input")
DayStart = _pred("day_start", "nobody leaves a hotel for a departure before T", [("t", I)], "input")
Buffer = _pred("buffer", "minutes at the hub before a departure and after an arrival by mode M",
               [("m", C), ("before", I), ("after", I)], "input")
# -- input facts: the candidates -----------------------------------------------------------
Leg = _pred("leg", "option L goes by mode M from P to C on day D, leaving at Dep, arriving at Arr",
            [("l", OptionField), ("m", C), ("p", S), ("c", S), ("d", I), ("dep", I), ("arr", I)], "input")
LegPrice = _pred("leg_price", "option L costs A cents per person or per vehicle (B)",
                 [("l", OptionField), ("a", I), ("b", C)], "input")
LegCapacity = _pred("leg_capacity", "one vehicle of option L carries N people", [("l", OptionField), ("n", I)],
                    "input")
Hotel = _pred("hotel", "H is a hotel in city C", [("h", S), ("c", S)], "input")
HotelPrice = _pred("hotel_price", "a night at H costs A cents per room or per person (B)",
                   [("h", S), ("a", I), ("b", C)], "input")
HotelRoom = _pred("hotel_room", "H's room type is T", [("h", S), ("t", C)], "input")
HotelOccupancy = _pred("hotel_occupancy", "at most N people share a room of H", [("h", S), ("n", I)], "input")
HotelCheckin = _pred("hotel_checkin", "H's desk is open from Open to Close (no fact: it never closes)",
                     [("h", S), ("open", I), ("close", I)], "input")
HotelMinNights = _pred("hotel_min_nights", "a stay at H lasts at least N nights", [("h", S), ("n", I)], "input")
HotelForbids = _pred("hotel_forbids", "H does not allow R", [("h", S), ("r", C)], "input")
Attraction = _pred("attraction", "I is an attraction in city C", [("i", S), ("c", S)], "input")
Restaurant = _pred("restaurant", "I is a restaurant in city C", [("i", S), ("c", S)], "input")
CityOf = _pred("city_of", "place I is in city C", [("i", S), ("c", S)], "input")
PlacePrice = _pred("place_price", "a visit or meal at I costs A cents a person", [("i", S), ("a", I)], "input")
Duration = _pred("duration", "a visit or meal at I lasts U minutes", [("i", S), ("u", I)], "input")
Open = _pred("open", "I is open from From to To on weekday W", [("i", S), ("w", I), ("f", I), ("to", I)], "input")
OpenDaily = _pred("open_daily", "I is open from From to To every day", [("i", S), ("f", I), ("to", I)], "input")
Serves = _pred("serves", "restaurant I serves cuisine Q (lower case)", [("i", S), ("q", S)], "input")
Radius = _pred("radius", "M minutes from the city centre to place or hub X", [("x", LocationField), ("m", I)],
               "input")
Pref = _pred("pref", "the weighted, quantised preference W of candidate X", [("x", CandidateField), ("w", I)],
             "input")
Money = _pred("money", "what candidate X's price is worth in preference points (a hotel: a night)",
              [("x", CandidateField), ("m", I)], "input")
Late = _pred("late", "the night-time penalty of option L, in preference points", [("l", OptionField), ("p", I)],
             "input")
Peq = _pred("peq", "place I is in class K of places interchangeable for scheduling", [("i", S), ("k", I)], "input")
PeqOrder = _pred("peq_order", "I is O-th in its class", [("i", S), ("o", I)], "input")
Tick = _pred("tick", "slot S of day D is the N-th slot of its group in time", [("d", I), ("s", I), ("n", I)],
             "input")
Rank = _pred("rank", "candidate X is the R-th of its kind in the fixed order that breaks ties",
             [("x", CandidateField), ("r", I)], "input")
# -- input facts: what the request keeps (rules/keep.lp) -----------------------------------
Keep = _pred("keep", "keep number K names catalog item X, hard or soft (M)", [("k", I), ("x", S), ("m", C)], "input")
KeepTake = _pred("keep_take", "keep K is kept by taking option L", [("k", I), ("l", OptionField)], "input")
KeepAt = _pred("keep_at", "keep K is kept by place I at slot S of day D",
               [("k", I), ("d", I), ("s", I), ("i", S)], "input")
KeepUsed = _pred("keep_used", "keep K is kept by place I on any day", [("k", I), ("i", S)], "input")
KeepStay = _pred("keep_stay", "keep K is kept by staying at hotel H", [("k", I), ("h", S)], "input")
KeepNight = _pred("keep_night", "keep K needs the night of day D in city C", [("k", I), ("d", I), ("c", S)], "input")
# -- input facts of the explanation engine (rules/explain.lp) ------------------------------
NsCandidate = _pred("ns_candidate", "X is a candidate: a way to make a move, a hotel, an attraction, a restaurant",
                    [("x", CandidateField)], "explain")
NsCurrent = _pred("ns_current", "X is a choice of the itinerary being explained", [("x", CandidateField)],
                  "explain")
# -- outputs: what Python reads from an answer ---------------------------------------------
VisitCity = _pred("visit_city", "city C is visited", [("c", S)], "output")
Night = _pred("night", "the night after day D is spent in city C", [("d", I), ("c", S)], "output")
Stay = _pred("stay", "the stay in city C is at hotel H", [("c", S), ("h", S)], "output")
Take = _pred("take", "option L is taken", [("l", OptionField)], "output")
At = _pred("at", "place I is visited (or eaten at) at slot S of day D", [("d", I), ("s", I), ("i", S)], "output")
Violation = _pred("violation", "hard rule R is broken with values V (never in an itinerary)",
                  [("r", ValueField), ("v", ValueField)], "output")
NsChosen = _pred("ns_chosen", "candidate X is part of the itinerary (explanation programs)",
                 [("x", CandidateField)], "output")
NsAsked = _pred("ns_asked", "a candidate asked about is part of the itinerary (brave enumeration)",
                [("x", CandidateField)], "output")

#: The planning facts Python supplies: user rule files may read them, never define them.
INPUTS: tuple[type[Predicate], ...] = tuple(_GROUPS["input"])
#: The facts the explanation engine adds for ``rules/explain.lp``.
EXPLAIN_INPUTS: tuple[type[Predicate], ...] = tuple(_GROUPS["explain"])
#: The predicates Python reads from answers.
OUTPUTS: tuple[type[Predicate], ...] = tuple(_GROUPS["output"])
#: The output atoms that make up an itinerary (fixing them fixes the itinerary).
CHOICES: tuple[type[Predicate], ...] = (VisitCity, Night, Stay, Take, At)
#: The input predicates whose first value is a candidate (a place, or a way to make a
#: move): the facts that describe one candidate, left out when a program is restricted
#: to some candidates.
KEYED: frozenset[type[Predicate]] = frozenset({
    Leg, LegPrice, LegCapacity, Hotel, HotelPrice, HotelRoom, HotelOccupancy, HotelCheckin, HotelMinNights,
    HotelForbids, Attraction, Restaurant, CityOf, PlacePrice, Duration, Open, OpenDaily, Serves, Radius, Pref,
    Money, Late, Peq, PeqOrder, Rank})
#: (name, arity) of the input predicates.
INPUT_PREDICATES: frozenset[tuple[str, int]] = frozenset((p.meta.name, p.meta.arity) for p in INPUTS)


def signature(pred: type[Predicate]) -> tuple[str, int]:
    return pred.meta.name, pred.meta.arity


# -- the fact printer ------------------------------------------------------------------------

class Fact(NamedTuple):
    """One fact: a declared predicate and its arguments as plain Python values."""

    pred: type[Predicate]
    args: tuple[Any, ...]

    @property
    def name(self) -> str:
        return self.pred.meta.name

    def text(self) -> str:
        """The fact in ASP, without the final period."""
        name, fmts = _PRINTERS[self[0]]
        if not fmts:
            return name
        return f"{name}({','.join([f(a) for f, a in zip(fmts, self[1])])})"

    @property
    def symbol(self) -> clingo.Symbol:
        return clingo.parse_term(self.text())


def _formatter(defn: type[BaseField]) -> Callable[[Any], str]:
    return {ConstantField: asp.const, StringField: asp.string, IntegerField: asp.number, OptionField: asp.option,
            CandidateField: asp.place_or_option, LocationField: asp.place_or_hub}.get(defn, asp.term)


_PRINTERS: dict[type[Predicate], tuple[str, tuple[Callable[[Any], str], ...]]] = {
    p: (p.meta.name, tuple(_formatter(type(f.defn)) for f in p.meta)) for ps in _GROUPS.values() for p in ps}


_ARITY: dict[type[Predicate], int] = {p: len(fmts) for p, (_, fmts) in _PRINTERS.items()}


def fact(pred: type[Predicate], *args: Any) -> Fact:
    """A fact of a declared predicate (the number of values is checked here, their types
    when printed)."""
    if len(args) != _ARITY[pred]:
        raise TypeError(f"{pred.meta.name}/{pred.meta.arity} takes {pred.meta.arity} values, got {len(args)}")
    return Fact(pred, args)


def facts_text(facts: Iterable[Fact]) -> str:
    """The facts as ASP text, one per line, as clingo prints them (strings quoted and escaped)."""
    out = []
    printers = _PRINTERS
    for pred, args in facts:
        name, fmts = printers[pred]
        if fmts:
            out.append(f"{name}({','.join([f(a) for f, a in zip(fmts, args)])}).\n")
        else:
            out.append(f"{name}.\n")
    return "".join(out)


# -- decoding answers ------------------------------------------------------------------------

_READERS: dict[tuple[str, int], tuple[type[Predicate], tuple[Callable[[clingo.Symbol], Any], ...]]] = {
    (p.meta.name, p.meta.arity): (p, tuple(f.defn.cltopy for f in p.meta)) for p in OUTPUTS}


def decode(symbols: Iterable[clingo.Symbol], preds: Iterable[type[Predicate]] = OUTPUTS
           ) -> dict[type[Predicate], list[tuple[Any, ...]]]:
    """The symbols of the given output predicates, as tuples of Python values, by predicate.

    Each value is converted by its declared field (clorm's ``cltopy``); a symbol of
    another predicate, or one whose values do not fit the declaration, is not read.
    """
    wanted = set(preds)
    out: dict[type[Predicate], list[tuple[Any, ...]]] = {p: [] for p in wanted}
    for s in symbols:
        reader = _READERS.get((s.name, len(s.arguments)))
        if reader is None or reader[0] not in wanted:
            continue
        try:
            out[reader[0]].append(tuple(conv(a) for conv, a in zip(reader[1], s.arguments)))
        except (TypeError, ValueError, RuntimeError):
            continue
    return out


def rule_name(v: Any) -> str:
    """The name of a rule from the first value of ``violation/2`` (a constant)."""
    return v.name if isinstance(v, asp.Const) else str(v)


# -- the docs' table -------------------------------------------------------------------------

def markdown_table(readers: dict[tuple[str, int], list[str]] | None = None) -> str:
    """The vocabulary as a markdown table (docs/rules.md), with the rule files that read
    each predicate when ``readers`` (name/arity -> file names) is given."""
    head = "| predicate | meaning | read by |\n| --- | --- | --- |\n"
    rows = []
    for group, title in (("input", "fact"), ("explain", "explanation fact"), ("output", "output")):
        for p in _GROUPS[group]:
            args = ",".join(f.name.capitalize() for f in p.meta)
            sig = f"{p.meta.name}({args})" if args else p.meta.name
            files = ", ".join(f"`{f}`" for f in (readers or {}).get(signature(p), [])) or "Python"
            rows.append(f"| `{sig}` | {title}: {p.__doc__} | {files} |")
    return head + "\n".join(rows) + "\n"
