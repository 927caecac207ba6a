"""SqlStore on SQLite and PostgreSQL: schema, migrations, time zones, atomicity, privacy and
several workers sharing one database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.exc import IntegrityError

import bot.store.sql_jobs as jobs_module
import bot.store.sql_migrations as migrations_module
import bot.store.sql_runner as runner_module
from bot.store import (
    DuplicateEventError,
    FunnelRow,
    JobSpec,
    TurnCommit,
    UserRecord,
    VersionConflictError,
)
from bot.store.schema import HEAD_REVISION, jobs, metadata
from bot.store.sql import SqlStore
from tests.sql_engine import sql_engine

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)
TABLES = {
    "conversations",
    "users",
    "processed_events",
    "jobs",
    "flow_versions",
    "contacts",
    "funnel_counts",
    "space_settings",
    "referrals",
    "referral_responses",
    "inbox_events",
    "inbox_locks",
    "profiles",
}


async def table_rows(store: SqlStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, for before/after comparisons and privacy scans."""
    async with sql_engine(store).connect() as conn:
        return {
            table.name: [tuple(row) for row in await conn.execute(select(table))]
            for table in metadata.sorted_tables
        }


# schema and migrations


async def test_open_migrates_an_empty_database_to_head(store: SqlStore) -> None:
    async with sql_engine(store).connect() as conn:
        names = set(await conn.run_sync(lambda c: c.dialect.get_table_names(c)))
        revisions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()

    assert names == TABLES | {"alembic_version"}
    assert [tuple(row) for row in revisions] == [(HEAD_REVISION,)]


async def test_the_migrated_schema_matches_the_tables_in_code(store: SqlStore) -> None:
    def differences(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs: list[Any] = compare_metadata(context, metadata)
        return diffs

    async with sql_engine(store).connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_reopening_an_up_to_date_database_runs_no_migration(
    store: SqlStore, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_run(conn: Connection) -> None:
        raise AssertionError("the schema is current: open() must not call Alembic")

    monkeypatch.setattr(migrations_module, "_upgrade_to_head", must_not_run)
    again = SqlStore(store_url)
    await again.open()
    await again.close()


async def test_workers_starting_together_migrate_once(store_url: str) -> None:
    workers = [SqlStore(store_url) for _ in range(3)]
    try:
        await asyncio.gather(*(worker.open() for worker in workers))
        async with sql_engine(workers[0]).connect() as conn:
            count = await conn.scalar(text("SELECT count(*) FROM alembic_version"))
        assert count == 1
    finally:
        for worker in workers:
            await worker.close()


async def test_sqlite_creates_the_data_directory_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "coach.db"
    store = SqlStore(f"sqlite+aiosqlite:///{path}")
    await store.open()
    try:
        async with sql_engine(store).connect() as conn:
            mode = await conn.scalar(text("PRAGMA journal_mode"))
            timeout = await conn.scalar(text("PRAGMA busy_timeout"))
        assert path.exists()
        assert (mode, timeout) == ("wal", runner_module.SQLITE_BUSY_TIMEOUT_MS)
    finally:
        await store.close()


async def test_a_closed_store_says_so() -> None:
    store = SqlStore("sqlite+aiosqlite:///unused.db")
    with pytest.raises(RuntimeError, match="not open"):
        await store.load_conversation("c1")


# time


async def test_datetimes_come_back_aware_and_in_utc(store: SqlStore) -> None:
    berlin = timezone(timedelta(hours=2))
    due = datetime(2030, 5, 1, 11, 0, tzinfo=berlin)  # 09:00 UTC
    await store.schedule_jobs((JobSpec("remind", due, "u1", "c1"),))

    [pending] = await store.pending_jobs("u1")
    [claimed] = await store.claim_due_jobs(now=T0, limit=5, worker="w", lease_seconds=60)

    assert pending.due_at == T0
    assert pending.due_at.tzinfo == UTC
    assert claimed.due_at.tzinfo == UTC
    async with sql_engine(store).connect() as conn:
        claimed_at = await conn.scalar(select(jobs.c.claimed_at))
    assert claimed_at == T0
    assert claimed_at.tzinfo == UTC


async def test_naive_datetimes_are_refused(store: SqlStore) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await store.schedule_jobs((JobSpec("remind", datetime(2030, 1, 1), "u1", "c1"),))


# atomicity


async def test_a_duplicate_event_writes_no_row(store: SqlStore) -> None:
    await store.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0, event_id="ev1"))
    await store.schedule_jobs((JobSpec("remind", T0, "u1", "c1", job_key="k"),))
    before = await table_rows(store)

    with pytest.raises(DuplicateEventError):
        await store.commit_turn(
            TurnCommit(
                "c2",
                "u2",
                {"n": 1},
                0,
                event_id="ev1",
                new_jobs=(JobSpec("remind", T0, "u2", "c2"),),
                cancel_job_keys=("k",),
            )
        )

    assert await table_rows(store) == before


async def test_a_version_conflict_writes_no_row(store: SqlStore) -> None:
    await store.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0))
    before = await table_rows(store)

    with pytest.raises(VersionConflictError):
        await store.commit_turn(
            TurnCommit(
                "c1", "u1", {"n": 2}, 0, event_id="ev9", new_jobs=(JobSpec("r", T0, "u1", "c1"),)
            )
        )

    assert await table_rows(store) == before


# privacy


async def test_forget_user_leaves_no_trace_in_any_table(store: SqlStore) -> None:
    secret = "forget-me"
    for user in (secret, "keep-me"):
        conv = f"slack:T1:D1:-:{user}"
        await store.commit_turn(
            TurnCommit(conv, user, {"who": user}, 0, event_id=f"ev-{len(user)}")
        )
        await store.save_user(UserRecord(user, "Europe/Berlin", {"name": user}))
        await store.schedule_jobs(
            (
                JobSpec("remind", T0, user, conv, {"who": user}, f"remind:{conv}"),
                JobSpec("nudge", T0 + timedelta(days=7), user, conv, {"who": user}),
            )
        )
    for claimed in await store.claim_due_jobs(now=T0, limit=5, worker="w", lease_seconds=60):
        await store.finish_job(claimed.id)
    await store.save_flow_source(version="v1", flow_id="intro", source="id: intro\n")

    assert await store.forget_user(secret) == 4

    rows = await table_rows(store)
    leftovers = [
        (table, row)
        for table, table_rows_ in rows.items()
        for row in table_rows_
        if secret in repr(row)
    ]
    assert leftovers == []
    assert sum(1 for row in rows["jobs"] if "keep-me" in repr(row)) == 2
    assert len(rows["flow_versions"]) == 1


# several workers on one database


async def two_workers(url: str) -> tuple[SqlStore, SqlStore]:
    first, second = SqlStore(url), SqlStore(url)
    await first.open()
    await second.open()
    return first, second


async def test_two_workers_answering_one_conversation_keep_both_answers(store_url: str) -> None:
    """Each worker loads, changes and saves the same conversation, retrying on conflict."""
    workers = await two_workers(store_url)
    rounds = 15
    try:

        async def answer(worker: SqlStore, name: str) -> int:
            conflicts = 0
            for n in range(rounds):
                while True:
                    loaded = await worker.load_conversation("c1")
                    version = 0 if loaded is None else loaded.version
                    answers = [] if loaded is None else loaded.state["answers"]
                    await asyncio.sleep(0)
                    state = {"answers": [*answers, f"{name}{n}"]}
                    try:
                        await worker.commit_turn(TurnCommit("c1", "u1", state, version))
                        break
                    except VersionConflictError:
                        conflicts += 1
            return conflicts

        await asyncio.gather(answer(workers[0], "a"), answer(workers[1], "b"))

        loaded = await workers[0].load_conversation("c1")
        assert loaded is not None
        assert loaded.version == 2 * rounds
        assert sorted(loaded.state["answers"]) == sorted(
            [f"a{n}" for n in range(rounds)] + [f"b{n}" for n in range(rounds)]
        )
    finally:
        for worker in workers:
            await worker.close()


async def test_a_retried_event_on_two_workers_is_handled_once(store_url: str) -> None:
    workers = await two_workers(store_url)
    try:

        async def handle(worker: SqlStore, key: str) -> str:
            try:
                await worker.commit_turn(TurnCommit(key, "u1", {"k": key}, 0, event_id="ev1"))
            except DuplicateEventError:
                return "duplicate"
            return "handled"

        outcomes = await asyncio.gather(*(handle(w, f"c{i}") for i, w in enumerate(workers)))

        assert sorted(outcomes) == ["duplicate", "handled"]
        async with sql_engine(workers[0]).connect() as conn:
            assert (
                await conn.scalar(
                    select(func.count()).select_from(metadata.tables["conversations"])
                )
                == 1
            )
    finally:
        for worker in workers:
            await worker.close()


async def test_two_workers_creating_one_conversation_conflict_once(store_url: str) -> None:
    workers = await two_workers(store_url)
    try:

        async def create(worker: SqlStore, name: str) -> str:
            try:
                await worker.commit_turn(TurnCommit("c1", "u1", {"by": name}, 0))
            except VersionConflictError:
                return "conflict"
            return "created"

        outcomes = await asyncio.gather(create(workers[0], "a"), create(workers[1], "b"))

        assert sorted(outcomes) == ["conflict", "created"]
    finally:
        for worker in workers:
            await worker.close()


async def test_the_index_allows_one_live_job_per_key(store: SqlStore) -> None:
    spec = JobSpec("remind", T0, "u1", "c1", job_key="remind:c1")
    await store.schedule_jobs((spec,))

    with pytest.raises(IntegrityError) as caught:
        async with sql_engine(store).begin() as conn:
            await conn.execute(insert(jobs), [jobs_module._job_row(spec, T0)])

    assert jobs_module._is_job_key_clash(caught.value)


async def test_two_workers_scheduling_one_key_leave_one_job(store_url: str) -> None:
    workers = await two_workers(store_url)
    try:
        for n in range(5):
            await asyncio.gather(
                *(
                    worker.schedule_jobs((JobSpec(f"w{i}", T0, "u1", "c1", {"n": n}, "k"),))
                    for i, worker in enumerate(workers)
                )
            )
            pending = await workers[0].pending_jobs("u1")
            assert [(job.job_key, job.payload) for job in pending] == [("k", {"n": n})]
    finally:
        for worker in workers:
            await worker.close()


async def test_a_conflicting_turn_counts_no_funnel_event(store: SqlStore) -> None:
    """On PostgreSQL a plain turn is one statement: the counts join the versioned write."""
    funnel = (("intro", "ask", "answered"), ("intro", "ask", "answered"))
    await store.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0, funnel=funnel))
    with pytest.raises(VersionConflictError):
        await store.commit_turn(TurnCommit("c1", "u1", {"n": 1}, 0, funnel=funnel))
    assert await store.commit_turn(TurnCommit("c1", "u1", {"n": 2}, 1, funnel=funnel)) == 2
    with pytest.raises(VersionConflictError):
        await store.commit_turn(TurnCommit("c1", "u1", {"n": 3}, 1, funnel=funnel))

    assert await store.funnel_stats() == [FunnelRow("intro", "ask", answered=4)]
    loaded = await store.load_conversation("c1")
    assert loaded is not None
    assert (loaded.state, loaded.version, loaded.updated_at.tzinfo) == ({"n": 2}, 2, UTC)
