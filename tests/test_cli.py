"""The command line: exit codes and one-line errors that name the file and field."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import small_request


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neurosym", *args], capture_output=True, text=True,
                          timeout=timeout)


def write_inputs(tmp_path, catalog, **kw):
    cat, req = tmp_path / "catalog.json", tmp_path / "request.json"
    cat.write_text(catalog.model_dump_json())
    req.write_text(small_request(**kw).model_dump_json())
    return cat, req


def test_demo_dump_writes_editable_inputs(tmp_path):
    out = run("demo", "--dump", str(tmp_path / "d"))
    assert out.returncode == 0, out.stderr
    names = {p.name for p in (tmp_path / "d").iterdir()}
    assert {"request.json", "catalog.json"} <= names
    assert any(n.startswith("history_") for n in names)


def test_plan_then_verify_round_trip(tmp_path, catalog):
    cat, req = write_inputs(tmp_path, catalog)
    out = run("plan", str(req), "--catalog", str(cat), "--json", "--time-limit", "3")
    assert out.returncode == 0, out.stderr
    it = tmp_path / "it.json"
    it.write_text(out.stdout)
    ok = run("verify", str(it), "--request", str(req), "--catalog", str(cat))
    assert ok.returncode == 0 and "valid" in ok.stdout
    data = json.loads(out.stdout)
    first_meal = next(e for d in data["days"] for e in d["events"] if e["kind"] in ("lunch", "dinner"))
    first_meal["start"] = 3 * 60  # 03:00: outside every meal window and opening hour
    it.write_text(json.dumps(data))
    bad = run("verify", str(it), "--request", str(req), "--catalog", str(cat))
    assert bad.returncode == 2 and "activity_meal_window" in bad.stdout


def test_impossible_request_exits_2_with_a_message(tmp_path, catalog):
    cat, req = write_inputs(tmp_path, catalog, budget=1)
    out = run("plan", str(req), "--catalog", str(cat), "--time-limit", "2")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert "budget" in out.stderr
    out = run("plan", str(req), "--catalog", str(cat), "--time-limit", "2", "--json")
    assert out.returncode == 2 and "budget" in json.dumps(json.loads(out.stdout))


def test_bad_input_exits_1_naming_file_and_field(tmp_path, catalog):
    cat, req = write_inputs(tmp_path, catalog)
    data = json.loads(req.read_text())
    data["travelers"]["adults"] = "two"
    req.write_text(json.dumps(data))
    out = run("plan", str(req), "--catalog", str(cat))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "request.json" in out.stderr and "travelers.adults" in out.stderr
    req.write_text("{ not json")
    out = run("plan", str(req), "--catalog", str(cat))
    assert out.returncode == 1 and "request.json:1:" in out.stderr
    data["travelers"]["adults"] = 2
    data["destinations"] = ["Atlantis"]
    req.write_text(json.dumps(data))
    out = run("plan", str(req), "--catalog", str(cat))
    assert out.returncode == 1 and "destinations[0]" in out.stderr and "Atlantis" in out.stderr


def test_output_into_a_closed_pipe_is_no_internal_error():
    """``python -m neurosym tools | head``: the reader leaves early, which is not a bug of neurosym."""
    proc = subprocess.Popen([sys.executable, "-m", "neurosym", "tools"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()   # before the command writes anything
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert "internal error" not in err and "Traceback" not in err, err
