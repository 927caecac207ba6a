"""What the App Home shows a person, gathered from the store and the referral board.

Upcoming callbacks are the person's pending ``reminder`` jobs, shown in their time zone.
Contacts and referrals come from the core's records; the strings built here are plain text,
escaped by :func:`adapters.slack.render.to_home`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.slack.ports import ReferralBoard
from adapters.slack.render import HomeView
from bot.boundary import ConversationRef
from bot.store import Job, Store

__all__ = ("build_home", "callback_lines", "contact_line", "referral_line")

WHEN_FORMAT = "%a %d %b, %H:%M"


async def build_home(
    *,
    store: Store,
    referrals: ReferralBoard | None,
    conversation: ConversationRef,
    time_zone: str | None,
) -> HomeView:
    user_key = conversation.user_key
    jobs = await store.pending_jobs(user_key)
    contacts: Sequence[object] = []
    list_contacts = getattr(store, "list_contacts", None)  # the contacts store is optional
    if list_contacts is not None:
        contacts = await list_contacts(user_key)
    shared: Sequence[object] = []
    answered: Sequence[object] = []
    if referrals is not None:
        shared = await referrals.shared_by(user_key)
        answered = await referrals.answered_by(user_key)
    return HomeView(
        callbacks=callback_lines(jobs, time_zone),
        contacts=tuple(contact_line(c) for c in contacts),
        shared=tuple(referral_line(r) for r in shared),
        answered=tuple(referral_line(r) for r in answered),
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
        lines.append(f"{when}, on {phone}" if phone else when)
    return tuple(lines)


def _local(iso: str, time_zone: str | None) -> str:
    try:
        moment = datetime.fromisoformat(iso)
        if time_zone:
            moment = moment.astimezone(ZoneInfo(time_zone))
    except (ValueError, ZoneInfoNotFoundError):
        return iso
    return moment.strftime(WHEN_FORMAT)


def contact_line(contact: object) -> str:
    name = str(getattr(contact, "name", "") or "?")
    agency = getattr(contact, "agency", "")
    reach = getattr(contact, "reach", "")
    line = f"{name} ({agency})" if agency else name
    return f"{line}: {reach}" if reach else line


def referral_line(referral: object) -> str:
    """A referral the person shared (role, status, answers) or answered (role and how)."""
    opportunity = getattr(referral, "opportunity", None)
    role = opportunity.get("role") if isinstance(opportunity, dict) else None
    ident = getattr(referral, "id", None) or getattr(referral, "referral_id", "?")
    title = str(role or f"Referral #{ident}")
    kind = getattr(referral, "kind", None)
    if kind:
        return f"{title}: {str(kind).replace('_', ' ')}"
    status = getattr(referral, "status", "")
    interested = getattr(referral, "interested_count", 0)
    know = getattr(referral, "know_someone_count", 0)
    return f"{title} ({status}): {interested} interested, {know} know someone"
