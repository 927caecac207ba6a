"""An in-process store on plain dicts: every port of :class:`bot.store.Store`, nothing on disk.

Where it earns its place: ``recruiter-coach flows test`` (:mod:`bot.flowtools.transcript`) and
the studio run every transcript on it, the benchmark's ``memory`` backend measures the engine
without a database, and the shared store tests (``any_store``) run it beside SQLite and
PostgreSQL so that it keeps the same contract. A turn on it costs a small fraction of a turn on
SQLite, in memory or on a file (docs/benchmarks.md, "The in-memory store"), which is why it was
kept instead of SQLite's ``:memory:``.

It is built to be cheap in time and space: a conversation's state is kept as compact JSON bytes
(orjson), so live conversations cost a few hundred bytes each rather than kilobytes of small
Python objects.

No lock is needed: every method finishes without awaiting anything, and asyncio switches
coroutines only at an ``await`` that suspends, so each call is atomic with respect to the others.
Keep it that way; a method that awaits in the middle would need an ``asyncio.Lock``.

Personal data (contacts, referrals, space settings, funnel counts) lives in
:mod:`bot.store.memory_personal` and the inbox in :mod:`bot.store.memory_inbox`, both mixed into
:class:`MemoryStore`.
"""

from __future__ import annotations

import struct
import sys
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta

import orjson

from bot.store.errors import DuplicateEventError, VersionConflictError
from bot.store.memory_inbox import InboxMemory
from bot.store.memory_personal import PersonalDataMemory, exportable
from bot.store.records import (
    DEFAULT_EVENT_TTL,
    JSON,
    Job,
    JobSpec,
    StoredConversation,
    TurnCommit,
    UserRecord,
)

__all__ = ("MemoryStore",)


# A stored conversation is ONE bytes object: a header (version, updated_at as a UNIX time), the
# user key and a NUL, then the state as compact JSON. Thousands of live conversations then cost
# under a kilobyte each instead of kilobytes of small Python objects; orjson reads the state
# back in a microsecond or two.
_HEADER = struct.Struct("<Id")


def _pack(version: int, updated_at: datetime, user_key: str, state: JSON) -> bytes:
    head = _HEADER.pack(version, updated_at.timestamp())
    return b"".join((head, user_key.encode(), b"\0", orjson.dumps(state)))


def _version_of(row: bytes) -> int:
    version: int = _HEADER.unpack_from(row)[0]
    return version


def _user_key_of(row: bytes) -> str:
    return row[_HEADER.size : row.index(b"\0", _HEADER.size)].decode()


def _unpack(key: str, row: bytes) -> StoredConversation:
    version, stamp = _HEADER.unpack_from(row)
    body = memoryview(row)[row.index(b"\0", _HEADER.size) + 1 :]
    updated_at = datetime.fromtimestamp(stamp, UTC)
    return StoredConversation(key, orjson.loads(body), version, updated_at)


@dataclass(slots=True)
class _Job:
    """A mutable job row; :meth:`to_job` makes the frozen record callers see."""

    id: int
    spec: JobSpec
    due_at: datetime
    status: str = "pending"
    attempts: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    last_error: str | None = None
    sent_ref: str | None = None

    def to_job(self) -> Job:
        spec = self.spec
        return Job(
            id=self.id,
            kind=spec.kind,
            due_at=self.due_at,
            user_key=spec.user_key,
            conversation_key=spec.conversation_key,
            payload=spec.payload,
            job_key=spec.job_key,
            attempts=self.attempts,
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MemoryStore(PersonalDataMemory, InboxMemory):
    """Every store port (:class:`bot.store.Store`) on dicts. Data lives as long as the object."""

    def __init__(self) -> None:
        PersonalDataMemory.__init__(self)
        InboxMemory.__init__(self)
        self._conversations: dict[str, bytes] = {}  # key -> _pack(...)
        self._users: dict[str, UserRecord] = {}
        self._events: dict[str, datetime] = {}
        self._live_jobs: dict[int, _Job] = {}  # pending or running
        self._finished_jobs: dict[int, _Job] = {}  # done or failed, kept like the SQL rows
        self._live_by_key: dict[str, int] = {}
        self._flows: dict[str, str] = {}
        self._next_job_id = 1

    async def open(self) -> None:
        """Nothing to connect to."""

    async def close(self) -> None:
        """Nothing to release; the data stays until the object goes."""

    # conversations and turns

    def conversation_bytes(self) -> int:
        """Bytes the stored conversations take (states, rows, keys, the table): for benchmarks."""
        rows = self._conversations
        size = sys.getsizeof(rows)
        for key, row in rows.items():
            size += sys.getsizeof(key) + sys.getsizeof(row)
        return size

    async def load_conversation(self, key: str) -> StoredConversation | None:
        row = self._conversations.get(key)
        return None if row is None else _unpack(key, row)

    async def commit_turn(self, commit: TurnCommit) -> int:
        # Check everything first, then write: a failed commit must leave nothing behind.
        row = self._conversations.get(commit.conversation_key)
        current = 0 if row is None else _version_of(row)
        if commit.event_id is not None and self._is_live_event(commit.event_id, _utcnow()):
            raise DuplicateEventError(commit.event_id)
        if current != commit.expected_version:
            raise VersionConflictError(commit.conversation_key)
        if commit.event_id is not None:
            self._events[commit.event_id] = commit.event_expires_at or (
                _utcnow() + DEFAULT_EVENT_TTL
            )
        version = self._write_conversation(commit, current)
        self._cancel(commit.cancel_job_keys)
        self._schedule(commit.new_jobs)
        self._count_funnel(commit.funnel)
        return version

    def _write_conversation(self, commit: TurnCommit, current: int) -> int:
        key = commit.conversation_key
        if commit.state is None:
            self._conversations.pop(key, None)
            return 0
        version = current + 1
        self._conversations[key] = _pack(version, _utcnow(), commit.user_key, commit.state)
        return version

    # processed events

    def _is_live_event(self, event_id: str, now: datetime) -> bool:
        expires_at = self._events.get(event_id)
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
        return self._users.get(user_key)

    async def save_user(self, user: UserRecord) -> None:
        self._users[user.user_key] = user

    # jobs

    async def schedule_jobs(self, jobs: tuple[JobSpec, ...]) -> None:
        self._schedule(jobs)

    def _schedule(self, specs: tuple[JobSpec, ...]) -> None:
        for spec in specs:
            if spec.job_key is not None:
                self._replace_key(spec.job_key)
            job = _Job(id=self._next_job_id, spec=spec, due_at=spec.due_at)
            self._next_job_id += 1
            self._live_jobs[job.id] = job
            if spec.job_key is not None:
                self._live_by_key[spec.job_key] = job.id

    def _replace_key(self, job_key: str) -> None:
        """Drop the pending job with this key; a running one keeps running but loses the key
        (the SQL store clears its ``job_key``) so the new job can take it."""
        job_id = self._live_by_key.pop(job_key, None)
        if job_id is None:
            return
        job = self._live_jobs[job_id]
        if job.status == "pending":
            del self._live_jobs[job_id]
        else:
            job.spec = replace(job.spec, job_key=None)

    async def cancel_jobs(self, job_keys: tuple[str, ...]) -> int:
        return self._cancel(job_keys)

    def _cancel(self, job_keys: tuple[str, ...]) -> int:
        cancelled = 0
        for job_key in job_keys:
            job_id = self._live_by_key.get(job_key)
            if job_id is not None and self._live_jobs[job_id].status == "pending":
                del self._live_jobs[job_id]
                del self._live_by_key[job_key]
                cancelled += 1
        return cancelled

    async def claim_due_jobs(
        self,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_seconds: int,
        platforms: tuple[str, ...] | None = None,
    ) -> list[Job]:
        stale = now - timedelta(seconds=lease_seconds)
        prefixes = tuple(f"{p}:" for p in platforms) if platforms is not None else ("",)
        due = [
            job
            for job in self._live_jobs.values()
            if _claimable(job, now, stale) and job.spec.conversation_key.startswith(prefixes)
        ]
        due.sort(key=lambda job: (job.due_at, job.id))
        claimed = due[:limit]
        for job in claimed:
            job.status, job.claimed_by, job.claimed_at = "running", worker, now
            job.attempts += 1
        return [job.to_job() for job in claimed]

    async def mark_job_sending(self, job_id: int, *, attempts: int) -> bool:
        job = self._live_jobs.get(job_id)
        if job is None or job.status != "running" or job.attempts != attempts:
            return False
        job.status = "sending"
        self._release_key(job)  # as in SQL: only pending and running jobs hold their key
        return True

    async def record_job_sent(self, job_id: int, *, sent_ref: str) -> None:
        job = self._live_jobs.get(job_id)
        if job is not None and job.status == "sending":
            job.sent_ref = sent_ref

    async def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        job = self._live_jobs.pop(job_id, None)
        if job is None:
            return
        self._release_key(job)
        job.status = "done" if error is None else "failed"
        job.last_error = error
        self._finished_jobs[job_id] = job

    async def retry_job(self, job_id: int, *, due_at: datetime) -> None:
        job = self._live_jobs.get(job_id)
        if job is None or job.status not in ("running", "sending"):
            return
        key = job.spec.job_key
        if job.status == "sending" and key is not None and key in self._live_by_key:
            await self.finish_job(job_id, error="replaced by a newer job")
            return
        job.status, job.due_at = "pending", due_at
        job.claimed_by = job.claimed_at = None
        if key is not None:
            self._live_by_key[key] = job.id

    def _release_key(self, job: _Job) -> None:
        key = job.spec.job_key
        if key is not None and self._live_by_key.get(key) == job.id:
            del self._live_by_key[key]

    async def pending_jobs(self, user_key: str) -> list[Job]:
        pending = [
            job
            for job in self._live_jobs.values()
            if job.status == "pending" and job.spec.user_key == user_key
        ]
        pending.sort(key=lambda job: (job.due_at, job.id))
        return [job.to_job() for job in pending]

    # flow sources

    async def save_flow_source(self, *, version: str, flow_id: str, source: str) -> None:
        self._flows.setdefault(version, source)

    async def load_flow_source(self, version: str) -> str | None:
        return self._flows.get(version)

    # privacy

    async def export_user(self, user_key: str) -> dict[str, list[dict[str, JSON]]]:
        conversations = [
            {
                "key": key,
                "user_key": user_key,
                "state": stored.state,
                "version": stored.version,
                "updated_at": stored.updated_at,
            }
            for key, row in self._conversations.items()
            if _user_key_of(row) == user_key
            for stored in (_unpack(key, row),)
        ]
        user = self._users.get(user_key)
        jobs = [
            {
                **asdict(job.to_job()),
                "status": job.status,
                "last_error": job.last_error,
                "sent_ref": job.sent_ref,
            }
            for table in (self._live_jobs, self._finished_jobs)
            for job in table.values()
            if job.spec.user_key == user_key
        ]
        return {
            "conversations": [exportable(c) for c in conversations],
            "users": [] if user is None else [exportable(asdict(user))],
            "jobs": [exportable(j) for j in jobs],
            **self._export_personal(user_key),
            "inbox_events": self._export_inbox(user_key),
        }

    async def forget_user(self, user_key: str) -> int:
        conversation_keys = [
            key for key, row in self._conversations.items() if _user_key_of(row) == user_key
        ]
        for key in conversation_keys:
            del self._conversations[key]
        removed = len(conversation_keys) + (self._users.pop(user_key, None) is not None)
        for table in (self._live_jobs, self._finished_jobs):
            job_ids = [job.id for job in table.values() if job.spec.user_key == user_key]
            for job_id in job_ids:
                self._release_key(table.pop(job_id))
            removed += len(job_ids)
        return removed + self._forget_personal(user_key) + self._forget_inbox(user_key)


def _claimable(job: _Job, now: datetime, stale: datetime) -> bool:
    if job.status == "pending":
        return job.due_at <= now
    if job.status == "sending":  # sent, or being sent: never again (at most once)
        return False
    # A claim older than the lease belongs to a worker that died; take the job over.
    return job.claimed_at is not None and job.claimed_at < stale
