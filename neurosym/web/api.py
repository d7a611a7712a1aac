"""The JSON API under ``/api/``: the library's operations, with the library's own models.

Bodies and answers are the pydantic models' JSON (``TripRequest``, ``Itinerary``,
``TraceEntry``, ``Repair``, ``Forecast``, ``UserHistory``); a body that does not
validate gets ``422`` with every error and the field it is about
(``{"error": "validation", "errors": [{"field": "request.budget", "message": ...}]}``).

=======================================  ==========================================================
``GET  /api/``                            the operations
``GET  /api/catalog``                     the catalog's name, cities and counts (``?full=1``: all of it)
``GET  /api/demo/request``                the demo trip, a ``TripRequest``
``POST /api/plan``                        ``{"request", "history"?, "time_limit"?, "rain_threshold"?,
                                          "wait"?}``: starts a plan (``202``, ``Location`` of the job);
                                          with ``"wait": true`` answers when it is done
``GET  /api/jobs/<id>``                   status, progress, the best itinerary so far, the result
``POST /api/jobs/<id>/stop``              stop the search, keep the best itinerary so far
``GET  /api/jobs/<id>/why?item=``         ``it.why(item)``: a ``TraceEntry``
``GET  /api/jobs/<id>/why_not?item=``     ``it.why_not(item)``: a ``TraceEntry``
``POST /api/jobs/<id>/repairs/<k>``       plan again with repair ``k`` applied (``202``)
``POST /api/jobs/<id>/replan``            ``{"rain_threshold"?, "risk"?, "time_limit"?}``: ``replan()`` the job's
                                          itinerary for the latest forecast (``202``; the job lists ``changes``)
``POST /api/repair``                      ``{"request", "repair"}``: ``repair.apply(request)``
``POST /api/verify``                      ``{"itinerary", "request", "forecast"?}``: ``verify()``'s violations
``GET  /api/forecast?cities=&start=&end=``  the forecast the app plans with, as ``TripWeather``
=======================================  ==========================================================
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from flask import Blueprint, current_app, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..explain import Repair
from ..itinerary import Itinerary
from ..request import TripRequest
from ..weather import Forecast
from .forms import catalog_errors
from .jobs import Job

api = Blueprint("api", __name__, url_prefix="/api")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanBody(_Body):
    """``POST /api/plan``: what ``plan_itinerary`` takes, and how to run it."""

    request: TripRequest
    history: Any = Field(default=None, description="a UserHistory to plan by")
    time_limit: float | None = Field(default=None, gt=0, le=300, description="seconds of search")
    rain_threshold: int | None = Field(default=None, ge=0, le=100,
                                       description="percent: sets request.weather.rain_threshold")
    wait: bool = Field(default=False, description="answer when the plan is done (else at once, 202)")
    wait_timeout: float = Field(default=120.0, gt=0, le=600)


class ReplanBody(_Body):
    """``POST /api/jobs/<id>/replan``: re-plan a job's itinerary for the latest forecast."""

    rain_threshold: int | None = Field(default=None, ge=0, le=100,
                                       description="percent: a new request.weather.rain_threshold (default: the job's)")
    risk: Literal["avoid", "accept"] | None = Field(default=None, description="a new request.weather.risk")
    time_limit: float | None = Field(default=None, gt=0, le=300)


class RepairBody(_Body):
    request: TripRequest
    repair: Repair


class VerifyBody(_Body):
    itinerary: Itinerary
    request: TripRequest
    forecast: Forecast | None = Field(default=None, description="check the weather rules against this forecast")


def _state() -> dict[str, Any]:
    return current_app.extensions["neurosym"]


def _problem(status: int, error: str, message: str, **more: Any) -> Any:
    return jsonify({"error": error, "message": message, **more}), status


def _invalid(errors: list[dict[str, Any]]) -> Any:
    """``422`` with every error (``field``, ``message``); the message names the first."""
    return _problem(422, "validation", f"{errors[0]['field']}: {errors[0]['message']}", errors=errors)


def _validation(exc: ValidationError, prefix: str = "") -> Any:
    errors = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()))
        errors.append({"field": (prefix + loc) or "(body)", "message": str(err.get("msg", "")).removeprefix(
            "Value error, "), "type": err.get("type")})
    return _invalid(errors)


def _not_in_catalog(req: TripRequest) -> Any:
    """The ``422`` of a request naming cities or items the catalog lacks, or None."""
    bad = catalog_errors(req, _state()["catalog"])
    return _invalid([{"field": f"request.{k}", "message": v} for k, v in bad.items()]) if bad else None


def _accepted(job: Job) -> Any:
    """``202`` with the new job, and its ``Location``."""
    resp = jsonify(job_json(job))
    resp.status_code = 202
    resp.headers["Location"] = url_for("api.job", job_id=job.id)
    return resp


def _body(model: type[BaseModel]) -> Any:
    """The request's JSON body validated as ``model``, or the error response to return."""
    from ..files import InputError, parse_json
    data, problem = None, "not JSON"
    if request.is_json:
        try:  # parse_json, not Flask's get_json: JSON nested too deeply is bad input, not a RecursionError
            data, problem = parse_json(request.get_data(as_text=True), "body"), "null"
        except InputError as exc:
            problem = str(exc)
    if data is None:
        return None, _problem(400, "bad_json", "the body must be a JSON object (Content-Type: application/json)",
                              errors=[{"field": "(body)", "message": problem}])
    try:
        return model.model_validate(data), None
    except ValidationError as exc:
        return None, _validation(exc)


def _job(job_id: str) -> Job | None:
    return _state()["runner"].get(job_id)


def _no_job(job_id: str) -> Any:
    return _problem(404, "not_found", f"no job {job_id!r} (forgotten, or the server was restarted)")


def job_json(job: Job) -> dict[str, Any]:
    """A job as JSON: its status and progress, the best itinerary so far, and the result."""
    out: dict[str, Any] = {
        "job": job.id, "status": job.status, "label": job.label, "parent": job.parent,
        "request": job.request.model_dump(mode="json"), "rain_threshold": job.rain_threshold,
        "seconds": round(job.running_for, 2), "found": job.found, "elapsed": round(job.elapsed, 3),
        "objective": job.objective, "stop_requested": job.stop_requested,
        "best": job.best.model_dump(mode="json") if job.best is not None and job.itinerary is None else None,
        "itinerary": job.itinerary.model_dump(mode="json") if job.itinerary is not None else None,
        "no_itinerary": job.failure.to_dict() if job.failure is not None else None,
        "error": job.error, "error_field": job.error_field,
        "weather": job.weather.model_dump(mode="json", exclude={"forecast"}) if job.weather is not None else None,
        "changes": [c.model_dump(mode="json") for c in job.replanned.changes] if job.replanned is not None else None,
        "links": {"self": url_for("api.job", job_id=job.id), "page": url_for("job_page", job_id=job.id)},
    }
    return out


@api.get("/")
def index() -> Any:
    ops = [{"method": m, "path": p, "does": d} for m, p, d in (
        ("GET", "/api/catalog", "the catalog's name, cities and counts (?full=1: all of it)"),
        ("GET", "/api/demo/request", "the demo trip (a TripRequest)"),
        ("POST", "/api/plan", "plan_itinerary(request, history=..., time_limit=...) as a background job"),
        ("GET", "/api/jobs/<id>", "a job: status, progress, best itinerary so far, result"),
        ("POST", "/api/jobs/<id>/stop", "stop the search, keep the best itinerary so far"),
        ("GET", "/api/jobs/<id>/why?item=", "itinerary.why(item): a TraceEntry"),
        ("GET", "/api/jobs/<id>/why_not?item=", "itinerary.why_not(item): a TraceEntry"),
        ("POST", "/api/jobs/<id>/repairs/<k>", "re-plan with NoItinerary.repairs[k] applied"),
        ("POST", "/api/jobs/<id>/replan", "replan(itinerary, forecast=latest): what still obeys every rule stays"),
        ("POST", "/api/repair", "Repair.apply(request)"),
        ("POST", "/api/verify", "verify(itinerary, request, catalog)"),
        ("GET", "/api/forecast?cities=&start=&end=", "the forecast the app plans with (TripWeather)"),
    )]
    return jsonify({"name": "neurosym", "operations": ops})


@api.get("/catalog")
def catalog() -> Any:
    c = _state()["catalog"]
    if request.args.get("full") == "1":
        return current_app.response_class(c.model_dump_json(), mimetype="application/json")
    return jsonify({"name": c.name, "cities": [{"name": x.name, "lat": x.lat, "lon": x.lon} for x in c.cities],
                    "counts": {k: len(getattr(c, k)) for k in ("flights", "ground_legs", "hotels", "attractions",
                                                                "restaurants")}})


@api.get("/demo/request")
def demo_request() -> Any:
    from ..demo import demo_request as make
    return current_app.response_class(make().model_dump_json(), mimetype="application/json")


@api.post("/plan")
def plan() -> Any:
    body, error = _body(PlanBody)
    if error is not None:
        return error
    bad = _not_in_catalog(body.request)
    if bad is not None:
        return bad
    history = None
    if body.history is not None:
        from ..preferences import UserHistory
        try:
            history = UserHistory.model_validate(body.history)
        except ValidationError as exc:
            return _validation(exc, prefix="history.")
    job = _state()["runner"].submit(body.request, history=history, time_limit=body.time_limit,
                                    rain_threshold=body.rain_threshold)
    if body.wait:
        job.done.wait(body.wait_timeout)
        return jsonify(job_json(job)), 200 if job.final else 202
    return _accepted(job)


@api.get("/jobs/<job_id>")
def job(job_id: str) -> Any:
    j = _job(job_id)
    return _no_job(job_id) if j is None else jsonify(job_json(j))


@api.post("/jobs/<job_id>/stop")
def stop(job_id: str) -> Any:
    j = _job(job_id)
    if j is None:
        return _no_job(job_id)
    _state()["runner"].stop(j)
    return jsonify(job_json(j))


def _explain(job_id: str, kind: str) -> Any:
    j = _job(job_id)
    if j is None:
        return _no_job(job_id)
    item = request.args.get("item", "").strip()
    if not item:
        return _invalid([{"field": "item", "message": "give an item id or name"}])
    if j.itinerary is None:
        return _problem(409, "no_itinerary", f"job {job_id} has no itinerary to explain (status {j.status})")
    try:
        entry = j.explain(kind, item)  # type: ignore[arg-type]
    except KeyError as exc:
        msg = exc.args[0] if exc.args else f"no item {item!r}"
        return _problem(404, "not_found", f"item: {msg}", errors=[{"field": "item", "message": str(msg)}])
    return current_app.response_class(entry.model_dump_json(), mimetype="application/json")


@api.get("/jobs/<job_id>/why")
def why(job_id: str) -> Any:
    return _explain(job_id, "why")


@api.get("/jobs/<job_id>/why_not")
def why_not(job_id: str) -> Any:
    return _explain(job_id, "why_not")


@api.post("/jobs/<job_id>/repairs/<int:k>")
def repair_job(job_id: str, k: int) -> Any:
    j = _job(job_id)
    if j is None:
        return _no_job(job_id)
    repairs = j.failure.repairs if j.failure is not None else []
    if not 0 <= k < len(repairs):
        return _problem(404, "not_found", f"job {job_id} has no repair {k} (it has {len(repairs)})")
    r = repairs[k]
    try:
        new_request = r.apply(j.request)
    except (ValueError, ValidationError) as exc:
        return _problem(409, "repair_does_not_apply", f"{r.text}: {exc}")
    return _accepted(_state()["runner"].submit(new_request, history=j.history, time_limit=j.time_limit,
                                               rain_threshold=j.rain_threshold, label=f"repair: {r.text}",
                                               parent=j.id))


@api.post("/jobs/<job_id>/replan")
def replan_job(job_id: str) -> Any:
    j = _job(job_id)
    if j is None:
        return _no_job(job_id)
    body, error = _body(ReplanBody)
    if error is not None:
        return error
    if j.itinerary is None:
        return _problem(409, "no_itinerary", f"job {job_id} has no itinerary to re-plan (status {j.status})")
    return _accepted(_state()["runner"].replan(j, rain_threshold=body.rain_threshold, risk=body.risk,
                                               time_limit=body.time_limit))


@api.post("/repair")
def repair() -> Any:
    body, error = _body(RepairBody)
    if error is not None:
        return error
    try:
        new = body.repair.apply(body.request)
    except ValidationError as exc:
        return _validation(exc, prefix="repair.changes.")
    except ValueError as exc:
        return _invalid([{"field": "repair.changes", "message": str(exc)}])
    return current_app.response_class(new.model_dump_json(), mimetype="application/json")


@api.post("/verify")
def verify() -> Any:
    from ..verify import verify as check
    body, error = _body(VerifyBody)
    if error is not None:
        return error
    bad = _not_in_catalog(body.request)
    if bad is not None:
        return bad
    found = check(body.itinerary, body.request, _state()["catalog"], body.forecast)
    return jsonify({"valid": not found, "violations": [
        {"rule": v.rule, "day": v.day, "message": v.message} for v in found]})


@api.get("/forecast")
def forecast() -> Any:
    from ..weather import trip_forecast
    provider = _state()["forecast"]
    errors = []
    cities = [c.strip() for c in request.args.get("cities", "").split(",") if c.strip()]
    if not cities:
        errors.append({"field": "cities", "message": "give one or more city names, comma-separated"})
    known = {c.name for c in _state()["catalog"].cities}
    unknown = [c for c in cities if c not in known]
    if unknown:
        errors.append({"field": "cities", "message": f"not in the catalog: {', '.join(unknown)}"})
    days: dict[str, date] = {}
    for name in ("start", "end"):
        try:
            days[name] = date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            errors.append({"field": name, "message": "a date as YYYY-MM-DD"})
    if not errors and days["end"] < days["start"]:
        errors.append({"field": "end", "message": "end is before start"})
    if errors:
        return _invalid(errors)
    if provider is None:
        return jsonify({"forecast": None, "source": "none", "note": "This server plans without weather.",
                        "missing": []})
    weather = trip_forecast(provider, _state()["catalog"], cities, days["start"], days["end"])
    return current_app.response_class(weather.model_dump_json(), mimetype="application/json")
