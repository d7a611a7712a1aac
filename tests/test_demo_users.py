"""The demo users: opposite tastes give different itineraries that both verify."""

from __future__ import annotations

import subprocess
import sys

from neurosym import demo_request, load_demo_catalog, plan_itinerary, verify
from neurosym.preferences.demo_users import demo_users


def test_opposite_demo_users_get_different_valid_plans(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROSYM_CACHE_DIR", str(tmp_path / "cache"))
    catalog, req = load_demo_catalog(), demo_request()
    users = demo_users()
    plans = {name: plan_itinerary(req, catalog, history=users[name], time_limit=3) for name in ("foodie", "family")}
    for name, it in plans.items():
        assert verify(it, req, catalog) == [], name
        assert any(j.contributions for j in it.justifications), "justifications show the model's contributions"
    places = {name: {i for i in it.chosen_ids() if i.startswith(("a:", "r:"))} for name, it in plans.items()}
    overlap = len(places["foodie"] & places["family"]) / max(1, len(places["foodie"] | places["family"]))
    assert overlap < 0.5, f"the two users share {overlap:.0%} of their places"


def test_cli_lists_users_name_first():
    out = subprocess.run([sys.executable, "-m", "neurosym", "demo", "--list-users"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0
    names = [line.split()[0] for line in out.stdout.splitlines() if line.strip()]
    assert set(names) >= {"foodie", "family"}
