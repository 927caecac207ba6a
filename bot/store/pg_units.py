"""The turn's common case on PostgreSQL, straight on asyncpg: one round trip to load a
conversation, one to save the turn.

:class:`bot.store.sql.SqlStore` runs these through
:meth:`bot.store.sql_postgres.PostgresRunner.run_asyncpg` (a pooled connection, below
SQLAlchemy's execution layer; asyncpg prepares each statement once per connection). A turn's
commit goes this way when it is a saved state plus funnel counts, with no event id, no jobs and
no deletion (most turns; the benchmark's all but the number turn): ONE statement, so it needs no
``BEGIN`` / ``COMMIT`` (a statement is atomic on its own), the versioned write and the counts
joined in a common table expression that counts only when the write happened. Every other turn
takes the transactional Core unit (:func:`bot.store.sql_turns.commit_turn`).

asyncpg is imported by SQLAlchemy's dialect when a PostgreSQL store opens, not here.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, Protocol

from bot.store.errors import VersionConflictError
from bot.store.records import StoredConversation, TurnCommit
from bot.store.sql_values import dumps, utcnow

__all__ = ("AsyncpgConnection", "commit_state", "is_plain_state_commit", "load_conversation")


class AsyncpgConnection(Protocol):
    """What these units use of ``asyncpg.Connection`` (asyncpg ships no type hints)."""

    async def fetchrow(self, query: str, *args: Any) -> Any: ...

    async def fetchval(self, query: str, *args: Any) -> Any: ...

    def is_closed(self) -> bool: ...


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
