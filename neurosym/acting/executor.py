"""The executor: an itinerary's actions carried out against the booking service.

``book_itinerary(itinerary, request, catalog, server, journal=...)`` books every action
of :func:`~neurosym.acting.itinerary_actions.actions` in order and returns a
:class:`BookingReport`. What it guarantees:

- **Nothing is booked twice.** Each action's idempotency key is
  ``<trip>.<attempt>.<action id>``, where the trip key is a hash of the catalog, the
  request and the itinerary: running the same booking again (even without the journal)
  gets the same bookings back from the service.
- **Nothing is lost.** Every call is written to the journal (:mod:`.journal`) before it
  is made. After a crash, ``resume=True`` repeats the calls whose answer never came, with
  their keys, and goes on where the run stopped.
- **Transient errors are retried, refusals are not** (:class:`~.client.RetryPolicy`).
  When the service stays unreachable the run stops as ``interrupted``: what is booked
  stays booked and ``resume`` continues later.
- **Act, observe, re-plan.** When an item is sold out, the executor re-plans with
  :func:`~neurosym.plan_itinerary`: the item excluded, every booked item kept as a hard
  keep (same day, time, nights; should a kept hotel stay grow, it re-plans with
  ``rules/acting/booked.lp``, which keeps a booked stay exactly that long), the rest of the current itinerary as soft keeps, so
  that what still works stays where it was. It explains the change from the rules (what
  was lost, ``why`` the replacement, ``why_not`` the lost item) and goes on with the new
  itinerary, which passes :func:`~neurosym.verify`.
- **Compensation.** When an action fails for good (a refusal other than sold out, a
  deadline that has passed, no itinerary left after a re-plan), every booking of the
  attempt is cancelled, most recent first, and the report lists them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..catalog import Catalog, Flight, GroundLeg
from ..itinerary import Itinerary
from ..request import Keep, TripRequest
from ..rules import BOOKED_FILE, rule_file
from .itinerary_actions import Action, actions, booking_request
from .client import BookingClient, BookingRefused, RetryPolicy, ServiceUnavailable, SoldOut
from .journal import Journal, Trip
from .models import ActingInputError, Availability, Booking
from .store import catalog_fingerprint

__all__ = ["BookingReport", "Explanation", "Replan", "book_itinerary", "replan_request", "trip_key"]

ReportStatus = Literal["booked", "already_booked", "compensated", "interrupted", "dry_run"]


class Explanation(BaseModel):
    """Why an item is in the new itinerary, from the rules (``Itinerary.why``)."""

    model_config = ConfigDict(extra="forbid")

    item_id: str
    name: str
    status: str
    text: str
    rules: list[str] = Field(default_factory=list, description="the rules it was checked against (name, file:line)")


class Replan(BaseModel):
    """One re-plan after a sold-out item: what was lost, what replaced it, and why."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(description="the action that was sold out")
    sold_out: str = Field(description="its catalog id")
    name: str
    kept: list[str] = Field(description="booked items held fixed (hard keeps)")
    lost: list[str] = Field(description="names of the old itinerary's items the new one does not have")
    added: list[str] = Field(description="names of the new itinerary's items the old one did not have")
    why_not: str = Field(description="why the new itinerary does not use the sold-out item (from the rules)")
    explanations: list[Explanation] = Field(default_factory=list,
                                            description="why each replacement of the same kind was chosen")
    cost_before: float
    cost_after: float
    proven: bool = Field(description="whether the re-plan was proven optimal within the time limit (if not, it may "
                                     "keep less of the old itinerary than it could)")
    text: str


class Failure(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str | None = None
    code: str
    message: str


class BookingReport(BaseModel):
    """What a run of the executor did. ``status``:

    - ``booked``: every action is booked; ``itinerary`` (re-planned if items were sold
      out) passes ``verify`` (``violations`` is empty);
    - ``already_booked``: the journal says this trip was booked before: nothing was done;
    - ``compensated``: an action failed for good (``failure``), every booking of the
      attempt was cancelled (``cancelled``, in the order of cancellation);
    - ``interrupted``: the service stopped answering, or a re-plan found no itinerary
      within its time limit; ``bookings`` are kept, resume later;
    - ``dry_run``: availability only (``availability``), nothing booked or written.
    """

    model_config = ConfigDict(extra="forbid")

    status: ReportStatus
    message: str
    trip: str
    attempt: int = 0
    journal: str | None = None
    bookings: list[Booking] = Field(default_factory=list, description="the trip's bookings that hold, in order")
    cancelled: list[Booking] = Field(default_factory=list, description="bookings cancelled by compensation")
    replans: list[Replan] = Field(default_factory=list)
    failure: Failure | None = None
    availability: list[Availability] = Field(default_factory=list)
    itinerary: Itinerary
    request: TripRequest
    violations: list[str] = Field(default_factory=list, description="verify() of the final itinerary: empty")
    calls: int = Field(default=0, description="booking and cancelling calls made in this run")
    transient_errors: int = Field(default=0, description="transient errors met (and retried) in this run")

    @property
    def ok(self) -> bool:
        return self.status in ("booked", "already_booked") or (
            self.status == "dry_run" and all(a.available for a in self.availability))


class _Stalled(Exception):
    """The run cannot go on now, but may later (a re-plan that found nothing in time)."""


class _Permanent(Exception):
    def __init__(self, action: str | None, code: str, message: str):
        super().__init__(message)
        self.failure = Failure(action=action, code=code, message=message)


def trip_key(itinerary: Itinerary, request: TripRequest, catalog: Catalog) -> str:
    """The trip's key: a hash of the catalog, the request and the itinerary's plan (its
    days, stays and legs), so that the same booking always gets the same key."""
    h = hashlib.sha256()
    h.update(catalog_fingerprint(catalog).encode())
    h.update(request.model_dump_json().encode())
    h.update(itinerary.model_dump_json(include={"origin", "days", "stays", "legs"}).encode())
    return "trip-" + h.hexdigest()[:16]


def _day(request: TripRequest, date: dt.date) -> int:
    return (date - request.start).days + 1


def _keep_of_action(a: Action, request: TripRequest, hard: bool) -> Keep:
    args = a.call.arguments
    if a.kind == "flight":
        return Keep(item_id=a.item_id, day=a.day, hard=hard)
    if a.kind == "hotel":
        return Keep(item_id=a.item_id, day=_day(request, dt.date.fromisoformat(args["check_in"])),
                    nights=args["nights"], hard=hard)
    at = next(v for k, v in args.items() if k in ("departure", "pickup", "time"))
    return Keep(item_id=a.item_id, day=a.day, start=dt.time.fromisoformat(at), hard=hard)


def _soft_keeps(itinerary: Itinerary, request: TripRequest) -> list[Keep]:
    """Every item of the itinerary where it is (legs on their day and time, stays from
    their first night, meals and visits on their day and start), as soft keeps."""
    out = [Keep(item_id=g.item_id, day=g.day, hard=False,
                start=None if g.mode == "flight" else dt.time(*divmod(g.departure, 60)))
           for g in itinerary.legs]
    out += [Keep(item_id=s.hotel_id, day=_day(request, s.check_in), nights=s.nights, hard=False)
            for s in itinerary.stays]
    out += [Keep(item_id=ev.item_id, day=d.day, start=dt.time(*divmod(ev.start, 60)), hard=False)
            for d in itinerary.days for ev in d.events
            if ev.item_id and ev.kind in ("breakfast", "lunch", "dinner", "visit")]
    return out


def replan_request(request: TripRequest, itinerary: Itinerary, booked: list[Action], exclude: str) -> TripRequest:
    """The request to re-plan with after ``exclude`` sold out: it is excluded, every booked
    action is a hard keep (same day, time, nights), the rest of the itinerary a soft keep,
    and the request's own hard keeps stay (except one of the excluded item)."""
    keeps: list[Keep] = [k for k in request.keep if k.hard and k.item_id != exclude]
    keeps += [_keep_of_action(a, request, hard=True) for a in booked]
    held = {k.item_id for k in keeps}
    keeps += [k for k in _soft_keeps(itinerary, request) if k.item_id not in held and k.item_id != exclude]
    unique: dict[str, Keep] = {}
    for k in keeps:
        unique.setdefault(k.model_dump_json(exclude={"hard"}), k)
    return request.model_copy(update={"exclude": [*request.exclude, exclude] if exclude not in request.exclude
                                      else list(request.exclude), "keep": list(unique.values())})


def _category(item: Any) -> type:
    return (Flight, GroundLeg) if isinstance(item, (Flight, GroundLeg)) else type(item)  # type: ignore[return-value]


def _name(index: dict[str, Any], item_id: str) -> str:
    item = index.get(item_id)
    if isinstance(item, Flight):
        return f"flight {item.number}"
    if isinstance(item, GroundLeg):
        return f"{item.mode} {item.origin} -> {item.destination}"
    return getattr(item, "name", item_id)


def explain_replan(old: Itinerary, new: Itinerary, action: Action, kept: list[Action], catalog: Catalog,
                   explain: bool = True) -> Replan:
    """What the re-plan changed and why, from the rules: ``new.why`` of every added item of
    the sold-out item's kind, ``new.why_not`` of the sold-out item."""
    index = catalog.index()
    before, after = old.chosen_ids(), new.chosen_ids()
    lost = [i for i in before if i not in set(after)]
    added = [i for i in after if i not in set(before)]
    sold = index[action.item_id]
    explanations: list[Explanation] = []
    why_not = "the request now excludes it (sold out)"
    if explain:
        same_kind = [i for i in added if isinstance(index.get(i), _category(sold))]
        for i in same_kind:
            e = new.why(i)
            explanations.append(Explanation(item_id=i, name=_name(index, i), status=e.status, text=e.text,
                                            rules=[f"{r.name} ({r.file}:{r.line})" for r in e.rules]))
        why_not = new.why_not(action.item_id).text
    repl = "; ".join(f"{x.name}: {x.text}" for x in explanations) or (
        "now " + ", ".join(_name(index, i) for i in added) if added else "nothing else changed")
    text = (f"{action.name} is sold out. Re-planned with it excluded and {len(kept)} booked "
            f"item{'s' if len(kept) != 1 else ''} held fixed. Lost: {', '.join(_name(index, i) for i in lost)}. "
            f"Replacement: {repl}. Cost {old.total_cost:.2f} -> {new.total_cost:.2f}.")
    return Replan(action=action.id, sold_out=action.item_id, name=action.name, kept=[a.item_id for a in kept],
                  lost=[_name(index, i) for i in lost], added=[_name(index, i) for i in added], why_not=why_not,
                  explanations=explanations, cost_before=old.total_cost, cost_after=new.total_cost,
                  proven=new.optimal, text=text)


class Executor:
    """One run of the executor (see :func:`book_itinerary`)."""

    def __init__(self, itinerary: Itinerary, request: TripRequest, catalog: Catalog, server: str | BookingClient, *,
                 journal: str | Path | None = None, now: dt.datetime | None = None, retry: RetryPolicy | None = None,
                 time_limit: float = 10.0, max_replans: int = 3, history: Any = None, scorer: Any = None,
                 rules: Sequence[str | Path] = (), explain: bool = True,
                 on_event: Callable[[str], Any] | None = None):
        self.it, self.req, self.catalog = itinerary, request, catalog
        self.client = server if isinstance(server, BookingClient) else BookingClient(server, retry)
        self.journal_path = None if journal is None else Path(journal)
        self.now = now
        self.time_limit, self.max_replans = time_limit, max_replans
        self.history, self.scorer, self.explain = history, scorer, explain
        self.rules = tuple(rules)
        self.on_event = on_event or (lambda _msg: None)
        self.key = trip_key(itinerary, request, catalog)
        self.calls = 0
        self.replans: list[Replan] = []
        self._errors0 = 0

    # -- checks before anything is changed ---------------------------------------------
    def preflight(self) -> list[Action]:
        from ..rules import RuleFileError, check_user_file
        from ..verify import verify
        for path in self.rules:
            try:
                check_user_file(path)
            except RuleFileError as exc:
                raise ActingInputError(f"rules: {exc}") from None
        found = verify(self.it, self.req, self.catalog)
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            raise ActingInputError(f"the itinerary does not fit this request and catalog: {found[0]}{more}")
        acts = actions(self.it, self.catalog, self.req)
        try:
            health = self.client.health()
        except ServiceUnavailable as exc:
            raise ActingInputError(f"server: cannot reach the booking service: {exc}") from None
        except BookingRefused as exc:
            raise ActingInputError(f"server: {self.client.url} is not a booking service ({exc})") from None
        fp = catalog_fingerprint(self.catalog)
        if health.get("fingerprint") != fp:
            raise ActingInputError(f"server: {self.client.url} serves catalog {health.get('catalog')!r} "
                                   f"(fingerprint {health.get('fingerprint')}), not this catalog {self.catalog.name!r} "
                                   f"({fp})")
        self._errors0 = self.client.transient_errors
        return acts

    def _late(self, acts: list[Action]) -> Action | None:
        now = self.now or dt.datetime.now()
        return next((a for a in acts if a.deadline < now), None)

    # -- the run -----------------------------------------------------------------------
    def dry_run(self) -> BookingReport:
        """Availability of every action; nothing is booked and no journal is written."""
        acts = self.preflight()
        out = [self.client.availability(booking_request(a.call, "dry-run-" + self.key, self.key)) for a in acts]
        late = self._late(acts)
        free = sum(a.available for a in out)
        msg = f"dry run: {free} of {len(acts)} actions can be booked now"
        if late:
            msg += f"; {late.name} had to be booked by {late.deadline:%Y-%m-%d %H:%M}"
        report = self._report("dry_run", msg, attempt=0)
        report.availability = out
        return report

    def run(self, resume: bool = False) -> BookingReport:
        acts = self.preflight()
        if self.journal_path is None:
            raise ActingInputError("journal: booking needs a journal file")
        # read an existing journal; create one only once the run is sure to start
        trip = Journal(self.journal_path).trip(self.key) if self.journal_path.exists() else None
        if trip is not None and trip.status == "done":
            self._restore(trip)
            held = self._held(trip)
            return self._report("already_booked", f"this trip was booked before ({len(held)} bookings in "
                                f"{self.journal_path}); nothing to do", trip.generation, bookings=held)
        if trip is not None and trip.status in ("booking", "compensating") and not resume:
            raise ActingInputError(f"journal: {self.journal_path} has an unfinished run of this trip; continue it "
                                   "with --resume (resume=True)")
        if resume and (trip is None or trip.status == "compensated"):
            raise ActingInputError(f"journal: nothing to resume for this trip in {self.journal_path}")
        if trip is None or trip.status == "compensated":
            late = self._late(acts)
            if late is not None:
                raise ActingInputError(f"too late: {late.name} had to be booked by {late.deadline:%Y-%m-%d %H:%M} "
                                       f"(now {(self.now or dt.datetime.now()):%Y-%m-%d %H:%M}); nothing was booked")
            journal = self.journal = Journal(self.journal_path)
            trip = journal.start(self.key, self.client.url, catalog_fingerprint(self.catalog),
                                 self.req.model_dump_json(), self.it.model_dump_json())
        else:  # resume an unfinished run from the journal's state
            journal = self._restore(trip)
        self.trip = trip
        try:
            try:
                if trip.status == "compensating":
                    assert trip.failure is not None
                    return self._compensate(Failure.model_validate(trip.failure))
                return self._book_all()
            except _Permanent as exc:
                journal.update(self.key, status="compensating", failure=exc.failure.model_dump())
                self.on_event(f"failed for good: {exc.failure.message}; cancelling every booking of this attempt")
                return self._compensate(exc.failure)
        except (ServiceUnavailable, _Stalled) as exc:
            held = self._held(self.trip)
            doing = ("cancelling" if (t := journal.trip(self.key)) is not None and t.status == "compensating"
                     else "booking")
            return self._report("interrupted", f"{exc}. Stopped while {doing}; {len(held)} bookings are held; run "
                                "again with --resume (resume=True) to continue", self.trip.generation, bookings=held)

    def _restore(self, trip: Trip) -> Journal:
        """Open the journal and take the trip's state from it: the current itinerary and
        request (re-planned, maybe) and the re-plans made."""
        self.journal = Journal(self.journal_path)  # type: ignore[arg-type]
        self.it = Itinerary.model_validate_json(trip.itinerary)
        self.req = TripRequest.model_validate_json(trip.request)
        self.replans = [Replan.model_validate(r) for r in trip.replans]
        return self.journal

    def _key(self, action_id: str) -> str:
        return f"{self.key}.{self.trip.generation}.{action_id}"

    def _book_all(self) -> BookingReport:
        from ..verify import verify
        while True:
            acts = actions(self.it, self.catalog, self.req)
            latest = {e.action_id: e for e in self.journal.entries(self.key, self.trip.generation, "book")}
            sold: Action | None = None
            for a in acts:
                e = latest.get(a.id)
                if e is not None and e.state == "done":
                    continue
                if e is not None and e.state == "failed":
                    if e.error_code == "sold_out":   # a crash between the answer and the re-plan
                        sold = a
                        break
                    raise _Permanent(a.id, e.error_code or "refused", e.error or "refused")
                if self._book(a, e.seq if e is not None else None) is None:
                    sold = a
                    break
            if sold is None:
                break
            self._replan(sold, acts)
        found = verify(self.it, self.req, self.catalog)
        if found:  # cannot happen for a planned itinerary; never reported as booked
            raise _Permanent(None, "invalid_itinerary", f"the final itinerary breaks a rule: {found[0]}")
        self.journal.update(self.key, status="done")
        held = self._held(self.trip)
        n = len(self.replans)
        msg = f"booked {len(held)} actions" + (f" after {n} re-plan{'s' if n != 1 else ''}" if n else "")
        return self._report("booked", msg, self.trip.generation, bookings=held)

    def _book(self, a: Action, seq: int | None) -> Booking | None:
        """Book one action (journal first); None when it is sold out."""
        now = self.now or dt.datetime.now()
        key = self._key(a.id)
        if a.deadline < now:
            if seq is not None:  # a call whose answer never came: settle it (compensation cancels it if made)
                made = self.client.void(key)
                if made is None:
                    self.journal.failed(seq, "not_made", "the service never made this booking (key voided)")
                else:
                    self.journal.done(seq, made.model_dump(mode="json"))
            raise _Permanent(a.id, "deadline", f"{a.name} had to be booked by {a.deadline:%Y-%m-%d %H:%M}")
        if seq is None:
            seq = self.journal.add(self.key, self.trip.generation, a.id, "book", a.call.model_dump(), key)
        self.calls += 1
        try:
            booking, replayed = self.client.book(booking_request(a.call, key, self.key))
        except SoldOut as exc:
            self.journal.failed(seq, exc.code, exc.message)
            self.on_event(f"sold out: {a.name} ({exc.message})")
            return None
        except BookingRefused as exc:
            self.journal.failed(seq, exc.code, exc.message)
            raise _Permanent(a.id, exc.code, exc.message) from None
        if booking.status != "booked":
            self.journal.failed(seq, "cancelled", f"{a.name}: the booking with this key was cancelled")
            raise _Permanent(a.id, "cancelled", f"{a.name}: the booking with this key was cancelled")
        self.journal.done(seq, booking.model_dump(mode="json"))
        self.on_event(f"booked {a.id}{' (already made)' if replayed else ''}: {booking.id}")
        return booking

    def _replan(self, sold: Action, acts: list[Action]) -> None:
        from ..planner import NoItinerary, plan_itinerary
        from ..verify import verify
        if len(self.replans) >= self.max_replans:
            raise _Permanent(sold.id, "sold_out", f"{sold.name} is sold out, and {self.max_replans} re-plans "
                             "are used up")
        done = {e.action_id for e in self.journal.entries(self.key, self.trip.generation, "book") if e.state == "done"}
        booked = [a for a in acts if a.id in done]
        req = replan_request(self.req, self.it, booked, sold.item_id)
        self.on_event(f"re-planning without {sold.name}, {len(booked)} bookings held fixed")
        def replan(extra: tuple[Path, ...]) -> tuple[Itinerary, set[str]]:
            try:
                new = plan_itinerary(req, self.catalog, time_limit=self.time_limit, history=self.history,
                                     scorer=self.scorer, rules=[*self.rules, *extra],
                                     prune=None if self.rules else True)
            except NoItinerary as exc:
                raise _Permanent(sold.id, "no_itinerary", f"{sold.name} is sold out and no itinerary keeps what "
                                 f"is booked: {exc.message}") from None
            except TimeoutError as exc:  # neither an itinerary nor a proof that none exists
                raise _Stalled(f"{sold.name} is sold out and the re-plan found no itinerary within "
                               f"{self.time_limit:g} s ({exc}); resume with a larger time limit") from None
            found = verify(new, req, self.catalog)
            if found:
                raise _Permanent(sold.id, "invalid_itinerary", f"the re-planned itinerary breaks a rule: {found[0]}")
            return new, {a.id for a in booked} - {a.id for a in actions(new, self.catalog, req)}

        new, changed = replan(())
        if changed:  # a kept hotel stay grew: plan again with booked.lp, which keeps booked stays exact
            self.on_event(f"the re-plan changes the booked {sorted(changed)[0]}: re-planning with booked stays "
                          "kept exact (rules/acting/booked.lp)")
            new, changed = replan((rule_file(BOOKED_FILE),))
        if changed:  # cannot happen; never leave a booking behind unnoticed
            raise _Permanent(sold.id, "replan_changed_booking", f"the re-planned itinerary changes the booking "
                             f"{sorted(changed)[0]}")
        rp = explain_replan(self.it, new, sold, booked, self.catalog, explain=self.explain)
        self.replans.append(rp)
        self.it, self.req = new, req
        self.journal.update(self.key, itinerary=new.model_dump_json(), request=req.model_dump_json(),
                            replans=[r.model_dump(mode="json") for r in self.replans])
        self.on_event(rp.text)

    def _compensate(self, failure: Failure) -> BookingReport:
        """Cancel every booking of this attempt, most recent first."""
        entries = self.journal.entries(self.key, self.trip.generation)
        cancels = {e.booking_id: e for e in entries if e.op == "cancel"}   # the latest per booking
        for e in reversed([e for e in entries if e.op == "book" and e.state in ("done", "pending")]):
            booking_id = e.booking_id
            if e.state == "pending":  # its answer never came: its booking, or the key is voided
                made = self.client.void(e.idempotency_key)
                if made is None:
                    self.journal.failed(e.seq, "not_made", "the service never made this booking (key voided)")
                    continue
                self.journal.done(e.seq, made.model_dump(mode="json"))
                booking_id = made.id
            earlier = cancels.get(booking_id)
            if earlier is not None and earlier.state != "pending":
                continue   # cancelled already (or unknown to the service)
            seq = earlier.seq if earlier is not None else self.journal.add(
                self.key, self.trip.generation, e.action_id, "cancel",
                {"name": "cancel_booking", "arguments": {"booking_id": booking_id}}, f"cancel.{booking_id}",
                booking_id)
            self.calls += 1
            try:
                b = self.client.cancel(booking_id)  # type: ignore[arg-type]
            except BookingRefused as exc:  # the service does not know it: nothing to give back
                self.journal.failed(seq, exc.code, exc.message)
                continue
            self.journal.done(seq, b.model_dump(mode="json"))
            self.on_event(f"cancelled {e.action_id}: {booking_id}")
        self.journal.update(self.key, status="compensated")
        done = [e for e in self.journal.entries(self.key, self.trip.generation, "cancel") if e.state == "done"]
        every = [Booking.model_validate(e.booking) for e in done if e.booking]
        return self._report("compensated", f"{failure.message}. Cancelled all {len(every)} bookings of this attempt, "
                            "most recent first", self.trip.generation, cancelled=every, failure=failure)

    def _held(self, trip: Trip) -> list[Booking]:
        return [Booking.model_validate(e.booking) for e in self.journal.entries(self.key, trip.generation, "book")
                if e.state == "done" and e.booking]

    def _report(self, status: ReportStatus, message: str, attempt: int, **kw: Any) -> BookingReport:
        from ..verify import verify
        violations = [str(v) for v in verify(self.it, self.req, self.catalog)] if status != "dry_run" else []
        return BookingReport(status=status, message=message, trip=self.key, attempt=attempt,
                             journal=str(self.journal_path) if self.journal_path else None, replans=self.replans,
                             itinerary=self.it, request=self.req, violations=violations, calls=self.calls,
                             transient_errors=self.client.transient_errors - self._errors0, **kw)


def book_itinerary(itinerary: Itinerary, request: TripRequest, catalog: Catalog, server: str | BookingClient, *,
                   journal: str | Path | None = None, dry_run: bool = False, resume: bool = False,
                   now: dt.datetime | None = None, retry: RetryPolicy | None = None, time_limit: float = 10.0,
                   max_replans: int = 3, history: Any = None, scorer: Any = None, rules: Sequence[str | Path] = (),
                   explain: bool = True, on_event: Callable[[str], Any] | None = None) -> BookingReport:
    """Book ``itinerary`` on the booking service at ``server`` (see the module docstring).

    ``journal`` is the SQLite journal file (required unless ``dry_run``); ``resume``
    continues an unfinished run recorded there. ``now`` is the local time deadlines are
    checked against (default: the clock). ``time_limit``, ``history``, ``scorer`` and
    ``rules`` (the user rule files the itinerary was planned with) are passed to
    ``plan_itinerary`` when re-planning (with ``rules/acting/booked.lp`` too should a booked hotel
    stay grow) (the search stops early once it proves
    its itinerary optimal; on the demo catalog keeping as many soft keeps as possible
    takes about 4 s, and a shorter limit may move more of the old plan than needed); ``explain=False`` skips ``why``/
    ``why_not`` in the re-plan explanations. ``on_event`` is called with one line per
    step (booked, sold out, re-planned, cancelled).

    Raises :class:`~neurosym.acting.models.ActingInputError` before anything is booked
    when the itinerary does not fit the request and catalog, the service cannot be
    reached or serves another catalog, a deadline has passed, or the journal has an
    unfinished run and ``resume`` is not set.
    """
    ex = Executor(itinerary, request, catalog, server, journal=journal, now=now, retry=retry, time_limit=time_limit,
                  max_replans=max_replans, history=history, scorer=scorer, rules=rules, explain=explain,
                  on_event=on_event)
    return ex.dry_run() if dry_run else ex.run(resume=resume)
