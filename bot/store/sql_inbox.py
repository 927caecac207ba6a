"""The durable inbox on SQL (see :mod:`bot.dialog.inbox`): events saved before the acknowledgement,
conversations held by one worker at a time. SQLAlchemy Core functions of the store, called by
:class:`bot.store.sql_mixins.InboxSql`, which imports this module on first use.

How a conversation is held: a row in ``inbox_locks``, taken with an upsert whose ``WHERE``
accepts only a hold older than the lease (``INSERT ... ON CONFLICT DO UPDATE ... WHERE
claimed_at < :stale RETURNING``). On PostgreSQL two workers taking the same conversation meet
on that row: the second waits for the first to commit, then finds the hold fresh and gets
nothing. The candidates are read with ``FOR UPDATE SKIP LOCKED`` on the pending events, so
workers claiming at the same moment pass over each other's candidates instead of queueing on
them, and holds are taken in key order, so two claims never wait on each other in a circle.
SQLite has one writer at a time (``BEGIN IMMEDIATE``), which serialises claims by itself.

A worker renews its hold each time it takes the conversation's next event, and every third of
the lease while a turn runs, so a hold goes stale only when its worker stopped working (died, or
hung for longer than the lease).

Round trips: the acknowledgement waits for one statement (the insert, in autocommit: no
``BEGIN`` / ``COMMIT``), and so does each step of a drain (renew and read the next event,
finish, release), since none of them needs to be atomic with another: a hold is only ever
renewed or given up by its own worker, and a claim is one transaction whose holds are taken in
one statement. On a loaded machine each round trip is a wake-up of two processes, which is what
acknowledgements and drains wait for (measured in docs/slack.md, scaling).

A turn's replies are kept in its event's row by the turn's commit (:func:`keep_replies` in
PostgreSQL's Core unit, its plain ``sqlite3`` twin in :mod:`bot.store.sqlite_units`), read back
with the event and cleared when the event is done. An event that is not a turn (a referral-card
click, see :meth:`bot.dialog.engine.Engine.handle`) has its replies kept by
:func:`keep_inbox_replies` in a statement of its own, after its writes.

Privacy: the payload (what the person wrote) is dropped when the event is done, and
``forget_user`` deletes the user's rows; nothing here is logged.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    bindparam,
    delete,
    false,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.store.records import DEFAULT_EVENT_TTL, JSON, InboxEvent
from bot.store.schema import inbox_events, inbox_locks
from bot.store.sql_common import SqlMixin, upsert

__all__ = (
    "claim_conversations",
    "enqueue_event",
    "finish_inbox_event",
    "keep_inbox_replies",
    "keep_replies",
    "next_inbox_event",
    "release_conversation",
    "renew_conversation",
)

_CANDIDATES_PER_CLAIM = 4  # pending events read per conversation wanted (a burst has several)


async def enqueue_event(
    store: SqlMixin,
    *,
    event_id: str,
    conversation_key: str,
    user_key: str,
    stamp: str,
    payload: dict[str, JSON],
    now: datetime,
    due_at: datetime | None = None,
) -> bool:
    row = {
        "event_id": event_id,
        "conversation_key": conversation_key,
        "user_key": user_key,
        "stamp": stamp,
        # ASCII JSON: a lone surrogate (Slack sends them) is kept as its escape, which
        # neither PostgreSQL nor SQLite would take as text.
        "payload": json.dumps(payload, separators=(",", ":")),
        "status": "pending",
        "attempts": 0,
        "enqueued_at": now,
        "due_at": due_at,
    }
    try:
        return bool(await store._runner.run("autocommit", _enqueue, row))
    except IntegrityError:  # PostgreSQL: a retry raced the first delivery
        return False


async def claim_conversations(
    store: SqlMixin,
    *,
    now: datetime,
    limit: int,
    worker: str,
    lease_seconds: float,
    settle_seconds: float = 0.0,
    platforms: tuple[str, ...] | None = None,
) -> list[str]:
    if limit <= 0:
        return []
    stale = now - timedelta(seconds=lease_seconds)
    wanted = _wanted(now, stale, now - timedelta(seconds=settle_seconds), platforms)
    # An idle worker asks every poll: one statement outside a transaction says whether
    # there is anything to claim (BEGIN, the locking read and COMMIT only when there is).
    if not await store._runner.run("autocommit", _any, wanted):
        return []
    return await store._runner.run(
        "write", _claim, wanted, limit=limit, worker=worker, now=now, stale=stale
    )


async def next_inbox_event(
    store: SqlMixin, conversation_key: str, *, worker: str, now: datetime
) -> tuple[bool, InboxEvent | None]:
    return await store._runner.run("autocommit", _next_event, conversation_key, worker, now)


async def renew_conversation(
    store: SqlMixin, conversation_key: str, *, worker: str, now: datetime
) -> bool:
    return await store._runner.run("autocommit", _renew, conversation_key, worker, now)


async def finish_inbox_event(store: SqlMixin, inbox_id: int, *, now: datetime) -> None:
    stmt = (
        update(inbox_events)
        .where(inbox_events.c.id == inbox_id)
        .values(status="done", payload="{}", replies=None, expires_at=now + DEFAULT_EVENT_TTL)
    )
    await store._runner.run("autocommit", _execute, stmt)


async def keep_inbox_replies(store: SqlMixin, event_id: str, replies: list[JSON]) -> None:
    """An event that is not a turn (a referral-card click): its replies, kept after its own
    writes, in a statement of their own."""
    await store._runner.run("autocommit", keep_replies, event_id, replies)


async def release_conversation(store: SqlMixin, conversation_key: str, *, worker: str) -> None:
    stmt = delete(inbox_locks).where(
        inbox_locks.c.conversation_key == conversation_key,
        inbox_locks.c.claimed_by == worker,
    )
    await store._runner.run("autocommit", _execute, stmt)


# units of work


def _execute(conn: Connection, stmt: Any) -> None:
    conn.execute(stmt)


def _enqueue(conn: Connection, row: dict[str, Any]) -> int:
    stmt = (
        upsert(conn, inbox_events)
        .values(**row)
        .on_conflict_do_nothing(index_elements=[inbox_events.c.event_id])
    )
    return conn.execute(stmt).rowcount


def _wanted(
    now: datetime, stale: datetime, settled: datetime, platforms: tuple[str, ...] | None
) -> ColumnElement[bool]:
    """Pending events that are due, of conversations no live worker holds."""
    held = select(inbox_locks.c.conversation_key).where(
        inbox_locks.c.conversation_key == inbox_events.c.conversation_key,
        inbox_locks.c.claimed_at >= stale,
    )
    due = inbox_events.c.due_at
    wanted = and_(
        inbox_events.c.status == "pending",
        or_(and_(due.is_(None), inbox_events.c.enqueued_at <= settled), due <= now),
        ~held.exists(),
    )
    if platforms is not None:  # conversation keys start with "<platform>:"
        key = inbox_events.c.conversation_key
        wanted = and_(wanted, or_(false(), *(key.startswith(f"{p}:") for p in platforms)))
    return wanted


def _any(conn: Connection, wanted: ColumnElement[bool]) -> bool:
    return conn.execute(select(inbox_events.c.id).where(wanted).limit(1)).first() is not None


def _claim(
    conn: Connection,
    wanted: ColumnElement[bool],
    *,
    limit: int,
    worker: str,
    now: datetime,
    stale: datetime,
) -> list[str]:
    query = (
        select(inbox_events.c.conversation_key)
        .where(wanted)
        .order_by(inbox_events.c.id)
        .limit(limit * _CANDIDATES_PER_CLAIM)
        .with_for_update(skip_locked=True)
    )
    keys = list(dict.fromkeys(conn.execute(query).scalars()))[:limit]
    return _hold(conn, sorted(keys), worker, now, stale) if keys else []


def _hold(
    conn: Connection, keys: list[str], worker: str, now: datetime, stale: datetime
) -> list[str]:
    """Take the holds on ``keys`` (in key order) in one statement; the keys taken, in order."""
    stmt = upsert(conn, inbox_locks).values(
        [{"conversation_key": key, "claimed_by": worker, "claimed_at": now} for key in keys]
    )
    taken = stmt.on_conflict_do_update(
        index_elements=[inbox_locks.c.conversation_key],
        set_={"claimed_by": stmt.excluded.claimed_by, "claimed_at": stmt.excluded.claimed_at},
        where=inbox_locks.c.claimed_at < stale,
    ).returning(inbox_locks.c.conversation_key)
    held = set(conn.execute(taken).scalars())
    return [key for key in keys if key in held]


def keep_replies(conn: Connection, event_id: str, replies: list[JSON]) -> None:
    """Inside a turn's commit: keep its replies in the event's inbox row until they are sent
    (no row, when the event did not come through the inbox: nothing to keep)."""
    conn.execute(
        _KEEP_REPLIES,
        {"b_event": event_id, "b_replies": json.dumps(replies, separators=(",", ":"))},
    )


_RENEW = (
    update(inbox_locks)
    .where(
        inbox_locks.c.conversation_key == bindparam("b_key"),
        inbox_locks.c.claimed_by == bindparam("b_worker"),
    )
    .values(claimed_at=bindparam("b_now"))
)
_KEEP_REPLIES = (
    update(inbox_events)
    .where(inbox_events.c.event_id == bindparam("b_event"), inbox_events.c.status == "pending")
    .values(replies=bindparam("b_replies"))
)
_NEXT = (
    select(inbox_events)
    .where(
        inbox_events.c.conversation_key == bindparam("b_key"),
        inbox_events.c.status == "pending",
    )
    .order_by(inbox_events.c.stamp, inbox_events.c.id)
    .limit(1)
)


def _renew(conn: Connection, key: str, worker: str, now: datetime) -> bool:
    return bool(conn.execute(_RENEW, {"b_key": key, "b_worker": worker, "b_now": now}).rowcount)


def _next_event(
    conn: Connection, key: str, worker: str, now: datetime
) -> tuple[bool, InboxEvent | None]:
    if not _renew(conn, key, worker, now):
        return False, None
    row = conn.execute(_NEXT, {"b_key": key}).first()
    return True, None if row is None else _to_event(row)


def _to_event(row: Row[Any]) -> InboxEvent:
    return InboxEvent(
        id=row.id,
        event_id=row.event_id,
        conversation_key=row.conversation_key,
        user_key=row.user_key,
        stamp=row.stamp,
        payload=json.loads(row.payload),
        enqueued_at=row.enqueued_at,
        attempts=row.attempts,
        due_at=row.due_at,
        replies=None if row.replies is None else json.loads(row.replies),
    )
