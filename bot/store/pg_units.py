"""The turn's common case on PostgreSQL, straight on asyncpg: one round trip to load a
conversation, one to save the turn; and the other one-statement units a turn may need (the
user's record, the event-id check, the user's pending jobs).

:class:`bot.store.sql.SqlStore` runs these through
:meth:`bot.store.sql_postgres.PostgresRunner.run_asyncpg` (a pooled connection, below
SQLAlchemy's execution layer; asyncpg prepares each statement once per connection). A turn's
commit goes this way when it is a saved state plus funnel counts, with no event id, no jobs and
no deletion (most turns; the benchmark's all but the number turn; an inbox turn, whose replies
are kept in its inbox row, has an event id): ONE statement, so it needs no
``BEGIN`` / ``COMMIT`` (a statement is atomic on its own), the versioned write and the counts
joined in a common table expression that counts only when the write happened. Every other turn
takes the transactional Core unit (:func:`bot.store.sql_turns.commit_turn`).

asyncpg is imported by SQLAlchemy's dialect when a PostgreSQL store opens, not here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from bot.store.errors import VersionConflictError
from bot.store.records import Job, StoredConversation, TurnCommit, UserRecord
from bot.store.sql_values import Mode, dumps, utcnow

__all__ = (
    "AsyncpgConnection",
    "AsyncpgRunner",
    "commit_state",
    "is_plain_state_commit",
    "is_processed",
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

# The counts join the write: `WHERE EXISTS (SELECT 1 FROM saved)` counts nothing when the
# versioned write touched no row (another worker saved first). Rows come sorted, so two turns
# lock the shared count rows in the same order (no deadlock).
_COUNT = (
    " counted AS (INSERT INTO funnel_counts AS f (flow_id, step_id, event, count)"
    " SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::int[])"
    " WHERE EXISTS (SELECT 1 FROM saved)"
    " ON CONFLICT (flow_id, step_id, event) DO UPDATE SET count = f.count + excluded.count)"
    " SELECT count(*) FROM saved"
)
_UPDATE_STATE = (
    "WITH saved AS (UPDATE conversations SET state = $3, version = version + 1,"
    " updated_at = $8 WHERE key = $1 AND version = $2 RETURNING 1),"
) + _COUNT
_INSERT_STATE = (
    "WITH saved AS (INSERT INTO conversations (key, user_key, state, version, created_at,"
    " updated_at) VALUES ($1, $2, $3, 1, $8, $8) ON CONFLICT (key) DO NOTHING RETURNING 1),"
) + _COUNT


def is_plain_state_commit(commit: TurnCommit) -> bool:
    """Whether the commit is a saved state and funnel counts only (one statement)."""
    return (
        commit.state is not None
        and commit.event_id is None
        and not commit.new_jobs
        and not commit.cancel_job_keys
    )


async def load_conversation(conn: AsyncpgConnection, key: str) -> StoredConversation | None:
    row = await conn.fetchrow(_LOAD_CONVERSATION, key)
    if row is None:
        return None
    state, version, updated_at = row
    return StoredConversation(key, json.loads(state), version, updated_at)


async def commit_state(conn: AsyncpgConnection, commit: TurnCommit) -> int:
    """Save a plain state commit (:func:`is_plain_state_commit`) in one statement."""
    counted = sorted(Counter(commit.funnel).items())
    columns: list[list[Any]] = [[], [], [], []]
    for (flow, step, event), n in counted:
        for column, value in zip(columns, (flow, step, event, n), strict=True):
            column.append(value)
    new = commit.expected_version == 0
    statement = _INSERT_STATE if new else _UPDATE_STATE
    second = commit.user_key if new else commit.expected_version
    saved = await conn.fetchval(
        statement, commit.conversation_key, second, dumps(commit.state), *columns, utcnow()
    )
    if saved == 0:
        raise VersionConflictError(commit.conversation_key)
    return commit.expected_version + 1


async def load_user(conn: AsyncpgConnection, user_key: str) -> UserRecord | None:
    row = await conn.fetchrow(_LOAD_USER, user_key)
    if row is None:
        return None
    return UserRecord(user_key, row[0], json.loads(row[1]))


async def save_user(conn: AsyncpgConnection, user: UserRecord) -> None:
    await conn.execute(_SAVE_USER, user.user_key, user.time_zone, dumps(user.settings), utcnow())


async def is_processed(conn: AsyncpgConnection, event_id: str) -> bool:
    return await conn.fetchrow(_IS_PROCESSED, event_id, utcnow()) is not None


async def pending_jobs(conn: AsyncpgConnection, user_key: str) -> list[Job]:
    return [
        Job(id_, kind, due_at, user, conversation, json.loads(payload), key, attempts)
        for id_, kind, due_at, user, conversation, payload, key, attempts in await conn.fetch(
            _PENDING_JOBS, user_key
        )
    ]
