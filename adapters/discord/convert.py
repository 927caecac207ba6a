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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import discord

from adapters.discord.limits import CUSTOM_ID, size
from bot.boundary import Command, ConversationRef, Incoming, UserInfo

__all__ = (
    "CHOICE_PREFIX",
    "FORM_PREFIX",
    "LABEL_PREFIX",
    "MODAL_PREFIX",
    "choice_custom_id",
    "command_to_incoming",
    "event_id",
    "is_bot_dm",
    "label_custom_id",
    "message_to_incoming",
    "modal_values",
    "to_conversation",
    "to_user_info",
    "wants_answer",
)

CHOICE_PREFIX = "rc:"
LABEL_PREFIX = "rc~:"
FORM_PREFIX = "rcf:"
MODAL_PREFIX = "rcm:"
_TEXT_INPUT = 4
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
    """``/recruiter [topic] [question]``: a known topic starts its flow, a question is routed
    by the engine, an unknown topic counts as part of the question, and nothing starts over."""
    topic = (topic or "").strip()
    question = (question or "").strip()
    if topic and topic_known:
        command = Command(topic)
    elif topic or question:
        command = Command("ask", " ".join(part for part in (topic, question) if part))
    else:
        command = Command("start")
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


def modal_values(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """``(field name, value)`` pairs from a modal submission's ``data``.

    Text inputs arrive inside labels (type 18) or, from older clients, action rows (type 1);
    each input's ``custom_id`` is the form field's name.
    """
    values: list[tuple[str, str]] = []
    for component in _inputs(data.get("components", [])):
        custom_id, value = component.get("custom_id"), component.get("value")
        if isinstance(custom_id, str) and isinstance(value, str):
            values.append((custom_id, value))
    return tuple(values)


def _inputs(components: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for component in components:
        kind = component.get("type")
        if kind == _TEXT_INPUT:
            found.append(component)
        elif kind == _ACTION_ROW:
            found += _inputs(component.get("components", []))
        elif kind == _LABEL and isinstance(component.get("component"), Mapping):
            found += _inputs([component["component"]])
    return found
