"""Soak run: the property checks of tests/test_properties.py on N generated scenarios.

    python benchmarks/soak.py --n 10000 [--seed 1] [--time-limit 1] [--jobs 2] [--report soak.json]

Each scenario is a generated catalog and request (``tests/scenarios.py``: hostile
strings as names and ids, numbers up to the model's limits). Each answer is checked:
an itinerary must pass ``verify``, round-trip through JSON, and the request tightened
to exactly what it uses must still be plannable. Prints the scenarios, itineraries,
no-itinerary answers, timeouts, unexpected errors and violations, and the first
problems found; exits 1 if there is an error or a violation.

hypothesis generates the scenarios (its shrinking is off: a problem is counted and the
run goes on). The run is deterministic for a seed (and a number of jobs).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the shared scenario strategies

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402

from scenarios import Tally, check, scenarios  # noqa: E402


def soak(n: int, rng_seed: int, time_limit: float, progress: int = 500) -> tuple[Tally, float]:
    total = Tally()
    t0 = time.perf_counter()

    @seed(rng_seed)
    @settings(max_examples=n, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(scenarios())
    def run(scenario):  # noqa: ANN001
        cat, req = scenario
        total.add(check(cat, req, time_limit=time_limit))
        if progress and total.scenarios % progress == 0:
            print(f"[{total.scenarios}/{n}, {time.perf_counter() - t0:.0f} s] {total.line()}", file=sys.stderr,
                  flush=True)

    run()
    return total, time.perf_counter() - t0


def _worker(job: tuple[int, int, float]) -> Tally:
    n, rng_seed, time_limit = job
    return soak(n, rng_seed, time_limit)[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="scenarios to generate (default 1000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time-limit", type=float, default=1.0, help="seconds per plan (default 1)")
    ap.add_argument("--jobs", type=int, default=1,
                    help="worker processes; job j generates its share with seed SEED+j (default 1)")
    ap.add_argument("--report", help="write the figures and the problems found as JSON")
    args = ap.parse_args()
    if args.jobs > 1:
        from multiprocessing import Pool
        shares = [args.n // args.jobs + (j < args.n % args.jobs) for j in range(args.jobs)]
        t0 = time.perf_counter()
        with Pool(args.jobs) as pool:
            parts = pool.map(_worker, [(k, args.seed + j, args.time_limit) for j, k in enumerate(shares)])
        tally, seconds = Tally(), time.perf_counter() - t0
        for part in parts:
            tally.add(part)
    else:
        tally, seconds = soak(args.n, args.seed, args.time_limit)
    print(tally.line())
    print(f"{seconds:.0f} s in all, {seconds / max(1, tally.scenarios) * 1000:.0f} ms a scenario")
    for p in tally.problems[:10]:
        print("-", p)
    if args.report:
        Path(args.report).write_text(json.dumps({**{k: v for k, v in vars(tally).items() if k != "problems"},
                                                 "seconds": round(seconds, 1), "n": args.n, "seed": args.seed,
                                                 "problems": tally.problems[:100]}, indent=1) + "\n")
    return 0 if tally.errors == 0 and tally.violations == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
