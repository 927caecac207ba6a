"""Choose a store from a database URL.

Accepted URLs:

- ``memory://``: :class:`~bot.store.memory.MemoryStore` (nothing survives the process).
- ``sqlite+aiosqlite:///path/to/coach.db`` (``sqlite:///...`` is accepted and given the same
  spelling): the default, a file in the user's data directory. The driver name stays in the URL
  for compatibility with existing settings; :class:`~bot.store.sql.SqlStore` runs SQLite on the
  standard library's ``sqlite3``, on the event loop's thread and on a worker thread of its own
  when another connection holds the write lock (see :mod:`bot.store.sql_runner`).
- ``postgresql+asyncpg://user:password@host/db`` (``postgresql://`` and ``postgres://``, as
  hosting providers write them, are accepted and given the async driver).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from bot.store.errors import UnsupportedDatabaseError
from bot.store.pool_settings import pool_settings
from bot.store.ports import Store

__all__ = ("ACCEPTED_SCHEMES", "build_store", "default_database_url", "normalize_database_url")

ACCEPTED_SCHEMES = ("memory://", "sqlite+aiosqlite://", "postgresql+asyncpg://")

# Spellings people write for the two SQL databases, mapped to one spelling each.
_SCHEME_ALIASES = {
    "sqlite://": "sqlite+aiosqlite://",
    "sqlite+aiosqlite://": "sqlite+aiosqlite://",
    "postgres://": "postgresql+asyncpg://",
    "postgresql://": "postgresql+asyncpg://",
    "postgresql+asyncpg://": "postgresql+asyncpg://",
}


def default_database_url(data_dir: Path) -> str:
    """The SQLite database ``coach.db`` in ``data_dir`` (created on first open)."""
    return f"sqlite+aiosqlite:///{data_dir.expanduser() / 'coach.db'}"


def normalize_database_url(url: str) -> str:
    """Give a SQL URL the spelling this project uses; ``memory://`` is returned as is.

    Raises:
        UnsupportedDatabaseError: (a ``ValueError``) the URL names a database or driver the
            coach does not support, or a pool option that is not a number.
    """
    stripped = url.strip()
    if stripped == "memory://":
        return stripped
    for alias, scheme in _SCHEME_ALIASES.items():
        if stripped.startswith(alias):
            normalized = scheme + stripped.removeprefix(alias)
            if normalized.startswith("postgresql"):  # refused now, not when the store opens
                pool_settings(dict(parse_qsl(urlsplit(normalized).query)))
            return normalized
    scheme = stripped.partition("://")[0] or stripped
    raise UnsupportedDatabaseError(
        f"unsupported database URL scheme {scheme!r}; use one of {', '.join(ACCEPTED_SCHEMES)}"
        " (for example sqlite+aiosqlite:///path/to/coach.db)"
    )


def build_store(url: str) -> Store:
    """Make the store for ``url`` (not yet opened: ``await store.open()``)."""
    normalized = normalize_database_url(url)
    if normalized == "memory://":
        from bot.store.memory import MemoryStore

        return MemoryStore()
    # Imported here so that memory:// (tests, benchmarks) never loads SQLAlchemy.
    from bot.store.sql import SqlStore

    return SqlStore(normalized)
