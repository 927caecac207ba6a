"""What the App Home shows a person, gathered from the store and the referral board.

Upcoming callbacks are the person's pending ``reminder`` jobs, shown in their time zone.
Contacts and referrals come from the core's records; the strings built here are plain text,
escaped by :func:`adapters.slack.render.to_home`.
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.slack.render import HomeView
from bot.boundary import ConversationRef
from bot.coaching.referrals import ReferralBoard
from bot.render.formats import format_phone, format_when
from bot.store import Contact, Job, Referral, ReferralAnswer, Store

__all__ = ("answered_line", "build_home", "callback_lines", "contact_line", "shared_line")


async def build_home(
    *,
    store: Store,
    referrals: ReferralBoard | None,
    conversation: ConversationRef,
    time_zone: str | None,
) -> HomeView:
    user_key = conversation.user_key
    jobs = await store.pending_jobs(user_key)
    contacts = await store.list_contacts(user_key)
    shared: Sequence[Referral] = []
    answered: Sequence[ReferralAnswer] = []
    if referrals is not None:
        shared = await referrals.shared_by(user_key)
        answered = await referrals.answered_by(user_key)
    return HomeView(
        callbacks=callback_lines(jobs, time_zone),
        contacts=tuple(contact_line(c) for c in contacts),
        shared=tuple(shared_line(r) for r in shared),
        answered=tuple(answered_line(a) for a in answered),
    )


def callback_lines(jobs: Sequence[Job], time_zone: str | None) -> tuple[str, ...]:
    """One line per pending reminder: the call's time (in the person's zone) and number."""
    lines = []
    for job in sorted(jobs, key=lambda j: j.due_at):
        if job.kind != "reminder":
            continue
        context = job.payload.get("context") or {}
        when = _local(str(context.get("at") or job.due_at.isoformat()), time_zone)
        phone = context.get("phone")
        lines.append(f"{when}, on {format_phone(str(phone))}" if phone else when)
    return tuple(lines)


def _local(iso: str, time_zone: str | None) -> str:
    """The call's time as the person says it, in their zone ("Tuesday 24 November, 6:30 pm")."""
    return format_when(iso, time_zone)


def contact_line(contact: Contact) -> str:
    line = f"{contact.name} ({contact.agency})" if contact.agency else contact.name
    return f"{line}: {contact.reach}" if contact.reach else line


def shared_line(referral: Referral) -> str:
    """A referral the person shared: the role, open or closed, and the answers so far."""
    role = str(referral.opportunity.get("role") or f"Referral #{referral.id}")
    return (
        f"{role} ({referral.status}): {referral.interested_count} interested, "
        f"{referral.know_someone_count} know someone"
    )


def answered_line(answer: ReferralAnswer) -> str:
    """A referral the person answered: which one, and how."""
    return f"Referral #{answer.referral_id}: {answer.kind.replace('_', ' ')}"
