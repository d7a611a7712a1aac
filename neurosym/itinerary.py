"""The answer: a timed, multi-day :class:`Itinerary` with costs and justifications."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from .catalog import check_text, clock

#: Characters of one text of an itinerary (names there join several catalog names).
MAX_ITINERARY_TEXT = 1_000_000

if TYPE_CHECKING:  # pragma: no cover
    from .explain import Explainer, Trace, TraceEntry

EventKind = Literal["flight", "drive", "taxi", "train", "transfer", "check_in", "check_out",
                    "visit", "breakfast", "lunch", "dinner"]
Category = Literal["transport", "hotel", "attraction", "restaurant"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, v: Any) -> Any:
        """Text that cannot be encoded (a lone surrogate) or held by clingo (NUL) is refused."""
        check_text(v, limit=MAX_ITINERARY_TEXT)
        return v


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


class _ExplainContext:
    """What explanations need from planning: the problem, the user rule files, the model."""

    __slots__ = ("problem", "rules", "model", "explainer")

    def __init__(self, problem: Any, rules: tuple, model: Any, explainer: Any = None):
        self.problem, self.rules, self.model, self.explainer = problem, rules, model, explainer

    def __deepcopy__(self, memo: dict) -> "_ExplainContext":
        return self


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

    # The planning context, kept by plan_itinerary so that explanations can be computed
    # on demand; it is not part of the itinerary's value (not serialised, not compared,
    # dropped when pickled, shared by copies).
    _explain: Any = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        """Itineraries are equal when their fields are (the explanation context is not compared)."""
        if not isinstance(other, Itinerary):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        private = dict(state.get("__pydantic_private__") or {})
        private["_explain"] = None
        state["__pydantic_private__"] = private
        return state

    # -- explanations (neurosym.explain, neurosym.display) -----------------------------
    def _attach_explanations(self, problem: Any, rules: Any = (), model: Any = None) -> None:
        self._explain = _ExplainContext(problem, tuple(rules), model)

    def _set_explainer(self, explainer: "Explainer") -> None:
        self._explain = _ExplainContext(explainer.problem, explainer.rules, explainer.model, explainer)

    @property
    def explainer(self) -> "Explainer":
        """The explanation engine of this itinerary (built on first use).

        Available on itineraries returned by ``plan_itinerary``; for one read back from
        JSON, call ``neurosym.explain.attach(itinerary, request, catalog)`` first.
        """
        ctx = self._explain
        if ctx is None:
            from .explain import ExplainError
            raise ExplainError("this itinerary has no planning context: call "
                               "neurosym.explain.attach(itinerary, request, catalog) first")
        if ctx.explainer is None:
            from .explain import Explainer
            ctx.explainer = Explainer(ctx.problem, self, ctx.rules, ctx.model)
            ctx.explainer.prepare()  # ground the whole program in the background meanwhile
        return ctx.explainer

    @property
    def trace(self) -> "Trace":
        """The justification trace: every candidate, chosen or not, with its reason.

        Computed on first access and cached: about 20 s for the 621 candidates of the
        demo trip, under a second for a small trip (measured in docs/explanations.md). Filter it with ``it.trace.filter(rule=..., day=...,
        category=..., status=...)``.
        """
        return self.explainer.trace()

    def why(self, item: Any) -> "TraceEntry":
        """Why ``item`` (an id, a name or a catalog object) is in the itinerary."""
        return self.explainer.why(item)

    def why_not(self, item: Any) -> "TraceEntry":
        """Why ``item`` is not in the itinerary: the rules it would break, or how much
        worse the best itinerary that contains it is."""
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
