"""Forecasts as data: the model, the file / Open-Meteo / demo providers, the demo forecast.

The Open-Meteo provider is tested against a real HTTP server on a free local port that
answers with the responses saved in ``tests/data/open_meteo`` (see its README); a guard
refuses every connection that is not to this machine, so nothing here reaches the
internet.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from neurosym.catalog import City
from neurosym.demo import DEMO_DESTINATIONS, demo_request, load_demo_catalog
from neurosym.weather import (DemoProvider, FileProvider, Forecast, ForecastError, ForecastUnavailable,
                              OpenMeteoProvider, load_forecast, parse_open_meteo, save_forecast, trip_forecast)

DATA = Path(__file__).parent / "data" / "open_meteo"
DRESDEN = City(name="Dresden", lat=51.0504, lon=13.7373, timezone="Europe/Berlin")
MUNICH = City(name="Munich", lat=48.1374, lon=11.5755, timezone="Europe/Berlin")
START, END = date(2026, 6, 15), date(2026, 6, 19)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Refuse any connection that is not to this machine (the providers must never go out)."""
    real = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise OSError(f"test guard: no connection to {host} allowed")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)


def _raw(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# -- the model ----------------------------------------------------------------------------

def test_parse_iso_response_and_over_an_interval():
    raw = _raw("dresden_2026-06-15.json")
    f = Forecast(source="test", cities=[parse_open_meteo(raw, "Dresden")])
    c = f.city("Dresden")
    assert len(c.hourly) == len(raw["hourly"]["time"]) == 120 and len(c.daily) == 5
    assert c.hourly[0].time == datetime(2026, 6, 15, 0, 0) and c.timezone == "Europe/Berlin"
    # a visit from 14:30 to 16:00 on the rainy day covers the hours 14:00 and 15:00
    span = f.over("Dresden", date(2026, 6, 17), 14 * 60 + 30, 16 * 60)
    i = raw["hourly"]["time"].index("2026-06-17T14:00")
    assert span.resolution == "hourly" and [h.time.hour for h in span.hours] == [14, 15]
    assert span.precipitation_probability_max == max(raw["hourly"]["precipitation_probability"][i:i + 2])
    assert span.precipitation_sum == pytest.approx(sum(raw["hourly"]["precipitation"][i:i + 2]))
    assert span.temperature_max == max(raw["hourly"]["temperature_2m"][i:i + 2])
    assert span.weather_code == max(raw["hourly"]["weather_code"][i:i + 2])
    assert span.precipitation_probability_max >= 75 and "rain" in span.text() and "14:30-16:00" in span.text()
    # the day's own values come from the daily arrays
    d = f.day("Dresden", date(2026, 6, 17))
    assert d.precipitation_probability_max == raw["daily"]["precipitation_probability_max"][2]
    assert d.temperature_min == raw["daily"]["temperature_2m_min"][2]
    # an interval past midnight reaches into the next day's hours
    late = f.over("Dresden", date(2026, 6, 15), 23 * 60, 25 * 60)
    assert [h.time for h in late.hours] == [datetime(2026, 6, 15, 23), datetime(2026, 6, 16, 0)]
    assert f.over("Berlin", date(2026, 6, 15), 600, 700) is None
    with pytest.raises(ValueError, match="after start"):
        f.over("Dresden", date(2026, 6, 15), 600, 600)


def test_parse_unixtime_fahrenheit_and_nulls():
    raw = _raw("leipzig_2026-06-15_unixtime_fahrenheit.json")
    c = parse_open_meteo(raw, "Leipzig")
    # unix times are UTC: shifted by utc_offset_seconds they start at local midnight
    assert c.hourly[0].time == datetime(2026, 6, 15, 0, 0) and c.daily[0].date == date(2026, 6, 15)
    f0 = raw["hourly"]["temperature_2m"][13]
    assert c.hourly[13].temperature == pytest.approx((f0 - 32) * 5 / 9, abs=0.01)
    assert c.hourly[13].wind_speed == pytest.approx(raw["hourly"]["wind_speed_10m"][13] * 3.6, abs=0.01)
    assert raw["hourly"]["precipitation_probability"][100] is None and c.hourly[100].precipitation_probability is None
    # a span over hours without a probability reports none rather than inventing one
    span = Forecast(cities=[c]).over("Leipzig", date(2026, 6, 19), 10 * 60, 12 * 60)
    assert span.precipitation_probability_max is None and span.temperature_max is not None


def test_bad_responses_name_the_field():
    with pytest.raises(ForecastUnavailable, match="out of allowed range"):
        parse_open_meteo(_raw("error_out_of_range.json"), "Dresden")
    raw = _raw("dresden_2026-06-15.json")
    raw["hourly"]["temperature_2m"] = raw["hourly"]["temperature_2m"][:-1]
    with pytest.raises(ForecastError, match=r"hourly\.temperature_2m: expected an array of 120"):
        parse_open_meteo(raw, "Dresden")
    raw = _raw("dresden_2026-06-15.json")
    raw["hourly_units"]["wind_speed_10m"] = "furlongs/fortnight"
    with pytest.raises(ForecastError, match="unknown unit 'furlongs/fortnight'"):
        parse_open_meteo(raw, "Dresden")
    raw = _raw("dresden_2026-06-15.json")
    raw["hourly"]["time"][3] = "yesterday"
    with pytest.raises(ForecastError, match=r"hourly\.time\[3\]"):
        parse_open_meteo(raw, "Dresden")


def test_forecast_json_round_trip_and_file_provider(tmp_path):
    f = Forecast(source="open-meteo", cities=[parse_open_meteo(_raw("dresden_2026-06-15.json"), "Dresden")])
    path = tmp_path / "forecast.json"
    save_forecast(f, path)
    assert load_forecast(path) == f == Forecast.model_validate_json(f.model_dump_json())
    # the trip asks for Dresden and Munich: the file has only Dresden, and the note says so
    weather = trip_forecast(FileProvider(path), load_demo_catalog(), ["Dresden", "Munich"], START, END)
    assert weather.available and weather.forecast.city("Dresden") is not None
    assert [d for c, d in weather.missing if c == "Munich"] == [START + timedelta(days=i) for i in range(5)]
    assert "No forecast for Munich on Mon 15 Jun" in weather.note
    # a broken file is an error that names the file and the field, not a silent empty forecast
    bad = json.loads(path.read_text())
    bad["cities"][0]["hourly"][5]["precipitation_probability"] = 140
    path.write_text(json.dumps(bad))
    with pytest.raises(ForecastError, match=r"forecast\.json: field cities\.0\.hourly\.5\.precipitation_probability"):
        load_forecast(path)
    path.write_text("{\n  \"cities\": [,\n")
    with pytest.raises(ForecastError, match=r"forecast\.json:2:\d+: invalid JSON"):
        FileProvider(path).forecast([DRESDEN], START, END)


# -- Open-Meteo over HTTP, from a local server ----------------------------------------------

class _Recorded(BaseHTTPRequestHandler):
    """Answers /v1/forecast with the saved response of the city nearest the coordinates."""

    files = {(51.0504, 13.7373): "dresden_2026-06-15.json", (48.1374, 11.5755): "munich_2026-06-15.json"}
    hits: list[str] = []
    mode = "ok"

    def do_GET(self):  # noqa: N802 (the http.server API)
        type(self).hits.append(self.path)
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        if type(self).mode == "down":
            return self._send(503, {"error": True, "reason": "service unavailable"})
        if url.path != "/v1/forecast" or q.get("start_date") != ["2026-06-15"]:
            return self._send(400, _raw("error_out_of_range.json"))
        key = (float(q["latitude"][0]), float(q["longitude"][0]))
        assert set(q["hourly"][0].split(",")) >= {"precipitation_probability", "weather_code"}
        return self._send(200, _raw(self.files[key]))

    def _send(self, code: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def open_meteo_server():
    _Recorded.hits, _Recorded.mode = [], "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/v1/forecast"
    server.shutdown()
    server.server_close()
    thread.join()


def test_open_meteo_fetches_caches_and_falls_back(open_meteo_server, tmp_path):
    server, url = open_meteo_server
    p = OpenMeteoProvider(url, cache_dir=tmp_path / "cache")
    f = p.forecast([DRESDEN, MUNICH], START, END)
    assert len(_Recorded.hits) == 2 and f.source == "open-meteo" and not f.notes
    assert f.day("Dresden", date(2026, 6, 17)).precipitation_probability_max >= 75
    assert [h.time.date() for h in f.city("Munich").hourly][::24] == [START + timedelta(days=i) for i in range(5)]
    # asked again: served from the cache, the service is not asked
    again = OpenMeteoProvider(url, cache_dir=tmp_path / "cache").forecast([DRESDEN, MUNICH], START, END)
    assert len(_Recorded.hits) == 2 and again.cities == f.cities
    # the service fails and the cache is old: the old response is used, and the notes say so
    _Recorded.mode = "down"
    stale = OpenMeteoProvider(url, cache_dir=tmp_path / "cache", max_age=0).forecast([DRESDEN], START, END)
    assert len(_Recorded.hits) == 3 and stale.city("Dresden").hourly == f.city("Dresden").hourly
    assert "could not be reached (HTTP 503: service unavailable)" in stale.notes[0]
    # ... and with no cache at all, no forecast: the trip is planned without weather, and says so
    weather = trip_forecast(OpenMeteoProvider(url, cache_dir=tmp_path / "empty"), load_demo_catalog(),
                            ["Dresden"], START, END)
    assert not weather.available and weather.note.startswith("No forecast: Open-Meteo could not be reached")
    assert weather.note.endswith("Planned without weather.")
    # a provider that just failed does not ask again at once (each plan would wait for it)
    p = OpenMeteoProvider(url, cache_dir=tmp_path / "empty")
    for _ in range(2):
        with pytest.raises(ForecastUnavailable, match="HTTP 503"):
            p.forecast([DRESDEN], START, END)
    assert p.requests == 1


def test_open_meteo_refusal_and_unreachable_service(open_meteo_server, tmp_path):
    _server, url = open_meteo_server
    with pytest.raises(ForecastUnavailable, match=r"refused the request for Dresden \(HTTP 400\): "
                                                  r"Parameter 'start_date' is out of allowed range"):
        OpenMeteoProvider(url, cache_dir=tmp_path).forecast([DRESDEN], date(2026, 9, 1), date(2026, 9, 3))
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/v1/forecast"
    with pytest.raises(ForecastUnavailable, match=r"could not be reached at http://127\.0\.0\.1:\d+/v1/forecast "
                                                  r"\(.*refused.*\) and no forecast for Dresden is cached"):
        OpenMeteoProvider(closed, cache_dir=tmp_path, timeout=2).forecast([DRESDEN], START, END)


# -- the demo forecast ---------------------------------------------------------------------

def test_demo_forecast_has_a_rainy_day_where_the_demo_trip_goes():
    from neurosym.demo.forecast import RAINY_DAY, RAINY_HOURS
    req = demo_request()
    weather = trip_forecast(DemoProvider(), load_demo_catalog(), req.destinations, req.start, req.end)
    assert weather.available and weather.note is None
    f = weather.forecast
    assert req.start <= RAINY_DAY <= req.end
    # whichever two destinations the plan takes, the traveller spends trip day 3 in one of them
    assert (RAINY_DAY - req.start).days + 1 == 3 and req.n_cities == 2 and req.n_days == 5
    for city in DEMO_DESTINATIONS:
        rain = f.over(city, RAINY_DAY, RAINY_HOURS.start * 60, RAINY_HOURS.stop * 60)
        assert rain.precipitation_probability_max >= 80 and all(h.precipitation_probability >= 80 for h in rain.hours)
        assert rain.precipitation_sum >= 10 and rain.weather_code >= 61
        for d in range(req.n_days):
            day = req.day_date(d + 1)
            if day != RAINY_DAY:
                assert f.day(city, day).precipitation_probability_max <= 20, (city, day)


def test_demo_forecast_is_deterministic():
    from neurosym.demo.forecast import demo_forecast
    here = hashlib.sha256(demo_forecast().model_dump_json().encode()).hexdigest()
    code = ("import hashlib; from neurosym.demo.forecast import demo_forecast; "
            "print(hashlib.sha256(demo_forecast().model_dump_json().encode()).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONHASHSEED": "12345"})
    assert out.stdout.strip() == here
    whole = demo_forecast()
    assert len(whole.cities) == len(load_demo_catalog().cities)
    assert all(len(c.hourly) == 35 * 24 and c.hourly[0].time.time() == time(0) for c in whole.cities)
