"""``plan_many``: plan many requests at once on Dask, yielding each result as it completes.

The client side of a batch. :func:`plan_many` checks its input, builds the batch's
:class:`~neurosym.batch.worker.BatchContext` (the catalog's JSON, the rule files, the
options, the embeddings histories need) and returns a :class:`PlanBatch`. Iterating
the batch starts (or joins) the cluster, registers the context as a worker plugin (sent
to each worker once), submits one small task per request (its request and history only)
a window at a time, and yields a :class:`~neurosym.batch.results.PlanResult` for each
request as it completes. Every request gets exactly one result: an error is a result;
a request whose worker died runs again elsewhere (Dask reschedules it; the scheduler's
event says which worker it was lost on); a duplicate completion is dropped.
"""

from __future__ import annotations

import inspect
import threading
import time
import uuid
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from .cluster import connect, dashboard_link, local_cluster, require_distributed, total_threads, watch_losses
from .context import BatchContext, Embeddings
from .results import BatchSummary, PlanResult, RemoteError

#: Keyword arguments of ``plan_itinerary`` that a batch sets itself.
_OWN = frozenset({"request", "catalog", "history", "rules", "time_limit", "progress", "cancel"})
#: Tasks submitted ahead of the results read: at least this many, and at least
#: ``WINDOW_PER_THREAD`` per worker thread (Dask's scheduler queues the rest itself).
WINDOW_MIN, WINDOW_PER_THREAD = 64, 4
#: Per-request catalogs whose JSON is kept for the next request that shares them.
JSON_KEPT = 64


def plan_many(requests: Sequence[Any] | Mapping[int, Any], catalog: Any = None, *, histories: Any = None,
              time_limit: float | None = 10.0, client: Any = None, workers: int | None = None,
              rules: Sequence[str | Path] = (), **options: Any) -> "PlanBatch":
    """Plan every request of ``requests`` on a Dask cluster; iterate the result for each
    request's :class:`PlanResult` as it completes (in any order, each tagged with the
    request's ``index``), then read ``batch.summary``.

    >>> with plan_many(requests, catalog=catalog, time_limit=5) as batch:   # doctest: +SKIP
    ...     for r in batch:
    ...         print(r.index, r.status, r.itinerary.total_cost if r.ok else r.error)
    ...     print(batch.summary)

    ``requests`` is a sequence of :class:`~neurosym.request.TripRequest` (indices 0, 1, ...)
    or a mapping from index to request. ``catalog`` is one
    :class:`~neurosym.catalog.Catalog` for all of them (sent to each worker once; default:
    the demo catalog, which the workers load themselves), or a sequence or mapping with
    one catalog per request (each then travels with its request, as in TravelPlanner's
    sole-planning mode). ``histories`` is one :class:`~neurosym.preferences.UserHistory`
    for all requests, or a sequence or mapping with one (or ``None``) per request; the
    embeddings their preference models need are computed here once (in the embedding
    cache) and sent to each worker once. ``time_limit``, ``rules`` and ``options``
    (``prune``, ``reproducible``, ...) are passed to
    :func:`~neurosym.planner.plan_itinerary` for every request.

    ``client`` is a ``distributed.Client`` to run on, or a scheduler's address; without
    one, a local cluster of ``workers`` processes (default: one per core) is started
    when the batch starts and closed when it ends. Worker processes are spawned: a script
    that plans without a client needs the ``if __name__ == "__main__":`` guard.

    Raises ``TypeError``/``ValueError`` on bad input (naming the request's index) before
    anything runs, and ``ImportError`` when Dask is not installed
    (``pip install 'neurosym[distributed]'``).
    """
    require_distributed()
    from ..catalog import Catalog
    from ..request import TripRequest
    from ..rules import check_user_file

    reqs = dict(requests.items()) if isinstance(requests, Mapping) else dict(enumerate(requests))
    for i, r in reqs.items():
        if not isinstance(i, int) or isinstance(i, bool):
            raise TypeError(f"requests: index {i!r} is not an integer")
        if not isinstance(r, TripRequest):
            raise TypeError(f"requests[{i}] is a {type(r).__name__}, not a TripRequest")
    if client is not None and workers is not None:
        raise ValueError("workers= sizes the local cluster; a client's cluster has its own workers")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    _check_options(options)

    shared: Catalog | None = None
    per_request: dict[int, Catalog] | None = None
    if catalog is None or isinstance(catalog, Catalog):
        shared = catalog
    else:
        per_request = _per_request(catalog, reqs, "catalog", Catalog)
    hists = _histories(histories, reqs)

    rule_files = tuple((str(p), check_user_file(p).read_bytes()) for p in rules)
    token = uuid.uuid4().hex[:12]
    embeddings = _embeddings(hists, shared, per_request) if hists else None
    packed = zlib.compress(shared.model_dump_json().encode()) if shared is not None else None
    demo = shared is None and (per_request is None or any(c is None for c in per_request.values()))
    context = BatchContext(token=token, catalog_json=packed, demo_catalog=demo, rules=rule_files,
                           options={"time_limit": time_limit, **options}, embeddings=embeddings)
    return PlanBatch(reqs, context, histories=hists, catalogs=per_request, client=client, workers=workers)


def _check_options(options: dict[str, Any]) -> None:
    from ..planner import plan_itinerary

    known = set(inspect.signature(plan_itinerary).parameters) - _OWN
    for name in options:
        if name not in known:
            raise TypeError(f"plan_many() got an unexpected keyword argument {name!r} "
                            f"(plan_itinerary options: {', '.join(sorted(known))})")


def _per_request(values: Any, reqs: dict[int, Any], name: str, kind: type) -> dict[int, Any]:
    """One value per request index, from a sequence (by position) or a mapping (by index)."""
    if isinstance(values, Mapping):
        got = dict(values)
    elif isinstance(values, Sequence) and not isinstance(values, (str, bytes)):
        got = dict(enumerate(values))
    else:
        raise TypeError(f"{name}: expected a {kind.__name__} or one per request, not {type(values).__name__}")
    out: dict[int, Any] = {}
    for i in reqs:
        if i not in got:
            raise ValueError(f"{name}: none given for request {i}")
        if got[i] is not None and not isinstance(got[i], kind):
            raise TypeError(f"{name}[{i}] is a {type(got[i]).__name__}, not a {kind.__name__}")
        out[i] = got[i]
    return out


def _histories(histories: Any, reqs: dict[int, Any]) -> dict[int, Any]:
    """The non-empty history of each request that has one."""
    if histories is None:
        return {}
    from ..preferences import UserHistory

    if isinstance(histories, UserHistory):
        each = dict.fromkeys(reqs, histories)
    elif isinstance(histories, Mapping):
        each = {i: histories.get(i) for i in reqs}
        for i, h in each.items():
            if h is not None and not isinstance(h, UserHistory):
                raise TypeError(f"histories[{i}] is a {type(h).__name__}, not a UserHistory")
    else:
        each = _per_request(histories, reqs, "histories", UserHistory)
    return {i: h for i, h in each.items() if h is not None and not h.is_empty}


def _embeddings(hists: dict[int, Any], shared: Any, per_request: dict[int, Any] | None) -> Embeddings:
    """Every embedding the requests' preference models will look up, from this process's
    cache (computed once when missing): each history's texts and each catalog item's."""
    import numpy as np

    from ..demo import load_demo_catalog
    from ..preferences import EmbeddingCache, needed_texts
    from ..preferences.encoder import Encoder

    texts: dict[str, None] = {}
    if per_request is None:
        catalog = shared if shared is not None else load_demo_catalog()
        for h in {id(h): h for h in hists.values()}.values():
            texts.update(dict.fromkeys(needed_texts(h, catalog)))
    else:
        for i, h in hists.items():
            texts.update(dict.fromkeys(needed_texts(h, per_request[i] or load_demo_catalog())))
    cache = EmbeddingCache(Encoder())
    ordered = list(texts)
    vectors = cache.embed(ordered) if ordered else np.zeros((0, 0), dtype=np.float32)
    return Embeddings(model_id=cache.encoder.model_id, keys=[cache.key(t) for t in ordered],
                      vectors=np.asarray(vectors, dtype=np.float32))


class PlanBatch:
    """A batch of requests planned on Dask (made by :func:`plan_many`).

    Iterate it (once) for the :class:`PlanResult` of each request as it completes;
    ``summary`` (a :class:`BatchSummary`) is kept up to date meanwhile. Use it as a
    context manager, or call :meth:`start` first, to know the cluster (``scheduler``,
    ``dashboard_link``) before the first result. Leaving the iteration early cancels the
    requests not yet planned. The local cluster it started, if any, is closed at the end.
    """

    def __init__(self, requests: dict[int, Any], context: BatchContext, *, histories: dict[int, Any],
                 catalogs: dict[int, Any] | None, client: Any, workers: int | None):
        self.requests = requests
        self.context = context
        self.summary = BatchSummary(requests=len(requests))
        self._histories = histories
        self._catalogs = catalogs
        self._catalog_json: OrderedDict[int, bytes] = OrderedDict()
        self._client_arg = client
        self._workers = workers
        self._client: Any = None
        self._cluster: Any = None
        self._own_client = False
        self._stop_watching: Any = None
        self._plugin = False
        self._futures: dict[str, Any] = {}   # key -> future, for the requests not yet given
        self._index: dict[str, int] = {}     # key -> request index, likewise
        self._lost: dict[int, list[str]] = {}
        self._lock = threading.Lock()
        self._started = self._iterated = self._closed = False

    def __len__(self) -> int:
        return len(self.requests)

    # -- the cluster ------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """The ``distributed.Client`` the batch runs on (after :meth:`start`)."""
        return self._client

    @property
    def dashboard_link(self) -> str:
        """The Dask dashboard's address, or "" when there is none (after :meth:`start`)."""
        return self.summary.dashboard

    def start(self) -> "PlanBatch":
        """Start or join the cluster and send the batch's context to its workers (an empty
        batch needs no cluster: it starts none)."""
        if self._closed:
            raise RuntimeError("this batch is closed")
        if self._started:
            return self
        self._started = True
        if not self.requests:
            return self
        t0 = time.perf_counter()
        try:
            if self._client_arg is None:
                self._cluster, self._client = local_cluster(self._workers)
                self._own_client = True
            elif isinstance(self._client_arg, str):
                self._client = connect(self._client_arg)
                self._own_client = True
            else:
                self._client = self._client_arg
            from .worker import ContextPlugin

            self._stop_watching = watch_losses(self._client, self._on_loss)
            self._client.register_plugin(ContextPlugin(self.context), name=self.context.plugin_name)
            self._plugin = True
            self.summary.threads = total_threads(self._client)
            self.summary.scheduler = str(self._client.scheduler.address)
            self.summary.dashboard = dashboard_link(self._client)
        except BaseException:
            self.close()
            raise
        self.summary.startup_s = time.perf_counter() - t0
        return self

    def close(self) -> None:
        """Cancel what is not done, take the context off the workers, and close the local
        cluster (or the connection) the batch opened. Called at the end of the iteration."""
        if self._closed:
            return
        self._closed = True
        client = self._client
        if client is None:
            return
        running = client.status == "running"
        if self._futures and running:
            try:
                client.cancel(list(self._futures.values()))
            except Exception:  # noqa: BLE001 - closing anyway
                pass
        self._futures.clear()
        if self._stop_watching is not None:
            self._stop_watching()
        if self._plugin and running:
            try:
                client.unregister_worker_plugin(self.context.plugin_name)
            except Exception:  # noqa: BLE001 - a worker that left has nothing to tear down
                pass
        if self._own_client:
            client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> "PlanBatch":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- results ----------------------------------------------------------------------
    def __iter__(self) -> Iterator[PlanResult]:
        if self._iterated:
            raise RuntimeError("a batch is iterated once")
        self._iterated = True
        return self._run()

    def results(self) -> list[PlanResult]:
        """Run the whole batch; every result, by request index."""
        return sorted(self, key=lambda r: r.index)

    def _run(self) -> Iterator[PlanResult]:
        from distributed import as_completed

        try:
            self.start()
            if not self.requests:
                return
            window = max(WINDOW_MIN, WINDOW_PER_THREAD * self.summary.threads)
            todo = iter(self.requests)
            done = as_completed(with_results=True, raise_errors=False)
            self.summary.start()
            self._submit(todo, done, window)
            for future, value in done:
                with self._lock:
                    index = self._index.pop(future.key, None)
                    self._futures.pop(future.key, None)
                    lost = tuple(self._lost.pop(index, ())) if index is not None else ()
                if index is None:  # a request already given (a completion seen twice)
                    continue
                if future.status != "finished":  # the task never returned: KilledWorker, cancelled...
                    value = _failure(value)
                result = _result(index, value, lost)
                self.summary.add(result)
                self._submit(todo, done, window - len(self._futures))
                yield result
        finally:
            self.close()

    def _submit(self, todo: Iterator[int], done: Any, n: int) -> None:
        from .worker import plan_task

        for index in islice(todo, max(0, n)):
            key = f"neurosym-plan-{self.context.token}-{index}"
            future = self._client.submit(plan_task, self.context.token, index, self.requests[index],
                                         self._histories.get(index), self._own_catalog(index), key=key)
            with self._lock:
                self._futures[key] = future
                self._index[key] = index
            done.add(future)

    def _own_catalog(self, index: int) -> bytes | None:
        if self._catalogs is None:
            return None
        cat = self._catalogs[index]
        if cat is None:  # the demo catalog, which the workers load themselves
            return None
        # requests that share a catalog object share its JSON (made once while recent)
        key = id(cat)
        if key in self._catalog_json:
            self._catalog_json.move_to_end(key)
        else:
            self._catalog_json[key] = cat.model_dump_json().encode()
            if len(self._catalog_json) > JSON_KEPT:
                self._catalog_json.popitem(last=False)
        return self._catalog_json[key]

    def _on_loss(self, worker: str, keys: Iterable[str], expected: bool) -> None:
        with self._lock:
            ours = [self._index[k] for k in keys if k in self._index]
            for index in ours:
                self._lost.setdefault(index, []).append(worker)
            if not expected:
                self.summary.lost(worker)


def _failure(value: Any) -> BaseException:
    """The exception of a failed task, from what ``as_completed`` gives for it."""
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], BaseException):
        return value[1]  # (type, exception, traceback)
    return value if isinstance(value, BaseException) else RemoteError("TaskError", repr(value)[:500])


def _result(index: int, value: Any, lost: tuple[str, ...]) -> PlanResult:
    """A task's return value (or the exception Dask gave instead) as a :class:`PlanResult`."""
    if isinstance(value, BaseException):  # the task never returned: KilledWorker, cancelled...
        return PlanResult(index=index, error=value, lost_workers=lost)
    if not (isinstance(value, tuple) and len(value) == 5):
        return PlanResult(index=index, error=RemoteError("TypeError", f"unexpected task result {value!r:.200}"),
                          lost_workers=lost)
    status, payload, worker, seconds, tb = value
    if status == "ok":
        return PlanResult(index=index, itinerary=payload, worker=worker, seconds=seconds, lost_workers=lost)
    return PlanResult(index=index, error=payload, worker=worker, seconds=seconds, lost_workers=lost, traceback=tb)
