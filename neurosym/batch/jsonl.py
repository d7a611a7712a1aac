"""The files of ``plan-many``: requests in, results out, one JSON line each, resumable.

A requests file holds one request per line: a :class:`~neurosym.request.TripRequest`,
or ``{"request": {...}, "history": {...}}`` to plan by a
:class:`~neurosym.preferences.UserHistory`. Blank lines are skipped; the request's
``index`` counts the others from 0.

A results file holds one line per request, in the order they completed, keyed by
``index`` (see :meth:`~neurosym.batch.results.PlanResult.to_record`). Each line is written
whole and flushed as its result arrives, and carries the digest of the request it
answers. :func:`resume` reads what an earlier run wrote: a last line cut short by a crash
is removed, so that the rerun writes that request again, once; a line that answers
another request (the requests file changed) stops the run with a clear error.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel, ConfigDict, ValidationError

from ..files import InputError, describe_validation, parse_json, read_text
from ..preferences.history import UserHistory
from ..request import TripRequest
from .results import STATUSES, request_digest


class _Wrapped(BaseModel):
    """A request line with a history."""

    model_config = ConfigDict(extra="forbid")
    request: TripRequest
    history: UserHistory | None = None


@dataclass(frozen=True)
class RequestLine:
    """One request of a requests file: its index, its line number, and the request (with
    its history) or, for a line that is not a valid request, ``error`` naming file and line."""

    index: int
    line: int
    request: TripRequest | None = None
    history: UserHistory | None = None
    error: str | None = None

    @property
    def digest(self) -> str | None:
        return None if self.request is None else request_digest(self.request, self.history)


def read_requests(path: str | Path) -> list[RequestLine]:
    """Every request line of ``path``; a bad line is kept with its error (``file:line: ...``)."""
    p = Path(path)
    text = read_text(p, "requests file")
    out: list[RequestLine] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        index = len(out)
        try:
            data = parse_json(raw, f"{p}:{number}")
        except InputError as exc:
            out.append(RequestLine(index, number, error=str(exc).replace(f"{p}:{number}:1:", f"{p}:{number}:")))
            continue
        try:
            if isinstance(data, dict) and "request" in data:
                wrapped = _Wrapped.model_validate(data)
                out.append(RequestLine(index, number, wrapped.request, wrapped.history))
            else:
                out.append(RequestLine(index, number, TripRequest.model_validate(data)))
        except ValidationError as exc:
            out.append(RequestLine(index, number, error=f"{p}:{number}: {describe_validation(exc)}"))
    return out


def resume(path: str | Path, lines: list[RequestLine], *, retry_errors: bool = False) -> dict[int, str]:
    """The requests that ``path`` already answers, as ``{index: status}``.

    Repairs the file first: a last line cut short (by a crash while writing it) is
    removed; with ``retry_errors``, the lines of requests that ended in an error are
    removed too, so that they are planned again. Raises :class:`InputError` when a line
    is not a result, or answers another request than the requests file now holds.
    """
    p = Path(path)
    if not p.exists():
        return {}
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    complete = data[:data.rfind(b"\n") + 1]  # what follows the last newline was cut short
    by_index = {line.index: line for line in lines}
    done: dict[int, str] = {}
    kept: list[bytes] = []
    for number, raw in enumerate(complete.splitlines(keepends=True), start=1):
        if not raw.strip():
            continue
        record = _record(p, number, raw)
        index, status = record["index"], record["status"]
        line = by_index.get(index)
        if line is None:
            raise InputError(f"{p}:{number}: index {index} is not a request of the requests file "
                             f"(it has {len(lines)}): these results are of another file; use another --out")
        if "request" in record and record["request"] != line.digest:
            raise InputError(f"{p}:{number}: the result of index {index} answers another request than line "
                             f"{line.line} of the requests file now holds; use another --out")
        if index in done:
            print(f"warning: {p}:{number}: a second line for index {index} is dropped", file=sys.stderr)
            continue
        if retry_errors and status == "error":
            continue
        done[index] = status
        kept.append(raw)
    if len(complete) != len(data) or sum(map(len, kept)) != len(complete):
        _rewrite(p, b"".join(kept))
    return done


def _record(path: Path, number: int, raw: bytes) -> dict[str, Any]:
    try:
        record = json.loads(raw)
    except ValueError:
        record = None
    if not (isinstance(record, dict) and isinstance(record.get("index"), int)
            and record.get("status") in STATUSES):
        raise InputError(f"{path}:{number}: not a plan-many result line; use another --out")
    return record


def _rewrite(path: Path, content: bytes) -> None:
    """Replace the file's content at once (a crash leaves the old file or the new one)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ResultsWriter:
    """Appends result lines to a results file, each written whole and flushed at once."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self._f: BinaryIO = open(self.path, "ab")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write: {exc.strerror or exc}") from None

    def write(self, record: dict[str, Any]) -> None:
        self._f.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        self._f.flush()

    def close(self) -> None:
        if not self._f.closed:
            self._f.flush()
            os.fsync(self._f.fileno())
            self._f.close()

    def __enter__(self) -> "ResultsWriter":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
