"""The personal-data half of :class:`bot.store.sql.SqlStore`: contacts, referrals, space settings,
funnel counts, export and forget.

It is a mixin so that ``sql.py`` stays about conversations and turns; :class:`SqlStore` provides
the runner. Each method is one unit of work (see :mod:`bot.store.sql_runner`): a synchronous
function of a connection, run whole in one thread hop (SQLite) or through ``run_sync``
(PostgreSQL).

Concurrency: a click on a referral card inserts its answer and bumps the count in one write
transaction, with the count changed by ``count = count + 1`` in SQL (never read, add and write
back), so two people clicking at once both count. Funnel counts are upserted the same way.

Privacy: this module logs ids and counts, never names, notes or opportunities.
"""

from __future__ import annotations

import functools
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Executable, Row, Table, delete, select, update

from bot.errors import StoreError
from bot.store import JSON, REFERRAL_KINDS, Contact, FunnelRow, Referral, ReferralAnswer
from bot.store.memory_personal import funnel_rows
from bot.store.schema import (
    contacts,
    conversations,
    funnel_counts,
    inbox_events,
    jobs,
    referral_responses,
    referrals,
    space_settings,
    users,
)
from bot.store.sql_common import (
    SqlMixin,
    all_rows,
    dumps,
    execute,
    first_row,
    rowcount,
    scalar,
    upsert,
    upsert_for,
    utcnow,
)

__all__ = ("PersonalDataSql", "count_funnel")

log = logging.getLogger(__name__)

# Columns holding JSON text, decoded for export.
_JSON_COLUMNS = frozenset({"state", "settings", "payload", "sharer_ref", "opportunity"})
_CONTACT_FIELDS = tuple(f.name for f in fields(Contact))
_COUNT_COLUMNS = {"interested": "interested_count", "know_someone": "know_someone_count"}


class _RepeatClick(StoreError):
    """Raised inside a transaction to roll back a count bumped for an answer already given."""


def count_funnel(conn: Connection, funnel: Sequence[tuple[str, str, str]]) -> None:
    """Add a turn's funnel events to the counts (inside the turn's transaction).

    Rows are upserted in sorted order so that two turns counting the same steps lock the rows
    in the same order and cannot deadlock on PostgreSQL.
    """
    if not funnel:
        return
    counted = sorted(Counter(funnel).items())
    rows = [
        {"flow_id": flow, "step_id": step, "event": event, "count": n}
        for (flow, step, event), n in counted
    ]
    conn.execute(_funnel_upsert(conn.dialect.name), rows)


@functools.cache
def _funnel_upsert(dialect: str) -> Executable:
    """Built once per dialect: it runs on every turn (see :mod:`bot.store.sql`)."""
    stmt = upsert_for(dialect, funnel_counts)
    return stmt.on_conflict_do_update(
        index_elements=[funnel_counts.c.flow_id, funnel_counts.c.step_id, funnel_counts.c.event],
        set_={"count": funnel_counts.c.count + stmt.excluded.count},
    )


class PersonalDataSql(SqlMixin):
    """Store methods for personal data; mixed into :class:`bot.store.sql.SqlStore`."""

    # recruiter contacts

    async def save_contact(self, contact: Contact) -> int:
        values = _contact_values(contact)
        return await self._runner.run("write", _save_contact, contact, values)

    async def list_contacts(self, user_key: str) -> list[Contact]:
        query = select(contacts).where(contacts.c.user_key == user_key).order_by(contacts.c.id)
        return [_to_contact(row) for row in await self._runner.run("read", all_rows, query)]

    async def get_contact(self, user_key: str, contact_id: int) -> Contact | None:
        query = select(contacts).where(
            contacts.c.user_key == user_key, contacts.c.id == contact_id
        )
        row = await self._runner.run("read", first_row, query)
        return None if row is None else _to_contact(row)

    async def delete_contact(self, user_key: str, contact_id: int) -> bool:
        stmt = delete(contacts).where(contacts.c.user_key == user_key, contacts.c.id == contact_id)
        return bool(await self._runner.run("write", rowcount, stmt))

    # funnel

    async def funnel_stats(self) -> list[FunnelRow]:
        return await self._runner.run("read", _funnel_stats)

    # space settings

    async def get_space_setting(self, platform: str, space: str, key: str) -> str | None:
        query = select(space_settings.c.value).where(
            space_settings.c.platform == platform,
            space_settings.c.space == space,
            space_settings.c.key == key,
        )
        value: str | None = await self._runner.run("read", scalar, query)
        return value

    async def set_space_setting(
        self, platform: str, space: str, key: str, value: str | None
    ) -> None:
        await self._runner.run("write", _set_space_setting, platform, space, key, value)

    # referrals

    async def create_referral(
        self,
        *,
        platform: str,
        space: str,
        sharer_key: str,
        sharer_ref: dict[str, JSON],
        opportunity: dict[str, JSON],
    ) -> Referral:
        stmt = (
            referrals.insert()
            .values(
                platform=platform,
                space=space,
                sharer_key=sharer_key,
                sharer_ref=dumps(sharer_ref),
                opportunity=dumps(opportunity),
                status="open",
                interested_count=0,
                know_someone_count=0,
                created_at=utcnow(),
            )
            .returning(*referrals.c)
        )
        return _to_referral(await self._runner.run("write", _one_row, stmt))

    async def get_referral(self, referral_id: int) -> Referral | None:
        query = select(referrals).where(referrals.c.id == referral_id)
        row = await self._runner.run("read", first_row, query)
        return None if row is None else _to_referral(row)

    async def set_referral_message(self, referral_id: int, channel: str, message_id: str) -> None:
        stmt = (
            update(referrals)
            .where(referrals.c.id == referral_id)
            .values(channel=channel, message_id=message_id)
        )
        await self._runner.run("write", execute, stmt)

    async def add_referral_response(self, referral_id: int, responder_key: str, kind: str) -> bool:
        if kind not in REFERRAL_KINDS:
            raise ValueError(f"unknown referral answer {kind!r}; use one of {REFERRAL_KINDS}")
        try:
            return await self._runner.run(
                "write", _add_referral_response, referral_id, responder_key, kind
            )
        except _RepeatClick:
            return False

    async def close_referral(self, referral_id: int, sharer_key: str) -> bool:
        stmt = (
            update(referrals)
            .where(
                referrals.c.id == referral_id,
                referrals.c.sharer_key == sharer_key,
                referrals.c.status == "open",
            )
            .values(status="closed", closed_at=utcnow())
        )
        return bool(await self._runner.run("write", rowcount, stmt))

    async def referrals_shared_by(self, user_key: str) -> list[Referral]:
        query = (
            select(referrals)
            .where(referrals.c.sharer_key == user_key)
            .order_by(referrals.c.created_at.desc(), referrals.c.id.desc())
        )
        return [_to_referral(row) for row in await self._runner.run("read", all_rows, query)]

    async def referrals_answered_by(self, user_key: str) -> list[ReferralAnswer]:
        table = referral_responses
        query = (
            select(table)
            .where(table.c.responder_key == user_key)
            .order_by(table.c.created_at.desc(), table.c.referral_id.desc(), table.c.kind)
        )
        return [
            ReferralAnswer(row.referral_id, row.responder_key, row.kind, row.created_at)
            for row in await self._runner.run("read", all_rows, query)
        ]

    # privacy

    async def export_user(self, user_key: str) -> dict[str, list[dict[str, JSON]]]:
        return await self._runner.run("snapshot", _export_user, user_key)

    async def forget_user(self, user_key: str) -> int:
        removed = await self._runner.run("write", _forget_user, user_key)
        log.info("forgot a user: %d rows deleted", removed)
        return removed


# units of work


def _one_row(conn: Connection, stmt: Executable) -> Row[Any]:
    return conn.execute(stmt).one()


def _funnel_stats(conn: Connection) -> list[FunnelRow]:
    table = funnel_counts
    # "count" is also a method of a row (a tuple), so the column is read by its key.
    query = select(table.c.flow_id, table.c.step_id, table.c.event, table.c["count"])
    return funnel_rows(conn.execute(query).all())


def _save_contact(conn: Connection, contact: Contact, values: dict[str, object]) -> int:
    now = utcnow()
    if contact.id == 0:
        stmt = contacts.insert().values(
            user_key=contact.user_key, created_at=now, updated_at=now, **values
        )
        new_id: int = conn.execute(stmt.returning(contacts.c.id)).scalar_one()
        return new_id
    stmt_update = (
        update(contacts)
        .where(contacts.c.id == contact.id, contacts.c.user_key == contact.user_key)
        .values(updated_at=now, **values)
    )
    if conn.execute(stmt_update).rowcount == 0:
        raise LookupError(f"contact {contact.id} is not one of this user's contacts")
    return contact.id


def _set_space_setting(
    conn: Connection, platform: str, space: str, key: str, value: str | None
) -> None:
    if value is None:
        conn.execute(
            delete(space_settings).where(
                space_settings.c.platform == platform,
                space_settings.c.space == space,
                space_settings.c.key == key,
            )
        )
        return
    stmt = upsert(conn, space_settings).values(
        platform=platform, space=space, key=key, value=value
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[space_settings.c.platform, space_settings.c.space, space_settings.c.key],
        set_={"value": value},
    )
    conn.execute(stmt)


def _add_referral_response(
    conn: Connection, referral_id: int, responder_key: str, kind: str
) -> bool:
    column = referrals.c[_COUNT_COLUMNS[kind]]
    # Bump first: on PostgreSQL the UPDATE locks the referral row, so a concurrent close
    # waits (and a closed referral bumps nothing); then a repeat click rolls the bump back.
    bump = (
        update(referrals)
        .where(referrals.c.id == referral_id, referrals.c.status == "open")
        .values({column: column + 1})
    )
    if conn.execute(bump).rowcount == 0:
        return False
    answer = (
        upsert(conn, referral_responses)
        .values(
            referral_id=referral_id, responder_key=responder_key, kind=kind, created_at=utcnow()
        )
        .on_conflict_do_nothing()
    )
    if conn.execute(answer).rowcount == 0:
        raise _RepeatClick  # rolls the bump back
    return True


def _export_user(conn: Connection, user_key: str) -> dict[str, list[dict[str, JSON]]]:
    exported: dict[str, list[dict[str, JSON]]] = {}
    for table, column in _user_columns():
        rows = conn.execute(select(table).where(column == user_key)).all()
        exported[table.name] = [_exportable(row) for row in rows]
    return exported


def _forget_user(conn: Connection, user_key: str) -> int:
    removed = _forget_answers(conn, user_key) + _forget_shared(conn, user_key)
    for table in (conversations, users, jobs, contacts, inbox_events):
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
    ]


def _forget_answers(conn: Connection, user_key: str) -> int:
    """Delete the user's answers to other people's referrals and take them off the counts."""
    table = referral_responses
    answers = conn.execute(
        select(table.c.referral_id, table.c.kind).where(table.c.responder_key == user_key)
    ).all()
    for referral_id, kind in sorted(answers):  # one lock order for every worker
        column = referrals.c[_COUNT_COLUMNS[kind]]
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


def _contact_values(contact: Contact) -> dict[str, object]:
    if contact.cadence_months is not None and not 3 <= contact.cadence_months <= 6:
        raise ValueError("cadence_months must be between 3 and 6, or None")
    return {
        "name": contact.name,
        "agency": contact.agency,
        "specialty": contact.specialty,
        "reach": contact.reach,
        "notes": contact.notes,
        "cadence_months": contact.cadence_months,
        "last_contact_at": contact.last_contact_at,
    }


def _to_contact(row: Row[Any]) -> Contact:
    return Contact(**{name: row._mapping[name] for name in _CONTACT_FIELDS})


def _to_referral(row: Row[Any]) -> Referral:
    values = dict(row._mapping)
    values["sharer_ref"] = json.loads(values["sharer_ref"])
    values["opportunity"] = json.loads(values["opportunity"])
    return Referral(**values)


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
