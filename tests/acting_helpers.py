"""Shared helpers of the acting tests: a small catalog with bookable places, a clock."""

from __future__ import annotations

import datetime as dt

from conftest import small_catalog, small_request

NOW = dt.datetime(2026, 5, 1, 9, 0)
"""The clock the tests book at: weeks before the catalogs' trips (deadlines hold)."""


def bookable_catalog():
    """The small test catalog where the dearer restaurants take reservations and the
    paid attractions sell timed tickets."""
    cat = small_catalog()
    for r in cat.restaurants:
        r.reservations = r.price >= 25
    for a in cat.attractions:
        a.timed_tickets = a.price > 0
    return cat


__all__ = ["NOW", "bookable_catalog", "small_request"]
