"""The grounded explanation programs of one itinerary, and the threads that use them.

A program over all facts (the *global* one) grounds in about a second on the demo and
answers any question; a *small* program over the itinerary's own items plus a few
candidates grounds in tens of milliseconds and answers in a few. An itinerary of a
small program is an itinerary of the whole one (the rules only gain freedom from more
candidates), so small programs are used wherever that is exact. With user rule files,
which may read the facts of items a small program leaves out, every question runs on
the global program instead: sound, slower.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from ..problem import Key
from .context import Context
from .program import ExplainProgram

log = logging.getLogger("neurosym.explain")


class Programs:
    """The global program (built once, in the background if asked) and a cache of small ones."""

    def __init__(self, ctx: Context, cap: int = 16):
        self.ctx = ctx
        self.cap = cap
        self.workers = min(2, os.cpu_count() or 1)
        self.stats: dict[str, float] = {}
        self._cache_lock = threading.Lock()
        self._global_lock = threading.Lock()
        self._global: ExplainProgram | None = None
        self._small: dict[frozenset[Key], ExplainProgram] = {}
        self._warm: threading.Thread | None = None

    def build(self, keep: set[Key] | None = None, label: str = "") -> ExplainProgram:
        """A new program over all facts (``keep=None``) or over the candidates in ``keep`` only."""
        ctx = self.ctx
        facts = ctx.problem.facts if keep is None else ctx.restricted_facts(keep)
        cands = list(ctx.cands) if keep is None else [k for k in ctx.cands if k in keep]
        current = sorted(ctx.chosen0, key=str)
        prog = ExplainProgram(facts, ctx.rules, cands, current, label=label)
        prog.on_call = weakref.WeakMethod(self._count_call)
        log.debug("explanation program %s: %d candidates, grounded in %.3f s", label or "(small)",
                  len(cands), prog.ground_s)
        return prog

    def _count_call(self) -> None:
        with self._cache_lock:
            self.stats["solver_calls"] = self.stats.get("solver_calls", 0) + 1

    def whole(self) -> ExplainProgram:
        """The program over all facts (built once; the first solve prepares clasp)."""
        with self._global_lock:
            if self._global is None:
                prog = self.build(None, label="global")
                prog.run(mode="sat", limit=None)
                self._global = prog
            return self._global

    def prepare(self, background: bool = True) -> None:
        """Build the program over all facts now, in a background thread by default, so
        that the first question that needs it does not wait for its grounding."""
        with self._cache_lock:
            if background:
                if self._global is None and self._warm is None:
                    self._warm = threading.Thread(target=self.whole, name="neurosym-explain-warmup", daemon=True)
                    self._warm.start()
                return
        self.whole()   # waits for a warm-up in progress (it holds the build lock)

    def small(self, keep: set[Key]) -> ExplainProgram:
        """A program over the candidates in ``keep`` only, cached by that set (the global
        program when there are user rule files; see the module docs)."""
        if self.ctx.rules:
            return self.whole()
        k = frozenset(keep)
        with self._cache_lock:
            prog = self._small.get(k)
        if prog is not None:
            return prog
        prog = self.build(set(k))
        with self._cache_lock:
            self._small[k] = prog
            self.stats["small_programs"] = self.stats.get("small_programs", 0) + 1
            self.stats["small_ground_s"] = self.stats.get("small_ground_s", 0.0) + prog.ground_s
            while len(self._small) > self.cap:
                self._small.pop(next(iter(self._small)))
        return prog

    def clear_small(self) -> None:
        with self._cache_lock:
            self._small.clear()

    def clear(self) -> None:
        """Drop the grounded programs (they hold memory); they are rebuilt on demand."""
        warm = self._warm
        if warm is not None:
            warm.join()
        with self._global_lock, self._cache_lock:
            self._warm = None
            self._global = None
            self._small.clear()

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """``[fn(x) for x in items]``, on ``workers`` threads (clingo grounds and solves
        without the GIL; each thread works on programs of its own)."""
        if self.workers <= 1 or len(items) <= 1 or threading.current_thread().name.startswith("neurosym-trace"):
            return [fn(x) for x in items]
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="neurosym-trace") as pool:
            return list(pool.map(fn, items))
