"""The scheduler: due jobs fire once, on time, on any worker; failures retry, then give up."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.dialog.scheduler import JobRunner, Scheduler, retry_delay
from bot.store import Job, JobSpec, Store, TurnCommit
from bot.store.schema import jobs
from bot.store.sql import SqlStore

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


class Clock:
    """A fake clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Recorder:
    """A job runner that records what ran and can be told to fail."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.ran: list[Job] = []
        self.failures = failures
        self.error = error or RuntimeError("delivery failed")

    async def __call__(self, job: Job) -> None:
        self.ran.append(job)
        if self.failures:
            self.failures -= 1
            raise self.error

    @property
    def kinds(self) -> list[str]:
        return [job.kind for job in self.ran]


def spec(kind: str, due_at: datetime, *, key: str | None = None, user: str = "u1") -> JobSpec:
    return JobSpec(kind, due_at, user, f"conv-{user}", {"kind": kind}, key)


def scheduler(store: Store, runner: Recorder, clock: Clock, **options: int) -> Scheduler:
    return Scheduler(store, runner, worker_id="w1", clock=clock, **options)


def test_retry_delay_doubles_up_to_an_hour() -> None:
    delays = [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 100)]
    assert delays == [30, 60, 120, 240, 3600]


async def test_jobs_that_fell_due_while_down_fire_on_the_next_poll(any_store: Store) -> None:
    await any_store.schedule_jobs(
        (
            spec("tomorrow", T0 + timedelta(days=1)),
            spec("an_hour_ago", T0 - timedelta(hours=1)),
            spec("yesterday", T0 - timedelta(days=1)),
        )
    )
    runner, clock = Recorder(), Clock()
    worker = scheduler(any_store, runner, clock)

    assert await worker.run_once() == 2
    assert runner.kinds == ["yesterday", "an_hour_ago"]
    assert runner.ran[0].payload == {"kind": "yesterday"}
    assert await worker.run_once() == 0

    clock.advance(days=1)
    assert await worker.run_once() == 1
    assert runner.kinds[-1] == "tomorrow"
    assert await any_store.pending_jobs("u1") == []


async def test_a_cancelled_job_does_not_fire(any_store: Store) -> None:
    await any_store.schedule_jobs((spec("remind", T0, key="remind:c1"), spec("keep", T0)))
    await any_store.commit_turn(
        TurnCommit("c1", "u1", {"s": 1}, 0, cancel_job_keys=("remind:c1",))
    )
    runner = Recorder()

    assert await scheduler(any_store, runner, Clock(T0 + timedelta(hours=1))).run_once() == 1
    assert runner.kinds == ["keep"]


async def test_a_replaced_job_fires_once_at_its_new_time(any_store: Store) -> None:
    await any_store.schedule_jobs((spec("first", T0, key="remind:c1"),))
    await any_store.schedule_jobs((spec("second", T0 + timedelta(minutes=10), key="remind:c1"),))
    runner, clock = Recorder(), Clock()
    worker = scheduler(any_store, runner, clock)

    assert await worker.run_once() == 0
    clock.advance(minutes=10)
    assert await worker.run_once() == 1
    assert runner.kinds == ["second"]


async def test_a_failing_job_is_retried_with_backoff_then_given_up(any_store: Store) -> None:
    await any_store.schedule_jobs((spec("remind", T0),))
    runner, clock = Recorder(failures=99), Clock()
    worker = scheduler(any_store, runner, clock, max_attempts=3)

    assert await worker.run_once() == 1  # attempt 1 fails: retry in 30 s
    clock.advance(seconds=29)
    assert await worker.run_once() == 0
    clock.advance(seconds=1)
    assert await worker.run_once() == 1  # attempt 2 fails: retry in 60 s
    assert [j.due_at for j in await any_store.pending_jobs("u1")] == [
        clock.now + timedelta(seconds=60)
    ]
    clock.advance(seconds=60)
    assert await worker.run_once() == 1  # attempt 3 fails: given up

    assert [job.attempts for job in runner.ran] == [1, 2, 3]
    assert await any_store.pending_jobs("u1") == []
    clock.advance(days=30)
    assert await worker.run_once() == 0


async def test_a_job_that_fails_once_runs_again_and_is_done(any_store: Store) -> None:
    await any_store.schedule_jobs((spec("remind", T0),))
    runner, clock = Recorder(failures=1), Clock()
    worker = scheduler(any_store, runner, clock)

    await worker.run_once()
    clock.advance(minutes=1)
    await worker.run_once()
    clock.advance(days=1)
    await worker.run_once()

    assert [job.attempts for job in runner.ran] == [1, 2]


async def test_a_given_up_job_is_marked_failed_with_the_error_type(store: SqlStore) -> None:
    await store.schedule_jobs((spec("remind", T0),))
    worker = scheduler(store, Recorder(failures=1), Clock(), max_attempts=1)

    await worker.run_once()

    async with store.engine.connect() as conn:
        row = (await conn.execute(select(jobs.c.status, jobs.c.last_error, jobs.c.attempts))).one()
    assert tuple(row) == ("failed", "RuntimeError", 1)


async def test_a_job_whose_claims_keep_expiring_is_abandoned(any_store: Store) -> None:
    """A job that brings its worker down is not handed out for ever."""
    await any_store.schedule_jobs((spec("crashes", T0),))
    clock, lease = Clock(), 60
    for _ in range(2):  # two workers claim it and die
        await any_store.claim_due_jobs(now=clock.now, limit=1, worker="dies", lease_seconds=lease)
        clock.advance(seconds=lease + 1)
    runner = Recorder()

    assert (
        await scheduler(any_store, runner, clock, lease_seconds=lease, max_attempts=2).run_once()
        == 1
    )
    assert runner.ran == []
    clock.advance(days=1)
    assert (
        await any_store.claim_due_jobs(now=clock.now, limit=1, worker="w", lease_seconds=lease)
        == []
    )


async def test_logs_name_the_job_and_error_type_but_not_the_message(
    any_store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    await any_store.schedule_jobs((spec("remind", T0),))
    runner = Recorder(failures=2, error=ValueError("call Ada on +49 30 1234567"))
    worker = scheduler(any_store, runner, Clock(), max_attempts=1)

    with caplog.at_level(logging.DEBUG):
        await worker.run_once()

    assert "ValueError" in caplog.text
    assert f"job {runner.ran[0].id} (remind)" in caplog.text
    assert "Ada" not in caplog.text
    assert "1234567" not in caplog.text


async def test_stopping_hands_back_the_rest_of_the_batch(any_store: Store) -> None:
    await any_store.schedule_jobs(
        tuple(spec(f"j{i}", T0 + timedelta(seconds=i)) for i in range(3))
    )
    ran: list[str] = []
    worker: Scheduler

    async def runner(job: Job) -> None:
        ran.append(job.kind)
        await worker.stop()

    worker = Scheduler(any_store, runner, worker_id="w1", clock=Clock(T0 + timedelta(minutes=1)))

    assert await worker.run_once() == 1
    assert ran == ["j0"]
    pending = await any_store.pending_jobs("u1")
    assert [(j.kind, j.due_at) for j in pending] == [
        ("j1", T0 + timedelta(seconds=1)),
        ("j2", T0 + timedelta(seconds=2)),
    ]


async def test_start_runs_due_jobs_in_the_background_until_stopped(any_store: Store) -> None:
    await any_store.schedule_jobs((spec("remind", T0),))
    fired = asyncio.Event()

    async def runner(job: Job) -> None:
        fired.set()

    worker = Scheduler(any_store, runner, worker_id="w1", clock=Clock(), poll_seconds=0.01)
    task = worker.start()
    assert worker.start() is task
    await asyncio.wait_for(fired.wait(), timeout=5)
    await worker.stop()

    assert task.done()
    assert await any_store.pending_jobs("u1") == []


async def test_the_loop_survives_a_store_error_and_purges_old_event_ids(any_store: Store) -> None:
    purged = asyncio.Event()
    calls = 0

    class FlakyStore:
        """Fails the first claim, then passes everything through."""

        def __getattr__(self, name: str) -> object:
            return getattr(any_store, name)

        async def claim_due_jobs(self, **kwargs: object) -> list[Job]:
            nonlocal calls
            calls += 1
            if calls == 1:
                raise ConnectionError("database restarting")
            return await any_store.claim_due_jobs(**kwargs)  # type: ignore[arg-type]

        async def purge_expired_events(self, now: datetime) -> int:
            purged.set()
            return await any_store.purge_expired_events(now)

    worker = Scheduler(FlakyStore(), Recorder(), worker_id="w1", clock=Clock(), poll_seconds=0.01)  # type: ignore[arg-type]
    worker.start()
    await asyncio.wait_for(purged.wait(), timeout=5)
    await worker.stop()

    assert calls >= 2


async def test_two_workers_fire_each_of_200_jobs_exactly_once(store_url: str) -> None:
    """Two workers, each with its own store (its own connection pool), race over 200 due jobs."""
    stores = [SqlStore(store_url), SqlStore(store_url)]
    for store in stores:
        await store.open()
    try:
        await stores[0].schedule_jobs(
            tuple(spec("remind", T0 - timedelta(seconds=n), user=f"u{n % 7}") for n in range(200))
        )
        fired: Counter[int] = Counter()
        by_worker: Counter[str] = Counter()

        def runner_for(worker_id: str) -> JobRunner:
            async def run(job: Job) -> None:
                fired[job.id] += 1
                by_worker[worker_id] += 1
                await asyncio.sleep(0)  # let the other worker in

            return run

        workers = [
            Scheduler(store, runner_for(f"w{i}"), worker_id=f"w{i}", clock=Clock(), batch=10)
            for i, store in enumerate(stores)
        ]

        async def drain(worker: Scheduler) -> None:
            while await worker.run_once():
                pass

        await asyncio.gather(*(drain(worker) for worker in workers))

        assert len(fired) == 200
        assert set(fired.values()) == {1}
        assert by_worker["w0"] > 0
        assert by_worker["w1"] > 0
        assert sum([len(await stores[0].pending_jobs(f"u{n}")) for n in range(7)]) == 0
    finally:
        for store in stores:
            await store.close()


async def test_a_worker_claims_only_its_own_platforms_jobs(any_store) -> None:
    from datetime import UTC, datetime

    from bot.store import JobSpec

    due = datetime(2026, 1, 1, tzinfo=UTC)
    await any_store.schedule_jobs(
        (
            JobSpec("reminder", due, "slack:T1:U1", "slack:T1:C1:-:U1"),
            JobSpec("reminder", due, "console:-:me", "console:-:terminal:-:me"),
        )
    )
    claimed = await any_store.claim_due_jobs(
        now=due, limit=10, worker="w", lease_seconds=60, platforms=("console",)
    )
    assert [job.user_key for job in claimed] == ["console:-:me"]
    rest = await any_store.claim_due_jobs(now=due, limit=10, worker="w", lease_seconds=60)
    assert [job.user_key for job in rest] == ["slack:T1:U1"]


async def test_a_reminder_sent_by_a_worker_that_then_died_is_not_sent_again(
    any_store: Store,
) -> None:
    """The send is recorded before the platform is called: another worker taking the job over
    after the lease sends nothing (at most one reminder per job)."""
    await any_store.schedule_jobs((spec("reminder", T0, key="remind:u1"),))
    clock, lease = Clock(), 60
    (job,) = await any_store.claim_due_jobs(
        now=clock.now, limit=1, worker="dies", lease_seconds=lease
    )
    assert await any_store.mark_job_sending(job.id, attempts=job.attempts)
    # ... the platform answered, and the worker died before recording the job done.
    clock.advance(seconds=lease + 1)
    runner = Recorder()
    assert await scheduler(any_store, runner, clock, lease_seconds=lease).run_once() == 0
    assert runner.ran == []
    # The key is free again: the person can set a new reminder.
    await any_store.schedule_jobs((spec("reminder", clock.now, key="remind:u1"),))
    assert await scheduler(any_store, runner, clock, lease_seconds=lease).run_once() == 1


async def test_a_worker_whose_claim_was_taken_over_does_not_send(any_store: Store) -> None:
    await any_store.schedule_jobs((spec("reminder", T0),))
    clock, lease = Clock(), 60
    (slow,) = await any_store.claim_due_jobs(
        now=clock.now, limit=1, worker="slow", lease_seconds=lease
    )
    clock.advance(seconds=lease + 1)
    (fresh,) = await any_store.claim_due_jobs(
        now=clock.now, limit=1, worker="fresh", lease_seconds=lease
    )
    assert not await any_store.mark_job_sending(slow.id, attempts=slow.attempts)
    assert await any_store.mark_job_sending(fresh.id, attempts=fresh.attempts)
    await any_store.finish_job(fresh.id)
    assert await any_store.pending_jobs("u1") == []


async def test_a_failed_send_is_retried(any_store: Store) -> None:
    await any_store.schedule_jobs((spec("reminder", T0, key="remind:u1"),))
    clock = Clock()
    (job,) = await any_store.claim_due_jobs(now=clock.now, limit=1, worker="w", lease_seconds=60)
    assert await any_store.mark_job_sending(job.id, attempts=job.attempts)
    await any_store.retry_job(job.id, due_at=clock.now)  # the platform said no
    runner = Recorder()
    assert await scheduler(any_store, runner, clock).run_once() == 1
    assert runner.kinds == ["reminder"]
