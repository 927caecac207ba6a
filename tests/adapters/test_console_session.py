"""A scripted console session (piped stdin) of the conversation seams of issue 9, items 1-5:
`stop` then every command in the idle state, `restart`, a callback time that fails three times
then `back`, a pasted scam message checked, the decision aid in one message, and `help`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.adapters.test_console import run_console

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


SWITCH_SCRIPT = [
    "start",
    "how do I know if this recruiter is legit?",  # a question instead of an answer
    "3",  # 1) at work 2) can talk 3) Switch to: Is this recruiter real?
    "3",  # now the legitimacy menu's third choice
    "menu",
    "how do I know if this recruiter is legit?",  # the menu lists it: no second button
    "3",  # the menu's own "Is this recruiter real?"
]


def test_a_switch_typed_by_number_is_used_once(tmp_path: Path) -> None:
    """The number that picks "Switch to" opens the new topic's first question; it does not also
    answer it (issue 9 follow-up)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), COACH_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console"],
        input="".join(line + "\n" for line in SWITCH_SCRIPT),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    turns = done.stdout.split("\n> ")
    offer = next(t for t in turns if t.startswith("how do I know"))
    assert "3) Switch to: Is this recruiter real?" in offer
    switched, answered = turns[turns.index(offer) + 1], turns[turns.index(offer) + 2]
    assert switched.startswith("3\n")
    assert "1) Check a recruiter" in switched and "3) Is my company testing me?" in switched
    assert "test your loyalty" in answered  # the second 3 answered the legitimacy menu
    at_menu = [t for t in turns if t.startswith("how do I know")][1]
    assert "Switch to" not in at_menu and "Please pick" not in at_menu
    assert "“Is this recruiter real?”: it's one of the choices below" in at_menu
    last = turns[-1]
    assert last.startswith("3\n") and "1) A quick check" in last


TIME_SWITCH_SCRIPT = [
    "start",
    "at work",  # "When suits you?": a date and time
    "is this recruiter even real?",  # a question instead: "Switch to" offered
    "1",  # 1 o'clock, the answer: not the offer
    "is this recruiter even real?",  # at the phone number question now
    "switch",  # the offer, taken by its keyword
]


def test_a_number_typed_at_a_time_question_is_the_time_not_the_switch(tmp_path: Path) -> None:
    """Under "When suits you?" the offer has no number ("switch) Switch to: ..."), so "1" is
    1 o'clock; typing switch takes the offer (the tester's report: "1" opened the legitimacy
    topic)."""
    done = run_console(tmp_path / "data", TIME_SWITCH_SCRIPT, TZ="Europe/London")
    assert done.returncode == 0, done.stderr
    turns = done.stdout.split("\n> ")
    offer = next(t for t in turns if t.startswith("is this recruiter"))
    assert "When suits you?" in offer
    assert "switch) Switch to: Is this recruiter real?" in offer and "1) Switch" not in offer
    assert "type switch to go there now" in offer
    answered = turns[turns.index(offer) + 1]
    assert answered.startswith("1\n") and "Which number should they call?" in answered
    switched = turns[-1]
    assert switched.startswith("switch\n") and "1) Check a recruiter" in switched
