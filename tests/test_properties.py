"""Property-based tests: generated catalogs and requests, every answer checked.

The scenarios (``tests/scenarios.py``) use hostile strings as names and ids and
numbers anywhere in their valid ranges, up to the model's limits. Every itinerary must
pass ``verify``, load back from its JSON equal and valid, and the request tightened to
exactly what it uses must still be plannable. ``benchmarks/soak.py`` runs the same
checks at scale.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from scenarios import check, scenarios

PROPERTY = settings(max_examples=50, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@PROPERTY
@given(scenarios())
def test_every_answer_is_a_verified_itinerary_or_no_itinerary(scenario):
    cat, req = scenario
    tally = check(cat, req, time_limit=1.0)
    assert tally.errors == 0 and tally.violations == 0, tally.problems
