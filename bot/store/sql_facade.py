"""An async-engine look-alike over the SQLite store's worker thread, for tests and tools.

:attr:`bot.store.sql.SqlStore.engine` is SQLAlchemy's ``AsyncEngine`` on PostgreSQL. On SQLite the
store has no async engine (see :mod:`bot.store.sql_runner`), so it hands out a
:class:`ThreadedEngine`: ``async with engine.connect()`` / ``engine.begin()`` give a connection
whose ``execute``, ``scalar`` and ``run_sync`` run on the store's worker thread, on a connection
of their own (not the store's). ``connect()`` runs each statement in autocommit mode;
``begin()`` takes the write lock (``BEGIN IMMEDIATE``) and commits at the end, or rolls back on
an exception. Results come back buffered, so they can be read on the event loop.

Hold a ``begin()`` transaction only briefly and do not call the store inside it: the store's
own writes would wait for its lock on the same thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import Connection, Engine, Executable, Result

__all__ = ("ConnectionHandle", "EngineHandle", "ThreadedConnection", "ThreadedEngine")

P = ParamSpec("P")
T = TypeVar("T")


class ConnectionHandle(Protocol):
    """What tests and tools use of ``AsyncConnection``."""

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]: ...

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any: ...

    async def run_sync(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T: ...


class EngineHandle(Protocol):
    """What tests and tools use of ``AsyncEngine``."""

    def connect(self) -> AbstractAsyncContextManager[ConnectionHandle]: ...

    def begin(self) -> AbstractAsyncContextManager[ConnectionHandle]: ...


class Caller(Protocol):
    """Runs a function on the worker thread (:meth:`bot.store.sql_runner.SqliteRunner.call`)."""

    def __call__(
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> Awaitable[T]: ...


class ThreadedConnection:
    """A connection used only on the worker thread, driven from the event loop."""

    def __init__(self, call: Caller, conn: Connection) -> None:
        self._call = call
        self._conn = conn

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[Any]:
        return await self._call(_buffered, self._conn, statement, parameters)

    async def scalar(self, statement: Executable, parameters: Any = None) -> Any:
        return await self._call(self._conn.scalar, statement, parameters)

    async def run_sync(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return await self._call(fn, self._conn, *args, **kwargs)


class ThreadedEngine:
    """``connect()`` and ``begin()`` like ``AsyncEngine``'s, on the worker thread."""

    def __init__(self, call: Caller, engine: Callable[[], Engine]) -> None:
        self._call = call
        self._engine = engine

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[ConnectionHandle]:
        conn = await self._call(_autocommit_connection, self._engine)
        try:
            yield ThreadedConnection(self._call, conn)
        finally:
            await self._call(conn.close)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[ConnectionHandle]:
        conn = await self._call(_autocommit_connection, self._engine)
        try:
            await self._call(_begin_immediate, conn)
            try:
                yield ThreadedConnection(self._call, conn)
            except BaseException:
                await self._call(conn.rollback)
                raise
            await self._call(conn.commit)
        finally:
            await self._call(conn.close)


def _autocommit_connection(engine: Callable[[], Engine]) -> Connection:
    return engine().connect()


def _begin_immediate(conn: Connection) -> None:
    conn.begin()
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _buffered(conn: Connection, statement: Executable, parameters: Any) -> Result[Any]:
    """The result with its rows fetched, so that it can be read on another thread."""
    result = conn.execute(statement, parameters)
    if not result.returns_rows:
        return result  # closed already; rowcount and inserted keys stay readable
    return result.freeze()()
