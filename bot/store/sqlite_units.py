"""The units of work of a turn and of a start-up on plain ``sqlite3`` (SQLite only).

:class:`bot.store.sql.SqlStore` runs these instead of its SQLAlchemy Core units on SQLite: the
same statements and the same stored text, below SQLAlchemy's execution layer, which costs more
than SQLite takes to run them (the two units of a turn: 142 us with Core, 55 us plain; see
docs/benchmarks.md). They are what a turn and a console's start need (the revision check,
users, conversations, turns, flow sources, processed events, the user's pending jobs), so a
start-up on an up-to-date database never imports SQLAlchemy. PostgreSQL runs their Core twins
(:mod:`bot.store.sql_turns`, :mod:`bot.store.sql_jobs`).

Each function takes the store's ``sqlite3.Connection`` (autocommit mode: the runner issues
``BEGIN IMMEDIATE`` and ``COMMIT`` around a write unit) and must match its Core twin row for
row: datetimes as :func:`bot.store.sql_values.to_sqlite_datetime` writes them, JSON as
:func:`bot.store.sql_values.dumps` writes it. The store's contract tests run against both.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.store.errors import DuplicateEventError, VersionConflictError
from bot.store.records import (
    DEFAULT_EVENT_TTL,
    Job,
    JobSpec,
    StoredConversation,
    TurnCommit,
    UserRecord,
    last_per_key,
    processed_key,
)
from bot.store.sql_values import dumps, from_sqlite_datetime, to_sqlite_datetime, utcnow

__all__ = (
    "claim_due_jobs",
    "commit_turn",
    "is_job_key_clash",
    "is_processed",
    "load_conversation",
    "load_user",
    "pending_jobs",
    "purge_expired_events",
    "save_flow_source",
    "save_user",
    "schema_revisions",
)

_JOB_COLUMNS = "id, kind, due_at, user_key, conversation_key, payload, job_key, attempts"

_LOAD_CONVERSATION = "SELECT state, version, updated_at FROM conversations WHERE key = ?"
_UPDATE_CONVERSATION = (
    "UPDATE conversations SET state = ?, version = version + 1, updated_at = ?"
    " WHERE key = ? AND version = ?"
)
_INSERT_CONVERSATION = (
    "INSERT INTO conversations (key, user_key, state, version, created_at, updated_at)"
    " VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (key) DO NOTHING"
)
_DELETE_CONVERSATION = "DELETE FROM conversations WHERE key = ? AND version = ?"
_FIND_CONVERSATION = "SELECT 1 FROM conversations WHERE key = ?"
# An expired row may be reused; a live one means the event was handled already.
_RECORD_EVENT = (
    "INSERT INTO processed_events (event_id, expires_at) VALUES (?, ?)"
    " ON CONFLICT (event_id) DO UPDATE SET expires_at = excluded.expires_at"
    " WHERE processed_events.expires_at <= ?"
)
_INSERT_JOB = (
    "INSERT INTO jobs (kind, job_key, user_key, conversation_key, payload, due_at, status,"
    " attempts, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?)"
)
_COUNT_FUNNEL = (
    "INSERT INTO funnel_counts (flow_id, step_id, event, count) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (flow_id, step_id, event) DO UPDATE SET count = count + excluded.count"
)
_IS_PROCESSED = "SELECT 1 FROM processed_events WHERE event_id = ? AND expires_at > ?"
_PENDING_JOBS = (
    f"SELECT {_JOB_COLUMNS} FROM jobs WHERE user_key = ? AND status = 'pending'"
    " ORDER BY due_at, id"
)
# Due, or claimed longer ago than the lease by a worker that died (sql_jobs' Core twin).
_CLAIMABLE = "((status = 'pending' AND due_at <= ?) OR (status = 'running' AND claimed_at < ?))"
_PURGE_EVENTS = "DELETE FROM processed_events WHERE expires_at <= ?"
# Done inbox rows (their payload is gone already) expire with the event ids.
_PURGE_INBOX = "DELETE FROM inbox_events WHERE status = 'done' AND expires_at <= ?"
# The turn's replies, kept in its pending inbox row until sent (sql_inbox.keep_replies' twin).
_KEEP_REPLIES = "UPDATE inbox_events SET replies = ? WHERE event_id = ? AND status = 'pending'"
_LOAD_USER = "SELECT time_zone, settings FROM users WHERE user_key = ?"
_SAVE_USER = (
    "INSERT INTO users (user_key, time_zone, settings, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_key) DO UPDATE SET"
    " time_zone = excluded.time_zone, settings = excluded.settings,"
    " updated_at = excluded.updated_at"
)
# A version names its source for good, so a second save of the same version is a no-op.
_SAVE_FLOW_SOURCE = (
    "INSERT INTO flow_versions (version, flow_id, source, created_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (version) DO NOTHING"
)


def schema_revisions(conn: sqlite3.Connection) -> set[str]:
    """The revisions recorded in ``alembic_version`` (empty for a new database)."""
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if found is None:
        return set()
    return {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")}


def load_conversation(conn: sqlite3.Connection, key: str) -> StoredConversation | None:
    row = conn.execute(_LOAD_CONVERSATION, (key,)).fetchone()
    if row is None:
        return None
    state, version, updated_at = row
    return StoredConversation(key, json.loads(state), version, from_sqlite_datetime(updated_at))


def commit_turn(conn: sqlite3.Connection, commit: TurnCommit) -> int:
    now = utcnow()
    now_text = to_sqlite_datetime(now)
    if commit.event_id is not None:
        expires_at = commit.event_expires_at or now + DEFAULT_EVENT_TTL
        params = (processed_key(commit.event_id), to_sqlite_datetime(expires_at), now_text)
        if conn.execute(_RECORD_EVENT, params).rowcount == 0:
            raise DuplicateEventError(commit.event_id)
    version = _write_conversation(conn, commit, now_text)
    if commit.event_id is not None and commit.replies is not None:
        # ASCII JSON, as the Core twin writes it: a reply may quote a lone surrogate.
        replies = json.dumps(commit.replies, separators=(",", ":"))
        conn.execute(_KEEP_REPLIES, (replies, commit.event_id))
    _cancel_pending(conn, commit.cancel_job_keys)
    _insert_jobs(conn, commit.new_jobs, now_text)
    # Last, as in the Core unit (the shared count rows are locked for the shortest time).
    _count_funnel(conn, commit.funnel)
    return version


def is_processed(conn: sqlite3.Connection, event_id: str) -> bool:
    now = to_sqlite_datetime(utcnow())
    return conn.execute(_IS_PROCESSED, (processed_key(event_id), now)).fetchone() is not None


def pending_jobs(conn: sqlite3.Connection, user_key: str) -> list[Job]:
    return [_to_job(row) for row in conn.execute(_PENDING_JOBS, (user_key,))]


def _to_job(row: Any) -> Job:
    """A job from a row of :data:`_JOB_COLUMNS` (sqlite3's rows are untyped)."""
    id_, kind, due, user, conversation, payload, key, attempts = row
    due_at = from_sqlite_datetime(due)
    return Job(id_, kind, due_at, user, conversation, json.loads(payload), key, attempts)


def claim_due_jobs(
    conn: sqlite3.Connection,
    *,
    now: datetime,
    limit: int,
    worker: str,
    lease_seconds: int,
    platforms: tuple[str, ...] | None,
) -> list[Job]:
    """Due jobs marked running for ``worker``, in due order (a write unit: BEGIN IMMEDIATE
    keeps other writers out between the SELECT and the UPDATE, as FOR UPDATE would)."""
    stale = now - timedelta(seconds=lease_seconds)
    where, params = _CLAIMABLE, [to_sqlite_datetime(now), to_sqlite_datetime(stale)]
    if platforms is not None:  # conversation keys start with "<platform>:"
        # As SQLAlchemy renders startswith(); no platform name holds a LIKE wildcard.
        likes = " OR ".join(["conversation_key LIKE (? || '%')"] * len(platforms)) or "0"
        where = f"{where} AND ({likes})"
        params.extend(f"{platform}:" for platform in platforms)
    query = f"SELECT id FROM jobs WHERE {where} ORDER BY due_at, id LIMIT ?"
    ids = [row[0] for row in conn.execute(query, (*params, limit))]
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    claim = (
        "UPDATE jobs SET status = 'running', claimed_by = ?, claimed_at = ?,"
        f" attempts = attempts + 1 WHERE id IN ({marks}) RETURNING {_JOB_COLUMNS}"
    )
    rows = conn.execute(claim, (worker, to_sqlite_datetime(now), *ids)).fetchall()
    claimed = [_to_job(row) for row in rows]
    return sorted(claimed, key=lambda job: (job.due_at, job.id))


def purge_expired_events(conn: sqlite3.Connection, now: datetime) -> int:
    """Forget expired event ids and done inbox rows; how many rows went."""
    expired = (to_sqlite_datetime(now),)
    purged = conn.execute(_PURGE_EVENTS, expired).rowcount
    return purged + conn.execute(_PURGE_INBOX, expired).rowcount


def is_job_key_clash(exc: sqlite3.IntegrityError) -> bool:
    """Whether the unique index on live job keys refused a row (SQLite names the column)."""
    return "jobs.job_key" in str(exc)


def load_user(conn: sqlite3.Connection, user_key: str) -> UserRecord | None:
    row = conn.execute(_LOAD_USER, (user_key,)).fetchone()
    if row is None:
        return None
    return UserRecord(user_key, row[0], json.loads(row[1]))


def save_user(conn: sqlite3.Connection, user: UserRecord) -> None:
    now = to_sqlite_datetime(utcnow())
    conn.execute(_SAVE_USER, (user.user_key, user.time_zone, dumps(user.settings), now, now))


def save_flow_source(conn: sqlite3.Connection, version: str, flow_id: str, source: str) -> None:
    conn.execute(_SAVE_FLOW_SOURCE, (version, flow_id, source, to_sqlite_datetime(utcnow())))


def _write_conversation(conn: sqlite3.Connection, commit: TurnCommit, now: str) -> int:
    key, expected = commit.conversation_key, commit.expected_version
    if commit.state is None:
        _delete_conversation(conn, key, expected)
        return 0
    state = dumps(commit.state)
    if expected == 0:
        params: tuple[object, ...] = (key, commit.user_key, state, now, now)
        if conn.execute(_INSERT_CONVERSATION, params).rowcount == 0:
            raise VersionConflictError(key)
        return 1
    if conn.execute(_UPDATE_CONVERSATION, (state, now, key, expected)).rowcount == 0:
        raise VersionConflictError(key)
    return expected + 1


def _delete_conversation(conn: sqlite3.Connection, key: str, expected: int) -> None:
    if expected == 0:
        # The turn started from "no conversation": fine unless one appeared meanwhile.
        if conn.execute(_FIND_CONVERSATION, (key,)).fetchone() is not None:
            raise VersionConflictError(key)
        return
    if conn.execute(_DELETE_CONVERSATION, (key, expected)).rowcount == 0:
        raise VersionConflictError(key)


def _cancel_pending(conn: sqlite3.Connection, job_keys: Sequence[str]) -> None:
    if job_keys:
        marks = ", ".join("?" * len(job_keys))
        conn.execute(
            f"DELETE FROM jobs WHERE job_key IN ({marks}) AND status = 'pending'", job_keys
        )


def _insert_jobs(conn: sqlite3.Connection, specs: Sequence[JobSpec], now: str) -> None:
    if not specs:
        return
    specs = last_per_key(specs)
    keys = [spec.job_key for spec in specs if spec.job_key is not None]
    if keys:
        _cancel_pending(conn, keys)
        # A running job with the key keeps running but gives the key up (see sql_jobs).
        marks = ", ".join("?" * len(keys))
        conn.execute(
            f"UPDATE jobs SET job_key = NULL WHERE job_key IN ({marks}) AND status = 'running'",
            keys,
        )
    conn.executemany(_INSERT_JOB, [_job_row(spec, now) for spec in specs])


def _job_row(spec: JobSpec, now: str) -> tuple[object, ...]:
    due_at = to_sqlite_datetime(spec.due_at)
    payload = dumps(spec.payload)
    return (spec.kind, spec.job_key, spec.user_key, spec.conversation_key, payload, due_at, now)


def _count_funnel(conn: sqlite3.Connection, funnel: Sequence[tuple[str, str, str]]) -> None:
    if funnel:
        rows = [(*event, n) for event, n in sorted(Counter(funnel).items())]
        conn.executemany(_COUNT_FUNNEL, rows)
