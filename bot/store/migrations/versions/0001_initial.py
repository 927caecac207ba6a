"""Initial schema: conversations, users, processed events, jobs, flow versions.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than taken from bot.store.schema: a migration is a snapshot and must not
# change when the current schema does.
_TS = sa.DateTime(timezone=True)
_LIVE = sa.text("status IN ('pending', 'running')")


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("user_key", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_index("ix_conversations_user_key", "conversations", ["user_key"])

    op.create_table(
        "users",
        sa.Column("user_key", sa.Text(), primary_key=True),
        sa.Column("time_zone", sa.Text(), nullable=True),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.Text(), primary_key=True),
        sa.Column("expires_at", _TS, nullable=False),
    )
    op.create_index("ix_processed_events_expires_at", "processed_events", ["expires_at"])

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("job_key", sa.Text(), nullable=True),
        sa.Column("user_key", sa.Text(), nullable=False),
        sa.Column("conversation_key", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("due_at", _TS, nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("claimed_by", sa.Text(), nullable=True),
        sa.Column("claimed_at", _TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_index("ix_jobs_user_key", "jobs", ["user_key"])
    op.create_index("ix_jobs_status_due_at", "jobs", ["status", "due_at"])
    op.create_index(
        "uq_jobs_live_job_key",
        "jobs",
        ["job_key"],
        unique=True,
        sqlite_where=_LIVE,
        postgresql_where=_LIVE,
    )

    op.create_table(
        "flow_versions",
        sa.Column("version", sa.Text(), primary_key=True),
        sa.Column("flow_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("flow_versions")
    op.drop_index("uq_jobs_live_job_key", table_name="jobs")
    op.drop_index("ix_jobs_status_due_at", table_name="jobs")
    op.drop_index("ix_jobs_user_key", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_processed_events_expires_at", table_name="processed_events")
    op.drop_table("processed_events")
    op.drop_table("users")
    op.drop_index("ix_conversations_user_key", table_name="conversations")
    op.drop_table("conversations")
