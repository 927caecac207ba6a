"""The App Home: published when the tab opens, and after each of its buttons."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.convert import private_conversation
from adapters.slack.guard import safe_home
from adapters.slack.home import home_view
from adapters.slack.inbox import Finisher, Route, Runner
from adapters.slack.listeners import ListenerBase
from adapters.slack.render import to_home
from adapters.slack.send import Surface
from bot.boundary import Incoming, Reply

__all__ = ("HOME_COMMANDS", "HomeListeners")

HOME_COMMANDS = {
    "rc_home_start": "start",
    "rc_home_contacts": "contacts",
    "rc_home_export": "export",
    "rc_home_forget": "forget",
}


class HomeListeners(ListenerBase):
    """``app_home_opened`` and the Home's buttons (dispatched by the action listener)."""

    async def home_opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        team, user = body.get("team_id"), event["user"]
        event_id = body.get("event_id") or f"home:{team}:{user}:{event.get('event_ts')}"
        incoming = Incoming(conversation=private_conversation(team, user), event_id=event_id)
        await self.save(incoming, {"kind": "home_opened"}, wait_for_late=False)

    def runners(self) -> dict[str, Runner]:
        return {
            **super().runners(),
            "home_opened": self.run_home_opened,
            "home": self.run_home_command,
        }

    def finishers(self) -> dict[str, Finisher]:
        return {**super().finishers(), "home": self.send_home_replies}

    async def run_home_opened(self, incoming: Incoming, route: Route, surface: Surface) -> None:
        ref = incoming.conversation
        await self.publish_home(surface.client, ref.space, ref.user)

    async def publish_home(self, client: AsyncWebClient, team: str | None, user: str) -> None:
        """Publish the person's Home, unless it is what this worker last published to them
        (the read model is read each time; the view is built and sent only when it changed)."""
        info = await self.users.info(client, team, user)
        user_key = private_conversation(team, user).user_key
        home = home_view(await self.coach.home(user_key, info.time_zone))
        if self.homes.unchanged(user_key, home):
            return
        await client.views_publish(user_id=user, view=safe_home(to_home(home)))
        self.homes.published(user_key, home)

    async def run_home_command(self, incoming: Incoming, route: Route, surface: Surface) -> None:
        """A Home button (start, contacts, export, forget): its answers go to the DM, then the
        Home is shown again."""
        command = str(route.get("command") or "start")
        replies = await self._command_replies(surface, command, incoming.event_id)
        await self.send_home_replies(incoming, route, surface, replies)

    async def send_home_replies(
        self, incoming: Incoming, route: Route, surface: Surface, replies: list[Reply]
    ) -> None:
        ref = surface.conversation
        command = str(route.get("command") or "start")
        await self.sender.send(surface, replies)
        if command == "forget":
            await self.users.forget(ref.space, ref.user)
            self.homes.forget(ref.user_key)
        await self.publish_home(surface.client, ref.space, ref.user)
