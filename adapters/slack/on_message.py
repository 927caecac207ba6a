"""DMs with the app: saved in the durable inbox before Slack's 200, then run from there."""

from __future__ import annotations

from typing import Any, cast

from adapters.slack.convert import MessageEvent, delivery_keys, message_to_incoming
from adapters.slack.listeners import ListenerBase
from bot.boundary import UserInfo

__all__ = ("MessageListeners",)


class MessageListeners(ListenerBase):
    """The ``message`` event listener (DMs only)."""

    async def message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        """Save the DM in the inbox; Bolt acknowledges when this returns, so a DM that got its
        200 is in the database. The person's details are looked up when it runs."""
        if event.get("channel_type") != "im":
            return
        message = cast(MessageEvent, event)
        if message.get("user") is None or message.get("subtype") or message.get("bot_id"):
            return
        keys = delivery_keys(body)  # the message's own key first: a re-delivery under a new
        if not keys:  # event_id is turned away by the inbox too
            return
        team = body.get("team_id")
        incoming = message_to_incoming(message, team=team, event_id=keys[0], user=UserInfo())
        if incoming is None:
            return
        await self.save(incoming, {"channel": message["channel"]}, stamp=message["ts"])
