"""`/recruiter <text>` is read once, in the core (:func:`bot.app.recruiter_command`)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import recruiter_command
from bot.boundary import Command
from bot.dialog.commands import COMMANDS

KNOWN = {"check", "callback", "contacts", "refer", "legitimacy"}


def knows(word: str) -> bool:
    return word.lower() in KNOWN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Command("start")),
        ("   ", Command("start")),
        ("help", Command("help")),
        ("/Stop", Command("stop")),
        ("start over", Command("restart")),
        ("check", Command("check")),
        ("CHECK", Command("check")),
        ("check this message please", Command("check", "this message please")),
        (" is  this\nlegit? ", Command("ask", "is  this\nlegit?")),
        ("weather", Command("ask", "weather")),
        ("\uff48\uff45\uff4c\uff50", Command("ask", "\uff48\uff45\uff4c\uff50")),
        ("x" * 50_000, Command("ask", "x" * 50_000)),
    ],
)
def test_recruiter_command(text: str, expected: Command) -> None:
    assert recruiter_command(text, knows_topic=knows) == expected


@given(st.text(max_size=300))
def test_any_text_reads_as_exactly_one_thing(text: str) -> None:
    command = recruiter_command(text, knows_topic=knows)
    assert command.name in {"start", "ask", *COMMANDS, *KNOWN}
    if command.name in ("ask", "check") and command.args:
        assert command.args.strip()  # a question or a message to check is never blank
    else:
        assert command.args == ""
