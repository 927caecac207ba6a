"""Where replies go: the person privately (``response_url``), the app's DM, or a referral channel.

A :class:`Surface` says what one event allows: a ``/recruiter`` answer or a click on an
ephemeral message has a ``response_url`` (answers only the person sees, which work in channels
the app is not in and in DMs between people: ``say()`` would fail there); a DM message, an App
Home button and a scheduled reminder go to the app's DM with the person (``conversations.open``
then ``chat.postMessage``). A reply with destination ``dm`` always goes to the DM, and one with
destination ``referral_channel`` (a card the person previewed and confirmed) is posted to the
workspace's referral channel.

Every payload passes :mod:`adapters.slack.guard` (our Block Kit check) just before it is sent.
:meth:`Sender.send` raises on a failed Slack call, so the scheduler retries a reminder;
listeners catch and log (the error code only, never the text).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.clients import ClientSource
from adapters.slack.guard import safe_message, safe_modal
from adapters.slack.render import SlackMessage, continue_button, to_message, to_modal
from adapters.slack.users import UserDirectory, error_code
from bot.app import REFERRAL_POSTED, to_plain
from bot.boundary import Attachment, Command, ConversationRef, Incoming, Reply
from bot.errors import DeliveryError

__all__ = (
    "DeliveryError",
    "Sender",
    "Surface",
    "form_metadata",
    "with_form_note",
)

log = logging.getLogger(__name__)

NO_CHANNEL = (
    "There is no referral channel in this workspace yet, so nothing was posted. A workspace "
    "admin can pick one with `/recruiter admin referral-channel #channel`."
)
NOT_POSTED = "I couldn't post that card in the referral channel (is the app in it?)."
FORM_NOT_OPENED = "I couldn't open the form just now. Press “{button}” below to try again."


@dataclass(frozen=True, slots=True)
class Surface:
    """Where one event's answers may go."""

    client: AsyncWebClient
    conversation: ConversationRef
    response_url: str | None = None  # answers only the person sees
    channel: str | None = None  # the app's DM channel, when the event came from it
    trigger_id: str | None = None  # to open a modal, within 3 s of the event
    continue_url: str | None = None  # a link to the app's DM under /recruiter answers


def form_metadata(surface: Surface, token: str) -> dict[str, Any]:
    """What a modal must remember to answer after it is submitted (short: 3000 chars max)."""
    return {
        "t": token,
        "th": surface.conversation.thread,
        "ru": surface.response_url,
        "ch": surface.channel,
    }


class Sender:
    """Renders replies and sends each where it belongs."""

    def __init__(
        self,
        *,
        clients: ClientSource,
        users: UserDirectory,
        handle: Callable[[Incoming], Awaitable[list[Reply]]] | None = None,
    ) -> None:
        self.clients = clients
        self.users = users
        self.handle = handle  # Coach.handle: the events a delivery causes (a card posted)

    async def send(self, surface: Surface, replies: Sequence[Reply]) -> list[str]:
        """Open a form's modal first (the trigger expires), then send every reply. A form's
        question is sent as a message too, with a button that opens the form; when the modal
        could not open, a note says so above it."""
        if surface.trigger_id is not None and not await self.open_form(surface, replies):
            replies = with_form_note(replies)
        if surface.response_url is not None:
            replies = merge_plain(replies)  # a response_url takes 5 messages at most
        last = _last_private(replies)
        posted: list[str | None] = []
        for index, reply in enumerate(replies):
            if reply.destination == "referral_channel":
                await self.post_referral(surface, reply)
            elif reply.to is not None:  # another person's DM (a sharer's notice)
                await self.deliver(reply.to, [replace(reply, to=None)])
            elif reply.destination == "dm":
                posted.append(await self.to_dm(surface, reply))
            else:
                posted.append(await self.to_person(surface, reply, last=index == last))
            if reply.attachment is not None:
                await self.upload(surface, reply.attachment)
        return [ts for ts in posted if ts]  # the DM messages' ts (a reminder's job records them)

    async def open_form(self, surface: Surface, replies: Sequence[Reply]) -> bool:
        """Open the first form among ``replies`` as a modal. False when there is one and it
        could not open (an expired trigger, any Slack error, no answer): never raises, because
        the question must still reach the person as a message."""
        reply = next((r for r in replies if r.form is not None), None)
        if reply is None or reply.form is None or surface.trigger_id is None:
            return True
        view = safe_modal(
            to_modal(
                reply.form, prompt=reply.text, metadata=form_metadata(surface, reply.form.token)
            )
        )
        if view is None:
            return False
        try:
            await surface.client.views_open(trigger_id=surface.trigger_id, view=view)
        except (SlackApiError, SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("views.open failed: %s", error_code(exc) or type(exc).__name__)
            return False
        return True

    async def to_person(self, surface: Surface, reply: Reply, *, last: bool = False) -> str | None:
        """Privately: through the event's ``response_url`` (None), or else in the app's DM
        (the posted message's ``ts``)."""
        if surface.response_url is None:
            return await self.to_dm(surface, reply)
        extra = [continue_button(surface.continue_url)] if last and surface.continue_url else []
        message = to_message(reply, extra=extra)
        await respond(surface.response_url, message, retry_from=surface.client)
        return None

    async def upload(self, surface: Surface, file: Attachment) -> None:
        """A reply's file (the export, a calendar file), uploaded to the person's DM with the
        app (files.uploadV2): a file cannot be ephemeral, and the DM is theirs alone."""
        ref = surface.conversation
        channel = surface.channel
        if channel is None:
            channel = await self.users.dm_channel(surface.client, ref.space, ref.user)
        await surface.client.files_upload_v2(
            channel=channel,
            content=file.content,
            filename=file.filename,
            title=file.filename,
            thread_ts=ref.thread,
        )

    async def to_dm(self, surface: Surface, reply: Reply) -> str | None:
        ref = surface.conversation
        channel = surface.channel
        if channel is None:
            channel = await self.users.dm_channel(surface.client, ref.space, ref.user)
        answer = await post(surface.client, channel, to_message(reply), thread=ref.thread)
        ts = answer.get("ts") if answer is not None else None
        return str(ts) if ts else None

    async def post_referral(self, surface: Surface, reply: Reply) -> None:
        """A new card in the channel ``reply.to`` names (none: the space has no referral
        channel); then the core is told the message's ``ts`` (an event through ``handle``),
        so that clicks edit this message."""
        card, target = reply.card, reply.to
        if card is None or not card.key:
            log.warning("a referral_channel reply without a card key")
            return
        if target is None:
            await self.to_person(surface, Reply(NO_CHANNEL))
            return
        try:
            response = await post(surface.client, target.channel, to_message(reply))
        except Exception:
            await self.to_person(surface, Reply(NOT_POSTED))
            raise
        if self.handle is not None:
            number = card.key.rpartition(":")[2]
            posted = Command(REFERRAL_POSTED, f"{number} {target.channel} {response['ts']}")
            await self.handle(Incoming(conversation=surface.conversation, command=posted))

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> list[str]:
        """To the person's DM, with nobody waiting (reminders, notices to a sharer); the posted
        messages' ``ts``."""
        client = await self.clients.for_team(conversation.space)
        return await self.send(Surface(client=client, conversation=conversation), replies)

    async def update_card(
        self, client: AsyncWebClient, channel: str, ts: str, card: Reply
    ) -> None:
        message = safe_message(to_message(card), "chat.update")
        await client.chat_update(channel=channel, ts=ts, **_message_args(message))


def with_form_note(replies: Sequence[Reply]) -> list[Reply]:
    """``replies`` with :data:`FORM_NOT_OPENED` before the first form's question."""
    index = next((i for i, r in enumerate(replies) if r.form is not None), None)
    if index is None:
        return list(replies)
    form = replies[index].form
    title = to_plain(form.title).strip() if form is not None else ""
    note = Reply(FORM_NOT_OPENED.format(button=title or "the form's button"))
    return [*replies[:index], note, *replies[index:]]


def merge_plain(replies: Sequence[Reply]) -> list[Reply]:
    """Runs of plain private replies (text only, for this conversation) as one reply each. A
    merged reply keeps the file of the one it took in (the calendar file after the script), so
    two replies with a file each stay apart."""
    merged: list[Reply] = []
    for reply in replies:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and _plain(previous)
            and _plain(reply)
            and (previous.attachment is None or reply.attachment is None)
        ):
            merged[-1] = replace(
                previous,
                text=f"{previous.text}\n\n{reply.text}",
                attachment=previous.attachment or reply.attachment,
            )
        else:
            merged.append(reply)
    return merged


def _plain(reply: Reply) -> bool:
    return (
        reply.destination == "conversation"
        and not reply.choices
        and reply.form is None
        and reply.card is None
    )


def _last_private(replies: Sequence[Reply]) -> int:
    indexes = [i for i, r in enumerate(replies) if r.destination == "conversation"]
    return indexes[-1] if indexes else -1


def _message_args(message: SlackMessage) -> dict[str, Any]:
    return {"text": message["text"], "blocks": message["blocks"]}


async def post(
    client: AsyncWebClient, channel: str, message: SlackMessage, *, thread: str | None = None
) -> Any:
    """chat.postMessage without link previews (a recruiter's link must not unfurl in a DM)."""
    return await client.chat_postMessage(
        channel=channel,
        thread_ts=thread,
        unfurl_links=False,
        unfurl_media=False,
        **_message_args(safe_message(message, "chat.postMessage")),
    )


async def respond(url: str, message: SlackMessage, *, retry_from: AsyncWebClient) -> None:
    """An answer only the person sees, through a ``response_url`` (never ``say()``)."""
    hook = AsyncWebhookClient(
        url, retry_handlers=list(retry_from.retry_handlers), session=retry_from.session
    )
    safe = safe_message(message, "response_url message")
    body = {"response_type": "ephemeral", "replace_original": False, **safe}
    response = await hook.send_dict(body)
    if response.status_code != 200:
        raise DeliveryError(f"response_url answered {response.status_code}")


def load_metadata(raw: str) -> dict[str, Any]:
    """A modal's ``private_metadata`` as :func:`form_metadata` wrote it (or empty)."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
