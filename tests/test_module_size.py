"""House rules on size: no module over 400 lines unless its docstring says why (a line starting
``Long because:``), no class over 250 lines.

The allow-lists below are empty since the structural step (issue 11) and should stay so; an
entry must name who shrinks it, and one that is no longer too long fails the test.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_MAX = 400
CLASS_MAX = 250

#: Modules over MODULE_MAX lines with no "Long because:" line (path: who shrinks it).
KNOWN_LONG_MODULES: dict[str, str] = {}

#: Classes over CLASS_MAX lines ("path:Class": who shrinks it).
KNOWN_LONG_CLASSES: dict[str, str] = {}


def sources() -> list[Path]:
    return sorted(p for top in ("bot", "adapters") for p in (ROOT / top).rglob("*.py"))


def says_why(tree: ast.Module) -> bool:
    doc = ast.get_docstring(tree) or ""
    return any(line.strip().startswith("Long because:") for line in doc.splitlines())


def long_modules() -> set[str]:
    found = set()
    for path in sources():
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MODULE_MAX and not says_why(ast.parse(text)):
            found.add(path.relative_to(ROOT).as_posix())
    return found


def long_classes() -> set[str]:
    found = set()
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            if (node.end_lineno or 0) - node.lineno + 1 > CLASS_MAX:
                found.add(f"{path.relative_to(ROOT).as_posix()}:{node.name}")
    return found


def test_no_module_is_long_without_a_reason() -> None:
    found = long_modules()
    assert found - set(KNOWN_LONG_MODULES) == set(), f"over {MODULE_MAX} lines, no 'Long because:'"
    assert set(KNOWN_LONG_MODULES) - found == set(), "short now: drop from KNOWN_LONG_MODULES"


def test_no_class_is_long() -> None:
    found = long_classes()
    assert found - set(KNOWN_LONG_CLASSES) == set(), f"a class over {CLASS_MAX} lines"
    assert set(KNOWN_LONG_CLASSES) - found == set(), "short now: drop from KNOWN_LONG_CLASSES"


def test_a_reason_must_open_a_line() -> None:
    assert says_why(ast.parse('"""Tables.\n\nLong because: one table per kind."""'))
    assert not says_why(ast.parse('"""Not long because: nothing."""'))
