"""A scripted console session (piped stdin) of the conversation seams of issue 9, items 1-5:
`stop` then every command in the idle state, `restart`, a callback time that fails three times
then `back`, a pasted scam message checked, the decision aid in one message, and `help`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 120

SCAM_MESSAGE = (
    "Hi! I'm Dana from Acme hiring. Write to me at acme.hr.team@gmail.com or call "
    "+1 415 555 0132. You're hired, no interview needed! Please pay the $60 training fee."
)
SCRIPT = [
    "start",
    "at work",
    "stop",
    "stop",
    "back",
    "repeat",
    "help",
    "restart",
    "1",
    "never mind",
    "soon",
    "whenever",
    "back",
    "tomorrow 18:30",
    "+1 415 555 0100",
    "menu",
    "stop",
    "scam",
    SCAM_MESSAGE,
    "stop",
    "decide",
    "1",
    "1, 2 and 4",
    "4",
    "good",
    "2",
]


def _after(out: str, line: str, until: str = "\n> ") -> str:
    """What the coach answered to the typed ``line`` (its first occurrence)."""
    rest = out.split(f"> {line}\n", 1)[1]
    return rest.split(until, 1)[0]


def test_a_piped_session_through_the_conversation_seams(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COACH_DATA_DIR=str(tmp_path / "data"))
    env["TZ"] = "America/New_York"
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "console"],
        input="".join(line + "\n" for line in SCRIPT),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in done.stderr
    assert "not sure which topic" not in out  # no command was taken for a question

    stopped = out.split("> stop\n")
    assert stopped[1].startswith("Stopped.") and stopped[2].startswith("Stopped.")
    after_stop = out.split("> stop\n", 2)[2]
    assert _after(after_stop, "back").startswith("There's no earlier question")
    assert "Nothing is running right now" in _after(after_stop, "repeat")
    help_text = _after(after_stop, "help")
    for command in (
        "help",
        "back",
        "repeat",
        "menu",
        "restart",
        "stop",
        "export",
        "forget",
        "start",
    ):
        assert f"{command}" in help_text
    assert "Type the number" in help_text
    assert "can you talk freely right now?" in _after(after_stop, "restart")

    gave_up = _after(out, "whenever")
    assert gave_up.startswith("I couldn't read that as a date and time")  # the last one too
    assert "your personal number" in gave_up and "this evening" not in gave_up
    back_to_time = out.split("> whenever\n", 1)[1].split("> back\n", 1)[1].split("\n> ", 1)[0]
    assert "When suits you?" in back_to_time
    assert "+1 415-555-0100" in _after(out, "+1 415 555 0100")

    checked = _after(out, SCAM_MESSAGE)
    assert "Here's what I found in their message" in checked
    assert "acme.hr.team@gmail.com" in checked and "+1 415 555 0132" in checked
    assert "money or a fee" in checked
    assert "Risk: high" in checked
    assert "Please pick one of" not in checked

    picked = _after(out, "1, 2 and 4")
    assert "pay and benefits" in picked
    assert "1) Poor" in picked and "5) Great" in picked
    assert "1) 1" not in out
