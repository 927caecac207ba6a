"""The personal-data half of :class:`bot.store.sql.SqlStore`: contacts, referrals, space settings
and funnel counts (export and forget are in :mod:`bot.store.sql_privacy`).

Functions of the store on SQLAlchemy Core, called by
:class:`bot.store.sql_mixins.PersonalDataSql`, which imports this module on first use. Each is one
unit of work (see :mod:`bot.store.sql_runner`): a synchronous function of a connection, run whole
by the store's runner.

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
from typing import Any

from sqlalchemy import Connection, Executable, Row, delete, select, update

from bot.store.errors import InvalidRecordError, StoreError, UnknownRecordError
from bot.store.records import (
    JSON,
    REFERRAL_KINDS,
    Contact,
    FunnelRow,
    Referral,
    ReferralAnswer,
    funnel_rows,
)
from bot.store.schema import (
    contacts,
    funnel_counts,
    referral_responses,
    referrals,
    space_settings,
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

__all__ = (
    "COUNT_COLUMNS",
    "add_referral_response",
    "close_referral",
    "count_funnel",
    "create_referral",
    "delete_contact",
    "funnel_stats",
    "get_contact",
    "get_referral",
    "get_space_setting",
    "list_contacts",
    "referrals_answered_by",
    "referrals_shared_by",
    "save_contact",
    "set_referral_message",
    "set_space_setting",
)

log = logging.getLogger(__name__)

_CONTACT_FIELDS = tuple(f.name for f in fields(Contact))
COUNT_COLUMNS = {"interested": "interested_count", "know_someone": "know_someone_count"}


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


async def save_contact(store: SqlMixin, contact: Contact) -> int:
    values = _contact_values(contact)
    return await store._runner.run("write", _save_contact, contact, values)


async def list_contacts(store: SqlMixin, user_key: str) -> list[Contact]:
    query = select(contacts).where(contacts.c.user_key == user_key).order_by(contacts.c.id)
    return [_to_contact(row) for row in await store._runner.run("read", all_rows, query)]


async def get_contact(store: SqlMixin, user_key: str, contact_id: int) -> Contact | None:
    query = select(contacts).where(contacts.c.user_key == user_key, contacts.c.id == contact_id)
    row = await store._runner.run("read", first_row, query)
    return None if row is None else _to_contact(row)


async def delete_contact(store: SqlMixin, user_key: str, contact_id: int) -> bool:
    stmt = delete(contacts).where(contacts.c.user_key == user_key, contacts.c.id == contact_id)
    return bool(await store._runner.run("write", rowcount, stmt))


async def funnel_stats(store: SqlMixin) -> list[FunnelRow]:
    return await store._runner.run("read", _funnel_stats)


async def get_space_setting(store: SqlMixin, platform: str, space: str, key: str) -> str | None:
    query = select(space_settings.c.value).where(
        space_settings.c.platform == platform,
        space_settings.c.space == space,
        space_settings.c.key == key,
    )
    value: str | None = await store._runner.run("read", scalar, query)
    return value


async def set_space_setting(
    store: SqlMixin, platform: str, space: str, key: str, value: str | None
) -> None:
    await store._runner.run("write", _set_space_setting, platform, space, key, value)


async def create_referral(
    store: SqlMixin,
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
    return _to_referral(await store._runner.run("write", _one_row, stmt))


async def get_referral(store: SqlMixin, referral_id: int) -> Referral | None:
    query = select(referrals).where(referrals.c.id == referral_id)
    row = await store._runner.run("read", first_row, query)
    return None if row is None else _to_referral(row)


async def set_referral_message(
    store: SqlMixin, referral_id: int, channel: str, message_id: str
) -> None:
    stmt = (
        update(referrals)
        .where(referrals.c.id == referral_id)
        .values(channel=channel, message_id=message_id)
    )
    await store._runner.run("write", execute, stmt)


async def add_referral_response(
    store: SqlMixin, referral_id: int, responder_key: str, kind: str
) -> bool:
    if kind not in REFERRAL_KINDS:
        raise InvalidRecordError(f"unknown referral answer {kind!r}; use one of {REFERRAL_KINDS}")
    try:
        return await store._runner.run(
            "write", _add_referral_response, referral_id, responder_key, kind
        )
    except _RepeatClick:
        return False


async def close_referral(store: SqlMixin, referral_id: int, sharer_key: str) -> bool:
    stmt = (
        update(referrals)
        .where(
            referrals.c.id == referral_id,
            referrals.c.sharer_key == sharer_key,
            referrals.c.status == "open",
        )
        .values(status="closed", closed_at=utcnow())
    )
    return bool(await store._runner.run("write", rowcount, stmt))


async def referrals_shared_by(store: SqlMixin, user_key: str) -> list[Referral]:
    query = (
        select(referrals)
        .where(referrals.c.sharer_key == user_key)
        .order_by(referrals.c.created_at.desc(), referrals.c.id.desc())
    )
    return [_to_referral(row) for row in await store._runner.run("read", all_rows, query)]


async def referrals_answered_by(store: SqlMixin, user_key: str) -> list[ReferralAnswer]:
    table = referral_responses
    query = (
        select(table)
        .where(table.c.responder_key == user_key)
        .order_by(table.c.created_at.desc(), table.c.referral_id.desc(), table.c.kind)
    )
    return [
        ReferralAnswer(row.referral_id, row.responder_key, row.kind, row.created_at)
        for row in await store._runner.run("read", all_rows, query)
    ]


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
        raise UnknownRecordError(f"contact {contact.id} is not one of this user's contacts")
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
    column = referrals.c[COUNT_COLUMNS[kind]]
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


def _contact_values(contact: Contact) -> dict[str, object]:
    if contact.cadence_months is not None and not 3 <= contact.cadence_months <= 6:
        raise InvalidRecordError("cadence_months must be between 3 and 6, or None")
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
