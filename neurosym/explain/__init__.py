"""The explanation engine: justification trace, why / why-not, minimal conflicts and repairs.

Everything here asks the rule files, never Python copies of them: a question becomes
a clingo program made of the rule files, the user's rule files and
``rules/explain.lp`` over some of the planning facts, solved with assumptions (see
docs/explanations.md). The package, one concept per module:

- :mod:`.types`: the data (``Trace``, ``TraceEntry``, ``Loss``, ``Diagnosis``, ``Repair``, ...);
- :mod:`.program`: an explanation program on the one clingo front-end;
- :mod:`.context`, :mod:`.programs`: one itinerary's problem, and its grounded programs;
- :mod:`.roles`, :mod:`.entries`, :mod:`.trace`, :mod:`.questions`: swaps, entries,
  the trace, why and why-not;
- :mod:`.explainer`: the handle an itinerary holds, and :func:`attach`;
- :mod:`.conflicts`, :mod:`.repairs`, :mod:`.confirm`, :mod:`.diagnosis`: no itinerary;
- :mod:`.texts`: constraints and broken rules in words.

Imports flow one way: this package uses the planner's layers below it (facts, the
front-end, plan-once, assembly) and nothing above it.
"""

from ..itinerary import ExplainError
from .diagnosis import diagnose_problem
from .explainer import Explainer, attach
from .types import (Broken, ConstraintRef, Contribution, Diagnosis, Loss, Repair, RuleRef, Scope, Status, Trace,
                    TraceEntry, apply_changes)

__all__ = ["Broken", "ConstraintRef", "Contribution", "Diagnosis", "ExplainError", "Explainer", "Loss", "Repair",
           "RuleRef", "Scope", "Status", "Trace", "TraceEntry", "apply_changes", "attach", "diagnose_problem"]
