"""Platform profiles shared by the workers (``profiles``): what ``users.info`` said about a
person, kept until ``expires_at`` (see bot/store/ports/profiles.py).

Revision ID: 0005_profiles
Revises: 0004_order_sends
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_profiles"
down_revision: str | None = "0004_order_sends"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("user_key", sa.Text(), primary_key=True),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("profiles")
