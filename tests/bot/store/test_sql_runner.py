"""How SqlStore runs its units of work: on SQLite on the event loop's thread, and on the worker
thread only when another connection holds the lock; a retried dead connection on PostgreSQL; and
a start-up that loads neither async driver on SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

import bot.store.sql_runner as runner_module
from bot.store import FunnelRow, JobSpec, StoreBusyError, TurnCommit, UserRecord
from bot.store.pg_pool import AsyncpgPool
from bot.store.sql import SqlStore
from bot.store.sql_postgres import PostgresRunner
from bot.store.sql_runner import SqliteRunner
from tests.sql_engine import sql_engine

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


def count_hops(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every call handed to the SQLite store's worker thread."""
    executor = store._runner._executor  # type: ignore[attr-defined]
    submitted: list[str] = []
    submit = executor.submit

    def counting(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        submitted.append(getattr(fn, "func", fn).__name__)
        return submit(fn, *args, **kwargs)

    monkeypatch.setattr(executor, "submit", counting)
    return submitted


async def test_sqlite_units_run_on_the_event_loop_without_a_hop(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlStore(sqlite_url)
    await store.open()
    try:
        hops = count_hops(store, monkeypatch)
        assert await store.load_conversation("c1") is None
        assert await store.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0)) == 1
        loaded = await store.load_conversation("c1")
        assert loaded is not None
        await store.commit_turn(
            TurnCommit(
                "c1",
                "u1",
                {"n": 2},
                loaded.version,
                event_id="ev1",
                new_jobs=(JobSpec("remind", T0, "u1", "c1", job_key="k"),),
                funnel=(("intro", "ask", "answered"),),
            )
        )
        await store.save_user(UserRecord("u1", "Europe/Berlin"))
        assert await store.load_user("u1") == UserRecord("u1", "Europe/Berlin")
        # a SQLAlchemy Core unit, on the same connection
        assert len(await store.claim_due_jobs(now=T0, limit=5, worker="w", lease_seconds=9)) == 1
        assert hops == []
        assert sqlite_runner(store).fallbacks == 0
    finally:
        await store.close()


def sqlite_runner(store: SqlStore) -> SqliteRunner:
    runner = store._runner  # type: ignore[attr-defined]
    assert isinstance(runner, SqliteRunner)
    return runner


def hold_write_lock(url: str) -> sqlite3.Connection:
    """Another connection (as another process would have) that holds the write lock."""
    holder = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def test_a_unit_that_meets_a_held_lock_waits_on_the_worker_and_writes_once(
    sqlite_url: str,
) -> None:
    store = SqlStore(sqlite_url)
    await store.open()
    holder = hold_write_lock(sqlite_url)
    try:
        turn = TurnCommit(
            "c1",
            "u1",
            {"n": 1},
            0,
            event_id="ev1",
            new_jobs=(JobSpec("remind", T0, "u1", "c1", job_key="k"),),
            funnel=(("intro", "ask", "answered"),),
        )
        commit = asyncio.create_task(store.commit_turn(turn))
        schedule = asyncio.create_task(store.schedule_jobs((JobSpec("nudge", T0, "u1", "c1"),)))
        await asyncio.sleep(0)  # both start, meet the lock on the loop and go to the worker
        assert sqlite_runner(store).fallbacks == 2  # a plain unit and a Core unit
        loop_ran_meanwhile: list[bool] = []

        async def another_coroutine() -> None:
            loop_ran_meanwhile.append(not commit.done() and not schedule.done())

        await asyncio.create_task(another_coroutine())
        assert await store.load_conversation("c1") is None  # reads go on meanwhile (WAL)
        holder.execute("COMMIT")  # the other connection lets go

        assert await commit == 1
        await schedule
        assert loop_ran_meanwhile == [True]
        assert await store.funnel_stats() == [FunnelRow("intro", "ask", answered=1)]
        assert sorted(job.kind for job in await store.pending_jobs("u1")) == ["nudge", "remind"]
        loaded = await store.load_conversation("c1")
        assert loaded is not None and loaded.version == 1
        # the loop connection is free again: the next unit takes no hop
        assert await store.commit_turn(TurnCommit("c1", "u1", {"n": 2}, 1)) == 2
        assert sqlite_runner(store).fallbacks == 2
    finally:
        holder.close()
        await store.close()


async def test_writes_on_the_loop_are_checkpointed_on_the_worker(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "CHECKPOINT_EVERY", 3)
    store = SqlStore(sqlite_url)
    await store.open()
    try:
        hops = count_hops(store, monkeypatch)
        # Only the checkpoints are counted: a write that meets the running checkpoint's lock
        # (the worker is slow on a busy machine) rightly goes to the worker as well.
        for n in range(3):
            await store.save_user(UserRecord(f"u{n}"))
        assert hops.count("_checkpoint") == 1
        for n in range(2):
            await store.save_user(UserRecord(f"v{n}"))
        assert hops.count("_checkpoint") == 1
    finally:
        await store.close()


async def test_a_sqlite_write_that_waited_too_long_leaves_the_store_usable(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = SqlStore(sqlite_url)
    await holder.open()
    monkeypatch.setattr(runner_module, "SQLITE_BUSY_TIMEOUT_MS", 50)
    waiter = SqlStore(sqlite_url)
    await waiter.open()
    try:
        async with sql_engine(holder).begin() as conn:  # takes the write lock and keeps it
            await conn.execute(text("DELETE FROM users"))
            # Load, not a fault: the core gets StoreBusyError and retries (bot.busy).
            with pytest.raises(StoreBusyError) as raised:
                await waiter.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0))
            assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
            assert "locked" in str(raised.value.__cause__)
            assert await waiter.load_conversation("c1") is None  # WAL: reads go on
        assert await waiter.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0)) == 1
        loaded = await holder.load_conversation("c1")
        assert loaded is not None and loaded.state == {"n": 1}
    finally:
        await waiter.close()
        await holder.close()


async def test_a_closed_sqlite_store_can_be_opened_again(sqlite_url: str) -> None:
    store = SqlStore(sqlite_url)
    await store.open()
    await store.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0))
    await store.close()
    await store.close()  # a second close is harmless
    with pytest.raises(RuntimeError, match="not open"):
        await store.load_conversation("c1")
    await store.open()
    try:
        assert await store.load_conversation("c1") is not None
    finally:
        await store.close()


def test_a_sqlite_start_up_loads_neither_async_driver_nor_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from bot.store.sql import SqlStore

        async def main():
            store = SqlStore({url!r})
            await store.open()
            await store.load_conversation("c1")
            await store.close()

        asyncio.run(main())
        print(sorted(sys.modules))
        """
    )

    def loaded_modules() -> set[str]:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
        )
        return set(eval(done.stdout))  # a list of module names printed by the child

    loaded_modules()  # the first start creates the schema (with Alembic)
    modules = loaded_modules()
    unwanted = {"sqlalchemy.ext.asyncio", "sqlalchemy.orm", "asyncpg", "aiosqlite", "alembic"}
    assert modules & unwanted == set()


# PostgreSQL


async def terminate_other_sessions(url: str) -> None:
    """End the store's connections on the server, and wait until they are gone (as after a
    restart), so the store meets connections already closed, not ones closing meanwhile."""
    engine = create_async_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await engine.dispose()


async def test_a_postgres_connection_the_server_closed_is_replaced(postgres_url: str) -> None:
    store = SqlStore(postgres_url)
    await store.open()
    try:
        await store.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0))
        await terminate_other_sessions(postgres_url)
        loaded = await store.load_conversation("c1")  # a read on a dead connection
        assert loaded is not None
        await terminate_other_sessions(postgres_url)
        assert await store.commit_turn(TurnCommit("c1", "u1", {"n": 2}, 1)) == 2  # a write
        await terminate_other_sessions(postgres_url)
        assert len(await store.export_user("u1")) == 8  # a snapshot
    finally:
        await store.close()


class FakeConnection:
    def __init__(self, engine: FakeEngine) -> None:
        self.engine = engine

    async def run_sync(self, fn: Callable[..., Any], *args: Any) -> Any:
        self.engine.ran += 1
        if self.engine.fail_run:
            self.engine.fail_run -= 1
            raise DBAPIError("SELECT 1", None, Exception("gone"), connection_invalidated=True)
        return fn(None, *args)

    async def commit(self) -> None:
        if self.engine.fail_commit:
            raise DBAPIError("COMMIT", None, Exception("gone"), connection_invalidated=True)


class FakeEngine:
    """Stands in for AsyncEngine: fails run_sync or commit as a lost connection would."""

    def __init__(self, *, fail_run: int = 0, fail_commit: bool = False) -> None:
        self.fail_run = fail_run
        self.fail_commit = fail_commit
        self.ran = 0

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[FakeConnection]:
        yield FakeConnection(self)


def postgres_runner(engine: FakeEngine) -> PostgresRunner:
    runner = PostgresRunner(make_pg_url())
    runner._async_engine = engine  # type: ignore[assignment]
    return runner


def make_pg_url() -> Any:
    from sqlalchemy.engine import make_url

    return make_url("postgresql+asyncpg://bot@db/coach")


async def test_a_postgres_unit_that_lost_its_connection_runs_once_more() -> None:
    engine = FakeEngine(fail_run=1)
    result = await postgres_runner(engine).run("write", lambda _conn, n: n + 1, 41)
    assert (result, engine.ran) == (42, 2)


async def test_a_postgres_unit_that_loses_it_twice_fails() -> None:
    engine = FakeEngine(fail_run=2)
    with pytest.raises(DBAPIError):
        await postgres_runner(engine).run("read", lambda _conn: None)
    assert engine.ran == 2


async def test_a_postgres_unit_whose_commit_failed_is_not_run_again() -> None:
    """The commit may have happened: running the turn again could apply it twice."""
    engine = FakeEngine(fail_commit=True)
    with pytest.raises(DBAPIError):
        await postgres_runner(engine).run("write", lambda _conn: None)
    assert engine.ran == 1


class FakeDriver:
    """Stands in for an asyncpg connection: closed, or failing as a lost one would."""

    def __init__(self, closed: bool = False) -> None:
        self.closed = closed
        self.terminated = False

    def is_closed(self) -> bool:
        return self.closed or self.terminated

    def is_in_transaction(self) -> bool:
        return False

    def terminate(self) -> None:
        self.terminated = True

    async def close(self) -> None:
        self.terminated = True


class FakeAutocommit:
    """Stands in for the server: hands out drivers to the units' pool, counts those the pool
    closed as broken."""

    def __init__(self, drivers: list[FakeDriver]) -> None:
        self.drivers = drivers
        self.handed: list[FakeDriver] = []

    async def connect(self) -> Any:
        self.handed.append(self.drivers.pop(0))
        return self.handed[-1]

    @property
    def invalidated(self) -> int:
        return sum(driver.terminated for driver in self.handed)


def asyncpg_runner(engine: FakeAutocommit) -> PostgresRunner:
    runner = PostgresRunner(make_pg_url())
    runner._units = AsyncpgPool(engine.connect)
    return runner


async def test_an_asyncpg_unit_on_a_connection_closed_in_the_pool_runs_on_a_new_one() -> None:
    engine = FakeAutocommit([FakeDriver(closed=True), FakeDriver()])
    ran: list[FakeDriver] = []

    async def unit(driver: Any) -> int:
        ran.append(driver)
        return 7

    assert await asyncpg_runner(engine).run_asyncpg("write", unit) == 7
    assert (len(ran), engine.invalidated) == (1, 1)


async def test_an_asyncpg_write_that_lost_its_connection_mid_statement_is_not_run_again() -> None:
    """The statement may have been applied: running the turn again could apply it twice."""
    import asyncpg

    engine = FakeAutocommit([FakeDriver(), FakeDriver()])
    ran: list[str] = []

    async def unit(driver: Any, mode: str) -> None:
        ran.append(mode)
        raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle")

    with pytest.raises(asyncpg.ConnectionDoesNotExistError):
        await asyncpg_runner(engine).run_asyncpg("write", unit, "write")
    assert (ran, engine.invalidated) == (["write"], 1)

    engine = FakeAutocommit([FakeDriver(), FakeDriver()])
    ran.clear()
    with pytest.raises(asyncpg.ConnectionDoesNotExistError):  # a read runs once more
        await asyncpg_runner(engine).run_asyncpg("read", unit, "read")
    assert (ran, engine.invalidated) == (["read", "read"], 2)
