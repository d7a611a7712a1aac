"""What the weather rules cost, and what a re-plan for a new forecast keeps.

    python benchmarks/weather.py [--runs 3] [--time-limit 3]

On the demo trip (15-19 June, 2 of Munich, Dresden, Leipzig) with the demo forecast
(heavy rain over all three cities on 17 June), it prints, per run and as medians:

- the facts the forecast adds (``rain/4``, ``temp/5``, ``outdoor/1``, the policy; and the
  candidates the pruning keeps because the weather changes where they can go), and the
  grounding of the whole program with and without them (seconds, atoms);
- the plan in the reproducible mode, with and without the forecast (seconds, proven optimal);
- ``verify()`` with the forecast (milliseconds);
- a re-plan of the plan made without a rain rule (``rain_threshold=None``) for the
  forecast at 60%: seconds, items kept where they were, items changed, and whether any
  outdoor visit is left in the rain (must be 0).

Times depend on the machine's load; the counts do not (the re-plan's, only as far as the
search under a time limit does not).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from neurosym import demo_forecast, demo_request, load_demo_catalog, plan_itinerary, replan, verify
from neurosym.problem import build_problem
from neurosym.program import Program
from neurosym.request import WeatherPolicy
from neurosym.rules import core_paths


def ground(facts) -> tuple[float, float]:
    """Seconds to ground the core rule files over ``facts``, and the ground atoms."""
    t0 = time.perf_counter()
    prog = Program(facts, files=core_paths())
    return time.perf_counter() - t0, float(len(prog.ctl.symbolic_atoms))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--time-limit", type=float, default=3.0)
    args = ap.parse_args()
    catalog, req, forecast = load_demo_catalog(), demo_request(), demo_forecast()
    problem = build_problem(req, catalog, forecast=forecast)
    plain = build_problem(req, catalog)
    added = Counter(f.name for f in problem.facts) - Counter(f.name for f in plain.facts)
    print(f"facts: {len(plain.facts)} without the forecast, {len(problem.facts)} with it; added: "
          + ", ".join(f"{k} {v}" for k, v in sorted(added.items())))
    print(f"outdoor places the weather touches: {len(problem.weather_affected)}")
    rows: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        g0, atoms0 = ground(plain.facts)
        g1, atoms1 = ground(problem.facts)
        row: dict[str, float] = {"ground_s": g0, "ground_weather_s": g1, "atoms": atoms0, "atoms_weather": atoms1}
        for name, fc in (("plan", None), ("plan_weather", forecast)):
            t0 = time.perf_counter()
            it = plan_itinerary(req, catalog, time_limit=args.time_limit, reproducible=True, forecast=fc)
            row[f"{name}_s"], row[f"{name}_optimal"] = time.perf_counter() - t0, float(it.optimal)
        t0 = time.perf_counter()
        assert verify(it, req, catalog, forecast) == []
        row["verify_ms"] = 1000 * (time.perf_counter() - t0)
        no_rule = req.model_copy(update={"weather": WeatherPolicy(rain_threshold=None)})
        try:
            old = plan_itinerary(no_rule, catalog, time_limit=args.time_limit, forecast=forecast)
            t0 = time.perf_counter()
            r = replan(old, forecast, request=req, catalog=catalog, time_limit=args.time_limit)
        except TimeoutError as exc:   # a loaded machine: the search found nothing in time
            print(f"run {run}: {exc}")
            continue
        row["replan_s"] = time.perf_counter() - t0
        wet = [v for v in verify(r.itinerary, req, catalog, forecast) if v.rule.startswith("weather_")]
        row |= {"kept": len(r.kept), "changed": len(r.changes), "rained_on": len(wet)}
        print(f"run {run}: " + ", ".join(f"{k} {v:.3g}" for k, v in row.items()))
        for k, v in row.items():
            rows.setdefault(k, []).append(float(v))
    print("median: " + ", ".join(f"{k} {statistics.median(v):.3g}" for k, v in rows.items()))


if __name__ == "__main__":
    main()
