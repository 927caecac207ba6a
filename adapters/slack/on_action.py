"""Buttons: answers (through the inbox), forms, *Continue in a private DM*, the Home's buttons and
referral cards."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.answered import mark_answered
from adapters.slack.convert import ActionBody, action_conversation
from adapters.slack.listeners import Ack
from adapters.slack.on_home import HOME_COMMANDS, HomeListeners
from adapters.slack.render import CHOICE_ACTION, CONTINUE_ACTION, FORM_ACTION
from adapters.slack.send import Surface, with_form_note
from bot.app import REFERRAL_TOKEN_PREFIX, decimal_stamp
from bot.boundary import Incoming

__all__ = ("ActionListeners",)

REFERRAL_PREFIX = REFERRAL_TOKEN_PREFIX


class ActionListeners(HomeListeners):
    """The ``block_actions`` listener for every ``rc_`` button."""

    async def action(self, ack: Ack, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        payload = cast(ActionBody, body)
        action = payload["actions"][0]
        action_id, value = action["action_id"], action.get("value", "")
        surface = self._action_surface(payload, client)
        if action_id.startswith(CHOICE_ACTION) and value.startswith(REFERRAL_PREFIX):
            work = self._referral_click(surface, payload, value)
        elif action_id.startswith(CHOICE_ACTION) and self._queued_choice(payload):
            await self._enqueue_choice(surface, payload, value)
            # the old buttons give way to the answer (after the ack, apart from the engine)
            self._spawn("answered", mark_answered(client, body))
            return
        elif action_id.startswith(CHOICE_ACTION):
            work = self._choice(surface, payload, value)
        elif action_id == FORM_ACTION:
            work = self._open_form(surface, value)
        elif action_id == CONTINUE_ACTION:
            work = self._continue_in_dm(surface)
        elif action_id in HOME_COMMANDS:
            work = self._home_command(surface, HOME_COMMANDS[action_id])
        else:
            return
        self._spawn(f"action {action_id}", work)

    def _action_surface(self, body: ActionBody, client: AsyncWebClient) -> Surface:
        container = body.get("container") or {}
        ephemeral = bool(container.get("is_ephemeral"))
        channel = (body.get("channel") or {}).get("id")
        return Surface(
            client=client,
            conversation=action_conversation(body),
            response_url=body.get("response_url") if ephemeral else None,
            channel=None if ephemeral or container.get("type") == "view" else channel,
            trigger_id=body.get("trigger_id"),
        )

    def _queued_choice(self, body: ActionBody) -> bool:
        return self.inbox is not None and bool(body["actions"][0].get("action_ts"))

    async def _enqueue_choice(self, surface: Surface, body: ActionBody, token: str) -> None:
        """A button press joins the conversation's DMs in the inbox, in Slack's order (its
        ``action_ts``), so a click and a message sent together apply one after the other."""
        assert self.inbox is not None
        ref = surface.conversation
        action_ts = body["actions"][0].get("action_ts", "")
        incoming = Incoming(
            conversation=ref, choice_token=token, event_id=f"action:{ref.user}:{action_ts}"
        )
        route = {
            "channel": surface.channel,
            "response_url": surface.response_url,
            "trigger_id": surface.trigger_id,  # a form answering the click opens at once
        }
        await self.inbox.enqueue(incoming, stamp=decimal_stamp(action_ts), route=route)

    async def _choice(self, surface: Surface, body: ActionBody, token: str) -> None:
        ref = surface.conversation
        info = await self.users.info(surface.client, ref.space, ref.user)
        action_ts = body["actions"][0].get("action_ts", "")
        incoming = Incoming(
            conversation=ref,
            choice_token=token,
            event_id=f"action:{ref.user}:{action_ts}" if action_ts else None,
            user=info,
        )
        await self._run(surface, incoming)
        await mark_answered(surface.client, cast(dict[str, Any], body))

    async def _open_form(self, surface: Surface, token: str) -> None:
        """The form button: ask the engine for the current question; its form, if it is still
        this one, opens as a modal. A stale form gets the engine's polite answer."""
        replies = await self._command_replies(surface, "repeat")
        current = [r for r in replies if r.form is not None and r.form.token == token]
        if current:
            if not await self.sender.open_form(surface, current):
                # The question again, as a message: its button is the way to try once more.
                await self.sender.send(replace(surface, trigger_id=None), with_form_note(current))
            return
        ref = surface.conversation
        info = await self.users.info(surface.client, ref.space, ref.user)
        stale = Incoming(conversation=ref, choice_token=token, user=info)
        await self._run(surface, stale)

    async def _continue_in_dm(self, surface: Surface) -> None:
        """The link opens the app's DM; the current question waits there."""
        dm = Surface(client=surface.client, conversation=surface.conversation)
        await self.sender.send(dm, await self._command_replies(surface, "repeat"))

    async def _referral_click(self, surface: Surface, body: ActionBody, token: str) -> None:
        """A click on a card is an event for the core; its replies say where each goes: the
        card edited in place, the thanks to the clicker, the notice to the sharer's DM."""
        ref = surface.conversation
        person = await self.users.info(surface.client, ref.space, ref.user)
        person = replace(person, display_name=person.display_name or "Someone")
        replies = await self.coach.handle(
            Incoming(conversation=ref, choice_token=token, user=person)
        )
        url = body.get("response_url")
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id")
        for reply in replies:
            if reply.replaces is not None:
                if channel and message.get("ts"):
                    await self.sender.update_card(surface.client, channel, message["ts"], reply)
            elif reply.to is not None:
                await self.sender.deliver(reply.to, [replace(reply, to=None)])
            elif url:
                clicker = Surface(client=surface.client, conversation=ref, response_url=url)
                await self.sender.to_person(clicker, reply)
