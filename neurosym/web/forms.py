"""The trip form: browser fields in, a validated :class:`TripRequest` (or messages per field) out.

The form's fields carry the request's own names (``budget``, ``start``, ``house_rules``,
...; the travellers as ``adults``/``children``/``pets``), so a validation error of the
pydantic model is shown next to the field it names. The same models validate the JSON
API; :func:`errors_of` turns a :class:`pydantic.ValidationError` into ``{field: message}``.
"""

from __future__ import annotations

from datetime import date
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from ..catalog import Catalog
from ..request import TripRequest

HOUSE_RULES = ("smoking", "pets", "parties", "children", "visitors")
MODES = ("flight", "train", "drive", "taxi")

# model-level messages of TripRequest, and the form field each one is about
_MESSAGE_FIELD = (("end must be after start", "end"), ("destinations lists a city twice", "destinations"),
                  ("origin is also a destination", "origin"), ("visit_count=", "visit_count"),
                  ("nights", "end"), ("keep[", "keep"))
_LOC_FIELD = {("travelers", "adults"): "adults", ("travelers", "children"): "children",
              ("travelers", "pets"): "pets", ("weather", "rain_threshold"): "rain_threshold",
              ("weather", "risk"): "weather_risk"}
#: The choices of the form's weather select (TripRequest.weather.risk).
WEATHER_RISKS = (("avoid", "keep them out of it"), ("accept", "accept it, valued less"))


class WebOptions(BaseModel):
    """What the page asks for besides the request (the rain threshold is the request's own,
    ``TripRequest.weather.rain_threshold``)."""

    time_limit: float | None = Field(default=None, gt=0, le=300, description="seconds of search")


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid"))
    return msg.removeprefix("Value error, ")


def errors_of(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> dict[str, str]:
    """``{field: message}`` for each error, the field as the form names it (``budget``,
    ``adults``, ``destinations``); an error of the whole model goes to the field its
    message is about."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))[len(prefix):]
        msg = _message(err)
        if loc[:2] in _LOC_FIELD:
            name = _LOC_FIELD[loc[:2]]
        elif loc:
            name = str(loc[0])
        else:
            name = next((f for text, f in _MESSAGE_FIELD if text in msg), "form")
        out.setdefault(name, msg)
    return out


def catalog_errors(request: TripRequest, catalog: Catalog) -> dict[str, str]:
    """Cities and items of the request that the catalog lacks, by field."""
    names = {c.name for c in catalog.cities}
    out: dict[str, str] = {}
    if request.origin not in names:
        out["origin"] = f"{request.origin!r} is not a city of this catalog"
    unknown = [d for d in request.destinations if d not in names]
    if unknown:
        out["destinations"] = f"{', '.join(map(repr, unknown))} {'is' if len(unknown) == 1 else 'are'} not in this catalog"
    index = catalog.index()
    bad = [x for x in request.exclude if x not in index]
    if bad:
        out["exclude"] = f"{', '.join(map(repr, bad))}: not an item of this catalog"
    bad = [k.item_id for k in request.keep if k.item_id not in index]
    if bad:
        out["keep"] = f"{', '.join(map(repr, bad))}: not an item of this catalog"
    return out


@dataclass
class TripForm:
    """The form's values as typed (to show them again) and what they became."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    request: TripRequest | None = None
    options: WebOptions = field(default_factory=WebOptions)
    history: Any = None

    @classmethod
    def from_request(cls, request: TripRequest) -> "TripForm":
        """A form filled in with ``request`` (the demo trip, or a request to change)."""
        r = request
        rain = r.weather.rain_threshold
        values = {"origin": r.origin, "destinations": list(r.destinations),
                  "visit_count": "" if r.visit_count is None else str(r.visit_count),
                  "fixed_order": r.fixed_order, "start": r.start.isoformat(), "end": r.end.isoformat(),
                  "adults": str(r.travelers.adults), "children": str(r.travelers.children),
                  "pets": str(r.travelers.pets), "budget": f"{r.budget:g}", "house_rules": list(r.house_rules),
                  "cuisines": ", ".join(r.cuisines), "exclude_modes": list(r.exclude_modes),
                  "earliest_departure": "" if r.earliest_departure is None else r.earliest_departure.strftime("%H:%M"),
                  "latest_return": "" if r.latest_return is None else r.latest_return.strftime("%H:%M"),
                  "pace": str(r.pace), "rain_threshold": "" if rain is None else str(rain),
                  "weather_risk": r.weather.risk, "time_limit": ""}
        return cls(values=values)

    @classmethod
    def parse(cls, form: Any, files: Any, catalog: Catalog) -> "TripForm":
        """Read a submitted form (``request.form``, ``request.files``) and validate it."""
        v: dict[str, Any] = {k: form.get(k, "").strip() for k in
                             ("origin", "visit_count", "start", "end", "adults", "children", "pets", "budget",
                              "cuisines", "earliest_departure", "latest_return", "pace", "rain_threshold",
                              "weather_risk", "time_limit")}
        v["destinations"] = [d for d in form.getlist("destinations") if d]
        v["house_rules"] = form.getlist("house_rules")
        v["exclude_modes"] = form.getlist("exclude_modes")
        v["fixed_order"] = form.get("fixed_order") in ("on", "true", "1")
        out = cls(values=v)
        data: dict[str, Any] = {
            "origin": v["origin"], "destinations": v["destinations"], "fixed_order": v["fixed_order"],
            "start": v["start"] or None, "end": v["end"] or None, "budget": v["budget"] or None,
            "house_rules": v["house_rules"], "exclude_modes": v["exclude_modes"],
            "cuisines": [c.strip() for c in v["cuisines"].split(",") if c.strip()],
            "travelers": {k: v[k] or 0 for k in ("adults", "children", "pets")},
            # an empty rain threshold switches the rain rule off
            "weather": {"rain_threshold": v["rain_threshold"] or None, "risk": v["weather_risk"] or "avoid"},
        }
        if not v["adults"]:
            data["travelers"]["adults"] = None
        for k in ("visit_count", "earliest_departure", "latest_return", "pace"):
            if v[k]:
                data[k] = v[k]
        for name, msg in (("destinations", "choose at least one city to visit"), ("start", "give the first day"),
                          ("end", "give the last day"), ("budget", "give a budget"),
                          ("adults", "at least one adult travels")):
            if not data.get(name) and not (name == "adults" and data["travelers"]["adults"]):
                out.errors[name] = msg
        try:  # the dates' order is checked here too, so that its message shows with the others
            if v["start"] and v["end"] and date.fromisoformat(v["end"]) <= date.fromisoformat(v["start"]):
                out.errors["end"] = "end must be after start (a trip has at least one night)"
        except ValueError:
            pass  # a malformed date: the model's own message says so below
        try:
            out.options = WebOptions.model_validate({k: v[k] for k in ("time_limit",) if v[k]})
        except ValidationError as exc:
            out.errors.update(errors_of(exc))
        upload = files.get("history") if files is not None else None
        if upload is not None and upload.filename:
            out.history = _history(upload, out.errors)
        try:  # always, so that every field's message shows at once (the plainer ones above first)
            request = TripRequest.model_validate(data)
            if not out.errors:
                out.request = request
        except ValidationError as exc:
            for name, msg in errors_of(exc).items():
                out.errors.setdefault(name, msg)
        if out.request is not None:
            out.errors.update(catalog_errors(out.request, catalog))
            if out.errors:
                out.request = None
        return out


def _history(upload: Any, errors: dict[str, str]) -> Any:
    """The uploaded UserHistory, or None with a message under ``errors["history"]`` (as
    :func:`neurosym.files.load_model` words them: file, line or field)."""
    from ..files import InputError, describe_validation, parse_json
    from ..preferences import UserHistory
    name = upload.filename
    try:
        data = parse_json(upload.read().decode("utf-8"), name)
        return UserHistory.model_validate(data)
    except UnicodeDecodeError:
        errors["history"] = f"{name}: not a text file (a UserHistory JSON file is expected)"
    except InputError as exc:
        errors["history"] = str(exc)
    except ValidationError as exc:
        errors["history"] = f"{name}: {describe_validation(exc)}"
    return None
