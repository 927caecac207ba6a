"""What the SQL store's modules share without SQLAlchemy: the runner's modes, the clock, JSON
text, SQLite's "busy" answer and its text form of a UTC datetime.

Kept free of SQLAlchemy so that :mod:`bot.store.sql_runner` and :mod:`bot.store.sqlite_units`
(the turn's units on plain ``sqlite3``) can be imported without it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Concatenate, Literal, ParamSpec, Protocol, TypeVar

from bot.store.errors import InvalidRecordError
from bot.store.records import JSON

__all__ = (
    "HEAD_REVISION",
    "MIGRATIONS_DIR",
    "NOT_OPEN",
    "Mode",
    "PlainSqliteRunner",
    "dumps",
    "from_sqlite_datetime",
    "is_sqlite_busy",
    "to_sqlite_datetime",
    "utcnow",
)

HEAD_REVISION = "0007_event_digests"
"""The newest migration's revision id; keep equal to the last file in ``migrations/versions``.
The schema (:mod:`bot.store.schema`) is at it; kept here, free of SQLAlchemy, so that a start-up
whose database records it checks so without importing SQLAlchemy."""

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

P = ParamSpec("P")
T = TypeVar("T")
# "autocommit": each statement is its own transaction (no BEGIN / COMMIT round trips): for a
# single-statement write, or writes that need not be atomic together (the inbox's hot path).
Mode = Literal["read", "snapshot", "write", "autocommit"]

NOT_OPEN = "SqlStore is not open; await store.open() first"

_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class PlainSqliteRunner(Protocol):
    """Runs units on plain ``sqlite3`` (:class:`bot.store.sql_runner.SqliteRunner`)."""

    async def run_sqlite(
        self,
        mode: Mode,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(conn, *args, **kwargs)`` in one unit of work; its result or its exception."""

    async def truncate_wal(self) -> None:
        """Empty the write-ahead log into the database file, which drops the old page images
        it still holds (after ``forget``: they hold the person's rows)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def dumps(value: JSON) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def is_sqlite_busy(exc: BaseException) -> bool:
    """Whether SQLite answered "database is locked" (``SQLITE_BUSY``, or ``SQLITE_LOCKED``):
    the statement took no lock and wrote nothing. ``exc`` may be the driver's error or
    SQLAlchemy's wrapper of it (``.orig``)."""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    return orig.sqlite_errorcode & 0xFF in _BUSY_CODES


def to_sqlite_datetime(value: datetime) -> str:
    """A datetime as SQLAlchemy's SQLite ``DATETIME`` stores a
    :class:`bot.store.schema.UtcDateTime`: the UTC wall clock with microseconds, no zone
    (``2026-11-23 15:00:00.000000``). The same text whichever way a row was written, so that
    ``due_at <= :now`` (a string comparison on SQLite) stays right.

    Raises:
        InvalidRecordError: a naive datetime (its zone would be a guess).
    """
    if value.tzinfo is None:
        raise InvalidRecordError("naive datetime given to the store; pass a timezone-aware one")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def from_sqlite_datetime(text: str) -> datetime:
    """The aware UTC datetime of a stored ``DATETIME`` text (see :func:`to_sqlite_datetime`)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
