"""The answer: a timed, multi-day :class:`Itinerary` with costs and justifications.

An itinerary is plain data (JSON round-trip). The planner passes it an *explanation
handle* (:meth:`Itinerary.set_explanations`), an opaque object that answers
``trace`` / ``why`` / ``why_not`` on demand; this module knows only its shape
(:class:`Explanations`) and imports nothing from the explanation engine.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .catalog import Category, clock

EventKind = Literal["flight", "drive", "taxi", "train", "transfer", "check_in", "check_out",
                    "visit", "breakfast", "lunch", "dinner"]
#: The event kinds that are a meal or a visit (a place of the catalog at a slot).
PLACE_EVENTS = ("visit", "breakfast", "lunch", "dinner")


class _Model(BaseModel):
    # plain data built by the planner for every answer: extra fields refused, no per-field
    # validators (the catalog's text was checked when the catalog was built)
    model_config = ConfigDict(extra="forbid")


class ExplainError(RuntimeError):
    """An itinerary cannot be explained (no planning context, or it does not fit the problem)."""


class Explanations(Protocol):
    """What an itinerary's explanation handle answers (``neurosym.explain`` builds one)."""

    catalog: Any

    def trace(self) -> Any: ...
    def why(self, item: Any) -> Any: ...
    def why_not(self, item: Any) -> Any: ...
    def chosen_entries(self) -> dict[str, Any]: ...
    def prepare(self, background: bool = True) -> None: ...


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


class PlannedWeather(_Model):
    """The forecast an itinerary was planned with, or that it was planned without one.

    ``source`` names the forecast (``demo``, ``open-meteo``, ``file:...``; ``None``: no
    forecast, so the weather rules did not apply), ``issued`` when it was made, ``note``
    what a reader should know (why there is no forecast, the city-days it lacks).
    """

    source: str | None = None
    issued: datetime | None = None
    note: str | None = None

    @property
    def used(self) -> bool:
        return self.source is not None

    def text(self) -> str:
        if self.source is None:
            head = "planned without weather"
        else:
            head = f"planned with the {self.source} forecast" + (
                f" issued {self.issued:%Y-%m-%d %H:%M}" if self.issued is not None else "")
        return head + (f" ({self.note})" if self.note else "")


class Itinerary(_Model):
    """A complete itinerary that satisfies every hard rule.

    ``objective`` lists the optimised values, highest priority first, both minimised:
    ``[-value, cost]``, where the value is the preference points of the chosen items
    net of what their prices are worth and of night-time legs (see
    :mod:`neurosym.objective`) and the cost is in cents. ``value`` is ``-objective[0]``.

    ``bound`` is an upper bound on that value that no itinerary obeying the core rules
    can beat, proven independently of clingo's search (:mod:`neurosym.bound`; ``None``
    when none was proven in time), and ``gap`` = (bound - value) / |bound|. ``optimal``
    is True when the value reaches the bound (gap 0) or the search proved that nothing
    is better.
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
    bound: int | None = Field(default=None, description="an upper bound on the value that no itinerary beats "
                                                        "(null: none proven)")
    gap: float | None = Field(default=None, description="(bound - value) / |bound|: 0 when the value reaches "
                                                       "the bound (computed from bound and objective)")
    stats: dict[str, float] = Field(default_factory=dict, exclude=True, description=(
        "measurements of the run that planned it (seconds, models, ...): not part of the itinerary's value, "
        "so they are left out of its JSON, which is byte-identical for the same request and catalog"))
    justifications: list[Justification] = Field(default_factory=list)
    weather: PlannedWeather = Field(default_factory=PlannedWeather,
                                    description="the forecast it was planned with, or that there was none")

    # The explanation handle passed in by the planner: not part of the itinerary's value
    # (not serialised, not compared, dropped when pickled, shared by copies).
    _explain: Any = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Itineraries are equal when their fields are (the explanation handle and the run's
        measurements in ``stats`` are not compared)."""
        if not isinstance(other, Itinerary):
            return NotImplemented
        mine = {k: v for k, v in self.__dict__.items() if k != "stats"}
        theirs = {k: v for k, v in other.__dict__.items() if k != "stats"}
        return type(self) is type(other) and mine == theirs

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        private["_explain"] = None
        state["__pydantic_private__"] = private
        return state

    # -- explanations (an opaque handle; see neurosym.explain) ---------------------------
    def set_explanations(self, handle: Explanations | None) -> "Itinerary":
        """Give the itinerary its explanation handle (``plan_itinerary`` and
        ``neurosym.explain.attach`` do); returns the itinerary."""
        self._explain = handle
        return self

    @property
    def explanations(self) -> Explanations | None:
        """The explanation handle, or None (an itinerary read back from JSON, not attached)."""
        return self._explain

    @property
    def explainer(self) -> Explanations:
        """The explanation handle of this itinerary.

        Itineraries returned by ``plan_itinerary`` have one; for one read back from
        JSON, call ``neurosym.explain.attach(itinerary, request, catalog)`` first.
        """
        if self._explain is None:
            raise ExplainError("this itinerary has no planning context: call "
                               "neurosym.explain.attach(itinerary, request, catalog) first")
        return self._explain

    @property
    def trace(self) -> Any:
        """The justification trace (a ``neurosym.explain.Trace``): every candidate, chosen
        or not, with its reason.

        Computed on first access and cached (measured in docs/explanations.md). Filter it
        with ``it.trace.filter(rule=..., day=..., category=..., status=...)``.
        """
        return self.explainer.trace()

    def why(self, item: Any) -> Any:
        """Why ``item`` (an id, a name or a catalog object) is in the itinerary (a ``TraceEntry``)."""
        return self.explainer.why(item)

    def why_not(self, item: Any) -> Any:
        """Why ``item`` is not in the itinerary: the rules it would break, or how much
        worse the best itinerary that contains it is (a ``TraceEntry``)."""
        return self.explainer.why_not(item)

    def _repr_html_(self) -> str:
        from .display import itinerary_html
        return itinerary_html(self)

    def plot(self, **kw: Any) -> Any:
        """A matplotlib figure: each day's timeline and the route (matplotlib loads here)."""
        from .display import plot_itinerary
        return plot_itinerary(self, **kw)

    def actions(self, catalog: Any = None, request: Any = None) -> list[Any]:
        """The ordered booking actions (:func:`neurosym.acting.actions`; catalog and request
        default to those the itinerary was planned with)."""
        from .acting.itinerary_actions import actions
        return actions(self, catalog, request)

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

    @model_validator(mode="after")
    def _gap(self) -> "Itinerary":
        """``gap`` follows from ``bound`` and ``objective`` (a value read from JSON is recomputed)."""
        gap = None
        value = self.value
        if self.bound is not None and value is not None:
            gap = 0.0 if value >= self.bound else round((self.bound - value) / max(abs(self.bound), 1), 6)
        object.__setattr__(self, "gap", gap)
        return self

    @property
    def value(self) -> int | None:
        """The objective's value: preference points net of money and night-time legs."""
        return -self.objective[0] if self.objective else None

    def optimality_text(self) -> str:
        """One line: proven optimal, or the gap to the bound."""
        if self.optimal:
            return "proven optimal (value reaches the bound)" if self.gap == 0 else "proven optimal"
        if self.gap is None:
            return "best found (no bound proven in time)"
        return f"best found: within {100 * self.gap:.1f}% of the bound {self.bound}"

    def to_text(self) -> str:
        """A readable day-by-day plan with costs and one-line justifications."""
        lines = [f"Trip {self.origin} -> {' -> '.join(self.cities)} -> {self.origin}",
                 f"Total cost {self.total_cost:.2f}  ("
                 + ", ".join(f"{k} {v:.2f}" for k, v in self.costs_by_category.items()) + ")",
                 f"{self.optimality_text().capitalize()}; value {self.value}, bound {self.bound}, "
                 f"objective {self.objective}",
                 f"Weather: {self.weather.text()}"]
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
