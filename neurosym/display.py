"""Jupyter display: HTML for itineraries, trace entries and ``NoItinerary``; a plot.

Display reads plain data only: itineraries, trace entries, diagnoses, and the chosen
items' entries from an itinerary's explanation handle (its public methods); it imports
no engine. Everything is plain HTML (tables and ``<details>`` blocks that fold open), escaped,
with one small ``<style>`` block scoped to the ``ns`` class; without it (a renderer
that drops styles) the tables still read well.
:func:`plot_itinerary` draws each day's timeline and the route; matplotlib is
imported only when it is called.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from .catalog import clock

if TYPE_CHECKING:  # pragma: no cover
    from .explain import Trace, TraceEntry
    from .itinerary import Itinerary

_STATUS_COLOUR = {"chosen": "#1b7f3b", "dominated": "#6b6b6b", "worse": "#9a6700", "improvable": "#0b5cad",
                  "excluded": "#b42318", "not_candidate": "#6b6b6b"}
_KIND_COLOUR = {"flight": "#1f77b4", "train": "#17becf", "drive": "#8c564b", "taxi": "#e377c2",
                "transfer": "#c7c7c7", "check_in": "#2ca02c", "check_out": "#98df8a", "visit": "#ff7f0e",
                "breakfast": "#bcbd22", "lunch": "#d62728", "dinner": "#9467bd"}
_STYLE = ("<style>.ns table{border-collapse:collapse;margin:4px 0;font-size:90%}"
          ".ns td,.ns th{border-bottom:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}"
          ".ns .dim{color:#777}.ns .b{color:white;border-radius:3px;padding:0 4px;font-size:85%}"
          ".ns details>div{margin-left:1.2em}.ns h4{margin:8px 0 2px}</style>")


def _e(x: Any) -> str:
    return escape(str(x))


def _badge(status: str) -> str:
    colour = _STATUS_COLOUR.get(status, "#444")
    return f'<span class="b" style="background:{colour}">{_e(status.replace("_", " "))}</span>'


def _wrap(body: str) -> str:
    return f'<div class="ns">{_STYLE}{body}</div>'


def _entry_body(e: "TraceEntry", compact: bool = False) -> str:
    parts = [f"<div>{_e(e.text)}</div>"]
    facts = []
    if e.preference is not None:
        facts.append(f"preference {e.preference:.2f}" + (f" ({e.points} points)" if e.points is not None else ""))
    facts.append(f"cost {e.cost:.2f}")
    if e.loss is not None:
        facts.append(f"loss: {_e(e.loss.text())}" + ("" if e.proven else " (best found, not proven)"))
    if e.scope:
        facts.append(f"searched: {_e(e.scope)}")
    parts.append(f"<div class='dim'>{' · '.join(facts)}</div>")
    if e.contributions and not compact:
        rows = "".join(f"<tr><td>{_e(c.source)}</td><td>{c.weight:+.3f}</td></tr>" for c in e.contributions)
        parts.append(f"<div>Preference contributions:</div><table>{rows}</table>")
    if e.broken:
        rows = "".join(f"<tr><td><code>{_e(b.rule)}</code></td><td>{_e(b.text)}</td>"
                       f"<td class='dim'>{_e(b.where)}</td></tr>" for b in e.broken)
        parts.append(f"<div>Rules it breaks:</div><table>{rows}</table>")
    if e.rules and compact:
        names = ", ".join(f"<code title='{_e(r.message)}'>{_e(r.name)}</code> <span class='dim'>{_e(r.where)}</span>"
                          for r in e.rules)
        parts.append(f"<div>Checked against: {names}</div>")
    elif e.rules:
        rows = "".join(f"<tr><td><code>{_e(r.name)}</code></td><td>{_e(r.message)}</td>"
                       f"<td class='dim'>{_e(r.where)}</td></tr>" for r in e.rules)
        parts.append(f"<details><summary>Checked against {len(e.rules)} rules</summary><table>{rows}</table>"
                     "</details>")
    for label, values in (("Would replace", e.replaces), ("Conflicts with", e.conflicts_with),
                          ("Excluded by your", e.constraints)):
        if values:
            parts.append(f"<div>{label}: {_e(', '.join(values))}</div>")
    if e.alternative:
        alt = f"{_e(e.alternative)}" + (f" ({_e(e.alternative_loss.text())})" if e.alternative_loss else "")
        parts.append(f"<div>Best alternative: {alt}</div>")
    return "".join(parts)


def _entry(e: "TraceEntry", open_: bool = False) -> str:
    days = f", days {', '.join(map(str, e.days))}" if e.days else ""
    return (f"<details{' open' if open_ else ''}><summary>{_badge(e.status)} <b>{_e(e.name)}</b> "
            f"<span class='dim'>({_e(e.category)}{days})</span></summary><div>{_entry_body(e)}</div></details>")


def entry_html(e: "TraceEntry", open_: bool = True) -> str:
    """One trace entry: a summary line that folds open to its justification."""
    return _wrap(_entry(e, open_))


def trace_html(trace: "Trace") -> str:
    """A trace: counts by status, then the entries grouped by status, folded."""
    head = " · ".join(f"{_badge(k)} {v}" for k, v in trace.counts().items())
    groups = []
    for status in ("chosen", "improvable", "worse", "dominated", "excluded", "not_candidate"):
        es = [e for e in trace.entries if e.status == status]
        if not es:
            continue
        body = "".join(_entry(e) for e in es)
        groups.append(f"<details{' open' if status == 'chosen' else ''}><summary>{_badge(status)} "
                      f"{len(es)} candidate{'s' if len(es) != 1 else ''}</summary><div>{body}</div></details>")
    secs = trace.stats.get("total_s")
    foot = f"<div class='dim'>computed in {secs:.2f} s</div>" if secs is not None else ""
    return _wrap(f"<div><b>Justification trace</b>: {len(trace.entries)} candidates — {head}</div>"
                 f"{''.join(groups)}{foot}")


def _chosen_entries(it: "Itinerary") -> dict[str, Any]:
    """Justifications by item id from the itinerary's explanation handle ({} without one)."""
    handle = it.explanations
    if handle is None:
        return {}
    try:
        return handle.chosen_entries()
    except Exception:  # noqa: BLE001 - the display must never fail
        return {}


def itinerary_html(it: "Itinerary") -> str:
    """A day-by-day table; each item's justification folds open below its name."""
    entries = _chosen_entries(it)
    just = {j.item_id: j for j in it.justifications}
    route = " → ".join([it.origin, *it.cities, it.origin])
    cats = ", ".join(f"{k} {v:.2f}" for k, v in it.costs_by_category.items())
    head = (f"<div><b>{_e(route)}</b></div><div>Total cost <b>{it.total_cost:.2f}</b> ({_e(cats)}) · "
            f"{_e(it.optimality_text())} · value {_e(it.value)}, bound {_e(it.bound)} · objective "
            f"{_e(it.objective)}</div><div class='dim'>Weather: {_e(it.weather.text())}</div>")
    days = []
    for day in it.days:
        where = f"{day.start_city} → {day.end_city}" if day.is_travel_day else day.start_city
        rows = []
        for ev in day.events:
            name = _e(ev.name)
            e = entries.get(ev.item_id or "") if ev.kind not in ("transfer", "check_out") else None
            if e is not None:
                name = f"<details><summary>{name}</summary><div>{_entry_body(e, compact=True)}</div></details>"
            elif ev.item_id in just and ev.kind not in ("transfer", "check_out"):
                j = just[ev.item_id]
                name = (f"<details><summary>{name}</summary><div>{_e(j.text)}"
                        f"<div class='dim'>{_e(', '.join(j.rules))}</div></div></details>")
            colour = _KIND_COLOUR.get(ev.kind, "#999")
            cost = f"{ev.cost:.2f}" if ev.cost else ""
            city = f"{ev.city} → {ev.to_city}" if ev.to_city else ev.city
            rows.append(f"<tr><td style='white-space:nowrap'>{clock(ev.start)}–{clock(ev.end)}</td>"
                        f"<td><span style='color:{colour}'>■</span> {_e(ev.kind.replace('_', ' '))}</td>"
                        f"<td>{name}</td><td>{_e(city)}</td><td style='text-align:right'>{cost}</td></tr>")
        days.append(f"<h4>Day {day.day} · {day.date:%a %d %b %Y} · {_e(where)}</h4><table><tr><th>time</th>"
                    f"<th>what</th><th>item (click for why)</th><th>where</th><th>cost</th></tr>{''.join(rows)}"
                    "</table>")
    return _wrap(f"{head}{''.join(days)}")


def no_itinerary_html(exc: Any) -> str:
    """Why there is no itinerary: the conflicting constraints, the broken rules, the repairs."""
    parts = [f"<div><b>No itinerary.</b> {_e(exc.message)}</div>"]
    d = getattr(exc, "diagnosis", None)
    if d is not None:
        for i, conflict in enumerate(d.conflicts, start=1):
            items = "".join(f"<li><code>{_e(c.name)}</code>: your {_e(c.text)}</li>" for c in conflict)
            label = ("These constraints cannot hold together" if len(conflict) > 1
                     else "This constraint cannot be met")
            parts.append(f"<div>{label}{f' (conflict {i})' if len(d.conflicts) > 1 else ''}; dropping any "
                         f"one makes the rest feasible:</div><ul>{items}</ul>")
        if d.frame:
            parts.append("<div>Even with all your constraints set aside, the dates, cities and catalog do not "
                         "fit" + (":</div><ul>" + "".join(f"<li>{_e(m)}</li>" for m in d.missing) + "</ul>"
                                  if d.missing else ".</div>"))
        if d.repairs:
            rows = "".join(
                f"<tr><td>{i}</td><td>{'✔' if r.confirmed else '?'}</td><td>{_e(r.text)}</td>"
                f"<td><code>{_e(r.changes)}</code></td><td style='text-align:right'>{r.change:g}</td>"
                f"<td>{'' if r.total_cost is None else f'{r.total_cost:.2f}'}</td>"
                f"<td>{_e(' → '.join(r.cities))}</td></tr>" for i, r in enumerate(d.repairs, start=1))
            parts.append("<div>Repairs, the smallest change first, each confirmed by planning:</div><table><tr>"
                         "<th>#</th><th></th><th>repair</th><th>change</th><th>how much it changes</th>"
                         f"<th>cost of the plan</th><th>cities</th></tr>{rows}</table>")
        elif d.searched:
            parts.append("<div>No repair found: " + _e("; ".join(d.searched)) + ".</div>")
        if not d.complete:
            parts.append("<div><b>The search for repairs stopped at its time limit</b>: these are the ones found "
                         "so far; others may exist.</div>")
        if d.violations:
            rows = "".join(f"<tr><td><code>{_e(b.rule)}</code></td><td>{_e(b.text)}</td>"
                           f"<td class='dim'>{_e(b.where)}</td></tr>" for b in d.violations)
            parts.append(f"<details><summary>The closest itinerary breaks {len(d.violations)} "
                         f"rule{'s' if len(d.violations) != 1 else ''}</summary><table>{rows}</table></details>")
        if d.checks:
            parts.append("<details><summary>Verification</summary><ul>"
                         + "".join(f"<li>{_e(c)}</li>" for c in d.checks) + "</ul></details>")
    return _wrap("".join(parts))


def plot_itinerary(it: "Itinerary", *, figsize: tuple[float, float] = (13, 5), label_events: bool = True) -> Any:
    """Each day's timeline (left) and the route between the cities (right).

    Returns the matplotlib figure (closed for pyplot, so a notebook shows it once).
    """
    import matplotlib.pyplot as plt
    import networkx as nx
    from matplotlib.patches import Patch

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=figsize, gridspec_kw={"width_ratios": [2.2, 1]})
    n = len(it.days)
    for row, day in enumerate(it.days):
        y = n - row
        for ev in day.events:
            start, end = ev.start / 60, max(ev.end, ev.start + 4) / 60
            ax.barh(y, end - start, left=start, height=0.6, color=_KIND_COLOUR.get(ev.kind, "#999"),
                    edgecolor="white", linewidth=0.5)
            if label_events and ev.kind in ("visit", "breakfast", "lunch", "dinner", "flight", "train", "drive",
                                             "taxi") and end - start >= 0.7:
                label = ev.name if len(ev.name) <= 18 else ev.name[:17] + "…"
                ax.text((start + end) / 2, y, label, ha="center", va="center", fontsize=6, rotation=0,
                        clip_on=True)
    ax.set_yticks([n - i for i in range(n)])
    ax.set_yticklabels([f"Day {d.day}\n{d.date:%a %d %b}" for d in it.days], fontsize=8)
    last = max((ev.end for d in it.days for ev in d.events), default=24 * 60) / 60
    ax.set_xlim(5, max(24, last + 0.5))
    ax.set_xticks(range(6, int(max(24, last + 0.5)) + 1, 2))
    ax.set_xticklabels([f"{h % 24:02d}:00" for h in range(6, int(max(24, last + 0.5)) + 1, 2)], fontsize=8)
    ax.grid(axis="x", color="#eee")
    ax.set_title("Timeline", fontsize=10)
    kinds = [k for k in _KIND_COLOUR if any(ev.kind == k for d in it.days for ev in d.events)]
    ax.legend(handles=[Patch(color=_KIND_COLOUR[k], label=k.replace("_", " ")) for k in kinds], fontsize=7,
              loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=min(len(kinds), 6), frameon=False)

    g = nx.MultiDiGraph()
    g.add_node(it.origin)
    for c in it.cities:
        g.add_node(c)
    for leg in it.legs:
        g.add_edge(leg.origin, leg.destination, label=f"day {leg.day}: {leg.mode} {clock(leg.departure)}")
    pos = _positions(it, g)
    colours = ["#444" if v == it.origin else "#1f77b4" for v in g.nodes]
    nx.draw_networkx_nodes(g, pos, ax=ax2, node_color=colours, node_size=500)
    nx.draw_networkx_labels(g, pos, ax=ax2, font_size=8, font_color="white",
                            labels={v: v[:3] for v in g.nodes})
    rad = 0.2
    nx.draw_networkx_edges(g, pos, ax=ax2, arrows=True, arrowstyle="-|>", arrowsize=14,
                           connectionstyle=f"arc3,rad={rad}", node_size=500, edge_color="#555")
    for u, v, data in g.edges(data=True):
        (x1, y1), (x2, y2) = pos[u], pos[v]
        # the middle of matplotlib's arc3 curve: half-way to its control point
        mx, my = (x1 + x2) / 2 + rad / 2 * (y2 - y1), (y1 + y2) / 2 - rad / 2 * (x2 - x1)
        ax2.annotate(data["label"], (mx, my), fontsize=7, ha="center", va="center", color="#333",
                     bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
    for v, (x, y) in pos.items():
        ax2.annotate(v, (x, y), xytext=(0, -20), textcoords="offset points", ha="center", fontsize=8)
    ax2.set_title("Route", fontsize=10)
    ax2.axis("off")
    ax2.margins(0.25)
    fig.suptitle(f"{' → '.join([it.origin, *it.cities, it.origin])} · total {it.total_cost:.2f}", fontsize=11)
    fig.tight_layout()
    plt.close(fig)
    return fig


def _positions(it: "Itinerary", g: Any) -> dict[str, tuple[float, float]]:
    import networkx as nx
    handle = it.explanations
    if handle is not None:
        cat = handle.catalog
        try:
            return {v: (cat.city(v).lon, cat.city(v).lat) for v in g.nodes}
        except KeyError:
            pass
    return nx.circular_layout(g)
