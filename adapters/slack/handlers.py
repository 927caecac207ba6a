"""The listeners: each acknowledges first, then converts, asks the engine, and sends.

Listeners only acknowledge and hand the work to a task (:meth:`Handlers._spawn`): the app runs
with ``process_before_response=True``, so Bolt answers Slack the moment a listener returns,
without the 10 ms polling it does for ``ack()`` otherwise, and the engine, the store and every
Web API call happen after the HTTP response, well inside Slack's 3 s. The one exception is a
modal submission, whose validation errors can only travel in the ack: the user lookup and the
engine together get :data:`SUBMIT_BUDGET` seconds, then the modal closes and the answer follows
as a message (a rate-limited ``users.info`` alone can take longer than Slack's 3 s).

Nothing here decides dialog: commands, choices and forms go to ``Coach.handle`` (or the inbox);
referral card clicks and the admin setting are events for ``Coach.handle`` too; the rest is
Slack plumbing.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, cast

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.answered import mark_answered
from adapters.slack.convert import (
    ActionBody,
    AdminRequest,
    CommandPayload,
    MessageEvent,
    action_conversation,
    command_to_incoming,
    delivery_keys,
    form_values,
    message_to_incoming,
    private_conversation,
    to_command,
)
from adapters.slack.guard import safe_home
from adapters.slack.home import home_view
from adapters.slack.render import CHOICE_ACTION, CONTINUE_ACTION, FORM_ACTION, to_home
from adapters.slack.send import Sender, Surface, load_metadata, with_form_note
from adapters.slack.users import error_code
from bot.app import (
    REFERRAL_CHANNEL_COMMAND,
    REFERRAL_TOKEN_PREFIX,
    Coach,
    Inbox,
    decimal_stamp,
)
from bot.boundary import Command, ConversationRef, Incoming, Reply, UserInfo

__all__ = ("SUBMIT_BUDGET", "Handlers")

log = logging.getLogger(__name__)

ACK_GRACE = 0.02  # seconds without a new request before engine work starts
MAX_DEFER = 0.5  # ... but never later than this after its own ack (a trigger lasts 3 s)
SUBMIT_BUDGET = 2.0  # seconds of a modal submission's 3 s spent waiting for the engine
REFERRAL_PREFIX = REFERRAL_TOKEN_PREFIX
HOME_COMMANDS = {
    "rc_home_start": "start",
    "rc_home_contacts": "contacts",
    "rc_home_export": "export",
    "rc_home_forget": "forget",
}
NOT_ADMIN = "Only workspace admins and owners can change where referral cards are posted."
ADMIN_USAGE = (
    "To pick the referral channel: `/recruiter admin referral-channel #channel` "
    "(choose the channel from the list so Slack links it)."
)
ADMIN_DONE = "Done: referral cards will be posted in that channel. If it is private, invite me."
NO_BOARD = "Referral cards belong to a workspace: run this in one."

Ack = Callable[..., Awaitable[None]]


class Handlers:
    """One instance per app: the listeners Bolt calls, sharing the sender and caches."""

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
        self.inbox = inbox  # DMs are saved here before Slack's 200, and run from here
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
        await _logged(what, work)

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

    # -- /recruiter ------------------------------------------------------------------------------

    async def command(self, ack: Ack, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        payload = cast(CommandPayload, body)
        surface = Surface(
            client=client,
            conversation=private_conversation(payload["team_id"], payload["user_id"]),
            response_url=payload["response_url"],
            trigger_id=payload["trigger_id"],
            continue_url=self._continue_url(payload),
        )
        request = to_command(payload.get("text", ""), knows_topic=self._knows_topic)
        self._spawn("command", self._command(surface, payload, request))

    def _knows_topic(self, word: str) -> bool:
        return self.coach.knows_topic(word)

    def _continue_url(self, payload: CommandPayload) -> str | None:
        app = payload.get("api_app_id")
        if not app:
            return None
        return f"{self.redirect_base}?app={app}&team={payload['team_id']}"

    async def _command(
        self, surface: Surface, payload: CommandPayload, request: Command | AdminRequest
    ) -> None:
        ref = surface.conversation
        person = await self.users.person(surface.client, ref.space, ref.user)
        if await self._in_own_dm(surface, payload["channel_id"]):
            # typed in the app's DM: normal messages there, not ephemeral ones that vanish
            surface = replace(
                surface, response_url=None, channel=payload["channel_id"], continue_url=None
            )
        if isinstance(request, AdminRequest):
            await self._admin(surface, request, is_admin=person.is_admin)
            return
        replies = await self.coach.handle(command_to_incoming(payload, request, person.info))
        await self.sender.send(surface, replies)

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
            replies = await self.coach.handle(
                Incoming(conversation=surface.conversation, command=setting)
            )
            for reply in replies:  # only when it failed (an apology)
                await self.sender.to_person(surface, reply)
            if replies:
                return
            text = ADMIN_DONE
        await self.sender.to_person(surface, Reply(text))

    # -- DMs -------------------------------------------------------------------------------------

    async def message(self, event: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        if event.get("channel_type") != "im":
            return
        message = cast(MessageEvent, event)
        team = body.get("team_id")
        user = message.get("user")
        if user is None or message.get("subtype") or message.get("bot_id"):
            return
        keys = delivery_keys(body)  # the message's own key first: a re-delivery under a new
        if self.inbox is not None and keys:  # event_id is turned away by the inbox too
            await self._enqueue(message, team, keys[0])
            return
        self._spawn("message", self._message(message, body, client, team, user))

    async def _enqueue(self, message: MessageEvent, team: str | None, event_id: str) -> None:
        """Save the DM in the inbox; Bolt acknowledges when this returns, so a DM that got its
        200 is in the database. The person's details are looked up when it runs."""
        assert self.inbox is not None
        incoming = message_to_incoming(message, team=team, event_id=event_id, user=UserInfo())
        if incoming is None:
            return
        route = {"channel": message["channel"]}
        await self.inbox.enqueue(incoming, stamp=decimal_stamp(message["ts"]), route=route)

    async def _message(
        self, message: MessageEvent, body: dict[str, Any], client: Any, team: str | None, user: str
    ) -> None:
        info = await self.users.info(client, team, user)
        keys = delivery_keys(body)  # the message's own key first (see delivery_keys)
        incoming = message_to_incoming(
            message, team=team, event_id=keys[0] if keys else None, user=info
        )
        if incoming is None:
            return
        surface = Surface(
            client=client, conversation=incoming.conversation, channel=message["channel"]
        )
        await self._run(surface, incoming)

    async def _run(self, surface: Surface, incoming: Incoming) -> None:
        await self.sender.send(surface, await self.coach.handle(incoming))

    # -- buttons ---------------------------------------------------------------------------------

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

    async def _home_command(self, surface: Surface, command: str) -> None:
        ref = surface.conversation
        await self.sender.send(surface, await self._command_replies(surface, command))
        if command == "forget":
            self.users.forget(ref.space, ref.user)
        await self.publish_home(surface.client, ref.space, ref.user)

    async def _command_replies(self, surface: Surface, command: str) -> list[Reply]:
        ref = surface.conversation
        info = await self.users.info(surface.client, ref.space, ref.user)
        return await self.coach.handle(
            Incoming(conversation=ref, command=Command(command), user=info)
        )

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

    # -- modals ----------------------------------------------------------------------------------

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
            await _logged("submission", turn)
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

    # -- App Home --------------------------------------------------------------------------------

    async def home_opened(self, event: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        if event.get("tab") != "home":
            return
        self._spawn("home", self.publish_home(client, body.get("team_id"), event["user"]))

    async def publish_home(self, client: AsyncWebClient, team: str | None, user: str) -> None:
        info = await self.users.info(client, team, user)
        user_key = private_conversation(team, user).user_key
        home = home_view(await self.coach.home(user_key, info.time_zone))
        await client.views_publish(user_id=user, view=safe_home(to_home(home)))


def _form_errors(replies: list[Reply]) -> dict[str, str]:
    for reply in replies:
        if reply.form is not None and reply.form.errors:
            return {name: message[:150] for name, message in reply.form.errors}
    return {}


async def _logged(what: str, work: Awaitable[object]) -> None:
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
