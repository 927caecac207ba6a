"""Raw SQL on a store's database, for tests that look at rows or hold locks the store does not.

``sql_engine(store)`` gives an object with ``AsyncEngine``'s ``connect()`` and ``begin()``, on a
connection of its own (as another process would have), never the store's:

- on PostgreSQL it is SQLAlchemy's ``AsyncEngine`` on the store's URL (no pool: each
  ``connect()`` / ``begin()`` opens a connection and closes it at the end);
- on SQLite, which the store runs without an async engine (see :mod:`bot.store.sql_runner`), a
  synchronous engine driven from a thread of its own: ``execute``, ``scalar`` and ``run_sync``
  run there. ``connect()`` runs each statement in autocommit mode; ``begin()`` takes the write
  lock (``BEGIN IMMEDIATE``) and commits at the end, or rolls back on an exception. Results
  come back buffered, so they can be read on the event loop.

(This was ``bot/store/sql_facade.py`` and ``SqlStore.engine``; only tests used it.)
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from sqlalchemy import Connection, Engine, Executable, Result, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.store.sql import SqlStore

__all__ = ("ConnectionHandle", "EngineHandle", "sql_engine")

P = ParamSpec("P")
T = TypeVar("T")


class ConnectionHandle(Protocol):
    """What the tests use of ``AsyncConnection``."""

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]: ...

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any: ...

    async def run_sync(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T: ...


class EngineHandle(Protocol):
    """What the tests use of ``AsyncEngine``."""

    def connect(self) -> AbstractAsyncContextManager[ConnectionHandle]: ...

    def begin(self) -> AbstractAsyncContextManager[ConnectionHandle]: ...


def sql_engine(store: SqlStore) -> EngineHandle:
    """Raw access to the database ``store`` is open on (see the module docstring)."""
    # The test reaches in on purpose: production code has no use for it.
    url: URL = make_url(store._url)
    if store.dialect == "postgresql":
        return _PostgresEngine(url)
    return _ThreadedEngine(url.set(drivername="sqlite+pysqlite"))


class _PostgresEngine:
    def __init__(self, url: URL) -> None:
        self._url = url

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[ConnectionHandle]:
        engine = create_async_engine(self._url, poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                yield cast(ConnectionHandle, conn)
        finally:
            await engine.dispose()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[ConnectionHandle]:
        engine = create_async_engine(self._url, poolclass=NullPool)
        try:
            async with engine.begin() as conn:
                yield cast(ConnectionHandle, conn)
        finally:
            await engine.dispose()


class _Worker:
    """One thread that owns one SQLite connection; calls from the event loop hop to it."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-sqlite")

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True)


class _ThreadedConnection:
    def __init__(self, worker: _Worker, conn: Connection) -> None:
        self._worker = worker
        self._conn = conn

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]:
        return await self._worker.call(_buffered, self._conn, statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return await self._worker.call(self._conn.scalar, statement, parameters)

    async def run_sync(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return await self._worker.call(fn, self._conn, *args, **kwargs)


class _ThreadedEngine:
    def __init__(self, url: URL) -> None:
        self._url = url

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[ConnectionHandle]:
        async with self._connection(immediate=False) as conn:
            yield conn

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[ConnectionHandle]:
        async with self._connection(immediate=True) as conn:
            yield conn

    @asynccontextmanager
    async def _connection(self, *, immediate: bool) -> AsyncIterator[ConnectionHandle]:
        worker = _Worker()
        engine: Engine | None = None
        try:
            # isolation_level=None: sqlite3 issues no BEGIN of its own (as in the store).
            engine = create_engine(
                self._url, connect_args={"isolation_level": None}, poolclass=NullPool
            )
            conn = await worker.call(engine.connect)
            try:
                if immediate:
                    await worker.call(_begin_immediate, conn)
                try:
                    yield _ThreadedConnection(worker, conn)
                except BaseException:
                    if immediate:
                        await worker.call(conn.rollback)
                    raise
                if immediate:
                    await worker.call(conn.commit)
            finally:
                await worker.call(conn.close)
        finally:
            if engine is not None:
                await worker.call(engine.dispose)
            worker.shutdown()


def _begin_immediate(conn: Connection) -> None:
    conn.begin()
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _buffered(conn: Connection, statement: Executable, parameters: Any) -> Result[Any]:
    """The result with its rows fetched, so that it can be read on another thread."""
    result = conn.execute(statement, parameters)
    if not result.returns_rows:
        return result  # closed already; rowcount and inserted keys stay readable
    return result.freeze()()
