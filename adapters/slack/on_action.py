"""Buttons: answers (through the inbox), forms, *Continue in a private DM*, the Home's buttons and
referral cards."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from adapters.slack.convert import ActionBody, action_conversation
from adapters.slack.inbox import Finisher, Route, Runner
from adapters.slack.listeners import Ack
from adapters.slack.on_home import HOME_COMMANDS, HomeListeners
from adapters.slack.render import CHOICE_ACTION, CONTINUE_ACTION, FORM_ACTION
from adapters.slack.send import Surface, with_form_note
from bot.app import REFERRAL_TOKEN_PREFIX
from bot.boundary import Incoming, Reply

__all__ = ("ActionListeners",)

REFERRAL_PREFIX = REFERRAL_TOKEN_PREFIX


class ActionListeners(HomeListeners):
    """The ``block_actions`` listener for every ``rc_`` button."""

    async def action(self, ack: Ack, body: dict[str, Any]) -> None:
        payload = cast(ActionBody, body)
        action = payload["actions"][0]
        action_id, value = action["action_id"], action.get("value", "")
        route = self._action_route(payload)
        wait_for_late = True  # a click may race a DM typed just before it
        if action_id.startswith(CHOICE_ACTION) and value.startswith(REFERRAL_PREFIX):
            route["kind"] = "referral"
            route["card"] = self._card_route(payload)
        elif action_id.startswith(CHOICE_ACTION):
            # one engine turn; then the old buttons give way to the answer
            route["answered"] = _answered_route(payload)
        elif action_id == FORM_ACTION:
            route["kind"], wait_for_late = "form", False  # changes nothing; a trigger lasts 3 s
        elif action_id == CONTINUE_ACTION:
            route["kind"], wait_for_late = "continue", False
        elif action_id in HOME_COMMANDS:
            route["kind"], route["command"] = "home", HOME_COMMANDS[action_id]
        else:
            await ack()
            return
        incoming = Incoming(
            conversation=action_conversation(payload),
            choice_token=value,
            event_id=_action_event_id(payload),
        )
        stamp = action.get("action_ts") or None
        await self.save(incoming, route, stamp=stamp, wait_for_late=wait_for_late)
        await ack()

    def runners(self) -> dict[str, Runner]:
        return {
            **super().runners(),
            "referral": self.run_referral_click,
            "form": self.run_open_form,
            "continue": self.run_continue_in_dm,
        }

    def finishers(self) -> dict[str, Finisher]:
        return {
            **super().finishers(),
            "referral": self.send_referral_replies,
            "form": self.open_form_or_answer,
            "continue": self.send_to_dm,
        }

    def _action_route(self, body: ActionBody) -> Route:
        """Where the click's answers go: its ephemeral message's ``response_url``, or the DM
        channel it was in (a click in the Home has neither: the DM)."""
        container = body.get("container") or {}
        ephemeral = bool(container.get("is_ephemeral"))
        channel = (body.get("channel") or {}).get("id")
        return {
            "response_url": body.get("response_url") if ephemeral else None,
            "channel": None if ephemeral or container.get("type") == "view" else channel,
            "trigger_id": body.get("trigger_id"),  # a form answering the click opens at once
        }

    def _card_route(self, body: ActionBody) -> Route:
        return {
            "response_url": body.get("response_url"),
            "channel": (body.get("channel") or {}).get("id"),
            "ts": (body.get("message") or {}).get("ts"),
        }

    async def run_open_form(self, incoming: Incoming, route: Route, surface: Surface) -> None:
        """The form button: ask the engine for the current question; its form, if it is still
        this one, opens as a modal. A stale form gets the engine's polite answer."""
        replies = await self._command_replies(surface, "repeat", incoming.event_id)
        await self.open_form_or_answer(incoming, route, surface, replies)

    async def open_form_or_answer(
        self, incoming: Incoming, route: Route, surface: Surface, replies: list[Reply]
    ) -> None:
        """The current question's form as a modal (as a message when the trigger expired,
        as it has for a worker that took the event over), or the stale form's answer."""
        token = incoming.choice_token or ""
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

    async def run_continue_in_dm(self, incoming: Incoming, route: Route, surface: Surface) -> None:
        """The link opens the app's DM; the current question waits there."""
        replies = await self._command_replies(surface, "repeat", incoming.event_id)
        await self.send_to_dm(incoming, route, surface, replies)

    async def send_to_dm(
        self, incoming: Incoming, route: Route, surface: Surface, replies: list[Reply]
    ) -> None:
        dm = Surface(client=surface.client, conversation=surface.conversation)
        await self.sender.send(dm, replies)

    async def run_referral_click(self, incoming: Incoming, route: Route, surface: Surface) -> None:
        """A click on a card is an event for the core; its replies say where each goes: the
        card edited in place, the thanks to the clicker, the notice to the sharer's DM."""
        ref = surface.conversation
        person = await self.users.info(surface.client, ref.space, ref.user)
        person = replace(person, display_name=person.display_name or "Someone")
        click = Incoming(
            conversation=ref,
            choice_token=incoming.choice_token,
            event_id=incoming.event_id,  # the replies are kept in the inbox row under it
            user=person,
        )
        replies = await self.coach.handle(click, durable=True)
        await self.send_referral_replies(incoming, route, surface, replies)

    async def send_referral_replies(
        self, incoming: Incoming, route: Route, surface: Surface, replies: list[Reply]
    ) -> None:
        """Each reply where it says: the card edited, the sharer's notice, the clicker's."""
        ref = surface.conversation
        card = route.get("card") or {}
        url, channel, ts = card.get("response_url"), card.get("channel"), card.get("ts")
        for reply in replies:
            if reply.replaces is not None:
                if channel and ts:
                    await self.sender.update_card(surface.client, channel, ts, reply)
            elif reply.to is not None:
                await self.sender.deliver(reply.to, [replace(reply, to=None)])
            elif url:
                clicker = Surface(client=surface.client, conversation=ref, response_url=url)
                await self.sender.to_person(clicker, reply)


def _action_event_id(body: ActionBody) -> str:
    """A click's id: one person cannot press two buttons in the same microsecond."""
    action = body["actions"][0]
    return f"action:{body['user']['id']}:{action.get('action_ts') or body.get('trigger_id')}"


def _answered_route(body: ActionBody) -> dict[str, Any]:
    """What :func:`~adapters.slack.answered.mark_answered` reads of the click."""
    keep = ("actions", "message", "container", "response_url")
    return {key: body[key] for key in keep if key in body}  # type: ignore[literal-required]
