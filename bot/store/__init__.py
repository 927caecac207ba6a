"""Storage: the port the engine and scheduler use, and its records.

Two implementations: :class:`bot.store.memory.MemoryStore` (tests, benchmarks) and
:class:`bot.store.sql.SqlStore` (SQLite through aiosqlite by default, PostgreSQL through asyncpg).

A turn is committed atomically with :meth:`Store.commit_turn`: the conversation's new state (with
an optimistic version check), the processed event id (so a retried event is handled once) and the
jobs the turn scheduled or cancelled. Nothing a turn did is half-saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

__all__ = (
    "FUNNEL_EVENTS",
    "DuplicateEventError",
    "Job",
    "JobSpec",
    "Store",
    "StoredConversation",
    "TurnCommit",
    "UserRecord",
    "VersionConflictError",
)

JSON = Any  # a value json.dumps accepts: dict, list, str, int, float, bool, None
# What the funnel counts per step: reached, answered (asks), retried (a refused answer), and
# abandoned (the user stopped, restarted or switched topic while this question waited).
FUNNEL_EVENTS = ("started", "answered", "retried", "abandoned")


class VersionConflictError(Exception):
    """Another event changed the conversation first; reload and apply the turn again."""


class DuplicateEventError(Exception):
    """This platform event id was already processed (a retry)."""


@dataclass(frozen=True, slots=True)
class StoredConversation:
    key: str
    state: dict[str, JSON]
    version: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job to run at ``due_at``: a reminder to send, a question to time out.

    ``job_key`` names the job for cancelling (for example ``timeout:<conversation key>``); at
    most one pending job exists per key, so scheduling again replaces the earlier one.
    """

    kind: str
    due_at: datetime
    user_key: str
    conversation_key: str
    payload: dict[str, JSON] = field(default_factory=dict)
    job_key: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    due_at: datetime
    user_key: str
    conversation_key: str
    payload: dict[str, JSON]
    job_key: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class TurnCommit:
    """Everything one turn changes, saved in one transaction.

    ``expected_version`` is the version the turn was computed from (0 for a new conversation);
    ``state=None`` deletes the conversation.
    """

    conversation_key: str
    user_key: str
    state: dict[str, JSON] | None
    expected_version: int
    event_id: str | None = None
    event_expires_at: datetime | None = None
    new_jobs: tuple[JobSpec, ...] = ()
    cancel_job_keys: tuple[str, ...] = ()
    # (flow id, step id, event) counts for flow authors; event is one of FUNNEL_EVENTS.
    funnel: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class UserRecord:
    """What the coach remembers about a person: time zone and settings."""

    user_key: str
    time_zone: str | None = None
    settings: dict[str, JSON] = field(default_factory=dict)


class Store(Protocol):
    """The storage port. Every method is safe to call from several workers at once."""

    async def open(self) -> None:
        """Connect and bring the schema up to date (migrations)."""

    async def close(self) -> None: ...

    async def load_conversation(self, key: str) -> StoredConversation | None: ...

    async def commit_turn(self, commit: TurnCommit) -> int:
        """Save a turn; return the new version.

        Raises:
            VersionConflictError: the stored version is not ``commit.expected_version``.
            DuplicateEventError: ``commit.event_id`` was processed already.
        """

    async def is_processed(self, event_id: str) -> bool: ...

    async def purge_expired_events(self, now: datetime) -> int: ...

    async def load_user(self, user_key: str) -> UserRecord | None: ...

    async def save_user(self, user: UserRecord) -> None: ...

    async def schedule_jobs(self, jobs: tuple[JobSpec, ...]) -> None: ...

    async def cancel_jobs(self, job_keys: tuple[str, ...]) -> int: ...

    async def claim_due_jobs(
        self,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_seconds: int,
        platforms: tuple[str, ...] | None = None,
    ) -> list[Job]:
        """Claim up to ``limit`` jobs due at ``now``. A job is claimed by one worker only
        (``FOR UPDATE SKIP LOCKED`` on PostgreSQL); a claim older than ``lease_seconds`` is
        taken to be from a worker that died and may be claimed again. With ``platforms``, only
        jobs of conversations on those platforms are claimed (a console never takes a Slack
        user's reminder from a shared database)."""

    async def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        """Mark a claimed job done, or (with ``error``) failed for good after retries."""

    async def retry_job(self, job_id: int, *, due_at: datetime) -> None:
        """Release a claimed job to run again at ``due_at`` (a delivery failed)."""

    async def pending_jobs(self, user_key: str) -> list[Job]: ...

    async def save_flow_source(self, *, version: str, flow_id: str, source: str) -> None: ...

    async def load_flow_source(self, version: str) -> str | None: ...

    async def forget_user(self, user_key: str) -> int:
        """Delete every row about the user; return how many rows went."""
