"""The explanation handle of one itinerary: trace, why and why-not, computed on demand.

:class:`Explainer` is what ``plan_itinerary`` passes to the itinerary
(:meth:`neurosym.itinerary.Itinerary.set_explanations`); :func:`attach` builds one for
an itinerary read back from JSON. It holds the :class:`Context` (the problem and the
itinerary) and the grounded programs (:class:`Programs`), and keeps the trace once built.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..itinerary import Itinerary
from ..problem import Problem, Scorer, build_problem
from ..request import TripRequest
from .context import Context
from .entries import checked_rules, chosen_entry
from .programs import Programs
from .questions import WHY_NOT_LIMIT, why, why_not
from .trace import build_trace
from .types import Trace, TraceEntry


class Explainer:
    """Answers why / why-not questions about one planned itinerary.

    Built by ``plan_itinerary``; the work starts on the first question (grounding the
    whole program in the background as soon as the handle is first used).
    """

    def __init__(self, problem: Problem, itinerary: Itinerary, rules: Sequence[str | Path] = (), model: Any = None):
        self._args = (problem, itinerary, tuple(rules), model)
        self._lock = threading.Lock()
        self._ctx: Context | None = None
        self._progs: Programs | None = None
        self._trace: Trace | None = None
        self._trace_lock = threading.Lock()

    @property
    def ctx(self) -> Context:
        with self._lock:
            if self._ctx is None:
                self._ctx = Context(*self._args)
                self._progs = Programs(self._ctx)
            return self._ctx

    @property
    def programs(self) -> Programs:
        self.ctx  # noqa: B018 - builds both
        assert self._progs is not None
        return self._progs

    # -- what the itinerary's handle offers (neurosym.itinerary.Explanations) -------------
    @property
    def catalog(self) -> Catalog:
        return self._args[0].catalog

    @property
    def problem(self) -> Problem:
        return self._args[0]

    def prepare(self, background: bool = True) -> None:
        """Ground the program over all facts now (in a background thread by default)."""
        self.programs.prepare(background)

    def trace(self, baseline_limit: float = 0.3, item_limit: float = 0.3) -> Trace:
        """Every candidate with its reason (cached; see docs/explanations.md for the cost)."""
        with self._trace_lock:
            if self._trace is None:
                try:
                    self._trace = build_trace(self.ctx, self.programs, baseline_limit, item_limit)
                finally:
                    self.programs.clear_small()
            return self._trace

    def why(self, item: Any) -> TraceEntry:
        """Why a chosen item is in the itinerary (see :func:`neurosym.explain.questions.why`)."""
        return why(self.ctx, self.programs, item)

    def why_not(self, item: Any, limit: float = WHY_NOT_LIMIT) -> TraceEntry:
        """Why an item is not in the itinerary (see :func:`neurosym.explain.questions.why_not`)."""
        return why_not(self.ctx, self.programs, item, limit)

    def chosen_entries(self) -> dict[str, TraceEntry]:
        """The chosen items' entries by candidate key and catalog id: the trace's when it
        exists, else computed on their own (cheap: one small program)."""
        self.prepare()
        if self._trace is not None:
            chosen = self._trace.chosen
        else:
            ctx = self.ctx
            checked = checked_rules(ctx, self.programs.small(set(ctx.chosen0)))
            chosen = [chosen_entry(ctx, k, checked) for k in sorted(ctx.chosen0, key=str)]
        return {e.item_id: e for e in chosen} | {e.catalog_id: e for e in chosen}

    # -- what the tests and benchmarks read ----------------------------------------------
    @property
    def candidates(self) -> list[str]:
        """Every candidate the planner had, as users write them (pruned ones included)."""
        ctx = self.ctx
        return [ctx.key_text(k) for k in [*ctx.cands, *ctx.problem.dominated]]

    @property
    def chosen(self) -> set[str]:
        """The itinerary's candidates, as users write them."""
        return {self.ctx.key_text(k) for k in self.ctx.chosen0}

    @property
    def objective(self) -> list[int]:
        """The itinerary's objective as the explanations count it (``[-value, cost]``)."""
        return list(self.ctx.plan0.objective)

    @property
    def stats(self) -> dict[str, float]:
        return dict(self.programs.stats)

    def clear(self) -> None:
        """Drop the grounded programs (they hold memory); they are rebuilt on demand."""
        if self._progs is not None:
            self._progs.clear()

    def __deepcopy__(self, memo: dict) -> "Explainer":  # copies share the grounded programs
        return self

    def __getstate__(self) -> dict:
        raise TypeError("an Explainer holds clingo programs and cannot be pickled")


def attach(itinerary: Itinerary, request: TripRequest, catalog: Catalog | None = None, *,
           rules: Sequence[str | Path] = (), scorer: Scorer | None = None, model: Any = None,
           forecast: Any = None) -> Itinerary:
    """Make an itinerary read back from JSON explainable again: rebuild its planning
    problem (with the same scorer or model, and forecast, as when it was planned) and attach it."""
    if catalog is None:
        from ..demo import load_demo_catalog
        catalog = load_demo_catalog()
    if scorer is None and model is not None:
        scorer = model.score
    problem = build_problem(request, catalog, scorer, prune_dominated=not rules, forecast=forecast)
    explainer = Explainer(problem, itinerary, rules, model)
    ctx = explainer.ctx   # an itinerary that does not fit the problem is reported here
    if not ctx.chosen0 <= set(ctx.cands):
        # it uses a candidate the pruning removes (planned with other settings, or by
        # another version): explained over every candidate, none pruned
        problem = build_problem(request, catalog, scorer, prune_dominated=False, forecast=forecast)
        explainer = Explainer(problem, itinerary, rules, model)
        explainer.ctx  # noqa: B018
    itinerary.set_explanations(explainer)
    explainer.prepare()  # ground the whole program in the background meanwhile
    return itinerary
