"""``recruiter-coach check --text -``: a recruiter's message on stdin (or in a file) is checked
from the facts in it; options still win; a file that cannot be read exits 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.cli.main
from bot.cli.main import main

MESSAGE = (
    "Hi! I'm hiring for Acme, reach me at hr.team@gmail.com or +1 900 555 0199. "
    "The training fee is $50, pay it by gift card."
)


@pytest.fixture(autouse=True)
def check_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    installed = bot.cli.main.command_modules()
    monkeypatch.setattr(
        bot.cli.main, "command_modules", lambda: {**installed, "check": "bot.cli.check"}
    )
    monkeypatch.setattr(bot.cli.main, "setup_logging", lambda settings: None)
    monkeypatch.chdir(tmp_path)


def run_with_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code = main(["check", "--text", "-", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_message_on_stdin_is_checked_from_its_facts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_with_stdin(monkeypatch, capsys, MESSAGE, "--json")
    result = json.loads(out)
    assert code == 0
    assert result["risk"] == "high"
    assert any("fee" in json.dumps(f).lower() for f in result["findings"])


def test_options_add_to_what_the_message_gives(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calm = "Hello, I recruit for Acme; could we talk about the platform role this week?"
    _, text_only, _ = run_with_stdin(monkeypatch, capsys, calm, "--company", "Acme")
    code, with_email, _ = run_with_stdin(
        monkeypatch, capsys, calm, "--company", "Acme", "--email", "jobs.acme@gmail.com"
    )
    assert code == 0
    assert "gmail" in with_email and "gmail" not in text_only


def test_a_message_from_a_file_and_an_unreadable_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "message.txt"
    path.write_text(MESSAGE, encoding="utf-8")
    assert main(["check", "--text", str(path)]) == 0
    assert "gift card" not in capsys.readouterr().err
    assert main(["check", "--text", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=2000))
def test_any_text_on_stdin_completes_the_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    code, out, _ = run_with_stdin(monkeypatch, capsys, text, "--json")
    assert code == 0 and json.loads(out)["risk"]
