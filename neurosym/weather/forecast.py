"""The :class:`Forecast` model: the weather per city, by hour and by day.

Plain data with a JSON round-trip (``Forecast.model_validate_json(f.model_dump_json())
== f``). Units are fixed: precipitation in mm, temperature in °C, wind in km/h,
probabilities in percent (0-100); condition codes are WMO weather codes (the codes
Open-Meteo and most national services use; :func:`condition_text` names them).

Times are local wall-clock times of the city (as catalog times are): an hourly value
at ``time`` covers ``[time, time + 1 h)``.

The weather over a part of a day (a visit from 14:30 to 16:00), as the web app shows
it: :meth:`Forecast.over` gives it as a :class:`WeatherSpan`, from the hours that
overlap the interval, or from the day's values when the forecast has no hours for that
day. (The weather rules read the hours of a trip day through
:func:`neurosym.weather.exposure.day_hours`.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..catalog import Model as _Model, clock

#: WMO weather interpretation codes (WW), as used by Open-Meteo.
WMO_CODES: dict[int, str] = {
    0: "clear sky", 1: "mainly clear", 2: "partly cloudy", 3: "overcast",
    45: "fog", 48: "depositing rime fog",
    51: "light drizzle", 53: "moderate drizzle", 55: "dense drizzle",
    56: "light freezing drizzle", 57: "dense freezing drizzle",
    61: "slight rain", 63: "moderate rain", 65: "heavy rain",
    66: "light freezing rain", 67: "heavy freezing rain",
    71: "slight snowfall", 73: "moderate snowfall", 75: "heavy snowfall", 77: "snow grains",
    80: "slight rain showers", 81: "moderate rain showers", 82: "violent rain showers",
    85: "slight snow showers", 86: "heavy snow showers",
    95: "thunderstorm", 96: "thunderstorm with slight hail", 99: "thunderstorm with heavy hail",
}

#: Codes with precipitation (drizzle, rain, snow, showers, thunderstorms).
WET_CODES = frozenset(c for c in WMO_CODES if c >= 51)


def condition_text(code: int | None) -> str:
    """The WMO code in words (``63`` -> ``"moderate rain"``); ``"unknown"`` for ``None``."""
    if code is None:
        return "unknown"
    return WMO_CODES.get(code, f"weather code {code}")


class HourlyWeather(_Model):
    """The weather of one hour, ``[time, time + 1 h)``, local time."""

    time: datetime
    precipitation_probability: int | None = Field(default=None, ge=0, le=100, description="percent")
    precipitation: float | None = Field(default=None, ge=0, description="mm in the hour")
    temperature: float | None = Field(default=None, ge=-90, le=60, description="°C at 2 m")
    wind_speed: float | None = Field(default=None, ge=0, description="km/h at 10 m")
    weather_code: int | None = Field(default=None, ge=0, le=99, description="WMO code")

    @field_validator("time")
    @classmethod
    def _on_the_hour(cls, t: datetime) -> datetime:
        if t.minute or t.second or t.microsecond or t.tzinfo is not None:
            raise ValueError(f"{t.isoformat()} must be a local time on the hour (no time zone)")
        return t


class DailyWeather(_Model):
    """The weather of one day: the day's maxima, minima and sums."""

    date: date
    precipitation_probability_max: int | None = Field(default=None, ge=0, le=100, description="percent")
    precipitation_sum: float | None = Field(default=None, ge=0, description="mm")
    temperature_max: float | None = Field(default=None, ge=-90, le=60, description="°C")
    temperature_min: float | None = Field(default=None, ge=-90, le=60, description="°C")
    wind_speed_max: float | None = Field(default=None, ge=0, description="km/h")
    weather_code: int | None = Field(default=None, ge=0, le=99, description="WMO code (the day's most severe)")

    @property
    def condition(self) -> str:
        return condition_text(self.weather_code)

    @model_validator(mode="after")
    def _min_max(self) -> "DailyWeather":
        lo, hi = self.temperature_min, self.temperature_max
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"temperature_min {lo} is above temperature_max {hi}")
        return self


class CityForecast(_Model):
    """The forecast of one city: hours and/or days, each list in time order, no repeats."""

    city: str = Field(min_length=1)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    timezone: str | None = None
    hourly: list[HourlyWeather] = Field(default_factory=list)
    daily: list[DailyWeather] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> "CityForecast":
        for name, keys in (("hourly", [h.time for h in self.hourly]), ("daily", [d.date for d in self.daily])):
            for i in range(1, len(keys)):
                if keys[i] <= keys[i - 1]:
                    raise ValueError(f"{name}[{i}] ({keys[i].isoformat()}) is not after {name}[{i - 1}] "
                                     f"({keys[i - 1].isoformat()}): times must increase")
        return self

    def dates(self) -> list[date]:
        """Every date with hourly or daily values."""
        return sorted({h.time.date() for h in self.hourly} | {d.date for d in self.daily})


class WeatherSpan(_Model):
    """The weather over an interval of one day in one city (see :meth:`Forecast.over`).

    Maxima and sums over the hours that overlap the interval (an hour counts if any of
    it does); ``resolution`` says whether they come from hours or from the day's values
    (then they are the whole day's). A value is ``None`` when the forecast lacks it.
    """

    city: str
    date: date
    start: int = Field(description="minutes after midnight")
    end: int = Field(description="minutes after midnight (after start)")
    resolution: Literal["hourly", "daily"]
    hours: list[HourlyWeather] = Field(default_factory=list)
    precipitation_probability_max: int | None = None
    precipitation_sum: float | None = None
    temperature_max: float | None = None
    temperature_min: float | None = None
    wind_speed_max: float | None = None
    weather_code: int | None = Field(default=None, description="the highest (most severe) WMO code in the span")

    @property
    def condition(self) -> str:
        return condition_text(self.weather_code)

    def text(self) -> str:
        """One line: ``"70% rain, 4.2 mm, 14-17 °C, wind 20 km/h, moderate rain (14:00-17:00)"``."""
        parts = []
        if self.precipitation_probability_max is not None:
            parts.append(f"{self.precipitation_probability_max}% rain")
        if self.precipitation_sum is not None:
            parts.append(f"{self.precipitation_sum:.1f} mm")
        if self.temperature_min is not None and self.temperature_max is not None:
            lo, hi = round(self.temperature_min), round(self.temperature_max)
            parts.append(f"{lo} °C" if lo == hi else f"{lo}-{hi} °C")
        if self.wind_speed_max is not None:
            parts.append(f"wind {round(self.wind_speed_max)} km/h")
        if self.weather_code is not None:
            parts.append(self.condition)
        when = "all day" if self.resolution == "daily" else f"{clock(self.start)}-{clock(self.end)}"
        return f"{', '.join(parts) or 'no data'} ({when})"


class Forecast(_Model):
    """Weather forecasts per city (see the module docstring for units and times).

    ``source`` says where it came from (``demo``, ``file:...``, ``open-meteo``);
    ``issued`` when it was made (or fetched); ``notes`` anything a reader should know
    (a stale cache, a city without data).
    """

    source: str = "unknown"
    issued: datetime | None = None
    cities: list[CityForecast] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "Forecast":
        seen: set[str] = set()
        for i, c in enumerate(self.cities):
            if c.city in seen:
                raise ValueError(f"cities[{i}]: city {c.city!r} is listed twice")
            seen.add(c.city)
        return self

    # -- lookups -----------------------------------------------------------------------
    def city(self, name: str) -> CityForecast | None:
        """The forecast of a city, or ``None`` when it has none."""
        return next((c for c in self.cities if c.city == name), None)

    def covers(self, city: str, day: date) -> bool:
        """Whether there are hourly or daily values for ``city`` on ``day``."""
        c = self.city(city)
        return c is not None and day in c.dates()

    def hours(self, city: str, day: date) -> list[HourlyWeather]:
        """The hourly values of ``city`` on ``day``, in time order (may be empty)."""
        c = self.city(city)
        return [] if c is None else [h for h in c.hourly if h.time.date() == day]

    def day(self, city: str, day: date) -> DailyWeather | None:
        """The day's values: the forecast's own daily values where it has them, else
        aggregated from the day's hours; ``None`` without any data for that day."""
        c = self.city(city)
        if c is None:
            return None
        own = next((d for d in c.daily if d.date == day), None)
        if own is not None:
            return own
        hours = self.hours(city, day)
        if not hours:
            return None
        agg = _aggregate(hours)
        return DailyWeather(date=day, **agg)

    def over(self, city: str, day: date, start: int, end: int) -> WeatherSpan | None:
        """The weather in ``city`` on ``day`` between ``start`` and ``end`` (minutes after
        midnight; ``end`` may pass midnight, as catalog times do: ``25*60`` is 01:00 the
        next day). From the hours overlapping the interval when the forecast has them,
        else from the day's values; ``None`` when it has neither."""
        if end <= start:
            raise ValueError(f"end ({end}) must be after start ({start})")
        if start < 0:
            raise ValueError(f"start ({start}) must not be negative")
        c = self.city(city)
        if c is None:
            return None
        t0 = datetime.combine(day, datetime.min.time()) + timedelta(minutes=start)
        t1 = datetime.combine(day, datetime.min.time()) + timedelta(minutes=end)
        hours = [h for h in c.hourly if h.time < t1 and h.time + timedelta(hours=1) > t0]
        if hours:
            return WeatherSpan(city=city, date=day, start=start, end=end, resolution="hourly", hours=hours,
                               **_aggregate(hours))
        d = self.day(city, day)
        if d is None:
            return None
        return WeatherSpan(city=city, date=day, start=start, end=end, resolution="daily",
                           precipitation_probability_max=d.precipitation_probability_max,
                           precipitation_sum=d.precipitation_sum, temperature_max=d.temperature_max,
                           temperature_min=d.temperature_min, wind_speed_max=d.wind_speed_max,
                           weather_code=d.weather_code)

    def missing(self, cities: Iterable[str], days: Iterable[date]) -> list[tuple[str, date]]:
        """The (city, day) pairs of a trip that the forecast has no values for."""
        days = list(days)
        return [(c, d) for c in cities for d in days if not self.covers(c, d)]

    def restrict(self, cities: Iterable[str], start: date, end: date) -> "Forecast":
        """The forecast for these cities from ``start`` to ``end`` (both included)."""
        wanted = list(cities)
        out = []
        for c in self.cities:
            if c.city not in wanted:
                continue
            out.append(c.model_copy(update={
                "hourly": [h for h in c.hourly if start <= h.time.date() <= end],
                "daily": [d for d in c.daily if start <= d.date <= end]}))
        return self.model_copy(update={"cities": out})


def _aggregate(hours: list[HourlyWeather]) -> dict[str, float | int | None]:
    def vals(attr: str) -> list:
        return [getattr(h, attr) for h in hours if getattr(h, attr) is not None]

    prob, rain, temp = vals("precipitation_probability"), vals("precipitation"), vals("temperature")
    wind, codes = vals("wind_speed"), vals("weather_code")
    return {"precipitation_probability_max": max(prob) if prob else None,
            "precipitation_sum": round(sum(rain), 2) if rain else None,
            "temperature_max": max(temp) if temp else None,
            "temperature_min": min(temp) if temp else None,
            "wind_speed_max": max(wind) if wind else None,
            "weather_code": max(codes) if codes else None}  # WMO codes rise with severity
