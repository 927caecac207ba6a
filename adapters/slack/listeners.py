"""What every Slack listener shares: save the event in the durable inbox, then acknowledge.

A listener converts the payload to an :class:`~bot.boundary.Incoming` and a route (where the
answer goes, see :mod:`adapters.slack.inbox`), writes it to the inbox (:meth:`ListenerBase.save`,
one database write, unique by an id taken from the payload) and only then acknowledges: a 200
from this app means "saved", whatever a worker does next. The work runs from the inbox, one
event at a time per conversation in Slack's order, on whichever worker holds the conversation;
that is the app's one way of deferring work past the acknowledgement. The app runs with
``process_before_response=True``, so Bolt answers Slack the moment a listener returns.

The listeners themselves are grouped by subject: slash commands (:mod:`adapters.slack.on_command`),
DMs (:mod:`adapters.slack.on_message`), buttons (:mod:`adapters.slack.on_action`), modal
submissions (:mod:`adapters.slack.on_modal`) and the App Home (:mod:`adapters.slack.on_home`);
:class:`adapters.slack.handlers.Handlers` puts them together.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from adapters.slack.home import PublishedHomes
from adapters.slack.inbox import Finisher, Route, Runner
from adapters.slack.send import Sender, Surface
from bot.app import Coach, Inbox, decimal_stamp
from bot.boundary import Command, Incoming, Reply

__all__ = ("Ack", "ListenerBase", "now_stamp")

Ack = Callable[..., Awaitable[None]]


def now_stamp() -> str:
    """Slack's ``ts`` shape for an event Slack did not stamp (a slash command, a submission)."""
    return f"{time.time():.6f}"


class ListenerBase:
    """The state the listeners share: the coach, the sender (and its caches), the inbox."""

    def __init__(
        self,
        *,
        coach: Coach,
        sender: Sender,
        redirect_base: str,
        inbox: Inbox,
    ) -> None:
        self.coach = coach
        self.sender = sender
        self.inbox = inbox  # events are saved here before Slack's 200, and run from here
        self.users = sender.users
        self.redirect_base = redirect_base
        self.homes = PublishedHomes()  # what each person's App Home shows, as published here
        # Modal submissions waiting, before their ack, for their turn's replies (by event id).
        self._waiting: dict[str, asyncio.Future[list[Reply]]] = {}

    async def save(
        self,
        incoming: Incoming,
        route: Route,
        *,
        stamp: str | None = None,
        wait_for_late: bool = True,
    ) -> bool:
        """Write the event to the inbox (call before ``ack()``); False for one already there.
        ``stamp`` is Slack's ``ts`` for the event (default: now)."""
        ts = stamp or now_stamp()
        return await self.inbox.enqueue(
            incoming, stamp=decimal_stamp(ts), route=route, wait_for_late=wait_for_late
        )

    async def drain(self) -> None:
        """On shutdown: the inbox finishes the events in hand and leaves the rest waiting in
        the database for the next worker; then the worker's Web API session is closed."""
        await self.inbox.stop()
        await self.sender.clients.close()

    def runners(self) -> dict[str, Runner]:
        """The inbox runners (route ``kind`` -> coroutine function); each subject adds its own."""
        return {}

    def finishers(self) -> dict[str, Finisher]:
        """How each kind's replies are sent, by its runner or, with the replies saved with its
        turn, by a worker that took the event over (see :mod:`adapters.slack.inbox`)."""
        return {}

    async def _run(self, surface: Surface, incoming: Incoming) -> None:
        await self.sender.send(surface, await self.coach.handle(incoming, durable=True))

    async def _command_replies(
        self, surface: Surface, command: str, event_id: str | None = None
    ) -> list[Reply]:
        """A command's turn, durable (run from the inbox); with ``event_id`` (the inbox
        event's) its replies are saved with it."""
        ref = surface.conversation
        info = await self.users.info(surface.client, ref.space, ref.user)
        return await self.coach.handle(
            Incoming(conversation=ref, command=Command(command), event_id=event_id, user=info),
            durable=True,
        )
