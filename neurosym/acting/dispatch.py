"""The dispatcher: runs a list of tool calls, all validated before any runs.

``dispatch(calls, session)`` first validates every call: the tool exists, the arguments
fit its schema (strictly: ``"2"`` is not an integer), the session will have what the
tool needs (an itinerary, a booking service, a journal) and the arguments fit the
session's catalog (ids that exist, of the right kind). If any call is invalid, nothing
runs and every invalid call gets a structured error naming the tool and the argument.

Then the calls run in order. The results come back in the calls' own format:
``{"name", "arguments", "result"}``, or ``{"name", "arguments", "error": {"tool",
"argument", "code", "message"}}`` for a call that failed (the calls after it do not run:
``"status": "not_run"``; they may depend on it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from . import tools as _tools  # noqa: F401  (registers the tools)
from .models import ToolCall
from .registry import TOOLS, Session, ToolError

_NEED = {"itinerary": "an itinerary", "server": "a booking service", "journal": "a journal"}

__all__ = ["CallError", "CallResult", "dispatch", "parse_calls", "validate_calls"]


class CallError(BaseModel):
    """Why a call was refused or failed: the tool, the argument to blame (if one is), a code."""

    model_config = ConfigDict(extra="forbid")

    tool: str
    argument: str | None = None
    code: str
    message: str
    details: Any = None


class CallResult(BaseModel):
    """A call and its outcome, in the call's own format plus ``result`` or ``error``."""

    model_config = ConfigDict(extra="forbid")

    name: str
    arguments: dict[str, Any]
    status: Literal["ok", "error", "invalid", "not_run"]
    result: Any = None
    error: CallError | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


def parse_calls(data: Any, where: str = "calls") -> list[ToolCall]:
    """Calls from any of the accepted shapes: a list of calls, one call, ``{"tool_calls":
    [...]}`` (an xLAM model's answer) or an xLAM task record (``answers``, possibly a JSON
    string). Raises ``ValueError`` naming the position of a malformed call."""
    if isinstance(data, dict) and "tool_calls" in data:
        data = data["tool_calls"]
    elif isinstance(data, dict) and "answers" in data:
        data = data["answers"]
        if isinstance(data, str):  # an InputError (a ValueError) names the line, or JSON nested too deeply
            from ..files import parse_json
            data = parse_json(data, f"{where}: answers")
    elif isinstance(data, dict) and "name" in data:
        data = [data]
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected a list of calls, {{\"tool_calls\": [...]}} or an xLAM record with "
                         "answers")
    out = []
    for i, c in enumerate(data):
        try:
            out.append(ToolCall.model_validate(c))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(x) for x in err["loc"])
            raise ValueError(f"{where}[{i}]{'.' + loc if loc else ''}: {err['msg']}") from None
    return out


def _argument_errors(name: str, exc: ValidationError) -> list[CallError]:
    out = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or None
        out.append(CallError(tool=name, argument=loc, code="invalid_argument",
                             message=f"{loc + ': ' if loc else ''}{err['msg']}"))
    return out


def validate_calls(calls: Sequence[ToolCall], session: Session) -> list[list[CallError]]:
    """Every call's errors (an empty list for a valid call), without running anything."""
    has = {"itinerary": session.itinerary is not None, "server": session.server is not None,
           "journal": session.journal is not None}
    how = {"itinerary": "call plan_trip first (or give an itinerary)",
           "server": "give the booking service's URL (--server)", "journal": "give a journal file (--journal)"}
    out: list[list[CallError]] = []
    for c in calls:
        t = TOOLS.get(c.name)
        if t is None:
            out.append([CallError(tool=c.name, code="unknown_tool",
                                  message=f"unknown tool {c.name!r} (known: {', '.join(TOOLS)})")])
            continue
        errors: list[CallError] = []
        try:
            args = t.arguments.model_validate_json(json.dumps(c.arguments), strict=True)
        except ValidationError as exc:
            errors = _argument_errors(c.name, exc)
            args = None
        for need in t.needs:
            if not has[need]:
                errors.append(CallError(tool=c.name, code=f"missing_{need}",
                                        message=f"{c.name} needs {_NEED[need]}: "
                                                f"{how[need]}"))
        if args is not None and t.check is not None and not errors:
            try:
                t.check(session, args)
            except ToolError as exc:
                errors.append(CallError(tool=c.name, argument=exc.argument, code=exc.code, message=exc.message))
        if c.name == "plan_trip" and not errors:
            has["itinerary"] = True
        out.append(errors)
    return out


def dispatch(calls: Sequence[ToolCall | dict[str, Any]] | Any, session: Session | None = None) -> list[CallResult]:
    """Validate every call, then run them in order (see the module docstring)."""
    session = session if session is not None else Session()
    parsed = parse_calls(list(calls) if not isinstance(calls, dict) else calls)
    errors = validate_calls(parsed, session)
    if any(errors):
        return [CallResult(name=c.name, arguments=c.arguments, status="invalid" if e else "not_run",
                           error=e[0] if e else None) for c, e in zip(parsed, errors)]
    results: list[CallResult] = []
    failed = False
    for c in parsed:
        if failed:
            results.append(CallResult(name=c.name, arguments=c.arguments, status="not_run"))
            continue
        t = TOOLS[c.name]
        args = t.arguments.model_validate_json(json.dumps(c.arguments), strict=True)
        try:
            value = t.func(session, **{k: getattr(args, k) for k in type(args).model_fields})
            results.append(CallResult(name=c.name, arguments=c.arguments, status="ok",
                                      result=json.loads(json.dumps(value, default=str))))
        except ToolError as exc:
            failed = True
            results.append(CallResult(name=c.name, arguments=c.arguments, status="error",
                                      error=CallError(tool=c.name, argument=exc.argument, code=exc.code,
                                                      message=exc.message, details=exc.details)))
        except Exception as exc:  # noqa: BLE001 - a bug must not take the whole list down unreported
            failed = True
            results.append(CallResult(name=c.name, arguments=c.arguments, status="error",
                                      error=CallError(tool=c.name, code="internal",
                                                      message=f"{type(exc).__name__}: {exc}")))
    return results
