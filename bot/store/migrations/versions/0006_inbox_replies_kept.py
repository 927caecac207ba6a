"""The durable inbox keeps a turn's replies (``inbox_events.replies``) from the turn's commit,
in the same transaction, until they are sent: a worker killed between the two no longer loses
them (the worker that takes the conversation over sends them; see bot.dialog.inbox).

Revision ID: 0006_inbox_replies
Revises: 0005_profiles
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_inbox_replies"
down_revision: str | None = "0005_profiles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_events") as batch:
        batch.add_column(sa.Column("replies", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox_events") as batch:
        batch.drop_column("replies")
