"""The benchmark scripts run (quick mode) and report their figures; no timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_preference_benchmark_quick_mode(tmp_path):
    out = tmp_path / "prefs.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "preferences.py"), "--quick", "--json", str(out)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NEUROSYM_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(out.read_text())
    for metric in ("ndcg@10", "hit@10"):
        assert set(report[metric]) >= {"model", "popularity", "random"}
        assert all(0.0 <= v <= 1.0 for v in report[metric].values())
    assert report["encode_items_per_s"] > 0 and report["cold_start_s"] > 0 and report["warm_score_ms"] > 0


def test_booking_faults_quick_mode(tmp_path):
    out = tmp_path / "faults.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "booking_faults.py"), "--quick", "--json",
                           str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["trips"] == 4 and figures["actions"] > 0 and figures["injected_faults"] > 0
    assert figures["double_bookings"] == figures["orphan_bookings"] == figures["lost_journal_entries"] == 0
    assert figures["itineraries_failing_verify"] == 0


def test_soak_runs_and_reports_its_figures(tmp_path):
    out = tmp_path / "soak.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "soak.py"), "--n", "8", "--report", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(out.read_text())
    assert report["scenarios"] == 8 and report["errors"] == 0 and report["violations"] == 0
    assert report["itineraries"] + report["no_itinerary"] + report["timeouts"] == 8
    assert "itineraries" in proc.stdout and "violations 0" in proc.stdout
