"""Large catalogs: a generated 7-day trip through 3 cities, with many places per city.

    python benchmarks/scale.py [--places 300,700,1500] [--flights 50] [--limits 2,5,10]

For each size it builds the catalog (``benchmarks/scale_catalog.py``: about that many
places per city, ``--flights`` flights on every day between every two cities), then
prints: the candidates left after exact pruning, the time to build the facts, the
grounding of the whole program, the first itinerary (clingo's first model), the
itinerary and certified gap at each of a few time limits, the first limit whose gap is
at most 1%, and the peak memory of the process. Each plan runs in a fresh process (the
peak memory is then its own). Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_ONE = """
import json, resource, sys, time
sys.path.insert(0, {here!r})
from scale_catalog import scale_catalog, scale_request
from neurosym import plan_itinerary
from neurosym.problem import build_problem
from neurosym.program import Program
from neurosym.rules import core_paths
cat, req = scale_catalog({places}, {flights}), scale_request()
out = {{}}
t = time.perf_counter(); problem = build_problem(req, cat); out["facts_s"] = time.perf_counter() - t
out["candidates"] = {{"places": len(problem.places), "legs": len(problem.legs), "pruned": len(problem.dominated)}}
if {ground}:
    t = time.perf_counter(); prog = Program(problem.facts, files=core_paths()); out["ground_s"] = time.perf_counter() - t
    found = []
    t = time.perf_counter()
    prog.solve(on_model=lambda m: found.append(time.perf_counter() - t) or False)
    out["first_s"] = found[0] if found else None
    del prog
t = time.perf_counter()
try:
    it = plan_itinerary(req, cat, time_limit={limit})
    out.update(call_s=time.perf_counter() - t, value=it.value, bound=it.bound, gap=it.gap, optimal=it.optimal)
except Exception as exc:
    out.update(call_s=time.perf_counter() - t, error=type(exc).__name__)
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def _run(places: int, flights: int, limit: float, ground: bool) -> dict:
    code = _ONE.format(here=str(HERE), places=places, flights=flights, limit=limit, ground=ground)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--places", default="300,700,1500", help="places per city, comma-separated")
    ap.add_argument("--flights", type=int, default=50, help="flights per leg and day")
    ap.add_argument("--limits", default="2,5,10", help="time limits to plan with, comma-separated")
    args = ap.parse_args()
    limits = [float(x) for x in args.limits.split(",")]
    print("| places per city | candidates after pruning | facts | ground | first itinerary | "
          + " | ".join(f"gap at {x:g} s (call)" for x in limits) + " | first limit with gap <= 1% | peak memory |")
    print("| --- " * (7 + len(limits)) + "|")
    for places in (int(x) for x in args.places.split(",")):
        runs = [_run(places, args.flights, x, ground=(k == 0)) for k, x in enumerate(limits)]
        first = runs[0]
        cells = []
        for r in runs:
            if r.get("error"):
                cells.append(f"{r['error']} ({r.get('call_s', 0):.1f} s)")
            elif r.get("gap") is None:
                cells.append(f"no bound, value {r.get('value')} ({r['call_s']:.1f} s)")
            else:
                cells.append(f"{100 * r['gap']:.1f}% ({r['call_s']:.1f} s)")
        reach = next((f"{x:g} s" for x, r in zip(limits, runs) if r.get("gap") is not None and r["gap"] <= 0.01),
                     "none")
        cand = first.get("candidates", {})
        ground = f"{first['ground_s']:.2f} s" if first.get("ground_s") is not None else "-"
        first_model = f"{first['first_s']:.2f} s" if first.get("first_s") is not None else "-"
        peak = max(r.get("peak_mb", 0) for r in runs)
        print(f"| {places} | {cand.get('places', '?')} places, {cand.get('legs', '?')} legs | "
              f"{first.get('facts_s', 0):.2f} s | {ground} | {first_model} | " + " | ".join(cells)
              + f" | {reach} | {peak:.0f} MB |")


if __name__ == "__main__":
    main()
