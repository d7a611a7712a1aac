"""Plan every query of a TravelPlanner split with the neurosym rules, and score it.

:func:`run` loads a split (either layout), plans each query in sole-planning mode
(:mod:`.adapter`), writes the submission file, scores it with the project's checker
(:mod:`.checker`) and reports the benchmark's pass rates, the time per query and how
many plans were proven optimal. ``python -m neurosym travelplanner --data PATH --out
plans.jsonl [--report report.json] [--workers N | --scheduler ADDRESS]`` does the same from
the command line, on Dask when given workers or a scheduler (:func:`plan_batch`).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .adapter import plan, to_catalog, to_plan, to_request
from .checker import TPDatabase, check_plan, score
from .export import submission_line, write_submission
from .loader import TPQuery, TravelPlannerDataError, load

#: Wall-clock seconds for one query, the whole call. The planner returns as soon as its
#: plan reaches the certified bound, which takes well under this on almost every query
#: (docs/performance.md); the limit only matters when a proof takes longer.
DEFAULT_TIME_LIMIT = 1.0
#: A query with no plan at all within its time limit (a slow or busy machine) is planned
#: once more with this many times the limit: a delivered plan is what the benchmark scores.
RETRY_FACTOR = 10


def database_for(data_path: str | Path) -> TPDatabase | None:
    """The benchmark's database folder next to the data file (``database/``), if there is one."""
    folder = Path(data_path).resolve().parent / "database"
    return TPDatabase.load(folder) if folder.is_dir() else None


def _percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile by the nearest-rank method (the smallest value with q of them at or below)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _summary(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"n": 0, "median": None, "p95": None, "max": None, "mean": None}
    return {"n": len(values), "median": round(statistics.median(values), 4),
            "p95": round(_percentile(values, 0.95), 4), "max": round(max(values), 4),
            "mean": round(statistics.fmean(values), 4)}


def plan_one(query: TPQuery, time_limit: float | None) -> dict[str, Any]:
    """Plan one query; the plan (``None`` if none) with its timings and outcome.

    The first call also pays for importing the planner (the cold start).
    """
    t0 = time.perf_counter()
    from ..planner import NoItinerary

    catalog, request = _problem_of(query)
    t1 = time.perf_counter()
    itinerary, error = None, None
    try:
        itinerary = plan(request, catalog, time_limit=time_limit)
    except (NoItinerary, TimeoutError) as exc:  # TimeoutError: no plan at all within the time limit
        error = exc
    t2 = time.perf_counter()
    return _record(query, catalog, itinerary, error, map_s=t1 - t0, plan_s=t2 - t1)


def _record(query: TPQuery, catalog: Any, itinerary: Any, error: BaseException | None, *,
            map_s: float, plan_s: float) -> dict[str, Any]:
    """A query's record: its plan or why there is none, and where the time went."""
    from ..planner import NoItinerary

    record: dict[str, Any] = {"idx": query.idx, "plan": None, "optimal": False, "error": None}
    if isinstance(error, NoItinerary):
        record["error"] = {"kind": "no_itinerary", "message": error.message,
                           "rules": sorted({rule for rule, _ in error.violations})}
    elif isinstance(error, TimeoutError):
        record["error"] = {"kind": "timeout", "message": str(error), "rules": []}
    elif error is not None:  # only from a batch: any other error of the query, kept as its outcome
        record["error"] = {"kind": "error", "message": f"{type(error).__name__}: {error}", "rules": []}
    else:
        record["plan"] = to_plan(itinerary, catalog)
        record["optimal"] = itinerary.optimal
        record["objective"] = itinerary.objective
        stats = itinerary.stats
        record["ground_s"] = float(stats.get("ground_s", 0.0))
        record["solve_s"] = float(stats.get("solve_s", 0.0))
    record["map_s"] = map_s
    record["plan_s"] = plan_s
    record["total_s"] = map_s + plan_s
    if record["plan"] is not None:
        # build_problem, reading the answer back and checking the rule files
        record["other_s"] = max(0.0, record["plan_s"] - record["ground_s"] - record["solve_s"])
    return record


def plan_batch(queries: Sequence[TPQuery], time_limit: float | None, *, client: Any = None,
               workers: int | None = None, progress: bool = False) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Plan the queries on Dask with :func:`neurosym.batch.plan_many` (local worker
    processes, or the cluster of ``client``: a ``distributed.Client`` or a scheduler's
    address); the records in query order, and the batch's summary.

    Each query's catalog (its reference information) travels with it; ``plan_s`` is the
    time on the worker and ``map_s`` the time to map the query here.
    """
    from ..batch import plan_many
    from .adapter import plan_options

    catalogs, requests, map_s = [], [], []
    for query in queries:
        t0 = time.perf_counter()
        catalog, request = _problem_of(query)
        catalogs.append(catalog)
        requests.append(request)
        map_s.append(time.perf_counter() - t0)
    records: list[dict[str, Any] | None] = [None] * len(queries)
    with plan_many(requests, catalog=catalogs, time_limit=time_limit, client=client, workers=workers,
                   **plan_options()) as batch:
        if progress:
            print(f"planning on {batch.summary.threads} worker threads ({batch.summary.scheduler})"
                  + (f"; dashboard: {batch.dashboard_link}" if batch.dashboard_link else ""),
                  file=sys.stderr, flush=True)
        for n, result in enumerate(batch, start=1):
            i = result.index
            rec = _record(queries[i], catalogs[i], result.itinerary, result.error, map_s=map_s[i],
                          plan_s=result.seconds)
            rec["retried"] = result.retried
            records[i] = rec
            if progress:
                _print_progress(n, len(queries), queries[i].idx, rec)
    assert all(rec is not None for rec in records), "plan_many gives every request a result"
    return records, batch.summary.as_dict()  # type: ignore[return-value]


def _retry_timeouts(queries: Sequence[TPQuery], records: list[dict[str, Any]], time_limit: float | None, *,
                    progress: bool = False) -> int:
    """Plan each query that got no plan within ``time_limit`` once more, with
    :data:`RETRY_FACTOR` times the limit (its record then counts both calls' time and says
    ``retried_after_timeout``); how many were."""
    if time_limit is None:
        return 0
    retried = 0
    for i, rec in enumerate(records):
        if rec["error"] is None or rec["error"]["kind"] != "timeout":
            continue
        again = plan_one(queries[i], RETRY_FACTOR * max(time_limit, 0.1))
        for key in ("map_s", "plan_s", "total_s"):
            again[key] += rec[key]
        again["retried_after_timeout"] = True
        records[i] = again
        retried += 1
        if progress:
            state = "ok" if again["plan"] is not None else again["error"]["kind"]
            print(f"query {queries[i].idx}: no plan within {time_limit:g} s; planned again with "
                  f"{RETRY_FACTOR * max(time_limit, 0.1):g} s: {state}", file=sys.stderr, flush=True)
    return retried


def _print_progress(n: int, total: int, idx: int, rec: dict[str, Any]) -> None:
    """``--progress``: one line per query planned, to stderr."""
    state = "ok" if rec["plan"] is not None else rec["error"]["kind"]
    print(f"[{n}/{total}] query {idx}: {state} in {rec['total_s']:.2f} s"
          + (" (planned again: a worker died)" if rec.get("retried") else ""), file=sys.stderr, flush=True)


def _problem_of(query: TPQuery) -> tuple[Any, Any]:
    """The query's catalog and request; a value the planner cannot take is a :class:`_QueryError`."""
    from pydantic import ValidationError

    from ..files import describe_validation
    try:
        return to_catalog(query), to_request(query)
    except ValidationError as exc:
        raise _QueryError(query.idx, describe_validation(exc)) from None


class _QueryError(ValueError):
    """A query whose data the planner cannot take (a price above the limit, for instance)."""

    def __init__(self, idx: int, message: str):
        self.idx, self.message = idx, message
        super().__init__(f"query {idx}: {message}")


def run(data_path: str | Path, out_path: str | Path, report_path: str | Path | None = None,
        time_limit: float | None = DEFAULT_TIME_LIMIT, *, progress: bool = False, workers: int | None = None,
        client: Any = None) -> dict[str, Any]:
    """Plan, export and score a split; returns the report (also written to ``report_path``).

    The plans are checked against the benchmark's database when a ``database/`` folder
    lies next to the data file, else against each query's reference information.
    A query without an itinerary gets an empty (undelivered) plan.

    With ``workers`` (local worker processes) or ``client`` (a ``distributed.Client`` or
    a scheduler's address), the queries are planned on Dask by :func:`plan_batch`, and
    the report's ``batch`` says on how many worker threads and how fast.
    """
    data_path = Path(data_path)
    for target in (out_path, report_path):
        if target is not None and Path(target).resolve() == data_path.resolve():
            raise TravelPlannerDataError(target, None, None, "is the data file itself; choose another output file")
    queries = load(data_path)
    database = database_for(data_path)
    batch: dict[str, Any] | None = None
    try:
        if workers is not None or client is not None:
            records, batch = plan_batch(queries, time_limit, client=client, workers=workers, progress=progress)
        else:
            records = []
            for n, query in enumerate(queries, start=1):
                rec = plan_one(query, time_limit)
                records.append(rec)
                if progress:
                    _print_progress(n, len(queries), query.idx, rec)
        retried = _retry_timeouts(queries, records, time_limit, progress=progress)
    except _QueryError as exc:
        raise TravelPlannerDataError(data_path, exc.idx, None, exc.message, unit="query") from None
    plans = [rec["plan"] for rec in records]
    write_submission(out_path, [submission_line(n, q.query, p)
                                for n, (q, p) in enumerate(zip(queries, plans, strict=True), start=1)])
    figures = score(queries, plans, database)
    results = [check_plan(q, p, database) for q, p in zip(queries, plans, strict=True)]

    totals = [rec["total_s"] for rec in records]
    planned = [rec for rec in records if rec["plan"] is not None]
    report: dict[str, Any] = {
        "data": str(data_path),
        "checked_against": "database" if database is not None else "reference information",
        "time_limit_s": time_limit,
        "queries": len(queries),
        "delivered": len(planned),
        "final_pass": sum(r.final_pass for r in results),
        "figures": figures,
        "proven_optimal": sum(1 for rec in planned if rec["optimal"]),
        "retried_after_timeout": retried,
        "time_s": {
            "cold": round(totals[0], 4) if totals else None,
            "warm": _summary(totals[1:]),
            "all": _summary(totals),
            "split_median": {
                "map": _summary([rec["map_s"] for rec in records])["median"],
                "ground": _summary([rec["ground_s"] for rec in planned])["median"],
                "solve": _summary([rec["solve_s"] for rec in planned])["median"],
                "other": _summary([rec["other_s"] for rec in planned])["median"],
            },
            "split_total": {
                "map": round(sum(rec["map_s"] for rec in records), 4),
                "ground": round(sum(rec["ground_s"] for rec in planned), 4),
                "solve": round(sum(rec["solve_s"] for rec in planned), 4),
                "other": round(sum(rec["other_s"] for rec in planned), 4),
            },
        },
        "undelivered": [{"idx": rec["idx"], **rec["error"]} for rec in records if rec["plan"] is None],
        "failing": [{"idx": q.idx, "failed": r.failed(), "reasons": r.reasons}
                    for q, r in zip(queries, results, strict=True) if r.delivered and not r.final_pass],
        "per_query": [{"idx": rec["idx"], "total_s": round(rec["total_s"], 4),
                       "ground_s": round(rec.get("ground_s", 0.0), 4), "solve_s": round(rec.get("solve_s", 0.0), 4),
                       "optimal": rec["optimal"], "objective": rec.get("objective"),
                       "delivered": rec["plan"] is not None,
                       "final_pass": r.final_pass}
                      for rec, r in zip(records, results, strict=True)],
    }
    if batch is not None:
        report["batch"] = batch
    if report_path is not None:
        Path(report_path).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return report


def format_report(report: dict[str, Any]) -> str:
    """The figures of a report as readable lines."""
    n = report["queries"]
    t = report["time_s"]
    lines = [f"{n} queries from {report['data']} (checked against the {report['checked_against']})",
             f"final pass {report['final_pass']}/{n}; delivered {report['delivered']}/{n}; "
             f"proven optimal {report['proven_optimal']}/{report['delivered']}"
             + (f"; planned again with {RETRY_FACTOR} times the time limit after a timeout: "
                f"{report['retried_after_timeout']}" if report.get("retried_after_timeout") else "")]
    lines += [f"  {name}: {value:.4f}" for name, value in report["figures"].items()]
    warm = t["warm"]
    if warm["n"]:
        lines.append(f"time per query: cold {t['cold']:.3f} s; warm median {warm['median']:.3f} s, "
                     f"p95 {warm['p95']:.3f} s, max {warm['max']:.3f} s")
    else:
        lines.append(f"time per query: cold {t['cold']:.3f} s")
    split = t["split_median"]
    lines.append("median split: " + ", ".join(f"{k} {v:.3f} s" for k, v in split.items() if v is not None))
    batch = report.get("batch")
    if batch:
        lines.append(f"planned on Dask: {batch['threads']} worker threads, {batch['wall_s']:.1f} s wall "
                     f"({batch['plans_per_s']:.1f} plans/s)"
                     + (f"; {batch['retried']} planned again after a worker died" if batch["retried"] else ""))
    for bad in report["undelivered"]:
        lines.append(f"  query {bad['idx']}: no plan ({bad['kind']}): {bad['message']}")
    for bad in report["failing"]:
        lines.append(f"  query {bad['idx']}: fails {', '.join(bad['failed'])}: "
                     + "; ".join(f"{k}: {v}" for k, v in bad["reasons"].items()))
    return "\n".join(lines)


def cmd_travelplanner(args: argparse.Namespace) -> int:
    try:
        report = run(args.data, args.out, args.report, time_limit=args.time_limit, progress=args.progress,
                     workers=args.workers, client=args.scheduler)
    except (TravelPlannerDataError, ImportError, ConnectionError) as exc:  # ConnectionError: no scheduler
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a missing data file, an output folder that cannot be written
        print(f"error: {exc.filename or args.data}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(format_report(report))
    return 0


def add_travelplanner_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``travelplanner`` subcommand to the CLI's subparsers."""
    p = sub.add_parser("travelplanner", help="plan and score a TravelPlanner split (sole-planning mode)")
    p.add_argument("--data", required=True, metavar="PATH", help="the split: train.jsonl or a published CSV")
    p.add_argument("--out", required=True, metavar="PLANS.jsonl", help="where to write the submission")
    p.add_argument("--report", metavar="REPORT.json", help="where to write the full report")
    from ..cli import count, seconds
    p.add_argument("--time-limit", type=seconds, default=DEFAULT_TIME_LIMIT, metavar="S",
                   help=f"wall-clock seconds to ground and search each query (default {DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--progress", action="store_true", help="print one line per query to stderr")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=count, metavar="N",
                       help="plan on N local worker processes (Dask; pip install 'neurosym[distributed]')")
    where.add_argument("--scheduler", metavar="ADDRESS", help="plan on the Dask cluster of this scheduler")
    p.set_defaults(func=cmd_travelplanner)
    return p
