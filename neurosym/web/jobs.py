"""Planning as background jobs: the server answers while clingo searches.

A :class:`JobRunner` owns a small pool of planning threads (two by default: the machine
has two cores and clingo releases the GIL while it grounds and solves). Each submitted
request becomes a :class:`Job`; ``plan_itinerary(progress=...)`` reports every better
itinerary found, which the job keeps as ``best`` so a page can show it while the search
goes on, and a stop request makes the callback return ``False``, which ends the search
with that itinerary. Finished jobs are kept (the most recent ``keep`` of them) so their
itineraries can still be explained; older ones are dropped, and with them their
itineraries and grounded explanation programs. Those programs are large (the whole
demo trip grounds to a few hundred MB), so only the ``warm`` most recently explained
itineraries keep theirs; the others are cleared and rebuilt when asked again.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from ..catalog import Catalog
from ..request import TripRequest
from ..weather import ForecastProvider, TripWeather, trip_forecast

log = logging.getLogger("neurosym.web")

Status = Literal["queued", "running", "planned", "no_itinerary", "error"]
FINAL = ("planned", "no_itinerary", "error")


@dataclass
class Job:
    """One planning request and everything known about it so far."""

    id: str
    request: TripRequest
    history: Any = None
    time_limit: float | None = None
    rain_threshold: int = 60
    label: str = ""                       # how it came about: "", "repair: ...", "without ..."
    parent: str | None = None             # the job it was derived from
    status: Status = "queued"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    found: int = 0                        # itineraries found so far (each better than the last)
    elapsed: float = 0.0                  # seconds of search at the last one found
    objective: list[int] = field(default_factory=list)
    best: Any = None                      # the best Itinerary found so far (no explanations yet)
    itinerary: Any = None                 # the final Itinerary (explainable)
    failure: Any = None                   # NoItinerary, when no itinerary exists
    error: str | None = None              # bad input or an internal error, for the traveller
    error_field: str | None = None
    weather: TripWeather | None = None
    stop_requested: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    explain_lock: threading.Lock = field(default_factory=threading.Lock)
    on_explained: Any = None              # the runner's bookkeeping of explanation memory

    @property
    def final(self) -> bool:
        return self.status in FINAL

    @property
    def running_for(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.time()) - self.started

    def explain(self, kind: Literal["why", "why_not"], item: str) -> Any:
        """``it.why(item)`` / ``it.why_not(item)`` on the final itinerary, one question at a time."""
        if self.itinerary is None:
            raise LookupError("this job has no itinerary to explain")
        with self.explain_lock:  # an itinerary's explainer answers one question at a time
            entry = getattr(self.itinerary, kind)(item)
        if self.on_explained is not None:
            self.on_explained(self)
        return entry

    def drop_explanations(self) -> None:
        """Free the clingo programs grounded to explain this itinerary (rebuilt on demand)."""
        if self.itinerary is not None:
            with self.explain_lock:
                self.itinerary.explainer.clear()


class JobRunner:
    """Runs planning jobs on ``workers`` threads and keeps the ``keep`` most recent ones."""

    def __init__(self, catalog: Catalog, *, time_limit: float | None = 10.0,
                 forecast: ForecastProvider | None = None, workers: int = 2, keep: int = 50, warm: int = 4):
        self.catalog = catalog
        self.time_limit = time_limit
        self.forecast = forecast
        self.keep = keep
        self.warm = warm  # itineraries whose explanation programs stay grounded (each: ~100-500 MB)
        self._explained: list[Job] = []
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="neurosym-plan")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    # -- jobs --------------------------------------------------------------------------
    def submit(self, request: TripRequest, *, history: Any = None, time_limit: float | None = None,
               rain_threshold: int = 60, label: str = "", parent: str | None = None) -> Job:
        job = Job(id=secrets.token_urlsafe(9), request=request, history=history,
                  time_limit=time_limit if time_limit is not None else self.time_limit,
                  rain_threshold=rain_threshold, label=label, parent=parent, on_explained=self._explained_one)
        with self._lock:
            self._jobs[job.id] = job
            # forget the oldest finished jobs: their itineraries, and the explanation
            # programs grounded for them, are freed with them
            for old_id in [k for k, j in self._jobs.items() if j.final][:max(0, len(self._jobs) - self.keep)]:
                del self._jobs[old_id]
        self._pool.submit(self._run, job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def queued_before(self, job: Job) -> int:
        """How many jobs wait ahead of this one."""
        with self._lock:
            ahead = 0
            for j in self._jobs.values():
                if j is job:
                    break
                ahead += j.status == "queued"
            return ahead

    def _explained_one(self, job: Job) -> None:
        """Keep the explanation programs of the ``warm`` most recently explained itineraries."""
        with self._lock:
            if job in self._explained:
                self._explained.remove(job)
            self._explained.append(job)
            cold = self._explained[:-self.warm] if len(self._explained) > self.warm else []
            del self._explained[:len(cold)]
        for old in cold:
            old.drop_explanations()

    def stop(self, job: Job) -> None:
        """Ask the search to stop and keep the best itinerary found so far."""
        job.stop_requested = True

    def shutdown(self) -> None:
        with self._lock:
            jobs = list(self._jobs.values())
        for j in jobs:
            j.stop_requested = True
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- running -----------------------------------------------------------------------
    def _run(self, job: Job) -> None:
        from ..planner import NoItinerary, Progress, plan_itinerary
        from ..problem import PlanningInputError
        job.status, job.started = "running", time.time()
        try:
            if self.forecast is not None:
                cities = [job.request.origin, *job.request.destinations]
                job.weather = trip_forecast(self.forecast, self.catalog, cities, job.request.start, job.request.end)

            def progress(p: Progress) -> bool:
                job.found, job.elapsed, job.objective, job.best = p.found, p.elapsed, list(p.objective), p.itinerary
                return not job.stop_requested

            it = plan_itinerary(job.request, self.catalog, history=job.history, time_limit=job.time_limit,
                                progress=progress, cancel=lambda: job.stop_requested)
            job.itinerary, job.objective, job.status = it, list(it.objective), "planned"
        except NoItinerary as exc:
            job.failure, job.status = exc, "no_itinerary"
        except PlanningInputError as exc:
            job.error, job.error_field, job.status = str(exc), exc.field, "error"
        except TimeoutError as exc:
            job.error, job.status = (f"{exc}: none may exist, or a longer search may find one"), "error"
        except Exception:  # the page says something went wrong; the log has the details
            log.exception("planning job %s failed", job.id)
            job.error, job.status = "Planning failed with an internal error (the server log has the details).", "error"
        finally:
            job.finished = time.time()
            job.done.set()
