"""Slack's side of the durable inbox (:mod:`bot.dialog.inbox`): what a queued event needs to
run later.

Every payload that asks for work is saved to the inbox before Slack gets its 200 (see
:mod:`adapters.slack.listeners`): DMs, slash commands, buttons, shortcuts, modal submissions and
App Home openings. Its route names the workspace and where the answer goes (a DM channel, a
``response_url``, a trigger for a modal) and, for events that are more than one engine turn
(``kind``: a slash command, a form button, a referral card click...), which listener's runner
takes it. A DM, an answer button and the *Check this recruiter* shortcut are one turn each: the
person's name and time zone are looked up when the event runs (:meth:`SlackInbox.prepare`),
and the replies go out through the app's :class:`~adapters.slack.send.Sender` with the
workspace's client (OAuth: that installation's token).

A runner's engine turn is durable like a DM's (``Coach.handle(..., durable=True)``, with the
inbox event's id): a busy database is waited out, and the replies are saved in the event's row
with the turn. A worker that dies after that but before sending leaves them there; the worker
that takes the conversation over hands them to :meth:`SlackInbox.deliver`, which sends them the
kind's way (its ``finishers``: a command's answer in the app's DM, a referral click's edited
card and notices...), the way the runner would have.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from adapters.slack.answered import mark_answered
from adapters.slack.send import Sender, Surface
from bot.boundary import Incoming, Reply

__all__ = ("INBOX_CONCURRENCY", "Finisher", "Route", "Runner", "SlackInbox")

# Conversations one worker runs at once. A turn holds a pooled connection for a few ms at a
# time; SQLAlchemy's PostgreSQL pool has 5 connections plus 10 on overflow, so 8 leaves room
# for the acknowledgements (one insert each) and the scheduler.
INBOX_CONCURRENCY = 8

Route = dict[str, Any]
Runner = Callable[[Incoming, Route, Surface], Awaitable[None]]
# Sends a kind's replies (after its runner's turn, or saved with the turn by a dead worker).
Finisher = Callable[[Incoming, Route, Surface, list[Reply]], Awaitable[None]]


class SlackInbox:
    """The :class:`bot.dialog.inbox.InboxAdapter` (and ``RunsEvents``) for Slack.

    ``runners`` maps a route's ``kind`` to the listener's code that runs it, and ``finishers``
    to the code that sends its turn's replies (both filled in by
    :func:`adapters.slack.app.build_slack_app`); an event with no kind is one engine turn, and a
    kind with no finisher has its replies sent where its route says.
    """

    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self.runners: dict[str, Runner] = {}
        self.finishers: dict[str, Finisher] = {}

    async def surface(self, incoming: Incoming, route: Route) -> Surface:
        ref = incoming.conversation
        return Surface(
            client=await self.sender.clients.for_team(ref.space),
            conversation=ref,
            channel=route.get("channel"),
            response_url=route.get("response_url"),
            trigger_id=route.get("trigger_id"),
            continue_url=route.get("continue_url"),
        )

    async def run_event(self, incoming: Incoming, route: Route) -> bool:
        runner = self.runners.get(str(route.get("kind") or ""))
        if runner is None:
            return False
        await runner(incoming, route, await self.surface(incoming, route))
        return True

    async def prepare(self, incoming: Incoming, route: Route) -> Incoming:
        ref = incoming.conversation
        client = await self.sender.clients.for_team(ref.space)
        info = await self.sender.users.info(client, ref.space, ref.user)
        return replace(incoming, user=info)

    async def deliver(self, incoming: Incoming, route: Route, replies: list[Reply]) -> None:
        surface = await self.surface(incoming, route)
        finisher = self.finishers.get(str(route.get("kind") or ""))
        if finisher is not None:  # a runner's kind: its replies, saved by a dead worker
            await finisher(incoming, route, surface, replies)
            return
        await self.sender.send(surface, replies)
        answered = route.get("answered")
        if answered:  # the pressed button's message: its buttons give way to the answer
            await mark_answered(surface.client, answered)
