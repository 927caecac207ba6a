"""The durable inbox: platform events saved before they are acknowledged, and per-conversation
holds, so that each conversation's events run one at a time, in order, on any worker.

Revision ID: 0003_inbox
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_inbox"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than taken from bot.store.schema: a migration is a snapshot and must not
# change when the current schema does.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Text(), nullable=False, unique=True),
        sa.Column("conversation_key", sa.Text(), nullable=False),
        sa.Column("user_key", sa.Text(), nullable=False),
        sa.Column("stamp", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("enqueued_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=True),
    )
    op.create_index("ix_inbox_events_user_key", "inbox_events", ["user_key"])
    op.create_index(
        "ix_inbox_conversation", "inbox_events", ["conversation_key", "status", "stamp"]
    )
    op.create_index("ix_inbox_status_id", "inbox_events", ["status", "id"])
    op.create_table(
        "inbox_locks",
        sa.Column("conversation_key", sa.Text(), primary_key=True),
        sa.Column("claimed_by", sa.Text(), nullable=False),
        sa.Column("claimed_at", _TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("inbox_locks")
    op.drop_index("ix_inbox_status_id", table_name="inbox_events")
    op.drop_index("ix_inbox_conversation", table_name="inbox_events")
    op.drop_index("ix_inbox_events_user_key", table_name="inbox_events")
    op.drop_table("inbox_events")
