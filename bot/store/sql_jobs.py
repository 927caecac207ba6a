"""The job half of :class:`bot.store.sql.SqlStore` on SQLAlchemy Core: schedule, cancel, claim,
finish, retry. Functions of the store, called by :class:`bot.store.sql_mixins.JobsSql`, which
imports this module on first use (on SQLite, claims and pending jobs run plain ``sqlite3``).

Each method is one unit of work (see :mod:`bot.store.sql_runner`): a synchronous function of a
connection, run whole by the store's runner. The statements that ``commit_turn`` shares
(:func:`_insert_jobs`, :func:`_cancel_pending`) live here too.

Jobs are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent workers
pass over each other's rows; SQLite ignores ``FOR UPDATE`` and relies on ``BEGIN IMMEDIATE``
(one writer at a time). At most one live job holds a key (a unique partial index).

Privacy: this module logs nothing about payloads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    delete,
    false,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.store.records import Job, JobSpec, last_per_key
from bot.store.schema import jobs
from bot.store.sql_common import SqlMixin, dumps, execute, rowcount, utcnow

__all__ = (
    "cancel_jobs",
    "claim_due_jobs",
    "finish_job",
    "is_job_key_clash",
    "mark_job_sending",
    "record_job_sent",
    "retry_job",
    "schedule_jobs",
)

_SCHEDULE_ATTEMPTS = 3
_CLAIMED = ("running", "sending")  # a claimed job: running, or its messages being sent


async def schedule_jobs(store: SqlMixin, jobs: tuple[JobSpec, ...]) -> None:
    for attempt in range(1, _SCHEDULE_ATTEMPTS + 1):
        try:
            await store._runner.run("write", _schedule, jobs)
            return
        except IntegrityError as exc:
            # Another transaction took the same job key between our delete and insert
            # (PostgreSQL only); running again replaces its job.
            if attempt == _SCHEDULE_ATTEMPTS or not _is_job_key_clash(exc):
                raise


async def cancel_jobs(store: SqlMixin, job_keys: tuple[str, ...]) -> int:
    return await store._runner.run("write", _cancel_pending, job_keys)


async def claim_due_jobs(
    store: SqlMixin,
    *,
    now: datetime,
    limit: int,
    worker: str,
    lease_seconds: int,
    platforms: tuple[str, ...] | None = None,
) -> list[Job]:
    """PostgreSQL's claim (SQLite runs :func:`bot.store.sqlite_units.claim_due_jobs`)."""
    stale = now - timedelta(seconds=lease_seconds)
    claimable = or_(
        and_(jobs.c.status == "pending", jobs.c.due_at <= now),
        # A claim older than the lease belongs to a worker that died; take the job over.
        and_(jobs.c.status == "running", jobs.c.claimed_at < stale),
    )
    if platforms is not None:  # conversation keys start with "<platform>:"
        claimable = and_(
            claimable,
            or_(false(), *(jobs.c.conversation_key.startswith(f"{p}:") for p in platforms)),
        )
    rows = await store._runner.run("write", _claim, claimable, now, limit, worker)
    return sorted((_to_job(row) for row in rows), key=lambda job: (job.due_at, job.id))


async def mark_job_sending(store: SqlMixin, job_id: int, *, attempts: int) -> bool:
    stmt = (
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == "running", jobs.c.attempts == attempts)
        .values(status="sending")
    )
    return bool(await store._runner.run("write", rowcount, stmt))


async def record_job_sent(store: SqlMixin, job_id: int, *, sent_ref: str) -> None:
    stmt = (
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status == "sending")
        .values(sent_ref=sent_ref)
    )
    await store._runner.run("write", execute, stmt)


async def finish_job(store: SqlMixin, job_id: int, *, error: str | None = None) -> None:
    stmt = (
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status.in_(_CLAIMED))
        .values(status="done" if error is None else "failed", last_error=error)
    )
    await store._runner.run("write", execute, stmt)


async def retry_job(store: SqlMixin, job_id: int, *, due_at: datetime) -> None:
    stmt = (
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.status.in_(_CLAIMED))
        .values(status="pending", due_at=due_at, claimed_by=None, claimed_at=None)
    )
    try:
        await store._runner.run("write", execute, stmt)
    except IntegrityError as exc:
        # A job marked sending gave its key up, and a newer job took it: that one replaces
        # this one, which is done with.
        if not _is_job_key_clash(exc):
            raise
        await finish_job(store, job_id, error="replaced by a newer job")


# units of work


def _schedule(conn: Connection, specs: Sequence[JobSpec]) -> None:
    _insert_jobs(conn, specs, utcnow())


def _claim(
    conn: Connection, claimable: Any, now: datetime, limit: int, worker: str
) -> list[Row[Any]]:
    # SKIP LOCKED lets concurrent workers pass over each other's rows on PostgreSQL;
    # SQLite ignores FOR UPDATE and relies on BEGIN IMMEDIATE instead.
    ids_query = (
        select(jobs.c.id)
        .where(claimable)
        .order_by(jobs.c.due_at, jobs.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(conn.execute(ids_query).scalars())
    if not ids:
        return []
    claim = (
        update(jobs)
        .where(jobs.c.id.in_(ids))
        .values(status="running", claimed_by=worker, claimed_at=now, attempts=jobs.c.attempts + 1)
        .returning(*jobs.c)
    )
    return list(conn.execute(claim).all())


# statements shared with commit_turn


# Built once: they run in every turn that schedules or cancels a job.
_CANCEL_PENDING = delete(jobs).where(
    jobs.c.job_key.in_(bindparam("b_keys", expanding=True)), jobs.c.status == "pending"
)
# A running job with the key keeps running but gives the key up, so that the new job can hold
# it (at most one live job per key) and a job can reschedule itself.
_RELEASE_RUNNING_KEYS = (
    update(jobs)
    .where(jobs.c.job_key.in_(bindparam("b_keys", expanding=True)), jobs.c.status == "running")
    .values(job_key=None)
)
_INSERT_JOB = insert(jobs)


def _cancel_pending(conn: Connection, job_keys: Sequence[str]) -> int:
    if not job_keys:
        return 0
    return conn.execute(_CANCEL_PENDING, {"b_keys": list(job_keys)}).rowcount


def _insert_jobs(conn: Connection, specs: Sequence[JobSpec], now: datetime) -> None:
    if not specs:
        return
    specs = last_per_key(specs)
    keys = [spec.job_key for spec in specs if spec.job_key is not None]
    if keys:
        _cancel_pending(conn, keys)
        conn.execute(_RELEASE_RUNNING_KEYS, {"b_keys": keys})
    conn.execute(_INSERT_JOB, [_job_row(spec, now) for spec in specs])


def is_job_key_clash(exc: BaseException) -> bool:
    """Whether ``exc`` is the unique index on live job keys refusing a row."""
    return isinstance(exc, IntegrityError) and _is_job_key_clash(exc)


def _is_job_key_clash(exc: IntegrityError) -> bool:
    """Whether the unique index on live job keys refused the row (PostgreSQL names the index,
    SQLite the column)."""
    message = str(exc.orig)
    return "uq_jobs_live_job_key" in message or "jobs.job_key" in message


def _job_row(spec: JobSpec, now: datetime) -> dict[str, object]:
    return {
        "kind": spec.kind,
        "job_key": spec.job_key,
        "user_key": spec.user_key,
        "conversation_key": spec.conversation_key,
        "payload": dumps(spec.payload),
        "due_at": spec.due_at,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }


def _to_job(row: Row[Any]) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        due_at=row.due_at,
        user_key=row.user_key,
        conversation_key=row.conversation_key,
        payload=json.loads(row.payload),
        job_key=row.job_key,
        attempts=row.attempts,
    )
