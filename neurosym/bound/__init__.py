"""A certified upper bound on the objective, independent of clasp's search.

:func:`certify` writes the core rules as a 0/1 linear program over the planner's
facts (:mod:`.relaxation`), solves it route by route with HiGHS (:mod:`.search`) and
returns a :class:`Bound`: a value no itinerary can beat, and the program's best
solution, which the planner checks against every rule with clingo.
"""

from .search import Bound, certify

__all__ = ["Bound", "certify"]
