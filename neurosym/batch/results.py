"""What a batch gives back: one :class:`PlanResult` per request and a :class:`BatchSummary`.

Plain data, no Dask: the command line writes a result as one JSON line
(:meth:`PlanResult.to_record`) and reads it back when it resumes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

#: The outcomes of one request.
STATUSES = ("ok", "no_itinerary", "error")


class RemoteError(Exception):
    """An error raised on a worker that could not be sent back as itself (it did not
    pickle); ``kind`` is its class name and the message is its text."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"{kind}: {message}")
        self.kind, self.message = kind, message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.kind, self.message))


def request_digest(request: Any, history: Any = None) -> str:
    """A short hash of a request's JSON (and its history's): a result line names the
    request it answers."""
    text = request.model_dump_json() + ("\n" + history.model_dump_json() if history is not None else "")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PlanResult:
    """The outcome of one request of a batch, tagged with the request's ``index``.

    Exactly one of ``itinerary`` (planned) and ``error`` is set. ``error`` is the
    :class:`~neurosym.planner.NoItinerary` that ``plan_itinerary`` raised (no itinerary
    obeys every rule, with its diagnosis) or any other exception the request raised on
    its worker (bad input, a time-out without any itinerary, a request whose worker died
    too often: ``distributed.KilledWorker``); ``traceback`` is the worker's traceback of
    an unexpected error.

    ``worker`` is the address of the worker that planned it and ``seconds`` its time
    there. ``lost_workers`` lists the workers that died (or left) while the request was
    assigned to them; the request was then planned again elsewhere (``retried``).

    The itinerary is plain data: ``it.why()`` and ``it.trace`` need its planning context,
    which stays on the worker; ``neurosym.explain.attach(it, request, catalog)`` rebuilds it.
    """

    index: int
    itinerary: Any = None
    error: BaseException | None = None
    worker: str | None = None
    seconds: float = 0.0
    lost_workers: tuple[str, ...] = ()
    traceback: str | None = None

    @property
    def status(self) -> str:
        """``ok``, ``no_itinerary`` or ``error``."""
        if self.itinerary is not None:
            return "ok"
        from ..planner import NoItinerary
        return "no_itinerary" if isinstance(self.error, NoItinerary) else "error"

    @property
    def ok(self) -> bool:
        return self.itinerary is not None

    @property
    def retried(self) -> bool:
        """Whether a worker died with this request and it was planned again elsewhere."""
        return bool(self.lost_workers)

    def unwrap(self) -> Any:
        """The itinerary, or the request's error raised here (as ``plan_itinerary`` would)."""
        if self.itinerary is not None:
            return self.itinerary
        assert self.error is not None
        raise self.error

    def to_record(self, request: Any = None, history: Any = None) -> dict[str, Any]:
        """One JSON-ready line: index, status, the itinerary or the error, where and how long.

        ``request`` (the request answered, with its ``history``) adds its digest, which lets
        a resumed run check that the line answers the same request.
        """
        out: dict[str, Any] = {"index": self.index, "status": self.status}
        if request is not None:
            out["request"] = request_digest(request, history)
        if self.itinerary is not None:
            out["itinerary"] = self.itinerary.model_dump(mode="json")
        elif self.status == "no_itinerary":
            out["no_itinerary"] = self.error.to_dict()  # type: ignore[union-attr]
        else:
            out["error"] = error_record(self.error)
            if self.traceback:
                out["error"]["traceback"] = self.traceback
        out.update(worker=self.worker, seconds=round(self.seconds, 4), retried=self.retried,
                   lost_workers=list(self.lost_workers))
        return out


def error_record(error: BaseException | None) -> dict[str, Any]:
    """``{"type": ..., "message": ...}`` of an error."""
    if isinstance(error, RemoteError):
        return {"type": error.kind, "message": error.message}
    return {"type": type(error).__name__, "message": str(error)}


@dataclass
class BatchSummary:
    """Counts and times of a batch, kept up to date as results come in.

    ``requests`` is the batch's size and ``done`` the results given so far; ``planned``,
    ``no_itinerary`` and ``errors`` split them by status. ``retried`` counts the results
    that were planned again after a worker died, and ``workers_lost`` names the workers
    that died. ``threads`` is the cluster's worker threads when the batch started,
    ``wall_s`` the seconds from the start of the batch (cluster start-up excluded) to its
    last result, ``busy_s`` the sum of the workers' time on the requests.
    """

    requests: int = 0
    done: int = 0
    planned: int = 0
    no_itinerary: int = 0
    errors: int = 0
    retried: int = 0
    workers_lost: list[str] = field(default_factory=list)
    threads: int = 0
    scheduler: str = ""
    dashboard: str = ""
    startup_s: float = 0.0
    wall_s: float = 0.0
    busy_s: float = 0.0
    _t0: float = field(default=0.0, repr=False)

    def start(self) -> None:
        self._t0 = time.perf_counter()

    def add(self, result: PlanResult) -> None:
        self.done += 1
        status = result.status
        if status == "ok":
            self.planned += 1
        elif status == "no_itinerary":
            self.no_itinerary += 1
        else:
            self.errors += 1
        if result.retried:
            self.retried += 1
        self.busy_s += result.seconds
        self.wall_s = time.perf_counter() - self._t0

    def lost(self, worker: str) -> None:
        if worker not in self.workers_lost:
            self.workers_lost.append(worker)

    @property
    def plans_per_s(self) -> float:
        """Results per second of wall clock."""
        return self.done / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def complete(self) -> bool:
        return self.done == self.requests

    def as_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "done": self.done, "planned": self.planned,
                "no_itinerary": self.no_itinerary, "errors": self.errors, "retried": self.retried,
                "workers_lost": list(self.workers_lost), "threads": self.threads, "scheduler": self.scheduler,
                "dashboard": self.dashboard, "startup_s": round(self.startup_s, 3),
                "wall_s": round(self.wall_s, 3), "busy_s": round(self.busy_s, 3),
                "plans_per_s": round(self.plans_per_s, 3)}

    def __str__(self) -> str:
        lost = (f"; {len(self.workers_lost)} worker{'s' if len(self.workers_lost) != 1 else ''} lost, "
                f"{self.retried} request{'s' if self.retried != 1 else ''} planned again elsewhere"
                if self.workers_lost or self.retried else "")
        return (f"{self.done}/{self.requests} requests: {self.planned} planned, {self.no_itinerary} without "
                f"itinerary, {self.errors} errors{lost}; {self.wall_s:.1f} s on {self.threads} worker "
                f"thread{'s' if self.threads != 1 else ''} ({self.plans_per_s:.1f} plans/s)")
