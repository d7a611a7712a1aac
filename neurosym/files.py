"""Reading and writing the user's files: one clear error naming the file, never a traceback.

Every JSON file the library reads (a request, a catalog, an itinerary, a user history)
goes through :func:`load_model`: the file must be UTF-8 (a byte-order mark is allowed),
valid JSON (not nested deeper than Python's recursion limit), at most :data:`MAX_FILE_BYTES`, and valid
for its model. Any problem is an :class:`InputError` whose message names the file and
the line or field, with long values cut (:func:`neurosym.limits.short`).

:func:`write_new` writes a file without ever replacing one that exists, and writes it
whole or not at all.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .limits import short

M = TypeVar("M", bound=BaseModel)

#: Size of a JSON file.
MAX_FILE_BYTES = 512 * 1024 * 1024


class InputError(ValueError):
    """Bad input from a file; the message names the file and the field or line."""


def read_text(path: str | Path, what: str = "file") -> str:
    """The text of a UTF-8 file (a leading byte-order mark is dropped)."""
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(f"{p}: is a folder, not a {what}")
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{p}: {size:,} bytes, more than the limit of {MAX_FILE_BYTES:,}")
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        hint = " (it looks like UTF-16)" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:64] else ""
        raise InputError(f"{p}:{line}: not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start}{hint}; "
                         "save the file as UTF-8") from None


def parse_json(text: str, where: str) -> Any:
    """Parse JSON text; :class:`InputError` names ``where`` and the line.

    ``NaN`` and ``Infinity``, which Python writes and reads, pass here: the request,
    catalog and history models refuse them naming the field, and :func:`neurosym.verify`
    reports them in an itinerary as violations.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except ValueError as exc:  # a number of more than 4,300 digits (Python's limit)
        raise InputError(f"{where}: invalid JSON: {str(exc).split(';')[0]}") from None
    except RecursionError:  # the parser recurses once per level of arrays and objects
        raise InputError(f"{where}: JSON nested too deeply (arrays or objects inside each other "
                         f"more than about {sys.getrecursionlimit()} levels)") from None


def describe_validation(exc: ValidationError) -> str:
    """``field a.b.0.c: message`` for the first error (and how many more), values cut."""
    err = exc.errors()[0]
    loc = ".".join(short(x, 40) if isinstance(x, str) and len(x) > 40 else str(x) for x in err["loc"])
    msg = err["msg"] if len(err["msg"]) <= 300 else err["msg"][:300] + "..."
    more = f" (and {exc.error_count() - 1} more errors)" if exc.error_count() > 1 else ""
    return f"field {loc or '(top level)'}: {msg}{more}"


def load_model(path: str | Path, model: type[M]) -> M:
    """Read a JSON file into a pydantic model; :class:`InputError` names file and field."""
    p = Path(path)
    data = parse_json(read_text(p, "JSON file"), str(p))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{p}: {describe_validation(exc)}") from None
    except RecursionError:
        raise InputError(f"{p}: JSON nested too deeply") from None


def write_new(path: str | Path, text: str) -> None:
    """Write ``text`` to a file that must not exist yet; whole or not at all.

    The text goes to a temporary file in the same folder, which is then linked to
    ``path``: an existing file is never replaced, and a reader never sees half a file.
    """
    p = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            os.link(tmp, p)  # fails with FileExistsError if p exists: never overwrites
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive creation instead
            with open(p, "x", encoding="utf-8") as out:
                out.write(text)
    finally:
        os.unlink(tmp)
