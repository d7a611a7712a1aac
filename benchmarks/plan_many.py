"""Throughput of batch planning on Dask: 1 and 2 local workers against a plain loop.

    python benchmarks/plan_many.py [--data DIR] [--repeat 11] [--time-limit 0.07]
                                   [--workers 1 2] [--no-reproducible] [--quick] [--wire] [--json OUT]

The 45 TravelPlanner train queries (from ``../shared/travelplanner`` or
``$NEUROSYM_TRAVELPLANNER_DIR``), repeated ``--repeat`` times (11: 495 plans), are planned

1. in a plain loop in this process (``plan_itinerary`` one request after the other);
2. with :func:`neurosym.batch.plan_many` on a local cluster of 1 worker process, then 2.

Each query is planned with the TravelPlanner conventions, as ``python -m neurosym
travelplanner`` does, with each query's own catalog travelling with it. By default the
search is reproducible (bounded by clasp conflicts, one thread, see
``plan_itinerary(reproducible=True)``), so every plan costs the same work wherever it
runs and the figures compare like with like; ``--no-reproducible`` plans as the
TravelPlanner command does (``--time-limit`` of wall clock, two solver threads).

Printed: plans per second for each, the scaling efficiency from 1 to 2 workers
(``throughput(2) / (2 * throughput(1))``), and the per-plan overhead of the distributed
path (``(wall(1 worker) - wall(loop)) / plans``, and the same in CPU seconds of every
process involved); the cluster start-up is timed apart. The mean time of a plan on a
worker and how busy the workers were tell contention (other processes taking the
cores: plans get slower) from overhead (workers waiting: they are less busy).
Also the sizes of what travels over the wire (``--wire`` only prints those). The load
average is printed before and after each phase: on a shared machine, quote the figures
with it. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "travelplanner"


def load_queries(data_dir: Path | None) -> tuple[list[Any], list[Any]]:
    """The requests and catalogs of the 45 train queries (``data_dir``, else the default folder)."""
    from neurosym.travelplanner import load, resolve_data_dir
    from neurosym.travelplanner.adapter import to_catalog, to_request

    queries = load((data_dir or resolve_data_dir(DEFAULT_DATA_DIR)) / "train.jsonl")
    return [to_request(q) for q in queries], [to_catalog(q) for q in queries]


def load_avg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def plain_loop(requests: list[Any], catalogs: list[Any], options: dict[str, Any]) -> dict[str, Any]:
    """Plan one after the other in this process; per-plan times and the wall clock."""
    from neurosym.planner import NoItinerary, plan_itinerary

    per_plan, planned = [], 0
    t0, cpu0 = time.perf_counter(), time.process_time()
    for request, catalog in zip(requests, catalogs):
        t = time.perf_counter()
        try:
            plan_itinerary(request, catalog, **options)
            planned += 1
        except (NoItinerary, TimeoutError):
            pass
        per_plan.append(time.perf_counter() - t)
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"plans": len(requests), "planned": planned, "wall_s": wall, "plans_per_s": len(requests) / wall,
            "median_plan_s": statistics.median(per_plan), "cpu_per_plan_s": cpu / len(requests)}


def _cpu() -> float:
    """CPU seconds (user and system) of this process so far."""
    import psutil

    t = psutil.Process().cpu_times()
    return t.user + t.system


def distributed(requests: list[Any], catalogs: list[Any], options: dict[str, Any], workers: int) -> dict[str, Any]:
    """Plan with plan_many on a fresh local cluster of ``workers`` processes."""
    from neurosym.batch import plan_many
    from neurosym.batch.cluster import local_cluster

    t0 = time.perf_counter()
    cluster, client = local_cluster(workers)
    try:
        startup = time.perf_counter() - t0
        with plan_many(requests, catalog=catalogs, client=client, **options) as batch:
            workers_cpu0, client_cpu0 = sum(client.run(_cpu).values()), time.process_time()
            planned = sum(r.ok for r in batch)
            workers_cpu, client_cpu = sum(client.run(_cpu).values()) - workers_cpu0, time.process_time() - client_cpu0
        s = batch.summary
    finally:
        client.close()
        cluster.close()
    assert s.complete, f"{s}"
    n = max(1, s.done)
    return {"workers": workers, "plans": s.done, "planned": planned, "errors": s.errors, "wall_s": s.wall_s,
            "plans_per_s": s.plans_per_s, "cluster_startup_s": startup, "context_s": s.startup_s,
            "mean_plan_on_worker_s": s.busy_s / n, "worker_busy": s.busy_s / (s.wall_s * s.threads),
            "worker_cpu_per_plan_s": workers_cpu / n, "client_cpu_per_plan_s": client_cpu / n}


def wire_sizes(requests: list[Any], catalogs: list[Any]) -> dict[str, Any]:
    """Bytes that travel: the demo catalog in the batch's plugin, a task, a result, embeddings."""
    import zlib

    from distributed.protocol import serialize_bytes

    from neurosym import demo_request, load_demo_catalog, plan_itinerary
    from neurosym.batch.context import BatchContext
    from neurosym.batch.worker import ContextPlugin
    from neurosym.preferences import needed_texts
    from neurosym.preferences.demo_users import demo_users
    from neurosym.preferences.encoder import default_encoder_path

    catalog, request = load_demo_catalog(), demo_request()
    catalog_json = catalog.model_dump_json().encode()
    plugin = serialize_bytes(ContextPlugin(BatchContext(token="x" * 12, catalog_json=zlib.compress(catalog_json))))
    task = serialize_bytes(("x" * 12, 0, request, None, None))
    itinerary = plan_itinerary(request, catalog, time_limit=2.0, reproducible=True)
    result = serialize_bytes(("ok", itinerary, "tcp://127.0.0.1:40000", 1.0, None))
    user = next(iter(demo_users().values()))
    texts = len(needed_texts(user, catalog))
    dim = json.loads((default_encoder_path() / "config.json").read_text())["hidden_size"]
    tp = [len(c.model_dump_json().encode()) for c in catalogs]
    tp_task = statistics.median(len(serialize_bytes(("x" * 12, 0, r, None, c.model_dump_json().encode())))
                                for r, c in zip(requests, catalogs))
    return {"demo_catalog_json_bytes": len(catalog_json),
            "demo_catalog_json_zlib_bytes": len(zlib.compress(catalog_json)),
            "demo_catalog_pickle_bytes": len(pickle.dumps(catalog)),
            "plugin_bytes": len(plugin), "task_bytes": len(task), "result_bytes": len(result),
            "embedding_texts": texts, "embedding_dim": dim, "embedding_bytes": texts * (dim * 4 + 64),
            "tp_catalog_json_median_bytes": statistics.median(tp), "tp_catalog_json_max_bytes": max(tp),
            "tp_task_median_bytes": tp_task}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=None,
                   help="the TravelPlanner folder (default: $NEUROSYM_TRAVELPLANNER_DIR or ../shared/travelplanner)")
    p.add_argument("--repeat", type=int, default=11, help="times the 45 queries are planned (default 11: 495)")
    p.add_argument("--time-limit", type=float, default=0.07, help="seconds per plan (default 0.07)")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="cluster sizes (default 1 2)")
    p.add_argument("--reproducible", action=argparse.BooleanOptionalAction, default=True,
                   help="work-bounded search (default) or the wall clock")
    p.add_argument("--quick", action="store_true", help="9 plans: checks that the script runs")
    p.add_argument("--wire", action="store_true", help="only print the sizes of what travels")
    p.add_argument("--json", type=Path, help="write the figures here")
    args = p.parse_args(argv)

    from neurosym.travelplanner.adapter import plan_options

    requests, catalogs = load_queries(args.data)
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    figures["wire"] = wire = wire_sizes(requests, catalogs)
    print("over the wire: demo catalog {:,} B as JSON ({:,} B zlib; {:,} B pickled); the batch's plugin {:,} B, "
          "sent once per worker".format(wire["demo_catalog_json_bytes"], wire["demo_catalog_json_zlib_bytes"],
                                        wire["demo_catalog_pickle_bytes"], wire["plugin_bytes"]))
    print(f"  per demo request: task {wire['task_bytes']:,} B, result {wire['result_bytes']:,} B; "
          f"TravelPlanner task with its catalog: median {wire['tp_task_median_bytes']:,.0f} B "
          f"(catalog JSON max {wire['tp_catalog_json_max_bytes']:,} B)")
    print(f"  embeddings for a demo user's history: {wire['embedding_texts']:,} texts x {wire['embedding_dim']} "
          f"floats = {wire['embedding_bytes']:,} B, sent once per worker")
    if not args.wire:
        n = 9 if args.quick else 45 * args.repeat
        reqs = [requests[i % len(requests)] for i in range(n)]
        cats = [catalogs[i % len(catalogs)] for i in range(n)]
        options = {"time_limit": args.time_limit, "reproducible": args.reproducible, **plan_options()}
        figures.update(plans=n, time_limit=args.time_limit, reproducible=args.reproducible)
        print(f"{n} plans ({len(requests)} TravelPlanner queries), time limit {args.time_limit:g} s, "
              f"{'reproducible (work-bounded)' if args.reproducible else 'wall-clock'} search; "
              f"{os.cpu_count()} cpus")
        plain_loop(reqs[:3], cats[:3], options)  # warm-up: imports, caches
        before = load_avg()
        loop = plain_loop(reqs, cats, options)
        loop["load_before"], loop["load_after"] = before, load_avg()
        figures["loop"] = loop
        print(f"plain loop:  {loop['plans_per_s']:6.2f} plans/s  ({loop['wall_s']:.1f} s; {loop['planned']} planned; "
              f"median plan "
              f"{loop['median_plan_s'] * 1000:.0f} ms; CPU {loop['cpu_per_plan_s'] * 1000:.0f} ms/plan)  "
              f"load {before} -> {loop['load_after']}")
        runs = {}
        for w in args.workers:
            before = load_avg()
            r = distributed(reqs, cats, options, w)
            r["load_before"], r["load_after"] = before, load_avg()
            runs[w] = r
            print(f"{w} worker{'s' if w != 1 else ' '}:   {r['plans_per_s']:6.2f} plans/s  ({r['wall_s']:.1f} s; "
                  f"{r['planned']} planned; "
                  f"mean plan on a worker {r['mean_plan_on_worker_s'] * 1000:.0f} ms, workers busy "
                  f"{r['worker_busy']:.0%}; CPU {r['worker_cpu_per_plan_s'] * 1000:.0f} ms/plan on workers + "
                  f"{r['client_cpu_per_plan_s'] * 1000:.1f} ms here; cluster start {r['cluster_startup_s']:.1f} s, "
                  f"context {r['context_s']:.2f} s)  load {before} -> {r['load_after']}")
        figures["distributed"] = {str(w): r for w, r in runs.items()}
        if 1 in runs:
            overhead = (runs[1]["wall_s"] - loop["wall_s"]) / n
            figures["overhead_per_plan_s"] = overhead
            cpu = runs[1]["worker_cpu_per_plan_s"] + runs[1]["client_cpu_per_plan_s"] - loop["cpu_per_plan_s"]
            figures["overhead_cpu_per_plan_s"] = cpu
            print(f"per-plan overhead of the distributed path (1 worker vs the loop): {overhead * 1000:+.1f} ms "
                  f"of wall clock ({overhead / (loop['wall_s'] / n):+.1%} of a plan), {cpu * 1000:+.1f} ms of CPU")
            for w in runs:
                if w > 1:
                    eff = runs[w]["plans_per_s"] / (w * runs[1]["plans_per_s"])
                    figures[f"scaling_efficiency_{w}"] = eff
                    print(f"scaling efficiency 1 -> {w} workers: {eff:.0%}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
