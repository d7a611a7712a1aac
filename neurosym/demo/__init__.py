"""The embedded demo catalog and the demo trip.

``catalog.json`` next to this module is a fictional-but-plausible catalog of seven
German cities (all in ``Europe/Berlin``, so local times need no conversion): flights
over a 35-day window starting at :data:`DEMO_START`, drives, taxis and trains, and
hotels, attractions and restaurants in every city. It is *generated*, deterministically,
by :mod:`neurosym.demo.generate` (``python -m neurosym.demo.generate``); a test checks
that regenerating gives the shipped file byte for byte, so the file never drifts from
its generator.

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
from importlib import resources
from pathlib import Path

from ..catalog import Catalog
from ..request import Travelers, TripRequest

__all__ = ["CATALOG_FILE", "DEMO_DAYS", "DEMO_DESTINATIONS", "DEMO_ORIGIN", "DEMO_START",
           "catalog_path", "demo_forecast", "demo_request", "load_demo_catalog"]

DEMO_START = date(2026, 6, 1)
"""First day of the catalog's flight schedule (a Monday)."""

DEMO_DAYS = 35
"""Number of days, from :data:`DEMO_START` on, that have scheduled flights."""

DEMO_ORIGIN = "Berlin"
"""Home city of the demo trip (the catalog's origin city)."""

DEMO_DESTINATIONS = ("Munich", "Dresden", "Leipzig")
"""Candidate cities of the demo trip; two of them are visited."""

CATALOG_FILE = "catalog.json"


def catalog_path() -> Path:
    """Path of the shipped JSON file in a source checkout (where the generator writes it)."""
    return Path(__file__).with_name(CATALOG_FILE)


@functools.lru_cache(maxsize=1)
def _shipped_catalog() -> Catalog:
    """The parsed and validated shipped catalog; shared, so never hand it out directly."""
    data = resources.files(__name__).joinpath(CATALOG_FILE).read_bytes()
    return Catalog.model_validate_json(data)


def load_demo_catalog() -> Catalog:
    """The demo catalog: parsed once, then a deep copy per call (callers may mutate it)."""
    return _shipped_catalog().model_copy(deep=True)


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
