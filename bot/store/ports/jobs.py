"""The jobs port: reminders and time-outs to run later, each by one worker, at most once sent
(the scheduler uses them; turns schedule through :meth:`ConversationStore.commit_turn`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.store.records import Job, JobSpec

__all__ = ("JobDelivery", "JobQueue")


class JobQueue(Protocol):
    """Schedule, cancel, list and claim jobs."""

    async def schedule_jobs(self, jobs: tuple[JobSpec, ...]) -> None:
        """Add jobs; one with the ``job_key`` of a pending job replaces it."""

    async def cancel_jobs(self, job_keys: tuple[str, ...]) -> int:
        """Delete the pending jobs with these keys; how many went."""

    async def claim_due_jobs(
        self,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_seconds: int,
        platforms: tuple[str, ...] | None = None,
    ) -> list[Job]:
        """Claim up to ``limit`` jobs due at ``now``. A job is claimed by one worker only
        (``FOR UPDATE SKIP LOCKED`` on PostgreSQL); a claim older than ``lease_seconds`` is
        taken to be from a worker that died and may be claimed again. With ``platforms``, only
        jobs of conversations on those platforms are claimed (a console never takes a Slack
        user's reminder from a shared database)."""

    async def pending_jobs(self, user_key: str) -> list[Job]:
        """The user's jobs not yet claimed, soonest first."""


class JobDelivery(Protocol):
    """Send a claimed job once: mark it sending, record the send, finish or retry it."""

    async def mark_job_sending(self, job_id: int, *, attempts: int) -> bool:
        """Record, just before a job's messages go to the platform, that they are being sent.
        False when the claim is no longer this caller's (``attempts`` differs: the lease ran
        out and another worker took the job): then it must not send. A job marked sending is
        never claimed again, so a worker that dies after sending cannot make another send the
        same reminder: at most one send per job (one that dies between marking and sending
        loses it)."""

    async def record_job_sent(self, job_id: int, *, sent_ref: str) -> None:
        """Record the platform's answer to a job's send (the posted messages' ts / ids, or
        ``"accepted"`` when the platform gives none) on a job marked sending, at once: a job
        left ``sending`` with a ``sent_ref`` was delivered, one without may not have been."""

    async def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        """Mark a claimed job done, or (with ``error``) failed for good after retries."""

    async def retry_job(self, job_id: int, *, due_at: datetime) -> None:
        """Release a claimed job to run again at ``due_at`` (a delivery failed)."""
