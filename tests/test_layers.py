"""The house rules of docs/architecture.md, checked on every import in bot/ and adapters/.

Every ``import`` counts: module level, inside functions, under ``TYPE_CHECKING`` and
``importlib.import_module("...")`` with a literal name, because each of them is an arrow a reader
has to follow and a place a circle can hide.

Three rules:

(a) no import circle between modules;
(b) no arrow that runs up the layer table (a module imports its own package and lower layers);
(c) an adapter imports from bot/ only the public API: ``bot.boundary``, ``bot.errors``,
    ``bot.config``, ``bot.app`` and the names ``bot.app`` re-exports (``__all__``: read models,
    the inbox, the neutral markup), which may be imported where they live when import time
    matters (the console's ``--help``). Two more doors: the studio, an authoring tool, uses the
    tools' surface ``bot.flowtools``; an adapter's ``__main__`` (``python -m adapters.X``) is an
    entry point and runs ``bot.cli``.

Today's known breaches are listed below, each with the helper or step that removes it. The lists
may only shrink: an entry that no longer happens fails the test too, so they stay true.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "adapters")

#: Layer of each bot/ package, lowest first (LAYOUT.md, docs/architecture.md). A module may
#: import its own package and any package of the same or a lower layer.
LAYERS: dict[str, int] = {
    "bot": 0,  # bot/__init__.py: a docstring only
    "bot.boundary": 0,
    "bot.errors": 0,
    "bot.store": 1,
    "bot.render": 2,
    "bot.flow": 3,
    "bot.answers": 4,
    "bot.dialog": 5,
    "bot.routing": 6,
    "bot.coaching": 7,
    "bot.config": 8,
    "bot.app": 8,
    "bot.flowtools": 9,
    "bot.cli": 10,
}
ADAPTER_API = ("bot.boundary", "bot.errors", "bot.config", "bot.app")
#: What an adapter may import besides ADAPTER_API: (adapter modules prefix, bot package).
ADAPTER_DOORS = (
    ("adapters.studio.", "bot.flowtools"),  # the authoring tools' public surface
    ("adapters.*.__main__", "bot.cli.main"),  # `python -m adapters.X` is the command line
)

# --- today's known breaches (may only shrink) -------------------------------------------------

#: Arrows that close an import circle; the graph without them must have no circle.
KNOWN_CIRCLE_EDGES: set[tuple[str, str]] = set()

#: Arrows that run up the layer table: (importer, imported).
KNOWN_UPWARD: set[tuple[str, str]] = set()

#: Adapter imports outside the public API: (adapter module, bot module). None left.
KNOWN_ADAPTER_REACH: set[tuple[str, str]] = set()


#: Packages whose ``__init__`` docstring does not yet say what they may import (who writes it).
KNOWN_SILENT_PACKAGES: set[str] = set()


# --- the import graph ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Arrow:
    """One import: ``source`` imports ``target`` (a module of this project), naming ``names``."""

    source: str
    target: str
    names: tuple[str, ...] = ()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for top in SOURCES for p in sorted((ROOT / top).rglob("*.py"))}


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def raw_imports(path: Path, importer: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(module, names imported from it) for every import statement anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, importer, is_package)
            yield module, tuple(alias.name for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield arg.value, ()


def arrows_of(importer: str, path: Path, modules: dict[str, Path]) -> Iterator[Arrow]:
    """Project-internal arrows; ``from pkg import sub`` points at the submodule ``pkg.sub``."""
    for module, names in raw_imports(path, importer):
        if module.split(".")[0] not in SOURCES:
            continue
        plain = [n for n in names if f"{module}.{n}" not in modules]
        for name in names:
            if f"{module}.{name}" in modules:
                yield Arrow(importer, f"{module}.{name}")
        if plain or not names:
            target = module
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            yield Arrow(importer, target, tuple(plain))


def all_arrows() -> list[Arrow]:
    modules = project_modules()
    return [
        arrow
        for name, path in modules.items()
        for arrow in arrows_of(name, path, modules)
        if arrow.target != arrow.source
    ]


def package_of(module: str) -> str:
    """The entry of LAYERS a bot module belongs to (the longest matching prefix)."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        prefix = ".".join(parts[:size])
        if prefix in LAYERS:
            return prefix
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS and the docs")


# --- the rules -------------------------------------------------------------------------------


def circles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    component.append(item)
                    if item == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def upward(arrows: Iterable[Arrow]) -> set[tuple[str, str]]:
    return {
        (a.source, a.target)
        for a in arrows
        if a.source.startswith("bot")
        and a.target.startswith("bot")
        and LAYERS[package_of(a.target)] > LAYERS[package_of(a.source)]
    }


def public_read_models() -> set[str]:
    """The names ``bot.app`` lists in ``__all__``: an adapter may import them where they live."""
    tree = ast.parse((ROOT / "bot" / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return set(value)
    return set()


def adapter_reach(arrows: Iterable[Arrow]) -> set[tuple[str, str]]:
    allowed = public_read_models()
    return {
        (a.source, a.target)
        for a in arrows
        if a.source.startswith("adapters")
        and a.target.startswith("bot")
        and not any(a.target == m or a.target.startswith(m + ".") for m in ADAPTER_API)
        and not (a.names and set(a.names) <= allowed)
        and not any(_through_door(a, source, target) for source, target in ADAPTER_DOORS)
    }


def _through_door(arrow: Arrow, source: str, target: str) -> bool:
    if source.endswith(".__main__"):
        ok = arrow.source.startswith("adapters.") and arrow.source.endswith(".__main__")
    else:
        ok = arrow.source.startswith(source)
    return ok and (arrow.target == target or arrow.target.startswith(target + "."))


# --- the tests -------------------------------------------------------------------------------


def test_no_import_circle() -> None:
    arrows = all_arrows()
    edges = {(a.source, a.target) for a in arrows}
    stale = {e for e in KNOWN_CIRCLE_EDGES if not any(set(e) <= set(c) for c in circles(edges))}
    assert stale == set(), "no longer in a circle: drop these from KNOWN_CIRCLE_EDGES"
    assert circles(edges - KNOWN_CIRCLE_EDGES) == []


def test_no_arrow_runs_up_the_layers() -> None:
    found = upward(all_arrows())
    assert found - KNOWN_UPWARD == set(), "an import runs up the layer table"
    assert KNOWN_UPWARD - found == set(), "fixed: drop these from KNOWN_UPWARD"


def test_adapters_use_only_the_public_api() -> None:
    found = adapter_reach(all_arrows())
    assert found - KNOWN_ADAPTER_REACH == set(), "an adapter reaches past bot's public API"
    assert KNOWN_ADAPTER_REACH - found == set(), "fixed: drop these from KNOWN_ADAPTER_REACH"


def test_every_package_says_what_it_holds_and_may_import() -> None:
    silent = set()
    for name, path in project_modules().items():
        if path.name == "__init__.py":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if "may import" not in doc.lower() or len(doc.splitlines()) < 3:
                silent.add(name)
    assert silent - KNOWN_SILENT_PACKAGES == set(), "say what the package holds and may import"
    assert KNOWN_SILENT_PACKAGES - silent == set(), "written: drop from KNOWN_SILENT_PACKAGES"


def test_every_bot_module_has_a_layer() -> None:
    for name in project_modules():
        if name.startswith("bot"):
            package_of(name)


# --- the checks catch what they should -------------------------------------------------------


def test_every_kind_of_import_is_seen(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "import bot.store\n"
        "from bot.flow import model\n"
        "if TYPE_CHECKING:\n    from bot.dialog.engine import Engine\n"
        "def later():\n    from bot.render.templates import TemplateRenderer\n"
        "importlib.import_module('bot.cli.main')\n"
        "from . import sibling\n"
    )
    found = {module for module, _ in raw_imports(sample, "bot.answers.sample")}
    assert {
        "bot.store",
        "bot.flow",
        "bot.dialog.engine",
        "bot.render.templates",
        "bot.cli.main",
        "bot.answers",
    } <= found


def test_the_rules_flag_a_circle_an_upward_arrow_and_a_reach() -> None:
    assert circles([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]) == [["a", "b", "c"]]
    assert upward([Arrow("bot.store.sql", "bot.dialog.state")]) == {
        ("bot.store.sql", "bot.dialog.state")
    }
    assert upward([Arrow("bot.dialog.turn", "bot.store")]) == set()
    reach = adapter_reach(
        [
            Arrow("adapters.slack.home", "bot.store", ("Store",)),
            Arrow("adapters.slack.app", "bot.app", ("Coach",)),
            Arrow("adapters.slack.app", "bot.boundary", ("Incoming",)),
        ]
    )
    assert reach == {("adapters.slack.home", "bot.store")}
    doors = adapter_reach(
        [
            Arrow("adapters.studio.session", "bot.flowtools.sandbox"),
            Arrow("adapters.slack.__main__", "bot.cli.main"),
            Arrow("adapters.slack.app", "bot.flowtools.lint"),
            Arrow("adapters.slack.app", "bot.cli.main"),
            Arrow("adapters.studio.session", "bot.dialog.state"),
        ]
    )
    assert doors == {
        ("adapters.slack.app", "bot.flowtools.lint"),
        ("adapters.slack.app", "bot.cli.main"),
        ("adapters.studio.session", "bot.dialog.state"),
    }
