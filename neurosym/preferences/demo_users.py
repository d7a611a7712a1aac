"""The demo travellers, ``foodie`` and ``family``: two clearly different tastes.

Their histories ship as JSON in ``neurosym/demo/users/<name>.json`` and load with
:func:`demo_users`. The files are *generated* from the demo catalog by
:func:`build_demo_users` (``python -m neurosym.preferences.demo_users``, ``--check`` to
only verify them), so their ids always exist in the catalog; a test checks that the
shipped files are up to date. Past items come from the cities the demo trip does not
visit, so a plan for Munich, Dresden or Leipzig shows what the model generalises.

- ``foodie``: street food, jazz bars, night markets and cheap eats; hates museums, fine
  dining and early flights (and always skipped the early ones).
- ``family``: two kids and a dog: zoos, parks with playgrounds, kid-friendly food,
  quiet apartments that take pets; no nightlife, no hostel dorms, no late flights.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import TypeVar

from ..catalog import Attraction, Catalog, Hotel, Item, Restaurant, kind_of
from .history import HistoryItem, UserHistory

HISTORY_CITIES = ("Berlin", "Hamburg", "Cologne", "Frankfurt")
"""Where the demo users have been (the demo trip goes to Munich, Dresden and Leipzig)."""

FIRST_DAY = date(2025, 3, 1)
T = TypeVar("T", Hotel, Attraction, Restaurant)


def users_dir() -> Path:
    """Where the generator writes the JSON files in a source checkout."""
    return Path(__file__).resolve().parents[1] / "demo" / "users"


def demo_users() -> dict[str, UserHistory]:
    """The shipped demo users by name, read with :mod:`importlib.resources`."""
    folder = resources.files("neurosym.demo").joinpath("users")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return {f.name.removesuffix(".json"): UserHistory.model_validate_json(f.read_bytes()) for f in files}


def build_demo_users(catalog: Catalog) -> dict[str, UserHistory]:
    """Build the demo users from a catalog (deterministic: catalog order decides ties)."""
    return {"family": _family(catalog), "foodie": _foodie(catalog)}


# -- the users -----------------------------------------------------------------------------
def _foodie(catalog: Catalog) -> UserHistory:
    a, r, h = _places(catalog.attractions), _places(catalog.restaurants), _places(catalog.hotels)
    days = _days()
    items = [
        *_rated(_pick(r, lambda x: "Street Food" in x.cuisines, 4), 5, days),
        *_rated(_pick(r, lambda x: _says(x, "spicy"), 2), 5, days),
        *_rated(_pick(r, lambda x: "Fine Dining" in x.cuisines, 2), 2, days),
        *_rated(_pick(a, lambda x: _says(x, "jazz"), 2), 5, days),
        *_rated(_pick(a, lambda x: x.name.startswith("Night Market"), 1), 5, days),
        *_rated(_pick(a, lambda x: x.category in ("museum", "gallery"), 3), 1, days),
        HistoryItem(description="Preservation Hall, New Orleans: a tiny hall of traditional jazz, "
                                "standing room only", kind="attraction", rating=5, date=next(days)),
        *_choice(_pick(h, lambda x: x.room_type in ("shared_room", "private_room") and x.price < 70, 1),
                 _pick(h, lambda x: x.room_type == "hotel_room" and x.price > 150, 2), days),
        *_flight_choices(catalog, lambda hour: hour >= 17),
    ]
    return UserHistory(name="foodie",
                       likes=["street food", "jazz bars", "night markets", "cheap eats", "spicy food"],
                       dislikes=["museums", "fine dining", "early flights", "guided tours"], items=items)


def _family(catalog: Catalog) -> UserHistory:
    a, r, h = _places(catalog.attractions), _places(catalog.restaurants), _places(catalog.hotels)
    days = _days()
    items = [
        *_rated(_pick(a, lambda x: x.category == "zoo", 2), 5, days),
        *_rated(_pick(a, lambda x: x.category == "park" and _says(x, "playground"), 2), 5, days),
        *_rated(_pick(a, lambda x: x.category not in ("zoo", "park") and _says(x, "kids"), 3), 4, days),
        *_rated(_pick(a, lambda x: x.category == "nightlife", 2), 1, days),
        *_rated(_pick(r, lambda x: _says(x, "kid"), 3), 5, days),
        *_rated(_pick(r, lambda x: _says(x, "noisy") or _says(x, "loud"), 1), 2, days),
        HistoryItem(description="Legoland Billund: a whole day of rides and building for the kids",
                    kind="attraction", rating=5, date=next(days)),
        *_choice(_pick(h, lambda x: x.room_type == "entire_home" and x.house_rules.pets, 2),
                 _pick(h, lambda x: x.room_type == "shared_room", 1)
                 + _pick(h, lambda x: x.room_type == "hotel_room" and not x.house_rules.pets, 1), days),
        *_flight_choices(catalog, lambda hour: 8 <= hour < 20),
    ]
    return UserHistory(name="family",
                       likes=["zoos", "parks and playgrounds", "kid-friendly restaurants",
                              "quiet apartments with a kitchen", "pets welcome"],
                       dislikes=["nightlife", "loud bars", "hostel dorms", "late-night flights"], items=items)


# -- helpers -------------------------------------------------------------------------------
def _days() -> Iterator[date]:
    """Dates of past events, one every nine days from :data:`FIRST_DAY`."""
    day = FIRST_DAY
    while True:
        yield day
        day += timedelta(days=9)


def _places(items: Sequence[T]) -> list[T]:
    return [x for x in items if x.city in HISTORY_CITIES]


def _says(item: Attraction | Restaurant | Hotel, word: str) -> bool:
    return word in item.description.lower()


def _pick(items: Sequence[T], wanted: Callable[[T], bool], n: int) -> list[T]:
    found = [x for x in items if wanted(x)][:n]
    if len(found) < n:
        raise ValueError(f"the catalog has only {len(found)} of the {n} items a demo user needs")
    return found


def _rated(items: Iterable[Item], rating: float, days: Iterator[date]) -> list[HistoryItem]:
    return [HistoryItem(id=x.id, kind=kind_of(x), rating=rating, date=d) for x, d in zip(items, days)]


def _choice(chosen: Sequence[Item], skipped: Sequence[Item], days: Iterator[date]) -> list[HistoryItem]:
    day = next(days)
    return ([HistoryItem(id=x.id, kind=kind_of(x), chosen=True, date=day) for x in chosen]
            + [HistoryItem(id=x.id, kind=kind_of(x), chosen=False, date=day) for x in skipped])


def _flight_choices(catalog: Catalog, chosen: Callable[[int], bool], days: int = 3) -> list[HistoryItem]:
    """All flights from Berlin to Hamburg on the first ``days`` days: those whose departure
    hour is ``chosen`` were chosen, the others skipped."""
    route = [f for f in catalog.flights if (f.origin, f.destination) == ("Berlin", "Hamburg")]
    first = sorted({f.date for f in route})[:days]
    return [HistoryItem(id=f.id, kind="flight", chosen=chosen(f.departure.hour), date=f.date)
            for f in route if f.date in first]


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` verify) the shipped demo user files."""
    parser = argparse.ArgumentParser(description="Generate the demo users from the demo catalog.")
    parser.add_argument("--check", action="store_true", help="exit 1 if a shipped file is out of date")
    args = parser.parse_args(argv)
    from ..demo import load_demo_catalog

    folder = users_dir()
    stale = []
    for name, history in build_demo_users(load_demo_catalog()).items():
        path = folder / f"{name}.json"
        text = history.to_json()
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path)
        if not args.check:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    verb = "out of date" if args.check else "written"
    for path in stale:
        print(f"{path}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
