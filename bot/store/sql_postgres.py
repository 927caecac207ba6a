"""The PostgreSQL runner of :class:`bot.store.sql.SqlStore` (see :mod:`bot.store.sql_runner`).

Asyncpg through SQLAlchemy's async engine; the same
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

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import Connection
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from bot.store.errors import StoreBusyError, StoreClosedError
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

    async def close(self) -> None:
        engine, self._async_engine, self._autocommit = self._async_engine, None, None
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
        if mode == "read" and self._autocommit is not None:
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
        fn: Callable[Concatenate[AsyncpgConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``await fn(conn, ...)`` on a pooled connection's asyncpg connection, in autocommit
        mode: for units of ONE statement (a statement is atomic on its own).

        A connection found closed when it leaves the pool (the server ended it meanwhile) is
        replaced before anything is sent. One that fails during the statement is not used
        again, and the error is raised: the statement may have been applied.
        """
        return await busy_as_store_error(self._run_asyncpg(fn, *args, **kwargs))

    async def _run_asyncpg(
        self,
        fn: Callable[Concatenate[AsyncpgConnection, P], Awaitable[T]],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        if self._autocommit is None:
            raise StoreClosedError(NOT_OPEN)
        for _attempt in range(2):
            async with self._autocommit.connect() as conn:
                raw = await conn.get_raw_connection()
                driver = cast("AsyncpgConnection", raw.driver_connection)
                if driver.is_closed():
                    await conn.invalidate()
                    continue
                try:
                    return await fn(driver, *args, **kwargs)
                except Exception as exc:
                    await _on_asyncpg_error(conn, driver, exc)
                    raise
        raise StoreBusyError("no open database connection")


async def _on_asyncpg_error(conn: Any, driver: AsyncpgConnection, exc: Exception) -> None:
    """Drop a connection that broke; turn "too busy now" into StoreBusyError, which the core
    retries (see :func:`bot.store.sql_common.busy_as_store_error`)."""
    if driver.is_closed() or isinstance(exc, OSError | ConnectionError):
        await conn.invalidate()
    if getattr(exc, "sqlstate", None) in _PG_BUSY_STATES:
        raise StoreBusyError(type(exc).__name__) from exc


_POOL_OPTIONS = {"pool_size": int, "max_overflow": int, "pool_timeout": float}


def pool_options(url: URL) -> tuple[URL, dict[str, Any]]:
    """The connection pool's size from the URL (``?pool_size=5&max_overflow=10&pool_timeout=30``,
    SQLAlchemy's defaults), and the URL without them (asyncpg would take them for its own).

    Raises:
        ValueError: a pool option is not a number.
    """
    options = {
        name: convert(url.query[name])
        for name, convert in _POOL_OPTIONS.items()
        if isinstance(url.query.get(name), str)
    }
    return url.difference_update_query(_POOL_OPTIONS), options


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
