"""Minimal conflicts: which of the traveller's own constraints cannot hold together.

A question is solved with assumptions on the ``ns_off(C)`` externals of ``core.lp``
(kept: false; set aside: true). Minimality: take the unsatisfiable core, shrink it by
deletion (each test solving with only the remaining members kept), then verify by
re-solving: with all members kept it is infeasible, without any one of them feasible.
Disjoint conflicts are found by setting each found one aside and repeating.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import clingo

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
