"""What every Slack listener shares: acknowledge first, run the work in a task after the acks.

Listeners only acknowledge and hand the work to a task (:meth:`ListenerBase.spawn`): the app
runs with ``process_before_response=True``, so Bolt answers Slack the moment a listener returns,
without the 10 ms polling it does for ``ack()`` otherwise, and the engine, the store and every
Web API call happen after the HTTP response, well inside Slack's 3 s.

The listeners themselves are grouped by subject: slash commands (:mod:`adapters.slack.on_command`),
DMs (:mod:`adapters.slack.on_message`), buttons (:mod:`adapters.slack.on_action`), modal
submissions (:mod:`adapters.slack.on_modal`) and the App Home (:mod:`adapters.slack.on_home`);
:class:`adapters.slack.handlers.Handlers` puts them together.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable

from adapters.slack.send import Sender, Surface
from adapters.slack.users import error_code
from bot.app import Coach, Inbox
from bot.boundary import Command, Incoming, Reply

__all__ = ("ACK_GRACE", "MAX_DEFER", "Ack", "ListenerBase", "logged")

log = logging.getLogger(__name__)

ACK_GRACE = 0.02  # seconds without a new request before engine work starts
MAX_DEFER = 0.5  # ... but never later than this after its own ack (a trigger lasts 3 s)

Ack = Callable[..., Awaitable[None]]


class ListenerBase:
    """The state the listeners share: the coach, the sender (and its caches), the inbox."""

    def __init__(
        self,
        *,
        coach: Coach,
        sender: Sender,
        redirect_base: str,
        inbox: Inbox | None = None,
    ) -> None:
        self.coach = coach
        self.sender = sender
        self.inbox = inbox  # events saved here before Slack's 200, and run from here
        self.users = sender.users
        self.redirect_base = redirect_base
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_ack = 0.0

    async def _after_acks(self, what: str, work: Awaitable[object]) -> None:
        """Start ``work`` once no request has been acked for :data:`ACK_GRACE` (or after
        :data:`MAX_DEFER`): acks go first. The aiohttp handlers that send them run in this event
        loop too, and in a burst of commands each ack would otherwise wait behind the engine work
        of the commands before it (measured in docs/slack.md)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_DEFER
        while (wait := min(self._last_ack + ACK_GRACE, deadline) - loop.time()) > 0:
            await asyncio.sleep(wait)
        await logged(what, work)

    def _spawn(self, what: str, work: Awaitable[object]) -> None:
        """Run ``work`` after the listener has returned and Bolt has sent the ack."""
        self._last_ack = asyncio.get_running_loop().time()
        task = asyncio.create_task(self._after_acks(what, work))
        self._tasks.add(task)  # a reference, so the task is not collected half-way
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for the work in flight (on shutdown); the inbox finishes the events in hand
        and leaves the rest waiting in the database for the next worker."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.inbox is not None:
            await self.inbox.stop()

    async def _run(self, surface: Surface, incoming: Incoming) -> None:
        await self.sender.send(surface, await self.coach.handle(incoming))

    async def _command_replies(self, surface: Surface, command: str) -> list[Reply]:
        ref = surface.conversation
        info = await self.users.info(surface.client, ref.space, ref.user)
        return await self.coach.handle(
            Incoming(conversation=ref, command=Command(command), user=info)
        )


async def logged(what: str, work: Awaitable[object]) -> None:
    """Run ``work``; a failure is logged by type and Slack error code, never by content."""
    try:
        await work
    except Exception as exc:
        code = error_code(exc)
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
        log.warning(
            "slack %s failed with %s%s at %s",
            what,
            type(exc).__name__,
            f" ({code})" if code else "",
            where,
        )
