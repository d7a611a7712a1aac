"""The Flask application: the trip form, the itinerary, why / why-not, repairs.

Pages (HTML, server-rendered, with a little vanilla JS from ``static/``):

==============================  =============================================================
``GET /``                        the trip form (filled in with the demo trip on the demo catalog)
``POST /plan``                   validate; on errors the form again (422) with a message next to
                                 each field; else a background job and a redirect to it
``GET /jobs/<id>``               the job: progress and the best itinerary so far while it runs;
                                 then the itinerary, or why there is none and the repairs
``GET /jobs/<id>/part``          the same page's main part (the page's script polls it)
``POST /jobs/<id>/stop``         stop the search and keep the best itinerary so far
``GET /jobs/<id>/why/<item>``    why an item is in the itinerary (``?part=1``: just the entry)
``GET /jobs/<id>/why-not``       why not ``?item=`` (an id or a name)
``POST /jobs/<id>/repair/<k>``   re-plan with the ``k``-th repair applied
``POST /jobs/<id>/exclude``      re-plan without ``item`` (``TripRequest.exclude``)
``POST /jobs/<id>/replan``       re-plan the itinerary for the latest forecast (``neurosym.replan``),
                                 with the weather box's rain threshold: what still fits stays
``GET /jobs/<id>/edit``          the form, filled in with this job's request
==============================  =============================================================

The JSON API is in :mod:`neurosym.web.api`, under ``/api/``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ..catalog import Catalog
from ..request import WeatherPolicy
from ..weather import ForecastProvider
from . import views
from .forms import HOUSE_RULES, MODES, WEATHER_RISKS, TripForm
from .jobs import Job, JobRunner

log = logging.getLogger("neurosym.web")
HERE = Path(__file__).parent


def create_app(catalog: Catalog | None = None, *, forecast: ForecastProvider | None | str = "auto",
               time_limit: float | None = 10.0, workers: int = 2, keep: int = 50) -> Flask:
    """The web application over ``catalog`` (default: the demo catalog).

    ``forecast`` is a provider (:mod:`neurosym.weather`), ``None`` for no weather, or
    ``"auto"``: the demo forecast on the demo catalog, none otherwise. ``time_limit`` is the
    default search time of a plan (a form or API call may ask for another); ``workers``
    plans run at once, more wait in a queue; the ``keep`` most recent jobs are kept.
    """
    demo = catalog is None
    if catalog is None:
        from ..demo import load_demo_catalog
        catalog = load_demo_catalog()
    if forecast == "auto":
        from ..weather import DemoProvider
        forecast = DemoProvider() if demo else None
    app = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    app.config.update(MAX_CONTENT_LENGTH=4 * 1024 * 1024, JSON_SORT_KEYS=False)
    runner = JobRunner(catalog, time_limit=time_limit, forecast=forecast, workers=workers, keep=keep)
    app.extensions["neurosym"] = {"catalog": catalog, "runner": runner, "demo": demo, "index": catalog.index(),
                                  "forecast": forecast}
    cuisines = sorted({c for r in catalog.restaurants for c in r.cuisines})
    weather_defaults = WeatherPolicy()  # what the form's weather hints and defaults say

    def state() -> dict[str, Any]:
        return app.extensions["neurosym"]

    def job_or_404(job_id: str) -> Job:
        job = runner.get(job_id)
        if job is None:
            abort(404, description="No such plan: it may have been forgotten (the server keeps the most recent "
                                   f"{runner.keep}), or the server was restarted.")
        return job

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"catalog": catalog, "house_rules": HOUSE_RULES, "modes": MODES, "cuisines": cuisines,
                "weather_risks": WEATHER_RISKS, "weather_defaults": weather_defaults,
                "forecast_name": forecast.name if forecast is not None else None}

    # -- the form ----------------------------------------------------------------------
    def default_form() -> TripForm:
        if demo:
            from ..demo import demo_request
            return TripForm.from_request(demo_request())
        first = catalog.cities[0].name
        return TripForm(values={"origin": first, "destinations": [], "adults": "2", "children": "0", "pets": "0",
                                "pace": "2", "rain_threshold": str(weather_defaults.rain_threshold), "budget": "",
                                "start": "", "end": ""})

    @app.get("/")
    def form_page() -> Any:
        return render_template("form.html", form=default_form())

    @app.post("/plan")
    def plan() -> Any:
        form = TripForm.parse(request.form, request.files, catalog)
        if form.request is None:
            return render_template("form.html", form=form), 422
        job = runner.submit(form.request, history=form.history, time_limit=form.options.time_limit)
        return redirect(url_for("job_page", job_id=job.id), code=303)

    @app.get("/jobs/<job_id>/edit")
    def edit(job_id: str) -> Any:
        job = job_or_404(job_id)
        return render_template("form.html", form=TripForm.from_request(job.request))

    # -- a job -------------------------------------------------------------------------
    def job_context(job: Job) -> dict[str, Any]:
        it = job.itinerary if job.itinerary is not None else job.best
        ctx: dict[str, Any] = {"job": job, "it": it, "ahead": runner.queued_before(job) if job.status == "queued" else 0}
        forecast_data = job.weather.forecast if job.weather is not None else None
        if it is not None:
            idx = state()["index"]
            ctx["route_svg"] = views.route_svg(it, catalog, job.request)
            ctx["weather_policy"] = views.weather_policy(job.request)
            ctx["days"] = [{"day": d, "bars": views.timeline_bars(d),
                            "weather": views.day_weather(forecast_data, [d.start_city, d.end_city], d.date,
                                                         job.rain_threshold),
                            "events": views.day_events(d, idx, forecast_data, job.rain_threshold)}
                           for d in it.days]
            total = sum(it.costs_by_category.values()) or 1.0
            ctx["costs"] = [(k, v, round(100 * v / total, 1)) for k, v in it.costs_by_category.items()]
            if job.itinerary is not None:
                ctx["candidates"] = views.candidates(job.itinerary, job.request, catalog)
        if job.failure is not None:
            d = job.failure.diagnosis
            ctx["diagnosis"] = d
        return ctx

    @app.get("/jobs/<job_id>")
    def job_page(job_id: str) -> Any:
        job = job_or_404(job_id)
        return render_template("job.html", **job_context(job))

    @app.get("/jobs/<job_id>/part")
    def job_part(job_id: str) -> Any:
        job = job_or_404(job_id)
        return render_template("_job.html", **job_context(job))

    @app.post("/jobs/<job_id>/stop")
    def stop(job_id: str) -> Any:
        job = job_or_404(job_id)
        runner.stop(job)
        return redirect(url_for("job_page", job_id=job.id), code=303)

    def explain_page(job: Job, kind: str, item: str) -> Any:
        part = request.args.get("part") == "1"
        try:
            entry = job.explain(kind, item)  # type: ignore[arg-type]
        except KeyError as exc:
            msg = exc.args[0] if exc.args else f"no item {item!r}"
            return render_template("_entry.html" if part else "entry.html", job=job, entry=None, item=item,
                                   kind=kind, message=f"Nothing to explain: {msg}."), 404
        except LookupError as exc:
            return render_template("_entry.html" if part else "entry.html", job=job, entry=None, item=item,
                                   kind=kind, message=str(exc)), 409
        return render_template("_entry.html" if part else "entry.html", job=job, entry=entry, item=item, kind=kind,
                               message=None)

    @app.get("/jobs/<job_id>/why/<path:item>")
    def why(job_id: str, item: str) -> Any:
        return explain_page(job_or_404(job_id), "why", item)

    @app.get("/jobs/<job_id>/why-not")
    def why_not(job_id: str) -> Any:
        job = job_or_404(job_id)
        item = request.args.get("item", "").strip()
        if not item:
            return render_template("_entry.html" if request.args.get("part") == "1" else "entry.html", job=job,
                                   entry=None, item=item, kind="why_not",
                                   message="Name an item (or pick one from the list) to ask why it is not in the plan."), 422
        return explain_page(job, "why_not", item)

    @app.post("/jobs/<job_id>/repair/<int:k>")
    def repair(job_id: str, k: int) -> Any:
        job = job_or_404(job_id)
        repairs = job.failure.repairs if job.failure is not None else []
        if not 0 <= k < len(repairs):
            abort(404, description=f"This plan has no repair number {k + 1}.")
        r = repairs[k]
        try:
            new_request = r.apply(job.request)
        except Exception as exc:  # a repair that does not fit the request is reported, not raised
            log.warning("repair %s of job %s does not apply: %s", k, job.id, exc)
            abort(409, description=f"The repair “{r.text}” cannot be applied to this request: {exc}")
        new = runner.submit(new_request, history=job.history, time_limit=job.time_limit,
                            label=f"repair: {r.text}", parent=job.id)
        return redirect(url_for("job_page", job_id=new.id), code=303)

    @app.post("/jobs/<job_id>/exclude")
    def exclude(job_id: str) -> Any:
        job = job_or_404(job_id)
        item = request.form.get("item", "").strip()
        if item not in state()["index"]:
            abort(422, description=f"{item!r} is not an item of this catalog.")
        from ..request import TripRequest
        data = job.request.model_dump()
        data["exclude"] = sorted({*job.request.exclude, item})
        data["keep"] = [k for k in data.get("keep", []) if k["item_id"] != item]
        new_request = TripRequest.model_validate(data)
        name = getattr(state()["index"][item], "name", item)
        new = runner.submit(new_request, history=job.history, time_limit=job.time_limit,
                            label=f"without {name}", parent=job.id)
        return redirect(url_for("job_page", job_id=new.id), code=303)

    @app.post("/jobs/<job_id>/replan")
    def replan(job_id: str) -> Any:
        """Re-plan the itinerary for the latest forecast, with the rain threshold and risk of the
        page's weather box: what still obeys every rule stays where it was."""
        job = job_or_404(job_id)
        if job.itinerary is None:
            abort(409, description="This plan has no itinerary to re-plan yet.")
        raw = request.form.get("rain_threshold", "").strip()
        risk = request.form.get("weather_risk", "").strip() or None
        try:
            threshold = None if raw == "" else int(raw)
            if threshold is not None and not 0 <= threshold <= 100:
                raise ValueError
        except ValueError:
            abort(422, description=f"The rain threshold must be a whole percentage from 0 to 100, not {raw!r}.")
        if risk not in (None, "avoid", "accept"):
            abort(422, description=f"Unknown choice for bad weather: {risk!r}.")
        new = runner.replan(job, rain_threshold=threshold, risk=risk)
        return redirect(url_for("job_page", job_id=new.id), code=303)

    # -- errors: a page (or JSON under /api/), never a traceback --------------------------
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return jsonify({"error": exc.name.lower().replace(" ", "_"), "message": exc.description}), exc.code
        return render_template("error.html", title=exc.name, message=exc.description), exc.code

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Any:
        log.exception("internal error on %s %s", request.method, request.path)
        message = "Something went wrong on the server; the server log has the details."
        if request.path.startswith("/api/"):
            return jsonify({"error": "internal_error", "message": message}), 500
        return render_template("error.html", title="Internal error", message=message), 500

    from .api import api
    app.register_blueprint(api)
    return app
