"""``/recruiter``: the slash command, from any channel or DM, answered only to the person.

Admin settings (``/recruiter admin referral-channel #jobs``) are checked against Slack's idea of
an admin here; the setting itself is an event for the core.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.convert import AdminRequest, CommandPayload, private_conversation, to_command
from adapters.slack.inbox import Finisher, Route, Runner
from adapters.slack.listeners import Ack, ListenerBase
from adapters.slack.send import Surface
from bot.app import REFERRAL_CHANNEL_COMMAND
from bot.boundary import Command, Incoming, Reply

__all__ = ("CommandListeners",)

NOT_ADMIN = "Only workspace admins and owners can change where referral cards are posted."
ADMIN_USAGE = (
    "To pick the referral channel: `/recruiter admin referral-channel #channel` "
    "(choose the channel from the list so Slack links it)."
)
ADMIN_DONE = "Done: referral cards will be posted in that channel. If it is private, invite me."
NO_BOARD = "Referral cards belong to a workspace: run this in one."


class CommandListeners(ListenerBase):
    """The ``/recruiter`` listener."""

    async def command(self, ack: Ack, body: dict[str, Any], client: AsyncWebClient) -> None:
        payload = cast(CommandPayload, body)
        ref = private_conversation(payload["team_id"], payload["user_id"])
        # The trigger id is unique per command: a re-sent request is turned away by the inbox.
        incoming = Incoming(conversation=ref, event_id=f"cmd:{payload['trigger_id']}")
        route = {
            "kind": "command",
            "text": payload.get("text", ""),
            "channel_id": payload["channel_id"],
            "response_url": payload["response_url"],
            "trigger_id": payload["trigger_id"],
            "continue_url": self._continue_url(payload),
        }
        await self.save(incoming, route)
        await ack()

    def runners(self) -> dict[str, Runner]:
        return {**super().runners(), "command": self.run_command}

    def finishers(self) -> dict[str, Finisher]:
        return {**super().finishers(), "command": self.send_command_replies}

    def _knows_topic(self, word: str) -> bool:
        return self.coach.knows_topic(word)

    def _continue_url(self, payload: CommandPayload) -> str | None:
        app = payload.get("api_app_id")
        if not app:
            return None
        return f"{self.redirect_base}?app={app}&team={payload['team_id']}"

    async def run_command(self, incoming: Incoming, route: Route, surface: Surface) -> None:
        """From the inbox: who asked (an admin?), the engine's turn (its replies saved with
        it, under the inbox event's id), then the answer where it belongs."""
        ref = surface.conversation
        request = to_command(str(route.get("text") or ""), knows_topic=self._knows_topic)
        person = await self.users.person(surface.client, ref.space, ref.user)
        if isinstance(request, AdminRequest):
            surface = await self._answer_surface(surface, route)
            await self._admin(surface, request, is_admin=person.is_admin)
            return
        turn = replace(incoming, command=request, user=person.info)
        replies = await self.coach.handle(turn, durable=True)
        await self.send_command_replies(incoming, route, surface, replies)

    async def send_command_replies(
        self, incoming: Incoming, route: Route, surface: Surface, replies: list[Reply]
    ) -> None:
        """A command turn's replies: privately where it was typed, or in the app's DM."""
        await self.sender.send(await self._answer_surface(surface, route), replies)

    async def _answer_surface(self, surface: Surface, route: Route) -> Surface:
        channel = str(route.get("channel_id") or "")
        if await self._in_own_dm(surface, channel):
            # typed in the app's DM: normal messages there, not ephemeral ones that vanish
            return replace(surface, response_url=None, channel=channel, continue_url=None)
        return surface

    async def _in_own_dm(self, surface: Surface, channel: str) -> bool:
        """Whether a slash command came from the app's own DM with the person."""
        if not channel.startswith("D"):  # DM ids start with D; skip the look-up elsewhere
            return False
        ref = surface.conversation
        return channel == await self.users.dm_channel(surface.client, ref.space, ref.user)

    async def _admin(self, surface: Surface, request: AdminRequest, *, is_admin: bool) -> None:
        """The admin check is Slack's knowledge; the setting itself is an event for the core."""
        team = surface.conversation.space
        if team is None:
            text = NO_BOARD
        elif not is_admin:
            text = NOT_ADMIN
        elif request.setting != "referral-channel" or request.channel is None:
            text = ADMIN_USAGE
        else:
            setting = Command(REFERRAL_CHANNEL_COMMAND, request.channel)
            # No event id: the setting is the same when run again, and so is ADMIN_DONE.
            replies = await self.coach.handle(
                Incoming(conversation=surface.conversation, command=setting), durable=True
            )
            for reply in replies:  # only when it failed (an apology)
                await self.sender.to_person(surface, reply)
            if replies:
                return
            text = ADMIN_DONE
        await self.sender.to_person(surface, Reply(text))
