"""Export and forget on SQL, called by :class:`bot.store.sql_mixins.PrivacySql` (imported on first
use): every table that names a person, read in one snapshot or deleted in one write transaction.

Forgetting an answer to someone else's referral takes it off that referral's count; rows are
updated in referral-id order, so two forgets running at once lock them in the same order.

Privacy: this module logs counts only.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, delete, select, update

from bot.store.records import JSON
from bot.store.schema import (
    contacts,
    conversations,
    inbox_events,
    jobs,
    profiles,
    referral_responses,
    referrals,
    users,
)
from bot.store.sql_common import SqlMixin
from bot.store.sql_personal import COUNT_COLUMNS

__all__ = ("export_user", "forget_user")

log = logging.getLogger(__name__)

# Columns holding JSON text, decoded for export.
_JSON_COLUMNS = frozenset({"state", "settings", "payload", "sharer_ref", "opportunity", "profile"})


async def export_user(store: SqlMixin, user_key: str) -> dict[str, list[dict[str, JSON]]]:
    return await store._runner.run("snapshot", _export_user, user_key)


async def forget_user(store: SqlMixin, user_key: str) -> int:
    removed = await store._runner.run("write", _forget_user, user_key)
    if store._sqlite is not None:
        await store._sqlite.truncate_wal()
    log.info("forgot a user: %d rows deleted", removed)
    return removed


# units of work


def _export_user(conn: Connection, user_key: str) -> dict[str, list[dict[str, JSON]]]:
    exported: dict[str, list[dict[str, JSON]]] = {}
    for table, column in _user_columns():
        rows = conn.execute(select(table).where(column == user_key)).all()
        exported[table.name] = [_exportable(row) for row in rows]
    return exported


def _forget_user(conn: Connection, user_key: str) -> int:
    removed = _forget_answers(conn, user_key) + _forget_shared(conn, user_key)
    for table in (conversations, users, jobs, contacts, inbox_events, profiles):
        removed += conn.execute(delete(table).where(table.c.user_key == user_key)).rowcount
    return removed


def _user_columns() -> list[tuple[Table, Any]]:
    """Each table that holds rows about a person, with the column naming the person."""
    return [
        (conversations, conversations.c.user_key),
        (users, users.c.user_key),
        (jobs, jobs.c.user_key),
        (contacts, contacts.c.user_key),
        (referrals, referrals.c.sharer_key),
        (referral_responses, referral_responses.c.responder_key),
        # messages saved but not handled yet hold what the person wrote (done ones: ids only)
        (inbox_events, inbox_events.c.user_key),
        (profiles, profiles.c.user_key),  # what a platform said about the person
    ]


def _forget_answers(conn: Connection, user_key: str) -> int:
    """Delete the user's answers to other people's referrals and take them off the counts."""
    table = referral_responses
    answers = conn.execute(
        select(table.c.referral_id, table.c.kind).where(table.c.responder_key == user_key)
    ).all()
    for referral_id, kind in sorted(answers):  # one lock order for every worker
        column = referrals.c[COUNT_COLUMNS[kind]]
        conn.execute(
            update(referrals)
            .where(referrals.c.id == referral_id, column > 0)
            .values({column: column - 1})
        )
    return conn.execute(delete(table).where(table.c.responder_key == user_key)).rowcount


def _forget_shared(conn: Connection, user_key: str) -> int:
    """Delete the referrals the user shared, and every answer to them."""
    shared = select(referrals.c.id).where(referrals.c.sharer_key == user_key)
    answers = conn.execute(
        delete(referral_responses).where(referral_responses.c.referral_id.in_(shared))
    )
    result = conn.execute(delete(referrals).where(referrals.c.sharer_key == user_key))
    return answers.rowcount + result.rowcount


def _exportable(row: Row[Any]) -> dict[str, JSON]:
    """A row as JSON-ready values: date-times in ISO 8601, JSON text decoded."""
    exported: dict[str, JSON] = {}
    for name, value in row._mapping.items():
        if isinstance(value, datetime):
            exported[name] = value.isoformat()
        elif name in _JSON_COLUMNS and isinstance(value, str):
            exported[name] = json.loads(value)
        else:
            exported[name] = value
    return exported
