"""Slack's side of the durable inbox (:mod:`bot.dialog.inbox`): what a queued event needs to
run later.

A DM is saved to the inbox before Slack gets its 200 (see :meth:`Handlers.message`), with a
route naming the workspace and the DM channel; the person's name and time zone are looked up
when the event runs (:meth:`SlackInbox.prepare`), so the acknowledgement waits for one database
write only. Replies go out through the app's :class:`~adapters.slack.send.Sender`, with the
workspace's client (OAuth: that installation's token).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adapters.slack.send import Sender, Surface
from bot.boundary import Incoming, Reply

__all__ = ("INBOX_CONCURRENCY", "SlackInbox")

# Conversations one worker runs at once. A turn holds a pooled connection for a few ms at a
# time; SQLAlchemy's PostgreSQL pool has 5 connections plus 10 on overflow, so 8 leaves room
# for the acknowledgements (one insert each) and the scheduler.
INBOX_CONCURRENCY = 8


class SlackInbox:
    """The :class:`bot.dialog.inbox.InboxAdapter` for Slack."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    async def prepare(self, incoming: Incoming, route: dict[str, Any]) -> Incoming:
        ref = incoming.conversation
        client = await self.sender.clients.for_team(ref.space)
        info = await self.sender.users.info(client, ref.space, ref.user)
        return replace(incoming, user=info)

    async def deliver(
        self, incoming: Incoming, route: dict[str, Any], replies: list[Reply]
    ) -> None:
        ref = incoming.conversation
        surface = Surface(
            client=await self.sender.clients.for_team(ref.space),
            conversation=ref,
            channel=route.get("channel"),
            response_url=route.get("response_url"),
            trigger_id=route.get("trigger_id"),
        )
        await self.sender.send(surface, replies)
