"""Small helpers shared by the SQL store's modules (:mod:`bot.store.sql`,
:mod:`bot.store.sql_jobs`, :mod:`bot.store.sql_personal`): the clock, JSON text, the dialect's
upserting INSERT, the base class that holds the runner, and units of work of one statement."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Executable, Row, Table

from bot.store import JSON

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

    from bot.store.sql_runner import SqlRunner

    UpsertInsert = sqlite.Insert | postgresql.Insert

__all__ = (
    "SqlMixin",
    "all_rows",
    "dumps",
    "execute",
    "first_row",
    "rowcount",
    "scalar",
    "upsert",
    "upsert_for",
    "utcnow",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def dumps(value: JSON) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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
    raise ValueError(f"unsupported database dialect {dialect!r}; use sqlite or postgresql")


class SqlMixin:
    """What the store's mixins share: the runner of units of work (set by ``SqlStore``)."""

    _runner: SqlRunner


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
