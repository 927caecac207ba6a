"""Where :class:`bot.store.sql.SqlStore` runs its units of work: one runner per dialect.

Every store method is one *unit of work*: a synchronous function of a SQLAlchemy
:class:`~sqlalchemy.Connection` (Core statements, no ``await``), run whole by a runner in one of
four modes:

- ``read``: one statement, or several that need no common snapshot; no transaction at all
  (SQLite: no ``BEGIN``; PostgreSQL: autocommit, so no ``BEGIN`` / ``ROLLBACK`` round trips);
- ``snapshot``: several reads that must agree (export): a read transaction, rolled back;
- ``autocommit``: writes without a transaction, each statement its own (a single-statement
  write, or writes that need not be atomic together: the inbox's hot path, where ``BEGIN`` and
  ``COMMIT`` would triple the round trips an acknowledgement waits for);
- ``write``: a transaction that commits (SQLite takes the write lock up front with
  ``BEGIN IMMEDIATE``, waiting up to ``busy_timeout`` for another writer, instead of failing
  half-way through when a read lock cannot be upgraded).

**Why one unit per method.** With an async driver every DBAPI call is a trip to the driver:
on SQLite, aiosqlite runs each ``execute``, ``fetch``, ``commit`` and the pool's reset in its
own thread, many thread hops per turn (counted and timed in docs/benchmarks.md). Here the whole
method runs on the far side of a single hop:

- **SQLite** (:class:`SqliteRunner`): a synchronous engine on the standard library's ``sqlite3``,
  used only from ONE dedicated worker thread (``ThreadPoolExecutor(max_workers=1)``), which
  holds one connection for the store's units. A method costs one hop (submit, then the worker
  settles the awaiting future with ``call_soon_threadsafe``); reads and writes queue on the
  same thread, which costs nothing SQLite would not serialise anyway (one writer at a time),
  and a read never waits behind a writer of another process (WAL). Several stores on one file
  (several workers) each have their thread and connection and meet at ``BEGIN IMMEDIATE`` +
  ``busy_timeout``, as before.
- **PostgreSQL** (:class:`bot.store.sql_postgres.PostgresRunner`): asyncpg through SQLAlchemy's
  async engine; the same
  function runs with ``await conn.run_sync(fn, ...)`` (a greenlet switch, not a thread hop), so
  the round trips are only the statements, plus ``BEGIN`` / ``COMMIT`` for writes. There is no
  pre-ping (one round trip per checkout): a unit whose connection turns out dead before its
  ``COMMIT`` was sent has committed nothing (the server rolls an unfinished transaction back),
  so it is run once more on a new connection (SQLAlchemy invalidates the pool on a
  disconnect). A unit whose ``COMMIT`` failed is never
  repeated, since the commit may have happened.

``sqlalchemy.ext.asyncio`` and asyncpg are imported only when a PostgreSQL store opens, so a
console on SQLite never pays for them.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from bot.store.errors import StoreClosedError, UnsupportedDatabaseError
from bot.store.sql_common import NOT_OPEN, Mode, SqlRunner, busy_as_store_error
from bot.store.sql_postgres import PostgresRunner

__all__ = ("SQLITE_BUSY_TIMEOUT_MS", "SqliteRunner", "make_runner")

P = ParamSpec("P")
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 5000


def make_runner(url: URL) -> SqlRunner:
    """The runner for the URL's database.

    Raises:
        UnsupportedDatabaseError: not SQLite or PostgreSQL (a ``ValueError``).
    """
    backend = url.get_backend_name()
    if backend == "sqlite":
        return SqliteRunner(url)
    if backend == "postgresql":
        return PostgresRunner(url)
    raise UnsupportedDatabaseError(
        f"unsupported database dialect {backend!r}; use sqlite or postgresql"
    )


# -- SQLite: one worker thread ---------------------------------------------------------------


class SqliteRunner:
    """Units of work on a synchronous SQLite engine, in one dedicated worker thread."""

    def __init__(self, url: URL) -> None:
        # Whatever driver the URL names (sqlite+aiosqlite is the configured spelling), the
        # worker thread uses the standard library's sqlite3 directly.
        self._url = url.set(drivername="sqlite+pysqlite")
        self._executor: ThreadPoolExecutor | None = None
        self._sync_engine: Engine | None = None
        self._conn: Connection | None = None  # the store's own; touched by the worker only

    async def open(self) -> None:
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coach-sqlite")
        try:
            await self.call(self._connect)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        try:
            await asyncio.get_running_loop().run_in_executor(executor, self._disconnect)
        finally:
            executor.shutdown(wait=True)  # the worker is idle: this only joins it

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on the worker thread: one hop."""
        return await self._hop(functools.partial(fn, *args, **kwargs))

    async def run(
        self,
        mode: Mode,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        return await busy_as_store_error(
            self._hop(functools.partial(self._unit, mode, fn, *args, **kwargs))
        )

    async def _hop(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the worker thread and wait for it. Leaner than ``run_in_executor``
        (which chains a concurrent future to an asyncio one, ~10 us more a hop here): the
        worker settles the asyncio future itself through ``call_soon_threadsafe``. A caller
        that is cancelled stops waiting; the unit still runs to its end (commit or rollback)."""
        if self._executor is None:
            raise StoreClosedError(NOT_OPEN)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._executor.submit(_work_and_settle, loop, future, work)
        return await future

    def _unit(
        self,
        mode: Mode,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """On the worker thread. sqlite3 runs in autocommit mode (``isolation_level=None``), so
        only the BEGIN issued here opens a transaction; without one, each statement is its own
        and SQLAlchemy's commit is a no-op."""
        conn = self._conn
        if conn is None:
            raise StoreClosedError(NOT_OPEN)
        with conn.begin():
            begin = _BEGIN.get(mode)
            if begin is not None:
                _begin(conn, begin)
            return fn(conn, *args, **kwargs)

    def _connect(self) -> None:
        _ensure_sqlite_directory(self._url.database)
        # isolation_level=None stops sqlite3 issuing BEGIN on its own; _unit does it.
        engine = create_engine(self._url, connect_args={"isolation_level": None})
        event.listen(engine, "connect", _on_sqlite_connect)
        self._sync_engine = engine
        self._conn = engine.connect()

    def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        engine, self._sync_engine = self._sync_engine, None
        if conn is not None:
            conn.close()
        if engine is not None:
            engine.dispose()


_BEGIN = {"write": "BEGIN IMMEDIATE", "snapshot": "BEGIN DEFERRED"}


def _begin(conn: Connection, statement: str) -> None:
    """BEGIN straight on the sqlite3 connection (a statement without parameters or result:
    SQLAlchemy's execute would cost ~20 us more), with errors wrapped as SQLAlchemy wraps
    them (``OperationalError: database is locked`` after ``busy_timeout``)."""
    driver = conn.connection.driver_connection
    assert driver is not None  # a connection in a transaction has its DBAPI connection
    try:
        driver.execute(statement)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


def _work_and_settle(
    loop: asyncio.AbstractEventLoop, future: asyncio.Future[T], work: Callable[[], T]
) -> None:
    """On the worker thread: run ``work`` and hand its outcome to ``future`` on its loop."""
    try:
        result = work()
    except BaseException as exc:
        loop.call_soon_threadsafe(_settle, future, None, exc)
    else:
        loop.call_soon_threadsafe(_settle, future, result, None)


def _settle(future: asyncio.Future[T], result: T | None, exc: BaseException | None) -> None:
    if future.done():  # the caller was cancelled
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(cast(T, result))


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first: switching to WAL needs a lock another process may hold.
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")  # safe with WAL
    finally:
        cursor.close()


def _switch_to_wal(cursor: sqlite3.Cursor) -> None:
    """WAL lets readers go on while one connection writes. Switching takes an exclusive lock;
    when several connections switch a new file at once (workers starting together), SQLite
    answers "database is locked" at once instead of waiting ``busy_timeout`` (waiting could
    deadlock), so this waits itself, for as long (on the worker thread, not the event loop)."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _ensure_sqlite_directory(database: str | None) -> None:
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
