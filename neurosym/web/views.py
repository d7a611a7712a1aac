"""What the pages show, computed from the library's models: the route as SVG, each day's
timeline bars and weather, the candidates a traveller can ask "why not?" about.

Plain functions over plain data; the templates only lay them out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Any

from ..catalog import Attraction, Catalog, clock
from ..itinerary import Itinerary
from ..request import TripRequest
from ..weather import Forecast

KIND_COLOUR = {"flight": "#1f77b4", "train": "#17becf", "drive": "#8c564b", "taxi": "#e377c2",
               "transfer": "#b9b9b9", "check_in": "#2ca02c", "check_out": "#98df8a", "visit": "#ff7f0e",
               "breakfast": "#bcbd22", "lunch": "#d62728", "dinner": "#9467bd"}
EXPLAINABLE = ("flight", "train", "drive", "taxi", "check_in", "visit", "breakfast", "lunch", "dinner")
DAY_START, DAY_END = 6 * 60, 24 * 60  # the timeline bar spans 06:00-24:00 (later events are clipped)


def route_svg(it: Itinerary, catalog: Catalog, request: TripRequest | None = None,
              width: int = 420, height: int = 300) -> str:
    """The trip's cities placed by their coordinates, the legs as arrows labelled with
    day, mode and departure; the candidate cities the route skips are listed below.
    Self-contained SVG (no tiles, no fonts from anywhere)."""
    names = list(dict.fromkeys([it.origin, *it.cities]))
    skipped = [d for d in (request.destinations if request else []) if d not in names]
    pts = {}
    for n in names:
        try:
            c = catalog.city(n)
        except KeyError:
            continue
        # an equirectangular projection, good enough over a few hundred km
        pts[n] = (c.lon * math.cos(math.radians(c.lat)), c.lat)
    if not pts:
        return ""
    xs, ys = [p[0] for p in pts.values()], [p[1] for p in pts.values()]
    pad_x, pad_y, foot = 70, 45, 22 if skipped else 0
    dx, dy = max(xs) - min(xs), max(ys) - min(ys)
    scale = min((width - 2 * pad_x) / dx if dx > 1e-9 else math.inf,
                (height - foot - 2 * pad_y) / dy if dy > 1e-9 else math.inf)
    if scale == math.inf:
        scale = 1.0
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def xy(n: str) -> tuple[float, float]:
        x, y = pts[n]
        return round(width / 2 + (x - cx) * scale, 1), round((height - foot) / 2 - (y - cy) * scale, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="route" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-label="route: '
             f'{escape(" → ".join([it.origin, *it.cities, it.origin]))}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>']
    labels = []
    for leg in it.legs:
        if leg.origin not in pts or leg.destination not in pts:
            continue
        (x1, y1), (x2, y2) = xy(leg.origin), xy(leg.destination)
        ddx, ddy = x2 - x1, y2 - y1
        dist = math.hypot(ddx, ddy) or 1.0
        bend = min(40.0, dist * 0.25)
        # a curve to the right of the direction of travel, so there and back do not overlap
        mx, my = (x1 + x2) / 2 - ddy / dist * bend, (y1 + y2) / 2 + ddx / dist * bend
        sx, sy = x1 + ddx / dist * 14, y1 + ddy / dist * 14  # stop short of the circles
        ex, ey = x2 - ddx / dist * 16, y2 - ddy / dist * 16
        colour = KIND_COLOUR.get(leg.mode, "#444")
        parts.append(f'<path d="M{sx:.1f},{sy:.1f} Q{mx:.1f},{my:.1f} {ex:.1f},{ey:.1f}" fill="none" '
                     f'stroke="{colour}" stroke-width="2.5" marker-end="url(#arrow)"/>')
        # the label sits on the curve's middle (half-way between the chord and the control point)
        lx, ly = ((x1 + x2) / 2 + mx) / 2, ((y1 + y2) / 2 + my) / 2
        # the text runs away from the curve, on its outer side, so that there and back never collide
        nx = -ddy / dist
        anchor = "middle" if abs(nx) < 0.3 else ("start" if nx > 0 else "end")
        lx += 5 if anchor == "start" else -5 if anchor == "end" else 0
        ly += 4 if anchor != "middle" else (14 if ddx / dist > 0 else -6)
        label = f"day {leg.day}: {leg.mode} {clock(leg.departure)}"
        labels.append(f'<text x="{lx:.1f}" y="{ly:.1f}" class="leg" text-anchor="{anchor}">{escape(label)}</text>')
    for n in pts:
        x, y = xy(n)
        fill = "#333" if n == it.origin else "#1f77b4"
        parts.append(f'<circle cx="{x}" cy="{y}" r="11" fill="{fill}"><title>{escape(n)}</title></circle>')
        above = y < (height - foot) / 2  # a label away from the middle, where the legs run
        parts.append(f'<text x="{x}" y="{y - 17 if above else y + 26}" text-anchor="middle" class="city">'
                     f'{escape(n)}</text>')
    parts += labels  # on top of the circles
    if skipped:
        parts.append(f'<text x="8" y="{height - 8}" class="city skipped">not visited: {escape(", ".join(skipped))}</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass
class Bar:
    """One block of a day's timeline bar: left and width in percent of 06:00-24:00."""

    left: float
    width: float
    colour: str
    title: str


def timeline_bars(day: Any) -> list[Bar]:
    out = []
    for ev in day.events:
        s, e = max(ev.start, DAY_START), min(max(ev.end, ev.start + 5), DAY_END)
        if e <= s:
            continue
        total = DAY_END - DAY_START
        out.append(Bar(left=round(100 * (s - DAY_START) / total, 2), width=round(max(100 * (e - s) / total, 0.6), 2),
                       colour=KIND_COLOUR.get(ev.kind, "#999"),
                       title=f"{clock(ev.start)}-{clock(ev.end)} {ev.kind.replace('_', ' ')}: {ev.name}"))
    return out


@dataclass
class DayWeather:
    """The forecast of one city on one day, for the page."""

    city: str
    summary: str
    rain: int | None
    rainy: bool
    hours: list[tuple[str, int | None]] = field(default_factory=list)  # (HH, rain %) from 06 to 23


def day_weather(forecast: Forecast | None, cities: list[str], day: date, threshold: int) -> list[DayWeather]:
    """The forecast for each city of the day (where it starts and ends)."""
    out: list[DayWeather] = []
    if forecast is None:
        return out
    for city in dict.fromkeys(cities):
        d = forecast.day(city, day)
        if d is None:
            continue
        bits = [d.condition]
        if d.temperature_min is not None and d.temperature_max is not None:
            bits.append(f"{round(d.temperature_min)}–{round(d.temperature_max)} °C")
        if d.precipitation_probability_max is not None:
            bits.append(f"rain {d.precipitation_probability_max}%")
        if d.precipitation_sum:
            bits.append(f"{d.precipitation_sum:.1f} mm")
        if d.wind_speed_max is not None:
            bits.append(f"wind {round(d.wind_speed_max)} km/h")
        hours = [(f"{h.time.hour:02d}", h.precipitation_probability) for h in forecast.hours(city, day)
                 if 6 <= h.time.hour <= 23]
        prob = d.precipitation_probability_max
        out.append(DayWeather(city=city, summary=", ".join(bits), rain=prob,
                              rainy=prob is not None and prob >= threshold, hours=hours))
    return out


def weather_policy(request: TripRequest) -> str:
    """The request's weather rules in words (``TripRequest.weather``)."""
    w = request.weather
    if w.risk == "accept":
        return "bad weather accepted: outdoor sights in it count for less"
    parts = [f"outdoor sights kept out of hours with {w.rain_threshold}% rain or more" if w.rain_threshold is not None
             else "no rain rule"]
    limits = [f"{w.heat_limit} °C or more" if w.heat_limit is not None else "",
              f"{w.cold_limit} °C or less" if w.cold_limit is not None else ""]
    limits = [x for x in limits if x]
    if limits:
        parts.append(f"long ones ({w.long_visit} min or more) out of {' and '.join(limits)}")
    return ", ".join(parts)


@dataclass
class EventView:
    """One row of a day's table."""

    time: str
    kind: str
    name: str
    city: str
    cost: str
    item_id: str | None
    explainable: bool
    outdoor: bool = False
    weather: str = ""       # the forecast over an outdoor visit
    wet: bool = False       # an outdoor visit in hours at or above the rain threshold


def day_events(day: Any, catalog_index: dict[str, Any], forecast: Forecast | None, threshold: int) -> list[EventView]:
    rows = []
    for ev in day.events:
        item = catalog_index.get(ev.item_id or "")
        outdoor = ev.kind == "visit" and isinstance(item, Attraction) and not item.indoor
        weather, wet = "", False
        if outdoor and forecast is not None:
            span = forecast.over(ev.city, day.date, ev.start, ev.end)
            if span is not None:
                weather = span.text()
                wet = span.precipitation_probability_max is not None and span.precipitation_probability_max >= threshold
        city = f"{ev.city} → {ev.to_city}" if ev.to_city else ev.city
        rows.append(EventView(time=f"{clock(ev.start)}–{clock(ev.end)}", kind=ev.kind.replace("_", " "), name=ev.name,
                              city=city, cost=f"{ev.cost:.2f}" if ev.cost else "", item_id=ev.item_id,
                              explainable=bool(ev.item_id) and ev.kind in EXPLAINABLE, outdoor=outdoor,
                              weather=weather, wet=wet))
    return rows


@dataclass
class Candidate:
    id: str
    name: str
    kind: str
    city: str
    note: str = ""


def candidates(it: Itinerary, request: TripRequest, catalog: Catalog) -> dict[str, list[Candidate]]:
    """What the itinerary does not use, by city, to ask "why not?" about: hotels,
    attractions and restaurants of every candidate city, and the transport between the
    trip's cities on its dates."""
    used = set(it.chosen_ids()) | {leg.item_id for leg in it.legs}
    cities = list(dict.fromkeys([*it.cities, *request.destinations]))
    out: dict[str, list[Candidate]] = {}
    for city in cities:
        hotels, attractions, restaurants = catalog.in_city(city)
        rows = [Candidate(h.id, h.name, "hotel", city, f"{h.price:g}/night, {h.rating:.1f}★") for h in hotels]
        rows += [Candidate(a.id, a.name, "attraction", city,
                           f"{a.category}{'' if a.indoor else ', outdoor'}, {a.rating:.1f}★") for a in attractions]
        rows += [Candidate(r.id, r.name, "restaurant", city, f"{', '.join(r.cuisines)}, {r.price:g}, {r.rating:.1f}★")
                 for r in restaurants]
        out[city] = [c for c in rows if c.id not in used]
    stops = {request.origin, *request.destinations}
    moves = []
    for f in catalog.flights:
        if request.start <= f.date <= request.end and f.origin in stops and f.destination in stops and f.id not in used:
            moves.append(Candidate(f.id, f"Flight {f.number} {f.origin} {f.departure:%H:%M} → {f.destination} "
                                         f"{f.arrival:%H:%M} ({f.date:%a %d %b})", "flight", f.origin, f"{f.price:g}/seat"))
    for g in catalog.ground_legs:
        if g.origin in stops and g.destination in stops and g.id not in used:
            moves.append(Candidate(g.id, f"{g.mode.capitalize()} {g.origin} → {g.destination} ({g.duration_min} min)",
                                   g.mode, g.origin, f"{g.cost:g} {g.cost_basis.replace('_', ' ')}"))
    out["Transport"] = moves
    return out
