"""Scheduled jobs on dicts, mixed into :class:`bot.store.memory.MemoryStore`: the same contract
as :mod:`bot.store.sql_jobs` (the JobQueue and JobDelivery ports) for one process. Like the rest
of the memory store, no method awaits in the middle, so each is atomic with respect to the others.

A job keeps its payload as compact JSON bytes (every live callback has a reminder job, and its
payload as dicts took more memory than the conversation's state); jobs are indexed by user, so
``pending_jobs`` (asked on every callback) does not walk every job of every user.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import orjson

from bot.store.memory_rows import compact_json
from bot.store.records import JSON, Job, JobSpec

__all__ = ("JobsMemory",)


@dataclass(slots=True)
class _Job:
    """A mutable job row; :meth:`to_job` makes the frozen record callers see."""

    id: int
    kind: str
    due_at: datetime
    user_key: str
    conversation_key: str
    job_key: str | None
    payload: bytes  # compact JSON
    status: str = "pending"
    attempts: int = 0
    claimed_by: str | None = None
    claimed_at: datetime | None = None
    last_error: str | None = None
    sent_ref: str | None = None

    @classmethod
    def from_spec(cls, job_id: int, spec: JobSpec) -> _Job:
        payload = compact_json(spec.payload)
        return cls(
            job_id,
            spec.kind,
            spec.due_at,
            spec.user_key,
            spec.conversation_key,
            spec.job_key,
            payload,
        )

    def to_job(self) -> Job:
        return Job(
            id=self.id,
            kind=self.kind,
            due_at=self.due_at,
            user_key=self.user_key,
            conversation_key=self.conversation_key,
            payload=orjson.loads(self.payload),
            job_key=self.job_key,
            attempts=self.attempts,
        )


class JobsMemory:
    """Job methods of :class:`bot.store.memory.MemoryStore`."""

    def __init__(self) -> None:
        self._live_jobs: dict[int, _Job] = {}  # pending or running
        self._finished_jobs: dict[int, _Job] = {}  # done or failed, kept like the SQL rows
        self._live_by_key: dict[str, int] = {}
        # user key -> the id of the user's one live job (the job's own int: nothing more to
        # keep, the usual case), or a tuple of ids (one small block; a list would be two)
        self._live_by_user: dict[str, int | tuple[int, ...]] = {}
        self._next_job_id = 1

    async def schedule_jobs(self, jobs: tuple[JobSpec, ...]) -> None:
        self._schedule(jobs)

    def _schedule(self, specs: tuple[JobSpec, ...]) -> None:
        for spec in specs:
            if spec.job_key is not None:
                self._replace_key(spec.job_key)
            job = _Job.from_spec(self._next_job_id, spec)
            self._next_job_id += 1
            self._add_live(job)
            if spec.job_key is not None:
                self._live_by_key[spec.job_key] = job.id

    def _replace_key(self, job_key: str) -> None:
        """Drop the pending job with this key; a running one keeps running but loses the key
        (the SQL store clears its ``job_key``) so the new job can take it."""
        job_id = self._live_by_key.pop(job_key, None)
        if job_id is None:
            return
        job = self._live_jobs[job_id]
        if job.status == "pending":
            self._drop_live(job_id)
        else:
            job.job_key = None

    async def cancel_jobs(self, job_keys: tuple[str, ...]) -> int:
        return self._cancel(job_keys)

    def _cancel(self, job_keys: tuple[str, ...]) -> int:
        cancelled = 0
        for job_key in job_keys:
            job_id = self._live_by_key.get(job_key)
            if job_id is not None and self._live_jobs[job_id].status == "pending":
                self._drop_live(job_id)
                del self._live_by_key[job_key]
                cancelled += 1
        return cancelled

    async def claim_due_jobs(
        self,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_seconds: int,
        platforms: tuple[str, ...] | None = None,
    ) -> list[Job]:
        stale = now - timedelta(seconds=lease_seconds)
        prefixes = tuple(f"{p}:" for p in platforms) if platforms is not None else ("",)
        due = [
            job
            for job in self._live_jobs.values()
            if _claimable(job, now, stale) and job.conversation_key.startswith(prefixes)
        ]
        due.sort(key=lambda job: (job.due_at, job.id))
        claimed = due[:limit]
        for job in claimed:
            job.status, job.claimed_by, job.claimed_at = "running", worker, now
            job.attempts += 1
        return [job.to_job() for job in claimed]

    async def mark_job_sending(self, job_id: int, *, attempts: int) -> bool:
        job = self._live_jobs.get(job_id)
        if job is None or job.status != "running" or job.attempts != attempts:
            return False
        job.status = "sending"
        self._release_key(job)  # as in SQL: only pending and running jobs hold their key
        return True

    async def record_job_sent(self, job_id: int, *, sent_ref: str) -> None:
        job = self._live_jobs.get(job_id)
        if job is not None and job.status == "sending":
            job.sent_ref = sent_ref

    async def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        job = self._drop_live(job_id)
        if job is None:
            return
        self._release_key(job)
        job.status = "done" if error is None else "failed"
        job.last_error = error
        self._finished_jobs[job_id] = job

    async def retry_job(self, job_id: int, *, due_at: datetime) -> None:
        job = self._live_jobs.get(job_id)
        if job is None or job.status not in ("running", "sending"):
            return
        key = job.job_key
        if job.status == "sending" and key is not None and key in self._live_by_key:
            await self.finish_job(job_id, error="replaced by a newer job")
            return
        job.status, job.due_at = "pending", due_at
        job.claimed_by = job.claimed_at = None
        if key is not None:
            self._live_by_key[key] = job.id

    def _user_job_ids(self, user_key: str) -> tuple[int, ...]:
        ids = self._live_by_user.get(user_key, ())
        return (ids,) if isinstance(ids, int) else ids

    def _add_live(self, job: _Job) -> None:
        self._live_jobs[job.id] = job
        ids = self._user_job_ids(job.user_key)
        self._live_by_user[job.user_key] = (*ids, job.id) if ids else job.id

    def _drop_live(self, job_id: int) -> _Job | None:
        job = self._live_jobs.pop(job_id, None)
        if job is not None:
            ids = tuple(i for i in self._user_job_ids(job.user_key) if i != job_id)
            if ids:
                self._live_by_user[job.user_key] = ids if len(ids) > 1 else ids[0]
            else:
                del self._live_by_user[job.user_key]
        return job

    def _release_key(self, job: _Job) -> None:
        key = job.job_key
        if key is not None and self._live_by_key.get(key) == job.id:
            del self._live_by_key[key]

    async def pending_jobs(self, user_key: str) -> list[Job]:
        live = self._live_jobs
        pending = [
            job
            for job in map(live.__getitem__, self._user_job_ids(user_key))
            if job.status == "pending"
        ]
        pending.sort(key=lambda job: (job.due_at, job.id))
        return [job.to_job() for job in pending]

    # privacy

    def _export_jobs(self, user_key: str) -> list[dict[str, JSON]]:
        return [
            {
                **asdict(job.to_job()),
                "status": job.status,
                "last_error": job.last_error,
                "sent_ref": job.sent_ref,
            }
            for table in (self._live_jobs, self._finished_jobs)
            for job in table.values()
            if job.user_key == user_key
        ]

    def _forget_jobs(self, user_key: str) -> int:
        live = self._user_job_ids(user_key)
        for job_id in live:
            job = self._drop_live(job_id)
            assert job is not None  # the index holds live jobs only
            self._release_key(job)
        finished = [job.id for job in self._finished_jobs.values() if job.user_key == user_key]
        for job_id in finished:
            self._release_key(self._finished_jobs.pop(job_id))
        return len(live) + len(finished)


def _claimable(job: _Job, now: datetime, stale: datetime) -> bool:
    if job.status == "pending":
        return job.due_at <= now
    if job.status == "sending":  # sent, or being sent: never again (at most once)
        return False
    # A claim older than the lease belongs to a worker that died; take the job over.
    return job.claimed_at is not None and job.claimed_at < stale
