"""An in-process store on plain dicts: every port of :class:`bot.store.Store`, nothing on disk.

Where it earns its place: ``recruiter-coach flows test`` (:mod:`bot.flowtools.transcript`) and
the studio run every transcript on it, the benchmark's ``memory`` backend measures the engine
without a database, and the shared store tests (``any_store``) run it beside SQLite and
PostgreSQL so that it keeps the same contract. A turn on it costs a small fraction of a turn on
SQLite, in memory or on a file (docs/benchmarks.md, "The in-memory store"), which is why it was
kept instead of SQLite's ``:memory:``.

It is built to be cheap in time and space: conversations, jobs and users are kept as compact
JSON bytes (orjson; :mod:`bot.store.memory_rows`), so live conversations cost a few hundred
bytes each rather than kilobytes of small Python objects. The conversations that answered last
(at most :data:`MAX_KEPT`) wait unpacked, as committed: a conversation's state is packed once
when it goes quiet, not after every turn of a burst (packing was the largest part of a commit).

No lock is needed: every method finishes without awaiting anything, and asyncio switches
coroutines only at an ``await`` that suspends, so each call is atomic with respect to the others.
Keep it that way; a method that awaits in the middle would need an ``asyncio.Lock``.

Personal data (contacts, referrals, space settings, funnel counts) lives in
:mod:`bot.store.memory_personal`, the inbox in :mod:`bot.store.memory_inbox` and scheduled jobs in
:mod:`bot.store.memory_jobs`, all mixed into :class:`MemoryStore`.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime

from bot.store.errors import DuplicateEventError, VersionConflictError
from bot.store.memory_inbox import InboxMemory
from bot.store.memory_jobs import JobsMemory
from bot.store.memory_personal import PersonalDataMemory, exportable
from bot.store.memory_profiles import ProfilesMemory
from bot.store.memory_rows import (
    Shapes,
    SharedRows,
    pack_user,
    unpack_user,
    user_key_of,
    version_of,
)
from bot.store.records import (
    DEFAULT_EVENT_TTL,
    JSON,
    KeptState,
    StoredConversation,
    TurnCommit,
    UserRecord,
    processed_key,
)

__all__ = ("MAX_KEPT", "MemoryStore")

# States kept decoded for the next turn (TurnCommit.keep), and rows not packed yet: the
# conversations that answered last. This store serves the console, the studio and `flows test`,
# one person at a time; a decoded state is about ten times its packed row (7 KB against 600
# bytes), so few are kept.
MAX_KEPT = 4

# A committed row not packed yet: (version, updated_at as a UNIX time, user key, state).
_RecentRow = tuple[int, float, str, JSON]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MemoryStore(PersonalDataMemory, InboxMemory, JobsMemory, ProfilesMemory):
    """Every store port (:class:`bot.store.Store`) on dicts. Data lives as long as the object."""

    def __init__(self) -> None:
        PersonalDataMemory.__init__(self)
        InboxMemory.__init__(self)
        JobsMemory.__init__(self)
        ProfilesMemory.__init__(self)
        self._conversations: dict[str, bytes] = {}  # key -> self._shapes.pack(...)
        # Rows of the latest commits, not packed yet: the newest last, at most MAX_KEPT. Such a
        # row is newer than the key's packed one, if any (left in place until it is packed
        # again: a table whose keys were deleted and added again grows); readers other than a
        # turn's pack first.
        self._recent_rows: dict[str, _RecentRow] = {}
        self._kept: dict[str, KeptState] = {}  # the newest last, at most MAX_KEPT
        self._shapes = Shapes()
        self._users: dict[str, bytes] = {}  # user key -> pack_user(...), shared:
        self._user_rows = SharedRows()
        self._events: dict[str, datetime] = {}
        self._flows: dict[str, str] = {}

    async def open(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Nothing to release; the data stays until the object goes."""

    # conversations and turns

    def conversation_bytes(self) -> int:
        """Bytes the stored conversations take (states, rows, keys, the table): for benchmarks."""
        self._pack_all()
        rows = self._conversations
        size = sys.getsizeof(rows)
        for key, row in rows.items():
            size += sys.getsizeof(key) + sys.getsizeof(row)
        return size

    async def load_conversation(self, key: str) -> StoredConversation | None:
        if key in self._recent_rows:  # a copy, as from a database: the row stays as committed
            self._pack(key)
        row = self._conversations.get(key)
        return None if row is None else self._shapes.unpack(key, row)

    def take_kept(self, key: str) -> KeptState | None:
        kept = self._kept.pop(key, None)
        if kept is None:
            return None
        return kept if self._version(key) == kept.version else None

    def _version(self, key: str) -> int:
        """The saved version of a conversation, 0 when there is none."""
        recent = self._recent_rows.get(key)
        if recent is not None:
            return recent[0]
        row = self._conversations.get(key)
        return 0 if row is None else version_of(row)

    async def commit_turn(self, commit: TurnCommit) -> int:
        # Check everything first, then write: a failed commit must leave nothing behind.
        current = self._version(commit.conversation_key)
        if commit.event_id is not None and self._is_live_event(commit.event_id, _utcnow()):
            raise DuplicateEventError(commit.event_id)
        if current != commit.expected_version:
            raise VersionConflictError(commit.conversation_key)
        if commit.event_id is not None:
            self._events[processed_key(commit.event_id)] = commit.event_expires_at or (
                _utcnow() + DEFAULT_EVENT_TTL
            )
        version = self._write_conversation(commit, current)
        self._keep(commit, version)
        if commit.event_id is not None and commit.replies is not None:
            self._keep_replies(commit.event_id, commit.replies)
        if commit.cancel_job_keys:  # most turns schedule and cancel nothing
            self._cancel(commit.cancel_job_keys)
        if commit.new_jobs:
            self._schedule(commit.new_jobs)
        self._count_funnel(commit.funnel)
        return version

    def _write_conversation(self, commit: TurnCommit, current: int) -> int:
        key, recent = commit.conversation_key, self._recent_rows
        recent.pop(key, None)  # put back last: the newest
        if commit.state is None:
            self._conversations.pop(key, None)
            return 0
        version = current + 1
        recent[key] = (version, time.time(), commit.user_key, commit.state)
        if len(recent) > MAX_KEPT:  # the quietest of them is packed
            self._pack(next(iter(recent)))
        return version

    def _pack(self, key: str) -> None:
        version, updated_at, user_key, state = self._recent_rows.pop(key)
        self._conversations[key] = self._shapes.pack(key, version, updated_at, user_key, state)

    def _pack_all(self) -> None:
        """Before anything reads the conversations as rows (export, forget, their size)."""
        for key in list(self._recent_rows):
            self._pack(key)

    def _keep(self, commit: TurnCommit, version: int) -> None:
        key, kept = commit.conversation_key, self._kept
        kept.pop(key, None)  # an older one, or one of a turn that failed, is out of date
        if commit.keep is None or commit.state is None:
            return
        kept[key] = KeptState(version, commit.keep)
        if len(kept) > MAX_KEPT:
            del kept[next(iter(kept))]

    # processed events

    def _is_live_event(self, event_id: str, now: datetime) -> bool:
        expires_at = self._events.get(processed_key(event_id))
        return expires_at is not None and expires_at > now

    async def is_processed(self, event_id: str) -> bool:
        return self._is_live_event(event_id, _utcnow())

    async def purge_expired_events(self, now: datetime) -> int:
        expired = [event_id for event_id, at in self._events.items() if at <= now]
        for event_id in expired:
            del self._events[event_id]
        return len(expired) + self._purge_inbox(now)

    # users

    async def load_user(self, user_key: str) -> UserRecord | None:
        row = self._users.get(user_key)
        return None if row is None else unpack_user(user_key, row)

    async def save_user(self, user: UserRecord) -> None:
        row = self._user_rows.take(pack_user(user))
        old = self._users.get(user.user_key)
        self._users[user.user_key] = row
        if old is not None:
            self._user_rows.give_back(old)

    # flow sources

    async def save_flow_source(self, *, version: str, flow_id: str, source: str) -> None:
        self._flows.setdefault(version, source)

    async def load_flow_source(self, version: str) -> str | None:
        return self._flows.get(version)

    # privacy

    async def export_user(self, user_key: str) -> dict[str, list[dict[str, JSON]]]:
        self._pack_all()
        conversations = [
            {
                "key": key,
                "user_key": user_key,
                "state": stored.state,
                "version": stored.version,
                "updated_at": stored.updated_at,
            }
            for key, row in self._conversations.items()
            if user_key_of(key, row) == user_key
            for stored in (self._shapes.unpack(key, row),)
        ]
        user = await self.load_user(user_key)
        jobs = self._export_jobs(user_key)
        return {
            "conversations": [exportable(c) for c in conversations],
            "users": [] if user is None else [exportable(asdict(user))],
            "jobs": [exportable(j) for j in jobs],
            **self._export_personal(user_key),
            "inbox_events": self._export_inbox(user_key),
            "profiles": self._export_profiles(user_key),
        }

    async def forget_user(self, user_key: str) -> int:
        self._pack_all()
        conversation_keys = [
            key for key, row in self._conversations.items() if user_key_of(key, row) == user_key
        ]
        for key in conversation_keys:
            del self._conversations[key]
            self._kept.pop(key, None)
        user_row = self._users.pop(user_key, None)
        if user_row is not None:
            self._user_rows.give_back(user_row)
        removed = len(conversation_keys) + (user_row is not None)
        removed += self._forget_jobs(user_key)
        removed += self._forget_profiles(user_key)
        return removed + self._forget_personal(user_key) + self._forget_inbox(user_key)
