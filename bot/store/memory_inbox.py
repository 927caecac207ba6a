"""The durable inbox on dicts, mixed into :class:`bot.store.memory.MemoryStore`: the same
contract as :mod:`bot.store.sql_inbox` for one process (tests, benchmarks). Like the rest of the
memory store, no method awaits, so each is atomic with respect to the others."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.store.records import JSON, InboxEvent

__all__ = ("InboxMemory",)

_DONE_TTL = timedelta(days=1)


@dataclass(slots=True)
class _Hold:
    worker: str
    at: datetime


class InboxMemory:
    """Inbox methods of :class:`bot.store.memory.MemoryStore`."""

    def __init__(self) -> None:
        self._inbox: dict[int, InboxEvent] = {}  # pending events by id
        self._inbox_ids: dict[str, datetime | None] = {}  # event id -> expiry (None: pending)
        self._pending_by_event: dict[str, int] = {}  # event id -> its pending event's id
        self._holds: dict[str, _Hold] = {}
        self._next_inbox_id = 1

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
        if event_id in self._inbox_ids:
            return False
        self._inbox_ids[event_id] = None
        inbox_id, self._next_inbox_id = self._next_inbox_id, self._next_inbox_id + 1
        self._pending_by_event[event_id] = inbox_id
        self._inbox[inbox_id] = InboxEvent(
            inbox_id, event_id, conversation_key, user_key, stamp, payload, now, 0, due_at
        )
        return True

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
        stale = now - timedelta(seconds=lease_seconds)
        settled = now - timedelta(seconds=settle_seconds)
        claimed: list[str] = []
        for event in sorted(self._inbox.values(), key=lambda e: e.id):
            key = event.conversation_key
            if len(claimed) >= limit:
                break
            due = event.due_at is None and event.enqueued_at <= settled
            if key in claimed or not (due or (event.due_at is not None and event.due_at <= now)):
                continue
            if platforms is not None and not key.startswith(tuple(f"{p}:" for p in platforms)):
                continue
            hold = self._holds.get(key)
            if hold is None or hold.at < stale:
                self._holds[key] = _Hold(worker, now)
                claimed.append(key)
        return claimed

    async def next_inbox_event(
        self, conversation_key: str, *, worker: str, now: datetime
    ) -> tuple[bool, InboxEvent | None]:
        hold = self._holds.get(conversation_key)
        if hold is None or hold.worker != worker:
            return False, None
        hold.at = now
        mine = [e for e in self._inbox.values() if e.conversation_key == conversation_key]
        if not mine:
            return True, None
        return True, min(mine, key=lambda e: (e.stamp, e.id))

    async def renew_conversation(
        self, conversation_key: str, *, worker: str, now: datetime
    ) -> bool:
        hold = self._holds.get(conversation_key)
        if hold is None or hold.worker != worker:
            return False
        hold.at = now
        return True

    async def finish_inbox_event(self, inbox_id: int, *, now: datetime) -> None:
        event = self._inbox.pop(inbox_id, None)
        if event is None:
            return
        self._pending_by_event.pop(event.event_id, None)
        if event.event_id in self._inbox_ids:
            self._inbox_ids[event.event_id] = now + _DONE_TTL

    async def keep_inbox_replies(self, event_id: str, replies: list[JSON]) -> None:
        self._keep_replies(event_id, replies)

    def _keep_replies(self, event_id: str, replies: list[JSON]) -> None:
        """Inside a turn's commit: keep its replies with its pending event (if it has one)."""
        inbox_id = self._pending_by_event.get(event_id)
        if inbox_id is not None:
            self._inbox[inbox_id] = replace(self._inbox[inbox_id], replies=copy.deepcopy(replies))

    async def release_conversation(self, conversation_key: str, *, worker: str) -> None:
        hold = self._holds.get(conversation_key)
        if hold is not None and hold.worker == worker:
            del self._holds[conversation_key]

    def _purge_inbox(self, now: datetime) -> int:
        done = [key for key, at in self._inbox_ids.items() if at is not None and at <= now]
        for key in done:
            del self._inbox_ids[key]
        return len(done)

    def _export_inbox(self, user_key: str) -> list[dict[str, JSON]]:
        """The user's events not handled yet, shaped like the SQL rows (done ones are gone)."""
        return [
            {
                "id": e.id,
                "event_id": e.event_id,
                "conversation_key": e.conversation_key,
                "user_key": e.user_key,
                "stamp": e.stamp,
                "payload": e.payload,
                "status": "pending",
                "attempts": e.attempts,
                "enqueued_at": e.enqueued_at.isoformat(),
            }
            for e in sorted(self._inbox.values(), key=lambda e: e.id)
            if e.user_key == user_key
        ]

    def _forget_inbox(self, user_key: str) -> int:
        gone = [e for e in self._inbox.values() if e.user_key == user_key]
        for event in gone:
            del self._inbox[event.id]
            self._inbox_ids.pop(event.event_id, None)
            self._pending_by_event.pop(event.event_id, None)
        return len(gone)
