"""Every command's output may go to a reader that stops early (`| head`): no traceback then.

The read end of stdout's pipe is closed before the command writes anything, so its first write
fails with EPIPE, as with `recruiter-coach stats | head -1` on a long table.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = [
    ["stats"],
    ["flows", "graph"],
    ["flows", "lint"],
    ["classify", "--top", "3", "is this recruiter legit"],
    ["--help"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_a_reader_that_leaves_early_gets_no_traceback(argv: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COACH_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    read, write = os.pipe()
    os.close(read)  # nobody will read: every write fails with EPIPE
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from bot.cli.main import main; raise SystemExit(main())",
                *argv,
            ],
            stdout=write,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr, stderr
    assert "BrokenPipeError" not in stderr, stderr
    assert done.returncode == 0, stderr
