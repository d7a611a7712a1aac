"""Where forecasts come from: providers behind one small interface.

A provider has a ``name`` and one method, ``forecast(cities, start, end)``, that
returns a :class:`~neurosym.weather.Forecast` for those catalog cities from ``start``
to ``end`` (dates, both included) or raises :class:`ForecastUnavailable` saying why.

- :class:`FileProvider`: a JSON file in the library's own layout (``Forecast``).
- :class:`OpenMeteoProvider`: the Open-Meteo forecast API (``/v1/forecast``), with a
  file cache; it reads the API's JSON (hourly and daily arrays, see
  :func:`parse_open_meteo`).
- :class:`DemoProvider`: the deterministic demo forecast (:func:`neurosym.demo.demo_forecast`).

:func:`trip_forecast` asks a provider for a trip's cities and dates and never raises
for a forecast that cannot be had: it returns :class:`TripWeather` with no forecast
and a note saying so, and the trip is planned without weather.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Protocol

from pydantic import Field, ValidationError

from ..catalog import Catalog, City, Model as _Model
from .forecast import CityForecast, DailyWeather, Forecast, HourlyWeather

log = logging.getLogger("neurosym.weather")


class ForecastError(Exception):
    """A forecast could not be read: the message names the file or source and the field."""


class ForecastUnavailable(ForecastError):
    """No forecast can be had (the service cannot be reached, or has no data for the trip)."""


class ForecastProvider(Protocol):
    """Anything with a ``name`` and ``forecast(cities, start, end) -> Forecast``."""

    name: str

    def forecast(self, cities: Sequence[City], start: date, end: date) -> Forecast: ...


# -- the library's own layout -------------------------------------------------------------

def load_forecast(path: str | Path) -> Forecast:
    """Read a forecast JSON file; :class:`ForecastError` names the file and the field."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ForecastError(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ForecastError(f"{p}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    try:
        return Forecast.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more errors)" if exc.error_count() > 1 else ""
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ForecastError(f"{p}: field {loc}: {msg}{more}") from None


def save_forecast(forecast: Forecast, path: str | Path) -> None:
    """Write a forecast as JSON (read it back with :func:`load_forecast`)."""
    Path(path).write_text(forecast.model_dump_json(indent=1), encoding="utf-8")


class FileProvider:
    """Forecasts from a JSON file in the library's layout (a :class:`Forecast`).

    The file is read on each call (it may be updated between plans).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.name = f"file:{self.path.name}"

    def forecast(self, cities: Sequence[City], start: date, end: date) -> Forecast:
        f = load_forecast(self.path)
        names = [c.name for c in cities]
        out = f.restrict(names, start, end)
        if not any(c.hourly or c.daily for c in out.cities):
            raise ForecastUnavailable(f"{self.path}: no forecast for {', '.join(names)} from {start} to {end}")
        return out.model_copy(update={"source": f.source if f.source != "unknown" else self.name})


class DemoProvider:
    """The demo forecast: deterministic, for the demo catalog's cities and dates."""

    name = "demo"

    def forecast(self, cities: Sequence[City], start: date, end: date) -> Forecast:
        from ..demo.forecast import demo_forecast
        names = [c.name for c in cities]
        out = demo_forecast(names, start, end)
        if not any(c.hourly or c.daily for c in out.cities):
            raise ForecastUnavailable(f"the demo forecast has nothing for {', '.join(names)} from {start} to {end}")
        return out


# -- Open-Meteo ----------------------------------------------------------------------------

OPEN_METEO_URL = "https://api.open-meteo.com/v1/forecast"

#: Hourly and daily Open-Meteo variables asked for, and the model field each one fills.
OPEN_METEO_HOURLY = {"precipitation_probability": "precipitation_probability", "precipitation": "precipitation",
                     "temperature_2m": "temperature", "wind_speed_10m": "wind_speed",
                     "weather_code": "weather_code"}
OPEN_METEO_DAILY = {"precipitation_probability_max": "precipitation_probability_max",
                    "precipitation_sum": "precipitation_sum", "temperature_2m_max": "temperature_max",
                    "temperature_2m_min": "temperature_min", "wind_speed_10m_max": "wind_speed_max",
                    "weather_code": "weather_code"}
# Older responses spell some variables without the underscore (weathercode, windspeed_10m).
_OLD_NAMES = {"weathercode": "weather_code", "windspeed_10m": "wind_speed_10m",
              "windspeed_10m_max": "wind_speed_10m_max"}

# Unit conversions into the model's units (°C, km/h, mm, %), by the unit strings the API prints.
_CONVERT = {
    "°C": lambda x: x, "°F": lambda x: (x - 32) * 5 / 9,
    "km/h": lambda x: x, "m/s": lambda x: x * 3.6, "mp/h": lambda x: x * 1.609344, "mph": lambda x: x * 1.609344,
    "kn": lambda x: x * 1.852,
    "mm": lambda x: x, "inch": lambda x: x * 25.4,
    "%": lambda x: x, "wmo code": lambda x: x,
}


def parse_open_meteo(data: Any, city: str, source: str = "Open-Meteo") -> CityForecast:
    """One city's :class:`CityForecast` from an Open-Meteo ``/v1/forecast`` JSON response.

    Reads ``hourly``/``daily`` (arrays keyed by variable, with a ``time`` array) and
    their ``*_units``; times in ``iso8601`` (local, as ``timezone`` asks) or ``unixtime``
    (shifted by ``utc_offset_seconds`` to local time); converts °F, m/s, mph, kn and
    inch into °C, km/h and mm; ``null`` values become ``None``. Raises
    :class:`ForecastError` naming ``source`` and the field.
    """
    if not isinstance(data, dict):
        raise ForecastError(f"{source}: the response is not a JSON object")
    if data.get("error"):
        raise ForecastUnavailable(f"{source} refused the request for {city}: {data.get('reason', 'no reason given')}")
    offset = data.get("utc_offset_seconds", 0)
    if not isinstance(offset, int):
        raise ForecastError(f"{source}: field utc_offset_seconds: not an integer")
    hourly = _columns(data, "hourly", OPEN_METEO_HOURLY, source, offset, daily=False)
    daily = _columns(data, "daily", OPEN_METEO_DAILY, source, offset, daily=True)
    if not hourly and not daily:
        raise ForecastError(f"{source}: the response for {city} has neither hourly nor daily values")
    try:
        return CityForecast(city=city, latitude=data.get("latitude"), longitude=data.get("longitude"),
                            timezone=data.get("timezone"),
                            hourly=[HourlyWeather(**row) for row in hourly],
                            daily=[DailyWeather(**row) for row in daily])
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise ForecastError(f"{source}: the response for {city} has a bad value at {loc}: {err['msg']}") from None


def _columns(data: dict, block: str, wanted: dict[str, str], source: str, offset: int,
             daily: bool) -> list[dict[str, Any]]:
    cols = data.get(block)
    if cols is None:
        return []
    if not isinstance(cols, dict) or not isinstance(cols.get("time"), list):
        raise ForecastError(f"{source}: field {block}.time: missing, or not an array")
    units = data.get(f"{block}_units") or {}
    times = [_time(t, offset, daily, f"{source}: field {block}.time[{i}]") for i, t in enumerate(cols["time"])]
    rows: list[dict[str, Any]] = [{"date" if daily else "time": t} for t in times]
    for name, values in cols.items():
        var = _OLD_NAMES.get(name, name)
        if var not in wanted:
            continue
        where = f"{source}: field {block}.{name}"
        if not isinstance(values, list) or len(values) != len(times):
            raise ForecastError(f"{where}: expected an array of {len(times)} values, like {block}.time")
        unit = units.get(name, _default_unit(var))
        convert = _CONVERT.get(unit)
        if convert is None:
            raise ForecastError(f"{where}: unknown unit {unit!r}")
        field = wanted[var]
        for row, v in zip(rows, values):
            if v is None:
                row[field] = None
            elif not isinstance(v, (int, float)) or isinstance(v, bool):
                raise ForecastError(f"{where}: {v!r} is not a number")
            elif field in ("precipitation_probability", "precipitation_probability_max", "weather_code"):
                row[field] = int(round(v))
            else:
                row[field] = round(convert(float(v)), 2)
    return rows


def _default_unit(var: str) -> str:
    if var.startswith("temperature"):
        return "°C"
    if var.startswith("wind"):
        return "km/h"
    if var.startswith("precipitation_probability"):
        return "%"
    if var.startswith("precipitation"):
        return "mm"
    return "wmo code"


def _time(t: Any, offset: int, daily: bool, where: str) -> Any:
    if isinstance(t, int) and not isinstance(t, bool):  # timeformat=unixtime: UTC seconds
        local = datetime.fromtimestamp(t + offset, tz=timezone.utc).replace(tzinfo=None)
        return local.date() if daily else local
    if not isinstance(t, str):
        raise ForecastError(f"{where}: {t!r} is neither an ISO 8601 time nor a unix time")
    try:
        return date.fromisoformat(t) if daily else datetime.fromisoformat(t)
    except ValueError:
        raise ForecastError(f"{where}: {t!r} is not an ISO 8601 {'date' if daily else 'time'}") from None


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/neurosym/open-meteo`` (``~/.cache/...`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "neurosym" / "open-meteo"


class OpenMeteoProvider:
    """Forecasts from the Open-Meteo API, one request per city, cached on disk.

    ``url`` is the forecast endpoint (another Open-Meteo server, or a local one in
    tests). A response younger than ``max_age`` seconds is served from ``cache_dir``
    without asking the service; when the service cannot be reached, an older cached
    response is used and the forecast's ``notes`` say so; with none,
    :class:`ForecastUnavailable` says what failed. Nothing is fetched until
    :meth:`forecast` is called.
    """

    name = "open-meteo"

    def __init__(self, url: str = OPEN_METEO_URL, cache_dir: str | Path | None = None, *,
                 max_age: float = 3 * 3600, timeout: float = 10.0):
        self.url = url
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.max_age = max_age
        self.timeout = timeout
        self.requests = 0  # how many times the service was asked (for tests and logs)
        self.retry_after = 60.0  # after a failure, seconds before the service is asked again
        self._down: tuple[float, str] | None = None  # (monotonic time of the failure, why)

    def query_url(self, city: City, start: date, end: date) -> str:
        """The request URL for one city (local times in the city's time zone)."""
        params = {"latitude": f"{city.lat:.4f}", "longitude": f"{city.lon:.4f}",
                  "hourly": ",".join(OPEN_METEO_HOURLY), "daily": ",".join(OPEN_METEO_DAILY),
                  "timezone": city.timezone or "auto", "start_date": start.isoformat(), "end_date": end.isoformat()}
        return f"{self.url}?{urllib.parse.urlencode(params)}"

    def _cache_file(self, url: str) -> Path:
        return self.cache_dir / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".json")

    def _cached(self, url: str) -> tuple[dict, datetime] | None:
        path = self._cache_file(url)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            return entry["response"], datetime.fromisoformat(entry["fetched"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _store(self, url: str, response: dict) -> None:
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self._cache_file(url).with_suffix(".tmp")
            tmp.write_text(json.dumps({"url": url, "fetched": datetime.now(timezone.utc).isoformat(),
                                       "response": response}), encoding="utf-8")
            tmp.replace(self._cache_file(url))
        except OSError as exc:  # a cache that cannot be written costs a request next time, nothing more
            log.warning("cannot write the Open-Meteo cache in %s: %s", self.cache_dir, exc)

    def fetch(self, city: City, start: date, end: date) -> tuple[dict, str | None]:
        """The JSON response for one city, and a note when it is a stale cached one."""
        url = self.query_url(city, start, end)
        cached = self._cached(url)
        now = datetime.now(timezone.utc)
        if cached is not None and (now - cached[1]).total_seconds() < self.max_age:
            return cached[0], None
        if self._down is not None and time.monotonic() - self._down[0] < self.retry_after:
            # it failed a moment ago: do not make every plan wait for the same timeout
            return self._fall_back(url, cached, city, self._down[1])
        try:
            self.requests += 1
            req = urllib.request.Request(url, headers={"User-Agent": "neurosym", "Accept": "application/json"})
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read()
        except urllib.error.HTTPError as exc:
            reason = _reason(exc)
            if exc.code < 500:  # the service answered: the request itself is wrong (dates out of range, ...)
                raise ForecastUnavailable(f"Open-Meteo refused the request for {city.name} "
                                          f"(HTTP {exc.code}): {reason}") from None
            self._down = (time.monotonic(), f"HTTP {exc.code}: {reason}")
            return self._fall_back(url, cached, city, self._down[1])
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            self._down = (time.monotonic(), str(getattr(exc, "reason", exc)))
            return self._fall_back(url, cached, city, self._down[1])
        self._down = None
        try:
            data = json.loads(body)
        except ValueError:
            raise ForecastError(f"Open-Meteo sent a response for {city.name} that is not JSON") from None
        if isinstance(data, dict) and data.get("error"):
            raise ForecastUnavailable(f"Open-Meteo refused the request for {city.name}: "
                                      f"{data.get('reason', 'no reason given')}")
        self._store(url, data)
        return data, None

    def _fall_back(self, url: str, cached: tuple[dict, datetime] | None, city: City,
                   why: str) -> tuple[dict, str | None]:
        if cached is None:
            raise ForecastUnavailable(f"Open-Meteo could not be reached at {self.url} ({why}) "
                                      f"and no forecast for {city.name} is cached")
        when = cached[1].astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return cached[0], f"Open-Meteo could not be reached ({why}): the forecast for {city.name} is the one fetched {when}"

    def forecast(self, cities: Sequence[City], start: date, end: date) -> Forecast:
        out, notes = [], []
        for city in cities:
            data, note = self.fetch(city, start, end)
            out.append(parse_open_meteo(data, city.name, source=f"Open-Meteo ({city.name})"))
            if note:
                notes.append(note)
        return Forecast(source="open-meteo", issued=datetime.now(timezone.utc).replace(microsecond=0),
                        cities=out, notes=notes).restrict([c.name for c in cities], start, end)


def _reason(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read())
        return str(body.get("reason") or exc.reason)
    except (ValueError, AttributeError, OSError):
        return str(exc.reason)


# -- a trip's forecast -----------------------------------------------------------------------

class TripWeather(_Model):
    """The forecast for a trip, or why there is none (then the trip is planned without weather).

    ``note`` is for the traveller: no forecast at all, or the city-days without one.
    """

    forecast: Forecast | None = None
    source: str
    note: str | None = None
    missing: list[tuple[str, date]] = Field(default_factory=list)

    @property
    def available(self) -> bool:
        return self.forecast is not None


def trip_forecast(provider: ForecastProvider, catalog: Catalog, cities: Sequence[str], start: date,
                  end: date) -> TripWeather:
    """Ask ``provider`` for the forecast of ``cities`` (names in ``catalog``) from ``start``
    to ``end``. Never raises for a forecast that cannot be had: the result then has no
    forecast and a note ("no forecast: ...; planned without weather")."""
    known = []
    for name in cities:
        try:
            known.append(catalog.city(name))
        except KeyError:
            continue
    try:
        f = provider.forecast(known, start, end)
    except ForecastError as exc:
        log.warning("no forecast from %s: %s", provider.name, exc)
        return TripWeather(source=provider.name, note=f"No forecast: {exc}. Planned without weather.")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    missing = f.missing([c.name for c in known], days)
    notes = list(f.notes)
    if missing:
        by_city: dict[str, list[date]] = {}
        for c, d in missing:
            by_city.setdefault(c, []).append(d)
        notes.append("No forecast for " + "; ".join(
            f"{c} on {', '.join(d.strftime('%a %d %b') for d in ds)}" for c, ds in by_city.items())
            + ": planned without weather there")
    return TripWeather(forecast=f, source=provider.name, note=" ".join(notes) or None, missing=missing)
