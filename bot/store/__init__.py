"""Storage (layer 1): the ports the core uses, their records and errors, and the implementations.

- :mod:`bot.store.ports`: one small protocol per subject (conversations, inbox, jobs, contacts,
  referrals, users and space settings, personal data, funnel stats) and :class:`Store`, all of
  them together;
- :mod:`bot.store.records`: the frozen dataclasses the ports take and return;
- :mod:`bot.store.errors`: the store's errors, under :class:`bot.errors.CoachError`;
- implementations: :class:`bot.store.sql.SqlStore` (SQLite on the event loop's thread, or
  PostgreSQL through asyncpg; schema and Alembic migrations beside it) and
  :class:`bot.store.memory.MemoryStore` (the benchmark's and ``flows test``'s store);
  :func:`bot.store.factory.build_store` picks one from a database URL.

Personal data is scoped to a ``user_key`` so that ``export_user`` can hand all of it back and
``forget_user`` can erase all of it; funnel counts hold no user data; space settings belong to
a Slack team or Discord server, not to a person.

May import only :mod:`bot.errors` and :mod:`bot.boundary` from the rest of ``bot`` (SQLAlchemy and
Alembic are loaded by the SQL modules only).
"""

from __future__ import annotations

from bot.store.errors import (
    DuplicateEventError,
    InvalidRecordError,
    StoreBusyError,
    StoreClosedError,
    StoreError,
    UnknownRecordError,
    VersionConflictError,
)
from bot.store.ports import (
    ContactBook,
    ConversationStore,
    EventExpiry,
    FunnelStats,
    InboxStore,
    JobDelivery,
    JobQueue,
    PersonalData,
    ProfileCache,
    ReferralStore,
    SpaceSettings,
    Store,
    StoreLifecycle,
    UserStore,
)
from bot.store.records import (
    FUNNEL_EVENTS,
    JSON,
    REFERRAL_KINDS,
    Contact,
    FunnelRow,
    InboxEvent,
    Job,
    JobSpec,
    KeptState,
    Referral,
    ReferralAnswer,
    StoredConversation,
    TurnCommit,
    UserRecord,
)

__all__ = (
    "FUNNEL_EVENTS",
    "JSON",
    "REFERRAL_KINDS",
    "Contact",
    "ContactBook",
    "ConversationStore",
    "DuplicateEventError",
    "EventExpiry",
    "FunnelRow",
    "FunnelStats",
    "InboxEvent",
    "InboxStore",
    "InvalidRecordError",
    "Job",
    "JobDelivery",
    "JobQueue",
    "JobSpec",
    "KeptState",
    "PersonalData",
    "ProfileCache",
    "Referral",
    "ReferralAnswer",
    "ReferralStore",
    "SpaceSettings",
    "Store",
    "StoreBusyError",
    "StoreClosedError",
    "StoreError",
    "StoreLifecycle",
    "StoredConversation",
    "TurnCommit",
    "UnknownRecordError",
    "UserRecord",
    "UserStore",
    "VersionConflictError",
)
