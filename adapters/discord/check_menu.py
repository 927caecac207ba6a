"""The "Check this recruiter" message context-menu command (right-click a message -> Apps).

Installable by servers and by users and usable in servers, DMs and group DMs, like
``/recruiter``. The message's text (and its embeds' text, for forwarded or bot-posted messages)
goes to the engine as ``/recruiter check <text>``; the verdict is answered privately (ephemeral
in a server, the bot's DM otherwise) and never posted to the channel. Nothing here logs the text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

if TYPE_CHECKING:
    from adapters.discord.handlers import Handlers

__all__ = ("CHECK_MENU_NAME", "check_menu", "message_text")

CHECK_MENU_NAME = "Check this recruiter"
MAX_TEXT = 4000  # the engine's paste check reads at most this much


def check_menu(handlers: Handlers) -> app_commands.ContextMenu:
    """The context-menu command; it calls ``handlers.check_text``."""

    @app_commands.context_menu(name=CHECK_MENU_NAME)
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=True)
    async def check(interaction: discord.Interaction[Any], message: discord.Message) -> None:
        await handlers.check_text(interaction, message_text(message))

    return check


def message_text(message: discord.Message) -> str:
    """The text to check: the content, then each embed's title and description."""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts.extend(part for part in (embed.title, embed.description) if part)
    return "\n".join(part for part in parts if part.strip())[:MAX_TEXT]
