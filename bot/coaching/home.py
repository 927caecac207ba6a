"""Read models for a person's own overview (Slack's App Home): their callbacks, contacts and
referrals, as frozen values an adapter lays out without knowing the store or job payloads.

Times and phone numbers are formatted here (in the person's time zone) so every adapter shows
them the same way; the adapter only escapes and arranges the strings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.coaching.referrals import ReferralBoard
from bot.render.formats import format_phone, format_when
from bot.store import Contact, Job, Referral, ReferralAnswer, Store

__all__ = (
    "AnsweredReferral",
    "Callback",
    "Home",
    "SavedContact",
    "SharedReferral",
    "callbacks_of",
    "read_home",
)


@dataclass(frozen=True, slots=True)
class Callback:
    """A call the person expects: when (as they say it, in their zone) and on which number."""

    when: str
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class SavedContact:
    """A recruiter the person keeps in touch with."""

    name: str
    agency: str = ""
    reach: str = ""


@dataclass(frozen=True, slots=True)
class SharedReferral:
    """A referral the person shared, with the answers so far."""

    referral_id: int
    role: str
    status: str  # "open" or "closed"
    interested: int
    know_someone: int


@dataclass(frozen=True, slots=True)
class AnsweredReferral:
    """A referral the person answered, and how ("interested", "know someone", ...)."""

    referral_id: int
    answer: str


@dataclass(frozen=True, slots=True)
class Home:
    """Everything a person's overview shows, soonest callback first."""

    callbacks: tuple[Callback, ...] = ()
    contacts: tuple[SavedContact, ...] = ()
    shared: tuple[SharedReferral, ...] = ()
    answered: tuple[AnsweredReferral, ...] = ()


async def read_home(
    store: Store, referrals: ReferralBoard | None, user_key: str, time_zone: str | None
) -> Home:
    """The overview of ``user_key``; without a referral board the referral lists are empty."""
    jobs = await store.pending_jobs(user_key)
    contacts = await store.list_contacts(user_key)
    shared: Sequence[Referral] = []
    answered: Sequence[ReferralAnswer] = []
    if referrals is not None:
        shared = await referrals.shared_by(user_key)
        answered = await referrals.answered_by(user_key)
    return Home(
        callbacks=callbacks_of(jobs, time_zone),
        contacts=tuple(_contact(c) for c in contacts),
        shared=tuple(_shared(r) for r in shared),
        answered=tuple(_answered(a) for a in answered),
    )


def callbacks_of(jobs: Sequence[Job], time_zone: str | None) -> tuple[Callback, ...]:
    """One callback per pending reminder job, soonest first, in the person's time zone."""
    found = []
    for job in sorted(jobs, key=lambda j: j.due_at):
        if job.kind != "reminder":
            continue
        context = job.payload.get("context") or {}
        if not isinstance(context, dict):
            context = {}
        when = format_when(str(context.get("at") or job.due_at.isoformat()), time_zone)
        phone = context.get("phone")
        found.append(Callback(when, format_phone(str(phone)) if phone else None))
    return tuple(found)


def _contact(contact: Contact) -> SavedContact:
    return SavedContact(contact.name, contact.agency, contact.reach)


def _answered(answer: ReferralAnswer) -> AnsweredReferral:
    return AnsweredReferral(answer.referral_id, answer.kind.replace("_", " "))


def _shared(referral: Referral) -> SharedReferral:
    role = str(referral.opportunity.get("role") or f"Referral #{referral.id}")
    return SharedReferral(
        referral.id,
        role,
        referral.status,
        referral.interested_count,
        referral.know_someone_count,
    )
