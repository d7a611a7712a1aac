"""Submission files in the TravelPlanner benchmark's format.

A submission is a JSON-lines file with one line per query, in split order:
``{"idx": N, "query": "...", "plan": [day, ...]}``, written with :func:`json.dumps`'
defaults (ASCII-escaped, ``", "`` and ``": "`` separators), as the benchmark's own
``postprocess/combination.py`` writes it. The evaluator pairs lines with queries by
position, so ``idx`` must run 1, 2, 3... An undelivered plan is written as ``[]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .loader import TravelPlannerDataError

SUBMISSION_KEYS = ("idx", "query", "plan")


def submission_line(
    idx: int, query_text: str, plan: Sequence[Mapping[str, Any]] | None
) -> dict[str, Any]:
    """One submission row: ``{"idx", "query", "plan"}``; ``plan=None`` becomes ``[]``."""
    if isinstance(idx, bool) or not isinstance(idx, int) or idx < 1:
        raise ValueError(f"idx must be a positive integer, not {idx!r}")
    days = [dict(day) for day in plan or []]
    return {"idx": idx, "query": query_text, "plan": days}


def write_submission(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Write rows (see :func:`submission_line`) as a submission file; returns the path.

    Rows must carry exactly the keys ``idx``, ``query`` and ``plan``, with ``idx`` counting
    1, 2, 3... in order, since the evaluator matches lines to queries by position.
    """
    path = Path(path)
    lines = []
    for expected, row in enumerate(rows, start=1):
        if set(row) != set(SUBMISSION_KEYS):
            raise ValueError(f"row {expected}: keys must be {SUBMISSION_KEYS}, not {tuple(row)}")
        if row["idx"] != expected:
            raise ValueError(f"row {expected}: idx is {row['idx']!r}; submissions list queries 1, 2, 3... in order")
        line = submission_line(row["idx"], row["query"], row["plan"])
        lines.append(json.dumps(line) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def read_submission(path: str | Path) -> list[dict[str, Any]]:
    """Read a submission file back: one ``{"idx", "query", "plan"}`` dict per line.

    Raises :class:`TravelPlannerDataError` naming the line and field of a malformed row.
    """
    path = Path(path)
    rows = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                rows.append(_submission_row(path, number, line))
    return rows


def _submission_row(path: Path, number: int, line: str) -> dict[str, Any]:
    def error(field: str | None, message: str) -> TravelPlannerDataError:
        return TravelPlannerDataError(path, number, field, message, unit="line")

    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise error(None, f"invalid JSON: {exc.msg}") from None
    if not isinstance(row, dict):
        raise error(None, "expected a JSON object")
    for key in SUBMISSION_KEYS:
        if key not in row:
            raise error(key, "missing field")
    if isinstance(row["idx"], bool) or not isinstance(row["idx"], int):
        raise error("idx", "expected an integer")
    if not isinstance(row["query"], str):
        raise error("query", "expected a string")
    plan = row["plan"]
    if plan is not None and not (isinstance(plan, list) and all(isinstance(day, dict) for day in plan)):
        raise error("plan", "expected a list of day objects (or null)")
    return row
