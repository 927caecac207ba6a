"""What the bot does with each Discord event: the slash command, buttons, modals and DMs.

Every handler turns the event into an :class:`~bot.boundary.Incoming` (with
:mod:`adapters.discord.convert`), hands it to the engine and sends the replies. Interactions
are acknowledged with ``defer()`` before anything touches the database, because Discord allows
3 seconds for the first response; the replies then go out as follow-ups (valid 15 minutes).
The one exception is a "fill in" button, whose modal must itself be the first response.

Where the answer goes: the conversation always lives in the user's DM with the bot. In a DM
the replies are ordinary messages there. In a server (or a group DM, for the user-installed
app) the replies are shown privately (ephemeral) without buttons, the buttons are sent to the
DM (ephemeral messages disappear, so their buttons would not outlive a restart), and a link
offers to continue there. If the DM is refused, the buttons stay in the private reply.

No handler lets an exception escape into discord.py: failures are logged with their type only
(never message text) and the user gets a short apology.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from adapters.discord.answered import mark_answered
from adapters.discord.controls import build_modal, form_button_view, form_parts
from adapters.discord.convert import (
    MODAL_PREFIX,
    SHORT_MARK,
    command_to_incoming,
    event_id,
    is_bot_dm,
    message_to_incoming,
    modal_values,
    part_of,
    to_conversation,
    to_user_info,
    wants_answer,
)
from adapters.discord.delivery import ChannelTarget, FollowupTarget, Sender, is_dm_closed
from adapters.discord.inbox import interaction_route
from adapters.discord.limits import CONTENT, size
from adapters.discord.referral_desk import REFERRAL_PREFIX, ReferralDesk
from adapters.discord.render import Outgoing, link_view, render_replies
from adapters.discord.users import DiscordUsers
from bot.app import APOLOGY, Inbox, integer_stamp
from bot.boundary import Command, ConversationRef, Form, Incoming, Reply, UserInfo

if TYPE_CHECKING:
    from bot.app import Coach

__all__ = ("Handlers", "dm_url")

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
MakeIncoming = Callable[[ConversationRef, UserInfo], Incoming]
CONTINUE_IN_DM = "The buttons are in our DM, where we can continue."
DM_LINK_LABEL = "Continue in DM"
CANNOT_DM = (
    "I couldn't open a DM with you (your DMs are closed to me), so the buttons are here; they "
    "work until Discord removes this private message. Allow DMs from this server to get reminders."
)
ADMIN_ONLY = "Only members with the Manage Server permission can choose the referral channel."
MAX_TOPIC_CHOICES = 25
PART_SAVED = "Saved part {done} of {parts}. The button below opens the next part."


def dm_url(channel_id: int) -> str:
    """A link that opens the DM channel in the Discord client."""
    return f"https://discord.com/channels/@me/{channel_id}"


class Handlers:
    """The bot's behaviour; :mod:`adapters.discord.client` routes events here."""

    def __init__(
        self,
        *,
        coach: Coach,
        client: discord.Client,
        sender: Sender,
        users: DiscordUsers,
        desk: ReferralDesk | None = None,
    ) -> None:
        self.coach = coach
        self.client = client
        self.sender = sender
        self.users = users
        self.desk = desk
        self.inbox: Inbox | None = None  # set by the client: DMs then go through the inbox

    # -- events -----------------------------------------------------------------------------

    async def recruiter(
        self, interaction: Interaction, topic: str | None, question: str | None
    ) -> None:
        """``/recruiter [topic] [question]``."""
        known = bool(topic) and self.coach.knows_topic(topic or "")

        def make(conversation: ConversationRef, user: UserInfo) -> Incoming:
            return command_to_incoming(
                conversation,
                topic=topic,
                question=question,
                topic_known=known,
                user=user,
                snowflake=interaction.id,
                received_at=interaction.created_at,
            )

        await self._guarded(interaction, self._respond(interaction, make, thinking=True))

    async def check_text(self, interaction: Interaction, text: str) -> None:
        """The "Check this recruiter" context menu: ``/recruiter check <text>``, answered
        privately like ``/recruiter`` (the text is never echoed to the channel)."""
        await self.recruiter(interaction, "check", text or None)

    async def choice_pressed(self, interaction: Interaction, token: str) -> None:
        resolved = self._resolve(interaction, token)
        if resolved is None:  # a short token sent before a restart: ask the question again
            await self._repeat(interaction)
            return
        token = resolved
        if token.startswith(REFERRAL_PREFIX) and self.desk is not None:
            await self._guarded(interaction, self.desk.pressed(interaction, token))
            return
        await self._guarded(
            interaction, self._respond(interaction, _incoming(interaction, choice_token=token))
        )
        await mark_answered(interaction)

    async def label_pressed(self, interaction: Interaction, label: str) -> None:
        await self._guarded(
            interaction, self._respond(interaction, _incoming(interaction, text=label))
        )
        await mark_answered(interaction)

    async def form_pressed(self, interaction: Interaction, token: str) -> None:
        part, token = part_of(token)
        resolved = self._resolve(interaction, token)
        form = self.sender.forms.get(interaction.user.id, resolved) if resolved else None
        if form is None:  # offered before a restart: show the question (and a new button) again
            await self._repeat(interaction)
            return
        modal = build_modal(form, min(part, form_parts(form) - 1))
        await self._guarded(interaction, interaction.response.send_modal(modal))

    async def modal_submitted(self, interaction: Interaction) -> None:
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        if not custom_id.startswith(MODAL_PREFIX):
            return  # not ours
        part, token = part_of(custom_id.removeprefix(MODAL_PREFIX))
        resolved = self._resolve(interaction, token)
        if resolved is None:
            await self._repeat(interaction)
            return
        forms, user_id = self.sender.forms, interaction.user.id
        form = forms.get(user_id, resolved)
        values = modal_values(data, [f.name for f in form.fields] if form else ())
        if form is not None and part + 1 < form_parts(form):
            forms.add_answers(user_id, resolved, values)
            await self._guarded(interaction, self._next_part(interaction, form, part + 1))
            return
        values = (*forms.take_answers(user_id, resolved), *values)
        make = _incoming(interaction, choice_token=resolved, form=values)
        await self._guarded(interaction, self._respond(interaction, make))

    async def _next_part(self, interaction: Interaction, form: Form, part: int) -> None:
        """A form in several modals: the button that opens the next one (a modal cannot open
        another modal)."""
        buttons = form_button_view(form, part)
        for short, token in buttons.tokens:
            self.sender.forms.put_token(interaction.user.id, short, token)
        text = PART_SAVED.format(done=part, parts=form_parts(form))
        await interaction.response.send_message(
            text, view=buttons.views[0], ephemeral=not is_bot_dm(interaction)
        )

    def _resolve(self, interaction: Interaction, token: str) -> str | None:
        """The engine's token behind a button's (a short stand-in mapped back, if known)."""
        if not token.startswith(SHORT_MARK):
            return token
        return self.sender.forms.token(interaction.user.id, token)

    async def _repeat(self, interaction: Interaction) -> None:
        """The question again, run here rather than by any process's inbox: its fresh buttons
        are then remembered by this process, the one that receives their presses."""
        make = _incoming(interaction, command=Command("repeat"))
        await self._guarded(interaction, self._respond(interaction, make, here=True))

    async def dm_message(self, message: discord.Message) -> None:
        """A message typed in a DM with the bot."""
        own = self.client.user.id if self.client.user else None
        if not wants_answer(message, own_id=own):
            return
        try:
            space, notes = await self.users.arrive(message.author.id, None)
            incoming = message_to_incoming(message, space=space)
            if self.inbox is not None:  # saved first, run in order (adapters.discord.inbox)
                route = {"notes": [note.text for note in notes]}
                stamp = integer_stamp(message.id)
                await self.inbox.enqueue(incoming, stamp=stamp, route=route)
                return
            replies = [*notes, *await self.coach.handle(incoming)]  # handle never raises
            replies = await self.route(incoming.conversation, replies)
            target = ChannelTarget(message.channel)
            await self.sender.send(target, replies, user_id=message.author.id)
        except Exception as exc:
            log.error(
                "DM from discord user %s failed with %s", message.author.id, type(exc).__name__
            )

    def topic_choices(self, current: str) -> list[app_commands.Choice[str]]:
        """Autocomplete for ``topic``: the topic ids flows declare, filtered by what is typed."""
        typed = current.strip().casefold()
        choices = []
        for topic, title in self.coach.topics():
            name = f"{title} ({topic})"[:100]
            if typed in name.casefold():
                choices.append(app_commands.Choice(name=name, value=topic))
        return choices[:MAX_TOPIC_CHOICES]

    async def set_referral_channel(
        self, interaction: Interaction, channel: app_commands.AppCommandChannel
    ) -> None:
        """``/recruiter-admin referral-channel``: for members with Manage Server only."""
        if self.desk is None:
            await self._guarded(interaction, _private(interaction, "Referrals are not available."))
        elif not interaction.permissions.manage_guild or interaction.guild_id is None:
            await self._guarded(interaction, _private(interaction, ADMIN_ONLY))
        else:
            await self._guarded(interaction, self.desk.set_channel(interaction, channel))

    # -- answering ----------------------------------------------------------------------------

    async def _respond(
        self,
        interaction: Interaction,
        make: MakeIncoming,
        *,
        thinking: bool = False,
        here: bool = False,
    ) -> None:
        shared = not is_bot_dm(interaction)
        # Acknowledge first: everything below talks to the database (3 s deadline).
        await interaction.response.defer(ephemeral=shared, thinking=thinking)
        dm = await self._dm_channel(interaction)
        user_id = interaction.user.id
        space, notes = await self.users.arrive(user_id, interaction.guild_id)
        conversation = to_conversation(user_id=user_id, dm_channel_id=dm.id, space=space)
        incoming = make(conversation, to_user_info(interaction.user, interaction.locale))
        if self.inbox is not None and not here:  # saved, then run in order by any process
            route = interaction_route(interaction, shared=shared, dm_id=dm.id, notes=notes)
            await self.inbox.enqueue(incoming, stamp=integer_stamp(interaction.id), route=route)
            return
        replies = [*notes, *await self.coach.handle(incoming)]  # handle never raises
        await self.answer(interaction.followup, conversation, replies, shared=shared)

    async def answer(
        self,
        followup: discord.Webhook,
        conversation: ConversationRef,
        replies: list[Reply],
        *,
        shared: bool,
    ) -> None:
        """Send a turn's replies as an interaction's follow-ups (in this process, or in any
        other from the inbox: the webhook is rebuilt from the saved token)."""
        user_id, dm_id = int(conversation.user), int(conversation.channel)
        replies = await self.route(conversation, replies)
        if shared:
            dm = self.client.get_partial_messageable(dm_id, type=discord.ChannelType.private)
            await _answer_in_shared_place(self.sender, followup, dm, user_id, replies)
        else:
            target = FollowupTarget(followup, ephemeral=False)
            await self.sender.send(target, replies, user_id=user_id)

    async def answer_click(
        self, followup: discord.Webhook, clicker: int, replies: list[Reply]
    ) -> None:
        """A referral-card click's replies (the desk carries them)."""
        if self.desk is not None:
            await self.desk.answer_click(followup, clicker, replies)

    async def route(self, conversation: ConversationRef, replies: list[Reply]) -> list[Reply]:
        """Referral cards go to their channel (and are left out); the rest stay."""
        if self.desk is None:
            return [reply for reply in replies if reply.destination != "referral_channel"]
        return await self.desk.post_channel_replies(conversation, replies)

    async def _dm_channel(self, interaction: Interaction) -> discord.abc.Snowflake:
        channel = interaction.channel
        if is_bot_dm(interaction) and channel is not None:
            return channel
        return await interaction.user.create_dm()  # cached by discord.py after the first call

    async def _guarded(self, interaction: Interaction, action: Awaitable[object]) -> None:
        try:
            await action
        except Exception as exc:
            log.error(
                "discord interaction %s (type %s) failed with %s",
                interaction.id,
                interaction.type.value,
                type(exc).__name__,
            )
            with contextlib.suppress(Exception):
                await _private(interaction, APOLOGY)


async def _answer_in_shared_place(
    sender: Sender,
    followup: discord.Webhook,
    dm: discord.PartialMessageable,
    user_id: int,
    replies: list[Reply],
) -> None:
    """In a server: buttons to the DM (if it accepts them), the rest privately, with a link."""
    interactive = any(reply.choices or reply.form for reply in replies)
    for_dm = interactive or any(reply.destination == "dm" for reply in replies)
    in_dm = for_dm and await _send_to_dm(sender, dm, replies, user_id)
    private = render_replies(replies, interactive=not in_dm)
    if interactive and not in_dm:
        messages = _with_dm_link(private, CANNOT_DM, None)
    else:  # offer the DM even when nothing needed it: the conversation continues there
        messages = _with_dm_link(private, CONTINUE_IN_DM if in_dm else None, dm_url(dm.id))
    target = FollowupTarget(followup, ephemeral=True)
    await sender.send_rendered(target, messages, user_id=user_id)


async def _send_to_dm(
    sender: Sender, dm: discord.PartialMessageable, replies: list[Reply], user_id: int
) -> bool:
    try:
        await sender.send(ChannelTarget(dm), replies, user_id=user_id)
    except discord.Forbidden as exc:
        if not is_dm_closed(exc):
            raise
        log.warning("DM to discord user %s refused (DMs closed)", user_id)
        return False
    return True


def _incoming(interaction: Interaction, **fields: Any) -> MakeIncoming:
    def make(conversation: ConversationRef, user: UserInfo) -> Incoming:
        return Incoming(
            conversation=conversation,
            event_id=event_id(interaction.id),
            received_at=interaction.created_at,
            user=user,
            **fields,
        )

    return make


async def _private(interaction: Interaction, text: str) -> None:
    """A short private answer, whether or not the interaction was acknowledged already."""
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


def _with_dm_link(messages: list[Outgoing], note: str | None, url: str | None) -> list[Outgoing]:
    """Adds ``note`` (and a button linking to the DM) to the last message, or after it."""
    if note is None and url is None:
        return messages
    view = link_view(DM_LINK_LABEL, url) if url else None
    last = messages[-1] if messages else None
    text = note or ""
    if last is not None and last.view is None and not last.embeds and last.content:
        joined = f"{last.content}\n\n{text}".strip()
        if size(joined) <= CONTENT:
            return [*messages[:-1], Outgoing(joined, view=view, forms=last.forms)]
    return [*messages, Outgoing(text or DM_LINK_LABEL, view=view)]
