"""The core stays platform-neutral: nothing in bot/ imports a platform SDK or an adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
FORBIDDEN = ("slack_bolt", "slack_sdk", "discord", "adapters")


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            names.extend(
                a.value
                for a in node.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
    return names


def forbidden_in(names: list[str]) -> list[str]:
    return [n for n in names if n.split(".")[0] in FORBIDDEN]


@pytest.mark.parametrize("path", sorted(BOT.rglob("*.py")), ids=lambda p: str(p.relative_to(BOT)))
def test_bot_imports_no_platform_or_adapter(path: Path) -> None:
    assert forbidden_in(imported_modules(path)) == []


def test_the_check_catches_each_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import slack_sdk\nfrom discord import ui\nimport adapters.slack\n"
        "from slack_bolt.async_app import AsyncApp\nimportlib.import_module('adapters.console')\n"
    )
    assert sorted(forbidden_in(imported_modules(sample))) == [
        "adapters.console",
        "adapters.slack",
        "discord",
        "slack_bolt.async_app",
        "slack_sdk",
    ]
