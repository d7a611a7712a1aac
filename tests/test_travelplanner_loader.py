"""The TravelPlanner loader: both layouts of the shared train split, text tables, bad input.

The data is read from ``../shared/travelplanner`` next to the repository (or from
``$NEUROSYM_TRAVELPLANNER_DIR``); when it is missing these tests fail, they never skip.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import TP_DEFAULT_DIR
from neurosym.travelplanner import (
    DATA_DIR_ENV,
    TPQuery,
    TravelPlannerDataError,
    load,
    load_csv,
    load_jsonl,
    parse_text_table,
    resolve_data_dir,
)

# --------------------------------------------------------------------------- the shared train split


def test_both_layouts_give_identical_queries(
    json_queries: list[TPQuery], csv_queries: list[TPQuery]
) -> None:
    assert len(json_queries) == len(csv_queries) == 45
    assert [q.idx for q in csv_queries] == list(range(1, 46))
    for from_json, from_csv in zip(json_queries, csv_queries, strict=True):
        assert from_json == from_csv, f"query {from_json.idx} differs between the layouts"


def test_load_dispatches_on_suffix(data_dir: Path, json_queries: list[TPQuery], tmp_path: Path) -> None:
    assert load(data_dir / "train.jsonl") == json_queries
    assert load(data_dir / "train_hf.csv")[0] == json_queries[0]
    with pytest.raises(TravelPlannerDataError, match=r"expected a \.jsonl or \.csv"):
        load(tmp_path / "train.parquet")


def test_queries_are_typed(json_queries: list[TPQuery]) -> None:
    first = json_queries[0]
    assert (first.org, first.dest, first.days, first.people_number) == ("St. Petersburg", "Rockford", 3, 1)
    assert first.dates == [date(2022, 3, 16), date(2022, 3, 17), date(2022, 3, 18)]
    assert first.annotated_plan is not None and first.annotated_plan[0]["days"] == 1
    restaurant = first.reference.restaurants["Rockford"][0]
    assert (restaurant.name, restaurant.average_cost, restaurant.city) == ("Coco Bambu", 72.0, "Rockford")
    assert restaurant.cuisines == ["Tea", "French", "Bakery", "BBQ", "Cafe"]
    stay = first.reference.accommodations["Rockford"][0]
    assert isinstance(stay.minimum_nights, int) and isinstance(stay.maximum_occupancy, int)
    assert stay.house_rules == ["No smoking"]
    (outbound, *_) = first.reference.flights
    assert (outbound.origin, outbound.dest, outbound.date) == ("St. Petersburg", "Rockford", date(2022, 3, 16))
    assert outbound.flights[0].number == "F3573659"
    taxi = first.reference.ground_leg("taxi", "Rockford", "St. Petersburg")
    assert taxi is not None and taxi.cost is None and taxi.distance_km is None  # "No valid information."
    searches = [search for query in json_queries for search in query.reference.flights]
    assert any(not search.flights for search in searches)  # "There is no flight from ..."


def test_every_float_is_rounded_to_six_decimals(json_queries: list[TPQuery]) -> None:
    for query in json_queries:
        for rows in query.reference.attractions.values():
            for row in rows:
                assert row.lat == round(row.lat, 6) and row.lon == round(row.lon, 6)


def test_drives_keep_their_cost_and_constraints_their_values(json_queries: list[TPQuery]) -> None:
    drives = [leg for q in json_queries for leg in q.reference.ground if leg.cost is not None]
    assert drives, "the train split has priced drives"
    for leg in drives:
        assert leg.distance_km is not None and leg.duration_minutes is not None
        expected = int(leg.distance_km * 0.05) if leg.mode == "self-driving" else int(leg.distance_km)
        assert leg.cost == expected
    constraints = {q.local_constraint.room_type for q in json_queries}
    assert constraints <= {None, "entire room", "private room", "shared room", "not shared room"}
    assert sum(1 + q.local_constraint.set_count() for q in json_queries) == 105  # eval.py's train total


# --------------------------------------------------------------------------- text tables (printed by pandas)

# Tables printed by pandas' DataFrame.to_string (with and without index), kept verbatim.
RESTAURANTS_WITH_INDEX = (
    "                    Name  Average Cost       Cuisines  Aggregate Rating      City\n"
    "39            Coco Bambu            72    Tea, French               4.9  Rockford\n"
    "251         Flying Mango            20  American, BBQ               4.5  Rockford\n"
    "4348  Wok  In The Clouds            35        Chinese               0.0  Rockford"
)
ACCOMMODATIONS_ESCAPED = (
    "                 NAME  price    room type          house_rules  minimum nights  maximum occupancy  review rate number     city\n"  # noqa: E501
    "Great Room!\\nCan wait 1152.0 Private room No parties & No pets             2.0                  2                 5.0 Billings\n"  # noqa: E501
    "         1000 Islands   90.0  Shared room           No smoking             1.0                  1                 3.0 Billings"  # noqa: E501
)
RESTAURANT_COLUMNS = ["Name", "Average Cost", "Cuisines", "Aggregate Rating", "City"]
ACCOMMODATION_COLUMNS = [
    "NAME", "price", "room type", "house_rules", "minimum nights",
    "maximum occupancy", "review rate number", "city",
]


def test_text_table_drops_the_printed_index() -> None:
    rows = parse_text_table(RESTAURANTS_WITH_INDEX, RESTAURANT_COLUMNS)
    assert [row["Name"] for row in rows] == ["Coco Bambu", "Flying Mango", "Wok  In The Clouds"]
    assert rows[1] == {
        "Name": "Flying Mango", "Average Cost": "20", "Cuisines": "American, BBQ",
        "Aggregate Rating": "4.5", "City": "Rockford",
    }


def test_text_table_without_index_keeps_leading_digits_and_unescapes() -> None:
    rows = parse_text_table(ACCOMMODATIONS_ESCAPED, ACCOMMODATION_COLUMNS)
    assert [row["NAME"] for row in rows] == ["Great Room!\nCan wait", "1000 Islands"]
    assert rows[0]["house_rules"] == "No parties & No pets" and rows[0]["review rate number"] == "5.0"
    single = (
        "             Name  Latitude  Longitude   Address          Phone       Website    City\n"
        "1000 Islands Park 44.321235     -76.01 1 Main St (315) 555-0100 http://x.org/ Clayton"
    )
    columns = ["Name", "Latitude", "Longitude", "Address", "Phone", "Website", "City"]
    assert parse_text_table(single, columns)[0]["Name"] == "1000 Islands Park"


def test_text_table_rejects_a_misaligned_row_or_a_missing_column() -> None:
    with pytest.raises(ValueError, match="characters wide"):
        parse_text_table(RESTAURANTS_WITH_INDEX + " extra", RESTAURANT_COLUMNS)
    with pytest.raises(ValueError, match="Rating"):
        parse_text_table(RESTAURANTS_WITH_INDEX, [*RESTAURANT_COLUMNS, "Rating"])
    with pytest.raises(ValueError, match="unexpected columns"):
        parse_text_table(RESTAURANTS_WITH_INDEX, RESTAURANT_COLUMNS[:-1])


# --------------------------------------------------------------------------- bad input

LOCAL = {"house rule": None, "cuisine": None, "room type": None, "transportation": None}


def _json_row(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "idx": 1, "org": "Ann Arbor", "dest": "Rockford", "days": 3, "visiting_city_number": 1,
        "date": ["2022-03-16", "2022-03-17", "2022-03-18"], "people_number": 2,
        "local_constraint": dict(LOCAL), "budget": 1200, "query": "A trip.", "level": "easy",
        "reference_information": {
            "Restaurants in Rockford": [
                {"Name": "Coco Bambu", "Average Cost": 72, "Cuisines": "Tea, French",
                 "Aggregate Rating": 4.9, "City": "Rockford"},
            ],
            "Taxi from Ann Arbor to Rockford": "No valid information.",
        },
        "annotated_plan": [{"days": 1, "current_city": "from Ann Arbor to Rockford"}, {}],
    }
    row.update(changes)
    return row


def _csv_row(**changes: str) -> dict[str, str]:
    table = (
        "          Name  Average Cost     Cuisines  Aggregate Rating      City\n"
        "39  Coco Bambu            72  Tea, French               4.9  Rockford"
    )
    reference = [
        {"Description": "Restaurants in Rockford", "Content": table},
        {"Description": "Taxi from Ann Arbor to Rockford", "Content": "No valid information."},
    ]
    skipped = ("idx", "annotated_plan", "reference_information")
    query = {key: value for key, value in _json_row().items() if key not in skipped}
    row = {
        "org": "Ann Arbor", "dest": "Rockford", "days": "3", "visiting_city_number": "1",
        "date": "['2022-03-16', '2022-03-17', '2022-03-18']", "people_number": "2",
        "local_constraint": repr(LOCAL), "budget": "1200", "query": "A trip.", "level": "easy",
        "annotated_plan": repr([query, [{"days": 1, "current_city": "from Ann Arbor to Rockford"}, {}]]),
        "reference_information": repr(reference),
    }
    row.update(changes)
    return row


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_small_files_of_both_layouts_agree(tmp_path: Path) -> None:
    from_json = load_jsonl(_write_jsonl(tmp_path / "ok.jsonl", [_json_row()]))
    from_csv = load_csv(_write_csv(tmp_path / "ok.csv", [_csv_row()]))
    assert from_json == from_csv
    assert from_json[0].reference.restaurants["Rockford"][0].cuisines == ["Tea", "French"]


def _error(loader: Any, path: Path) -> TravelPlannerDataError:
    with pytest.raises(TravelPlannerDataError) as caught:
        loader(path)
    assert isinstance(caught.value, ValueError)
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"budget": None}, "budget"),
        ({"days": "three"}, "days"),
        ({"date": ["2022-13-40"]}, "date"),
        ({"level": "extreme"}, "level"),
        ({"local_constraint": {**LOCAL, "room type": "castle"}}, "local_constraint.room type"),
        ({"reference_information": {"Museums in Rockford": []}}, "reference_information['Museums in Rockford']"),
        (
            {"reference_information": {"Restaurants in Rockford": [{"Name": "Coco Bambu", "City": "Rockford"}]}},
            "reference_information['Restaurants in Rockford'][0].Average Cost",
        ),
        (
            {"reference_information": {"Taxi from A to B": "taxi, from A to B, cost: lots"}},
            "reference_information['Taxi from A to B']",
        ),
        ({"annotated_plan": ["day one"]}, "annotated_plan"),
    ],
)
def test_jsonl_errors_name_file_line_and_field(tmp_path: Path, row: dict[str, Any], field: str) -> None:
    path = _write_jsonl(tmp_path / "bad.jsonl", [_json_row(), _json_row(**row)])
    error = _error(load_jsonl, path)
    assert (error.row, error.field) == (2, field)
    assert "line 2" in str(error) and repr(field) in str(error)


def test_jsonl_missing_field_and_broken_json(tmp_path: Path) -> None:
    row = _json_row()
    del row["budget"]
    error = _error(load_jsonl, _write_jsonl(tmp_path / "missing.jsonl", [row]))
    assert (error.row, error.field) == (1, "budget") and "missing field" in str(error)
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(_json_row()) + "\n{not json\n", encoding="utf-8")
    assert _error(load_jsonl, path).row == 2


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"date": "['2022-03-16', "}, "date"),
        ({"local_constraint": "__import__('os')"}, "local_constraint"),
        ({"people_number": "many"}, "people_number"),
        ({"annotated_plan": "[{'org': 'Ann Arbor'}]"}, "annotated_plan"),
        ({"reference_information": "[{'Description': 'Restaurants in Rockford'}]"}, "reference_information[0]"),
    ],
)
def test_csv_errors_name_file_row_and_field(tmp_path: Path, row: dict[str, str], field: str) -> None:
    path = _write_csv(tmp_path / "bad.csv", [_csv_row(), _csv_row(), _csv_row(**row)])
    error = _error(load_csv, path)
    assert (error.row, error.field) == (3, field)
    assert "row 3" in str(error)


def test_csv_misaligned_text_table_is_located(tmp_path: Path) -> None:
    table = "        Name  Average Cost    Cuisines  Aggregate Rating     City\n39  Coco Bambu  72 Tea"
    reference = repr([{"Description": "Restaurants in Rockford", "Content": table}])
    error = _error(load_csv, _write_csv(tmp_path / "table.csv", [_csv_row(reference_information=reference)]))
    assert error.row == 1
    assert error.field is not None and error.field.startswith("reference_information['Restaurants in Rockford']")
    assert "characters wide" in str(error)


def test_csv_missing_column(tmp_path: Path) -> None:
    row = _csv_row()
    del row["budget"]
    error = _error(load_csv, _write_csv(tmp_path / "nobudget.csv", [row]))
    assert error.field == "budget" and "header" in str(error)


def test_missing_data_dir_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match=DATA_DIR_ENV):
        resolve_data_dir(TP_DEFAULT_DIR)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    assert resolve_data_dir(TP_DEFAULT_DIR) == tmp_path
