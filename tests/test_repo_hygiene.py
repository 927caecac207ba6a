"""What a person sees around the code: a passing `flows test` says nothing but its results, and
no doc or message points to a document the repository does not hold."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# DESIGN.md is the design team's document, not shipped: a pointer to it leads nowhere.
_MAIN = "from bot.cli.main import main; raise SystemExit(main())"
_MISSING_DOC = re.compile(r"DESIGN(\.md)?\s*(section|§)", re.IGNORECASE)


def test_no_text_points_to_the_design_document_outside_the_repository() -> None:
    found = []
    for folder in ("bot", "adapters", "dialogs", "docs"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in {".py", ".md", ".yaml", ".j2", ".txt"}:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _MISSING_DOC.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found += [line for line in readme.splitlines() if _MISSING_DOC.search(line)]
    assert found == []


def test_a_passing_flows_test_prints_no_warning(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COACH_DATA_DIR": str(tmp_path)}
    env.pop("LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "-c", _MAIN, "flows", "test"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed, 0 failed" in done.stdout
    output = done.stdout + done.stderr
    assert not [line for line in output.splitlines() if "WARNING" in line], output
