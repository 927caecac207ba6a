"""docs/architecture.md stays true: every file it names exists, and its layer picture is what
``bench/layer_graph.py`` draws from today's imports."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
PATH = re.compile(r"`((?:bot|adapters|dialogs|tests|bench|docs)/[\w./-]*)`")


def named_paths(text: str) -> list[str]:
    return sorted(set(PATH.findall(text)))


def test_every_path_on_the_page_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [p for p in named_paths(text) if not (ROOT / p).exists()]
    assert named_paths(text), "the page names no file: the pattern is wrong"
    assert missing == [], "docs/architecture.md names files that moved: update the page"


def test_the_check_reads_paths_in_backquotes() -> None:
    assert named_paths("see `bot/app.py` and `adapters/slack/` but not bot/x.py") == [
        "adapters/slack/",
        "bot/app.py",
    ]


def test_the_layer_picture_is_current() -> None:
    result = subprocess.run(
        [sys.executable, "bench/layer_graph.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
