"""The PostgreSQL runner of :class:`bot.store.sql.SqlStore` (see :mod:`bot.store.sql_runner`).

Asyncpg through SQLAlchemy's async engine; the same
  function runs with ``await conn.run_sync(fn, ...)`` (a greenlet switch, not a thread hop), so
  the round trips are only the statements, plus ``BEGIN`` / ``COMMIT`` for writes. There is no
  pre-ping (one round trip per checkout): a unit whose connection turns out dead before its
  ``COMMIT`` was sent has committed nothing (the server rolls an unfinished transaction back),
  so it is run once more on a new connection (SQLAlchemy invalidates the pool on a
  disconnect). A unit whose ``COMMIT`` failed is never
  repeated, since the commit may have happened.

The turn's units (:mod:`bot.store.pg_units`) run through :meth:`PostgresRunner.run_asyncpg`
on plain asyncpg connections of their own (:mod:`bot.store.pg_pool`): a SQLAlchemy checkout cost
several times the statement.

``sqlalchemy.ext.asyncio`` and asyncpg are imported only when a PostgreSQL store opens, so a
console on SQLite never pays for them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from bot.store.errors import StoreBusyError, StoreClosedError
from bot.store.pg_pool import AsyncpgPool
from bot.store.pool_settings import POOL_OPTIONS, pool_settings
from bot.store.sql_common import _PG_BUSY_STATES, NOT_OPEN, Mode, busy_as_store_error

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.store.pg_units import AsyncpgConnection

__all__ = ("PostgresRunner", "pool_options")

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class PostgresRunner:
    """Units of work on SQLAlchemy's async engine (asyncpg), through ``run_sync``."""

    def __init__(self, url: URL) -> None:
        self._url = url
        self._async_engine: AsyncEngine | None = None
        self._autocommit: AsyncEngine | None = None  # same pool, no BEGIN: for reads
        self._units: AsyncpgPool | None = None  # plain asyncpg connections: run_asyncpg

    def _opened(self) -> AsyncEngine:
        if self._async_engine is None:
            raise StoreClosedError(NOT_OPEN)
        return self._async_engine

    async def open(self) -> None:
        if self._async_engine is not None:
            return
        # Imported here so that a SQLite start-up never loads the async extension or asyncpg.
        from sqlalchemy.ext.asyncio import create_async_engine

        # No pool_pre_ping: see _pg_unit (a dead connection is retried, not pinged every time).
        url, pool = pool_options(self._url)
        engine = create_async_engine(url, **pool)
        self._async_engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._units = AsyncpgPool(
            functools.partial(_connect, engine, url),
            size=int(pool.get("pool_size", 5)),
            overflow=int(pool.get("max_overflow", 10)),
            timeout=float(pool.get("pool_timeout", 30.0)),
        )

    async def close(self) -> None:
        engine, self._async_engine, self._autocommit = self._async_engine, None, None
        units, self._units = self._units, None
        if units is not None:
            await units.close()
        if engine is not None:
            await engine.dispose()

    async def run(
        self,
        mode: Mode,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        return await busy_as_store_error(self._run(mode, fn, *args, **kwargs))

    async def _run(
        self,
        mode: Mode,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        engine = self._opened()
        if mode in ("read", "autocommit") and self._autocommit is not None:
            engine = self._autocommit
        work = functools.partial(fn, **kwargs) if kwargs else fn
        try:
            return await _pg_unit(engine, mode, work, args)
        except DBAPIError as exc:
            if not getattr(exc, "coach_retry", False):
                raise
            log.warning("database connection lost before COMMIT; running the unit again")
        return await _pg_unit(engine, mode, work, args)

    async def run_asyncpg(
        self,
        mode: Mode,
        fn: Callable[Concatenate[AsyncpgConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``await fn(conn, ...)`` on a plain asyncpg connection of the units' own pool
        (:mod:`bot.store.pg_pool`), in autocommit mode: for units of ONE statement (a statement
        is atomic on its own), or units that open and end their own transaction.

        A connection the server ended meanwhile is replaced and the unit run once more when
        that is safe: a read, or a write whose statement never left (the connection was found
        closed or in a broken state before sending). A write that lost its connection during
        the statement is not run again (it may have been applied): the error is raised.
        """
        return await busy_as_store_error(self._run_asyncpg(mode, fn, *args, **kwargs))

    async def _run_asyncpg(
        self,
        mode: Mode,
        fn: Callable[Concatenate[AsyncpgConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        for attempt in range(2):
            driver = await _acquire(self._units)
            broken = True  # until the unit ends normally or with the server's answer
            try:
                if driver.is_closed():
                    raise ConnectionError("connection closed in the pool")
                result = await fn(driver, *args, **kwargs)
                broken = False
                return result
            except Exception as exc:
                # Not lost: the server answered (a constraint, a conflict, a lock timeout).
                broken = _connection_lost(driver, exc)
                _raise_busy(exc)
                if not broken:
                    raise
                if attempt or not (mode == "read" or _before_sending(exc)):
                    raise
            finally:
                # Cancelled mid-statement (a BaseException) counts as broken too: asyncpg may
                # still be waiting for the answer, so the connection is not reused.
                self._release(driver, broken)
            log.warning("database connection lost before the statement; running it again")
        raise AssertionError("unreachable: the second attempt returns or raises")

    def _release(self, driver: AsyncpgConnection, broken: bool) -> None:
        units = self._units
        if units is not None:
            units.release(driver, broken=broken)
        else:  # the store closed meanwhile
            driver.terminate()


async def _acquire(units: AsyncpgPool | None) -> AsyncpgConnection:
    if units is None:
        raise StoreClosedError(NOT_OPEN)
    try:
        return await units.acquire()
    except Exception as exc:
        _raise_busy(exc)  # too many connections: load
        raise


async def _connect(engine: AsyncEngine, url: URL) -> AsyncpgConnection:
    """A plain asyncpg connection with the arguments SQLAlchemy's dialect would pass (host,
    port, user, password, database and the URL's other query options)."""
    import asyncpg

    args, options = engine.dialect.create_connect_args(url)
    for sqlalchemy_only in ("prepared_statement_cache_size", "prepared_statement_name_func"):
        options.pop(sqlalchemy_only, None)
    return cast("AsyncpgConnection", await asyncpg.connect(*args, **options))


def _raise_busy(exc: Exception) -> None:
    """ "Too busy now" as StoreBusyError, which the core retries (as ``busy_as_store_error``)."""
    if getattr(exc, "sqlstate", None) in _PG_BUSY_STATES:
        raise StoreBusyError(type(exc).__name__) from exc


def _connection_lost(driver: AsyncpgConnection, exc: Exception) -> bool:
    import asyncpg

    if driver.is_closed() or isinstance(exc, OSError | ConnectionError):
        return True
    lost = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InternalClientError)
    # 57P01-57P03: the server is shutting down, crashed, or cannot connect now.
    return isinstance(exc, lost) or str(getattr(exc, "sqlstate", "")).startswith("57P")


def _before_sending(exc: Exception) -> bool:
    """Whether asyncpg refused before sending anything: a connection found closed, or one
    left mid-operation by the server ending it (its state machine refuses a new query)."""
    import asyncpg

    if isinstance(exc, ConnectionError) and str(exc) == "connection closed in the pool":
        return True
    if isinstance(exc, asyncpg.InternalClientError):
        return True
    return isinstance(exc, asyncpg.InterfaceError) and "connection is closed" in str(exc)


def pool_options(url: URL) -> tuple[URL, dict[str, Any]]:
    """The connection pool's size from the URL (``?pool_size=5&max_overflow=10&pool_timeout=30``,
    SQLAlchemy's defaults), and the URL without them (asyncpg would take them for its own).

    Raises:
        UnsupportedDatabaseError: (a ``ValueError``) a pool option is not a number.
    """
    return url.difference_update_query(POOL_OPTIONS), pool_settings(url.query)


async def _pg_unit(
    engine: AsyncEngine, mode: Mode, fn: Callable[..., T], args: tuple[Any, ...]
) -> T:
    """One unit on one pooled connection. A disconnect before COMMIT was sent is marked
    ``coach_retry``: the server rolled the transaction back, so running it again is safe."""
    committing = False
    try:
        async with engine.connect() as conn:
            result: T = await conn.run_sync(fn, *args)
            if mode == "write":
                committing = True
                await conn.commit()
            return result
    except DBAPIError as exc:
        if exc.connection_invalidated and not committing:
            exc.coach_retry = True  # type: ignore[attr-defined]
        raise
