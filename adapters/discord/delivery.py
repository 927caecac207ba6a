"""Sending rendered replies, reminders as DMs, and what happens when a user's DMs are closed.

- :class:`Sender` renders replies and sends them to a :class:`Target`: a channel (a DM, the
  referral channel) or an interaction's follow-ups. It remembers the forms it offered
  (:class:`FormCache`), so a "fill in" button can open its modal at once, within the 3 seconds
  Discord allows for a first response.
- :class:`DiscordDelivery` is the scheduler's :class:`bot.dialog.scheduler.Delivery`: reminders and
  nudges arrive in the user's DM channel.
  When Discord refuses a DM (error 50007: the user closed their DMs or left every shared
  server) the failure is logged without content and noted (:class:`DiscordUsers`); the user's
  next interaction shows a note about it. Retrying would fail the same way and count against
  Discord's invalid-request limit, so nothing is retried.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import discord

from adapters.discord.limits import message_problems
from adapters.discord.render import Outgoing, render_replies
from adapters.discord.users import DiscordUsers
from bot.boundary import ConversationRef, Form, Reply
from bot.errors import DeliveryError

__all__ = (
    "DM_CLOSED",
    "ChannelTarget",
    "DiscordDelivery",
    "FollowupTarget",
    "FormCache",
    "Sender",
    "Target",
    "interaction_webhook",
    "is_dm_closed",
)

log = logging.getLogger(__name__)

DM_CLOSED = 50007  # "Cannot send messages to this user"
_READY_WAIT = 30.0


def is_dm_closed(error: BaseException) -> bool:
    """Whether Discord refused a DM because the user does not accept them."""
    return isinstance(error, discord.Forbidden) and error.code == DM_CLOSED


class Target(Protocol):
    """Somewhere messages can be sent."""

    async def send(self, message: Outgoing) -> discord.Message | None: ...


class ChannelTarget:
    """A channel: the user's DM, or a server's referral channel."""

    def __init__(self, channel: discord.abc.Messageable) -> None:
        self.channel = channel

    async def send(self, message: Outgoing) -> discord.Message | None:
        kwargs: dict[str, Any] = {"content": message.content, "embeds": list(message.embeds)}
        if message.view is not None:
            kwargs["view"] = message.view
        if message.files:
            kwargs["files"] = discord_files(message)
        return await self.channel.send(**kwargs)


class FollowupTarget:
    """An interaction's follow-up messages (after ``defer``), private when ``ephemeral``.

    Given the interaction, or its follow-up webhook rebuilt in another process from the saved
    token (:func:`interaction_webhook`): follow-ups need no gateway, only the token (15 min).
    """

    def __init__(
        self, interaction: discord.Interaction[Any] | discord.Webhook, *, ephemeral: bool
    ) -> None:
        self.webhook = (
            interaction.followup if isinstance(interaction, discord.Interaction) else interaction
        )
        self.ephemeral = ephemeral

    async def send(self, message: Outgoing) -> discord.Message | None:
        kwargs: dict[str, Any] = {"embeds": list(message.embeds), "ephemeral": self.ephemeral}
        if message.content is not None:
            kwargs["content"] = message.content
        if message.view is not None:
            kwargs["view"] = message.view
        if message.files:
            kwargs["files"] = discord_files(message)
        return await self.webhook.send(wait=True, **kwargs)


def interaction_webhook(
    client: discord.Client, application_id: int, token: str
) -> discord.Webhook:
    """An interaction's follow-up webhook from its application id and token, as
    ``Interaction.followup`` builds it (an application webhook bound to the client's state, so
    it may send ephemeral messages and persistent buttons) in any process of the bot."""
    data: Any = {"id": application_id, "type": 3, "token": token}
    return discord.Webhook.from_state(data=data, state=client._connection)


def discord_files(message: Outgoing) -> list[discord.File]:
    """The message's files as uploads (UTF-8 text, the name the core chose)."""
    return [
        discord.File(io.BytesIO(file.content.encode("utf-8")), filename=file.filename)
        for file in message.files
    ]


class FormCache:
    """What the buttons sent to each user stand for, while the bot runs (bounded; lost on a
    restart): the forms they open, by token; the tokens too long for a ``custom_id``, by their
    short stand-in; and the answers to the first parts of a form spread over several modals.

    A modal must be the first response to the button press that opens it, so there is no time
    to ask the database for the form. After a restart the cache is empty and the press shows
    the question again instead, with a fresh button.
    """

    def __init__(self, size: int = 2048) -> None:
        self._size = size
        self._forms: OrderedDict[tuple[int, str], Form] = OrderedDict()
        self._tokens: OrderedDict[tuple[int, str], str] = OrderedDict()
        self._answers: OrderedDict[tuple[int, str], tuple[tuple[str, str], ...]] = OrderedDict()

    def put(self, user_id: int, form: Form) -> None:
        _put(self._forms, (user_id, form.token), form, self._size)

    def get(self, user_id: int, token: str) -> Form | None:
        return self._forms.get((user_id, token))

    def put_token(self, user_id: int, short: str, token: str) -> None:
        _put(self._tokens, (user_id, short), token, self._size)

    def token(self, user_id: int, short: str) -> str | None:
        """The token behind a short stand-in (``None`` if unknown: sent before a restart)."""
        return self._tokens.get((user_id, short))

    def add_answers(self, user_id: int, token: str, values: tuple[tuple[str, str], ...]) -> None:
        """Keep a form part's answers until its last part is submitted."""
        key = (user_id, token)
        _put(self._answers, key, (*self._answers.get(key, ()), *values), self._size)

    def take_answers(self, user_id: int, token: str) -> tuple[tuple[str, str], ...]:
        return self._answers.pop((user_id, token), ())


def _put(
    cache: OrderedDict[tuple[int, str], Any], key: tuple[int, str], value: Any, size: int
) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)


class Sender:
    """Renders replies and sends them, remembering the forms it offers."""

    def __init__(self, forms: FormCache) -> None:
        self.forms = forms

    async def send(
        self,
        target: Target,
        replies: Sequence[Reply],
        *,
        user_id: int,
        interactive: bool = True,
    ) -> list[discord.Message]:
        return await self.send_rendered(
            target, render_replies(replies, interactive=interactive), user_id=user_id
        )

    async def send_rendered(
        self, target: Target, messages: Sequence[Outgoing], *, user_id: int
    ) -> list[discord.Message]:
        sent: list[discord.Message] = []
        for message in messages:
            _check(message)
            for form in message.forms:
                self.forms.put(user_id, form)
            for short, token in message.tokens:
                self.forms.put_token(user_id, short, token)
            posted = await target.send(message)
            if posted is not None:
                sent.append(posted)
        return sent


def _check(message: Outgoing) -> None:
    """Log (never raise) when a message breaks a limit discord.py does not check: the renderer
    should have prevented it, and Discord will answer 400; the log says which limit."""
    components = message.view.to_components() if message.view is not None else []
    embeds = [embed.to_dict() for embed in message.embeds]
    problems = message_problems(message.content, embeds, components)
    if problems:
        log.error("a rendered message breaks Discord's limits: %s", "; ".join(problems))


class DiscordDelivery:
    """Sends what the scheduler produces (reminders, nudges, time-outs) to the user's DM.

    Made before the client (the coach's scheduler needs it), then bound to it in ``setup_hook``,
    once the client has logged in: sending needs the REST session only, not the gateway. A job
    that falls due before that waits up to 30 seconds, then fails and is retried later.
    """

    def __init__(self) -> None:
        self._client: discord.Client | None = None
        self._sender: Sender | None = None
        self._users: DiscordUsers | None = None
        self._bound = asyncio.Event()

    def bind(self, client: discord.Client, sender: Sender, users: DiscordUsers) -> None:
        self._client, self._sender, self._users = client, sender, users
        self._bound.set()

    async def deliver(self, conversation: ConversationRef, replies: Sequence[Reply]) -> None:
        try:
            await asyncio.wait_for(self._bound.wait(), _READY_WAIT)
        except TimeoutError as exc:  # the scheduler retries the job later, as for Slack
            raise DeliveryError("the Discord client has not logged in yet") from exc
        client, sender, users = self._client, self._sender, self._users
        if client is None or sender is None or users is None:  # pragma: no cover - bound above
            raise DeliveryError("delivery used before bind()")
        channel = client.get_partial_messageable(
            int(conversation.channel), type=discord.ChannelType.private
        )
        mine = [reply for reply in replies if reply.destination != "referral_channel"]
        try:
            await sender.send(ChannelTarget(channel), mine, user_id=int(conversation.user))
        except (discord.Forbidden, discord.NotFound) as exc:
            # Trying again would fail the same way (and count as an invalid request).
            if is_dm_closed(exc):
                await users.dm_failed(conversation.user)
            else:
                log.warning(
                    "DM to %s failed with HTTP %s (code %s); not retried",
                    conversation.user_key,
                    exc.status,
                    exc.code,
                )
