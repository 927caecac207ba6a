"""A turn's commit and a flow source's save on SQLAlchemy Core: what
:class:`bot.store.sql.SqlStore` runs on PostgreSQL for a turn that deletes its conversation
(every other turn is one statement, or one transaction, on asyncpg: :mod:`bot.store.pg_units`).
SQLite runs their plain-``sqlite3`` twins in :mod:`bot.store.sqlite_units` (same statements,
same rows).

The statements of a turn are built once (with bind parameters), not per call: building a
statement and its cache key cost more than the database takes to run it. Those with ON CONFLICT
depend on the dialect, so they are built once per dialect.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Executable, bindparam, delete, select, update

from bot.store.errors import DuplicateEventError, VersionConflictError
from bot.store.records import DEFAULT_EVENT_TTL, JSON, TurnCommit, processed_key
from bot.store.schema import conversations, flow_versions, inbox_events, processed_events
from bot.store.sql_common import SqlRunner, dumps, execute, rowcount, upsert, upsert_for, utcnow
from bot.store.sql_inbox import keep_replies
from bot.store.sql_jobs import _cancel_pending, _insert_jobs
from bot.store.sql_personal import count_funnel

__all__ = ("commit_turn", "save_flow_source")


_UPDATE_CONVERSATION = (
    update(conversations)
    .where(
        conversations.c.key == bindparam("b_key"),
        conversations.c.version == bindparam("b_expected"),
    )
    .values(
        state=bindparam("b_state"),
        version=conversations.c.version + 1,
        updated_at=bindparam("b_now"),
    )
)
_DELETE_CONVERSATION = delete(conversations).where(
    conversations.c.key == bindparam("b_key"),
    conversations.c.version == bindparam("b_expected"),
)
_FIND_CONVERSATION = select(conversations.c.key).where(conversations.c.key == bindparam("b_key"))


@dataclass(frozen=True, slots=True)
class _Upserts:
    """The turn's statements with ON CONFLICT, for one dialect."""

    record_event: Executable
    insert_conversation: Executable

    @staticmethod
    @functools.cache
    def of(dialect: str) -> _Upserts:
        event = upsert_for(dialect, processed_events)
        return _Upserts(
            # An expired row may be reused; a live one means the event was handled already.
            record_event=event.on_conflict_do_update(
                index_elements=[processed_events.c.event_id],
                set_={"expires_at": event.excluded.expires_at},
                where=processed_events.c.expires_at <= bindparam("b_now"),
            ),
            insert_conversation=upsert_for(dialect, conversations).on_conflict_do_nothing(
                index_elements=[conversations.c.key]
            ),
        )


def commit_turn(conn: Connection, commit: TurnCommit) -> int:
    now = utcnow()
    if commit.event_id is not None:
        expires_at = commit.event_expires_at or now + DEFAULT_EVENT_TTL
        _record_event(conn, commit.event_id, expires_at, now)
    version = _write_conversation(conn, commit, now)
    if commit.event_id is not None and commit.replies is not None:
        keep_replies(conn, commit.event_id, commit.replies)
    _cancel_pending(conn, commit.cancel_job_keys)
    _insert_jobs(conn, commit.new_jobs, now)
    # Last, so the shared count rows stay locked for as short a time as possible.
    count_funnel(conn, commit.funnel)
    return version


def _record_event(conn: Connection, event_id: str, expires_at: datetime, now: datetime) -> None:
    stmt = _Upserts.of(conn.dialect.name).record_event
    params = {"event_id": processed_key(event_id), "expires_at": expires_at, "b_now": now}
    if conn.execute(stmt, params).rowcount == 0:
        raise DuplicateEventError(event_id)


def _write_conversation(conn: Connection, commit: TurnCommit, now: datetime) -> int:
    if commit.state is None:
        _delete_conversation(conn, commit)
        return 0
    if commit.expected_version == 0:
        _insert_conversation(conn, commit, commit.state, now)
        return 1
    params = {
        "b_key": commit.conversation_key,
        "b_expected": commit.expected_version,
        "b_state": dumps(commit.state),
        "b_now": now,
    }
    if conn.execute(_UPDATE_CONVERSATION, params).rowcount == 0:
        raise VersionConflictError(commit.conversation_key)
    return commit.expected_version + 1


def _insert_conversation(
    conn: Connection, commit: TurnCommit, state: dict[str, JSON], now: datetime
) -> None:
    row = {
        "key": commit.conversation_key,
        "user_key": commit.user_key,
        "state": dumps(state),
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    if conn.execute(_Upserts.of(conn.dialect.name).insert_conversation, row).rowcount == 0:
        raise VersionConflictError(commit.conversation_key)


def _delete_conversation(conn: Connection, commit: TurnCommit) -> None:
    key = commit.conversation_key
    if commit.expected_version == 0:
        # The turn started from "no conversation": fine unless one appeared meanwhile.
        if conn.execute(_FIND_CONVERSATION, {"b_key": key}).first() is not None:
            raise VersionConflictError(key)
        return
    params = {"b_key": key, "b_expected": commit.expected_version}
    if conn.execute(_DELETE_CONVERSATION, params).rowcount == 0:
        raise VersionConflictError(key)


def save_flow_source(conn: Connection, version: str, flow_id: str, source: str) -> None:
    # A version names its source for good, so a second save of the same version is a no-op.
    stmt = (
        upsert(conn, flow_versions)
        .values(version=version, flow_id=flow_id, source=source, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[flow_versions.c.version])
    )
    execute(conn, stmt)


def load_flow_source(conn: Connection, version: str) -> str | None:
    query = select(flow_versions.c.source).where(flow_versions.c.version == version)
    source: str | None = conn.execute(query).scalar()
    return source


async def purge_expired_events(runner: SqlRunner, now: datetime) -> int:
    """Forget expired event ids and done inbox rows (PostgreSQL's; SQLite runs
    :func:`bot.store.sqlite_units.purge_expired_events`); how many rows went."""
    stmt = delete(processed_events).where(processed_events.c.expires_at <= now)
    purged = await runner.run("write", rowcount, stmt)
    # Done inbox rows (their payload is gone already) expire with the event ids.
    done = delete(inbox_events).where(
        inbox_events.c.status == "done", inbox_events.c.expires_at <= now
    )
    return purged + await runner.run("write", rowcount, done)
