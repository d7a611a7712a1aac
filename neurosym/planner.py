"""``plan_itinerary``: request + catalog -> the best itinerary that obeys every rule.

The public entry point, on top of the layers it composes: the facts
(:func:`~neurosym.problem.build_problem`), plan-once (:func:`~neurosym.solve.plan_once`),
assembly (:func:`~neurosym.assemble.build_itinerary`), the independent verifier, and the
explanation engine (a handle for the itinerary; the diagnosis of an impossible request).
"""

from __future__ import annotations

import logging
import time as _time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .answer import Answer, Plan
from .assemble import build_itinerary
from .catalog import Catalog
from .explain import Diagnosis, Explainer, diagnose_problem
from .itinerary import Itinerary
from .limits import check_time_limit
from .problem import Problem, Scorer, build_problem, candidate_items
from .request import TripRequest
from .rules import check_user_file
from .solve import Limits, plan_certified
from .verify import verify

log = logging.getLogger("neurosym")


class NoItinerary(Exception):
    """Raised by :func:`plan_itinerary` when no itinerary obeys every rule.

    ``violations`` lists, for the itinerary that breaks the fewest rules, each broken
    rule as ``(rule name, message)``; ``message`` says it in one sentence.

    ``diagnosis`` (a :class:`neurosym.explain.Diagnosis`) says why and what to do:
    ``conflict`` is a minimal set of the traveller's own constraints that cannot hold
    together (dropping any one of them makes the rest feasible: verified by
    re-solving), ``frame`` is true when even with all of them set aside the dates,
    cities and catalog do not fit (``missing`` says what they lack), and ``repairs``
    are changes to the request, the smallest change first (the smallest budget that
    works, the nearest dates that work, a house rule, cuisine or transport exclusion to
    drop, the later or earlier leg to take, several of these together when one is not
    enough), each confirmed by an itinerary the verifier passes before it is listed.
    ``complete`` is false when the search stopped at its time limit.
    """

    def __init__(self, message: str, violations: list[tuple[str, str]] | None = None, diagnosis: Any = None):
        super().__init__(message)
        self.message = message
        self.violations = violations or []
        self.diagnosis = diagnosis

    @property
    def conflict(self) -> list[Any]:
        """A minimal set of the traveller's constraints that cannot hold together."""
        return list(self.diagnosis.conflict) if self.diagnosis is not None else []

    @property
    def repairs(self) -> list[Any]:
        """Confirmed changes to the request that make it plannable."""
        return list(self.diagnosis.repairs) if self.diagnosis is not None else []

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": "no_itinerary", "message": self.message,
                               "violations": [{"rule": r, "message": m} for r, m in self.violations]}
        d = self.diagnosis
        if d is not None:
            out["conflict"] = [c.model_dump() for c in d.conflict]
            out["conflicts"] = [[c.model_dump() for c in m] for m in d.conflicts]
            out["frame"] = d.frame
            out["missing"] = list(d.missing)
            out["repairs"] = [r.model_dump(mode="json") for r in d.repairs]
            out["correction_sets"] = [list(x) for x in d.correction_sets]
            out["complete"] = d.complete
            out["searched"] = list(d.searched)
            budget = next((r.changes["budget"] for r in d.repairs
                           if r.kind == "budget" and r.confirmed and "budget" in r.changes), None)
            if budget is not None:
                out["smallest_budget"] = budget
            out["checks"] = list(d.checks)
        return out

    def _repr_html_(self) -> str:
        from .display import no_itinerary_html
        return no_itinerary_html(self)


class PlannerError(RuntimeError):
    """An internal error: the planner produced an itinerary that the independent verifier
    rejects. It is never returned; ``violations`` lists what the verifier found."""

    def __init__(self, violations: list[Any]):
        self.violations = violations
        super().__init__("internal error: the planned itinerary breaks "
                         + "; ".join(str(v) for v in violations[:10])
                         + (f" (and {len(violations) - 10} more)" if len(violations) > 10 else ""))


@dataclass(frozen=True)
class Progress:
    """A better itinerary, found while the search goes on (see ``plan_itinerary(progress=...)``).

    ``elapsed`` is seconds since the search started (grounding included), ``found`` counts
    the itineraries found so far (each better than the one before), ``objective`` is the
    itinerary's objective (as :attr:`Itinerary.objective`) and ``itinerary`` the itinerary
    itself, which obeys every rule; it is not yet known to be the best.
    """

    elapsed: float
    found: int
    objective: list[int]
    itinerary: Itinerary


def plan_itinerary(request: TripRequest, catalog: Catalog | None = None, *, history: Any = None,
                   model: Any = None, rules: Sequence[str | Path] = (), time_limit: float | None = 10.0,
                   scorer: Scorer | None = None, prune: bool | None = None,
                   progress: Callable[[Progress], Any] | None = None, reproducible: bool = False,
                   diagnose: bool = True, cancel: Callable[[], bool] | None = None,
                   forecast: Any = None) -> Itinerary:
    """Plan the best itinerary for ``request`` from ``catalog`` (default: the demo catalog).

    Preference comes from ``scorer`` (a function from catalog items to scores in [0, 1]),
    else from ``model`` (a fitted :class:`neurosym.preferences.PreferenceModel`), else
    from a model fitted on ``history``, else from the documented prior. The objective is
    the preference net of what the money is worth (``request.weights.money``) and of
    night-time legs, then the cost (:mod:`neurosym.objective`). ``rules`` are extra rule
    files, enforced like the shipped ones. ``prune`` removes dominated candidates before
    solving (exact, see :mod:`neurosym.dominance`); by default it is on unless extra rule
    files are given, since a user rule may single out one candidate.

    Every itinerary carries a certified ``bound`` (:mod:`neurosym.bound`: no itinerary
    has a higher value) and its ``gap``; it is ``optimal`` when it reaches the bound or
    the search proved that nothing is better, and the planner returns as soon as it is.

    ``time_limit`` is wall-clock seconds for the whole call: building the facts, the
    bound, grounding, search, and the diagnosis of an impossible request (fitting a
    preference model from ``history`` and encoding the catalog for it come before and do
    not count). When it runs out, the best itinerary so far is returned with
    ``optimal=False``; when none has been found yet, the search may go on for 10% of the
    limit plus 0.15 s more, then :class:`TimeoutError`. A diagnosis cut by the limit
    says it is partial. The planning runs on a thread of its own, so the call keeps this
    promise even while clingo grounds or preprocesses, which it cannot interrupt: the
    thread is then told to stop at its next check and its result dropped. ``None``
    searches until optimality is proven; with ``reproducible`` the clock only caps the
    search (below).

    ``progress`` is called with a :class:`Progress` each time the search finds a better
    itinerary (from the solver's thread, so keep it short); returning False stops the
    search, and the itinerary of that call is returned. ``cancel`` (a function, e.g. a
    ``threading.Event``'s ``is_set``) is asked while the search runs: True stops it with
    the best itinerary so far. A web page uses both to show the best itinerary so far and
    to stop. ``diagnose=False`` raises :class:`NoItinerary` without a diagnosis.

    Determinism: the same request and catalog give a byte-identical itinerary JSON
    whenever the search finishes (``optimal=True``: the bound's single-threaded HiGHS
    solve picks the items, and ties in their arrangement are broken by the fixed order of
    ``rules/canonical.lp``). Under a time limit, the itinerary found depends on timing
    unless ``reproducible`` is set: the search is then bounded by work instead (HiGHS's
    iterations and nodes, one clasp thread and its conflicts, in proportion to
    ``time_limit``; see :meth:`neurosym.solve.Limits.reproducible`), and gives the same
    itinerary on every run; the clock then only stops it, as a safety net, at ten times the
    limit plus a second or two. ``it.stats`` (timings, not part of the JSON) says whether it did.

    ``forecast`` (a :class:`neurosym.weather.Forecast`, or a provider's
    :class:`~neurosym.weather.TripWeather`) switches on the weather rules of
    ``rules/weather.lp`` under ``request.weather``: outdoor visits out of rainy hours, long
    ones out of extreme heat and cold (or, with ``request.weather.risk="accept"``, worth
    less there). Without one the trip is planned without weather; ``it.weather`` says
    which forecast was used, or that none was (and why, for a provider that had none).

    Every itinerary is checked by the independent :func:`neurosym.verify` before it is
    returned (or passed to ``progress``); one that fails is never returned:
    :class:`PlannerError` lists what it breaks.

    Raises :class:`NoItinerary` when no itinerary obeys every rule, and
    :class:`~neurosym.problem.PlanningInputError` or
    :class:`~neurosym.rules.RuleFileError` on bad input.
    """
    check_time_limit(time_limit)
    for path in rules:  # bad rule files are reported before any work is done
        check_user_file(path)
    if catalog is None:
        from .demo import load_demo_catalog
        catalog = load_demo_catalog()
    scorer, pref_model = _scorer(scorer, model, history, catalog)
    if pref_model is not None:   # scoring with the neural model (encoding the catalog once) is not planning either
        scorer = _prescored(scorer, candidate_items(request, catalog))
    t0 = _time.perf_counter()   # the time limit starts here: fitting a preference model is not planning
    args = (request, catalog, scorer, pref_model, rules, prune, forecast, time_limit, reproducible, diagnose, t0)
    if time_limit is None or reproducible:   # no promise on the clock (a reproducible search keeps its own cap)
        try:
            return _plan(*args, progress=progress, cancel=cancel)
        except TimeoutError as exc:
            if time_limit is None:
                raise
            raise TimeoutError(f"no itinerary found within the work of a time limit of {time_limit:g} s "
                               f"(reproducible mode); give it a larger time_limit") from exc
    return _on_time(args, progress, cancel)


def _plan(request: TripRequest, catalog: Catalog, scorer: Scorer, pref_model: Any, rules: Sequence[str | Path],
          prune: bool | None, forecast: Any, time_limit: float | None, reproducible: bool, diagnose: bool, t0: float,
          *, progress: Callable[[Progress], Any] | None, cancel: Callable[[], bool] | None,
          infeasible: Callable[[], None] | None = None) -> Itinerary:
    """The planning of :func:`plan_itinerary`, from the facts on (``infeasible`` is told when
    no itinerary exists, before the diagnosis starts)."""
    problem = build_problem(request, catalog, scorer, prune_dominated=not rules if prune is None else prune,
                            forecast=forecast)
    on_plan = None
    if progress is not None:
        found = [0]

        def on_plan(plan: Plan, cost: list[int], elapsed: float) -> bool:
            found[0] += 1
            it = build_itinerary(problem, Answer(plan=plan, optimal=False, cost=cost), rules, pref_model)
            _checked(it, request, catalog, problem.forecast)
            return progress(Progress(elapsed=elapsed, found=found[0], objective=list(cost), itinerary=it)) is not False

    answer = plan_certified(problem, rules, _limits(time_limit, t0, reproducible), on_plan=on_plan, cancel=cancel)
    if answer is None:
        if infeasible is not None:
            infeasible()
        if not diagnose:
            raise NoItinerary("No itinerary obeys every rule (not diagnosed).")
        raise no_itinerary(problem, rules, **_diagnosis_limits(time_limit, t0))
    it = build_itinerary(problem, answer, rules, pref_model)
    t1 = _time.perf_counter()
    _checked(it, request, catalog, problem.forecast)
    it.stats["verify_s"] = _time.perf_counter() - t1
    it.stats["call_s"] = _time.perf_counter() - t0
    log.debug("itinerary planned: optimal=%s objective=%s stats=%s", it.optimal, it.objective, it.stats)
    return it.set_explanations(Explainer(problem, it, rules, pref_model))   # it.trace / why / why_not, on demand


def _too_short(time_limit: float) -> str:
    return (f"no itinerary found within the time limit of {time_limit:g} s (and its grace of "
            f"{GRACE_SHARE * time_limit + GRACE_S:.2g} s); give it a larger time_limit")


def _on_time(args: tuple, progress: Callable[[Progress], Any] | None,
             cancel: Callable[[], bool] | None) -> Itinerary:
    """:func:`_plan` on a thread of its own, waited for until the call's time limit plus its
    grace: what clingo cannot interrupt (grounding a large program, clasp's preprocessing)
    then no longer holds the caller past the limit. Past it, the thread is told to stop (it
    does at its next check, and its result is dropped; ``progress`` is not called again) and
    the call raises :class:`TimeoutError`, or :class:`NoItinerary` with a partial diagnosis
    when the search had already shown that no itinerary exists."""
    import threading

    time_limit, t0 = args[7], args[-1]
    late = threading.Event()
    known_infeasible = threading.Event()
    out: dict[str, Any] = {}

    def stop() -> bool:
        return late.is_set() or (cancel is not None and bool(cancel()))

    def shown(p: Progress) -> Any:
        return False if late.is_set() else progress(p)   # type: ignore[misc]

    def run() -> None:
        try:
            out["itinerary"] = _plan(*args, progress=None if progress is None else shown, cancel=stop,
                                     infeasible=known_infeasible.set)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            out["error"] = exc

    # not a daemon: at exit the interpreter waits for it to stop (a daemon thread killed
    # inside clingo at exit aborts the process)
    worker = threading.Thread(target=run, name="neurosym-plan", daemon=False)
    worker.start()
    # the diagnosis ends at the grace's end: a few more ms let its answer through
    try:
        worker.join(max(0.0, _grace_left(time_limit, t0) + JOIN_MARGIN_S))
    except BaseException:   # Ctrl-C while waiting: the thread stops too
        late.set()
        raise
    if worker.is_alive():
        late.set()
        if known_infeasible.is_set():
            raise NoItinerary(f"No itinerary obeys every rule; the diagnosis did not finish within the time limit "
                              f"of {time_limit:g} s.", diagnosis=Diagnosis(complete=False))
        raise TimeoutError(_too_short(time_limit))
    if isinstance(out.get("error"), TimeoutError):   # the search's own, at the end of the grace
        raise TimeoutError(_too_short(time_limit)) from out["error"]
    if "error" in out:
        raise out["error"]
    return out["itinerary"]


#: The whole call ends within this share of the time limit plus :data:`GRACE_S` seconds:
#: the search improves the itinerary until the time limit, and only a first itinerary
#: (or the end of a diagnosis) may use the grace.
GRACE_SHARE = 0.1
GRACE_S = 0.15
#: How long past the grace the caller waits for an answer on its way (a diagnosis that
#: stopped at its deadline, an itinerary being verified) before it gives up on it.
JOIN_MARGIN_S = 0.03


def _limits(time_limit: float | None, t0: float, reproducible: bool) -> Limits:
    """What is left of the call's time limit for the search (the grace only for a first itinerary)."""
    if reproducible:   # sized from the limit itself, not from the time left: the same work every run
        return Limits.reproducible(time_limit)
    if time_limit is None:
        return Limits(time=None)
    left = max(0.0, time_limit - (_time.perf_counter() - t0))
    return Limits(time=left, first=max(left, _grace_left(time_limit, t0)))


def _grace_left(time_limit: float, t0: float) -> float:
    """Seconds left until the call, started at ``t0``, must end: the time limit and its grace."""
    return time_limit * (1 + GRACE_SHARE) + GRACE_S - (_time.perf_counter() - t0)


def _diagnosis_limits(time_limit: float | None, t0: float) -> dict[str, float]:
    """What is left of the call's time limit, for the diagnosis of an impossible request:
    its deadline (the search stops there with what it found, ``diagnosis.complete`` false)."""
    if time_limit is None:
        return {}
    left = max(0.05, _grace_left(time_limit, t0))
    return {"time_limit": left, "confirm_time_limit": min(2.0, left / 2), "deadline": _time.perf_counter() + left}


def _checked(it: Itinerary, request: TripRequest, catalog: Catalog, forecast: Any = None) -> None:
    """Defence in depth: the independent verifier passes the itinerary, or PlannerError."""
    violations = verify(it, request, catalog, forecast)
    if violations:
        raise PlannerError(violations)


def _prescored(scorer: Scorer, items: Sequence[Any]) -> Scorer:
    """``scorer`` with its scores of ``items`` computed now and looked up later."""
    import numpy as np

    known = dict(zip((it.id for it in items), np.asarray(scorer(items), dtype=float))) if items else {}

    def scored(asked: Sequence[Any]) -> Any:
        missing = [it for it in asked if it.id not in known]
        if missing:
            known.update(zip((it.id for it in missing), np.asarray(scorer(missing), dtype=float)))
        return np.array([known[it.id] for it in asked], dtype=float)

    return scored


def _scorer(scorer: Scorer | None, model: Any, history: Any, catalog: Catalog) -> tuple[Scorer | None, Any]:
    if scorer is not None:
        return scorer, None
    if model is None and history is not None and (history.items or history.likes or history.dislikes):
        from .preferences import PreferenceModel
        model = PreferenceModel().fit(history, catalog=catalog)
    if model is not None:
        return model.score, model
    return None, None


def no_itinerary(problem: Problem, rules: Sequence[str | Path] = (), *, time_limit: float = 5.0,
                 confirm_time_limit: float = 2.0, search_dates: bool | None = None,
                 deadline: float | None = None) -> NoItinerary:
    """Why no itinerary exists, and what would make one exist, as a :class:`NoItinerary`.

    The traveller's constraints that cannot hold together (a minimal set, found with
    clingo assumptions and unsat cores, shrunk by deletion and verified by re-solving),
    what the dates and catalog lack when even without them nothing works, the rules
    broken by the itinerary that breaks the fewest, and repairs ranked by how much of
    the request they keep, each confirmed by an itinerary the verifier passes (see
    :func:`neurosym.explain.diagnose_problem`; ``search_dates`` None searches nearby
    dates when the conflict can depend on them). ``deadline`` (a ``time.perf_counter()``
    instant) stops the search with what it found (``diagnosis.complete`` false).
    """
    d = diagnose_problem(problem, rules, time_limit=time_limit, confirm_time_limit=confirm_time_limit,
                         search_dates=search_dates, deadline=deadline)
    found = [(b.rule, b.text) for b in d.violations]
    if d.frame:
        head = ("No itinerary exists even with your own constraints set aside: the dates, cities and "
                "catalog do not fit")
        if d.missing:
            head += " (" + "; ".join(d.missing) + ")"
    elif d.conflicts:
        head = "No itinerary obeys every rule: " + "; and ".join(
            "your " + ", ".join(c.text for c in m) + (" cannot hold together" if len(m) > 1 else " cannot be met")
            for m in d.conflicts)
    else:
        head = "No itinerary obeys every rule"
    if found:
        head += (f". The closest itinerary breaks {len(found)} rule{'s' if len(found) != 1 else ''}: "
                 + "; ".join(f"{r}: {m}" for r, m in found))
    elif d.frame and not d.missing:
        head += " (no way to move between the cities on the trip's days)"
    if d.repairs:
        head += (". Repairs, the smallest change first (each confirmed by planning): "
                 + "; ".join(f"({i}) {r.text}" for i, r in enumerate(d.repairs, start=1)))
    elif d.searched and d.complete:
        head += ". No repair within the search radius works (" + "; ".join(d.searched) + ")"
    if not d.complete:
        head += ". The search for repairs stopped at its time limit: others may exist"
    return NoItinerary(head + ".", found, d)


diagnose = no_itinerary  # the former name
