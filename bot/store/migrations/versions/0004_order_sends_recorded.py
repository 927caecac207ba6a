"""The durable inbox: the moment each event may run (``inbox_events.due_at``), so that an event
waits for messages the platform stamped earlier that reach us a little later (see
bot.dialog.inbox); and the platform's answer to a reminder's send (``jobs.sent_ref``: the
posted message's ts / id), recorded as soon as the platform accepted it.

Revision ID: 0004_order_sends
Revises: 0003_inbox
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_order_sends"
down_revision: str | None = "0003_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: rows queued before this migration run after the settle window, as they did.
    with op.batch_alter_table("inbox_events") as batch:
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("sent_ref", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("sent_ref")
    with op.batch_alter_table("inbox_events") as batch:
        batch.drop_column("due_at")
