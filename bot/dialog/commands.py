"""Global commands (help, back, restart, stop, repeat, menu) and when a message is one; what a
``/recruiter <text>`` asks for (:func:`read_request`, the one parser every adapter uses).

A message is a command only when it is exactly the command word (``/`` or ``!`` before it is
fine) and the current question does not take that word as an answer. "Help the Children" is an
answer; so is "Stop" when a choice is labelled "Stop".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.boundary import Command
from bot.flow.model import ChoiceOption

__all__ = ("COMMANDS", "START_WORDS", "command_in", "read_request")

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


def read_request(
    text: str, *, knows_topic: Callable[[str], bool], topic: str | None = None
) -> Command:
    """What ``/recruiter [topic] <text>`` asks for, as the engine's :class:`Command`.

    A ``topic`` the platform's own option picked (Discord's autocomplete) and ``knows_topic``
    knows: that topic (the text is not needed). Otherwise, with an unknown topic read as the
    first words of the text: nothing is ``start``; a global command word (``help``, ``stop``) is
    that command; one word ``knows_topic`` knows (a topic, flow or command word such as
    ``check``) starts it; anything else is a question (``ask``) for the engine to route.
    A new sub-command that takes text (``check <message>``) is one more branch before the last.
    """
    if topic and knows_topic(topic):
        return Command(_word(topic))
    plain = " ".join(part.strip() for part in (topic, text) if part and part.strip())
    if not plain:
        return Command("start")
    command = command_in(plain)
    if command is not None:
        return Command(command)
    if len(plain.split()) == 1 and knows_topic(plain):
        return Command(_word(plain))
    return Command("ask", plain)


def _word(text: str) -> str:
    return text.strip().lower().lstrip("/")


def _normalise(text: str) -> str:
    return " ".join(text.strip().lstrip("/!").strip().rstrip(".!").lower().split())
