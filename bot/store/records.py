"""The records the store's ports take and return: frozen dataclasses and a few constants.

The two made on every turn, :class:`TurnCommit` and :class:`KeptState`, are plain slotted
dataclasses: building a frozen one costs a microsecond more (a turn in memory takes about 30),
and no one changes them once built.

Plain data only (no I/O): the implementations build them from rows, the core reads them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

__all__ = (
    "DEFAULT_EVENT_TTL",
    "FUNNEL_EVENTS",
    "JSON",
    "REFERRAL_KINDS",
    "Contact",
    "FunnelRow",
    "InboxEvent",
    "Job",
    "JobSpec",
    "KeptState",
    "Referral",
    "ReferralAnswer",
    "StoredConversation",
    "TurnCommit",
    "UserRecord",
    "funnel_rows",
    "last_per_key",
    "processed_key",
)

JSON = Any  # a value json.dumps accepts: dict, list, str, int, float, bool, None
# What the funnel counts per step: reached, answered (asks), retried (a refused answer), and
# abandoned (the user stopped, restarted or switched topic while this question waited).
FUNNEL_EVENTS = ("started", "answered", "retried", "abandoned")
# How someone can answer a referral card.
REFERRAL_KINDS = ("interested", "know_someone")


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
    due_at: datetime | None = None  # None: ``settle_seconds`` after ``enqueued_at``
    # The replies of its turn, saved with the turn but not sent yet (its worker died between
    # the two): send these, the turn is done.
    replies: list[Any] | None = None


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


def last_per_key(specs: Sequence[JobSpec]) -> list[JobSpec]:
    """Keep the last spec for each job key (later ones replace earlier), and all keyless ones."""
    last = {spec.job_key: index for index, spec in enumerate(specs) if spec.job_key is not None}
    return [
        spec
        for index, spec in enumerate(specs)
        if spec.job_key is None or last[spec.job_key] == index
    ]


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


@dataclass(slots=True)
class TurnCommit:
    """Everything one turn changes, saved in one transaction.

    ``expected_version`` is the version the turn was computed from (0 for a new conversation);
    ``state=None`` deletes the conversation. ``state`` is the caller's to give away: nothing
    changes it after the commit, so a store may keep it as it is (the in-memory store packs it
    only when the conversation goes quiet).
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
    # The turn's replies (JSON, see bot.dialog.event_json), kept in the inbox row of
    # ``event_id`` until they are sent; None: the event did not come through the inbox.
    replies: list[JSON] | None = None
    # The caller's own decoded form of ``state`` (the engine's ConversationState), which a
    # store that runs in the process may keep for the conversation's next turn (KeptState).
    keep: object | None = None


@dataclass(slots=True)
class KeptState:
    """A state the caller left with an in-process store (``TurnCommit.keep``), handed back by
    ``take_kept`` when nothing was saved for the conversation since: the next turn skips
    unpacking and decoding what it made itself. ``version`` is the saved row's."""

    version: int
    state: object


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


DEFAULT_EVENT_TTL = timedelta(days=1)
"""How long a processed event id is remembered when a turn gives no expiry. Platforms retry
within minutes, so a day is plenty, and it bounds the table's size."""


def processed_key(event_id: str) -> str:
    """What the stores remember of a processed event: a digest of its id, not the id. A Slack
    message's key names its DM channel (``msg:T1:D0ABC:1700000000.000100``), which ties it to
    the person; ``forget`` cannot delete the forget turn's own id, recorded with that turn."""
    raw = event_id.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def funnel_rows(counts: Iterable[tuple[str, str, str, int]]) -> list[FunnelRow]:
    """(flow, step, event, count) tuples as one row per step, sorted by flow and step."""
    steps: dict[tuple[str, str], dict[str, int]] = {}
    for flow, step, event, count in counts:
        if event in FUNNEL_EVENTS:
            steps.setdefault((flow, step), {})[event] = count
    return [FunnelRow(flow, step, **events) for (flow, step), events in sorted(steps.items())]
