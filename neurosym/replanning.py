"""Re-planning after a change, above all a new forecast: :func:`replan`.

Everything of the old itinerary becomes a soft keep of the new request
(``TripRequest.keep`` with ``hard=False``: ``rules/keep.lp`` keeps as many soft keeps as
it can before the planner's objective). A meal or visit is kept on its day at its time,
a leg on its day at its departure, a hotel for its nights. A place whose old time now
breaks a rule (an outdoor sight in the new forecast's rain) is kept in the trip on any
day instead, so it moves rather than drops out when it can. So whatever still obeys
every rule stays where it was wherever possible, and the result lists what moved and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .catalog import Catalog, Flight, clock, duration
from .itinerary import PLACE_EVENTS, Itinerary
from .planner import plan_itinerary
from .request import Keep, TripRequest
from .verify import Violation, verify


class Change(BaseModel):
    """One difference between the old itinerary and the re-planned one, and why."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["moved", "dropped", "added", "replaced"]
    item_id: str
    name: str
    before: str | None = Field(default=None, description="where it was: 'day 3 11:00' (None: added)")
    after: str | None = Field(default=None, description="where it is now (None: dropped, or a leg or stay with "
                                                        "nothing in its place)")
    reason: str
    rules: list[str] = Field(default_factory=list, description="the rules its old place now breaks")

    def text(self) -> str:
        where = {"moved": f"moved from {self.before} to {self.after}", "dropped": f"dropped (was {self.before})",
                 "added": f"added on {self.after}", "replaced": f"{self.before} -> {self.after or 'nothing in its place'}"}[self.kind]
        return f"{self.name}: {where}: {self.reason}"


class Replan(BaseModel):
    """The re-planned itinerary, the request it was planned with (the old itinerary's
    items as soft keeps), what stayed where it was and what changed."""

    model_config = ConfigDict(extra="forbid")

    itinerary: Itinerary
    request: TripRequest
    kept: list[str] = Field(default_factory=list, description="ids of the items that stayed where they were")
    changes: list[Change] = Field(default_factory=list)
    broken: list[Violation] = Field(default_factory=list,
                                    description="the rules the old itinerary breaks under the new forecast/request")

    def text(self) -> str:
        head = (f"Re-planned ({self.itinerary.weather.text()}): {len(self.kept)} items kept where they were, "
                f"{len(self.changes)} changed")
        return "\n".join([head, *(f"  - {c.text()}" for c in self.changes)])


def replan(itinerary: Itinerary, forecast: Any = None, *, request: TripRequest | None = None,
           catalog: Catalog | None = None, rules: Sequence[str | Path] = (), time_limit: float | None = 10.0,
           **plan_kw: Any) -> Replan:
    """Re-plan ``itinerary`` for a new ``forecast`` (a :class:`~neurosym.weather.Forecast`
    or a provider's ``TripWeather``; None: without weather) or a changed ``request``.

    ``request`` and ``catalog`` default to those the itinerary was planned with (an
    itinerary read back from JSON has none: pass them); the request's hard keeps stay,
    its soft ones (an earlier re-plan's) give way to this itinerary's. Every item of the itinerary is
    kept where it was wherever that still obeys every rule (soft keeps: as many as
    possible, before the objective); an item whose old place breaks a rule now moves
    (kept in the trip on another day or time where possible). Other arguments go to
    :func:`neurosym.plan_itinerary`. Raises what it raises (``NoItinerary`` when the
    request itself cannot be met).
    """
    handle = itinerary.explanations
    problem = getattr(handle, "problem", None)
    if request is None:
        if problem is None:
            raise ValueError("request: this itinerary has no planning context (read back from JSON?): pass the "
                             "request it was planned with")
        request = problem.request
    if catalog is None:
        if problem is None:
            raise ValueError("catalog: this itinerary has no planning context: pass the catalog")
        catalog = problem.catalog
    hard = [k for k in request.keep if k.hard]   # the traveller's own keeps; soft ones are rebuilt below
    request = request.model_copy(update={"keep": hard})
    broken = verify(itinerary, request, catalog, forecast)
    keeps = _keeps(itinerary, request, catalog, broken)
    new_request = TripRequest.model_validate({**request.model_dump(), "keep": [
        k.model_dump() for k in [*hard, *keeps]]})
    new = plan_itinerary(new_request, catalog, rules=rules, time_limit=time_limit, forecast=forecast, **plan_kw)
    kept, changes = _changes(itinerary, new, catalog, broken)
    return Replan(itinerary=new, request=new_request, kept=kept, changes=changes, broken=broken)


# -- the old itinerary as soft keeps ---------------------------------------------------------

def _places(it: Itinerary) -> dict[str, tuple[int, int, str]]:
    """Each meal or visit: (day, start, kind)."""
    return {ev.item_id: (d.day, ev.start, ev.kind) for d in it.days for ev in d.events
            if ev.kind in PLACE_EVENTS and ev.item_id}


def _keeps(it: Itinerary, request: TripRequest, catalog: Catalog, broken: list[Violation]) -> list[Keep]:
    index = catalog.index()
    taken = {k.item_id for k in request.keep} | set(request.exclude)
    breaks = {(v.item_id, v.day) for v in broken if v.item_id is not None}
    out: list[Keep] = []
    n = request.n_days
    for leg in it.legs:
        item = index.get(leg.item_id)
        if item is None or leg.item_id in taken or leg.day > n:
            continue
        start = None if isinstance(item, Flight) else _time(leg.departure)
        out.append(Keep(item_id=leg.item_id, day=leg.day, start=start, hard=False))
    for st in it.stays:
        first = (st.check_in - request.start).days + 1
        if st.hotel_id in index and st.hotel_id not in taken and 1 <= first and first + st.nights - 1 <= n:
            out.append(Keep(item_id=st.hotel_id, day=first, nights=st.nights, hard=False))
    for item_id, (day, start, _kind) in _places(it).items():
        if item_id not in index or item_id in taken or day > n:
            continue
        if (item_id, day) in breaks:   # its old time breaks a rule now: kept in the trip, anywhere
            out.append(Keep(item_id=item_id, hard=False))
        else:
            out.append(Keep(item_id=item_id, day=day, start=_time(start), hard=False))
    return out


def _time(minutes: int) -> time:
    return time((minutes // 60) % 24, minutes % 60)


# -- what changed -----------------------------------------------------------------------------

def _at(day: int, start: int) -> str:
    return f"day {day} {clock(start)}"


def _changes(old: Itinerary, new: Itinerary, catalog: Catalog, broken: list[Violation]
             ) -> tuple[list[str], list[Change]]:
    index = catalog.index()
    why: dict[str, list[Violation]] = {}
    for v in broken:
        if v.item_id is not None:
            why.setdefault(v.item_id, []).append(v)

    def name(item_id: str) -> str:
        return getattr(index.get(item_id), "name", item_id)

    def reason(item_id: str, default: str) -> tuple[str, list[str]]:
        vs = why.get(item_id, [])
        return ("; ".join(v.message for v in vs), sorted({v.rule for v in vs})) if vs else (default, [])

    kept: list[str] = []
    changes: list[Change] = []
    # legs and stays: kept, or replaced on their day
    old_legs = {lg.day: lg for lg in old.legs}
    new_legs = {lg.day: lg for lg in new.legs}
    for day, lg in sorted(old_legs.items()):
        nl = new_legs.get(day)
        if nl is not None and (nl.item_id, nl.departure) == (lg.item_id, lg.departure):
            kept.append(lg.item_id)
        else:
            text, rules = reason(lg.item_id, "to fit the changes")
            changes.append(Change(kind="replaced", item_id=lg.item_id, name=name(lg.item_id),
                                  before=f"day {day} {clock(lg.departure)} {name(lg.item_id)}",
                                  after=f"{clock(nl.departure)} {name(nl.item_id)}" if nl else None,
                                  reason=text, rules=rules))
    new_stays = {(s.city, s.hotel_id, s.check_in, s.nights) for s in new.stays}
    for s in old.stays:
        if (s.city, s.hotel_id, s.check_in, s.nights) in new_stays:
            kept.append(s.hotel_id)
        else:
            text, rules = reason(s.hotel_id, "to fit the changes")
            now = next((f"{x.name} from {x.check_in:%d %b}, {x.nights} nights" for x in new.stays if x.city == s.city),
                       None)
            changes.append(Change(kind="replaced", item_id=s.hotel_id, name=s.name,
                                  before=f"{s.name} from {s.check_in:%d %b}, {s.nights} nights", after=now,
                                  reason=text, rules=rules))
    # meals and visits: kept, moved, dropped or added
    before, after = _places(old), _places(new)
    moved_in = [(d, t, t + duration(index[i]), i) for i, (d, t, _) in after.items()
                if before.get(i, (None, None))[:2] != (d, t) and i in index]
    for item_id, (day, start, kind) in sorted(before.items(), key=lambda x: (x[1][0], x[1][1])):
        now = after.get(item_id)
        if now is not None and now[:2] == (day, start):
            kept.append(item_id)
            continue
        own, rules = reason(item_id, "")
        end = start + duration(index[item_id]) if item_id in index else start + 1
        others = [i for d, t, e, i in moved_in if d == day and t < end and start < e and i != item_id]
        room = f"made room for {', '.join(name(i) for i in others)}" if others else ""
        if now is None:
            changes.append(Change(kind="dropped", item_id=item_id, name=name(item_id), before=_at(day, start),
                                  reason=own or room or "no longer fits next to the changes", rules=rules))
        else:
            changes.append(Change(kind="moved", item_id=item_id, name=name(item_id), before=_at(day, start),
                                  after=_at(*now[:2]), reason=own or room or "re-arranged to make room (it broke "
                                                                            "no rule where it was)", rules=rules))
    for item_id, (day, start, kind) in sorted(after.items(), key=lambda x: (x[1][0], x[1][1])):
        if item_id not in before:
            changes.append(Change(kind="added", item_id=item_id, name=name(item_id), after=_at(day, start),
                                  reason=f"a {kind} in the time the changes freed"))
    return kept, changes
