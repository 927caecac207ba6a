"""The turn on PostgreSQL, straight on asyncpg: one round trip to load a conversation, one to
save the turn; and the other one-statement units a turn may need (the user's record, the
event-id check, the user's pending jobs).

:class:`bot.store.sql.SqlStore` runs these through
:meth:`bot.store.sql_postgres.PostgresRunner.run_asyncpg` (a plain asyncpg connection of the
units' own pool, :mod:`bot.store.pg_pool`; asyncpg prepares each statement once per
connection). A turn that saves a state without an event id (every turn of a console, of the
benchmark, and of a scheduled job) is ONE statement (:func:`commit_state`), so it needs no
``BEGIN`` / ``COMMIT`` (a statement is atomic on its own): the versioned write, then, only when
it happened, the jobs it cancels and schedules and its funnel counts, joined in common table
expressions. A turn with an event id (an inbox turn) is one transaction (:func:`commit_turn`:
the event, its replies, the same statement). A deletion takes the Core unit
(:func:`bot.store.sql_turns.commit_turn`). Both write the rows the Core unit writes.

asyncpg is imported by SQLAlchemy's dialect when a PostgreSQL store opens, not here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from bot.store.errors import DuplicateEventError, InvalidRecordError, VersionConflictError
from bot.store.records import (
    DEFAULT_EVENT_TTL,
    Job,
    StoredConversation,
    TurnCommit,
    UserRecord,
    last_per_key,
    processed_key,
)
from bot.store.sql_values import Mode, dumps, utcnow

__all__ = (
    "AsyncpgConnection",
    "AsyncpgRunner",
    "commit_state",
    "commit_turn",
    "is_plain_state_commit",
    "is_processed",
    "is_transactional_commit",
    "load_conversation",
    "load_user",
    "pending_jobs",
    "save_user",
)

P = ParamSpec("P")
T = TypeVar("T")


class AsyncpgConnection(Protocol):
    """What these units use of ``asyncpg.Connection`` (asyncpg ships no type hints)."""

    async def fetch(self, query: str, *args: Any) -> list[Any]: ...

    async def fetchrow(self, query: str, *args: Any) -> Any: ...

    async def execute(self, query: str, *args: Any) -> str: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...

    def is_closed(self) -> bool: ...

    def transaction(self) -> Any: ...

    def is_in_transaction(self) -> bool: ...

    def terminate(self) -> None: ...

    async def close(self) -> None: ...


class AsyncpgRunner(Protocol):
    """Runs these units (:meth:`bot.store.sql_postgres.PostgresRunner.run_asyncpg`)."""

    async def run_asyncpg(
        self,
        mode: Mode,
        fn: Callable[Concatenate[AsyncpgConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``await fn(conn, *args, **kwargs)``: its result or its exception."""


_LOAD_USER = "SELECT time_zone, settings FROM users WHERE user_key = $1"
_SAVE_USER = (
    "INSERT INTO users (user_key, time_zone, settings, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $4) ON CONFLICT (user_key) DO UPDATE SET"
    " time_zone = excluded.time_zone, settings = excluded.settings,"
    " updated_at = excluded.updated_at"
)
_IS_PROCESSED = "SELECT 1 FROM processed_events WHERE event_id = $1 AND expires_at > $2"
_PENDING_JOBS = (
    "SELECT id, kind, due_at, user_key, conversation_key, payload, job_key, attempts FROM jobs"
    " WHERE user_key = $1 AND status = 'pending' ORDER BY due_at, id"
)
_LOAD_CONVERSATION = "SELECT state, version, updated_at FROM conversations WHERE key = $1"

# A turn's write in ONE statement: the versioned write of the state (`saved`), then, only when
# it happened (`WHERE EXISTS (SELECT 1 FROM saved)`: nothing when another worker saved first),
# its jobs and funnel counts. Each part that must come after another reads it in a scalar
# subquery, which PostgreSQL runs whole before the part's first row: pending jobs with a
# cancelled or replaced key are deleted and running ones with a replaced key give it up
# (`freed`, `released`: different rows) before the new jobs are inserted, so the unique index
# on live keys sees the old rows gone (deleted by this transaction). Count rows come sorted, so
# two turns lock the shared count rows in the same order (no deadlock).
_SAVED_THEN = (
    " freed AS (DELETE FROM jobs WHERE job_key = ANY($9::text[]) AND status = 'pending'"
    " AND EXISTS (SELECT 1 FROM saved) RETURNING 1),"
    " released AS (UPDATE jobs SET job_key = NULL WHERE job_key = ANY($10::text[])"
    " AND status = 'running' AND EXISTS (SELECT 1 FROM saved) RETURNING 1),"
    " queued AS (INSERT INTO jobs (kind, job_key, user_key, conversation_key, payload, due_at,"
    " status, attempts, created_at)"
    " SELECT kind, job_key, user_key, conversation_key, payload, due_at, 'pending', 0, $8"
    " FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::text[],"
    " $16::timestamptz[]) AS j(kind, job_key, user_key, conversation_key, payload, due_at)"
    " WHERE EXISTS (SELECT 1 FROM saved)"
    " AND (SELECT count(*) FROM freed) + (SELECT count(*) FROM released) >= 0 RETURNING 1),"
    " counted AS (INSERT INTO funnel_counts AS f (flow_id, step_id, event, count)"
    " SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::int[])"
    " WHERE EXISTS (SELECT 1 FROM saved)"
    " ON CONFLICT (flow_id, step_id, event) DO UPDATE SET count = f.count + excluded.count)"
    " SELECT count(*) FROM saved"
)
_UPDATE_STATE = (
    "WITH saved AS (UPDATE conversations SET state = $3, version = version + 1,"
    " updated_at = $8 WHERE key = $1 AND version = $2 RETURNING 1),"
) + _SAVED_THEN
_INSERT_STATE = (
    "WITH saved AS (INSERT INTO conversations (key, user_key, state, version, created_at,"
    " updated_at) VALUES ($1, $2, $3, 1, $8, $8) ON CONFLICT (key) DO NOTHING RETURNING 1),"
) + _SAVED_THEN


# A turn with an event id: one transaction (BEGIN, the event, its replies, the turn's write as
# above, COMMIT), the same rows as bot.store.sql_turns.commit_turn writes.
_RECORD_EVENT = (
    "INSERT INTO processed_events AS p (event_id, expires_at) VALUES ($1, $2)"
    " ON CONFLICT (event_id) DO UPDATE SET expires_at = excluded.expires_at"
    " WHERE p.expires_at <= $3"
)
_KEEP_REPLIES = "UPDATE inbox_events SET replies = $2 WHERE event_id = $1 AND status = 'pending'"
_JOB_KEY_INDEX = "uq_jobs_live_job_key"


def is_transactional_commit(commit: TurnCommit) -> bool:
    """Whether :func:`commit_turn` saves it (a state with an event id)."""
    return commit.state is not None


async def commit_turn(conn: AsyncpgConnection, commit: TurnCommit) -> int:
    """Save a turn that saves a state (:func:`is_transactional_commit`) in one transaction.

    Raises:
        DuplicateEventError: the event id was handled already (and has not expired).
        VersionConflictError: another turn saved the conversation first, or took one of the
            new jobs' keys meanwhile (reloading and running the turn again resolves both).
    """
    now = utcnow()
    async with conn.transaction():
        if commit.event_id is not None:
            await _record_event(conn, commit, now)
            if commit.replies is not None:
                await conn.execute(_KEEP_REPLIES, commit.event_id, dumps(commit.replies))
        return await commit_state(conn, commit, now)


async def _record_event(conn: AsyncpgConnection, commit: TurnCommit, now: datetime) -> None:
    assert commit.event_id is not None
    expires_at = _utc(commit.event_expires_at or now + DEFAULT_EVENT_TTL)
    key = processed_key(commit.event_id)
    if await conn.execute(_RECORD_EVENT, key, expires_at, now) == "INSERT 0 0":
        raise DuplicateEventError(commit.event_id)


def _job_columns(commit: TurnCommit) -> list[list[Any]]:
    """The keys to free (pending ones to delete, running ones to release) and the new jobs'
    columns, as :func:`bot.store.sql_jobs._insert_jobs` does: the last spec per key."""
    specs = last_per_key(commit.new_jobs) if commit.new_jobs else []
    replaced = [spec.job_key for spec in specs if spec.job_key is not None]
    return [
        [*commit.cancel_job_keys, *replaced],
        replaced,
        [spec.kind for spec in specs],
        [spec.job_key for spec in specs],
        [spec.user_key for spec in specs],
        [spec.conversation_key for spec in specs],
        [dumps(spec.payload) for spec in specs],
        [_utc(spec.due_at) for spec in specs],
    ]


def _utc(value: datetime) -> datetime:
    """As the schema's ``UtcDateTime`` binds it: aware, in UTC; a naive value is refused."""
    if value.tzinfo is None:
        raise InvalidRecordError("naive datetime given to the store; pass a timezone-aware one")
    return value.astimezone(UTC)


def is_plain_state_commit(commit: TurnCommit) -> bool:
    """Whether :func:`commit_state` saves it alone: a state, jobs and counts, no event id."""
    return commit.state is not None and commit.event_id is None


async def load_conversation(conn: AsyncpgConnection, key: str) -> StoredConversation | None:
    row = await conn.fetchrow(_LOAD_CONVERSATION, key)
    if row is None:
        return None
    state, version, updated_at = row
    return StoredConversation(key, json.loads(state), version, updated_at)


async def commit_state(
    conn: AsyncpgConnection, commit: TurnCommit, now: datetime | None = None
) -> int:
    """Save the turn's state, jobs and funnel counts in ONE statement (atomic on its own:
    :func:`is_plain_state_commit`; or the last part of :func:`commit_turn`).

    Raises:
        VersionConflictError: another turn saved the conversation first, or took one of the
            new jobs' keys meanwhile (reloading and running the turn again resolves both).
    """
    import asyncpg  # loaded already: the store opened through SQLAlchemy's asyncpg dialect

    counted = sorted(Counter(commit.funnel).items())
    columns: list[list[Any]] = [[], [], [], []]
    for (flow, step, event), n in counted:
        for column, value in zip(columns, (flow, step, event, n), strict=True):
            column.append(value)
    new = commit.expected_version == 0
    statement = _INSERT_STATE if new else _UPDATE_STATE
    second = commit.user_key if new else commit.expected_version
    key, state = commit.conversation_key, dumps(commit.state)
    try:
        saved = await conn.fetchval(
            statement, key, second, state, *columns, now or utcnow(), *_job_columns(commit)
        )
    except asyncpg.UniqueViolationError as exc:
        if getattr(exc, "constraint_name", None) == _JOB_KEY_INDEX:
            raise VersionConflictError(key) from exc
        raise
    if saved == 0:
        raise VersionConflictError(key)
    return commit.expected_version + 1


async def load_user(conn: AsyncpgConnection, user_key: str) -> UserRecord | None:
    row = await conn.fetchrow(_LOAD_USER, user_key)
    if row is None:
        return None
    return UserRecord(user_key, row[0], json.loads(row[1]))


async def save_user(conn: AsyncpgConnection, user: UserRecord) -> None:
    await conn.execute(_SAVE_USER, user.user_key, user.time_zone, dumps(user.settings), utcnow())


async def is_processed(conn: AsyncpgConnection, event_id: str) -> bool:
    return await conn.fetchrow(_IS_PROCESSED, processed_key(event_id), utcnow()) is not None


async def pending_jobs(conn: AsyncpgConnection, user_key: str) -> list[Job]:
    return [
        Job(id_, kind, due_at, user, conversation, json.loads(payload), key, attempts)
        for id_, kind, due_at, user, conversation, payload, key, attempts in await conn.fetch(
            _PENDING_JOBS, user_key
        )
    ]
