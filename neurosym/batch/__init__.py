"""Many plans at once, on Dask: from a laptop's cores to a cluster (``pip install 'neurosym[distributed]'``).

>>> from neurosym.batch import plan_many                       # doctest: +SKIP
>>> with plan_many(requests, catalog=catalog, time_limit=5) as batch:
...     for result in batch:                                    # as each completes
...         print(result.index, result.status)
...     print(batch.summary)

* :mod:`.engine`: :func:`plan_many` and :class:`PlanBatch` (the client side).
* :mod:`.worker`: what each worker receives once (:class:`~.worker.BatchContext`, a
  worker plugin) and the task that plans one request.
* :mod:`.cluster`: a local cluster or a scheduler's address; lost workers.
* :mod:`.results`: :class:`PlanResult` and :class:`BatchSummary` (plain data).
* :mod:`.jsonl` and :mod:`.cli`: ``python -m neurosym plan-many``, resumable JSON lines.

Importing this package loads neither Dask nor the planner; ``plan_many`` loads Dask.
See docs/scaling.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {"plan_many": "engine", "PlanBatch": "engine", "PlanResult": "results",
            "BatchSummary": "results", "RemoteError": "results"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'neurosym.batch' has no attribute {name!r}")
