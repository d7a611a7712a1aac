"""Determinism: how often the same request gives the same itinerary, and what reproducibility costs.

    python benchmarks/determinism.py [--time-limit S] [--runs N] [--tp-limit S] [--skip-tp]

For the demo trip, each mode plans ``--runs`` times in fresh processes and prints the
objective of each run and how many distinct itinerary JSONs came out:

- ``default``: two racing threads, cut by the wall clock (the library's default);
- ``reproducible``: one thread, bounded by clasp conflicts (``plan_itinerary(...,
  reproducible=True)``, the command line's default).

Then, on the TravelPlanner train queries at ``--tp-limit`` seconds, the preference each
mode reaches (mean shortfall of the reproducible mode against the default).
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = ROOT.parent / "shared" / "travelplanner"

_ONE = """
import hashlib, json, sys, time
from neurosym import demo_request, load_demo_catalog, plan_itinerary
t = time.perf_counter()
it = plan_itinerary(demo_request(), load_demo_catalog(), time_limit={limit}, reproducible={repro})
print(json.dumps({{"objective": it.objective, "optimal": it.optimal, "wall": time.perf_counter() - t,
                  "sha": hashlib.sha256(it.model_dump_json().encode()).hexdigest()[:12],
                  "reproducible": it.stats.get("reproducible", 0.0)}}))
"""


def demo(limit: float, runs: int) -> None:
    for repro in (False, True):
        rows = []
        for _ in range(runs):
            out = subprocess.run([sys.executable, "-c", _ONE.format(limit=limit, repro=repro)], capture_output=True,
                                 text=True, timeout=600, cwd=ROOT)
            if out.returncode != 0:
                sys.exit(f"a demo run failed: {out.stderr.strip()[-1000:]}")
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        name = "reproducible" if repro else "default"
        prefs = [-r["objective"][0] for r in rows]
        print(f"demo {name:<12} objectives {[r['objective'] for r in rows]}; distinct JSON {len({r['sha'] for r in rows})}"
              f" of {runs}; preference median {statistics.median(prefs)}, min {min(prefs)}, max {max(prefs)}; "
              f"wall median {statistics.median(r['wall'] for r in rows):.2f} s")


def travelplanner(limit: float) -> None:
    from neurosym import NoItinerary, plan_itinerary
    from neurosym.travelplanner import load_jsonl, resolve_data_dir
    from neurosym.travelplanner.adapter import plan_options, to_catalog, to_request
    gaps, wall, unplanned = [], {False: [], True: []}, 0
    for q in load_jsonl(resolve_data_dir(DEFAULT_DATA_DIR) / "train.jsonl"):
        catalog, request = to_catalog(q), to_request(q)
        pref = {}
        for repro in (False, True):
            t = time.perf_counter()
            try:
                it = plan_itinerary(request, catalog, time_limit=limit, reproducible=repro, **plan_options())
                pref[repro] = -it.objective[0]
            except (NoItinerary, TimeoutError):   # compared only where both modes plan
                pass
            wall[repro].append(time.perf_counter() - t)
        if len(pref) < 2:
            unplanned += 1
            continue
        gaps.append((pref[False] - pref[True]) / pref[False] if pref[False] else 0.0)
    shortfall = (f"{100 * statistics.fmean(gaps):.2f}% on mean (largest {100 * max(gaps):.1f}%, better on "
                 f"{sum(g < 0 for g in gaps)}, equal on {sum(g == 0 for g in gaps)} of {len(gaps)})" if gaps else "-")
    print(f"TravelPlanner train at {limit:g} s: reproducible below default by {shortfall}; "
          f"{unplanned} queries without a plan in one mode or both; wall median "
          f"{statistics.median(wall[False]):.3f} s / {statistics.median(wall[True]):.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--tp-limit", type=float, default=0.5)
    ap.add_argument("--skip-tp", action="store_true")
    args = ap.parse_args()
    demo(args.time_limit, args.runs)
    if not args.skip_tp:
        travelplanner(args.tp_limit)


if __name__ == "__main__":
    main()
