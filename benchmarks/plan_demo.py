"""Measure planning the demo trip: the certified bound, grounding, solving, whether optimality is proven.

    python benchmarks/plan_demo.py [--time-limit S] [--repeat N]

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import statistics
import time

from neurosym import demo_request, load_demo_catalog, plan_itinerary


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t0 = time.perf_counter()
    catalog, req = load_demo_catalog(), demo_request()
    print(f"load demo catalog: {time.perf_counter() - t0:.3f} s "
          f"({len(catalog.items())} items, {len(catalog.flights)} flights)")
    walls = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        try:
            it = plan_itinerary(req, catalog, time_limit=args.time_limit)
        except TimeoutError as exc:   # a loaded machine: no itinerary within the limit
            walls.append(time.perf_counter() - t)
            print(f"plan: {walls[-1]:.2f} s  {exc}")
            continue
        walls.append(time.perf_counter() - t)
        print(f"plan: {walls[-1]:.2f} s  bound {it.stats.get('bound_s', 0.0):.2f} s  ground {it.stats['ground_s']:.2f} s  "
              f"solve {it.stats['solve_s']:.2f} s  "
              f"models {it.stats['models']:.0f}  optimal={it.optimal}  objective={it.objective}")
    print(f"median plan time: {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
