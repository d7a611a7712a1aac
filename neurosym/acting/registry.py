"""The tool registry: a tool is a typed Python function; its schema is its signature.

``@tool`` registers a function whose first parameter is the :class:`Session` and whose
other parameters are annotated (``Annotated[type, Field(description=...)]``). The
arguments model (pydantic) is generated from the signature, and from it the JSON Schema
of both export formats (``schema.py``), so the schemas cannot drift from the code. A
tool whose arguments are a domain model (``plan_trip`` takes the fields of
:class:`~neurosym.request.TripRequest`) names that model instead.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, create_model

from ..catalog import Catalog
from ..itinerary import Itinerary
from ..request import TripRequest

__all__ = ["Session", "Tool", "ToolError", "TOOLS", "arguments_model", "tool"]


class ToolError(Exception):
    """A tool's definite failure: ``code``, a message and, when one is to blame, the argument."""

    def __init__(self, code: str, message: str, argument: str | None = None, details: Any = None):
        super().__init__(message)
        self.code, self.message, self.argument, self.details = code, message, argument, details


@dataclass
class Session:
    """What a list of calls works on: the catalog, the current request and itinerary (set
    by ``plan_trip``), the booking service, the executor's journal and clock.

    ``catalog`` defaults to the demo catalog. ``now`` is the local time booking deadlines
    are checked against (default: the clock)."""

    catalog: Catalog | None = None
    request: TripRequest | None = None
    itinerary: Itinerary | None = None
    server: str | None = None
    journal: Path | None = None
    now: dt.datetime | None = None
    time_limit: float = 10.0
    history: Any = None

    def __post_init__(self) -> None:
        if self.catalog is None:
            from ..demo import load_demo_catalog
            self.catalog = load_demo_catalog()
        if self.journal is not None:
            self.journal = Path(self.journal)


@dataclass(frozen=True)
class Tool:
    """A registered tool. ``needs``: what the session must have before it runs
    (``itinerary``, ``server``, ``journal``); ``examples``: argument sets that are valid
    (the tests validate them against the generated schemas); ``check``: a check of the
    arguments against the session (ids in the catalog, ...) made before anything runs."""

    name: str
    description: str
    func: Callable[..., Any]
    arguments: type[BaseModel]
    needs: tuple[str, ...] = ()
    examples: tuple[dict[str, Any], ...] = ()
    check: Callable[[Session, BaseModel], None] | None = field(default=None, compare=False)


TOOLS: dict[str, Tool] = {}
"""Every tool by name, in registration order."""


def _describe(func: Callable[..., Any]) -> str:
    doc = inspect.getdoc(func) or ""
    first = doc.split("\n\n")[0]
    return re.sub(r"\s+", " ", first).strip()


def arguments_model(func: Callable[..., Any], name: str | None = None) -> type[BaseModel]:
    """The pydantic model of a function's arguments (all but the first, the session):
    each parameter's annotation (with its ``Field``) and default. Unknown arguments are
    refused."""
    hints = get_type_hints(func, include_extras=True)
    params = list(inspect.signature(func).parameters.values())[1:]
    fields: dict[str, Any] = {}
    for p in params:
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            raise TypeError(f"{func.__name__}: parameter {p.name} must be a plain or keyword parameter")
        ann = hints.get(p.name)
        if ann is None:
            raise TypeError(f"{func.__name__}: parameter {p.name} has no annotation")
        fields[p.name] = (ann, ... if p.default is inspect.Parameter.empty else p.default)
    return create_model(name or func.__name__, __config__=ConfigDict(extra="forbid"), **fields)  # type: ignore[call-overload]


def tool(*, needs: tuple[str, ...] = (), examples: tuple[dict[str, Any], ...] = (),
         arguments: type[BaseModel] | None = None,
         check: Callable[[Session, Any], None] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a tool (see the module docstring)."""
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        TOOLS[func.__name__] = Tool(name=func.__name__, description=_describe(func), func=func,
                                    arguments=arguments or arguments_model(func), needs=needs, examples=examples,
                                    check=check)
        return func
    return register
