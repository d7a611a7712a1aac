"""Plan and score the TravelPlanner train split from both of its files.

    python benchmarks/travelplanner.py [--data DIR] [--time-limit S] [--out DIR] [--profile]
                                       [--compare S2] [--proofs LIMITS] [--reference S]

Runs :func:`neurosym.travelplanner.run.run` on ``train.jsonl`` and ``train_hf.csv``
(data from ``../shared/travelplanner`` or ``$NEUROSYM_TRAVELPLANNER_DIR``) and prints the
benchmark's figures, the time per query and how many plans were proven optimal.
With ``--profile`` it also times, per query, building the facts, grounding and solving
on their own (``build_problem`` and ``plan_once``). With ``--compare S2`` it plans
``train.jsonl`` again with S2 seconds per query and prints how much preference the
shorter search gives up (the first level of the objective, per query). With
``--proofs 0.1,0.3,1,5`` it plans every query of ``train.jsonl`` at each limit and prints
how many plans are proven optimal, the time to proof (the call returns once its plan
reaches the certified bound) and the shortfall of the value against a run with
``--reference`` seconds (default 60).
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
    from neurosym.solve import Limits, plan_once

    build, ground, search, optimal = [], [], [], 0
    for q in load(data):
        catalog, request = to_catalog(q), to_request(q)
        t0 = time.perf_counter()
        problem = build_problem(request, catalog)
        build.append(time.perf_counter() - t0)
        answer = plan_once(problem, [rules_path()], Limits(time=time_limit))
        if answer is None:
            print(f"query {q.idx}: no itinerary")
            continue
        ground.append(answer.stats.get("ground_s", 0.0))
        search.append(answer.stats.get("solve_s", 0.0))
        optimal += answer.optimal
    print(f"build_problem: {_figures(build)}")
    print(f"ground:        {_figures(ground)}")
    print(f"solve:         {_figures(search)}  (proven optimal: {optimal}/{len(search)})")


def compare(data: Path, out: Path, time_limit: float, longer: float, first: dict) -> None:
    """Print the preference each query's plan reaches at ``time_limit`` against ``longer`` seconds."""
    report = run(data, out / "longer.plans.jsonl", out / "longer.report.json", time_limit=longer)
    print(format_report(report))
    ref = {q["idx"]: q for q in report["per_query"]}
    gaps, equal, better = [], 0, 0
    for q in first["per_query"]:
        a, b = q["objective"], ref[q["idx"]]["objective"]
        if a is None or b is None:
            continue
        short, long_ = -a[0], -b[0]  # the preference level, maximised (clingo reports it negated)
        gaps.append((long_ - short) / long_ if long_ else 0.0)
        equal += short == long_
        better += short > long_
    print(f"preference at {time_limit:g} s against {longer:g} s, over {len(gaps)} queries: "
          f"mean shortfall {100 * statistics.fmean(gaps):.1f}%, largest {100 * max(gaps):.1f}%; "
          f"equal in {equal}, higher in {better}; proven optimal {first['proven_optimal']} vs "
          f"{report['proven_optimal']}")


def proofs(data: Path, limits: list[float], reference: float) -> None:
    """Proven optimal per time limit, time to proof, and the value's shortfall against ``reference`` s."""
    from neurosym.planner import NoItinerary
    from neurosym.travelplanner.adapter import plan

    queries = load(data)
    runs: dict[float, dict[int, tuple[bool, float, int | None]]] = {}
    for limit in [*limits, reference]:
        out: dict[int, tuple[bool, float, int | None]] = {}
        for q in queries:
            catalog, request = to_catalog(q), to_request(q)
            t0 = time.perf_counter()
            try:
                it = plan(request, catalog, time_limit=limit)
                out[q.idx] = (it.optimal, time.perf_counter() - t0, it.value)
            except (NoItinerary, TimeoutError):
                out[q.idx] = (False, time.perf_counter() - t0, None)
        runs[limit] = out
    ref = runs[reference]
    print(f"proofs over {len(queries)} queries (reference: {reference:g} s, "
          f"{sum(o for o, _, _ in ref.values())} proven)")
    print("| time limit | proven optimal | time to proof, median / max | call time, median / max | "
          "value shortfall against the reference, mean / max |")
    print("| --- | --- | --- | --- | --- |")
    for limit in limits:
        out = runs[limit]
        proven = [t for o, t, _ in out.values() if o]
        calls = [t for _, t, _ in out.values()]
        gaps = []
        for idx, (_, _, v) in out.items():
            r = ref[idx][2]
            if v is not None and r is not None:
                gaps.append(max(0.0, (r - v) / abs(r)) if r else 0.0)
        proof = f"{statistics.median(proven):.3f} / {max(proven):.3f} s" if proven else "-"
        shortfall = f"{100 * statistics.fmean(gaps):.2f}% / {100 * max(gaps):.2f}%" if gaps else "-"
        print(f"| {limit:g} s | {len(proven)}/{len(out)} | {proof} | {statistics.median(calls):.3f} / "
              f"{max(calls):.3f} s | {shortfall} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=None, help="folder with train.jsonl and train_hf.csv")
    ap.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT)
    ap.add_argument("--out", type=Path, default=None, help="folder for plans and reports (default: a temp dir)")
    ap.add_argument("--profile", action="store_true", help="also time build / ground / solve separately")
    ap.add_argument("--compare", type=float, default=None, metavar="S2",
                    help="also plan train.jsonl with S2 seconds per query and compare the preference reached")
    ap.add_argument("--proofs", type=str, default=None, metavar="LIMITS",
                    help="comma-separated time limits: proven optimal, time to proof and shortfall at each")
    ap.add_argument("--reference", type=float, default=60.0, metavar="S",
                    help="the time limit of the reference run for --proofs (default 60)")
    args = ap.parse_args()
    folder = args.data or resolve_data_dir(DEFAULT_DATA_DIR)
    if args.proofs:
        proofs(folder / "train.jsonl", [float(x) for x in args.proofs.split(",")], args.reference)
        return
    out = args.out or Path(tempfile.mkdtemp(prefix="tp-"))
    out.mkdir(parents=True, exist_ok=True)
    reports = {}
    for name in ("train.jsonl", "train_hf.csv"):
        stem = Path(name).stem
        reports[name] = run(folder / name, out / f"{stem}.plans.jsonl", out / f"{stem}.report.json",
                            time_limit=args.time_limit)
        print(format_report(reports[name]))
        print()
    if args.compare is not None:
        compare(folder / "train.jsonl", out, args.time_limit, args.compare, reports["train.jsonl"])
        print()
    if args.profile:
        profile(folder / "train.jsonl", args.time_limit)
    print(f"plans and reports in {out}")


if __name__ == "__main__":
    main()
