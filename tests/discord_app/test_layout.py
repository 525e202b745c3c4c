"""The Discord layer's shape: its import graph has no circle, type-only imports included,
and each feature package's `__init__.py` only wires it in."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ..conftest import ROOT

LAYER = ROOT / "bot" / "discord_app"
PACKAGE = "bot.discord_app"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute module a `from ... import` names (relative imports resolved)."""
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def import_graph() -> dict[str, set[str]]:
    """Module → the layer's modules it imports, from the source (every import statement,
    also those under `if TYPE_CHECKING:` or inside functions)."""
    modules = {_module_name(p): p for p in LAYER.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                # `from . import x` may import the submodule x, or a name of the package.
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            for target in targets:
                # Importing a.b.c runs a/__init__ and a/b/__init__ too; a module's own parent
                # packages are not counted (Python runs them before the module, always).
                parts = target.split(".")
                for i in range(len(parts), 0, -1):
                    candidate = ".".join(parts[:i])
                    own_parent = name.startswith(candidate + ".")
                    if candidate in modules and candidate != name and not own_parent and candidate.startswith(PACKAGE + "."):
                        graph[name].add(candidate)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of imports, or None (depth-first search, three colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_graph_of_the_discord_layer_has_no_circle() -> None:
    graph = import_graph()
    assert len(graph) > 20 and any(graph.values())  # the graph was really read
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " → ".join(cycle or [])


def test_the_cycle_finder_sees_a_circle_through_a_type_only_import(tmp_path: Path) -> None:
    """The check itself can fail: a circle closed only under TYPE_CHECKING is found."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    client_imports = import_graph()[f"{PACKAGE}.answers._cog"]
    assert f"{PACKAGE}.client" in client_imports  # its `if TYPE_CHECKING:` import is counted


def test_the_client_imports_no_feature() -> None:
    """Features are loaded by name in setup_hook, so the bot itself depends on none of them."""
    from bot.discord_app.client import FEATURES

    graph = import_graph()
    features = {f"{PACKAGE}.{name}" for name in FEATURES}
    assert all((LAYER / name / "__init__.py").exists() for name in FEATURES)
    assert not {m for m in graph[f"{PACKAGE}.client"] if any(m == f or m.startswith(f + ".") for f in features)}


@pytest.mark.parametrize("feature", ["answers", "buttons", "help", "operators", "insights_log"])
def test_a_feature_package_init_only_wires_the_feature(feature: str) -> None:
    tree = ast.parse((LAYER / feature / "__init__.py").read_text(encoding="utf-8"))
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert [f.name for f in functions] == ["setup"] and isinstance(functions[0], ast.AsyncFunctionDef)
    assert classes == []
