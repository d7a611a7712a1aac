"""What money is worth: the demo trip planned at a few values of money.

    python benchmarks/money.py [--values 0,0.25,0.5,1,4] [--time-limit 20]

``TripRequest.weights.money`` is how many preference points one unit of money per
traveller is worth (default 0.5, ``neurosym.objective.MONEY_DEFAULT``; a perfectly liked
item is 100 points). For each value it plans the demo trip and prints the preference points of the chosen items, the cost,
the value the planner maximised (preference net of money and night-time legs), whether
it was proven, and the legs: how late they run and by what mode (the check that no
late taxi is bought for a sliver of preference). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse

from neurosym import demo_request, load_demo_catalog, plan_itinerary
from neurosym.catalog import clock


def preference_points(it, problem) -> int:
    """The preference points (``pref/2``) of an itinerary's legs, nights and places."""
    from neurosym import vocab as V
    from neurosym.asp import Option

    pref = {f.args[0]: f.args[1] for f in problem.facts if f.pred is V.Pref}
    total = sum(pref.get(Option(leg.item_id, leg.day, leg.departure), 0) for leg in it.legs)
    total += sum(pref.get(s.hotel_id, 0) * s.nights for s in it.stays)
    places = {e.item_id for d in it.days for e in d.events if e.kind in ("visit", "breakfast", "lunch", "dinner")}
    return total + sum(pref.get(i, 0) for i in places)


def main() -> None:
    from neurosym.problem import build_problem

    ap = argparse.ArgumentParser()
    ap.add_argument("--values", default="0,0.25,0.5,1,4", help="values of money, comma-separated")
    ap.add_argument("--time-limit", type=float, default=20.0)
    args = ap.parse_args()
    catalog = load_demo_catalog()
    print("| money (points per unit per traveller) | preference points | cost | value | proven | legs |")
    print("| --- | --- | --- | --- | --- | --- |")
    for money in (float(x) for x in args.values.split(",")):
        base = demo_request()
        req = base.model_copy(update={"weights": base.weights.model_copy(update={"money": money})})
        it = plan_itinerary(req, catalog, time_limit=args.time_limit)
        points = preference_points(it, build_problem(req, catalog, prune_dominated=False))
        legs = "; ".join(f"{leg.mode} {clock(leg.departure)}-{clock(leg.arrival)}" for leg in it.legs)
        print(f"| {money:g} | {points} | {it.total_cost:.2f} | {it.value} | {it.optimal} | {legs} |")


if __name__ == "__main__":
    main()
