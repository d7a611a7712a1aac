"""The web app's JSON API and its form handling, through Flask's test client, on the small
test catalog (plans in milliseconds). The browser tests (test_webapp_browser.py) drive the
real server; here every route's behaviour and error answers are checked quickly."""

from __future__ import annotations

import json

import pytest

from neurosym.explain import TraceEntry
from neurosym.itinerary import Itinerary
from neurosym.request import TripRequest
from neurosym.web import create_app

from conftest import small_catalog, small_request


@pytest.fixture(scope="module")
def client():
    app = create_app(small_catalog(), time_limit=3)
    with app.test_client() as c:
        yield c
    app.extensions["neurosym"]["runner"].shutdown()


def _plan(client, request: TripRequest, **more) -> dict:
    body = {"request": json.loads(request.model_dump_json()), "wait": True, **more}
    r = client.post("/api/plan", json=body)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_validation_errors_are_422_and_name_the_field(client):
    req = json.loads(small_request().model_dump_json())
    bad = {**req, "budget": -5, "travelers": {"adults": 0}}
    r = client.post("/api/plan", json={"request": bad})
    assert r.status_code == 422
    fields = {e["field"] for e in r.get_json()["errors"]}
    assert fields == {"request.budget", "request.travelers.adults"}
    # an error of the request as a whole names the request
    r = client.post("/api/plan", json={"request": {**req, "end": req["start"]}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "request"
    assert "end must be after start" in r.get_json()["message"]
    # a city the catalog lacks, an unknown option, a body that is not JSON
    r = client.post("/api/plan", json={"request": {**req, "destinations": ["Atlantis"]}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "request.destinations"
    r = client.post("/api/plan", json={"request": req, "speed": "fast"})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "speed"
    r = client.post("/api/plan", data="budget=5", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400 and r.get_json()["error"] == "bad_json"
    r = client.post("/api/plan", data="[" * 100_000, content_type="application/json")
    assert r.status_code == 400 and "nested too deeply" in r.get_json()["errors"][0]["message"]
    r = client.post("/api/plan", json={"request": req, "history": {"name": "x", "items": [{"kind": "hotel"}]}})
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"].startswith("history.items.0")


def test_plan_explain_and_verify_through_the_api(client):
    req = small_request()
    job = _plan(client, req)
    assert job["status"] == "planned" and job["no_itinerary"] is None
    it = Itinerary.model_validate(job["itinerary"])  # the library's own model, round-tripped
    assert it.cities == ["Alpha"]
    # why and why not: the library's TraceEntry
    hotel = it.stays[0].hotel_id
    why = TraceEntry.model_validate_json(client.get(f"/api/jobs/{job['job']}/why?item={hotel}").data)
    assert why.status == "chosen" and why.catalog_id == hotel
    other = next(h.id for h in small_catalog().hotels if h.city == "Alpha" and h.id != hotel)
    wn = TraceEntry.model_validate_json(client.get(f"/api/jobs/{job['job']}/why_not?item={other}").data)
    assert wn.status != "chosen" and wn.catalog_id == other and wn.text
    r = client.get(f"/api/jobs/{job['job']}/why_not?item=nothing-like-this")
    assert r.status_code == 404 and r.get_json()["errors"][0]["field"] == "item"
    # verify: the plan obeys every rule; a plan over budget does not
    body = {"itinerary": job["itinerary"], "request": json.loads(req.model_dump_json())}
    assert client.post("/api/verify", json=body).get_json() == {"valid": True, "violations": []}
    poor = {**body, "request": {**body["request"], "budget": 1}}
    out = client.post("/api/verify", json=poor).get_json()
    assert not out["valid"] and any(v["rule"] == "budget_total" for v in out["violations"])


def test_no_itinerary_and_a_repair_through_the_api(client):
    job = _plan(client, small_request(budget=50))
    assert job["status"] == "no_itinerary" and job["itinerary"] is None
    diag = job["no_itinerary"]
    assert [c["name"] for c in diag["conflict"]] == ["budget"] and diag["repairs"]
    r = client.post(f"/api/jobs/{job['job']}/repairs/0")
    assert r.status_code == 202 and r.headers["Location"].startswith("/api/jobs/")
    new_id = r.get_json()["job"]
    runner = client.application.extensions["neurosym"]["runner"]
    runner.get(new_id).done.wait(30)
    fixed = client.get(f"/api/jobs/{new_id}").get_json()
    assert fixed["status"] == "planned" and fixed["parent"] == job["job"] and fixed["label"].startswith("repair: ")
    assert fixed["request"]["budget"] == diag["repairs"][0]["changes"]["budget"] > 50
    assert client.post(f"/api/jobs/{job['job']}/repairs/99").status_code == 404
    # Repair.apply on its own
    body = {"request": json.loads(small_request(budget=50).model_dump_json()), "repair": diag["repairs"][0]}
    applied = TripRequest.model_validate_json(client.post("/api/repair", json=body).data)
    assert applied.budget == diag["repairs"][0]["changes"]["budget"]


def test_forecast_and_unknown_things(client):
    # the small catalog has no forecast provider: the API says the server plans without weather
    r = client.get("/api/forecast?cities=Alpha&start=2026-06-01&end=2026-06-03")
    assert r.status_code == 200 and r.get_json()["forecast"] is None
    r = client.get("/api/forecast?cities=Atlantis&start=2026-06-01&end=yesterday")
    assert r.status_code == 422 and [e["field"] for e in r.get_json()["errors"]] == ["cities", "end"]
    assert client.get("/api/jobs/nope").status_code == 404
    page = client.get("/jobs/nope")
    assert page.status_code == 404 and b"No such plan" in page.data and b"Traceback" not in page.data
    assert client.get("/api/").get_json()["operations"]


def test_demo_app_serves_the_demo_forecast():
    app = create_app(time_limit=3)  # the demo catalog, with the demo forecast
    try:
        with app.test_client() as c:
            r = c.get("/api/forecast?cities=Dresden,Munich&start=2026-06-15&end=2026-06-19")
            body = r.get_json()
            assert r.status_code == 200 and body["source"] == "demo" and body["note"] is None
            rainy = [d for c in body["forecast"]["cities"] for d in c["daily"] if d["date"] == "2026-06-17"]
            assert len(rainy) == 2 and all(d["precipitation_probability_max"] >= 80 for d in rainy)
            assert b"Dresden" in c.get("/").data
    finally:
        app.extensions["neurosym"]["runner"].shutdown()


def test_form_errors_are_shown_next_to_their_fields(client):
    form = {"origin": "Home", "destinations": ["Alpha"], "start": "2026-06-03", "end": "2026-06-01",
            "adults": "2", "children": "0", "pets": "0", "budget": "-3", "pace": "2", "rain_threshold": "140"}
    r = client.post("/plan", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Traceback" not in html
    assert 'id="error-budget"' in html and "greater than 0" in html
    assert 'id="error-rain_threshold"' in html
    form.update(budget="500", rain_threshold="60")
    html = client.post("/plan", data=form).get_data(as_text=True)
    assert 'id="error-end"' in html and "end must be after start" in html
    form.update(start="2026-06-01", end="2026-06-03", destinations=[])
    html = client.post("/plan", data=form).get_data(as_text=True)
    assert 'id="error-destinations"' in html
    # a history file that is not a UserHistory is named, with the field
    form.update(destinations=["Alpha"])
    from io import BytesIO
    data = {**form, "history": (BytesIO(b'{"name": "me", "items": [{"kind": "spaceship"}]}'), "me.json")}
    r = client.post("/plan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422 and "me.json: field items.0.kind" in r.get_data(as_text=True)
    data = {**form, "history": (BytesIO(b"[" * 100_000), "deep.json")}   # JSON the parser cannot take
    r = client.post("/plan", data=data, content_type="multipart/form-data")
    assert r.status_code == 422 and "deep.json: JSON nested too deeply" in r.get_data(as_text=True)
    # and a good form starts a plan
    r = client.post("/plan", data=form)
    assert r.status_code == 303 and r.headers["Location"].startswith("/jobs/")


def test_serve_refuses_a_broken_forecast_file(tmp_path, capsys):
    from neurosym.cli import main
    bad = tmp_path / "forecast.json"
    bad.write_text('{"cities": [{"city": "Dresden", "hourly": [{"time": "2026-06-15T10:30"}]}]}')
    assert main(["serve", "--forecast", str(bad), "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "forecast.json: field cities.0.hourly.0.time" in err and "on the hour" in err


def test_only_the_most_recently_explained_itineraries_keep_their_programs(monkeypatch):
    from neurosym.web.jobs import Job, JobRunner
    cleared: list[str] = []
    real = Job.drop_explanations
    monkeypatch.setattr(Job, "drop_explanations", lambda self: (cleared.append(self.id), real(self)))
    runner = JobRunner(small_catalog(), time_limit=3, warm=1)
    try:
        first, second = runner.submit(small_request()), runner.submit(small_request(budget=2500))
        for j in (first, second):
            j.done.wait(30)
        hotel = first.itinerary.stays[0].hotel_id
        first.explain("why_not", "h:a:pets" if hotel != "h:a:pets" else "h:a:cheap")
        first.explain("why", hotel)
        assert cleared == []
        second.explain("why", second.itinerary.stays[0].hotel_id)
        assert cleared == [first.id]  # another itinerary was explained since: its programs are freed
        assert first.explain("why", hotel).status == "chosen"  # and rebuilt on demand
        assert cleared == [first.id, second.id]
    finally:
        runner.shutdown()


def test_errors_are_pages_or_json_never_a_traceback(client):
    # a request the catalog cannot take in that form: the job says which field, on its page too
    req = json.loads(small_request(keep=[{"item_id": "h:a:cheap", "start": "10:00"}]).model_dump_json())
    job = client.post("/api/plan", json={"request": req, "wait": True}).get_json()
    assert job["status"] == "error" and job["error_field"] == "keep[0].start"
    page = client.get(job["links"]["page"]).get_data(as_text=True)
    assert "Cannot plan this request" in page and "keep[0].start" in page
    # an internal error anywhere: a short page (or JSON under /api/), the details in the log only
    app = create_app(small_catalog(), time_limit=3)
    try:
        def boom():
            raise RuntimeError("secret internals")
        app.add_url_rule("/boom", "boom", boom)
        app.add_url_rule("/api/boom", "api_boom", boom)
        with app.test_client() as c:
            r = c.get("/boom")
            assert r.status_code == 500 and b"Something went wrong" in r.data
            assert b"secret internals" not in r.data and b"Traceback" not in r.data
            r = c.get("/api/boom")
            assert r.status_code == 500 and r.get_json()["error"] == "internal_error"
            assert c.post("/").status_code == 405
    finally:
        app.extensions["neurosym"]["runner"].shutdown()


def test_the_rain_threshold_takes_effect_and_a_replan_says_what_moved(tmp_path):
    """A server with a forecast file: heavy rain on day 2 in Alpha. The form's (and the
    API's) rain threshold is the request's; re-planning a plan made without a rain rule
    moves the outdoor sight out of the rain, keeps the rest and says why."""
    from datetime import datetime, time, timedelta
    from neurosym.weather import CityForecast, FileProvider, Forecast, HourlyWeather, save_forecast
    hours = [HourlyWeather(time=datetime.combine(small_request().start + timedelta(days=k), time(h)),
                           precipitation_probability=90 if k == 1 and h >= 8 else 10, temperature=20.0)
             for k in range(7) for h in range(24)]
    path = tmp_path / "forecast.json"
    save_forecast(Forecast(source="file:test", cities=[CityForecast(city="Alpha", hourly=hours)]), path)
    app = create_app(small_catalog(), time_limit=3, forecast=FileProvider(path))
    try:
        with app.test_client() as c:
            def outdoor_on_day_2(it: dict) -> list[str]:
                return [e["item_id"] for e in it["days"][1]["events"] if e["item_id"] == "a:a:park" and e["kind"] == "visit"]

            req = json.loads(small_request().model_dump_json())
            req["weather"]["rain_threshold"] = None            # no rain rule: the park may be in the rain
            req["keep"] = [{"item_id": "a:a:park", "day": 2, "start": "14:30", "hard": False}]
            first = c.post("/api/plan", json={"request": req, "wait": True}).get_json()
            assert first["status"] == "planned" and outdoor_on_day_2(first["itinerary"]) == ["a:a:park"]
            assert first["itinerary"]["weather"]["source"] == "file:test"
            # the API's rain_threshold sets the request's
            second = c.post("/api/plan", json={"request": req, "rain_threshold": 60, "wait": True}).get_json()
            assert second["request"]["weather"]["rain_threshold"] == 60
            assert outdoor_on_day_2(second["itinerary"]) == []
            # re-plan the first for the forecast, with the threshold at 60%
            r = c.post(f"/api/jobs/{first['job']}/replan", json={"rain_threshold": 60})
            assert r.status_code == 202
            job = app.extensions["neurosym"]["runner"].get(r.get_json()["job"])
            job.done.wait(30)
            state = c.get(f"/api/jobs/{job.id}").get_json()
            assert state["status"] == "planned" and outdoor_on_day_2(state["itinerary"]) == []
            [moved] = [x for x in state["changes"] if x["item_id"] == "a:a:park"]
            assert moved["kind"] == "moved" and "forecast gives 90% rain" in moved["reason"]
            page = c.get(f"/jobs/{job.id}").get_data(as_text=True)
            assert 'id="changes"' in page and "Alpha Park" in page and "planned with the file:test forecast" in page
            # bad values are refused with a message, never a traceback
            assert c.post(f"/api/jobs/{first['job']}/replan", json={"rain_threshold": 140}).status_code == 422
            assert c.post(f"/jobs/{first['job']}/replan", data={"rain_threshold": "lots"}).status_code == 422
    finally:
        app.extensions["neurosym"]["runner"].shutdown()
