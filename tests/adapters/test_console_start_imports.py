"""The console's start imports only what its first prompt needs (issue 14: start <= 0.3 s).

Each case runs ``recruiter-coach console`` in a fresh process with ``-X importtime`` and reads
the modules it imported from stderr. The data folder is prepared once: ``classify`` saves the
topic router, a first console start saves the flows cache (bot/flow/cache.py); from then on a
start needs neither the flow loader (YAML, the load-time checks) nor scikit-learn, and no
start needs the feature libraries before a feature runs. The times are measured by
``bench/startup_bench.py``, not here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Made lazy for the console's start; each is imported when its feature first runs.
NOT_AT_START = (
    "yaml",  # flows come from the cache; topic files from the router cache
    "bot.flow.loader",
    "bot.flow.checks",
    "bot.flow.slots",
    "bot.flow.yamlsource",
    "bot.coaching.legitimacy",  # the red-flag rules: the first check_legitimacy
    "bot.coaching.legitimacy_rules",
    "icalendar",  # the first calendar file
    "jinja2",  # the first messages are fixed texts (bot/render/sources.py)
    "markupsafe",
    "dateparser",  # the first date-time answer
    "phonenumbers",  # the first phone number
    "sklearn",  # the router is read from the data folder
    "numpy",
    "scipy",
    "sqlalchemy",  # SQLite at head: plain sqlite3 units (bot/store/sqlite_units.py)
    "alembic",  # the schema is at head: no migration
    "discord",  # other adapters: never
    "slack_bolt",
    "slack_sdk",
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "DATABASE_URL" and not name.startswith(("COACH_", "SLACK_", "DISCORD_"))
    }
    env["COACH_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT)
    return env


def _run(data_dir: Path, *argv: str, stdin: str = "") -> tuple[str, set[str]]:
    """stdout and the names of every module imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot.cli", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(data_dir),
        cwd=ROOT,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }
    return done.stdout, imported


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("console-data")
    out, _ = _run(folder, "classify", "is this recruiter even real")  # saves the router
    assert "legitimacy" in out
    out, imported = _run(folder, "console", stdin="start\n")  # saves the flows cache
    assert "I can talk now" in out and "bot.flow.loader" in imported
    assert (folder / "flows.cache").is_file()
    return folder


def test_the_console_start_imports_none_of_the_lazy_modules(data_dir: Path) -> None:
    out, imported = _run(data_dir, "console", stdin="start\n")
    assert "I can talk now" in out  # the first question was asked
    assert "bot.app" in imported and "bot.dialog.engine" in imported  # the list is real
    assert sorted(imported.intersection(NOT_AT_START)) == []


def test_a_fresh_database_still_migrates_with_alembic(tmp_path: Path) -> None:
    # The other cases start on the database the fixture created; a new one is migrated.
    out, imported = _run(tmp_path, "console", stdin="start\n")
    assert "I can talk now" in out
    assert {"sqlalchemy", "alembic"} <= imported
    assert (tmp_path / "coach.db").is_file()


def test_the_first_routed_question_alone_imports_none_of_them(data_dir: Path) -> None:
    # A user of its own, who never forgets (forget_user is a SQLAlchemy Core unit).
    out, imported = _run(
        data_dir, "console", "--user", "routed-once", stdin="is this recruiter even real\n"
    )
    assert "Check a recruiter" in out
    assert "bot.routing.cached" in imported and "bot.store.sqlite_units" in imported
    assert sorted(imported.intersection(NOT_AT_START)) == []


def test_the_first_routed_question_imports_none_of_them_either(data_dir: Path) -> None:
    out, imported = _run(
        data_dir,
        "console",
        "--user",
        "routed",
        stdin="is this recruiter even real\nforget\nyes\n",
    )
    assert "Check a recruiter" in out  # routed to the legitimacy topic
    assert "bot.routing.cached" in imported
    # forget_user (the reset after the question) is a SQLAlchemy Core unit: not counted here.
    lazy_but_for_forget = set(NOT_AT_START) - {"sqlalchemy"}
    assert sorted(imported.intersection(lazy_but_for_forget)) == []


def test_the_command_line_finds_the_console_without_importlib_metadata(tmp_path: Path) -> None:
    # With --help (no store opened): a new database's migration imports SQLAlchemy, which
    # imports importlib.metadata.
    out, imported = _run(tmp_path, "console", "--help")
    assert "--data-dir" in out and "adapters.console.convert" in imported
    assert "importlib.metadata" not in imported
