"""The explanation engine's data: traces, entries, losses, conflicts and repairs.

Plain pydantic data with a JSON round-trip; nothing here runs a solver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from ..catalog import Category, Model
from ..objective import SCALE
from ..request import TripRequest

Status = Literal["chosen", "dominated", "worse", "improvable", "excluded", "not_candidate"]
Scope = Literal["itinerary", "route", "global", "catalog"]


class _InRuleFile(Model):
    """Something written in a rule file: the file and the line."""

    file: str
    line: int

    @property
    def where(self) -> str:
        return f"{Path(self.file).name}:{self.line}"


class RuleRef(_InRuleFile):
    """A named hard rule: its name, where it is written, and its message template."""

    name: str
    message: str


class Broken(_InRuleFile):
    """One broken rule instance: the rule, the values that broke it, and the rendered text."""

    rule: str
    text: str
    values: list[str] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list, description="ids of the catalog items named in the values")


class Contribution(Model):
    """What raised (positive) or lowered (negative) a preference score."""

    source: str
    weight: float


class Loss(Model):
    """How much worse an itinerary is than the one explained, level by level.

    ``objective`` has one entry per level of the planner's objective, highest priority
    first: value lost (preference net of money and night-time legs, in points:
    ``SCALE`` points = a score of 1.0 at weight 1; see :mod:`neurosym.objective`) and
    cents spent in addition. Positive means worse; the comparison is lexicographic.
    """

    objective: list[int]
    value: float = Field(description="value lost (preference net of money), in score units (points / SCALE)")
    cost: float = Field(description="money spent in addition (negative: saved)")

    @classmethod
    def of(cls, objective: Sequence[int]) -> "Loss":
        obj = [int(x) for x in objective]
        value = obj[0] / SCALE if obj else 0.0
        cost = obj[1] / 100 if len(obj) > 1 else 0.0
        return cls(objective=obj, value=round(value, 4), cost=round(cost, 2))

    @property
    def sign(self) -> int:
        for x in self.objective:
            if x:
                return 1 if x > 0 else -1
        return 0

    def text(self) -> str:
        parts = []
        if self.value:
            parts.append(f"value {-self.value:+.2f}")
        if self.cost:
            parts.append(f"cost {self.cost:+.2f}")
        return ", ".join(parts) or "no difference"


class TraceEntry(Model):
    """Why one candidate is, or is not, in the itinerary.

    ``status``:

    - ``chosen``: in the itinerary; ``rules`` are the hard rules it was checked against,
      ``preference``/``contributions`` its score, ``cost`` what it costs the party;
      ``alternative``/``alternative_loss`` the best option that could take its place.
    - ``dominated``: another option (``dominated_by``) can stand in for it and is at
      least as good on every level of the objective.
    - ``worse``: it can be part of an itinerary that obeys every rule, but the best one
      found with it is worse by ``loss`` (``replaces`` lists what it would displace).
    - ``improvable``: it fits and would make the itinerary *better* by ``-loss``; the
      planner stopped at its time limit before finding that (never when ``optimal``).
    - ``excluded``: it cannot be added without breaking the rules in ``broken``
      (``scope="global"``: no itinerary at all can contain it; ``constraints`` names the
      traveller's own constraints that exclude it, when ``why_not`` was asked).
    - ``not_candidate``: the planner never considered it (another city, another date).

    ``scope`` says what was searched: ``itinerary`` (swapping it for one choice of the
    itinerary, or re-planning with the itinerary's own items), ``route`` (the best
    itinerary found on a route that can take it), ``global`` (every itinerary), or
    ``catalog`` (decided from the catalog alone, before solving).
    """

    item_id: str
    catalog_id: str
    name: str
    category: Category
    city: str | None = None
    days: list[int] = Field(default_factory=list)
    status: Status
    text: str
    rules: list[RuleRef] = Field(default_factory=list)
    broken: list[Broken] = Field(default_factory=list)
    preference: float | None = None
    points: int | None = None
    contributions: list[Contribution] = Field(default_factory=list)
    cost: float = 0.0
    dominated_by: str | None = None
    replaces: list[str] = Field(default_factory=list)
    loss: Loss | None = None
    scope: Scope | None = None
    proven: bool = True
    conflicts_with: list[str] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    alternative: str | None = None
    alternative_loss: Loss | None = None
    seconds: float | None = None

    def rule_names(self) -> set[str]:
        return {r.name for r in self.rules} | {b.rule for b in self.broken}

    def __str__(self) -> str:
        return f"{self.name} [{self.status}]: {self.text}"

    def _repr_html_(self) -> str:
        from ..display import entry_html
        return entry_html(self)


class Trace(Model):
    """The justification trace of an itinerary: one entry per candidate the planner had.

    Build it with ``Itinerary.trace``; filter it with :meth:`filter`.
    """

    entries: list[TraceEntry]
    rules: list[RuleRef] = Field(default_factory=list)
    objective: list[int] = Field(default_factory=list)
    stats: dict[str, float] = Field(default_factory=dict)

    @property
    def chosen(self) -> list[TraceEntry]:
        return [e for e in self.entries if e.status == "chosen"]

    @property
    def rejected(self) -> list[TraceEntry]:
        return [e for e in self.entries if e.status != "chosen"]

    def entry(self, item: str) -> TraceEntry:
        """The entry of a candidate, by candidate key, catalog id or name."""
        for attr in ("item_id", "catalog_id", "name"):
            found = [e for e in self.entries if getattr(e, attr) == item]
            if found:
                return sorted(found, key=lambda e: e.status != "chosen")[0]
        raise KeyError(item)

    def filter(self, *, rule: str | None = None, day: int | None = None, category: str | None = None,
               status: str | Iterable[str] | None = None) -> "Trace":
        """The entries that mention ``rule`` (checked or broken), fall on ``day``, are of
        ``category`` (transport, hotel, attraction, restaurant) and have ``status``."""
        statuses = {status} if isinstance(status, str) else (set(status) if status is not None else None)
        out = [e for e in self.entries
               if (rule is None or rule in e.rule_names())
               and (day is None or day in e.days)
               and (category is None or e.category == category)
               and (statuses is None or e.status in statuses)]
        return self.model_copy(update={"entries": out})

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in self.entries:
            out[e.status] = out.get(e.status, 0) + 1
        return out

    def to_text(self) -> str:
        lines = [f"{len(self.entries)} candidates: " + ", ".join(f"{k} {v}" for k, v in self.counts().items())]
        lines += [f"  {e}" for e in self.entries]
        return "\n".join(lines)

    def __len__(self) -> int:
        return len(self.entries)

    def _repr_html_(self) -> str:
        from ..display import trace_html
        return trace_html(self)


class ConstraintRef(Model):
    """One of the traveller's own constraints, as named in ``core.lp`` (``user_constraint/1``)."""

    name: str = Field(description="the constraint term: budget, need(pets), cuisine(italian), mode(flight), ...")
    field: str = Field(description="the TripRequest field it comes from")
    text: str


class Repair(Model):
    """A change to the request that makes it plannable, confirmed by re-planning."""

    kind: str
    text: str
    constraints: list[str] = Field(default_factory=list, description="the constraints it changes or drops")
    changes: dict[str, Any] = Field(default_factory=dict, description="TripRequest fields and their new values")
    confirmed: bool = False
    total_cost: float | None = None
    cities: list[str] = Field(default_factory=list)
    proven: bool = True

    def apply(self, request: TripRequest) -> TripRequest:
        """The request with this repair's changes."""
        return apply_changes(request, self.changes)


class Diagnosis(Model):
    """Why a request has no itinerary, and what would make it plannable."""

    conflict: list[ConstraintRef] = Field(default_factory=list)
    conflicts: list[list[ConstraintRef]] = Field(default_factory=list)
    frame: bool = Field(default=False, description="no itinerary even with every traveller constraint set aside: "
                                                   "the dates, cities and catalog themselves do not fit")
    violations: list[Broken] = Field(default_factory=list)
    repairs: list[Repair] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list, description="the re-solves that verified minimality")
    stats: dict[str, float] = Field(default_factory=dict)


def apply_changes(request: TripRequest, changes: dict[str, Any]) -> TripRequest:
    """The request with some fields changed (``travelers`` may change some of its own)."""
    data = request.model_dump()
    for k, v in changes.items():
        if k == "travelers" and isinstance(v, dict):
            data["travelers"] = {**data["travelers"], **v}
        else:
            data[k] = v
    return TripRequest.model_validate(data)
