"""Bad input, class by class: one line naming the file and field, exit 1, never a traceback.

Each class is tried on every kind of input the library reads: the request, the catalog,
the itinerary given to ``verify``, a user history, a user rule file (and the
TravelPlanner data for the ``travelplanner`` command). The command line runs in-process
(``cli.main``), so an exception that escapes fails the test; one subprocess run checks
that nothing leaks a traceback end to end.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import first_train_row, small_catalog, small_request
from neurosym import NoItinerary, plan_itinerary
from neurosym.cli import EXIT_CODES, main

LONG = "x" * 10_000_000  # 10 MB


@pytest.fixture
def inputs(tmp_path):
    """request.json, catalog.json, an itinerary, a history and a rule file, all valid."""
    cat, req = small_catalog(), small_request()
    files = {"request": tmp_path / "request.json", "catalog": tmp_path / "catalog.json",
             "itinerary": tmp_path / "itinerary.json", "history": tmp_path / "history.json",
             "rules": tmp_path / "rules.lp"}
    files["request"].write_text(req.model_dump_json())
    files["catalog"].write_text(cat.model_dump_json())
    files["itinerary"].write_text(plan_itinerary(req, cat, time_limit=2).model_dump_json())
    files["history"].write_text(json.dumps({"name": "ann", "likes": ["museums"]}))
    files["rules"].write_text(':- at(_,_,I), I = "a:a:zoo".\n')
    return files


def run(inputs: dict[str, Path], kind: str, capsys) -> tuple[int, str]:
    """Run the command that reads an input of this kind; exit status and stderr."""
    f = {k: str(v) for k, v in inputs.items()}
    args = {"request": ["plan", f["request"], "--catalog", f["catalog"], "--time-limit", "2"],
            "catalog": ["plan", f["request"], "--catalog", f["catalog"], "--time-limit", "2"],
            "itinerary": ["verify", f["itinerary"], "--request", f["request"], "--catalog", f["catalog"]],
            "history": ["plan", f["request"], "--catalog", f["catalog"], "--history", f["history"]],
            "rules": ["plan", f["request"], "--catalog", f["catalog"], "--rules", f["rules"], "--time-limit", "2"]}
    code = main(args[kind])
    err = capsys.readouterr().err
    return code, err


JSON_KINDS = ("request", "catalog", "itinerary", "history")
ALL_KINDS = (*JSON_KINDS, "rules")


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_a_file_that_is_not_utf8(inputs, capsys, kind, encoding):
    path = inputs[kind]
    text = path.read_text(encoding="utf-8")
    text = text.replace("Alpha", "Alphé") if kind != "rules" else "% café\n" + text
    if kind == "history":
        text = json.dumps({"name": "Zoé"}, ensure_ascii=False)
    path.write_bytes(text.encode(encoding))
    code, err = run(inputs, kind, capsys)
    assert code == 1, err
    assert path.name in err and "not UTF-8" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("kind", JSON_KINDS)
def test_json_nested_100000_deep(inputs, capsys, kind):
    inputs[kind].write_text('{"name": ' + "[" * 100_000 + "]" * 100_000 + "}")
    code, err = run(inputs, kind, capsys)
    assert code == 1 and inputs[kind].name in err and "nested too deeply" in err


@pytest.mark.parametrize("kind, edit, field", [
    ("request", lambda d: d.update(budget="Infinity"), "budget"),
    ("request", lambda d: d.update(budget=1e12), "budget"),
    ("request", lambda d: d["travelers"].update(adults=10**30), "travelers.adults"),
    ("request", lambda d: d.update(pace=10**10), "pace"),
    ("request", lambda d: d.update(pace="BIG"), "4300 digits"),
    ("itinerary", lambda d: d.update(total_cost="BIG"), "4300 digits"),
    ("request", lambda d: d.update(end="2031-01-01"), "(top level)"),
    ("request", lambda d: d.update(keep=[{"item_id": "h:a:cheap", "day": 1, "nights": 10**9}]), "keep.0.nights"),
    ("request", lambda d: d.update(keep=[{"item_id": "a:a:zoo", "day": 10**30}]), "keep.0.day"),
    ("request", lambda d: d.update(keep=[{"item_id": "x" * 2000}]), "keep.0.item_id"),
    ("request", lambda d: d.update(exclude=["ok", "\ud800"]), "exclude: Value error, entry 1"),
    ("catalog", lambda d: d["hotels"][0].update(price=1e12), "hotels.0.price"),
    ("catalog", lambda d: d["hotels"][0].update(max_occupancy=10**30), "hotels.0.max_occupancy"),
    ("catalog", lambda d: d["ground_legs"][0].update(duration_min=10**10), "ground_legs.0.duration_min"),
    ("catalog", lambda d: d["ground_legs"][0].update(vehicle_capacity=10**30), "ground_legs.0.vehicle_capacity"),
    ("catalog", lambda d: d["attractions"][0].update(lat=float("nan")), "attractions.0.lat"),
    ("catalog", lambda d: d.update(speed_kmh=1e-300), "speed_kmh"),
    ("catalog", lambda d: d.update(transfer_overhead_min=10**10), "transfer_overhead_min"),
    ("history", lambda d: d.update(items=[{"id": "x", "kind": "hotel", "rating": float("inf")}]), "items.0.rating"),
])
def test_numbers_that_would_break_later_are_refused_at_the_boundary(inputs, capsys, kind, edit, field):
    data = json.loads(inputs[kind].read_text())
    edit(data)
    inputs[kind].write_text(json.dumps(data).replace('"Infinity"', "Infinity").replace('"BIG"', "9" * 5000))
    code, err = run(inputs, kind, capsys)
    assert code == 1, err
    assert inputs[kind].name in err and (field in err or "Infinity" in err), err


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_an_itinerary_with_non_finite_costs_breaks_a_rule(inputs, capsys, value):
    data = json.loads(inputs["itinerary"].read_text())
    data["total_cost"] = value
    for s in data["stays"]:
        s["cost"] = value
    data["costs_by_category"] = {k: value for k in data["costs_by_category"]}
    inputs["itinerary"].write_text(json.dumps(data))  # Python writes NaN / Infinity
    code = main(["verify", str(inputs["itinerary"]), "--request", str(inputs["request"]),
                 "--catalog", str(inputs["catalog"])])
    out = capsys.readouterr().out
    assert code == 1 or (code == 2 and "itinerary_number" in out), out


def test_verify_reports_nan_costs_as_violations(catalog):
    from neurosym import verify
    req = small_request()
    it = plan_itinerary(req, catalog, time_limit=2)
    bad = it.model_copy(deep=True)
    bad.total_cost = float("nan")
    bad.costs_by_category = {k: float("nan") for k in bad.costs_by_category}
    for leg in bad.legs:
        leg.cost = float("nan")
    for day in bad.days:
        for ev in day.events:
            ev.cost = float("nan")
    found = verify(bad, req, catalog)
    assert found and {v.rule for v in found} >= {"itinerary_number"}
    assert any("total_cost is nan" in v.message for v in found)


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_lone_surrogates(inputs, capsys, kind):
    path = inputs[kind]
    if kind == "rules":  # a surrogate cannot be written in UTF-8: its bytes are not UTF-8
        path.write_bytes(b':- at(_,_,I), I = "\xed\xa0\x80".\n')
    else:
        data = json.loads(path.read_text())
        key = {"request": "origin", "catalog": "name", "itinerary": "origin", "history": "name"}[kind]
        data[key] = "Home\ud800"
        path.write_text(json.dumps(data))  # json writes it as the escape \\ud800
    code, err = run(inputs, kind, capsys)
    assert code == 1, err
    assert path.name in err and ("surrogate" in err or "UTF-8" in err), err


@pytest.mark.parametrize("kind, key", [("request", "origin"), ("catalog", "name"), ("itinerary", "origin"),
                                       ("history", "name")])
def test_a_10mb_string_is_never_echoed(inputs, capsys, kind, key):
    data = json.loads(inputs[kind].read_text())
    data[key] = LONG
    inputs[kind].write_text(json.dumps(data))
    code, err = run(inputs, kind, capsys)
    assert code in (1, 2) and len(err) < 2_000, err[:500]


def test_a_long_value_in_a_diagnosis_is_cut(catalog):
    """A valid but long cuisine that no restaurant serves: the diagnosis names it, cut."""
    cuisine = "q" * 1000
    with pytest.raises(NoItinerary) as exc:
        plan_itinerary(small_request(cuisines=[cuisine]), catalog, time_limit=2)
    assert "qqqq" in exc.value.message and len(exc.value.message) < 5_000
    assert len(json.dumps(exc.value.to_dict())) < 50_000


def test_unknown_kept_or_excluded_item_names_the_file_and_the_field(inputs, capsys):
    data = json.loads(inputs["request"].read_text())
    data["exclude"] = ["y" * 900]
    inputs["request"].write_text(json.dumps(data))
    code, err = run(inputs, "request", capsys)
    assert code == 1 and "request.json" in err and "exclude[0]" in err and len(err) < 500


def test_unknown_city_names_the_file_and_the_field(inputs, capsys):
    data = json.loads(inputs["request"].read_text())
    data["destinations"] = ["Atlantis"]
    inputs["request"].write_text(json.dumps(data))
    code, err = run(inputs, "request", capsys)
    assert code == 1 and "request.json" in err and "destinations[0]" in err and "Atlantis" in err
    assert "catalog.json" in err


# -- demo --dump ---------------------------------------------------------------------------

def test_dump_never_replaces_a_file(tmp_path, capsys):
    target = tmp_path / "mine.txt"
    target.write_text("my data")
    assert main(["demo", "--dump", str(target)]) == 1
    assert "not a folder" in capsys.readouterr().err and target.read_text() == "my data"
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "catalog.json").write_text("my catalog")
    assert main(["demo", "--dump", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "catalog.json" in err and "replace" in err
    assert (folder / "catalog.json").read_text() == "my catalog" and not (folder / "request.json").exists()


def test_dump_into_an_unwritable_place(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["demo", "--dump", str(blocker / "out")]) == 1  # a file stands where a folder must go
    assert "cannot write" in capsys.readouterr().err and blocker.read_text() == "not a folder"
    if os.geteuid() != 0:  # root writes anywhere: the permission case only bites a normal user
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            assert main(["demo", "--dump", str(ro)]) == 1
            assert "cannot write" in capsys.readouterr().err and list(ro.iterdir()) == []
        finally:
            ro.chmod(0o700)


def test_dump_into_a_new_folder_writes_everything(tmp_path, capsys):
    assert main(["demo", "--dump", str(tmp_path / "new" / "d")]) == 0
    names = {p.name for p in (tmp_path / "new" / "d").iterdir()}
    assert {"request.json", "catalog.json"} <= names and not any(n.endswith(".tmp") for n in names)


# -- arguments -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf", "-1", "abc", "-inf", "1e999"])
@pytest.mark.parametrize("command", ["demo", "plan", "travelplanner"])
def test_bad_time_limits_exit_1(inputs, capsys, command, value):
    args = {"demo": ["demo"], "plan": ["plan", str(inputs["request"])],
            "travelplanner": ["travelplanner", "--data", "x.jsonl", "--out", "y.jsonl"]}[command]
    assert main([*args, "--time-limit", value]) == 1
    err = capsys.readouterr().err
    assert "--time-limit" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [[], ["nonsense"], ["plan"], ["plan", "r.json", "--bogus"],
                                  ["verify", "it.json"], ["travelplanner", "--data"]])
def test_usage_errors_exit_1_not_2(args, capsys):
    assert main(args) == 1
    assert "usage:" in capsys.readouterr().err


def test_help_documents_every_exit_code(capsys):
    for args in (["--help"], ["plan", "--help"], ["travelplanner", "--help"]):
        assert main(args) == 0
        out = capsys.readouterr().out
        for code, meaning in EXIT_CODES.items():
            assert f"{code}  {meaning.split()[0]}" in out, (args, code)


def test_no_traceback_end_to_end(tmp_path):
    """The real command in a real process: a hostile file, one line on stderr, exit 1."""
    req = tmp_path / "request.json"
    req.write_bytes(b"\xff\xfe" + '{"origin": "Home"}'.encode("utf-16-le"))
    out = subprocess.run([sys.executable, "-m", "neurosym", "plan", str(req)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 1 and "Traceback" not in out.stderr and len(out.stderr.splitlines()) == 1


# -- the TravelPlanner command ----------------------------------------------------------------

@pytest.mark.parametrize("case", ["latin1", "deep", "price", "nan", "surrogate", "out_is_data", "unwritable"])
def test_travelplanner_bad_data_exits_1_naming_the_file(data_dir, tmp_path, capsys, case):
    row = first_train_row(data_dir)
    data = tmp_path / "split.jsonl"
    out = tmp_path / "plans.jsonl"
    if case == "latin1":
        data.write_bytes(json.dumps(row, ensure_ascii=False).replace(row["org"], "Mont\xe9al").encode("latin-1"))
    elif case == "deep":
        data.write_text(json.dumps(row) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    elif case in ("price", "nan", "surrogate"):
        key = next(k for k in row["reference_information"] if k.startswith("Accommodations"))
        table = row["reference_information"][key]
        assert isinstance(table, list) and table, f"the train split's first query lists no accommodations: {key}"
        field, value = {"price": ("price", 1e12), "nan": ("price", float("nan")),
                        "surrogate": ("NAME", "Inn\ud800")}[case]
        table[0][field] = value
        data.write_text(json.dumps(row) + "\n")
    else:
        data.write_text(json.dumps(row) + "\n")
    if case == "out_is_data":
        out = data
    if case == "unwritable":
        out = tmp_path / "missing" / "folder" / "plans.jsonl"
    code = main(["travelplanner", "--data", str(data), "--out", str(out), "--time-limit", "0.5"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert len(err.splitlines()) == 1 and ("split.jsonl" in err or "plans.jsonl" in err), err


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0, 1e300, "5"])
def test_the_api_refuses_a_time_limit_that_is_not_seconds(catalog, value):
    with pytest.raises(ValueError, match="time_limit"):
        plan_itinerary(small_request(), catalog, time_limit=value)
