"""Modal submissions: a form's answers, whose validation errors travel in the ack.

The submission is saved in the inbox like every event, then its listener waits, before
acknowledging, for the inbox to run it: errors go back in the ack (the modal stays open with
them under their fields); otherwise the modal closes and the answer follows as a message. The
wait is bounded by :data:`SUBMIT_BUDGET` (a busy conversation, or a rate-limited ``users.info``,
can take longer than Slack's 3 s): past it the modal closes, and the turn, when the inbox runs
it, answers as a message (the errors too, with the button that reopens the form). A worker that
dies after saving the submission leaves it to the next worker, like a DM; one that dies after
the turn was saved leaves its replies, which the next worker sends as messages.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from adapters.slack.convert import form_values, private_conversation
from adapters.slack.inbox import Route, Runner
from adapters.slack.listeners import Ack, ListenerBase
from adapters.slack.send import Surface, load_metadata
from bot.boundary import Incoming, Reply

__all__ = ("SUBMIT_BUDGET", "ModalListeners")

SUBMIT_BUDGET = 2.0  # seconds of a modal submission's 3 s spent waiting for the engine


class ModalListeners(ListenerBase):
    """The ``view_submission`` listener for forms."""

    async def submission(self, ack: Ack, body: dict[str, Any]) -> None:
        view = body["view"]
        meta = load_metadata(view.get("private_metadata", ""))
        team = (body.get("team") or {}).get("id") or body["user"].get("team_id")
        ref = private_conversation(team, body["user"]["id"], meta.get("th"))
        # A submission's trigger id is its own (a re-submission after errors gets a new one).
        unique = body.get("trigger_id") or f"{view.get('id')}:{view.get('hash')}"
        incoming = Incoming(
            conversation=ref, choice_token=str(meta.get("t", "")), event_id=f"submit:{unique}"
        )
        route = {
            "kind": "submission",
            "state": view["state"]["values"],  # read when it runs, in the person's time zone
            "response_url": meta.get("ru"),
            "channel": meta.get("ch"),
        }
        event_id = incoming.event_id or ""
        waiter = self._waiting[event_id] = asyncio.get_running_loop().create_future()
        try:
            if not await self.save(incoming, route, wait_for_late=False):
                await ack()  # a re-sent request: the first one answers
                return
            with contextlib.suppress(TimeoutError):
                replies = await asyncio.wait_for(asyncio.shield(waiter), SUBMIT_BUDGET)
                errors = _form_errors(replies)
                if errors:
                    await ack(response_action="errors", errors=errors)
                    return
        finally:
            self._waiting.pop(event_id, None)  # too late now: the turn answers as a message
        await ack()

    def runners(self) -> dict[str, Runner]:
        return {**super().runners(), "submission": self.run_submission}

    async def run_submission(self, incoming: Incoming, route: Route, surface: Surface) -> None:
        """From the inbox: who submitted (their zone reads the date-time picker), the engine's
        turn, and its replies to the listener still waiting, or as messages."""
        ref = incoming.conversation
        info = await self.users.info(surface.client, ref.space, ref.user)
        values = form_values(route.get("state") or {}, time_zone=info.time_zone)
        replies = await self.coach.handle(
            Incoming(
                conversation=ref,
                choice_token=incoming.choice_token,
                form=values,
                event_id=incoming.event_id,  # the replies are saved with the turn under it
                user=info,
            ),
            durable=True,
        )
        waiter = self._waiting.pop(incoming.event_id or "", None)
        if waiter is not None and not waiter.done():
            waiter.set_result(replies)
            if _form_errors(replies):
                return  # shown in the modal, which stays open
        await self.sender.send(surface, replies)


def _form_errors(replies: list[Reply]) -> dict[str, str]:
    for reply in replies:
        if reply.form is not None and reply.form.errors:
            return {name: message[:150] for name, message in reply.form.errors}
    return {}
