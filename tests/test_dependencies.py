"""Dependencies tell the truth: what bot/ and adapters/ import is declared, and what is declared
is imported (or is a driver SQLAlchemy loads by URL), so the README's table stays right."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Declared but never imported by name: SQLAlchemy loads them from the database URL.
DRIVERS = {"aiosqlite": "sqlite+aiosqlite:// (Slack's install stores)", "asyncpg": "postgresql://"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonical(re.match(r"[A-Za-z0-9_.\-]+", d).group(0)) for d in project["dependencies"]}  # type: ignore[union-attr]


def imported_top_names() -> set[str]:
    names: set[str] = set()
    for top in ("bot", "adapters"):
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"bot", "adapters", "dialogs"}


def imported_distributions() -> set[str]:
    owners = packages_distributions()
    found: set[str] = set()
    for name in imported_top_names():
        assert name in owners, f"{name} is imported but no installed distribution provides it"
        found.update(canonical(d) for d in owners[name])
    return found


def test_every_imported_package_is_declared() -> None:
    assert imported_distributions() - declared() == set()


def test_every_declared_package_is_imported_or_a_driver() -> None:
    assert declared() - imported_distributions() - set(DRIVERS) == set()
