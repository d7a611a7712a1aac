"""neurosym: neuro-symbolic travel planning.

``plan_itinerary(request, catalog)`` returns the best itinerary that obeys every hard
rule in ``rules/*.lp`` (enforced by clingo), ranked by a preference model. Importing
this package is light: clingo loads when the first plan is made, torch and
sentence-transformers only when a preference model is first used.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from .lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "Catalog": "catalog", "City": "catalog", "Flight": "catalog", "GroundLeg": "catalog", "Hotel": "catalog",
    "HouseRules": "catalog", "Attraction": "catalog", "Restaurant": "catalog", "OpeningHours": "catalog",
    "Interval": "catalog", "Transfer": "catalog",
    "TripRequest": "request", "Travelers": "request", "Weights": "request", "DaySlots": "request",
    "Itinerary": "itinerary", "Day": "itinerary", "Event": "itinerary", "Stay": "itinerary", "Leg": "itinerary",
    "Justification": "itinerary",
    "plan_itinerary": "planner", "NoItinerary": "planner", "Progress": "planner", "PlannerError": "planner",
    "Keep": "request", "WeatherPolicy": "request", "PlannedWeather": "itinerary",
    "replan": "replanning", "Replan": "replanning", "Change": "replanning",
    "PlanningInputError": "problem", "RuleFileError": "rules",
    "verify": "verify", "Violation": "verify",
    "load_demo_catalog": "demo", "demo_request": "demo", "demo_forecast": "demo",
    "Forecast": "weather", "trip_forecast": "weather",
    "UserHistory": "preferences", "PreferenceModel": "preferences",
    "plan_many": "batch", "PlanResult": "batch", "BatchSummary": "batch",
    "Trace": "explain", "TraceEntry": "explain", "Diagnosis": "explain", "Repair": "explain", "attach": "explain",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())


class _Package(ModuleType):
    """``neurosym.verify`` is the function: importing the module of the same name (as the
    planner does) must not hide it behind the module object."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "verify" and isinstance(value, ModuleType):
            value = value.verify
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
