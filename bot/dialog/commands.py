"""Global commands (help, back, restart, stop, repeat, menu) and when a message is one; what a
``/recruiter <text>`` asks for (:func:`recruiter_command`, the one parser every adapter uses).

A message is a command only when it is exactly the command word (``/`` or ``!`` before it is
fine) and the current question does not take that word as an answer. "Help the Children" is an
answer; so is "Stop" when a choice is labelled "Stop".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.boundary import Command
from bot.flow.model import ChoiceOption

__all__ = ("CHECK_COMMAND", "COMMANDS", "START_WORDS", "command_in", "recruiter_command")

COMMANDS = ("help", "back", "restart", "stop", "repeat", "menu", "forget", "export")
_ALIASES = {
    "cancel": "stop",
    "quit": "stop",
    "exit": "stop",
    "undo": "back",
    "again": "repeat",
    "start over": "restart",
    "start": "restart",
    "main menu": "menu",
    "?": "help",
}
# Every word that is a command -> the command: one look-up per message typed.
_COMMAND_OF = {**{name: name for name in COMMANDS}, **_ALIASES}
CHECK_COMMAND = "check"  # `/recruiter check <their message>`: check the text given with it
_CHECK_TEXT = re.compile(r"^[/!]?check[\s:]+(?P<text>\S.*)$", re.IGNORECASE | re.DOTALL)
START_WORDS = frozenset({"start", "hi", "hello", "hey", "begin", "recruiter", "coach", "go"})


def command_in(text: str, choices: Sequence[ChoiceOption] = ()) -> str | None:
    """The global command this message is, or None when it is an answer."""
    word = _normalise(text)
    command = _COMMAND_OF.get(word)
    if command is None:
        return None
    if any(word in (_normalise(c.label), c.id, *map(_normalise, c.match)) for c in choices):
        return None  # the question itself takes this word
    return command


def _normalise(text: str) -> str:
    return " ".join(text.strip().lstrip("/!").strip().rstrip(".!").lower().split())


def recruiter_command(text: str, *, knows_topic: Callable[[str], bool]) -> Command:
    """What ``/recruiter <text>`` asks for, the same on every platform.

    Empty: start. A global command word (``help``, ``stop``...): that command. ``check`` with
    more text after it: check that text as a recruiter's message. One word the engine knows as
    a topic, flow or command word (``check``, ``refer``): that topic. Anything else is a
    question for the engine to route. ``text`` is plain text (the adapter strips its markup).
    """
    plain = text.strip()
    if not plain:
        return Command("start")
    word = command_in(plain)
    if word is not None:
        return Command(word)
    check = _CHECK_TEXT.match(plain)
    if check:
        return Command(CHECK_COMMAND, check.group("text").strip())
    if len(plain.split()) == 1 and knows_topic(plain):
        return Command(plain.lower().lstrip("/!"))
    return Command("ask", plain)
