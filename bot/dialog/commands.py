"""Global commands (help, back, restart, stop, repeat, menu) and when a message is one.

A message is a command only when it is exactly the command word (``/`` or ``!`` before it is
fine) and the current question does not take that word as an answer. "Help the Children" is an
answer; so is "Stop" when a choice is labelled "Stop".
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.flow.model import ChoiceOption

__all__ = ("COMMANDS", "START_WORDS", "command_in")

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
START_WORDS = frozenset({"start", "hi", "hello", "hey", "begin", "recruiter", "coach", "go"})


def command_in(text: str, choices: Sequence[ChoiceOption] = ()) -> str | None:
    """The global command this message is, or None when it is an answer."""
    word = _normalise(text)
    command = word if word in COMMANDS else _ALIASES.get(word)
    if command is None:
        return None
    if any(word in (_normalise(c.label), c.id, *map(_normalise, c.match)) for c in choices):
        return None  # the question itself takes this word
    return command


def _normalise(text: str) -> str:
    return " ".join(text.strip().lstrip("/!").strip().rstrip(".!").lower().split())
