"""The :class:`~bot.store.Store` on SQLAlchemy 2 Core: SQLite by default, PostgreSQL to scale.

Each store method is ONE unit of work: a synchronous function of a connection, handed whole
to a runner chosen by dialect (:mod:`bot.store.sql_runner`). On SQLite the runner executes it
on the event loop's thread, and on the store's worker thread only when another connection holds
the write lock, so a turn takes no thread hop (it took about 19 with aiosqlite); the units of a
turn and of a start-up are plain ``sqlite3`` there (:mod:`bot.store.sqlite_units`), the others
SQLAlchemy Core. On PostgreSQL a turn's units (load, commit, user, event check, pending jobs)
are plain asyncpg statements on the units' own connections (:mod:`bot.store.pg_units`,
:mod:`bot.store.pg_pool`), the others Core run through asyncpg with ``run_sync``, reads
without ``BEGIN``.

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
in :mod:`bot.store.sql_privacy`, profiles in :mod:`bot.store.sql_profiles`: SQLAlchemy Core
functions of the store, which the methods of the mixins in :mod:`bot.store.sql_mixins` import on
first use. Importing this module loads neither SQLAlchemy nor the schema: a SQLite start-up at
the current migration (a console's start and first turns: the units in
:mod:`bot.store.sqlite_units`, the scheduler's claims and purges included) never imports them,
nor parses the URL with ``make_url`` unless it needs decoding; migrations
(:mod:`bot.store.sql_migrations`) and PostgreSQL load them.

Privacy: this module logs ids and counts, never state, settings, payloads or sources.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from bot.store import pg_units, sqlite_units
from bot.store.errors import UnsupportedDatabaseError, VersionConflictError
from bot.store.sql_mixins import InboxSql, JobsSql, PersonalDataSql, PrivacySql, ProfilesSql
from bot.store.sql_runner import SqliteRunner
from bot.store.sql_values import HEAD_REVISION, MIGRATIONS_DIR

if TYPE_CHECKING:
    from bot.store.records import KeptState, StoredConversation, TurnCommit, UserRecord
    from bot.store.sql_common import SqlRunner

__all__ = ("MIGRATIONS_DIR", "SqlStore")

log = logging.getLogger(__name__)


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
        # SQLAlchemy parses the URL only when a plain SQLite path will not do (make_runner).
        self._url = url
        self._runner = make_runner(url)
        # SQLite runs the turn's and the start-up's units on plain sqlite3 (sqlite_units).
        self._sqlite = self._runner if isinstance(self._runner, SqliteRunner) else None
        # PostgreSQL runs the turn's common case on asyncpg directly (pg_units).
        self._postgres = None
        if self._sqlite is None:
            from bot.store.sql_postgres import PostgresRunner

            if isinstance(self._runner, PostgresRunner):
                self._postgres = self._runner

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return "sqlite" if self._sqlite is not None else "postgresql"

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
        if self._sqlite is not None:
            revisions = await self._sqlite.run_sqlite("read", sqlite_units.schema_revisions)
        else:
            from bot.store.sql_migrations import schema_revisions

            revisions = await self._runner.run("read", schema_revisions)
        if revisions == {HEAD_REVISION}:
            return
        # Not at head (a new or an older database): SQLAlchemy, and Alembic if needed.
        from bot.store.sql_migrations import migrate_locked

        if await self._runner.run("write", migrate_locked):
            log.info("store schema migrated to %s", HEAD_REVISION)

    # conversations and turns

    async def load_conversation(self, key: str) -> StoredConversation | None:
        if self._sqlite is not None:
            return await self._sqlite.run_sqlite("read", sqlite_units.load_conversation, key)
        return await self._pg().run_asyncpg("read", pg_units.load_conversation, key)

    def take_kept(self, key: str) -> KeptState | None:
        """Nothing is kept: every worker reads the saved row (another may have written it)."""
        return None

    async def commit_turn(self, commit: TurnCommit) -> int:
        # Another conversation's turn may take the same job key at the same moment (the
        # version check catches everything else): reloading and retrying resolves it.
        if self._sqlite is not None:
            try:
                return await self._sqlite.run_sqlite("write", sqlite_units.commit_turn, commit)
            except sqlite3.IntegrityError as exc:
                if sqlite_units.is_job_key_clash(exc):
                    raise VersionConflictError(commit.conversation_key) from exc
                raise
        if pg_units.is_plain_state_commit(commit):  # one statement
            return await self._pg().run_asyncpg("write", pg_units.commit_state, commit)
        if pg_units.is_transactional_commit(commit):  # one transaction on asyncpg
            return await self._pg().run_asyncpg("write", pg_units.commit_turn, commit)
        # A deletion: the Core unit.
        from bot.store import sql_turns  # PostgreSQL: SQLAlchemy is loaded already
        from bot.store.sql_jobs import is_job_key_clash

        try:
            return await self._runner.run("write", sql_turns.commit_turn, commit)
        except Exception as exc:
            if is_job_key_clash(exc):
                raise VersionConflictError(commit.conversation_key) from exc
            raise

    # processed events

    async def is_processed(self, event_id: str) -> bool:
        if self._sqlite is not None:
            return await self._sqlite.run_sqlite("read", sqlite_units.is_processed, event_id)
        return await self._pg().run_asyncpg("read", pg_units.is_processed, event_id)

    async def purge_expired_events(self, now: datetime) -> int:
        if self._sqlite is not None:
            unit = sqlite_units.purge_expired_events
            purged = await self._sqlite.run_sqlite("write", unit, now)
        else:
            from bot.store.sql_turns import purge_expired_events

            purged = await purge_expired_events(self._runner, now)
        if purged:
            log.debug("purged %d expired event ids", purged)
        return purged

    # users

    async def load_user(self, user_key: str) -> UserRecord | None:
        if self._sqlite is not None:
            return await self._sqlite.run_sqlite("read", sqlite_units.load_user, user_key)
        return await self._pg().run_asyncpg("read", pg_units.load_user, user_key)

    async def save_user(self, user: UserRecord) -> None:
        if self._sqlite is not None:
            await self._sqlite.run_sqlite("write", sqlite_units.save_user, user)
        else:
            await self._pg().run_asyncpg("write", pg_units.save_user, user)

    # flow sources

    async def save_flow_source(self, *, version: str, flow_id: str, source: str) -> None:
        args = (version, flow_id, source)
        if self._sqlite is not None:
            await self._sqlite.run_sqlite("write", sqlite_units.save_flow_source, *args)
        else:
            from bot.store import sql_turns

            await self._runner.run("write", sql_turns.save_flow_source, *args)

    async def load_flow_source(self, version: str) -> str | None:
        from bot.store import sql_turns

        return await self._runner.run("read", sql_turns.load_flow_source, version)


# A SQLite URL whose path needs no decoding: read without SQLAlchemy's make_url (a console's
# start). Anything else (a query, an escape, another database) goes through make_url.
_PLAIN_SQLITE_URL = re.compile(r"sqlite(?:\+\w+)?://(?:/(?P<database>[^?#%]*))?")


def make_runner(url: str) -> SqlRunner:
    """The runner for the URL's database.

    Raises:
        UnsupportedDatabaseError: not SQLite or PostgreSQL (a ``ValueError``).
    """
    plain = _PLAIN_SQLITE_URL.fullmatch(url)
    if plain is not None:
        return SqliteRunner(plain["database"] or "")
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return SqliteRunner(parsed.database or "")
    if backend == "postgresql":
        from bot.store.sql_postgres import PostgresRunner

        return PostgresRunner(parsed)
    raise UnsupportedDatabaseError(
        f"unsupported database dialect {backend!r}; use sqlite or postgresql"
    )
