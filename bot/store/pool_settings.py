"""The connection pool's size, read from a PostgreSQL URL's query (``?pool_size=5``).

Free of SQLAlchemy, so that the settings check (:func:`bot.store.factory.normalize_database_url`)
refuses a wrong value before anything is imported or opened, with the same message the store
would give.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.store.errors import UnsupportedDatabaseError

__all__ = ("POOL_OPTIONS", "pool_settings")

# SQLAlchemy's names and defaults: pool_size=5, max_overflow=10, pool_timeout=30 (seconds).
POOL_OPTIONS: dict[str, Callable[[str], int | float]] = {
    "pool_size": int,
    "max_overflow": int,
    "pool_timeout": float,
}


def pool_settings(query: Mapping[str, object]) -> dict[str, int | float]:
    """The pool options given in ``query`` (a URL's query, name -> value), as numbers.

    Raises:
        UnsupportedDatabaseError: (a ``ValueError``) an option is not a number.
    """
    found: dict[str, int | float] = {}
    for name, convert in POOL_OPTIONS.items():
        value = query.get(name)
        if not isinstance(value, str):
            continue
        try:
            found[name] = convert(value)
        except ValueError:
            kind = "a whole number" if convert is int else "a number of seconds"
            raise UnsupportedDatabaseError(
                f"{name} in the URL must be {kind}, not {value!r}"
                " (for example ?pool_size=5&max_overflow=10&pool_timeout=30)"
            ) from None
    return found
