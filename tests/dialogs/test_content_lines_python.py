"""The banned phrasings of test_content_lines, checked in the coach's Python-side texts too.

The legitimacy check's labels, explanations and next steps are string constants in
bot/coaching/*.py; they reach users as much as the templates do. Every string literal there
(docstrings aside) is split into sentences and searched with the same rules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.dialogs.test_content_lines import RULES

ROOT = Path(__file__).resolve().parents[2]
PYTHON_TEXTS = sorted((ROOT / "bot" / "coaching").glob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def _strings(path: Path) -> list[str]:
    """Every string literal (implicit concatenations joined), f-strings' literal parts too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def test_the_scan_reads_the_legitimacy_texts() -> None:
    texts = [s for path in PYTHON_TEXTS for s in _strings(path)]
    assert any("reputable employer" in s for s in texts)
    assert any(s.startswith("Asks for a card number") for s in texts)


@pytest.mark.parametrize("reason,banned,unless", RULES, ids=[r[0][:40] for r in RULES])
def test_no_python_side_text_says_it(
    reason: str, banned: re.Pattern[str], unless: re.Pattern[str] | None
) -> None:
    found = [
        f"{path.relative_to(ROOT)}: {sentence.strip()}"
        for path in PYTHON_TEXTS
        for text in _strings(path)
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text)
        if banned.search(sentence) and not (unless and unless.search(sentence))
    ]
    assert found == [], reason
