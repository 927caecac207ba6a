"""PostgreSQL's turn straight on asyncpg: the units' own connection pool (bot/store/pg_pool.py)
and the transactional commit of a turn with jobs or an event id (bot/store/pg_units.py), which
must write the rows the Core unit (bot/store/sql_turns.py) writes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.store import (
    JobSpec,
    StoreBusyError,
    StoreClosedError,
    TurnCommit,
    VersionConflictError,
    sql_turns,
)
from bot.store.pg_pool import AsyncpgPool
from bot.store.schema import funnel_counts, jobs, processed_events
from bot.store.sql import SqlStore
from tests.sql_engine import sql_engine

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


class FakeConnection:
    """Stands in for an asyncpg connection handed out by the pool."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.terminated = False
        self.in_transaction = False

    def is_closed(self) -> bool:
        return self.terminated

    def is_in_transaction(self) -> bool:
        return self.in_transaction

    def terminate(self) -> None:
        self.terminated = True

    async def close(self) -> None:
        self.terminated = True


class FakeServer:
    def __init__(self) -> None:
        self.opened: list[FakeConnection] = []

    async def connect(self) -> Any:
        self.opened.append(FakeConnection(len(self.opened)))
        return self.opened[-1]


# the pool


async def test_a_released_connection_is_reused_and_overflow_ones_are_not_kept() -> None:
    server = FakeServer()
    pool = AsyncpgPool(server.connect, size=1, overflow=1)
    first = await pool.acquire()
    second = await pool.acquire()  # the overflow one
    pool.release(first)
    pool.release(second)

    assert await pool.acquire() is first
    assert (len(server.opened), second.terminated, pool.open_connections) == (2, True, 1)


async def test_a_unit_with_no_connection_free_waits_for_the_next_one_released() -> None:
    server = FakeServer()
    pool = AsyncpgPool(server.connect, size=1, overflow=0)
    held = await pool.acquire()
    waiting = asyncio.create_task(pool.acquire())
    await asyncio.sleep(0)
    assert not waiting.done()

    pool.release(held)

    assert await waiting is held
    assert len(server.opened) == 1


async def test_a_unit_that_waited_too_long_is_told_the_store_is_busy() -> None:
    pool = AsyncpgPool(FakeServer().connect, size=1, overflow=0, timeout=0.01)
    held = await pool.acquire()

    with pytest.raises(StoreBusyError):
        await pool.acquire()
    pool.release(held)  # nobody waits any more: it goes back to the idle list
    assert await pool.acquire() is held


async def test_a_broken_connection_is_closed_and_its_place_goes_to_a_waiter() -> None:
    server = FakeServer()
    pool = AsyncpgPool(server.connect, size=1, overflow=0)
    held = await pool.acquire()
    waiting = asyncio.create_task(pool.acquire())
    await asyncio.sleep(0)

    pool.release(held, broken=True)

    fresh = await waiting
    assert (held.terminated, fresh is not held, fresh.terminated) == (True, True, False)
    assert pool.open_connections == 1


async def test_a_connection_left_in_a_transaction_is_not_reused() -> None:
    server = FakeServer()
    pool = AsyncpgPool(server.connect)
    conn = await pool.acquire()
    conn.in_transaction = True  # type: ignore[attr-defined]

    pool.release(conn)

    assert conn.is_closed()
    assert await pool.acquire() is not conn


async def test_a_closed_pool_refuses_and_closes_what_comes_back() -> None:
    pool = AsyncpgPool(FakeServer().connect)
    idle, in_use = await pool.acquire(), await pool.acquire()
    pool.release(idle)

    await pool.close()
    pool.release(in_use)

    assert (idle.is_closed(), in_use.is_closed(), pool.open_connections) == (True, True, 0)
    with pytest.raises(StoreClosedError):
        await pool.acquire()


# the turn on asyncpg, against the Core unit


@pytest.fixture
async def pg_store(postgres_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore(postgres_url)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def a_turn(key: str, event: str) -> TurnCommit:
    """A turn with everything but a deletion: event id, jobs (one replacing a key another
    pending job holds, one cancelling), funnel counts."""
    return TurnCommit(
        key,
        "u1",
        {"step": "number"},
        1,
        event_id=event,
        event_expires_at=T0 + timedelta(days=1),
        new_jobs=(
            JobSpec("call", T0, "u1", key, {"n": 0}, f"call:{key}"),
            JobSpec("remind", T0, "u1", key, {"n": 1}, f"remind:{key}"),
            JobSpec("remind", T0 + timedelta(hours=1), "u1", key, {"n": 2}, f"remind:{key}"),
            JobSpec("note", T0, "u1", key, {"n": 3}),
        ),
        cancel_job_keys=(f"timeout:{key}",),
        funnel=(("f", "s", "enter"), ("f", "s", "enter"), ("f", "t", "done")),
    )


async def rows_of(store: SqlStore, key: str) -> dict[str, Any]:
    async with sql_engine(store).connect() as conn:
        job_rows = await conn.execute(
            select(jobs.c.kind, jobs.c.job_key, jobs.c.payload, jobs.c.due_at, jobs.c.status)
            .where(jobs.c.conversation_key == key)
            .order_by(jobs.c.kind, jobs.c.due_at)
        )
        events = await conn.execute(
            select(processed_events.c.expires_at).where(processed_events.c.event_id == key)
        )
        return {
            "jobs": [
                (kind, (job_key or "").replace(key, "K"), *rest)
                for kind, job_key, *rest in job_rows
            ],
            "events": list(events),
        }


async def test_a_turn_with_jobs_and_an_event_writes_what_the_core_unit_writes(
    pg_store: SqlStore,
) -> None:
    for key in ("on_asyncpg", "on_core"):
        await pg_store.commit_turn(TurnCommit(key, "u1", {"step": "start"}, 0))
        await pg_store.schedule_jobs(
            (
                JobSpec("remind", T0, "u1", key, {"old": True}, f"remind:{key}"),
                JobSpec("timeout", T0, "u1", key, {}, f"timeout:{key}"),
                JobSpec("call", T0 - timedelta(days=1), "u1", key, {"old": True}, f"call:{key}"),
            )
        )
    # The old "call" jobs are running: the turn's new "call" job takes their key.
    claimed = await pg_store.claim_due_jobs(
        now=T0 - timedelta(days=1), limit=10, worker="w1", lease_seconds=60
    )
    assert {job.kind for job in claimed} == {"call"}

    assert await pg_store.commit_turn(a_turn("on_asyncpg", "on_asyncpg")) == 2
    core = await pg_store._runner.run("write", sql_turns.commit_turn, a_turn("on_core", "on_core"))

    assert core == 2
    on_asyncpg, on_core = await rows_of(pg_store, "on_asyncpg"), await rows_of(pg_store, "on_core")
    assert on_asyncpg == on_core
    assert [(*row[:2], row[-1]) for row in on_asyncpg["jobs"]] == [
        ("call", "", "running"),
        ("call", "call:K", "pending"),
        ("note", "", "pending"),
        ("remind", "remind:K", "pending"),
    ]
    async with sql_engine(pg_store).connect() as conn:
        counts = dict(
            ((step, event), count)
            for _, step, event, count in await conn.execute(select(funnel_counts))
        )
    assert counts == {("s", "enter"): 4, ("t", "done"): 2}
    loaded = await pg_store.load_conversation("on_asyncpg")
    assert loaded is not None and (loaded.state, loaded.version) == ({"step": "number"}, 2)


async def test_a_failed_turn_on_asyncpg_writes_nothing(pg_store: SqlStore) -> None:
    await pg_store.commit_turn(TurnCommit("c1", "u1", {"step": "start"}, 0))
    before = await rows_of(pg_store, "c1")

    with pytest.raises(VersionConflictError):  # a stale version, after the jobs' statements
        await pg_store.commit_turn(
            TurnCommit("c1", "u1", {"step": "x"}, 7, new_jobs=(JobSpec("remind", T0, "u1", "c1"),))
        )

    assert await rows_of(pg_store, "c1") == before
    assert not await pg_store.pending_jobs("u1")


async def test_two_conversations_taking_one_job_key_at_once_leave_one_live_job(
    postgres_url: str,
) -> None:
    """The unique index refuses the second live job: that turn is a version conflict (it is
    reloaded and run again), never an apology, and one job holds the key."""
    workers = SqlStore(postgres_url), SqlStore(postgres_url)
    for worker in workers:
        await worker.open()
    try:
        for name, worker in zip(("a", "b"), workers, strict=True):
            await worker.commit_turn(TurnCommit(name, "u1", {}, 0))

        async def take(worker: SqlStore, name: str, version: int) -> str:
            spec = JobSpec("remind", T0, "u1", name, {"by": name}, job_key="shared")
            try:
                await worker.commit_turn(TurnCommit(name, "u1", {}, version, new_jobs=(spec,)))
            except VersionConflictError:
                return "conflict"
            return "saved"

        versions = {"a": 1, "b": 1}
        outcomes: list[str] = []
        for _ in range(8):
            results = await asyncio.gather(
                take(workers[0], "a", versions["a"]), take(workers[1], "b", versions["b"])
            )
            for name, outcome in zip(("a", "b"), results, strict=True):
                versions[name] += outcome == "saved"
            outcomes += results
        live = [job for job in await workers[0].pending_jobs("u1") if job.job_key == "shared"]
    finally:
        for worker in workers:
            await worker.close()

    assert set(outcomes) <= {"saved", "conflict"} and "saved" in outcomes
    assert len(live) == 1


async def test_a_unit_cancelled_mid_statement_does_not_leave_its_connection_in_the_pool(
    pg_store: SqlStore,
) -> None:
    runner = pg_store._pg()
    started = asyncio.Event()

    async def slow(conn: Any) -> None:
        started.set()
        await conn.fetchval("SELECT pg_sleep(30)")

    task = asyncio.create_task(runner.run_asyncpg("read", slow))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    units = pg_store._runner._units  # type: ignore[attr-defined]
    assert units.open_connections == 0
    assert await pg_store.load_conversation("nobody") is None  # on a new connection
