"""The store methods of :class:`bot.store.sql.SqlStore` beyond a turn's, without SQLAlchemy.

Each method hands its work to its SQLAlchemy Core twin, a function of the store in
:mod:`bot.store.sql_jobs`, :mod:`bot.store.sql_inbox`, :mod:`bot.store.sql_personal`,
:mod:`bot.store.sql_privacy` or :mod:`bot.store.sql_profiles`, imported when first called, so
that importing the store (a console's start) loads neither SQLAlchemy nor the schema. The
methods a console's start and first turn call on SQLite (the scheduler's ``claim_due_jobs``,
``pending_jobs``) run their plain ``sqlite3`` units (:mod:`bot.store.sqlite_units`) instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.store import pg_units, sqlite_units
from bot.store.sql_common import SqlMixin

if TYPE_CHECKING:
    from datetime import datetime

    from bot.store.records import (
        JSON,
        Contact,
        FunnelRow,
        InboxEvent,
        Job,
        JobSpec,
        Referral,
        ReferralAnswer,
    )

__all__ = ("InboxSql", "JobsSql", "PersonalDataSql", "PrivacySql", "ProfilesSql")


class JobsSql(SqlMixin):
    """Store methods for jobs; mixed into :class:`bot.store.sql.SqlStore`."""

    async def schedule_jobs(self, jobs: tuple[JobSpec, ...]) -> None:
        from bot.store import sql_jobs

        await sql_jobs.schedule_jobs(self, jobs)

    async def cancel_jobs(self, job_keys: tuple[str, ...]) -> int:
        from bot.store import sql_jobs

        return await sql_jobs.cancel_jobs(self, job_keys)

    async def claim_due_jobs(
        self,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_seconds: int,
        platforms: tuple[str, ...] | None = None,
    ) -> list[Job]:
        if self._sqlite is not None:
            return await self._sqlite.run_sqlite(
                "write",
                sqlite_units.claim_due_jobs,
                now=now,
                limit=limit,
                worker=worker,
                lease_seconds=lease_seconds,
                platforms=platforms,
            )
        from bot.store import sql_jobs

        return await sql_jobs.claim_due_jobs(
            self,
            now=now,
            limit=limit,
            worker=worker,
            lease_seconds=lease_seconds,
            platforms=platforms,
        )

    async def mark_job_sending(self, job_id: int, *, attempts: int) -> bool:
        from bot.store import sql_jobs

        return await sql_jobs.mark_job_sending(self, job_id, attempts=attempts)

    async def record_job_sent(self, job_id: int, *, sent_ref: str) -> None:
        from bot.store import sql_jobs

        await sql_jobs.record_job_sent(self, job_id, sent_ref=sent_ref)

    async def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        from bot.store import sql_jobs

        await sql_jobs.finish_job(self, job_id, error=error)

    async def retry_job(self, job_id: int, *, due_at: datetime) -> None:
        from bot.store import sql_jobs

        await sql_jobs.retry_job(self, job_id, due_at=due_at)

    async def pending_jobs(self, user_key: str) -> list[Job]:
        if self._sqlite is not None:
            return await self._sqlite.run_sqlite("read", sqlite_units.pending_jobs, user_key)
        return await self._pg().run_asyncpg("read", pg_units.pending_jobs, user_key)


class InboxSql(SqlMixin):
    """Store methods for the inbox; mixed into :class:`bot.store.sql.SqlStore`."""

    async def enqueue_event(
        self,
        *,
        event_id: str,
        conversation_key: str,
        user_key: str,
        stamp: str,
        payload: dict[str, JSON],
        now: datetime,
        due_at: datetime | None = None,
    ) -> bool:
        from bot.store import sql_inbox

        return await sql_inbox.enqueue_event(
            self,
            event_id=event_id,
            conversation_key=conversation_key,
            user_key=user_key,
            stamp=stamp,
            payload=payload,
            now=now,
            due_at=due_at,
        )

    async def claim_conversations(
        self,
        *,
        now: datetime,
        limit: int,
        worker: str,
        lease_seconds: float,
        settle_seconds: float = 0.0,
        platforms: tuple[str, ...] | None = None,
    ) -> list[str]:
        from bot.store import sql_inbox

        return await sql_inbox.claim_conversations(
            self,
            now=now,
            limit=limit,
            worker=worker,
            lease_seconds=lease_seconds,
            settle_seconds=settle_seconds,
            platforms=platforms,
        )

    async def next_inbox_event(
        self, conversation_key: str, *, worker: str, now: datetime
    ) -> tuple[bool, InboxEvent | None]:
        from bot.store import sql_inbox

        return await sql_inbox.next_inbox_event(self, conversation_key, worker=worker, now=now)

    async def renew_conversation(
        self, conversation_key: str, *, worker: str, now: datetime
    ) -> bool:
        from bot.store import sql_inbox

        return await sql_inbox.renew_conversation(self, conversation_key, worker=worker, now=now)

    async def finish_inbox_event(self, inbox_id: int, *, now: datetime) -> None:
        from bot.store import sql_inbox

        await sql_inbox.finish_inbox_event(self, inbox_id, now=now)

    async def keep_inbox_replies(self, event_id: str, replies: list[JSON]) -> None:
        from bot.store import sql_inbox

        await sql_inbox.keep_inbox_replies(self, event_id, replies)

    async def release_conversation(self, conversation_key: str, *, worker: str) -> None:
        from bot.store import sql_inbox

        await sql_inbox.release_conversation(self, conversation_key, worker=worker)


class PersonalDataSql(SqlMixin):
    """Store methods for personal data; mixed into :class:`bot.store.sql.SqlStore`."""

    async def save_contact(self, contact: Contact) -> int:
        from bot.store import sql_personal

        return await sql_personal.save_contact(self, contact)

    async def list_contacts(self, user_key: str) -> list[Contact]:
        from bot.store import sql_personal

        return await sql_personal.list_contacts(self, user_key)

    async def get_contact(self, user_key: str, contact_id: int) -> Contact | None:
        from bot.store import sql_personal

        return await sql_personal.get_contact(self, user_key, contact_id)

    async def delete_contact(self, user_key: str, contact_id: int) -> bool:
        from bot.store import sql_personal

        return await sql_personal.delete_contact(self, user_key, contact_id)

    async def funnel_stats(self) -> list[FunnelRow]:
        from bot.store import sql_personal

        return await sql_personal.funnel_stats(self)

    async def get_space_setting(self, platform: str, space: str, key: str) -> str | None:
        from bot.store import sql_personal

        return await sql_personal.get_space_setting(self, platform, space, key)

    async def set_space_setting(
        self, platform: str, space: str, key: str, value: str | None
    ) -> None:
        from bot.store import sql_personal

        await sql_personal.set_space_setting(self, platform, space, key, value)

    async def create_referral(
        self,
        *,
        platform: str,
        space: str,
        sharer_key: str,
        sharer_ref: dict[str, JSON],
        opportunity: dict[str, JSON],
    ) -> Referral:
        from bot.store import sql_personal

        return await sql_personal.create_referral(
            self,
            platform=platform,
            space=space,
            sharer_key=sharer_key,
            sharer_ref=sharer_ref,
            opportunity=opportunity,
        )

    async def get_referral(self, referral_id: int) -> Referral | None:
        from bot.store import sql_personal

        return await sql_personal.get_referral(self, referral_id)

    async def set_referral_message(self, referral_id: int, channel: str, message_id: str) -> None:
        from bot.store import sql_personal

        await sql_personal.set_referral_message(self, referral_id, channel, message_id)

    async def add_referral_response(self, referral_id: int, responder_key: str, kind: str) -> bool:
        from bot.store import sql_personal

        return await sql_personal.add_referral_response(self, referral_id, responder_key, kind)

    async def close_referral(self, referral_id: int, sharer_key: str) -> bool:
        from bot.store import sql_personal

        return await sql_personal.close_referral(self, referral_id, sharer_key)

    async def referrals_shared_by(self, user_key: str) -> list[Referral]:
        from bot.store import sql_personal

        return await sql_personal.referrals_shared_by(self, user_key)

    async def referrals_answered_by(self, user_key: str) -> list[ReferralAnswer]:
        from bot.store import sql_personal

        return await sql_personal.referrals_answered_by(self, user_key)


class PrivacySql(SqlMixin):
    """``export_user`` and ``forget_user``; mixed into :class:`bot.store.sql.SqlStore`."""

    async def export_user(self, user_key: str) -> dict[str, list[dict[str, JSON]]]:
        from bot.store import sql_privacy

        return await sql_privacy.export_user(self, user_key)

    async def forget_user(self, user_key: str) -> int:
        from bot.store import sql_privacy

        return await sql_privacy.forget_user(self, user_key)


class ProfilesSql(SqlMixin):
    """:class:`bot.store.ProfileCache` methods of :class:`bot.store.sql.SqlStore`."""

    async def load_profile(self, user_key: str, *, now: datetime) -> dict[str, JSON] | None:
        from bot.store import sql_profiles

        return await sql_profiles.load_profile(self, user_key, now=now)

    async def save_profile(
        self, user_key: str, profile: dict[str, JSON], *, expires_at: datetime
    ) -> None:
        from bot.store import sql_profiles

        await sql_profiles.save_profile(self, user_key, profile, expires_at=expires_at)
