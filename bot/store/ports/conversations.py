"""The conversations port: load a conversation, commit a turn, processed event ids, flow
sources."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.store.records import KeptState, StoredConversation, TurnCommit

__all__ = ("ConversationStore", "EventExpiry")


class EventExpiry(Protocol):
    """Forgetting what only guards against platform retries (the scheduler calls it)."""

    async def purge_expired_events(self, now: datetime) -> int:
        """Delete processed event ids and done inbox rows that expired by ``now``; the count."""


class ConversationStore(EventExpiry, Protocol):
    """What a turn reads and writes (the engine's port).

    A turn is committed atomically with :meth:`commit_turn`: the conversation's new state (with
    an optimistic version check), the processed event id (so a retried event is handled once),
    the jobs the turn scheduled or cancelled, and the turn's funnel counts. Nothing a turn did
    is half-saved.
    """

    async def load_conversation(self, key: str) -> StoredConversation | None: ...

    def take_kept(self, key: str) -> KeptState | None:
        """What the last commit for ``key`` left with the store (``TurnCommit.keep``), if
        nothing was saved for ``key`` since; given out once, since the caller changes it. A
        store that keeps its data out of the process returns None (load and decode instead)."""

    async def commit_turn(self, commit: TurnCommit) -> int:
        """Save a turn; return the new version.

        Raises:
            VersionConflictError: the stored version is not ``commit.expected_version``.
            DuplicateEventError: ``commit.event_id`` was processed already.
        """

    async def is_processed(self, event_id: str) -> bool: ...

    async def save_flow_source(self, *, version: str, flow_id: str, source: str) -> None:
        """Keep a flow's source under its version (a second save of one version is a no-op),
        so a conversation started on an older flow can finish on it."""

    async def load_flow_source(self, version: str) -> str | None: ...
