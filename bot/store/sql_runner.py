"""Where :class:`bot.store.sql.SqlStore` runs its units of work: one runner per dialect.

Every store method is one *unit of work*: a synchronous function of a connection (no
``await``), run whole by a runner in one of four modes:

- ``read``: one statement, or several that need no common snapshot; no transaction at all
  (SQLite: no ``BEGIN``; PostgreSQL: autocommit, so no ``BEGIN`` / ``ROLLBACK`` round trips);
- ``snapshot``: several reads that must agree (export): a read transaction;
- ``autocommit``: writes without a transaction, each statement its own (the inbox's hot path,
  where ``BEGIN`` / ``COMMIT`` would triple an acknowledgement's round trips); such a unit must
  be safe to run again from the start, as a busy loop connection hands it to the worker;
- ``write``: a transaction that commits (SQLite takes the write lock up front with
  ``BEGIN IMMEDIATE`` instead of failing half-way through when a read lock cannot be upgraded).

**SQLite** (:class:`SqliteRunner`): the standard library's ``sqlite3``, two connections.

- The *loop connection* is used on the event loop's thread, with ``busy_timeout = 0``: a unit
  runs there at once, with no thread hop. A hop cost 100-130 us a unit inside the running
  engine, more than the unit itself (docs/benchmarks.md, "SQLite"), and SQLite answers a
  local unit in 30-250 us, about as long as a template render blocks the loop.
- When SQLite answers ``SQLITE_BUSY`` there (another store, process or this store's own worker
  holds the write lock), the unit is rolled back, which leaves nothing written (a write unit
  meets the lock at its ``BEGIN IMMEDIATE``; a read wrote nothing), and it runs again on the
  *worker connection*, in ONE dedicated worker thread, with ``busy_timeout`` 5 s: the waiting
  happens there, never on the event loop. Only a unit that waited that long fails, with
  :class:`~bot.store.StoreBusyError`, which the core retries.
- Units come in two kinds: plain ones, functions of the ``sqlite3.Connection``
  (:mod:`bot.store.sqlite_units`: everything a turn and a start-up need), and SQLAlchemy Core
  ones, functions of a ``Connection`` that wraps the same ``sqlite3`` connection, made when the
  first Core unit runs. A console that only talks never imports SQLAlchemy.
- WAL (readers go on while one connection writes), ``synchronous = NORMAL``. The loop
  connection does not checkpoint the WAL itself (``wal_autocheckpoint = 0``): a checkpoint
  syncs the files to disk, so every :data:`CHECKPOINT_EVERY` writes made on the loop the worker
  thread runs a passive one.

**PostgreSQL** (:class:`bot.store.sql_postgres.PostgresRunner`): asyncpg through SQLAlchemy's
async engine, imported only when a PostgreSQL store is made.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, cast

from bot.store.errors import StoreBusyError, StoreClosedError
from bot.store.sql_values import NOT_OPEN, Mode, is_sqlite_busy

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine


__all__ = ("CHECKPOINT_EVERY", "SQLITE_BUSY_TIMEOUT_MS", "SqliteRunner")

P = ParamSpec("P")
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 5000
CHECKPOINT_EVERY = 200
"""Writes on the loop connection between two passive checkpoints on the worker thread (a turn
writes a handful of pages; SQLite's own default is every 1,000 pages)."""

_BEGIN = {"write": "BEGIN IMMEDIATE", "snapshot": "BEGIN DEFERRED"}


class _SqliteConnection:
    """A ``sqlite3`` connection, and SQLAlchemy's ``Connection`` on it once a Core unit needs
    one (imported then, not before)."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw
        self._core: Connection | None = None
        self._engine: Engine | None = None

    def core(self) -> Connection:
        if self._core is None:
            from sqlalchemy import create_engine
            from sqlalchemy.pool import StaticPool

            raw = self.raw
            self._engine = create_engine(
                "sqlite+pysqlite://", creator=lambda: raw, poolclass=StaticPool
            )
            self._core = self._engine.connect()
        return self._core

    def close(self) -> None:
        core, self._core = self._core, None
        engine, self._engine = self._engine, None
        if core is not None:
            core.close()
        if engine is not None:
            engine.dispose()
        self.raw.close()


class SqliteRunner:
    """Units of work on ``sqlite3``: on the event loop's thread, on the worker thread when
    SQLite is busy (see the module docstring)."""

    def __init__(self, database: str) -> None:
        self._database = database
        self._executor: ThreadPoolExecutor | None = None
        self._loop_conn: _SqliteConnection | None = None  # the event loop's thread only
        self._worker_conn: _SqliteConnection | None = None  # the worker thread only
        self._loop_thread = 0
        self._loop_writes = 0
        self._checkpointing = False
        self.fallbacks = 0
        """Units handed to the worker thread because SQLite was busy (for tests and benches)."""

    async def open(self) -> None:
        if self._executor is not None:
            return
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coach-sqlite")
        try:
            # Connecting may wait (switching a new file to WAL takes a lock): on the worker.
            worker = await self._hop(functools.partial(_connect, self._database, worker=True))
            self._worker_conn = _SqliteConnection(worker)
            if _is_private(self._database):
                # An in-memory database lives in its connection: both sides share it.
                self._loop_conn = self._worker_conn
            else:
                self._loop_conn = _SqliteConnection(_connect(self._database, worker=False))
            self._loop_thread = threading.get_ident()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        executor, self._executor = self._executor, None
        loop_conn, self._loop_conn = self._loop_conn, None
        if executor is None:
            return
        try:
            if loop_conn is not None and loop_conn is not self._worker_conn:
                loop_conn.close()
            await asyncio.get_running_loop().run_in_executor(executor, self._disconnect)
        finally:
            executor.shutdown(wait=True)  # the worker is idle: this only joins it

    async def run(
        self,
        mode: Mode,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """A SQLAlchemy Core unit: ``fn(conn, *args, **kwargs)``."""
        return await self._run(mode, _core_unit, _Work(fn, args, kwargs))

    async def run_sqlite(
        self,
        mode: Mode,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """A plain unit: ``fn(raw, *args, **kwargs)`` on the ``sqlite3`` connection."""
        return await self._run(mode, _plain_unit, _Work(fn, args, kwargs))

    async def _run(
        self,
        mode: Mode,
        unit: Callable[[_SqliteConnection, Mode, _Work[T]], T],
        work: _Work[T],
    ) -> T:
        conn = self._loop_conn
        if conn is None:
            raise StoreClosedError(NOT_OPEN)
        if threading.get_ident() == self._loop_thread:
            try:
                result = unit(conn, mode, work)
            except Exception as exc:
                if not is_sqlite_busy(exc):
                    raise
                self.fallbacks += 1
            else:
                if mode in ("write", "autocommit"):
                    self._wrote_on_loop()
                return result
        return await self._on_worker(functools.partial(_on, unit, mode, work))

    async def _on_worker(self, unit: Callable[[_SqliteConnection], T]) -> T:
        """Run the unit on the worker connection, where SQLite waits up to ``busy_timeout``."""
        try:
            return await self._hop(functools.partial(self._with_worker_conn, unit))
        except Exception as exc:
            if is_sqlite_busy(exc):
                # Load, not a fault: the core retries StoreBusyError instead of apologising.
                raise StoreBusyError(type(exc).__name__) from exc
            raise

    async def truncate_wal(self) -> None:
        """See :meth:`bot.store.sql_values.PlainSqliteRunner.truncate_wal`. On the event loop's
        connection first (on the worker's, SQLite reported the loop's idle connection as a
        reader and kept the log); a reader in another process can keep the log from being
        emptied, and then the next checkpoint overwrites it."""
        await self.run_sqlite("autocommit", _pragma, "PRAGMA wal_checkpoint(TRUNCATE)")

    def _with_worker_conn(self, unit: Callable[[_SqliteConnection], T]) -> T:
        conn = self._worker_conn
        if conn is None:
            raise StoreClosedError(NOT_OPEN)
        return unit(conn)

    def _wrote_on_loop(self) -> None:
        self._loop_writes += 1
        if self._loop_writes < CHECKPOINT_EVERY or self._checkpointing:
            return
        self._loop_writes = 0
        if self._executor is not None and self._loop_conn is not self._worker_conn:
            self._checkpointing = True
            self._executor.submit(self._checkpoint)

    def _checkpoint(self) -> None:
        """On the worker: copy the WAL into the database without waiting for anyone."""
        try:
            conn = self._worker_conn
            if conn is not None:
                conn.raw.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass  # busy or closing: the next one catches up, as SQLite's own would
        finally:
            self._checkpointing = False

    async def _hop(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the worker thread and wait for it. Leaner than ``run_in_executor``
        (~10 us a hop here): the worker settles the asyncio future itself. A caller that is
        cancelled stops waiting; the unit still runs to its end (commit or rollback)."""
        if self._executor is None:
            raise StoreClosedError(NOT_OPEN)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._executor.submit(_work_and_settle, loop, future, work)
        return await future

    def _disconnect(self) -> None:
        conn, self._worker_conn = self._worker_conn, None
        if conn is not None:
            conn.close()


class _Work(Generic[T]):
    """A unit's function and its arguments but the connection, which the runner picks."""

    __slots__ = ("args", "fn", "kwargs")

    def __init__(
        self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        self.fn = fn
        self.args = args
        self.kwargs = kwargs

    def __call__(self, conn: Any) -> T:
        return self.fn(conn, *self.args, **self.kwargs)


def _on(
    unit: Callable[[_SqliteConnection, Mode, _Work[T]], T],
    mode: Mode,
    work: _Work[T],
    conn: _SqliteConnection,
) -> T:
    """``unit`` with the connection last, for a partial."""
    return unit(conn, mode, work)


def _plain_unit(conn: _SqliteConnection, mode: Mode, work: _Work[T]) -> T:
    """The unit in its transaction (sqlite3 is in autocommit mode, ``isolation_level=None``:
    only the BEGIN issued here opens one); rolled back on any error, SQLITE_BUSY included."""
    raw = conn.raw
    begin = _BEGIN.get(mode)
    if begin is None:
        return work(raw)
    raw.execute(begin)
    try:
        result = work(raw)
        raw.execute("COMMIT")
    except BaseException:
        if raw.in_transaction:
            raw.execute("ROLLBACK")
        raise
    return result


def _core_unit(conn: _SqliteConnection, mode: Mode, work: _Work[T]) -> T:
    """The same with SQLAlchemy's Connection on it (its ``begin()`` issues no SQL here, as the
    driver is in autocommit mode; its commit or rollback ends the BEGIN issued here)."""
    core = conn.core()
    with core.begin():
        begin = _BEGIN.get(mode)
        if begin is not None:
            _begin(core, begin)
        return work(core)


def _begin(core: Connection, statement: str) -> None:
    """BEGIN straight on the sqlite3 connection, with errors wrapped as SQLAlchemy wraps them
    (``OperationalError: database is locked``)."""
    from sqlalchemy.exc import DBAPIError

    driver = core.connection.driver_connection
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


def _pragma(raw: sqlite3.Connection, pragma: str) -> None:
    raw.execute(pragma).fetchall()


def _is_private(database: str) -> bool:
    return database in ("", ":memory:")


def _connect(database: str, *, worker: bool) -> sqlite3.Connection:
    """A connection in autocommit mode (``isolation_level=None``: the units issue BEGIN
    themselves), usable from the thread the runner picks (``check_same_thread=False``; each
    connection is only ever used by one thread at a time)."""
    uri = database.startswith("file:")
    if not uri and not _is_private(database):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        database = str(Path(database).expanduser())
    conn = sqlite3.connect(database, isolation_level=None, check_same_thread=False, uri=uri)
    try:
        if worker:
            # busy_timeout first: switching to WAL needs a lock another process may hold.
            conn.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            _switch_to_wal(conn)
        else:
            # Never wait on the event loop; the WAL was set up by the worker's connection
            # (it is a property of the file), and checkpoints are the worker's job.
            conn.execute("PRAGMA busy_timeout = 0")
            conn.execute("PRAGMA wal_autocheckpoint = 0")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL
        # Deleted rows are overwritten with zeros, not left in free pages: `forget` leaves no
        # readable trace in the file (the WAL's old frames go at truncate_wal).
        conn.execute("PRAGMA secure_delete = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """WAL lets readers go on while one connection writes. Switching takes an exclusive lock;
    when several connections switch a new file at once (workers starting together), SQLite
    answers "database is locked" at once instead of waiting ``busy_timeout`` (waiting could
    deadlock), so this waits itself, for as long (on the worker thread, not the event loop)."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if not is_sqlite_busy(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)
