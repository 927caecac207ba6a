"""The SQL schema as SQLAlchemy Core tables, and the Alembic revision it corresponds to.

The tables here describe the schema at :data:`HEAD_REVISION`; the migrations in
``bot/store/migrations/versions`` create it. When the schema changes, add a migration and move
``HEAD_REVISION`` to it (a test checks the two agree): :class:`bot.store.sql.SqlStore` compares the
database's ``alembic_version`` with this constant so that a start-up with an up-to-date schema
never imports Alembic.

JSON values (conversation state, settings, job payloads) are stored as text that this package
encodes and decodes itself, so the column type is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeDecorator

__all__ = (
    "HEAD_REVISION",
    "JOB_STATUSES",
    "LIVE_JOB_STATUSES",
    "UtcDateTime",
    "conversations",
    "flow_versions",
    "jobs",
    "metadata",
    "processed_events",
    "users",
)

HEAD_REVISION = "0001"
"""The newest migration's revision id; keep equal to the last file in ``migrations/versions``."""

JOB_STATUSES = ("pending", "running", "done", "failed")
LIVE_JOB_STATUSES = ("pending", "running")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zone type: SQLAlchemy writes the wall-clock digits and reads back a naive
    value. Converting to UTC before writing makes the stored text comparable (``due_at <= :now``
    compares strings on SQLite) and lets us mark values read back as UTC. Naive values are
    refused because their zone is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass a timezone-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData()

conversations = Table(
    "conversations",
    metadata,
    Column("key", Text, primary_key=True),
    Column("user_key", Text, nullable=False, index=True),
    Column("state", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("user_key", Text, primary_key=True),
    Column("time_zone", Text, nullable=True),
    Column("settings", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("job_key", Text, nullable=True),
    Column("user_key", Text, nullable=False, index=True),
    Column("conversation_key", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("due_at", UtcDateTime, nullable=False),
    Column("status", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("claimed_by", Text, nullable=True),
    Column("claimed_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
)

# The claim query filters on status and orders by due_at, so one index serves it.
Index("ix_jobs_status_due_at", jobs.c.status, jobs.c.due_at)

# At most one live (pending or running) job per key: scheduling again replaces the pending one.
_LIVE = text("status IN ('pending', 'running')")
Index(
    "uq_jobs_live_job_key",
    jobs.c.job_key,
    unique=True,
    sqlite_where=_LIVE,
    postgresql_where=_LIVE,
)

flow_versions = Table(
    "flow_versions",
    metadata,
    Column("version", Text, primary_key=True),
    Column("flow_id", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
