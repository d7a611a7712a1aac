"""The answer: a timed, multi-day :class:`Itinerary` with costs and justifications."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .catalog import clock

EventKind = Literal["flight", "drive", "taxi", "train", "transfer", "check_in", "check_out",
                    "visit", "breakfast", "lunch", "dinner"]
Category = Literal["transport", "hotel", "attraction", "restaurant"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Event(_Model):
    """One timed thing on a day. ``start``/``end`` are minutes after the day's local midnight."""

    kind: EventKind
    start: int
    end: int
    city: str
    item_id: str | None = None
    name: str = ""
    to_city: str | None = None
    cost: float = 0.0

    def __str__(self) -> str:
        where = f"{self.city} -> {self.to_city}" if self.to_city else self.city
        cost = f"  ({self.cost:.2f})" if self.cost else ""
        return f"{clock(self.start)}-{clock(self.end)}  {self.kind:<9} {self.name} [{where}]{cost}"


class Day(_Model):
    """A trip day: its date, where it starts and ends, and its events in time order."""

    day: int
    date: date
    start_city: str
    end_city: str
    events: list[Event] = Field(default_factory=list)

    @property
    def is_travel_day(self) -> bool:
        return self.start_city != self.end_city


class Stay(_Model):
    """Consecutive nights in one hotel."""

    city: str
    hotel_id: str
    name: str
    check_in: date
    nights: int
    rooms: int
    cost: float


class Leg(_Model):
    """A move between cities on one day."""

    day: int
    item_id: str
    mode: Literal["flight", "drive", "taxi", "train"]
    origin: str
    destination: str
    departure: int
    arrival: int
    units: int = Field(description="seats for a flight or a per-person fare, vehicles otherwise")
    cost: float


class Justification(_Model):
    """Why an item is in the itinerary: the rules it was checked against and its score."""

    item_id: str
    name: str
    category: Category
    text: str
    rules: list[str] = Field(default_factory=list)
    preference: float | None = None
    contributions: list[tuple[str, float]] = Field(default_factory=list)
    cost: float = 0.0


class Itinerary(_Model):
    """A complete itinerary that satisfies every hard rule.

    ``optimal`` is True when clingo proved that no itinerary obeying the rules scores
    better; ``objective`` lists the optimised values, highest priority first
    (``[-preference, cost]`` in quantised units, both minimised).
    """

    origin: str
    cities: list[str]
    days: list[Day]
    stays: list[Stay]
    legs: list[Leg]
    total_cost: float
    costs_by_category: dict[Category, float]
    optimal: bool
    objective: list[int]
    stats: dict[str, float] = Field(default_factory=dict)
    justifications: list[Justification] = Field(default_factory=list)

    def chosen_ids(self) -> list[str]:
        """Ids of every catalog item used, in order of appearance."""
        seen: dict[str, None] = {}
        for day in self.days:
            for ev in day.events:
                if ev.item_id and ev.kind not in ("transfer", "check_out"):
                    seen.setdefault(ev.item_id, None)
        return list(seen)

    def justification(self, item_id: str) -> Justification:
        for j in self.justifications:
            if j.item_id == item_id:
                return j
        raise KeyError(item_id)

    def to_text(self) -> str:
        """A readable day-by-day plan with costs and one-line justifications."""
        lines = [f"Trip {self.origin} -> {' -> '.join(self.cities)} -> {self.origin}",
                 f"Total cost {self.total_cost:.2f}  ("
                 + ", ".join(f"{k} {v:.2f}" for k, v in self.costs_by_category.items()) + ")",
                 f"{'Proven optimal' if self.optimal else 'Best found (optimality not proven)'}; "
                 f"objective {self.objective}"]
        for day in self.days:
            where = (f"{day.start_city} -> {day.end_city}" if day.is_travel_day else day.start_city)
            lines.append("")
            lines.append(f"Day {day.day} ({day.date.isoformat()}, {day.date:%A}): {where}")
            lines.extend(f"  {ev}" for ev in day.events)
        if self.justifications:
            lines.append("")
            lines.append("Why these choices:")
            lines.extend(f"  - {j.name}: {j.text}" for j in self.justifications)
        return "\n".join(lines)
