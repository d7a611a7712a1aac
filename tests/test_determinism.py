"""The same request and catalog give a byte-identical itinerary JSON: in one process and
across processes, when the optimum is proven (ties broken by rules/canonical.lp) and,
under a time limit, in the reproducible mode (a search bounded by work, not time)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import small_catalog, small_request
from neurosym import plan_itinerary

TESTS = Path(__file__).resolve().parent

_PLAN = """
import sys
sys.path.insert(0, {tests!r})
from datetime import date
from conftest import small_catalog, small_request
from neurosym import demo_request, load_demo_catalog, plan_itinerary
{body}
"""


def _in_fresh_process(body: str, seed: str) -> str:
    out = subprocess.run([sys.executable, "-c", _PLAN.format(tests=str(TESTS), body=body)], capture_output=True,
                         text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": seed})
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_a_proven_optimum_is_the_same_itinerary_every_time():
    req = small_request(destinations=["Alpha", "Beta"], end=date(2026, 6, 5))
    runs = [plan_itinerary(req, small_catalog(), time_limit=None) for _ in range(3)]
    assert all(it.optimal and it.stats["canonical"] == 1.0 for it in runs)
    assert len({it.model_dump_json() for it in runs}) == 1
    body = ("it = plan_itinerary(small_request(destinations=['Alpha', 'Beta'], end=date(2026, 6, 5)), "
            "small_catalog(), time_limit=None)\nprint(it.model_dump_json())")
    assert {_in_fresh_process(body, seed).strip() for seed in ("1", "2")} == {runs[0].model_dump_json()}


def test_the_reproducible_mode_gives_the_same_itinerary_under_a_time_limit():
    # the work bounds (HiGHS's nodes and iterations, clasp's conflicts), not the clock, end the search
    body = ("it = plan_itinerary(demo_request(), load_demo_catalog(), time_limit=0.3, reproducible=True)\n"
            "assert it.stats['reproducible'] == 1.0, it.stats\nprint(it.model_dump_json())")
    outs = {_in_fresh_process(body, seed) for seed in ("1", "2")}
    assert len(outs) == 1
