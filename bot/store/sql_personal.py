"""The personal-data half of :class:`bot.store.sql.SqlStore`: contacts, referrals, space settings,
funnel counts, export and forget.

It is a mixin so that ``sql.py`` stays about conversations and jobs; :class:`SqlStore` provides
the engine, the write transaction and the dialect's INSERT (which has ON CONFLICT).

Concurrency: a click on a referral card inserts its answer and bumps the count in one write
transaction, with the count changed by ``count = count + 1`` in SQL (never read, add and write
back), so two people clicking at once both count. Funnel counts are upserted the same way.

Privacy: this module logs ids and counts, never names, notes or opportunities.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.store import (
    JSON,
    REFERRAL_KINDS,
    Contact,
    FunnelRow,
    Referral,
    ReferralAnswer,
)
from bot.store.memory_personal import funnel_rows
from bot.store.schema import (
    contacts,
    conversations,
    funnel_counts,
    jobs,
    referral_responses,
    referrals,
    space_settings,
    users,
)

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite

    _UpsertInsert = sqlite.Insert | postgresql.Insert

__all__ = ("PersonalDataSql", "count_funnel")

log = logging.getLogger(__name__)

# Columns holding JSON text, decoded for export.
_JSON_COLUMNS = frozenset({"state", "settings", "payload", "sharer_ref", "opportunity"})
_CONTACT_FIELDS = tuple(f.name for f in fields(Contact))
_COUNT_COLUMNS = {"interested": "interested_count", "know_someone": "know_someone_count"}


class _RepeatClick(Exception):
    """Raised inside a transaction to roll back a count bumped for an answer already given."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _dumps(value: JSON) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


async def count_funnel(
    conn: AsyncConnection,
    funnel: Sequence[tuple[str, str, str]],
    insert: Callable[[Table], _UpsertInsert],
) -> None:
    """Add a turn's funnel events to the counts (inside the turn's transaction).

    Rows are upserted in sorted order so that two turns counting the same steps lock the rows
    in the same order and cannot deadlock on PostgreSQL.
    """
    if not funnel:
        return
    counted = sorted(Counter(funnel).items())
    stmt = insert(funnel_counts)
    stmt = stmt.on_conflict_do_update(
        index_elements=[funnel_counts.c.flow_id, funnel_counts.c.step_id, funnel_counts.c.event],
        set_={"count": funnel_counts.c.count + stmt.excluded.count},
    )
    rows = [
        {"flow_id": flow, "step_id": step, "event": event, "count": n}
        for (flow, step, event), n in counted
    ]
    await conn.execute(stmt, rows)


class PersonalDataSql:
    """Store methods for personal data; mixed into :class:`bot.store.sql.SqlStore`."""

    _insert: Callable[[Table], _UpsertInsert]

    @property
    def engine(self) -> AsyncEngine:
        raise NotImplementedError  # provided by SqlStore

    def _write(self) -> AbstractAsyncContextManager[AsyncConnection]:
        raise NotImplementedError  # provided by SqlStore

    # recruiter contacts

    async def save_contact(self, contact: Contact) -> int:
        now = _utcnow()
        values = _contact_values(contact)
        async with self._write() as conn:
            if contact.id == 0:
                stmt = contacts.insert().values(
                    user_key=contact.user_key, created_at=now, updated_at=now, **values
                )
                result = await conn.execute(stmt.returning(contacts.c.id))
                new_id: int = result.scalar_one()
                return new_id
            stmt_update = (
                update(contacts)
                .where(contacts.c.id == contact.id, contacts.c.user_key == contact.user_key)
                .values(updated_at=now, **values)
            )
            if (await conn.execute(stmt_update)).rowcount == 0:
                raise LookupError(f"contact {contact.id} is not one of this user's contacts")
        return contact.id

    async def list_contacts(self, user_key: str) -> list[Contact]:
        query = select(contacts).where(contacts.c.user_key == user_key).order_by(contacts.c.id)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_to_contact(row) for row in rows]

    async def get_contact(self, user_key: str, contact_id: int) -> Contact | None:
        query = select(contacts).where(
            contacts.c.user_key == user_key, contacts.c.id == contact_id
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _to_contact(row)

    async def delete_contact(self, user_key: str, contact_id: int) -> bool:
        stmt = delete(contacts).where(contacts.c.user_key == user_key, contacts.c.id == contact_id)
        async with self._write() as conn:
            return bool((await conn.execute(stmt)).rowcount)

    # funnel

    async def funnel_stats(self) -> list[FunnelRow]:
        table = funnel_counts
        # "count" is also a method of a row (a tuple), so the column is read by its key.
        query = select(table.c.flow_id, table.c.step_id, table.c.event, table.c["count"])
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return funnel_rows(rows)

    # space settings

    async def get_space_setting(self, platform: str, space: str, key: str) -> str | None:
        query = select(space_settings.c.value).where(
            space_settings.c.platform == platform,
            space_settings.c.space == space,
            space_settings.c.key == key,
        )
        async with self.engine.connect() as conn:
            value: str | None = (await conn.execute(query)).scalar()
        return value

    async def set_space_setting(
        self, platform: str, space: str, key: str, value: str | None
    ) -> None:
        async with self._write() as conn:
            if value is None:
                await conn.execute(
                    delete(space_settings).where(
                        space_settings.c.platform == platform,
                        space_settings.c.space == space,
                        space_settings.c.key == key,
                    )
                )
                return
            stmt = self._insert(space_settings).values(
                platform=platform, space=space, key=key, value=value
            )
            stmt = stmt.on_conflict_do_update(
                index_elements=[
                    space_settings.c.platform,
                    space_settings.c.space,
                    space_settings.c.key,
                ],
                set_={"value": value},
            )
            await conn.execute(stmt)

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
                sharer_ref=_dumps(sharer_ref),
                opportunity=_dumps(opportunity),
                status="open",
                interested_count=0,
                know_someone_count=0,
                created_at=_utcnow(),
            )
            .returning(*referrals.c)
        )
        async with self._write() as conn:
            row = (await conn.execute(stmt)).one()
        return _to_referral(row)

    async def get_referral(self, referral_id: int) -> Referral | None:
        query = select(referrals).where(referrals.c.id == referral_id)
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _to_referral(row)

    async def set_referral_message(self, referral_id: int, channel: str, message_id: str) -> None:
        stmt = (
            update(referrals)
            .where(referrals.c.id == referral_id)
            .values(channel=channel, message_id=message_id)
        )
        async with self._write() as conn:
            await conn.execute(stmt)

    async def add_referral_response(self, referral_id: int, responder_key: str, kind: str) -> bool:
        if kind not in REFERRAL_KINDS:
            raise ValueError(f"unknown referral answer {kind!r}; use one of {REFERRAL_KINDS}")
        column = referrals.c[_COUNT_COLUMNS[kind]]
        # Bump first: on PostgreSQL the UPDATE locks the referral row, so a concurrent close
        # waits (and a closed referral bumps nothing); then a repeat click rolls the bump back.
        bump = (
            update(referrals)
            .where(referrals.c.id == referral_id, referrals.c.status == "open")
            .values({column: column + 1})
        )
        answer = (
            self._insert(referral_responses)
            .values(
                referral_id=referral_id,
                responder_key=responder_key,
                kind=kind,
                created_at=_utcnow(),
            )
            .on_conflict_do_nothing()
        )
        try:
            async with self._write() as conn:
                if (await conn.execute(bump)).rowcount == 0:
                    return False
                if (await conn.execute(answer)).rowcount == 0:
                    raise _RepeatClick
        except _RepeatClick:
            return False
        return True

    async def close_referral(self, referral_id: int, sharer_key: str) -> bool:
        stmt = (
            update(referrals)
            .where(
                referrals.c.id == referral_id,
                referrals.c.sharer_key == sharer_key,
                referrals.c.status == "open",
            )
            .values(status="closed", closed_at=_utcnow())
        )
        async with self._write() as conn:
            return bool((await conn.execute(stmt)).rowcount)

    async def referrals_shared_by(self, user_key: str) -> list[Referral]:
        query = (
            select(referrals)
            .where(referrals.c.sharer_key == user_key)
            .order_by(referrals.c.created_at.desc(), referrals.c.id.desc())
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_to_referral(row) for row in rows]

    async def referrals_answered_by(self, user_key: str) -> list[ReferralAnswer]:
        table = referral_responses
        query = (
            select(table)
            .where(table.c.responder_key == user_key)
            .order_by(table.c.created_at.desc(), table.c.referral_id.desc(), table.c.kind)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            ReferralAnswer(row.referral_id, row.responder_key, row.kind, row.created_at)
            for row in rows
        ]

    # privacy

    async def export_user(self, user_key: str) -> dict[str, list[dict[str, JSON]]]:
        exported: dict[str, list[dict[str, JSON]]] = {}
        async with self.engine.connect() as conn:
            for table, column in _user_columns():
                rows = (await conn.execute(select(table).where(column == user_key))).all()
                exported[table.name] = [_exportable(row) for row in rows]
        return exported

    async def forget_user(self, user_key: str) -> int:
        removed = 0
        async with self._write() as conn:
            removed += await _forget_answers(conn, user_key)
            removed += await _forget_shared(conn, user_key)
            for table in (conversations, users, jobs, contacts):
                result = await conn.execute(delete(table).where(table.c.user_key == user_key))
                removed += result.rowcount
        log.info("forgot a user: %d rows deleted", removed)
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
    ]


async def _forget_answers(conn: AsyncConnection, user_key: str) -> int:
    """Delete the user's answers to other people's referrals and take them off the counts."""
    table = referral_responses
    answers = (
        await conn.execute(
            select(table.c.referral_id, table.c.kind).where(table.c.responder_key == user_key)
        )
    ).all()
    for referral_id, kind in sorted(answers):  # one lock order for every worker
        column = referrals.c[_COUNT_COLUMNS[kind]]
        await conn.execute(
            update(referrals)
            .where(referrals.c.id == referral_id, column > 0)
            .values({column: column - 1})
        )
    result = await conn.execute(delete(table).where(table.c.responder_key == user_key))
    return result.rowcount


async def _forget_shared(conn: AsyncConnection, user_key: str) -> int:
    """Delete the referrals the user shared, and every answer to them."""
    shared = select(referrals.c.id).where(referrals.c.sharer_key == user_key)
    answers = await conn.execute(
        delete(referral_responses).where(referral_responses.c.referral_id.in_(shared))
    )
    result = await conn.execute(delete(referrals).where(referrals.c.sharer_key == user_key))
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
