"""Personal data and counts: contacts, funnel counts, space settings, referrals and answers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than taken from bot.store.schema: a migration is a snapshot and must not
# change when the current schema does.
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("specialty", sa.Text(), nullable=False),
        sa.Column("reach", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("last_contact_at", _TS, nullable=True),
        sa.Column("cadence_months", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.CheckConstraint(
            "cadence_months IS NULL OR cadence_months BETWEEN 3 AND 6",
            name="ck_contacts_cadence",
        ),
    )
    op.create_index("ix_contacts_user_key", "contacts", ["user_key"])

    op.create_table(
        "funnel_counts",
        sa.Column("flow_id", sa.Text(), nullable=False),
        sa.Column("step_id", sa.Text(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("flow_id", "step_id", "event", name="pk_funnel_counts"),
    )

    op.create_table(
        "space_settings",
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("space", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "space", "key", name="pk_space_settings"),
    )

    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform", sa.Text(), nullable=False),
        sa.Column("space", sa.Text(), nullable=False),
        sa.Column("sharer_key", sa.Text(), nullable=False),
        sa.Column("sharer_ref", sa.Text(), nullable=False),
        sa.Column("opportunity", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("message_id", sa.Text(), nullable=True),
        sa.Column("interested_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column(
            "know_someone_count", sa.Integer(), nullable=False, server_default=sa.text("0")
        ),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("closed_at", _TS, nullable=True),
    )
    op.create_index("ix_referrals_sharer_key", "referrals", ["sharer_key"])

    op.create_table(
        "referral_responses",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("responder_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["referral_id"], ["referrals.id"]),
        sa.PrimaryKeyConstraint(
            "referral_id", "responder_key", "kind", name="pk_referral_responses"
        ),
    )
    op.create_index(
        "ix_referral_responses_responder_key", "referral_responses", ["responder_key"]
    )


def downgrade() -> None:
    op.drop_index("ix_referral_responses_responder_key", table_name="referral_responses")
    op.drop_table("referral_responses")
    op.drop_index("ix_referrals_sharer_key", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("space_settings")
    op.drop_table("funnel_counts")
    op.drop_index("ix_contacts_user_key", table_name="contacts")
    op.drop_table("contacts")
