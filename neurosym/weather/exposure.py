"""What the weather rules read from a forecast: its hours on a trip day, and what they
say about one outdoor visit.

The planner's facts (``rain/4``, ``temp/5`` in :mod:`neurosym.vocab`) and the
independent verifier both read a forecast through :func:`day_hours`, so they see the
same hours; each then applies the rules of ``rules/weather.lp`` on its own (clingo from
the facts, :func:`exposures` in plain Python for the verifier and the explanations).

A trip day's hours run from its midnight to 06:00 the next morning (``minute`` 0 to
1740), since a late visit may pass midnight, as catalog times do. Where the forecast has
hours, they are used as they are; a day it has only daily values for gets one hour per
hour of the day with the day's values (the day's highest chance of rain, its lowest and
highest temperature); an hour it has nothing for is left out (nothing is made up).
Temperatures are whole degrees (rounded half away from zero), as the rules compare them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from ..catalog import clock
from ..request import WeatherPolicy
from .forecast import Forecast

#: A trip day's hours run until this minute (06:00 the next morning).
DAY_HOURS_END = 30 * 60

WeatherRule = Literal["weather_rain", "weather_heat", "weather_cold"]


def whole_degrees(x: float) -> int:
    """A temperature as the rules compare it: whole degrees, rounded half away from zero."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


@dataclass(frozen=True)
class Hour:
    """The forecast of one hour ``[minute, minute + 60)`` of a trip day (minutes after its midnight)."""

    minute: int
    rain: int | None          # chance of rain, percent
    t_min: int | None         # °C, whole degrees (equal to t_max for an hourly value)
    t_max: int | None


def day_hours(forecast: Forecast, city: str, day: date) -> list[Hour]:
    """The hours of ``day`` in ``city`` from 00:00 to 06:00 the next morning (see the module docs)."""
    out: list[Hour] = []
    midnight = datetime.combine(day, datetime.min.time())
    for offset in (0, 1):
        d = day + timedelta(days=offset)
        hours = forecast.hours(city, d)
        if hours:
            for h in hours:
                minute = int((h.time - midnight).total_seconds() // 60)
                if minute < DAY_HOURS_END:
                    t = None if h.temperature is None else whole_degrees(h.temperature)
                    out.append(Hour(minute, h.precipitation_probability, t, t))
            continue
        daily = forecast.day(city, d)
        if daily is None:
            continue
        lo = None if daily.temperature_min is None else whole_degrees(daily.temperature_min)
        hi = None if daily.temperature_max is None else whole_degrees(daily.temperature_max)
        out += [Hour(offset * 1440 + 60 * k, daily.precipitation_probability_max, lo, hi)
                for k in range(24) if offset * 1440 + 60 * k < DAY_HOURS_END]
    return out


@dataclass(frozen=True)
class Exposure:
    """One weather rule that an outdoor visit would break: the hours of the visit that
    break it (``start``-``end``, minutes after the day's midnight) and the forecast's
    worst value over them (percent of rain, or °C)."""

    rule: WeatherRule
    value: int
    start: int
    end: int

    def text(self) -> str:
        """``"92% rain 14:00-17:00"``, ``"33 °C 14:00-16:00"``."""
        what = f"{self.value}% rain" if self.rule == "weather_rain" else f"{self.value} °C"
        return f"{what} {clock(self.start)}-{clock(self.end)}"


def exposures(hours: list[Hour], start: int, duration: int, policy: WeatherPolicy) -> list[Exposure]:
    """The weather rules an outdoor visit from ``start`` lasting ``duration`` minutes breaks
    (an hour counts when any of it overlaps the visit), under the traveller's ``policy``."""
    end = start + duration
    over = [h for h in hours if h.minute < end and h.minute + 60 > start]
    out: list[Exposure] = []

    def add(rule: WeatherRule, bad: list[Hour], value: int) -> None:
        if bad:
            out.append(Exposure(rule, value, min(h.minute for h in bad), max(h.minute for h in bad) + 60))

    if policy.rain_threshold is not None:
        wet = [h for h in over if h.rain is not None and h.rain >= policy.rain_threshold]
        add("weather_rain", wet, max((h.rain for h in wet), default=0))  # type: ignore[type-var]
    if duration >= policy.long_visit:
        if policy.heat_limit is not None:
            hot = [h for h in over if h.t_max is not None and h.t_max >= policy.heat_limit]
            add("weather_heat", hot, max((h.t_max for h in hot), default=0))  # type: ignore[type-var]
        if policy.cold_limit is not None:
            cold = [h for h in over if h.t_min is not None and h.t_min <= policy.cold_limit]
            add("weather_cold", cold, min((h.t_min for h in cold), default=0))  # type: ignore[type-var]
    return out


def penalty_share(found: list[Exposure]) -> int:
    """With ``risk="accept"``: the percent of its preference points a visit loses (the
    chance of rain; half in heat or cold; the larger share when both apply)."""
    return max((e.value if e.rule == "weather_rain" else 50 for e in found), default=0)
