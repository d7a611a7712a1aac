"""Weather forecasts as data: the :class:`Forecast` model and where forecasts come from.

>>> from neurosym.weather import OpenMeteoProvider, trip_forecast
>>> weather = trip_forecast(OpenMeteoProvider(), catalog, ["Dresden"], start, end)
>>> weather.forecast.over("Dresden", start, 14 * 60, 17 * 60).text()   # a visit's hours
'70% rain, 4.2 mm, 14-17 °C, wind 20 km/h, moderate rain (14:00-17:00)'

See ``docs/weather.md``. The planner reads a forecast through :mod:`.exposure` (the
hours of each trip day, for ``rules/weather.lp`` and the verifier); the web app shows
:meth:`Forecast.over` next to each event.
"""

from .forecast import (WMO_CODES, CityForecast, DailyWeather, Forecast, HourlyWeather, WeatherSpan,
                       condition_text)
from .providers import (OPEN_METEO_URL, DemoProvider, FileProvider, ForecastError, ForecastProvider,
                        ForecastUnavailable, OpenMeteoProvider, TripWeather, load_forecast, parse_open_meteo,
                        save_forecast, trip_forecast)

__all__ = ["CityForecast", "DailyWeather", "DemoProvider", "FileProvider", "Forecast", "ForecastError",
           "ForecastProvider", "ForecastUnavailable", "HourlyWeather", "OPEN_METEO_URL", "OpenMeteoProvider",
           "TripWeather", "WMO_CODES", "WeatherSpan", "condition_text", "load_forecast", "parse_open_meteo",
           "save_forecast", "trip_forecast"]
