"""The booking service and the executor, against the real HTTP server on a free local port."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from acting_helpers import NOW, bookable_catalog, small_request

from neurosym import demo_request, load_demo_catalog, plan_itinerary, verify
from neurosym.acting import (ActingInputError, BookingClient, BookingRefused, BookingRequest, Faults,
                             book_itinerary, booking_request, openapi, serve)
from neurosym.acting.client import RetryPolicy
from neurosym.acting.journal import Journal

FAST = RetryPolicy(attempts=4, base_s=0.01, max_s=0.05, timeout_s=5)


@pytest.fixture(scope="module")
def small():
    cat, req = bookable_catalog(), small_request()
    return cat, req, plan_itinerary(req, cat, time_limit=2)


def _active(store):
    return [b for b in store.bookings() if b.status == "booked"]


def _no_double_no_orphan(store, report):
    """Every active booking is an action of the final itinerary, each action booked once."""
    from neurosym.acting import actions
    wanted = {a.id for a in actions(report.itinerary, store.catalog, report.request)}
    active = _active(store)
    ids = [b.idempotency_key.split(".", 2)[2] for b in active]
    assert len(ids) == len(set(ids)), "double booking"
    assert set(ids) == wanted, "orphan or missing booking"


def test_demo_trip_books_fully_and_twice_is_once(tmp_path):
    cat, req = load_demo_catalog(), demo_request()
    it = plan_itinerary(req, cat, time_limit=3)
    with serve(cat, tmp_path / "service.sqlite") as srv:
        report = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=NOW, retry=FAST)
        assert report.status == "booked" and report.violations == [] and not report.replans
        acts = it.actions(cat, req)
        kinds = {a.kind for a in acts}
        assert "hotel" in kinds and kinds & {"flight", "train", "car", "taxi"}
        assert len(report.bookings) == len(acts) == len(_active(srv.store))
        assert [b.item_id for b in report.bookings] == [a.item_id for a in acts]   # in the actions' order
        _no_double_no_orphan(srv.store, report)
        again = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=NOW, retry=FAST)
        assert again.status == "already_booked" and again.calls == 0
        lost = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "fresh.sqlite", now=NOW, retry=FAST)
        assert lost.status == "booked"   # a lost journal: the same keys get the same bookings back
        assert [b.id for b in lost.bookings] == [b.id for b in report.bookings]
        assert len(srv.store.bookings()) == len(acts)


def test_sold_out_hotel_replans_explains_and_verifies(tmp_path, small):
    cat, req, it = small
    hotel = it.stays[0].hotel_id
    with serve(cat, tmp_path / "s.sqlite") as srv:
        BookingClient(srv.url).set_inventory(hotel, capacity=0)
        report = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=NOW, retry=FAST)
        assert report.status == "booked", report.message
        (rp,) = report.replans
        assert rp.sold_out == hotel and rp.name in rp.lost
        new_hotel = report.itinerary.stays[0].hotel_id
        assert new_hotel != hotel and hotel in report.request.exclude
        (why,) = rp.explanations
        assert why.item_id == new_hotel and why.status == "chosen"
        assert any(r.startswith("hotel_checkin_closed (") for r in why.rules)   # from the rule files
        assert "excludes" in rp.why_not
        assert verify(report.itinerary, report.request, cat) == []
        # what was booked before the hotel stayed where it was (a hard keep)
        first = report.bookings[0]
        assert first.item_id == it.legs[0].item_id   # the first leg, booked before the hotel
        assert any(k.item_id == first.item_id and k.hard for k in report.request.keep)
        _no_double_no_orphan(srv.store, report)


def test_permanent_failure_cancels_every_earlier_booking_in_reverse(tmp_path, small):
    cat, req, it = small
    acts = it.actions(cat, req)
    k = len(acts) // 2
    with serve(cat, tmp_path / "s.sqlite") as srv:
        BookingClient(srv.url).set_inventory(acts[k].item_id, refuse="the provider declined the payment")
        report = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=NOW, retry=FAST)
        assert report.status == "compensated"
        assert report.failure.code == "refused" and report.failure.action == acts[k].id
        assert "declined the payment" in report.message
        assert [b.item_id for b in report.cancelled] == [a.item_id for a in reversed(acts[:k])]
        assert _active(srv.store) == [] and len(srv.store.bookings()) == k
        entries = Journal(tmp_path / "j.sqlite").entries()
        cancels = [e.booking_id for e in entries if e.op == "cancel"]
        assert cancels == [b.id for b in reversed(srv.store.bookings())]


class Crash(BaseException):
    """The process dies (not an Exception: nothing catches it)."""


class CrashingClient(BookingClient):
    """Dies at the n-th booking call, before sending it or after the service answered."""

    def __init__(self, url, n, after):
        super().__init__(url, FAST)
        self.n, self.after = n, after

    def book(self, req):
        self.n -= 1
        if self.n == 0 and not self.after:
            raise Crash
        out = super().book(req)
        if self.n == 0:
            raise Crash
        return out


@pytest.mark.parametrize("after", [False, True], ids=["before-the-call", "answer-lost"])
def test_crash_then_resume_loses_and_duplicates_nothing(tmp_path, small, after):
    cat, req, it = small
    n_actions = len(it.actions(cat, req))
    with serve(cat, tmp_path / "s.sqlite") as srv:
        with pytest.raises(Crash):
            book_itinerary(it, req, cat, CrashingClient(srv.url, 3, after), journal=tmp_path / "j.sqlite", now=NOW)
        assert len(srv.store.bookings()) == (3 if after else 2)
        pending = [e for e in Journal(tmp_path / "j.sqlite").entries() if e.state == "pending"]
        assert len(pending) == 1   # written before the call
        with pytest.raises(ActingInputError, match="--resume"):
            book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=NOW, retry=FAST)
        report = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=NOW, retry=FAST,
                                resume=True)
        assert report.status == "booked" and len(report.bookings) == n_actions
        assert len(srv.store.bookings()) == n_actions
        _no_double_no_orphan(srv.store, report)


def test_transient_faults_are_retried_without_double_booking(tmp_path, small):
    cat, req, it = small
    faults = Faults(fail_rate=0.3, fail_after_rate=0.3, seed=7)
    with serve(cat, tmp_path / "s.sqlite", faults=faults) as srv:
        retry = RetryPolicy(attempts=12, base_s=0.005, max_s=0.02)
        report = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=NOW, retry=retry)
        assert report.status == "booked" and report.transient_errors > 0
        _no_double_no_orphan(srv.store, report)


def test_bad_input_changes_nothing(tmp_path, small):
    cat, req, it = small
    journal = tmp_path / "j.sqlite"
    with pytest.raises(ActingInputError, match="cannot reach the booking service"):
        book_itinerary(it, req, cat, "http://127.0.0.1:9", journal=journal, now=NOW,
                       retry=RetryPolicy(attempts=2, base_s=0.01))
    assert not journal.exists()
    demo = load_demo_catalog()
    with serve(cat, tmp_path / "s.sqlite") as srv:
        with pytest.raises(ActingInputError, match="not an item of catalog|does not fit"):
            book_itinerary(it, req, demo, srv.url, journal=journal, now=NOW, retry=FAST)
        with serve(demo, tmp_path / "demo.sqlite") as other:
            with pytest.raises(ActingInputError, match="serves catalog"):
                book_itinerary(it, req, cat, other.url, journal=journal, now=NOW, retry=FAST)
        with pytest.raises(ActingInputError, match="too late"):
            book_itinerary(it, req, cat, srv.url, journal=journal, now=dt.datetime(2026, 6, 2), retry=FAST)
        report = book_itinerary(it, req, cat, srv.url, dry_run=True, now=NOW, retry=FAST)
        assert report.status == "dry_run" and report.ok and all(a.available for a in report.availability)
        assert srv.store.bookings() == [] and not journal.exists()


def test_service_refuses_bad_requests_and_never_oversells(tmp_path):
    cat = bookable_catalog()
    with serve(cat, tmp_path / "s.sqlite") as srv:
        c = BookingClient(srv.url, FAST)
        spec = c.request("GET", "/openapi.json")
        assert spec["openapi"].startswith("3.") and "/bookings" in spec["paths"] and spec == openapi()
        assert "BookingRequest" in spec["components"]["schemas"]
        status, body = c._once("POST", "/bookings", {"kind": "hotel", "item_id": "h:a:cheap", "party": 2,
                                                     "date": "2026-06-01", "idempotency_key": "k" * 10})
        assert status == 400 and body["error"]["code"] == "invalid"
        req = urllib.request.Request(srv.url + "/bookings", data=b"[" * 100_000, method="POST",
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as bad:
            urllib.request.urlopen(req, timeout=10)
        assert bad.value.code == 400   # JSON nested too deeply: bad input, not a 500 to retry
        # availability is asked with the same fields as a booking: a missing one is a 400, never a 500
        status, body = c._once("GET", "/availability?kind=hotel&item_id=h:a:cheap&date=2026-06-01", None)
        assert status == 400 and "needs nights" in body["error"]["message"]
        status, body = c._once("POST", "/bookings", {"kind": "ticket", "item_id": "a:a:museum", "party": 2,
                                                     "date": "2026-06-01", "time": "11:00",
                                                     "idempotency_key": "k" * 10})
        assert status == 422 and "not open" in body["error"]["message"]   # museums close on Mondays
        c.set_inventory("h:a:pets", capacity=3)
        results = []

        def grab(i):
            try:
                results.append(c.book(BookingRequest(kind="hotel", item_id="h:a:pets", date=dt.date(2026, 6, 2),
                                                     nights=1, party=2, idempotency_key=f"race-{i:04d}")))
            except Exception as exc:  # noqa: BLE001
                results.append(exc)

        threads = [threading.Thread(target=grab, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(isinstance(r, tuple) for r in results) == 3   # three rooms, three bookings
        assert {type(r).__name__ for r in results if not isinstance(r, tuple)} == {"SoldOut"}


def test_cli_server_and_book(tmp_path, small):
    cat, req, it = small
    for name, model in (("catalog", cat), ("request", req), ("it", it)):
        (tmp_path / f"{name}.json").write_text(model.model_dump_json())
    server = subprocess.Popen([sys.executable, "-m", "neurosym", "booking-server", "--catalog", "catalog.json",
                               "--db", "s.sqlite", "--port", "0"], cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        url = line.split(" on ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        book = [sys.executable, "-m", "neurosym", "book", "it.json", "--request", "request.json", "--catalog",
                "catalog.json", "--server", url, "--now", NOW.isoformat()]
        out = subprocess.run(book, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("booked ") and (tmp_path / "it.journal.sqlite").exists()
        out = subprocess.run(book + ["--json"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and json.loads(out.stdout)["status"] == "already_booked"
    finally:
        server.terminate()
        server.wait(timeout=10)
    out = subprocess.run(book[:-2] + ["--journal", "other.sqlite"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 1 and "cannot reach the booking service" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "other.sqlite").exists()


def test_server_option_out_of_range_is_bad_input(tmp_path, capsys):
    from neurosym.cli import main
    assert main(["booking-server", "--db", str(tmp_path / "s.sqlite"), "--port", "0", "--fail-rate", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: --fail-rate: ") and "internal error" not in err
    assert not (tmp_path / "s.sqlite").exists()


def test_notebook_executes():
    import nbclient
    import nbformat
    path = Path(__file__).resolve().parents[1] / "examples" / "act_on_itinerary.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(nb, timeout=240, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    assert "is sold out. Re-planned with it excluded" in text and "checked against: " in text
    assert "verify: no rule is broken" in text and "unknown_tool" in text


def test_a_booked_hotel_stay_cannot_grow_when_replanning():
    from neurosym import Keep, NoItinerary
    from neurosym.rules import BOOKED_FILE, rule_file
    cat = bookable_catalog()
    req = small_request(keep=[Keep(item_id="h:a:cheap", day=1, nights=1)])   # booked: the first night only
    assert plan_itinerary(req, cat, time_limit=2).stays[0].nights == 2          # a keep alone lets it grow
    with pytest.raises(NoItinerary, match="keep"):                              # a booking does not
        plan_itinerary(req, cat, time_limit=2, rules=[rule_file(BOOKED_FILE)], prune=True)


def test_a_replan_never_changes_a_booking_silently(tmp_path):
    """Alpha's hotel is booked for 2 nights, then the train on to Beta sells out. The only
    other way on is a flight a day later: staying a night longer would need another
    booking, so the re-plan keeps the stay exact (rules/acting/booked.lp), finds no itinerary,
    and everything is cancelled."""
    from neurosym import Flight
    cat = bookable_catalog()
    # meals optional: with three meals a day and no restaurant twice, a longer stay in Alpha
    # could run out of restaurants, and the re-plan would fail before a stay could grow
    req = small_request(destinations=["Alpha", "Beta"], fixed_order=True, end=dt.date(2026, 6, 5), budget=5000,
                        meals="optional")
    it = plan_itinerary(req, cat, time_limit=3)
    train = next(g for g in it.legs if g.origin == "Alpha")
    alpha = next(s for s in it.stays if s.city == "Alpha")
    assert train.mode == "train" and alpha.nights == 2
    later = it.days[train.day].date   # the catalog gains a flight the day after the train
    cat.flights.append(Flight(number="AB1", origin="Alpha", destination="Beta", date=later,
                              departure=dt.time(10, 0), arrival=dt.time(11, 15), price=50))
    events = []
    with serve(cat, tmp_path / "s.sqlite") as srv:
        BookingClient(srv.url).set_inventory(train.item_id, capacity=0)
        report = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=NOW, retry=FAST,
                                on_event=events.append)
        assert any("kept exact" in e for e in events), "\n".join(events)
        assert report.status == "compensated" and report.failure.code == "no_itinerary"
        assert _active(srv.store) == [] and any(b.item_id == alpha.hotel_id for b in report.cancelled)


@pytest.mark.parametrize("after", [False, True], ids=["never-sent", "answer-lost"])
def test_a_call_whose_answer_never_came_is_settled_before_compensating(tmp_path, small, after):
    """The process dies with a booking call unanswered and is resumed too late for that
    booking: its key is voided. Had the call booked, the booking is cancelled with the
    rest; had it not, it can no longer book, should the request still arrive."""
    cat, req, it = small
    acts = it.actions(cat, req)
    with serve(cat, tmp_path / "s.sqlite") as srv:
        with pytest.raises(Crash):
            book_itinerary(it, req, cat, CrashingClient(srv.url, 2, after), journal=tmp_path / "j.sqlite", now=NOW)
        late_now = acts[1].deadline + dt.timedelta(minutes=1)
        report = book_itinerary(it, req, cat, srv.url, journal=tmp_path / "j.sqlite", now=late_now, retry=FAST,
                                resume=True)
        assert report.status == "compensated" and report.failure.code == "deadline"
        assert _active(srv.store) == [] and len(report.cancelled) == (2 if after else 1)
        entries = Journal(tmp_path / "j.sqlite").entries()
        assert not [e for e in entries if e.state == "pending"]
        key = next(e.idempotency_key for e in entries if e.action_id == acts[1].id)
        if not after:   # the lost request arrives late: refused, nothing is booked behind our back
            with pytest.raises(BookingRefused, match="voided"):
                BookingClient(srv.url, FAST).book(booking_request(acts[1].call, key, report.trip))
            assert _active(srv.store) == []
