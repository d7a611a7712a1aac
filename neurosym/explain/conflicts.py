"""Minimal conflicts and minimal correction sets of the traveller's own constraints.

A question is solved with assumptions on the ``ns_off(C)`` externals of ``core.lp``
(kept: false; set aside: true).

- A *conflict* (minimal unsatisfiable subset) is a set of constraints that cannot hold
  together, and would if any one of them went: take the unsatisfiable core, shrink it by
  deletion (each test solving with only the remaining members kept), then verify by
  re-solving. Disjoint conflicts are found by setting each found one aside and repeating.
- A *correction set* is a set of constraints whose relaxation makes the request
  feasible; it is minimal when no smaller part of it does. Every correction set meets
  every conflict (it is a hitting set of them), so they are enumerated as the hitting
  sets of the conflicts known so far, smallest first: each is tested by one solve; a
  feasible one is a minimal correction set (every smaller hitting set was tested before
  and failed, and a set that meets a known conflict nowhere cannot be one); an
  infeasible one yields a new conflict, disjoint from it, which joins the known ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations

import clingo

from .clock import Clock
from .program import Result

Check = Callable[[list[clingo.Symbol]], Result]


def shrink(check: Check, core: Sequence[clingo.Symbol]) -> tuple[list[clingo.Symbol], list[str]]:
    """Deletion-based shrinking of an unsatisfiable set of constraints to a minimal one.

    ``check(active)`` solves with exactly ``active`` kept. Returns the minimal set and a
    log of the re-solves that prove it minimal (each member dropped in turn: feasible).
    """
    S = list(dict.fromkeys(core))
    necessary: set[clingo.Symbol] = set()
    checks: list[str] = []
    i = 0
    while i < len(S):
        c = S[i]
        if c in necessary:
            i += 1
            continue
        trial = [x for x in S if x != c]
        r = check(trial)
        if r.status == "unsat":
            core2 = [x for x in trial if x in set(r.core)] if r.core else trial
            S = core2 if core2 else trial
            i = 0
        else:
            necessary.add(c)
            i += 1
    for c in S:  # verification: dropping any one member makes the rest feasible
        r = check([x for x in S if x != c])
        checks.append(f"without {c}: {'feasible' if r.sat else r.status}")
    r = check(S)
    checks.append(f"all of {{{', '.join(str(c) for c in S)}}}: {'infeasible' if r.status == 'unsat' else r.status}")
    return S, checks


def conflicts(check: Check, constraints: Sequence[clingo.Symbol], first: Result, most: int = 4
              ) -> tuple[list[list[clingo.Symbol]], list[str]]:
    """Up to ``most`` disjoint minimal conflicts, starting from ``first`` (all kept: unsat)."""
    found: list[list[clingo.Symbol]] = []
    checks: list[str] = []
    remaining = list(constraints)
    r = first
    while len(found) < most and r.status == "unsat":
        core = [c for c in (r.core or remaining) if c in remaining] or remaining
        mus, log = shrink(check, core)
        found.append(mus)
        checks += log
        remaining = [c for c in remaining if c not in mus]
        r = check(remaining)
    return found, checks


def correction_sets(check: Check, constraints: Sequence[clingo.Symbol], known: Sequence[Sequence[clingo.Symbol]],
                    allowed: Sequence[clingo.Symbol], *, most: int = 5, clock: Clock | None = None
                    ) -> tuple[list[list[clingo.Symbol]], list[list[clingo.Symbol]], bool]:
    """Up to ``most`` minimal correction sets made of ``allowed`` constraints, smallest first.

    ``known`` are conflicts found already. Returns the correction sets, every conflict
    known at the end (the new ones are disjoint from some tested set), and whether the
    enumeration was done (False: stopped by the clock, or a solve that could not decide
    within its limit; stopping at ``most`` is done).
    """
    clock = clock or Clock()
    muses = [set(m) for m in known]
    order = [c for c in constraints if c in set(allowed)]
    found: list[list[clingo.Symbol]] = []
    complete = True
    for k in range(1, len(order) + 1):
        for H in combinations(order, k):
            if len(found) >= most:
                return found, [list(m) for m in muses], complete   # enough of them: done
            if clock.expired():   # checked for every set: with many constraints, most sets are skipped
                return found, [list(m) for m in muses], False
            hs = set(H)
            if any(set(f) <= hs for f in found) or not all(hs & m for m in muses):
                continue
            r = check([c for c in constraints if c not in hs])
            if r.sat:
                found.append(list(H))
            elif r.status == "unsat":   # a new conflict, among the constraints kept
                rest = [c for c in constraints if c not in hs]
                core = [c for c in (r.core or rest) if c in rest] or rest
                mus, _ = shrink(check, core)
                if set(mus) not in muses:
                    muses.append(set(mus))
            else:
                complete = False
    return found, [list(m) for m in muses], complete
