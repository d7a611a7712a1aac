"""Repairs of impossible requests: how many get a confirmed repair, whether the first one
plans, and how long the diagnosis takes.

    python benchmarks/repairs.py [--catalog small|demo|both] [--n N] [--n-demo N] [--seed K]
                                 [--limit S] [--time-limit S] [--check-limit S] [--json OUT] [--verbose]

Generates infeasible requests, as a new user would write them, on the small test catalog
(``tests/conftest.py``: Home, Alpha, Beta) and on the demo catalog, in four classes:

- ``single``: one of the traveller's constraints cannot be met (a tiny budget, a cuisine no
  restaurant serves, a house rule no stay allows, a very late earliest departure, a very
  early latest return, every mode excluded, a pet with a room type only pet-less stays have);
- ``double`` / ``triple``: two or three of those, from different families, at once;
- ``frame``: the dates and cities do not fit the catalog (a city reached by air only, on
  dates without flights at one end; several cities one of which is unreachable then).

Each generated request is checked to be infeasible (``plan_itinerary(..., diagnose=False)``),
then diagnosed (``diagnose_problem`` with a deadline of ``--limit`` seconds), then its first
repair is applied and planned independently with ``plan_itinerary`` (``--check-limit``
seconds) and checked with ``verify``. Prints per catalog and class: the share with at least one confirmed repair, the
share of first repairs that plan and pass ``verify`` (must be 100%), the share of searches
that completed, and the median and maximum diagnosis time (wall and CPU). Requests left
without a repair are listed with what the diagnosis says is missing. Asserts nothing about
time; timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, time as clock_time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))   # the small test catalog lives with the tests

from conftest import small_catalog, small_request  # noqa: E402

from neurosym import NoItinerary, demo_request, load_demo_catalog, plan_itinerary, verify  # noqa: E402
from neurosym.explain import diagnose_problem  # noqa: E402
from neurosym.problem import build_problem  # noqa: E402
from neurosym.request import Travelers, TripRequest  # noqa: E402

CLASSES = ("single", "double", "triple", "frame")


# -- the families of constraints a user gets wrong ---------------------------------------------

def _budget(rng: random.Random, req: TripRequest, cat: Any) -> dict:
    return {"budget": float(rng.choice([1, 20, 50, 80, 120]))}


def _cuisine(rng: random.Random, req: TripRequest, cat: Any) -> dict:
    return {"cuisines": [rng.choice(["Klingon", "Martian", "Atlantean", "Elvish"])]}


def _house_rule(rng: random.Random, req: TripRequest, cat: Any) -> dict:
    rules = [r for r in ("smoking", "parties")
             if not any(getattr(h.house_rules, r) for h in cat.hotels if h.city in req.destinations)]
    return {"house_rules": [rng.choice(rules)]} if rules else {}


def _departure(rng: random.Random, req: TripRequest, cat: Any) -> dict:
    return {"earliest_departure": clock_time(23, rng.choice([15, 30, 45, 59]))}


def _return(rng: random.Random, req: TripRequest, cat: Any) -> dict:
    return {"latest_return": clock_time(rng.choice([3, 4, 5]), rng.choice([0, 30]))}


def _modes(rng: random.Random, req: TripRequest, cat: Any) -> dict:
    return {"exclude_modes": sorted({"flight"} | {g.mode for g in cat.ground_legs})}


def _pet_room(rng: random.Random, req: TripRequest, cat: Any) -> dict:
    pet_types = {h.room_type for h in cat.hotels if h.city in req.destinations and h.house_rules.pets}
    others = sorted({h.room_type for h in cat.hotels if h.city in req.destinations} - pet_types)
    if not others:
        return {}
    return {"travelers": req.travelers.model_copy(update={"pets": 1}), "room_types": [rng.choice(others)]}


FAMILIES = {"budget": _budget, "cuisine": _cuisine, "house_rule": _house_rule, "departure": _departure,
            "return": _return, "modes": _modes, "pet_room": _pet_room}


def _merge(parts: list[dict]) -> dict:
    out: dict = {}
    for p in parts:
        for k, v in p.items():
            out[k] = sorted(set(out[k]) | set(v)) if k in ("house_rules", "cuisines", "exclude_modes") and k in out \
                else v
    return out


# -- the catalogs and their frame cases --------------------------------------------------------

def _small_base(rng: random.Random) -> TripRequest:
    dest = rng.choice([["Alpha"], ["Beta"], ["Alpha", "Beta"]])
    start = date(2026, 6, 1) + timedelta(days=rng.randint(0, 3))
    nights = rng.randint(len(dest) + 1, 3)
    return small_request(destinations=dest, start=start, end=start + timedelta(days=nights), budget=3000)


def _small_frame(rng: random.Random) -> TripRequest:
    # Beta is reached by air only, and the flights end on 7 June
    if rng.random() < 0.5:
        start = date(2026, 6, 5) + timedelta(days=rng.randint(1, 8))
        return small_request(destinations=["Beta"], start=start, end=start + timedelta(days=rng.randint(1, 3)),
                             budget=3000)
    start = date(2026, 6, 8) + timedelta(days=rng.randint(0, 6))
    return small_request(destinations=["Alpha", "Beta"], start=start, end=start + timedelta(days=3), budget=3000)


def _demo_base(rng: random.Random) -> TripRequest:
    base = demo_request()
    start = base.start + timedelta(days=rng.randint(-5, 5))
    return base.model_copy(update={"start": start, "end": start + (base.end - base.start), "cuisines": []})


def _demo_frame(rng: random.Random) -> TripRequest:
    # Hamburg and Munich are linked by air only, and the demo's flights end on 5 July
    start = date(2026, 7, 1) + timedelta(days=rng.randint(2, 9))
    if rng.random() < 0.5:
        return TripRequest(origin="Hamburg", destinations=["Munich"], start=start,
                           end=start + timedelta(days=rng.randint(2, 3)), travelers=Travelers(adults=2), budget=3000)
    return TripRequest(origin="Berlin", destinations=["Hamburg", "Munich"], start=start,
                       end=start + timedelta(days=4), travelers=Travelers(adults=2), budget=4000)


CATALOGS = {"small": (small_catalog, _small_base, _small_frame), "demo": (load_demo_catalog, _demo_base, _demo_frame)}


def _infeasible(req: TripRequest, cat: Any, time_limit: float) -> bool:
    try:
        plan_itinerary(req, cat, time_limit=time_limit, diagnose=False)
    except NoItinerary:
        return True
    except TimeoutError:   # undecided within the limit: not used
        return False
    return False


def generate(name: str, cat: Any, kind: str, n: int, rng: random.Random, time_limit: float) -> list[TripRequest]:
    """``n`` infeasible requests of one class on the catalog ``cat`` (named ``name``)."""
    _, base_of, frame_of = CATALOGS[name]
    out: list[TripRequest] = []
    tries = 0
    while len(out) < n and tries < 20 * n:
        tries += 1
        if kind == "frame":
            req = frame_of(rng)
        else:
            base = base_of(rng)
            k = {"single": 1, "double": 2, "triple": 3}[kind]
            parts = [FAMILIES[f](rng, base, cat) for f in rng.sample(sorted(FAMILIES), k)]
            if not all(parts):
                continue
            try:
                req = TripRequest.model_validate({**base.model_dump(), **_merge(parts)})
            except ValueError:
                continue
        if _infeasible(req, cat, time_limit):
            out.append(req)
    return out


def run_one(req: TripRequest, cat: Any, limit: float, check_limit: float) -> dict:
    prob = build_problem(req, cat)
    t0, c0 = time.perf_counter(), time.process_time()
    d = diagnose_problem(prob, deadline=time.perf_counter() + limit)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    row: dict = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "frame": d.frame, "complete": d.complete,
                 "repaired": any(r.confirmed for r in d.repairs), "repairs": [r.text for r in d.repairs],
                 "missing": d.missing, "searched": d.searched,
                 "conflicts": [[c.name for c in m] for m in d.conflicts]}
    if d.repairs:
        fixed = d.repairs[0].apply(req)
        try:
            it = plan_itinerary(fixed, cat, time_limit=check_limit)
            row["first_plans"] = verify(it, fixed, cat) == []
        except (NoItinerary, TimeoutError):
            row["first_plans"] = False
    return row


def _share(rows: list[dict], key: str) -> str:
    have = [r for r in rows if key in r]
    return f"{sum(bool(r[key]) for r in have)}/{len(have)}" if have else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--catalog", choices=["small", "demo", "both"], default="both")
    ap.add_argument("--n", type=int, default=20, help="requests per class on the small catalog")
    ap.add_argument("--n-demo", type=int, default=5, help="requests per class on the demo catalog")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=float, default=10.0, help="the diagnosis's deadline, in seconds")
    ap.add_argument("--time-limit", type=float, default=2.0, help="for the plans that check a request is infeasible")
    ap.add_argument("--check-limit", type=float, default=10.0, help="for the plans that check a first repair")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    report: dict[str, Any] = {}
    names = ["small", "demo"] if args.catalog == "both" else [args.catalog]
    for name in names:
        cat = CATALOGS[name][0]()
        n = args.n if name == "small" else args.n_demo
        report[name] = {}
        for kind in CLASSES:
            rng = random.Random(f"{args.seed}:{name}:{kind}")
            reqs = generate(name, cat, kind, n, rng, args.time_limit)
            rows = [run_one(r, cat, args.limit, args.check_limit) for r in reqs]
            walls, cpus = [r["wall_s"] for r in rows], [r["cpu_s"] for r in rows]
            summary = {"n": len(rows), "repaired": _share(rows, "repaired"), "first_plans": _share(rows, "first_plans"),
                       "complete": _share(rows, "complete"), "frame": _share(rows, "frame"),
                       "median_s": round(statistics.median(walls), 3) if walls else None,
                       "max_s": round(max(walls), 3) if walls else None,
                       "median_cpu_s": round(statistics.median(cpus), 3) if cpus else None,
                       "max_cpu_s": round(max(cpus), 3) if cpus else None}
            report[name][kind] = {"summary": summary, "rows": rows}
            print(f"{name:5} {kind:6} n={summary['n']:<3} repaired {summary['repaired']:>6}  first repair plans and "
                  f"verifies {summary['first_plans']:>6}  complete {summary['complete']:>6}  frame {summary['frame']:>6}  "
                  f"diagnosis median {summary['median_s']} s, max {summary['max_s']} s "
                  f"(CPU {summary['median_cpu_s']} / {summary['max_cpu_s']} s)", flush=True)
            for r, req in zip(rows, reqs):
                if not r["repaired"] or args.verbose:
                    print(f"      {'unrepaired' if not r['repaired'] else 'repaired'}: {req.origin} -> "
                          f"{', '.join(req.destinations)} {req.start}..{req.end}; conflicts {r['conflicts']}; "
                          f"missing {r['missing']}; searched {r['searched']}; first repair {r['repairs'][:1]}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
