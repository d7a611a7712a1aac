"""Fault injection: many random trips booked against a booking service that misbehaves.

    python benchmarks/booking_faults.py [--trips 20] [--seed 1] [--quick] [--json OUT]

The service (``python -m neurosym booking-server``, a real process on a local port) is
seeded from the demo catalog with small stocks, so trips compete for rooms, tables and
tickets. It fails booking calls at random (503 before doing anything, or 500 *after*
committing: the answer is lost), answers some slowly (longer than the client's timeout),
and is killed with SIGKILL and restarted on the same database at random moments.
Some trips get an item sold out by the operator just before booking (the executor must
re-plan) or refused by the provider (the executor must cancel what it booked). Some
executors are themselves killed mid-run (a real ``python -m neurosym book`` process,
SIGKILL) and resumed with ``--resume``.

At the end the script audits the service against the journal and prints: trips, actions,
injected faults, and the three figures that must be 0:

- double bookings: more than one live booking for the same action of a trip;
- orphan bookings: a live booking that is neither in the trip's final itinerary nor
  cancelled (including every live booking of a compensated trip);
- lost journal entries: a booking the service holds whose call the journal does not
  know, a journal entry saying "booked" that the service does not hold, or a call whose
  outcome the journal still does not know after the run.

It also checks that every final itinerary passes ``verify()``. The exit status is 1 when
any of those is not 0. Times depend on the machine's load; the figures do not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from neurosym import NoItinerary, Travelers, TripRequest, load_demo_catalog, plan_itinerary, verify
from neurosym.acting import ActingInputError, BookingClient, RetryPolicy, actions, book_itinerary
from neurosym.acting.executor import trip_key
from neurosym.acting.journal import Journal
from neurosym.demo import DEMO_START

NOW = dt.datetime(2026, 5, 1, 9, 0)
CITIES = ("Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt", "Dresden", "Leipzig")
CAPACITY = {"flight": 12, "train": 20, "car": 3, "taxi": 3, "hotel": 3, "table": 2, "ticket": 8}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """The booking service as a child process that can be killed and restarted."""

    def __init__(self, work: Path, port: int, args: argparse.Namespace):
        self.work, self.port, self.args = work, port, args
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.lock = threading.Lock()

    def start(self) -> None:
        with self.lock:
            self.starts += 1
            cmd = [sys.executable, "-m", "neurosym", "booking-server", "--catalog", "catalog.json",
                   "--db", "service.sqlite", "--port", str(self.port),
                   "--fail-rate", str(self.args.fail_rate), "--fail-after-rate", str(self.args.fail_after_rate),
                   "--slow-rate", str(self.args.slow_rate), "--slow-s", str(self.args.slow_s),
                   "--fault-seed", str(self.args.seed * 1000 + self.starts), "--fault-log", "faults.jsonl"]
            for kind, n in CAPACITY.items():
                cmd += ["--capacity", f"{kind}={n}"]
            self.proc = subprocess.Popen(cmd, cwd=self.work, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         text=True)
            self.proc.stdout.readline()  # "neurosym booking service on ...": listening

    def kill(self) -> None:
        with self.lock:
            if self.proc is not None:
                self.proc.send_signal(signal.SIGKILL)
                self.proc.wait()
                self.proc = None

    def stop(self) -> None:
        self.kill()


def killer(service: Service, stop: threading.Event, rng: random.Random, every: float, kills: list[float]) -> None:
    """Kill the service at random moments and restart it after a short outage."""
    while not stop.wait(rng.uniform(0.5, 1.5) * every):
        service.kill()
        kills.append(time.time())
        time.sleep(rng.uniform(0.2, 1.0))
        service.start()


def random_request(rng: random.Random) -> TripRequest:
    origin = rng.choice(CITIES)
    n = rng.choice((1, 1, 2))
    dests = rng.sample([c for c in CITIES if c != origin], n)
    nights = rng.randint(n, n + 2)
    start = DEMO_START + dt.timedelta(days=rng.randint(2, 28))
    people = rng.randint(1, 4)
    return TripRequest(origin=origin, destinations=dests, start=start, end=start + dt.timedelta(days=nights),
                       travelers=Travelers(adults=people), budget=900.0 * people * nights, pace=rng.choice((1, 2)),
                       meals="optional")


def run_cli_with_kill(work: Path, files: dict[str, Path], url: str, journal: Path, rng: random.Random,
                      key: str) -> tuple[str, int]:
    """Book with a real executor process, SIGKILL it after a random delay, then resume until done."""
    base = [sys.executable, "-m", "neurosym", "book", str(files["it"]), "--request", str(files["req"]),
            "--catalog", "catalog.json", "--server", url, "--journal", str(journal), "--now", NOW.isoformat(),
            "--time-limit", "1", "--json"]
    proc = subprocess.Popen(base, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.3, 3.0))
    killed = proc.poll() is None
    if killed:
        proc.send_signal(signal.SIGKILL)
    proc.wait()
    for _ in range(30):
        trip = Journal(journal).trip(key) if journal.exists() else None
        resume = trip is not None and trip.status in ("booking", "compensating")
        if trip is not None and trip.status in ("done", "compensated"):
            return trip.status, int(killed)
        out = subprocess.run(base + (["--resume"] if resume else []), cwd=work, capture_output=True, text=True)
        if out.returncode == 1 and "cannot reach" in out.stderr:
            time.sleep(1.0)
            continue
        if out.returncode == 3:   # interrupted: the service went away for too long
            time.sleep(1.0)
    raise RuntimeError(f"trip {key} did not finish")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trips", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fail-rate", type=float, default=0.10, help="503 before doing anything")
    ap.add_argument("--fail-after-rate", type=float, default=0.08, help="500 after committing (answer lost)")
    ap.add_argument("--slow-rate", type=float, default=0.05)
    ap.add_argument("--slow-s", type=float, default=1.5, help="slow answers take this long (client timeout: 1 s)")
    ap.add_argument("--kill-every", type=float, default=6.0, help="mean seconds between service kills")
    ap.add_argument("--executor-kills", type=float, default=0.25, help="share of trips whose executor is killed")
    ap.add_argument("--sell-out", type=float, default=0.3, help="share of trips with an item sold out by hand")
    ap.add_argument("--refuse", type=float, default=0.1, help="share of trips with an item the provider refuses")
    ap.add_argument("--time-limit", type=float, default=1.0, help="seconds per plan and re-plan")
    ap.add_argument("--quick", action="store_true", help="4 trips (a smoke run)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--keep", action="store_true", help="keep the working directory")
    args = ap.parse_args()
    if args.quick:
        args.trips = 4
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="booking_faults_"))
    catalog = load_demo_catalog()
    (work / "catalog.json").write_text(catalog.model_dump_json())
    journal = work / "journal.sqlite"
    service = Service(work, free_port(), args)
    service.start()
    stop, kills = threading.Event(), []
    chaos = threading.Thread(target=killer, args=(service, stop, random.Random(args.seed + 1), args.kill_every,
                                                  kills), daemon=True)
    t0 = time.time()
    chaos.start()
    retry = RetryPolicy(attempts=10, base_s=0.1, factor=2, max_s=2.0, timeout_s=1.0)
    operator = BookingClient(service.url, RetryPolicy(attempts=20, base_s=0.2, max_s=1.0, timeout_s=5.0))
    stats: Counter = Counter()
    trips: dict[str, dict] = {}
    try:
        while stats["planned"] < args.trips and stats["attempts"] < args.trips * 3:
            stats["attempts"] += 1
            req = random_request(rng)
            try:
                it = plan_itinerary(req, catalog, time_limit=args.time_limit)
            except (NoItinerary, TimeoutError):
                stats["unplannable"] += 1
                continue
            stats["planned"] += 1
            i = stats["planned"]
            key = trip_key(it, req, catalog)
            files = {"it": work / f"trip{i}.json", "req": work / f"trip{i}.request.json"}
            files["it"].write_text(it.model_dump_json())
            files["req"].write_text(req.model_dump_json())
            acts = actions(it, catalog, req)
            stats["actions_planned"] += len(acts)
            r = rng.random()
            if r < args.sell_out:
                target = rng.choice([a for a in acts if a.kind in ("hotel", "ticket", "table")] or acts)
                operator.set_inventory(target.item_id, capacity=0)
                stats["sold_out_by_hand"] += 1
            elif r < args.sell_out + args.refuse:
                target = rng.choice(acts[1:] or acts)
                operator.set_inventory(target.item_id, refuse="the provider declined the payment")
                stats["refused_by_hand"] += 1
            if rng.random() < args.executor_kills:
                status, killed = run_cli_with_kill(work, files, service.url, journal, rng, key)
                stats["executor_kills"] += killed
            else:
                report = None
                while report is None or report.status == "interrupted":
                    if report is not None:
                        stats["interrupted_runs"] += 1
                        time.sleep(1.0)
                    try:
                        report = book_itinerary(it, req, catalog, service.url, journal=journal, now=NOW,
                                                retry=retry, time_limit=args.time_limit, explain=False,
                                                resume=report is not None)
                    except ActingInputError as exc:   # the service was down for the whole preflight
                        if "cannot reach" not in str(exc):
                            raise
                        stats["unreachable_at_start"] += 1
                        time.sleep(1.0)
                stats["transient_errors_seen"] += report.transient_errors
                status = {"booked": "done", "compensated": "compensated"}.get(report.status, report.status)
            trips[key] = {"status": status}
            print(f"trip {i:>3}: {req.origin} -> {', '.join(req.destinations)}, {req.n_days} days, "
                  f"{req.travelers.people} people, {len(acts)} actions: {status}", flush=True)
    finally:
        stop.set()
        chaos.join()
    elapsed = time.time() - t0
    if service.proc is None:
        service.start()
    figures = audit(operator, Journal(journal), catalog, trips, stats)
    faults = Counter(json.loads(line)["fault"] for line in (work / "faults.jsonl").read_text().splitlines()
                     ) if (work / "faults.jsonl").exists() else Counter()
    service.stop()
    figures |= {"injected_fail_before": faults["fail_before"], "injected_fail_after": faults["fail_after"],
                "injected_slow": faults["slow"], "service_kills": len(kills),
                "executor_kills": stats["executor_kills"], "sold_out_by_hand": stats["sold_out_by_hand"],
                "refused_by_hand": stats["refused_by_hand"], "interrupted_runs": stats["interrupted_runs"],
                "transient_errors_seen_in_process": stats["transient_errors_seen"],
                "unplannable_requests": stats["unplannable"], "seconds": round(elapsed, 1)}
    figures["injected_faults"] = (figures["injected_fail_before"] + figures["injected_fail_after"]
                                  + figures["injected_slow"] + figures["service_kills"] + figures["executor_kills"])
    order = ["trips", "trips_booked", "trips_compensated", "replans", "actions", "bookings_made", "bookings_cancelled",
             "injected_faults", "injected_fail_before", "injected_fail_after", "injected_slow", "service_kills",
             "executor_kills", "sold_out_by_hand", "refused_by_hand", "interrupted_runs",
             "transient_errors_seen_in_process", "unplannable_requests", "itineraries_failing_verify",
             "double_bookings", "orphan_bookings", "lost_journal_entries", "seconds"]
    print()
    for k in order:
        print(f"{k:<34} {figures[k]}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    if not args.keep:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"working directory: {work}")
    bad = figures["double_bookings"] + figures["orphan_bookings"] + figures["lost_journal_entries"] + \
        figures["itineraries_failing_verify"]
    return 1 if bad else 0


def audit(client: BookingClient, journal: Journal, catalog, trips: dict[str, dict], stats: Counter) -> dict:
    """Compare the service's bookings with the journal (see the module docstring)."""
    from neurosym import Itinerary
    held = client.bookings()
    entries = journal.entries()
    by_key = {e.idempotency_key: e for e in entries if e.op == "book"}
    by_id = {b.id: b for b in held}
    double = orphan = missing = failing = replans = booked = compensated = n_actions = 0
    for key in journal.trips():
        trip = journal.trip(key)
        replans += len(trip.replans)
        live = [b for b in held if b.trip == key and b.status == "booked"]
        if trip.status == "done":
            booked += 1
            it = Itinerary.model_validate_json(trip.itinerary)
            req = TripRequest.model_validate_json(trip.request)
            failing += bool(verify(it, req, catalog))
            wanted = {f"{key}.{trip.generation}.{a.id}" for a in actions(it, catalog, req)}
            n_actions += len(wanted)
            counts = Counter(b.idempotency_key.split(".", 2)[2] for b in live)
            double += sum(n - 1 for n in counts.values() if n > 1)
            orphan += sum(1 for b in live if b.idempotency_key not in wanted)
            missing += len(wanted - {b.idempotency_key for b in live})   # booked per the journal, not held
        else:
            compensated += trip.status == "compensated"
            orphan += len(live)   # a compensated (or unfinished) trip holds nothing
    orphan += sum(1 for b in held if b.status == "booked" and b.trip not in trips)
    unknown = sum(1 for b in held if b.idempotency_key not in by_key)          # made, unknown to the journal
    pending = sum(1 for e in entries if e.state == "pending")                  # outcome never learnt
    not_held = sum(1 for e in entries if e.state == "done" and e.op == "book" and e.booking_id not in by_id)
    lost = missing + unknown + pending + not_held
    if lost:
        print(f"lost journal entries: {unknown} bookings unknown to the journal, {pending} calls still pending, "
              f"{not_held} journal bookings the service lacks, {missing} actions of booked trips not held")
    return {"trips": len(journal.trips()), "trips_booked": booked, "trips_compensated": compensated,
            "replans": replans, "actions": n_actions, "bookings_made": len(held),
            "bookings_cancelled": sum(b.status == "cancelled" for b in held),
            "itineraries_failing_verify": failing, "double_bookings": double, "orphan_bookings": orphan,
            "lost_journal_entries": lost}


if __name__ == "__main__":
    sys.exit(main())
