"""Many plans at once on Dask (neurosym.batch): real LocalClusters of 2 worker processes.

Every cluster is started by a fixture or a context manager and closed at the end; the
command-line test stops its own process and ends whatever that process left, by pid.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from conftest import small_catalog, small_request
from neurosym import NoItinerary, PlanningInputError, plan_itinerary
from neurosym.batch import plan_many
from neurosym.batch.cluster import local_cluster

ROOT = Path(__file__).resolve().parents[1]
#: planning one by one and in a batch must agree: the search is bounded by work, not time
PLAN = {"time_limit": 1.0, "reproducible": True}


def requests_varied() -> list:
    """Eight requests of the small catalog: one and two cities, budgets tight and loose."""
    two = dict(destinations=["Alpha", "Beta"], end=date(2026, 6, 6))
    return [small_request(), small_request(budget=700), small_request(destinations=["Beta"]),
            small_request(**two), small_request(**two, budget=1500), small_request(pace=1),
            small_request(destinations=["Alpha", "Beta"], visit_count=1),
            small_request(start=date(2026, 6, 2), end=date(2026, 6, 5))]


def dump(it) -> dict:
    return it.model_dump(mode="json")


@pytest.fixture(scope="module")
def worker_cache(tmp_path_factory) -> Path:
    """The workers' embedding cache: empty at first, as on another machine."""
    return tmp_path_factory.mktemp("worker-cache")


@pytest.fixture(scope="module")
def client(worker_cache):
    """The module's cluster: 2 worker processes. The tests that kill workers come last; a
    request is given up after its second worker death (Dask's default is 4)."""
    cluster, client = local_cluster(2, env={"NEUROSYM_CACHE_DIR": str(worker_cache)},
                                    scheduler_kwargs={"allowed_failures": 1})
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def test_results_are_those_of_planning_one_by_one_in_any_order(client):
    catalog, reqs = small_catalog(), requests_varied()
    alone = [plan_itinerary(r, catalog, **PLAN) for r in reqs]
    with plan_many(reqs, catalog=catalog, client=client, **PLAN) as batch:
        results = list(batch)
    assert sorted(r.index for r in results) == list(range(len(reqs)))  # each once, whatever the order
    for r in results:
        assert r.ok and r.worker in client.nthreads() and not r.retried
        assert dump(r.itinerary) == dump(alone[r.index])
    assert {r.worker for r in results} <= set(client.nthreads())
    s = batch.summary
    assert (s.requests, s.done, s.planned, s.errors, s.threads) == (8, 8, 8, 0, 2) and s.complete
    # the batch's context is taken off the workers when it ends
    assert client.run(lambda: __import__("neurosym.batch.worker", fromlist=["_CONTEXTS"])._CONTEXTS) == {
        w: {} for w in client.nthreads()}


def test_a_request_that_raises_is_isolated_and_the_batch_goes_on(client):
    catalog = small_catalog()
    reqs = [small_request(), small_request(destinations=["Nowhere"]), small_request(budget=1), small_request(pace=1)]
    results = plan_many(reqs, catalog=catalog, client=client, **PLAN).results()
    assert [r.status for r in results] == ["ok", "error", "no_itinerary", "ok"]
    bad = results[1]
    assert isinstance(bad.error, PlanningInputError) and bad.error.field == "destinations[0]"
    assert "Nowhere" in str(bad.error) and "plan_itinerary" in bad.traceback
    with pytest.raises(PlanningInputError):
        bad.unwrap()
    none = results[2]
    assert isinstance(none.error, NoItinerary) and any(rule.startswith("budget") for rule, _ in none.error.violations)
    assert none.to_record()["no_itinerary"]["violations"]
    assert dump(results[3].itinerary) == dump(plan_itinerary(reqs[3], catalog, **PLAN))


def test_workers_import_the_planner_only(client):
    plan_many([small_request()], catalog=small_catalog(), client=client, **PLAN).results()
    heavy = ("torch", "sentence_transformers", "flask", "matplotlib", "tqdm", "neurosym.cli", "neurosym.web",
             "neurosym.acting", "neurosym.travelplanner")
    loaded = client.run(lambda: sorted(m for m in heavy if m in sys.modules))
    assert loaded == {w: [] for w in client.nthreads()}


def test_bad_input_is_refused_before_anything_runs():
    with pytest.raises(TypeError, match=r"requests\[1\] is a dict"):
        plan_many([small_request(), {"origin": "Home"}])
    with pytest.raises(TypeError, match="unexpected keyword argument 'progres'"):
        plan_many([small_request()], progres=True)
    with pytest.raises(ValueError, match="catalog: none given for request 1"):
        plan_many([small_request(), small_request()], catalog=[small_catalog()])
    with pytest.raises(ValueError, match="workers"):
        plan_many([small_request()], workers=0)
    empty = plan_many([])
    assert empty.results() == [] and empty.client is None  # nothing to plan: no cluster started


def test_import_stays_light():
    code = ("import sys, neurosym, neurosym.batch; neurosym.plan_many; neurosym.batch.PlanResult;"
            "print(sorted(m for m in ('distributed', 'dask', 'clingo', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# -- histories: the embeddings travel once, workers never load the encoder ---------------------

def test_histories_plan_as_alone_and_workers_get_the_embeddings(client, worker_cache, tmp_path, monkeypatch):
    from neurosym.preferences import HistoryItem, UserHistory

    monkeypatch.setenv("NEUROSYM_CACHE_DIR", str(tmp_path / "client-cache"))
    catalog = small_catalog()
    fan = UserHistory(name="fan", likes=["seafood by the water", "quiet parks"], dislikes=["zoos"],
                      items=[HistoryItem(id="r:a:4", kind="restaurant", rating=5),
                             HistoryItem(description="a noisy tourist trap", kind="attraction", rating=1)])
    reqs = [small_request(), small_request(destinations=["Beta"]), small_request(budget=900)]
    histories = [fan, None, fan]
    alone = [plan_itinerary(r, catalog, history=h, **PLAN) for r, h in zip(reqs, histories)]
    # the workers' cache is not this process's: they get the embeddings with the batch
    results = plan_many(reqs, catalog=catalog, histories=histories, client=client, **PLAN).results()
    assert [dump(r.itinerary) for r in results] == [dump(it) for it in alone]
    assert client.run(lambda: "sentence_transformers" in sys.modules) == {w: False for w in client.nthreads()}
    assert list((worker_cache / "embeddings").glob("*/*.npz"))


# -- the TravelPlanner runner on the same path -------------------------------------------------

def test_travelplanner_runner_plans_on_the_cluster(client, data_dir, tmp_path):
    from neurosym.travelplanner.run import run

    split = tmp_path / "ten.jsonl"
    split.write_text("".join((data_dir / "train.jsonl").read_text().splitlines(keepends=True)[:10]))
    report = run(split, tmp_path / "plans.jsonl", client=client)
    assert report["final_pass"] == report["queries"] == 10
    assert report["batch"]["done"] == 10 and report["batch"]["threads"] == 2
    assert len((tmp_path / "plans.jsonl").read_text().splitlines()) == 10


# -- plan-many: stopped part-way, resumed, each request written once ----------------------------

def end_processes(processes: list, wait: float = 10.0) -> None:
    """Give the crashed command's worker processes ``wait`` seconds to notice, then end
    those still running (each by its own pid)."""
    import psutil

    _, alive = psutil.wait_procs(processes, timeout=wait)
    for p in alive:
        p.kill()


def test_plan_many_resumed_after_a_crash_writes_each_request_once(tmp_path, client):
    import psutil

    catalog, requests = tmp_path / "catalog.json", tmp_path / "requests.jsonl"
    catalog.write_text(small_catalog().model_dump_json())
    lines = [small_request(budget=3000 - 20 * i, pace=i % 3).model_dump_json() for i in range(14)]
    lines.insert(5, '{"origin": "Home", "budget": "lots"}')  # a bad line is an error result; the rest goes on
    requests.write_text("\n".join(lines) + "\n")
    out = tmp_path / "results.jsonl"
    cmd = [sys.executable, "-m", "neurosym", "plan-many", str(requests), "--catalog", str(catalog),
           "--out", str(out), "--workers", "1", "--time-limit", "1"]

    first = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    children: list = []
    try:
        deadline = time.monotonic() + 120
        while (not out.exists() or out.read_bytes().count(b"\n") < 4) and first.poll() is None:
            assert time.monotonic() < deadline, "no results written"
            time.sleep(0.05)
        children = psutil.Process(first.pid).children(recursive=True)
    finally:
        first.kill()  # a crash: no clean-up of any kind
        first.wait(30)
        end_processes(children)
    written = out.read_bytes()
    done_before = written.count(b"\n")
    assert 4 <= done_before < 15, "stopped part-way"
    with out.open("ab") as f:  # the crash cut the line being written
        f.write(b'{"index": 14, "status": "ok", "itin')

    # resumed on a running cluster this time (the first run had its own local one)
    resumed = [*cmd[:-4], "--scheduler", client.scheduler.address, *cmd[-2:]]
    second = subprocess.run(resumed, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert second.returncode == 2, second.stderr  # 2: one request (the bad line) is an error
    assert f"{done_before} of 15 requests already" in second.stderr
    assert f"Dask scheduler {client.scheduler.address}, 2 worker threads" in second.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert Counter(r["index"] for r in records) == Counter(range(15))  # each request exactly once
    assert out.read_bytes().startswith(written)  # the first run's lines are kept as they were
    statuses = {r["index"]: r["status"] for r in records}
    assert statuses.pop(5) == "error" and set(statuses.values()) == {"ok"}
    bad = next(r for r in records if r["index"] == 5)
    assert "requests.jsonl:6: field" in bad["error"]["message"]

    again = subprocess.run(resumed, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert again.returncode == 2 and "15 of 15 requests already" in again.stderr
    assert len(out.read_text().splitlines()) == 15


# -- workers die (last: the nanny restarts them) -------------------------------------------

def test_a_worker_killed_mid_batch_loses_no_result(client):
    catalog = small_catalog()
    reqs = [small_request(destinations=["Alpha", "Beta"], end=date(2026, 6, 6), budget=3000 - 25 * i)
            for i in range(10)]
    pids = client.run(os.getpid)
    victim, results = None, []
    with plan_many(reqs, catalog=catalog, client=client, **PLAN) as batch:
        for r in batch:
            results.append(r)
            if victim is None:  # kill a worker that holds requests now, the other one if need be
                busy = client.processing()
                victim = max(pids, key=lambda w: (len(busy.get(w, ())), w != r.worker))
                os.kill(pids[victim], signal.SIGKILL)
    assert sorted(r.index for r in results) == list(range(len(reqs)))
    assert all(r.ok for r in results)
    retried = [r for r in results if r.retried]
    assert retried and all(r.lost_workers == (victim,) and r.worker != victim for r in retried)
    assert batch.summary.workers_lost == [victim] and batch.summary.retried == len(retried)
    for r in retried:  # planned again elsewhere: the same itinerary
        assert dump(r.itinerary) == dump(plan_itinerary(reqs[r.index], catalog, **PLAN))


def test_a_request_that_kills_its_worker_is_given_up_and_the_rest_planned(client):
    from distributed import KilledWorker

    from neurosym.prior import prior_scores

    def scorer(items):  # a scorer that takes its process down on one request's catalog
        if any(getattr(item, "city", None) == "Crashville" for item in items):
            os._exit(3)
        return prior_scores(items)

    client.wait_for_workers(2, timeout=60)  # the nanny restarted the one killed above
    good, bad = small_catalog(), small_catalog(alpha="Crashville")
    reqs = [small_request(), small_request(destinations=["Crashville"]), small_request(pace=1)]
    results = plan_many(reqs, catalog=[good, bad, good], client=client, scorer=scorer, **PLAN).results()
    assert [r.status for r in results] == ["ok", "error", "ok"]
    assert isinstance(results[1].error, KilledWorker) and len(results[1].lost_workers) == 2
