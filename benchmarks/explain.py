"""Measure the explanations on the demo trip: the full trace, why, why-not and the diagnosis.

    python benchmarks/explain.py [--itinerary FILE] [--save FILE] [--time-limit S]
                                 [--why-not N] [--seed K] [--skip-trace] [--skip-diagnosis]
                                 [--json OUT]

The itinerary explained is the demo trip planned with ``--time-limit`` seconds, or the
one in ``--itinerary`` (JSON, e.g. written by an earlier run with ``--save``), so that
two versions of the code can be compared on the very same itinerary. It is made
explainable with :func:`neurosym.explain.attach` (a fresh engine for each part):

- trace: ``it.trace`` from a fresh engine (its first question grounds the whole program);
- why: ``it.why`` of every chosen item, warm (the whole program ground beforehand);
- why-not: ``it.why_not`` of N candidates drawn with a fixed seed from the catalog items
  the trip could use (places of its cities, legs of the moves it can make), warm;
- diagnosis: ``plan_itinerary`` on three impossible demo requests (a budget of 1, a
  Klingon meal, an earliest departure of 23:30), the whole call and the diagnosis alone.

Prints figures (and writes them as JSON with ``--json``); asserts nothing about time.
Timings depend on the machine's load: quote medians, and re-run on a quiet machine.
Each figure also gives the process's CPU seconds, which the load changes much less (the
wall time of a quiet machine lies between the CPU time spread over the two threads the
engine uses and the CPU time itself).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import time
from datetime import time as clock_time
from pathlib import Path

from neurosym import NoItinerary, demo_request, load_demo_catalog, plan_itinerary
from neurosym.explain import attach
from neurosym.itinerary import Itinerary


def _figures(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p90 = ordered[max(0, -(-90 * len(ordered) // 100) - 1)]
    return {"n": len(values), "median": round(statistics.median(values), 4), "p90": round(p90, 4),
            "max": round(max(values), 4)}


def _line(name: str, f: dict[str, float]) -> str:
    return f"{name:<10} n={f['n']:<3} median {f['median']:.3f} s  p90 {f['p90']:.3f} s  max {f['max']:.3f} s"


def _cpu(f: dict[str, float]) -> str:
    return f"  (CPU median {f['median']:.3f} s, max {f['max']:.3f} s)"


def _candidates(it: Itinerary, catalog, request, count: int, seed: int) -> list[str]:
    """Catalog ids the trip could use and does not: places of its cities, legs of its moves."""
    used = set(it.chosen_ids()) | {leg.item_id for leg in it.legs}
    dests = set(request.destinations)
    n, home = request.n_days, request.origin

    def move(o: str, d: str, day: int) -> bool:  # a move the trip can make on that day
        return (o == home and d in dests) if day == 1 else (o in dests and d == home) if day == n else \
            (o in dests and d in dests)

    day_of = {request.day_date(d): d for d in range(1, n + 1)}
    ids = [p.id for p in [*catalog.hotels, *catalog.attractions, *catalog.restaurants] if p.city in dests]
    ids += [f.id for f in catalog.flights if f.date in day_of and move(f.origin, f.destination, day_of[f.date])]
    ids += [g.id for g in catalog.ground_legs if any(move(g.origin, g.destination, d) for d in range(1, n + 1))]
    pool = sorted(set(ids) - used)
    return random.Random(seed).sample(pool, min(count, len(pool)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--itinerary", type=Path, help="explain this itinerary (JSON) instead of planning one")
    ap.add_argument("--save", type=Path, help="write the itinerary explained to this file (JSON)")
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--why-not", type=int, default=60, help="how many candidates to ask why-not about")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-trace", action="store_true")
    ap.add_argument("--skip-diagnosis", action="store_true")
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    args = ap.parse_args()

    catalog, request = load_demo_catalog(), demo_request()
    report: dict[str, object] = {}
    if args.itinerary:
        it = Itinerary.model_validate_json(args.itinerary.read_text(encoding="utf-8"))
        print(f"itinerary: {args.itinerary}")
    else:
        t0 = time.perf_counter()
        try:
            it = plan_itinerary(request, catalog, time_limit=args.time_limit)
        except TimeoutError as exc:   # a loaded machine: nothing to explain
            raise SystemExit(f"no itinerary to explain: {exc} (raise --time-limit)") from None
        print(f"plan: {time.perf_counter() - t0:.2f} s (optimal={it.optimal}, objective {it.objective})")
    if args.save:
        args.save.write_text(it.model_dump_json(), encoding="utf-8")
    print(f"route {' -> '.join([it.origin, *it.cities, it.origin])}, objective {it.objective}")

    if not args.skip_trace:
        fresh = Itinerary.model_validate_json(it.model_dump_json())
        t0, c0 = time.perf_counter(), time.process_time()
        attach(fresh, request, catalog)
        trace = fresh.trace
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        report["trace_s"], report["trace_cpu_s"] = round(wall, 3), round(cpu, 3)
        report["trace_counts"] = trace.counts()
        report["trace_stats"] = trace.stats
        print(f"trace      {wall:.2f} s ({cpu:.2f} s CPU) for {len(trace)} candidates {trace.counts()}")
        print(f"           stats {json.dumps(trace.stats)}")

    warm = Itinerary.model_validate_json(it.model_dump_json())
    t0 = time.perf_counter()
    attach(warm, request, catalog)
    warm.explainer.prepare(background=False)
    report["prepare_s"] = round(time.perf_counter() - t0, 3)
    print(f"prepare    {report['prepare_s']:.2f} s (attach and ground the whole program)")
    whys, why_cpu = [], []
    for key in warm.chosen_ids():
        t0, c0 = time.perf_counter(), time.process_time()
        warm.why(key)
        whys.append(time.perf_counter() - t0)
        why_cpu.append(time.process_time() - c0)
    report["why"], report["why_cpu"] = _figures(whys), _figures(why_cpu)
    print(_line("why", report["why"]) + _cpu(report["why_cpu"]))  # type: ignore[arg-type]
    nots, not_cpu, statuses = [], [], {}
    for key in _candidates(it, catalog, request, args.why_not, args.seed):
        t0, c0 = time.perf_counter(), time.process_time()
        e = warm.why_not(key)
        nots.append(time.perf_counter() - t0)
        not_cpu.append(time.process_time() - c0)
        statuses[e.status] = statuses.get(e.status, 0) + 1
    report["why_not"], report["why_not_cpu"] = _figures(nots), _figures(not_cpu)
    report["why_not_statuses"] = statuses
    print(_line("why-not", report["why_not"]) + _cpu(report["why_not_cpu"])  # type: ignore[arg-type]
          + f"  {statuses}")

    if not args.skip_diagnosis:
        cases = {"budget 1": {"budget": 1}, "Klingon meal": {"cuisines": ["Klingon"]},
                 "earliest departure 23:30": {"earliest_departure": clock_time(23, 30)}}
        report["diagnosis"] = {}
        for name, change in cases.items():
            req = request.model_copy(update=change)
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                plan_itinerary(req, catalog, time_limit=args.time_limit)
                print(f"diagnosis  {name}: planned (not infeasible?)")
                continue
            except NoItinerary as exc:
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                d = exc.diagnosis
            stats = dict(d.stats) if d is not None else {}
            row = {"call_s": round(wall, 3), "call_cpu_s": round(cpu, 3), **stats,
                   "conflicts": [[c.name for c in m] for m in d.conflicts] if d is not None else [],
                   "repairs": [r.kind for r in d.repairs] if d is not None else []}
            report["diagnosis"][name] = row  # type: ignore[index]
            print(f"diagnosis  {name}: {wall:.2f} s whole call ({cpu:.2f} s CPU); {json.dumps(stats)}; "
                  f"conflicts {row['conflicts']}, "
                  f"repairs {row['repairs']}")
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"peak memory {report['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
