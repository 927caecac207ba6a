"""DMs with the app: saved in the durable inbox before Slack's 200 (or, with no inbox, run in a
task after the ack)."""

from __future__ import annotations

from typing import Any, cast

from adapters.slack.convert import MessageEvent, delivery_keys, message_to_incoming
from adapters.slack.listeners import ListenerBase
from adapters.slack.send import Surface
from bot.app import decimal_stamp
from bot.boundary import UserInfo

__all__ = ("MessageListeners",)


class MessageListeners(ListenerBase):
    """The ``message`` event listener (DMs only)."""

    async def message(self, event: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        if event.get("channel_type") != "im":
            return
        message = cast(MessageEvent, event)
        team = body.get("team_id")
        user = message.get("user")
        if user is None or message.get("subtype") or message.get("bot_id"):
            return
        keys = delivery_keys(body)  # the message's own key first: a re-delivery under a new
        if self.inbox is not None and keys:  # event_id is turned away by the inbox too
            await self._enqueue(message, team, keys[0])
            return
        self._spawn("message", self._message(message, body, client, team, user))

    async def _enqueue(self, message: MessageEvent, team: str | None, event_id: str) -> None:
        """Save the DM in the inbox; Bolt acknowledges when this returns, so a DM that got its
        200 is in the database. The person's details are looked up when it runs."""
        assert self.inbox is not None
        incoming = message_to_incoming(message, team=team, event_id=event_id, user=UserInfo())
        if incoming is None:
            return
        route = {"channel": message["channel"]}
        await self.inbox.enqueue(incoming, stamp=decimal_stamp(message["ts"]), route=route)

    async def _message(
        self, message: MessageEvent, body: dict[str, Any], client: Any, team: str | None, user: str
    ) -> None:
        info = await self.users.info(client, team, user)
        keys = delivery_keys(body)  # the message's own key first (see delivery_keys)
        incoming = message_to_incoming(
            message, team=team, event_id=keys[0] if keys else None, user=info
        )
        if incoming is None:
            return
        surface = Surface(
            client=client, conversation=incoming.conversation, channel=message["channel"]
        )
        await self._run(surface, incoming)
