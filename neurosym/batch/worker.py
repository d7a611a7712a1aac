"""The worker side of a batch: the plugin that brings its context, and the task that plans one request.

A batch registers a :class:`ContextPlugin` (a Dask worker plugin) holding its
:class:`~.context.BatchContext`: the catalog as JSON, the user's rule files, the options
of ``plan_itinerary`` and, for batches with user histories, the embeddings the
preference models need. Dask sends the plugin to every worker once, and again to a
worker that joins later (one restarted after a crash, for instance), and runs
:meth:`ContextPlugin.setup` there before the worker takes tasks: the context becomes a
:class:`~.context.Prepared` one. Each task (:func:`plan_task`) then carries only its
request.

This module is imported by the worker processes: it imports the planner, clingo and
pydantic, and nothing of the command line, the web app or the preference model
(torch and sentence-transformers load only when a request has a history whose
embeddings are not in the cache).
"""

from __future__ import annotations

import pickle
import time
import traceback
from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from .context import BatchContext, Prepared
from .results import RemoteError

#: Prepared contexts of the batches running on this worker, by batch token.
_CONTEXTS: dict[str, Prepared] = {}


class ContextPlugin(WorkerPlugin):
    """Holds a batch's :class:`BatchContext`; Dask runs :meth:`setup` on every worker,
    including workers that join while the batch runs, before they take its tasks."""

    def __init__(self, context: BatchContext):
        self.context = context

    def setup(self, worker: Any = None) -> None:
        if self.context.token not in _CONTEXTS:
            _CONTEXTS[self.context.token] = Prepared(self.context)

    def teardown(self, worker: Any = None) -> None:
        prepared = _CONTEXTS.pop(self.context.token, None)
        if prepared is not None:
            prepared.close()


def plan_task(token: str, index: int, request: Any, history: Any = None,
              catalog_json: bytes | None = None) -> tuple[str, Any, str, float, str | None]:
    """Plan one request of batch ``token`` on this worker.

    ``catalog_json`` is the request's own catalog, for batches whose requests each have
    one (TravelPlanner's sole-planning mode); otherwise the batch's catalog is used.
    Returns ``(status, itinerary or error, worker address, seconds, traceback)``: an error
    is returned, not raised, so that it travels as a result and the batch goes on.
    """
    from distributed import get_worker

    t0 = time.perf_counter()
    address = get_worker().address
    try:
        from ..catalog import Catalog
        from ..planner import NoItinerary, plan_itinerary

        prepared = _CONTEXTS.get(token)
        if prepared is None:
            raise RuntimeError(f"batch {token} is not set up on worker {address} (its plugin did not run)")
        catalog = prepared.catalog if catalog_json is None else Catalog.model_validate_json(catalog_json)
        try:
            it = plan_itinerary(request, catalog, history=history, rules=prepared.rules,
                                **prepared.context.options)
        except NoItinerary as exc:
            return "no_itinerary", exc, address, time.perf_counter() - t0, None
        return "ok", it, address, time.perf_counter() - t0, None
    except Exception as exc:  # noqa: BLE001 - the request's error is its result
        return "error", transportable(exc), address, time.perf_counter() - t0, traceback.format_exc()


def transportable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a :class:`RemoteError` with its text."""
    try:
        back = pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return RemoteError(type(exc).__name__, str(exc))
    return exc if type(back) is type(exc) and str(back) == str(exc) else RemoteError(type(exc).__name__, str(exc))
