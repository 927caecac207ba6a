"""``/recruiter <text>`` typed in the console means what it means on Slack and Discord: the
core's ``recruiter_command`` reads it (start, a command word, ``check <text>``, a topic word or a
question), so the three adapters cannot drift apart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from adapters.console.convert import to_incoming
from bot.app import recruiter_command
from bot.boundary import Command, ConversationRef, UserInfo

ROOT = Path(__file__).resolve().parents[2]
ME = ConversationRef(platform="console", channel="terminal", user="ana")
ANA = UserInfo(display_name="ana")
TOPICS = {"scam", "refer", "check"}


def knows(word: str) -> bool:
    return word.lower() in TOPICS


def command_of(line: str) -> Command | None:
    incoming = to_incoming(line, conversation=ME, user=ANA, knows_topic=knows)
    assert incoming is not None
    return incoming.command


def test_each_kind_of_recruiter_command() -> None:
    assert command_of("/recruiter") == Command("start")
    assert command_of("  /Recruiter   ") == Command("start")
    assert command_of("/recruiter stop") == Command("stop")
    assert command_of("/RECRUITER help") == Command("help")
    assert command_of("/recruiter scam") == Command("scam")
    assert command_of("/recruiter check pay 50 USD first") == Command("check", "pay 50 USD first")
    assert command_of("/recruiter is this legit?") == Command("ask", "is this legit?")
    assert command_of("/recruiter\nline two") == Command("ask", "line two")


def test_other_slashes_and_plain_words_stay_text() -> None:
    for line in ("/recruiterhelp", "recruiter stop", "/recruit stop", "/ recruiter", "stop"):
        incoming = to_incoming(line, conversation=ME, user=ANA, knows_topic=knows)
        assert incoming is not None and incoming.command is None
        assert incoming.text == line.strip()


@given(st.text(max_size=300))
def test_the_console_reads_recruiter_text_as_the_core_does(text: str) -> None:
    line = f"/recruiter {text}"
    expected = recruiter_command(line.strip().removeprefix("/recruiter"), knows_topic=knows)
    assert command_of(line) == expected


def test_a_piped_session_with_slash_commands(tmp_path: Path) -> None:
    script = [
        "/recruiter",
        "/recruiter check Hi, pay 50 USD for the training to get the job",
        "/recruiter stop",
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT), COACH_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "console"],
        input="".join(line + "\n" for line in script),
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    replies = done.stdout.split("\n> ")
    started, checked, stopped = replies[1], replies[2], replies[3]
    assert started.startswith("/recruiter\n") and "can you talk freely" in started
    assert "Risk: high" in checked and "pay" in checked
    assert stopped.startswith("/recruiter stop\nStopped.")
