"""The errors the store raises: the kinds of :class:`bot.errors.StoreError` (a ``CoachError``).

::

    CoachError
    └── StoreError                 something the store refused or could not do
        ├── VersionConflictError   another event changed the conversation first (retry the turn)
        ├── DuplicateEventError    this platform event id was processed already (a retry)
        ├── StoreBusyError         the database is loaded; nothing was written (retry later)
        ├── StoreClosedError       used before ``open()`` or after ``close()`` (also RuntimeError)
        ├── UnknownRecordError     the record is not one of this user's (also LookupError)
        ├── InvalidRecordError     a field outside its range (also ValueError)
        └── UnsupportedDatabaseError  a database URL or dialect the store cannot use (ValueError)

The last four keep a built-in base as well, so code that catches ``RuntimeError``,
``LookupError`` or ``ValueError`` (as callers did before the tree existed) still does.
"""

from __future__ import annotations

from bot.errors import StoreError

__all__ = (
    "DuplicateEventError",
    "InvalidRecordError",
    "StoreBusyError",
    "StoreClosedError",
    "StoreError",
    "UnknownRecordError",
    "UnsupportedDatabaseError",
    "VersionConflictError",
)


class VersionConflictError(StoreError):
    """Another event changed the conversation first; reload and apply the turn again."""


class DuplicateEventError(StoreError):
    """This platform event id was already processed (a retry)."""


class StoreBusyError(StoreError):
    """The database could not serve the call in time (no pooled connection free, a lock held
    too long, too many connections). Nothing was written; the same call may simply be retried
    a little later, and is (the engine does, with backoff): it is load, not a failure."""


class StoreClosedError(StoreError, RuntimeError):
    """The store was used before ``await store.open()`` or after ``close()``."""


class UnknownRecordError(StoreError, LookupError):
    """The record asked for (a contact id) is not one of this user's."""


class InvalidRecordError(StoreError, ValueError):
    """A record's field is outside what the store accepts (a cadence, an answer kind)."""


class UnsupportedDatabaseError(StoreError, ValueError):
    """The database URL names a database or driver the store does not support."""
