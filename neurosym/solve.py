"""Running clingo on a :class:`~neurosym.problem.Problem` and reading the answer.

The encoding is static (``rules/*.lp``); this module only loads it, adds the facts,
grounds, and optimises. Optimisation is model-guided branch-and-bound; clasp's domain
heuristic follows the ``#heuristic`` lines of ``rules/objective.lp``, so the most
preferred places are tried first and the first itineraries found are already good
ones (see docs/performance.md).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import clingo

from .asp import Fact, Value, facts_text, value
from .rules import RuleFileError, check_user_file, core_paths, rules_dir

SOLVER_ARGS = ("--opt-strategy=bb", "--heuristic=Domain", "--parallel-mode=2")
#: Without any itinerary when the time limit is reached, the search goes on until it has
#: its first one, for at most this many seconds in all.
FIRST_ITINERARY_LIMIT = 10.0


@dataclass
class Answer:
    """The atoms of the best model found, as Python values, grouped by predicate."""

    atoms: dict[str, list[tuple[Value, ...]]]
    optimal: bool
    cost: list[int]
    stats: dict[str, float] = field(default_factory=dict)

    def get(self, name: str) -> list[tuple[Value, ...]]:
        return self.atoms.get(name, [])


def _control() -> clingo.Control:
    """A clingo control with the solver settings; clingo's own warnings are not printed
    (rule-file errors are reported by :func:`neurosym.rules.check_user_file`)."""
    return clingo.Control(list(SOLVER_ARGS), logger=lambda _code, _msg: None, message_limit=20)


def load_rules(ctl: clingo.Control, user_rules: Sequence[str | Path] = (), relax: bool = False) -> None:
    """Load the core rule files and the user's (checked first; errors name file and line)."""
    for p in core_paths():
        ctl.load(str(p))
    if relax:
        ctl.load(str(rules_dir() / "relax.lp"))
    for p in user_rules:
        path = check_user_file(p)
        try:
            ctl.load(str(path))
        except RuntimeError as exc:  # parse errors were caught by check_user_file; be safe anyway
            raise RuleFileError(path, None, str(exc)) from None


@contextmanager
def _user_rules_blamed(user_rules: Sequence[str | Path]) -> Iterator[None]:
    """clingo's own errors (clasp's "Integer overflow!" in a sum of a user file, say) as a
    :class:`RuleFileError` naming the user's files. The shipped rules never cause one: every
    number and sum they form is bounded (neurosym.bounds)."""
    try:
        yield
    except RuntimeError as exc:
        if not user_rules:
            raise
        msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else "clingo failed"
        raise RuleFileError(", ".join(str(p) for p in user_rules), None,
                            f"clingo could not ground or solve with these rule files: {msg[-300:]}") from None


def _atoms(symbols: Sequence[clingo.Symbol]) -> dict[str, list[tuple[Value, ...]]]:
    atoms: dict[str, list[tuple[Value, ...]]] = {}
    for s in symbols:
        atoms.setdefault(s.name, []).append(tuple(value(a) for a in s.arguments))
    return atoms


#: Called with each better answer found while searching (its atoms, cost and the seconds
#: since the call started); returning False stops the search.
OnAnswer = Callable[[dict[str, list[tuple[Value, ...]]], list[int], float], "bool | None"]


def solve(facts: list[Fact], user_rules: Sequence[str | Path] = (), *, time_limit: float | None = 10.0,
          relax: bool = False, on_answer: OnAnswer | None = None) -> Answer | None:
    """Ground and optimise; the best answer found, or ``None`` when there is none.

    ``time_limit`` is wall-clock seconds for the whole call (loading the rules, grounding
    and searching). When it runs out, the best answer so far is returned with
    ``optimal=False``. When there is none yet, the search goes on until the first one,
    for at most ``max(time_limit, FIRST_ITINERARY_LIMIT)`` seconds in all, and raises
    :class:`TimeoutError` if there is still none.

    ``on_answer`` is called, in the solver's thread, with each better answer as it is
    found; returning False stops the search there (the answer counts as the best found).
    An exception it raises stops the search and is raised again here.
    """
    t0 = _time.perf_counter()
    ctl = _control()
    load_rules(ctl, user_rules, relax=relax)
    ctl.add("base", [], facts_text(facts))
    with _user_rules_blamed(user_rules):
        ctl.ground([("base", [])])
    if relax:
        ctl.assign_external(clingo.Function("ns_relax"), True)
    t1 = _time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    best: dict[str, object] = {}

    def on_model(m: clingo.Model) -> bool:
        best["symbols"] = m.symbols(shown=True)
        best["cost"] = list(m.cost)
        if on_answer is not None and "error" not in best:
            try:
                if on_answer(_atoms(best["symbols"]), list(m.cost), _time.perf_counter() - t0) is False:  # type: ignore[arg-type]
                    best["stopped"] = True
                    return False
            except Exception as exc:  # noqa: BLE001 - raised again after the search stops
                best["error"] = exc
                return False
        return deadline is None or _time.perf_counter() < deadline  # False stops the search

    with _user_rules_blamed(user_rules), ctl.solve(on_model=on_model, async_=True) as handle:
        if time_limit is None:
            finished = handle.wait()
        else:
            finished = handle.wait(max(0.0, t0 + time_limit - _time.perf_counter()))
            if not finished and "symbols" not in best:  # on_model stops the search at the first answer
                finished = handle.wait(max(0.0, t0 + max(time_limit, FIRST_ITINERARY_LIMIT) - _time.perf_counter()))
            if not finished:
                handle.cancel()
        result = handle.get()
    t2 = _time.perf_counter()
    if "error" in best:
        raise best["error"]  # type: ignore[misc]
    if "symbols" not in best:
        if result.unsatisfiable or finished:
            return None
        raise TimeoutError(f"no itinerary found within {max(time_limit or 0.0, FIRST_ITINERARY_LIMIT):g} s")
    atoms = _atoms(best["symbols"])  # type: ignore[arg-type]
    summary = ctl.statistics.get("summary", {})
    stats = {"ground_s": t1 - t0, "solve_s": t2 - t1, "total_s": t2 - t0,
             "models": float(summary.get("models", {}).get("enumerated", 0)),
             "atoms": float(ctl.statistics.get("problem", {}).get("lp", {}).get("atoms", 0))}
    optimal = bool(result.exhausted and not result.interrupted and "stopped" not in best)
    return Answer(atoms=atoms, optimal=optimal, cost=best["cost"], stats=stats)  # type: ignore[arg-type]
