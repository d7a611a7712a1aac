"""``python -m neurosym plan-many REQUESTS.jsonl --out RESULTS.jsonl``: many plans, resumable.

``python -m neurosym plan-many REQUESTS.jsonl [--catalog C] --out RESULTS.jsonl
[--scheduler ADDRESS | --workers N] [--time-limit S] [--rules FILE.lp ...] [--no-reproducible]
[--retry-errors]``

Plans every request of REQUESTS.jsonl (one per line, see :mod:`.jsonl`) on Dask: local
worker processes (``--workers``, default one per core) or the cluster of the scheduler
at ``--scheduler``. As ``plan``, it searches reproducibly by default (a request gets the
same itinerary on any worker, and when planned again). Each result is written to
RESULTS.jsonl as soon as it completes, one line per request keyed by its index. Run
again after a crash or Ctrl-C, it skips the requests already answered (and, with
``--retry-errors``, plans again those that ended in an error). A progress bar shows on
a terminal, and the Dask dashboard's address when the scheduler serves one.

Exit codes: 0 every request has its line and none is an error (some may have no
itinerary), 1 bad input, bad arguments or no cluster (nothing planned), 2 some
requests ended in an error (their lines say why), 130 interrupted (run again to
resume).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any


def cmd_plan_many(args: argparse.Namespace) -> int:
    from ..files import InputError, load_model
    from .jsonl import ResultsWriter, read_requests, resume
    from .results import PlanResult, RemoteError

    catalog = None
    if args.catalog:
        from ..catalog import Catalog
        catalog = load_model(args.catalog, Catalog)
    lines = read_requests(args.requests)
    done = resume(args.out, lines, retry_errors=args.retry_errors)
    todo = [line for line in lines if line.index not in done]
    if done:
        print(f"{len(done)} of {len(lines)} requests already in {args.out}", file=sys.stderr)
    with ResultsWriter(args.out) as out:
        for line in todo:
            if line.error is not None:  # a bad request line is its own result: the rest goes on
                print(f"error: {line.error}", file=sys.stderr)
                out.write(PlanResult(index=line.index, error=RemoteError("InputError", line.error)).to_record())
                done[line.index] = "error"
        todo = [line for line in todo if line.error is None]
        if todo:
            code = _plan(args, catalog, todo, lines, done, out)
            if code:
                return code
    counts = Counter(done.values())
    print(f"{args.out}: {len(done)}/{len(lines)} requests: {counts['ok']} planned, "
          f"{counts['no_itinerary']} without itinerary, {counts['error']} errors")
    return 2 if counts["error"] else 0


def _plan(args: argparse.Namespace, catalog: Any, todo: list[Any], lines: list[Any], done: dict[int, str],
          out: Any) -> int:
    from tqdm import tqdm

    from ..files import InputError
    from .engine import plan_many

    requests = {line.index: line.request for line in todo}
    histories = {line.index: line.history for line in todo if line.history is not None}
    by_index = {line.index: line for line in todo}
    try:
        batch = plan_many(requests, catalog=catalog, histories=histories or None, time_limit=args.time_limit,
                          client=args.scheduler or None, workers=args.workers, rules=args.rules or (),
                          reproducible=args.reproducible)
    except ImportError as exc:
        raise InputError(str(exc)) from None
    bar = tqdm(total=len(lines), initial=len(done), unit="plan", file=sys.stderr, dynamic_ncols=True,
               disable=None if args.progress is None else not args.progress)
    try:
        try:
            batch.start()
        except (OSError, TimeoutError) as exc:  # no scheduler there, or no free port
            raise InputError(str(exc)) from None
        s = batch.summary
        where = f"Dask scheduler {s.scheduler}, {s.threads} worker thread{'s' if s.threads != 1 else ''}"
        print(where + (f"; dashboard: {s.dashboard}" if s.dashboard else ""), file=sys.stderr, flush=True)
        for result in batch:
            line = by_index[result.index]
            out.write(result.to_record(request=line.request, history=line.history))
            done[result.index] = result.status
            bar.update(1)
            if s.errors or s.retried:
                bar.set_postfix(errors=s.errors, retried=s.retried, refresh=False)
    except KeyboardInterrupt:
        bar.close()
        print(f"interrupted: {len(done)} of {len(lines)} requests in {args.out}; run the same command again "
              "to plan the rest", file=sys.stderr)
        return 130
    finally:
        batch.close()
        bar.close()
    print(batch.summary, file=sys.stderr)
    return 0


def add_plan_many_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``plan-many`` subcommand to the CLI's subparsers."""
    from ..cli import add_reproducible_option, count, seconds

    p = sub.add_parser("plan-many", help="plan many requests on Dask, writing results as they complete (resumable)")
    p.add_argument("requests", metavar="REQUESTS.jsonl",
                   help='one TripRequest per line, or {"request": ..., "history": ...}')
    p.add_argument("--catalog", help="CATALOG.json (default: the demo catalog)")
    p.add_argument("--out", required=True, metavar="RESULTS.jsonl",
                   help="results, one line per request keyed by index; an existing file is resumed")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (tcp://host:8786)")
    where.add_argument("--workers", type=count, metavar="N", help="local worker processes (default: one per core)")
    p.add_argument("--time-limit", type=seconds, default=5.0, metavar="S",
                   help="wall-clock seconds to ground and search each request (default 5)")
    p.add_argument("--rules", nargs="+", default=[], metavar="FILE.lp", help="extra rule files to enforce")
    add_reproducible_option(p)
    p.add_argument("--retry-errors", action="store_true",
                   help="plan again the requests whose earlier result is an error")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar (default: on a terminal)")
    p.set_defaults(func=cmd_plan_many)
    return p
