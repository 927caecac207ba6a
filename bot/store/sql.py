"""The :class:`~bot.store.Store` on SQLAlchemy 2 (async): SQLite by default, PostgreSQL to scale.

Concurrency model:

- Conversations use optimistic versions: ``UPDATE ... WHERE key = :k AND version = :expected``
  touches no row when another worker saved first, and the turn is retried by the caller.
- A turn (event id, state, jobs) is one transaction, so a failure leaves nothing half-written.
- Jobs are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL. SQLite has one
  writer at a time; write transactions start with ``BEGIN IMMEDIATE`` so they take the write
  lock up front (waiting up to ``busy_timeout``) instead of failing half-way through when a
  read lock cannot be upgraded.

Personal data (contacts, referrals, export and forget) lives in :mod:`bot.store.sql_personal`,
mixed into :class:`SqlStore`.

Privacy: this module logs ids and counts, never state, settings, payloads or sources.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Row,
    Table,
    and_,
    delete,
    event,
    exists,
    false,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.store import (
    JSON,
    DuplicateEventError,
    Job,
    JobSpec,
    StoredConversation,
    TurnCommit,
    UserRecord,
    VersionConflictError,
)
from bot.store.memory import DEFAULT_EVENT_TTL
from bot.store.schema import (
    HEAD_REVISION,
    conversations,
    flow_versions,
    jobs,
    processed_events,
    users,
)
from bot.store.sql_personal import PersonalDataSql, count_funnel

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

    _UpsertInsert = sqlite.Insert | postgresql.Insert

__all__ = ("MIGRATIONS_DIR", "SqlStore")

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_MS = 5000
# Any fixed number works: it only has to be the same for every worker running migrations.
_MIGRATION_LOCK_ID = 0x52435F4D  # "RC_M"
_SCHEDULE_ATTEMPTS = 3


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _dumps(value: JSON) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class SqlStore(PersonalDataSql):
    """The storage port on a SQLAlchemy async engine.

    Args:
        url: ``sqlite+aiosqlite:///path/to/coach.db`` or ``postgresql+asyncpg://user@host/db``
            (see :func:`bot.store.factory.build_store`, which also accepts shorter spellings).
    """

    def __init__(self, url: str) -> None:
        self._url = make_url(url)
        self._engine: AsyncEngine | None = None
        self._writer: AsyncEngine | None = None
        self._insert = _dialect_insert(self.dialect)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._url.get_backend_name()

    @property
    def engine(self) -> AsyncEngine:
        """The open engine (for tests and maintenance tools)."""
        if self._engine is None:
            raise RuntimeError("SqlStore is not open; await store.open() first")
        return self._engine

    # life cycle

    async def open(self) -> None:
        if self._engine is not None:
            return
        engine = self._create_engine()
        self._engine = engine
        # Same pool; the option tells the SQLite "begin" hook to take the write lock up front.
        self._writer = engine.execution_options(coach_begin="IMMEDIATE")
        try:
            await self._migrate()
        except BaseException:
            await self.close()
            raise
        log.info("store open: %s", self.dialect)

    async def close(self) -> None:
        if self._engine is not None:
            engine, self._engine, self._writer = self._engine, None, None
            await engine.dispose()

    def _create_engine(self) -> AsyncEngine:
        if self.dialect == "sqlite":
            _ensure_sqlite_directory(self._url.database)
            # isolation_level=None stops the driver issuing its own BEGIN; our hook does it.
            engine = create_async_engine(self._url, connect_args={"isolation_level": None})
            _install_sqlite_hooks(engine)
            return engine
        return create_async_engine(self._url, pool_pre_ping=True)

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        if self._writer is None:
            raise RuntimeError("SqlStore is not open; await store.open() first")
        async with self._writer.begin() as conn:
            yield conn

    # migrations

    async def _migrate(self) -> None:
        async with self.engine.connect() as conn:
            if await conn.run_sync(_schema_revisions) == {HEAD_REVISION}:
                return
        async with self._write() as conn:
            if self.dialect == "postgresql":
                # Workers starting together queue here (SQLite queues on BEGIN IMMEDIATE).
                await conn.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID}
                )
            # Another worker may have migrated while this one waited for the lock.
            if await conn.run_sync(_schema_revisions) == {HEAD_REVISION}:
                return
            await conn.run_sync(_upgrade_to_head)
        log.info("store schema migrated to %s", HEAD_REVISION)

    # conversations and turns

    async def load_conversation(self, key: str) -> StoredConversation | None:
        query = select(conversations.c.state, conversations.c.version, conversations.c.updated_at)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query.where(conversations.c.key == key))).first()
        if row is None:
            return None
        return StoredConversation(key, json.loads(row.state), row.version, row.updated_at)

    async def commit_turn(self, commit: TurnCommit) -> int:
        now = _utcnow()
        try:
            async with self._write() as conn:
                if commit.event_id is not None:
                    expires_at = commit.event_expires_at or now + DEFAULT_EVENT_TTL
                    await self._record_event(conn, commit.event_id, expires_at, now)
                version = await self._write_conversation(conn, commit, now)
                await _cancel_pending(conn, commit.cancel_job_keys)
                await _insert_jobs(conn, commit.new_jobs, now)
                # Last, so the shared count rows stay locked for as short a time as possible.
                await count_funnel(conn, commit.funnel, self._insert)
        except IntegrityError as exc:
            # Another conversation's turn took the same job key at the same moment (the
            # version check catches everything else): reloading and retrying resolves it.
            if _is_job_key_clash(exc):
                raise VersionConflictError(commit.conversation_key) from exc
            raise
        return version

    async def _record_event(
        self, conn: AsyncConnection, event_id: str, expires_at: datetime, now: datetime
    ) -> None:
        # An expired row may be reused; a live one means the event was handled already.
        stmt = self._insert(processed_events).values(event_id=event_id, expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[processed_events.c.event_id],
            set_={"expires_at": stmt.excluded.expires_at},
            where=processed_events.c.expires_at <= now,
        )
        if (await conn.execute(stmt)).rowcount == 0:
            raise DuplicateEventError(event_id)

    async def _write_conversation(
        self, conn: AsyncConnection, commit: TurnCommit, now: datetime
    ) -> int:
        if commit.state is None:
            await _delete_conversation(conn, commit)
            return 0
        if commit.expected_version == 0:
            await self._insert_conversation(conn, commit, commit.state, now)
            return 1
        stmt = (
            update(conversations)
            .where(
                conversations.c.key == commit.conversation_key,
                conversations.c.version == commit.expected_version,
            )
            .values(
                state=_dumps(commit.state), version=conversations.c.version + 1, updated_at=now
            )
        )
        if (await conn.execute(stmt)).rowcount == 0:
            raise VersionConflictError(commit.conversation_key)
        return commit.expected_version + 1

    async def _insert_conversation(
        self, conn: AsyncConnection, commit: TurnCommit, state: dict[str, JSON], now: datetime
    ) -> None:
        stmt = (
            self._insert(conversations)
            .values(
                key=commit.conversation_key,
                user_key=commit.user_key,
                state=_dumps(state),
                version=1,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[conversations.c.key])
        )
        if (await conn.execute(stmt)).rowcount == 0:
            raise VersionConflictError(commit.conversation_key)

    # processed events

    async def is_processed(self, event_id: str) -> bool:
        query = select(
            exists().where(
                processed_events.c.event_id == event_id,
                processed_events.c.expires_at > _utcnow(),
            )
        )
        async with self.engine.connect() as conn:
            return bool((await conn.execute(query)).scalar())

    async def purge_expired_events(self, now: datetime) -> int:
        async with self._write() as conn:
            result = await conn.execute(
                delete(processed_events).where(processed_events.c.expires_at <= now)
            )
        if result.rowcount:
            log.debug("purged %d expired event ids", result.rowcount)
        return result.rowcount

    # users

    async def load_user(self, user_key: str) -> UserRecord | None:
        query = select(users.c.time_zone, users.c.settings).where(users.c.user_key == user_key)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return UserRecord(user_key, row.time_zone, json.loads(row.settings))

    async def save_user(self, user: UserRecord) -> None:
        now = _utcnow()
        values = {"time_zone": user.time_zone, "settings": _dumps(user.settings)}
        stmt = self._insert(users).values(
            user_key=user.user_key, created_at=now, updated_at=now, **values
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[users.c.user_key], set_={**values, "updated_at": now}
        )
        async with self._write() as conn:
            await conn.execute(stmt)

    # jobs

    async def schedule_jobs(self, jobs: tuple[JobSpec, ...]) -> None:
        for attempt in range(1, _SCHEDULE_ATTEMPTS + 1):
            try:
                async with self._write() as conn:
                    await _insert_jobs(conn, jobs, _utcnow())
                return
            except IntegrityError as exc:
                # Another transaction took the same job key between our delete and insert
                # (PostgreSQL only); running again replaces its job.
                if attempt == _SCHEDULE_ATTEMPTS or not _is_job_key_clash(exc):
                    raise

    async def cancel_jobs(self, job_keys: tuple[str, ...]) -> int:
        async with self._write() as conn:
            return await _cancel_pending(conn, job_keys)

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
        claimable = or_(
            and_(jobs.c.status == "pending", jobs.c.due_at <= now),
            # A claim older than the lease belongs to a worker that died; take the job over.
            and_(jobs.c.status == "running", jobs.c.claimed_at < stale),
        )
        if platforms is not None:  # conversation keys start with "<platform>:"
            claimable = and_(
                claimable,
                or_(false(), *(jobs.c.conversation_key.startswith(f"{p}:") for p in platforms)),
            )
        # SKIP LOCKED lets concurrent workers pass over each other's rows on PostgreSQL;
        # SQLite ignores FOR UPDATE and relies on BEGIN IMMEDIATE instead.
        ids_query = (
            select(jobs.c.id)
            .where(claimable)
            .order_by(jobs.c.due_at, jobs.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        async with self._write() as conn:
            ids = list((await conn.execute(ids_query)).scalars())
            if not ids:
                return []
            claim = (
                update(jobs)
                .where(jobs.c.id.in_(ids))
                .values(
                    status="running",
                    claimed_by=worker,
                    claimed_at=now,
                    attempts=jobs.c.attempts + 1,
                )
                .returning(*jobs.c)
            )
            rows = (await conn.execute(claim)).all()
        return sorted((_to_job(row) for row in rows), key=lambda job: (job.due_at, job.id))

    async def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        stmt = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == "running")
            .values(status="done" if error is None else "failed", last_error=error)
        )
        async with self._write() as conn:
            await conn.execute(stmt)

    async def retry_job(self, job_id: int, *, due_at: datetime) -> None:
        stmt = (
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == "running")
            .values(status="pending", due_at=due_at, claimed_by=None, claimed_at=None)
        )
        async with self._write() as conn:
            await conn.execute(stmt)

    async def pending_jobs(self, user_key: str) -> list[Job]:
        query = (
            select(jobs)
            .where(jobs.c.user_key == user_key, jobs.c.status == "pending")
            .order_by(jobs.c.due_at, jobs.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_to_job(row) for row in rows]

    # flow sources

    async def save_flow_source(self, *, version: str, flow_id: str, source: str) -> None:
        # A version names its source for good, so a second save of the same version is a no-op.
        stmt = (
            self._insert(flow_versions)
            .values(version=version, flow_id=flow_id, source=source, created_at=_utcnow())
            .on_conflict_do_nothing(index_elements=[flow_versions.c.version])
        )
        async with self._write() as conn:
            await conn.execute(stmt)

    async def load_flow_source(self, version: str) -> str | None:
        query = select(flow_versions.c.source).where(flow_versions.c.version == version)
        async with self.engine.connect() as conn:
            source: str | None = (await conn.execute(query)).scalar()
        return source


# statements shared by commit_turn and the job methods


async def _delete_conversation(conn: AsyncConnection, commit: TurnCommit) -> None:
    key = commit.conversation_key
    if commit.expected_version == 0:
        # The turn started from "no conversation": fine unless one appeared meanwhile.
        found = await conn.execute(select(conversations.c.key).where(conversations.c.key == key))
        if found.first() is not None:
            raise VersionConflictError(key)
        return
    stmt = delete(conversations).where(
        conversations.c.key == key, conversations.c.version == commit.expected_version
    )
    if (await conn.execute(stmt)).rowcount == 0:
        raise VersionConflictError(key)


async def _cancel_pending(conn: AsyncConnection, job_keys: Sequence[str]) -> int:
    if not job_keys:
        return 0
    stmt = delete(jobs).where(jobs.c.job_key.in_(job_keys), jobs.c.status == "pending")
    return (await conn.execute(stmt)).rowcount


async def _insert_jobs(conn: AsyncConnection, specs: Sequence[JobSpec], now: datetime) -> None:
    if not specs:
        return
    specs = _last_per_key(specs)
    keys = [spec.job_key for spec in specs if spec.job_key is not None]
    if keys:
        await _cancel_pending(conn, keys)
        # A running job with the key keeps running but gives the key up, so that the new job
        # can hold it (at most one live job per key) and a job can reschedule itself.
        await conn.execute(
            update(jobs)
            .where(jobs.c.job_key.in_(keys), jobs.c.status == "running")
            .values(job_key=None)
        )
    await conn.execute(insert(jobs), [_job_row(spec, now) for spec in specs])


def _is_job_key_clash(exc: IntegrityError) -> bool:
    """Whether the unique index on live job keys refused the row (PostgreSQL names the index,
    SQLite the column)."""
    message = str(exc.orig)
    return "uq_jobs_live_job_key" in message or "jobs.job_key" in message


def _last_per_key(specs: Sequence[JobSpec]) -> list[JobSpec]:
    """Keep the last spec for each job key (later ones replace earlier), and all keyless ones."""
    last = {spec.job_key: index for index, spec in enumerate(specs) if spec.job_key is not None}
    return [
        spec
        for index, spec in enumerate(specs)
        if spec.job_key is None or last[spec.job_key] == index
    ]


def _job_row(spec: JobSpec, now: datetime) -> dict[str, object]:
    return {
        "kind": spec.kind,
        "job_key": spec.job_key,
        "user_key": spec.user_key,
        "conversation_key": spec.conversation_key,
        "payload": _dumps(spec.payload),
        "due_at": spec.due_at,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }


def _to_job(row: Row[Any]) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        due_at=row.due_at,
        user_key=row.user_key,
        conversation_key=row.conversation_key,
        payload=json.loads(row.payload),
        job_key=row.job_key,
        attempts=row.attempts,
    )


# engine set-up and migrations


def _dialect_insert(dialect: str) -> Callable[[Table], _UpsertInsert]:
    """The dialect's INSERT, which has ON CONFLICT; imported lazily so that a SQLite start-up
    does not load the PostgreSQL dialect."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    raise ValueError(f"unsupported database dialect {dialect!r}; use sqlite or postgresql")


def _ensure_sqlite_directory(database: str | None) -> None:
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # busy_timeout first: switching to WAL needs a lock another process may hold.
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # WAL lets readers go on while one connection writes; NORMAL sync is safe with WAL.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("coach_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


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
