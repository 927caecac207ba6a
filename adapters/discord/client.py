"""The Discord client: a plain ``discord.Client`` with a ``CommandTree``, wired to the coach.

- Intents: :data:`INTENTS`, only what the handlers use. ``guilds`` keeps discord.py's view of
  servers and channels (interactions in servers, the referral channel); ``dm_messages`` brings
  the DMs typed to the bot (``on_message``). Slash commands, buttons and modals arrive as
  interactions, which need no intent. Nothing else: no server messages, typing, reactions,
  members or presences, and no privileged intent (Discord sends the text of DMs to the bot
  without message content).
- ``AllowedMentions.none()`` on the client: discord.py merges it into every send, interaction
  response and follow-up, so nothing the bot posts can ping anyone (PLATFORMS.md 2.9).
- ``setup_hook`` registers the persistent buttons (:mod:`adapters.discord.components`), binds
  the reminder delivery, and syncs the commands when they changed.
- Events: ``on_message`` (DMs), ``on_interaction`` (modal submissions: handled here rather than
  by discord.py's modal store, which forgets a modal opened before a restart); commands and
  buttons are dispatched by the tree and the dynamic items.

A plain ``Client`` (no sharding) is right up to about 1000 servers. Past that,
:class:`ShardedCoachClient` (``discord.AutoShardedClient``) runs some or all of the shards in
this process (``--shards N --shard-ids a,b``), and several processes share one database:

- each event reaches one process, the one running its shard (a server's events go to shard
  ``(guild_id >> 22) % N``, every DM to shard 0); it is saved in the durable inbox there and
  acknowledged, and any process's inbox may then run it (every answer goes out over REST, with
  the interaction's token or to the DM channel, which needs no gateway connection);
- reminders are claimed per job by whichever process's scheduler polls first and sent at most
  once (:class:`bot.dialog.scheduler.Scheduler`); a referral-card click counts once per person
  whatever process runs it (the store keeps one response per person and card);
- the slash commands are synced by the process that runs shard 0 only.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord.commands import add_commands, sync_commands
from adapters.discord.components import ButtonHandler, dynamic_items
from adapters.discord.delivery import DiscordDelivery, FormCache, Sender
from adapters.discord.handlers import Handlers
from adapters.discord.inbox import INBOX_CONCURRENCY, DiscordInbox
from adapters.discord.referral_desk import ReferralDesk
from adapters.discord.users import DiscordUsers

if TYPE_CHECKING:
    from bot.app import Coach
    from bot.config import Settings, Shards

__all__ = ("INTENTS", "CoachClient", "ShardedCoachClient", "build_discord_client")

log = logging.getLogger(__name__)

INTENTS = discord.Intents(guilds=True, dm_messages=True)


class CoachClient(discord.Client):
    """The bot. Build it with :func:`build_discord_client`."""

    def __init__(
        self,
        coach: Coach,
        *,
        delivery: DiscordDelivery | None = None,
        force_sync: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(
            intents=INTENTS,
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.coach = coach
        self.tree: app_commands.CommandTree[CoachClient] = app_commands.CommandTree(self)
        self.sender = Sender(FormCache())
        self.user_settings = DiscordUsers(coach)
        self.handlers = Handlers(
            coach=coach,
            client=self,
            sender=self.sender,
            users=self.user_settings,
            desk=self._referral_desk(),
        )
        add_commands(self.tree, self.handlers)
        self.inbox = self.handlers.inbox = coach.open_inbox(
            DiscordInbox(self, self.sender, self.user_settings, self.handlers),
            platforms=("discord",),
            concurrency=INBOX_CONCURRENCY,
        )
        if self.handlers.desk is not None:
            self.handlers.desk.inbox = self.inbox
        self.delivery = delivery
        self.force_sync = force_sync
        self.syncs_commands = True  # one process of a sharded bot syncs: the one with shard 0
        self.synced: bool | None = None  # None: not tried (yet), or the sync failed

    def _referral_desk(self) -> ReferralDesk:
        return ReferralDesk(
            self.coach.handle, client=self, sender=self.sender, users=self.user_settings
        )

    @property
    def buttons(self) -> ButtonHandler:
        """Where the persistent buttons send their presses."""
        return self.handlers

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*dynamic_items())
        self.inbox.start()  # events a previous run took in but did not answer go first
        if self.delivery is not None:
            self.delivery.bind(self, self.sender, self.user_settings)
        if not self.syncs_commands:
            return
        try:
            self.synced = await sync_commands(self.tree, self.coach, force=self.force_sync)
        except (discord.HTTPException, app_commands.MissingApplicationID) as exc:
            # DMs and buttons still work; the commands Discord already has stay as they were.
            log.error("syncing the application commands failed with %s", type(exc).__name__)

    async def close(self) -> None:
        """Finish the DMs in hand (the rest wait in the inbox for the next start), then close."""
        await self.inbox.stop()
        await super().close()

    async def on_message(self, message: discord.Message) -> None:
        await self.handlers.dm_message(message)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await self.handlers.modal_submitted(interaction)


class ShardedCoachClient(CoachClient, discord.AutoShardedClient):
    """The bot running some or all of a sharded bot's shards (see the module docstring)."""

    def __init__(
        self,
        coach: Coach,
        *,
        shards: Shards,
        delivery: DiscordDelivery | None = None,
        force_sync: bool = False,
        **options: Any,
    ) -> None:
        ids = list(shards.ids) if shards.ids is not None else None
        super().__init__(
            coach,
            delivery=delivery,
            force_sync=force_sync,
            shard_count=shards.count,
            shard_ids=ids,
            **options,
        )
        self.syncs_commands = shards.runs_shard_zero


def build_discord_client(
    coach: Coach,
    settings: Settings,
    *,
    delivery: DiscordDelivery | None = None,
    force_sync: bool = False,
    shards: Shards | None = None,
    **options: Any,
) -> CoachClient:
    """The bot for ``coach``; ``delivery`` (given to ``open_coach`` too) sends its reminders.

    ``shards`` (else ``settings.discord_shards``) makes it a :class:`ShardedCoachClient`
    running those shards. The token is passed to ``client.start`` by the caller. ``options``
    go to ``discord.Client`` (tests shorten ``guild_ready_timeout``, for one).
    """
    shards = shards or settings.discord_shards
    if shards is None:
        return CoachClient(coach, delivery=delivery, force_sync=force_sync, **options)
    return ShardedCoachClient(
        coach, shards=shards, delivery=delivery, force_sync=force_sync, **options
    )
