"""The weather in explanations: the slots the forecast keeps an outdoor candidate out of.

Every rule of ``rules/weather.lp`` is decided by facts alone (the place, the day, the
slot and the forecast), so the ground instances of its ``violation/2`` rule in a program
are exactly the placements it forbids, with the forecast's values in them. They are
rendered from the rules' ``%!`` lines like any broken rule ("Englischer Garten is
outdoors, and the forecast gives 92% rain 14:00-17:00 in Munich on Wednesday (day 3),
at or above the rain threshold of 60%") and added to the entries of the outdoor
candidates the weather moved (chosen, but kept out of some slots) or left out.
"""

from __future__ import annotations

from .. import vocab as V
from ..asp import value
from ..problem import Key
from ..rules import weather_rule_names
from .context import Context
from .programs import Programs
from .types import Broken, TraceEntry

#: At most this many of a candidate's forbidden slots are spelled out in its entry's text.
SHOWN = 3


def weather_broken(ctx: Context, progs: Programs, keys: set[Key]) -> dict[Key, list[tuple[int, Broken]]]:
    """For each of ``keys`` the weather touches, every slot a weather rule keeps it out of:
    the day and the rendered rule (from one small program over the itinerary's items and
    ``keys``), in the order of the trip."""
    keys = {k for k in keys if k in ctx.problem.weather_affected}
    if not keys:
        return {}
    names = weather_rule_names()
    found: dict[Key, list[tuple[str, tuple]]] = {}
    for sym in progs.small(set(ctx.chosen0) | keys).atoms(V.Violation):
        rule = V.rule_name(value(sym.arguments[0]))
        if rule not in names:
            continue
        values = value(sym.arguments[1])
        values = values if isinstance(values, tuple) else (values,)
        if values and values[0] in keys:
            found.setdefault(values[0], []).append((rule, values))
    # the weather rules' values are (Place, Value, From, End, City, Weekday, Day, Limit): rules/weather.lp
    return {k: [(x[1][6], ctx.broken([x])[0]) for x in sorted(v, key=lambda x: (x[1][6], x[1][2], x[0]))]
            for k, v in found.items()}


def _worst(rule_values: list[tuple[int, Broken]]) -> Broken:
    """The instance with the worst forecast value (most rain, most heat, most cold)."""
    def badness(b: Broken) -> float:
        v = float(b.values[1])
        return -v if b.rule == "weather_cold" else v
    return max((b for _, b in rule_values), key=badness)


def add_weather(entry: TraceEntry, found: list[tuple[int, Broken]]) -> TraceEntry:
    """Say in ``entry`` which slots the weather keeps its candidate out of: how many, and on
    each day the worst of them in the rule's words (a candidate that is not chosen gets
    every one of them in ``broken`` too, as for any slot it would break a rule in)."""
    new = [(d, b) for d, b in found if b not in entry.broken]
    if not new:
        return entry
    days: dict[int, list[tuple[int, Broken]]] = {}
    for d, b in new:
        days.setdefault(d, []).append((d, b))
    parts = []
    for d, group in list(days.items())[:SHOWN]:
        b = _worst(group)
        others = len(group) - 1
        parts.append(f"{b.rule}: {b.text}" + (f" (and {others} more slot{'s' if others != 1 else ''} that day)"
                                                 if others else ""))
    more = f"; and on {len(days) - SHOWN} more days" if len(days) > SHOWN else ""
    n = len(new)
    entry.text += f". The forecast keeps it out of {n} slot{'s' if n != 1 else ''}: {'; '.join(parts)}{more}"
    if entry.status != "chosen":
        entry.broken = [*entry.broken, *(b for _, b in new)]
    return entry


def add_risk(ctx: Context, entry: TraceEntry, key: Key) -> TraceEntry:
    """A chosen outdoor visit in bad weather that the traveller accepts: what it costs it
    (``weather_loss/4`` of ``rules/weather.lp``)."""
    for d, s, i in sorted(ctx.plan0.at):
        lost = ctx.problem.weather_loss(d, s, i) if i == key else 0
        if lost:
            found = ctx.problem.weather_exposures(d, s, i)
            entry.text += (f". In bad weather, which you accept ({', '.join(e.text() for e in found)} on day {d}): "
                           f"it counts {lost} of its {ctx.points(key)} preference points less")
    return entry


def annotate(ctx: Context, progs: Programs, entries: dict[Key, TraceEntry]) -> None:
    """Add the weather to the entries of every outdoor candidate it touches."""
    for key, found in weather_broken(ctx, progs, set(entries)).items():
        add_weather(entries[key], found)
    if ctx.problem.request.weather.risk == "accept":
        for key, entry in entries.items():
            if entry.status == "chosen" and key in ctx.problem.weather_affected:
                add_risk(ctx, entry, key)
