"""Small helpers shared by the SQL store's modules (:mod:`bot.store.sql`,
:mod:`bot.store.sql_jobs`, :mod:`bot.store.sql_personal`, the runners): the clock, JSON text, the
dialect's upserting INSERT, the runner protocol and its load-error check, the base class that
holds the runner, and units of work of one statement."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from bot.store.errors import StoreBusyError, UnsupportedDatabaseError
from bot.store.sql_values import (
    NOT_OPEN,
    Mode,
    PlainSqliteRunner,
    dumps,
    is_sqlite_busy,
    utcnow,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection, Executable, Row, Table
    from sqlalchemy.dialects import postgresql, sqlite

    from bot.store.pg_units import AsyncpgRunner

    UpsertInsert = sqlite.Insert | postgresql.Insert

__all__ = (
    "NOT_OPEN",
    "Mode",
    "SqlMixin",
    "SqlRunner",
    "all_rows",
    "busy_as_store_error",
    "dumps",
    "execute",
    "first_row",
    "is_busy",
    "rowcount",
    "scalar",
    "upsert",
    "upsert_for",
    "utcnow",
)

P = ParamSpec("P")
T = TypeVar("T")
# PostgreSQL states that mean "too busy now, try again": too many connections, cannot connect
# now (starting up), lock not available, deadlock, serialisation failure, statement timeout.
_PG_BUSY_STATES = frozenset({"53300", "57P03", "55P03", "40P01", "40001", "57014"})


def is_busy(exc: BaseException) -> bool:
    """Whether a database error is load rather than a fault: a pool checkout or lock that timed
    out, too many connections. Such a unit committed nothing and can run again later."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeoutError

    if isinstance(exc, PoolTimeoutError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    return is_sqlite_busy(exc) or getattr(exc.orig, "sqlstate", None) in _PG_BUSY_STATES


async def busy_as_store_error(unit: Awaitable[T]) -> T:
    """Await ``unit``, turning load errors into :class:`~bot.store.StoreBusyError`, which the
    core knows (it must not import SQLAlchemy) and retries instead of apologising."""
    try:
        return await unit
    except Exception as exc:
        if is_busy(exc):
            raise StoreBusyError(type(exc).__name__) from exc
        raise


class SqlRunner(Protocol):
    """Runs a store method's unit of work (see :mod:`bot.store.sql_runner`)."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def run(
        self,
        mode: Mode,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(conn, *args, **kwargs)`` in one unit of work; its result or its exception."""


def upsert(conn: Connection, table: Table) -> UpsertInsert:
    """``INSERT INTO table`` in the connection's dialect, which has ``ON CONFLICT``."""
    return _dialect_insert(conn.dialect.name)(table)


def upsert_for(dialect: str, table: Table) -> UpsertInsert:
    """``INSERT INTO table`` in the named dialect (for statements built once per dialect)."""
    return _dialect_insert(dialect)(table)


@functools.cache
def _dialect_insert(dialect: str) -> Callable[[Table], UpsertInsert]:
    """Imported lazily so that a SQLite start-up does not load the PostgreSQL dialect."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    raise UnsupportedDatabaseError(
        f"unsupported database dialect {dialect!r}; use sqlite or postgresql"
    )


class SqlMixin:
    """What the store's mixins share: the runner of units of work (set by ``SqlStore``), and
    on SQLite the same runner as a :class:`~bot.store.sql_values.PlainSqliteRunner`, for the
    units on plain ``sqlite3`` (None on PostgreSQL), or on PostgreSQL as an
    :class:`~bot.store.pg_units.AsyncpgRunner`, for the units straight on asyncpg."""

    _runner: SqlRunner
    _sqlite: PlainSqliteRunner | None
    _postgres: AsyncpgRunner | None

    def _pg(self) -> AsyncpgRunner:
        """The PostgreSQL runner, on a store that is not on SQLite (one of the two is set)."""
        if self._postgres is None:
            raise UnsupportedDatabaseError("not a PostgreSQL store")
        return self._postgres


# Units of work of one statement (the runner's first argument is the connection).


def execute(conn: Connection, stmt: Executable) -> None:
    conn.execute(stmt)


def rowcount(conn: Connection, stmt: Executable) -> int:
    """How many rows an UPDATE or DELETE touched."""
    return conn.execute(stmt).rowcount


def all_rows(conn: Connection, query: Executable) -> list[Row[Any]]:
    return list(conn.execute(query).all())


def first_row(conn: Connection, query: Executable) -> Row[Any] | None:
    return conn.execute(query).first()


def scalar(conn: Connection, query: Executable) -> Any:
    return conn.execute(query).scalar()
