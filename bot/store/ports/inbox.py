"""The inbox port: platform events saved before they are acknowledged, run by one worker per
conversation (:mod:`bot.dialog.inbox` uses it)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.store.records import JSON, InboxEvent

__all__ = ("InboxStore",)


class InboxStore(Protocol):
    """The durable inbox."""

    async def enqueue_event(
        self,
        *,
        event_id: str,
        conversation_key: str,
        user_key: str,
        stamp: str,
        payload: dict[str, JSON],
        now: datetime,
        due_at: datetime | None = None,
    ) -> bool:
        """Save a platform event before it is acknowledged; False (saving nothing) when this
        ``event_id`` is in the inbox already (a platform retry). The event is not
        claimed before ``due_at`` (None: before ``settle_seconds`` have passed)."""

    async def claim_conversations(
        self,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_seconds: float,
        settle_seconds: float = 0.0,
        platforms: tuple[str, ...] | None = None,
    ) -> list[str]:
        """Claim up to ``limit`` conversations with pending inbox events for ``worker``, oldest
        first. A conversation is held by one worker at a time; a hold not renewed for
        ``lease_seconds`` is taken to be from a worker that died and may be claimed again.
        Conversations whose oldest pending event came in less than ``settle_seconds`` ago are
        left for the next claim (events sent together may reach two workers out of order)."""

    async def next_inbox_event(
        self, conversation_key: str, *, worker: str, now: datetime
    ) -> tuple[bool, InboxEvent | None]:
        """Renew ``worker``'s hold on the conversation and return its next pending event in
        ``stamp`` order. ``(False, None)`` when the hold was lost (its lease ran out and
        another worker claimed the conversation): the caller must stop."""

    async def finish_inbox_event(self, inbox_id: int, *, now: datetime) -> None:
        """Mark an event done; its payload is dropped at once, the row kept as long as a
        processed event id is (a late platform retry is recognised)."""

    async def renew_conversation(
        self, conversation_key: str, *, worker: str, now: datetime
    ) -> bool:
        """Renew ``worker``'s hold on the conversation while one of its turns runs (a turn that
        waits on a busy database may outlast the lease); False when the hold was lost."""

    async def keep_inbox_replies(self, event_id: str, replies: list[JSON]) -> None:
        """Keep the replies of an event that is not a conversation's turn (a referral-card
        click) in its pending inbox row until they are sent, as a turn's commit keeps a turn's
        (nothing when the event has no pending row)."""

    async def release_conversation(self, conversation_key: str, *, worker: str) -> None:
        """Give the hold on a conversation up (its events are all done, or the worker stops)."""
