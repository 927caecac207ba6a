"""The SQL schema as SQLAlchemy Core tables, and the Alembic revision it corresponds to.

The tables here describe the schema at :data:`HEAD_REVISION`; the migrations in
``bot/store/migrations/versions`` create it. When the schema changes, add a migration and move
``HEAD_REVISION`` to it (a test checks the two agree): :class:`bot.store.sql.SqlStore` compares the
database's ``alembic_version`` with this constant so that a start-up with an up-to-date schema
never imports Alembic.

JSON values (conversation state, settings, job payloads, referral opportunities) are stored as
text that this package encodes and decodes itself, so the column type is the same on SQLite and
PostgreSQL.

Every table that holds something about a person has a column naming them (``user_key``,
``sharer_key`` or ``responder_key``), which is what ``export_user`` and ``forget_user`` select on.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeDecorator

from bot.store.errors import InvalidRecordError
from bot.store.sql_values import HEAD_REVISION

__all__ = (
    "HEAD_REVISION",
    "JOB_STATUSES",
    "LIVE_JOB_STATUSES",
    "USER_TABLES",
    "UtcDateTime",
    "contacts",
    "conversations",
    "flow_versions",
    "funnel_counts",
    "inbox_events",
    "inbox_locks",
    "jobs",
    "metadata",
    "processed_events",
    "profiles",
    "referral_responses",
    "referrals",
    "space_settings",
    "users",
)

JOB_STATUSES = ("pending", "running", "sending", "done", "failed")
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
            raise InvalidRecordError(
                "naive datetime given to the store; pass a timezone-aware one"
            )
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
    # the platform's answer to the send (migration 0004): posted message ts / ids, "accepted"
    Column("sent_ref", Text, nullable=True),
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

# -- personal data (migration 0002) -----------------------------------------------------------

contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_key", Text, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("agency", Text, nullable=False),
    Column("specialty", Text, nullable=False),
    Column("reach", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("last_contact_at", UtcDateTime, nullable=True),
    Column("cadence_months", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "cadence_months IS NULL OR cadence_months BETWEEN 3 AND 6", name="ck_contacts_cadence"
    ),
)

# Counts per flow step for flow authors (`recruiter-coach stats`): no user data, by design.
funnel_counts = Table(
    "funnel_counts",
    metadata,
    Column("flow_id", Text, nullable=False),
    Column("step_id", Text, nullable=False),
    Column("event", Text, nullable=False),
    Column("count", Integer, nullable=False),
    PrimaryKeyConstraint("flow_id", "step_id", "event", name="pk_funnel_counts"),
)

# Settings of a Slack team or Discord server, such as the referral channel.
space_settings = Table(
    "space_settings",
    metadata,
    Column("platform", Text, nullable=False),
    Column("space", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    PrimaryKeyConstraint("platform", "space", "key", name="pk_space_settings"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", Text, nullable=False),
    Column("space", Text, nullable=False),
    Column("sharer_key", Text, nullable=False, index=True),
    Column("sharer_ref", Text, nullable=False),
    Column("opportunity", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("channel", Text, nullable=True),
    Column("message_id", Text, nullable=True),
    Column("interested_count", Integer, nullable=False, server_default=text("0")),
    Column("know_someone_count", Integer, nullable=False, server_default=text("0")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("closed_at", UtcDateTime, nullable=True),
)

# One row per click; the key makes a second click of the same button a no-op.
referral_responses = Table(
    "referral_responses",
    metadata,
    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False),
    Column("responder_key", Text, nullable=False, index=True),
    Column("kind", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("referral_id", "responder_key", "kind", name="pk_referral_responses"),
)

# -- the durable inbox (migration 0003_inbox) -------------------------------------------------

# Platform events saved before they are acknowledged, run from here in order per conversation.
# A done row keeps its event id (a late retry is recognised) but not its payload.
inbox_events = Table(
    "inbox_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", Text, nullable=False, unique=True),
    Column("conversation_key", Text, nullable=False),
    Column("user_key", Text, nullable=False, index=True),
    Column("stamp", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", Text, nullable=False),  # "pending" or "done"
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("enqueued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=True),  # set when done
    # when it may run (migration 0004): later messages wait for earlier ones still on their way
    Column("due_at", UtcDateTime, nullable=True),
    # the turn's replies, saved with the turn until they are sent (migration 0006): a worker
    # killed between the two leaves them to the worker that takes the conversation over
    Column("replies", Text, nullable=True),
)
# The next event of a conversation, and the pending events to claim.
Index(
    "ix_inbox_conversation",
    inbox_events.c.conversation_key,
    inbox_events.c.status,
    inbox_events.c.stamp,
)
Index("ix_inbox_status_id", inbox_events.c.status, inbox_events.c.id)

# Which worker holds which conversation (one row while held): its events run one at a time.
inbox_locks = Table(
    "inbox_locks",
    metadata,
    Column("conversation_key", Text, primary_key=True),
    Column("claimed_by", Text, nullable=False),
    Column("claimed_at", UtcDateTime, nullable=False),
)

# -- platform profiles (migration 0005_profiles) ---------------------------------------------

# What a platform said about a person (name, locale, time zone, admin), shared by the workers
# until it expires, so that more workers do not mean more users.info calls.
profiles = Table(
    "profiles",
    metadata,
    Column("user_key", Text, primary_key=True),
    Column("profile", Text, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

USER_TABLES = ("conversations", "users", "jobs", "contacts", "profiles")
"""The tables whose rows each belong to one person through a ``user_key`` column."""
