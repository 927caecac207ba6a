"""Storage: the port the engine and scheduler use, and its records.

Two implementations: :class:`bot.store.memory.MemoryStore` (tests, benchmarks) and
:class:`bot.store.sql.SqlStore` (SQLite by default, run in one worker thread; PostgreSQL
through asyncpg).

A turn is committed atomically with :meth:`Store.commit_turn`: the conversation's new state (with
an optimistic version check), the processed event id (so a retried event is handled once) and the
jobs the turn scheduled or cancelled, and the turn's funnel counts. Nothing a turn did is
half-saved.

Personal data (recruiter contacts, shared referrals and the answers to them) is scoped to a
``user_key`` so that :meth:`Store.export_user` can hand all of it back and
:meth:`Store.forget_user` can erase all of it. The funnel counts are per flow step and hold no user
data at all; space settings belong to a Slack team or Discord server, not to a person.

Layer 1. May import :mod:`bot.errors` and :mod:`bot.boundary` only (and SQLAlchemy, Alembic).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.errors import StoreError

__all__ = (
    "FUNNEL_EVENTS",
    "REFERRAL_KINDS",
    "Contact",
    "DuplicateEventError",
    "FunnelRow",
    "InboxEvent",
    "Job",
    "JobSpec",
    "Referral",
    "ReferralAnswer",
    "Store",
    "StoreBusyError",
    "StoredConversation",
    "TurnCommit",
    "UserRecord",
    "VersionConflictError",
)

JSON = Any  # a value json.dumps accepts: dict, list, str, int, float, bool, None
# What the funnel counts per step: reached, answered (asks), retried (a refused answer), and
# abandoned (the user stopped, restarted or switched topic while this question waited).
FUNNEL_EVENTS = ("started", "answered", "retried", "abandoned")
# How someone can answer a referral card.
REFERRAL_KINDS = ("interested", "know_someone")


class VersionConflictError(StoreError):
    """Another event changed the conversation first; reload and apply the turn again."""


class DuplicateEventError(StoreError):
    """This platform event id was already processed (a retry)."""


class StoreBusyError(StoreError):
    """The database could not serve the call in time (no pooled connection free, a lock held
    too long, too many connections). Nothing was written; the same call may simply be retried
    a little later, and is (the engine does, with backoff): it is load, not a failure."""


@dataclass(frozen=True, slots=True)
class InboxEvent:
    """A platform event in the durable inbox (see :mod:`bot.dialog.inbox`).

    ``stamp`` is the platform's own ordering of the conversation's events (a Slack ``ts``, a
    Discord snowflake), written so that comparing the text compares the moments; ``payload`` is
    what :mod:`bot.dialog.inbox` needs to run it later (the ``Incoming`` and where to answer)."""

    id: int
    event_id: str
    conversation_key: str
    user_key: str
    stamp: str
    payload: dict[str, Any]
    enqueued_at: datetime
    attempts: int


@dataclass(frozen=True, slots=True)
class StoredConversation:
    key: str
    state: dict[str, JSON]
    version: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class JobSpec:
    """A job to run at ``due_at``: a reminder to send, a question to time out.

    ``job_key`` names the job for cancelling (for example ``timeout:<conversation key>``); at
    most one pending job exists per key, so scheduling again replaces the earlier one.
    """

    kind: str
    due_at: datetime
    user_key: str
    conversation_key: str
    payload: dict[str, JSON] = field(default_factory=dict)
    job_key: str | None = None


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    due_at: datetime
    user_key: str
    conversation_key: str
    payload: dict[str, JSON]
    job_key: str | None
    attempts: int


@dataclass(frozen=True, slots=True)
class TurnCommit:
    """Everything one turn changes, saved in one transaction.

    ``expected_version`` is the version the turn was computed from (0 for a new conversation);
    ``state=None`` deletes the conversation.
    """

    conversation_key: str
    user_key: str
    state: dict[str, JSON] | None
    expected_version: int
    event_id: str | None = None
    event_expires_at: datetime | None = None
    new_jobs: tuple[JobSpec, ...] = ()
    cancel_job_keys: tuple[str, ...] = ()
    # (flow id, step id, event) counts for flow authors; event is one of FUNNEL_EVENTS.
    funnel: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class UserRecord:
    """What the coach remembers about a person: time zone and settings."""

    user_key: str
    time_zone: str | None = None
    settings: dict[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Contact:
    """A recruiter the user wants to keep in touch with.

    ``id`` is 0 for a contact not saved yet; the store sets ``created_at`` and ``updated_at``.
    ``cadence_months`` (3 to 6, or None for no nudges) is how often the coach suggests a note.
    """

    user_key: str
    name: str
    agency: str = ""
    specialty: str = ""
    reach: str = ""  # how to reach them: an e-mail address, a phone number, a LinkedIn link
    notes: str = ""
    cadence_months: int | None = None
    last_contact_at: datetime | None = None
    id: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Referral:
    """An opportunity shared in a space's referral channel.

    ``opportunity`` holds role, level, location, skills and ``recruiter_contact`` (None unless
    the sharer chose to show it); ``sharer_ref`` is the sharer's conversation (as
    :func:`bot.dialog.state.ref_to_json` writes it), where the private notices go.
    """

    id: int
    platform: str
    space: str
    sharer_key: str
    sharer_ref: dict[str, JSON]
    opportunity: dict[str, JSON]
    status: str  # "open" or "closed"
    channel: str | None
    message_id: str | None
    interested_count: int
    know_someone_count: int
    created_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReferralAnswer:
    """One click on a referral card: who answered which referral, and how."""

    referral_id: int
    responder_key: str
    kind: str  # one of REFERRAL_KINDS
    created_at: datetime


@dataclass(frozen=True, slots=True)
class FunnelRow:
    """How often each event happened at one step of one flow (all users together)."""

    flow_id: str
    step_id: str
    started: int = 0
    answered: int = 0
    retried: int = 0
    abandoned: int = 0


class Store(Protocol):
    """The storage port. Every method is safe to call from several workers at once."""

    async def open(self) -> None:
        """Connect and bring the schema up to date (migrations)."""

    async def close(self) -> None: ...

    async def load_conversation(self, key: str) -> StoredConversation | None: ...

    async def commit_turn(self, commit: TurnCommit) -> int:
        """Save a turn; return the new version.

        Raises:
            VersionConflictError: the stored version is not ``commit.expected_version``.
            DuplicateEventError: ``commit.event_id`` was processed already.
        """

    async def is_processed(self, event_id: str) -> bool: ...

    async def purge_expired_events(self, now: datetime) -> int: ...

    async def load_user(self, user_key: str) -> UserRecord | None: ...

    async def save_user(self, user: UserRecord) -> None: ...

    async def schedule_jobs(self, jobs: tuple[JobSpec, ...]) -> None: ...

    async def cancel_jobs(self, job_keys: tuple[str, ...]) -> int: ...

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

    async def mark_job_sending(self, job_id: int, *, attempts: int) -> bool:
        """Record, just before a job's messages go to the platform, that they are being sent.
        False when the claim is no longer this caller's (``attempts`` differs: the lease ran
        out and another worker took the job): then it must not send. A job marked sending is
        never claimed again, so a worker that dies after sending cannot make another send the
        same reminder: at most one send per job (one that dies between marking and sending
        loses it)."""

    async def finish_job(self, job_id: int, *, error: str | None = None) -> None:
        """Mark a claimed job done, or (with ``error``) failed for good after retries."""

    async def retry_job(self, job_id: int, *, due_at: datetime) -> None:
        """Release a claimed job to run again at ``due_at`` (a delivery failed)."""

    async def pending_jobs(self, user_key: str) -> list[Job]: ...

    # the durable inbox (bot.dialog.inbox)

    async def enqueue_event(
        self,
        *,
        event_id: str,
        conversation_key: str,
        user_key: str,
        stamp: str,
        payload: dict[str, JSON],
        now: datetime,
    ) -> bool:
        """Save a platform event before it is acknowledged; False (saving nothing) when this
        ``event_id`` is in the inbox already (a platform retry)."""

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
        """Claim up to ``limit`` conversations with pending inbox events for ``worker``, oldest
        first. A conversation is held by one worker at a time; a hold not renewed for
        ``lease_seconds`` is taken to be from a worker that died and may be claimed again.
        Conversations whose oldest pending event came in less than ``settle_seconds`` ago are
        left for the next claim (events sent together may reach two workers out of order)."""

    async def next_inbox_event(
        self, conversation_key: str, *, worker: str, now: datetime
    ) -> tuple[bool, InboxEvent | None]:
        """Renew ``worker``'s hold on the conversation and return its next pending event in
        ``stamp`` order. ``(False, None)`` when the hold was lost (its lease ran out and
        another worker claimed the conversation): the caller must stop."""

    async def renew_conversation(
        self, conversation_key: str, *, worker: str, now: datetime
    ) -> bool:
        """Renew ``worker``'s hold on the conversation while one of its turns runs (a turn that
        waits on a busy database may outlast the lease); False when the hold was lost."""

    async def finish_inbox_event(self, inbox_id: int, *, now: datetime) -> None:
        """Mark an event done; its payload is dropped at once, the row kept as long as a
        processed event id is (a late platform retry is recognised)."""

    async def release_conversation(self, conversation_key: str, *, worker: str) -> None:
        """Give the hold on a conversation up (its events are all done, or the worker stops)."""

    async def save_flow_source(self, *, version: str, flow_id: str, source: str) -> None: ...

    async def load_flow_source(self, version: str) -> str | None: ...

    # recruiter contacts

    async def save_contact(self, contact: Contact) -> int:
        """Insert the contact when ``contact.id`` is 0, else update that contact of
        ``contact.user_key``; return its id.

        Raises:
            LookupError: ``contact.id`` is not a contact of ``contact.user_key``.
        """

    async def list_contacts(self, user_key: str) -> list[Contact]:
        """The user's contacts, oldest first (the order the user numbered them in)."""

    async def get_contact(self, user_key: str, contact_id: int) -> Contact | None:
        """The contact with this id if it belongs to the user, else None."""

    async def delete_contact(self, user_key: str, contact_id: int) -> bool:
        """Delete the user's contact; False when the user has no contact with that id."""

    # funnel

    async def funnel_stats(self) -> list[FunnelRow]:
        """The counts :meth:`commit_turn` added up, per flow and step, sorted by flow and step."""

    # space settings

    async def get_space_setting(self, platform: str, space: str, key: str) -> str | None:
        """A space's setting (such as ``referral_channel``), or None when it is not set."""

    async def set_space_setting(
        self, platform: str, space: str, key: str, value: str | None
    ) -> None:
        """Set a space's setting; ``None`` removes it."""

    # referrals

    async def create_referral(
        self,
        *,
        platform: str,
        space: str,
        sharer_key: str,
        sharer_ref: dict[str, JSON],
        opportunity: dict[str, JSON],
    ) -> Referral:
        """Save a new open referral with no answers yet."""

    async def get_referral(self, referral_id: int) -> Referral | None: ...

    async def set_referral_message(self, referral_id: int, channel: str, message_id: str) -> None:
        """Remember where the referral's card was posted, so that it can be updated."""

    async def add_referral_response(self, referral_id: int, responder_key: str, kind: str) -> bool:
        """Record a click and add one to the referral's count for ``kind``, atomically.

        Returns False, changing nothing, for a repeat click (same responder and kind) and for a
        referral that is closed or does not exist.
        """

    async def close_referral(self, referral_id: int, sharer_key: str) -> bool:
        """Close an open referral; False unless it is open and ``sharer_key`` shared it."""

    async def referrals_shared_by(self, user_key: str) -> list[Referral]:
        """The referrals the user shared, newest first."""

    async def referrals_answered_by(self, user_key: str) -> list[ReferralAnswer]:
        """The user's clicks on referral cards, newest first."""

    # privacy

    async def export_user(self, user_key: str) -> dict[str, list[dict[str, JSON]]]:
        """Every row about the user, by table: ``conversations``, ``users``, ``jobs``,
        ``contacts``, ``referrals`` (the ones they shared) and ``referral_responses`` (the
        answers they gave). Values are JSON-ready: date-times as ISO 8601 strings, JSON columns
        decoded. Other people's keys never appear (who answered the user's referrals is theirs).
        """

    async def forget_user(self, user_key: str) -> int:
        """Delete every row about the user in every table; return how many rows went.

        That is their conversations, user record, jobs and contacts, the referrals they shared
        with every answer to them, and their own answers to other people's referrals (whose
        counts go down by one each).
        """
