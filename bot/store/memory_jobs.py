"""Scheduled jobs on dicts, mixed into :class:`bot.store.memory.MemoryStore`: the same contract
as :mod:`bot.store.sql_jobs` (the JobQueue and JobDelivery ports) for one process. Like the rest
of the memory store, no method awaits in the middle, so each is atomic with respect to the others.

A pending job is ONE bytes object (:mod:`bot.store.memory_job_rows`: every live callback has a
reminder job, and as a row object it took more memory than the conversation's state); a job
being run, retried or finished is a :class:`_Job` row (few at a time). Jobs are indexed by user,
so ``pending_jobs`` (asked on every callback) does not walk every job of every user; a job key
of the usual form names the conversation, so its job is found among that user's jobs, and only
keys of other forms have an index of their own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import orjson

from bot.store.memory_job_rows import (
    PayloadShapes,
    due_micros,
    due_of,
    job_keys_of,
    pack_job,
    unpack_job,
)
from bot.store.memory_rows import compact_json, user_key_from_parts
from bot.store.records import JSON, Job, JobSpec

__all__ = ("JobsMemory",)

_Index = dict[str, int | tuple[int, ...]]  # a key -> one id (the usual case) or a tuple of ids


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
    def from_spec(cls, job_id: int, spec: JobSpec, attempts: int = 0) -> _Job:
        payload = compact_json(spec.payload)
        return cls(
            job_id,
            spec.kind,
            spec.due_at,
            spec.user_key,
            spec.conversation_key,
            spec.job_key,
            payload,
            attempts=attempts,
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
        # pending or running: a pending job packed (pack_job), or a row object
        self._live_jobs: dict[int, bytes | _Job] = {}
        self._finished_jobs: dict[int, _Job] = {}  # done or failed, kept like the SQL rows
        # job key -> the live job holding it, for keys that do not name their job's user. The
        # usual keys ("<kind>:<conversation key>[:...]") are found through their user's jobs:
        # kept here, each took ~140 bytes (the key, the entry).
        self._other_keys: dict[str, int] = {}
        # user key -> the id of the user's one live job (the job's own int: nothing more to
        # keep, the usual case), or a tuple of ids (one small block; a list would be two)
        self._live_by_user: dict[str, int | tuple[int, ...]] = {}
        self._payload_shapes = PayloadShapes()
        self._next_job_id = 1

    async def schedule_jobs(self, jobs: tuple[JobSpec, ...]) -> None:
        self._schedule(jobs)

    def _schedule(self, specs: tuple[JobSpec, ...]) -> None:
        for spec in specs:
            if spec.job_key is not None:
                self._replace_key(spec.job_key)
            job_id = self._next_job_id
            self._next_job_id += 1
            packed = pack_job(spec, 0, self._payload_shapes)
            self._live_jobs[job_id] = _Job.from_spec(job_id, spec) if packed is None else packed
            _add_id(self._live_by_user, spec.user_key, job_id)
            if spec.job_key is not None and not _names_user(spec.job_key, spec.user_key):
                self._other_keys[spec.job_key] = job_id

    def _replace_key(self, job_key: str) -> None:
        """Drop the pending job with this key; a running one keeps running but loses the key
        (the SQL store clears its ``job_key``) so the new job can take it."""
        job_id = self._live_id_of_key(job_key)
        if job_id is None:
            return
        self._unindex_key(job_key, job_id)
        job = self._live_jobs[job_id]
        if _is_pending(job):
            self._drop_live(job_id)
        else:
            assert isinstance(job, _Job)  # packed jobs are pending
            job.job_key = None

    async def cancel_jobs(self, job_keys: tuple[str, ...]) -> int:
        return self._cancel(job_keys)

    def _cancel(self, job_keys: tuple[str, ...]) -> int:
        cancelled = 0
        for job_key in job_keys:
            job_id = self._live_id_of_key(job_key)
            if job_id is not None and _is_pending(self._live_jobs[job_id]):
                self._drop_live(job_id)
                self._unindex_key(job_key, job_id)
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
        now_us = due_micros(now)
        prefixes = tuple(f"{p}:" for p in platforms) if platforms is not None else ("",)
        due: list[tuple[int, int]] = []  # (due time in us, id)
        for job_id, job in self._live_jobs.items():
            if isinstance(job, bytes):
                if due_of(job) <= now_us and job_keys_of(job)[0].startswith(prefixes):
                    due.append((due_of(job), job_id))
            elif _claimable(job, now, stale) and job.conversation_key.startswith(prefixes):
                due.append((due_micros(job.due_at), job_id))
        due.sort()
        claimed = [self._unpacked(job_id) for _, job_id in due[:limit]]
        for job in claimed:
            job.status, job.claimed_by, job.claimed_at = "running", worker, now
            job.attempts += 1
        return [job.to_job() for job in claimed]

    async def mark_job_sending(self, job_id: int, *, attempts: int) -> bool:
        job = self._live_jobs.get(job_id)
        if not isinstance(job, _Job) or job.status != "running" or job.attempts != attempts:
            return False
        job.status = "sending"
        self._release_key(job)  # as in SQL: only pending and running jobs hold their key
        return True

    async def record_job_sent(self, job_id: int, *, sent_ref: str) -> None:
        job = self._live_jobs.get(job_id)
        if isinstance(job, _Job) and job.status == "sending":
            job.sent_ref = sent_ref

    async def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        if job_id not in self._live_jobs:
            return
        job = self._unpacked(job_id)
        self._drop_live(job_id)
        self._release_key(job)
        job.status = "done" if error is None else "failed"
        job.last_error = error
        self._finished_jobs[job_id] = job

    async def retry_job(self, job_id: int, *, due_at: datetime) -> None:
        job = self._live_jobs.get(job_id)
        if not isinstance(job, _Job) or job.status not in ("running", "sending"):
            return
        key = job.job_key
        if job.status == "sending" and key is not None and self._live_id_of_key(key) is not None:
            await self.finish_job(job_id, error="replaced by a newer job")
            return
        job.status, job.due_at = "pending", due_at
        job.claimed_by = job.claimed_at = None
        if key is not None and not _names_user(key, job.user_key):
            self._other_keys[key] = job.id  # (a key naming the user is held by being pending)

    def _unpacked(self, job_id: int) -> _Job:
        """The live job as a row object, which it stays (it is about to change)."""
        job = self._live_jobs[job_id]
        if isinstance(job, bytes):
            spec, attempts = unpack_job(job, self._payload_shapes)
            job = self._live_jobs[job_id] = _Job.from_spec(job_id, spec, attempts)
        return job

    def _job_of(self, job_id: int, job: bytes | _Job) -> Job:
        if isinstance(job, _Job):
            return job.to_job()
        spec, attempts = unpack_job(job, self._payload_shapes)
        return Job(
            job_id,
            spec.kind,
            spec.due_at,
            spec.user_key,
            spec.conversation_key,
            spec.payload,
            spec.job_key,
            attempts,
        )

    def _live_id_of_key(self, job_key: str) -> int | None:
        """The live job holding the key (pending or running with it)."""
        user_key = _user_named_by(job_key)
        if user_key is not None:
            live = self._live_jobs
            for job_id in _ids(self._live_by_user, user_key):
                if _holds(live[job_id], job_key):
                    return job_id
        return self._other_keys.get(job_key)

    def _unindex_key(self, job_key: str, job_id: int) -> None:
        if self._other_keys.get(job_key) == job_id:
            del self._other_keys[job_key]

    def _drop_live(self, job_id: int) -> bytes | _Job | None:
        job = self._live_jobs.pop(job_id, None)
        if job is not None:
            user_key = job_keys_of(job)[1] if isinstance(job, bytes) else job.user_key
            _remove_id(self._live_by_user, user_key, job_id)
        return job

    def _release_key(self, job: _Job) -> None:
        """After the job stops holding its key (it is no longer pending or running)."""
        if job.job_key is not None:
            self._unindex_key(job.job_key, job.id)

    async def pending_jobs(self, user_key: str) -> list[Job]:
        live = self._live_jobs
        pending = [
            self._job_of(job_id, job)
            for job_id in _ids(self._live_by_user, user_key)
            if _is_pending(job := live[job_id])
        ]
        pending.sort(key=lambda job: (job.due_at, job.id))
        return pending

    # privacy

    def _export_jobs(self, user_key: str) -> list[dict[str, JSON]]:
        live = [self._unpacked_copy(job_id, job) for job_id, job in self._live_jobs.items()]
        return [
            {
                **asdict(job.to_job()),
                "status": job.status,
                "last_error": job.last_error,
                "sent_ref": job.sent_ref,
            }
            for job in (*live, *self._finished_jobs.values())
            if job.user_key == user_key
        ]

    def _unpacked_copy(self, job_id: int, job: bytes | _Job) -> _Job:
        if isinstance(job, _Job):
            return job
        spec, attempts = unpack_job(job, self._payload_shapes)
        return _Job.from_spec(job_id, spec, attempts)

    def _forget_jobs(self, user_key: str) -> int:
        live = _ids(self._live_by_user, user_key)
        for job_id in live:
            job_key = _key_of(self._live_jobs[job_id])
            self._drop_live(job_id)
            if job_key is not None:
                self._unindex_key(job_key, job_id)
        finished = [job.id for job in self._finished_jobs.values() if job.user_key == user_key]
        for job_id in finished:
            self._release_key(self._finished_jobs.pop(job_id))
        return len(live) + len(finished)


def _user_named_by(job_key: str) -> str | None:
    """The user key of the conversation a key of the usual form ``<kind>:<conversation
    key>[:...]`` names (see :func:`bot.store.memory_rows.conversation_parts`), or None."""
    parts = job_key.split(":", 6)
    return user_key_from_parts(parts[1:6]) if len(parts) >= 6 else None


def _names_user(job_key: str, user_key: str) -> bool:
    return _user_named_by(job_key) == user_key


def _holds(job: bytes | _Job, job_key: str) -> bool:
    if isinstance(job, bytes):  # packed: pending
        return job_keys_of(job)[2] == job_key
    return job.job_key == job_key and job.status in ("pending", "running")


def _ids(index: _Index, key: str) -> tuple[int, ...]:
    ids: int | tuple[int, ...] = index.get(key, ())
    return (ids,) if isinstance(ids, int) else ids


def _add_id(index: _Index, key: str, job_id: int) -> None:
    held: tuple[int, ...] = _ids(index, key)
    index[key] = (*held, job_id) if held else job_id


def _remove_id(index: _Index, key: str, job_id: int) -> None:
    kept: tuple[int, ...] = tuple(i for i in _ids(index, key) if i != job_id)
    if kept:
        index[key] = kept if len(kept) > 1 else kept[0]
    else:
        index.pop(key, None)


def _key_of(job: bytes | _Job) -> str | None:
    return job_keys_of(job)[2] if isinstance(job, bytes) else job.job_key


def _is_pending(job: bytes | _Job) -> bool:
    return isinstance(job, bytes) or job.status == "pending"


def _claimable(job: _Job, now: datetime, stale: datetime) -> bool:
    if job.status == "pending":
        return job.due_at <= now
    if job.status == "sending":  # sent, or being sent: never again (at most once)
        return False
    # A claim older than the lease belongs to a worker that died; take the job over.
    return job.claimed_at is not None and job.claimed_at < stale
