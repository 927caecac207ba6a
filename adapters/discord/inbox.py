"""Discord's side of the durable inbox (:mod:`bot.dialog.inbox`): DMs are saved first, then run
one at a time per conversation, in the order of their snowflake ids.

The gateway hands this process each DM once (there is no retry to wait for), so the inbox is
what keeps a DM the process took in but had not answered when it died: the next start takes it
over. Notes computed when the DM came in (such as "your DMs were closed") travel with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.delivery import ChannelTarget, Sender, is_dm_closed
from bot.boundary import Incoming, Reply

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from adapters.discord.users import DiscordUsers

__all__ = ("INBOX_CONCURRENCY", "DiscordInbox")

INBOX_CONCURRENCY = 8  # conversations run at once, under the connection pool's size


class DiscordInbox:
    """The :class:`bot.dialog.inbox.InboxAdapter` for Discord DMs."""

    def __init__(
        self,
        client: discord.Client,
        sender: Sender,
        users: DiscordUsers,
        route_replies: Callable[[Any, list[Reply]], Awaitable[list[Reply]]],
    ) -> None:
        self.client = client
        self.sender = sender
        self.users = users
        self.route_replies = route_replies  # referral cards to their channel (the handlers')

    async def prepare(self, incoming: Incoming, route: dict[str, Any]) -> Incoming:
        return incoming  # the author's details came with the gateway event

    async def deliver(
        self, incoming: Incoming, route: dict[str, Any], replies: list[Reply]
    ) -> None:
        notes = [Reply(str(text)) for text in route.get("notes") or ()]
        ref = incoming.conversation
        replies = await self.route_replies(ref, [*notes, *replies])
        if not replies:
            return
        channel = self.client.get_partial_messageable(
            int(ref.channel), type=discord.ChannelType.private
        )
        try:
            await self.sender.send(ChannelTarget(channel), replies, user_id=int(ref.user))
        except discord.Forbidden as exc:
            if not is_dm_closed(exc):
                raise
            await self.users.dm_failed(ref.user)
