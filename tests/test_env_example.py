"""`.env.example` is a template, not a configuration: copied to `.env` as it is, every command
says in one line what is missing, and the data stays in the user data directory."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_SETTINGS = re.compile(r"^\s*#?\s*([A-Z][A-Z0-9_]+)=(.*)$")


def _settings_lines() -> list[tuple[str, str]]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return [(m[1], m[2]) for line in lines if (m := _SETTINGS.match(line))]


def test_every_setting_is_listed_with_an_empty_value() -> None:
    settings = _settings_lines()
    assert {name for name, _ in settings} >= {
        "COACH_DATA_DIR",
        "DATABASE_URL",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "DISCORD_BOT_TOKEN",
    }
    assert [(name, value) for name, value in settings if value.strip()] == []


def _run(cwd: Path, home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    for name in ("COACH_DATA_DIR", "DATABASE_URL", "LOG_LEVEL", "COACH_DIALOGS_DIR"):
        env.pop(name, None)
    env.update(PYTHONPATH=str(ROOT), HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli.main import main; raise SystemExit(main())", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        input="\n",
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("command", "names"),
    [("slack", "SLACK_BOT_TOKEN"), ("discord", "DISCORD_BOT_TOKEN")],
)
def test_a_copied_example_makes_the_bots_name_the_missing_token(
    tmp_path: Path, command: str, names: str
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / ".env.example", work / ".env")
    done = _run(work, tmp_path / "home", command)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and names in done.stderr, done.stderr


def test_a_copied_example_keeps_the_data_in_the_user_data_directory(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / ".env.example", work / ".env")
    done = _run(work, tmp_path / "home", "console")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in work.iterdir()) == [".env"]
    assert list((tmp_path / "home").rglob("coach.db"))
