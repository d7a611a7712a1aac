"""Where a batch runs: local worker processes, or a Dask cluster, and news of lost workers.

* :func:`local_cluster` starts a ``LocalCluster`` of worker processes on this machine
  (one per core by default, one thread each), listening on 127.0.0.1 only, with its
  dashboard when bokeh is installed.
* :func:`connect` connects to a running scheduler by address.
* :func:`watch_losses` tells a batch which of its tasks a worker held when it died, from
  the scheduler's own ``remove-worker`` events (topic ``all``).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from importlib.util import find_spec
from typing import Any

DISTRIBUTED_MISSING = ("planning many requests at once needs Dask's distributed scheduler: "
                       "pip install 'neurosym[distributed]'")


#: Dask settings of a local cluster.
#:
#: - The workers' statistical profiler (a thread that samples every worker thread's stack
#:   every 10 ms, for the dashboard's profile page) cost 20-40 ms of CPU per TravelPlanner
#:   plan of 110 ms on the project machine (benchmarks/plan_many.py): it is off.
#: - A worker holds one request per thread, none queued behind it (worker saturation 1.0,
#:   Dask's default is 1.1): when a request crashes its worker, only that request is
#:   charged with the death, and a request is never given up for waiting behind it.
CLUSTER_CONFIG: dict[str, Any] = {"distributed.worker.profile.enabled": False,
                                  "distributed.scheduler.worker-saturation": 1.0}


def require_distributed() -> None:
    """Raise a clear ImportError when Dask's distributed is not installed."""
    if find_spec("distributed") is None:
        raise ImportError(DISTRIBUTED_MISSING)


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def local_cluster(workers: int | None = None, **kwargs: Any) -> tuple[Any, Any]:
    """Start a LocalCluster of ``workers`` processes (default: one per core) of one
    thread each, bound to 127.0.0.1; returns ``(cluster, client)``.

    Worker processes are started with ``spawn``: a script that calls this (or
    ``plan_many`` without a client) must guard its code with ``if __name__ == "__main__":``.
    """
    require_distributed()
    from distributed import Client, LocalCluster

    n = default_workers() if workers is None else workers
    if n < 1:
        raise ValueError(f"workers must be at least 1, not {n}")
    options: dict[str, Any] = dict(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address="127.0.0.1:0" if find_spec("bokeh") else None,
                                   silence_logs=logging.ERROR)
    options.update(kwargs)
    import dask

    with dask.config.set(CLUSTER_CONFIG):  # the scheduler reads it now; nannies keep it for restarts
        cluster = LocalCluster(**options)
    try:
        client = Client(cluster)
    except BaseException:
        cluster.close()
        raise
    return cluster, client


def connect(address: str, timeout: float = 30.0) -> Any:
    """A client of the scheduler at ``address`` (``tcp://host:8786`` or ``host:8786``)."""
    require_distributed()
    from distributed import Client

    try:
        return Client(address, timeout=timeout)
    except OSError as exc:
        raise ConnectionError(f"cannot reach a Dask scheduler at {address}: {exc}") from None


def dashboard_link(client: Any) -> str:
    """The scheduler's dashboard address, or "" when it serves none."""
    try:
        return client.dashboard_link or ""
    except Exception:  # noqa: BLE001 - no dashboard service: a link is only a convenience
        return ""


def total_threads(client: Any) -> int:
    """Worker threads in the cluster now."""
    return sum(client.nthreads().values())


# -- lost workers --------------------------------------------------------------------------

#: Called with the address of a worker that was removed, the keys of the tasks that must
#: run again because of it and whether its removal was expected (retired, not died).
OnLoss = Callable[[str, Iterable[str], bool], None]


class _Listener:
    """One subscription to the scheduler's ``all`` topic per client, shared by its batches."""

    def __init__(self, client: Any):
        self.client = client
        self.batches: dict[int, OnLoss] = {}

    def __call__(self, event: Any) -> None:
        _, msg = event
        if not isinstance(msg, dict) or msg.get("action") != "remove-worker":
            return
        # tasks running or queued on it, and results of it not yet fetched: all run again
        keys = [*(msg.get("processing-tasks") or ()), *(msg.get("lost-computed-tasks") or ())]
        worker = str(msg.get("worker", ""))
        for on_loss in list(self.batches.values()):
            on_loss(worker, keys, bool(msg.get("expected")))


_LISTENERS: dict[int, _Listener] = {}
_LOCK = threading.Lock()


def watch_losses(client: Any, on_loss: OnLoss) -> Callable[[], None]:
    """Call ``on_loss(worker, keys, expected)`` whenever the scheduler removes a worker, with the
    keys of the tasks it was processing or whose results it held unfetched (the scheduler
    runs them again elsewhere).
    Returns the function that stops watching.

    The event reaches the client before any result of those tasks does (both come, in
    order, over the scheduler's one stream to the client), so a result is never read
    before the loss that made it run again. The client's handler of the ``all`` topic
    is replaced while any batch runs on it.
    """
    with _LOCK:
        listener = _LISTENERS.get(id(client))
        if listener is None:
            listener = _LISTENERS[id(client)] = _Listener(client)
            client.subscribe_topic("all", listener)
        token = id(on_loss)
        listener.batches[token] = on_loss

    def stop() -> None:
        with _LOCK:
            listener.batches.pop(token, None)
            if not listener.batches and _LISTENERS.get(id(client)) is listener:
                del _LISTENERS[id(client)]
                if client.status == "running":
                    client.unsubscribe_topic("all")

    return stop
