"""The package's structure: imports flow one way, the itinerary imports nothing from the
explanation engine, no module holds ambient state (ContextVar), no module is oversized,
the rule files are found one way, under a name no module shares, and docs/architecture.md
names every module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "neurosym"

#: The layers, lowest first: a module imports only from its own layer or lower ones.
LAYERS: list[tuple[str, set[str]]] = [
    ("models", {"catalog", "request", "itinerary", "costs", "prior", "travel", "asp", "limits", "files", "demo",
                "demo.generate",
                "demo.forecast", "preferences", "preferences.cache", "preferences.encoder", "preferences.history",
                "preferences.model", "preferences.demo_users", "weather", "weather.forecast", "weather.providers",
                "weather.exposure", "objective", "lazy"}),
    ("facts", {"vocab", "dominance", "problem", "verify", "bounds", "rangecheck"}),
    ("solve", {"rules", "program", "answer", "bound", "bound.program", "bound.relaxation", "bound.search", "solve"}),
    ("assemble", {"assemble"}),
    ("explain", {"explain", *(f"explain.{p.stem}" for p in (PKG / "explain").glob("*.py") if p.stem != "__init__")}),
    ("display", {"display"}),
    ("api", {"planner", "replanning"}),
    ("apps", {"cli", "__main__", *(f"{pkg}.{p.stem}".removesuffix(".__init__") for pkg in ("travelplanner", "acting", "web", "batch")
                                    for p in (PKG / pkg).glob("*.py"))}),
]
LAYER = {m: i for i, (_, mods) in enumerate(LAYERS) for m in mods}
#: Convenience methods of the data types that hand the object to a higher layer's function,
#: imported when called: Jupyter's presentation hooks (display reads plain data only and
#: imports no engine) and ``Itinerary.actions()`` (acting's booking actions of an itinerary).
HOOKS = {("display", "_repr_html_"), ("display", "plot"), ("acting.itinerary_actions", "actions")}


def _module(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, str | None, int]]:
    """(imported neurosym module, enclosing function, line) of every import, TYPE_CHECKING blocks left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module(path)
    package = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
    out: list[tuple[str, str | None, int]] = []

    def visit(node: ast.AST, func: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            f = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            parts = None   # the imported module's path inside neurosym, for relative and absolute imports
            if isinstance(child, ast.ImportFrom) and child.level:
                parts = [*package[:len(package) - child.level + 1], *(child.module.split(".") if child.module else [])]
            elif isinstance(child, ast.ImportFrom) and (child.module or "").split(".")[0] == "neurosym":
                parts = child.module.split(".")[1:]
            if parts is not None:
                target = ".".join(parts)
                for a in child.names:  # ``from . import vocab``: the module imported is the name
                    sub = f"{target}.{a.name}".strip(".")
                    out.append((sub if sub in LAYER else target, f, child.lineno))
            elif isinstance(child, ast.Import):
                for a in child.names:
                    if a.name.startswith("neurosym."):
                        out.append((a.name.removeprefix("neurosym."), f, child.lineno))
            visit(child, f)

    visit(tree, None)
    return out


def _modules() -> list[Path]:
    return [p for p in PKG.rglob("*.py") if "rulefiles" not in p.parts]


def _layer(module: str) -> int | None:
    while module:
        if module in LAYER:
            return LAYER[module]
        module = module.rpartition(".")[0]
    return None


def test_every_module_has_a_layer():
    missing = [_module(p) for p in _modules() if _layer(_module(p)) is None and _module(p) != ""]
    assert missing == []


def test_imports_flow_one_way():
    wrong = []
    for path in _modules():
        me = _module(path)
        if me == "":      # the package's lazy exports
            continue
        mine = _layer(me)
        for target, func, line in _imports(path):
            theirs = _layer(target)
            if theirs is None or theirs <= mine:
                continue
            if (target, func) in HOOKS:
                continue
            wrong.append(f"{me}:{line} imports {target} ({LAYERS[theirs][0]} above {LAYERS[mine][0]})")
    assert wrong == []


def test_itinerary_imports_nothing_from_explain_and_no_module_uses_a_contextvar():
    assert not [t for t, _, _ in _imports(PKG / "itinerary.py") if t.startswith("explain")]
    users = [p.name for p in _modules() if "ContextVar" in p.read_text(encoding="utf-8")]
    assert users == []


@pytest.mark.parametrize("path", sorted(p for p in (PKG / "explain").glob("*.py")), ids=lambda p: p.name)
def test_explain_modules_are_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 500


def test_rule_files_are_found_one_way_under_a_name_no_module_shares():
    from neurosym.rules import CORE_FILES, rule_file, rules_dir
    assert rules_dir() == PKG.resolve() / "rulefiles"
    assert all(rule_file(name).is_file() for name in CORE_FILES)
    assert not (PKG / "rulefiles.py").exists() and not (PKG / "rulefiles" / "__init__.py").exists()


def test_docs_architecture_names_every_module_and_only_modules_that_exist():
    """docs/architecture.md stays true: each module of the package is named there, and
    each file or folder its module tables list exists."""
    doc = (PKG.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    unnamed = []
    for path in _modules():
        rel = path.relative_to(PKG)
        if path.stem == "__init__":
            continue
        if len(rel.parts) == 1:
            named = f"`{rel.name}`" in doc
        else:  # a package's module: by its name, in backticks, e.g. `engine` or `search.py`
            named = re.search(rf"`({rel.parts[0]}/)?{path.stem}(\.py)?`", doc) is not None
        if not named:
            unnamed.append(str(rel))
    assert unnamed == []
    listed = re.findall(r"^\| `([\w./]+)`", doc, flags=re.MULTILINE)
    assert len(listed) > 30
    missing = [name for name in listed if not (PKG / name).exists() and not (PKG / "explain" / name).exists()]
    assert missing == []
