"""Pure converters: Discord messages and interactions to :class:`~bot.boundary.Incoming` values.

No I/O happens here. Every conversation lives in the user's DM with the bot: a ``/recruiter`` in
a server, a button on an ephemeral message and a typed DM all continue the same conversation, so
``ConversationRef.channel`` is always the DM channel's id; ``space`` is the server the user last
used the coach in (which :mod:`adapters.discord.users` remembers), or ``None``.

Component ids carry what a press means, so a button still works after a restart:

- ``rc:<token>``: a choice; the token is the engine's (or ``ref:<id>:<action>`` for a referral
  card).
- ``rc~:<label>``: a choice whose token is too long for a ``custom_id``; the label is sent as
  typed text, which the engine matches against the question's choices.
- ``rcf:<token>``: opens the form with this token in a modal.
- ``rcm:<token>``: the modal itself; its submission is the form's answer.

A token too long for a ``custom_id`` travels as ``#<digest>`` (:func:`short_token`), which the
bot maps back while it runs; after a restart such a press shows the question again. A form
with more than 5 fields opens in several modals, one after the other: their buttons and modals
carry the part, ``rcf:<part>/<token>`` and ``rcm:<part>/<token>`` (part 0 has none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import discord

from adapters.discord.limits import CUSTOM_ID, size
from bot.app import recruiter_command
from bot.boundary import Command, ConversationRef, Incoming, UserInfo

__all__ = (
    "CHOICE_PREFIX",
    "FORM_PREFIX",
    "LABEL_PREFIX",
    "MODAL_PREFIX",
    "SHORT_MARK",
    "choice_custom_id",
    "command_to_incoming",
    "event_id",
    "field_custom_id",
    "form_custom_id",
    "is_bot_dm",
    "label_custom_id",
    "message_to_incoming",
    "modal_custom_id",
    "modal_values",
    "part_of",
    "short_token",
    "to_conversation",
    "to_user_info",
    "wants_answer",
)

CHOICE_PREFIX = "rc:"
LABEL_PREFIX = "rc~:"
FORM_PREFIX = "rcf:"
MODAL_PREFIX = "rcm:"
_TEXT_INPUT = 4
_STRING_SELECT = 3
SHORT_MARK = "#"  # a short token starts with it; the engine's tokens never do
_ACTION_ROW = 1
_LABEL = 18


def to_conversation(
    *, user_id: int, dm_channel_id: int, space: str | None = None
) -> ConversationRef:
    """The user's conversation with the coach: in their DM channel with the bot, about
    ``space`` (the server they last used the coach in; see :mod:`adapters.discord.users`)."""
    return ConversationRef(
        platform="discord", channel=str(dm_channel_id), user=str(user_id), space=space
    )


def to_user_info(user: discord.abc.User, locale: discord.Locale | None = None) -> UserInfo:
    """What Discord tells us about a person. It never tells their time zone: the engine asks."""
    return UserInfo(display_name=user.display_name, locale=locale.value if locale else None)


def event_id(snowflake: int) -> str:
    """The de-duplication id of a message or interaction (a gateway RESUME can replay one)."""
    return f"discord:{snowflake}"


def is_bot_dm(interaction: discord.Interaction[Any]) -> bool:
    """Whether the interaction happened in the user's DM with the bot (nobody else can see it).

    Interactions carry their context since 2024 (discord.py shows a missing one as "guild and
    DM"); without one, an interaction counts as a DM only in a DM channel outside any server.
    """
    context = interaction.context
    if context.private_channel:  # a group DM, or a DM between the user and someone else
        return False
    if context.dm_channel != context.guild:  # exactly one set: the payload said where
        return bool(context.dm_channel)
    return interaction.guild_id is None and isinstance(interaction.channel, discord.DMChannel)


def wants_answer(message: discord.Message, *, own_id: int | None) -> bool:
    """Whether the coach answers this message: text typed by a person in a DM with the bot.

    Messages in servers (the bot has no message-content intent: their text is empty anyway),
    from bots (itself included) and without text (a sticker, a file) get no answer.
    """
    return (
        isinstance(message.channel, discord.DMChannel)
        and not message.author.bot
        and message.author.id != own_id
        and bool(message.content.strip())
    )


def message_to_incoming(message: discord.Message, *, space: str | None = None) -> Incoming:
    """A DM typed to the bot (check :func:`wants_answer` first)."""
    return Incoming(
        conversation=to_conversation(
            user_id=message.author.id, dm_channel_id=message.channel.id, space=space
        ),
        text=message.content.strip(),
        event_id=event_id(message.id),
        received_at=message.created_at,
        user=to_user_info(message.author),
    )


def command_to_incoming(
    conversation: ConversationRef,
    *,
    topic: str | None,
    question: str | None,
    topic_known: bool,
    user: UserInfo,
    snowflake: int,
    received_at: datetime,
) -> Incoming:
    """``/recruiter [topic] [question]``: read as ``/recruiter <topic> <question>`` by the core
    (:func:`bot.app.recruiter_command`: ``help``, ``check <their message>``, a topic, a
    question), except that a known topic with a question starts that topic; an unknown topic
    counts as part of the question."""
    topic = (topic or "").strip()
    question = (question or "").strip()
    words = " ".join(part for part in (topic, question) if part)
    command = recruiter_command(
        words, knows_topic=lambda word: topic_known and word.lower() == topic.lower()
    )
    if command.name == "ask" and topic and topic_known:
        command = Command(topic)
    return Incoming(
        conversation=conversation,
        command=command,
        event_id=event_id(snowflake),
        received_at=received_at,
        user=user,
    )


def choice_custom_id(token: str) -> str | None:
    """The ``custom_id`` of a choice button, or ``None`` when the token is too long for one."""
    custom_id = CHOICE_PREFIX + token
    return custom_id if size(custom_id) <= CUSTOM_ID else None


def label_custom_id(label: str) -> str | None:
    """The fallback ``custom_id`` that sends ``label`` as typed text (``None`` if too long)."""
    custom_id = LABEL_PREFIX + label
    return custom_id if label.strip() and size(custom_id) <= CUSTOM_ID else None


def short_token(token: str) -> str:
    """A stand-in for a token too long for a ``custom_id``: ``#`` and 32 hex digits."""
    digest = hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    return SHORT_MARK + digest[:32]


def _parted(prefix: str, token: str, part: int) -> str:
    return f"{prefix}{part}/{token}" if part else prefix + token


def form_custom_id(token: str, part: int = 0) -> str:
    """The ``custom_id`` of the button that opens part ``part`` of a form."""
    return _parted(FORM_PREFIX, token, part)


def modal_custom_id(token: str, part: int = 0) -> str:
    """The ``custom_id`` of the modal that holds part ``part`` of a form."""
    return _parted(MODAL_PREFIX, token, part)


def part_of(rest: str) -> tuple[int, str]:
    """``(part, token)`` from what follows ``rcf:`` or ``rcm:``. A token starts with a digit
    and a dot, ``#`` or a word, never with digits and a slash."""
    head, slash, tail = rest.partition("/")
    if slash and head.isdigit() and tail:
        return int(head), tail
    return 0, rest


def field_custom_id(name: str, index: int) -> str:
    """A form field's input id: its name, or ``#<index>`` when the name is too long."""
    return name if 0 < size(name) <= CUSTOM_ID else f"{SHORT_MARK}{index}"


def modal_values(
    data: Mapping[str, Any], names: Sequence[str] = ()
) -> tuple[tuple[str, str], ...]:
    """``(field name, value)`` pairs from a modal submission's ``data``.

    Inputs arrive inside labels (type 18) or, from older clients, action rows (type 1): text
    inputs with a ``value``, selects with ``values`` (none chosen: an empty answer). Each
    input's ``custom_id`` is the form field's name, or ``#<index>`` into ``names`` (the form's
    field names) for a name too long for an id; one that cannot be mapped back is left out.
    """
    values: list[tuple[str, str]] = []
    for component in _inputs(data.get("components", [])):
        custom_id = component.get("custom_id")
        value = component.get("value")
        chosen = component.get("values")
        if isinstance(chosen, list):
            value = str(chosen[0]) if chosen else ""
        if not isinstance(custom_id, str) or not isinstance(value, str):
            continue
        name = _field_name(custom_id, names)
        if name is not None:
            values.append((name, value))
    return tuple(values)


def _field_name(custom_id: str, names: Sequence[str]) -> str | None:
    index = custom_id.removeprefix(SHORT_MARK)
    if custom_id.startswith(SHORT_MARK) and index.isdigit():
        return names[int(index)] if int(index) < len(names) else None
    return custom_id


def _inputs(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for component in components:
        kind = component.get("type")
        if kind in (_TEXT_INPUT, _STRING_SELECT):
            found.append(component)
        elif kind == _ACTION_ROW:
            found += _inputs(component.get("components", []))
        elif kind == _LABEL and isinstance(component.get("component"), Mapping):
            found += _inputs([component["component"]])
    return found
