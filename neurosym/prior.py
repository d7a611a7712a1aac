"""The preference prior: what the planner prefers when it knows nothing about the user.

Every score is in [0, 1]. Without a history, a place is as good as its rating says,
and a journey is better when it leaves at a civil hour and takes less time:

- hotel, attraction, restaurant: ``rating / 5``
- flight or ground leg: ``0.5 * civil + 0.5 * speed`` where ``civil`` is 1 for a
  departure between 08:00 and 20:00 and falls linearly to 0 at 02:00, and ``speed`` is
  ``1 / (1 + hours on the way / 4)``.

The preference model (``neurosym.preferences``) uses the same prior for an empty
history and as one of its features.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .catalog import Attraction, Flight, GroundLeg, Hotel, Item, Restaurant, clock, minutes


def civil(dep_min: int) -> float:
    """1 for a departure between 08:00 and 20:00, falling linearly to 0 six hours outside."""
    h = (dep_min % 1440) / 60.0
    if 8.0 <= h <= 20.0:
        return 1.0
    gap = 8.0 - h if h < 8.0 else h - 20.0   # hours outside the civil window
    return float(max(0.0, 1.0 - gap / 6.0))


def journey_minutes(item: Flight | GroundLeg) -> int:
    if isinstance(item, Flight):
        return item.arrival_min - item.departure_min
    return item.duration_min


def _departure(item: Flight | GroundLeg, departure_min: int | None) -> int:
    if isinstance(item, Flight):
        return item.departure_min
    return departure_min if departure_min is not None else minutes(item.departures[0])


def prior_score(item: Item, departure_min: int | None = None) -> float:
    """The prior score of one catalog item (see the module docstring)."""
    if isinstance(item, (Hotel, Attraction, Restaurant)):
        return float(np.clip(item.rating / 5.0, 0.0, 1.0))
    speed = 1.0 / (1.0 + journey_minutes(item) / 240.0)
    return 0.5 * civil(_departure(item, departure_min)) + 0.5 * speed


def prior_terms(item: Item, departure_min: int | None = None) -> list[tuple[str, float]]:
    """The terms the prior score of an item is made of, each with what it adds."""
    if isinstance(item, (Hotel, Attraction, Restaurant)):
        return [(f"prior: rating {item.rating:.1f}/5", float(np.clip(item.rating / 5.0, 0.0, 1.0)))]
    dep, mins = _departure(item, departure_min), journey_minutes(item)
    return [(f"prior: departs {clock(dep)}, civil hours are 08:00-20:00", 0.5 * civil(dep)),
            (f"prior: {mins} min on the way", 0.5 / (1 + mins / 240))]


def prior_scores(items: Sequence[Item]) -> np.ndarray:
    """Prior scores of many items, as a float array in [0, 1]."""
    return np.array([prior_score(it) for it in items], dtype=float)
