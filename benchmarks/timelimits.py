"""Does ``time_limit`` hold? The wall time of the whole call, against its limit.

    python benchmarks/timelimits.py [--limits 0.1,0.5,2,5] [--runs 1]

For each time limit and each case it times ``plan_itinerary`` as a whole (facts, bound,
grounding, search, and the diagnosis of an impossible request) in a fresh process that
has planned once before (imports and first-use caches are not part of a call), and
prints the wall time with the promise ``limit x 1.1 + 0.2 s`` beside it:

- **feasible**: the demo trip;
- **infeasible**: the demo trip on a budget of 100 with a Klingon meal (a diagnosis);
- **10x catalog**: the demo trip on the demo catalog with every hotel, attraction and
  restaurant repeated ten times (slightly different ratings, prices and positions).

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

_ONE = """
import json, random, time
from neurosym import NoItinerary, demo_request, load_demo_catalog, plan_itinerary
case, limit = {case!r}, {limit}
catalog, req = load_demo_catalog(), demo_request()
plan_itinerary(req.model_copy(update={{"destinations": ["Dresden"], "visit_count": None,
                                       "end": req.start.replace(day=req.start.day + 2)}}), catalog, time_limit=5)
# (a first plan warms the process up: imports and caches are not part of a call)
if case == "infeasible":
    req = req.model_copy(update={{"budget": 100, "cuisines": ["Klingon"]}})
if case == "10x catalog":
    rng = random.Random(7)
    def copies(items):
        out = list(items)
        for k in range(1, 10):
            for it in items:
                upd = {{"id": f"{{it.id}}~{{k}}", "name": f"{{it.name}} ({{k}})",
                        "rating": min(5.0, max(0.0, round(it.rating + rng.uniform(-0.5, 0.5), 1))),
                        "price": round(it.price * rng.uniform(0.8, 1.25), 2)}}
                if it.lat is not None:
                    upd.update(lat=it.lat + rng.uniform(-0.01, 0.01), lon=it.lon + rng.uniform(-0.01, 0.01))
                out.append(it.model_copy(update=upd))
        return out
    catalog = catalog.model_copy(update={{"hotels": copies(catalog.hotels), "attractions": copies(catalog.attractions),
                                          "restaurants": copies(catalog.restaurants)}})
t = time.perf_counter()
try:
    it = plan_itinerary(req, catalog, time_limit=limit)
    outcome = "optimal" if it.optimal else (f"gap {{100 * it.gap:.1f}}%" if it.gap is not None else "no bound")
except NoItinerary as exc:
    d = exc.diagnosis
    outcome = "diagnosis" + (" (partial)" if d is not None and not getattr(d, "complete", True) else "")
except TimeoutError:
    outcome = "no itinerary in time"
print(json.dumps({{"wall": time.perf_counter() - t, "outcome": outcome}}))
"""

CASES = ("feasible", "infeasible", "10x catalog")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limits", default="0.1,0.5,2,5")
    ap.add_argument("--runs", type=int, default=1, help="runs per cell (the largest wall time is shown)")
    args = ap.parse_args()
    limits = [float(x) for x in args.limits.split(",")]
    print("| time limit | promise | " + " | ".join(CASES) + " |")
    print("| --- " * (2 + len(CASES)) + "|")
    for limit in limits:
        cells = []
        for case in CASES:
            walls, outcomes = [], []
            for _ in range(args.runs):
                out = subprocess.run([sys.executable, "-c", _ONE.format(case=case, limit=limit)], capture_output=True,
                                     text=True, timeout=600)
                if out.returncode != 0:
                    cells.append("error: " + (out.stderr.strip().splitlines() or ["?"])[-1][:60])
                    break
                r = json.loads(out.stdout.strip().splitlines()[-1])
                walls.append(r["wall"])
                outcomes.append(r["outcome"])
            else:
                promise = 1.1 * limit + 0.2
                mark = "" if max(walls) <= promise else " **over**"
                cells.append(f"{max(walls):.2f} s{mark} ({', '.join(sorted(set(outcomes)))})")
        print(f"| {limit:g} s | {1.1 * limit + 0.2:.2f} s | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
