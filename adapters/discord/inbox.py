"""Discord's side of the durable inbox (:mod:`bot.dialog.inbox`): DMs and interactions are saved
first, then run one at a time per conversation, in the order of their snowflake ids, by any
process of the bot.

- A DM (``route["kind"] == "dm"``, the default): the gateway hands it to one process once (there
  is no retry to wait for), so the inbox is what keeps a DM the process took in but had not
  answered when it died: the next start, or another process, takes it over.
- An interaction (a slash command, a button, a select, a modal; ``"interaction"``): the
  receiving process defers it first (Discord allows 3 s), then saves it with its follow-up
  token (valid 15 minutes). The replies go out as follow-ups from whichever process runs it:
  the webhook is rebuilt from the token (:func:`~adapters.discord.delivery.interaction_webhook`).
- A referral-card click (``"referral"``): deferred as an update of the card, saved with its
  event id (so a click handed over twice is counted once), the card edited through the token.

Notes computed when the event came in (such as "your DMs were closed") travel with it.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Protocol

import discord

from adapters.discord.delivery import ChannelTarget, Sender, interaction_webhook, is_dm_closed
from bot.app import APOLOGY
from bot.boundary import ConversationRef, Incoming, Reply

if TYPE_CHECKING:
    from adapters.discord.users import DiscordUsers

__all__ = ("INBOX_CONCURRENCY", "Answers", "DiscordInbox", "interaction_route")

INBOX_CONCURRENCY = 8  # conversations run at once, under the connection pool's size


class Answers(Protocol):
    """Where the inbox hands replies back (the handlers and the referral desk)."""

    async def route(self, conversation: ConversationRef, replies: list[Reply]) -> list[Reply]:
        """Post the referral cards in their channel; the rest stay."""

    async def answer(
        self,
        followup: discord.Webhook,
        conversation: ConversationRef,
        replies: list[Reply],
        *,
        shared: bool,
    ) -> None:
        """Send an interaction's replies as its follow-ups."""

    async def answer_click(
        self, followup: discord.Webhook, clicker: int, replies: list[Reply]
    ) -> None:
        """Edit the clicked card, thank the clicker, tell the sharer."""


def interaction_route(
    interaction: discord.Interaction[Any],
    *,
    kind: str = "interaction",
    shared: bool = False,
    dm_id: int | None = None,
    notes: list[Reply] | tuple[Reply, ...] = (),
) -> dict[str, Any]:
    """What the inbox needs to answer an interaction from any process: its token (never
    logged), whether the answer is private in a shared place, the DM, and notes to show."""
    return {
        "kind": kind,
        "application_id": str(interaction.application_id),
        "token": interaction.token,
        "shared": shared,
        "dm": None if dm_id is None else str(dm_id),
        "notes": [note.text for note in notes],
    }


class DiscordInbox:
    """The :class:`bot.dialog.inbox.InboxAdapter` for Discord."""

    def __init__(
        self, client: discord.Client, sender: Sender, users: DiscordUsers, answers: Answers
    ) -> None:
        self.client = client
        self.sender = sender
        self.users = users
        self.answers = answers

    async def prepare(self, incoming: Incoming, route: dict[str, Any]) -> Incoming:
        return incoming  # the author's details came with the gateway event

    async def deliver(
        self, incoming: Incoming, route: dict[str, Any], replies: list[Reply]
    ) -> None:
        notes = [Reply(str(text)) for text in route.get("notes") or ()]
        kind = route.get("kind", "dm")
        if kind == "dm":
            await self._to_dm(incoming.conversation, [*notes, *replies])
            return
        followup = interaction_webhook(
            self.client, int(route["application_id"]), str(route["token"])
        )
        try:
            if kind == "referral":
                clicker = int(incoming.conversation.user)
                await self.answers.answer_click(followup, clicker, replies)
            else:
                shared = bool(route.get("shared"))
                await self.answers.answer(
                    followup, incoming.conversation, [*notes, *replies], shared=shared
                )
        except Exception:
            # The person waits on "thinking...": a short apology, if even that can be sent;
            # the inbox logs the failure (its type only).
            with contextlib.suppress(Exception):
                await followup.send(APOLOGY, ephemeral=True)
            raise

    async def _to_dm(self, ref: ConversationRef, replies: list[Reply]) -> None:
        replies = await self.answers.route(ref, replies)
        if not replies:
            return
        channel = self.client.get_partial_messageable(
            int(ref.channel), type=discord.ChannelType.private
        )
        try:
            await self.sender.send(ChannelTarget(channel), replies, user_id=int(ref.user))
        except discord.Forbidden as exc:
            if not is_dm_closed(exc):
                raise
            await self.users.dm_failed(ref.user)
