"""An answer of the rules: the itinerary as their output atoms (:class:`Plan`), decoded once.

The planner reads its itinerary from a :class:`Plan`, and the explanation engine
compares, fixes and counts plans; both read answers only through
:func:`neurosym.vocab.decode`, so only the program's own output predicates are read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import clingo

from . import vocab as V
from .asp import Option, symbol


@dataclass(frozen=True)
class Plan:
    """An itinerary as the output atoms of the rules.

    ``take``: the ways the moves are made; ``stay``: (city, hotel); ``night``: (day,
    city) for every night; ``at``: (day, slot, place). ``objective`` is the planner's
    objective when known (highest priority first).
    """

    take: frozenset[Option] = frozenset()
    stay: frozenset[tuple[str, str]] = frozenset()
    night: frozenset[tuple[int, str]] = frozenset()
    at: frozenset[tuple[int, int, str]] = frozenset()
    objective: tuple[int, ...] = ()

    @classmethod
    def from_symbols(cls, symbols: Iterable[clingo.Symbol], objective: Sequence[int] = ()) -> "Plan":
        rows = V.decode(symbols, (V.Take, V.Stay, V.Night, V.At))
        return cls(take=frozenset(r[0] for r in rows[V.Take]), stay=frozenset(rows[V.Stay]),
                   night=frozenset(rows[V.Night]), at=frozenset(rows[V.At]), objective=tuple(objective))

    def with_objective(self, objective: Sequence[int]) -> "Plan":
        return Plan(self.take, self.stay, self.night, self.at, tuple(objective))

    @property
    def cities(self) -> set[str]:
        return {c for c, _ in self.stay}

    def places(self) -> set[str]:
        """The meals and visits."""
        return {i for _, _, i in self.at}

    def chosen(self) -> set[str | Option]:
        """Every candidate of the plan: the options taken, the hotels, the places."""
        return set(self.take) | {h for _, h in self.stay} | self.places()

    def nights_in(self, city: str) -> int:
        return sum(1 for _, c in self.night if c == city)

    def present(self, day: int) -> set[str]:
        """The cities the traveller is in on a day (of the nights before and after it)."""
        nights = dict(self.night)
        return {c for c in (nights.get(day - 1), nights.get(day)) if c is not None}

    def route(self) -> list[str]:
        """The cities in the order they are slept in."""
        return list(dict.fromkeys(c for _, c in sorted(self.night)))

    def symbols(self) -> set[clingo.Symbol]:
        """The plan's atoms as clingo symbols (``visit_city/1`` included), to fix a program to it."""
        F = clingo.Function
        out = {F("take", [symbol(k)]) for k in self.take}
        out |= {F("stay", [symbol(c), symbol(h)]) for c, h in self.stay}
        out |= {F("visit_city", [symbol(c)]) for c, _ in self.stay}
        out |= {F("night", [symbol(d), symbol(c)]) for d, c in self.night}
        out |= {F("at", [symbol(d), symbol(s), symbol(i)]) for d, s, i in self.at}
        return out


@dataclass
class Answer:
    """The best plan found by one solve, whether it is proven optimal, its objective and timings."""

    plan: Plan
    optimal: bool
    cost: list[int]
    stats: dict[str, float] = field(default_factory=dict)
    bound: int | None = None
    """An upper bound on the objective's priority-2 value that no itinerary beats
    (:mod:`neurosym.bound`), when one was proven."""
