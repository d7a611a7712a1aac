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

from .engine import PlanBatch, plan_many
from .results import BatchSummary, PlanResult, RemoteError

__all__ = ["BatchSummary", "PlanBatch", "PlanResult", "RemoteError", "plan_many"]
