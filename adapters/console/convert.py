"""Pure converters between terminal input and the boundary types (no I/O here).

A typed line becomes an :class:`~bot.boundary.Incoming`: a number picks one of the choices shown
last (its token is sent, so an answer to an old question is recognised as stale), anything else
is sent as text and the engine matches labels, synonyms and commands itself. A choice with a
keyword has no number (there a typed number is the question's answer): its keyword is text the
engine reads. A line
``/recruiter <text>`` is read by the core's :func:`~bot.dialog.commands.recruiter_command`, as
Slack's and Discord's slash commands are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from bot.boundary import Choice, ConversationRef, Incoming, Reply, UserInfo

# bot.app re-exports it (the public API); imported where it lives so that `console --help`
# does not load the engine.
from bot.dialog.commands import recruiter_command

__all__ = (
    "CONSOLE_CHANNEL",
    "current_choices",
    "to_conversation",
    "to_incoming",
    "to_user_info",
)

CONSOLE_CHANNEL = "terminal"
_SLASH_RECRUITER = re.compile(r"^/recruiter(?:\s+(?P<text>.*))?$", re.IGNORECASE | re.DOTALL)


def to_conversation(user: str) -> ConversationRef:
    """The one conversation a console user has (``--user`` keeps several people apart)."""
    return ConversationRef(platform="console", channel=CONSOLE_CHANNEL, user=user)


def to_user_info(user: str, time_zone: str | None) -> UserInfo:
    """What the console knows of its user: a name and the computer's time zone."""
    return UserInfo(display_name=user, time_zone=time_zone)


def current_choices(
    replies: Sequence[Reply], previous: tuple[Choice, ...] = ()
) -> tuple[Choice, ...]:
    """The choices the numbers refer to after ``replies`` were shown.

    A turn's replies end with the question now asked, so the last reply with choices wins; when
    none has choices the question takes free text and numbers are text again. ``previous`` is
    kept only for an empty batch (a turn that said nothing leaves the question as it was).
    """
    if not replies:
        return previous
    return next((reply.choices for reply in reversed(replies) if reply.choices), ())


def to_incoming(
    line: str,
    *,
    conversation: ConversationRef,
    user: UserInfo,
    choices: Sequence[Choice] = (),
    knows_topic: Callable[[str], bool] = lambda word: False,
) -> Incoming | None:
    """The event for one typed line, or ``None`` for a blank line.

    ``"2"`` presses the second of ``choices`` (those without a keyword), unless a choice is
    labelled ``"2"`` (a scale from 0 to 10): then the label is meant and the line goes to the
    engine as text.
    ``/recruiter <text>`` is the slash command (``knows_topic`` tells topic words from questions).
    """
    text = line.strip()
    if not text:
        return None
    slash = _SLASH_RECRUITER.match(text)
    if slash is not None:
        command = recruiter_command(slash.group("text") or "", knows_topic=knows_topic)
        return Incoming(conversation=conversation, command=command, user=user)
    chosen = _numbered(text, choices)
    if chosen is not None:
        return Incoming(conversation=conversation, choice_token=chosen.token, user=user)
    return Incoming(conversation=conversation, text=text, user=user)


def _numbered(text: str, choices: Sequence[Choice]) -> Choice | None:
    if not (text.isascii() and text.isdigit()):
        return None
    if any(choice.label.strip().casefold() == text for choice in choices):
        return None
    numbered = [choice for choice in choices if choice.keyword is None]
    index = int(text) - 1
    return numbered[index] if 0 <= index < len(numbered) else None
