"""Plan and score the TravelPlanner train split from both of its files.

    python benchmarks/travelplanner.py [--data DIR] [--time-limit S] [--out DIR] [--profile]

Runs :func:`neurosym.travelplanner.run.run` on ``train.jsonl`` and ``train_hf.csv``
(data from ``../shared/travelplanner`` or ``$NEUROSYM_TRAVELPLANNER_DIR``) and prints the
benchmark's figures, the time per query and how many plans were proven optimal.
With ``--profile`` it also times, per query, building the facts, grounding and solving
on their own (``build_problem`` and ``solve``).
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from neurosym.travelplanner import load, resolve_data_dir
from neurosym.travelplanner.adapter import rules_path, to_catalog, to_request
from neurosym.travelplanner.run import DEFAULT_TIME_LIMIT, format_report, run

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "travelplanner"


def _figures(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    return f"median {statistics.median(values):.3f} s, p95 {p95:.3f} s, max {max(values):.3f} s"


def profile(data: Path, time_limit: float) -> None:
    """Build, ground and solve each query separately and print the split."""
    from neurosym.problem import build_problem
    from neurosym.solve import solve

    build, ground, search, optimal = [], [], [], 0
    for q in load(data):
        catalog, request = to_catalog(q), to_request(q)
        t0 = time.perf_counter()
        problem = build_problem(request, catalog)
        build.append(time.perf_counter() - t0)
        answer = solve(problem.facts, [rules_path()], time_limit=time_limit)
        if answer is None:
            print(f"query {q.idx}: no itinerary")
            continue
        ground.append(answer.stats.get("ground_s", 0.0))
        search.append(answer.stats.get("solve_s", 0.0))
        optimal += answer.optimal
    print(f"build_problem: {_figures(build)}")
    print(f"ground:        {_figures(ground)}")
    print(f"solve:         {_figures(search)}  (proven optimal: {optimal}/{len(search)})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=None, help="folder with train.jsonl and train_hf.csv")
    ap.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    ap.add_argument("--out", type=Path, default=None, help="folder for plans and reports (default: a temp dir)")
    ap.add_argument("--profile", action="store_true", help="also time build / ground / solve separately")
    args = ap.parse_args()
    folder = args.data or resolve_data_dir(DEFAULT_DATA_DIR)
    out = args.out or Path(tempfile.mkdtemp(prefix="tp-"))
    out.mkdir(parents=True, exist_ok=True)
    for name in ("train.jsonl", "train_hf.csv"):
        stem = Path(name).stem
        report = run(folder / name, out / f"{stem}.plans.jsonl", out / f"{stem}.report.json",
                     time_limit=args.time_limit)
        print(format_report(report))
        print()
    if args.profile:
        profile(folder / "train.jsonl", args.time_limit)
    print(f"plans and reports in {out}")


if __name__ == "__main__":
    main()
