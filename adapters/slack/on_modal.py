"""Modal submissions: a form's answers, whose validation errors travel in the ack.

The user lookup and the engine together get :data:`SUBMIT_BUDGET` seconds, then the modal closes
and the answer follows as a message (a rate-limited ``users.info`` alone can take longer than
Slack's 3 s).
"""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.convert import form_values, private_conversation
from adapters.slack.listeners import Ack, ListenerBase, logged
from adapters.slack.send import Surface, load_metadata
from bot.boundary import ConversationRef, Incoming, Reply

__all__ = ("SUBMIT_BUDGET", "ModalListeners")

SUBMIT_BUDGET = 2.0  # seconds of a modal submission's 3 s spent waiting for the engine


class ModalListeners(ListenerBase):
    """The ``view_submission`` listener for forms."""

    async def submission(self, ack: Ack, body: dict[str, Any], client: AsyncWebClient) -> None:
        view = body["view"]
        meta = load_metadata(view.get("private_metadata", ""))
        team = (body.get("team") or {}).get("id") or body["user"].get("team_id")
        ref = private_conversation(team, body["user"]["id"], meta.get("th"))
        surface = Surface(
            client=client, conversation=ref, response_url=meta.get("ru"), channel=meta.get("ch")
        )
        # The user lookup is part of the turn, inside the budget: users.info can be slow or
        # rate-limited (a 429 asking for 3 s), and Slack closes the modal with an error at 3 s.
        turn = asyncio.ensure_future(
            self._submitted(client, team, ref, view["state"]["values"], str(meta.get("t", "")))
        )
        try:
            replies = await asyncio.wait_for(asyncio.shield(turn), SUBMIT_BUDGET)
        except TimeoutError:
            await ack()  # close the modal in time; the answer follows as a message
            self._spawn("slow submission", self._after(surface, turn))
            return
        except Exception:
            await ack()  # the modal closes; _logged says what failed, never the answers
            await logged("submission", turn)
            return
        errors = _form_errors(replies)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        self._spawn("submission", self.sender.send(surface, replies))

    async def _submitted(
        self,
        client: AsyncWebClient,
        team: str | None,
        ref: ConversationRef,
        state: dict[str, Any],
        token: str,
    ) -> list[Reply]:
        """Who submitted (their zone reads the date-time picker), then the engine's turn."""
        info = await self.users.info(client, team, ref.user)
        values = form_values(state, time_zone=info.time_zone)
        incoming = Incoming(conversation=ref, choice_token=token, form=values, user=info)
        return await self.coach.handle(incoming)

    async def _after(self, surface: Surface, turn: asyncio.Future[list[Reply]]) -> None:
        await self.sender.send(surface, await turn)


def _form_errors(replies: list[Reply]) -> dict[str, str]:
    for reply in replies:
        if reply.form is not None and reply.form.errors:
            return {name: message[:150] for name, message in reply.form.errors}
    return {}
