"""Deterministic generator of the demo catalog (:func:`neurosym.demo.load_demo_catalog`).

The catalog is built on first use, in memory. ``python -m neurosym.demo.generate -o
FILE`` writes it as JSON (as ``python -m neurosym demo --dump DIR`` does).

Design
------
*Determinism.* Every random choice comes from a :class:`random.Random` seeded with a
string derived from the fixed :data:`SEED` and the part being built (``"flights"``,
``"Munich/hotels"``, ...). String seeds are hashed with SHA-512 by :mod:`random`, so
they do not depend on ``PYTHONHASHSEED``; and because each part has its own stream,
editing the restaurants of one city does not reshuffle the flights. Nothing depends on
the clock, sets are never iterated, and every float is rounded before it is stored, so
the JSON is byte-identical on every run.

*Realism.* Seven German cities, all in ``Europe/Berlin``, with real-ish coordinates and
an airport a few km from the centre. Flight times follow the great-circle distance
(800 km/h plus 30 minutes); fares grow with distance and depend on the time of day and
the weekday. Ground legs use the road distance (1.3 x great-circle). Places are drawn
from hand-written templates (a name and a one-sentence description with concrete
features) per category or cuisine, with coherent prices, hours and house rules.

*Bookings.* Whether a restaurant takes table reservations (fine dining, French and
seafood kitchens, and any place from 30 a head) and whether an attraction sells timed
tickets (paid museums, theatres, tours and aquaria) follows a fixed rule on fields the
generator already drew, so these flags cost no random draw and move nothing else.

*Designed cases.* Some things the planner must get right are built in on purpose and
not left to chance (see ``tests/test_demo_catalog.py``):

- late flights arriving after 23:00, i.e. after many check-in desks have closed;
- in every destination: a hotel with a strict 16:00-20:00 check-in, one whose desk is
  open until midnight, and a great-value place that needs a three-night minimum stay;
- in every destination: at least two museums closed on Mondays, and markets that open
  on some weekdays only;
- two city pairs (Dresden-Leipzig, Cologne-Frankfurt) without any flight, served by
  drive, taxi and train;
- place names with an apostrophe, double quotes, backslashes (one trailing), a percent
  sign, periods and ``:-`` (see :data:`SPECIALS`).
"""

from __future__ import annotations

import argparse
import math
import random
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import NamedTuple

from ..catalog import (WEEKDAYS, Attraction, Catalog, City, Flight, GroundLeg, Hotel, HouseRules,
                       Interval, OpeningHours, Restaurant, RoomType, Weekday)
from . import DEMO_DAYS, DEMO_ORIGIN, DEMO_START

SEED = 20260601
CATALOG_NAME = "neurosym demo: seven German cities, June-July 2026"
MAX_RADIUS_KM = 7.8       # every place lies within this distance of its city centre


# -- randomness and small numeric helpers ----------------------------------------------

def _rng(*parts: str) -> random.Random:
    """An independent, reproducible random stream for one part of the catalog."""
    return random.Random("/".join([str(SEED), *parts]))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def _round_to(x: float, step: float) -> float:
    return round(round(x / step) * step, 2)


def _hhmm(m: int) -> time:
    return time(m // 60, m % 60)


def _rating(rng: random.Random, lo: float = 2.8, mode: float = 4.2) -> float:
    return round(rng.triangular(lo, 5.0, mode), 1)


# -- cities ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CitySpec:
    """A city and the local words its place names are made of."""

    name: str
    slug: str
    state: str
    lat: float
    lon: float
    hub_lat: float
    hub_lon: float
    river: str
    districts: tuple[str, ...]

    def city(self) -> City:
        return City(name=self.name, lat=self.lat, lon=self.lon, timezone="Europe/Berlin",
                    state=self.state, hub_lat=self.hub_lat, hub_lon=self.hub_lon)


CITIES: tuple[CitySpec, ...] = (
    CitySpec("Berlin", "berlin", "Berlin", 52.5200, 13.4050, 52.5597, 13.2877, "Spree",
             ("Mitte", "Kreuzberg", "Prenzlauer Berg", "Friedrichshain", "Neukölln", "Charlottenburg")),
    CitySpec("Hamburg", "hamburg", "Hamburg", 53.5511, 9.9937, 53.6304, 9.9882, "Elbe",
             ("Altona", "St. Pauli", "HafenCity", "Eimsbüttel", "Winterhude", "Ottensen")),
    CitySpec("Munich", "munich", "Bavaria", 48.1374, 11.5755, 48.1300, 11.6950, "Isar",
             ("Schwabing", "Maxvorstadt", "Haidhausen", "Glockenbach", "Sendling", "Au")),
    CitySpec("Cologne", "cologne", "North Rhine-Westphalia", 50.9375, 6.9603, 50.9700, 6.8850, "Rhine",
             ("Ehrenfeld", "Deutz", "Südstadt", "Nippes", "Sülz", "Altstadt")),
    CitySpec("Frankfurt", "frankfurt", "Hesse", 50.1109, 8.6821, 50.0650, 8.6200, "Main",
             ("Sachsenhausen", "Bornheim", "Nordend", "Westend", "Bockenheim", "Gallus")),
    CitySpec("Dresden", "dresden", "Saxony", 51.0504, 13.7373, 51.1328, 13.7672, "Elbe",
             ("Neustadt", "Blasewitz", "Striesen", "Loschwitz", "Pieschen", "Altstadt")),
    CitySpec("Leipzig", "leipzig", "Saxony", 51.3397, 12.3731, 51.3950, 12.3100, "Elster",
             ("Plagwitz", "Connewitz", "Gohlis", "Südvorstadt", "Lindenau", "Reudnitz")),
)

NO_FLIGHT_PAIRS: tuple[tuple[str, str], ...] = (("Dresden", "Leipzig"), ("Cologne", "Frankfurt"))
"""Unordered city pairs without air service: only drive, taxi and train connect them."""

SURNAMES = ("Hoffmann", "Becker", "Krüger", "Schulze", "Wagner", "Lehmann", "Vogel", "Brandt")


def _position(rng: random.Random, spec: CitySpec, near: float = 1.8) -> tuple[float, float]:
    """A point at most :data:`MAX_RADIUS_KM` from the centre, most often ``near`` km away."""
    r = min(rng.triangular(0.15, MAX_RADIUS_KM, near), MAX_RADIUS_KM)
    theta = rng.uniform(0.0, 2 * math.pi)
    dlat = r * math.cos(theta) / 111.32
    dlon = r * math.sin(theta) / (111.32 * math.cos(math.radians(spec.lat)))
    return round(spec.lat + dlat, 5), round(spec.lon + dlon, 5)


def _fill(template: str, spec: CitySpec, rng: random.Random, district: str | None = None) -> str:
    """Fill ``{city}``, ``{river}``, ``{district}`` and ``{surname}`` in a template."""
    return template.format(city=spec.name, river=spec.river, district=district or rng.choice(spec.districts),
                           surname=rng.choice(SURNAMES))


# -- opening hours -----------------------------------------------------------------------

def _week(intervals: tuple[tuple[str, str], ...], closed: tuple[Weekday, ...] = (),
          overrides: dict[Weekday, tuple[tuple[str, str], ...]] | None = None) -> OpeningHours:
    """Opening hours from ``HH:MM`` pairs (a close of ``00:00`` is midnight)."""
    def ivs(pairs: tuple[tuple[str, str], ...]) -> list[Interval]:
        return [Interval(open=time.fromisoformat(o), close=time.fromisoformat(c)) for o, c in pairs]
    days = {d: ivs((overrides or {}).get(d, intervals)) for d in WEEKDAYS if d not in closed}
    return OpeningHours(days=days)


def _only(days: tuple[Weekday, ...], open_: str, close: str) -> OpeningHours:
    """Open on the listed weekdays only."""
    return _week(((open_, close),), closed=tuple(d for d in WEEKDAYS if d not in days))


HOURS: dict[str, OpeningHours] = {
    "always": OpeningHours(always=True),
    # attractions
    "museum": OpeningHours.daily("10:00", "18:00", closed=("mon",)),
    "museum_late_thu": _week((("10:00", "18:00"),), closed=("mon",), overrides={"thu": (("10:00", "21:00"),)}),
    "museum_daily": OpeningHours.daily("09:00", "17:00"),
    "museum_closed_tue": OpeningHours.daily("10:00", "18:00", closed=("tue",)),
    "gallery": OpeningHours.daily("11:00", "19:00", closed=("mon",)),
    "gallery_weekdays": OpeningHours.daily("11:00", "19:00", closed=("sun", "mon")),
    "gallery_daily": OpeningHours.daily("10:00", "20:00"),
    "park": OpeningHours.daily("06:00", "22:00"),
    "market_tue_fri": _only(("tue", "fri"), "08:00", "14:00"),
    "market_wed_sat": _only(("wed", "sat"), "07:00", "14:00"),
    "market_sat": _only(("sat",), "08:00", "16:00"),
    "market_night": _only(("thu", "fri"), "17:00", "23:00"),
    "market_hall": OpeningHours.daily("08:00", "20:00", closed=("sun",)),
    "landmark": OpeningHours.daily("09:00", "19:00"),
    "palace": OpeningHours.daily("10:00", "18:00", closed=("mon",)),
    "tower": OpeningHours.daily("09:00", "23:00"),
    "tower_climb": OpeningHours.daily("10:00", "17:00"),
    "zoo": OpeningHours.daily("09:00", "18:00"),
    "aquarium": OpeningHours.daily("10:00", "19:00"),
    "nightlife": OpeningHours.daily("19:00", "00:00", closed=("mon",)),
    "nightlife_daily": OpeningHours.daily("18:00", "00:00"),
    "club": _only(("thu", "fri", "sat"), "21:00", "00:00"),
    "tour_day": OpeningHours.daily("10:00", "18:00"),
    "tour_evening": OpeningHours.daily("20:00", "23:30"),
    "beach": OpeningHours.daily("10:00", "23:00"),
    "lido": OpeningHours.daily("08:00", "20:00"),
    "garden": OpeningHours.daily("09:00", "19:00"),
    "garden_closed_mon": OpeningHours.daily("10:00", "18:00", closed=("mon",)),
    "theatre": OpeningHours.daily("19:00", "23:00", closed=("mon",)),
    "matinee": OpeningHours.daily("14:00", "19:00", closed=("mon", "tue")),
    "open_air": _only(("wed", "thu", "fri", "sat", "sun"), "19:30", "23:00"),
    # restaurants
    "breakfast": OpeningHours.daily("07:00", "16:00"),
    "breakfast_long": OpeningHours.daily("07:30", "18:00", closed=("sun",)),
    "bakery": OpeningHours.daily("06:30", "15:00"),
    "street": OpeningHours.daily("11:00", "00:00"),
    "standard": OpeningHours.daily("11:30", "23:00"),
    "standard_closed_mon": OpeningHours.daily("11:30", "23:00", closed=("mon",)),
    "standard_closed_sun": OpeningHours.daily("11:30", "23:00", closed=("sun",)),
    "split": _week((("11:30", "14:30"), ("17:30", "23:00"))),
    "split_closed_tue": _week((("11:30", "14:30"), ("17:30", "23:00")), closed=("tue",)),
    "dinner": OpeningHours.daily("18:00", "23:00"),
    "dinner_closed_mon": OpeningHours.daily("18:00", "23:00", closed=("mon",)),
    "fine": OpeningHours.daily("18:00", "23:00", closed=("sun", "mon")),
}


# -- attraction templates ----------------------------------------------------------------

class Sight(NamedTuple):
    """An attraction template; ``hours`` lists the candidate keys of :data:`HOURS`."""

    name: str
    description: str
    hours: tuple[str, ...]
    duration: tuple[int, int]
    price: tuple[float, float]
    indoor: bool = True


_MUSEUM_HOURS = ("museum", "museum", "museum_late_thu", "museum_daily", "museum_closed_tue")

SIGHTS: dict[str, tuple[Sight, ...]] = {
    "museum": (
        Sight("{city} Museum of Natural History",
              "dinosaur skeletons, glittering minerals and a hands-on discovery room that kids love",
              _MUSEUM_HOURS, (90, 150), (8, 14)),
        Sight("{city} City History Museum",
              "the city's story from medieval walls to reunification, told with scale models and old film reels",
              _MUSEUM_HOURS, (90, 150), (7, 12)),
        Sight("Science Center {city}",
              "hands-on science museum with experiments, a planetarium and a water lab, great for kids",
              _MUSEUM_HOURS, (120, 180), (12, 18)),
        Sight("Museum of Design {district}",
              "chairs, posters and everyday objects from Bauhaus to today, a treat for design lovers",
              _MUSEUM_HOURS, (60, 120), (9, 14)),
        Sight("{city} Transport Museum",
              "vintage trams, steam locomotives and a tram-driving simulator for kids",
              _MUSEUM_HOURS, (90, 150), (8, 12)),
        Sight("Museum of Musical Instruments",
              "harpsichords, electric guitars and early synthesizers with listening stations in quiet rooms",
              _MUSEUM_HOURS, (60, 120), (6, 10)),
        Sight("{city} Toy Museum",
              "two centuries of dolls, model railways and board games, nostalgic for adults and magic for kids",
              _MUSEUM_HOURS, (60, 90), (6, 9)),
        Sight("Museum of Photography {city}",
              "changing exhibitions from street photography to photojournalism in calm, minimalist galleries",
              _MUSEUM_HOURS, (60, 120), (8, 12)),
        Sight("Archaeological Museum {city}",
              "Roman coins, Bronze Age gold and a reconstructed Stone Age house",
              _MUSEUM_HOURS, (90, 150), (8, 12)),
        Sight("{river} Maritime Museum",
              "ship models, navigation instruments and a restored cargo barge moored on the {river}",
              _MUSEUM_HOURS, (90, 120), (9, 14)),
        Sight("{city} Museum of Applied Arts",
              "porcelain, silver and furniture from five centuries in a grand palace wing",
              _MUSEUM_HOURS, (90, 150), (10, 16)),
    ),
    "gallery": (
        Sight("{district} Gallery of Contemporary Art",
              "large-scale installations and video art in a converted factory hall",
              ("gallery", "gallery_weekdays"), (60, 120), (0, 10)),
        Sight("{city} Kunsthalle",
              "rotating exhibitions of modern painting and sculpture, quiet and spacious",
              ("gallery", "gallery_daily"), (60, 120), (8, 12)),
        Sight("Old Masters Picture Gallery",
              "Dutch and Italian paintings of the Renaissance and Baroque hung in grand red rooms",
              ("gallery", "museum"), (90, 150), (10, 14)),
        Sight("Street Art Gallery {district}",
              "murals, graffiti and urban art, with a shop selling prints by local artists",
              ("gallery_daily", "gallery_weekdays"), (45, 90), (0, 6)),
        Sight("Gallery of Prints and Drawings",
              "fragile works on paper from Dürer to Kollwitz, shown in dim and silent rooms",
              ("gallery", "gallery_weekdays"), (60, 90), (6, 9)),
    ),
    "park": (
        Sight("{river} Meadows",
              "wide riverside meadows for picnics, jogging and sunset walks",
              ("always", "park"), (60, 120), (0, 0), False),
        Sight("{district} City Park",
              "leafy park with a lake, rowing boats and a big adventure playground",
              ("park", "always"), (60, 120), (0, 0), False),
        Sight("Volkspark {district}",
              "hilly people's park with lawns, a rose bed and a shady beer garden",
              ("park",), (60, 120), (0, 0), False),
        Sight("{city} Forest Park",
              "forest trails, a deer enclosure and cool shady paths for long walks",
              ("always", "park"), (90, 180), (0, 0), False),
        Sight("Old Cemetery Park {district}",
              "peaceful former cemetery with ancient trees and romantic mossy gravestones",
              ("park",), (45, 75), (0, 0), False),
    ),
    "market": (
        Sight("{district} Farmers' Market",
              "fresh regional produce, cheese, flowers and honey straight from local farmers",
              ("market_tue_fri", "market_wed_sat"), (45, 75), (0, 0), False),
        Sight("{city} Flea Market",
              "bric-a-brac, vinyl records and vintage clothes; bring cash and haggle",
              ("market_sat",), (60, 120), (0, 0), False),
        Sight("Night Market {district}",
              "street food stalls, live music and craft beer on summer evenings",
              ("market_night",), (60, 120), (0, 0), False),
        Sight("Covered Market Hall {city}",
              "historic market hall with delis, fishmongers and a busy lunch counter",
              ("market_hall",), (45, 90), (0, 0), True),
    ),
    "landmark": (
        Sight("{city} Cathedral",
              "Gothic cathedral with soaring stained glass and a candle-lit crypt, free entry",
              ("landmark",), (45, 75), (0, 0)),
        Sight("Old Town Hall {city}",
              "Renaissance town hall with a painted courtyard and a carillon that plays at noon",
              ("landmark", "palace"), (45, 75), (0, 6)),
        Sight("Old {river} Bridge",
              "medieval stone bridge with street musicians and postcard views of the old town",
              ("always",), (45, 60), (0, 0), False),
        Sight("{city} Palace",
              "baroque palace with gilded state rooms, a hall of mirrors and a formal garden",
              ("palace",), (90, 150), (10, 16)),
        Sight("{city} City Gate",
              "the last surviving medieval gate, with a small exhibition up in the tower",
              ("landmark",), (45, 60), (3, 6)),
        Sight("Memorial Church {district}",
              "war-damaged church kept as a memorial, with a sober exhibition on peace",
              ("landmark",), (45, 60), (0, 0)),
    ),
    "viewpoint": (
        Sight("{city} TV Tower",
              "panoramic viewing platform 200 m up, with a revolving café and skyline views",
              ("tower",), (45, 75), (15, 24)),
        Sight("{district} Hill Lookout",
              "short climb to a hilltop with sweeping city views, best at sunset",
              ("always",), (45, 75), (0, 0), False),
        Sight("Cathedral Tower Climb",
              "climb 400 narrow steps to the bell chamber for a breathtaking view",
              ("tower_climb",), (45, 60), (5, 7), False),
        Sight("Rooftop Terrace {district}",
              "rooftop deck on a department store with deckchairs and skyline views",
              ("tower",), (45, 60), (0, 5), False),
    ),
    "zoo": (
        Sight("{city} Zoo",
              "big family zoo with elephants, a petting farm and a giant playground",
              ("zoo",), (180, 240), (20, 26), False),
        Sight("Wildlife Park {district}",
              "woodland wildlife park with wolves, lynx and a feeding tour for kids",
              ("zoo",), (150, 210), (12, 16), False),
    ),
    "aquarium": (
        Sight("{city} Aquarium",
              "sharks, jellyfish and a walk-through tunnel, great on a rainy day with kids",
              ("aquarium",), (90, 150), (18, 24)),
        Sight("Tropical House {district}",
              "humid tropical hall with piranhas, frogs and free-flying butterflies",
              ("aquarium",), (90, 120), (14, 19)),
    ),
    "nightlife": (
        Sight("{district} Jazz Cellar",
              "late-night jazz bar with live sets in a candle-lit vaulted cellar",
              ("nightlife",), (120, 180), (10, 18)),
        Sight("Club Kraftwerk {district}",
              "techno club in a former power station, loud and dancing till late",
              ("club",), (150, 180), (15, 22)),
        Sight("Comedy Cellar {city}",
              "stand-up comedy nights in English and German with cheap drinks",
              ("nightlife",), (90, 120), (12, 20)),
        Sight("Speakeasy {district}",
              "hidden cocktail bar behind an unmarked door, dim and intimate",
              ("nightlife_daily",), (90, 150), (10, 15)),
        Sight("{river} Piano Bar",
              "elegant piano bar with river views, live standards and classic cocktails",
              ("nightlife_daily",), (90, 150), (10, 15)),
    ),
    "tour": (
        Sight("Free Walking Tour of {city}",
              "two-hour old-town walking tour with a local guide, pay what you like",
              ("tour_day",), (120, 120), (0, 0), False),
        Sight("{river} Boat Tour",
              "relaxed boat trip past bridges and warehouses, with live commentary",
              ("tour_day",), (60, 90), (16, 24), False),
        Sight("Street Art Bike Tour {district}",
              "guided bike tour through murals and hidden backyards, bikes included",
              ("tour_day",), (150, 180), (30, 38), False),
        Sight("{city} Food Tour",
              "tasting tour through delis, bakeries and markets; come hungry",
              ("tour_day",), (180, 210), (42, 45), False),
        Sight("Ghost Walk {city}",
              "spooky lantern-lit walk through old alleys with tales of crime and legend",
              ("tour_evening",), (90, 120), (14, 16), False),
        Sight("Brewery Tour {city}",
              "behind-the-scenes brewery visit with a tasting of four local beers",
              ("tour_day",), (90, 120), (16, 20)),
    ),
    "beach": (
        Sight("{river} City Beach",
              "sandy urban beach on the {river} with deckchairs, volleyball and sunset drinks",
              ("beach",), (120, 240), (0, 3), False),
        Sight("{district} Lido",
              "open-air swimming pool with big lawns and a diving tower, great on hot days",
              ("lido",), (120, 240), (5, 6), False),
    ),
    "garden": (
        Sight("{city} Botanical Garden",
              "greenhouses of cacti, orchids and tropical palms, peaceful and fragrant",
              ("garden",), (60, 120), (0, 6), False),
        Sight("Japanese Garden {district}",
              "tranquil Japanese garden with a koi pond, stone lanterns and a tea house",
              ("garden_closed_mon",), (45, 75), (3, 5), False),
        Sight("Rose Garden {district}",
              "thousands of roses in full June bloom, with benches and fountains",
              ("park", "always"), (45, 75), (0, 0), False),
    ),
    "theatre": (
        Sight("{city} Opera House",
              "grand opera house with evening performances under a glittering chandelier",
              ("theatre",), (150, 180), (35, 45)),
        Sight("{district} Puppet Theatre",
              "charming puppet theatre with afternoon shows for children",
              ("matinee",), (60, 75), (8, 12)),
        Sight("Variety Theatre {city}",
              "acrobats, magic and cabaret in a plush 1920s-style hall",
              ("theatre",), (120, 150), (28, 42)),
        Sight("Open-Air Stage {district}",
              "summer theatre under the trees, with Shakespeare and picnic blankets",
              ("open_air",), (120, 150), (18, 28), False),
    ),
}

# How many attractions of each category a destination gets (inclusive ranges): 20 to 31.
SIGHT_MIX: dict[str, tuple[int, int]] = {
    "museum": (5, 6), "gallery": (2, 3), "park": (2, 3), "market": (1, 2), "landmark": (2, 3),
    "viewpoint": (1, 2), "zoo": (1, 1), "aquarium": (0, 1), "nightlife": (2, 3), "tour": (2, 2),
    "beach": (0, 1), "garden": (1, 2), "theatre": (1, 2),
}
ORIGIN_SIGHT_MIX: dict[str, tuple[int, int]] = {
    "museum": (2, 2), "park": (1, 1), "landmark": (1, 1), "viewpoint": (1, 1), "nightlife": (1, 1),
}


# -- restaurant templates ----------------------------------------------------------------

class Venue(NamedTuple):
    """One restaurant concept: its name (may use ``{district}``...), cuisines and description."""

    name: str
    cuisines: tuple[str, ...]
    description: str
    price: tuple[float, float] | None = None   # overrides the kitchen's range


class Kitchen(NamedTuple):
    """A kind of restaurant: price range per person, hours keys, meal lengths and venues."""

    price: tuple[float, float]
    hours: tuple[str, ...]
    meal_min: tuple[int, ...]
    venues: tuple[Venue, ...]


_STANDARD = ("standard", "standard", "standard_closed_mon", "standard_closed_sun", "split", "split_closed_tue")
V = Venue

KITCHENS: dict[str, Kitchen] = {
    "cafe": Kitchen((8, 16), ("breakfast", "breakfast", "breakfast_long"), (45,), (
        V("Café Schönblick", ("Cafe",), "cosy café with homemade cakes and a big breakfast menu"),
        V("{district} Coffee House", ("Cafe",), "specialty coffee roaster with avocado toast and oat-milk flat whites"),
        V("Kaffeehaus {surname}", ("Cafe", "Bakery"),
          "old-school coffee house with velvet chairs, newspapers and apple strudel"),
        V("Café Kleine Freiheit", ("Cafe", "Vegetarian"),
          "sunny corner café with granola bowls, shakshuka and a quiet back room for laptops"),
        V("Morning Glory Café", ("Cafe",),
          "all-day brunch spot with pancakes, eggs Benedict and fresh juices, kid-friendly"),
        V("Blue Cup Espresso Bar", ("Cafe",), "tiny standing espresso bar with Italian coffee and cornetti"),
        V("Café am {river}", ("Cafe",), "riverside café with a big terrace, croissants and iced coffee"),
        V("The Reading Room Café", ("Cafe", "Vegetarian"), "bookshop café with quiche, soups and comfy armchairs"),
        V("Milchbar {district}", ("Cafe", "Vegan"),
          "plant-based breakfast café with oat porridge, vegan pastries and matcha"),
    )),
    "bakery": Kitchen((6, 12), ("bakery", "breakfast"), (30,), (
        V("Bäckerei {surname}", ("Bakery",),
          "traditional bakery with warm pretzels, rye bread and strong filter coffee"),
        V("{district} Sourdough Bakery", ("Bakery", "Cafe"),
          "sourdough bakery with cinnamon buns and a few stools by the window"),
        V("Konditorei {surname}", ("Bakery", "Cafe"),
          "old-fashioned pastry shop famous for its cheesecake and plum tart"),
        V("Brot & Butter", ("Bakery",), "organic bakery with seeded loaves, butter pretzels and open sandwiches"),
        V("Golden Pretzel Bakery", ("Bakery",),
          "busy corner bakery with pretzels, apple turnovers and quick coffee to go"),
    )),
    "street": Kitchen((6, 14), ("street",), (30,), (
        V("{district} Currywurst Stand", ("Street Food",),
          "cheap and cheerful snack stand, famous for its late-night currywurst and fries"),
        V("Kebab Corner {district}", ("Street Food", "Middle Eastern"),
          "legendary döner kebab with grilled vegetables and garlic sauce, always a queue"),
        V("Food Truck Yard {district}", ("Street Food",),
          "food truck yard with rotating vendors and long picnic benches"),
        V("Noodle Box", ("Street Food", "Chinese"),
          "cheap and cheerful noodle bar with wok-fried noodles and quick counter service"),
        V("Taco Wagon", ("Street Food", "Mexican"), "taco truck with crispy carnitas, fresh salsa and cheap beer"),
        V("Seoul Bites", ("Street Food", "Korean"),
          "Korean corn dogs, kimchi fries and bulgogi wraps from a hatch window"),
        V("Bao & Bun", ("Street Food", "Chinese"), "fluffy steamed bao with pork belly or crispy tofu, fast and cheap"),
        V("Green Wrap Kiosk", ("Street Food", "Vegan"),
          "vegan wraps, falafel bowls and fresh lemonade from a tiny kiosk"),
    )),
    "italian": Kitchen((18, 45), _STANDARD, (60, 75, 90), (
        V("Trattoria da Enzo", ("Italian",),
          "family-run trattoria with handmade pasta and a lively, noisy dining room"),
        V("Osteria del Ponte", ("Italian", "Mediterranean"),
          "romantic osteria with candlelit tables, truffle risotto and a long wine list"),
        V("Ristorante La Lanterna", ("Italian", "Seafood"),
          "elegant Italian with linguine alle vongole, grilled sea bass and white tablecloths",
          (36, 48)),
        V("Trattoria Nonna Rosa", ("Italian",), "Roman-style trattoria serving carbonara, cacio e pepe and tiramisu"),
        V("Il Giardino", ("Italian", "Pizza"),
          "relaxed Italian with a garden terrace, wood-fired pizza and a kids' menu"),
        V("Cantina Piccola Roma", ("Italian",),
          "cheap and cheerful pasta bar with daily specials and house wine by the carafe",
          (14, 19)),
        V("Osteria Tre Fratelli", ("Italian", "Mediterranean"),
          "three brothers cooking Sicilian classics: arancini, caponata and cannoli"),
        V("La Bella Vista", ("Italian", "Pizza"),
          "big friendly Italian with a view, pizza, pasta and gelato for the kids"),
    )),
    "pizza": Kitchen((11, 22), ("standard", "standard_closed_mon", "street"), (45, 60), (
        V("Pizzeria Vesuvio", ("Pizza", "Italian"), "kid-friendly pizzeria with a play corner and a wood-fired oven"),
        V("Forno Napoli", ("Pizza",), "Neapolitan pizza with a blistered crust, quick and affordable"),
        V("Slice of {city}", ("Pizza",), "New York-style pizza by the slice, open late", (6, 10)),
        V("Pizza Paradiso", ("Pizza", "Vegan"), "sourdough pizza with vegan cheese options and craft beer"),
        V("Pizzeria Bella Napoli", ("Pizza", "Italian"),
          "old-school pizzeria with checked tablecloths and huge calzones"),
    )),
    "french": Kitchen((28, 60), _STANDARD, (75, 90), (
        V("Bistro Chez Marcel", ("French",), "classic French bistro with steak frites, onion soup and a zinc bar"),
        V("Brasserie du Parc", ("French", "Seafood"),
          "Parisian brasserie with oysters, moules frites and a busy terrace"),
        V("Le Petit Zinc", ("French",), "tiny wine bistro with duck confit, cheese plates and natural wine"),
        V("Café de Paris", ("French", "Cafe"),
          "Belle Époque café-brasserie with croque monsieur, crêpes and café au lait",
          (16, 26)),
    )),
    "japanese": Kitchen((14, 55), _STANDARD, (45, 60, 75), (
        V("Sushi Kaito", ("Japanese", "Seafood"), "sushi counter with omakase sets and very fresh fish", (38, 60)),
        V("Ramen Ichiban", ("Japanese", "Street Food"),
          "tiny ramen shop with rich tonkotsu broth and a queue at lunchtime",
          (12, 17)),
        V("Izakaya Tanuki", ("Japanese",), "lively izakaya with yakitori skewers, sake and small plates"),
        V("Udon Yoshi", ("Japanese",),
          "handmade udon noodles in clear dashi, with crisp tempura on the side",
          (12, 18)),
    )),
    "chinese": Kitchen((12, 32), _STANDARD, (45, 60, 75), (
        V("Golden Dragon", ("Chinese",), "Cantonese family restaurant with big round tables, roast duck and dim sum"),
        V("Dumpling House {district}", ("Chinese", "Street Food"),
          "dumplings folded by hand in the window, cheap and filling",
          (9, 14)),
        V("Sichuan Garden", ("Chinese",), "hand-pulled noodles and fiery Sichuan dishes, not for the faint-hearted"),
        V("Jade Palace", ("Chinese", "Vegetarian"),
          "Buddhist-style Chinese kitchen with mock meats and silky tofu dishes"),
    )),
    "indian": Kitchen((14, 30), _STANDARD, (60, 75), (
        V("Taj Mahal", ("Indian",), "North Indian curry house with a tandoori grill and creamy butter chicken"),
        V("Masala Kitchen", ("Indian", "Vegetarian"),
          "spicy South Indian dosas and thalis with lots of vegetarian choice"),
        V("Bombay Street Kitchen", ("Indian", "Street Food"),
          "Mumbai street snacks and masala chai in a colourful room",
          (10, 16)),
        V("Little Delhi", ("Indian", "Vegan"), "vegan Indian curries, dal and chana masala with fluffy naan"),
    )),
    "thai": Kitchen((14, 28), _STANDARD, (45, 60), (
        V("Bangkok Garden", ("Thai",), "fragrant green curries and papaya salad, spicy on request"),
        V("Thai Orchid", ("Thai", "Vegan"), "tiny Thai kitchen with pad thai, tofu curries and mango sticky rice"),
        V("Som Tam Corner", ("Thai", "Street Food"),
          "Bangkok-style street food: som tam, grilled chicken and sticky rice on plastic stools",
          (10, 15)),
    )),
    "mexican": Kitchen((14, 30), _STANDARD, (60, 75), (
        V("Cantina La Catrina", ("Mexican",), "colourful cantina with tacos al pastor, margaritas and loud music"),
        V("El Taco Loco", ("Mexican", "Street Food"),
          "cheap and cheerful taqueria with burritos and fresh guacamole",
          (10, 15)),
        V("Casa Oaxaca", ("Mexican",), "Oaxacan kitchen with mole, tlayudas and a mezcal bar"),
    )),
    "mediterranean": Kitchen((18, 45), _STANDARD, (60, 75, 90), (
        V("Taverna Olympos", ("Mediterranean", "Seafood"), "Greek taverna with grilled octopus, souvlaki and ouzo"),
        V("Mezze & More", ("Mediterranean", "Middle Eastern"),
          "colourful mezze platters, grilled halloumi and fresh mint tea"),
        V("Olive Tree", ("Mediterranean", "Vegetarian"),
          "sunny Mediterranean kitchen with salads, grilled vegetables and a vine-covered terrace"),
        V("Costa Brava Tapas", ("Mediterranean",), "Spanish tapas bar with sherry, croquetas and sharing plates"),
    )),
    "seafood": Kitchen((25, 75), _STANDARD + ("dinner",), (75, 90), (
        V("{river} Fish House", ("Seafood",),
          "fresh fish and shellfish by the river, with a daily catch on the chalkboard"),
        V("Oyster Bar {district}", ("Seafood", "Fine Dining"),
          "oyster bar with champagne and crudo, elegant and pricey",
          (60, 85)),
        V("The Lobster Pot", ("Seafood",),
          "relaxed seafood restaurant with lobster rolls, fish soup and chips",
          (24, 36)),
    )),
    "veggie": Kitchen((12, 28), _STANDARD, (45, 60), (
        V("Green Kitchen", ("Vegetarian",), "creative vegetarian kitchen with seasonal bowls and natural wine"),
        V("Kraut & Rüben", ("Vegetarian", "Vegan"),
          "farm-to-table vegetarian bistro with vegan options and a small garden"),
        V("Sattgrün", ("Vegan",), "fully plant-based comfort food: vegan burgers, mac and cheese and cakes"),
        V("Lotus Leaf", ("Vegan", "Cafe"), "calm vegan lunch spot with Buddha bowls, ginger shots and raw cakes"),
    )),
    "grill": Kitchen((14, 32), ("standard", "standard_closed_mon", "dinner"), (60, 75), (
        V("Smokehouse {district}", ("BBQ",), "Texas-style smokehouse with brisket, ribs and craft beer"),
        V("Burger Republic", ("Burgers",), "juicy smash burgers, crispy fries and thick milkshakes, kid-friendly"),
        V("The Grill Shack", ("BBQ", "Burgers"), "open-fire grill with spare ribs, corn on the cob and big burgers"),
        V("Bun & Patty", ("Burgers",), "tiny burger joint with dry-aged patties and a good vegan option"),
    )),
    "fine": Kitchen((80, 120), ("fine", "dinner_closed_mon"), (150, 180), (
        V("Restaurant Aurum", ("Fine Dining",),
          "Michelin-starred tasting menu with wine pairing, formal and very expensive",
          (110, 120)),
        V("Sternwerk", ("Fine Dining",),
          "modern fine dining with regional produce, an open kitchen and an eight-course menu"),
        V("Maison Blanche", ("Fine Dining", "French"),
          "haute French cuisine with foie gras, lobster and silver service"),
        V("Atelier {district}", ("Fine Dining", "Mediterranean"),
          "chef's-table restaurant with a Mediterranean tasting menu and rare wines"),
        V("Kaiseki Hana", ("Fine Dining", "Japanese"),
          "refined Japanese kaiseki menu of twelve seasonal courses at a cedar counter"),
    )),
    "middle_eastern": Kitchen((9, 25), ("standard", "street", "standard_closed_sun"), (45, 60), (
        V("Falafel Palace", ("Middle Eastern", "Street Food"),
          "crispy falafel, sabich and fresh salads, cheap, fast and vegan-friendly",
          (7, 11)),
        V("Beirut Kitchen", ("Middle Eastern",),
          "Lebanese mezze, warm pita and smoky grilled meats, great for sharing"),
        V("Sultan's Grill", ("Middle Eastern",), "Turkish grill house with adana kebab, lahmacun and baklava"),
        V("Hummus & Friends", ("Middle Eastern", "Vegetarian"),
          "Israeli hummus bar with warm pita, shakshuka and tahini on everything"),
    )),
    "korean": Kitchen((18, 35), _STANDARD + ("dinner",), (60, 75), (
        V("Seoul Food", ("Korean",), "bibimbap, fried chicken and soju in a buzzing canteen"),
        V("Kimchi Bar", ("Korean",), "cosy Korean kitchen with kimchi stew, japchae and homemade banchan"),
        V("Gogi Korean BBQ", ("Korean", "BBQ"),
          "Korean barbecue with a grill at every table and free banchan",
          (28, 40)),
    )),
}

# Every destination gets at least this many of each kind, then more up to 25-33 in all.
KITCHEN_BASE: dict[str, int] = {k: 1 for k in KITCHENS} | {"cafe": 3, "bakery": 2, "italian": 2}
KITCHEN_EXTRA_WEIGHTS: dict[str, int] = {
    "cafe": 2, "street": 3, "italian": 3, "pizza": 2, "japanese": 2, "chinese": 1, "indian": 2,
    "mediterranean": 2, "veggie": 2, "grill": 2, "middle_eastern": 2, "french": 1, "korean": 1, "thai": 1,
}
ORIGIN_KITCHENS: dict[str, int] = {"cafe": 2, "bakery": 1, "street": 1, "italian": 1, "veggie": 1, "fine": 1,
                                   "korean": 1}


# -- hotel templates ---------------------------------------------------------------------

HOTEL_NAMES: dict[str, tuple[str, ...]] = {
    "hotel_room": ("Hotel {district}", "{city} Grand Hotel", "{river} Riverside Hotel", "Parkhotel {district}",
                   "Boutique Hotel Lindenhof", "Hotel Kaiserhof", "Hotel Zur Post", "Design Hotel {district}",
                   "Art Hotel {district}", "Station Hotel {city}"),
    "entire_home": ("{district} Loft Apartment", "Altbau Flat {district}", "Studio {district}",
                    "Attic Apartment {district}", "Canal-side Flat {district}"),
    "entire_home_large": ("Garden Apartment {district}", "Family House by the {river}", "Penthouse {district}",
                          "Townhouse {district}", "Villa {surname}", "Big Altbau Apartment {district}"),
    "private_room": ("Pension Sonnenhof", "B&B {district}", "Guest Room at Anna's", "Pension Zum Anker",
                     "Room with a View {district}", "Gästehaus {surname}"),
    "shared_room": ("{district} Backpackers", "Hostel Wanderlust", "The Bunk House {district}", "Hostel Kompass"),
}
HOTEL_KIND: dict[str, str] = {
    "hotel_room": "hotel room", "entire_home": "whole apartment",
    "private_room": "private room in a guesthouse", "shared_room": "bed in a shared dorm",
}
AMENITIES: dict[str, tuple[str, ...]] = {
    "hotel_room": ("a rooftop bar", "a sauna", "free bikes", "a generous breakfast buffet", "air conditioning",
                   "soundproof windows", "a courtyard garden"),
    "entire_home": ("a full kitchen", "a balcony", "a washing machine", "a garden", "cots and a high chair",
                    "a bathtub", "a quiet courtyard view"),
    "private_room": ("homemade breakfast", "a shared kitchen", "a sunny terrace", "a friendly host",
                     "a quiet back garden"),
    "shared_room": ("lockers", "a communal kitchen", "a games room", "a bar with cheap beer", "free walking tours"),
}
# (price range per room and night at rating ~3.5, occupancy choices, type weight)
ROOM_TYPES: dict[str, tuple[tuple[float, float], tuple[int, ...], int]] = {
    "hotel_room": ((70, 240), (2, 2, 2, 3, 4), 40),
    "entire_home": ((85, 280), (2, 3, 4, 4, 5, 6), 25),
    "private_room": ((45, 90), (1, 2, 2), 25),
    "shared_room": ((28, 40), (1,), 10),
}
CHECK_IN_WINDOWS: tuple[tuple[int, int, int], ...] = (
    # (start, end, weight); end 0 is midnight
    (14 * 60, 22 * 60, 30), (15 * 60, 23 * 60, 35), (16 * 60, 20 * 60, 12), (14 * 60, 0, 23),
)


# -- special places ----------------------------------------------------------------------

class Special(NamedTuple):
    """A hand-placed item whose name stresses quoting; ``fields`` override the generated ones."""

    city: str
    kind: str   # "hotel", "attraction" or "restaurant"
    template: str   # key in SIGHTS (attraction category), KITCHENS or a room type
    name: str
    description: str
    fields: dict


SPECIALS: tuple[Special, ...] = (
    Special("Munich", "restaurant", "italian", "Mama's Kitchen",
            "kid-friendly Italian home cooking with huge portions of lasagne and a play corner",
            {"cuisines": ["Italian"], "price": 22.0, "hours": "standard"}),
    Special("Munich", "attraction", "nightlife", "Rooftop Bar /\\",
            "rooftop cocktail bar with Alpine views on clear evenings and a slanted logo",
            {"hours": "nightlife_daily"}),
    Special("Dresden", "attraction", "nightlife", 'The "Blue" Note',
            "late-night jazz bar with live sets and a tiny dance floor", {"hours": "nightlife"}),
    Special("Dresden", "attraction", "nightlife", "Ctrl\\Alt\\Del Arcade Bar",
            "retro arcade bar with pinball machines, 8-bit games and craft beer", {"hours": "nightlife_daily"}),
    Special("Leipzig", "restaurant", "veggie", "100% Vegan",
            "fully plant-based bistro with seitan schnitzel and vegan cheesecake", {"cuisines": ["Vegan"]}),
    Special("Leipzig", "restaurant", "cafe", "Smiley :-) Cafe",
            "cheerful breakfast café with pancakes, smoothies and a kids' corner",
            {"cuisines": ["Cafe"], "hours": "breakfast"}),
    Special("Leipzig", "attraction", "museum", "Prof. Krause's Apothecary Museum",
            "an old pharmacy with herb drawers, poison cabinets and odd remedies, small and quirky",
            {"hours": "museum"}),
    Special("Leipzig", "hotel", "private_room", 'Pension "Zur Alten Mühle"',
            "quiet private room in a former mill with homemade breakfast and a garden, pets welcome",
            {"house_rules": {"pets": True}}),
    Special("Hamburg", "restaurant", "seafood", "Fish, Chips & Co.",
            "harbour-side chippy with crispy cod, mushy peas and a view of the cranes",
            {"cuisines": ["Seafood", "Street Food"], "price": 14.0, "hours": "street"}),
    Special("Cologne", "attraction", "tour", "St. Gereon's Crypt Tour",
            "candle-lit guided tour of a Romanesque crypt with Roman foundations",
            {"hours": "tour_day", "indoor": True, "price": 9.0, "duration_min": 75}),
    Special("Frankfurt", "restaurant", "grill", "Dr. Apfelwein's Tavern",
            "rustic cider tavern with green sauce, schnitzel and long shared tables",
            {"cuisines": ["BBQ"], "hours": "dinner"}),
)


def _specials(city: str, kind: str) -> list[Special]:
    return [s for s in SPECIALS if s.city == city and s.kind == kind]


def _with_specials(rng: random.Random, generated: list, specials: list) -> list:
    """Insert the special items at random positions among the generated ones."""
    out = list(generated)
    for s in specials:
        out.insert(rng.randint(0, len(out)), s)
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


# -- flights -----------------------------------------------------------------------------

# Departure bands in minutes since midnight, as (earliest, latest).
BANDS: dict[str, tuple[int, int]] = {
    "early": (6 * 60, 7 * 60 + 30), "morning": (8 * 60, 9 * 60 + 30), "midday": (10 * 60 + 30, 14 * 60 + 30),
    "afternoon": (15 * 60 + 30, 19 * 60 + 30), "late": (21 * 60 + 30, 22 * 60 + 30),
}
WEEKDAY_FARE = {"mon": 1.05, "tue": 0.9, "wed": 0.9, "thu": 1.0, "fri": 1.2, "sat": 0.9, "sun": 1.15}


def _has_air_service(a: str, b: str) -> bool:
    return (a, b) not in NO_FLIGHT_PAIRS and (b, a) not in NO_FLIGHT_PAIRS


def _time_of_day_factor(dep: int) -> float:
    """Fares: business peaks cost more, the dawn and late flights less."""
    if dep < 7 * 60:
        return 0.8
    if dep < 9 * 60 + 30 or 16 * 60 <= dep < 19 * 60 + 30:
        return 1.3
    if dep >= 21 * 60:
        return 0.65
    return 1.0


class Slot(NamedTuple):
    """A scheduled flight that operates on some weekdays over the whole window."""

    number: str
    origin: str
    destination: str
    departure: int
    duration: int
    days: tuple[Weekday, ...]
    base_fare: float


def _flight_slots(rng: random.Random) -> list[Slot]:
    """The weekly schedule: 2-4 flights per ordered pair with air service.

    Every pair touching the origin city has a late flight that lands after 23:00. A
    slot of a pair with three or more flights may skip one weekend day, so that every
    pair still has at least two flights every day.
    """
    slots: list[Slot] = []
    number = 1000
    for a in CITIES:
        for b in CITIES:
            if a is b or not _has_air_service(a.name, b.name):
                continue
            km = haversine_km(a.hub_lat, a.hub_lon, b.hub_lat, b.hub_lon)
            duration = int(_round_to(km / 800 * 60 + 30, 5)) + rng.choice((0, 0, 5, 10))
            n = rng.choice((2, 3, 3, 4))
            late = DEMO_ORIGIN in (a.name, b.name) or rng.random() < 0.4
            bands = ["late"] if late else []
            bands += rng.sample(["early", "morning", "midday", "afternoon"], n - len(bands))
            for band in sorted(bands, key=lambda x: BANDS[x][0]):
                lo, hi = BANDS[band]
                dep = int(_round_to(rng.uniform(lo, hi), 5))
                if band == "late":   # land between 23:05 and 23:50, leave by 22:30
                    dep = min(22 * 60 + 30, int(_round_to(rng.uniform(23 * 60 + 5, 23 * 60 + 50), 5)) - duration)
                    assert dep + duration > 23 * 60, (a.name, b.name)
                days = WEEKDAYS
                if n >= 3 and band == "midday" and rng.random() < 0.5:
                    skip = rng.choice(("sat", "sun"))
                    days = tuple(d for d in WEEKDAYS if d != skip)
                number += rng.randint(3, 17)
                base = 35 + 0.30 * km
                slots.append(Slot(f"NS{number}", a.name, b.name, dep, duration, days, base))
    return slots


def _flights(rng: random.Random) -> list[Flight]:
    """Concrete flights for every day of the window, with fares varying by date."""
    flights: list[Flight] = []
    slots = _flight_slots(rng)
    for offset in range(DEMO_DAYS):
        day = DEMO_START + timedelta(days=offset)
        weekday = WEEKDAYS[day.weekday()]
        for s in slots:
            if weekday not in s.days:
                continue
            fare = s.base_fare * _time_of_day_factor(s.departure) * WEEKDAY_FARE[weekday]
            fare *= rng.uniform(0.85, 1.2)
            arrival_day, arrival = divmod(s.departure + s.duration, 24 * 60)
            flights.append(Flight(
                number=s.number, origin=s.origin, destination=s.destination, date=day,
                departure=_hhmm(s.departure), arrival=_hhmm(arrival), arrival_day_offset=arrival_day,
                price=float(min(400, max(40, round(fare))))))
    flights.sort(key=lambda f: (f.date, f.departure_min, f.number))
    return flights


# -- ground legs -------------------------------------------------------------------------

DRIVE_MAX_KM = 420      # great-circle km up to which driving is offered
TAXI_MAX_KM = 200
TRAIN_MAX_KM = 520


def _ground_legs(rng: random.Random) -> list[GroundLeg]:
    """Drive, taxi and train between nearby cities, and between every pair without flights."""
    legs: list[GroundLeg] = []
    for i, a in enumerate(CITIES):
        for b in CITIES[i + 1:]:
            km = haversine_km(a.lat, a.lon, b.lat, b.lon)
            must = not _has_air_service(a.name, b.name)
            road = round(1.3 * km, 1)
            for x, y in ((a, b), (b, a)):
                if must or km <= DRIVE_MAX_KM:
                    legs.append(_drive(x, y, road))
                if must or km <= TAXI_MAX_KM:
                    legs.append(_taxi(x, y, road))
                if must or km <= TRAIN_MAX_KM:
                    legs.append(_train(rng, x, y, km))
    legs.sort(key=lambda g: (g.origin, g.destination, g.mode))
    return legs


def _drive(a: CitySpec, b: CitySpec, road_km: float) -> GroundLeg:
    """Own car: fuel at ~0.16/km plus parking, per vehicle of five."""
    return GroundLeg(id=f"drive:{a.name}>{b.name}", mode="drive", origin=a.name, destination=b.name,
                     duration_min=int(_round_to(road_km / 80 * 60, 5)), distance_km=road_km,
                     cost=_round_to(0.16 * road_km + 8, 0.5), cost_basis="per_vehicle", vehicle_capacity=5,
                     departures=[time(h) for h in (7, 9, 11, 13, 15, 17)])


def _taxi(a: CitySpec, b: CitySpec, road_km: float) -> GroundLeg:
    """Taxi: 4.50 flag fall plus 2.20/km, per car of four, any hour of the day."""
    return GroundLeg(id=f"taxi:{a.name}>{b.name}", mode="taxi", origin=a.name, destination=b.name,
                     duration_min=int(_round_to(road_km / 85 * 60, 5)), distance_km=road_km,
                     cost=_round_to(4.5 + 2.2 * road_km, 0.5), cost_basis="per_vehicle", vehicle_capacity=4,
                     departures=[time(h) for h in range(6, 23, 2)])


def _train(rng: random.Random, a: CitySpec, b: CitySpec, km: float) -> GroundLeg:
    """Train: per person, a handful of departures from early morning to evening."""
    rail = 1.25 * km
    first = int(_round_to(rng.uniform(5 * 60 + 30, 7 * 60 + 30), 5))
    every = rng.choice((120, 150, 180))
    departures = [_hhmm(m) for m in range(first, 21 * 60, every)]
    return GroundLeg(id=f"train:{a.name}>{b.name}", mode="train", origin=a.name, destination=b.name,
                     duration_min=int(_round_to(rail / 100 * 60 + 10, 5)), distance_km=round(rail, 1),
                     cost=_round_to(9 + 0.16 * rail, 0.5), cost_basis="per_person", vehicle_capacity=1,
                     departures=departures)


# -- hotels ------------------------------------------------------------------------------

def _house_rules(rng: random.Random, room_type: str) -> HouseRules:
    """Rules that fit the kind of place: hostels are adults-only, homes may allow parties."""
    if room_type == "shared_room":
        return HouseRules(smoking=False, pets=False, parties=rng.random() < 0.3, children=False,
                          visitors=rng.random() < 0.5)
    if room_type == "entire_home":
        return HouseRules(smoking=rng.random() < 0.1, pets=rng.random() < 0.5, parties=rng.random() < 0.2,
                          children=rng.random() < 0.9, visitors=True)
    if room_type == "private_room":
        return HouseRules(smoking=False, pets=rng.random() < 0.3, parties=False, children=rng.random() < 0.7,
                          visitors=rng.random() < 0.5)
    return HouseRules(smoking=False, pets=rng.random() < 0.5, parties=False, children=rng.random() < 0.9,
                      visitors=rng.random() < 0.8)


def _hotel_description(rng: random.Random, h: Hotel, district: str) -> str:
    """One sentence naming the kind of place, two amenities and what is (not) allowed."""
    a1, a2 = rng.sample(AMENITIES[h.room_type], 2)
    parts = [f"{HOTEL_KIND[h.room_type]} in {district} with {a1} and {a2}"]
    r = h.house_rules
    parts.append("pets welcome" if r.pets else "no pets")
    if not r.children:
        parts.append("adults only")
    if r.parties:
        parts.append("parties allowed")
    if r.smoking:
        parts.append("smoking on the balcony")
    if not r.visitors:
        parts.append("no visitors")
    if h.check_in_end_min is None or h.check_in_end_min == 24 * 60:
        parts.append("24-hour desk, check-in until midnight")
    elif h.check_in_end_min <= 20 * 60:
        parts.append(f"strict check-in {h.check_in_start:%H:%M}-{h.check_in_end:%H:%M}")
    if h.min_nights == 3:
        parts.append("great weekly value, minimum stay three nights")
    elif h.min_nights > 1:
        parts.append(f"minimum stay {h.min_nights} nights")
    return _sentence(", ".join(parts))


def _hotel_name(rng: random.Random, spec: CitySpec, room_type: RoomType, occupancy: int, district: str) -> str:
    key = "entire_home_large" if room_type == "entire_home" and occupancy >= 4 else room_type
    return _fill(rng.choice(HOTEL_NAMES[key]), spec, rng, district)


def _hotel(rng: random.Random, spec: CitySpec, hid: str, room_type: RoomType, role: str | None,
           taken: set[str], name: str | None = None) -> Hotel:
    """One hotel; ``role`` forces a designed case: ``value3``, ``strict`` or ``midnight``.

    The name is ``name`` or a fresh one not in ``taken``; its district is the one the
    description mentions.
    """
    (lo, hi), occupancies, _ = ROOM_TYPES[room_type]
    rating = _rating(rng, 2.5, 4.1)
    occupancy = rng.choice(occupancies)
    price = rng.uniform(lo, hi) * (0.55 + 0.25 * rating / 2.5) + 22 * max(0, occupancy - 2)
    start, end, _ = rng.choices(CHECK_IN_WINDOWS, weights=[w[2] for w in CHECK_IN_WINDOWS])[0]
    min_nights = 2 if rng.random() < 0.15 else 1
    if role == "value3":
        occupancy = rng.choice((2, 2, 3))
        rating, min_nights = round(rng.uniform(4.6, 4.9), 1), 3
        price = lo * rng.uniform(0.7, 0.9) + 15 * (occupancy - 2)   # well below the city's median
        start, end = 15 * 60, 23 * 60
    elif role == "strict":
        start, end, min_nights = 16 * 60, 20 * 60, 1
    elif role == "midnight":
        start, end = 14 * 60, 0
    lat, lon = _position(rng, spec)
    district = rng.choice(spec.districts)
    while name is None or name in taken:
        district = rng.choice(spec.districts)
        name = _hotel_name(rng, spec, room_type, occupancy, district)
    hotel = Hotel(
        id=hid, name=name, city=spec.name,
        lat=lat, lon=lon, price=float(min(450, max(35, round(price)))), room_type=room_type,
        max_occupancy=occupancy, check_in_start=_hhmm(start), check_in_end=_hhmm(end),
        check_out=_hhmm(rng.choice((10 * 60, 10 * 60 + 30, 11 * 60, 11 * 60, 12 * 60))),
        min_nights=min_nights, house_rules=_house_rules(rng, room_type), rating=rating)
    hotel.description = _hotel_description(rng, hotel, district)
    return hotel


def _hotels(spec: CitySpec, n: int) -> list[Hotel]:
    """``n`` hotels of a city: the designed roles first (in random positions), then random ones."""
    rng = _rng(spec.name, "hotels")
    types = list(ROOM_TYPES)
    roles: list[tuple[str | None, RoomType]] = [("value3", rng.choice(("entire_home", "private_room"))),
                                               ("strict", rng.choice(("private_room", "entire_home"))),
                                               ("midnight", "hotel_room"), (None, "entire_home"),
                                               (None, "shared_room")]
    if n < len(roles):
        roles = roles[:n]
    while len(roles) < n:
        roles.append((None, rng.choices(types, weights=[ROOM_TYPES[t][2] for t in types])[0]))
    rng.shuffle(roles)
    entries = _with_specials(rng, roles, _specials(spec.name, "hotel"))
    hotels, names = [], set()
    for i, entry in enumerate(entries, start=1):
        hid = f"h:{spec.slug}:{i}"
        if isinstance(entry, Special):
            h = _hotel(rng, spec, hid, entry.template, None, set(), name=entry.name)
            h.house_rules = h.house_rules.model_copy(update=entry.fields.get("house_rules", {}))
            h.description = _sentence(entry.description)
        else:
            role, room_type = entry
            h = _hotel(rng, spec, hid, room_type, role, names)
        names.add(h.name)
        hotels.append(h)
    return hotels


# -- attractions -------------------------------------------------------------------------

def _sight_plan(rng: random.Random, spec: CitySpec, mix: dict[str, tuple[int, int]]) -> list:
    """Templates (or specials) for a city's attractions, 20-30 for a destination."""
    counts = {cat: rng.randint(lo, hi) for cat, (lo, hi) in mix.items()}
    while sum(counts.values()) > 30:
        cat = rng.choice([c for c, (lo, _) in mix.items() if counts[c] > lo])
        counts[cat] -= 1
    plan: list = []
    specials = _specials(spec.name, "attraction")
    for cat, k in counts.items():
        own = [s for s in specials if s.template == cat]
        chosen = rng.sample(SIGHTS[cat], max(0, k - len(own)))
        plan += [(cat, t) for t in chosen] + own
    for s in specials:   # specials of a category the mix does not have
        if s not in plan:
            plan.append(s)
    rng.shuffle(plan)
    return plan


def _attractions(spec: CitySpec, mix: dict[str, tuple[int, int]]) -> list[Attraction]:
    """A city's attractions; the first two museums planned are closed on Mondays."""
    rng = _rng(spec.name, "attractions")
    out: list[Attraction] = []
    mondays_closed = 0
    for i, entry in enumerate(_sight_plan(rng, spec, mix), start=1):
        if isinstance(entry, Special):
            cat, t = entry.template, SIGHTS[entry.template][0]
            name, description, hours = entry.name, entry.description, entry.fields["hours"]
        else:
            cat, t = entry
            district = rng.choice(spec.districts)
            name, description = _fill(t.name, spec, rng, district), _fill(t.description, spec, rng, district)
            hours = rng.choice(t.hours)
            if cat == "museum" and mondays_closed < 2:
                hours = rng.choice(("museum", "museum_late_thu"))
        if cat == "museum" and "mon" not in HOURS[hours].days:
            mondays_closed += 1
        lat, lon = _position(rng, spec, near=3.0 if cat in ("park", "zoo", "beach", "garden") else 1.5)
        fields = entry.fields if isinstance(entry, Special) else {}
        out.append(Attraction(
            id=f"a:{spec.slug}:{i}", name=name, city=spec.name, lat=lat, lon=lon,
            hours=HOURS[hours].model_copy(deep=True),
            duration_min=fields.get("duration_min", int(_round_to(rng.uniform(*t.duration), 15))),
            price=fields.get("price", _round_to(rng.uniform(*t.price), 1.0)), category=cat,
            indoor=fields.get("indoor", t.indoor), rating=_rating(rng, 3.0, 4.3),
            description=_sentence(description)))
        out[-1].timed_tickets = _timed_tickets(out[-1])
    return out


TIMED_TICKET_CATEGORIES = ("museum", "theatre", "tour", "aquarium")
"""Paid attractions of these categories sell tickets for a time slot."""


def _timed_tickets(a: Attraction) -> bool:
    """Whether entry needs a timed ticket: a rule on the category and price, no random draw,
    so adding the field reshuffles nothing else of the catalog."""
    return a.category in TIMED_TICKET_CATEGORIES and a.price > 0


# -- restaurants -------------------------------------------------------------------------

def _kitchen_plan(rng: random.Random, spec: CitySpec, base: dict[str, int], target: int) -> list:
    """Kitchen keys (or specials) for a city's restaurants, ``target`` in all."""
    counts = dict(base)
    extra = list(KITCHEN_EXTRA_WEIGHTS)
    while sum(counts.values()) < target:
        k = rng.choices(extra, weights=[KITCHEN_EXTRA_WEIGHTS[x] for x in extra])[0]
        if counts.get(k, 0) < len(KITCHENS[k].venues):
            counts[k] = counts.get(k, 0) + 1
    plan: list = []
    specials = _specials(spec.name, "restaurant")
    for k, n in counts.items():
        own = [s for s in specials if s.template == k]
        plan += [k] * max(0, n - len(own)) + own
    rng.shuffle(plan)
    return plan


def _restaurants(spec: CitySpec, base: dict[str, int], target: int) -> list[Restaurant]:
    """A city's restaurants: every venue at most once per city, plus the specials."""
    rng = _rng(spec.name, "restaurants")
    plan = _kitchen_plan(rng, spec, base, target)
    unused = {k: rng.sample(kitchen.venues, len(kitchen.venues)) for k, kitchen in KITCHENS.items()}
    out: list[Restaurant] = []
    for i, entry in enumerate(plan, start=1):
        if isinstance(entry, Special):
            kitchen, fields = KITCHENS[entry.template], entry.fields
            venue = Venue(entry.name, tuple(fields["cuisines"]), entry.description)
        else:
            kitchen, fields = KITCHENS[entry], {}
            v = unused[entry].pop()
            district = rng.choice(spec.districts)
            venue = Venue(_fill(v.name, spec, rng, district), v.cuisines, _fill(v.description, spec, rng, district),
                          v.price)
        hours = fields.get("hours") or rng.choice(kitchen.hours)
        lo, hi = venue.price or kitchen.price
        price = fields.get("price") or min(120.0, max(6.0, _round_to(rng.uniform(lo, hi), 0.5)))
        lat, lon = _position(rng, spec, near=1.5)
        out.append(Restaurant(
            id=f"r:{spec.slug}:{i}", name=venue.name, city=spec.name, lat=lat, lon=lon,
            cuisines=list(venue.cuisines), price=price, hours=HOURS[hours].model_copy(deep=True),
            meal_duration_min=rng.choice(kitchen.meal_min), rating=_rating(rng),
            description=_sentence(venue.description)))
        out[-1].reservations = _takes_reservations(entry.template if isinstance(entry, Special) else entry, price)
    return out


RESERVATION_KITCHENS = ("fine", "french", "seafood")
"""Kitchens that always take table reservations; any other takes them from 30 a head."""


def _takes_reservations(kitchen: str, price: float) -> bool:
    """Whether a restaurant takes table reservations: a rule on its kitchen and price (no
    random draw, so adding the field reshuffles nothing else of the catalog)."""
    return kitchen in RESERVATION_KITCHENS or price >= 30


# -- the catalog -------------------------------------------------------------------------

def build_catalog() -> Catalog:
    """The demo catalog, built from scratch (the same on every call)."""
    hotels, attractions, restaurants = [], [], []
    for spec in CITIES:
        sizes = _rng(spec.name, "sizes")
        if spec.name == DEMO_ORIGIN:
            hotels += _hotels(spec, 3)
            attractions += _attractions(spec, ORIGIN_SIGHT_MIX)
            restaurants += _restaurants(spec, ORIGIN_KITCHENS, sum(ORIGIN_KITCHENS.values()))
        else:
            hotels += _hotels(spec, sizes.randint(8, 12) - len(_specials(spec.name, "hotel")))
            attractions += _attractions(spec, SIGHT_MIX)
            restaurants += _restaurants(spec, KITCHEN_BASE, sizes.randint(25, 33))
    return Catalog(
        name=CATALOG_NAME, cities=[c.city() for c in CITIES], flights=_flights(_rng("flights")),
        ground_legs=_ground_legs(_rng("ground")), hotels=hotels, attractions=attractions,
        restaurants=restaurants, transfers=[], speed_kmh=25.0, transfer_overhead_min=10)


def render(catalog: Catalog | None = None) -> bytes:
    """The bytes of ``catalog.json``: pretty JSON (indent 1), UTF-8, one trailing newline."""
    catalog = catalog if catalog is not None else build_catalog()
    return (catalog.model_dump_json(indent=1) + "\n").encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m neurosym.demo.generate", description=__doc__.split("\n")[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="where to write the JSON")
    args = parser.parse_args(argv)
    data = render()
    args.output.write_bytes(data)
    print(f"wrote {args.output} ({len(data) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
