"""Processed event ids are kept as digests (``bot.store.records.processed_key``), not as the
platform's ids: a Slack message's key names its DM channel, and ``forget`` cannot delete the
forget turn's own id. The ids already recorded become their digests.

Revision ID: 0007_event_digests
Revises: 0006_inbox_replies
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.records import processed_key

revision: str = "0007_event_digests"
down_revision: str | None = "0006_inbox_replies"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENTS = sa.table("processed_events", sa.column("event_id", sa.Text()))


def upgrade() -> None:
    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.select(_EVENTS.c.event_id))]
    for event_id in ids:  # a day of events at most: the rows expire after DEFAULT_EVENT_TTL
        conn.execute(
            sa.update(_EVENTS)
            .where(_EVENTS.c.event_id == event_id)
            .values(event_id=processed_key(event_id))
        )


def downgrade() -> None:
    # Digests cannot be turned back into ids; the inbox's own event ids still turn retries away.
    op.execute(sa.delete(_EVENTS))
