"""Read TravelPlanner queries (Xie et al., ICML 2024) into typed :class:`TPQuery` objects.

Two layouts of the same split are supported:

* JSON lines (``*.jsonl``): one object per query; ``reference_information`` is a dict
  from a description (``"Restaurants in Rockford"``) to a list of records, or to a
  sentence when nothing is available.
* The published CSV layout (``*.csv``, the files of the ``osunlp/TravelPlanner``
  dataset): ``date``, ``local_constraint``, ``annotated_plan`` and
  ``reference_information`` hold Python literals, and ``reference_information`` is a list
  of ``{"Description": ..., "Content": ...}`` whose ``Content`` is a table printed by
  pandas' ``DataFrame.to_string`` (or a sentence).

Both layouts give identical :class:`TPQuery` objects for the same row, after this
normalisation, applied to both:

* Every float is rounded to 6 decimals (pandas prints floats with 6 decimals).
* Counts printed as ``2.0`` are integers (``minimum_nights``, ``maximum_occupancy``...).
* Text cells are stripped of surrounding whitespace (a right-aligned text table cannot
  keep it); ``\\n``, ``\\t`` and ``\\r`` escapes printed by pandas are turned back into
  the characters they stand for.
* ``Cuisines`` is split on ``,`` and ``house_rules`` on ``&``.

Python literals are read with :func:`ast.literal_eval` only. Any problem in the input
raises :class:`TravelPlannerDataError`, which names the file, the row and the field.
"""

from __future__ import annotations

import ast
import csv
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

DATA_DIR_ENV = "NEUROSYM_TRAVELPLANNER_DIR"
"""Environment variable that points at the TravelPlanner data folder."""


class TravelPlannerDataError(ValueError):
    """Bad TravelPlanner input, located by file, row (or line) and field."""

    def __init__(
        self,
        path: Path | str,
        row: int | None,
        field: str | None,
        message: str,
        *,
        unit: str = "row",
    ) -> None:
        self.path = Path(path)
        self.row = row
        self.field = field
        where = [str(self.path)]
        if row is not None:
            where.append(f"{unit} {row}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {message}")


class _FieldError(ValueError):
    """Bad value in a field; the row loop turns it into a located :class:`TravelPlannerDataError`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --------------------------------------------------------------------------- value types


def _round6(value: float) -> float:
    return round(value, 6)


def _whole_number(value: Any) -> Any:
    """Accept ``4``, ``4.0`` and ``"4.0"`` as the integer 4; leave the rest to pydantic."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _clean_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _split_on(separator: str) -> Callable[[Any], Any]:
    def split(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return [part.strip() for part in value.split(separator) if part.strip()]

    return split


Float6 = Annotated[float, AfterValidator(_round6)]
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Text = Annotated[str, BeforeValidator(_clean_text)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- records


class TPAttraction(_Record):
    """A row of the attractions table."""

    name: Text
    lat: Float6
    lon: Float6
    address: Text
    phone: Text
    website: Text
    city: Text


class TPRestaurant(_Record):
    """A row of the restaurants table; ``average_cost`` is per person and meal."""

    name: Text
    average_cost: Float6
    cuisines: Annotated[list[str], BeforeValidator(_split_on(","))]
    rating: Float6
    city: Text

    @property
    def cuisines_text(self) -> str:
        """The cuisines as the table prints them (the benchmark matches substrings of it)."""
        return ", ".join(self.cuisines)


class TPAccommodation(_Record):
    """A row of the accommodations table; ``price`` is per night for the whole place."""

    name: Text
    price: Float6
    room_type: Text
    house_rules: Annotated[list[str], BeforeValidator(_split_on("&"))]
    minimum_nights: WholeNumber
    maximum_occupancy: WholeNumber
    review_rate: Float6
    city: Text

    @property
    def house_rules_text(self) -> str:
        """The rules as the table prints them (the benchmark matches substrings of it)."""
        return " & ".join(self.house_rules)


class TPFlight(_Record):
    """A flight; ``price`` is per person."""

    number: Text
    price: Float6
    dep_time: Text
    arr_time: Text
    elapsed: Text
    date: date
    origin: Text
    dest: Text
    distance: Float6


class TPFlightSearch(_Record):
    """The flights found from ``origin`` to ``dest`` on ``date`` (possibly none)."""

    origin: str
    dest: str
    date: date
    flights: list[TPFlight]


class TPGroundLeg(_Record):
    """A drive between two cities.

    ``cost`` is for one car (self-driving, up to 5 people) or one taxi (up to 4 people).
    Duration, distance and cost are None when the data has no usable information.
    """

    mode: Literal["self-driving", "taxi"]
    origin: str
    dest: str
    duration_minutes: int | None
    distance_km: Float6 | None
    cost: int | None


class TPReference(_Record):
    """A query's reference information: the slice of the database its planner may use.

    Place tables are keyed by city (in the order of the data); flight searches keep their
    ``(origin, dest, date)`` and ground legs their ``(mode, origin, dest)``.
    """

    attractions: dict[str, list[TPAttraction]] = Field(default_factory=dict)
    restaurants: dict[str, list[TPRestaurant]] = Field(default_factory=dict)
    accommodations: dict[str, list[TPAccommodation]] = Field(default_factory=dict)
    flights: list[TPFlightSearch] = Field(default_factory=list)
    ground: list[TPGroundLeg] = Field(default_factory=list)

    def flights_numbered(self, number: str) -> list[TPFlight]:
        """Every flight of the reference with this flight number, in order."""
        return [f for search in self.flights for f in search.flights if f.number == number]

    def ground_leg(self, mode: str, origin: str, dest: str) -> TPGroundLeg | None:
        """The ground leg for ``mode`` from ``origin`` to ``dest``, if the reference has it."""
        for leg in self.ground:
            if (leg.mode, leg.origin, leg.dest) == (mode, origin, dest):
                return leg
        return None


class TPLocalConstraint(_Record):
    """The hard constraints a query sets (None: not set)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    house_rule: Literal["parties", "smoking", "children under 10", "pets", "visitors"] | None = (
        Field(default=None, alias="house rule")
    )
    cuisine: list[str] | None = None
    room_type: Literal["entire room", "private room", "shared room", "not shared room"] | None = (
        Field(default=None, alias="room type")
    )
    transportation: Literal["no flight", "no self-driving"] | None = None

    def set_count(self) -> int:
        """How many constraints are set (the benchmark's hard-constraint count)."""
        values = (self.house_rule, self.cuisine, self.room_type, self.transportation)
        return sum(value is not None for value in values)


class TPQuery(_Record):
    """One TravelPlanner query with its reference information and, if any, the annotated plan.

    ``annotated_plan`` is the plan exactly as published: the benchmark's list of day
    dicts, padded with empty dicts up to 7 days.
    """

    idx: int = Field(ge=1)
    org: Text
    dest: Text
    days: WholeNumber = Field(ge=1)
    visiting_city_number: WholeNumber = Field(ge=1)
    dates: list[date]
    people_number: WholeNumber = Field(ge=1)
    local_constraint: TPLocalConstraint
    budget: WholeNumber
    query: str
    level: Literal["easy", "medium", "hard"]
    annotated_plan: list[dict[str, Any]] | None = None
    reference: TPReference


# --------------------------------------------------------------------------- text tables

_PANDAS_ESCAPES = {"\\n": "\n", "\\t": "\t", "\\r": "\r"}
_ESCAPE_PATTERN = re.compile(r"\\[ntr]")
_INDEX_LABEL = re.compile(r"\d+")


def _unescape(cell: str) -> str:
    return _ESCAPE_PATTERN.sub(lambda match: _PANDAS_ESCAPES[match.group(0)], cell)


def _header_spans(header: str, columns: Sequence[str]) -> list[tuple[str, int]]:
    """Each column with the right edge of its header, sorted left to right.

    pandas right-aligns every header over its column, so a column's cells end where its
    header ends. Every expected column must appear exactly once, as whole words (longer
    names are found first, so ``Rating`` is not found inside ``Aggregate Rating``), and
    the header must hold nothing else.
    """
    spans: list[tuple[int, int, str]] = []
    rest = header
    for column in sorted(columns, key=len, reverse=True):
        found = [match.span() for match in re.finditer(rf"(?<!\S){re.escape(column)}(?!\S)", rest)]
        if len(found) != 1:
            raise _FieldError(column, f"table header must name column {column!r} once: {header!r}")
        start, end = found[0]
        rest = rest[:start] + " " * (end - start) + rest[end:]
        spans.append((start, end, column))
    if rest.strip():
        raise _FieldError("header", f"unexpected columns in table header: {header!r}")
    return [(column, end) for _, end, column in sorted(spans)]


def _index_width(header: str, rows: Sequence[str]) -> int:
    """Width of the printed row index (0 when the table was printed without one).

    pandas prints the index labels left-aligned under a blank header, followed by at
    least two spaces (the column separator and the leading space of a text cell). A
    table without index starts its rows with right-aligned first-column cells instead.
    """
    labels = [_INDEX_LABEL.match(row) for row in rows]
    if not rows or not all(labels):
        return 0
    width = max(label.end() for label in labels if label)
    gaps_blank = all(
        not row[label.end():width + 2].strip() for row, label in zip(rows, labels, strict=True) if label
    )
    return width if gaps_blank and not header[:width + 1].strip() else 0


def parse_text_table(text: str, columns: Sequence[str]) -> list[dict[str, str]]:
    """Parse a table printed by pandas' ``DataFrame.to_string`` into one dict per row.

    The parser is fixed-width: the right edge of each column header is the right edge
    of that column's cells (pandas right-aligns both), and each cell runs from the
    previous column's right edge to its own. A leading integer row index is detected
    and dropped. Cells are stripped and pandas' ``\\n``/``\\t``/``\\r`` escapes undone.
    Raises :class:`ValueError` when the header lacks a column or a row is misaligned.
    """
    header, *rows = text.split("\n")
    spans = _header_spans(header, columns)
    start_of_first = _index_width(header, rows)
    records = []
    for number, row in enumerate(rows, start=1):
        if len(row) != len(header):
            raise _FieldError(
                spans[0][0],
                f"table row {number} is {len(row)} characters wide, its header {len(header)}",
            )
        record, left = {}, start_of_first
        for column, right in spans:
            record[column] = _unescape(row[left:right].strip())
            left = right
        records.append(record)
    return records


# --------------------------------------------------------------------------- reference information

_ATTRACTION_COLUMNS = {
    "Name": "name", "Latitude": "lat", "Longitude": "lon", "Address": "address",
    "Phone": "phone", "Website": "website", "City": "city",
}
_RESTAURANT_COLUMNS = {
    "Name": "name", "Average Cost": "average_cost", "Cuisines": "cuisines",
    "Aggregate Rating": "rating", "City": "city",
}
_ACCOMMODATION_COLUMNS = {
    "NAME": "name", "price": "price", "room type": "room_type", "house_rules": "house_rules",
    "minimum nights": "minimum_nights", "maximum occupancy": "maximum_occupancy",
    "review rate number": "review_rate", "city": "city",
}
_FLIGHT_COLUMNS = {
    "Flight Number": "number", "Price": "price", "DepTime": "dep_time", "ArrTime": "arr_time",
    "ActualElapsedTime": "elapsed", "FlightDate": "date", "OriginCityName": "origin",
    "DestCityName": "dest", "Distance": "distance",
}
_PLACE_TABLES: dict[str, tuple[str, type[_Record], dict[str, str]]] = {
    "Attractions": ("attractions", TPAttraction, _ATTRACTION_COLUMNS),
    "Restaurants": ("restaurants", TPRestaurant, _RESTAURANT_COLUMNS),
    "Accommodations": ("accommodations", TPAccommodation, _ACCOMMODATION_COLUMNS),
}

_PLACE_DESCRIPTION = re.compile(r"(Attractions|Restaurants|Accommodations) in (.+)")
_FLIGHT_DESCRIPTION = re.compile(r"Flight from (.+?) to (.+) on (\d{4}-\d{2}-\d{2})")
_GROUND_DESCRIPTION = re.compile(r"(Self-driving|Taxi) from (.+?) to (.+)")
_GROUND_SENTENCE = re.compile(
    r"(?:self-driving|taxi), from .+ to .+, duration: (?P<duration>[^,]+), "
    r"distance: (?P<distance>[\d,.]+ km), cost: (?P<cost>\d+)"
)
_NO_INFORMATION = re.compile(r"(?:.*, )?no valid information\.", re.IGNORECASE)
_DURATION_PART = re.compile(r"(\d+)\s*(day|hour|min)s?")
_MINUTES_PER = {"day": 24 * 60, "hour": 60, "min": 1}

R = TypeVar("R", bound=_Record)


def parse_duration(text: str) -> int | None:
    """Minutes in a duration such as ``"1 day 2 hours"`` or ``"3 hours 5 mins"`` (None if unreadable)."""
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        return None
    return sum(int(count) * _MINUTES_PER[unit] for count, unit in parts)


def parse_distance_km(text: str) -> float | None:
    """Kilometres in a distance such as ``"1,433 km"`` (None if unreadable)."""
    match = re.fullmatch(r"\s*([\d,]*\.?\d+)\s*km\s*", text)
    return float(match.group(1).replace(",", "")) if match else None


def _validate(model: type[R], values: Mapping[str, Any], field: str) -> R:
    try:
        return model.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise _FieldError(f"{field}.{where}" if where else field, first["msg"]) from None


def _records(
    payload: Any, model: type[R], columns: Mapping[str, str], field: str
) -> list[R]:
    """Records from a JSON list of dicts, a printed table, or a sentence (no records)."""
    if isinstance(payload, str):
        if "\n" not in payload.strip():
            return []
        try:
            payload = parse_text_table(payload, list(columns))
        except _FieldError as error:
            raise _FieldError(f"{field}.{error.field}", error.message) from None
    if not isinstance(payload, list):
        raise _FieldError(field, f"expected a list of records or a sentence, got {type(payload).__name__}")
    records = []
    for number, raw in enumerate(payload):
        if not isinstance(raw, Mapping):
            raise _FieldError(f"{field}[{number}]", "expected a record (a dict)")
        missing = [column for column in columns if column not in raw]
        if missing:
            raise _FieldError(f"{field}[{number}].{missing[0]}", "missing column")
        values = {name: raw[column] for column, name in columns.items()}
        records.append(_validate(model, values, f"{field}[{number}]"))
    return records


def _ground_leg(mode: str, origin: str, dest: str, payload: Any, field: str) -> TPGroundLeg:
    if not isinstance(payload, str):
        raise _FieldError(field, "expected a sentence describing the drive")
    sentence = payload.strip()
    values: dict[str, Any] = {
        "mode": mode, "origin": origin, "dest": dest,
        "duration_minutes": None, "distance_km": None, "cost": None,
    }
    match = _GROUND_SENTENCE.fullmatch(sentence)
    if match:
        values["duration_minutes"] = parse_duration(match["duration"])
        values["distance_km"] = parse_distance_km(match["distance"])
        values["cost"] = int(match["cost"])
    elif not _NO_INFORMATION.fullmatch(sentence):
        raise _FieldError(field, f"unreadable drive description: {sentence!r}")
    return _validate(TPGroundLeg, values, field)


def _parse_reference(entries: Iterator[tuple[str, Any]]) -> TPReference:
    """Build a :class:`TPReference` from ``(description, payload)`` pairs (last one wins)."""
    unique: dict[str, Any] = {}
    for description, payload in entries:
        unique[description.strip()] = payload
    places: dict[str, dict[str, list[Any]]] = {"attractions": {}, "restaurants": {}, "accommodations": {}}
    flights: list[TPFlightSearch] = []
    ground: list[TPGroundLeg] = []
    for description, payload in unique.items():
        field = f"reference_information[{description!r}]"
        if match := _PLACE_DESCRIPTION.fullmatch(description):
            attribute, model, columns = _PLACE_TABLES[match.group(1)]
            places[attribute][match.group(2)] = _records(payload, model, columns, field)
        elif match := _FLIGHT_DESCRIPTION.fullmatch(description):
            origin, dest, day = match.groups()
            found = _records(payload, TPFlight, _FLIGHT_COLUMNS, field)
            flights.append(_validate(
                TPFlightSearch, {"origin": origin, "dest": dest, "date": day, "flights": found}, field
            ))
        elif match := _GROUND_DESCRIPTION.fullmatch(description):
            mode, origin, dest = match.groups()
            ground.append(_ground_leg(mode.lower(), origin, dest, payload, field))
        else:
            raise _FieldError(field, "unknown kind of reference information")
    return TPReference(**places, flights=flights, ground=ground)


# --------------------------------------------------------------------------- query rows

_QUERY_FIELDS = (
    "org", "dest", "days", "visiting_city_number", "date", "people_number",
    "local_constraint", "budget", "query", "level", "reference_information",
)


def _require(raw: Mapping[str, Any], names: Sequence[str]) -> None:
    for name in names:
        if name not in raw:
            raise _FieldError(name, "missing field")


def _local_constraint(raw: Any) -> TPLocalConstraint:
    if not isinstance(raw, Mapping):
        raise _FieldError("local_constraint", "expected a dict")
    return _validate(TPLocalConstraint, raw, "local_constraint")


def _query(
    idx: int, raw: Mapping[str, Any], reference: TPReference, plan: list[dict[str, Any]] | None
) -> TPQuery:
    values = {
        "idx": idx,
        "org": raw["org"],
        "dest": raw["dest"],
        "days": raw["days"],
        "visiting_city_number": raw["visiting_city_number"],
        "dates": raw["date"],
        "people_number": raw["people_number"],
        "local_constraint": _local_constraint(raw["local_constraint"]),
        "budget": raw["budget"],
        "query": raw["query"],
        "level": raw["level"],
        "annotated_plan": plan,
        "reference": reference,
    }
    try:
        return TPQuery.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        name = "date" if first["loc"][0] == "dates" else str(first["loc"][0])
        raise _FieldError(name, first["msg"]) from None


def _checked_plan(plan: Any, field: str) -> list[dict[str, Any]] | None:
    if plan is None:
        return None
    if not isinstance(plan, list) or not all(isinstance(day, dict) for day in plan):
        raise _FieldError(field, "expected a list of day dicts")
    return plan


@contextmanager
def _located(path: Path, row: int, unit: str) -> Iterator[None]:
    """Turn a :class:`_FieldError` raised while reading one row into a located error."""
    try:
        yield
    except _FieldError as error:
        raise TravelPlannerDataError(path, row, error.field, error.message, unit=unit) from None


# --------------------------------------------------------------------------- JSON lines


def _json_query(raw: Any, position: int) -> TPQuery:
    if not isinstance(raw, dict):
        raise _FieldError("<record>", "expected a JSON object")
    _require(raw, _QUERY_FIELDS)
    reference = raw["reference_information"]
    if not isinstance(reference, dict):
        raise _FieldError("reference_information", "expected a dict")
    plan = _checked_plan(raw.get("annotated_plan"), "annotated_plan")
    return _query(raw.get("idx", position), raw, _parse_reference(iter(reference.items())), plan)


def _utf8_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The lines of a UTF-8 file, numbered from 1; a line that is not UTF-8 is a located error."""
    with path.open("rb") as handle:
        for line_number, raw in enumerate(handle, start=1):
            try:
                yield line_number, raw.decode("utf-8-sig" if line_number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise TravelPlannerDataError(
                    path, line_number, None,
                    f"not UTF-8 text (byte 0x{raw[error.start]:02x} at column {error.start + 1}); save the file as UTF-8",
                    unit="line") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_jsonl(path: str | Path) -> list[TPQuery]:
    """Read a JSON-lines split; ``idx`` defaults to the 1-based position when absent."""
    path = Path(path)
    queries: list[TPQuery] = []
    for line_number, line in _utf8_lines(path):
        if not line.strip():
            continue
        with _located(path, line_number, "line"):
            try:
                raw = json.loads(line, parse_constant=_reject_constant)
            except json.JSONDecodeError as error:
                raise _FieldError("<record>", f"invalid JSON: {error.msg}") from None
            except ValueError as error:  # NaN, or a number of more than 4,300 digits
                raise _FieldError("<record>", f"invalid JSON: {str(error).split(';')[0]}") from None
            except RecursionError:
                raise _FieldError("<record>", "invalid JSON: nested too deeply") from None
            queries.append(_json_query(raw, len(queries) + 1))
    return queries


# --------------------------------------------------------------------------- published CSV


def _literal(cell: str, field: str) -> Any:
    try:
        return ast.literal_eval(cell)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as error:
        raise _FieldError(field, f"not a Python literal ({type(error).__name__})") from None


def _csv_reference(cell: str) -> TPReference:
    entries = _literal(cell, "reference_information")
    if not isinstance(entries, list):
        raise _FieldError("reference_information", "expected a list of {'Description', 'Content'}")
    pairs = []
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or not {"Description", "Content"} <= entry.keys():
            raise _FieldError(
                f"reference_information[{number}]", "expected {'Description': ..., 'Content': ...}"
            )
        pairs.append((str(entry["Description"]), entry["Content"]))
    return _parse_reference(iter(pairs))


def _csv_plan(cell: str | None) -> list[dict[str, Any]] | None:
    """The plan of an ``annotated_plan`` cell, published as ``[query_dict, plan]``."""
    if cell is None or not cell.strip() or cell.strip() == "None":
        return None
    value = _literal(cell, "annotated_plan")
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], dict)):
        raise _FieldError("annotated_plan", "expected [query_dict, plan]")
    return _checked_plan(value[1], "annotated_plan")


def _csv_query(raw: Mapping[str, str | None], row: int) -> TPQuery:
    _require(raw, _QUERY_FIELDS)
    values: dict[str, Any] = dict(raw)
    for name in ("date", "local_constraint"):
        values[name] = _literal(raw[name] or "", name)
    return _query(row, values, _csv_reference(raw["reference_information"] or ""),
                  _csv_plan(raw.get("annotated_plan")))


@contextmanager
def _large_csv_fields() -> Iterator[None]:
    """Allow the multi-megabyte cells of ``reference_information`` while reading."""
    previous = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def load_csv(path: str | Path) -> list[TPQuery]:
    """Read a split in the published CSV layout; ``idx`` is the 1-based row number."""
    path = Path(path)
    queries: list[TPQuery] = []
    row_number = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle, _large_csv_fields():
            reader = csv.DictReader(handle)
            missing = [name for name in _QUERY_FIELDS if name not in (reader.fieldnames or [])]
            if missing:
                raise TravelPlannerDataError(path, None, missing[0], "missing column in the header")
            for row_number, raw in enumerate(reader, start=1):
                with _located(path, row_number, "row"):
                    queries.append(_csv_query(raw, row_number))
    except UnicodeDecodeError as error:
        raise TravelPlannerDataError(path, row_number + 1, None, f"not UTF-8 text ({error.reason}); "
                                     "save the file as UTF-8") from None
    except csv.Error as error:
        raise TravelPlannerDataError(path, row_number + 1, None, f"unreadable CSV: {error}") from None
    return queries


def load(path: str | Path) -> list[TPQuery]:
    """Read a split, choosing the layout by suffix (``.jsonl`` or ``.csv``)."""
    path = Path(path)
    readers = {".jsonl": load_jsonl, ".csv": load_csv}
    if path.suffix.lower() not in readers:
        raise TravelPlannerDataError(path, None, None, "expected a .jsonl or .csv file")
    return readers[path.suffix.lower()](path)


# --------------------------------------------------------------------------- database tables

PANDAS_MISSING = frozenset({
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
    "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
})
"""Cells that pandas' ``read_csv`` reads as missing by default."""

_DATABASE_COLUMNS: dict[type[_Record], dict[str, str]] = {
    TPAttraction: _ATTRACTION_COLUMNS,
    TPRestaurant: _RESTAURANT_COLUMNS,
    TPAccommodation: _ACCOMMODATION_COLUMNS,
}
Place = TypeVar("Place", TPAttraction, TPRestaurant, TPAccommodation)


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row_number, raw in enumerate(csv.DictReader(handle), start=1):
            yield row_number, {key: value or "" for key, value in raw.items() if key is not None}


def read_place_csv(path: str | Path, model: type[Place]) -> dict[str, list[Place]]:
    """Read a place table of the benchmark's database as ``model`` rows, grouped by city in file order.

    Like the benchmark (pandas ``read_csv(...).dropna()``), a row with any missing cell,
    in any column, is left out.
    """
    path = Path(path)
    columns = _DATABASE_COLUMNS[model]
    by_city: dict[str, list[Place]] = {}
    for row_number, raw in _csv_rows(path):
        with _located(path, row_number, "row"):
            _require(raw, list(columns))
            if any(cell in PANDAS_MISSING for cell in raw.values()):
                continue
            values = {name: raw[column] for column, name in columns.items()}
            record = _validate(model, values, model.__name__)
        by_city.setdefault(record.city, []).append(record)
    return by_city


def priced_ground_leg(
    mode: Literal["self-driving", "taxi"],
    origin: str,
    dest: str,
    duration: str | None,
    distance: str | None,
) -> TPGroundLeg:
    """A ground leg from the distance table's text, priced the benchmark's way.

    Self-driving costs ``int(km * 0.05)`` per car, a taxi ``int(km)`` per taxi. There is
    no cost (the leg is unusable) when the duration or distance is missing or unreadable,
    or when the drive lasts a day or more (the duration mentions ``day``).
    """
    minutes = parse_duration(duration) if duration else None
    km = parse_distance_km(distance) if distance else None
    cost = None
    if minutes is not None and km is not None and "day" not in (duration or ""):
        cost = int(km * 0.05) if mode == "self-driving" else int(km)
    return TPGroundLeg(
        mode=mode, origin=origin, dest=dest, duration_minutes=minutes, distance_km=km, cost=cost
    )


def read_distance_csv(path: str | Path) -> dict[tuple[str, str, str], TPGroundLeg]:
    """Ground legs of the distance table keyed by ``(mode, origin, dest)``.

    A pair listed twice keeps its first row, as the benchmark's lookup does.
    """
    path = Path(path)
    legs: dict[tuple[str, str, str], TPGroundLeg] = {}
    for row_number, raw in _csv_rows(path):
        with _located(path, row_number, "row"):
            _require(raw, ("origin", "destination", "duration", "distance"))
        origin, dest = raw["origin"], raw["destination"]
        duration, distance = (
            None if raw[name] in PANDAS_MISSING else raw[name] for name in ("duration", "distance")
        )
        for mode in ("self-driving", "taxi"):
            legs.setdefault((mode, origin, dest), priced_ground_leg(mode, origin, dest, duration, distance))
    return legs


def read_city_states(path: str | Path) -> dict[str, str]:
    """The ``city<TAB>state`` list of the database, as a dict from city to state."""
    path = Path(path)
    states: dict[str, str] = {}
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise TravelPlannerDataError(path, line_number, None, "expected 'city<TAB>state'", unit="line")
        states[parts[0]] = parts[1]
    return states


def resolve_data_dir(default: str | Path) -> Path:
    """The TravelPlanner data folder: ``$NEUROSYM_TRAVELPLANNER_DIR`` if set, else ``default``.

    Raises :class:`FileNotFoundError` naming the folder and the variable when it is missing.
    """
    folder = Path(os.environ.get(DATA_DIR_ENV) or default)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"TravelPlanner data folder not found: {folder} "
            f"(set {DATA_DIR_ENV} or provide ../shared/travelplanner next to the repository)"
        )
    return folder
