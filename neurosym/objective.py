"""The numbers of the objective: preference points, the value of money, night-time legs.

The planner maximises one calibrated quantity (``rules/objective.lp``, priority 2):

    value = sum of preference points of the chosen items
          - what their prices are worth in preference points
          - the night-time penalty of the legs

and, among itineraries of equal value, minimises the cost (priority 1).

- **Preference points.** A score in [0, 1] times its category weight, times
  :data:`SCALE`: a perfectly liked item at weight 1 is worth 100 points.
- **The value of money.** ``TripRequest.weights.money`` is how many points one unit of
  money per traveller is worth (default 1: paying 100 more per traveller must buy a
  whole perfectly liked item more). Money counts per traveller because preference does
  too: a party of four paying 4 x 25 for a dinner weighs it like one traveller paying 25.
  An item's money points are ``round(cost for the party in cents x money / (100 x people))``:
  per night for a hotel, per leg for transport, per visit or meal for a place.
- **Night-time legs.** A departure or an arrival at night costs points
  (:func:`night_penalty`, times the transport weight): nothing from 07:00 to 22:00,
  then 10 points an hour up to 40 at 02:00, 40 until 05:00, and back to nothing by
  07:00. An arrival after midnight is read on the clock (00:30 costs 25).
"""

from __future__ import annotations

#: Preference scores in [0, 1] become integers in [0, SCALE] (times the category weight).
SCALE = 100
#: The default value of money: points per unit of money per traveller.
MONEY_DEFAULT = 1.0
#: The night-time penalty curve: (minute of the day, points), linear in between.
NIGHT_CURVE: tuple[tuple[int, int], ...] = (
    (0, 20), (2 * 60, 40), (5 * 60, 40), (7 * 60, 0), (22 * 60, 0), (24 * 60, 20))


def quantise(score: float, weight: float) -> int:
    """The integer objective weight of a score in [0, 1]: ``round(SCALE * weight * score)``."""
    return int(round(SCALE * weight * score))


def money_points(cost_cents: int, people: int, money: float) -> int:
    """What a cost for the whole party (in cents) is worth in preference points."""
    return int(round(cost_cents * money / (100 * max(1, people))))


def night_penalty(minute: int) -> int:
    """Points a departure or arrival at ``minute`` (after the day's midnight, may pass 24:00) costs."""
    m = minute % (24 * 60)
    for (a, pa), (b, pb) in zip(NIGHT_CURVE, NIGHT_CURVE[1:]):
        if a <= m <= b:
            return int(round(pa + (pb - pa) * (m - a) / (b - a)))
    return 0  # unreachable: the curve covers the whole day


def leg_penalty(departure: int, arrival: int, weight: float = 1.0) -> int:
    """The night-time penalty of a leg: its departure's plus its arrival's, times the transport weight."""
    return int(round(weight * (night_penalty(departure) + night_penalty(arrival))))
