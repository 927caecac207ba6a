"""Runs due jobs (reminders, question time-outs) from the store, once each, on any worker.

Each worker polls :meth:`bot.store.JobQueue.claim_due_jobs`, which hands a job to exactly one
worker (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), runs it through the app's :data:`JobRunner`
and records the outcome. Jobs that fell due while every worker was down fire on the next poll.
A runner that raises is retried with exponential backoff until ``max_attempts``, then the job is
marked failed. A worker that dies mid-job leaves a claim that expires after ``lease_seconds``,
when another worker takes the job over, so a job that runs longer than the lease may run twice.

Logs name the job id, kind and exception type only: never payloads or exception messages, which
may quote what the user wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.boundary import ConversationRef, Reply
from bot.store import EventExpiry, Job, JobDelivery, JobQueue

__all__ = ("Delivery", "JobRunner", "Scheduler", "SchedulerStore", "retry_delay")

log = logging.getLogger(__name__)

JobRunner = Callable[[Job], Awaitable[None]]


class SchedulerStore(JobQueue, JobDelivery, EventExpiry, Protocol):
    """The store ports the scheduler uses: the job queue, and expiring old event ids."""


"""Runs one job: the app composes it (the engine renders, the adapter delivers)."""

RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
PURGE_EVERY = timedelta(minutes=10)


class Delivery(Protocol):
    """What each adapter implements to send messages nobody is waiting for (reminders)."""

    async def deliver(
        self, conversation: ConversationRef, replies: Sequence[Reply]
    ) -> Sequence[str] | None:
        """Send ``replies``; the platform's ids of the posted messages (a Slack ``ts``, a
        Discord message id) when it gives them, recorded on a reminder's job row."""


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: 30 s, 1 min, 2 min, ...
    up to an hour."""
    doublings = min(max(attempts - 1, 0), 16)  # capped: a huge multiplier overflows timedelta
    return min(RETRY_BASE * (1 << doublings), RETRY_MAX)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Scheduler:
    """Polls the store for due jobs and runs them.

    Args:
        store: an opened store, shared with the engine or a separate instance.
        run_job: runs one job; raising means "try again later".
        worker_id: names this worker in job claims (host and process id, for example).
        clock: the current time, timezone-aware (tests pass a fake one).
        poll_seconds: the pause between polls when nothing more is due.
        batch: how many jobs one poll claims at most.
        lease_seconds: how long a claim holds before another worker may take the job over.
        max_attempts: runs per job before it is marked failed.
        platforms: claim only jobs of conversations on these platforms (None: all).
    """

    def __init__(
        self,
        store: SchedulerStore,
        run_job: JobRunner,
        *,
        worker_id: str,
        clock: Callable[[], datetime] = _utcnow,
        poll_seconds: float = 1.0,
        batch: int = 50,
        lease_seconds: int = 300,
        max_attempts: int = 5,
        platforms: tuple[str, ...] | None = None,
    ) -> None:
        self._store = store
        self._platforms = platforms
        self._run_job = run_job
        self._worker_id = worker_id
        self._clock = clock
        self._poll_seconds = poll_seconds
        self._batch = batch
        self._lease_seconds = lease_seconds
        self._max_attempts = max_attempts
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_purge: datetime | None = None

    async def run_once(self) -> int:
        """Claim the jobs due now, run each and record the outcome; return how many ran."""
        claimed = await self._store.claim_due_jobs(
            now=self._clock(),
            limit=self._batch,
            worker=self._worker_id,
            lease_seconds=self._lease_seconds,
            platforms=self._platforms,
        )
        ran = 0
        for index, job in enumerate(claimed):
            if self._stopping.is_set():
                await self._release(claimed[index:])
                break
            await self._run(job)
            ran += 1
        return ran

    async def _run(self, job: Job) -> None:
        if job.attempts > self._max_attempts:
            # Only a job whose claims kept expiring gets here: its runs never finished, perhaps
            # because the job itself brings its worker down. Stop handing it out.
            log.warning("job %s (%s) abandoned after %d claims", job.id, job.kind, job.attempts)
            await self._store.finish_job(job.id, error="lease expired too often")
            return
        try:
            await self._run_job(job)
        except Exception as exc:
            await self._failed(job, exc)
        else:
            await self._store.finish_job(job.id)

    async def _failed(self, job: Job, exc: Exception) -> None:
        error = type(exc).__name__
        if job.attempts < self._max_attempts:
            due_at = self._clock() + retry_delay(job.attempts)
            log.warning("job %s (%s) failed with %s; will retry", job.id, job.kind, error)
            await self._store.retry_job(job.id, due_at=due_at)
        else:
            log.error("job %s (%s) failed with %s; giving up", job.id, job.kind, error)
            await self._store.finish_job(job.id, error=error)

    async def _release(self, jobs: Sequence[Job]) -> None:
        """Hand back claimed jobs this worker will not run because it is stopping."""
        for job in jobs:
            await self._store.retry_job(job.id, due_at=job.due_at)

    async def run_forever(self) -> None:
        """Poll until :meth:`stop`; also purge expired event ids every few minutes."""
        log.info("scheduler %s started", self._worker_id)
        while not self._stopping.is_set():
            ran = await self._poll()
            # A full batch suggests more jobs are due right now: poll again at once.
            if ran < self._batch:
                await self._pause(self._poll_seconds)
        log.info("scheduler %s stopped", self._worker_id)

    async def _poll(self) -> int:
        try:
            ran = await self.run_once()
            await self._purge_now_and_then()
        except Exception as exc:
            # A lost database connection must not end the loop; the next poll tries again.
            log.warning("scheduler poll failed with %s", type(exc).__name__)
            return 0
        return ran

    async def _purge_now_and_then(self) -> None:
        now = self._clock()
        if self._last_purge is None or now - self._last_purge >= PURGE_EVERY:
            self._last_purge = now
            await self._store.purge_expired_events(now)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    def start(self) -> asyncio.Task[None]:
        """Run :meth:`run_forever` in a background task and return it."""
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(
                self.run_forever(), name=f"scheduler:{self._worker_id}"
            )
        return self._task

    async def stop(self) -> None:
        """Finish the job in hand, hand back the rest of the batch and wait for the loop."""
        self._stopping.set()
        if self._task is not None:
            task, self._task = self._task, None
            await task
