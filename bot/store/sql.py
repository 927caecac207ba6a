"""The :class:`~bot.store.Store` on SQLAlchemy 2 Core: SQLite by default, PostgreSQL to scale.

Each store method is ONE unit of work: a synchronous function of a SQLAlchemy ``Connection``
(the ``_load_conversation``, ``_commit_turn``, ... below), handed whole to a runner chosen by
dialect (:mod:`bot.store.sql_runner`). On SQLite the runner executes it in the store's single
worker thread, so a method costs one thread hop instead of one per DBAPI call (a turn went from
about 19 hops to 2: load the conversation, commit the turn). On PostgreSQL it runs through
asyncpg with ``run_sync``, reads without ``BEGIN``.

Concurrency model:

- Conversations use optimistic versions: ``UPDATE ... WHERE key = :k AND version = :expected``
  touches no row when another worker saved first, and the turn is retried by the caller.
- A turn (event id, state, jobs, funnel counts) is one transaction, so a failure leaves nothing
  half-written.
- Jobs are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL. SQLite has one
  writer at a time; write transactions start with ``BEGIN IMMEDIATE`` so they take the write
  lock up front (waiting up to ``busy_timeout``) instead of failing half-way through when a
  read lock cannot be upgraded.
- Migrations (Alembic, imported only when the schema is not at head) run in a write unit; on
  PostgreSQL under an advisory lock, so workers starting together migrate once.

Jobs live in :mod:`bot.store.sql_jobs`, the inbox in :mod:`bot.store.sql_inbox`, contacts,
referrals, space settings and funnel counts in :mod:`bot.store.sql_personal`, export and forget
in :mod:`bot.store.sql_privacy`, all mixed into :class:`SqlStore`.

Privacy: this module logs ids and counts, never state, settings, payloads or sources.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    Connection,
    Executable,
    bindparam,
    delete,
    exists,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.store.errors import DuplicateEventError, VersionConflictError
from bot.store.records import (
    DEFAULT_EVENT_TTL,
    JSON,
    StoredConversation,
    TurnCommit,
    UserRecord,
)
from bot.store.schema import (
    HEAD_REVISION,
    conversations,
    flow_versions,
    inbox_events,
    processed_events,
    users,
)
from bot.store.sql_common import dumps, execute, rowcount, scalar, upsert, upsert_for, utcnow
from bot.store.sql_inbox import InboxSql
from bot.store.sql_jobs import JobsSql, _cancel_pending, _insert_jobs, _is_job_key_clash
from bot.store.sql_personal import PersonalDataSql, count_funnel
from bot.store.sql_privacy import PrivacySql
from bot.store.sql_profiles import ProfilesSql
from bot.store.sql_runner import make_runner

__all__ = ("MIGRATIONS_DIR", "SqlStore")

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Any fixed number works: it only has to be the same for every worker running migrations.
_MIGRATION_LOCK_ID = 0x52435F4D  # "RC_M"


class SqlStore(JobsSql, InboxSql, PersonalDataSql, PrivacySql, ProfilesSql):
    """Every store port (:class:`bot.store.Store`) on SQLAlchemy Core.

    Args:
        url: ``sqlite+aiosqlite:///path/to/coach.db`` or ``postgresql+asyncpg://user@host/db``
            (see :func:`bot.store.factory.build_store`, which also accepts shorter spellings).
            The SQLite URL keeps its historical driver name; the store runs SQLite on the
            standard library's ``sqlite3`` in a worker thread whatever the URL says.

    Raises:
        ValueError: the URL names neither SQLite nor PostgreSQL.
    """

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._runner = make_runner(self._url)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._url.get_backend_name()

    # life cycle

    async def open(self) -> None:
        await self._runner.open()
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise
        log.info("store open: %s", self.dialect)

    async def close(self) -> None:
        await self._runner.close()

    async def _migrate(self) -> None:
        if await self._runner.run("read", _schema_revisions) == {HEAD_REVISION}:
            return
        if await self._runner.run("write", _migrate_locked):
            log.info("store schema migrated to %s", HEAD_REVISION)

    # conversations and turns

    async def load_conversation(self, key: str) -> StoredConversation | None:
        return await self._runner.run("read", _load_conversation, key)

    async def commit_turn(self, commit: TurnCommit) -> int:
        try:
            return await self._runner.run("write", _commit_turn, commit)
        except IntegrityError as exc:
            # Another conversation's turn took the same job key at the same moment (the
            # version check catches everything else): reloading and retrying resolves it.
            if _is_job_key_clash(exc):
                raise VersionConflictError(commit.conversation_key) from exc
            raise

    # processed events

    async def is_processed(self, event_id: str) -> bool:
        query = select(
            exists().where(
                processed_events.c.event_id == event_id,
                processed_events.c.expires_at > utcnow(),
            )
        )
        return bool(await self._runner.run("read", scalar, query))

    async def purge_expired_events(self, now: datetime) -> int:
        stmt = delete(processed_events).where(processed_events.c.expires_at <= now)
        purged = await self._runner.run("write", rowcount, stmt)
        # Done inbox rows (their payload is gone already) expire with the event ids.
        done = delete(inbox_events).where(
            inbox_events.c.status == "done", inbox_events.c.expires_at <= now
        )
        purged += await self._runner.run("write", rowcount, done)
        if purged:
            log.debug("purged %d expired event ids", purged)
        return purged

    # users

    async def load_user(self, user_key: str) -> UserRecord | None:
        return await self._runner.run("read", _load_user, user_key)

    async def save_user(self, user: UserRecord) -> None:
        await self._runner.run("write", _save_user, user)

    # flow sources

    async def save_flow_source(self, *, version: str, flow_id: str, source: str) -> None:
        await self._runner.run("write", _save_flow_source, version, flow_id, source)

    async def load_flow_source(self, version: str) -> str | None:
        query = select(flow_versions.c.source).where(flow_versions.c.version == version)
        source: str | None = await self._runner.run("read", scalar, query)
        return source


# units of work: conversations, turns and users
#
# The statements of a turn are built once (with bind parameters), not per call: building a
# statement and its cache key cost more than SQLite takes to run it. Those with ON CONFLICT
# depend on the dialect, so they are built once per dialect.

_LOAD_CONVERSATION = select(
    conversations.c.state, conversations.c.version, conversations.c.updated_at
).where(conversations.c.key == bindparam("b_key"))
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
_LOAD_USER = select(users.c.time_zone, users.c.settings).where(
    users.c.user_key == bindparam("b_user_key")
)


@dataclass(frozen=True, slots=True)
class _Upserts:
    """The turn's statements with ON CONFLICT, for one dialect."""

    record_event: Executable
    insert_conversation: Executable
    save_user: Executable

    @staticmethod
    @functools.cache
    def of(dialect: str) -> _Upserts:
        event = upsert_for(dialect, processed_events)
        user = upsert_for(dialect, users)
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
            save_user=user.on_conflict_do_update(
                index_elements=[users.c.user_key],
                set_={
                    "time_zone": user.excluded.time_zone,
                    "settings": user.excluded.settings,
                    "updated_at": user.excluded.updated_at,
                },
            ),
        )


def _load_conversation(conn: Connection, key: str) -> StoredConversation | None:
    row = conn.execute(_LOAD_CONVERSATION, {"b_key": key}).first()
    if row is None:
        return None
    return StoredConversation(key, json.loads(row.state), row.version, row.updated_at)


def _commit_turn(conn: Connection, commit: TurnCommit) -> int:
    now = utcnow()
    if commit.event_id is not None:
        expires_at = commit.event_expires_at or now + DEFAULT_EVENT_TTL
        _record_event(conn, commit.event_id, expires_at, now)
    version = _write_conversation(conn, commit, now)
    _cancel_pending(conn, commit.cancel_job_keys)
    _insert_jobs(conn, commit.new_jobs, now)
    # Last, so the shared count rows stay locked for as short a time as possible.
    count_funnel(conn, commit.funnel)
    return version


def _record_event(conn: Connection, event_id: str, expires_at: datetime, now: datetime) -> None:
    stmt = _Upserts.of(conn.dialect.name).record_event
    params = {"event_id": event_id, "expires_at": expires_at, "b_now": now}
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


def _load_user(conn: Connection, user_key: str) -> UserRecord | None:
    row = conn.execute(_LOAD_USER, {"b_user_key": user_key}).first()
    if row is None:
        return None
    return UserRecord(user_key, row.time_zone, json.loads(row.settings))


def _save_user(conn: Connection, user: UserRecord) -> None:
    now = utcnow()
    row = {
        "user_key": user.user_key,
        "time_zone": user.time_zone,
        "settings": dumps(user.settings),
        "created_at": now,
        "updated_at": now,
    }
    conn.execute(_Upserts.of(conn.dialect.name).save_user, row)


def _save_flow_source(conn: Connection, version: str, flow_id: str, source: str) -> None:
    # A version names its source for good, so a second save of the same version is a no-op.
    stmt = (
        upsert(conn, flow_versions)
        .values(version=version, flow_id=flow_id, source=source, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[flow_versions.c.version])
    )
    execute(conn, stmt)


# migrations


def _migrate_locked(conn: Connection) -> bool:
    """Bring the schema to head inside a write unit; False when another worker did it first."""
    if conn.dialect.name == "postgresql":
        # Workers starting together queue here (SQLite queues on BEGIN IMMEDIATE).
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    # Another worker may have migrated while this one waited for the lock.
    if _schema_revisions(conn) == {HEAD_REVISION}:
        return False
    _upgrade_to_head(conn)
    return True


def _schema_revisions(conn: Connection) -> set[str]:
    """The revisions recorded in ``alembic_version`` (empty for a new database), read with
    plain SQL so that an up-to-date start-up never imports Alembic."""
    if not inspect(conn).has_table("alembic_version"):
        return set()
    return set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _upgrade_to_head(conn: Connection) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
