"""Referral cards in a server's referral channel: posting, clicks, the sharer's hand-off.

The core decides everything (``Coach.handle``, :mod:`bot.coaching.referral_events`); this module
only carries the replies to the right place on Discord:

- a :class:`~bot.boundary.Reply` with ``destination="referral_channel"`` (the card, after the
  sharer saw a preview and said yes) is posted to the channel its ``to`` names, then the core is
  told the message id (a ``referral-posted`` command event);
- a click on a card (a ``ref:<id>:<action>`` token) is an event: the reply with ``replaces`` is
  the card message edited in place (new counts, no buttons once closed), the plain one the
  clicker's private acknowledgement, the one with ``to`` the sharer's DM naming who answered;
- ``/recruiter-admin referral-channel`` is a ``referral-channel`` command event.

"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import discord
from discord import app_commands

from adapters.discord.convert import event_id
from adapters.discord.delivery import ChannelTarget, FollowupTarget, Sender, is_dm_closed
from adapters.discord.inbox import interaction_route
from adapters.discord.render import render_replies
from adapters.discord.users import DiscordUsers
from bot.app import (
    REFERRAL_CHANNEL_COMMAND,
    REFERRAL_POSTED,
    REFERRAL_TOKEN_PREFIX,
    Inbox,
    integer_stamp,
)
from bot.boundary import Command, ConversationRef, Incoming, Reply, UserInfo

__all__ = ("REFERRAL_PREFIX", "ReferralDesk", "referral_id")

log = logging.getLogger(__name__)

REFERRAL_PREFIX = REFERRAL_TOKEN_PREFIX  # tokens of card buttons
NO_SERVER = (
    "Sharing posts in a server's referral channel, so I need to know which server: run "
    "**/recruiter** in that server first, then share from there."
)
NO_CHANNEL = (
    "This server has no referral channel yet, so nothing was posted. Ask someone with the "
    "Manage Server permission to run **/recruiter-admin referral-channel**."
)
CANNOT_POST = (
    "I couldn't post in the referral channel: I may lack the View Channel, Send Messages or "
    "Embed Links permission there. Nothing was posted; ask a server admin to check."
)
CHANNEL_SET = (
    "Referral cards will be posted in <#{channel}>. I need View Channel, Send Messages and "
    "Embed Links there."
)
Interaction = discord.Interaction[Any]
Handle = Callable[[Incoming], Awaitable[list[Reply]]]


def referral_id(reply: Reply) -> int | None:
    """The referral a card shows, from its key ``referral:<id>``."""
    key = reply.card.key if reply.card is not None else None
    kind, _, number = (key or "").partition(":")
    return int(number) if kind == "referral" and number.isdigit() else None


class ReferralDesk:
    """Carries referral events to the core and their replies to Discord."""

    def __init__(
        self, handle: Handle, *, client: discord.Client, sender: Sender, users: DiscordUsers
    ) -> None:
        self.handle = handle  # Coach.handle
        self.inbox: Inbox | None = None  # set by the client: clicks then go through the inbox
        self.client = client
        self.sender = sender
        self.users = users

    async def post_channel_replies(
        self, conversation: ConversationRef, replies: list[Reply]
    ) -> list[Reply]:
        """Post the replies meant for the referral channel; return the others (and a note for
        each card that could not be posted)."""
        kept: list[Reply] = []
        for reply in replies:
            if reply.destination != "referral_channel":
                kept.append(reply)
                continue
            problem = await self._post(conversation, reply)
            if problem is not None:
                kept.append(Reply(problem))
        return kept

    async def _post(self, conversation: ConversationRef, reply: Reply) -> str | None:
        if conversation.space is None:
            return NO_SERVER
        if reply.to is None:  # the core found no referral channel for the server
            return NO_CHANNEL
        channel_id = reply.to.channel
        channel = self.client.get_partial_messageable(
            int(channel_id), guild_id=int(conversation.space)
        )
        try:
            sent = await self.sender.send(
                ChannelTarget(channel), [reply], user_id=int(conversation.user)
            )
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning(
                "posting a referral card failed with HTTP %s (code %s)", exc.status, exc.code
            )
            return CANNOT_POST
        number = referral_id(reply)
        if number is not None and sent:
            posted = Command(REFERRAL_POSTED, f"{number} {channel_id} {sent[-1].id}")
            await self.handle(Incoming(conversation=conversation, command=posted))
        return None

    async def pressed(self, interaction: Interaction, token: str) -> None:
        """A click on a card: edit it, thank the clicker privately, tell the sharer. Deferred
        first; then saved in the inbox (when there is one) under the interaction's id, so the
        click counts once even if Discord hands it to the bot twice."""
        await interaction.response.defer()  # an update of the card message follows
        guild = interaction.guild_id
        responder = ConversationRef(
            platform="discord",
            channel=str(interaction.channel_id or 0),
            user=str(interaction.user.id),
            space=str(guild) if guild is not None else None,
        )
        click = Incoming(
            conversation=responder,
            choice_token=token,
            user=UserInfo(display_name=interaction.user.display_name),
            event_id=event_id(interaction.id),
            received_at=interaction.created_at,
        )
        if self.inbox is not None:
            route = interaction_route(interaction, kind="referral")
            await self.inbox.enqueue(click, stamp=integer_stamp(interaction.id), route=route)
            return
        replies = await self.handle(click)
        await self.answer_click(interaction.followup, interaction.user.id, replies)

    async def answer_click(
        self, followup: discord.Webhook, clicker: int, replies: list[Reply]
    ) -> None:
        """Carry a click's replies: the card edited in place, the clicker's private thanks,
        the sharer's notice."""
        target = FollowupTarget(followup, ephemeral=True)
        for reply in replies:
            if reply.replaces is not None:
                await self._edit_card(followup, reply)
            elif reply.to is not None:
                await self._tell_sharer(reply.to, replace(reply, to=None))
            else:
                await self.sender.send(target, [reply], user_id=clicker)

    async def _edit_card(self, followup: discord.Webhook, card: Reply) -> None:
        message = render_replies([card])[0]
        # The clicked message is the interaction's "@original" (after a deferred update). A
        # closed card has no buttons: view=None removes the old ones.
        original: Any = "@original"
        await followup.edit_message(
            original, content=message.content, embeds=list(message.embeds), view=message.view
        )

    async def _tell_sharer(self, sharer: ConversationRef, notice: Reply) -> None:
        channel = self.client.get_partial_messageable(
            int(sharer.channel), type=discord.ChannelType.private
        )
        try:
            await self.sender.send(ChannelTarget(channel), [notice], user_id=int(sharer.user))
        except discord.Forbidden as exc:
            if not is_dm_closed(exc):
                raise
            await self.users.dm_failed(sharer.user)

    async def set_channel(
        self, interaction: Interaction, channel: app_commands.AppCommandChannel
    ) -> None:
        """``/recruiter-admin referral-channel``: the caller's permission was checked."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        where = ConversationRef(
            "discord",
            str(interaction.channel_id or 0),
            str(interaction.user.id),
            space=str(interaction.guild_id),
        )
        setting = Command(REFERRAL_CHANNEL_COMMAND, str(channel.id))
        failed = await self.handle(Incoming(conversation=where, command=setting))
        if failed:  # an apology: the setting was not saved
            await self.sender.send(
                FollowupTarget(interaction, ephemeral=True), failed, user_id=interaction.user.id
            )
            return
        await interaction.followup.send(CHANNEL_SET.format(channel=channel.id), ephemeral=True)
