"""The demo forecast: hourly weather for every demo city over the catalog's 35 days.

Generated deterministically, like the demo catalog: every random draw comes from a
:class:`random.Random` seeded with a string made of :data:`SEED`, ``"weather"`` and the
city (string seeds are hashed with SHA-512, so they do not depend on
``PYTHONHASHSEED``), nothing depends on the clock, and every float is rounded. It is
computed on first use (a few milliseconds) and cached, rather than shipped as a file.

Ordinary days follow a plausible June in Germany: a weather regime per city and day
(dry, showery afternoons, or a rainy day), temperatures with a daily cycle (coolest at
05:00, warmest at 15:00), probabilities, amounts, wind and WMO condition codes that
agree with each other.

*Designed cases* (the demo trip is 15-19 June 2026, two of Munich, Dresden, Leipzig):

- :data:`RAINY_DAY` (Wednesday 17 June, trip day 3): a front crosses all three
  candidate cities, so whichever two the plan visits, one of them is where the traveller
  is that day. Rain 80-95 % from 11:00 to 18:00 (moderate to heavy, 1.5-4.5 mm an hour),
  40-60 % in the hours around it.
- The other trip days (15, 16, 18, 19 June) are dry in those cities (at most 20 %).
- :data:`HOT_DAY` (Tuesday 16 June, trip day 2) in Munich: 33 °C in the afternoon.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from ..weather.forecast import CityForecast, DailyWeather, Forecast, HourlyWeather, _aggregate
from . import DEMO_DAYS, DEMO_DESTINATIONS, DEMO_START, load_demo_catalog

SEED = 20260601
RAINY_DAY = date(2026, 6, 17)
RAINY_HOURS = range(11, 18)            # 11:00 to 18:00: the heavy part of the front
HOT_DAY = date(2026, 6, 16)
HOT_CITY = "Munich"
TRIP_DAYS = [date(2026, 6, 15) + timedelta(days=i) for i in range(5)]


def _temperature(hour: int, t_min: float, t_max: float) -> float:
    """A daily cycle: coolest at 05:00, warmest at 15:00 (a cosine between the two)."""
    if 5 <= hour <= 15:
        x = (hour - 5) / 10
        return t_min + (t_max - t_min) * (1 - math.cos(math.pi * x)) / 2
    since = (hour - 15) % 24  # cooling from 15:00 to 05:00 the next morning
    x = since / 14
    return t_max - (t_max - t_min) * (1 - math.cos(math.pi * x)) / 2


def _code(prob: int, rain: float, temp: float, regime: str, cloud: int) -> int:
    if rain >= 0.1 and prob >= 40:
        if regime == "showery":
            return 95 if temp >= 27 and prob >= 70 else (81 if rain >= 2 else 80)
        return 65 if rain >= 4 else 63 if rain >= 1.5 else 61
    if prob >= 30:
        return 3
    return (0, 1, 2, 3)[cloud]


def _day(rng: random.Random, city: str, d: date, regime: str, base: float) -> list[HourlyWeather]:
    t_max = round(base + rng.uniform(3, 6), 1)
    t_min = round(t_max - rng.uniform(7, 11), 1)
    wind0 = rng.uniform(6, 18)
    cloud0 = {"dry": rng.randint(0, 1), "showery": rng.randint(1, 2)}.get(regime, 2)  # the day's cloudiness
    designed_rain = d == RAINY_DAY and city in DEMO_DESTINATIONS
    if d == HOT_DAY and city == HOT_CITY:
        t_max, t_min = 33.0, 19.0
    hours = []
    for h in range(24):
        if designed_rain:
            prob = rng.randint(80, 95) if h in RAINY_HOURS else (rng.randint(40, 60) if 8 <= h <= 20 else
                                                                  rng.randint(15, 30))
            rain = round(rng.uniform(1.5, 4.5), 1) if h in RAINY_HOURS else (round(rng.uniform(0, 0.6), 1)
                                                                            if prob >= 50 else 0.0)
            regime_h = "rainy"
        elif regime == "dry":
            prob, rain, regime_h = rng.randint(0, 15), 0.0, regime
        elif regime == "showery":
            prob = rng.randint(35, 70) if 13 <= h <= 19 else rng.randint(5, 25)
            rain = round(rng.uniform(0.1, 2.5), 1) if prob >= 50 and rng.random() < 0.7 else 0.0
            regime_h = regime
        else:  # rainy
            prob = rng.randint(55, 90) if 6 <= h <= 22 else rng.randint(30, 60)
            rain = round(rng.uniform(0.2, 2.0), 1) if prob >= 50 else 0.0
            regime_h = regime
        temp = round(_temperature(h, t_min, t_max) - (2.0 if rain >= 1 else 0.0), 1)
        wind = round(wind0 + rng.uniform(-3, 3) + (8 if rain >= 2 else 0), 1)
        code = _code(prob, rain, temp, regime_h, min(3, cloud0 + rng.choice((0, 0, 0, 1))))
        hours.append(HourlyWeather(time=datetime.combine(d, time(h)), precipitation_probability=prob,
                                   precipitation=rain, temperature=temp, wind_speed=max(wind, 0.0),
                                   weather_code=code))
    return hours


def _regime(rng: random.Random, city: str, d: date) -> str:
    if city in DEMO_DESTINATIONS and d in TRIP_DAYS:
        return "dry"  # the designed days stand out against dry ones (RAINY_DAY is handled in _day)
    r = rng.random()
    return "dry" if r < 0.6 else "showery" if r < 0.88 else "rainy"


@functools.lru_cache(maxsize=1)
def _generate() -> Forecast:
    catalog = load_demo_catalog()
    cities = []
    for c in catalog.cities:
        rng = random.Random(f"{SEED}/weather/{c.name}")
        # a city's climate: cooler at the coast and in the north-west, warmer inland to the south
        offset = round((52.5 - c.lat) * 0.6 + (c.lon - 10) * 0.15, 1)
        base = 16.0 + offset
        hourly: list[HourlyWeather] = []
        daily: list[DailyWeather] = []
        for i in range(DEMO_DAYS):
            d = DEMO_START + timedelta(days=i)
            base = round(0.7 * base + 0.3 * (16.0 + offset) + rng.gauss(0, 1.5) + 0.03 * i, 2)  # a slow warm-up
            regime = _regime(rng, c.name, d)
            hours = _day(rng, c.name, d, regime, base)
            hourly += hours
            daily.append(DailyWeather(date=d, **_aggregate(hours)))
        cities.append(CityForecast(city=c.name, latitude=c.lat, longitude=c.lon, timezone=c.timezone,
                                   hourly=hourly, daily=daily))
    return Forecast(source="demo", issued=datetime(2026, 5, 31, 6, 0), cities=cities)


def demo_forecast(cities: Iterable[str] | None = None, start: date | None = None,
                  end: date | None = None) -> Forecast:
    """The demo forecast: every demo city (or ``cities``), 1 June to 5 July 2026 (or
    ``start`` to ``end``, both included); a fresh copy on every call."""
    full = _generate()
    if cities is None and start is None and end is None:
        return full.model_copy(deep=True)
    names = [c.city for c in full.cities] if cities is None else list(cities)
    last = DEMO_START + timedelta(days=DEMO_DAYS - 1)
    return full.restrict(names, start or DEMO_START, end or last).model_copy(deep=True)
