"""The embedded demo catalog and the demo trip.

The demo catalog is a fictional-but-plausible catalog of seven German cities (all in
``Europe/Berlin``, so local times need no conversion): flights over a 35-day window
starting at :data:`DEMO_START`, drives, taxis and trains, and hotels, attractions and
restaurants in every city. It is *generated*, deterministically, by
:mod:`neurosym.demo.generate` on first use (in under a tenth of a second: faster than
reading it back from JSON) and kept for the rest of the process; it is not shipped as a
file. ``python -m neurosym demo --dump DIR`` (or ``python -m neurosym.demo.generate -o
FILE``) writes it as JSON.

The catalog is designed to exercise the planner: late flights that arrive after a
check-in desk closes, hotels with a strict check-in window or a minimum stay, museums
closed on Mondays, markets open on some days only, city pairs without air service, and
names whose punctuation stresses the quoting of ASP strings.

>>> catalog = load_demo_catalog()          # a fresh deep copy on every call
>>> request = demo_request()               # 5 days from Berlin, 2 of 3 cities
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from ..catalog import Catalog
from ..request import Travelers, TripRequest

__all__ = ["DEMO_DAYS", "DEMO_DESTINATIONS", "DEMO_ORIGIN", "DEMO_START", "demo_forecast", "demo_request",
           "load_demo_catalog"]

DEMO_START = date(2026, 6, 1)
"""First day of the catalog's flight schedule (a Monday)."""

DEMO_DAYS = 35
"""Number of days, from :data:`DEMO_START` on, that have scheduled flights."""

DEMO_ORIGIN = "Berlin"
"""Home city of the demo trip (the catalog's origin city)."""

DEMO_DESTINATIONS = ("Munich", "Dresden", "Leipzig")
"""Candidate cities of the demo trip; two of them are visited."""

@functools.lru_cache(maxsize=1)
def _built_catalog() -> Catalog:
    """The demo catalog, generated once per process; shared, so never hand it out directly."""
    from .generate import build_catalog
    return build_catalog()


def load_demo_catalog() -> Catalog:
    """The demo catalog: generated on first use, then a deep copy per call (callers may mutate it)."""
    return _built_catalog().model_copy(deep=True)


def demo_request() -> TripRequest:
    """The demo trip: 5 days (4 nights) from Berlin, visiting 2 of Munich, Dresden, Leipzig.

    It starts on a Monday two weeks into the schedule, so the Monday-closed museums
    matter on day 1; Dresden and Leipzig have no flight between them, so that leg, if
    chosen, goes by car, taxi or train. Two adults, a budget of 2,500 that a sensible
    plan meets with room to spare but a lavish one does not, two visits a day, and at
    least one Italian meal.
    """
    start = DEMO_START + timedelta(days=14)
    return TripRequest(
        origin=DEMO_ORIGIN,
        destinations=list(DEMO_DESTINATIONS),
        visit_count=2,
        start=start,
        end=start + timedelta(days=4),
        travelers=Travelers(adults=2),
        budget=2500,
        pace=2,
        cuisines=["Italian"],
    )


def demo_forecast(*args, **kw):  # type: ignore[no-untyped-def]
    """The demo forecast (see :mod:`neurosym.demo.forecast`): hourly weather for every demo
    city over the catalog's 35 days, with a rainy 17 June in Munich, Dresden and Leipzig."""
    from .forecast import demo_forecast as generate
    return generate(*args, **kw)
