"""The tools exported as schemas: the xLAM unified format and OpenAI-style JSON Schema.

Both are generated from the tools' arguments models (:mod:`.registry`), never written
by hand. :func:`tool_schemas` is the one entry point (the web app's JSON API reuses it).

**OpenAI style** (what most agent frameworks take)::

    {"type": "function",
     "function": {"name": "reserve_hotel", "description": "...",
                  "parameters": {"type": "object", "properties": {...}, "required": [...],
                                 "additionalProperties": false}}}

**xLAM** (the format of the xlam-function-calling-60k data, the xLAM models' training
data): a tool is ``{"name", "description", "parameters"}`` where ``parameters`` maps each
argument to ``{"description", "type"}`` with a Python type name (``str``, ``int``,
``float``, ``bool``, ``List[str]``, ``dict``); an optional argument's type ends in
``", optional"`` and it has a ``"default"``. A call is ``{"name", "arguments"}``; a task
record is ``{"id", "query", "tools", "answers"}`` with ``tools`` and ``answers`` as JSON
strings (:func:`xlam_record`), and the prompt an xLAM model reads puts the task
instruction, the tools, the format instruction and the query between its
``[BEGIN OF ...]``/``[END OF ...]`` markers (:func:`xlam_prompt`); the model answers
``{"tool_calls": [{"name", "arguments"}, ...]}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic_core import to_jsonable_python

from . import tools as _tools  # noqa: F401  (registers the tools)
from .models import ToolCall
from .registry import TOOLS, Tool

__all__ = ["FORMAT_INSTRUCTION", "TASK_INSTRUCTION", "openai_tool", "parameters_schema", "tool_schemas",
           "xlam_prompt", "xlam_record", "xlam_tool"]

TASK_INSTRUCTION = (
    "You are an expert in composing functions. You are given a question and a set of possible functions. "
    "Based on the question, you will need to make one or more function/tool calls to achieve the purpose. "
    "If none of the functions can be used, point it out and refuse to answer. "
    "If the given question lacks the parameters required by the function, also point it out.")
"""The task instruction of the xLAM function-calling models (their model cards)."""

FORMAT_INSTRUCTION = (
    "The output MUST strictly adhere to the following JSON format, and NO other text MUST be included.\n"
    "The example format is as follows. Please make sure the parameter type is correct. If no function call is "
    "needed, please make tool_calls an empty list '[]'.\n"
    "```\n{\n    \"tool_calls\": [\n"
    "    {\"name\": \"func_name1\", \"arguments\": {\"argument1\": \"value1\", \"argument2\": \"value2\"}},\n"
    "    ... (more tool calls as required)\n    ]\n}\n```")
"""The format instruction of the xLAM function-calling models (their model cards)."""


def _strip_titles(node: Any, in_properties: bool = False) -> Any:
    """Drop pydantic's ``title`` keywords (noise to a model); keep properties named title."""
    if isinstance(node, dict):
        return {k: _strip_titles(v, k in ("properties", "$defs")) for k, v in node.items()
                if in_properties or k != "title"}
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node


def parameters_schema(t: Tool) -> dict[str, Any]:
    """The JSON Schema of a tool's arguments (from its pydantic model)."""
    schema = _strip_titles(t.arguments.model_json_schema())
    schema.setdefault("properties", {})
    schema.setdefault("required", [])
    schema["additionalProperties"] = False
    schema.pop("description", None)
    return schema


def openai_tool(t: Tool) -> dict[str, Any]:
    """One tool in the OpenAI function-calling format."""
    return {"type": "function", "function": {"name": t.name, "description": t.description,
                                             "parameters": parameters_schema(t)}}


_PY = {"string": "str", "integer": "int", "number": "float", "boolean": "bool", "object": "dict", "array": "list",
       "null": "None"}
_FORMAT = {"date": "YYYY-MM-DD", "time": "HH:MM", "date-time": "YYYY-MM-DDTHH:MM"}


def _resolve(s: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in s:
        s = defs[s["$ref"].rsplit("/", 1)[-1]]
    return s


def _nonnull(s: dict[str, Any]) -> dict[str, Any]:
    alts = [a for a in s.get("anyOf", []) if a.get("type") != "null"]
    if "anyOf" in s and len(alts) == 1:
        return {**{k: v for k, v in s.items() if k != "anyOf"}, **alts[0]}
    return s


def _py_type(s: dict[str, Any], defs: dict[str, Any]) -> str:
    s = _nonnull(_resolve(s, defs))
    if "anyOf" in s:
        return "Union[" + ", ".join(_py_type(a, defs) for a in s["anyOf"]) + "]"
    if "enum" in s or "const" in s:
        values = s.get("enum", [s.get("const")])
        return _PY.get({str: "string", int: "integer", float: "number", bool: "boolean"}.get(type(values[0]), "string"),
                       "str")
    t = s.get("type", "object")
    if t == "array":
        items = s.get("items")
        return f"List[{_py_type(items, defs)}]" if items else "list"
    if t == "object" and isinstance(s.get("additionalProperties"), dict):
        return f"Dict[str, {_py_type(s['additionalProperties'], defs)}]"
    return _PY.get(t, "str")


def _hints(s: dict[str, Any], defs: dict[str, Any]) -> str:
    """What the Python type name does not say: the format, the allowed values, an object's keys."""
    s = _nonnull(_resolve(s, defs))
    out = []
    fmt = s.get("format") or (s.get("items") or {}).get("format")
    if fmt in _FORMAT:
        out.append(f"format {_FORMAT[fmt]}")
    values = s.get("enum") or (_resolve(s.get("items", {}), defs).get("enum") if s.get("type") == "array" else None)
    if values:
        out.append("one of: " + ", ".join(str(v) for v in values))
    obj = _resolve(s.get("items", {}), defs) if s.get("type") == "array" else s
    if obj.get("type") == "object" and obj.get("properties"):
        keys = [f"{k} ({_py_type(v, defs)}{'' if k in obj.get('required', []) else ', optional'})"
                for k, v in obj["properties"].items()]
        out.append("keys: " + ", ".join(keys))
    return "; ".join(out)


def xlam_tool(t: Tool) -> dict[str, Any]:
    """One tool in the xLAM unified format (see the module docstring)."""
    schema = t.arguments.model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    params: dict[str, Any] = {}
    fields = t.arguments.model_fields
    for name, prop in schema.get("properties", {}).items():
        desc = prop.get("description") or _resolve(_nonnull(prop), defs).get("description", "")
        desc = re.sub(r"\s+", " ", desc.split("\n\n")[0]).strip()
        hint = _hints(prop, defs)
        desc = f"{desc.rstrip('.')} ({hint})" if hint and desc else desc or hint
        p: dict[str, Any] = {"description": desc, "type": _py_type(prop, defs)}
        if name not in required:
            p["type"] += ", optional"
            p["default"] = to_jsonable_python(fields[name].get_default(call_default_factory=True))
        params[name] = p
    return {"name": t.name, "description": t.description, "parameters": params}


def tool_schemas(format: Literal["openai", "xlam"] = "openai", names: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every tool (or those named) in the given format, generated from the code."""
    chosen = list(TOOLS) if names is None else list(names)
    unknown = [n for n in chosen if n not in TOOLS]
    if unknown:
        raise KeyError(f"unknown tool {unknown[0]!r} (known: {', '.join(TOOLS)})")
    if format not in ("openai", "xlam"):
        raise ValueError(f"format: {format!r} is not one of openai, xlam")
    conv = openai_tool if format == "openai" else xlam_tool
    return [conv(TOOLS[n]) for n in chosen]


def xlam_record(query: str, answers: Sequence[ToolCall | dict[str, Any]], tools: Iterable[str] | None = None,
                id: int = 0) -> dict[str, Any]:
    """A task record as in xlam-function-calling-60k: ``{"id", "query", "tools", "answers"}``,
    ``tools`` and ``answers`` being JSON strings. ``tools`` defaults to the tools the
    answers call."""
    calls = [a if isinstance(a, ToolCall) else ToolCall.model_validate(a) for a in answers]
    names = list(tools) if tools is not None else list(dict.fromkeys(c.name for c in calls))
    return {"id": id, "query": query, "tools": json.dumps(tool_schemas("xlam", names)),
            "answers": json.dumps([c.model_dump() for c in calls])}


def xlam_prompt(query: str, tools: Iterable[str] | None = None, instruction: str = TASK_INSTRUCTION,
                format_instruction: str = FORMAT_INSTRUCTION) -> str:
    """The prompt an xLAM function-calling model reads for ``query`` with these tools."""
    return (f"[BEGIN OF TASK INSTRUCTION]\n{instruction}\n[END OF TASK INSTRUCTION]\n\n"
            f"[BEGIN OF AVAILABLE TOOLS]\n{json.dumps(tool_schemas('xlam', tools))}\n[END OF AVAILABLE TOOLS]\n\n"
            f"[BEGIN OF FORMAT INSTRUCTION]\n{format_instruction}\n[END OF FORMAT INSTRUCTION]\n\n"
            f"[BEGIN OF QUERY]\n{query}\n[END OF QUERY]\n\n")
