"""The application commands, and syncing them to Discord only when they changed.

- ``/recruiter [topic] [question]``: global; usable in servers, in DMs with the bot and in group
  DMs, installable by servers and by users (``allowed_contexts`` / ``allowed_installs``).
- "Check this recruiter": a message context-menu command with the same contexts and installs
  (:mod:`adapters.discord.check_menu`).
- ``/recruiter-admin referral-channel <channel>``: servers only, and hidden from members
  without Manage Server (``default_permissions``; the handler checks again, because a server
  can change who sees a command). Discord does not let a command that has subcommands be run
  itself, so the admin command cannot be a subcommand of ``/recruiter``.

Discord allows 200 command creations a day per server, and a sync replaces every command, so
the bot does not sync at each start: it keeps a digest of the command payload in the store (the
settings of a record keyed ``discord:app:<application id>``) and syncs when the digest differs,
or when ``recruiter-coach discord --sync`` forces it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord.check_menu import check_menu

if TYPE_CHECKING:
    from adapters.discord.handlers import Handlers
    from bot.app import Coach

__all__ = ("TextChannelOption", "add_commands", "command_digest", "sync_commands")

log = logging.getLogger(__name__)

_DIGEST_KEY = "command_digest"
Interaction = discord.Interaction[Any]


def add_commands(tree: app_commands.CommandTree[Any], handlers: Handlers) -> None:
    """Add ``/recruiter``, ``/recruiter-admin`` and "Check this recruiter" to ``tree``."""
    tree.add_command(_recruiter(handlers))
    tree.add_command(_admin(handlers))
    tree.add_command(check_menu(handlers))


def _recruiter(handlers: Handlers) -> app_commands.Command[Any, Any, None]:
    @app_commands.command(name="recruiter", description="Coaching for when a recruiter calls you")
    @app_commands.describe(
        topic="What it is about (pick one from the list)",
        question="Your question, in your own words",
    )
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
    @app_commands.allowed_installs(guilds=True, users=True)
    async def recruiter(
        interaction: Interaction,
        topic: app_commands.Range[str, 1, 100] | None = None,
        question: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        await handlers.recruiter(interaction, topic, question)

    @recruiter.autocomplete("topic")
    async def topic_autocomplete(
        interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return handlers.topic_choices(current)

    return recruiter


def _admin(handlers: Handlers) -> app_commands.Group:
    admin = app_commands.Group(
        name="recruiter-admin",
        description="Set up Recruiter Coach in this server",
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @admin.command(
        name="referral-channel", description="Choose the channel where referral cards are posted"
    )
    @app_commands.describe(channel="A text channel the bot can post in")
    async def referral_channel(
        interaction: Interaction,
        channel: app_commands.Transform[app_commands.AppCommandChannel, TextChannelOption],
    ) -> None:
        await handlers.set_referral_channel(interaction, channel)

    return admin


class TextChannelOption(app_commands.Transformer[Any]):
    """A text or announcement channel option, taken as Discord resolved it.

    ``discord.TextChannel`` as the annotation would need the channel in discord.py's cache (and
    fail when it is not); the resolved channel in the payload has all the handler needs.
    """

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.text, discord.ChannelType.news]

    async def transform(self, interaction: Interaction, value: Any, /) -> Any:
        return value


def command_digest(tree: app_commands.CommandTree[Any]) -> str:
    """A digest of exactly what a sync would send."""
    payload = sorted(
        (command.to_dict(tree) for command in tree.get_commands()), key=lambda c: str(c["name"])
    )
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_commands(
    tree: app_commands.CommandTree[Any], coach: Coach, *, force: bool = False
) -> bool:
    """Sync the global commands when they changed since the last sync (or ``force``).

    Returns whether a sync happened. Raises what ``tree.sync`` raises.
    """
    application_id = tree.client.application_id
    if application_id is None:
        raise discord.app_commands.MissingApplicationID
    key = f"discord:app:{application_id}"
    digest = command_digest(tree)
    settings = await coach.user_settings(key)
    if not force and settings.get(_DIGEST_KEY) == digest:
        log.info("application commands unchanged; not synced")
        return False
    await tree.sync()
    settings[_DIGEST_KEY] = digest
    await coach.save_user_settings(key, settings)
    log.info("application commands synced")
    return True
