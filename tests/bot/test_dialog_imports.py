"""The runtime's imports run one way: no module of bot/dialog imports one that imports it back
(function-level and TYPE_CHECKING imports count), and only the composition root and the tools
above it import the engine."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports() -> dict[str, set[str]]:
    """Every bot module -> the bot modules it imports anywhere in its text."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[_module(path)] = names
    return {
        module: {n for n in names if n in found and n != module} for module, names in found.items()
    }


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph[module])
    return seen


def test_no_module_of_the_runtime_imports_itself_back() -> None:
    graph = _imports()
    dialog = sorted(m for m in graph if m.startswith("bot.dialog"))
    assert len(dialog) > 10
    assert [m for m in dialog if m in _reachable(graph, m)] == []


def test_only_the_composition_root_and_the_tools_import_the_engine() -> None:
    graph = _imports()
    importers = sorted(m for m, names in graph.items() if "bot.dialog.engine" in names)
    assert importers == ["bot.app", "bot.flowtools.sandbox", "bot.flowtools.transcript"]


def test_the_turn_and_its_handlers_see_the_catalog_not_the_engine() -> None:
    graph = _imports()
    turn_side = ["bot.dialog.turn", "bot.dialog.core", "bot.dialog.runner", "bot.dialog.confirm"]
    for module in turn_side:
        assert "bot.dialog.engine" not in _reachable(graph, module), module
    assert "bot.dialog.catalog" in _reachable(graph, "bot.dialog.turn")
