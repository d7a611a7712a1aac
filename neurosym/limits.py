"""The model's limits: the largest value each field accepts, in one place.

clingo counts in 32-bit signed integers and gringo wraps around silently when a
product or sum leaves that range, so every number that reaches clingo is bounded here,
at the model boundary, with an error that names the field and the limit. The limits
leave room: ``neurosym.bounds`` proves, from these numbers alone, that every product
and sum the rules form fits (``docs/rules.md``, "Number limits"), and
``tests/test_bounds.py`` checks that proof against the rule files.

Text is bounded too (a 10 MB name is refused, never echoed), and :func:`short` cuts
long values in messages.
"""

from __future__ import annotations

#: clingo's numbers: 32-bit signed integers.
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# -- travellers and trip ------------------------------------------------------------------
MAX_ADULTS = 20
MAX_CHILDREN = 20
MAX_PEOPLE = MAX_ADULTS + MAX_CHILDREN
MAX_PETS = 10
#: Days of a trip, first and last included.
MAX_TRIP_DAYS = 60
#: Destinations a request may list.
MAX_DESTINATIONS = 50
#: Start times of each kind (breakfast, lunch, dinner, visits) in a day's template.
MAX_SLOTS_PER_KIND = 24
#: Category weights of the objective (``Weights``).
MAX_WEIGHT = 10.0
#: Items a request keeps (``keep``) and excludes (``exclude``).
MAX_KEEPS = 1_000
MAX_EXCLUDES = 100_000

# -- money ------------------------------------------------------------------------------
#: The whole trip's budget, in the catalog's currency (10^9 cents).
MAX_BUDGET = 10_000_000
#: One price: a seat, a vehicle, a room or a person for a night, a meal, an entry.
MAX_PRICE = 50_000
#: Seats of a vehicle and people to a room.
MAX_CAPACITY = 50

# -- time and distance --------------------------------------------------------------------
#: A ground leg's duration (two days; a flight lands at most one day after it leaves).
MAX_LEG_MINUTES = 2 * 24 * 60
#: A visit and a meal.
MAX_VISIT_MINUTES = 12 * 60
MAX_MEAL_MINUTES = 4 * 60
#: An explicit transfer inside a city, and the overhead added to every move.
MAX_TRANSFER_MINUTES = 24 * 60
#: Door-to-door speed inside a city (km/h).
MIN_SPEED_KMH, MAX_SPEED_KMH = 1.0, 1000.0
#: A hotel's minimum stay.
MAX_MIN_NIGHTS = 100_000

# -- search ------------------------------------------------------------------------------
#: Seconds of a time limit (a finite number; None searches until optimality is proven).
MAX_TIME_LIMIT = 1_000_000.0

# -- size of one planning problem ---------------------------------------------------------
#: Candidate legs and places of one trip (the planner refuses a larger problem).
MAX_CANDIDATES = 1_000_000

# -- text ---------------------------------------------------------------------------------
#: Characters of an id, a name, a city, a cuisine, a category, ...
MAX_TEXT = 1_000
#: Characters of a free-text description.
MAX_DESCRIPTION = 20_000
#: Characters of a value quoted in an error message.
MESSAGE_VALUE = 80


def cut(text: str, limit: int = MESSAGE_VALUE) -> str:
    """``text`` cut to about ``limit`` characters (with the length it had)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def short(value: object, limit: int = MESSAGE_VALUE) -> str:
    """``repr`` of a value, cut to about ``limit`` characters (with the length it had)."""
    text = value if isinstance(value, str) else str(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    cut = text[:limit]
    return (repr(cut) if isinstance(value, str) else cut) + f"... ({len(text):,} characters)"


def unicode_problem(text: str) -> str | None:
    """Why ``text`` cannot go to clingo or be printed (a NUL, a lone surrogate), or None."""
    if "\0" in text:
        return "text must not contain a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text is not valid Unicode (a lone surrogate U+{ord(text[exc.start]):04X} at character {exc.start})"
    return None


def check_time_limit(seconds: float | None) -> None:
    """Raise ``ValueError`` unless ``seconds`` is None or a number from 0 to :data:`MAX_TIME_LIMIT`
    (NaN, an infinity, a negative or a huge number would stop or confuse the solver's wait)."""
    if seconds is None:
        return
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not (0 <= seconds <= MAX_TIME_LIMIT):
        raise ValueError(f"time_limit: {short(seconds)} is not a number of seconds from 0 to {MAX_TIME_LIMIT:,.0f} "
                         "(None searches until optimality is proven)")
